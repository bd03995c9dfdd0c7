"""Dealer pack, QA round 9: the monthly headline of the month a cancellation is carried
out agrees with the member counts. Registers filled as staff fill them, processed, the
report made with the CLI and opened, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from car_fixtures import dealer_home  # noqa: F401 (the fixture "home")
from test_dealer_pipeline import MEMBERS, fill, process
from test_dealer_qa5 import COUNTIES, monthly, rows_of

BOTH = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)



def _member(mid: str, **changes: Any) -> dict[str, Any]:
    return {**MEMBERS[0], "成员编号": mid, "经销商名称": f"丰县{mid}商行", "铜牌编号": f"T-{mid}", **changes}


def _heads(made: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {h["label"]: (h["value"], h["before"]) for h in made["headline"]}


@BOTH
def test_the_month_a_cancellation_is_carried_out_counts_it_beside_the_members(home: Path):
    """Six members M01…M06 since March. September: M01 below 70 % for the third month
    (50 % each month), M02 bought 3,000 from another 一级: September's report says
    取消资格（本月考核提出） 2, members 6 at 09-30 (6 at 08-31), nobody joined or left.
    October: the region cancels M01 and M02 on 10-12, M07 joins on 10-20, M06 withdraws
    on 10-25. October's report: 4 members at 10-31 (M03, M04, M05, M07) against 6 at
    09-30 = 6 + 1 joined − 2 cancelled − 1 withdrawn; nothing of October's own figures
    is a cause (0), and its rows of M01 and M02 say 已取消（2026-10-12）."""
    process(home, fill(home, "县级市场登记", COUNTIES), "2026-10-08T09:00")
    six = [_member(f"M0{i}") for i in range(1, 7)]
    process(home, fill(home, "联销体成员登记", six), "2026-10-08T09:00")
    rows = [{"月份": m, "成员编号": "M01", "销量": 5000, "所在市场销量": 10000, "填报业务员": "王强"}
            for m in ("2026-07", "2026-08", "2026-09")]
    rows += [{"月份": "2026-09", "成员编号": "M02", "销量": 8000, "所在市场销量": 10000, "其他渠道进货额": 3000,
              "填报业务员": "王强"}]
    process(home, fill(home, "二级客户进货统计表", rows), "2026-10-08T10:00")
    made, _ = monthly(home, "2026-09", "2026-10-08T11:00")
    heads = _heads(made)
    assert heads["联销体成员（月末）"] == ("6", "6")
    assert heads["取消资格（本月考核提出）"][0] == "2"
    assert [heads[k][0] for k in ("本月入会", "取消资格（本月已办理）", "本月退出")] == ["0", "0", "0"]

    gone = [{**m, "状态": "已取消", "取消日期": date(2026, 10, 12), "取消原因": why}
            for m, why in zip(six[:2], ("连续三个月销量低于70%", "从其他一级经销商处进货"), strict=True)]
    left = {**six[5], "状态": "已退出", "取消日期": date(2026, 10, 25), "取消原因": "经销商主动退出"}
    joined = _member("M07", 协议签订日期=date(2026, 10, 18), 入会日期=date(2026, 10, 20))
    process(home, fill(home, "联销体成员登记", [*gone, *six[2:5], left, joined]), "2026-10-26T09:00")
    october = [{"月份": "2026-10", "成员编号": m, "销量": 8000, "所在市场销量": 10000, "填报业务员": "王强"}
               for m in ("M01", "M02", "M03", "M04", "M05", "M07")]
    process(home, fill(home, "二级客户进货统计表", rows + october), "2026-11-05T09:00")
    made, book = monthly(home, "2026-10", "2026-11-05T10:00")
    heads = _heads(made)
    assert heads["联销体成员（月末）"] == ("4", "6")
    assert [heads[k][0] for k in ("本月入会", "取消资格（本月已办理）", "本月退出", "取消资格（本月考核提出）")] == [
        "1", "2", "1", "0"]
    stats = {r[0]: r[-1] for r in rows_of(book, "进货统计") if str(r[0]).startswith("M0")}
    assert stats["M01"] == stats["M02"] == "已取消（2026-10-12）"
    # September's report made again after: its causes stay its own, the members then 6.
    made, _ = monthly(home, "2026-09", "2026-11-05T10:00")
    heads = _heads(made)
    assert heads["联销体成员（月末）"] == ("6", "6") and heads["取消资格（本月考核提出）"][0] == "2"
    assert heads["取消资格（本月已办理）"][0] == "0"
