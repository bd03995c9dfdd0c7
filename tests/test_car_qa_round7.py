"""QA round 7 at the car desk, cut down to the rows behind each defect: a check-only visit
in the week's counts, claims sent back or citing a voided 委托书, and a maintenance
reminder closed by the visit it asked for.

The desk works the week of Monday 2026-11-16 (2026-W47).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from car_fixtures import CUSTOMER, ORDER_HEAD, as_json, cli, init, order, process
from conftest import write_xlsx


def _book(home: Path, *args: str, now: str) -> openpyxl.Workbook:
    code, out = cli("report", *args, "--home", str(home), "--now", now, "--json")
    assert code == 0, out
    return openpyxl.load_workbook(next(o for o in as_json(out)["outputs"] if o.endswith(".xlsx")))


# --- 1. a check-only visit is neither received nor delivered for repair -----------------


def _repaired(number: str, plate: str, day: str, model: str) -> list[Any]:
    return order(委托书号=number, 车牌号=plate, 车型=model, 接车时间=f"{day} 09:00", 进车间时间=f"{day} 09:10",
                 预计完工时间=f"{day} 16:00", 进度查询时间=f"{day} 14:00", 完工时间=f"{day} 15:30", 质检员="孙工",
                 交车时间=f"{day} 17:00", 工时费=200, 备品费=300, 结算金额=500, 实收金额=500, 付款方式="现金")


def test_a_check_only_visit_is_counted_apart_from_the_cars_repaired(tmp_path: Path):
    """W47: four cars repaired and handed back (two 帕萨特, a 途观, a 宝来) and 陈静's 朗逸
    diagnosed only (是否进厂 否), leaving Wed 11-18 10:30 with its 出厂通知单. The week received
    4 cars for repair; it must hand back 4 too (not 5), 按车型 must add up to those 4, and the
    check-only visit is its own line: 只诊断估价台次 1."""
    home = init(tmp_path / "car", "car")
    head = [*ORDER_HEAD, "诊断估价费"]
    check_only = order(委托书号="WD01", 车牌号="辽B56789", 客户名称="陈静", 车型="朗逸", 是否进厂="否", 进车间时间=None,
                       车间接车人=None, 预计完工时间=None, 接车时间="2026-11-18 09:30", 交车时间="2026-11-18 10:30",
                       结算金额=50, 实收金额=50, 付款方式="现金")
    rows = [head,
            [*_repaired("WS01", "辽A10001", "2026-11-16", "帕萨特"), None],
            [*_repaired("WS02", "辽A10002", "2026-11-17", "帕萨特"), None],
            [*_repaired("WS03", "辽A10003", "2026-11-18", "途观"), None],
            [*_repaired("WS04", "辽A10004", "2026-11-19", "宝来"), None],
            [*check_only, 50]]
    process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": rows}), "2026-11-20T18:00")
    book = _book(home, "car_weekly", "--week", "2026-W47", now="2026-11-23T09:00")
    kpis = {r[0]: r[1] for r in book["概况"].iter_rows(min_row=3, values_only=True) if r and r[0]}
    assert kpis["进厂台次"] == 4 and kpis["交车台次"] == 4, kpis
    assert kpis["只诊断估价台次"] == 1, kpis
    models = {r[0]: r[1] for r in book["按车型"].iter_rows(min_row=4, values_only=True) if r and r[0]}
    assert models == {"帕萨特": 2, "途观": 1, "宝来": 1}, models
    kinds = {r[0]: r[1] for r in book["按维修类别"].iter_rows(min_row=4, values_only=True) if r and r[0]}
    assert kinds == {"一般维修": 4}, kinds
    # The 50 元 fee is still income of the week.
    money = {r[0]: r[1] for r in book["营业收入"].iter_rows(min_row=3, values_only=True) if r and r[0]}
    assert money["诊断估价费"] == 50 and money["结算金额"] == 2050


# --- 2. a claim sent back, and one citing a voided 委托书 ---------------------------------

CLAIM_HEAD = ["索赔单号", "委托书号", "车牌号", "故障", "申请日期", "上报厂家日期", "厂家批复", "批复日期", "金额", "服务顾问"]


def _claims(home: Path, rows: list[list[Any]], now: str) -> dict[str, Any]:
    return process(home, write_xlsx(home / "inbox" / "索赔登记.xlsx", {"索赔登记": [CLAIM_HEAD, *rows]}), now)["files"][0]


def test_a_claim_sent_back_by_the_maker_is_not_listed_as_never_reported(tmp_path: Path):
    """王芳's claim SP01 was reported Tue 11-17; the maker sent it back for correction on Thu
    11-19 (厂家批复 退回, 批复日期 11-19). On Fri's 待批索赔 it is neither 未上报厂家 nor still
    awaiting the maker: it says it came back and waits for 王芳 to correct and report it again,
    counted from the day it came back. SP02, never reported, stays 未上报厂家."""
    home = init(tmp_path / "car", "car")
    got = _claims(home, [
        ["SP01", None, "辽A10001", "变速箱异响", "2026-11-16", "2026-11-17", "退回", "2026-11-19", 1200, "王芳"],
        ["SP02", None, "辽A10002", "大灯进水", "2026-11-18", None, None, None, 300, "刘洋"]], "2026-11-19T18:00")
    assert not got["errors"], got["errors"]
    book = _book(home, "car_daily", "--date", "2026-11-20", now="2026-11-20T08:00")
    rows = {r[0]: r for r in book["待批索赔"].iter_rows(values_only=True) if r and str(r[0]).startswith("SP")}
    assert rows["SP02"][6] == "未上报厂家"
    state, waited, who = rows["SP01"][6], rows["SP01"][7], rows["SP01"][8]
    assert state == "厂家退回待修改", rows["SP01"]
    assert waited == 1 and who == "王芳"


def _claim_order_cells(got: dict[str, Any]) -> list[str]:
    return [a["message"] for a in got["actions"] if a["code"] == "car.claim_order"]


def test_a_claim_citing_a_voided_order_says_it_was_voided(tmp_path: Path):
    """WS01 was 辽A10001's claim repair; the desk then marked it 作废 (entered by mistake). 王芳's
    claim SP01 citing WS01, saved the day after, is told WS01 was voided, not that the
    register has no such 委托书; so is the claim already saved when the order is voided."""
    home = init(tmp_path / "car", "car")
    ws01 = order(委托书号="WS01", 车牌号="辽A10001", 接车时间="2026-11-16 09:00", 进车间时间="2026-11-16 09:10",
                 预计完工时间="2026-11-16 16:00", 维修类别="索赔")
    ws02 = order(委托书号="WS02", 车牌号="辽A10002", 接车时间="2026-11-16 10:00", 进车间时间="2026-11-16 10:10",
                 预计完工时间="2026-11-16 16:00", 维修类别="索赔")
    process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": [ORDER_HEAD, ws01, ws02]}), "2026-11-16T18:00")
    first = _claims(home, [["SP02", "WS02", "辽A10002", "空调不制冷", "2026-11-16", None, None, None, 500, "刘洋"]],
                    "2026-11-16T18:30")
    assert not _claim_order_cells(first)
    voided = [[*ORDER_HEAD, "作废"], [*ws01, "是"], [*ws02, "是"]]
    process(home, write_xlsx(home / "inbox" / "委托书作废.xlsx", {"委托书": voided}), "2026-11-17T09:00")

    def fixes(day: str) -> dict[str, str]:
        daily = _book(home, "car_daily", "--date", day, now=f"{day}T08:00")
        return {r[1]: " ".join(str(c) for c in r if c) for r in daily["待纠正"].iter_rows(values_only=True)
                if r and str(r[1]).startswith("SP")}

    # SP02, saved before WS02 was voided, is judged again when the void is saved.
    listed = fixes("2026-11-17")
    assert set(listed) == {"SP02"} and "已作废" in listed["SP02"] and "没有这份委托书" not in listed["SP02"], listed
    later = _claims(home, [["SP01", "WS01", "辽A10001", "变速箱异响", "2026-11-17", None, None, None, 1200, "王芳"]],
                    "2026-11-17T10:00")
    (message,) = _claim_order_cells(later)
    assert "WS01" in message and "已作废" in message and "没有这份委托书" not in message, message
    assert "王芳" in message
    listed = fixes("2026-11-18")
    assert set(listed) == {"SP01", "SP02"} and all("已作废" in r for r in listed.values()), listed


# --- 3. a maintenance reminder the service visit closed is not "changed" ----------------


def _register(home: Path) -> tuple[str, dict[str, str]]:
    """发文登记's heading, and the 文号 of each draft by the record it is about."""
    sheet = openpyxl.load_workbook(home / "outbox" / "发文登记.xlsx").active
    head = [c.value for c in sheet[2]]
    rows = [dict(zip(head, r, strict=False)) for r in sheet.iter_rows(min_row=3, values_only=True)]
    return str(sheet["A1"].value), {r["登记记录"]: r["文号"] for r in rows if r["文书状态"] == "草稿"}


def test_a_reminder_closed_by_the_service_visit_is_not_named_as_changed(tmp_path: Path):
    """Fri 11-20: 张伟's 京A12345 and 钱进's 辽A20002 are due for service on 11-25, within the 7
    days: each gets a 保养提醒 draft. Tue 11-24: 张伟 brought his car in for its 保养 (WB01),
    which is what the reminder asked for; 钱进's file had its 下次保养日期 cleared (written by
    mistake). Only 钱进's draft rests on a record that changed: the heading names it alone."""
    home = init(tmp_path / "car", "car")
    head = CUSTOMER[0]

    def customer(plate: str, name: str, due: str | None) -> list[Any]:
        row = dict.fromkeys(head)
        row.update({"车牌号": plate, "客户名称": name, "联系电话": "13812345678", "车型": "帕萨特",
                    "首次来厂日期": "2026-05-20", "建档日期": "2026-05-20", "下次保养日期": due, "服务顾问": "王芳"})
        return [row[h] for h in head]

    files = [head, customer("京A12345", "张伟", "2026-11-25"), customer("辽A20002", "钱进", "2026-11-25")]
    process(home, write_xlsx(home / "inbox" / "客户档案.xlsx", {"客户档案": files}), "2026-11-20T10:00")
    _, drafts = _register(home)
    assert {"客户车辆档案 京A12345", "客户车辆档案 辽A20002"} <= set(drafts), drafts
    files[2] = customer("辽A20002", "钱进", None)
    visit = order(委托书号="WB01", 接车时间="2026-11-24 09:00", 进车间时间="2026-11-24 09:10", 维修类别="保养",
                  维修项目="常规保养", 预计完工时间="2026-11-24 12:00")
    process(home, write_xlsx(home / "inbox" / "售后登记.xlsx", {"客户档案": files, "委托书": [ORDER_HEAD, visit]}),
            "2026-11-24T10:00")
    heading, drafts = _register(home)
    assert drafts["客户车辆档案 辽A20002"] in heading, heading
    assert drafts["客户车辆档案 京A12345"] not in heading, heading
    assert "1 份草稿所依据的登记情况已经改变" in heading, heading
