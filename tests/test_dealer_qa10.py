"""Dealer pack, QA round 10: each report's headline on the first sheet of the workbook a
manager opens, totals that add up to it, and sheets that say what their emptiness means.
Registers filled as staff fill them, processed, reports made with the CLI and the .xlsx
opened with openpyxl, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from car_fixtures import dealer_home  # noqa: F401 (the fixture "home")
from test_dealer_pipeline import MEMBERS, cli, fill, process
from test_dealer_qa5 import COUNTIES, monthly, rows_of
from test_dealer_qa8 import save_october_visits

BOTH = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
WEEKLY = "联销体成员走访一览表"



def report(home: Path, name: str, now: str, *args: str) -> tuple[dict[str, Any], openpyxl.Workbook]:
    code, out = cli("report", name, "--home", str(home), "--now", now, "--json", *args)
    assert code == 0, out
    made = json.loads(out)
    return made, openpyxl.load_workbook(next(o for o in made["outputs"] if o.endswith(".xlsx")))


def overview(book: openpyxl.Workbook) -> dict[str, tuple[Any, Any, str]]:
    """The 概要 sheet, which must be the first: 项目 → (数量, 金额（元）, 说明)."""
    sheet = book.worksheets[0]
    assert sheet.title == "概要"
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows[0] == ("项目", "数量", "金额（元）", "说明")
    return {r[0]: (r[1], r[2], r[3]) for r in rows[1:] if r[0]}


def _member(mid: str, county: str, **changes: Any) -> dict[str, Any]:
    return {**MEMBERS[0], "成员编号": mid, "经销商名称": f"{county}{mid}商行", "县市": county, "铜牌编号": f"T-{mid}",
            **changes}


@BOTH
def test_the_monthly_workbook_opens_on_its_headline(home: Path):
    """October 2026. Members at 09-30: M01, M02 (since March), M04, M05 (丰县, since March)
    = 4. In October M03 joins (10-20), M05 is cancelled (10-12), M04 withdraws (10-25): at
    10-31 M01, M02, M03 = 3 = 4 + 1 − 1 − 1. M02 sold 60 % of its market in August,
    September and October: the third month below 70 %, 取消资格（本月考核提出） 1. 睢宁县
    has had no member since 09-01: 空白市场 1. 王强 sent the W40 list (due 10-05, a
    holiday, so 10-08) on 10-09: 50 元, the only fine of October, taken from his October
    pay: 罚款计入奖励基金 50.00, 罚款未扣 0.00. The workbook's first sheet says all of it,
    with the JSON's figures, and the pay table's 合计 扣款 is the same 50."""
    process(home, fill(home, "县级市场登记", [*COUNTIES, {**COUNTIES[0], "县市": "睢宁县",
                                                          "空白起始日期": date(2026, 9, 1)}]), "2026-09-21T09:00")
    members = [*MEMBERS, _member("M04", "丰县", 状态="已退出", 取消日期=date(2026, 10, 25), 取消原因="主动退出"),
               _member("M05", "丰县", 状态="已取消", 取消日期=date(2026, 10, 12), 取消原因="违规经营"),
               _member("M03", "沛县", 协议签订日期=date(2026, 10, 15), 入会日期=date(2026, 10, 20))]
    process(home, fill(home, "联销体成员登记", members), "2026-10-26T09:00")
    sales = [{"月份": m, "成员编号": "M02", "销量": 6000, "所在市场销量": 10000, "进货额": 12000, "填报业务员": "王强"}
             for m in ("2026-08", "2026-09", "2026-10")]
    sales += [{"月份": "2026-10", "成员编号": mid, "销量": 8000, "所在市场销量": 10000, "进货额": 16000,
               "填报业务员": "王强"} for mid in ("M01", "M03")]
    process(home, fill(home, "二级客户进货统计表", sales), "2026-11-04T09:00")
    log = [{"业务员": "王强", "报表": WEEKLY, "期间": f"2026-W{n}", "实报日期": d}
           for n, d in ((36, date(2026, 9, 7)), (37, date(2026, 9, 14)), (38, date(2026, 9, 21)),
                        (39, date(2026, 9, 28)), (40, date(2026, 10, 9)), (41, date(2026, 10, 12)),
                        (42, date(2026, 10, 19)), (43, date(2026, 10, 26)), (44, date(2026, 11, 2)))]
    log += [{"业务员": "王强", "报表": "二级客户进货统计表", "期间": m, "实报日期": d}
            for m, d in (("2026-09", date(2026, 10, 8)), ("2026-10", date(2026, 11, 4)))]
    process(home, fill(home, "报表上报登记", log), "2026-11-04T09:00")
    pay = [{"月份": m, "业务员": "王强", "基本工资": 2000, "辖区县数": 3, "有成员县数": 2} for m in ("2026-09", "2026-10")]
    process(home, fill(home, "业务员工资考核表", pay), "2026-11-04T09:10")
    made, book = monthly(home, "2026-10", "2026-11-05T09:00")
    head = overview(book)
    expected = {"联销体成员（月末）": (3, None), "本月入会": (1, None), "取消资格（本月已办理）": (1, None),
                "本月退出": (1, None), "取消资格（本月考核提出）": (1, None), "空白市场（县）": (1, None),
                "罚款计入奖励基金（元）": (None, 50), "罚款未扣（元）": (None, 0)}
    assert {k: v[:2] for k, v in head.items()} == expected
    assert head["联销体成员（月末）"][2].startswith("上月末 4 家")
    # The same figures as the JSON (and the command's summary), in the same order.
    assert [h["label"] for h in made["headline"]] == list(expected)
    assert made["headline"][0]["before"] == "4"
    # The pay table adds up, and its 扣款 is the headline's fine.
    [total] = [r for r in rows_of(book, "工资考核") if r[0] == "合计"]
    assert total[10] == 50 and total[9] == 50
    # 2000 × 70 % + 2000 × 30 % × 2/3 + 500 − 50 = 2250
    assert total[-1] == 2250


@BOTH
def test_the_fines_sheet_gives_each_fine_and_adds_up_to_the_pay_table(home: Path):
    """Both salesmen's weekly lists are due from W40 (the body's first listed period is
    the October statistics' month; W40–W42, due 10-08, 10-12, 10-19, never came: 3 漏报 of
    200 元 each, settled in October, which has no pay row). November: 王强 sent the October
    statistics (due 11-05) on 11-07, 50 元; his W45 list (due 11-09) never came, 漏报 200
    元 from 11-17; 李军 sent W45 on 11-10, 50 元. Each fine stands in its own column,
    本月计入罚款（元）; October's 600 each, which November's pay takes, are listed as
    以前月份罚款补扣. 合计 250 + 50 + 600 + 600 = 1,500 = the pay table's 本月罚款 合计
    (850 + 650). The W47 list due 11-23, not in by 11-24, is not yet a fine: listed without
    a figure. Money columns say 元."""
    counties = [{**COUNTIES[0]}, {**COUNTIES[1], "责任业务员": "李军"}]
    process(home, fill(home, "县级市场登记", counties), "2026-11-02T09:00")
    process(home, fill(home, "联销体成员登记", MEMBERS), "2026-11-02T09:00")
    log = [{"业务员": "王强", "报表": "二级客户进货统计表", "期间": "2026-10", "实报日期": date(2026, 11, 7)},
           {"业务员": "李军", "报表": "二级客户进货统计表", "期间": "2026-10", "实报日期": date(2026, 11, 5)}]
    log += [{"业务员": who, "报表": WEEKLY, "期间": f"2026-W{n}", "实报日期": d}
            for who, n, d in (("王强", 43, date(2026, 10, 26)), ("王强", 44, date(2026, 11, 2)),
                              ("王强", 46, date(2026, 11, 16)), ("李军", 43, date(2026, 10, 26)),
                              ("李军", 44, date(2026, 11, 2)), ("李军", 45, date(2026, 11, 10)),
                              ("李军", 46, date(2026, 11, 16)), ("李军", 47, date(2026, 11, 23)))]
    process(home, fill(home, "报表上报登记", log), "2026-11-24T09:00")
    pay = [{"月份": "2026-11", "业务员": who, "基本工资": 2000, "辖区县数": 1, "有成员县数": 1} for who in ("王强", "李军")]
    process(home, fill(home, "业务员工资考核表", pay), "2026-11-24T09:10")
    _, book = monthly(home, "2026-11", "2026-11-24T10:00")
    rows = rows_of(book, "报表与罚款")
    assert rows[2] == ("事项", "记录", "情况", "本月计入罚款（元）")
    fines = {r[1]: r[3] for r in rows[3:-1]}
    assert fines == {"王强|二级客户进货统计表|2026-10": 50, f"王强|{WEEKLY}|2026-W45": 200,
                     f"李军|{WEEKLY}|2026-W45": 50, f"王强|{WEEKLY}|2026-W47": None,
                     "2026-10|王强": 600, "2026-10|李军": 600}
    assert rows[-1][0] == "合计" and rows[-1][3] == 1500
    pay_rows = {r[0]: r for r in rows_of(book, "工资考核")[3:]}
    assert (pay_rows["王强"][9], pay_rows["李军"][9], pay_rows["合计"][9]) == (850, 650, 1500)
    assert rows_of(book, "工资考核")[1][0].startswith("金额单位：元。")
    assert rows_of(book, "进货统计")[2][3:7] == ("进货额（元）", "其他渠道进货额（元）", "销量（元）", "所在市场销量（元）")
    assert rows_of(book, "一级经销商")[2][2:4] == ("成员合计销量（元）", "一级销量（元）")


@BOTH
def test_an_empty_month_says_so_on_each_sheet(home: Path):
    """Nothing typed yet: the sheets say what is missing or that nothing is due, instead of
    a bare "（无）" under the headers."""
    _, book = monthly(home, "2026-10", "2026-11-05T09:00")
    said = {ws.title: ws.cell(4, 1).value for ws in book.worksheets[1:]}
    assert said["进货统计"] == "本月没有进货统计记录：请业务员填报二级客户进货统计表并保存到收件箱。"
    assert said["需处理事项"] == "本月没有需处理的事项。"
    assert said["报表与罚款"] == "本月没有迟报、漏报、虚报，也没有未扣的罚款。"
    assert said["工资考核"] == "本月没有工资考核记录：请销售中心填报业务员工资考核表。"
    assert "（无）" not in said.values()


CONTRACT = {"合同编号": "GW-2026-001", "合同类型": "物业服务顾问协议", "甲方": "常州金城置业有限公司",
            "乙方": "江苏恒安物业顾问有限公司", "签订日期": date(2026, 3, 1), "委托费用": 120000, "违约金": 20000,
            "状态": "履行中"}


@BOTH
def test_the_contract_workbook_opens_on_what_is_owed_and_adds_up(home: Path):
    """GW-2026-001 on 2026-12-01 09:00: instalment 2 (40,000 due 10-20, 10,000 paid) is 42
    days late, a breach: 30,000 owed; instalment 3 (40,000 due 11-30, nothing paid) is a day
    late: 40,000. Instalment 1 was paid in September and is not listed. 逾期欠款 70,000.00,
    违约 1 期, no other matter; the 应收款 合计 row: 80,000 due, 10,000 paid, 70,000 owed."""
    process(home, fill(home, "合同登记", [CONTRACT]), "2026-11-30T09:00")
    process(home, fill(home, "合同收款登记", [
        {"合同编号": "GW-2026-001", "期次": 1, "应付日期": date(2026, 9, 30), "应付金额": 40000, "实付金额": 40000,
         "实付日期": date(2026, 9, 30)},
        {"合同编号": "GW-2026-001", "期次": 2, "应付日期": date(2026, 10, 20), "应付金额": 40000, "实付金额": 10000},
        {"合同编号": "GW-2026-001", "期次": 3, "应付日期": date(2026, 11, 30), "应付金额": 40000}]), "2026-11-30T09:00")
    made, book = report(home, "contract_monthly", "2026-12-01T09:00", "--month", "2026-11")
    head = overview(book)
    assert {k: v[:2] for k, v in head.items()} == {"逾期欠款（元）": (None, 70000), "违约（期）": (1, None),
                                                   "合同事项": (0, None)}
    assert [(h["label"], h["value"]) for h in made["headline"]][:2] == [("逾期欠款（元）", "70,000.00"), ("违约（期）", "1")]
    rows = rows_of(book, "应收款")
    assert rows[2][4:7] == ("应付金额（元）", "实付金额（元）", "欠付金额（元）")
    assert [r[2] for r in rows[3:-1]] == ["2", "3"]
    assert rows[-1][0] == "合计" and rows[-1][4:7] == (80000, 10000, 70000)
    assert rows_of(book, "合同事项")[-1][0] == "没有延误的顾问阶段、未书面通知的合同解除、缺结束日期的已结束合同或未登记的合同。"


@BOTH
def test_the_half_year_workbook_opens_on_its_members_and_rewards(home: Path):
    """2026年下半年 to November: M01 sold 7,500 in each of September, October, November
    (22,500 → 4 ‰ = 90.00); M02 60 % of its market three months running (6,000 each), its
    cancellation drafted, reward held; M03, joined 11-09, sold 3,000 in November (12.00).
    Members 3 at 11-30 against 2 at 06-30; rewards 102.00; the 合计 row sums each month
    (September 13,500, October 13,500, November 16,500), the half (43,500) and the rewards,
    and leaves July and August, which nobody reported, blank."""
    members = [*MEMBERS, _member("M03", "沛县", 协议签订日期=date(2026, 11, 2), 入会日期=date(2026, 11, 9))]
    process(home, fill(home, "联销体成员登记", members), "2026-11-10T09:00")
    sales = [{"月份": m, "成员编号": mid, "销量": s, "所在市场销量": 10000, "填报业务员": "王强"}
             for m in ("2026-09", "2026-10", "2026-11") for mid, s in (("M01", 7500), ("M02", 6000))]
    sales.append({"月份": "2026-11", "成员编号": "M03", "销量": 3000, "所在市场销量": 10000, "填报业务员": "王强"})
    process(home, fill(home, "二级客户进货统计表", sales), "2026-12-03T09:00")
    made, book = report(home, "jsb_half_year", "2026-12-03T10:00", "--month", "2026-11")
    head = overview(book)
    assert {k: v[:2] for k, v in head.items()} == {"联销体成员（期末）": (3, None), "奖励合计（元）": (None, 102)}
    assert head["联销体成员（期末）"][2].startswith("期初 2 家")
    assert made["headline"][1] == {"label": "奖励合计（元）", "value": "102.00", "before": ""}
    rows = rows_of(book, "半年奖励")
    assert rows[2][9] == "奖励（4‰，元）" and "销量、奖励单位：元。" in rows[1][0]
    rewards = {r[0]: r[9] for r in rows[3:-1]}
    assert rewards == {"M01": 90, "M02": None, "M03": 12}
    assert rows[-1][0] == "合计" and rows[-1][5:10] == (13500, 13500, 16500, 43500, 102)
    assert rows[-1][3:5] == (None, None)  # July and August: nobody reported, not "0 sold"


@BOTH
def test_the_visit_list_opens_on_its_counts(home: Path):
    """W44 (10-26…11-01): M01 visited and called in October, M02 only called on 10-27. The
    list says on its first sheet: 1 record this week, 1 member short for October (over),
    2 short for November so far, as the JSON does."""
    save_october_visits(home)
    made, book = report(home, "jsb_weekly", "2026-11-02T09:00", "--week", "2026-W44")
    head = overview(book)
    assert {k: v[0] for k, v in head.items()} == {"本周走访记录": 1, "2026年10月未补齐": 1, "本月尚缺": 2}
    assert [h["label"] for h in made["headline"]] == list(head)


@BOTH
def test_the_club_summary_totals_its_branches(home: Path):
    """Two branches, one member each, both valid on 12-03; 鼓楼's VIP paid 365 for a year.
    The 汇总 sheet closes with 合计: 2 applied, 2 valid, 1 VIP, 365 owed and recorded —
    the headline's 有效会员 2."""
    club = [{"会员卡号": "GL-0001", "车牌号": "苏C66666", "会员姓名": "吴刚", "所属支公司": "鼓楼支公司",
             "会员类型": "VIP会员", "会费": 365, "会费年数": 1, "保单号": "P1", "保险起期": date(2026, 3, 1),
             "保险止期": date(2027, 2, 28), "入会申请日期": date(2026, 11, 3), "审批日期": date(2026, 11, 5)},
            {"会员卡号": "YL-0001", "车牌号": "苏C77777", "会员姓名": "钱进", "所属支公司": "云龙支公司",
             "会员类型": "普通会员", "保单号": "P2", "保险起期": date(2026, 3, 1), "保险止期": date(2027, 2, 28),
             "入会申请日期": date(2026, 11, 10)}]
    process(home, fill(home, "俱乐部会员登记", club), "2026-12-03T09:00")
    made, book = report(home, "club_monthly", "2026-12-03T10:00", "--month", "2026-11")
    assert book.worksheets[0].title == "汇总"
    rows = rows_of(book, "汇总")
    assert rows[-1] == ("合计", 2, 1, 2, 0, 0, 1, 365, 365, "相符")
    assert made["headline"] == [{"label": "有效会员", "value": "2", "before": ""}]
