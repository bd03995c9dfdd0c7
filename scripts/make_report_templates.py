"""Build ``templates/weekly_summary.docx``, the Word summary of the weekly and monthly reports.

    python scripts/make_report_templates.py [OUTPUT_DIR]

(run after changing this file; the output is committed.) The template is an ordinary
.docx with docxtpl/Jinja tags, filled by ``toolkit/reports/word.py`` through
``toolkit/documents/render.py``: A4 portrait with narrow margins, 黑体 headings, 宋体
body, a compact table, a footer naming the company and the page. Staff may restyle and
re-word it in Word; the tags are the only contract with the code:

``title`` (周报 …), ``period`` (2026年第48周（11-23至11-29）), ``start``, ``end``,
``made`` (制表时间), ``now_label`` / ``before_label`` (本周/上周 or 本月/上月),
``headline`` (rows with ``label``, ``now``, ``before``, ``change``; one table row each
through ``{%tr for %}``), ``chart`` (true when the chart image is drawn), ``notes`` (at
most four sentences), ``stem`` (the report's file name without suffix).

The chart is the picture named ``chart.png`` (its name in Word's selection pane): a
blank placeholder of the chart's proportions whose image is replaced on every report.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.reports.charts import HEIGHT, WIDTH  # noqa: E402

SONG, HEI, LATIN = "SimSun", "SimHei", "Arial"
BLUE = RGBColor(0x1F, 0x4E, 0x78)
GREY = RGBColor(0x59, 0x59, 0x59)
CHART_NAME = "chart.png"  # the code replaces the picture of this name
CHART_WIDTH_CM = 15.5
COLUMN_CM = [5.5, 3.5, 3.5, 3.5]


def _fonts(style, east: str, size: float, bold: bool = False, colour: RGBColor | None = None) -> None:
    font = style.font
    font.name, font.size, font.bold = LATIN, Pt(size), bold
    if colour is not None:
        font.color.rgb = colour
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)
    fonts.set(qn("w:eastAsia"), east)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _page_field(paragraph) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def _para(doc, text: str, style: str | None = None, centre: bool = False):
    p = doc.add_paragraph(text, style)
    if centre:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return p


def _placeholder_png() -> bytes:
    """A white picture of the chart's size with a faint frame, so staff see where it goes."""
    img = Image.new("L", (WIDTH, HEIGHT), 0xFF)
    ImageDraw.Draw(img).rectangle([0, 0, WIDTH - 1, HEIGHT - 1], outline=0xD9)
    out = io.BytesIO()
    img.save(out, format="PNG", compress_level=9)
    return out.getvalue()


def _chart(doc) -> None:
    p = _para(doc, "", centre=True)
    p.add_run().add_picture(io.BytesIO(_placeholder_png()), width=Cm(CHART_WIDTH_CM))
    inline = p._p.xpath(".//wp:inline")[0]
    doc_pr = inline.find(qn("wp:docPr"))
    doc_pr.set("name", CHART_NAME)
    doc_pr.set("descr", "每日趋势柱状图")
    inline.xpath(".//pic:cNvPr")[0].set("name", CHART_NAME)


def _headline_table(doc) -> None:
    """指标 / 本周 / 上周 / 变化, one row per headline figure, figures to the right."""
    rows = [
        (["指标", "{{ now_label }}", "{{ before_label }}", "变化"], True),
        (["{%tr for row in headline %}", "", "", ""], False),
        (["{{ row.label }}", "{{ row.now }}", "{{ row.before }}", "{{ row.change }}"], False),
        (["{%tr endfor %}", "", "", ""], False),
    ]
    table = doc.add_table(rows=len(rows), cols=len(COLUMN_CM))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for col, width in zip(table.columns, COLUMN_CM, strict=True):
        col.width = Cm(width)  # the grid: what LibreOffice lays out by
    for row, (texts, bold) in zip(table.rows, rows, strict=True):
        for i, (cell, text) in enumerate(zip(row.cells, texts, strict=True)):
            cell.width = Cm(COLUMN_CM[i])  # each cell: what Word lays out by
            p = cell.paragraphs[0]
            run = p.add_run(text)
            run.bold = bold or None
            if i:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _body(doc) -> None:
    _para(doc, "{{ title }}　{{ period }}", "Title", centre=True)
    _para(doc, "统计期间 {{ start }} 至 {{ end }}　制表时间 {{ made }}", "Subtitle", centre=True)
    _para(doc, "主要指标", "Heading 1")
    _headline_table(doc)
    _para(doc, "{%p if chart %}")
    _para(doc, "{{ chart_title }}", "Heading 1")
    _chart(doc)
    _para(doc, "{%p endif %}")
    _para(doc, "{%p if notes %}")
    _para(doc, "需要关注", "Heading 1")
    _para(doc, "{%p for note in notes %}")
    _para(doc, "{{ note }}", "List Bullet")
    _para(doc, "{%p endfor %}")
    _para(doc, "{%p endif %}")
    tail = _para(doc, "明细见同名 Excel 报表：{{ stem }}.xlsx")
    tail.runs[0].font.size = Pt(9)
    tail.runs[0].font.color.rgb = GREY


def _fix_zip(path: Path) -> None:
    """Fixed timestamps inside the zip and no stray thumbnail: rebuilding changes no bytes."""
    with zipfile.ZipFile(path) as z:
        data = {info.filename: z.read(info.filename) for info in z.infolist()}
    # python-docx's default package carries a thumbnail of some other document: drop it
    data.pop("docProps/thumbnail.jpeg", None)
    data["_rels/.rels"] = re.sub(rb"<Relationship [^>]*thumbnail[^>]*/>", b"", data["_rels/.rels"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in data.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name.endswith(".png") else zipfile.ZIP_DEFLATED
            z.writestr(info, blob)


def build(out: Path) -> Path:
    doc = Document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
    sec.top_margin = sec.bottom_margin = Cm(1.8)
    sec.left_margin = sec.right_margin = Cm(2.0)
    styles = doc.styles
    _fonts(styles["Normal"], SONG, 10.5)
    styles["Normal"].paragraph_format.space_after = Pt(2)
    _fonts(styles["Title"], HEI, 18, bold=True, colour=BLUE)
    styles["Title"].paragraph_format.space_after = Pt(2)
    # The default Title style draws a rule under itself; a report title does not need it.
    pbdr = styles["Title"].element.pPr.find(qn("w:pBdr")) if styles["Title"].element.pPr is not None else None
    if pbdr is not None:
        pbdr.getparent().remove(pbdr)
    _fonts(styles["Subtitle"], SONG, 9.5, colour=GREY)
    styles["Subtitle"].font.italic = False
    styles["Subtitle"].paragraph_format.space_after = Pt(6)
    _fonts(styles["Heading 1"], HEI, 12, bold=True, colour=BLUE)
    styles["Heading 1"].paragraph_format.space_before = Pt(8)
    styles["Heading 1"].paragraph_format.space_after = Pt(3)
    _fonts(styles["List Bullet"], SONG, 10.5)
    _fonts(styles["Table Grid"], SONG, 10)

    footer = sec.footer.paragraphs[0]
    # The issuer comes from the workspace's documents.yaml (company_full, department): the
    # same template serves every pack, so it names no company of its own.
    footer.text = "{{ issuer }}　　第 "
    _page_field(footer)
    footer.add_run(" 页")
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in footer.runs:
        run.font.size = Pt(8)
    _body(doc)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    _fix_zip(out)
    return out


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "templates"
    print(build(folder / "weekly_summary.docx"))
