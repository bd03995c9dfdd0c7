"""The car daily list over the report window (events changed in the last week or with an
open finding): what the rules look up in another register (the booking an order cites,
a car's earlier orders) is read whole, not through the window, in a real workspace whose
registers were saved weeks and months apart."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from car_fixtures import APPOINTMENT, CUSTOMER, ORDER_HEAD, init, order, process
from conftest import write_xlsx

from toolkit.packs.car.rules.common import APPOINTMENTS, ORDERS
from toolkit.pipeline import open_context
from toolkit.reports.run import build_report
from toolkit.workspace import Workspace


@pytest.fixture(autouse=True)
def _word_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOOLKIT_PDF", "off")


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
        "预约登记": [APPOINTMENT[0], _booking(提醒时间="2026-12-09 15:00", 到店时间="2026-12-10 08:50", 状态="已到店")],
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
        # The booking (saved 12-10, nothing open) and July's order are outside the window.
        assert "YY100" not in src.records(APPOINTMENTS)
        assert "WT300" not in src.records(ORDERS)
        assert {"WT200", "WT201"} <= set(src.records(ORDERS))
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
