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
    left as signed on 01-01; the report, still unsigned, is rewritten with January (5 months,
    1,680.00 元), dated 2027-01-01: under the first number of 2027, its 2026 draft voided."""
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
    reports = _docs(ctx, "arrears_report")  # rewritten in 2027: a number of 2027, the 2026 one voided
    assert reports[report]["status"] == "已作废"
    number = reports[report]["superseded_by"]
    rep = reports[number]
    assert "〔2027〕欠字第001号" in number and rep["status"] == "草稿"
    text = _text(ctx.ws.drafts / rep["file_name"])
    assert "1,680.00" in text and "1,344.00" not in text and "截至2027年1月1日已逾期123天" in text
    assert f"经书面催缴（2026年12月2日（{notice}））仍未缴纳" in text  # the reminder signed since


# --- 2. the daily list names who acts on a renovation's violation and patrols ---------------------

RENO = ["编号", "房号", "业主", "装修公司", "申请日期", "建筑面积", "消防审批", "审批日期", "装修押金", "开工日期",
        "竣工验收日期", "应扣水电费", "公共设施损坏赔偿"]
VIOLATION = ["编号", "房号", "日期", "违章内容", "严重程度", "违约金", "整改期限", "整改完成日期"]
PATROL = ["日期", "装修编号", "房号", "巡查部门", "巡查人", "发现违章", "记录"]


def test_the_daily_list_names_who_acts_on_renovation_rows(ctx, home: Path):
    from toolkit.reports import build_report, parse_day

    days = [date(2026, 11, d) for d in (17, 18, 19, 20, 23)]
    people = {"客户服务中心": "陈晨", "工程部": "李强", "保安部": "赵刚"}
    patrols = [[d, "ZX-501", "5-101", dept, who, "无", None] for d in days for dept, who in people.items()
               if not (dept == "工程部" and d == days[-1]) and not (dept == "保安部" and d == days[-2])]
    book = write_xlsx(home / "inbox" / "装修登记.xlsx", {
        "装修": [RENO, ["ZX-501", "5-101", "王芳", "安居装饰", date(2026, 11, 10), 120, "否", date(2026, 11, 11),
                        3000, date(2026, 11, 16), None, None, None]],
        "违章": [VIOLATION, ["WZ-501", "5-101", date(2026, 11, 20), "拆改承重墙", "严重", 500, None, None]],
        "巡查": [PATROL, *patrols]})
    done = process_paths(ctx, [book], datetime(2026, 11, 23, 17, 0))
    assert all(f.status == "accepted" for f in done.files), [f.message for f in done.files]
    daily, _ = build_report(ctx, "daily_due", datetime(2026, 11, 24, 8, 30), parse_day("2026-11-24"))
    issues = daily.table("待处理问题")
    col = {c.title: i for i, c in enumerate(issues.columns)}
    who = {r[col["说明"]].split("：")[0]: (r[col["负责人"]], r[col["部门"]]) for r in issues.rows}
    # Days under way on the 7 days before (working days 11-17 … 11-23): 工程部 missed 11-23,
    # 保安部 11-20 — each named by who patrols the site for it.
    assert who["装修申请 ZX-501（5-101）施工期间各部门每日须巡查不少于 1 次，装修巡查记录中 2026-11-20 缺保安部；"
               "2026-11-23 缺工程部；请工程部、保安部补巡并登记"] == ("李强、赵刚", "工程部、保安部")
    assert who["装修 ZX-501（5-101）"] == ("客户助理", "客服中心")  # the entry check (seed 001 装修 11)
    due = daily.table("待办与逾期")
    col = {c.title: i for i, c in enumerate(due.columns)}
    (row,) = [r for r in due.rows if r[col["编号"]] == "WZ-501"]
    # Fri 11-20 + 3 days → 11-23 23:59, not rectified at 11-24 08:30.
    assert (row[col["事项"]], row[col["负责人"]], row[col["部门"]]) == ("违章整改", "工程部主管", "工程部")
