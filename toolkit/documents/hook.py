"""Documents as a pipeline hook: drafts for notice-worthy findings, approvals from the
dispatch register.

Runs only after the file's transaction has committed, so a document is never issued
for a state the ledger does not hold. Numbers are taken in their own committed
transactions (see numbering.py), and the same facts never produce a second document.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from ..model import FileResult, Record
from ..workspace import Workspace
from . import pdf
from .dispatch import apply_approvals
from .issue import documents_config, issue_documents
from .render import DocumentError

log = logging.getLogger("toolkit")

DISPATCH = "dispatch"


class DocumentsHook:
    def __init__(self, ws: Workspace):
        documents_config(ws)  # refuse a bad documents.yaml or a missing template at start
        self._warnings: list[str] = []

    @classmethod
    def load(cls, ws: Workspace) -> DocumentsHook:
        return cls(ws)

    def evaluate(self, ctx: Any, result: FileResult, records: list[Record], now: datetime) -> Any:
        # The dispatch register comes back from a manager with approvals filled in.
        return [r.values for r in records if r.register == DISPATCH]

    def commit(self, ctx: Any, conn: Any, result: FileResult, extra: Any, now: datetime) -> None:
        return None

    def after_commit(self, ctx: Any, result: FileResult, extra: Any, now: datetime) -> None:
        if extra:
            approved = apply_approvals(ctx.ws, ctx.ledger, extra, now)
            if approved:
                log.info("approved: %s", "、".join(approved))
        wanted = [f for f in result.findings if f.notice and f.state != "resolved"]
        if not wanted:
            return
        try:
            paths = issue_documents(ctx.ws, ctx.ledger, wanted, now)
        except DocumentError as exc:
            self._warnings.append(f"{result.path}: {exc}")
            log.warning("documents failed for %s: %s", result.path, exc)
            return
        result.outputs.extend(str(p) for p in paths)
        self._mark_issued(ctx, wanted, now)

    @staticmethod
    def _mark_issued(ctx: Any, findings: list, now: datetime) -> None:
        from ..ruleset import store

        with ctx.ledger.transaction() as conn:
            for f in findings:
                store.mark_issued(conn, ctx.ledger.site, f, now)

    def warnings(self, ctx: Any) -> list[str]:
        out, self._warnings = self._warnings + pdf.take_warnings(), []
        return out
