"""A key corrected in a later save of the same workbook retires the record it was
(toolkit/corrections.py), and nothing else does: absence alone is never deletion.

Real workspaces (`toolkit init --pack …`), real .xlsx files saved into inbox/ and
processed with the CLI, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from car_fixtures import ORDER_HEAD, init, order
from car_fixtures import process as car_process
from conftest import write_xlsx
from test_dealer_pipeline import cli, fill, process

from toolkit.ledger import Ledger
from toolkit.ruleset.store import open_findings
from toolkit.workspace import Workspace


def ledger(home: Path) -> Ledger:
    ws = Workspace(home)
    return Ledger(ws.db_url, ws.site.code)


def open_records(home: Path, register: str) -> set[str]:
    """The records of ``register`` some finding is still open about."""
    led = ledger(home)
    try:
        with led.engine.connect() as conn:
            return {f.record for f in open_findings(conn, led.site) if f.register == register}
    finally:
        led.close()


def keys(home: Path, register: str) -> list[str]:
    led = ledger(home)
    try:
        return [r["key"] for r in led.records(register)]
    finally:
        led.close()


# --- the dealer: a member number typed M0O6 (letter O) for M006 -------------------------

MEMBERS = [
    {"成员编号": m, "经销商名称": name, "县市": "丰县", "一级经销商": "徐州华联商贸", "负责人": boss,
     "协议签订日期": date(2026, 3, 2), "入会日期": date(2026, 3, 5), "状态": "正式成员"}
    for m, name, boss in (("M005", "丰县百汇商行", "刘建国"), ("M006", "丰县永兴副食", "张海"))
]


def sales(member: str, sold: int = 7500, market: int = 10000, month: str = "2026-11") -> dict[str, Any]:
    return {"月份": month, "成员编号": member, "经销商名称": "丰县永兴副食" if member != "M005" else "丰县百汇商行",
            "进货额": 5000, "销量": sold, "所在市场销量": market, "填报业务员": "王强"}


@pytest.fixture
def dealer(tmp_path: Path) -> Path:
    home = init(tmp_path / "dealer", "dealer")
    process(home, fill(home, "联销体成员登记", MEMBERS), "2026-12-01T09:00")
    return home


def test_a_member_number_corrected_in_the_same_workbook_retires_the_old_row(dealer: Path):
    """M0O6 is in no member register: a warning. Saved again as M006, every other cell
    equal (经销商名称, 进货额 5,000, 销量 7,500, 所在市场销量 10,000, 填报业务员: five equal,
    none differing): the row is M006's now, the warning about M0O6 resolved, and the
    monthly report counts the row once (M006 75.00 %, no 成员登记中无此编号)."""
    first = process(dealer, fill(dealer, "二级客户进货统计表", [sales("M005"), sales("M0O6")], "进货统计"),
                    "2026-12-02T09:00")
    assert ("jsb.sales_unknown_member", "2026-11|M0O6") in {(f["rule"], f["record"]) for f in first["findings"]}
    assert "2026-11|M0O6" in open_records(dealer, "jsb_sales")

    second = process(dealer, fill(dealer, "二级客户进货统计表", [sales("M005"), sales("M006")], "进货统计"),
                     "2026-12-02T10:00")
    assert second["changes"]["jsb_sales"]["renamed"] == [
        {"from": "2026-11|M0O6", "to": "2026-11|M006",
         "note": "二级客户进货统计表：成员编号 M0O6 已更正为 M006（月份 2026-11），原记录已撤销"}]
    gone = [f for f in second["findings"] if f["record"] == "2026-11|M0O6"]
    assert gone and {f["state"] for f in gone} == {"resolved"}
    assert keys(dealer, "jsb_sales") == ["2026-11|M005", "2026-11|M006"]
    assert "2026-11|M0O6" not in open_records(dealer, "jsb_sales")
    # The return copy that marked M0O6 is settled by the save that corrected it.
    copy = next(Path(o) for o in first["outputs"] if "问题批注" in o)
    assert not copy.exists() and (copy.parent / "已改正" / copy.name).exists()

    # The history of the row is kept under its corrected key: the version typed M0O6 first.
    led = ledger(dealer)
    try:
        history = led.history("jsb_sales", "2026-11|M006")
    finally:
        led.close()
    assert [(h["version"], h["change"], h["values"]["成员编号"]) for h in history] == [
        (1, "new", "M0O6"), (2, "renamed", "M006")]

    code, out = cli("report", "jsb_monthly", "--home", str(dealer), "--month", "2026-11",
                    "--now", "2026-12-06T10:00", "--json")
    assert code == 0, out
    report = openpyxl.load_workbook(next(o for o in json.loads(out)["outputs"] if o.endswith(".xlsx")))
    rows = [r for r in report["进货统计"].iter_rows(values_only=True) if r and str(r[0]).startswith("M0")]
    assert sorted(r[0] for r in rows) == ["M005", "M006"]
    assert all("成员登记中无此编号" not in str(r) for r in rows)


def test_this_months_rows_alone_under_the_same_name_retire_nothing(dealer: Path):
    """A clerk keeps this month's rows only: October's M006 (7,500 of 10,000) is missing
    from the November save, whose M006 row is new and equal but for 月份 — a month in
    the key is never a typo, so October's row stays."""
    process(dealer, fill(dealer, "二级客户进货统计表", [sales("M006", month="2026-10")], "进货统计"),
            "2026-11-05T09:00")
    result = process(dealer, fill(dealer, "二级客户进货统计表", [sales("M006")], "进货统计"), "2026-12-02T09:00")
    assert "renamed" not in result["changes"]["jsb_sales"]
    assert keys(dealer, "jsb_sales") == ["2026-10|M006", "2026-11|M006"]


def test_a_row_differing_in_two_more_cells_is_a_new_record(dealer: Path):
    """M0O6 → M006 with 销量 7,500 → 8,000 and 进货额 5,000 → 6,000: two non-key
    columns differ (one is allowed), so M006 is a new row and M0O6 stays."""
    process(dealer, fill(dealer, "二级客户进货统计表", [sales("M0O6")], "进货统计"), "2026-12-02T09:00")
    changed = {**sales("M006", sold=8000), "进货额": 6000}
    result = process(dealer, fill(dealer, "二级客户进货统计表", [changed], "进货统计"), "2026-12-02T10:00")
    assert "renamed" not in result["changes"]["jsb_sales"]
    assert keys(dealer, "jsb_sales") == ["2026-11|M0O6", "2026-11|M006"]
    assert "2026-11|M0O6" in open_records(dealer, "jsb_sales")


def test_one_more_cell_fixed_with_the_key_is_still_a_correction(dealer: Path):
    """销量 7,500 → 7,600 beside M0O6 → M006: one non-key column differs, four stay equal."""
    process(dealer, fill(dealer, "二级客户进货统计表", [sales("M0O6")], "进货统计"), "2026-12-02T09:00")
    result = process(dealer, fill(dealer, "二级客户进货统计表", [sales("M006", sold=7600)], "进货统计"),
                     "2026-12-02T10:00")
    assert [r["from"] for r in result["changes"]["jsb_sales"]["renamed"]] == ["2026-11|M0O6"]
    assert keys(dealer, "jsb_sales") == ["2026-11|M006"]


def test_workbooks_of_other_names_never_interact(dealer: Path):
    """王强 keeps M0O6 in his own workbook, 李红 saves M006 in hers: two clerks' parts of
    one register. Nothing is retired, by either save (M0O6 was written by another workbook)."""
    process(dealer, fill(dealer, "二级客户进货统计表", [sales("M0O6")], "王强进货统计"), "2026-12-02T09:00")
    result = process(dealer, fill(dealer, "二级客户进货统计表", [sales("M006")], "李红进货统计"), "2026-12-02T10:00")
    assert "renamed" not in result["changes"]["jsb_sales"]
    assert keys(dealer, "jsb_sales") == ["2026-11|M0O6", "2026-11|M006"]


def test_a_return_copy_saved_back_is_the_same_workbook(dealer: Path):
    """The return copy of 进货统计.xlsx (file 2: 进货统计-问题批注-00002.xlsx), corrected and
    saved back, is the workbook M0O6 came from: its M006 retires M0O6."""
    first = process(dealer, fill(dealer, "二级客户进货统计表", [sales("M0O6")], "进货统计"), "2026-12-02T09:00")
    copy = next(Path(o) for o in first["outputs"] if "问题批注" in o)
    result = process(dealer, fill(dealer, "二级客户进货统计表", [sales("M006")], copy.stem), "2026-12-02T10:00")
    assert [r["to"] for r in result["changes"]["jsb_sales"]["renamed"]] == ["2026-11|M006"]


def test_two_new_rows_matching_one_missing_row_correct_nothing(dealer: Path):
    """M0O6 missing, M006 and M007 both new with the same cells: which one it became is
    not known, so neither retires it."""
    process(dealer, fill(dealer, "二级客户进货统计表", [sales("M0O6")], "进货统计"), "2026-12-02T09:00")
    result = process(dealer, fill(dealer, "二级客户进货统计表", [sales("M006"), sales("M007")], "进货统计"),
                     "2026-12-02T10:00")
    assert "renamed" not in result["changes"]["jsb_sales"]
    assert len(keys(dealer, "jsb_sales")) == 3


# --- the car desk: 委托书号 WT1222-01 typed for WT1222-001 --------------------------------


def test_an_order_number_corrected_retires_the_old_order_and_its_overdue_findings(tmp_path: Path):
    """WT1222-01, received Monday 09:00 and promised 16:00, not finished by 20:00: overdue.
    The same workbook saved at 20:30 with WT1222-001 (every other cell equal) and one new
    order with a 接车时间 lacking its time (refused, so a return copy is written): one
    order is left, WT1222-01's findings are resolved, the copy's 问题清单 says so."""
    home = init(tmp_path / "car", "car")
    first = car_process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": [
        ORDER_HEAD, order(委托书号="WT1222-01")]}), "2026-11-23T20:00")
    assert {f["record"] for f in first["files"][0]["findings"] if f["overdue"]} == {"WT1222-01"}
    before = open_records(home, "car_work_order")
    assert "WT1222-01" in before

    result = car_process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": [
        ORDER_HEAD, order(委托书号="WT1222-001"), order(委托书号="WT1222-002", 接车时间="2026-11-23")]}),
        "2026-11-23T20:30")["files"][0]
    note = "进厂维修委托书：委托书号 WT1222-01 已更正为 WT1222-001，原记录已撤销"
    assert result["changes"]["car_work_order"]["renamed"] == [{"from": "WT1222-01", "to": "WT1222-001", "note": note}]
    assert {f["state"] for f in result["findings"] if f["record"] == "WT1222-01"} == {"resolved"}
    assert keys(home, "car_work_order") == ["WT1222-001"]
    assert "WT1222-01" not in open_records(home, "car_work_order")
    assert "WT1222-001" in open_records(home, "car_work_order")  # still overdue, under its right number
    copy = next(Path(o) for o in result["outputs"] if "问题批注" in o)
    issues = openpyxl.load_workbook(copy).worksheets[0]
    assert note in issues["A2"].value


def test_a_key_corrected_in_the_save_that_fills_in_the_job_is_a_correction(tmp_path: Path):
    """QA: WT1222-01 corrected to WT1222-001 in the save that also filled in the job's end
    (完工时间, 质检员, 交车时间, the amounts, 回访时间: nine cells blank before). Every value
    the first save held is unchanged, so it is the same order; the car's next visit in the
    same workbook (another day, another problem) is a new order, not a correction."""
    home = init(tmp_path / "car", "car")
    car_process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": [
        ORDER_HEAD, order(委托书号="WT1222-01")]}), "2026-11-23T12:00")
    done = {"完工时间": "2026-11-23 15:40", "质检员": "赵工", "交车时间": "2026-11-23 16:10", "工时费": 300,
            "备品费": 500, "结算金额": 800, "实收金额": 800, "付款方式": "现金", "回访时间": "2026-11-24 10:00"}
    result = car_process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": [
        ORDER_HEAD, order(委托书号="WT1222-001", **done)]}), "2026-11-24T12:00")["files"][0]
    assert [r["from"] for r in result["changes"]["car_work_order"]["renamed"]] == ["WT1222-01"]
    assert keys(home, "car_work_order") == ["WT1222-001"]
    # The next visit of 京A12345 saved in the same workbook, the first order gone from it:
    # other 接车时间, 客户问题 and promise — not the same order.
    again = car_process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": [
        ORDER_HEAD, order(委托书号="WT1230-001", 接车时间="2026-11-30 09:00", 客户问题="刹车异响",
                          预计完工时间="2026-11-30 16:00", 进车间时间="2026-11-30 09:10")]}),
        "2026-11-30T12:00")["files"][0]
    assert "renamed" not in again["changes"]["car_work_order"]
    assert keys(home, "car_work_order") == ["WT1222-001", "WT1230-001"]


def test_another_lineage_never_touches_an_order(tmp_path: Path):
    """WT1222-01 is in 王芳's 委托书.xlsx; 刘洋 saves 委托书-刘洋.xlsx with WT1222-001 and
    nothing else: the same cells, but not the workbook WT1222-01 came from."""
    home = init(tmp_path / "car", "car")
    car_process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": [
        ORDER_HEAD, order(委托书号="WT1222-01")]}), "2026-11-23T20:00")
    result = car_process(home, write_xlsx(home / "inbox" / "委托书-刘洋.xlsx", {"委托书": [
        ORDER_HEAD, order(委托书号="WT1222-001")]}), "2026-11-23T20:30")["files"][0]
    assert "renamed" not in result["changes"]["car_work_order"]
    assert keys(home, "car_work_order") == ["WT1222-01", "WT1222-001"]


def test_a_row_held_back_is_not_missing(tmp_path: Path):
    """WT1222-01 saved again with its 接车时间 lacking the time (the row refused, its key
    read) beside WT1222-001 with the same cells: WT1222-01 is still in the workbook, so it
    is not retired."""
    home = init(tmp_path / "car", "car")
    car_process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": [
        ORDER_HEAD, order(委托书号="WT1222-01")]}), "2026-11-23T20:00")
    result = car_process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": [
        ORDER_HEAD, order(委托书号="WT1222-01", 接车时间="2026-11-23"), order(委托书号="WT1222-001")]}),
        "2026-11-23T20:30")["files"][0]
    assert result["rows"]["rejected"] == 1
    assert "renamed" not in result["changes"]["car_work_order"]
    assert keys(home, "car_work_order") == ["WT1222-01", "WT1222-001"]



# --- the matching itself, on the shipped register declarations ---------------------------


def _stored(key: str, values: dict[str, Any], rid: int = 1) -> Any:
    from types import SimpleNamespace

    from toolkit.codec import encode

    return SimpleNamespace(id=rid, key=key, values_json=encode(values), version=1)


def _dealer_spec(name: str) -> Any:
    from toolkit.packs import available
    from toolkit.registers import load_registers

    return load_registers(available()["dealer"].sources / "rules")[name]


def test_a_contract_number_corrected_is_matched_and_the_next_instalment_is_not():
    """合同收款登记 keys on [合同编号, 期次]: HT2026-002 → HT-2026-002 of instalment 1, with
    应付日期 2026-11-30 and 应付金额 10,000.00 equal, is a correction; instalment 2 of the
    same contract (期次 a number, 应付日期 differing) never is."""
    from datetime import date
    from decimal import Decimal

    from toolkit.corrections import _matches

    spec = _dealer_spec("contract_payment")
    due = {"应付日期": date(2026, 11, 30), "应付金额": Decimal("10000.00"), "实付日期": None, "实付金额": None}
    old = {"HT2026-002|1": _stored("HT2026-002|1", {"合同编号": "HT2026-002", "期次": 1, **due})}
    [fix] = _matches(spec, old, {"HT-2026-002|1": {"合同编号": "HT-2026-002", "期次": 1, **due}})
    assert (fix.old, fix.new) == ("HT2026-002|1", "HT-2026-002|1")
    assert fix.note == "合同收款登记：合同编号 HT2026-002 已更正为 HT-2026-002（期次 1），原记录已撤销"
    later = {**due, "应付日期": date(2026, 12, 31)}
    assert _matches(spec, old, {"HT2026-002|2": {"合同编号": "HT2026-002", "期次": 2, **later}}) == []


def test_near_empty_rows_never_match():
    """Two sales rows equal only in their defaults (低于协商价销售/捆绑销售/发现假冒 否) and one
    number: fewer than two real values in common, so no correction."""
    from decimal import Decimal

    from toolkit.corrections import _matches

    spec = _dealer_spec("jsb_sales")
    base = {"月份": "2026-11", "经销商名称": None, "进货额": None, "其他渠道进货额": None, "销量": Decimal("100.00"),
            "所在市场销量": None, "低于协商价销售": "否", "捆绑销售": "否", "发现假冒": "否", "填报业务员": None}
    old = {"2026-11|M0O6": _stored("2026-11|M0O6", {**base, "成员编号": "M0O6"})}
    assert _matches(spec, old, {"2026-11|M006": {**base, "成员编号": "M006"}}) == []


# --- rows deleted from a workbook saved again: kept, and the person who saved is told -----

GONE = ("联销体成员登记：此前保存的 1 行本次表中没有，记录仍保留（M006）；"
        "确需删除的，请恢复该行并在“作废”列填“是”后再保存；"
        "如是有意只保留部分行（如只留本月），可不处理，以后再保存时不再提示这些行")


def _issues_heading(result: dict[str, Any]) -> str:
    copy = next(Path(o) for o in result["outputs"] if "问题批注" in o)
    sheet = openpyxl.load_workbook(copy).worksheets[0]
    assert sheet.title == "问题清单"
    return str(sheet["A2"].value)


def test_a_row_deleted_from_a_workbook_saved_again_stays_and_whoever_saved_is_told(dealer: Path):
    """联销体成员登记.xlsx held M005 and M006 (the fixture's save); saved again without
    M006 and nothing else wrong. M006 stays a member (only 作废 retires a row), and the
    save says so: on its outcome line (console and JSON) and in a return copy made for it
    alone, whose 问题清单 has no cell to fix. Said once: the next save still without
    M006 is quiet. The row put back: nothing said; put back changed and deleted again: said
    again; marked 作废: retired, nothing said."""
    only_m005 = MEMBERS[:1]
    result = process(dealer, fill(dealer, "联销体成员登记", only_m005), "2026-12-02T09:00")
    assert result["status"] == "accepted" and result["errors"] == []
    assert result["missing"] == [{"register": "jsb_member", "keys": ["M006"], "note": GONE}]
    assert keys(dealer, "jsb_member") == ["M005", "M006"]
    heading = _issues_heading(result)
    assert heading.startswith("表中没有需要修改的单元格") and GONE in heading, heading
    # Saved again still without M006 (another byte: 负责人 corrected): told already, quiet —
    # on the console, in the JSON, and no return copy; the first copy is settled.
    again = [{**MEMBERS[0], "负责人": "刘建军"}]
    code, out = cli("process", str(fill(dealer, "联销体成员登记", again)), "--home", str(dealer),
                    "--now", "2026-12-02T10:00")
    assert code == 0 and "此前保存" not in out and '"missing"' not in out, out
    returns = dealer / "outbox" / "退回批注"
    first = Path(next(o for o in result["outputs"] if "问题批注" in o)).name
    assert [p.name for p in returns.glob("*.xlsx")] == [] and (returns / "已改正" / first).exists()

    back = process(dealer, fill(dealer, "联销体成员登记", MEMBERS), "2026-12-02T11:00")
    assert "missing" not in back and not [o for o in back["outputs"] if "问题批注" in o]
    assert keys(dealer, "jsb_member") == ["M005", "M006"]
    # Put back unchanged and deleted again: the same row, told already. Put back changed
    # (a new 负责人) and then deleted: a row of its own again, said again.
    assert "missing" not in process(dealer, fill(dealer, "联销体成员登记", MEMBERS[:1]), "2026-12-02T11:15")
    process(dealer, fill(dealer, "联销体成员登记", [MEMBERS[0], {**MEMBERS[1], "负责人": "张涛"}]),
            "2026-12-02T11:30")
    gone_again = process(dealer, fill(dealer, "联销体成员登记", MEMBERS[:1]), "2026-12-02T11:45")
    assert gone_again["missing"] == [{"register": "jsb_member", "keys": ["M006"], "note": GONE}]

    voided = process(dealer, fill(dealer, "联销体成员登记", [MEMBERS[0], {**MEMBERS[1], "负责人": "张涛", "作废": "是"}]),
                     "2026-12-02T12:00")
    assert voided["changes"]["jsb_member"]["voided"] == ["M006"] and "missing" not in voided
    assert keys(dealer, "jsb_member") == ["M005"]
    later = process(dealer, fill(dealer, "联销体成员登记", MEMBERS[:1]), "2026-12-02T13:00")
    assert "missing" not in later  # M006 is retired: nothing of this workbook is missing


def test_last_months_rows_archived_are_named_once_and_a_row_deleted_later_still_is(dealer: Path):
    """王强 keeps only the current month in 二级客户进货统计表. December's first save drops
    November's two rows: named once. His next December saves are quiet about them (no
    JSON ``missing``, no return copy), while a December row he deletes by mistake is named
    — alone, not with November's."""
    book = "二级客户进货统计表"
    process(dealer, fill(dealer, book, [sales("M005"), sales("M006")]), "2026-12-01T10:00")
    december = [sales("M005", month="2026-12"), sales("M006", month="2026-12")]
    first = process(dealer, fill(dealer, book, december), "2026-12-02T09:00")
    assert [m["keys"] for m in first["missing"]] == [["2026-11|M005", "2026-11|M006"]]
    december[0]["销量"] = 7600
    quiet = process(dealer, fill(dealer, book, december), "2026-12-03T09:00")
    assert "missing" not in quiet and not [o for o in quiet["outputs"] if "问题批注" in o]
    slip = process(dealer, fill(dealer, book, december[:1]), "2026-12-04T09:00")
    assert [m["keys"] for m in slip["missing"]] == [["2026-12|M006"]]
    heading = _issues_heading(slip)
    assert "（2026-12 M006）" in heading and "2026-11" not in heading
    assert keys(dealer, "jsb_sales") == ["2026-11|M005", "2026-11|M006", "2026-12|M005", "2026-12|M006"]


def test_a_sheet_emptied_names_every_row_it_held(dealer: Path):
    """Every row deleted, the headers left: both members are named, both stay."""
    result = process(dealer, fill(dealer, "联销体成员登记", []), "2026-12-02T09:00")
    assert [m["keys"] for m in result.get("missing", [])] == [["M005", "M006"]]
    assert keys(dealer, "jsb_member") == ["M005", "M006"]


def test_only_the_same_workbooks_rows_are_missed(dealer: Path):
    """王强 and 李红 keep their own parts of 二级客户进货统计表. 李红's save never misses
    王强's rows; 王强's save without M006 misses it; and once 李红's workbook has written
    M005 since (a 销量 of her own), 王强's next save without M005 does not name it: the
    record is hers now. A copy under another name (a partial export) is never compared."""
    process(dealer, fill(dealer, "二级客户进货统计表", [sales("M005"), sales("M006")], "王强进货统计"),
            "2026-12-02T09:00")
    hers = process(dealer, fill(dealer, "二级客户进货统计表", [sales("M007")], "李红进货统计"), "2026-12-02T10:00")
    assert "missing" not in hers
    his = process(dealer, fill(dealer, "二级客户进货统计表", [sales("M005")], "王强进货统计"), "2026-12-02T11:00")
    assert [(m["register"], m["keys"]) for m in his["missing"]] == [("jsb_sales", ["2026-11|M006"])]
    assert "（2026-11 M006）" in his["missing"][0]["note"]
    process(dealer, fill(dealer, "二级客户进货统计表", [sales("M007"), sales("M005", sold=7000)], "李红进货统计"),
            "2026-12-02T12:00")
    his = process(dealer, fill(dealer, "二级客户进货统计表", [sales("M006")], "王强进货统计"), "2026-12-02T13:00")
    assert "missing" not in his, his["missing"]
    export = process(dealer, fill(dealer, "二级客户进货统计表", [sales("M006")], "王强进货统计-导出"),
                     "2026-12-02T14:00")
    assert "missing" not in export
    assert keys(dealer, "jsb_sales") == ["2026-11|M005", "2026-11|M006", "2026-11|M007"]
