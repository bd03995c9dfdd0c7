"""QA round 8 at the car desk, cut down to the rows behind each defect: 回访及时率 across
the 国庆 holiday and the September/October boundary, the one-page Word summary's
“需要关注” list, a check-only visit's declined estimate, a discount nobody approved on the
出厂通知单, the callbacks and replies due today, the monthly 服务顾问 sheet, and the
release's “经质量检验”.

The desk works Mon 2026-09-28 to Wed 09-30, closes for 国庆 (10-01..10-07) and opens
again Thu 10-08. Weeks: 2026-W40 is 09-28..10-04, 2026-W41 is 10-05..10-11.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import docx
import openpyxl
from car_fixtures import ORDER_HEAD, as_json, cli, findings, init, order, process
from conftest import write_xlsx


def _report(home: Path, *args: str, now: str) -> tuple[openpyxl.Workbook, list[str]]:
    code, out = cli("report", *args, "--home", str(home), "--now", now, "--json")
    assert code == 0, out
    outputs = as_json(out)["outputs"]
    book = openpyxl.load_workbook(next(o for o in outputs if o.endswith(".xlsx")))
    paragraphs = [p.text for o in outputs if o.endswith(".docx") for p in docx.Document(o).paragraphs]
    return book, paragraphs


def _kpis(book: openpyxl.Workbook) -> dict[str, tuple[Any, Any]]:
    return {r[0]: (r[1], r[2]) for r in book["概况"].iter_rows(min_row=3, values_only=True) if r and r[0]}


def _delivered(number: str, plate: str, day: str, called: str | None, **kw: Any) -> list[Any]:
    values = {"委托书号": number, "车牌号": plate, "接车时间": f"{day} 09:00", "进车间时间": f"{day} 09:10",
              "预计完工时间": f"{day} 16:00", "进度查询时间": f"{day} 14:00", "完工时间": f"{day} 15:30",
              "质检员": "刘强", "交车时间": f"{day} 17:00", "工时费估价": 200, "备品费估价": 300, "估价合计": 500,
              "工时费": 200, "备品费": 300, "结算金额": 500, "实收金额": 500, "付款方式": "现金", "回访时间": called,
              **kw}
    return order(**values)


# --- 1. a missed call counts in the period its week ran out --------------------------------


def _holiday_desk(tmp_path: Path) -> Path:
    """Three cars handed back before the holiday. WA01 (Mon 09-28) was called Wed 09-30,
    in time. WA02 (Tue 09-29, window to Tue 10-06 23:59) was called Thu 10-08, and WA03
    (Wed 09-30, window to Wed 10-07 23:59) on Fri 10-09: both weeks ran out over the
    holiday, in 2026-W41 and in October."""
    home = init(tmp_path / "car", "car")
    rows = [ORDER_HEAD,
            _delivered("WA01", "京A10001", "2026-09-28", "2026-09-30 10:00"),
            _delivered("WA02", "京A10002", "2026-09-29", "2026-10-08 10:00"),
            _delivered("WA03", "京A10003", "2026-09-30", "2026-10-09 10:00")]
    process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": rows}), "2026-10-09T18:00")
    return home


def test_a_call_missed_over_the_holiday_counts_in_the_week_it_was_missed(tmp_path: Path):
    """W40's own report (Mon 10-05 09:00) knows one call, made in time: 100 %. The two
    weeks that ran out on 10-06 and 10-07 are missed calls of W41: 0 of 2, and W41's
    report repeats W40's 100 % as 上周 (the same week, the same figure). Counting each car
    by its pickup week instead left both missed calls out of every weekly report: W40's
    was made before their weeks ended, and W41 had no pickups."""
    home = _holiday_desk(tmp_path)
    w40, _ = _report(home, "car_weekly", "--week", "2026-W40", now="2026-10-12T09:00")
    assert _kpis(w40)["回访及时率"][0] == "100.0%"
    w41, _ = _report(home, "car_weekly", "--week", "2026-W41", now="2026-10-12T09:00")
    assert _kpis(w41)["回访及时率"] == ("0.0%", "100.0%")


def test_the_month_counts_the_calls_whose_week_ended_in_it(tmp_path: Path):
    """September's report (10-01 09:00) can judge only WA01; WA02 and WA03 ran out in
    October, so October's report counts them: 0 of 2, with September's 1 of 1 beside it."""
    home = _holiday_desk(tmp_path)
    sep, _ = _report(home, "car_monthly", "--month", "2026-09", now="2026-11-01T09:00")
    assert _kpis(sep)["回访及时率"][0] == "100.0%"
    oct_, words = _report(home, "car_monthly", "--month", "2026-10", now="2026-11-01T09:00")
    assert _kpis(oct_)["回访及时率"] == ("0.0%", "100.0%")
    assert any("应回访 2 台次" in p and "按时回访 0 台次" in p for p in words), words


# --- 2. the Word summary keeps what needs attention ---------------------------------------


def test_the_word_summary_keeps_the_lapses_and_the_late_cars(tmp_path: Path):
    """W40 at a busy desk: a car finished late (WB02), a car handed back without the
    customer signing the list of belongings (WB03), and a check-only visit (WB04). The
    one-page summary holds four lines under “需要关注”: the late car and the lapse must be
    among them, not cut off behind the week's plain counts (which the table above them
    already shows)."""
    home = init(tmp_path / "car", "car")
    head = [*ORDER_HEAD, "诊断估价费"]
    check_only = order(委托书号="WB04", 车牌号="京B10004", 是否进厂="否", 进车间时间=None, 车间接车人=None,
                       预计完工时间=None, 接车时间="2026-09-29 10:00", 交车时间="2026-09-29 10:40", 结算金额=80,
                       实收金额=80, 付款方式="现金")
    rows = [head,
            [*_delivered("WB01", "京B10001", "2026-09-28", "2026-09-30 10:00"), None],
            [*_delivered("WB02", "京B10002", "2026-09-28", "2026-09-30 10:30", 完工时间="2026-09-28 16:40"), None],
            [*_delivered("WB03", "京B10003", "2026-09-29", "2026-10-01 10:00", 随车物品签名="否"), None],
            [*check_only, 80]]
    process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": rows}), "2026-09-30T18:00")
    _, words = _report(home, "car_weekly", "--week", "2026-W40", now="2026-10-05T09:00")
    assert any("未按承诺时间完工 1 台次" in p for p in words), words
    assert any("已无法补做的服务规范事项" in p for p in words), words


# --- 3. a check-only visit is not a repair that cost more or less than its estimate ---------


def test_a_declined_estimate_is_not_a_settlement_off_its_estimate(tmp_path: Path):
    """周强's 速腾 came Wed 09-30 16:00 for a check (是否进厂 否): 李娜 estimated the repair at
    800 元 (工时 300 + 备品 500), he declined it and paid the 80 元 check fee. The 80 元 is not
    a repair settled 90 % under its estimate: nothing to explain to the customer, no line on
    the daily list, none in the week's 服务规范."""
    home = init(tmp_path / "car", "car")
    head = [*ORDER_HEAD, "诊断估价费"]
    check_only = order(委托书号="WC01", 车牌号="京F55555", 客户名称="周强", 服务顾问="李娜", 是否进厂="否",
                       进车间时间=None, 车间接车人=None, 预计完工时间=None, 接车时间="2026-09-30 16:00",
                       交车时间="2026-09-30 16:40", 结算金额=80, 实收金额=80, 付款方式="现金")
    process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": [head, [*check_only, 80]]}),
            "2026-09-30T18:00")
    assert not [f for f in findings(home, datetime(2026, 10, 8, 8, 0)) if f.rule == "car.estimate_deviation"]
    week, _ = _report(home, "car_weekly", "--week", "2026-W40", now="2026-10-05T09:00")
    assert [r for r in week["服务规范"].iter_rows(min_row=4, values_only=True) if r and r[0]] == [("（无）", None, None,
                                                                                                None, None)]


# --- 4. a discount nobody approved is not printed for the customer ---------------------------


def _releases(home: Path) -> list[Path]:
    return sorted((home / "outbox" / "文书草稿").glob("*出厂通知单_WD01.docx"))


def test_the_release_waits_for_the_discount_to_be_approved(tmp_path: Path):
    """王芳's 卡罗拉 is handed back Tue 09-29 17:45 with a 30 元 discount 李娜 gave without
    the 业务主管 (工时费 200 + 备品费 180 − 30 = 350, paid 300 by card). Its 出厂通知单 would
    hand the customer a discount nobody may yet have granted, with 折扣审批 “—”: it waits,
    and the return copy says so. 周经理 approves it the next morning (Wed 09-30 09:00): the
    release is drafted then, naming him."""
    home = init(tmp_path / "car", "car")
    row = order(委托书号="WD01", 车牌号="京C11111", 客户名称="王芳", 服务顾问="李娜", 接车时间="2026-09-29 14:00",
                进车间时间="2026-09-29 14:20", 预计完工时间="2026-09-29 17:00", 进度查询时间="2026-09-29 16:15",
                完工时间="2026-09-29 16:50", 质检员="刘强", 交车时间="2026-09-29 17:45", 工时费估价=200,
                备品费估价=150, 估价合计=350, 工时费=200, 备品费=180, 折扣金额=30, 结算金额=350, 实收金额=300,
                付款方式="刷卡")
    run = process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": [ORDER_HEAD, row]}), "2026-09-29T18:00")
    assert _releases(home) == []
    (act,) = [a for f in run["files"] for a in f["actions"] if a["code"] == "car.discount_approval"]
    assert "审批后才出具出厂通知单" in act["message"], act
    row[ORDER_HEAD.index("折扣审批人")] = "周经理"
    process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": [ORDER_HEAD, row]}), "2026-09-30T09:00")
    (release,) = _releases(home)
    cells = [c.text for t in docx.Document(release).tables for r in t.rows for c in r.cells]
    assert "周经理" in cells and "30.00 元" in cells, cells


# --- 5. a callback or a reply promised for today is on the morning's list -------------------


def test_callbacks_and_replies_due_today_are_on_the_morning_list(tmp_path: Path):
    """Tue 10-13 16:50 钱女士 left a message for 李娜, best called back Wed 10:00; at 10:00
    北京宏达物流 complained at the counter and 王磊 promised an answer by Wed 17:00. Both
    fall due on Wednesday: the 08:00 list must name them (before, they reached it only
    once missed, under 逾期事项). Thursday's list no longer has them in that table: the
    callback was made, the reply is overdue and listed as such."""
    home = init(tmp_path / "car", "car")
    messages = [["留言编号", "来电时间", "来电人", "联系电话", "被找人员", "基本需求", "最佳回电时间", "回电时间", "处理人"],
                ["LY01", "2026-10-13 16:50", "钱女士", "13322223333", "李娜", "咨询更换轮胎", "2026-10-14 10:00", None,
                 "李娜"]]
    complaints = [["投诉单号", "受理时间", "客户名称", "车牌号", "联系电话", "投诉方式", "投诉内容", "当场答复",
                   "约定答复时间", "答复时间", "责任人"],
                  ["TS01", "2026-10-13 10:00", "北京宏达物流有限公司", "京B67890", "13998765432", "上门",
                   "挂账结算单金额与报价不一致", "否", "2026-10-14 17:00", None, "王磊"]]
    process(home, write_xlsx(home / "inbox" / "留言.xlsx", {"来电留言": messages}), "2026-10-13T17:00")
    process(home, write_xlsx(home / "inbox" / "投诉.xlsx", {"投诉": complaints}), "2026-10-13T17:05")
    book, _ = _report(home, "car_daily", "--date", "2026-10-14", now="2026-10-14T08:00")
    rows = {r[1]: r for r in book["今日答复"].iter_rows(min_row=4, values_only=True) if r and r[1]}
    assert set(rows) == {"LY01", "TS01"}, rows
    assert rows["LY01"][2:] == ("钱女士", "133****3333", "咨询更换轮胎", datetime(2026, 10, 14, 10, 0), "李娜")
    assert rows["TS01"][2:] == ("北京宏达物流有限公司", "139****5432", "挂账结算单金额与报价不一致",
                                datetime(2026, 10, 14, 17, 0), "王磊")
    messages[1][7] = "2026-10-14 09:40"
    process(home, write_xlsx(home / "inbox" / "留言.xlsx", {"来电留言": messages}), "2026-10-14T12:00")
    book, _ = _report(home, "car_daily", "--date", "2026-10-15", now="2026-10-15T08:00")
    assert [r for r in book["今日答复"].iter_rows(min_row=4, values_only=True) if r and r[1]] == []
    assert [r[1] for r in book["逾期事项"].iter_rows(values_only=True) if r and r[1] not in (None, "编号")] == ["TS01"]


# --- 6. the monthly sheet per service advisor counts the 委托书 the fine notice counts -------


def test_the_advisor_sheet_counts_the_repair_orders_the_notice_counts(tmp_path: Path):
    """September: 李娜 opened one 委托书 for a repair (WE01, complete) and saw 周强's 速腾 for a
    check only (WE02, 是否进厂 否: no 进厂维修委托书 is opened, it is counted apart as
    只诊断估价). Her 委托书差错通报 for September says one 委托书; the monthly report's
    服务顾问 sheet must say one too, not two."""
    home = init(tmp_path / "car", "car")
    head = [*ORDER_HEAD, "诊断估价费"]
    check_only = order(委托书号="WE02", 车牌号="京F55555", 客户名称="周强", 服务顾问="李娜", 是否进厂="否",
                       进车间时间=None, 车间接车人=None, 预计完工时间=None, 接车时间="2026-09-30 16:00",
                       交车时间="2026-09-30 16:40", 结算金额=80, 实收金额=80, 付款方式="现金")
    rows = [head, [*_delivered("WE01", "京C11111", "2026-09-29", "2026-10-08 10:00", 服务顾问="李娜"), None],
            [*check_only, 80]]
    process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": rows}), "2026-09-30T18:00")
    book, _ = _report(home, "car_monthly", "--month", "2026-09", now="2026-10-08T09:00")
    sheet = {r[0]: r[1:] for r in book["服务顾问"].iter_rows(min_row=4, values_only=True) if r and r[0]}
    assert sheet["李娜"][:3] == (1, 0, 0), sheet
    assert _kpis(book)["只诊断估价台次"][0] == 1


# --- 7. the 出厂通知单 says “经质量检验” only when a 质检员 checked the car -------------------


def _release_text(home: Path, number: str) -> str:
    (path,) = sorted((home / "outbox" / "文书草稿").glob(f"*出厂通知单_{number}.docx"))
    return "\n".join(p.text for p in docx.Document(path).paragraphs)


def test_the_release_claims_a_quality_check_only_when_one_was_made(tmp_path: Path):
    """Thu 10-08 16:30 the 结算员 settles 刘洋's 雅阁 (WG01) before 质检 has signed the car off
    (质检员 blank). The 出厂通知单 must not tell the customer the car “经质量检验”: it says the
    repair is finished. 刘强 checks the car at 16:45 and the row is saved again: the release,
    still a draft, is drafted anew with the check."""
    home = init(tmp_path / "car", "car")
    row = _delivered("WG01", "京D22222", "2026-10-08", None, 客户名称="刘洋", 质检员=None, 交车时间=None)
    process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": [ORDER_HEAD, row]}), "2026-10-08T16:30")
    text = _release_text(home, "WG01")
    assert "已维修完工，结算如下" in text and "质量检验" not in text, text
    row[ORDER_HEAD.index("质检员")] = "刘强"
    process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": [ORDER_HEAD, row]}), "2026-10-08T16:50")
    assert "已维修完工并经质量检验，结算如下" in _release_text(home, "WG01")


# --- 8. last month's notice names its month, not “本月” --------------------------------------


def test_the_notice_issued_in_october_names_septembers_deductions_as_septembers(tmp_path: Path):
    """李娜 missed the safety training on Wed 09-30 (20 points). Her notice for September is
    drafted at the first run in October (Thu 10-08, after the holiday) and dated that day:
    it must call the deductions September's, not “本月” (October, by its date)."""
    home = init(tmp_path / "car", "car")
    safety = [["考核日期", "员工", "岗位", "违规项", "检查人"],
              ["2026-09-30", "李娜", "服务顾问", "不参加安全学习培训活动", "陈刚"]]
    process(home, write_xlsx(home / "inbox" / "安全考核.xlsx", {"安全考核": safety}), "2026-09-30T18:00")
    safety.append(["2026-10-08", "王磊", "服务顾问", "未经允许驾驶维修车辆", "陈刚"])  # the next save, in October
    process(home, write_xlsx(home / "inbox" / "安全考核.xlsx", {"安全考核": safety}), "2026-10-08T18:00")
    (path,) = sorted((home / "outbox" / "文书草稿").glob("*李娜@2026-09.docx"))
    text = "\n".join(p.text for p in docx.Document(path).paragraphs)
    assert "2026年9月安全考核扣分" in text and "本月" not in text, text
