"""Round 13 of the car desk: the weekly and monthly rates of a past period stay as they
were when it ended. A 完工时间 or a complaint's 受理时间 corrected the next week does not
move last week's 按时完工率, the advisors' rates or the complaint count."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from car_fixtures import ORDER_HEAD, as_json, cli, init, order
from car_fixtures import process as save
from conftest import write_xlsx


def _order(number: str, plate: str, day: str, sa: str, done: str) -> list[Any]:
    # Promised 16:00 on the day; ``done`` decides 按时完工.
    return order(委托书号=number, 车牌号=plate, 服务顾问=sa, 接车时间=f"{day} 09:00", 进车间时间=f"{day} 09:10",
                 预计完工时间=f"{day} 16:00", 进度查询时间=f"{day} 14:00", 完工时间=f"{day} {done}",
                 质检员="孙工", 交车时间=f"{day} 17:00", 工时费=200, 备品费=300, 结算金额=500, 实收金额=500,
                 付款方式="现金")


COMPLAINT_HEAD = ["投诉单号", "受理时间", "客户名称", "车牌号", "联系电话", "投诉方式", "投诉内容", "当场答复",
                  "约定答复时间", "答复时间", "责任人"]


def _complaint(received: str) -> list[Any]:
    return ["TS01", received, "赵强", "京P00001", "13911112222", "电话", "交车时车内有油污", "是", None, None, "王芳"]


# W48 (11-23 to 11-29), saved Friday 11-27 18:00: WP01 (王芳) and WQ01 (李娜) both done
# before their 16:00 promise; one complaint received Thursday 11-26.
W48 = {"委托书": [ORDER_HEAD, _order("WP01", "京P00001", "2026-11-27", "王芳", "15:30"),
                 _order("WQ01", "京Q00001", "2026-11-25", "李娜", "15:00")],
       "投诉": [COMPLAINT_HEAD, _complaint("2026-11-26 10:00")]}
# Wednesday 12-02 the desk corrects WP01's 完工时间 to 16:40 (40 minutes late) and the
# complaint's 受理时间 to Tuesday 12-01; WA01 (王芳), done 15:00 on 12-01, is new.
W49 = {"委托书": [ORDER_HEAD, _order("WP01", "京P00001", "2026-11-27", "王芳", "16:40"),
                 _order("WQ01", "京Q00001", "2026-11-25", "李娜", "15:00"),
                 _order("WA01", "京A11111", "2026-12-01", "王芳", "15:00")],
       "投诉": [COMPLAINT_HEAD, _complaint("2026-12-01 10:00")]}


def _book(home: Path, now: str, *args: str) -> Any:
    code, out = cli("report", *args, "--home", str(home), "--now", now, "--json")
    assert code == 0, out
    return openpyxl.load_workbook(next(o for o in as_json(out)["outputs"] if o.endswith(".xlsx")))


def _rows(book: Any, sheet: str) -> dict[Any, tuple[Any, ...]]:
    return {r[0]: r[1:] for r in book[sheet].iter_rows(values_only=True) if r and r[0]}


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_a_correction_saved_later_does_not_change_a_past_weeks_rates(tmp_path: Path, database: str):
    home = init(tmp_path / "car", "car")
    save(home, write_xlsx(home / "inbox" / "W48.xlsx", W48), "2026-11-27T18:00")
    # Made on Monday 11-30: 2 of 2 on time, 1 complaint.
    made = _rows(_book(home, "2026-11-30T09:00", "car_weekly", "--week", "2026-W48"), "概况")
    assert (made["按时完工率"][0], made["客户投诉"][0]) == ("100.0%", 1)

    save(home, write_xlsx(home / "inbox" / "W49.xlsx", W49), "2026-12-02T10:00")
    # Made again on Friday 12-04: W48 as it ended (today's data would give 1 of 2 = 50.0%
    # and no complaint in W48).
    again = _rows(_book(home, "2026-12-04T18:00", "car_weekly", "--week", "2026-W48"), "概况")
    assert (again["按时完工率"][0], again["客户投诉"][0]) == ("100.0%", 1)

    # W49 so far, by today's data: WA01 on time (1 of 1), the complaint now dated 12-01.
    # 上周 is W48 as it ended: 100.0% and 1 complaint.
    week = _rows(_book(home, "2026-12-04T18:00", "car_weekly", "--week", "2026-W49"), "概况")
    assert week["按时完工率"][:2] == ("100.0%", "100.0%")
    assert week["客户投诉"][:2] == (1, 1)

    # November made again: 王芳's one order (WP01) on time as the month ended, 李娜's too.
    book = _book(home, "2026-12-04T18:00", "car_monthly", "--month", "2026-11")
    assert _rows(book, "概况")["按时完工率"][0] == "100.0%"
    advisors = _rows(book, "服务顾问")
    assert advisors["王芳"][0] == 1 and advisors["王芳"][3] == "100.0%"
    assert advisors["李娜"][0] == 1 and advisors["李娜"][3] == "100.0%"


EXTRA_HEAD = ["增项单号", "委托书号", "车间通知时间", "联系客户时间", "增项内容", "增项工时费", "增项备品费", "延长工期小时",
              "新预计完工时间", "客户答复", "客户签名", "转达车间时间", "车间受话人"]


def _extra(signed: str) -> list[Any]:
    # Two hours more for 更换刹车片 (80 + 320 = 400.00), agreed on Tuesday 11-24.
    return ["ZL01", "WL01", "2026-11-24 11:00", "2026-11-24 11:10", "更换刹车片", 80, 320, 2, None, "同意", signed,
            "2026-11-24 11:20", "陈工"]


# WL01 promised Tuesday 11-24 16:00, done 17:30. Its extra ZL01 was agreed but, as saved on
# 11-27, not signed: the promise stays 16:00 and WL01 is 1 h 30 min late. On 12-02 the desk
# writes 客户签名 是: by today's data the promise is 18:00 and WL01 on time.
LATE = order(委托书号="WL01", 车牌号="京L00001", 服务顾问="李娜", 接车时间="2026-11-24 09:00",
             进车间时间="2026-11-24 09:10", 预计完工时间="2026-11-24 16:00", 进度查询时间="2026-11-24 14:00",
             完工时间="2026-11-24 17:30", 质检员="孙工", 交车时间="2026-11-24 18:00", 工时费=280, 备品费=820,
             结算金额=1100, 实收金额=1100, 付款方式="现金")


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_an_extra_signed_later_does_not_turn_a_past_late_job_on_time(tmp_path: Path, database: str):
    home = init(tmp_path / "car", "car")
    save(home, write_xlsx(home / "inbox" / "W48.xlsx", {"委托书": [ORDER_HEAD, LATE], "追加项目": [EXTRA_HEAD, _extra("否")]}),
         "2026-11-27T18:00")
    made = _rows(_book(home, "2026-11-30T09:00", "car_weekly", "--week", "2026-W48"), "概况")
    assert made["按时完工率"][0] == "0.0%"  # 0 of 1

    save(home, write_xlsx(home / "inbox" / "增项.xlsx", {"追加项目": [EXTRA_HEAD, _extra("是")]}), "2026-12-02T10:00")
    again = _rows(_book(home, "2026-12-04T18:00", "car_weekly", "--week", "2026-W48"), "概况")
    assert again["按时完工率"][0] == "0.0%"  # today's data would say 100.0%
    # W49 has no job finished: 本周 —, 上周 W48 as it ended.
    week = _rows(_book(home, "2026-12-04T18:00", "car_weekly", "--week", "2026-W49"), "概况")
    assert week["按时完工率"][:2] == ("—", "0.0%")
    # November's 服务顾问 table: 李娜 1 order, 0 of 1 on time.
    advisors = _rows(_book(home, "2026-12-04T18:00", "car_monthly", "--month", "2026-11"), "服务顾问")
    assert advisors["李娜"][0] == 1 and advisors["李娜"][3] == "0.0%"


# YY01 booked for Thursday 11-26 10:00; the customer never came (no 到店时间, no 委托书).
BOOKING = ["YY01", "2026-11-20 09:30", "刘洋", "京N00001", "孙丽", "13700001111", "途观", "2026-11-26 10:00", "常规保养",
           None, None, None, "是", "2026-11-20 17:00", "陈工", "2026-11-25 15:00", None, "已预约"]


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_a_past_weeks_no_show_still_counts_beside_the_rates_as_they_stood(tmp_path: Path, database: str):
    from car_fixtures import APPOINTMENT

    home = init(tmp_path / "car", "car")
    save(home, write_xlsx(home / "inbox" / "W48.xlsx", {**W48, "预约登记": [APPOINTMENT[0], BOOKING]}),
         "2026-11-27T18:00")
    save(home, write_xlsx(home / "inbox" / "W49.xlsx", W49), "2026-12-02T10:00")
    # W48's 爽约 (YY01, 1) is still the report's own finding; its rates are as W48 ended.
    again = _rows(_book(home, "2026-12-04T18:00", "car_weekly", "--week", "2026-W48"), "概况")
    assert (again["预约爽约"][0], again["按时完工率"][0]) == (1, "100.0%")
    week = _rows(_book(home, "2026-12-04T18:00", "car_weekly", "--week", "2026-W49"), "概况")
    assert week["预约爽约"][:2] == (0, 1)
