"""Documents say only what the ledger holds: earlier reminders only when they were signed."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import openpyxl
from conftest import needs_office, write_xlsx
from docx import Document

from toolkit.pipeline import process_paths

FEE_HEADERS = ["房号", "业主", "联系电话", "建筑面积", "单价", "已缴至", "欠费金额"]


def text_of(path: Path) -> str:
    return "\n".join(p.text for p in Document(path).paragraphs)


def sign_all(ctx, home: Path, when: datetime) -> None:
    """The manager fills 签发人/签发日期 on every draft row and saves the register into inbox/."""
    register = ctx.ws.outbox / "发文登记.xlsx"
    wb = openpyxl.load_workbook(register)
    ws = wb.active
    header_row = next(r for r in range(1, 6) if ws.cell(r, 2).value == "文号")
    col = {ws.cell(header_row, c).value: c for c in range(1, ws.max_column + 1)}
    for r in range(header_row + 1, ws.max_row + 1):
        if ws.cell(r, col["文书状态"]).value == "草稿":
            ws.cell(r, col["签发人"], "张经理")
            ws.cell(r, col["签发日期"], when.date())
    signed = home / "inbox" / "发文登记.xlsx"
    wb.save(signed)
    assert process_paths(ctx, [signed], when).files[0].status == "accepted"


def fee_file(tmp_path: Path, name: str) -> Path:
    # 120 m² × 2.35 元; paid to 09-30. A paid-up unit named after the file keeps the bytes
    # of two saves apart (the same bytes twice would be one file).
    return write_xlsx(tmp_path / name, {"物业费": [
        FEE_HEADERS, ["3-1-502", "王秀英", "13812345678", 120, 2.35, date(2026, 9, 30), None],
        [f"9-{Path(name).stem}", "陈建国", None, 100, 2.35, date(2026, 12, 31), None]]})


def test_second_reminder_names_the_first_only_once_it_was_signed(ctx, home: Path, tmp_path: Path):
    # 10-10: 10 days overdue → first reminder.
    process_paths(ctx, [fee_file(tmp_path, "f1.xlsx")], datetime(2026, 10, 10, 9, 0))
    first = next(ctx.ws.drafts.glob("*.docx"))
    assert "书面提醒" not in text_of(first)
    sign_all(ctx, home, datetime(2026, 10, 10, 15, 0))
    # 11-05: 36 days overdue → second reminder (tier 30 days), which may say the first was sent.
    process_paths(ctx, [fee_file(tmp_path, "f2.xlsx")], datetime(2026, 11, 5, 9, 0))
    second = [p for p in ctx.ws.drafts.glob("*.docx") if "第二次" in p.name]
    assert len(second) == 1
    text = text_of(second[0])
    assert "我中心已于2026年10月10日（" in text and "催字第001号）书面提醒您" in text


def test_second_reminder_after_an_unsigned_first_claims_nothing(ctx, tmp_path: Path):
    process_paths(ctx, [fee_file(tmp_path, "f1.xlsx")], datetime(2026, 10, 10, 9, 0))
    # Never signed: the first reminder never went out.
    summary = process_paths(ctx, [fee_file(tmp_path, "f2.xlsx")], datetime(2026, 11, 5, 9, 0))
    # The unsent first one is rewritten under its own number (an unsigned demand states the
    # arrears of the day) and is the first the owner gets: not "the second".
    second = list(ctx.ws.drafts.glob("*催字第001号_催缴通知书_*.docx"))
    assert len(second) == 1, (list(ctx.ws.drafts.rglob("*")), summary.to_dict())
    assert not list(ctx.ws.drafts.rglob("*第二次*")) and not list(ctx.ws.drafts.rglob("*催字第002号*"))
    text = text_of(second[0])
    assert "书面提醒" not in text and "已于" not in text
    assert "只缴至2026年9月30日" in text


@needs_office
def test_monthly_statements_get_pdfs_from_the_report_command(ctx, home: Path, tmp_path: Path):
    from test_returns_actions import SERVICE_HEADERS

    t = datetime(2026, 11, 20, 9, 0)
    rows = [["TY-01", t, "周敏", "1-101", "王建国", "更换水龙头", "供水设备维修类", 1, 20, 20, None, t],
            ["TY-02", t, "周敏", "1-101", "王建国", "疏通马桶", "供水设备维修类", 1, 50, 50, None, t]]
    process_paths(ctx, [write_xlsx(tmp_path / "s.xlsx", {"s": [SERVICE_HEADERS, *rows]})], t)
    ctx.close()
    # PDFs on for the command only (as staff have it): the documents processed above are
    # not what this test looks at.
    env = {k: v for k, v in os.environ.items() if k != "TOOLKIT_PDF"}
    proc = subprocess.run([sys.executable, "-m", "toolkit", "report", "monthly", "--month", "2026-11",
                           "--home", str(home), "--now", "2026-12-01T09:00"],
                          capture_output=True, text=True, timeout=240, env=env)
    assert proc.returncode == 0, proc.stderr
    statements = list((home / "outbox" / "文书草稿").glob("*月结单*.docx"))
    assert len(statements) == 1
    assert statements[0].with_suffix(".pdf").is_file(), "the command waits for the statement's PDF"
    assert "特约服务与收费月报 2026年11月" in proc.stdout


@needs_office
def test_dispatch_register_prints_on_one_page_width(ctx, tmp_path: Path, soffice: list[str]):
    for i in range(3):
        process_paths(ctx, [write_xlsx(tmp_path / f"f{i}.xlsx", {"物业费": [
            FEE_HEADERS, [f"3-1-50{i}", "王秀英", "13812345678", 120, 2.35, date(2026, 9, 30), None]]})],
            datetime(2026, 10, 10, 9, 0))
    register = ctx.ws.outbox / "发文登记.xlsx"
    ws = openpyxl.load_workbook(register).active
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    out = tmp_path / "pdf"
    subprocess.run([*soffice, "--convert-to", "pdf", "--outdir", str(out), str(register)],
                   capture_output=True, timeout=120, check=True)
    pdf = out / "发文登记.pdf"
    first_page = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True,
                                text=True, check=True).stdout
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    # First and last column on the same page, and one page for three rows.
    assert "发文日期" in first_page and "文件名" in first_page
    assert "Pages:           1" in pages


def test_weekly_names_an_escalated_complaint_without_event_by_the_complaint(ctx, tmp_path: Path):
    from toolkit.reports import build_report, parse_week

    headers = ["编号", "受理时间", "投诉人", "房号", "联系电话", "投诉内容", "事件", "被投诉部门", "性质", "等级"]
    row = ["TS-01", datetime(2026, 11, 24, 9, 5), "刘芳", "3-502", "13900139003", "电梯连续两天停运",
           None, "工程部", "有效", "重大"]
    process_paths(ctx, [write_xlsx(tmp_path / "ts.xlsx", {"投诉": [headers, row]})], datetime(2026, 11, 24, 10))
    report, _ = build_report(ctx, "weekly", datetime(2026, 11, 27, 18), parse_week("2026-W48"))
    assert any(n.startswith("升级投诉 TS-01：") for n in report.notes), report.notes
    assert not any("“TS-01”" in n for n in report.notes)
    assert [r[0] for r in report.table("投诉升级").rows] == ["投诉 TS-01"]


def test_replacing_a_signed_document_says_so_and_asks_for_the_signature_again(ctx, home: Path, tmp_path: Path):
    move_headers = ["编号", "房号", "携带人", "身份", "物品", "日期", "业主核实"]
    process_paths(ctx, [write_xlsx(tmp_path / "fee.xlsx", {"物业费": [
        FEE_HEADERS, ["1-101", "王建国", "13800138001", 89.5, 2.8, date(2026, 12, 31), None]]})],
        datetime(2026, 11, 26, 9, 0))

    def move(name: str, things: str) -> Path:
        return write_xlsx(tmp_path / name, {"放行": [move_headers, [
            "FX-01", "1-101", "王建国", "业主", things, date(2026, 11, 26), None]]})

    process_paths(ctx, [move("m1.xlsx", "旧沙发一套")], datetime(2026, 11, 26, 10, 0))
    sign_all(ctx, home, datetime(2026, 11, 26, 10, 30))
    # Saved again (other bytes, same facts): nothing new is issued.
    process_paths(ctx, [write_xlsx(tmp_path / "m1b.xlsx", {"放行登记": [move_headers, [
        "FX-01", "1-101", "王建国", "业主", "旧沙发一套", date(2026, 11, 26), None]]})],
        datetime(2026, 11, 26, 11, 0))
    assert not list(ctx.ws.drafts.glob("*.docx"))
    # The items change after the slip was signed: a new slip replaces the signed one.
    process_paths(ctx, [move("m2.xlsx", "旧沙发一套、床垫一张")], datetime(2026, 11, 26, 11, 30))
    drafts = list(ctx.ws.drafts.glob("*.docx"))
    assert len(drafts) == 1 and "第002号" in drafts[0].name
    doc = Document(drafts[0])
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "本文书替代2026年11月26日经张经理签发的某某物业〔2026〕放字第001号，原文书作废。" in text
    ws = openpyxl.load_workbook(ctx.ws.outbox / "发文登记.xlsx").active
    assert "1 份替代已签发的文书，需重新签发：某某物业〔2026〕放字第002号" in ws["A1"].value
    rows = {r[1]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    replaces = [c.value for c in ws[2]].index("替代文号")
    assert rows["某某物业〔2026〕放字第002号"][replaces] == (
        "某某物业〔2026〕放字第001号（已于 2026-11-26 经张经理签发，原文书作废，本文书需重新签发）")
    # A replaced draft that was never signed is just replaced: no such words.
    process_paths(ctx, [move("m3.xlsx", "旧沙发一套、床垫两张")], datetime(2026, 11, 26, 12, 0))
    newest = next(p for p in ctx.ws.drafts.glob("*.docx") if "第003号" in p.name)
    assert "原文书作废" not in "\n".join(p.text for p in Document(newest).paragraphs)
