"""The car desk's weekly and monthly counts (what is a car received, an appointment, 欠收 at
the period's end) and the daily list's layout, on registers saved the usual way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from car_fixtures import APPOINTMENT, ORDER_HEAD, as_json, cli, init, order, process
from conftest import write_xlsx

NOW = "2026-12-04T18:00"  # Friday of 2026-W49 (11-30 to 12-06)

BOOKINGS = [
    APPOINTMENT[0],
    # Booked Monday for Tuesday: a valid appointment.
    ["YB001", "2026-11-30 10:00", "刘洋", "京A11111", "张伟", "13812345678", "帕萨特", "2026-12-01 09:00", "保养",
     None, None, None, "是", "2026-11-30 11:00", "陈工", "2026-11-30 16:00", "2026-12-01 08:55", "已到店"],
    # Booked 10-20: a car arriving 12-02 is past the one-month window (ends 11-20).
    ["YB002", "2026-10-20 10:00", "刘洋", "京B22222", "李娜", "13912345678", "途观", "2026-10-25 09:00", "保养",
     None, None, None, "是", "2026-10-20 11:00", "陈工", "2026-10-24 16:00", "2026-10-25 09:05", "已到店"],
]


def _order(number: str, plate: str, day: str, **kw: Any) -> list[Any]:
    return order(委托书号=number, 车牌号=plate, 接车时间=f"{day} 09:00", 进车间时间=f"{day} 09:10",
                 预计完工时间=f"{day} 16:00", 进度查询时间=f"{day} 14:00", 完工时间=f"{day} 15:30", **kw)


ORDERS = [
    ORDER_HEAD,
    # W48: delivered 11-27, settled 500, paid 300: 200 still owed at the end of W49.
    _order("WP01", "京P00001", "2026-11-27", 交车时间="2026-11-27 17:00", 质检员="孙工", 工时费=200, 备品费=300,
           结算金额=500, 实收金额=300, 付款方式="现金"),
    # W49, a valid appointment; delivered 12-01, settled 1,000, paid 900: 100 owed.
    _order("WA01", "京A11111", "2026-12-01", 是否预约="是", 预约单号="YB001", 交车时间="2026-12-01 17:00",
           质检员="孙工", 工时费=400, 备品费=600, 结算金额=1000, 实收金额=900, 付款方式="刷卡"),
    # 是否预约 = 是, but the booking is more than a month old.
    _order("WA02", "京B22222", "2026-12-02", 是否预约="是", 预约单号="YB002"),
    # 是否预约 = 是, but there is no such booking in the ledger.
    _order("WA03", "京C33333", "2026-12-02", 是否预约="是", 预约单号="YB999"),
    # Diagnosis only: the customer did not have the repair done here.
    order(委托书号="WA04", 车牌号="京D44444", 接车时间="2026-12-03 10:00", 预计完工时间="2026-12-03 11:00",
          是否进厂="否", 进车间时间=None, 车间接车人=None),
    # Paid in full.
    _order("WA05", "京E55555", "2026-12-03", 交车时间="2026-12-03 17:00", 质检员="孙工", 工时费=300, 备品费=500,
           结算金额=800, 实收金额=800, 付款方式="现金"),
]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = init(tmp_path_factory.mktemp("car") / "ws", "car")
    process(home, write_xlsx(home / "inbox" / "售后登记.xlsx", {"预约登记": BOOKINGS, "委托书": ORDERS}), NOW)
    return home


def _workbook(home: Path, *args: str) -> openpyxl.Workbook:
    code, out = cli("report", *args, "--home", str(home), "--now", NOW, "--json")
    assert code == 0, out
    return openpyxl.load_workbook(next(o for o in as_json(out)["outputs"] if o.endswith(".xlsx")))


def _sheet(wb: openpyxl.Workbook, name: str) -> dict[str, tuple[Any, ...]]:
    return {r[0]: r[1:] for r in wb[name].iter_rows(values_only=True) if r and r[0]}


@pytest.mark.parametrize("args", [("car_weekly", "--week", "2026-W49"), ("car_monthly", "--month", "2026-12")])
def test_cars_received_and_appointment_share(home: Path, args: tuple[str, ...]):
    kpi = _sheet(_workbook(home, *args), "概况")
    # Received for repair in W49 (and in December up to 12-04): WA01, WA02, WA03, WA05 = 4;
    # WA04 was diagnosis only (是否进厂 = 否) and is no car received.
    assert kpi["进厂台次"][0] == 4
    # Appointments: WA01 alone (WA02's booking is older than a month, WA03's is not in
    # the ledger): 1 ÷ 4 = 25.0 %. Counting every 是否预约 = 是 gave 3 ÷ 5 = 60.0 %.
    assert kpi["预约进厂占比"][0] == "25.0%"


def test_outstanding_at_the_end_of_the_period(home: Path):
    wb = _workbook(home, "car_weekly", "--week", "2026-W49")
    money = _sheet(wb, "营业收入")
    # Settled in W49: WA01 1,000 + WA05 800 = 1,800; still owed on 12-04 18:00: WA01
    # 1,000 − 900 = 100 plus WP01 (handed over in W48) 500 − 300 = 200 → 300.00.
    assert money["结算金额"][0] == 1800
    assert money["欠收"] == (300, 200)  # W48's end: WP01's 200 alone
    month = _sheet(_workbook(home, "car_monthly", "--month", "2026-12"), "营业收入")
    assert month["欠收"] == (300, 200)  # November's end: WP01's 200


def test_daily_overdue_column_fits_days_and_hours(home: Path):
    from toolkit.ruleset.timing import duration_text

    wb = _workbook(home, "car_daily", "--date", "2026-12-04")
    ws = wb["逾期事项"]
    header = [c.value for c in ws[3]]
    letter = ws.cell(row=3, column=header.index("超时") + 1).column_letter
    # "70天14小时24分钟": 6 digits + 5 CJK characters × 2 = 16 columns, plus a margin.
    text = duration_text(70 * 1440 + 14 * 60 + 24)
    assert ws.column_dimensions[letter].width >= sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) + 2
