"""Defects found in the property pack (fourteenth round): each test is one of them, real files."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import write_xlsx
from docx import Document

from toolkit.outbox import drain
from toolkit.pipeline import process_paths
from toolkit.reports import build_report, parse_day

# The ledger holds what is judged: both databases.
pytestmark = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)

FEES = ["房号", "业主", "联系电话", "建筑面积", "单价", "已缴至", "欠费金额"]
MOVE = ["编号", "房号", "携带人", "身份", "物品", "日期", "业主核实", "出门性质", "核实时间", "水电气结清"]


def _docs(ctx, doc_type: str) -> dict[str, dict]:
    from sqlalchemy import select

    from toolkit.documents.tables import documents

    with ctx.ledger.engine.connect() as c:
        rows = c.execute(select(documents).where(documents.c.site == ctx.ledger.site,
                                                 documents.c.doc_type == doc_type).order_by(documents.c.id)).all()
    return {r.number: dict(r._mapping) for r in rows}


def _text(path: Path) -> str:
    doc = Document(path)
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


# --- 1. a draft rewritten in a new year takes that year's number --------------------------------


def test_a_draft_rewritten_in_a_new_year_takes_a_number_of_that_year(ctx, home: Path):
    """5-201 (张伟, 120 m² × 2.80 = 336.00 元 a month) is paid to 08-31. Tue 12-15: 106 days
    overdue, September to December owed (4 × 336 = 1,344.00 元): a 催缴通知书 and the
    manager's 欠费情况报告 are drafted under 2026 numbers. Nobody signs them; on 2027-01-01
    January falls due (5 months, 1,680.00 元) and both drafts are rewritten, dated 2027-01-01:
    each takes the first number of 2027, and the 2026 draft it replaces is voided (its file
    moved to 已作废). No number is held by two documents, nor dated outside its year."""
    from toolkit.ruleset.hook import sweep

    fees = write_xlsx(home / "inbox" / "物业费台账.xlsx", {"物业费": [
        FEES, ["5-201", "张伟", "13800138005", 120, 2.8, date(2026, 8, 31), 1344]]})
    done = process_paths(ctx, [fees], datetime(2026, 12, 15, 10, 0))
    assert all(f.status == "accepted" for f in done.files), [f.message for f in done.files]
    before = {t: _docs(ctx, t) for t in ("payment_reminder", "arrears_report")}
    assert all("〔2026〕" in n and n.endswith("字第001号") for d in before.values() for n in d), before

    sweep(ctx, datetime(2027, 1, 1, 0, 0), clock=False)  # January falls due
    drain(ctx.ws, ctx.ledger)
    for doc_type, code in (("payment_reminder", "催"), ("arrears_report", "欠")):
        rows = _docs(ctx, doc_type)
        [(old, old_row)] = before[doc_type].items()
        [new] = [n for n in rows if n != old]
        assert "〔2027〕" in new and new.endswith(f"{code}字第001号"), new
        assert rows[new]["status"] == "草稿" and rows[new]["year"] == 2027
        assert rows[new]["issued_on"] == date(2027, 1, 1) and rows[new]["supersedes"] == old
        assert rows[old]["status"] == "已作废" and rows[old]["superseded_by"] == new
        text = _text(ctx.ws.drafts / rows[new]["file_name"])
        assert "1,680.00" in text and "1,344.00" not in text and "截至2027年1月1日" in text
        assert new in text and old not in text  # an unsigned draft replaced is not cited
        assert (ctx.ws.drafts / "已作废" / old_row["file_name"]).exists()
        assert not (ctx.ws.drafts / old_row["file_name"]).exists()
    sheet = openpyxl.load_workbook(ctx.ws.outbox / "发文登记.xlsx").active
    header = [c.value for c in sheet[2]]
    numbers = [r[header.index("文号")] for r in sheet.iter_rows(min_row=3, values_only=True) if r[header.index("文号")]]
    assert len(numbers) == len(set(numbers)) == 4


# --- 2. an account in arrears is one continuing finding -----------------------------------------


def _arrears_row(ctx, record: str):
    from sqlalchemy import select

    from toolkit.ruleset.store import rule_findings as t

    with ctx.ledger.engine.connect() as c:
        return c.execute(select(t).where(t.c.site == ctx.ledger.site, t.c.rule == "fee.arrears",
                                         t.c.record == record)).one()


def test_an_account_in_arrears_stays_one_finding_as_its_months_grow(ctx, home: Path):
    """5-301 (李娜, 100 m² × 3.00 = 300.00 元 a month) is paid to 09-30. Tue 10-20: 20 days
    overdue, October owed — 催缴通知 (tier 1), the reminder drafted. Fri 10-30 is day 30:
    再次催缴 (tier 2) — a step, news once: the unsigned reminder is rewritten under its own
    number; the next morning nothing changes. On 11-01 November falls due (2 months,
    600.00 元) and on 12-01 December (3 months, 900.00 元, judged as a repair register is
    saved that morning): the same finding, opened 10-20, goes on (not new), its months and
    amount grow, and the unsigned reminder states each month's figure under its one number."""
    from toolkit.ruleset.hook import sweep

    fees = write_xlsx(home / "inbox" / "物业费台账.xlsx", {"物业费": [
        FEES, ["5-301", "李娜", "13800138006", 100, 3, date(2026, 9, 30), 300]]})
    assert process_paths(ctx, [fees], datetime(2026, 10, 20, 10, 0)).files[0].status == "accepted"
    [(number, row)] = _docs(ctx, "payment_reminder").items()
    opened = _arrears_row(ctx, "5-301").first_seen
    assert opened == datetime(2026, 10, 20, 10, 0)

    def arrears(found):
        [f] = [f for f in found if f.rule == "fee.arrears" and f.record == "5-301"]
        return f

    step = arrears(sweep(ctx, datetime(2026, 10, 30, 8, 0), clock=True))
    drain(ctx.ws, ctx.ledger)
    assert (step.state, step.values["tier"], step.values["months_owed"]) == ("new", 2, 1)
    [(same, row)] = _docs(ctx, "payment_reminder").items()
    assert same == number and row["status"] == "草稿" and '"reminder_tier":2' in row["values_json"]
    calm = arrears(sweep(ctx, datetime(2026, 10, 31, 8, 0), clock=True))
    drain(ctx.ws, ctx.ledger)
    assert calm.state == "ongoing" and _docs(ctx, "payment_reminder")[number]["values_json"] == row["values_json"]

    month = arrears(sweep(ctx, datetime(2026, 11, 1, 0, 0), clock=False))  # November falls due
    drain(ctx.ws, ctx.ledger)
    assert (month.state, month.values["months_owed"], str(month.values["amount"])) == ("ongoing", 2, "600.00")
    stored = _arrears_row(ctx, "5-301")
    assert stored.first_seen == opened and stored.is_open and "600.00 元（2 个月）" in stored.message
    [(same, row)] = _docs(ctx, "payment_reminder").items()
    assert same == number and "欠缴2个月，金额共计600.00元" in _text(ctx.ws.drafts / row["file_name"])

    repairs = write_xlsx(home / "inbox" / "报修登记.xlsx", {"报修": [
        ["单号", "房号", "报修人", "联系电话", "报修时间", "维修内容", "接报人"],
        ["BX-01", "1-101", "王强", "13800138001", datetime(2026, 12, 1, 8, 50), "厨房漏水", "赵敏"]]})
    saved = process_paths(ctx, [repairs], datetime(2026, 12, 1, 9, 0)).files[0]
    assert saved.status == "accepted", saved.message
    december = arrears(saved.findings)
    assert (december.state, december.values["months_owed"]) == ("ongoing", 3)
    assert _arrears_row(ctx, "5-301").first_seen == opened
    drain(ctx.ws, ctx.ledger)
    [(same, row)] = _docs(ctx, "payment_reminder").items()
    assert same == number and "欠缴3个月，金额共计900.00元" in _text(ctx.ws.drafts / row["file_name"])


def _finding_row(ctx, rule: str, record: str):
    from sqlalchemy import select

    from toolkit.ruleset.store import rule_findings as t

    with ctx.ledger.engine.connect() as c:
        return c.execute(select(t).where(t.c.site == ctx.ledger.site, t.c.rule == rule,
                                         t.c.record == record)).one()


def test_a_wrong_arrears_amount_is_one_matter_until_the_cashier_changes_it(ctx, home: Path):
    """5-302 (周强, 100 m² × 3.00 = 300.00 元 a month) is paid to 09-30 and the cashier typed
    欠费金额 250. Tue 10-20: 1 month × 300.00 = 300.00 元, not 250: 欠费金额不符, new. On 11-01
    November falls due (2 × 300.00 = 600.00 元): still the same 250 typed, so the same matter
    (ongoing, opened 10-20), its stored words now giving 600.00 元; the reminder still states
    the register's 250.00 元. On 11-05 the cashier types 500, still wrong: a different amount
    stated is news, and the reminder states 500.00 元. Typing 600 settles it."""
    from toolkit.ruleset.hook import sweep

    def fees(amount: int):
        return write_xlsx(home / "inbox" / f"物业费台账{amount}.xlsx", {"物业费": [
            FEES, ["5-302", "周强", "13800138007", 100, 3, date(2026, 9, 30), amount]]})

    def mismatch(found):
        return next(f for f in found if f.rule == "fee.amount_mismatch" and f.record == "5-302")

    first = process_paths(ctx, [fees(250)], datetime(2026, 10, 20, 10, 0)).files[0]
    assert mismatch(first.findings).state == "new"
    month = mismatch(sweep(ctx, datetime(2026, 11, 1, 0, 0), clock=False))  # November falls due
    drain(ctx.ws, ctx.ledger)
    assert (month.state, str(month.values["computed"])) == ("ongoing", "600.00")
    stored = _finding_row(ctx, "fee.amount_mismatch", "5-302")
    assert stored.first_seen == datetime(2026, 10, 20, 10, 0) and stored.is_open
    assert "250.00 元" in stored.message and "= 600.00 元不符" in stored.message
    [(number, row)] = _docs(ctx, "payment_reminder").items()
    assert "欠缴2个月，金额共计250.00元" in _text(ctx.ws.drafts / row["file_name"])
    # The daily list names the cashier, with the figure due now.
    daily, _ = build_report(ctx, "daily_due", datetime(2026, 11, 2, 8, 30), parse_day("2026-11-02"))
    acts = daily.table("须处理事项")
    col = {c.title: i for i, c in enumerate(acts.columns)}
    [act] = [r for r in acts.rows if r[col["问题"]] == "欠费金额不符"]
    assert (act[col["负责人"]], act[col["部门"]]) == ("收费员", "财务部") and "600.00 元不符" in act[col["说明"]]

    other = process_paths(ctx, [fees(500)], datetime(2026, 11, 5, 10, 0)).files[0]
    drain(ctx.ws, ctx.ledger)
    assert mismatch(other.findings).state == "new"
    [(same, row)] = _docs(ctx, "payment_reminder").items()
    assert same == number and "欠缴2个月，金额共计500.00元" in _text(ctx.ws.drafts / row["file_name"])
    fixed = process_paths(ctx, [fees(600)], datetime(2026, 11, 5, 11, 0)).files[0]
    assert mismatch(fixed.findings).state == "resolved"


# --- 3. a refused move-out with its day ahead is on the list now ---------------------------------


def test_a_refused_move_out_with_its_day_ahead_is_on_the_list_naming_who_clears_it(ctx, home: Path):
    """Thu 12-03: 李秀英 registers her move out of 1-102 for Thu 12-10 (FX-31); the account is
    paid to 11-30, so December's 336.00 元 is owed up to the day — refused. 小红, the nanny of
    2-201, is to carry a sofa out on Tue 12-08 (FX-32) without the owner's consent recorded —
    refused. The 08:30 list of Fri 12-04 has both under 须处理事项 now, not only on their day:
    the cashier (财务部) collects the fee, the customer assistant (客服中心) phones the owner,
    each before the moving day; the gate holds the goods until then."""
    fees = write_xlsx(home / "inbox" / "物业费台账.xlsx", {"物业费": [
        FEES, ["1-102", "李秀英", "13800138002", 120, 2.8, date(2026, 11, 30), None]]})
    move = write_xlsx(home / "inbox" / "放行登记.xlsx", {"放行": [
        MOVE, ["FX-31", "1-102", "李秀英", "业主", "衣柜、床", date(2026, 12, 10), None, "搬家迁出", None, "是"],
        ["FX-32", "2-201", "小红", "保姆", "沙发", date(2026, 12, 8), None, "临时携带", None, None]]})
    done = process_paths(ctx, [fees, move], datetime(2026, 12, 3, 16, 0))
    assert all(f.status == "accepted" for f in done.files), [f.message for f in done.files]

    daily, _ = build_report(ctx, "daily_due", datetime(2026, 12, 4, 8, 30), parse_day("2026-12-04"))
    acts = daily.table("须处理事项")
    col = {c.title: i for i, c in enumerate(acts.columns)}
    rows = {r[col["编号"]]: r for r in acts.rows if r[col["问题"]] == "不予放行"}
    assert sorted(rows) == ["FX-31", "FX-32"]
    fx31, fx32 = rows["FX-31"], rows["FX-32"]
    assert (fx31[col["负责人"]], fx31[col["部门"]]) == ("收费员", "财务部")
    assert fx31[col["须处理"]].startswith("搬家日期为 2026-12-10，须在此前办妥：请业主结清欠费")
    assert fx31[col["须处理"]].endswith("办妥前门岗不得放行。") and "336.00" in fx31[col["说明"]]
    assert (fx32[col["负责人"]], fx32[col["部门"]]) == ("客户助理", "客服中心")
    assert fx32[col["须处理"]].startswith("搬家日期为 2026-12-08，须在此前办妥：请联系业主核实")


# --- 4. a renovation accepted without its concealed-works inspection names who acts ------------


def test_a_renovation_accepted_without_its_concealed_works_inspection_names_who_acts(ctx, home: Path):
    """ZX-601 (6-101) was accepted on 11-20 with no 隐蔽工程验收日期. Seed 003 (二次装修 5):
    the contractor hands its application to 客服部, which fixes the time and brings 工程部 and
    保安部 to inspect, each signing; seed 001 has the customer assistant call them. The daily
    list names 客户助理 of 客服中心, and its words say what to do, not only which three
    departments inspect."""
    from toolkit.reports import build_report, parse_day

    book = write_xlsx(home / "inbox" / "装修登记.xlsx", {"装修": [
        ["编号", "房号", "业主", "装修公司", "申请日期", "建筑面积", "消防审批", "审批日期", "开工日期",
         "入场确认日期", "竣工验收日期", "隐蔽工程验收日期"],
        ["ZX-601", "6-101", "孙丽", "安居装饰", date(2026, 10, 20), 90, "是", date(2026, 10, 21),
         date(2026, 10, 26), date(2026, 10, 26), date(2026, 11, 20), None]]})
    done = process_paths(ctx, [book], datetime(2026, 11, 23, 17, 0))
    assert all(f.status == "accepted" for f in done.files), [f.message for f in done.files]
    daily, _ = build_report(ctx, "daily_due", datetime(2026, 11, 24, 8, 30), parse_day("2026-11-24"))
    issues = daily.table("待处理问题")
    col = {c.title: i for i, c in enumerate(issues.columns)}
    [row] = [r for r in issues.rows if "隐蔽工程" in r[col["说明"]]]
    assert (row[col["负责人"]], row[col["部门"]]) == ("客户助理", "客服中心")
    said = row[col["说明"]]
    assert "请客户助理" in said and "通知工程部、保安部" in said and "“隐蔽工程验收日期”" in said, said
