"""Defects QA found in the property pack (sixth round): each test is one of them, real files."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import write_xlsx
from docx import Document

from toolkit.documents import document_rows
from toolkit.outbox import drain
from toolkit.pipeline import process_paths
from toolkit.reports import build_report, parse_month, parse_week
from toolkit.scheduler import sweep_deadlines

# Numbers and amendments go through the ledger: both databases.
pytestmark = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)

COMPLAINT = ["编号", "受理时间", "投诉人", "房号", "投诉内容", "事件", "性质", "等级", "被投诉部门",
             "转报时间", "状态"]


def _docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def test_an_unsigned_escalation_report_is_rewritten_when_its_deadline_passes(ctx, home: Path, tmp_path: Path):
    """Two 重要 complaints about a lift, taken Monday 11-23 08:50 and 09:05: handled within
    one working day, Tue 11-24 17:30. The draft written on Monday says no limit was missed;
    when the limit passes with no file arriving, the manager must not be handed that
    sentence to sign: the draft, still 诉字第001号, lists both missed limits."""
    rows = [COMPLAINT,
            ["TS-201", datetime(2026, 11, 23, 8, 50), "孙立", "2-0302", "电梯困人无人到场", "2栋电梯困人",
             "有效", "重要", "工程部", datetime(2026, 11, 23, 8, 55), "处理中"],
            ["TS-202", datetime(2026, 11, 23, 9, 5), "刘洋", "2-0302", "电梯反复故障", "2栋电梯困人",
             "有效", "重要", "工程部", datetime(2026, 11, 23, 9, 10), "处理中"]]
    process_paths(ctx, [write_xlsx(tmp_path / "投诉.xlsx", {"投诉登记": rows})], datetime(2026, 11, 23, 9, 30))
    drain(ctx.ws, ctx.ledger)
    folder = home / "outbox" / "文书草稿"
    first = "某某物业〔2026〕诉字第001号"
    assert "各项处理时限均未超时" in _docx_text(next(folder.glob("*诉字第001号*.docx")))

    sweep_deadlines(ctx, datetime(2026, 11, 24, 17, 31))
    drain(ctx.ws, ctx.ledger)
    docs = [d for d in document_rows(ctx.ledger) if "诉字" in (d["number"] or "")]
    assert [(d["number"], d["status"]) for d in docs] == [(first, "草稿")]
    drafts = list(folder.glob("*诉字*.docx"))
    assert [p.name for p in drafts] == [docs[0]["file_name"]]
    text = _docx_text(drafts[0])
    assert "均未超时" not in text
    assert "TS-201（孙立）重要投诉处理已超时" in text and "TS-202（刘洋）重要投诉处理已超时" in text


FEES = ["房号", "业主", "建筑面积", "单价", "已缴至"]


def test_closing_arrears_are_the_accounts_as_they_stood_at_the_periods_end(ctx, tmp_path: Path):
    """物业费欠费（期末） is what the accounts owed when the period ended, not what they owe
    after payments entered since. Accounts entered Fri 11-20 (week 47):
    * 2-302 120 m² × 2.80, paid to 10-31 (336.00 a month), paid to 11-30 in the save of Wed 11-25;
    * 3-303 100 m² × 2.50, paid to 10-31 (250.00 a month), paid to 12-31 in the save of Wed 12-02;
    * 1-101 paid to 11-30 throughout.
    Reports made Thu 12-03. Week 48 (to Sun 11-29): 2-302 paid to 11-30 since Wednesday,
    3-303 owed November: 250.00; week 47 (to 11-22): 336.00 + 250.00 = 586.00 (before, both
    read today's 已缴至: 0 and 0). November (to 11-30): 3-303's 250.00; October: nothing
    was entered yet, the accounts as first entered: none owed (paid to 10-31)."""
    def save(name: str, paid: dict[str, date], at: datetime) -> None:
        rows = [FEES, ["1-101", "张建国", 89.5, 2.5, date(2026, 11, 30)],
                ["2-302", "李秀英", 120, 2.8, paid.get("2-302", date(2026, 10, 31))],
                ["3-303", "马志强", 100, 2.5, paid.get("3-303", date(2026, 10, 31))]]
        f = process_paths(ctx, [write_xlsx(tmp_path / name, {"物业费台账": rows})], at).files[0]
        assert f.status == "accepted", f.message

    save("台账1.xlsx", {}, datetime(2026, 11, 20, 9, 0))
    save("台账2.xlsx", {"2-302": date(2026, 11, 30)}, datetime(2026, 11, 25, 10, 0))
    save("台账3.xlsx", {"2-302": date(2026, 11, 30), "3-303": date(2026, 12, 31)}, datetime(2026, 12, 2, 10, 0))
    made = datetime(2026, 12, 3, 8, 30)
    week, _ = build_report(ctx, "weekly", made, parse_week("2026-W48"))
    fees = {r[0]: r[1:] for r in week.table("收费").rows}
    assert fees["物业费欠费（期末）"][:2] == [Decimal("250.00"), Decimal("586.00")]
    month, _ = build_report(ctx, "property_status", made, parse_month("2026-11"))
    fees = {r[0]: r[1:] for r in month.table("收费").rows}
    assert fees["物业费欠费（期末）"][:2] == [Decimal("250.00"), Decimal("0.00")]


def test_on_the_first_day_of_a_month_every_account_owes_that_months_fee(ctx, home: Path, tmp_path: Path):
    """Tue 12-01: December's fee falls due today for every account. 1-0102 (paid to 11-30)
    owes one month, December; 1-0201 (paid to 07-31, 90 m² × 2.50 = 225.00 a month) owes
    August to December, five months, 1,125.00 — before, four months (900.00), December
    left out for it alone, in its reminder and in the manager's report."""
    rows = [FEES, ["1-0102", "李强", 120, 2.5, date(2026, 11, 30)],
            ["1-0201", "张丽", 90, 2.5, date(2026, 7, 31)]]
    f = process_paths(ctx, [write_xlsx(tmp_path / "物业费台账.xlsx", {"物业费台账": rows})],
                      datetime(2026, 12, 1, 9, 0)).files[0]
    owed = {x.record: (x.values["months_owed"], x.values["amount"]) for x in f.findings if x.rule == "fee.arrears"}
    assert owed == {"1-0102": (1, Decimal("300.00")), "1-0201": (5, Decimal("1125.00"))}
    drain(ctx.ws, ctx.ledger)
    report = _docx_text(next((home / "outbox" / "文书草稿").glob("*欠字*1-0201.docx")))
    assert "1,125.00" in report or "1125.00" in report


def test_a_reminder_for_new_arrears_does_not_replace_one_signed_for_arrears_since_paid(
        ctx, home: Path, tmp_path: Path):
    """3-0101 (100 m² × 2.50) paid to 09-30: on Mon 11-23 it owes October and November,
    the second tier; the manager signs 催字第001号 on 11-25, and the cashier enters the
    payment (paid to 11-30) the same day. On 12-01 December falls due: a new first-tier
    reminder is drafted. It is a reminder of its own — the signed one was honoured, not
    withdrawn: neither the draft nor 发文登记 may say it replaces 催字第001号, declare that
    one void or ask for it to be signed again."""
    import openpyxl

    from toolkit.documents import apply_approvals

    def save(name: str, paid: date, at: datetime) -> None:
        rows = [FEES, ["3-0101", "周敏", 100, 2.5, paid]]
        if at.month == 12:  # another account entered: not the bytes of the last save
            rows.append(["1-0101", "王五", 100, 2.5, date(2026, 12, 31)])
        f = process_paths(ctx, [write_xlsx(tmp_path / name, {"物业费台账": rows})], at).files[0]
        assert f.status == "accepted", f.message
        drain(ctx.ws, ctx.ledger)

    save("台账1.xlsx", date(2026, 9, 30), datetime(2026, 11, 23, 9, 0))
    first = "某某物业〔2026〕催字第001号"
    assert apply_approvals(ctx.ws, ctx.ledger, [{"文号": first, "签发人": "刘经理"}],
                           datetime(2026, 11, 25, 9, 0)) == [first]
    save("台账2.xlsx", date(2026, 11, 30), datetime(2026, 11, 25, 10, 0))
    save("台账3.xlsx", date(2026, 11, 30), datetime(2026, 12, 1, 9, 0))
    docs = {d["number"]: d for d in document_rows(ctx.ledger) if "催字" in d["number"]}
    second = "某某物业〔2026〕催字第002号"
    assert set(docs) == {first, second}
    assert docs[first]["status"] == "已审批" and docs[first]["superseded_by"] is None
    assert docs[second]["status"] == "草稿" and docs[second]["supersedes"] is None
    text = _docx_text(home / "outbox" / "文书草稿" / docs[second]["file_name"])
    assert "替代" not in text and "原文书作废" not in text and "250.00" in text
    sheet = openpyxl.load_workbook(home / "outbox" / "发文登记.xlsx").active
    assert "需重新签发" not in str(sheet["A1"].value)
    head = [c.value for c in sheet[2]]
    rows = {r[head.index("文号")]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows[second][head.index("替代文号")] is None


def test_arrears_of_the_same_tier_after_a_signed_reminder_was_paid_get_a_new_reminder(
        ctx, home: Path, tmp_path: Path):
    """1-0102 paid to 10-31: on Thu 11-05 it owes November (first tier); 催字第001号 is signed
    and the bill paid (to 11-30) on 11-06. On Thu 12-03 December is unpaid: first tier again,
    a new matter. The owner gets a new reminder (催字第002号, replacing nothing); before,
    the tier matched the signed one and no reminder was drafted at all."""
    from toolkit.documents import apply_approvals

    def save(name: str, paid: date, at: datetime, extra: bool = False) -> None:
        rows = [FEES, ["1-0102", "李强", 120, 2.5, paid]]
        if extra:
            rows.append(["1-0101", "王五", 100, 2.5, date(2026, 12, 31)])
        f = process_paths(ctx, [write_xlsx(tmp_path / name, {"物业费台账": rows})], at).files[0]
        assert f.status == "accepted", f.message
        drain(ctx.ws, ctx.ledger)

    save("台账1.xlsx", date(2026, 10, 31), datetime(2026, 11, 5, 9, 0))
    first = "某某物业〔2026〕催字第001号"
    assert apply_approvals(ctx.ws, ctx.ledger, [{"文号": first, "签发人": "刘经理"}],
                           datetime(2026, 11, 5, 11, 0)) == [first]
    save("台账2.xlsx", date(2026, 11, 30), datetime(2026, 11, 6, 9, 0))
    save("台账3.xlsx", date(2026, 11, 30), datetime(2026, 12, 3, 9, 0), extra=True)
    docs = {d["number"]: d for d in document_rows(ctx.ledger) if "催字" in d["number"]}
    second = "某某物业〔2026〕催字第002号"
    assert set(docs) == {first, second}
    assert docs[first]["status"] == "已审批" and docs[first]["superseded_by"] is None
    assert docs[second]["status"] == "草稿" and docs[second]["supersedes"] is None
    text = _docx_text(home / "outbox" / "文书草稿" / docs[second]["file_name"])
    assert "2026年11月30日" in text and "300.00" in text and "替代" not in text


def test_a_release_slip_for_the_registered_owner_with_the_role_left_blank_says_owner(
        ctx, home: Path, tmp_path: Path):
    """6-0101 is handed over to 林峰 (交房登记表). He carries boxes out himself, the desk
    leaving 身份 blank: released as the owner the ledger names, so the slip — whose every
    box is to be filled — prints 身份 业主, not an empty box."""
    handover = ["房号", "业主", "身份证号", "建筑面积", "物业费单价", "交房日期", "接收状态"]
    release = ["编号", "房号", "携带人", "身份", "出门性质", "物品", "日期"]
    files = [write_xlsx(tmp_path / "交房.xlsx", {"交房": [
                 handover, ["6-0101", "林峰", "11010519491231002X", 88, 2.5, datetime(2026, 12, 3), "已接收"]]}),
             write_xlsx(tmp_path / "放行.xlsx", {"放行登记": [
                 release, ["FX-08", "6-0101", "林峰", None, "临时携带", "纸箱", datetime(2026, 12, 3)]]})]
    results = process_paths(ctx, files, datetime(2026, 12, 3, 14, 30))
    assert [f.status for f in results.files] == ["accepted", "accepted"], [f.message for f in results.files]
    drain(ctx.ws, ctx.ledger)
    cells = _docx_text(next((home / "outbox" / "文书草稿").glob("*放字*_FX-08.docx"))).splitlines()
    assert cells[cells.index("身份") + 1] == "业主"
    assert cells[cells.index("业主核实") + 1] == "—"
