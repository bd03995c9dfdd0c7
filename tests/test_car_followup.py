"""回访及时率 and the follow-up rule agree on every boundary day (seed 000 第五篇 16: the
first call 出厂二天至一周之内). Six cars picked up Monday 2027-03-01 17:00: the window
opens Wednesday 03-03 00:00 (day 2) and closes Monday 03-08 23:59 (day 7).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from car_fixtures import ORDER_HEAD, as_json, cli, findings, init, order, process
from conftest import write_xlsx

NOW = "2027-03-20T10:00"


def _delivered(number: str, called: str | None) -> list[Any]:
    return order(委托书号=number, 车牌号=f"京K{number[-2:]}001", 接车时间="2027-03-01 09:00", 进车间时间="2027-03-01 09:10",
                 预计完工时间="2027-03-01 16:00", 进度查询时间="2027-03-01 14:00", 完工时间="2027-03-01 15:30",
                 质检员="孙工", 交车时间="2027-03-01 17:00", 工时费=300, 备品费=500, 结算金额=800, 实收金额=800,
                 付款方式="刷卡", 回访时间=called)


ORDERS = [
    ORDER_HEAD,
    _delivered("WF01", "2027-03-01 18:00"),  # day 0, after pickup: early, made
    _delivered("WF02", "2027-03-02 10:00"),  # day 1: early, made
    _delivered("WF03", "2027-03-03 00:00"),  # day 2, the window's first minute
    _delivered("WF04", "2027-03-08 23:59"),  # day 7, its last minute
    _delivered("WF05", "2027-03-09 00:00"),  # day 8: late by 1 minute
    _delivered("WF06", None),  # never called: overdue since 03-08 23:59
]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = init(tmp_path_factory.mktemp("followup") / "car", "car")
    process(home, write_xlsx(home / "inbox" / "三月委托书.xlsx", {"委托书": ORDERS}), NOW)
    return home


def test_the_rule_on_each_boundary_day(home: Path):
    found = {f.record: f for f in findings(home, datetime.fromisoformat(NOW)) if f.rule == "car.followup"}
    # Days 0-7 met (kept only what someone must act on); day 8 late by one minute; none overdue.
    assert sorted(found) == ["WF05", "WF06"]
    assert found["WF05"].status == "late" and found["WF05"].overdue_minutes == 1
    assert found["WF06"].status == "overdue" and found["WF06"].due == datetime(2027, 3, 8, 23, 59)


def test_the_report_counts_as_the_rule_judges(home: Path):
    code, out = cli("report", "car_monthly", "--month", "2027-03", "--home", str(home), "--now", NOW, "--json")
    assert code == 0, out
    wb = openpyxl.load_workbook(next(o for o in as_json(out)["outputs"] if o.endswith(".xlsx")))
    kpi = {r[0]: r[1:] for r in wb["概况"].iter_rows(values_only=True) if r and r[0]}
    # Due: all six (called, or the window closed before 03-20). Timely: WF01-WF04 (the
    # calls on days 0 and 1 are early, not missed) → 4 ÷ 6 = 66.7 %.
    assert kpi["回访及时率"][0] == "66.7%"


def test_one_helper_decides_for_both():
    from toolkit.packs.car.rules.orders import FollowUp

    closes, opens = datetime(2027, 3, 8, 23, 59), datetime(2027, 3, 3)
    calls = {"2027-03-01 18:00": True, "2027-03-02 10:00": True, "2027-03-03 00:00": True, "2027-03-08 23:59": True,
             "2027-03-09 00:00": False}
    for at, timely in calls.items():
        assert FollowUp(opens, closes, datetime.fromisoformat(at)).timely is timely, at
    assert FollowUp(opens, closes, None).timely is False
    # Judged once called or closed; a report cut on Monday 09:00 waits for a call not yet made.
    assert not FollowUp(opens, closes, None).judged(datetime(2027, 3, 8, 9, 0))
    assert FollowUp(opens, closes, None).judged(closes)
    assert not FollowUp(opens, closes, datetime(2027, 3, 8, 15, 0)).judged(datetime(2027, 3, 8, 9, 0))
