"""Defects QA found in the property pack (eleventh round): each test is one of them, real files."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import write_xlsx
from docx import Document

from toolkit.outbox import drain
from toolkit.pipeline import process_paths

# The ledger holds what is judged: both databases.
pytestmark = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)

FEES = ["房号", "业主", "联系电话", "建筑面积", "单价", "已缴至", "欠费金额"]


# --- 1. an unsigned demand states the arrears of the day it is signed ---------------------------


def _docs(ctx, doc_type: str) -> dict[str, dict]:
    from sqlalchemy import select

    from toolkit.documents.tables import documents

    with ctx.ledger.engine.connect() as c:
        rows = c.execute(select(documents).where(documents.c.site == ctx.ledger.site,
                                                 documents.c.doc_type == doc_type).order_by(documents.c.id)).all()
    return {r.number: dict(r._mapping) for r in rows}


def _file(ctx, row: dict) -> Path:
    from toolkit.documents.dispatch import folder_for

    return folder_for(ctx.ws, row["status"]) / row["file_name"]


def _text(path: Path) -> str:
    doc = Document(path)
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def _sign(ctx, home: Path, number: str, day: date) -> Path:
    """The manager signs ``number`` in 发文登记 and saves it into inbox/."""
    wb = openpyxl.load_workbook(ctx.ws.outbox / "发文登记.xlsx")
    sheet = wb.active
    header = [c.value for c in sheet[2]]
    for row in sheet.iter_rows(min_row=3):
        if row[1].value == number:
            row[header.index("签发人")].value = "刘经理"
            row[header.index("签发日期")].value = day
    path = home / "inbox" / "发文登记.xlsx"
    wb.save(path)
    return path


def test_an_unsigned_demand_is_rewritten_when_a_new_month_falls_due(ctx, home: Path):
    """5-201 (张伟, 120 m² × 2.80 元 = 336.00 元 a month) is paid to 08-31. Fri 11-20: 81 days
    overdue, September to November owed — 3 × 336 = 1,008.00 元, as the cashier typed: a
    催缴通知书 is drafted. Nobody signs it in November, and no file arrives: the sweep of
    12-01 00:00 finds December owed too (4 months, 1,344.00 元, 92 days → the manager's
    欠费情况报告 as well) and rewrites the unsigned notice under its own number, so the
    manager who signs it on 12-02 sends the owner today's figure. The signed notice is then
    left as signed on 01-01; the report, still unsigned, is rewritten under its own number
    with January (5 months, 1,680.00 元)."""
    from toolkit.ruleset.hook import sweep

    fees = write_xlsx(home / "inbox" / "物业费台账.xlsx", {"物业费": [
        FEES, ["5-201", "张伟", "13800138005", 120, 2.8, date(2026, 8, 31), 1008]]})
    done = process_paths(ctx, [fees], datetime(2026, 11, 20, 10, 0))
    assert all(f.status == "accepted" for f in done.files), [f.message for f in done.files]
    [(notice, row)] = _docs(ctx, "payment_reminder").items()
    first = _text(ctx.ws.drafts / row["file_name"])
    assert "1,008.00" in first and "截至2026年11月20日" in first

    sweep(ctx, datetime(2026, 11, 30, 23, 0), clock=False)  # still November: nothing moves
    drain(ctx.ws, ctx.ledger)
    assert _docs(ctx, "payment_reminder")[notice]["values_json"] == row["values_json"]

    sweep(ctx, datetime(2026, 12, 1, 0, 0), clock=False)  # December falls due
    drain(ctx.ws, ctx.ledger)
    [(number, row)] = _docs(ctx, "payment_reminder").items()
    assert number == notice and row["status"] == "草稿"
    text = _text(ctx.ws.drafts / row["file_name"])
    assert "欠缴4个月，金额共计1,344.00元" in text and "1,008.00" not in text and "截至2026年12月1日" in text
    assert len(list(ctx.ws.drafts.glob("*催缴通知书*.docx"))) == 1
    [(report, rep)] = _docs(ctx, "arrears_report").items()
    assert "欠字" in report and rep["status"] == "草稿"
    assert "1,344.00" in _text(ctx.ws.drafts / rep["file_name"])

    signed = _sign(ctx, home, notice, date(2026, 12, 2))
    assert process_paths(ctx, [signed], datetime(2026, 12, 2, 10, 0)).files[0].status == "accepted"
    signed_text = _text(_file(ctx, _docs(ctx, "payment_reminder")[notice]))
    assert "1,344.00" in signed_text and "截至2026年12月1日" in signed_text

    sweep(ctx, datetime(2027, 1, 1, 0, 0), clock=False)  # January falls due
    drain(ctx.ws, ctx.ledger)
    [(number, row)] = _docs(ctx, "payment_reminder").items()
    assert number == notice and row["status"] == "已审批"
    assert _text(_file(ctx, row)) == signed_text
    [(number, rep)] = _docs(ctx, "arrears_report").items()
    assert number == report and rep["status"] == "草稿"
    text = _text(ctx.ws.drafts / rep["file_name"])
    assert "1,680.00" in text and "1,344.00" not in text and "截至2027年1月1日已逾期123天" in text
    assert f"经书面催缴（2026年12月2日（{notice}））仍未缴纳" in text  # the reminder signed since
