"""Defects QA found in the property pack (fourth round): each test is one of them, real files."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from conftest import write_xlsx

from toolkit.pipeline import process_paths
from toolkit.reports import build_report, parse_month, parse_week

FEES = ["房号", "业主", "建筑面积", "单价", "已缴至"]


def test_arrears_at_the_end_of_a_period_leave_out_the_fee_due_the_day_after(ctx, tmp_path: Path):
    """物业费欠费（期末） is what is owed when the period's last day is over, not on the
    first day of the next (a fee paid to 11-30 is not in arrears in November's report).
    Months as the reminders count them (a period runs to the same day next month).
    November's end (11-30), report made 12-03:
    * 1-101 paid to 11-30: nothing (it was 223.75 read on 12-01);
    * 2-302 120 m² × 2.80, paid to 10-31: one month, 336.00;
    * 8-502 95 m² × 2.60, paid to 08-20: the 4th month began 11-21, 4 × 247.00 = 988.00;
    * 5-803 110 m² × 2.50, paid to 11-29: 11-30 owed, one month, 275.00;
    → 1,599.00. October's end (上月): only 8-502, three months, 741.00 (2-302's November
    was counted on 11-01: 1,077.00).
    Week 48, Sunday 11-29's end: 336.00 + 988.00 = 1,324.00 (5-803 paid to that day); week
    47, Sunday 11-22: the same two, 1,324.00.
    """
    rows = [FEES,
            ["1-101", "张建国", 89.5, 2.5, date(2026, 11, 30)],
            ["2-302", "李秀英", 120, 2.8, date(2026, 10, 31)],
            ["8-502", "马志强", 95, 2.6, date(2026, 8, 20)],
            ["5-803", "赵丽", 110, 2.5, date(2026, 11, 29)]]
    f = process_paths(ctx, [write_xlsx(tmp_path / "物业费台账.xlsx", {"物业费台账": rows})],
                      datetime(2026, 11, 20, 9, 0)).files[0]
    assert f.status == "accepted", f.message
    made = datetime(2026, 12, 3, 8, 30)
    month, _ = build_report(ctx, "property_status", made, parse_month("2026-11"))
    fees = {r[0]: r[1:] for r in month.table("收费").rows}
    assert fees["物业费欠费（期末）"][:2] == [Decimal("1599.00"), Decimal("741.00")]
    week, _ = build_report(ctx, "weekly", made, parse_week("2026-W48"))
    fees = {r[0]: r[1:] for r in week.table("收费").rows}
    assert fees["物业费欠费（期末）"][:2] == [Decimal("1324.00"), Decimal("1324.00")]
