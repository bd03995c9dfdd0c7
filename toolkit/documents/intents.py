"""The documents' outbox intents and their handlers (see toolkit/outbox.py).

``document``   a notice-worthy finding of a committed file. Before a number is taken
               the finding must still be open with the same facts; otherwise the
               intent ends ``void`` and any number a crash left unwritten for it is
               voided explicitly.
``number``     a number taken (生成中) whose document was never written — left by a
               crash in an earlier version or outside the pipeline: written now.
``pdf``        the PDF beside a written document (LibreOffice, in the background).
``register``   outbox/发文登记.xlsx rewritten from the ledger.
``approvals``  the sign-offs a manager saved in the dispatch register.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, literal, select, update

from .. import outbox
from ..clock import local_now
from ..model import WITHDRAW_DRAFTS_FROM, FileResult, Finding
from ..outbox import ASYNC, DONE, VOID, Intent, Outcome
from ..ruleset.timing import as_date
from .tables import APPROVED, DRAFT, PENDING, documents, ensure_tables
from .tables import VOID as VOIDED

log = logging.getLogger("toolkit")

DOCUMENT, NUMBER, PDF, REGISTER, APPROVALS = "document", "number", "pdf", "register", "approvals"
# The facts_hash of a draft voided because its finding was resolved: no document's digest.
VOIDED_ON_RESOLUTION = "voided-on-resolution"


def _file_tag(result: FileResult) -> str:
    """The save an intent comes from. Bytes restored after a later save are a save of
    their own (``again_of``): tagged apart from the first time, or their documents and
    approvals would be taken as already done."""
    tag = (result.sha256 or "")[:16]
    return f"{tag}+{result.again_of['after']}" if result.again_of else tag


def enqueue_document(conn: Connection, site: str, result: FileResult, f: Finding, now: datetime,
                     label: str | None = None) -> None:
    from ..ruleset import store

    ident = hashlib.sha256(f"{f.rule}\0{f.register}\0{f.record}\0{f.notice}".encode()).hexdigest()[:24]
    payload = {
        "target": label or f"{f.notice} {f.register} {f.record}",
        "hash": store.facts_hash(f),
        "finding": {
            "rule": f.rule, "register": f.register, "record": f.record, "severity": f.severity,
            "message": f.message, "status": f.status, "due": f.due, "values": f.values,
            "notice": f.notice,
        },
    }
    outbox.enqueue(conn, site, DOCUMENT, f"doc:{_file_tag(result)}:{ident}", payload, now)


CHUNK = 500  # records per IN (…)


def unchanged_notices(conn: Connection, site: str, config: Any, findings: list[Finding],
                      templates: Any = None) -> set[int]:
    """Which of these notice findings would change nothing: the notice was issued for
    exactly its facts (``issued_notices``) and each of its document types has a latest
    document of exactly these values and no number taken but unwritten — the intent's
    handler would find the same and issue nothing. A register saved again whole brings
    every finding of its rows along; those are left out of the intents instead of each
    costing its round trips. Read in the file's transaction, in a few queries.
    ``templates``: the templates folder, so a draft counts as changed only when what it
    prints changed (``stale_draft``).
    """
    from ..ruleset import store
    from ..ruleset.store import issued_notices as n
    from .issue import same_facts, stale_draft, types_for

    kinds = {f_i: types_for(config, f) for f_i, f in enumerate(findings)}
    type_names = sorted({t.type for ts in kinds.values() for t in ts})
    by_register: dict[str, set[str]] = {}
    for f in findings:
        by_register.setdefault(f.register, set()).add(f.record)
    issued: dict[tuple[str, str, str], str] = {}
    history: dict[tuple[str, str, str], list[tuple[str, str, str]]] = {}  # newest first
    d = documents
    for register, keys in by_register.items():
        ordered = sorted(keys)
        for i in range(0, len(ordered), CHUNK):
            chunk = ordered[i:i + CHUNK]
            for r in conn.execute(select(n.c.rule, n.c.record, n.c.facts_hash).where(
                    n.c.site == site, n.c.register == register, n.c.record.in_(chunk))):
                issued[(r.rule, register, r.record)] = r.facts_hash
            if type_names:
                for r in conn.execute(select(d.c.doc_type, d.c.record, d.c.status, d.c.facts_hash,
                                             d.c.values_json).where(
                        d.c.site == site, d.c.doc_type.in_(type_names), d.c.register == register,
                        d.c.record.in_(chunk)).order_by(d.c.id.desc())):
                    history.setdefault((r.doc_type, register, r.record), []).append(
                        (r.status, r.facts_hash, r.values_json))
    out: set[int] = set()
    for i, f in enumerate(findings):
        if issued.get((f.rule, f.register, f.record)) != store.facts_hash(f):
            continue
        same = True
        for t in kinds[i]:
            docs = history.get((t.type, f.register, f.record), [])
            latest = next((row for row in docs if row[0] != PENDING), None)
            if (any(row[0] == PENDING for row in docs) or latest is None
                    or not same_facts(config, t, latest[0], latest[1], latest[2], f.values)
                    or stale_draft(config, t, latest[0], latest[2], f.values, templates)):
                same = False
                break
        if same:
            out.add(i)
    return out


def enqueue_approvals(conn: Connection, site: str, result: FileResult, rows: list[dict],
                      now: datetime) -> None:
    payload = {"target": "发文登记签批", "rows": rows}
    outbox.enqueue(conn, site, APPROVALS, f"approvals:{_file_tag(result)}", payload, now)


def enqueue_written(conn: Connection, site: str, number: str, now: datetime, again: bool = False) -> None:
    """After a document is written (same transaction): its PDF and the register
    (``again``: a draft rewritten under its number, whose PDF is made anew)."""
    outbox.enqueue(conn, site, PDF, f"pdf:{number}", {"target": f"{number}.pdf", "number": number}, now,
                   again=again)
    request_register(conn, site, now)


def request_register(conn: Connection, site: str, now: datetime) -> None:
    outbox.enqueue(conn, site, REGISTER, "register", {"target": "发文登记.xlsx"}, now, again=True)


def recover(ws: Any, ledger: Any) -> None:
    """Every number left 生成中 gets an intent, so it ends written or void."""
    ensure_tables(ledger.engine)
    with ledger.engine.connect() as conn:
        numbers = [r.number for r in conn.execute(select(documents.c.number).where(
            documents.c.site == ledger.site, documents.c.status == PENDING))]
    if not numbers:
        return
    with ledger.transaction() as conn:
        for number in numbers:
            outbox.enqueue(conn, ledger.site, NUMBER, f"number:{number}", {"target": number, "number": number},
                           local_now(), again=False)


# --- handlers -----------------------------------------------------------------------


def _finding(payload: dict[str, Any]) -> Finding:
    return Finding(**payload["finding"])


def _still_open(ledger: Any, f: Finding, facts: str) -> bool:
    from ..ruleset.store import rule_findings as t

    with ledger.engine.connect() as conn:
        row = conn.execute(select(t.c.is_open, t.c.facts_hash).where(
            t.c.site == ledger.site, t.c.rule == f.rule, t.c.register == f.register, t.c.record == f.record)).first()
    return row is not None and bool(row.is_open) and row.facts_hash == facts


def _issue(ws: Any, ledger: Any, intent: Intent, memo: dict[str, Any]) -> Outcome:
    from .issue import issue_documents, void_unwritten

    f = _finding(intent.payload)
    if not _still_open(ledger, f, intent.payload["hash"]):
        voided = void_unwritten(ws, ledger, f)
        note = "提示在出文书前已解除或已变化，未出文书"
        return Outcome(VOID, note=note + (f"；作废未写出的文号 {'、'.join(voided)}" if voided else ""))
    paths = issue_documents(ws, ledger, [f], intent.created_at, flush=False)
    return Outcome(DONE, paths)


def _number(ws: Any, ledger: Any, intent: Intent, memo: dict[str, Any]) -> Outcome:
    from .issue import finish_pending

    path = finish_pending(ws, ledger, intent.payload["number"])
    return Outcome(DONE, [path] if path else [])


def _pdf(ws: Any, ledger: Any, intent: Intent, memo: dict[str, Any]) -> Outcome:
    from . import pdf
    from .dispatch import folder_for

    number = intent.payload["number"]
    with ledger.engine.connect() as conn:
        doc = conn.execute(select(documents).where(
            documents.c.site == ledger.site, documents.c.number == number)).first()
    if doc is None or not doc.file_name or doc.status in (PENDING,):
        return Outcome(VOID, note="文书未写出")
    docx = folder_for(ws, doc.status) / doc.file_name
    if not docx.exists():
        raise FileNotFoundError(2, "文书文件不在应在的文件夹", str(docx))
    made = docx.with_suffix(".pdf")
    if made.exists() and made.stat().st_mtime >= docx.stat().st_mtime:
        return Outcome(DONE, [made])
    if pdf.soffice() is None:
        pdf.submit(docx)  # records the warning
        return Outcome(VOID, note="按设置不生成 PDF" if pdf.switched_off() else "未找到 LibreOffice，只有 Word 文件")
    done = outbox.start_async(ledger, intent)
    pdf.submit(docx, on_done=lambda error: done(ledger, error))
    return Outcome(ASYNC)


def _register(ws: Any, ledger: Any, intent: Intent, memo: dict[str, Any]) -> Outcome:
    from .dispatch import write_register

    path = write_register(ws, ledger, strict=True)
    return Outcome(DONE, [path] if path else [])


def _approvals(ws: Any, ledger: Any, intent: Intent, memo: dict[str, Any]) -> Outcome:
    from .dispatch import apply_approvals

    approved = apply_approvals(ws, ledger, intent.payload["rows"], intent.created_at)
    if approved:
        log.info("已签发：%s", "、".join(approved))
    return Outcome(DONE)


def void_resolved_drafts(conn: Connection, site: str, config: Any, findings: list[Finding]) -> int:
    """Void the unsigned drafts of the demands these resolved findings had made (types
    with ``void_when_resolved``: a reminder for a bill since paid must not be signed);
    returns how many unsigned drafts they had, voided or not, and void ones (the dispatch
    register then moves the voided files to 已作废, names the others for the signer to
    check, and no longer offers to restore a draft voided by hand whose matter is settled)."""
    from .issue import types_for  # issue imports this module

    touched = 0
    for f in findings:
        for t in types_for(config, f):
            subject = (documents.c.site == site, documents.c.doc_type == t.type, documents.c.register == f.register,
                       documents.c.record == f.record)
            touched += len(conn.execute(select(documents.c.id).where(*subject, documents.c.status == VOIDED)).all())
            mine = (*subject, documents.c.status == DRAFT)
            if t.void_when_resolved:
                # Its facts are dropped with it: should the demand come back with the same
                # figures (a payment entered by mistake, a 作废 mark cleared), the draft voided
                # here is not the document of those facts, and a new one is drafted.
                touched += conn.execute(update(documents).where(*mine).values(
                    status=VOIDED, facts_hash=VOIDED_ON_RESOLUTION)).rowcount
                settle_signed(conn, site, t.type, f.register, f.record)
            else:
                touched += len(conn.execute(select(documents.c.id).where(*mine)).all())
    return touched


def void_drafts_from(conn: Connection, site: str, config: Any, findings: list[Finding]) -> int:
    """Void the unsigned drafts dated on or after each open finding's ``WITHDRAW_DRAFTS_FROM``
    (types its rule triggers, with ``void_when_resolved``): a 违约通知书 drafted after the
    contract ended must not be signed. Returns how many."""
    voided = 0
    for f in findings:
        since = as_date(f.values.get(WITHDRAW_DRAFTS_FROM))
        for t in config.documents:
            if since is None or t.trigger != f.rule or not t.void_when_resolved:
                continue
            voided += conn.execute(update(documents).where(
                documents.c.site == site, documents.c.doc_type == t.type, documents.c.register == f.register,
                documents.c.record == f.record, documents.c.status == DRAFT, documents.c.issued_on >= since,
            ).values(status=VOIDED, facts_hash=VOIDED_ON_RESOLUTION)).rowcount
    return voided


SETTLED = "settled:"  # facts_hash prefix of a signed demand whose matter was met (settle_signed)


def settle_signed(conn: Connection, site: str, doc_type: str, register: str, record: str) -> None:
    """Mark the signed, unreplaced documents of a demand just met (a bill paid) as settled:
    they were honoured, not withdrawn. The next demand about the record (December's fee
    after October's was paid) is a document of its own — it replaces none of them, and
    one of the same tier is drafted again instead of taken as already sent."""
    conn.execute(update(documents).where(
        documents.c.site == site, documents.c.doc_type == doc_type, documents.c.register == register,
        documents.c.record == record, documents.c.status == APPROVED, documents.c.superseded_by.is_(None),
        documents.c.facts_hash.not_like(f"{SETTLED}%")).values(facts_hash=_marked(SETTLED)))


def _marked(prefix: str) -> Any:
    """The stored facts hash with ``prefix`` in front (kept to the column's 64 characters):
    no digest of any facts, so the document is no longer the one of its facts."""
    return func.substr(literal(prefix) + documents.c.facts_hash, 1, 64)


RETIRED = "retired:"  # facts_hash prefix of a draft voided with its record (void_retired_drafts)


def void_retired_drafts(conn: Connection, site: str, retired: set[tuple[str, str]],
                       types: set[str] | None = None) -> int:
    """Void the unsigned drafts of records retired by a row marked 作废: the row was
    entered by mistake, so whatever was drafted for it (a second 预约确认单 for a booking
    typed twice) must not be signed. Signed documents stay as they are. Returns how many.
    ``types``: only drafts of these types (those of a ``DRAFTS_WITHDRAWN`` finding).

    Their facts are marked retired: a mark cleared brings the record back as new, and
    its draft comes back under its number if its facts are the same (issue._restorable),
    else a new one is drafted instead of the old being taken as already issued."""
    voided = 0
    for register, record in sorted(retired):
        cond = [documents.c.site == site, documents.c.register == register, documents.c.record == record,
                documents.c.status == DRAFT]
        if types is not None:
            cond.append(documents.c.doc_type.in_(sorted(types)))
        voided += conn.execute(update(documents).where(*cond).values(
            status=VOIDED, facts_hash=_marked(RETIRED))).rowcount
    return voided


def void_pending_numbers(conn: Connection, site: str, doc_type: str, register: str, record: str,
                         digest: str | None = None) -> list[str]:
    """Mark numbers taken but never written for this subject as void; their numbers."""
    cond = [documents.c.site == site, documents.c.doc_type == doc_type, documents.c.register == register,
            documents.c.record == record, documents.c.status == PENDING]
    if digest is not None:
        cond.append(documents.c.facts_hash == digest)
    numbers = [r.number for r in conn.execute(select(documents.c.number).where(*cond))]
    if numbers:
        conn.execute(update(documents).where(*cond).values(status=VOIDED))
    return numbers


HANDLERS = {DOCUMENT: _issue, NUMBER: _number, PDF: _pdf, REGISTER: _register, APPROVALS: _approvals}

__all__ = ["HANDLERS", "enqueue_document", "enqueue_approvals", "enqueue_written", "recover",
           "request_register", "settle_signed", "void_drafts_from", "void_pending_numbers", "void_resolved_drafts",
           "void_retired_drafts"]
