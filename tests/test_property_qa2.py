"""Defects QA found in the property pack (second round): each test is one of them, real files."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
from conftest import write_xlsx

from toolkit.annotate import HEADER_ROW, ISSUES_TITLE
from toolkit.pipeline import process_paths
from toolkit.reports import build_report, parse_day, parse_month

NOW = datetime(2026, 12, 5, 10, 0)
MORNING = datetime(2026, 12, 6, 8, 30)


def _copy(outputs: list[str]) -> Path:
    return next(Path(p) for p in outputs if "问题批注" in p)


def test_temporary_parking_charge_off_the_tariff_is_an_action_on_the_daily_list(ctx, tmp_path: Path):
    # Tariff (SPEC §3.5): 2 h 2 元, each further started hour 1 元, 6 元 a day at most.
    # 川A99999 4 h: 2 + 2 × 1 = 4, paid 2 → 少收 2.00.
    # 川A00000 31 h: one full day 6 + 7 h (2 + 5 = 7, capped at 6) = 12, paid 10 → 少收 2.00.
    # 川A11111 1 h: 2, paid 2 → nothing.
    rows = [["车牌号", "入场时间", "出场时间", "实收金额"],
            ["川A99999", datetime(2026, 12, 4, 8, 0), datetime(2026, 12, 4, 12, 0), 2],
            ["川A00000", datetime(2026, 12, 3, 9, 0), datetime(2026, 12, 4, 16, 0), 10],
            ["川A11111", datetime(2026, 12, 4, 9, 0), datetime(2026, 12, 4, 10, 0), 2]]
    f = process_paths(ctx, [write_xlsx(tmp_path / "临时停车记录.xlsx", {"临停": rows})], NOW).files[0]
    assert f.status == "accepted", f.message
    wb = openpyxl.load_workbook(_copy(f.outputs))
    data = wb["临停"]
    # Marked on 实收金额 (column D) with both figures and who acts.
    assert "应收 4.00 元，实收 2.00 元，少收 2.00 元" in data["D2"].comment.text
    assert "应收 12.00 元，实收 10.00 元，少收 2.00 元" in data["D3"].comment.text
    assert "门岗当班收费员" in data["D2"].comment.text and data["D4"].comment is None
    issues = [r for r in wb[ISSUES_TITLE].iter_rows(min_row=HEADER_ROW + 1, values_only=True)]
    assert [(r[4], r[5]) for r in issues] == [("D2", "临时停车收费不符"), ("D3", "临时停车收费不符")]

    report, _ = build_report(ctx, "daily_due", MORNING, parse_day("2026-12-06"))
    todo = [r for r in report.table("须处理事项").rows if r[0] == "临时停车收费不符"]
    assert len(todo) == 2 and {r[5] for r in todo} == {"秩序部"}
    assert all("少收 2.00 元" in r[7] and "门岗当班收费员" in r[6] for r in todo)


RENO = ["编号", "房号", "业主", "装修公司", "申请日期", "建筑面积", "消防审批", "审批日期", "装修押金", "开工日期",
        "竣工验收日期", "应扣水电费", "公共设施损坏赔偿"]
VIOLATION = ["编号", "房号", "日期", "违章内容", "严重程度", "违约金", "整改期限", "整改完成日期"]


def test_deposit_refund_sheet_shows_the_damage_it_deducts(ctx, tmp_path: Path):
    # Accepted 2026-09-01 → refundable 3 months later, 2026-12-01.
    # 3,000 − 800 (WZ-101) − 120.50 utilities − 500 damage = 1,579.50.
    book = write_xlsx(tmp_path / "装修.xlsx", {
        "装修": [RENO, ["ZX-101", "5-101", "王芳", "安居装饰", datetime(2026, 6, 1), 120, "否", datetime(2026, 6, 2),
                        3000, datetime(2026, 6, 5), datetime(2026, 9, 1), 120.5, 500]],
        "违章": [VIOLATION, ["WZ-101", "5-101", datetime(2026, 7, 1), "破坏承重墙", "严重", 800,
                           datetime(2026, 7, 4), datetime(2026, 7, 3)]]})
    assert process_paths(ctx, [book], NOW).files[0].status == "accepted"
    report, _ = build_report(ctx, "monthly", datetime(2027, 1, 1, 8, 30), parse_month("2026-12"))
    table = report.table("押金退还")
    titles = [c.title for c in table.columns]
    row = dict(zip(titles, table.rows[0], strict=True))
    assert (row["押金"], row["违约金"], row["应扣水电费"], row["公共设施损坏赔偿"], row["应退金额"]) == (
        Decimal("3000.00"), Decimal("800.00"), Decimal("120.50"), Decimal("500.00"), Decimal("1579.50"))
    assert "− 公共设施损坏赔偿" in table.note


def test_rectification_done_closes_the_deadline_and_needs_no_notice(ctx, tmp_path: Path):
    # 整改期限 blank → 日期 + 3 days (SPEC default; the seed names no time).
    # WZ-002: 08-01, rectified 08-03 (by 08-04): met, not overdue for months.
    # WZ-003: 12-01, not rectified: due 12-04 23:59, overdue on 12-05, a notice is drafted.
    # WZ-004: 12-04, rectified 12-05 before any notice went out: none is drafted.
    book = write_xlsx(tmp_path / "装修违章记录.xlsx", {"违章": [
        VIOLATION,
        ["WZ-002", "5-102", datetime(2026, 8, 1), "私拉电线", "严重", 200, None, datetime(2026, 8, 3)],
        ["WZ-003", "5-103", datetime(2026, 12, 1), "封闭阳台", "严重", 500, None, None],
        ["WZ-004", "5-104", datetime(2026, 12, 4), "堵塞消防通道", "严重", 300, None, datetime(2026, 12, 5)]]})
    f = process_paths(ctx, [book], NOW).files[0]
    assert f.status == "accepted" and not f.errors, f.message
    # Only WZ-003 is still open (a met deadline is not reported as a finding of the file).
    found = {x.record: x.status for x in f.findings if x.rule == "renovation.rectification"}
    assert found == {"WZ-003": "overdue"}
    notices = [Path(p).name for p in f.outputs if "整改通知书" in Path(p).name]
    assert len(notices) == 1 and "WZ-003" in notices[0], notices
    assert ctx.ledger.record("renovation_violation", "WZ-002")["values"]["整改完成日期"] is not None
    report, _ = build_report(ctx, "daily_due", MORNING, parse_day("2026-12-06"))
    assert {r[2] for r in report.table("待办与逾期").rows if r[1] == "装修违章记录"} == {"WZ-003"}
