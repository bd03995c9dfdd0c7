"""Dealer pack, QA round 14: the schedule the office edits (rules/dealer_schedule.yaml), the
weekly 走访一览表 made after the lists are due, letters signed by the contract's own party,
and drafts withdrawn when a contract is marked ended. Workspaces made by ``toolkit init``,
registers filled as staff fill them, the real scheduler and the real .docx."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from car_fixtures import dealer_home  # noqa: F401 (the fixture "home")

from toolkit.packs.dealer import PACK
from toolkit.reports.settings import load_schedule

BOTH = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)


def _run(home: Path, *moments: str) -> dict[str, str]:
    """Each job's status as the scheduler leaves it after ticks at ``moments``."""
    from toolkit.pipeline import open_context
    from toolkit.scheduler import run_due
    from toolkit.workspace import Workspace

    ctx = open_context(Workspace(home))
    try:
        out: dict[str, str] = {}
        for now in moments:
            out |= {f"{o.job}@{o.slot:%m-%d}": o.status for o in run_due(ctx, datetime.fromisoformat(now))}
        return out
    finally:
        ctx.close()


def test_init_writes_the_dealer_schedule_and_editing_it_changes_what_runs(home: Path):
    """``toolkit init --pack dealer`` writes rules/dealer_schedule.yaml with every dealer job
    (the pack's defaults, one for one). The office moves 合同收款月报 from the 1st to the 3rd
    and deletes 俱乐部会员月报: the scheduler runs the contract report on 12-03, not 12-01,
    and never the club report."""
    path = home / "rules" / "dealer_schedule.yaml"
    text = path.read_text(encoding="utf-8")
    listed = yaml.safe_load(text)["jobs"]
    assert [(j["name"], j["report"], j["cadence"], j["day"], j["time"], j.get("after_workday", False))
            for j in listed] == [(j.name, j.report, j.cadence, j.day, j.time, j.after_workday) for j in PACK.jobs]
    assert {k.name for k in PACK.reports} == {j["report"] for j in listed}
    assert "改时间" in text  # told in Chinese where to edit
    text = text.replace("report: contract_monthly, cadence: monthly, day: 1,", "report: contract_monthly, cadence: monthly, day: 3,")
    text = "\n".join(line for line in text.splitlines() if "report: club_monthly" not in line) + "\n"
    path.write_text(text, encoding="utf-8")
    assert "俱乐部会员月报" not in {j.name for j in load_schedule(home / "rules").jobs}
    got = _run(home, "2026-12-01T09:00", "2026-12-03T09:00")
    assert got["合同收款月报@11-03"] == "skipped"  # first start on 12-01: the 11-03 run is long past
    assert got["合同收款月报@12-03"] == "done"
    assert not [k for k in got if k.startswith("俱乐部会员月报")]


def test_weekly_visit_list_waits_for_the_lists_due_monday_and_for_holidays(home: Path):
    """The week 11-23…11-29's visit lists are due Monday 11-30 at 17:30. 王强's list, saved
    Monday afternoon, is in the 走访一览表 made Tuesday 12-01 09:00; nothing is made Monday
    morning. The week 09-28…10-04's lists are due Monday 10-05, in the National Day holiday
    (10-01…10-07, chinese_calendar), so due Thursday 10-08: the report runs Friday 10-09."""
    import openpyxl
    from test_dealer_pipeline import MEMBERS, fill, process

    from toolkit.reports.catalog import period_for_slot, report_kinds
    from toolkit.scheduler import latest_slot

    process(home, fill(home, "联销体成员登记", MEMBERS), "2026-11-20T09:00")
    weekly = "联销体成员走访一览表"
    got = _run(home, "2026-11-30T09:00")  # first start, Monday morning
    assert got[f"{weekly}@11-24"] == "skipped" and f"{weekly}@11-30" not in got
    process(home, fill(home, "联销体成员走访记录", [
        {"日期": date(2026, 11, 27), "业务员": "王强", "成员编号": "M01", "方式": "走访", "销售情况": "正常"}]),
        "2026-11-30T16:00")
    from toolkit.pipeline import open_context
    from toolkit.scheduler import run_due
    from toolkit.workspace import Workspace

    ctx = open_context(Workspace(home))
    try:
        [made] = [o for o in run_due(ctx, datetime(2026, 12, 1, 9, 0)) if o.job == weekly]
    finally:
        ctx.close()
    assert made.status == "done" and made.slot == datetime(2026, 12, 1, 9, 0)
    book = openpyxl.load_workbook(next(p for p in made.outputs if p.endswith(".xlsx")))
    rows = [r for r in book["本周走访"].iter_rows(values_only=True) if r and r[2] == "M01"]
    assert [(r[0], r[4]) for r in rows] == [(datetime(2026, 11, 27), "走访")]
    job = load_schedule(home / "rules").job_for("jsb_weekly")
    kind = report_kinds(home / "rules")["jsb_weekly"]
    assert latest_slot(job, datetime(2026, 10, 8, 18, 0)) == datetime(2026, 9, 29, 9, 0)  # W39's
    slot = latest_slot(job, datetime(2026, 10, 9, 9, 0))
    assert slot == datetime(2026, 10, 9, 9, 0) and period_for_slot(kind, slot, job).label == "2026-W40"


def _docx_text(path: Path) -> list[str]:
    import docx

    d = docx.Document(str(path))
    return [p.text for p in d.paragraphs if p.text.strip()]


def test_a_contract_letter_is_signed_by_the_contracts_own_party(home: Path):
    """GW-2026-001's 乙方 is 江苏恒安物业顾问有限公司, not the workspace's company (某某有限公司,
    rules/documents.yaml): its 付款提醒函 (instalment 2, 40,000 due Tue 10-20, unpaid: day 1
    on 10-21) bears that company at the head and above the date, signed by its 财务部."""
    from test_dealer_pipeline import fill, process
    from test_dealer_qa10 import CONTRACT

    process(home, fill(home, "合同登记", [CONTRACT]), "2026-10-21T09:00")
    process(home, fill(home, "合同收款登记", [
        {"合同编号": "GW-2026-001", "期次": 2, "应付日期": date(2026, 10, 20), "应付金额": 40000}]),
        "2026-10-21T09:00")
    [letter] = (home / "outbox" / "文书草稿").glob("*付款提醒函_GW-2026-001_2.docx")
    text = _docx_text(letter)
    assert text[0] == "江苏恒安物业顾问有限公司"  # the letterhead
    assert text[-2] == "江苏恒安物业顾问有限公司财务部" and "某某有限公司" not in "".join(text)


@BOTH
def test_a_letter_dated_after_the_contract_ended_is_withdrawn_when_it_is_marked_ended(home: Path):
    """GW-2026-001 runs (生效). Instalment 2 (40,000 due Tue 10-20) is unpaid: a
    付款提醒函 is drafted 10-21, then on 11-20 (day 31, past the 30 days) a 违约通知书, which
    replaces the unsigned reminder. On 11-30 合同管理员 saves the contract as 解除 on 11-15
    (written notice 11-10). The 违约通知书, dated 11-20, after the end, still unsigned, is
    withdrawn (moved to 文书草稿/已作废, 作废 in 发文登记); the 40,000 is for 财务部 to collect."""
    import openpyxl
    from test_dealer_pipeline import fill, process
    from test_dealer_qa10 import CONTRACT

    running = {**CONTRACT, "状态": "生效"}
    process(home, fill(home, "合同登记", [running]), "2026-10-21T09:00")
    process(home, fill(home, "合同收款登记", [
        {"合同编号": "GW-2026-001", "期次": 2, "应付日期": date(2026, 10, 20), "应付金额": 40000}]),
        "2026-10-21T09:00")
    process(home, fill(home, "合同登记", [{**running, "甲方电话": "0516-83001234"}]), "2026-11-20T09:00")
    drafts = home / "outbox" / "文书草稿"
    [breach] = drafts.glob("*违约通知书_GW-2026-001_2.docx")
    found = process(home, fill(home, "合同登记", [{**running, "甲方电话": "0516-83001234", "状态": "解除",
                                                   "书面通知日期": date(2026, 11, 10), "解除日期": date(2026, 11, 15)}]),
                    "2026-11-30T09:00")
    (owed,) = [f for f in found["findings"] if f["rule"] == "contract.overdue"]
    assert "合同已于 2026-11-15 解除，欠款请财务部另行追收" in owed["message"]
    assert not breach.exists() and (drafts / "已作废" / breach.name).exists()
    [register] = (home / "outbox").rglob("发文登记*.xlsx")
    rows = [[c for c in r if c is not None] for r in openpyxl.load_workbook(register).active.iter_rows(values_only=True)]
    [row] = [r for r in rows if any("违约通知书" in str(c) for c in r)]
    assert any(str(c) == "已作废" for c in row), row


def test_a_second_false_report_of_a_recalled_salesperson_drafts_no_second_recall(home: Path):
    """张主任 finds 王强's 走访一览表 of 2026-W45 false (11-20): one 业务员调回待岗通报. A week
    later the register also marks his W46 list false, and 李军's: 王强 is already recalled
    for W45 — one recall, one notice — so only 李军's is drafted; the W46 row says so."""
    from test_dealer_pipeline import fill, process

    def false(who: str, period: str, sent: date) -> dict[str, object]:
        return {"业务员": who, "报表": "联销体成员走访一览表", "期间": period, "实报日期": sent, "虚报": "是",
                "核查人": "张主任"}

    first = false("王强", "2026-W45", date(2026, 11, 9))
    process(home, fill(home, "报表上报登记", [first]), "2026-11-20T09:00")
    drafts = home / "outbox" / "文书草稿"
    assert len(list(drafts.glob("*业务员调回待岗通报*.docx"))) == 1
    found = process(home, fill(home, "报表上报登记", [
        first, false("王强", "2026-W46", date(2026, 11, 16)), false("李军", "2026-W46", date(2026, 11, 16))]),
        "2026-11-27T09:00")
    recalls = sorted(p.name for p in drafts.glob("*业务员调回待岗通报*.docx"))
    assert len(recalls) == 2, recalls
    said = {f["record"]: f["message"] for f in found["findings"] if f["rule"] == "jsb.report_false"}
    again = said["王强|联销体成员走访一览表|2026-W46"]
    assert "已因" in again and "2026-W45" in again and "不再另发" in again and "已起草" not in again
    assert "通报已起草" in said["李军|联销体成员走访一览表|2026-W46"]


def test_an_earlier_false_report_entered_later_keeps_the_one_recall_notice(home: Path):
    """王强's W47 list is found false first: 岗字第001号 cites W47. The W46 list is found false
    afterwards: the unsigned draft is rewritten to cite W46 under the same number (one recall,
    one notice). Once the region signed it, 李军's W46 entered after his W47 draft was signed
    drafts nothing new either: the signed notice stays the only one."""
    from test_dealer_documents import sign_drafts
    from test_dealer_pipeline import docx_text, fill, process

    def false(who: str, period: str, sent: date) -> dict[str, object]:
        return {"业务员": who, "报表": "联销体成员走访一览表", "期间": period, "实报日期": sent, "虚报": "是",
                "核查人": "张主任"}

    drafts = home / "outbox" / "文书草稿"
    w47 = [false("王强", "2026-W47", date(2026, 11, 23)), false("李军", "2026-W47", date(2026, 11, 23))]
    process(home, fill(home, "报表上报登记", w47[:1]), "2026-11-25T09:00")
    [first] = drafts.glob("*业务员调回待岗通报*.docx")
    assert "2026-W47" in docx_text(first)
    found = process(home, fill(home, "报表上报登记", [*w47[:1], false("王强", "2026-W46", date(2026, 11, 16))]),
                    "2026-11-26T09:00")
    [again] = drafts.glob("*业务员调回待岗通报*.docx")
    assert again.name == first.name and "2026-W46" in docx_text(again) and "2026-W47" not in docx_text(again)
    said = {f["record"]: f["message"] for f in found["findings"] if f["rule"] == "jsb.report_false"}
    assert "不再另发" in said["王强|联销体成员走访一览表|2026-W47"]
    rows = [*w47, false("王强", "2026-W46", date(2026, 11, 16))]
    process(home, fill(home, "报表上报登记", rows), "2026-11-26T10:00")
    sign_drafts(home, "2026-11-27T09:00")
    process(home, fill(home, "报表上报登记", [*rows, false("李军", "2026-W46", date(2026, 11, 16))]),
            "2026-11-28T09:00")
    assert list(drafts.glob("*业务员调回待岗通报*.docx")) == []
    signed = sorted(p.name for p in (home / "outbox" / "已审批文书").glob("*业务员调回待岗通报*.docx"))
    assert len(signed) == 2, signed  # 王强's and 李军's, nothing more


def test_a_dealer_workspace_made_before_keeps_one_recall_notice_too(home: Path):
    """A workspace made earlier has the old 调回待岗通报 entry (trigger jsb.report_false, no
    facts, amend_draft or void_when_resolved): the pack's values fill what it leaves out."""
    from toolkit.documents.settings import load_documents_config

    path = home / "rules" / "dealer_documents.yaml"
    text = path.read_text(encoding="utf-8")
    old = text.replace("trigger: jsb.recall ", "trigger: jsb.report_false ")
    old = "".join(line for line in old.splitlines(keepends=True)
                  if not line.lstrip().startswith(("facts: [业务员]", "amend_draft: true\n", "void_when_resolved: true ")))
    path.write_text(old, encoding="utf-8")
    [recall] = [d for d in load_documents_config(home / "rules").documents if d.type == "jsb_recall"]
    assert "facts" not in old.split("jsb_recall")[1].split("- type")[0]
    assert (recall.trigger, recall.facts, recall.amend_draft, recall.void_when_resolved) == (
        "jsb.report_false", ["业务员"], True, True)
