"""Defects QA found in the property pack (eighth round): each test is one of them, real files."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from conftest import write_xlsx

from toolkit.documents import apply_approvals, document_rows
from toolkit.outbox import drain
from toolkit.pipeline import process_paths
from toolkit.reports import build_report, parse_day, parse_week

# The ledger holds what is judged: both databases.
pytestmark = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)

MOVE = ["编号", "房号", "携带人", "身份", "物品", "日期", "业主核实", "出门性质", "核实时间", "水电气结清"]
FEES = ["房号", "业主", "联系电话", "建筑面积", "单价", "已缴至", "欠费金额"]
SLIP = "某某物业〔2026〕放字第001号"


# --- 1. a signed slip whose move-out is refused later is named as no longer valid ---------------


def _signed_slip(ctx, home: Path) -> list[list[Any]]:
    """FX-21: 李秀英, owner of 1-102 (paid to 12-31), moves out on Thu 11-26 with water,
    electricity and gas settled: released at 09:00, 放字第001号 signed by 刘经理 at 09:30."""
    fees = write_xlsx(home / "inbox" / "物业费台账.xlsx", {"物业费": [
        FEES, ["1-102", "李秀英", "13800138002", 120, 2.8, date(2026, 12, 31), 0]]})
    rows = [MOVE, ["FX-21", "1-102", "李秀英", "业主", "衣柜、床", date(2026, 11, 26), None, "搬家迁出", None, "是"]]
    done = process_paths(ctx, [fees, write_xlsx(home / "inbox" / "放行登记.xlsx", {"放行": rows})],
                         datetime(2026, 11, 26, 9, 0))
    assert all(f.status == "accepted" for f in done.files), [f.message for f in done.files]
    drain(ctx.ws, ctx.ledger)
    assert apply_approvals(ctx.ws, ctx.ledger, [{"文号": SLIP, "签发人": "刘经理"}],
                           datetime(2026, 11, 26, 9, 30)) == [SLIP]
    return rows


def _arrears_found(ctx, home: Path) -> None:
    """10:00: the cashier saves the corrected account — 1-102 is paid only to 08-31 and owes
    3 months (Sep, Oct, Nov begun by 11-26) × 120 m² × 2.80 = 1,008.00: FX-21 is refused."""
    owed = write_xlsx(home / "inbox" / "物业费台账-更正.xlsx", {"物业费": [
        FEES, ["1-102", "李秀英", "13800138002", 120, 2.8, date(2026, 8, 31), 1008]]})
    later = process_paths(ctx, [owed], datetime(2026, 11, 26, 10, 0))
    assert later.files[0].status == "accepted", later.files[0].message
    drain(ctx.ws, ctx.ledger)


def test_a_signed_slip_of_a_move_out_refused_later_is_named_for_the_gate(ctx, home: Path):
    """The slip stays signed (nothing can unsign paper in 李秀英's hand), but it must not let the
    furniture out. The 08:30 daily list of 11-27 names 放字第001号 under 待处理问题 for 秩序部:
    no longer valid, tell the gate, take it back. The 不予放行 row of 须处理事项 says it too, and
    so does the row of the move-out register's return copy judged again after the fee account."""
    _signed_slip(ctx, home)
    _arrears_found(ctx, home)
    assert [(d["number"], d["status"]) for d in document_rows(ctx.ledger) if "放字" in d["number"]] == \
        [(SLIP, "已审批")]

    daily, _ = build_report(ctx, "daily_due", datetime(2026, 11, 27, 8, 30), parse_day("2026-11-27"))
    (row,) = [r for r in daily.table("待处理问题").rows if r[2] == "FX-21"]
    assert row[:6] == ["暂停办理", "放行登记", "FX-21", "1-102", "门岗", "秩序部"]
    assert SLIP in row[6] and "不予放行" in row[6] and "不再有效" in row[6]
    assert "门岗" in row[6] and "收回" in row[6]
    acts = daily.table("须处理事项")
    col = {c.title: i for i, c in enumerate(acts.columns)}
    (act,) = [r for r in acts.rows if r[col["编号"]] == "FX-21"]
    assert act[col["问题"]] == "不予放行" and f"重新提交。已签发的物品放行条 {SLIP} 不再有效" in act[col["须处理"]]

    (copy,) = ctx.ws.returns.glob("放行登记-问题批注-*.xlsx")
    notes = [c.comment.text for r in openpyxl.load_workbook(copy)["放行"].iter_rows(min_row=2) for c in r
             if c.comment]
    assert notes and all("不予放行" in n for n in notes)
    assert any(SLIP in n and "不再有效" in n and "门岗" in n for n in notes), notes


def test_a_signed_slip_stands_again_once_the_arrears_are_paid(ctx, home: Path):
    """11:00 the owner pays to 12-31: FX-21 is released again; 放字第001号 is no longer named
    (a new slip is drafted for the release), and no return copy says 不予放行."""
    _signed_slip(ctx, home)
    _arrears_found(ctx, home)
    paid = write_xlsx(home / "inbox" / "物业费台账-已缴.xlsx", {"物业费": [
        FEES, ["1-102", "李秀英", "13800138012", 120, 2.8, date(2026, 12, 31), 0]]})
    assert process_paths(ctx, [paid], datetime(2026, 11, 26, 11, 0)).files[0].status == "accepted"
    drain(ctx.ws, ctx.ledger)
    daily, _ = build_report(ctx, "daily_due", datetime(2026, 11, 27, 8, 30), parse_day("2026-11-27"))
    assert not [r for r in daily.table("待处理问题").rows if r[2] == "FX-21"]
    assert not [r for r in daily.table("须处理事项").rows if r[2] == "FX-21"]


# --- 2. a complaint's handling deadline names who handles it ------------------------------------

COMPLAINT = ["编号", "受理时间", "投诉人", "房号", "投诉内容", "性质", "等级", "被投诉部门", "转报时间", "状态"]


def test_complaint_handling_names_the_head_of_the_department_complained_about(ctx, home: Path):
    """Seed 001 投诉: 被投诉部门负责人 collects the record from the desk and handles it within
    the limit; a complaint never forwarded stays with whoever took it (首问责任人).
    Mon 11-23: TS-801 (轻微, 工程部) taken 09:00 → half a day (4 working hours), due the same
    day; TS-802 (重要, 秩序部) taken 10:00 → 1 working day → Tue 11-24 10:00; TS-803 (重要, no
    department) taken 10:30 → Tue 11-24 10:30. None solved: at Wed 11-25 08:30
    all three are overdue, and the daily list names 部门负责人 of 工程部 / 秩序部 for the first
    two, 首问责任人 of 客服中心 for the third — never a blank 负责人."""
    rows = [COMPLAINT,
            ["TS-801", datetime(2026, 11, 23, 9, 0), "王丽", "3-0502", "楼道灯不亮", "有效", "轻微", "工程部",
             datetime(2026, 11, 23, 9, 5), "处理中"],
            ["TS-802", datetime(2026, 11, 23, 10, 0), "赵强", "5-1101", "门岗态度差", "有效", "重要", "秩序部",
             datetime(2026, 11, 23, 10, 5), "处理中"],
            ["TS-803", datetime(2026, 11, 23, 10, 30), "陈静", "2-0301", "快递堆放在大堂", "有效", "重要", None,
             None, "待处理"]]
    done = process_paths(ctx, [write_xlsx(home / "inbox" / "投诉.xlsx", {"投诉登记": rows})],
                         datetime(2026, 11, 23, 10, 40))
    assert done.files[0].status == "accepted", done.files[0].message

    daily, _ = build_report(ctx, "daily_due", datetime(2026, 11, 25, 8, 30), parse_day("2026-11-25"))
    table = daily.table("待办与逾期")
    col = {c.title: i for i, c in enumerate(table.columns)}
    handling = {r[col["编号"]]: (r[col["事项"]], r[col["负责人"]], r[col["部门"]]) for r in table.rows
                if r[col["事项"]] in ("轻微投诉处理", "重要投诉处理")}
    assert handling == {"TS-801": ("轻微投诉处理", "部门负责人", "工程部"),
                        "TS-802": ("重要投诉处理", "部门负责人", "秩序部"),
                        "TS-803": ("重要投诉处理", "首问责任人", "客服中心")}
    assert all(r[col["负责人"]] for r in table.rows if r[col["登记表"]] == "投诉登记表")
    people = {(r[0], r[1]) for r in daily.table("按负责人").rows}
    assert ("工程部", "部门负责人") in people and ("秩序部", "部门负责人") in people
    # Late without 超时审批人: the department head asks 主管经理 / 管理部经理 for approval.
    late = {r[2]: (r[4], r[5]) for r in daily.table("待处理问题").rows if r[1] == "投诉登记表"}
    assert late == {"TS-801": ("部门负责人", "工程部"), "TS-802": ("部门负责人", "秩序部"),
                    "TS-803": ("首问责任人", "客服中心")}


def test_a_major_complaint_resolution_names_the_head_of_the_department(ctx, home: Path):
    """TS-811 (重大, 工程部) taken Mon 11-02 09:00: the 15-day resolution limit falls Tue
    11-17 09:00; unsolved at Wed 11-18 08:30 it is overdue, charged to 工程部's 部门负责人;
    the 2-day answer to the customer (回复时间 11-03 15:00, due Wed 11-04 09:00) was met."""
    rows = [COMPLAINT + ["回复时间"],
            ["TS-811", datetime(2026, 11, 2, 9, 0), "孙伟", "8-2201", "地下室渗水", "有效", "重大", "工程部",
             datetime(2026, 11, 2, 9, 5), "处理中", datetime(2026, 11, 3, 15, 0)]]
    done = process_paths(ctx, [write_xlsx(home / "inbox" / "投诉.xlsx", {"投诉登记": rows})],
                         datetime(2026, 11, 3, 15, 10))
    assert done.files[0].status == "accepted", done.files[0].message
    daily, _ = build_report(ctx, "daily_due", datetime(2026, 11, 18, 8, 30), parse_day("2026-11-18"))
    table = daily.table("待办与逾期")
    col = {c.title: i for i, c in enumerate(table.columns)}
    rows = [(r[col["事项"]], r[col["时限"]], r[col["负责人"]], r[col["部门"]]) for r in table.rows
            if r[col["编号"]] == "TS-811"]
    assert rows == [("重大投诉解决", datetime(2026, 11, 17, 9, 0), "部门负责人", "工程部")]


# --- 3. a return copy judged again is made from the workbook's latest save --------------------


def test_a_return_copy_judged_again_is_made_from_the_latest_save(ctx, home: Path):
    """The cashier saves 物业费台账.xlsx on Mon 09-28 (5-1101 paid to 08-31, 212.80 owed) and
    again on Wed 09-30 after 赵强 paid to 12-31; 2-301 (paid to 09-30, 0 owed) is the same row
    both times. On Thu 10-08 its 已缴至 has passed: the first file processed that day marks
    it for the cashier (已缴至未更新). The copy must be of Wednesday's save — a copy of Monday's
    would show 5-1101 owing again, and saved back it would undo his payment and demand
    212.80 from an owner who has paid."""
    def accounts(paid_5_1101: date, owed: float) -> list[list[Any]]:
        return [FEES, ["2-301", "王芳", "13912345603", 89.2, 2.5, date(2026, 9, 30), 0],
                ["5-1101", "赵强", "13912345605", 76, 2.8, paid_5_1101, owed]]

    book = home / "inbox" / "物业费台账.xlsx"
    first = process_paths(ctx, [write_xlsx(book, {"物业费": accounts(date(2026, 8, 31), 212.8)})],
                          datetime(2026, 9, 28, 9, 0))
    second = process_paths(ctx, [write_xlsx(book, {"物业费": accounts(date(2026, 12, 31), 0)})],
                           datetime(2026, 9, 30, 9, 0))
    assert first.files[0].status == second.files[0].status == "accepted"
    drain(ctx.ws, ctx.ledger)
    repair = [["单号", "房号", "报修人", "报修时间", "维修内容", "接报人"],
              ["BX-1008-01", "1-102", "李秀英", datetime(2026, 10, 8, 8, 50), "门铃不响", "陈晓"]]
    assert process_paths(ctx, [write_xlsx(home / "inbox" / "报修登记表.xlsx", {"报修": repair})],
                         datetime(2026, 10, 8, 9, 0)).files[0].status == "accepted"
    drain(ctx.ws, ctx.ledger)

    copies = sorted(ctx.ws.returns.glob("物业费台账-问题批注-*.xlsx"))
    assert [p.name for p in copies] == ["物业费台账-问题批注-00002.xlsx"]  # files 1 and 2: the two saves
    sheet = openpyxl.load_workbook(copies[0])["物业费"]
    rows = {r[0].value: r for r in sheet.iter_rows() if r[0].value in ("2-301", "5-1101")}
    assert rows["5-1101"][5].value == datetime(2026, 12, 31) and rows["5-1101"][6].value == 0
    assert "已缴至" in rows["2-301"][5].comment.text


# --- 4. a past week's escalated complaints are those escalated by its end ---------------------

COMPLAINT_SOLVED = COMPLAINT + ["解决时间"]


def test_a_past_week_counts_only_the_complaints_escalated_by_its_end(ctx, home: Path):
    """TS-901 (轻微, 工程部), taken Wed 09-30 16:30 before the 国庆 holiday, is solved only on
    Thu 10-08 10:00: a week unresolved, it became 重大 at Wed 10-07 16:30 (seed 001: 有效投诉
    在一周内得不到合理解决). Week 40 (09-28..10-04) ended with it still 轻微: its report, made
    on Fri 10-02 or made again on Fri 10-09, names no escalated event; week 41's report
    counts the one event this week and 0 the week before."""
    rows = [COMPLAINT_SOLVED,
            ["TS-901", datetime(2026, 9, 30, 16, 30), "孙丽", "6-201", "楼道保洁不及时", "有效", "轻微", "工程部",
             datetime(2026, 9, 30, 16, 35), "处理中", None]]
    book = home / "inbox" / "投诉.xlsx"
    assert process_paths(ctx, [write_xlsx(book, {"投诉登记": rows})],
                         datetime(2026, 9, 30, 17, 0)).files[0].status == "accepted"
    w40, _ = build_report(ctx, "weekly", datetime(2026, 10, 2, 17, 0), parse_week("2026-W40"))
    assert [r for r in w40.table("投诉升级").rows if r[0] != "（无）"] == []
    rows[1][-2:] = ["已解决", datetime(2026, 10, 8, 10, 0)]
    assert process_paths(ctx, [write_xlsx(book, {"投诉登记": rows})],
                         datetime(2026, 10, 8, 10, 30)).files[0].status == "accepted"

    w40, _ = build_report(ctx, "weekly", datetime(2026, 10, 9, 17, 0), parse_week("2026-W40"))
    assert [r for r in w40.table("投诉升级").rows if r[0] != "（无）"] == []
    w41, _ = build_report(ctx, "weekly", datetime(2026, 10, 9, 17, 0), parse_week("2026-W41"))
    assert [r[0] for r in w41.table("投诉升级").rows] == ["投诉 TS-901"]
    assert ("投诉升级事件", "1", "0") in [tuple(h[:3]) for h in w41.headline]


# --- 5. a special service whose amount or price is flagged stays off the monthly statement ------

SERVICE = ["单号", "受理时间", "受理人", "房号", "客户", "服务项目", "类别", "数量", "单价", "金额", "完成时间"]


def test_a_flagged_service_amount_is_not_billed_on_the_monthly_statement(ctx, home: Path):
    """October: 6-201 had bulbs changed twice — TY-01 2 × 10.00 = 20.00, and TY-02 written as
    45.00 for 4 × 10.00 (40.00: the amount is flagged 金额算错); 3-502 had a bath heater put in
    at 100.00 against the list's 80.00 with no approver (单价不符且无人审批). The statements
    signed on 11-01 are sent to the owners: 6-201's bills TY-01 only (20.00), 3-502 gets none,
    and the ledger says the two rows wait for correction instead of billing them. Once the
    desk corrects TY-02 to 40.00, 6-201's statement bills 60.00."""
    from toolkit.reports import parse_month, produce

    rows = [SERVICE,
            ["TY-01", datetime(2026, 10, 12, 9, 0), "周婷", "6-201", "孙丽", "更换灯泡灯管", "供电设备维修类", 2, 10, 20,
             datetime(2026, 10, 12, 9, 30)],
            ["TY-02", datetime(2026, 10, 20, 9, 0), "陈晓", "6-201", "孙丽", "更换灯泡灯管", "供电设备维修类", 4, 10, 45,
             datetime(2026, 10, 20, 9, 40)],
            ["TY-03", datetime(2026, 10, 21, 14, 0), "周婷", "3-502", "刘洋", "安装浴霸", "供电设备维修类", 1, 100, 100,
             datetime(2026, 10, 21, 15, 0)]]
    book = home / "inbox" / "特约服务登记表.xlsx"
    done = process_paths(ctx, [write_xlsx(book, {"特约服务": rows})], datetime(2026, 10, 21, 16, 0))
    assert sorted(a.code for a in done.files[0].actions) == ["service.amount", "service.price_unapproved"]

    report = produce(ctx, "monthly", datetime(2026, 11, 1, 8, 30), parse_month("2026-10"))
    rooms = {r[0]: r[1:] for r in report.table("分户结算").rows}
    assert rooms == {"6-201": ["孙丽", 1, Decimal("20.00")]}
    how = {r[0]: r[11] for r in report.table("特约服务台账").rows}
    assert how == {"TY-01": "月结", "TY-02": "待更正", "TY-03": "待更正"}
    (statement,) = [Path(p) for p in report.outputs if "月结单" in Path(p).name]
    text = "\n".join(p.text for p in docx.Document(statement).paragraphs)
    assert "合计20.00元" in text and "45.00" not in "".join(c.text for t in docx.Document(statement).tables
                                                           for r in t.rows for c in r.cells)

    rows[2][9] = 40
    assert process_paths(ctx, [write_xlsx(book, {"特约服务": rows})],
                         datetime(2026, 11, 1, 9, 0)).files[0].status == "accepted"
    again = produce(ctx, "monthly", datetime(2026, 11, 1, 9, 10), parse_month("2026-10"))
    assert {r[0]: r[1:] for r in again.table("分户结算").rows} == {"6-201": ["孙丽", 2, Decimal("60.00")]}


# --- 6. a past month's closing arrears are not read from an amount typed later -----------------


def test_last_months_closing_arrears_leave_out_the_months_begun_since(ctx, home: Path):
    """The cashier first enters the accounts on Mon 09-28: 1-102 paid to 06-30 and owes 1,008.00
    (Jul, Aug, Sep × 120 m² × 2.80 = 336.00); 3-502 paid to 03-31 owes 2,757.12 (Apr–Sep × 143.6
    m² × 3.20 = 459.52). September's report (made 10-03) shows 3,765.12 owed at its end; August's
    end, beside it, is 2 and 5 months: 672.00 + 2,297.60 = 2,969.60 — not the September figures
    typed a month later."""
    rows = [FEES, ["1-102", "李秀英", "13912345602", 120, 2.8, date(2026, 6, 30), 1008],
            ["3-502", "刘洋", "13912345604", 143.6, 3.2, date(2026, 3, 31), 2757.12]]
    assert process_paths(ctx, [write_xlsx(home / "inbox" / "物业费台账.xlsx", {"物业费": rows})],
                         datetime(2026, 9, 28, 9, 0)).files[0].status == "accepted"
    from toolkit.reports import parse_month

    report, _ = build_report(ctx, "property_status", datetime(2026, 10, 3, 8, 30), parse_month("2026-09"))
    owed = [h for h in report.headline if h[0] == "物业费欠费（元）"]
    assert [tuple(h[:3]) for h in owed] == [("物业费欠费（元）", "3,765.12", "2,969.60")]


# --- 7. a request's forwarding, answer and callback name the desk -----------------------------

REQUEST = ["编号", "受理时间", "客户", "房号", "内容", "转报部门", "转报时间", "回复时间"]


def test_request_answer_and_callback_name_the_customer_assistant(ctx, home: Path):
    """Seed 001 (来电来访, 需求建议): the desk forwards what it cannot settle within 10 minutes,
    and "客户助理负责回答客户" within a day. XQ-01 (forwarded to 工程部 at 15:05) taken Wed 09-30
    15:00 is not answered by Thu 10-01 15:00; XQ-02 answered 10-08 10:00 is not called back by
    10-09 10:00. On 10-09 08:30 … 10-10 08:30 the daily list names 客户助理 of 客服中心 for both,
    not a blank 负责人 (nor 工程部 for the answer)."""
    rows = [REQUEST,
            ["XQ-01", datetime(2026, 9, 30, 15, 0), "王芳", "2-301", "希望增加儿童游乐设施", "工程部",
             datetime(2026, 9, 30, 15, 5), None],
            ["XQ-02", datetime(2026, 10, 8, 9, 0), "孙丽", "6-201", "建议延长泳池开放时间", "客服中心",
             datetime(2026, 10, 8, 9, 5), datetime(2026, 10, 8, 10, 0)]]
    assert process_paths(ctx, [write_xlsx(home / "inbox" / "需求.xlsx", {"需求建议": rows})],
                         datetime(2026, 10, 8, 10, 30)).files[0].status == "accepted"
    daily, _ = build_report(ctx, "daily_due", datetime(2026, 10, 10, 8, 30), parse_day("2026-10-10"))
    table = daily.table("待办与逾期")
    col = {c.title: i for i, c in enumerate(table.columns)}
    due = {(r[col["编号"]], r[col["事项"]]): (r[col["负责人"]], r[col["部门"]]) for r in table.rows}
    assert due == {("XQ-01", "需求答复"): ("客户助理", "客服中心"),
                   ("XQ-02", "需求建议回访"): ("客户助理", "客服中心")}


# --- 8. a transfer marked settled while the fee accounts show arrears is named ----------------

TRANSFER = ["房号", "原业主", "新业主", "新业主身份证号", "产权证号", "转让日期", "原业主结清", "建筑面积",
            "物业费单价", "新业主预缴月数"]


def test_a_transfer_marked_settled_against_the_fee_accounts_is_named_for_the_cashier(ctx, home: Path):
    """Seed 001 房屋转让: the cashier checks the old owner's arrears, and the old owner settles
    everything up to the transfer date. 3-502 (刘洋 → 陈静, Fri 10-09) is marked 原业主结清 是,
    but the fee accounts still say paid to 03-31 with 2,757.12 owed: the daily list of 10-10
    names it for the cashier to check (settled: update the account; not settled: the transfer
    waits). 1-101, paid to 12-31, marked 是 too, is not named."""
    fees = write_xlsx(home / "inbox" / "物业费台账.xlsx", {"物业费": [
        FEES, ["3-502", "刘洋", "13912345604", 143.6, 3.2, date(2026, 3, 31), 2757.12],
        ["1-101", "张建国", "13912345601", 98.5, 2.8, date(2026, 12, 31), 0]]})
    rows = [TRANSFER,
            ["3-502", "刘洋", "陈静", "110101199003071233", "粤房权证字第0012345号", date(2026, 10, 9), "是",
             143.6, 3.2, 6],
            ["1-101", "张建国", "马超", "110101198805125673", "粤房权证字第0012346号", date(2026, 10, 9), "是",
             98.5, 2.8, 6]]
    done = process_paths(ctx, [fees, write_xlsx(home / "inbox" / "房屋转让登记.xlsx", {"转让": rows})],
                         datetime(2026, 10, 9, 16, 30))
    assert all(f.status == "accepted" for f in done.files), [f.message for f in done.files]
    daily, _ = build_report(ctx, "daily_due", datetime(2026, 10, 10, 8, 30), parse_day("2026-10-10"))
    named = [r for r in daily.table("待处理问题").rows if r[1] == "房屋转让登记"]
    assert [r[3] for r in named] == ["3-502"]
    assert "原业主结清" in named[0][6] and "2026-03-31" in named[0][6] and "收费员" in named[0][6]


def _open_about(ctx, rule: str) -> list[str]:
    from toolkit.ruleset import open_findings

    with ctx.ledger.engine.connect() as conn:
        return [f.record for f in open_findings(conn, ctx.ledger.site) if f.rule == rule]


def test_a_settled_mark_checked_against_the_accounts_is_closed_once_the_transfer_is_history(ctx, home: Path):
    """3-502 (Fri 10-09, marked 是 against an account paid to 03-31) is named while the transfer
    is recent; 30 days on it is history (not asked about every day): the scheduled sweep of
    Mon 11-09 closes it in the ledger with no file, as judging every record then would."""
    from toolkit.ruleset.hook import sweep

    fees = write_xlsx(home / "inbox" / "物业费台账.xlsx", {"物业费": [
        FEES, ["3-502", "刘洋", "13912345604", 143.6, 3.2, date(2026, 3, 31), 2757.12]]})
    rows = [TRANSFER, ["3-502", "刘洋", "陈静", "110101199003071233", "粤房权证字第0012345号", date(2026, 10, 9),
                       "是", 143.6, 3.2, 6]]
    done = process_paths(ctx, [fees, write_xlsx(home / "inbox" / "房屋转让登记.xlsx", {"转让": rows})],
                         datetime(2026, 10, 9, 16, 30))
    assert all(f.status == "accepted" for f in done.files), [f.message for f in done.files]
    assert _open_about(ctx, "transfer.ledger_unsettled") == ["3-502|2026-10-09"]
    sweep(ctx, datetime(2026, 11, 8, 23, 0))  # day 30: still recent
    assert _open_about(ctx, "transfer.ledger_unsettled") == ["3-502|2026-10-09"]
    sweep(ctx, datetime(2026, 11, 9, 8, 0))  # day 31: history
    assert _open_about(ctx, "transfer.ledger_unsettled") == []
