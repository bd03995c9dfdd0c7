"""The dispatch register (发文登记): every document number, its state and its approval.

The ledger's ``documents`` table is the truth; ``outbox/发文登记.xlsx`` is rewritten
from it (atomically) after every change. The project manager signs documents off by
filling 签发人 (and 签发日期) and saving the workbook into ``inbox/``; the pipeline
reads it as the ``dispatch`` register and calls :func:`apply_approvals`, which marks
the documents approved and moves them from the drafts folder to the approved one.
Only an approved document counts as sent.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from .. import atomic
from ..workspace import Workspace
from . import pdf
from .formatting import clean_text
from .tables import APPROVED, DRAFT, PENDING, VOID, documents, ensure_tables

log = logging.getLogger("toolkit")

REGISTER_FILE = "发文登记.xlsx"
DISPATCH_REGISTER = "dispatch"  # the register the manager's copy is read as
VOID_FOLDER = "已作废"
# (header, width); the headers are declared in rules/registers/dispatch.yaml too.
# 文号 stays the second column: the manager's copy is matched on it.
COLUMNS = [
    ("发文日期", 12),
    ("文号", 24),
    ("文书标题", 20),
    ("内容摘要", 30),
    ("收文对象", 24),
    ("发文方式", 8),
    ("登记记录", 26),
    ("发文部门", 14),
    ("文书状态", 10),
    ("签发人", 10),
    ("签发日期", 12),
    ("有效期至", 12),
    ("撤下日期", 12),
    ("签收人", 10),
    ("签收日期", 12),
    ("替代文号", 24),
    ("文件名", 32),
]
DATE_COLUMNS = ("发文日期", "签发日期", "有效期至", "撤下日期", "签收日期")
# Filled by staff in their copy and kept from it when the register is rewritten (the
# ledger's dispatch records); 内容摘要 and 有效期至 start from the document type's.
STAFF_COLUMNS = ("内容摘要", "有效期至", "撤下日期", "签收人", "签收日期")


def register_path(ws: Workspace) -> Path:
    return ws.outbox / REGISTER_FILE


def folder_for(ws: Workspace, status: str) -> Path:
    if status == APPROVED:
        return ws.approved
    if status == VOID:
        return ws.drafts / VOID_FOLDER
    return ws.drafts


def _register_titles(ws: Workspace) -> dict[str, str]:
    try:
        from ..registers import load_registers

        return {name: spec.title for name, spec in load_registers(ws.rules).items()}
    except Exception:  # the register still lists its rows with the register's id
        return {}


def write_register(ws: Workspace, ledger, *, strict: bool = False) -> Path | None:
    """Rewrite outbox/发文登记.xlsx from the ledger; a locked file is a warning only
    (``strict``: raised, for the outbox worker to try again)."""
    ensure_tables(ledger.engine)
    reconcile_files(ws, ledger)  # drafts voided in a file's transaction move to 已作废 here
    with ledger.engine.connect() as conn:
        rows = conn.execute(
            select(documents)
            .where(documents.c.site == ledger.site, documents.c.status != PENDING)
            .order_by(documents.c.id)
        ).all()
        kinds = _document_types(ws)
        changed = _cause_gone(conn, ledger.site, [r for r in rows if r.status == DRAFT], kinds)
        restorable = _restorable_any(conn, ledger.site, rows, kinds)
    titles = _register_titles(ws)
    staff = _staff_values(ledger)
    by_number = {r.number: r for r in rows}
    again = [r.number for r in rows if r.status == DRAFT and _replaces_signed(r, by_number)]
    heading = (f"{_site_label(ws)}发文登记（请{_manager_title(ws)}在“签发人”“签发日期”两列签批后，"
               f"将本表保存到 inbox 文件夹）")
    if again:
        heading += f"　其中 {len(again)} 份替代已签发的文书，需重新签发：{'、'.join(again)}"
    if restorable:
        heading += "　误作废的草稿，把“文书状态”改回“草稿”并保存即以原文号恢复"
    if changed:
        heading += (f"　其中 {len(changed)} 份草稿所依据的登记情况已经改变（如已办结、已签订、已更正），"
                    f"签发前请核对，不再需要的把“文书状态”改为“已作废”：{'、'.join(changed)}")
    # openpyxl is loaded here, when a register is written: a file with no document to
    # issue never needs it (its import is a sizeable part of a small file's cost).
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    sheet = wb.active
    sheet.title = "发文登记"
    sheet.append([heading])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([h for h, _ in COLUMNS])
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    for i, (_, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=2, column=i)
        cell.font = Font(bold=True)
        cell.fill = head_fill
        cell.alignment = Alignment(horizontal="center")
        sheet.column_dimensions[cell.column_letter].width = width
    for r in rows:
        mine = staff.get(r.number, {})
        summary, delivery, valid = _typed(kinds.get(r.doc_type), r)
        shown = {
            "发文日期": r.issued_on,
            "文号": r.number,
            "文书标题": r.title,
            "内容摘要": mine.get("内容摘要") or summary,
            "收文对象": r.recipient,
            "发文方式": delivery,
            "登记记录": f"{titles.get(r.register, r.register)} {r.record}",
            "发文部门": r.department,
            "文书状态": r.status,
            "签发人": r.approved_by or None,
            "签发日期": r.approved_on,
            "有效期至": mine.get("有效期至") or valid,
            "撤下日期": mine.get("撤下日期"),
            "签收人": mine.get("签收人"),
            "签收日期": mine.get("签收日期"),
            "替代文号": _supersedes_text(r, by_number),
            "文件名": r.file_name,
        }
        sheet.append([_cell(shown[h]) for h, _ in COLUMNS])
    headers = [h for h, _ in COLUMNS]
    for name in DATE_COLUMNS:
        col = headers.index(name) + 1
        for (cell,) in sheet.iter_rows(min_row=3, min_col=col, max_col=col):
            cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "C3"
    _print_on_one_width(sheet)
    status_col = sheet.cell(row=2, column=headers.index("文书状态") + 1).column_letter
    choice = DataValidation(type="list", formula1='"草稿,已审批,已作废"', allow_blank=True)
    choice.add(f"{status_col}3:{status_col}{max(3, sheet.max_row + 200)}")
    sheet.add_data_validation(choice)
    target = register_path(ws)
    try:
        atomic.write_with(target, wb.save)
    except OSError as exc:  # e.g. open in Excel on Windows; the ledger stays the truth
        if strict:
            raise
        log.warning("发文登记未能更新（%s）：%s，下次变动时重写", target.name, exc)
        return None
    return target


def _manager_title(ws: Workspace) -> str:
    try:
        from .issue import documents_config

        return documents_config(ws).manager_title
    except Exception:  # a broken documents.yaml is reported elsewhere
        return "负责人"


def _cause_gone(conn: Any, site: str, drafts: list[Any], kinds: dict[str, Any]) -> list[str]:
    """The numbers of drafts whose finding is no longer open (resolved, or its record
    corrected away) for a reason other than its moment passing (:func:`_lapsed`):
    signing one would send what the register no longer says."""
    from ..ruleset.store import rule_findings as t

    wanted = [(r, kinds[r.doc_type].trigger) for r in drafts
              if r.doc_type in kinds and kinds[r.doc_type].trigger != "monthly"]
    if not wanted:
        return []
    # An open finding of the type's trigger rule, or one naming the type as its notice
    # (several rules draft a 取消资格通知书), keeps a draft standing.
    open_ones: set[tuple[str, str, str]] = set()
    for register in {r.register for r, _ in wanted}:
        records = sorted({r.record for r, _ in wanted if r.register == register})
        for i in range(0, len(records), 500):
            for x in conn.execute(select(t.c.rule, t.c.notice, t.c.record).where(
                    t.c.site == site, t.c.register == register, t.c.record.in_(records[i:i + 500]),
                    t.c.is_open.is_(True))):
                open_ones |= {(x.rule, register, x.record), (f"notice:{x.notice}", register, x.record)}
    gone = [(r, rule) for r, rule in wanted if (rule, r.register, r.record) not in open_ones
            and (f"notice:{r.doc_type}", r.register, r.record) not in open_ones]
    linked: dict[tuple[str, str], dict[str, list[dict[str, Any]]]] = {}  # read once a register
    return [r.number for r, rule in gone
            if not _lapsed(conn, site, r, rule, kinds[r.doc_type].lapses_with, linked)]


def _lapsed(conn: Any, site: str, draft: Any, rule: str, moments: list[Any],
            linked: dict[tuple[str, str], dict[str, list[dict[str, Any]]]] | None = None) -> bool:
    """Whether the draft's finding closed by design: the record now holds one of the
    type's ``lapses_with`` moments (the visit's time, the delivery) no later than the
    finding closed, or a linked record does (``LinkedMoment``: the service visit a reminder
    asked for). A booking cancelled before its day, an order corrected to 未进厂, a
    reminder whose due date was cleared, has none: its record changed, and the signer is
    asked to check the draft."""
    if not moments:
        return False
    from ..codec import decode
    from ..ledger import records
    from ..ruleset.store import rule_findings as t
    from ..ruleset.timing import as_dt

    found = conn.execute(select(t.c.resolved_at, t.c.values_json).where(
        t.c.site == site, t.c.rule == rule, t.c.register == draft.register, t.c.record == draft.record,
        t.c.is_open.is_(False))).first()
    text = conn.execute(select(records.c.values_json).where(
        records.c.site == site, records.c.register == draft.register, records.c.key == draft.record)).scalar()
    if found is None or found.resolved_at is None:
        return False
    # A record of the rule's own making, in no register (a month's notice per person,
    # 姓名@YYYY-MM): its moments are the values its finding last held.
    closed, values = found.resolved_at, decode(text if text is not None else found.values_json)
    own = [m for m in moments if isinstance(m, str)]
    if any(m is not None and m <= closed for m in (as_dt(values.get(name)) for name in own)):
        return True
    others = [m for m in moments if not isinstance(m, str)]
    judged = decode(found.values_json) if others else {}
    return any(_linked_lapse(conn, site, draft.record, m, closed, judged, {} if linked is None else linked)
               for m in others)


def _linked_lapse(conn: Any, site: str, key: str, m: Any, closed: Any, judged: dict[str, Any],
                  linked: dict[tuple[str, str], dict[str, list[dict[str, Any]]]]) -> bool:
    """Whether a record of ``m.source`` for this key holds the moment (see ``LinkedMoment``).
    Asked only for drafts whose finding closed; the register is read once for all of them."""
    from ..codec import decode
    from ..ledger import records
    from ..ruleset.timing import as_date, as_dt

    since = as_date(judged.get(m.after)) if m.after else None
    if m.after and since is None:
        return False
    by_key = linked.get((m.source, m.match))
    if by_key is None:
        by_key = linked[(m.source, m.match)] = {}
        for (text,) in conn.execute(select(records.c.values_json).where(
                records.c.site == site, records.c.register == m.source)):
            v = decode(text)
            if v.get(m.match) is not None:
                by_key.setdefault(str(v[m.match]), []).append(v)
    for v in by_key.get(key, ()):
        if m.column and v.get(m.column) not in m.among:
            continue
        at = as_dt(v.get(m.at))
        if at is not None and at <= closed and (since is None or at.date() > since):
            return True
    return False


def _document_types(ws: Workspace) -> dict[str, Any]:
    try:
        from .issue import documents_config

        return {d.type: d for d in documents_config(ws).documents}
    except Exception:  # the register still lists its rows without the types' defaults
        return {}


def _staff_values(ledger) -> dict[str, dict[str, Any]]:
    """What staff wrote in their copy of the register (签收, 撤下, 有效期至), by 文号."""
    try:
        return {r["key"]: r["values"] for r in ledger.records(DISPATCH_REGISTER)}
    except Exception:  # an old ledger without the records table: nothing kept yet
        return {}


def _typed(kind: Any, r: Any) -> tuple[str | None, str | None, date | None]:
    """内容摘要, 发文方式 and 有效期至 as the document type says, from the document's values."""
    if kind is None:
        return None, None, None
    from ..codec import decode
    from .settings import fill_text

    values = decode(r.values_json) if r.values_json else {}
    delivery = kind.pick(values)["delivery"]
    summary = fill_text(kind.summary, {**values, "record": r.record}) if kind.summary else None
    valid = None
    if delivery == "张贴":
        if kind.valid_until:
            got = values.get(kind.valid_until)
            valid = got.date() if isinstance(got, datetime) else got if isinstance(got, date) else None
        elif kind.valid_days is not None:
            valid = r.issued_on + timedelta(days=kind.valid_days)
    return summary or None, delivery, valid


def _print_on_one_width(sheet: Any) -> None:
    """Landscape A4, every column on one page width, header repeated, long text wrapped:
    the manager signs a printout."""
    from openpyxl.styles import Alignment
    from openpyxl.worksheet.properties import PageSetupProperties

    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = "2:2"
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    wrap = Alignment(wrap_text=True, vertical="top")
    widths = [w for _, w in COLUMNS]
    for row in sheet.iter_rows(min_row=3):
        lines = 1
        for cell, width in zip(row, widths, strict=False):
            cell.alignment = wrap
            if isinstance(cell.value, str):
                shown = sum(2 if ord(ch) > 0x2E80 else 1 for ch in cell.value)
                lines = max(lines, -(-shown // max(width - 1, 1)))
        # Set, not left to the program: Excel does not grow a row for wrapped text on opening.
        sheet.row_dimensions[row[0].row].height = 15 * min(lines, 6)


def _replaces_signed(r: Any, by_number: dict[str, Any]) -> Any:
    old = by_number.get(r.supersedes) if r.supersedes else None
    return old if old is not None and old.status == APPROVED else None


def _supersedes_text(r: Any, by_number: dict[str, Any]) -> str | None:
    """替代文号, with the signature to be given again when the replaced one was signed."""
    if not r.supersedes:
        return None
    old = _replaces_signed(r, by_number)
    if old is None:
        return r.supersedes
    when = old.approved_on.isoformat() if old.approved_on else ""
    tail = "，本文书需重新签发" if r.status == DRAFT else ""
    return f"{r.supersedes}（已于 {when} 经{old.approved_by or ''}签发，原文书作废{tail}）"


def _site_label(ws: Workspace) -> str:
    site = ws.site
    return f"{site.name} " if site.configured else ""


def _cell(value: Any) -> Any:
    # staff text may hold control characters that openpyxl refuses
    return clean_text(value).replace("\n", " ") if isinstance(value, str) else value


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _as_date(value: Any, now: datetime) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return now.date()


def restore_blocker(doc: Any, subject_docs: list[Any]) -> str | None:
    """Why a void document cannot come back as a draft under its number, or None if it can.

    Only a draft the manager voided by hand comes back (文书状态 set back to 草稿): one
    voided with its record (作废 row), on its matter's resolution or by a later number
    stays void — its draft would state what the ledger no longer holds, or be a second
    document of one matter. ``subject_docs``: the documents of its type and record."""
    from .intents import RETIRED, VOIDED_ON_RESOLUTION

    if doc.status != VOID:
        return None
    if doc.facts_hash.startswith(RETIRED):
        return "随登记表中作废的记录一并作废"
    if doc.facts_hash == VOIDED_ON_RESOLUTION:
        return "所催缴或要求的事项已经办结，随之作废"
    later = next((d.number for d in subject_docs if d.id > doc.id and d.status in (PENDING, DRAFT, APPROVED)),
                 doc.superseded_by)
    if later:
        return f"同一事项已另发 {later}"
    if not doc.file_name:
        return "文书未曾写出"
    return None


def restore_blocker_now(conn: Any, site: str, doc: Any, kinds: dict[str, Any]) -> str | None:
    """``restore_blocker`` against the ledger, and the matter itself: a draft whose
    finding has closed since it was voided (the bill paid meanwhile) stays void too."""
    subject = conn.execute(select(documents).where(
        documents.c.site == site, documents.c.doc_type == doc.doc_type, documents.c.register == doc.register,
        documents.c.record == doc.record).order_by(documents.c.id)).all()
    blocker = restore_blocker(doc, subject)
    if blocker is None and doc.status == VOID and _cause_gone(conn, site, [doc], kinds):
        return "所依据的事项已经办结或不再成立"
    return blocker


def _restorable_any(conn: Any, site: str, rows: list[Any], kinds: dict[str, Any]) -> bool:
    """Whether any void document listed could be set back to 草稿 (the heading says how):
    as ``restore_blocker_now`` judges, its matter still open too."""
    subjects: dict[tuple[str, str, str], list[Any]] = {}
    for r in rows:
        subjects.setdefault((r.doc_type, r.register, r.record), []).append(r)
    candidates = [r for r in rows
                  if r.status == VOID and restore_blocker(r, subjects[(r.doc_type, r.register, r.record)]) is None]
    if not candidates:
        return False
    return len(_cause_gone(conn, site, candidates, kinds)) < len(candidates)


def apply_approvals(ws: Workspace, ledger, rows: list[dict], now: datetime) -> list[str]:
    """Approve (or void) drafts as the manager marked them; returns the numbers approved.

    A row approves its draft when 签发人 (or 审批人) is filled; a row whose 文书状态 the
    manager set to 已作废 voids its draft, and one set back to 草稿 restores a draft the
    manager voided (same number, its file back among the drafts; ``restore_blocker``).
    Rows for documents already approved or void, or for unknown numbers, change nothing.
    """
    ensure_tables(ledger.engine)
    reconcile_files(ws, ledger)
    kinds = _document_types(ws)
    approved: list[str] = []
    changed = False
    for row in rows:
        number = _text(row.get("文号"))
        signer = _text(row.get("签发人") or row.get("审批人"))
        wanted = _text(row.get("文书状态") or row.get("状态"))
        if not number:
            continue
        with ledger.transaction() as conn:
            doc = conn.execute(
                select(documents).where(documents.c.site == ledger.site, documents.c.number == number)
            ).first()
            if doc is None:
                continue
            restored = (doc.status == VOID and wanted == DRAFT
                        and restore_blocker_now(conn, ledger.site, doc, kinds) is None)
            if restored:
                conn.execute(update(documents).where(documents.c.id == doc.id).values(status=DRAFT))
                log.info("文书恢复为草稿：%s", number)
            elif doc.status != DRAFT:
                continue
            status = DRAFT
            if signer:
                on = _as_date(row.get("签发日期") or row.get("审批日期"), now)
                conn.execute(
                    update(documents)
                    .where(documents.c.id == doc.id)
                    .values(status=APPROVED, approved_by=signer, approved_on=on)
                )
                status = APPROVED
            elif wanted == VOID:
                conn.execute(update(documents).where(documents.c.id == doc.id).values(status=VOID))
                status = VOID
            elif not restored:
                continue
        # Moved after the commit: a crash in between leaves the file where it was, and
        # reconcile_files() (run on every call) puts it where its state says.
        if restored:
            _move(ws, doc.file_name, VOID, DRAFT)
        if status != DRAFT:
            _move(ws, doc.file_name, DRAFT, status)
        changed = True
        if status == APPROVED:
            approved.append(number)
            log.info("文书已签发：%s（%s）", number, signer)
    # Rewritten too when only 签收/撤下 were filled: the register shows what staff wrote.
    if changed or any(_text(row.get(c)) for row in rows for c in STAFF_COLUMNS):
        from .intents import REGISTER, request_register

        with ledger.transaction() as conn:
            request_register(conn, ledger.site, now)
        from .. import outbox

        outbox.drain(ws, ledger, kinds=(REGISTER,))
    return approved


def _move(ws: Workspace, file_name: str | None, old: str, new: str) -> None:
    if not file_name:
        return
    pdf.move_with_pdf(folder_for(ws, old) / file_name, folder_for(ws, new) / file_name)


def reconcile_files(ws: Workspace, ledger) -> None:
    """Put each document's files in the folder its state says (repairs an interrupted move)."""
    folders = {DRAFT: ws.drafts, APPROVED: ws.approved, VOID: ws.drafts / VOID_FOLDER}
    for doc in document_rows(ledger):
        if not doc["file_name"] or doc["status"] not in folders:
            continue
        target = folders[doc["status"]] / doc["file_name"]
        if target.exists():
            continue
        for status, folder in folders.items():
            if status != doc["status"] and (folder / doc["file_name"]).exists():
                pdf.move_with_pdf(folder / doc["file_name"], target)
                break


def sent_documents(ledger) -> list[dict[str, Any]]:
    """Approved documents only: a draft is never counted as sent."""
    ensure_tables(ledger.engine)
    with ledger.engine.connect() as conn:
        rows = conn.execute(
            select(documents)
            .where(documents.c.site == ledger.site, documents.c.status == APPROVED)
            .order_by(documents.c.id)
        ).all()
    return [dict(r._mapping) for r in rows]


def document_rows(ledger) -> list[dict[str, Any]]:
    """Every document row (all states), oldest first."""
    ensure_tables(ledger.engine)
    with ledger.engine.connect() as conn:
        rows = conn.execute(
            select(documents).where(documents.c.site == ledger.site).order_by(documents.c.id)
        ).all()
    return [dict(r._mapping) for r in rows]
