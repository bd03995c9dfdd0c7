"""Issuing documents for findings: once per set of facts, as numbered drafts.

For each finding that asks for a document (``Finding.notice``) of a type declared in
``rules/documents.yaml`` — or whose rule is the ``trigger`` of a declared type:

* a document for the same (type, register, record) with the same facts → nothing;
* the facts changed → a new number, whose register row names the number it replaces
  (the old one is voided if it was still a draft); a type with ``amend_draft`` rewrites
  its unsigned draft under the same number instead (one notice per matter), unless
  the year has turned since it was numbered: then it takes a number of the new year;
* a type with ``restore_with_record`` whose draft was voided with its record (a row
  marked 作废) gets that draft back, same number, when the mark is cleared and the facts
  are the same; a finding flagged ``RESTORE_ONLY`` (an event already past) gets only that;
* otherwise a new document.

Order of work, so that a crash never reuses a number: take the number and record the
document as 生成中 in one committed transaction, write the file, then mark it 草稿 —
in the same transaction as the intents for its PDF and the dispatch register. A
document left 生成中 by a crash is finished with its own number on the next run (its
outbox intent is still pending), or voided explicitly if its finding has closed.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, update

from .. import atomic, crash, outbox
from ..clock import local_now
from ..codec import decode, encode
from ..filenames import path_inside
from ..model import RESTORE_ONLY, Finding, Record
from ..workspace import Workspace
from . import intents, pdf
from .context import document_context, document_history, earlier_sent
from .dispatch import VOID_FOLDER, folder_for
from .numbering import next_seq
from .settings import DocumentsConfig, DocumentType, load_documents_config, recipient_text
from .tables import APPROVED, DRAFT, PENDING, VOID, documents, ensure_tables

log = logging.getLogger("toolkit")

_config_cache: dict[tuple[str, int], DocumentsConfig] = {}
_config_lock = threading.Lock()


def documents_config(ws: Workspace) -> DocumentsConfig:
    """rules/documents.yaml and the packs' documents files, validated once per change of
    any of them (a running watcher picks up an edit of car_documents.yaml too)."""
    key = (str(ws.rules), tuple((p.name, p.stat().st_mtime_ns) for p in sorted(ws.rules.glob("*documents.yaml"))))
    with _config_lock:
        if key in _config_cache:
            return _config_cache[key]
    config = load_documents_config(ws.rules, ws.templates)
    with _config_lock:
        _config_cache.clear()
        _config_cache[key] = config
    return config


def types_for(config: DocumentsConfig, finding: Finding) -> list[DocumentType]:
    """The document types a finding produces: the one it names, and any triggered by its rule."""
    out = []
    for t in config.documents:
        if t.type == finding.notice or (t.trigger == finding.rule and finding.notice is not None):
            out.append(t)
    return out


def facts_hash(config: DocumentsConfig, doc_type: DocumentType, values: dict[str, Any]) -> str:
    """Hash of the values that make up the document's facts (volatile counters left out)."""
    if doc_type.facts is not None:
        chosen: Any = {k: values.get(k) for k in doc_type.facts}
    else:
        chosen = _drop(values, set(config.volatile) | set(doc_type.volatile))
    return hashlib.sha256(encode(chosen).encode("utf-8")).hexdigest()


def same_facts(config: DocumentsConfig, doc_type: DocumentType, status: str, stored_hash: str,
               stored_values: str, values: dict[str, Any]) -> bool:
    """A document issued for these facts, judged by the type's ``facts`` as declared now.

    A type that declares (or changes) its ``facts`` after documents were issued compares
    them with the values stored with each document, leaving out a fact the document was
    issued without: the new declaration alone never replaces a document already signed.
    A voided document is judged by its hash alone (one voided on resolution or with its
    record carries a mark instead, so that its facts coming back draft a new one).
    """
    if stored_hash == facts_hash(config, doc_type, values):
        return True
    if doc_type.facts is None or status not in (DRAFT, APPROVED):
        return False
    before = decode(stored_values)
    if not isinstance(before, dict):
        return False
    known = [k for k in doc_type.facts if k in before]
    return encode({k: before[k] for k in known}) == encode({k: values.get(k) for k in known})


def stale_draft(config: DocumentsConfig, doc_type: DocumentType, status: str, stored_values: str,
                values: dict[str, Any], templates: Path | None = None) -> bool:
    """A draft nobody has signed yet whose printed figures are no longer the record's.

    A type's ``facts`` say when a document already signed and sent is replaced (one
    payment reminder per tier, however the amount grows); a draft not yet signed was sent
    to nobody, so it is made again whenever what it prints changes (a corrected 欠费金额),
    and the manager never signs a figure the register no longer holds. Only what the
    template prints counts (``templates``: the folder holding it): a value the finding
    carries but the document never shows (a salesperson's network rate beside a fine
    notice) changes nothing on paper, and an identical draft under a new number would
    only void the first. Volatile counters (days overdue) are left out, as everywhere.
    """
    if status != DRAFT or doc_type.facts is None:
        return False  # without ``facts`` every printed value is a fact already
    volatile = set(config.volatile) | set(doc_type.volatile)
    before, now = _drop(decode(stored_values), volatile), _drop(values, volatile)
    if encode(before) == encode(now):
        return False
    shown = printed_names(doc_type, templates) if templates is not None else None
    if shown is None:
        return True
    return encode({k: before.get(k) for k in shown}) != encode({k: now.get(k) for k in shown})


def printed_names(doc_type: DocumentType, templates: Path) -> set[str] | None:
    """The value names the type's templates (its variants' too) refer to; None when a
    template reads the values as a whole (``values``) or cannot be read: then every value
    counts."""
    from .render import DocumentError, compile_template

    names: set[str] = set()
    for name in {doc_type.template, *(v.template for v in doc_type.variants if v.template)}:
        try:
            names |= compile_template(templates / name).variables
        except DocumentError:
            return None
    return None if "values" in names else names


def _drop(value: Any, keys: set[str]) -> Any:
    if isinstance(value, dict):
        return {k: _drop(v, keys) for k, v in value.items() if k not in keys}
    if isinstance(value, list | tuple):
        return [_drop(v, keys) for v in value]
    return value


def issue_documents(
    ws: Workspace,
    ledger,
    findings: list[Finding],
    now: datetime,
    conn: Connection | None = None,
    *,
    flush: bool = True,
) -> list[Path]:
    """Write a draft for every finding that needs a new document; returns the files written.

    ``conn``: an open write transaction to take numbers in. Without it (the normal case,
    called after the pipeline's commit) each number is committed on its own before its
    file is written. With it, the caller's commit must follow before anyone else can
    see the drafts; a file already carrying a number is never overwritten either way.
    ``flush``: write the PDFs and the dispatch register now (the outbox worker, which
    calls this itself, passes False and takes them next).
    """
    config = documents_config(ws)
    ensure_tables(ledger.engine)
    written: list[Path] = []
    for finding in findings:
        if not finding.notice:
            continue
        for doc_type in types_for(config, finding):
            path = _issue_one(
                ws,
                ledger,
                config,
                doc_type,
                finding.register,
                finding.record,
                finding.values,
                now,
                conn,
            )
            if path is not None:
                written.append(path)
    if written and flush and conn is None:
        _flush(ws, ledger)
    return written


def _flush(ws: Workspace, ledger) -> None:
    outbox.drain(ws, ledger, kinds=(intents.PDF, intents.REGISTER))


def issue_statement(
    ws: Workspace, ledger, room: str, month: str | date, records: list[Record | dict], now: datetime
) -> Path | None:
    """The monthly special-service statement (特约服务月结单) for one 房号; None if nothing to bill.

    ``month`` is ``"2026-09"`` or any date in the month; ``records`` are that unit's
    special_service records (Record objects or their values). Categories paid on the
    spot (``statement_excluded_categories``, 打字复印类) are left out.
    """
    config = documents_config(ws)
    doc_type = next((t for t in config.documents if t.type == "service_statement"), None)
    if doc_type is None:
        return None
    ensure_tables(ledger.engine)
    month_text = f"{month.year}-{month.month:02d}" if isinstance(month, date) else str(month)
    services = []
    customer = ""
    for rec in records:
        v = rec.values if isinstance(rec, Record) else rec
        if v.get("类别") in config.statement_excluded_categories:
            continue
        qty = v.get("数量") or 1
        price = v.get("单价")
        amount = v.get("金额")
        if amount is None and price is not None:
            amount = Decimal(price) * Decimal(qty)
        customer = customer or (v.get("客户") or "")
        services.append(
            {
                "单号": v.get("单号"),
                "日期": v.get("完成时间") or v.get("受理时间"),
                "服务项目": v.get("服务项目"),
                "类别": v.get("类别"),
                "数量": qty,
                "单价": price,
                "金额": amount,
            }
        )
    if not services:
        return None
    services.sort(key=lambda s: (str(s["日期"] or ""), str(s["单号"] or "")))
    total = sum((Decimal(s["金额"] or 0) for s in services), Decimal("0.00"))
    values = {
        "房号": room,
        "客户": customer,
        "month": month_text,
        "services": services,
        "total": total,
    }
    path = _issue_one(
        ws, ledger, config, doc_type, "special_service", f"{room}@{month_text}", values, now, None
    )
    if path is not None:
        _flush(ws, ledger)
    return path


def issue_document(
    ws: Workspace, ledger, doc_type_name: str, register: str, record: str, values: dict[str, Any], now: datetime
) -> Path | None:
    """A document a report issues (not a finding's): numbered once per set of facts, a new
    set superseding the last (the 收费标准公示 of a revised price list). None: unchanged,
    or the type is not configured."""
    config = documents_config(ws)
    doc_type = config.by_type(doc_type_name)
    if doc_type is None:
        return None
    ensure_tables(ledger.engine)
    path = _issue_one(ws, ledger, config, doc_type, register, record, values, now, None)
    if path is not None:
        _flush(ws, ledger)
    return path


def _issue_one(
    ws: Workspace,
    ledger,
    config: DocumentsConfig,
    doc_type: DocumentType,
    register: str,
    record: str,
    values: dict[str, Any],
    now: datetime,
    conn: Connection | None,
) -> Path | None:
    missing = doc_type.missing(values)
    if missing:  # no number for a document that would print a blank figure
        log.warning("《%s》（%s）暂不起草：缺少%s", doc_type.title, record, "、".join(missing))
        return None
    digest = facts_hash(config, doc_type, values)
    site = ws.site
    number_prefix = site.number_prefix or config.company
    names = {
        **values,
        "record": record,
        "manager_title": config.manager_title,
        "company": config.company,
        "site_name": site.name,
    }

    def claim(c: Connection) -> dict[str, Any] | None:
        history = c.execute(
            select(documents)
            .where(
                documents.c.site == ledger.site,
                documents.c.doc_type == doc_type.type,
                documents.c.register == register,
                documents.c.record == record,
            )
            .order_by(documents.c.id.desc())
        ).all()
        pending = next((r for r in history if r.status == PENDING), None)
        if pending is not None and pending.facts_hash == digest:
            return dict(pending._mapping)  # a crash left it unwritten: finish it, same number
        if pending is not None:
            c.execute(update(documents).where(documents.c.id == pending.id).values(status=VOID))
        latest = next((r for r in history if r.status != PENDING), None)
        if latest is not None and _restorable(config, doc_type, latest, digest, values, ws.templates):
            return _restore(c, ledger.site, latest, digest, now)
        if values.get(RESTORE_ONLY):
            return None  # an event already past: nothing drafted anew for it
        if latest is not None and latest.facts_hash.startswith(intents.SETTLED):
            latest = None  # a signed demand since met: the new one is a document of its own
        if latest is not None and same_facts(
                config, doc_type, latest.status, latest.facts_hash, latest.values_json, values) \
                and not stale_draft(config, doc_type, latest.status, latest.values_json, values, ws.templates):
            return None
        sent = 0
        if any(v.sent_before for v in doc_type.variants):
            sent = len(earlier_sent(c, ledger.site, doc_type.type, register, record, values))
        if latest is not None and latest.status == DRAFT and doc_type.amend_draft and latest.year == now.year:
            return _amend(c, doc_type, latest, digest, values, names, sent, now)
        # A draft rewritten in a later year is dated then, so it takes that year's number
        # (a 〔2026〕 number dated 2027 would be out of both years' sequences): the old
        # draft is voided as superseded, below, like any document replaced.
        chosen = doc_type.pick(values, sent)
        while True:
            seq = next_seq(c, ledger.site, doc_type.type, now.year)
            number = config.number(doc_type, now.year, seq, prefix=number_prefix)
            # Only a caller's transaction can roll a number back after its file was written.
            if conn is None or not _number_on_disk(ws, number):
                break
            log.warning("文号 %s 已有文件（上次未提交的编号），跳过该号", number)
        row = {
            "site": ledger.site,
            "number": number,
            "doc_type": doc_type.type,
            "year": now.year,
            "seq": seq,
            "register": register,
            "record": record,
            "facts_hash": digest,
            "values_json": encode(values),
            "title": chosen["title"],
            "recipient": recipient_text(chosen["recipient"], names) or "—",
            "department": chosen["department"] or config.department,
            "template": chosen["template"],
            "status": PENDING,
            "file_name": None,
            "issued_on": now.date(),
            "created_at": now,
            "supersedes": latest.number if latest is not None else None,
        }
        row["id"] = c.execute(insert(documents).values(**row)).inserted_primary_key[0]
        return row

    if conn is not None:
        doc = claim(conn)
    else:
        with ledger.transaction() as c:
            doc = claim(c)
    if doc is None:
        return None
    if doc.get("restored"):
        # Moved after the commit, as a manager's restore is (reconcile_files repairs a crash).
        target = folder_for(ws, DRAFT) / doc["file_name"]
        pdf.move_with_pdf(folder_for(ws, VOID) / doc["file_name"], target)
        log.info("文书恢复为草稿：%s %s（%s）", doc["number"], doc["title"], record)
        return target
    crash.point("after_number")
    return _write(ws, ledger, config, doc_type, doc, register, record, values, now, conn)


def _restorable(config: DocumentsConfig, doc_type: DocumentType, latest: Any, digest: str,
                values: dict[str, Any], templates: Path | None) -> bool:
    """Whether the latest document is a draft voided with its record (a 作废 mark since
    cleared, ``intents.RETIRED``) of a ``restore_with_record`` type for exactly these facts, printing what it would print
    now: it comes back under its own number instead of a new draft being made."""
    return (doc_type.restore_with_record and latest.status == VOID and bool(latest.file_name)
            and latest.facts_hash == (intents.RETIRED + digest)[:64]
            and not stale_draft(config, doc_type, DRAFT, latest.values_json, values, templates))


def _restore(c: Connection, site: str, latest: Any, digest: str, now: datetime) -> dict[str, Any]:
    """The voided draft a draft again, its facts its own (the caller moves its file)."""
    c.execute(update(documents).where(documents.c.id == latest.id).values(status=DRAFT, facts_hash=digest))
    intents.request_register(c, site, now)  # the register shows it 草稿 again
    return {**dict(latest._mapping), "status": DRAFT, "facts_hash": digest, "restored": True}


def _amend(c: Connection, doc_type: DocumentType, latest: Any, digest: str, values: dict[str, Any],
           names: dict[str, Any], sent: int, now: datetime) -> dict[str, Any]:
    """An unsigned draft of an ``amend_draft`` type takes the new values under its own
    number: marked 生成中 again (a crash finishes it, as any number taken), rewritten by
    ``_write``, the file it replaces removed there. It is dated the day it is rewritten,
    as what it prints holds then (arrears 截至 that day); a variant chosen by the
    documents sent before stays chosen (a second reminder stays 第二次)."""
    chosen = doc_type.pick(values, sent)
    changes = {"facts_hash": digest, "values_json": encode(values), "title": chosen["title"],
               "recipient": recipient_text(chosen["recipient"], names) or "—", "template": chosen["template"],
               "status": PENDING, "issued_on": now.date()}
    c.execute(update(documents).where(documents.c.id == latest.id).values(**changes))
    return {**dict(latest._mapping), **changes, "amended": latest.file_name}


def _write(
    ws: Workspace,
    ledger,
    config: DocumentsConfig,
    doc_type: DocumentType,
    doc: dict[str, Any],
    register: str,
    record: str,
    values: dict[str, Any],
    now: datetime,
    conn: Connection | None,
) -> Path:
    """Write the document of a number already taken, then mark it 草稿."""
    stem = f"{doc['number']}_{doc['title']}_{record}"
    target = path_inside(ws.drafts, stem, ".docx")
    cited = doc_type.earlier_type or doc_type.type
    if conn is not None:
        before = document_history(conn, ledger.site, cited, register, record, values, doc["supersedes"])
    else:
        with ledger.engine.connect() as c:
            before = document_history(c, ledger.site, cited, register, record, values, doc["supersedes"])
    context = document_context(
        config,
        number=doc["number"],
        title=doc["title"],
        recipient=doc["recipient"],
        department=doc["department"],
        issue_date=doc["issued_on"],
        record=record,
        register=register,
        values=values,
        full_personal_data=doc_type.full_personal_data,
        **before,
        site=ws.site.name,
        supersedes=doc["supersedes"],
    )
    blob = render_docx(ws.templates / doc["template"], context)
    atomic.write_bytes(target, blob)
    if doc.get("amended") and doc["amended"] != target.name:  # its title changed: one file per number
        pdf.move_with_pdf(folder_for(ws, DRAFT) / doc["amended"], folder_for(ws, VOID) / doc["amended"])

    def finish(c: Connection) -> None:
        c.execute(
            update(documents)
            .where(documents.c.id == doc["id"])
            .values(status=DRAFT, file_name=target.name)
        )
        if doc["supersedes"]:
            old = c.execute(
                select(documents).where(
                    documents.c.site == ledger.site, documents.c.number == doc["supersedes"]
                )
            ).first()
            if old is not None:
                c.execute(
                    update(documents)
                    .where(documents.c.id == old.id)
                    .values(
                        superseded_by=doc["number"],
                        status=VOID if old.status == DRAFT else old.status,
                    )
                )
                if old.status == DRAFT and old.file_name:
                    pdf.move_with_pdf(
                        folder_for(ws, DRAFT) / old.file_name, folder_for(ws, VOID) / old.file_name
                    )
        intents.enqueue_written(c, ledger.site, doc["number"], now, again=bool(doc.get("amended")))

    if conn is not None:
        finish(conn)
    else:
        with ledger.transaction() as c:
            finish(c)
    log.info("文书草稿：%s %s（%s）", doc["number"], doc["title"], record)
    return target


def finish_pending(ws: Workspace, ledger, number: str) -> Path | None:
    """Write the document of a number left 生成中, or void it if its type is gone."""
    ensure_tables(ledger.engine)
    with ledger.engine.connect() as c:
        row = c.execute(select(documents).where(
            documents.c.site == ledger.site, documents.c.number == number)).first()
    if row is None or row.status != PENDING:
        return None
    config = documents_config(ws)
    doc_type = next((t for t in config.documents if t.type == row.doc_type), None)
    if doc_type is None:
        with ledger.transaction() as c:
            c.execute(update(documents).where(documents.c.id == row.id).values(status=VOID))
            intents.request_register(c, ledger.site, row.created_at)
        log.warning("文号 %s 的文书类型已不在 documents.yaml 中，作废该号", number)
        return None
    doc = dict(row._mapping)
    return _write(ws, ledger, config, doc_type, doc, row.register, row.record,
                  decode(row.values_json), row.created_at, None)


def void_unwritten(ws: Workspace, ledger, finding: Finding) -> list[str]:
    """Void the numbers a crash left unwritten for a finding that has since closed."""
    config = documents_config(ws)
    ensure_tables(ledger.engine)
    voided: list[str] = []
    with ledger.transaction() as c:
        for doc_type in types_for(config, finding):
            digest = facts_hash(config, doc_type, finding.values)
            voided += intents.void_pending_numbers(c, ledger.site, doc_type.type, finding.register,
                                                   finding.record, digest)
        if voided:
            intents.request_register(c, ledger.site, local_now())
    for number in voided:
        log.info("文号 %s 作废：提示已解除，文书未写出", number)
    return voided


def _number_on_disk(ws: Workspace, number: str) -> bool:
    """A file already named with this number (its allocation was rolled back)."""
    from ..filenames import safe_stem

    prefix = safe_stem(number) + "_"
    for folder in (ws.drafts, ws.approved, ws.drafts / VOID_FOLDER):
        if folder.is_dir() and any(p.name.startswith(prefix) for p in folder.iterdir()):
            return True
    return False


__all__ = [
    "issue_documents",
    "issue_statement",
    "issue_document",
    "types_for",
    "facts_hash",
    "documents_config",
    "APPROVED",
    "DRAFT",
    "VOID",
]


def render_docx(path: Path, context: dict[str, Any]) -> bytes:
    """``render.render_docx``, loaded when a document is written: docxtpl, Jinja and lxml
    are not imported by a process that issues none."""
    from .render import render_docx as render

    return render(path, context)
