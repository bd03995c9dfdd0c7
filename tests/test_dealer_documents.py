"""The dealer pack's documents as staff get them: the consulting agreement waits for its
fee, is drafted only for a contract being negotiated and states seed 000's terms; a fine
notice is not issued again when nothing it prints changed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
from car_fixtures import dealer_home  # noqa: F401 (the fixture "home")
from test_dealer_pipeline import docx_text, fill, process

from toolkit.codec import encode
from toolkit.documents.issue import documents_config, stale_draft
from toolkit.documents.tables import DRAFT
from toolkit.workspace import Workspace

CONTRACT = {"合同编号": "HT-2026-001", "合同类型": "物业服务顾问协议", "甲方": "徐州彭城置业发展有限公司",
            "乙方": "常州安居物业顾问有限公司", "甲方代表人": "李总", "乙方代表人": "王经理", "签订日期": date(2026, 12, 1),
            "委托费用": 123456.789, "付款方式": "按季支付", "违约金": 20000, "状态": "草拟"}



def drafts(home: Path, pattern: str) -> list[Path]:
    return sorted((home / "outbox" / "文书草稿").glob(f"*{pattern}*.docx"))


def return_notes(home: Path, register: str) -> list[str]:
    """The 说明 column of the newest return copy's 问题清单."""
    path = sorted((home / "outbox" / "退回批注").glob(f"{register}-问题批注-*.xlsx"))[-1]
    sheet = openpyxl.load_workbook(path)["问题清单"]
    return [str(r[6]) for r in sheet.iter_rows(min_row=4, values_only=True) if r and r[6]]


def test_agreement_waits_for_a_refused_fee_and_follows_the_corrected_register(home: Path):
    # 123456.789 has three decimals: the cell is refused, the row kept without a fee.
    result = process(home, fill(home, "合同登记", [CONTRACT]), "2026-12-04T09:00")
    assert not drafts(home, "物业服务顾问协议书")  # never "顾问费用为元（）"
    (drafted,) = [f for f in result["findings"] if f["rule"] == "contract.drafted"]
    assert "暂不起草" in drafted["message"] and "“委托费用”" in drafted["message"]
    assert "合同管理部" in drafted["message"]  # who completes it
    (fee,) = [n for n in return_notes(home, "合同登记") if "超过两位小数" in n]
    assert "《物业服务顾问协议书》须写明“委托费用”，暂不起草" in fee and "合同管理部" in fee
    # The clerk corrects the fee: the agreement is drafted, the first of its kind.
    process(home, fill(home, "合同登记", [{**CONTRACT, "委托费用": 123456.79}], "合同登记-改"), "2026-12-04T15:00")
    (agreement,) = drafts(home, "物业服务顾问协议书")
    assert "顾字第001号" in agreement.name
    text = docx_text(agreement)
    assert "123,456.79元（人民币壹拾贰万叁仟肆佰伍拾陆元柒角玖分）" in text


def test_a_blank_penalty_holds_the_agreement_and_marks_the_cell(home: Path):
    result = process(home, fill(home, "合同登记", [{**CONTRACT, "委托费用": 120000, "违约金": None}]),
                     "2026-12-04T09:00")
    assert not drafts(home, "物业服务顾问协议书")
    assert result["status"] == "partial"  # a cell to complete
    (note,) = [n for n in return_notes(home, "合同登记") if "违约金" in n]
    assert note.startswith("本行“违约金”为空。《物业服务顾问协议书》须写明“违约金”")


def test_no_agreement_for_a_contract_already_in_force(home: Path):
    # dealer.md §4.3: 顾 is drafted for 状态 草拟 only; HT-2026-002 was signed on 06-01.
    signed = {**CONTRACT, "合同编号": "HT-2026-002", "签订日期": date(2026, 6, 1), "委托费用": 200000, "状态": "生效"}
    draft = {**CONTRACT, "委托费用": 120000}
    result = process(home, fill(home, "合同登记", [signed, draft]), "2026-12-04T09:00")
    assert [f["record"] for f in result["findings"] if f["rule"] == "contract.drafted"] == ["HT-2026-001"]
    (agreement,) = drafts(home, "物业服务顾问协议书")
    assert agreement.name.endswith("_HT-2026-001.docx")


def test_agreement_states_the_seed_terms(home: Path):
    process(home, fill(home, "合同登记", [{**CONTRACT, "委托费用": 120000}]), "2026-12-04T09:00")
    text = docx_text(drafts(home, "物业服务顾问协议书")[0])
    clause_5 = text[text.index("第五条"):text.index("第六条")]
    # Seed 000 第三篇 5(1): no termination without the other side's written consent; the
    # other may terminate after a written notice left unremedied. No penalty there.
    first, second = clause_5.split("（二）")
    assert "未经对方书面同意" in first and "不得擅自解除" in first and "经对方书面通知后仍未纠正" in first
    assert "违约金" not in first and "提前" not in first
    # 5(2): the penalty only for 甲方 paying 30 days late: 20,000 in figures and capitals.
    assert "逾期满三十日" in second and "甲方须向乙方支付违约金20,000.00元（人民币贰万元整）" in second
    assert "任何一方均可向常州仲裁委员会申请仲裁" in text  # seed 6
    assert "壹式陆份，双方各执叁份，各份具有同等法律效力" in text  # seed 7(1)
    assert "签字并加盖双方公章后生效" in text  # seed 7(2)
    assert "签于" in text  # seed's signature block
    assert "定期向甲方报告" not in text  # duties the seed does not give


def test_summary_of_each_dealer_draft_in_the_dispatch_register(home: Path):
    process(home, fill(home, "合同登记", [{**CONTRACT, "委托费用": 120000}]), "2026-12-04T09:00")
    sheet = openpyxl.load_workbook(home / "outbox" / "发文登记.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(r for r in rows if r and "内容摘要" in r)
    (row,) = [r for r in rows if r and any("顾字第001号" in str(c) for c in r if c)]
    summary = row[header.index("内容摘要")]
    assert summary == "徐州彭城置业发展有限公司 物业服务顾问协议，委托费用 120,000.00 元，违约金 20,000.00 元"


REPORTS = [{"业务员": "张伟", "报表": "联销体成员走访一览表", "期间": "2026-W45", "实报日期": date(2026, 11, 10)}]
PAY = {"月份": "2026-11", "业务员": "张伟", "基本工资": 2000, "辖区县数": 20, "有成员县数": 16}


def test_fine_notice_stays_when_only_a_figure_it_does_not_print_changes(home: Path):
    # The W45 list was due 11-09 and came 11-10: late once, 50.00 out of the 500.00 visit fund.
    process(home, fill(home, "报表上报登记", REPORTS), "2026-12-04T09:00")
    process(home, fill(home, "业务员工资考核表", [PAY]), "2026-12-04T09:00")
    (first,) = drafts(home, "报表迟报漏报扣款通知")
    assert "扣字第001号" in first.name
    # 有成员县数 16 → 17 changes the network rate (80 % → 85 %) and the pay, neither printed
    # on the notice: the draft stays, no 扣字第002号 and nothing voided.
    process(home, fill(home, "业务员工资考核表", [{**PAY, "有成员县数": 17}], "工资-改"), "2026-12-04T15:00")
    assert drafts(home, "报表迟报漏报扣款通知") == [first]
    assert not list((home / "outbox" / "文书草稿" / "已作废").glob("*扣字*"))


def test_an_unsigned_fine_notice_follows_a_printed_figure_only(home: Path):
    ws = Workspace(home)
    config = documents_config(ws)
    fine = config.by_type("jsb_fine")
    assert fine is not None
    values = {"月份": "2026-11", "业务员": "张伟", "网络完善率": "0.8", "走访基金": "500.00", "扣款": "50.00",
              "结转下月": "0.00", "fines": []}
    stored = encode(values)
    # Not printed: the network rate → the draft is as it was.
    assert not stale_draft(config, fine, DRAFT, stored, {**values, "网络完善率": "0.85"}, ws.templates)
    # Printed (本月走访基金) though not one of the type's facts → made again.
    assert stale_draft(config, fine, DRAFT, stored, {**values, "走访基金": "0.00"}, ws.templates)
    # Without the templates folder every value counts, as before.
    assert stale_draft(config, fine, DRAFT, stored, {**values, "网络完善率": "0.85"})


def test_a_breach_notice_for_a_debt_since_paid_is_voided(home: Path):
    # Installment 1 of HT-2026-001 was due 11-02: on 12-03 it is 31 days overdue, a breach,
    # and the 违约通知书 is drafted. Paid in full on 12-05 and saved: the unsigned notice
    # still says "仍欠 30,000.00 元…七日内付清" — it is voided, never signed by mistake.
    process(home, fill(home, "合同登记", [{**CONTRACT, "状态": "生效", "签订日期": date(2026, 8, 1)}]),
            "2026-12-03T09:00")
    pay = {"合同编号": "HT-2026-001", "期次": 1, "应付日期": date(2026, 11, 2), "应付金额": 30000}
    process(home, fill(home, "合同收款登记", [pay], "收款"), "2026-12-03T10:00")
    (notice,) = drafts(home, "违约通知书")
    paid = process(home, fill(home, "合同收款登记", [{**pay, "实付金额": 30000}], "收款"), "2026-12-05T10:00")
    assert [f["state"] for f in paid["findings"] if f["rule"] == "contract.overdue"] == ["resolved"]
    assert drafts(home, "违约通知书") == []
    assert [p.name for p in (home / "outbox" / "文书草稿" / "已作废").glob("*违约通知书*.docx")] == [notice.name]


# --- one member, one cancellation ----------------------------------------------------------------

PENALTY = {"处罚编号": "F2026-07", "成员编号": "M01", "发现日期": date(2026, 11, 12), "举报人": "赵敏", "罚金": 50000,
           "举报奖励": 40000, "铜牌收回": "是"}
ELSEWHERE = {"月份": "2026-11", "成员编号": "M01", "销量": 9000, "所在市场销量": 10000, "其他渠道进货额": 3200,
             "填报业务员": "王强"}


def dispatch_numbers(home: Path, code: str) -> list[str]:
    sheet = openpyxl.load_workbook(home / "outbox" / "发文登记.xlsx").active
    return sorted({str(c) for row in sheet.iter_rows(values_only=True) for c in row if c and f"{code}字第" in str(c)})


def test_a_second_cause_joins_the_unsigned_cancellation_of_the_same_member(home: Path):
    """M01 is fined for counterfeits (F2026-07, found 11-12): its cancellation is drafted,
    消字第001号. On 12-04 November's sales row says it also bought 3,200 from another
    first-tier dealer: the same member, the same cancellation. The unsigned draft now gives
    both causes under its own number; no 消字第002号, nothing voided."""
    from test_dealer_pipeline import MEMBERS

    process(home, fill(home, "联销体成员登记", MEMBERS), "2026-11-20T09:00")
    process(home, fill(home, "假冒伪劣处罚登记", [PENALTY]), "2026-11-20T09:00")
    (first,) = drafts(home, "联销体成员资格取消通知书")
    assert "消字第001号" in first.name and "F2026-07" in docx_text(first)
    process(home, fill(home, "二级客户进货统计表", [ELSEWHERE]), "2026-12-04T09:00")
    (notice,) = drafts(home, "联销体成员资格取消通知书")
    assert notice.name == first.name
    text = docx_text(notice)
    assert "F2026-07" in text and "50,000.00" in text  # the first cause, still there
    assert "从其他一级经销商处进货 3,200.00 元" in text  # the second, added
    assert not list((home / "outbox" / "文书草稿" / "已作废").glob("*消字*"))
    assert all("消字第001号" in n for n in dispatch_numbers(home, "消"))
    # The region signs it; December's row then says 捆绑销售: the cancellation signed is the
    # same one, and nothing new is drafted.
    sign_drafts(home, "2026-12-05T10:00")
    process(home, fill(home, "二级客户进货统计表", [ELSEWHERE, {**ELSEWHERE, "月份": "2026-12", "其他渠道进货额": None,
                                                          "捆绑销售": "是"}], "进货12月"), "2027-01-06T09:00")
    assert drafts(home, "联销体成员资格取消通知书") == []  # signed: moved out of the drafts
    assert [p.name for p in (home / "outbox" / "已审批文书").glob("*消字*.docx")] == [first.name]
    assert all("消字第001号" in n for n in dispatch_numbers(home, "消"))


def sign_drafts(home: Path, now: str) -> None:
    """The region fills 签发人 and 签发日期 on every draft of the dispatch register and saves it."""
    wb = openpyxl.load_workbook(home / "outbox" / "发文登记.xlsx")
    sheet = wb.active
    header_row = next(r for r in range(1, 6) if sheet.cell(r, 2).value == "文号")
    col = {sheet.cell(header_row, c).value: c for c in range(1, sheet.max_column + 1)}
    for r in range(header_row + 1, sheet.max_row + 1):
        if sheet.cell(r, col["文书状态"]).value == "草稿":
            sheet.cell(r, col["签发人"], "刘主任")
            sheet.cell(r, col["签发日期"], date.fromisoformat(now[:10]))
    wb.save(home / "inbox" / "发文登记.xlsx")
    process(home, home / "inbox" / "发文登记.xlsx", now)


# --- a month with no pay row: its fines are charged later, and the notice says so -------------------

LOG = [{"业务员": "张伟", "报表": r, "期间": p, "实报日期": d} for r, p, d in (
    ("联销体成员走访一览表", "2026-W37", date(2026, 9, 15)),   # due Mon 09-14: late, September
    ("联销体成员走访一览表", "2026-W41", date(2026, 10, 13)),  # due Mon 10-12: late, October
    ("二级客户进货统计表", "2026-09", date(2026, 10, 9)),      # due 10-05, a holiday → 10-08: late, October
    ("联销体成员走访一览表", "2026-W45", date(2026, 11, 10)))]  # due Mon 11-09: late, November


def test_a_fine_notice_says_which_earlier_months_it_charges_and_why(home: Path):
    """张伟 has pay rows for September and November only. October's two late reports (W41,
    the September statistics) could not be taken in October: the November notice charges
    them with W45's, 3 × 50 = 150.00 out of the 500.00 fund (pay 1,400 + 480 + 500 − 150 =
    2,230.00), and says that 100.00 of it is October's, for want of an October pay row.
    September's notice charges W37 alone and carries nothing over."""
    process(home, fill(home, "报表上报登记", LOG), "2026-12-04T09:00")
    pay = [{**PAY, "月份": m} for m in ("2026-09", "2026-11")]
    result = process(home, fill(home, "业务员工资考核表", pay), "2026-12-04T09:00")
    fines = {f["record"]: f for f in result["findings"] if f["rule"] == "jsb.fines"}
    nov = fines["2026-11|张伟"]
    assert nov["values"]["扣款"] == "150.00" or float(nov["values"]["扣款"]) == 150
    assert "其中 2026年10月 2 次 100.00 元" in nov["message"]
    assert "2026年10月的业务员工资考核表中没有其记录" in nov["message"]
    assert "以前月份" not in fines["2026-09|张伟"]["message"]
    (notice,) = [p for p in drafts(home, "报表迟报漏报扣款通知") if "2026-11" in p.name]
    text = docx_text(notice)
    assert "2026-W41" in text and "2026-W45" in text and "150.00" in text
    assert ("上表中属于2026年10月的 2 次罚款共 100.00 元（二级客户进货统计表 2026-09、联销体成员走访一览表 2026-W41）"
            in text)
    assert "2026年10月的工资考核表中没有你的记录，当月未能扣款，并入本月扣除" in text
    (september,) = [p for p in drafts(home, "报表迟报漏报扣款通知") if "2026-09" in p.name]
    assert "上表中属于" not in docx_text(september)


def test_a_fine_notice_lists_its_reports_in_the_order_they_were_due(home: Path):
    """张伟 (铜山县) logged W41 late (due Mon 10-12, sent 10-14) and W42–W44 on time, but never
    W40 (due 10-05, National Day → 10-08; missing after W41's due day): October's notice lists
    W40 (漏报 200.00) before W41 (迟报 50.00), as they were due, not the logged rows first."""
    import docx

    process(home, fill(home, "县级市场登记", [{"县市": "铜山县", "大区": "苏北大区", "责任业务员": "张伟",
                                              "一级经销商": "徐州华联商贸"}]), "2026-12-04T09:00")
    log = [{"业务员": "张伟", "报表": "联销体成员走访一览表", "期间": p, "实报日期": d} for p, d in (
        ("2026-W41", date(2026, 10, 14)), ("2026-W42", date(2026, 10, 19)), ("2026-W43", date(2026, 10, 26)),
        ("2026-W44", date(2026, 11, 2)))]
    process(home, fill(home, "报表上报登记", log), "2026-12-04T09:00")
    process(home, fill(home, "业务员工资考核表", [{**PAY, "月份": "2026-10"}]), "2026-12-04T09:00")
    (notice,) = [p for p in drafts(home, "报表迟报漏报扣款通知") if "2026-10" in p.name]
    table = docx.Document(str(notice)).tables[0]
    listed = [(r.cells[1].text, r.cells[4].text, r.cells[5].text) for r in table.rows[1:]]
    assert listed == [("2026-W40", "漏报", "200.00"), ("2026-W41", "迟报", "50.00")]
