"""The Word summary of the weekly and monthly reports, filled into templates/weekly_summary.docx.

Read back with python-docx: title, headline table, notes as bullets, and the chart image
in place of the template's placeholder picture. The workspace is the multi-week one of
``tests/test_reports.py`` (``tests/fixtures_multiweek.py``).
"""

from __future__ import annotations

import io
import logging
import re
import subprocess
import sys
import zipfile
from datetime import date, datetime, timedelta

import fixtures_multiweek as fx
import pytest
from conftest import ROOT
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from PIL import Image

from toolkit.documents.render import DocumentError
from toolkit.reports import build_report, parse_month, parse_week
from toolkit.reports.charts import chart_png
from toolkit.reports.model import Column, Report, Table
from toolkit.reports.periods import Period
from toolkit.reports.run import issuer
from toolkit.reports.word import TEMPLATE, build_docx, change_text, write_docx

LATER = datetime(2026, 12, 5, 10, 0)
SHIPPED = ROOT / "templates" / TEMPLATE


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    ctx = fx.built_workspace(tmp_path_factory.mktemp("multiweek") / "ws", ROOT)
    yield ctx
    ctx.close()


def read(blob: bytes):
    return Document(io.BytesIO(blob))


def styled(doc, style: str) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == style]


def chart_bytes(doc) -> list[bytes]:
    """The image bytes of every picture in the body."""
    out = []
    for shape in doc.inline_shapes:
        rid = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        out.append(doc.part.related_parts[rid].blob)
    return out


def hand_report(notes: list[str], *, trend: bool = True, kind: str = "week") -> Report:
    """A report built by hand, for what the ledger fixture does not hold."""
    period = Period("week", date(2026, 11, 23), date(2026, 11, 29)) if kind == "week" else \
        Period("month", date(2026, 11, 1), date(2026, 11, 30))
    tables = []
    if trend:
        days = [period.start + timedelta(days=i) for i in range(7)]
        tables.append(Table("每日趋势", "每日受理与办结", [Column("日期", "date"), Column("星期"),
                                                           Column("受理", "int"), Column("办结", "int")],
                            [[d, "周一", i, 7 - i] for i, d in enumerate(days)]))
    return Report("weekly", "周报", period, datetime(2026, 11, 27, 17, 0), "周报-2026年第48周", tables,
                  headline=[("受理", "12", "9"), ("<b>标签&amp;</b>\x07", "a&b", "—")], notes=notes, word=True)


# --- the weekly and monthly summaries from the ledger ----------------------------------


def test_weekly_summary_title_table_notes_and_chart(built, tmp_path):
    report, _ = build_report(built, "weekly", LATER, parse_week("2026-W48"))
    path = write_docx(report, built.ws.templates, tmp_path / "w.docx", issuer(built.ws))
    doc = read(path.read_bytes())
    # The footer names the issuer of documents.yaml (the template itself names none).
    assert doc.sections[0].footer.paragraphs[0].text.startswith("某某物业服务有限公司 客户服务中心　　第 ")

    title = next(p for p in doc.paragraphs if p.style.name == "Title")
    assert title.text == "周报　2026年第48周（11-23至11-29）"
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert styled(doc, "Subtitle") == ["统计期间 2026-11-23 至 2026-11-29　制表时间 2026-11-27 17:00"]
    assert styled(doc, "Heading 1") == ["主要指标", "每日受理与办结", "需要关注"]

    [table] = doc.tables
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0] == ["指标", "本周", "上周", "变化"]
    assert rows[1:] == [[label, now, before, change_text(now, before)] for label, now, before in report.headline]
    assert ["按时率", "50.0%", "70.0%", "-20.0个百分点"] in rows  # figures of test_reports.py
    assert ["停车收入（元）", "111.00", "306.00", "-195.00"] in rows
    for r in table.rows[1:]:  # the figures to the right, the labels not
        aligns = [c.paragraphs[0].alignment for c in r.cells]
        assert aligns[0] != WD_ALIGN_PARAGRAPH.RIGHT and set(aligns[1:]) == {WD_ALIGN_PARAGRAPH.RIGHT}

    assert report.notes and styled(doc, "List Bullet") == report.notes[:4]
    assert doc.paragraphs[-1].text == "明细见同名 Excel 报表：周报-2026年第48周.xlsx"

    # The placeholder's image was replaced by this report's chart, at the placeholder's size.
    assert chart_bytes(doc) == [chart_png(report)]
    assert abs(doc.inline_shapes[0].width.cm - 15.5) < 0.01
    with zipfile.ZipFile(path) as z:
        body = z.read("word/document.xml").decode()
        names = z.namelist()
    assert "{{" not in body and "{%" not in body
    assert len(names) == len(set(names))


def test_monthly_summary_says_this_month_and_last(built):
    report, _ = build_report(built, "property_status", LATER, parse_month("2026-11"))
    doc = read(build_docx(report, built.ws.templates / TEMPLATE))
    assert [c.text for c in doc.tables[0].rows[0].cells] == ["指标", "本月", "上月", "变化"]
    assert styled(doc, "Title") == [f"{report.title}　2026年11月"]
    assert chart_bytes(doc) == [chart_png(report)]
    assert "本周" not in "\n".join(p.text for p in doc.paragraphs)


# --- text, notes and the chart left out ------------------------------------------------


def test_text_escaped_notes_capped_and_heading_only_with_notes():
    notes = [f"第{i}条：<注意> & “引号”" for i in range(1, 7)]
    doc = read(build_docx(hand_report(notes), SHIPPED))
    assert styled(doc, "List Bullet") == notes[:4]
    rows = [[c.text for c in r.cells] for r in doc.tables[0].rows]
    assert rows[1] == ["受理", "12", "9", "+3"]
    assert rows[2] == ["<b>标签&amp;</b>", "a&b", "—", ""]  # literal, control character dropped

    quiet = read(build_docx(hand_report([]), SHIPPED))
    assert "需要关注" not in styled(quiet, "Heading 1")
    assert styled(quiet, "List Bullet") == []


def test_without_a_chart_the_heading_and_placeholder_are_left_out():
    report = hand_report(["一条"], trend=False)
    assert chart_png(report) is None
    doc = read(build_docx(report, SHIPPED))
    assert styled(doc, "Heading 1") == ["主要指标", "需要关注"]
    assert len(doc.inline_shapes) == 0


# --- the template ----------------------------------------------------------------------


def test_unknown_picture_name_gives_the_chinese_error(tmp_path):
    with zipfile.ZipFile(SHIPPED) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    # Staff renamed the placeholder (or replaced it by another picture) in Word.
    parts["word/document.xml"] = parts["word/document.xml"].replace(b'name="chart.png"', b'name="logo.png"')
    template = tmp_path / TEMPLATE
    with zipfile.ZipFile(template, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in parts.items():
            z.writestr(name, blob)
    with pytest.raises(DocumentError) as err:
        build_docx(hand_report(["一条"]), template)
    assert str(err.value).startswith(f"模板 {TEMPLATE} 中没有名为「chart.png」的图片")
    assert "logo.png" in str(err.value)


def test_missing_or_layout_only_template_uses_the_shipped_one(tmp_path, caplog):
    report = hand_report(["一条"])
    with caplog.at_level(logging.WARNING, logger="toolkit"):
        missing = read(build_docx(report, tmp_path / TEMPLATE))
    assert styled(missing, "Title") == ["周报　2026年第48周（11-23至11-29）"]
    assert "找不到模板" in caplog.text and "程序自带的模板" in caplog.text

    # The template of earlier versions: styles and footer only, no tags in its body.
    old = Document(str(SHIPPED))
    body = old.element.body
    for el in list(body):
        if not el.tag.endswith("sectPr"):
            body.remove(el)
    old.add_paragraph("（报表内容由程序生成：本页只决定版式。）")
    old.save(str(tmp_path / TEMPLATE))
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="toolkit"):
        doc = read(build_docx(report, tmp_path / TEMPLATE))
    assert "旧版" in caplog.text
    assert chart_bytes(doc) == [chart_png(report)]


def test_template_is_built_by_the_script(tmp_path):
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_report_templates.py"), str(tmp_path)],
                         capture_output=True, text=True, check=True)
    assert TEMPLATE in out.stdout
    # Same parts with the same XML; the placeholder picture compared by its size (its PNG
    # bytes depend on the Pillow and zlib at hand).
    with zipfile.ZipFile(tmp_path / TEMPLATE) as made, zipfile.ZipFile(SHIPPED) as shipped:
        assert made.namelist() == shipped.namelist()
        for name in made.namelist():
            if name.startswith("word/media/"):
                sizes = [Image.open(io.BytesIO(z.read(name))).size for z in (made, shipped)]
                assert sizes[0] == sizes[1], name
            else:
                assert made.read(name) == shipped.read(name), (
                    f"{TEMPLATE} 的 {name} 与脚本输出不一致，请重新运行 scripts/make_report_templates.py")
    with zipfile.ZipFile(SHIPPED) as z:
        body = z.read("word/document.xml").decode()
    text = re.sub(r"<[^>]+>", "", body)
    for tag in ("{%tr for row in headline %}", "{%p if chart %}", "{%p for note in notes %}", "{{ title }}"):
        assert tag in text


def test_change_against_the_period_before():
    assert change_text("12", "9") == "+3"
    assert change_text("1,000.00", "2,200.00") == "-1,200.00"
    assert change_text("66.7%", "80.0%") == "-13.3个百分点"
    assert change_text("420.65", "420.65") == "持平"  # not "+0.00"
    assert change_text("0", "0") == "持平"
    assert change_text("—", "80.0%") == ""  # no rate this week: no change to show
