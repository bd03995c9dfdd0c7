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
from dataclasses import replace
from datetime import datetime
from typing import Any

from ..cellref import column_letter
from ..model import DRAFTS_WITHDRAWN, WITHDRAW_DRAFTS_FROM, CellError, FileResult, Record
from ..ruleset.timing import as_date
from ..workspace import Workspace
from . import intents, pdf
from .issue import documents_config, types_for
from .tables import DRAFT

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
        held_back(documents_config(ctx.ws), ctx.specs, result, records)
        # The dispatch register comes back from a manager with approvals filled in.
        rows = [r for r in records if r.register == DISPATCH]
        if rows:
            not_taken(ctx.ws, ctx.ledger, result, rows)
        return [r.values for r in rows]

    def commit(self, ctx: Any, conn: Any, result: FileResult, extra: Any, now: datetime) -> None:
        from ..ruleset import store

        if extra:
            intents.enqueue_approvals(conn, ctx.ledger.site, result, extra, now)
        config = documents_config(ctx.ws)
        gone = [f for f in result.findings if f.notice and f.state == "resolved"]
        retired = {(v.register, v.key) for v in result.voided}
        if retired and intents.void_retired_drafts(conn, ctx.ledger.site, retired):
            intents.request_register(conn, ctx.ledger.site, now)
        if gone and intents.void_resolved_drafts(conn, ctx.ledger.site, config, gone):
            # Demands for what is settled were voided; the register is rewritten to move
            # their files and to name the other drafts whose finding closed.
            intents.request_register(conn, ctx.ledger.site, now)
        ended = [f for f in result.findings if f.state != "resolved" and f.values.get(WITHDRAW_DRAFTS_FROM)]
        if ended and intents.void_drafts_from(conn, ctx.ledger.site, config, ended):
            intents.request_register(conn, ctx.ledger.site, now)  # moves the withdrawn files
        notices = [f for f in result.findings if f.notice and f.state != "resolved"]
        withdrawn = [f for f in notices if f.values.get(DRAFTS_WITHDRAWN)]
        if withdrawn:
            notices = [f for f in notices if not f.values.get(DRAFTS_WITHDRAWN)]
            if intents.void_retired_drafts(conn, ctx.ledger.site, {(f.register, f.record) for f in withdrawn},
                                           {t.type for f in withdrawn for t in types_for(config, f)}):
                intents.request_register(conn, ctx.ledger.site, now)  # moves the withdrawn files
        unchanged = (intents.unchanged_notices(conn, ctx.ledger.site, config, notices, ctx.ws.templates)
                     if notices else set())
        for i, f in enumerate(notices):
            if i in unchanged:
                continue  # issued for these facts, its documents as they are: nothing to do
            store.mark_issued(conn, ctx.ledger.site, f, now)  # the intent, committed with it, guarantees it
            kinds = [t for t in types_for(config, f) if not t.missing(f.values)]  # held back: see held_back
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


def held_back(config: Any, specs: dict[str, Any], result: FileResult, records: list[Record]) -> None:
    """Documents that wait for a value they cannot go without (``requires``): the finding
    says so instead of announcing a draft, and the return copy marks the cell, naming who
    completes it; the document is drafted when a register with the value arrives."""
    by_key = {(r.register, r.key): r for r in records}
    for f in result.findings:
        if not f.notice or f.state == "resolved":
            continue
        for t in types_for(config, f):
            missing = t.missing(f.values)
            if not missing:
                continue
            chosen = t.pick(f.values)
            title, who = chosen["title"], chosen["department"] or config.department
            spec = specs.get(f.register)
            register = spec.title if spec else f.register
            names = "、".join(f"“{m}”" for m in missing)
            f.message = (f"{register} {f.record}：{names}未填或填写有误，《{title}》暂不起草；"
                         f"请{who}改正{register}中的{names}后重新保存，《{title}》随即起草")
            log.info("《%s》（%s）暂不起草：缺少%s", title, f.record, "、".join(missing))
            rec = by_key.get((f.register, f.record))
            if rec is not None:
                for column in missing:
                    _mark_cell(result, rec, column, title, who)


def not_taken(ws: Workspace, ledger: Any, result: FileResult, rows: list[Record]) -> None:
    """What a manager wrote in the dispatch register that changes nothing, said on the
    cell of their copy instead of being silently put back when the register is rewritten:
    a signed document set to 已作废 or its signature cleared, a void one signed, a
    signature dated before the document."""
    from sqlalchemy import select

    from .dispatch import _document_types, restore_blocker_now
    from .tables import APPROVED, VOID, documents, ensure_tables

    numbers = [str(r.values.get("文号") or "").strip() for r in rows]
    ensure_tables(ledger.engine)
    with ledger.engine.connect() as conn:
        docs = {d.number: d for d in conn.execute(select(documents).where(
            documents.c.site == ledger.site, documents.c.number.in_([n for n in numbers if n])))}
        kinds = _document_types(ws)
        blockers = {n: restore_blocker_now(conn, ledger.site, d, kinds) for n, d in docs.items() if d.status == VOID}
    # What happens to each blocked one should the matter stand after all (_after_void).
    afters = {n: _after_void(ws, d, kinds) for n, d in docs.items() if blockers.get(n)}
    for rec, number in zip(rows, numbers, strict=True):
        doc = docs.get(number)
        if doc is None:
            continue
        v = rec.values
        wanted = str(v.get("文书状态") or v.get("状态") or "").strip()
        signer = str(v.get("签发人") or v.get("审批人") or "").strip()
        signed_on = v.get("签发日期") or v.get("审批日期")
        if doc.status == APPROVED and wanted == VOID:
            _note(result, rec, "文书状态", f"{number} 已签发，不能改为“已作废”：已发出的文书如需收回，请另行发文说明；本次未作改动")
        elif doc.status == APPROVED and not signer:
            _note(result, rec, "签发人", f"{number} 已由{doc.approved_by or '签发人'}签发，清空签发人不能撤销签发；本次未作改动")
        elif doc.status == VOID and (signer or wanted == DRAFT):
            _void_note(result, rec, doc, wanted, signer, blockers.get(number), afters.get(number))
        elif signer and (day := as_date(signed_on)) and doc.issued_on and day < doc.issued_on:
            _note(result, rec, "签发日期", f"{number} 的签发日期 {day} 早于发文日期 {doc.issued_on}，请核对后改正")


# A void draft that cannot come back: its row corrected brings a new draft.
_REDRAFT = "仍需要的，请改正登记表中的事由，文书将重新起草"


def _after_void(ws: Workspace, doc: Any, kinds: dict[str, Any]) -> str:
    """What the note on a blocked restore tells the manager to do instead: a draft voided
    with its row of a ``restore_with_record`` type (the 委托书) comes back under its own
    number when the row's 作废 mark is cleared; any other is drafted anew."""
    from .dispatch import _register_titles
    from .intents import RETIRED

    kind = kinds.get(doc.doc_type)
    if doc.facts_hash.startswith(RETIRED) and getattr(kind, "restore_with_record", False):
        title = _register_titles(ws).get(doc.register) or doc.register
        return (f"如是误标作废，请在“{title}”登记表中清除该行“作废”列的标记并保存：登记内容未改的，"
                "文书以原文号恢复为草稿，改了的按新内容另行起草")
    return _REDRAFT


def _void_note(result: FileResult, rec: Record, doc: Any, wanted: str, signer: str, blocker: str | None,
               after: str | None = None) -> None:
    """A void document the manager signed or set back to 草稿: restored unless ``blocker``
    says why not (``after``: what to do instead); a signature alone restores nothing and
    says how to."""
    number = doc.number
    if blocker:
        column = "文书状态" if wanted == DRAFT else "签发人"
        _note(result, rec, column, f"{number} {blocker}，不能恢复或签发；{after or _REDRAFT}")
    elif wanted != DRAFT:
        _note(result, rec, "签发人", f"{number} 已作废，不能签发；如是误作废，请把“文书状态”改回“草稿”后重新保存，"
                                  "文书以原文号恢复为草稿（同时填写签发人即一并签发）")


def _note(result: FileResult, rec: Record, column: str, message: str) -> None:
    value = rec.values.get(column)
    _cell_problem(result, rec, column, "dispatch.not_taken", message, None if value is None else str(value))


def _cell_problem(result: FileResult, rec: Record, column: str, code: str, message: str,
                  value: str | None = None) -> None:
    """A problem on a record's cell, found after validation: the file is then partly
    accepted, as for any problem found in it (the return copy marks the cell)."""
    idx = rec.columns.get(column)
    cell = f"{column_letter(idx + 1)}{rec.row}" if idx is not None else None
    result.errors.append(CellError(rec.sheet, rec.row, column, cell, code, message, value))
    if result.status == "accepted":
        result.status = "partial"


def _mark_cell(result: FileResult, rec: Record, column: str, title: str, who: str) -> None:
    """The waiting document on the return copy, at the cell it needs: added to the
    cell's own problem when the value was refused, else a problem of its own."""
    note = f"《{title}》须写明“{column}”，暂不起草，待{who}改正并重新保存后起草。"
    for i, e in enumerate(result.errors):
        if e.sheet == rec.sheet and e.row == rec.row and e.column == column:
            result.errors[i] = replace(e, message=f"{e.message.rstrip()}{note}")
            return
    _cell_problem(result, rec, column, "row.requires", f"本行“{column}”为空。{note}")
