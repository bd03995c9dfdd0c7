"""Dealer pack, QA round 11: notes that say what is true. The contract workbook says, for
each overdue instalment, which letter was drafted or why none was; the visit list's first
table says what it counts and who acts; the Word documents state the registers' figures
and the seed's terms. Registers filled as staff fill them, processed, reports made with the
CLI, the .xlsx and .docx opened with openpyxl and python-docx, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from car_fixtures import dealer_home  # noqa: F401 (the fixture "home")
from test_dealer_pipeline import MEMBERS, docx_text, fill, process
from test_dealer_qa5 import COUNTIES, rows_of
from test_dealer_qa10 import CONTRACT, report

BOTH = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)



@BOTH
def test_the_receivables_say_which_letter_each_instalment_got(home: Path):
    """On 2026-12-01 09:00, for November: GW-2026-001 (registered, 履行中) instalment 2 due
    10-20 is 42 days late — 违约通知书 drafted; instalment 3 due 11-30 is a day late —
    付款提醒函 drafted. GW-2026-009 is not in 合同登记: its instalment due 10-15 is 47 days
    late, a breach, but no letter can be drafted until the contract is registered (it is
    listed under 合同事项). GW-2026-002 was 解除 on 10-01 with written notice: its instalment
    due 09-20 (72 days late) gets no letter, 财务部 pursues it. The sheet's note no longer
    claims every breach has its letter drafted."""
    ended = {**CONTRACT, "合同编号": "GW-2026-002", "甲方": "徐州云龙置业有限公司", "状态": "解除",
             "解除日期": date(2026, 10, 1), "书面通知日期": date(2026, 10, 1)}
    process(home, fill(home, "合同登记", [CONTRACT, ended]), "2026-11-30T09:00")
    process(home, fill(home, "合同收款登记", [
        {"合同编号": "GW-2026-001", "期次": 2, "应付日期": date(2026, 10, 20), "应付金额": 40000, "实付金额": 10000},
        {"合同编号": "GW-2026-001", "期次": 3, "应付日期": date(2026, 11, 30), "应付金额": 40000},
        {"合同编号": "GW-2026-002", "期次": 1, "应付日期": date(2026, 9, 20), "应付金额": 30000},
        {"合同编号": "GW-2026-009", "期次": 1, "应付日期": date(2026, 10, 15), "应付金额": 50000}]),
        "2026-11-30T09:00")
    _, book = report(home, "contract_monthly", "2026-12-01T09:00", "--month", "2026-11")
    rows = rows_of(book, "应收款")
    note = rows[1][0]
    assert "违约通知书草稿已生成" not in note
    assert "合同登记" in note and "财务部" in note  # the two cases without a letter, and who acts
    assert rows[2][-1] == "文书"
    letters = {(r[0], r[2]): (r[8], r[9]) for r in rows[3:-1]}
    assert letters == {
        ("GW-2026-001", "2"): ("违约", "违约通知书已起草"),
        ("GW-2026-001", "3"): ("逾期", "付款提醒函已起草"),
        ("GW-2026-002", "1"): ("违约", "合同已解除，不发函；欠款由财务部追收"),
        ("GW-2026-009", "1"): ("违约", "合同未登记，违约通知书待合同管理部登记后起草（见“合同事项”）"),
    }


@BOTH
@pytest.mark.parametrize(("name", "args", "sheet"), [("jsb_weekly", ("--week", "2026-W44"), "本周走访"),
                                                      ("jsb_visits_monthly", ("--month", "2026-10"), "本月走访")])
def test_the_visit_sheet_says_what_it_counts_and_who_acts(home: Path, name: str, args: tuple[str, ...], sheet: str):
    """The visit sheet, like the other sheets, has a note line under its title: it lists the
    走访 and 电话调度 records dated in the period, each member is due at least one of each a
    month, and 业务员 record them; the header row follows it."""
    process(home, fill(home, "县级市场登记", COUNTIES), "2026-10-01T09:00")
    process(home, fill(home, "联销体成员登记", MEMBERS), "2026-10-01T09:00")
    process(home, fill(home, "联销体成员走访记录", [
        {"日期": date(2026, 10, 27), "业务员": "王强", "成员编号": "M01", "方式": "走访"}]), "2026-10-30T17:00")
    _, book = report(home, name, "2026-11-02T09:00", *args)
    rows = rows_of(book, sheet)
    note = rows[1][0]
    assert "走访" in note and "电话调度" in note and "至少" in note and "业务员" in note
    assert "本月未走访" in note  # where the members still short are
    assert rows[2][:3] == ("日期", "业务员", "成员编号")
    assert rows[3][1:3] == ("王强", "M01")


def _breach_letter(home: Path, kind: str) -> str:
    """The 违约通知书 drafted on 2026-12-01 for instalment 2 (40,000 due 10-20, 10,000
    paid: 42 days late) of a contract of this type."""
    process(home, fill(home, "合同登记", [{**CONTRACT, "合同类型": kind}]), "2026-11-30T09:00")
    process(home, fill(home, "合同收款登记", [
        {"合同编号": "GW-2026-001", "期次": 2, "应付日期": date(2026, 10, 20), "应付金额": 40000, "实付金额": 10000}]),
        "2026-12-01T09:00")
    (letter,) = (home / "outbox" / "文书草稿").glob("*违约通知书*.docx")
    return docx_text(letter)


@BOTH
def test_the_breach_letter_cites_the_consulting_agreement_clause_only_for_that_agreement(home: Path):
    """第五条第（二）款 is the 30-day clause of 物业服务顾问协议书 (seed 000 第三篇 5(2)); a
    contract of another type was not written on that form, so its letter points to the
    contract's terms without a clause number. Both state the 42 days, the 30,000 owed and the
    违约金 20,000 in figures and capitals."""
    text = _breach_letter(home, "其他")
    assert "第五条" not in text
    assert "按合同约定，逾期30日仍未支付视同违约" in text
    assert "已逾期42天" in text and "30,000.00元（人民币叁万元整）" in text and "20,000.00元（人民币贰万元整）" in text


@BOTH
def test_the_consulting_agreement_breach_letter_keeps_its_clause(home: Path):
    text = _breach_letter(home, "物业服务顾问协议")
    assert "按合同第五条第（二）款，逾期30日仍未支付视同违约" in text


@BOTH
def test_a_fine_carried_past_a_short_pay_says_it_is_the_pay_that_fell_short(home: Path):
    """Founded 2026-03-01: from September on there is no visit fund and fines come out of
    pay. 王强's October pay row: 基本工资 100, no county with a member → 70 % = 70.00. He
    sent the September statistics (due 10-09 as typed) on 10-12 and the September visit list
    (due 10-09) on 10-13: 2 × 50 = 100.00; W36 (08-31…09-06, still weekly, due 09-07) never
    came, a 漏报 of September with no September pay row to take it: 200.00 more, 300.00 in
    all. 70.00 is taken from pay, 230.00 waits for November. The notice says the pay fell
    short — there was no visit fund to fall short."""
    settings = home / "rules" / "dealer.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("founded: null", "founded: 2026-03-01"),
                        encoding="utf-8")
    process(home, fill(home, "县级市场登记", COUNTIES), "2026-10-01T09:00")
    process(home, fill(home, "报表上报登记", [
        {"业务员": "王强", "报表": "二级客户进货统计表", "期间": "2026-09", "应报日期": date(2026, 10, 9),
         "实报日期": date(2026, 10, 12)},
        {"业务员": "王强", "报表": "联销体成员走访一览表", "期间": "2026-09", "应报日期": date(2026, 10, 9),
         "实报日期": date(2026, 10, 13)}]), "2026-10-14T09:00")
    process(home, fill(home, "业务员工资考核表", [
        {"月份": "2026-10", "业务员": "王强", "基本工资": 100, "辖区县数": 2, "有成员县数": 0}]), "2026-11-04T09:00")
    (notice,) = (home / "outbox" / "文书草稿").glob("*扣款通知*.docx")
    text = docx_text(notice)
    assert "本月扣款70.00元（人民币柒拾元整）" in text and "结转下月230.00元" in text
    assert "走访基金不足" not in text
    assert "当月工资不足扣除的部分，下月继续扣除" in text


@BOTH
def test_the_expiry_reminder_promises_no_service_the_club_does_not_offer(home: Path):
    """GL-0003's policy ends 2026-12-31: on 12-05 (26 days before) the reminder is drafted,
    membership valid to 2027-01-10 (10 days after, seed 003 第五条). The club's rules offer
    renewal at the branch; the reminder sends the member there and promises no house call."""
    process(home, fill(home, "俱乐部会员登记", [
        {"会员卡号": "GL-0003", "车牌号": "苏C77777", "会员姓名": "钱进", "所属支公司": "鼓楼支公司", "会员类型": "普通会员",
         "保单号": "PDAA2026003", "保险起期": date(2026, 1, 1), "保险止期": date(2026, 12, 31),
         "入会申请日期": date(2026, 1, 2)}]), "2026-12-05T09:00")
    (reminder,) = (home / "outbox" / "文书草稿").glob("*会员资格到期提醒*.docx")
    text = docx_text(reminder)
    assert "2027年1月10日" in text and "2026年12月31日" in text
    assert "上门" not in text
    assert "续保请到鼓楼支公司办理" in text


@BOTH
def test_the_consulting_agreement_names_the_licence_as_the_seed_and_register_do(home: Path):
    """Seed 000 第三篇 1(1) and the register's column say 执照编号; the agreement's party table
    said 资格证书编号, a second name for the same number."""
    process(home, fill(home, "合同登记", [{**CONTRACT, "合同编号": "GW-2026-005", "状态": "草拟",
                                        "执照编号": "苏物顾字0012"}]), "2026-11-30T09:00")
    (agreement,) = (home / "outbox" / "文书草稿").glob("*物业服务顾问协议书*.docx")
    text = docx_text(agreement)
    assert "资格证书编号" not in text
    assert "执照编号苏物顾字0012" in text and "（执照编号：苏物顾字0012）" in text


@BOTH
def test_the_recall_notice_and_the_cancellation_print_their_months_as_words(home: Path):
    """张主任 found 李军's October statistics false: the recall notice names the list's month
    as the other notices do (2026年10月, not 2026-10). M02 sold 60 % of its market in August,
    September and October: the cancellation's cause reads as the sentence after it does,
    without spaces around its figures."""
    process(home, fill(home, "报表上报登记", [
        {"业务员": "李军", "报表": "二级客户进货统计表", "期间": "2026-10", "实报日期": date(2026, 11, 5), "虚报": "是",
         "核查人": "张主任"}]), "2026-11-20T09:00")
    (recall,) = (home / "outbox" / "文书草稿").glob("*业务员调回待岗通报*.docx")
    text = docx_text(recall)
    assert "业务员李军上报的《二级客户进货统计表》（2026年10月）存在虚报情况" in text and "2026-10" not in text
    process(home, fill(home, "联销体成员登记", MEMBERS), "2026-11-20T09:00")
    process(home, fill(home, "二级客户进货统计表", [
        {"月份": m, "成员编号": "M02", "销量": 6000, "所在市场销量": 10000, "填报业务员": "王强"}
        for m in ("2026-08", "2026-09", "2026-10")]), "2026-11-20T09:00")
    (cancel,) = (home / "outbox" / "文书草稿").glob("*联销体成员资格取消通知书*.docx")
    text = docx_text(cancel)
    assert "1. 截至2026年10月连续3个月销量低于所在市场销量的70%；" in text


@BOTH
def test_the_renewal_notice_issues_a_new_card_rather_than_replacing_a_lost_one(home: Path):
    """吴刚 renewed on 12-04, within his membership (policy to 11-24 + 10 days): seed 003
    第六条 has the club issue the member a new card and handbook. 补发 is what a member who
    lost a card gets; the notice says 重新发放."""
    process(home, fill(home, "俱乐部会员登记", [
        {"会员卡号": "GL-0002", "车牌号": "苏C66666", "会员姓名": "吴刚", "所属支公司": "鼓楼支公司", "会员类型": "普通会员",
         "保单号": "PDAA2026002", "保险起期": date(2025, 11, 25), "保险止期": date(2026, 11, 24),
         "入会申请日期": date(2025, 11, 26), "续保日期": date(2026, 12, 4)}]), "2026-12-05T09:00")
    (renewal,) = (home / "outbox" / "文书草稿").glob("*会员卡续发通知*.docx")
    text = docx_text(renewal)
    assert "补发" not in text
    assert "为您重新发放会员卡和会员手册，请到鼓楼支公司领取" in text and "新的有效期至2027年12月4日" in text
