"""Defects QA found in the property pack (fifth round): each test is one of them, real files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from conftest import write_xlsx
from docx import Document

from toolkit.documents import document_rows
from toolkit.outbox import drain
from toolkit.pipeline import process_paths
from toolkit.scheduler import sweep_deadlines

# Numbers, amendments and marks go through the ledger: both databases.
pytestmark = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)

COMPLAINT = ["编号", "受理时间", "投诉人", "房号", "投诉内容", "事件", "性质", "等级", "被投诉部门",
             "转报时间", "反馈时间", "回复时间", "解决时间", "状态"]


def _docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def _escalations(ctx) -> list[dict]:
    return [d for d in document_rows(ctx.ledger) if d["number"] and "诉字" in d["number"]]


def _complaints(tmp_path: Path, name: str, solved: datetime | None = None) -> Path:
    """Two 重要 complaints about one event, taken Monday 11-16, forwarded within minutes."""
    done = [datetime(2026, 11, 18, 9, 30), datetime(2026, 11, 18, 9, 45), solved, "已解决"] if solved else \
        [None, None, None, "处理中"]
    rows = [COMPLAINT,
            ["TS-101", datetime(2026, 11, 16, 9, 0), "周立新", "3-201", "地下车库积水未排", "3栋车库积水",
             "有效", "重要", "工程部", datetime(2026, 11, 16, 9, 5), *done],
            ["TS-102", datetime(2026, 11, 16, 9, 20), "陈美玲", "3-502", "车库积水泡了车", "3栋车库积水",
             "有效", "重要", "工程部", datetime(2026, 11, 16, 9, 25), *done]]
    return write_xlsx(tmp_path / name, {"投诉登记": rows})


def test_one_escalation_keeps_one_number_through_deadlines_and_its_solution(ctx, home: Path, tmp_path: Path):
    """One event escalated once (重要) is one report: its unsigned draft is amended under
    its own number when a deadline passes (重要: 1 working day, Tue 11-17 17:30) and when
    the complaints are solved (Wed 11-18 10:00), and once solved it reports the solution
    instead of asking the manager to hurry."""
    process_paths(ctx, [_complaints(tmp_path, "c1.xlsx")], datetime(2026, 11, 16, 10, 0))
    drain(ctx.ws, ctx.ledger)
    first = "某某物业〔2026〕诉字第001号"
    assert [d["number"] for d in _escalations(ctx)] == [first]

    sweep_deadlines(ctx, datetime(2026, 11, 17, 17, 31))  # the handling deadline passes
    drain(ctx.ws, ctx.ledger)
    docs = _escalations(ctx)
    assert [(d["number"], d["status"]) for d in docs] == [(first, "草稿")]

    process_paths(ctx, [_complaints(tmp_path, "c2.xlsx", solved=datetime(2026, 11, 18, 10, 0))],
                  datetime(2026, 11, 18, 11, 0))
    drain(ctx.ws, ctx.ledger)
    docs = _escalations(ctx)
    assert [(d["number"], d["status"]) for d in docs] == [(first, "草稿")]
    drafts = list((home / "outbox" / "文书草稿").glob("*诉字第*.docx"))
    assert [p.name for p in drafts] == [docs[0]["file_name"]]
    text = _docx_text(drafts[0])
    assert "尽快处理" not in text
    assert "请予审阅" in text and "请予督办" not in text
    assert "均已解决（最后一件于2026年11月18日 10:00解决）" in text
    assert "None" not in text  # a missing overtime approval is no row of the time limits


FEES = ["房号", "业主", "建筑面积", "单价", "已缴至"]
RELEASE = ["编号", "房号", "携带人", "身份", "出门性质", "物品", "日期", "业主核实", "核实时间"]


def test_a_release_slip_for_a_carrier_who_is_not_the_registered_owner_says_who_confirmed(
        ctx, home: Path, tmp_path: Path):
    """1-0101's owner is 王五 (物业费台账). 赵强, written as 业主, carries a sofa out; 王五
    confirmed by phone at 11-24 09:40. The slip must not call 赵强 the owner: it says he
    is not the registered owner and that 王五 confirmed, with the time of the call. The
    owner himself carrying (FX2) is still printed 业主 with nothing to confirm."""
    fees = write_xlsx(tmp_path / "物业费台账.xlsx", {"物业费台账": [
        FEES, ["1-0101", "王五", 100, 2.5, datetime(2026, 12, 31)]]})
    slips = write_xlsx(tmp_path / "放行登记.xlsx", {"放行登记": [
        RELEASE,
        ["FX1", "1-0101", "赵强", "业主", "临时携带", "布艺沙发", datetime(2026, 11, 24), "是",
         datetime(2026, 11, 24, 9, 40)],
        ["FX2", "1-0101", "王五", "业主", "临时携带", "电视机", datetime(2026, 11, 24), None, None]]})
    results = process_paths(ctx, [fees, slips], datetime(2026, 11, 24, 10, 0))
    assert [f.status for f in results.files] == ["accepted", "accepted"], [f.message for f in results.files]
    drain(ctx.ws, ctx.ledger)
    folder = home / "outbox" / "文书草稿"
    carried = _docx_text(next(folder.glob("*放字*_FX1.docx")))
    cells = carried.splitlines()
    assert "业主" != cells[cells.index("身份") + 1]
    assert cells[cells.index("身份") + 1] == "自称业主（非登记业主）"
    assert cells[cells.index("业主核实") + 1] == "已电话向登记业主王五核实同意"
    assert cells[cells.index("核实时间") + 1] == "2026年11月24日 09:40"
    own = _docx_text(next(folder.glob("*放字*_FX2.docx"))).splitlines()
    assert own[own.index("身份") + 1] == "业主" and own[own.index("业主核实") + 1] == "—"


def _older_documents_yaml(home: Path) -> str:
    """rules/documents.yaml as it was before the 诉 and 放 types declared their ``facts``."""
    path = home / "rules" / "documents.yaml"
    shipped = path.read_text(encoding="utf-8")
    older = shipped
    for line in ("    facts: [level, event, members]\n", "    amend_draft: true\n",
                 "    facts: [房号, 携带人, 身份, 物品, 日期, 业主核实, 出门性质, 核实时间]\n"):
        assert line in older
        older = older.replace(line, "", 1)
    path.write_text(older, encoding="utf-8")
    return shipped


def test_signed_documents_issued_before_their_type_declared_its_facts_are_not_replaced(
        ctx, home: Path, tmp_path: Path):
    """Reports signed before 诉 declared ``facts`` carry no ``members``: the complaints
    being solved later must not replace the signed report with a new number, as a value
    the document was issued without cannot have changed. A 物品放行条 signed before 放
    declared its facts (hashed over every value then) is not made again either when its
    register is saved again with another row."""
    from toolkit.documents import apply_approvals

    shipped = _older_documents_yaml(home)
    process_paths(ctx, [_complaints(tmp_path, "c1.xlsx")], datetime(2026, 11, 16, 10, 0))
    drain(ctx.ws, ctx.ledger)
    first = "某某物业〔2026〕诉字第001号"
    assert apply_approvals(ctx.ws, ctx.ledger, [{"文号": first, "签发人": "刘经理"}],
                           datetime(2026, 11, 16, 11, 0)) == [first]
    slip = [RELEASE, ["FX1", "1-0101", "赵强", "业主", "临时携带", "布艺沙发", datetime(2026, 11, 16), "是",
                      datetime(2026, 11, 16, 9, 40)]]
    fees = write_xlsx(tmp_path / "物业费台账.xlsx", {"物业费台账": [
        FEES, ["1-0101", "王五", 100, 2.5, datetime(2026, 12, 31)]]})
    process_paths(ctx, [fees, write_xlsx(tmp_path / "放行1.xlsx", {"放行登记": slip})], datetime(2026, 11, 16, 10, 0))
    drain(ctx.ws, ctx.ledger)
    released = "某某物业〔2026〕放字第001号"
    assert apply_approvals(ctx.ws, ctx.ledger, [{"文号": released, "签发人": "刘经理"}],
                           datetime(2026, 11, 16, 11, 0)) == [released]

    (home / "rules" / "documents.yaml").write_text(shipped, encoding="utf-8")
    process_paths(ctx, [_complaints(tmp_path, "c2.xlsx", solved=datetime(2026, 11, 18, 10, 0))],
                  datetime(2026, 11, 18, 11, 0))
    slip.append(["FX2", "1-0101", "王五", "业主", "临时携带", "电视机", datetime(2026, 11, 18), None, None])
    process_paths(ctx, [write_xlsx(tmp_path / "放行2.xlsx", {"放行登记": slip})], datetime(2026, 11, 18, 11, 0))
    drain(ctx.ws, ctx.ledger)
    assert [(d["number"], d["status"], d["superseded_by"]) for d in _escalations(ctx)] == [
        (first, "已审批", None)]
    slips = [(d["number"], d["record"], d["status"]) for d in document_rows(ctx.ledger) if "放字" in d["number"]]
    assert slips == [(released, "FX1", "已审批"), ("某某物业〔2026〕放字第002号", "FX2", "草稿")]


HANDOVER = ["房号", "业主", "身份证号", "建筑面积", "物业费单价", "交房日期", "接收状态", "钥匙已领", "文件签收",
            "安全责任书"]


def test_papers_not_signed_at_handover_are_marked_on_the_clerks_return_copy(ctx, home: Path, tmp_path: Path):
    """文件签收 否 (1-0201) and 安全责任书 否 (1-0202) are marked on their own cells of the
    return copy, naming the 客服中心经办人 who has the owner sign; both 否 (1-0203): the
    first of them is marked, the note naming both. The daily list names the same to-do."""
    import openpyxl

    from toolkit.reports import build_report, parse_day

    rows = [HANDOVER,
            ["1-0201", "钱进", "11010519491231002X", 120, 2.5, datetime(2026, 11, 26), "已接收", "是", "否", "是"],
            ["1-0202", "赵一", "11010519491231002X", 100, 2.5, datetime(2026, 11, 26), "已接收", "是", "是", "否"],
            ["1-0203", "孙三", "11010519491231002X", 95, 2.5, datetime(2026, 11, 26), "已接收", "是", "否", "否"],
            ["1-0204", "李四", "11010519491231002X", 95, 2.5, datetime(2026, 11, 26), "已接收", "是", "是", "是"]]
    f = process_paths(ctx, [write_xlsx(tmp_path / "交房.xlsx", {"交房": rows})], datetime(2026, 11, 26, 17, 0)).files[0]
    assert f.status == "accepted", f.message
    marks = {(m.cell, m.column, m.code) for m in f.actions}
    assert marks == {("I2", "文件签收", "handover.papers"), ("J3", "安全责任书", "handover.papers"),
                     ("J4", "安全责任书", "handover.papers")}
    copy = next(Path(p) for p in f.outputs if "问题批注" in p)
    sheet = openpyxl.load_workbook(copy)["交房"]
    note = sheet["I2"].comment.text
    assert "客服中心经办人" in note and "文件签收表" in note and "改为“是”" in note
    both = sheet["J4"].comment.text
    assert "文件签收表" in both and "安全责任制书" in both
    assert sheet["I5"].comment is None and sheet["J5"].comment is None

    daily, _ = build_report(ctx, "daily_due", datetime(2026, 11, 27, 8, 30), parse_day("2026-11-27"))
    todo = {r[2]: r for r in daily.table("须处理事项").rows}
    assert set(todo) == {"1-0201", "1-0202", "1-0203"}
    assert "客服中心经办人" in todo["1-0201"][6] and "文件签收表" in todo["1-0201"][6]


MOVE = ["编号", "房号", "携带人", "身份", "物品", "日期", "业主核实", "出门性质", "核实时间", "水电气结清"]
FEE_OWED = ["房号", "业主", "联系电话", "建筑面积", "单价", "已缴至", "欠费金额"]


def _refused_then_paid(ctx, home: Path, tmp_path: Path, save_again) -> None:
    """1-102 owes 1,008.00: FX-01 moving out is refused. ``save_again`` saves the refused
    row back unchanged under some name; then the payment arrives in the next run. Every
    copy in 退回批注 saying 不予放行 must be judged again: none is left."""
    import openpyxl

    fee = write_xlsx(tmp_path / "物业费台账.xlsx", {"物业费": [
        FEE_OWED, ["1-102", "李秀英", "13800138002", 120, 2.8, datetime(2026, 8, 31), 1008]]})
    process_paths(ctx, [fee], datetime(2026, 11, 26, 17, 0))
    rows = [MOVE, ["FX-01", "1-102", "李秀英", "业主", "旧沙发", datetime(2026, 11, 26), None, "搬家迁出", None, "是"]]
    first = process_paths(ctx, [write_xlsx(home / "inbox" / "放行登记.xlsx", {"放行": rows})],
                          datetime(2026, 11, 26, 17, 30)).files[0]
    copy = next(Path(p) for p in first.outputs if "问题批注" in p)
    saved = save_again(home, copy, rows)
    later = process_paths(ctx, [saved], datetime(2026, 11, 26, 17, 40)).files[0]
    assert later.status == "accepted", later.message
    assert [a.code for a in later.actions] == ["move_out.blocked"]
    paid = write_xlsx(home / "inbox" / "物业费台账-已缴.xlsx", {"物业费": [
        FEE_OWED, ["1-102", "李秀英", "13800138012", 120, 2.8, datetime(2026, 12, 31), 0]]})
    process_paths(ctx, [paid], datetime(2026, 11, 26, 18, 0))
    assert any("物品放行条_FX-01" in p.name for p in ctx.ws.drafts.glob("*.docx"))
    left = {p.name: [c.coordinate for row in openpyxl.load_workbook(p)["放行"].iter_rows() for c in row
                     if c.comment and "不予放行" in c.comment.text]
            for p in ctx.ws.returns.glob("*.xlsx")}
    assert not any(left.values()), left
    settled = next(Path(p) for p in later.outputs if "问题批注" in p)
    assert (ctx.ws.returns / "已改正" / settled.name).exists()


def test_a_renamed_return_copy_is_judged_again_when_the_payment_arrives(ctx, home: Path, tmp_path: Path):
    def renamed(home: Path, copy: Path, rows: list) -> Path:
        back = home / "inbox" / "放行登记-李秀英.xlsx"
        back.write_bytes(copy.read_bytes())
        return back
    _refused_then_paid(ctx, home, tmp_path, renamed)


def test_the_original_saved_again_with_the_refused_row_unchanged_is_judged_again(ctx, home: Path, tmp_path: Path):
    def again(home: Path, copy: Path, rows: list) -> Path:
        more = [*rows, ["FX-02", "1-101", "王建国", "业主", "台灯", datetime(2026, 11, 26), None, "临时携带", None, None]]
        return write_xlsx(home / "inbox" / "放行登记.xlsx", {"放行": more})
    _refused_then_paid(ctx, home, tmp_path, again)
