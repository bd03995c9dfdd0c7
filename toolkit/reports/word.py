"""The one-page Word summary for managers: headline figures against the period before,
one chart image and a few sentences, on the styles of ``templates/weekly_summary.docx``.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from .. import atomic
from ..xlsxsafe import clean_text
from .charts import chart_png
from .model import Report

TEMPLATE = "weekly_summary.docx"
_NUMBER = re.compile(r"^-?[\d,]+(\.\d+)?%?$")


def change_text(now: str, before: str) -> str:
    """'+3', '-1,200.00', '+2.5个百分点' — blank when either side is not a figure."""
    if not (_NUMBER.match(now) and _NUMBER.match(before)):
        return ""
    pct = now.endswith("%")
    a, b = (float(x.rstrip("%").replace(",", "")) for x in (now, before))
    d = a - b
    decimals = max(len(x.rstrip("%").partition(".")[2]) for x in (now, before))
    text = f"{d:+,.{decimals}f}"
    return f"{text}个百分点" if pct else text


def _text(s: str) -> str:
    return clean_text(str(s))


def build_docx(report: Report, template: Path | None) -> bytes:
    doc = Document(str(template)) if template is not None and template.exists() else Document()
    body = doc.element.body
    for el in list(body):  # the template brings styles, page and footer; the body is ours
        if not el.tag.endswith("sectPr"):
            body.remove(el)
    cur, prev = ("本周", "上周") if report.period.kind == "week" else ("本月", "上月")

    ids: dict[str, str | None] = {}

    def para(text: str, style: str) -> Paragraph:
        # Each style's id is looked up once: python-docx would search the template's long
        # style list (and its default style) again for every paragraph.
        if style not in ids:
            ids[style] = doc.styles.get_style_id(style, WD_STYLE_TYPE.PARAGRAPH)
        p = doc.add_paragraph(text)
        p._p.style = ids[style]
        return p

    title = para(_text(f"{report.title}　{report.period.zh}"), "Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub = para(_text(f"统计期间 {report.period.start:%Y-%m-%d} 至 {report.period.end:%Y-%m-%d}　"
                     f"制表时间 {report.as_of:%Y-%m-%d %H:%M}"), "Subtitle")
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER

    para("主要指标", "Heading 1")
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, ["指标", cur, prev, "变化"], strict=True):
        cell.text = text
        run = cell.paragraphs[0].runs[0]
        run.bold = True
    for label, now, before in report.headline:
        cells = table.add_row().cells
        for i, text in enumerate([label, now, before, change_text(now, before)]):
            cells[i].text = _text(text)
            if i:
                cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    widths = [Cm(5.5), Cm(3.5), Cm(3.5), Cm(3.5)]
    for row in table.rows:
        for cell, w in zip(row.cells, widths, strict=True):
            cell.width = w

    png = chart_png(report)
    if png:
        para("每日受理与办结", "Heading 1")
        pic = doc.add_paragraph()
        pic.alignment = WD_ALIGN_PARAGRAPH.CENTER
        pic.add_run().add_picture(io.BytesIO(png), width=Cm(15.5))

    if report.notes:
        para("需要关注", "Heading 1")
        for note in report.notes[:4]:
            para(_text(note), "List Bullet")
    tail = doc.add_paragraph(_text(f"明细见同名 Excel 报表：{report.stem}.xlsx"))
    tail.runs[0].font.size = Pt(9)
    tail.runs[0].font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def write_docx(report: Report, templates: Path, path: Path) -> Path:
    return atomic.write_bytes(path, build_docx(report, templates / TEMPLATE))
