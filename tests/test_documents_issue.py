"""Issuing documents: numbering, no duplicates, superseding, dispatch register, approvals."""

from __future__ import annotations

import copy
import io
import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from test_documents_render import doc_text, sample_findings, sample_services

from toolkit.documents import (
    apply_approvals,
    document_rows,
    issue_documents,
    issue_statement,
    numbering,
    pdf,
    sent_documents,
)
from toolkit.documents import issue as issue_module
from toolkit.documents.settings import load_documents_config
from toolkit.filenames import path_inside, safe_stem
from toolkit.ledger import Ledger
from toolkit.model import Finding
from toolkit.rulesfile import RulesError
from toolkit.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 10, 9, 9, 30)
# PDFs as staff have them: with LibreOffice counted absent (no_pdf below), the warning is checked.
pytestmark = pytest.mark.pdfs


@pytest.fixture(autouse=True)
def no_pdf(monkeypatch):
    """PDF conversion has its own test; here LibreOffice counts as absent."""
    monkeypatch.setattr(pdf, "soffice", lambda: None)


@pytest.fixture
def ws(tmp_path) -> Workspace:
    ws = Workspace(tmp_path / "site")
    shutil.copytree(ROOT / "rules", ws.rules)
    shutil.copytree(ROOT / "templates", ws.templates)
    ws.ensure()
    return ws


@pytest.fixture
def ledger(ws):
    led = Ledger(ws.db_url)
    yield led
    led.close()


def finding(kind: str) -> Finding:
    return copy.deepcopy(sample_findings()[kind])


def register_rows(ws: Workspace) -> list[dict]:
    sheet = load_workbook(ws.outbox / "发文登记.xlsx").active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    header = rows[0]
    return [dict(zip(header, r, strict=True)) for r in rows[1:]]


def test_every_notice_becomes_a_numbered_draft(ws, ledger):
    findings = list(sample_findings().values())
    paths = issue_documents(ws, ledger, findings, NOW)
    assert len(paths) == len(findings)
    for p in paths:
        assert p.parent == ws.drafts and p.exists()
    numbers = [r["number"] for r in document_rows(ledger)]
    assert len(set(numbers)) == len(numbers)
    assert "某某物业〔2026〕催字第001号" in numbers and "某某物业〔2026〕诉字第001号" in numbers
    reminder = next(p for p in paths if "催缴通知书" in p.name)
    assert reminder.name == "某某物业〔2026〕催字第001号_催缴通知书_1-1-1201.docx"
    text = doc_text(reminder.read_bytes())
    assert (
        "某某物业〔2026〕催字第001号" in text and "1,414.50元（人民币壹仟肆佰壹拾肆元伍角）" in text
    )
    rows = register_rows(ws)
    assert [r["文号"] for r in rows] == numbers
    first = rows[0]
    assert first["文书状态"] == "草稿" and first["签发人"] is None
    assert first["发文部门"] == "客户服务中心" and first["收文对象"] == "项目经理"
    assert first["登记记录"] == "投诉登记表 3栋电梯停运"
    assert first["发文日期"].date() == date(2026, 10, 9)
    assert pdf.warnings()  # no LibreOffice: a warning, and the Word files are there


def test_same_finding_twice_gives_one_document(ws, ledger):
    f = finding("rectification_notice")
    assert len(issue_documents(ws, ledger, [f], NOW)) == 1
    assert issue_documents(ws, ledger, [copy.deepcopy(f)], datetime(2026, 10, 10, 8, 0)) == []
    assert len(document_rows(ledger)) == 1


def test_changed_facts_supersede_the_old_number(ws, ledger):
    f = finding("rectification_notice")
    [old_path] = issue_documents(ws, ledger, [f], NOW)
    f.values["违约金"] = Decimal("3000.00")
    [new_path] = issue_documents(ws, ledger, [f], datetime(2026, 10, 10, 8, 0))
    rows = document_rows(ledger)
    assert [r["number"] for r in rows] == [
        "某某物业〔2026〕整字第001号",
        "某某物业〔2026〕整字第002号",
    ]
    assert rows[0]["status"] == "已作废" and rows[0]["superseded_by"] == rows[1]["number"]
    assert rows[1]["supersedes"] == rows[0]["number"] and rows[1]["status"] == "草稿"
    assert not old_path.exists() and (ws.drafts / "已作废" / old_path.name).exists()
    assert "3,000.00元（人民币叁仟元整）" in doc_text(new_path.read_bytes())
    reg = register_rows(ws)
    assert reg[1]["替代文号"] == "某某物业〔2026〕整字第001号" and reg[0]["文书状态"] == "已作废"


def test_reminder_only_once_per_tier(ws, ledger):
    f = finding("payment_reminder")
    [first] = issue_documents(ws, ledger, [f], NOW)
    f.values.update(days_overdue=20)  # the days grow daily (volatile): the draft stands
    assert issue_documents(ws, ledger, [f], datetime(2026, 10, 20, 9, 0)) == []
    number = document_rows(ledger)[0]["number"]
    assert number in first.name
    assert apply_approvals(ws, ledger, [{"文号": number, "签发人": "王经理"}], datetime(2026, 10, 20, 10, 0))
    # Signed and sent: the same tier is not sent again, however the amount grows.
    f.values.update(days_overdue=25, amount=Decimal("1500.00"))
    assert issue_documents(ws, ledger, [f], datetime(2026, 10, 25, 9, 0)) == []
    f.values.update(tier=2, reminder_tier=2, days_overdue=31)
    [second] = issue_documents(ws, ledger, [f], datetime(2026, 10, 31, 9, 0))
    assert "催缴通知书（第二次）" in second.name  # the first was signed and sent


def test_an_unsigned_reminder_follows_a_corrected_amount(ws, ledger):
    """The cashier corrects 欠费金额 after the draft was made (the return copy asked for
    it): the draft nobody signed yet is rewritten under its own number with the corrected
    figure (``amend_draft``), so the manager never signs an amount the register no longer
    holds."""
    f = finding("payment_reminder")
    [first] = issue_documents(ws, ledger, [f], NOW)
    assert "1,414.50元（人民币壹仟肆佰壹拾肆元伍角）" in doc_text(first.read_bytes())
    f.values.update(amount=Decimal("1344.00"))  # same tier, same 已缴至: only the figure
    [again] = issue_documents(ws, ledger, [f], datetime(2026, 10, 9, 11, 0))
    assert "1,344.00元（人民币壹仟叁佰肆拾肆元整）" in doc_text(again.read_bytes())
    assert "_催缴通知书_" in again.name and "第二次" not in again.name  # still the first reminder
    rows = document_rows(ledger)
    assert [(r["status"], r["supersedes"], r["superseded_by"]) for r in rows] == [("草稿", None, None)]
    assert again == first and first.exists() and not (ws.drafts / "已作废").exists()
    assert issue_documents(ws, ledger, [f], datetime(2026, 10, 9, 12, 0)) == []  # nothing changed since


def test_a_tier_2_reminder_without_a_first_one_sent_is_not_titled_the_second(ws, ledger):
    # An account first seen 31 days overdue, or whose first reminder was never signed:
    # the owner has had no reminder, so this one is the first they get.
    f = finding("payment_reminder")
    f.values.update(tier=2, reminder_tier=2, days_overdue=31)
    [doc] = issue_documents(ws, ledger, [f], datetime(2026, 10, 31, 9, 0))
    assert "_催缴通知书_" in doc.name and "第二次" not in doc.name
    assert "第二次" not in doc_text(doc.read_bytes())
    assert document_rows(ledger)[0]["title"] == "催缴通知书"
    # The last tier: the owner's reminder stays the second tier's; the manager's report
    # is a document of its own, numbered in its own series, replacing nothing.
    f.values.update(tier=3, days_overdue=91)
    report = finding("arrears_report")
    report.values.update(tier=3, days_overdue=91)
    [memo] = issue_documents(ws, ledger, [f, report], datetime(2026, 12, 30, 9, 0))
    assert "欠费情况报告" in memo.name and "欠字第001号" in memo.name
    assert "项目经理：" in doc_text(memo.read_bytes())
    rows = document_rows(ledger)
    assert [(r["title"], r["status"], r["supersedes"], r["superseded_by"]) for r in rows] == [
        ("催缴通知书", "草稿", None, None), ("欠费情况报告", "草稿", None, None)]


def test_approved_document_not_voided_when_superseded(ws, ledger):
    f = finding("parking_expiry")
    issue_documents(ws, ledger, [f], NOW)
    number = document_rows(ledger)[0]["number"]
    assert apply_approvals(ws, ledger, [{"文号": number, "签发人": "王经理"}], NOW) == [number]
    f.values["到期日期"] = date(2026, 11, 14)
    issue_documents(ws, ledger, [f], NOW)
    rows = document_rows(ledger)
    assert rows[0]["status"] == "已审批" and rows[0]["superseded_by"] == rows[1]["number"]


def test_numbers_never_reused_after_a_crash(ws):
    led = Ledger(ws.db_url)
    assert numbering.allocate(led, "payment_reminder", 2026) == 1
    assert numbering.allocate(led, "payment_reminder", 2026) == 2
    led.close()  # "crash": numbers taken, no file written
    led2 = Ledger(ws.db_url)
    assert numbering.allocate(led2, "payment_reminder", 2026) == 3
    assert numbering.allocate(led2, "payment_reminder", 2027) == 1  # counted per year
    assert numbering.allocate(led2, "deposit_refund", 2026) == 1  # and per type
    led2.close()


def test_crash_between_number_and_file(ws, monkeypatch):
    led = Ledger(ws.db_url)
    f = finding("deposit_refund")

    def crash(*_a, **_k):
        raise RuntimeError("power cut")

    monkeypatch.setattr(issue_module, "render_docx", crash)
    with pytest.raises(RuntimeError):
        issue_documents(ws, led, [f], NOW)
    led.close()
    monkeypatch.undo()
    monkeypatch.setattr(pdf, "soffice", lambda: None)
    led = Ledger(ws.db_url)
    [path] = issue_documents(ws, led, [f], NOW)  # finishes the same document, same number
    assert path.name.startswith("某某物业〔2026〕退字第001号")
    f.values["utilities"] = Decimal("100.00")
    [path2] = issue_documents(ws, led, [f], NOW)
    assert path2.name.startswith("某某物业〔2026〕退字第002号")
    assert len({r["number"] for r in document_rows(led)}) == 2
    led.close()


def test_approvals_move_drafts_to_approved(ws, ledger):
    paths = issue_documents(ws, ledger, [finding("parking_expiry"), finding("release_slip")], NOW)
    rows = document_rows(ledger)
    # a stray PDF beside the draft moves with it
    paths[0].with_suffix(".pdf").write_bytes(b"%PDF-1.4")
    reg = register_rows(ws)
    reg[0].update(签发人="王经理", 签发日期=datetime(2026, 10, 10))
    approved = apply_approvals(ws, ledger, reg, datetime(2026, 10, 10, 11, 0))
    assert approved == [rows[0]["number"]]
    assert not paths[0].exists() and (ws.approved / paths[0].name).exists()
    assert (ws.approved / paths[0].with_suffix(".pdf").name).exists()
    assert paths[1].exists()  # unsigned: still a draft, not sent
    assert [d["number"] for d in sent_documents(ledger)] == [rows[0]["number"]]
    reg = register_rows(ws)
    assert reg[0]["文书状态"] == "已审批" and reg[0]["签发人"] == "王经理"
    assert reg[0]["签发日期"].date() == date(2026, 10, 10)
    assert apply_approvals(ws, ledger, reg, NOW) == []  # saved again: nothing new
    reg[1]["文书状态"] = "已作废"  # the manager voids the other one
    apply_approvals(ws, ledger, reg, NOW)
    assert (ws.drafts / "已作废" / paths[1].name).exists()
    assert document_rows(ledger)[1]["status"] == "已作废"


def test_monthly_statement(ws, ledger):
    path = issue_statement(ws, ledger, "1-1-1201", "2026-09", sample_services(), NOW)
    text = doc_text(path.read_bytes())
    assert "1-1-1201 周晓梅：" in text and "2026年9月" in text
    assert "更换插座面板" in text and "复印身份证" not in text  # paid on the spot
    assert "155.00元（人民币壹佰伍拾伍元整）" in text
    assert issue_statement(ws, ledger, "1-1-1201", date(2026, 9, 1), sample_services(), NOW) is None
    assert issue_statement(ws, ledger, "1-1-1202", "2026-09", sample_services()[3:], NOW) is None


def test_new_document_type_needs_no_code(ws, ledger):
    doc = Document()
    doc.add_paragraph("{{ doc.company_full }}")
    doc.add_paragraph("{{ doc.number }}")
    doc.add_paragraph("{{ doc.title }}")
    doc.add_paragraph(
        "{{ doc.recipient }}：{{ 部门 }}本月拜访{{ visits }}次，低于目标{{ target }}次。"
    )
    doc.save(ws.templates / "visit_shortfall.docx")
    with open(ws.rules / "documents.yaml", "a", encoding="utf-8") as fh:
        fh.write(
            "\n  - type: visit_shortfall\n    title: 拜访不足提醒\n    template: visit_shortfall.docx\n"
            '    trigger: visit.kpi\n    code: 访\n    recipient: "{部门}主管"\n'
        )
    f = Finding(
        rule="visit.kpi",
        register="visit",
        record="工程部@2026-09",
        severity="warning",
        message="拜访不足",
        notice="visit_shortfall",
        values={"部门": "工程部", "visits": 6, "target": 10},
    )
    [path] = issue_documents(ws, ledger, [f], NOW)
    text = doc_text(path.read_bytes())
    assert "某某物业〔2026〕访字第001号" in text
    assert "工程部主管：工程部本月拜访6次，低于目标10次。" in text


def test_file_names_are_safe(ws, ledger):
    for record in [
        "CON",
        "a/../../etc/passwd",
        'x:y*?"<>|',
        "末尾点。. ",
        "长" * 300,
        "\x00\x07坏",
    ]:
        f = finding("release_slip")
        f.record = record
        [path] = issue_documents(ws, ledger, [f], NOW)
        assert path.parent == ws.drafts.resolve()
        assert not set(path.name) & set('<>:"/\\|?*')
        assert len(path.stem) <= 120 and len(path.name.encode()) <= 210
        assert not path.stem.endswith((".", " "))
    assert safe_stem("con") == "_con" and safe_stem("LPT1.txt") == "_LPT1.txt"
    assert safe_stem("...") == "文书"
    for hostile in ("..", "../x", "/etc/passwd", "C:\\Windows\\x", "NUL"):
        assert path_inside(ws.drafts, hostile, ".docx").parent == ws.drafts.resolve()


def test_bad_documents_yaml_names_the_line(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "documents.yaml").write_text(
        "company: 某某物业\ncompany_full: 某某物业服务有限公司\n"
        'number_format: "{company}〔{year}〕第{seq:03d}号"\n'
        'documents:\n  - type: a\n    template: a.docx\n    trigger: x.y\n    code: 甲\n    recipient: "{业主}"\n',
        encoding="utf-8",
    )
    with pytest.raises(RulesError) as err:
        load_documents_config(rules)
    text = "\n".join(err.value.problems)
    assert "第3行" in text and "{code}" in text
    assert "documents[0].title" in text


def test_missing_template_is_a_rules_error(ws):
    (ws.templates / "parking_expiry.docx").unlink()
    with pytest.raises(RulesError) as err:
        load_documents_config(ws.rules, ws.templates)
    assert "parking_expiry.docx" in str(err.value)


def test_dispatch_register_declaration_loads():
    from toolkit.registers import load_registers

    spec = load_registers(ROOT / "rules")["dispatch"]
    from toolkit.documents.dispatch import COLUMNS

    assert spec.key == "文号"
    assert [c.name for c in spec.columns] == [
        h for h, _ in COLUMNS if h in {c.name for c in spec.columns}
    ]
    assert {h for h, _ in COLUMNS} == {c.name for c in spec.columns}


def test_escaped_values_survive_the_whole_path(ws, ledger):
    f = finding("rectification_notice")
    f.values["违章内容"] = "<script>&{{ 7*7 }}{% for %}"
    [path] = issue_documents(ws, ledger, [f], NOW)
    assert "<script>&{{ 7*7 }}{% for %}" in doc_text(path.read_bytes())
    Document(io.BytesIO(path.read_bytes()))  # opens cleanly
