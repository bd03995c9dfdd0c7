"""Dealer pack, QA round 8: a member's sales typed larger than its whole market, and more
found while working two weeks across the September/October boundary and the National Day
holiday. Registers filled as staff fill them, processed, the outputs opened."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
from car_fixtures import dealer_home  # noqa: F401 (the fixture "home")
from test_dealer_pipeline import MEMBERS, cli, docx_text, fill, process
from test_dealer_qa5 import COUNTIES, monthly, rows_of

from toolkit.blank import HEADER_ROW
from toolkit.outbox import drain
from toolkit.pipeline import open_context
from toolkit.scheduler import sweep_deadlines
from toolkit.workspace import Workspace


def _comment(home: Path, register: str, member: str, column: str) -> str:
    copy = sorted((home / "outbox" / "退回批注").glob(f"{register}-问题批注-*.xlsx"))[-1]
    sheet = openpyxl.load_workbook(copy)[register]
    header = [c.value for c in sheet[HEADER_ROW]]
    row = next(r for r in sheet.iter_rows(min_row=HEADER_ROW + 1) if r[header.index("成员编号")].value == member)
    c = row[header.index(column)].comment
    return c.text if c else ""


def save_october_visits(home: Path) -> None:
    """Counties and members on 10-01; in October M01 visited (10-12) and called (10-13),
    M02 only called (10-27), saved 10-30 17:00."""
    process(home, fill(home, "县级市场登记", COUNTIES), "2026-10-01T09:00")
    process(home, fill(home, "联销体成员登记", MEMBERS), "2026-10-01T09:00")
    october = [{"日期": date(2026, 10, 12), "业务员": "王强", "成员编号": "M01", "方式": "走访"},
               {"日期": date(2026, 10, 13), "业务员": "王强", "成员编号": "M01", "方式": "电话调度"},
               {"日期": date(2026, 10, 27), "业务员": "王强", "成员编号": "M02", "方式": "电话调度"}]
    process(home, fill(home, "联销体成员走访记录", october), "2026-10-30T17:00")


def test_sales_larger_than_the_whole_market_is_sent_back_not_called_normal(home: Path):
    """September: M02 sold 9,000 of a 12,000 market, typed 90,000 (a zero too many): 750 %
    of its market, which it is part of, cannot be. The salesperson is asked on the 销量
    cell to correct it; the monthly statistics do not call it 正常, and 徐州华联商贸's
    coverage (7,800 + 90,000 = 97,800 of 32,000) is not called 达标 on it. Saved again
    with 9,000: 75.00 %, 正常, and (7,800 + 9,000) ÷ 32,000 = 52.50 %, below 80 %."""
    process(home, fill(home, "县级市场登记", COUNTIES), "2026-10-08T09:00")
    process(home, fill(home, "联销体成员登记", MEMBERS), "2026-10-08T09:00")
    process(home, fill(home, "一级经销商月销量", [{"月份": "2026-09", "一级经销商": "徐州华联商贸", "一级销量": 32000}]),
            "2026-10-08T09:00")
    rows = [{"月份": "2026-09", "成员编号": "M01", "销量": 7800, "所在市场销量": 10000, "填报业务员": "王强"},
            {"月份": "2026-09", "成员编号": "M02", "销量": 90000, "所在市场销量": 12000, "填报业务员": "王强"}]
    result = process(home, fill(home, "二级客户进货统计表", rows), "2026-10-08T10:00")
    over = [f for f in result["findings"] if f["rule"] == "jsb.share_over"]
    assert [f["record"] for f in over] == ["2026-09|M02"], result["findings"]
    assert "90,000.00" in over[0]["message"] and "12,000.00" in over[0]["message"]
    assert "填报业务员王强" in _comment(home, "二级客户进货统计表", "M02", "销量")
    _, book = monthly(home, "2026-09", "2026-10-08T11:00")
    stats = {r[0]: r for r in rows_of(book, "进货统计") if str(r[0]).startswith("M0")}
    assert stats["M02"][-1] == "销量大于所在市场销量（请核对）"
    primary = {r[0]: r for r in rows_of(book, "一级经销商") if r[0] == "徐州华联商贸"}
    assert primary["徐州华联商贸"][-1] == "成员销量有误，待核对"
    assert any(r[0] == "销量大于市场销量" and r[1] == "2026-09|M02" for r in rows_of(book, "登记待改正"))

    rows[1]["销量"] = 9000
    result = process(home, fill(home, "二级客户进货统计表", rows), "2026-10-09T10:00")
    assert [f["status"] for f in result["findings"] if f["rule"] == "jsb.share_over"] == ["resolved"]
    _, book = monthly(home, "2026-09", "2026-10-09T11:00")
    stats = {r[0]: r for r in rows_of(book, "进货统计") if str(r[0]).startswith("M0")}
    assert stats["M02"][-2:] == ("75.00%", "正常")
    primary = {r[0]: r for r in rows_of(book, "一级经销商") if r[0] == "徐州华联商贸"}
    assert primary["徐州华联商贸"][2:] == (16800, 32000, "52.50%", "未达到 80%")


WEEKLY = "联销体成员走访一览表"


def test_the_monthly_fines_list_holds_the_fines_of_its_month(home: Path):
    """王强 sent the W39 list (due Mon 09-28) on 09-29: 50 元, charged in September. The W40
    list was due Mon 10-05, a National Day holiday, so Thu 10-08; sent 10-09: 50 元, in
    October. September's own list (due 10-05 → 10-08) came in on 10-08: on time. Each
    month's 报表与罚款 sheet lists that month's fine only, so it adds up to the pay table's
    本月罚款 (50.00 each month) and to the headline; October's does not repeat September's."""
    process(home, fill(home, "县级市场登记", COUNTIES), "2026-09-21T09:00")
    process(home, fill(home, "联销体成员登记", MEMBERS), "2026-09-21T09:00")
    log = [{"业务员": "王强", "报表": WEEKLY, "期间": f"2026-W{n}", "实报日期": d}
           for n, d in ((36, date(2026, 9, 7)), (37, date(2026, 9, 14)), (38, date(2026, 9, 21)), (39, date(2026, 9, 29)),
                        (40, date(2026, 10, 9)), (41, date(2026, 10, 12)), (42, date(2026, 10, 19)),
                        (43, date(2026, 10, 26)), (44, date(2026, 11, 2)))]
    log.append({"业务员": "王强", "报表": "二级客户进货统计表", "期间": "2026-09", "实报日期": date(2026, 10, 8)})
    log.append({"业务员": "王强", "报表": "二级客户进货统计表", "期间": "2026-10", "实报日期": date(2026, 11, 4)})
    process(home, fill(home, "报表上报登记", log), "2026-11-04T09:00")
    pay = [{"月份": m, "业务员": "王强", "基本工资": 2000} for m in ("2026-09", "2026-10")]
    process(home, fill(home, "业务员工资考核表", pay), "2026-11-04T09:10")
    for month, period in (("2026-09", "2026-W39"), ("2026-10", "2026-W40")):
        made, book = monthly(home, month, "2026-11-05T09:00")
        listed = [r for r in rows_of(book, "报表与罚款")[3:] if r[0] != "合计"]
        assert [r[1] for r in listed] == [f"王强|{WEEKLY}|{period}"], (month, listed)
        [wang] = [r for r in rows_of(book, "工资考核") if r[0] == "王强"]
        assert wang[9] == 50 and wang[-1] == 2000 * 0.7 + 2000 * 0.3 * 2 / 2 + 500 - 50
        heads = {h["label"]: h["value"] for h in made["headline"]}
        assert heads["罚款计入奖励基金（元）"] == "50.00"


def test_a_member_cancelled_in_the_month_is_shown_so_not_as_still_running_below(home: Path):
    """M01 sold under 70 % in July, August and September and was cancelled on 10-12; its
    October row (sent with the others) is shown as 已取消 in October's statistics, not as
    "连续 4 个月低于 70%", which reads as a member still to be dealt with."""
    process(home, fill(home, "县级市场登记", COUNTIES), "2026-10-01T09:00")
    gone = {**MEMBERS[0], "状态": "已取消", "取消日期": date(2026, 10, 12), "取消原因": "连续三个月销量低于70%"}
    process(home, fill(home, "联销体成员登记", [gone, MEMBERS[1]]), "2026-10-12T09:00")
    rows = [{"月份": m, "成员编号": "M01", "销量": 2000, "所在市场销量": 10000, "填报业务员": "王强"}
            for m in ("2026-07", "2026-08", "2026-09", "2026-10")]
    rows += [{"月份": m, "成员编号": "M02", "销量": 8000, "所在市场销量": 10000, "填报业务员": "王强"}
             for m in ("2026-07", "2026-08", "2026-09", "2026-10")]
    process(home, fill(home, "二级客户进货统计表", rows), "2026-11-04T09:00")
    _, book = monthly(home, "2026-10", "2026-11-05T09:00")
    stats = {r[0]: r for r in rows_of(book, "进货统计") if str(r[0]).startswith("M0")}
    assert stats["M01"][-1] == "已取消（2026-10-12）"
    assert stats["M02"][-1] == "正常"


def test_a_week_across_the_month_end_lists_the_month_just_ended(home: Path):
    """W44 runs 10-26…11-01. In October M01 was visited and called; M02 only called. The
    list sent on Mon 11-02 is the last weekly list with October's days: it names M02 as
    still lacking October's visit (the month is over: not made up), and shows November,
    one day old, apart (both members lack both, as the month has just begun)."""
    save_october_visits(home)
    code, out = cli("report", "jsb_weekly", "--home", str(home), "--week", "2026-W44", "--now", "2026-11-02T09:00",
                    "--json")
    assert code == 0, out
    made = json.loads(out)
    book = openpyxl.load_workbook(made["outputs"][0])
    pending = [r for r in rows_of(book, "本月未走访")[3:]]
    assert [(r[0], r[2], r[-1]) for r in pending] == [
        ("2026年10月", "M02", "走访"), ("2026年11月", "M01", "走访、电话调度"), ("2026年11月", "M02", "走访、电话调度")]
    heads = {h["label"]: h["value"] for h in made["headline"]}
    assert heads["本周走访记录"] == "1" and heads["2026年10月未补齐"] == "1" and heads["本月尚缺"] == "2"


def _sweep(home: Path, now: str) -> None:
    ctx = open_context(Workspace(home))
    try:
        sweep_deadlines(ctx, datetime.fromisoformat(now))
        drain(ctx.ws, ctx.ledger)
    finally:
        ctx.close()


def _overdue(home: Path) -> list[tuple[int, int]]:
    from sqlalchemy import select

    from toolkit.ruleset.store import rule_findings as t

    ctx = open_context(Workspace(home))
    try:
        with ctx.ledger.engine.connect() as conn:
            found = [json.loads(r.values_json) for r in conn.execute(select(t.c.values_json).where(
                t.c.rule == "contract.overdue", t.c.is_open.is_(True)))]
            return [(v["tier"], v["days_overdue"]) for v in found]
    finally:
        ctx.close()


def test_a_payment_due_on_national_day_is_due_on_the_next_working_day(home: Path):
    """GW-02's second installment, 50,000, falls due on 10-01, National Day: the payer can
    pay on the first working day, Thu 10-08 (民法典 第二百零三条, as the pack's report
    deadlines do). No 付款提醒函 during the holiday; on 10-09 it is 1 day overdue and the
    letter says the date moved. The 30th day is then Sat 11-07, a rest day, so the 30 days
    end on Mon 11-09, a day the client may still pay (seed 000 第三篇 5(2): 逾期30天仍不能
    支付): no 违约通知书 on 10-31, 11-07 or 11-09, one on Tue 11-10 (33 days)."""
    contract = {"合同编号": "GW-02", "合同类型": "物业服务顾问协议", "甲方": "徐州彭城置业有限公司", "乙方": "某某物业顾问有限公司",
                "签订日期": date(2026, 6, 1), "委托费用": 150000, "违约金": 30000, "状态": "生效"}
    process(home, fill(home, "合同登记", [contract]), "2026-09-30T09:00")
    pay = [{"合同编号": "GW-02", "期次": 2, "应付日期": date(2026, 10, 1), "应付金额": 50000}]
    process(home, fill(home, "合同收款登记", pay), "2026-10-02T09:00")
    assert _overdue(home) == []
    _sweep(home, "2026-10-08T18:00")
    assert _overdue(home) == []
    _sweep(home, "2026-10-09T09:00")
    assert _overdue(home) == [(1, 1)]
    (letter,) = (home / "outbox" / "文书草稿").glob("*付款提醒函*.docx")
    text = docx_text(letter)
    assert "应于2026年10月1日（适逢法定节假日，顺延至2026年10月8日）支付" in text and "已逾期1天" in text, text
    for now in ("2026-10-31T09:00", "2026-11-07T09:00", "2026-11-09T18:00"):
        _sweep(home, now)
        assert [tier for tier, _ in _overdue(home)] == [1], now
    assert not list((home / "outbox" / "文书草稿").glob("*违约通知书*.docx"))
    _sweep(home, "2026-11-10T09:00")
    assert _overdue(home) == [(2, 33)]
    (breach,) = (home / "outbox" / "文书草稿").glob("*违约通知书*.docx")
    assert "已逾期33天" in docx_text(breach)


def test_a_card_in_its_ten_day_grace_is_counted_as_ending_soon(home: Path):
    """October's club report, made on 11-01: 李明's policy ended 10-31, his membership runs
    to 11-10 (+10 days) and he can still renew into it: he is among the memberships ending
    within 30 days, with 王芳 (policy to 11-20). 张伟 (policy to 2027-03-01) is not."""
    card = {"所属支公司": "泉山支公司", "会员类型": "普通会员", "入会申请日期": date(2025, 11, 2)}
    cards = [{**card, "会员卡号": "P-1", "车牌号": "苏C22222", "会员姓名": "李明", "保单号": "P1",
              "保险起期": date(2025, 11, 1), "保险止期": date(2026, 10, 31)},
             {**card, "会员卡号": "P-2", "车牌号": "苏C33333", "会员姓名": "王芳", "保单号": "P2",
              "保险起期": date(2025, 11, 21), "保险止期": date(2026, 11, 20)},
             {**card, "会员卡号": "P-3", "车牌号": "苏C44444", "会员姓名": "张伟", "保单号": "P3",
              "保险起期": date(2026, 3, 2), "保险止期": date(2027, 3, 1)}]
    process(home, fill(home, "俱乐部会员登记", cards), "2026-10-20T09:00")
    code, out = cli("report", "club_monthly", "--home", str(home), "--month", "2026-10", "--now", "2026-11-01T09:00",
                    "--json")
    assert code == 0, out
    book = openpyxl.load_workbook(json.loads(out)["outputs"][0])
    [row] = [r for r in rows_of(book, "汇总") if r[0] == "泉山支公司"]
    assert row[3:6] == (3, 2, 0), row  # 有效会员, 30天内到期, 已失效
    status = {r[0]: r[-1] for r in rows_of(book, "泉山支公司")}
    assert status["P-1"] == status["P-2"] == "即将到期" and status["P-3"] == "有效"


def test_a_months_cancellations_stay_in_its_report_once_carried_out(home: Path):
    """September: M01 below 70 % for the third month running, M02 bought 3,000 from another
    一级. The report made on 10-08 says 取消资格 2. The region cancels both on 10-12. The
    same September report made again on 11-05 still says 2, each row 取消资格 (with the
    day it was carried out), M02's row not 正常 beside its 3,000 bought elsewhere. A
    November 虚报 is not listed in September's 报表与罚款."""
    process(home, fill(home, "县级市场登记", COUNTIES), "2026-10-08T09:00")
    process(home, fill(home, "联销体成员登记", MEMBERS), "2026-10-08T09:00")
    rows = [{"月份": m, "成员编号": "M01", "销量": 5000, "所在市场销量": 10000, "填报业务员": "王强"}
            for m in ("2026-07", "2026-08", "2026-09")]
    rows += [{"月份": m, "成员编号": "M02", "销量": 8000, "所在市场销量": 10000, "填报业务员": "王强",
              "其他渠道进货额": 3000 if m == "2026-09" else 0} for m in ("2026-07", "2026-08", "2026-09")]
    process(home, fill(home, "二级客户进货统计表", rows), "2026-10-08T10:00")
    made, book = monthly(home, "2026-09", "2026-10-08T11:00")
    assert {h["label"]: h["value"] for h in made["headline"]}["取消资格（本月考核提出）"] == "2"
    gone = [{**m, "状态": "已取消", "取消日期": date(2026, 10, 12), "取消原因": why}
            for m, why in zip(MEMBERS, ("连续三个月销量低于70%", "从其他一级经销商处进货"), strict=True)]
    process(home, fill(home, "联销体成员登记", gone), "2026-10-12T09:00")
    log = [{"业务员": "王强", "报表": WEEKLY, "期间": "2026-W45", "实报日期": date(2026, 11, 9), "虚报": "是",
            "核查人": "张经理"}]
    process(home, fill(home, "报表上报登记", log), "2026-11-10T09:00")
    made, book = monthly(home, "2026-09", "2026-11-05T09:00")
    assert {h["label"]: h["value"] for h in made["headline"]}["取消资格（本月考核提出）"] == "2"
    stats = {r[0]: r[-1] for r in rows_of(book, "进货统计") if str(r[0]).startswith("M0")}
    assert stats == {"M01": "取消资格（2026-10-12 已取消）", "M02": "取消资格（2026-10-12 已取消）"}
    _, book = monthly(home, "2026-09", "2026-11-10T10:00")
    assert not [r for r in rows_of(book, "报表与罚款")[3:] if r[0] == "报表虚报"]
    _, book = monthly(home, "2026-11", "2026-11-10T10:00")
    assert [r[1] for r in rows_of(book, "报表与罚款")[3:] if r[0] == "报表虚报"] == [f"王强|{WEEKLY}|2026-W45"]


def test_a_dealer_not_yet_in_the_body_is_not_cancelled_nor_rewarded(home: Path):
    """M06 is 拟发展 (agreement not signed): 王强 records what it bought anyway, July to
    December, 20 % of its market each month and 3,000 from another 一级 in September. It is
    not a member, so nothing is cancelled (no 取消通知书) and no half-year reward is drafted.
    M07 joined on 09-10: its July and August (before it joined, 20 %) do not make September
    (20 %) its third month running below 70 %."""
    process(home, fill(home, "县级市场登记", COUNTIES), "2026-07-01T09:00")
    m06 = {**MEMBERS[1], "成员编号": "M06", "经销商名称": "沛县聚丰商行", "协议签订日期": None, "入会日期": None,
           "铜牌编号": None, "状态": "拟发展"}
    m07 = {**MEMBERS[1], "成员编号": "M07", "经销商名称": "沛县兴隆副食", "协议签订日期": date(2026, 9, 8),
           "入会日期": date(2026, 9, 10), "铜牌编号": "T-007"}
    process(home, fill(home, "联销体成员登记", [MEMBERS[0], m06, m07]), "2026-07-01T09:00")
    months = ("2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12")
    rows = [{"月份": m, "成员编号": mid, "销量": 2000, "所在市场销量": 10000, "填报业务员": "王强",
             "其他渠道进货额": 3000 if (mid, m) == ("M06", "2026-09") else 0} for mid in ("M06", "M07")
            for m in months[:3]]
    result = process(home, fill(home, "二级客户进货统计表", rows), "2026-10-08T09:00")
    cancels = [(f["rule"], f["record"]) for f in result["findings"] if f["rule"].startswith("jsb.cancel")]
    assert cancels == [], cancels
    assert not list((home / "outbox" / "文书草稿").glob("*联销体成员资格取消通知书*"))
    rows += [{"月份": m, "成员编号": mid, "销量": 8000, "所在市场销量": 10000, "填报业务员": "王强"}
             for mid in ("M06", "M07") for m in months[3:]]
    result = process(home, fill(home, "二级客户进货统计表", rows), "2027-01-06T09:00")
    rewards = [f["record"] for f in result["findings"] if f["rule"] == "jsb.reward"]
    assert rewards == ["2026-H2|M07"], rewards
    _, book = monthly(home, "2026-09", "2027-01-06T10:00")
    stats = {r[0]: r[-1] for r in rows_of(book, "进货统计") if str(r[0]).startswith("M0")}
    assert stats["M06"] == "尚未入会（不考核）" and stats["M07"] == "连续 1 个月低于 70%", stats
    code, out = cli("report", "jsb_half_year", "--home", str(home), "--month", "2026-12", "--now", "2027-01-10T09:00",
                    "--json")
    assert code == 0, out
    half = openpyxl.load_workbook(json.loads(out)["outputs"][0])
    got = {r[0]: (r[-4], r[-3], r[-1]) for r in rows_of(half, "半年奖励") if str(r[0]).startswith("M0")}
    # M07: 2,000 × 3 + 8,000 × 3 = 30,000 × 4 ‰ = 120.00
    assert got["M06"] == (30000, None, "拟发展（不发奖励）") and got["M07"] == (30000, 120, "正式成员"), got


def test_a_report_nobody_logged_is_said_overdue_before_it_becomes_missing(home: Path):
    """李娜's W39 list (09-21…09-27) was due Mon 09-28; by Wed 09-30 no row for it is in
    报表上报登记. She can still send it late (50 元) until its missing limit, which the
    National Day holiday moves to Thu 10-08 (the W40 list's day): on 09-30 she is told so
    (report_late, overdue, nothing charged yet), not first on 10-09 with a 200 元 漏报."""
    counties = [{**c, "责任业务员": "李娜"} for c in COUNTIES]
    process(home, fill(home, "县级市场登记", counties), "2026-09-21T09:00")
    process(home, fill(home, "联销体成员登记", MEMBERS), "2026-09-21T09:00")
    log = [{"业务员": "李娜", "报表": WEEKLY, "期间": f"2026-W{n}", "实报日期": d}
           for n, d in ((36, date(2026, 9, 7)), (37, date(2026, 9, 14)), (38, date(2026, 9, 21)))]
    result = process(home, fill(home, "报表上报登记", log), "2026-09-30T09:00")
    owed = [f for f in result["findings"] if f["record"] == f"李娜|{WEEKLY}|2026-W39"]
    assert [(f["rule"], f["status"]) for f in owed] == [("jsb.report_late", "overdue")], result["findings"]
    assert "2026-10-08" in owed[0]["message"] and "50.00" in owed[0]["message"] and "200.00" in owed[0]["message"]
    pay = [{"月份": "2026-09", "业务员": "李娜", "基本工资": 2000}]
    result = process(home, fill(home, "业务员工资考核表", pay), "2026-09-30T09:10")
    [p] = [f for f in result["findings"] if f["rule"] == "jsb.pay"]
    assert "扣款 0.00" in p["message"], p["message"]  # not charged while it may still come in
