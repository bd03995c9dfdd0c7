"""Defects QA found in the property pack (seventh round): each test is one of them, real files."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import write_xlsx

from toolkit.pipeline import process_paths
from toolkit.reports import build_report, parse_day, parse_week

# The ledger holds what is judged: both databases.
pytestmark = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)

COMPLAINT = ["编号", "受理时间", "投诉人", "房号", "投诉内容", "性质", "等级", "被投诉部门",
             "转报时间", "解决时间", "状态"]


# --- 1. a complaint's forwarding, reply and callback are the desk's, not 被投诉部门's ---------


def test_complaint_callback_and_reply_are_charged_to_the_desk(ctx, tmp_path: Path):
    """TS-701 (轻微, against 工程部), taken Mon 11-23 09:00, forwarded 09:05 (limit 09:10, met),
    solved 11:00 (limit 4 working hours, met), never answered nor called back.
    Seed 001: the 客户助理 answers the customer the day the result comes back (due 11-23 23:59)
    and calls back within a day of the solution (due 11-24 11:00). At Wed 11-25 08:30 both
    are overdue, and the daily list names 客户助理 of 客服中心 for them, not 工程部.
    Week 48 (to Fri 11-27 17:00): 工程部 handled its one complaint on time → 1 met, 0 late,
    nothing overdue; 客服中心 forwarded on time (1 met) and owes the reply and the callback → 2."""
    rows = [COMPLAINT, ["TS-701", datetime(2026, 11, 23, 9, 0), "王丽", "3-0502", "楼道灯不亮", "有效", "轻微",
                        "工程部", datetime(2026, 11, 23, 9, 5), datetime(2026, 11, 23, 11, 0), "已解决"]]
    done = process_paths(ctx, [write_xlsx(tmp_path / "投诉.xlsx", {"投诉登记": rows})], datetime(2026, 11, 23, 11, 30))
    assert done.files[0].status == "accepted", done.files[0].message

    daily, _ = build_report(ctx, "daily_due", datetime(2026, 11, 25, 8, 30), parse_day("2026-11-25"))
    table = daily.table("待办与逾期")
    col = {c.title: i for i, c in enumerate(table.columns)}
    due = {r[col["事项"]]: (r[col["负责人"]], r[col["部门"]]) for r in table.rows if r[col["编号"]] == "TS-701"}
    assert due == {"投诉回访": ("客户助理", "客服中心"), "投诉处理结果回复": ("客户助理", "客服中心")}

    weekly, _ = build_report(ctx, "weekly", datetime(2026, 11, 28, 9, 0), parse_week("2026-W48"))
    dept = {r[0]: r[1:] for r in weekly.table("部门按时率").rows}
    assert dept["工程部"][:3] == [1, 0, Decimal("1.0000")] and dept["工程部"][-1] == 0
    assert dept["客服中心"][:3] == [1, 0, Decimal("1.0000")] and dept["客服中心"][-1] == 2
