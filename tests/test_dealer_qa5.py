"""Dealer pack, QA round 5: what the monthly lists ask of people who can still act, fines
that no pay row ever takes, the member count of the monthly report, and the month a fine
belongs to. Registers filled as staff fill them, processed, and the report opened."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from car_fixtures import dealer_home  # noqa: F401 (the fixture "home")
from test_dealer_pipeline import MEMBERS, cli, docx_text, fill, process

COUNTIES = [{"县市": c, "大区": "苏北大区", "责任业务员": "王强", "一级经销商": "徐州华联商贸"} for c in ("丰县", "沛县")]



def monthly(home: Path, month: str, now: str) -> tuple[dict[str, Any], openpyxl.Workbook]:
    code, out = cli("report", "jsb_monthly", "--home", str(home), "--month", month, "--now", now, "--json")
    assert code == 0, out
    made = json.loads(out)
    return made, openpyxl.load_workbook(next(o for o in made["outputs"] if o.endswith(".xlsx")))


def rows_of(book: openpyxl.Workbook, sheet: str) -> list[tuple[Any, ...]]:
    return [r for r in book[sheet].iter_rows(values_only=True) if r and any(r)]


# --- 1. a member cancelled since: its old findings leave the action lists ------------------------


def visit(day: date, member: str, how: str) -> dict[str, Any]:
    return {"日期": day, "业务员": "王强", "成员编号": member, "方式": how}


def test_findings_about_a_member_cancelled_since_leave_the_action_list(home: Path):
    """October: M01 and M02 each visited and called. November: nobody → each is short of a
    visit and a call, listed on 12-04. M01 is cancelled on 12-10 (sold below 70 % three
    months running): on 12-15 nobody can make up its November visit any more, so the
    December list (需处理事项, every open matter whatever its month) drops it and keeps
    M02's. The November report, made as of its run on 12-06, still lists both: history."""
    process(home, fill(home, "县级市场登记", COUNTIES), "2026-12-04T09:00")
    process(home, fill(home, "联销体成员登记", MEMBERS), "2026-12-04T09:00")
    october = [visit(date(2026, 10, d), m, how) for m in ("M01", "M02") for d, how in ((12, "走访"), (13, "电话调度"))]
    first = process(home, fill(home, "联销体成员走访记录", october), "2026-12-04T09:00")
    short = {f["record"]: f for f in first["findings"] if f["rule"] == "jsb.visit_shortfall"}
    assert set(short) == {"2026-11|M01", "2026-11|M02"}
    gone = {**MEMBERS[0], "状态": "已取消", "取消日期": date(2026, 12, 10), "取消原因": "连续三个月销量低于70%"}
    process(home, fill(home, "联销体成员登记", [gone, MEMBERS[1]], "联销体成员登记-取消"), "2026-12-15T09:00")
    _, december = monthly(home, "2026-12", "2026-12-15T10:00")
    assert [r[1] for r in rows_of(december, "需处理事项") if r[0] == "走访不足"] == ["2026-11|M02"]
    _, november = monthly(home, "2026-11", "2026-12-15T10:00")
    assert [r[1] for r in rows_of(november, "需处理事项") if r[0] == "走访不足"] == ["2026-11|M01", "2026-11|M02"]


# --- 2. fines no pay row ever takes -------------------------------------------------------------

PAY = {"业务员": "王强", "基本工资": 2000, "辖区县数": 20, "有成员县数": 16}


def test_fines_of_a_month_no_pay_row_takes_are_flagged_with_months_and_amounts(home: Path):
    """王强's pay sheet has October only. In November he sent the W45 visit list on 11-10
    (due Mon 11-09) and the October statistics on 11-06 (due 11-05): late twice, 2 × 50 =
    100.00, November's. No pay row of November or later takes them: the pay sheet's return
    and the monthly report say so, with the month and the amount, and who enters the row.
    Once November's row is there, it charges them (1,400 + 480 + 500 − 100 = 2,280.00) and
    the flag is gone."""
    log = [{"业务员": "王强", "报表": r, "期间": p, "实报日期": d} for r, p, d in (
        ("联销体成员走访一览表", "2026-W45", date(2026, 11, 10)), ("二级客户进货统计表", "2026-10", date(2026, 11, 6)))]
    process(home, fill(home, "报表上报登记", log), "2026-12-07T09:00")
    result = process(home, fill(home, "业务员工资考核表", [{**PAY, "月份": "2026-10"}]), "2026-12-07T09:00")
    (flag,) = [f for f in result["findings"] if f["rule"] == "jsb.fines_uncharged"]
    assert flag["record"] == "2026-11|王强"
    assert "2026年11月" in flag["message"] and "2 次" in flag["message"] and "100.00 元" in flag["message"]
    assert "销售中心" in flag["message"]
    made, book = monthly(home, "2026-11", "2026-12-07T10:00")
    listed = [r for r in rows_of(book, "报表与罚款") if r[0] == "罚款未扣"]
    assert [r[1] for r in listed] == ["2026-11|王强"] and "100.00 元" in listed[0][2]
    assert ("罚款未扣（元）", "100.00") in [(h["label"], h["value"]) for h in made["headline"]]
    result = process(home, fill(home, "业务员工资考核表", [{**PAY, "月份": m} for m in ("2026-10", "2026-11")],
                                "业务员工资考核表-11月"), "2026-12-08T09:00")
    assert [f for f in result["findings"] if f["rule"] == "jsb.fines_uncharged" and f["status"] != "resolved"] == []
    (nov,) = [f for f in result["findings"] if f["rule"] == "jsb.pay" and f["record"] == "2026-11|王强"]
    assert "= 2,280.00 元" in nov["message"]


# --- 3. the monthly report's member count ---------------------------------------------------------


def test_the_monthly_headline_counts_the_members_at_the_months_end(home: Path):
    """November: sales rows for M01 (cancelled 11-20), M02 and M09 (a number the register
    lacks); M04 is a member who sent no row; M03 joined on 12-02. The body's members at
    11-30 are M02 and M04: 2 (not the 3 sales rows); at 10-31 M01, M02 and M04 were: 3."""
    process(home, fill(home, "县级市场登记", COUNTIES), "2026-12-04T09:00")
    m01 = {**MEMBERS[0], "状态": "已取消", "取消日期": date(2026, 11, 20), "取消原因": "从其他一级经销商处进货"}
    m03 = {**MEMBERS[1], "成员编号": "M03", "经销商名称": "沛县华丰超市", "协议签订日期": date(2026, 12, 1),
           "入会日期": date(2026, 12, 2), "铜牌编号": "T-003"}
    m04 = {**MEMBERS[0], "成员编号": "M04", "经销商名称": "丰县利民商店", "铜牌编号": "T-004"}
    process(home, fill(home, "联销体成员登记", [m01, MEMBERS[1], m03, m04]), "2026-12-04T09:00")
    process(home, fill(home, "二级客户进货统计表", [
        {"月份": "2026-11", "成员编号": m, "销量": 8000, "所在市场销量": 10000, "填报业务员": "王强"}
        for m in ("M01", "M02", "M09")]), "2026-12-04T09:00")
    made, book = monthly(home, "2026-11", "2026-12-06T10:00")
    assert len([r for r in rows_of(book, "进货统计") if str(r[0]).startswith("M0")]) == 3  # the rows stay listed
    heads = {h["label"]: (h["value"], h["before"]) for h in made["headline"]}
    assert heads["联销体成员（月末）"] == ("2", "3")
    assert "成员" not in heads


# --- 4. the month a fine belongs to --------------------------------------------------------------


def test_a_fine_belongs_to_the_month_it_is_settled_so_a_past_months_pay_stays(home: Path):
    """王强 logged October's statistics without a 实报日期: due Thu 11-05, missing after the
    next due day 12-05 (a Saturday → Mon 12-07). On 11-20 it is late and still owed: 50 if
    it comes before 12-07, 200 after; nothing is settled, so November's pay takes nothing:
    1,400 + 480 + 500 = 2,380.00. On 12-08 it is missing: 200, settled in December, whose
    pay takes it (2,380 − 200 = 2,180.00) and whose notice says so; November stays 2,380.00
    with no notice (seed: 在下拨走访基金时直接扣除 — out of the fund paid after the fault)."""
    logged = process(home, fill(home, "报表上报登记", [{"业务员": "王强", "报表": "二级客户进货统计表", "期间": "2026-10"}]),
                     "2026-11-20T09:00")
    (owed,) = [f for f in logged["findings"] if f["rule"] == "jsb.report_late"]
    assert "2026-12-07 及以前补报按迟报扣 50.00 元，计入补报的月份" in owed["message"]
    assert "按漏报扣 200.00 元，计入2026年12月" in owed["message"]
    first = process(home, fill(home, "业务员工资考核表", [{**PAY, "月份": "2026-11"}]), "2026-11-20T09:00")
    (nov,) = [f for f in first["findings"] if f["rule"] == "jsb.pay"]
    assert "= 2,380.00 元" in nov["message"]
    assert not [f for f in first["findings"] if f["rule"] == "jsb.fines"]
    later = process(home, fill(home, "业务员工资考核表", [{**PAY, "月份": m} for m in ("2026-11", "2026-12")],
                               "业务员工资考核表-12月"), "2026-12-08T09:00")
    pay = {f["record"]: f["message"] for f in later["findings"] if f["rule"] == "jsb.pay"}
    assert "= 2,380.00 元" in pay["2026-11|王强"] and "= 2,180.00 元" in pay["2026-12|王强"]
    assert [f["record"] for f in later["findings"] if f["rule"] == "jsb.fines"] == ["2026-12|王强"]
    notices = sorted((home / "outbox" / "文书草稿").glob("*报表迟报漏报扣款通知*.docx"))
    assert [p for p in notices if "2026-11" in p.name] == []
    (december,) = [p for p in notices if "2026-12" in p.name]
    text = docx_text(december)
    assert "漏报" in text and "200.00" in text
    assert "2026年12月确定应扣款" in text and "2026-10的漏报界限为2026年12月7日" in text
