"""Build ``templates/weekly_summary.docx``, the page the Word report summaries are written on.

    python scripts/make_report_templates.py [OUTPUT_DIR]

The template holds only the look: A4 portrait with narrow margins, 黑体 headings, 宋体
body, a compact table style, and a footer naming the company and the page. The report
code empties its body and writes the figures, so staff may restyle it in Word freely
(keep the style names: Title, Subtitle, Heading 1, List Bullet, Table Grid).
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent
SONG, HEI, LATIN = "SimSun", "SimHei", "Arial"
BLUE = RGBColor(0x1F, 0x4E, 0x78)


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


def build(out: Path, company: str = "某某物业服务有限公司 客户服务中心") -> Path:
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
    _fonts(styles["Subtitle"], SONG, 9.5, colour=RGBColor(0x59, 0x59, 0x59))
    styles["Subtitle"].font.italic = False
    styles["Subtitle"].paragraph_format.space_after = Pt(6)
    _fonts(styles["Heading 1"], HEI, 12, bold=True, colour=BLUE)
    styles["Heading 1"].paragraph_format.space_before = Pt(8)
    styles["Heading 1"].paragraph_format.space_after = Pt(3)
    _fonts(styles["List Bullet"], SONG, 10.5)
    _fonts(styles["Table Grid"], SONG, 10)

    footer = sec.footer.paragraphs[0]
    footer.text = f"{company}　　第 "
    _page_field(footer)
    footer.add_run(" 页")
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in footer.runs:
        run.font.size = Pt(8)
    doc.add_paragraph("（报表内容由程序生成：本页只决定版式。）")
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "templates"
    print(build(folder / "weekly_summary.docx"))
