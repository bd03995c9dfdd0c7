"""Round 14d of the car desk: rules close to the seed but not the seed.

Seed 000 第五篇 工作标准 15: a complaint the desk cannot settle on the spot gets an apology
and a stated time for the next answer, and that answer is owed by then. Seed 002 第7条 and
000 第五篇 11: an extra repair the customer agrees to is written with its price before the
customer signs for it again.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
from car_fixtures import as_json, cli, findings, init, process
from conftest import write_xlsx

COMPLAINT_HEAD = ["投诉单号", "受理时间", "客户名称", "车牌号", "投诉方式", "投诉内容", "当场答复", "约定答复时间", "答复时间",
                  "处理结果", "责任人"]


def _daily(home: Path, now: str) -> openpyxl.Workbook:
    code, out = cli("report", "car_daily", "--date", now[:10], "--home", str(home), "--now", now, "--json")
    assert code == 0, out
    return openpyxl.load_workbook(next(o for o in as_json(out)["outputs"] if o.endswith(".xlsx")))


def test_a_promised_complaint_reply_is_tracked_when_on_the_spot_is_left_blank(tmp_path: Path):
    """Seed 000 第五篇 15: what cannot be answered at once gets a stated time for the next
    answer. TS7 was taken Mon 2027-03-01 10:00 and 王芳 promised the customer an answer by
    Tue 03-02 17:00, leaving 当场答复 blank: a time promised is a reply not made on the spot.
    Nobody answered; on Wed 03-03 09:00 the reply is 16 h (960 min) overdue, on the daily
    list's 逾期事项 under 王芳. TS8 (当场答复 blank, nothing promised) owes nothing."""
    home = init(tmp_path / "car", "car")
    rows = [COMPLAINT_HEAD,
            ["TS7", "2027-03-01 10:00", "马力", "京H10001", "电话", "维修后仍有异响", None, "2027-03-02 17:00", None, None,
             "王芳"],
            ["TS8", "2027-03-01 11:00", "牛犇", "京H20002", "上门", "休息区太冷", None, None, None, "已调高空调", "刘洋"]]
    process(home, write_xlsx(home / "inbox" / "投诉.xlsx", {"售后客户投诉": rows}), "2027-03-01T18:00")
    got = {f.record: f for f in findings(home, datetime(2027, 3, 3, 9, 0)) if f.rule == "car.complaint_reply"}
    assert set(got) == {"TS7"}
    assert got["TS7"].status == "overdue" and got["TS7"].overdue_minutes == 960
    overdue = [r for r in _daily(home, "2027-03-03T09:00")["逾期事项"].iter_rows(values_only=True) if r and r[1] == "TS7"]
    assert len(overdue) == 1 and overdue[0][4] == "王芳"


EXTRA_HEAD = ["增项单号", "委托书号", "车间通知时间", "联系客户时间", "增项内容", "增项工时费", "增项备品费", "延长工期小时",
              "新预计完工时间", "客户答复", "客户签名", "转达车间时间", "车间受话人"]


def test_an_extra_agreed_without_a_price_goes_back_to_the_advisor(tmp_path: Path):
    """Seed 002 第7条 (an extra repair is written on the 委托书 with its price, then signed
    again) and 000 第五篇 11: ZX7 on WT7 (王芳) was agreed and signed with neither 增项工时费
    nor 增项备品费, so the customer agreed to an unpriced job. It goes back on the return
    copy's 增项工时费 cell and on the next morning's daily list's 待纠正 under 王芳 (the
    advisor gets the price from the workshop and tells the customer). ZX8, priced 0 + 80.00
    (a 0 is a price), and ZX9, refused, are fine."""
    from car_fixtures import ORDER_HEAD, order

    home = init(tmp_path / "car", "car")
    orders = [ORDER_HEAD, order(委托书号="WT7", 接车时间="2027-03-01 09:00", 进车间时间="2027-03-01 09:10",
                                预计完工时间="2027-03-01 16:00")]
    extras = [EXTRA_HEAD,
              ["ZX7", "WT7", "2027-03-01 10:00", "2027-03-01 10:05", "更换前刹车片", None, None, 1, None, "同意", "是",
               "2027-03-01 10:10", "陈工"],
              ["ZX8", "WT7", "2027-03-01 10:30", "2027-03-01 10:35", "更换雨刮片", 0, 80, None, None, "同意", "是",
               "2027-03-01 10:40", "陈工"],
              ["ZX9", "WT7", "2027-03-01 11:00", "2027-03-01 11:05", "清洗节气门", None, None, None, None, "不同意", None,
               "2027-03-01 11:10", "陈工"]]
    got = process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": orders, "追加项目": extras}),
                  "2027-03-01T12:00")["files"][0]
    marked = {(a["sheet"], a["row"], a["code"], a["column"]) for a in got["actions"]}
    assert ("追加项目", 2, "car.extra_quote", "增项工时费") in marked
    assert not {m for m in marked if m[2] == "car.extra_quote" and m[1] != 2}
    fixes = [r for r in _daily(home, "2027-03-02T08:00")["待纠正"].iter_rows(values_only=True) if r and r[1] == "ZX7"]
    assert len(fixes) == 1 and fixes[0][2] == "须纠正" and fixes[0][3] == "王芳" and "未报价" in fixes[0][4]


def test_a_cancelled_booking_asks_for_no_deposit(tmp_path: Path):
    """Seed 000 第五篇 17: a booking that needs costly parts takes a deposit of at least half
    their price. YY7 and YY8 both need parts priced 2,000.00 and took 500.00: at least
    ⌈2,000.00 × ½⌉ = 1,000.00 is due, 500.00 short. YY8 (已预约) goes back to 刘洋 for the
    500.00; YY7 was cancelled by the customer before its slot, so no parts are held and no
    deposit is asked for on the return copy or the daily list."""
    from car_fixtures import APPOINTMENT

    head = APPOINTMENT[0]

    def booking(number: str, state: str) -> list[object]:
        row = {"预约单号": number, "登记时间": "2027-03-01 09:00", "受理人": "刘洋", "车牌号": "京H10001", "客户名称": "马力",
               "联系电话": "13812345678", "预约进厂时间": "2027-03-04 09:00", "预约项目": "更换离合器",
               "需备配件": "离合器总成", "配件原价": "2,000.00", "定金": 500, "客户签名": "是",
               "通知车间时间": "2027-03-01 10:00", "车间接收人": "陈工", "状态": state}
        return [row.get(h) for h in head]

    home = init(tmp_path / "car", "car")
    got = process(home, write_xlsx(home / "inbox" / "预约.xlsx",
                                   {"预约登记": [head, booking("YY7", "已取消"), booking("YY8", "已预约")]}),
                  "2027-03-01T12:00")["files"][0]
    deposit = {a["row"]: a for a in got["actions"] if a["code"] == "car.appointment_deposit"}
    assert set(deposit) == {3} and "补交定金 500.00 元（最低定金 1,000.00 元）" in deposit[3]["message"]
    found = {f.record: f for f in findings(home, datetime(2027, 3, 2, 8, 0)) if f.rule == "car.appointment_deposit"}
    assert set(found) == {"YY8"} and str(found["YY8"].values["最低定金"]) == "1000.00"
    fixes = {r[1] for r in _daily(home, "2027-03-02T08:00")["待纠正"].iter_rows(values_only=True) if r}
    assert "YY8" in fixes and "YY7" not in fixes
