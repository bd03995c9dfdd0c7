"""The dispatch register's seed columns (seed 001 节点15: expired posted notices taken
down, a notice to one customer signed for) and the notices of seed 001 满意度调查, 社区文化
活动 and seed 004 5.2/5.8 (the price list revised yearly and posted). Figures by hand;
the pipeline parts on both databases."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D
from pathlib import Path

import openpyxl
from conftest import write_xlsx
from docx import Document
from rules_helpers import dt, pick, rules_of, run

from toolkit.pipeline import open_context, process_paths
from toolkit.reports import build_report, parse_day, parse_month, produce
from toolkit.workspace import Workspace

# ---- rules over the register as staff saved it ----------------------------------------


def sent(how, **v):
    base = {"文号": "某某物业〔2026〕查字第001号", "文书标题": "满意度调查结果公告", "发文方式": how,
            "文书状态": "草稿", "签发人": "刘经理", "发文日期": date(2026, 11, 19), "签发日期": date(2026, 11, 20)}
    return {"dispatch": {base["文号"]: {**base, **v}}}


def test_expired_posted_notice_comes_down_the_next_day():
    # 有效期至 Fri 11-20 → down by Sat 11-21 23:59; at Sun 11-22 08:30 still up → 8 h 31 min = 511 min.
    f = pick(run(sent("张贴", 有效期至=date(2026, 11, 20)), "2026-11-22T08:30"), "dispatch.expiry")
    assert (f.due, f.status, f.overdue_minutes) == (dt("2026-11-21T23:59"), "overdue", 511)
    # Taken down 11-21 → met; 11-23 → late by two days (a date is judged by whole days: 2 × 1440).
    assert pick(run(sent("张贴", 有效期至=date(2026, 11, 20), 撤下日期=date(2026, 11, 21)), "2026-11-23T08:30"),
                "dispatch.expiry").status == "met"
    f = pick(run(sent("张贴", 有效期至=date(2026, 11, 20), 撤下日期=date(2026, 11, 23)), "2026-11-23T08:30"),
             "dispatch.expiry")
    assert (f.status, f.overdue_minutes) == ("late", 2880)
    # No 有效期至 (the price board stays until replaced), not signed, or void: nothing.
    assert run(sent("张贴"), "2026-11-23T08:30") == []
    assert run(sent("张贴", 有效期至=date(2026, 11, 20), 签发人=None), "2026-11-23T08:30") == []
    assert run(sent("张贴", 有效期至=date(2026, 11, 20), 文书状态="已作废"), "2026-11-23T08:30") == []


def test_notice_to_one_customer_is_signed_for():
    # Signed off Fri 11-20 → one working day: Mon 11-23 17:30. Signed for Tue 11-24 → one day late.
    f = pick(run(sent("送达"), "2026-11-23T08:30"), "dispatch.receipt")
    assert (f.due, f.status) == (dt("2026-11-23T17:30"), "pending")
    f = pick(run(sent("送达", 签收人="王秀英", 签收日期=date(2026, 11, 24)), "2026-11-24T09:00"), "dispatch.receipt")
    assert (f.status, f.overdue_minutes) == ("late", 1440)
    assert "dispatch.receipt" not in rules_of(run(sent("内部"), "2026-11-24T09:00"))
    assert "dispatch.receipt" not in rules_of(run(sent("现场"), "2026-11-24T09:00"))


# ---- survey result and event notices ----------------------------------------------------


def test_survey_result_notice_figures():
    row = {"调查编号": "DC1", "公告日期": date(2026, 11, 2), "开始日期": date(2026, 11, 9), "结束日期": date(2026, 11, 20),
           "总户数": 400, "发放户数": 240, "回收份数": 200, "满意份数": 170, "结果公告日期": date(2026, 11, 27)}
    # 240 ÷ 400 = 60.00 %; 200 ÷ 240 = 0.83333 → 83.33 %; 170 ÷ 200 = 85.00 %.
    f = pick(run({"survey": {"DC1": row}}, "2026-11-27T09:00"), "survey.closed")
    assert (f.values["share"], f.values["returned"], f.values["satisfaction"]) == (D("0.6000"), D("0.8333"), D("0.8500"))
    assert (f.values["share_text"], f.values["satisfaction_text"], f.notice) == ("60.00%", "85.00%", "survey_notice")
    # Before 结果公告日期 is filled: no notice.
    assert "survey.closed" not in rules_of(run({"survey": {"DC1": {**row, "结果公告日期": None}}}, "2026-11-27T09:00"))


def test_event_notice_once_announced():
    row = {"活动编号": "HD1", "活动名称": "中秋游园", "活动日期": date(2026, 12, 20), "筹备开始日期": date(2026, 11, 25),
           "地点": "中心花园", "报名方式": "前台报名"}
    assert "event.planned" not in rules_of(run({"community_event": {"HD1": row}}, "2026-12-01T09:00"))
    f = pick(run({"community_event": {"HD1": {**row, "公告日期": date(2026, 12, 13)}}}, "2026-12-13T09:00"),
             "event.planned")
    assert (f.notice, f.values["活动日期"], f.values["地点"]) == ("event_notice", date(2026, 12, 20), "中心花园")


# ---- through the pipeline ----------------------------------------------------------------


def _register(ctx):
    wb = openpyxl.load_workbook(ctx.ws.outbox / "发文登记.xlsx")
    sheet = wb.active
    header = [c.value for c in sheet[2]]
    rows = {r[1]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=3, values_only=True)}
    return wb, sheet, header, rows


def _save_back(ctx, home: Path, name: str, fill: dict[str, dict[str, object]]) -> Path:
    wb, sheet, header, _ = _register(ctx)
    for row in sheet.iter_rows(min_row=3):
        number = row[1].value
        for column, value in fill.get(number, {}).items():
            row[header.index(column)].value = value
    path = home / "inbox" / name
    wb.save(path)
    return path


def test_posted_survey_notice_expires_and_a_reminder_is_signed_for(ctx, home: Path, tmp_path: Path):
    survey = [["调查编号", "公告日期", "开始日期", "结束日期", "总户数", "发放户数", "回收份数", "满意份数", "整改措施", "结果公告日期"],
              ["DC1", date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 20), 400, 240, 200, 170, "车库照明整改", date(2026, 11, 23)]]
    fee = [["房号", "业主", "联系电话", "建筑面积", "单价", "已缴至", "欠费金额"],
           ["3-1-502", "王秀英", "13812345678", "89.5", "2.35", date(2026, 10, 31), "210.33"]]
    monday = datetime(2026, 11, 23, 9, 0)
    done = process_paths(ctx, [write_xlsx(tmp_path / "a.xlsx", {"满意度调查": survey, "物业费": fee})], monday)
    assert done.files[0].status == "accepted", done.files[0].message
    notice = next(ctx.ws.drafts.glob("*满意度调查结果公告*.docx"))
    doc = Document(notice)
    text = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    assert "60.00%" in text and "83.33%" in text and "85.00%" in text and "车库照明整改" in text
    _, _, _, rows = _register(ctx)
    posted = next(r for r in rows.values() if r["文书标题"] == "满意度调查结果公告")
    reminder = next(r for r in rows.values() if r["文书标题"].startswith("催缴通知书"))
    # Issued 11-23, valid 30 days → 有效期至 12-23.
    assert (posted["发文方式"], posted["有效期至"].date()) == ("张贴", date(2026, 12, 23))
    assert posted["内容摘要"] == "DC1 发放率 60.00%，满意率 85.00%"
    assert reminder["发文方式"] == "送达" and reminder["有效期至"] is None

    # The manager signs both on Mon 11-23 and saves the register into inbox/.
    sign = {"签发人": "刘经理", "签发日期": date(2026, 11, 23)}
    path = _save_back(ctx, home, "发文登记.xlsx", {posted["文号"]: sign, reminder["文号"]: sign})
    assert process_paths(ctx, [path], datetime(2026, 11, 23, 10, 0)).files[0].status == "accepted"
    # Tue 11-24 08:30: the reminder was due to be signed for by Tue 11-24 17:30 (one working day
    # after Mon 11-23) → 今日到期 on the list, naming 客户服务中心.
    report, _ = build_report(ctx, "daily_due", datetime(2026, 11, 24, 8, 30), parse_day("2026-11-24"))
    due = {r[2]: r for r in report.table("待办与逾期").rows}
    assert due[reminder["文号"]][0] == "今日到期" and due[reminder["文号"]][8] == "客户服务中心"
    # The customer signs on 11-24: recorded in the register, kept when it is rewritten.
    path = _save_back(ctx, home, "发文登记2.xlsx", {reminder["文号"]: {"签收人": "王秀英", "签收日期": date(2026, 11, 24)}})
    assert process_paths(ctx, [path], datetime(2026, 11, 24, 11, 0)).files[0].status == "accepted"
    _, _, _, rows = _register(ctx)
    assert rows[reminder["文号"]]["签收人"] == "王秀英" and rows[reminder["文号"]]["签发人"] == "刘经理"
    # Thu 12-24 08:30: the survey notice (valid to 12-23) is to come down today; the reminder is settled.
    report, _ = build_report(ctx, "daily_due", datetime(2026, 12, 24, 8, 30), parse_day("2026-12-24"))
    due = {r[2]: r for r in report.table("待办与逾期").rows}
    assert due[posted["文号"]][0] == "今日到期" and "过期通知撤下" in due[posted["文号"]][4]
    assert reminder["文号"] not in due


def test_price_board_posted_once_per_revision_and_age_warned(ctx, home: Path):
    # The shipped list was revised 2026-01-01: at the end of November 2026 that is 10 months → valid.
    report = produce(ctx, "monthly", datetime(2026, 12, 1, 8, 30), parse_month("2026-11"))
    row = report.table("价目表").rows[0]
    assert (row[0], row[1], row[3]) == (date(2026, 1, 1), 10, "有效")
    boards = sorted(ctx.ws.drafts.glob("*特约服务项目及收费标准公示*.docx"))
    assert len(boards) == 1
    text = "\n".join(c.text for t in Document(boards[0]).tables for r in t.rows for c in r.cells)
    assert "疏通下水道" in text and "50.00" in text
    # The same list next month: no second board. 2026-01-01 → 2026-12-31 is 11 months: still valid.
    report = produce(ctx, "monthly", datetime(2027, 1, 1, 8, 30), parse_month("2026-12"))
    assert report.table("价目表").rows[0][1] == 11
    assert len(list(ctx.ws.drafts.glob("*特约服务项目及收费标准公示*.docx"))) == 1
    # January 2027: 2026-01-01 → 2027-01-31 is 12 months → 须修订, in the report's notes too.
    report = produce(ctx, "monthly", datetime(2027, 2, 1, 8, 30), parse_month("2027-01"))
    row = report.table("价目表").rows[0]
    assert row[1] == 12 and row[3].startswith("须修订") and any("价目表须修订" in n for n in report.notes)
    # A revision (new date in the list) posts a new board that replaces the old one.
    wb = openpyxl.load_workbook(home / "rules" / "price_list.xlsx")
    wb.active["B1"] = datetime(2027, 2, 10)
    wb.save(home / "rules" / "price_list.xlsx")
    again = open_context(Workspace(home))  # rules are read when a context opens (the watcher restarts)
    try:
        report = produce(again, "monthly", datetime(2027, 3, 1, 8, 30), parse_month("2027-02"))
    finally:
        again.close()
    assert report.table("价目表").rows[0][3] == "有效"
    # The unsigned first board is replaced: void, and the new draft names it.
    [board] = ctx.ws.drafts.glob("*特约服务项目及收费标准公示*.docx")
    assert board.name.startswith("某某物业〔2027〕价字第001号")
    assert [p.name for p in (ctx.ws.drafts / "已作废").glob("*.docx")] == [boards[0].name]


def test_a_reminder_for_a_bill_since_paid_is_voided_and_a_changed_draft_is_flagged(ctx, home: Path, tmp_path: Path):
    """3-1-502 paid to 10-31, 11-05: 5 days overdue → 催缴通知书 drafted. The cashier saves
    the account paid to 12-31 on 11-10: the finding is resolved and the unsigned reminder
    voided (its files to 已作废), so it cannot be signed for a bill already paid. A draft of
    a type that is not voided so (the survey notice, its finding closed by a correction)
    is named in the register's heading for the signer to check."""
    fee = [["房号", "业主", "联系电话", "建筑面积", "单价", "已缴至"],
           ["3-1-502", "王秀英", "13812345678", "89.5", "2.35", date(2026, 10, 31)]]
    done = process_paths(ctx, [write_xlsx(tmp_path / "fee.xlsx", {"物业费": fee})], datetime(2026, 11, 5, 9, 0))
    assert done.files[0].status == "accepted", done.files[0].message
    (draft,) = ctx.ws.drafts.glob("*催缴通知书*.docx")
    fee[1][5] = date(2026, 12, 31)
    paid = process_paths(ctx, [write_xlsx(tmp_path / "fee-paid.xlsx", {"物业费": fee})], datetime(2026, 11, 10, 9, 0))
    assert [f.state for f in paid.files[0].findings if f.rule == "fee.arrears"] == ["resolved"]
    assert not list(ctx.ws.drafts.glob("*催缴通知书*.docx"))
    assert [p.name for p in (ctx.ws.drafts / "已作废").glob("*催缴通知书*.docx")] == [draft.name]
    wb, sheet, _, rows = _register(ctx)
    (reminder,) = [r for r in rows.values() if r["文书标题"].startswith("催缴通知书")]
    assert reminder["文书状态"] == "已作废"
    assert "请项目经理在“签发人”" in sheet["A1"].value and "登记情况已经改变" not in sheet["A1"].value


def test_a_draft_whose_finding_closed_is_named_for_the_signer(ctx, home: Path, tmp_path: Path):
    # The survey result notice DC1 is drafted on 11-23; the survey row is then corrected
    # (结果公告日期 cleared, so no notice is due): the draft stays (not a demand) and the
    # dispatch register's heading names it.
    head = ["调查编号", "公告日期", "开始日期", "结束日期", "总户数", "发放户数", "回收份数", "满意份数", "整改措施", "结果公告日期"]
    row = ["DC1", date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 20), 400, 240, 200, 170, "车库照明整改",
           date(2026, 11, 23)]
    process_paths(ctx, [write_xlsx(tmp_path / "s.xlsx", {"满意度调查": [head, row]})], datetime(2026, 11, 23, 9, 0))
    _, _, _, rows = _register(ctx)
    (posted,) = [r for r in rows.values() if r["文书标题"] == "满意度调查结果公告"]
    row[9] = None
    again = process_paths(ctx, [write_xlsx(tmp_path / "s2.xlsx", {"满意度调查": [head, row]})],
                          datetime(2026, 11, 23, 10, 0))
    assert any(f.state == "resolved" and f.notice for f in again.files[0].findings)
    _, sheet, _, rows = _register(ctx)
    assert rows[posted["文号"]]["文书状态"] == "草稿"
    assert "1 份草稿所依据的登记情况已经改变" in sheet["A1"].value and posted["文号"] in sheet["A1"].value


def test_the_dispatch_register_lists_the_drafts_of_the_run_that_also_voided_one(ctx, home: Path, tmp_path: Path):
    """QA: 发文登记.xlsx lagged one run behind. One save pays 3-1-502 (its reminder voided, the
    register asked for in the file's transaction) and brings 3-1-503 into arrears (a new
    reminder written after the commit, asking for the register again): the register is
    written once more in the same run and lists both."""
    head = ["房号", "业主", "联系电话", "建筑面积", "单价", "已缴至"]
    first = [head, ["3-1-502", "王秀英", "13812345678", "89.5", "2.35", date(2026, 10, 31)]]
    process_paths(ctx, [write_xlsx(tmp_path / "f1.xlsx", {"物业费": first})], datetime(2026, 11, 5, 9, 0))
    second = [head, ["3-1-502", "王秀英", "13812345678", "89.5", "2.35", date(2026, 12, 31)],
              ["3-1-503", "李强", "13812345679", "90", "2.35", date(2026, 10, 31)]]
    process_paths(ctx, [write_xlsx(tmp_path / "f2.xlsx", {"物业费": second})], datetime(2026, 11, 10, 9, 0))
    _, _, _, rows = _register(ctx)
    by_record = {r["登记记录"].split()[-1]: r["文书状态"] for r in rows.values() if r["文书标题"].startswith("催缴")}
    assert by_record == {"3-1-502": "已作废", "3-1-503": "草稿"}


def test_a_change_the_dispatch_register_cannot_take_is_said_on_the_managers_copy(ctx, home: Path, tmp_path: Path):
    """QA: a signed notice set to 已作废, or a void one signed, came back as it was with no
    word. The manager's copy now gets a return copy marking the cell and saying why."""
    head = ["房号", "业主", "联系电话", "建筑面积", "单价", "已缴至"]
    rows = [head, ["3-1-502", "王秀英", "13812345678", "89.5", "2.35", date(2026, 10, 31)]]
    process_paths(ctx, [write_xlsx(tmp_path / "f.xlsx", {"物业费": rows})], datetime(2026, 11, 5, 9, 0))
    _, _, _, listed = _register(ctx)
    (number,) = [n for n, r in listed.items() if r["文书标题"].startswith("催缴")]
    signed = _save_back(ctx, home, "发文登记.xlsx", {number: {"签发人": "刘经理", "签发日期": date(2026, 11, 5)}})
    assert process_paths(ctx, [signed], datetime(2026, 11, 5, 10, 0)).files[0].status == "accepted"
    # The manager then sets the signed notice to 已作废 and saves the register again.
    back = _save_back(ctx, home, "发文登记-2.xlsx", {number: {"文书状态": "已作废"}})
    done = process_paths(ctx, [back], datetime(2026, 11, 6, 9, 0)).files[0]
    assert done.status == "partial"
    (note,) = [e for e in done.errors if e.code == "dispatch.not_taken"]
    assert note.column == "文书状态" and "已签发，不能改为“已作废”" in note.message
    _, _, _, listed = _register(ctx)
    assert listed[number]["文书状态"] == "已审批"
    copy = next(ctx.ws.outbox.glob("退回批注/发文登记-2-问题批注-*.xlsx"))
    assert "发文登记的改动未生效" in [c.value for r in openpyxl.load_workbook(copy)["问题清单"].iter_rows() for c in r]
    # Clearing the signature does not take a signed notice back either.
    cleared = _save_back(ctx, home, "发文登记-3.xlsx", {number: {"签发人": None, "签发日期": None}})
    done = process_paths(ctx, [cleared], datetime(2026, 11, 6, 10, 0)).files[0]
    (note,) = [e for e in done.errors if e.code == "dispatch.not_taken"]
    assert note.column == "签发人" and "已由刘经理签发，清空签发人不能撤销签发" in note.message


# ---- the manager's 欠费情况报告 beside the customer's 催缴通知书 -------------------------------

FEE_HEAD = ["房号", "业主", "联系电话", "建筑面积", "单价", "已缴至", "欠费金额"]


def _docs(ctx) -> dict[str, dict]:
    from sqlalchemy import select

    from toolkit.documents.tables import documents

    with ctx.ledger.engine.connect() as c:
        rows = c.execute(select(documents).where(documents.c.site == ctx.ledger.site)
                         .order_by(documents.c.id)).all()
    return {r.number: dict(r._mapping) for r in rows}


def _text(path: Path) -> str:
    doc = Document(path)
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def _fee(tmp_path: Path, name: str, phone: str = "13812345678", amount: object = None) -> Path:
    # 3-1-502: 89.5 m² × 2.35 = 210.325 a month, paid to 08-31.
    return write_xlsx(tmp_path / name, {"物业费": [
        FEE_HEAD, ["3-1-502", "王秀英", phone, "89.5", "2.35", date(2026, 8, 31), amount]]})


def test_the_managers_report_leaves_the_signed_customer_notice_alone(ctx, home: Path, tmp_path: Path):
    """QA: the 90-day 欠费情况报告 was a variant of the customer's 催缴通知书 and replaced the
    reminder the manager had signed (替代文号, 已被取代). The report is a document of its own:
    the signed notice keeps its number and state, and the report names it as sent."""
    # 10-01: 31 days overdue (tier 2) → a 催缴通知书 to the owner, signed the same day.
    done = process_paths(ctx, [_fee(tmp_path, "f1.xlsx")], datetime(2026, 10, 1, 9, 0))
    assert done.files[0].status == "accepted", done.files[0].message
    [(notice, row)] = _docs(ctx).items()
    assert row["title"] == "催缴通知书" and row["doc_type"] == "payment_reminder"
    signed = _save_back(ctx, home, "发文登记.xlsx", {notice: {"签发人": "刘经理", "签发日期": date(2026, 10, 1)}})
    assert process_paths(ctx, [signed], datetime(2026, 10, 1, 10, 0)).files[0].status == "accepted"

    # 11-30: 91 days overdue (tier 3) → the report to the 项目经理, a number of its own.
    process_paths(ctx, [_fee(tmp_path, "f2.xlsx", phone="13812345679")], datetime(2026, 11, 30, 9, 0))
    docs = _docs(ctx)
    assert docs[notice]["status"] == "已审批" and docs[notice]["superseded_by"] is None
    [report] = [n for n, r in docs.items() if r["title"] == "欠费情况报告"]
    assert "欠字" in report and docs[report]["supersedes"] is None and docs[report]["recipient"] == "项目经理"
    # No second customer notice: the owner's reminders stop at the second tier.
    assert [n for n, r in docs.items() if r["doc_type"] == "payment_reminder"] == [notice]
    # The report cites the reminder actually sent; 3 months × 210.325 = 630.975 → 630.98.
    text = _text(ctx.ws.drafts / docs[report]["file_name"])
    assert f"经书面催缴（2026年10月1日（{notice}））仍未缴纳" in text and "630.98" in text and "请批示" in text
    _, _, _, listed = _register(ctx)
    assert listed[notice]["文书状态"] == "已审批" and not listed[report]["替代文号"]


def test_the_customer_notice_leaves_the_signed_managers_report_alone(ctx, home: Path, tmp_path: Path):
    """The other order: an account first seen 91 days overdue gets both papers; the
    manager signs the report; the cashier then corrects the amount, so the unsigned
    customer notice is drafted again — the signed report is not touched."""
    process_paths(ctx, [_fee(tmp_path, "f1.xlsx")], datetime(2026, 11, 30, 9, 0))
    docs = _docs(ctx)
    by_type = {r["doc_type"]: n for n, r in docs.items()}
    assert set(by_type) == {"payment_reminder", "arrears_report"}
    notice, report = by_type["payment_reminder"], by_type["arrears_report"]
    assert docs[notice]["title"] == "催缴通知书" and docs[notice]["recipient"] == "3-1-502业主王秀英"
    # No reminder went out before: the report says so, and the owner's notice asks to pay.
    assert "此前尚未发出书面催缴通知" in _text(ctx.ws.drafts / docs[report]["file_name"])
    assert "缴费地点" in _text(ctx.ws.drafts / docs[notice]["file_name"])
    signed = _save_back(ctx, home, "发文登记.xlsx", {report: {"签发人": "刘经理", "签发日期": date(2026, 11, 30)}})
    assert process_paths(ctx, [signed], datetime(2026, 11, 30, 10, 0)).files[0].status == "accepted"

    # The cashier's amount 700.00 (what the tariff cannot know): the unsigned notice is
    # rewritten under its own number.
    process_paths(ctx, [_fee(tmp_path, "f2.xlsx", amount="700")], datetime(2026, 11, 30, 11, 0))
    docs = _docs(ctx)
    [again] = [n for n, r in docs.items() if r["doc_type"] == "payment_reminder" and r["status"] == "草稿"]
    assert again == notice and docs[again]["supersedes"] is None
    assert "700.00" in _text(ctx.ws.drafts / docs[again]["file_name"])
    assert docs[report]["status"] == "已审批" and docs[report]["superseded_by"] is None
    assert [n for n, r in docs.items() if r["doc_type"] == "arrears_report"] == [report]
    # Paid in full: the unsigned notice is voided, the signed report stays as signed.
    paid = write_xlsx(tmp_path / "f3.xlsx", {"物业费": [
        FEE_HEAD, ["3-1-502", "王秀英", "13812345678", "89.5", "2.35", date(2026, 12, 31), 0]]})
    process_paths(ctx, [paid], datetime(2026, 11, 30, 15, 0))
    docs = _docs(ctx)
    assert docs[again]["status"] == "已作废" and docs[report]["status"] == "已审批"
