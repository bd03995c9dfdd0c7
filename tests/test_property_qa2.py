"""Defects QA found in the property pack (second round): each test is one of them, real files."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
from conftest import write_xlsx

from toolkit.annotate import HEADER_ROW, ISSUES_TITLE
from toolkit.pipeline import process_paths
from toolkit.reports import build_report, parse_day, parse_month

NOW = datetime(2026, 12, 5, 10, 0)
MORNING = datetime(2026, 12, 6, 8, 30)


def _copy(outputs: list[str]) -> Path:
    return next(Path(p) for p in outputs if "问题批注" in p)


def test_temporary_parking_charge_off_the_tariff_is_an_action_on_the_daily_list(ctx, tmp_path: Path):
    # Tariff (SPEC §3.5): 2 h 2 元, each further started hour 1 元, 6 元 a day at most.
    # 川A99999 4 h: 2 + 2 × 1 = 4, paid 2 → 少收 2.00.
    # 川A00000 31 h: one full day 6 + 7 h (2 + 5 = 7, capped at 6) = 12, paid 10 → 少收 2.00.
    # 川A11111 1 h: 2, paid 2 → nothing.
    rows = [["车牌号", "入场时间", "出场时间", "实收金额"],
            ["川A99999", datetime(2026, 12, 4, 8, 0), datetime(2026, 12, 4, 12, 0), 2],
            ["川A00000", datetime(2026, 12, 3, 9, 0), datetime(2026, 12, 4, 16, 0), 10],
            ["川A11111", datetime(2026, 12, 4, 9, 0), datetime(2026, 12, 4, 10, 0), 2]]
    f = process_paths(ctx, [write_xlsx(tmp_path / "临时停车记录.xlsx", {"临停": rows})], NOW).files[0]
    assert f.status == "accepted", f.message
    wb = openpyxl.load_workbook(_copy(f.outputs))
    data = wb["临停"]
    # Marked on 实收金额 (column D) with both figures and who acts.
    assert "应收 4.00 元，实收 2.00 元，少收 2.00 元" in data["D2"].comment.text
    assert "应收 12.00 元，实收 10.00 元，少收 2.00 元" in data["D3"].comment.text
    assert "门岗当班收费员" in data["D2"].comment.text and data["D4"].comment is None
    issues = [r for r in wb[ISSUES_TITLE].iter_rows(min_row=HEADER_ROW + 1, values_only=True)]
    assert [(r[4], r[5]) for r in issues] == [("D2", "临时停车收费不符"), ("D3", "临时停车收费不符")]

    report, _ = build_report(ctx, "daily_due", MORNING, parse_day("2026-12-06"))
    todo = [r for r in report.table("须处理事项").rows if r[0] == "临时停车收费不符"]
    assert len(todo) == 2 and {r[5] for r in todo} == {"秩序部"}
    assert all("少收 2.00 元" in r[7] and "门岗当班收费员" in r[6] for r in todo)
    # A week after the cars left (12-04 → 12-11) they are still listed; on 12-12 they are history.
    week, _ = build_report(ctx, "daily_due", datetime(2026, 12, 11, 8, 30), parse_day("2026-12-11"))
    assert len([r for r in week.table("须处理事项").rows if r[0] == "临时停车收费不符"]) == 2
    later, _ = build_report(ctx, "daily_due", datetime(2026, 12, 12, 8, 30), parse_day("2026-12-12"))
    assert not [r for r in later.table("须处理事项").rows if r[0] == "临时停车收费不符"]


RENO = ["编号", "房号", "业主", "装修公司", "申请日期", "建筑面积", "消防审批", "审批日期", "装修押金", "开工日期",
        "竣工验收日期", "应扣水电费", "公共设施损坏赔偿"]
VIOLATION = ["编号", "房号", "日期", "违章内容", "严重程度", "违约金", "整改期限", "整改完成日期"]


def test_deposit_refund_sheet_shows_the_damage_it_deducts(ctx, tmp_path: Path):
    # Accepted 2026-09-01 → refundable 3 months later, 2026-12-01.
    # 3,000 − 800 (WZ-101) − 120.50 utilities − 500 damage = 1,579.50.
    book = write_xlsx(tmp_path / "装修.xlsx", {
        "装修": [RENO, ["ZX-101", "5-101", "王芳", "安居装饰", datetime(2026, 6, 1), 120, "否", datetime(2026, 6, 2),
                        3000, datetime(2026, 6, 5), datetime(2026, 9, 1), 120.5, 500]],
        "违章": [VIOLATION, ["WZ-101", "5-101", datetime(2026, 7, 1), "破坏承重墙", "严重", 800,
                           datetime(2026, 7, 4), datetime(2026, 7, 3)]]})
    assert process_paths(ctx, [book], NOW).files[0].status == "accepted"
    report, _ = build_report(ctx, "monthly", datetime(2027, 1, 1, 8, 30), parse_month("2026-12"))
    table = report.table("押金退还")
    titles = [c.title for c in table.columns]
    row = dict(zip(titles, table.rows[0], strict=True))
    assert (row["押金"], row["违约金"], row["应扣水电费"], row["公共设施损坏赔偿"], row["应退金额"]) == (
        Decimal("3000.00"), Decimal("800.00"), Decimal("120.50"), Decimal("500.00"), Decimal("1579.50"))
    assert "− 公共设施损坏赔偿" in table.note
    # The price list is named as staff know it, not by its file.
    assert "price_list" not in report.table("价目表").note and "价目表" in report.table("价目表").note


def test_rectification_done_closes_the_deadline_and_needs_no_notice(ctx, tmp_path: Path):
    # 整改期限 blank → 日期 + 3 days (SPEC default; the seed names no time).
    # WZ-002: 08-01, rectified 08-03 (by 08-04): met, not overdue for months.
    # WZ-003: 12-01, not rectified: due 12-04 23:59, overdue on 12-05, a notice is drafted.
    # WZ-004: 12-04, rectified 12-05 before any notice went out: none is drafted.
    book = write_xlsx(tmp_path / "装修违章记录.xlsx", {"违章": [
        VIOLATION,
        ["WZ-002", "5-102", datetime(2026, 8, 1), "私拉电线", "严重", 200, None, datetime(2026, 8, 3)],
        ["WZ-003", "5-103", datetime(2026, 12, 1), "封闭阳台", "严重", 500, None, None],
        ["WZ-004", "5-104", datetime(2026, 12, 4), "堵塞消防通道", "严重", 300, None, datetime(2026, 12, 5)]]})
    f = process_paths(ctx, [book], NOW).files[0]
    assert f.status == "accepted" and not f.errors, f.message
    # Only WZ-003 is still open (a met deadline is not reported as a finding of the file).
    found = {x.record: x.status for x in f.findings if x.rule == "renovation.rectification"}
    assert found == {"WZ-003": "overdue"}
    notices = [Path(p).name for p in f.outputs if "整改通知书" in Path(p).name]
    assert len(notices) == 1 and "WZ-003" in notices[0], notices
    assert ctx.ledger.record("renovation_violation", "WZ-002")["values"]["整改完成日期"] is not None
    report, _ = build_report(ctx, "daily_due", MORNING, parse_day("2026-12-06"))
    assert {r[2] for r in report.table("待办与逾期").rows if r[1] == "装修违章记录"} == {"WZ-003"}


def _text(path: Path) -> str:
    from docx import Document

    doc = Document(str(path))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _drafts(ctx, word: str) -> list[Path]:
    return sorted(p for p in ctx.ws.drafts.glob("*.docx") if word in p.name)


FEES = [["房号", "业主", "联系电话", "建筑面积", "单价", "已缴至", "欠费金额"],
        # paid to 10-31: on 12-05 one month and 5 days overdue, 100 m² × 2.50 × 1 = 250.00
        ["6-101", "赵敏", "13800138006", 100, 2.5, datetime(2026, 10, 31), 250]]
CARDS = [["卡号", "车主", "房号", "车牌号", "起租日期", "到期日期", "实收金额", "押金"],
         # expires 12-08, 3 days after 12-05: within the 7-day reminder window
         ["PK-61", "赵敏", "6-101", "川A12345", datetime(2026, 11, 9), datetime(2026, 12, 8), 100, 50]]


def _notices_book(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "台账.xlsx", {
        "物业费": FEES, "月卡": CARDS,
        "装修": [RENO, ["ZX-601", "6-102", "王芳", "安居装饰", datetime(2026, 6, 1), 120, "否", datetime(2026, 6, 2),
                        3000, datetime(2026, 6, 5), datetime(2026, 9, 1), 120.5, None]],
        "违章": [VIOLATION, ["WZ-601", "6-103", datetime(2026, 12, 4), "封闭阳台", "严重", 500, None, None]]})


def test_the_centers_phone_is_printed_where_a_notice_asks_the_customer_to_call(home: Path, tmp_path: Path):
    from toolkit.pipeline import open_context
    from toolkit.workspace import Workspace

    docs = home / "rules" / "documents.yaml"
    docs.write_text(docs.read_text(encoding="utf-8").replace('phone: ""', 'phone: "028-88886666"'),
                    encoding="utf-8")
    ctx = open_context(Workspace(home))
    try:
        assert process_paths(ctx, [_notices_book(tmp_path)], NOW).files[0].status == "accepted"
        for word in ("催缴通知书", "违章整改通知书", "装修押金退还通知", "停车月卡到期提醒"):
            found = _drafts(ctx, word)
            assert len(found) == 1, (word, list(ctx.ws.drafts.iterdir()))
            assert "联系电话：028-88886666" in _text(found[0]), word
    finally:
        ctx.close()


def test_no_phone_line_when_the_phone_is_not_set(ctx, tmp_path: Path):
    assert process_paths(ctx, [_notices_book(tmp_path)], NOW).files[0].status == "accepted"
    texts = [_text(p) for p in ctx.ws.drafts.glob("*.docx")]
    assert len(texts) >= 4 and not any("联系电话：" in t for t in texts)


SERVICE = ["单号", "受理时间", "受理人", "房号", "客户", "服务项目", "类别", "数量", "单价", "金额", "预约时间"]


def test_copying_order_says_paid_on_the_spot(ctx, tmp_path: Path):
    # Seed 004 5.8.2: 打字复印类 is paid on the spot; the rest monthly with the property fee.
    # 复印A4 0.30 元/页 × 15 = 4.50; 更换水龙头 20.00 × 1.
    t = datetime(2026, 12, 3, 9, 0)
    book = write_xlsx(tmp_path / "特约服务.xlsx", {"特约服务": [
        SERVICE, ["TY-1203-05", t, "周敏", "1-101", "王建国", "复印A4", "打字复印类", 15, 0.3, 4.5, None],
        ["TY-1203-06", t, "周敏", "1-101", "王建国", "更换水龙头", "供水设备维修类", 1, 20, 20, None]]})
    assert process_paths(ctx, [book], NOW).files[0].status == "accepted"
    copying, = _drafts(ctx, "TY-1203-05")
    text = _text(copying)
    assert "费用现场收取" in text and "现场办理" in text
    assert "按月结算" not in text and "自行采购" not in text and "待约定" not in text
    tap, = _drafts(ctx, "TY-1203-06")
    text = _text(tap)
    assert "费用按月结算" in text and "待约定" in text and "现场收取" not in text


def test_entry_notice_prints_blank_changes_as_not_filled():
    from test_documents_render import doc_text, render_sample, sample_findings

    f = sample_findings()["renovation_entry_notice"]  # 结构改动 blank, 煤气改动 否
    lines = doc_text(render_sample("renovation_entry_notice", f)).splitlines()
    assert lines[lines.index("结构改动") + 1] == "未填" and lines[lines.index("煤气改动") + 1] == "否"


def test_escalation_closing_request_keeps_with_the_signature():
    from docx import Document
    from test_documents_render import ROOT

    doc = Document(str(ROOT / "templates" / "complaint_escalation.docx"))
    paras = [p for p in doc.paragraphs if p.text.strip()]
    ask = next(i for i, p in enumerate(doc.paragraphs) if p.text.startswith("请{{ doc.manager_title }}"))
    # The request, the gap and the company line each keep with the next: the signature
    # and date never stand alone on a page.
    assert all(p.paragraph_format.keep_with_next for p in doc.paragraphs[ask:ask + 3])
    assert paras[-1].text == "{{ doc.issue_date }}"


def test_statement_number_column_fits_a_service_number():
    from docx import Document
    from docx.shared import Cm
    from test_documents_render import ROOT

    table = Document(str(ROOT / "templates" / "service_statement.docx")).tables[0]
    # "TY-1203-01" (10 characters of 10.5 pt Times) needs about 2.2 cm plus cell margins.
    assert table.columns[1].width >= Cm(2.6)
