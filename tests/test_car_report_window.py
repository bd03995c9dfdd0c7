"""The car daily list over the report window (events changed in the last week or with an
open finding): what the rules look up in another register (the booking an order cites,
a car's earlier orders) is read whole, not through the window, in a real workspace whose
registers were saved weeks and months apart."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from car_fixtures import APPOINTMENT, CUSTOMER, ORDER_HEAD, init, order, process
from conftest import write_xlsx

from toolkit.packs import Rule
from toolkit.packs.car.rules.common import APPOINTMENTS, ORDERS
from toolkit.packs.scopes import Each, Link
from toolkit.pipeline import open_context
from toolkit.reports.run import build_report
from toolkit.workspace import Workspace


def _booking(**kw: Any) -> list[Any]:
    base = {"预约单号": "YY100", "登记时间": "2026-11-20 10:00", "受理人": "刘洋", "车牌号": "京A12345", "客户名称": "张伟",
            "联系电话": "13812345678", "车型": "帕萨特", "预约进厂时间": "2026-12-10 09:00", "预约项目": "保养",
            "客户签名": "是", "通知车间时间": "2026-11-20 11:00", "车间接收人": "陈工"}
    return [{**base, **kw}.get(h) for h in APPOINTMENT[0]]


def _save(home: Path, name: str, now: str, sheets: dict[str, list[list[Any]]]) -> None:
    process(home, write_xlsx(home / "inbox" / f"{name}.xlsx", sheets), now)


def _workspace(tmp_path: Path) -> Path:
    home = init(tmp_path / "car", "car")
    # July: 京B54321's service; next one suggested for 2027-01-11 (six months on).
    _save(home, "七月", "2026-07-11T18:00", {
        "客户档案": [CUSTOMER[0], ["京B54321", "李娜", "13912345678", None, "途观", "SUV", None, "2026-07-11",
                              "2026-07-11", None, None, "王芳"]],
        "委托书": [ORDER_HEAD, order(委托书号="WT300", 车牌号="京B54321", 客户名称="李娜", 联系电话="13912345678",
                                  车型="途观", 接车时间="2026-07-11 09:00", 进车间时间="2026-07-11 09:10",
                                  维修类别="保养", 预计完工时间="2026-07-11 16:00", 进度查询时间="2026-07-11 13:00",
                                  完工时间="2026-07-11 15:00", 质检员="孙工", 交车时间="2026-07-11 16:00", 工时费=300,
                                  备品费=500, 结算金额=800, 实收金额=800, 付款方式="刷卡", 回访时间="2026-07-13 10:00",
                                  回访结果="满意", 建议下次保养日期="2027-01-11")]})
    # Friday 11-20: 京A12345 books a service for Thursday 12-10 09:00.
    _save(home, "预约", "2026-11-20T12:00", {"预约登记": [APPOINTMENT[0], _booking()]})
    # Thursday 12-10: the booking closed (reminded 12-09, came 08:50), the orders typed in.
    # WT200 cites YY100 (booked 11-20, within a month of 12-10); WT201 cites a booking no
    # one registered. Both left 300.00 unpaid: open 欠收 findings keep them in view.
    unpaid = {"完工时间": "2026-12-10 15:00", "质检员": "孙工", "交车时间": "2026-12-10 16:00", "工时费": 300,
              "备品费": 500, "结算金额": 800, "实收金额": 500, "付款方式": "现金", "接车时间": "2026-12-10 09:00",
              "进车间时间": "2026-12-10 09:10", "预计完工时间": "2026-12-10 16:00", "进度查询时间": "2026-12-10 13:00",
              "回访时间": "2026-12-12 10:00", "回访结果": "满意"}
    _save(home, "十二月", "2026-12-10T18:00", {
        "客户档案": [CUSTOMER[0], CUSTOMER[1]],
        "预约登记": [APPOINTMENT[0], _booking(提醒时间="2026-12-09 15:00", 到店时间="2026-12-10 08:50", 状态="已到店"),
                 # Another car's booking, which no order cites.
                 _booking(预约单号="YY101", 登记时间="2026-12-01 10:00", 车牌号="京B54321", 客户名称="李娜",
                          联系电话="13912345678", 预约进厂时间="2026-12-08 09:00", 通知车间时间="2026-12-01 11:00",
                          提醒时间="2026-12-07 15:00", 到店时间="2026-12-08 08:50", 状态="已到店")],
        "委托书": [ORDER_HEAD, order(委托书号="WT200", 是否预约="是", 预约单号="YY100", **unpaid),
                 order(委托书号="WT201", 车牌号="京E33333", 客户名称="吴敏", 是否预约="是", 预约单号="YY999", **unpaid)]})
    # Monday 12-14: a safety check saved; the booking's slip, due to end the day after
    # its slot (12-11), is judged again and closes.
    _save(home, "安全", "2026-12-14T09:00", {"安全考核": [["考核日期", "员工", "岗位", "违规项", "扣分", "检查人", "说明"],
                                                    ["2026-12-14", "刘洋", "服务顾问", "不参加安全学习培训活动", 20,
                                                     "安全员", None]]})
    return home


def test_car_daily_looks_up_bookings_and_orders_older_than_the_window(tmp_path: Path):
    home = _workspace(tmp_path)
    ctx = open_context(Workspace(home))
    try:
        # Monday 2027-01-11 08:00: the window starts 7 days before the day, 2027-01-04 00:00.
        report, src = build_report(ctx, "car_daily", datetime(2027, 1, 11, 8, 0))
        assert src.since == datetime(2027, 1, 4)
        # The bookings (saved 12-10, nothing open) and July's order are outside the window.
        assert "WT300" not in src.records(ORDERS)
        assert {"WT200", "WT201"} <= set(src.records(ORDERS))
        # A rule whose scope links orders to bookings by key reads only the bookings the
        # orders in view cite (YY999 is in no register); one without reads them all.
        linked = Rule("t", (ORDERS, APPOINTMENTS), lambda env, state: [], Each((Link(APPOINTMENTS, "预约单号"),)))
        assert list(src.context(linked, APPOINTMENTS)) == ["YY100"]
        whole = src.context(Rule("t", (ORDERS, APPOINTMENTS), lambda env, state: []), APPOINTMENTS)
        assert list(whole) == ["YY100", "YY101"] and not src.records(APPOINTMENTS)
    finally:
        ctx.close()
    fixes = " ".join(r[4] for r in report.table("待纠正").rows if r[1] in ("WT200", "WT201"))
    # YY100 is in the register (booked 11-20, the car came 12-10): no false 找不到预约单号.
    assert "找不到预约单号 YY100" not in fixes
    assert "委托书 WT201（京E33333，服务顾问 王芳）：登记为预约进厂，但预约登记中找不到预约单号 YY999" in fixes
    # 京B54321: WT300 (closed in July, half a year old) suggests 2027-01-11, today: still
    # listed (the reminder opens 7 days before, 2027-01-04).
    reminders = {r[0]: r[4] for r in report.table("保养提醒").rows}
    assert reminders.get("京B54321") == datetime(2027, 1, 11).date()


def test_car_weekly_counts_a_return_for_a_visit_older_than_the_window(tmp_path: Path):
    home = init(tmp_path / "car", "car")
    done = {"车牌号": "京D22222", "客户名称": "周杰", "联系电话": "13700001111", "车型": "朗逸", "质检员": "孙工",
            "工时费": 300, "备品费": 500, "结算金额": 800, "实收金额": 800, "付款方式": "刷卡", "回访结果": "满意"}
    # Monday 12-14: 发动机异响 repaired, paid, called back 12-16: nothing left open.
    _save(home, "十二月", "2026-12-14T18:00", {
        "客户档案": [CUSTOMER[0], ["京D22222", "周杰", "13700001111", None, "朗逸", "轿车", None, "2026-12-14",
                              "2026-12-14", None, None, "王芳"]],
        "委托书": [ORDER_HEAD, order(委托书号="WT400", 接车时间="2026-12-14 09:00", 进车间时间="2026-12-14 09:10",
                                  预计完工时间="2026-12-14 16:00", 进度查询时间="2026-12-14 13:00",
                                  完工时间="2026-12-14 15:00", 交车时间="2026-12-14 16:00",
                                  回访时间="2026-12-16 10:00", **done)]})
    # Wednesday 2027-01-06: back with the same 发动机异响, 23 days later (within 30): a return.
    _save(home, "一月", "2027-01-06T18:00", {
        "委托书": [ORDER_HEAD, order(委托书号="WT401", 接车时间="2027-01-06 09:00", 进车间时间="2027-01-06 09:10",
                                  预计完工时间="2027-01-06 16:00", 进度查询时间="2027-01-06 13:00",
                                  完工时间="2027-01-06 15:00", 交车时间="2027-01-06 16:00", **done)]})
    ctx = open_context(Workspace(home))
    try:
        # Monday 2027-01-11 09:00, the run for week 2027-W01 (01-04 … 01-10): the window starts
        # a week before the week before, 2026-12-28 − 7 days = 2026-12-21; WT400 is older.
        report, src = build_report(ctx, "car_weekly", datetime(2027, 1, 11, 9, 0))
        assert src.since == datetime(2026, 12, 21)
        assert "WT400" not in src.records(ORDERS) and "WT401" in src.records(ORDERS)
    finally:
        ctx.close()
    kpis = {r[0]: r[1] for r in report.table("概况").rows}
    assert kpis["进厂台次"] == 1
    assert kpis["一次修复率"] == "0.0%"  # 1 − 1 return ÷ 1 repaired
