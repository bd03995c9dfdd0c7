"""Documents as a pipeline hook: drafts for notice-worthy findings, approvals from the
dispatch register.

Nothing is written inside the file's transaction but intents (outbox.py): one per
notice-worthy finding, and one for the approvals a signed dispatch register carries.
The outbox worker writes them after the commit — after the whole batch — and checks
that each finding is still open with the same facts before it takes a number, so a
document is never issued for a state the ledger does not hold, and a number is never
spent on a draft that a file of the same batch would void.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from ..model import FileResult, Record
from ..workspace import Workspace
from . import intents, pdf
from .issue import documents_config, types_for

log = logging.getLogger("toolkit")

DISPATCH = "dispatch"


class DocumentsHook:
    def __init__(self, ws: Workspace):
        documents_config(ws)  # refuse a bad documents.yaml or a missing template at start
        self._warnings: list[str] = []

    @classmethod
    def load(cls, ws: Workspace) -> DocumentsHook:
        return cls(ws)

    def start(self, ctx: Any) -> None:
        intents.recover(ctx.ws, ctx.ledger)

    def evaluate(self, ctx: Any, result: FileResult, records: list[Record], now: datetime) -> Any:
        # The dispatch register comes back from a manager with approvals filled in.
        return [r.values for r in records if r.register == DISPATCH]

    def commit(self, ctx: Any, conn: Any, result: FileResult, extra: Any, now: datetime) -> None:
        from ..ruleset import store

        if extra:
            intents.enqueue_approvals(conn, ctx.ledger.site, result, extra, now)
        config = documents_config(ctx.ws)
        notices = [f for f in result.findings if f.notice and f.state != "resolved"]
        unchanged = intents.unchanged_notices(conn, ctx.ledger.site, config, notices) if notices else set()
        for i, f in enumerate(notices):
            if i in unchanged:
                continue  # issued for these facts, its documents as they are: nothing to do
            store.mark_issued(conn, ctx.ledger.site, f, now)  # the intent, committed with it, guarantees it
            kinds = types_for(config, f)
            if kinds:
                spec = ctx.specs.get(f.register)
                titles = "、".join(t.pick(f.values)["title"] for t in kinds)
                label = f"{titles} {spec.title if spec else f.register} {f.record}"
                intents.enqueue_document(conn, ctx.ledger.site, result, f, now, label)

    def after_commit(self, ctx: Any, result: FileResult, extra: Any, now: datetime) -> None:
        return None

    def warnings(self, ctx: Any) -> list[str]:
        out, self._warnings = self._warnings + pdf.take_warnings(), []
        return out
