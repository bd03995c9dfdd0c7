"""Build the Word templates in ``templates/`` (run after changing this file; output is committed).

    python scripts/make_templates.py [OUTPUT_DIR]

Each template is an ordinary .docx with docxtpl/Jinja tags, laid out as a Chinese
company document: company name, number line with a red rule, title, addressee, body,
amounts table, signature and date. Staff may open and restyle the templates in Word;
the tags are the only contract with the code.

Tags used by every template (see toolkit/documents/render.py for the full context):
``doc.company``, ``doc.number``, ``doc.title``, ``doc.recipient``, ``doc.department``,
``doc.issue_date``, ``doc.manager_title``, ``doc.phone``; the finding's values under
their own names (``业主``, ``amount`` …) and ``record`` (the record key).
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent

SONG = "SimSun"  # 宋体: body text
HEI = "SimHei"  # 黑体: titles and table headers
LATIN = "Times New Roman"
RED = RGBColor(0xC0, 0x00, 0x00)
BODY_PT = 12  # 小四
TABLE_PT = 10.5  # 五号
TEXT_WIDTH_CM = 15.6  # A4 minus 2.8 cm left and 2.6 cm right margins

# Font table entries so Word on a Chinese system finds 宋体/黑体 by either name, and other
# systems know these are GB2312 fonts (LibreOffice then falls back to a CJK font such as
# Noto Serif CJK SC, helped by the zh-CN language tag on every run).
FONTS = {
    SONG: ("宋体", "02010600030101010101", "00"),
    HEI: ("黑体", "02010609060101010101", "01"),
}


# 消防审批 as the finding says it (不涉及 where none is needed); a finding stored before it
# said so has only the register's cell.
FIRE_APPROVAL = "{{ fire_approval if fire_approval is defined else (消防审批 or '否') }}"


# --- low-level helpers --------------------------------------------------------------


def set_run_fonts(rpr, east: str = SONG, size: float | None = None, bold: bool = False) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)
    fonts.set(qn("w:eastAsia"), east)
    fonts.set(qn("w:cs"), LATIN)
    fonts.set(qn("w:hint"), "eastAsia")
    if bold:
        rpr.append(OxmlElement("w:b"))
    if size:
        for tag in ("w:sz", "w:szCs"):
            el = OxmlElement(tag)
            el.set(qn("w:val"), str(int(size * 2)))
            rpr.append(el)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)


def run(
    p,
    text: str,
    east: str = SONG,
    size: float | None = None,
    bold: bool = False,
    color: RGBColor | None = None,
    underline: bool = False,
):
    r = p.add_run(text)
    set_run_fonts(r._r.get_or_add_rPr(), east)
    r.bold = bold or None
    if size:
        r.font.size = Pt(size)
    if color is not None:
        r.font.color.rgb = color
    if underline:
        r.underline = True
    return r


def para(
    container,
    *parts,
    align=None,
    indent: bool = False,
    size: float | None = None,
    bold: bool = False,
    east: str = SONG,
    before: float = 0,
    after: float = 0,
    line: float | None = None,
    keep_next: bool = False,
    color=None,
):
    """A paragraph of one or more runs; ``indent`` gives the two-character first-line indent."""
    p = container.add_paragraph()
    fmt = p.paragraph_format
    if align is not None:
        p.alignment = align
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if line is not None:
        fmt.line_spacing = line
    if keep_next:
        fmt.keep_with_next = True
    if indent:
        ind = OxmlElement("w:ind")
        ind.set(qn("w:firstLineChars"), "200")
        ind.set(qn("w:firstLine"), str(int(size or BODY_PT) * 40))
        p._p.get_or_add_pPr().append(ind)
    for part in parts:
        if isinstance(part, tuple):  # (text, {"bold": True, ...})
            run(p, part[0], **{"east": east, "size": size, **part[1]})
        else:
            run(p, part, east=east, size=size, bold=bold, color=color)
    return p


def bottom_rule(p, color: str = "C00000", size: int = 12) -> None:
    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("val", "single"), ("sz", str(size)), ("space", "4"), ("color", color)):
        bottom.set(qn(f"w:{k}"), v)
    bdr.append(bottom)
    ppr.append(bdr)


def new_document(core_title: str):
    doc = Document()
    doc.core_properties.title = core_title
    doc.core_properties.author = ""
    doc.core_properties.comments = ""
    doc.core_properties.language = "zh-CN"
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(2.5), Cm(2.2)
    sec.left_margin, sec.right_margin = Cm(2.8), Cm(2.6)
    sec.footer_distance = Cm(1.2)

    # Defaults: 宋体 小四, Chinese language, no space after paragraphs.
    styles = doc.styles.element
    rpr_default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for child in list(rpr_default):
        rpr_default.remove(child)
    set_run_fonts(rpr_default, SONG, BODY_PT)
    ppr_default = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr_default.find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "312")  # 1.3 lines
    normal = doc.styles["Normal"]
    normal.font.name = LATIN
    set_run_fonts(normal.element.get_or_add_rPr(), SONG, BODY_PT)
    grid = doc.styles["Table Grid"]
    set_run_fonts(grid.element.get_or_add_rPr(), SONG, TABLE_PT)

    _add_font_table(doc)
    _add_page_footer(doc)
    return doc


def _add_font_table(doc) -> None:
    """Declare 宋体/黑体 with their Chinese names and charset in word/fontTable.xml."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    try:
        part = doc.part.part_related_by(RT.FONT_TABLE)
    except KeyError:
        return
    from lxml import etree

    root = etree.fromstring(part.blob)
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    for name, (alt, panose, family_pitch) in FONTS.items():
        font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
        etree.SubElement(font, f"{{{w}}}altName", {f"{{{w}}}val": alt})
        etree.SubElement(font, f"{{{w}}}panose1", {f"{{{w}}}val": panose})
        etree.SubElement(font, f"{{{w}}}charset", {f"{{{w}}}val": "86"})
        etree.SubElement(
            font, f"{{{w}}}family", {f"{{{w}}}val": "modern" if family_pitch == "01" else "roman"}
        )
        etree.SubElement(font, f"{{{w}}}pitch", {f"{{{w}}}val": "variable"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _field(p, instr: str) -> None:
    for kind, text in (
        ("begin", None),
        ("instr", instr),
        ("separate", None),
        ("text", "1"),
        ("end", None),
    ):
        r = p.add_run()
        set_run_fonts(r._r.get_or_add_rPr(), SONG, 9)
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {text} "
            r._r.append(el)
        elif kind == "text":
            r._r.append(_t(text))
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            r._r.append(el)


def _t(text: str):
    el = OxmlElement("w:t")
    el.set(qn("xml:space"), "preserve")
    el.text = text
    return el


def _add_page_footer(doc) -> None:
    p = doc.sections[0].footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run(p, "第 ", size=9)
    _field(p, "PAGE")
    run(p, " 页  共 ", size=9)
    _field(p, "NUMPAGES")
    run(p, " 页", size=9)


# --- building blocks of a company document ------------------------------------------


def letterhead(doc, title: str = "{{ doc.title }}", company: str = "{{ doc.company_full }}") -> None:
    """Company name in red, the number line over a red rule, then the title."""
    para(
        doc,
        company,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        size=22,
        bold=True,
        color=RED,
        before=6,
        after=6,
    )
    p = para(doc, "{{ doc.number }}", align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT, after=10)
    bottom_rule(p)
    para(
        doc,
        title,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        size=18,
        bold=True,
        east=HEI,
        before=8,
        after=14,
    )
    replacement_note(doc)


def replacement_note(doc, size: float | None = None) -> None:
    """Said only when this document replaces one already signed: that one is void."""
    para(doc, "{%p if replaces %}")
    para(
        doc,
        "本文书替代{{ replaces.date }}经{{ replaces.by }}签发的{{ replaces.number }}，原文书作废。",
        align=WD_ALIGN_PARAGRAPH.CENTER,
        size=size or TABLE_PT,
        bold=True,
        color=RED,
        after=8,
    )
    para(doc, "{%p endif %}")


def addressee(doc, text: str = "{{ doc.recipient }}：") -> None:
    para(doc, text, after=4)


def body(doc, *parts, **kw) -> None:
    para(doc, *parts, indent=True, line=1.4, **kw)


def heading(doc, text: str) -> None:
    para(doc, text, east=HEI, bold=True, before=6, after=2, line=1.5, keep_next=True, indent=True)


# The center's number (documents.yaml phone) where a customer is asked to call: nothing when unset.
PHONE = "{% if doc.phone %}（联系电话：{{ doc.phone }}）{% endif %}"
PHONE_LINE = "{% if doc.phone %}联系电话：{{ doc.phone }}。{% endif %}"


def signature(doc, by: str = "{{ doc.company_full }}{{ doc.department }}", keep: bool = False) -> None:
    # keep: the gap goes with the signature, so a paragraph kept with it (keep_next) takes
    # signature and date along to the next page instead of leaving them alone there.
    para(doc, "", before=6, keep_next=keep)
    para(doc, by, align=WD_ALIGN_PARAGRAPH.RIGHT, line=1.5, keep_next=True)
    para(doc, "{{ doc.issue_date }}", align=WD_ALIGN_PARAGRAPH.RIGHT, line=1.5)


def _cell_props(cell, width_cm: float, shade: str | None = None, valign: str = "center") -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    tcw = tcpr.find(qn("w:tcW"))
    if tcw is None:
        tcw = OxmlElement("w:tcW")
        tcpr.append(tcw)
    tcw.set(qn("w:w"), str(int(width_cm * 567)))
    tcw.set(qn("w:type"), "dxa")
    if shade:
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), shade)
        tcpr.append(shd)
    va = OxmlElement("w:vAlign")
    va.set(qn("w:val"), valign)
    tcpr.append(va)


def _row_props(row, header: bool = False) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))  # a row never breaks across pages
    if header:
        trpr.append(OxmlElement("w:tblHeader"))  # repeated at the top of every page


def _fill(
    cell, text: str, align=WD_ALIGN_PARAGRAPH.CENTER, bold: bool = False, east: str = SONG
) -> None:
    p = cell.paragraphs[0]
    p.alignment = align
    p.paragraph_format.line_spacing = 1.15
    p.paragraph_format.space_before = Pt(2)
    p.paragraph_format.space_after = Pt(2)
    if text:
        run(p, text, east=east, size=TABLE_PT, bold=bold)


def _fixed_table(doc, cols: int, widths: list[float]):
    table = doc.add_table(rows=0, cols=cols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tblpr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)
    for col, w in zip(table.columns, widths, strict=True):
        col.width = Cm(w)
    grid = table._tbl.tblGrid
    for gc, w in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        gc.set(qn("w:w"), str(int(w * 567)))
    return table


L, C, R = WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT


def _merge_marked(row, texts: list[str]) -> None:
    """Merge every cell marked "<" into the cell on its left."""
    i = 0
    n = len(row.cells)
    while i < n:
        j = i + 1
        while j < n and j < len(texts) and texts[j] == "<":
            j += 1
        if j - 1 > i:
            merged = row.cells[i].merge(row.cells[j - 1])
            # merge() concatenates the cells' paragraphs; keep the first
            for extra in merged.paragraphs[1:]:
                extra._p.getparent().remove(extra._p)
        i = j


def _expand(texts: list[str], n: int) -> list[str]:
    """'>text' in a cell: that cell spans to the end of the row."""
    out: list[str] = []
    for t in texts:
        if t.startswith(">"):
            out.append(t[1:])
            out.extend(["<"] * (n - len(out)))
            break
        out.append(t)
    return out + [""] * (n - len(out))


def list_table(
    doc,
    columns: list[tuple[str, float, object]],
    loop: str | list[str] | None,
    cells: list[str],
    before_rows: list[list[str]] | None = None,
    after_rows: list[list[str]] | None = None,
    total_rows: int = 0,
):
    """A table with a repeated header row and one row per item of ``loop``.

    ``columns``: (header, width cm, alignment); a header may hold a line break.
    ``cells``: the tags of the data row. ``before_rows``/``after_rows``: fixed rows (the
    deposit, a total); the last ``total_rows`` of them are bold. A cell "<" merges into
    its left neighbour; '>text' spans to the row's end.
    """
    widths = [w for _, w, _ in columns]
    n = len(columns)
    table = _fixed_table(doc, n, widths)

    def add(texts: list[str], header: bool = False, bold: bool = False) -> None:
        texts = _expand(texts, n)
        row = table.add_row()
        _row_props(row, header)
        for i, (cell, (_, w, align)) in enumerate(zip(row.cells, columns, strict=True)):
            _cell_props(cell, w, "E7E6E6" if header else None)
            text = "" if texts[i] == "<" else texts[i]
            _fill(
                cell,
                text,
                C if header else align,
                bold=bold or header,
                east=HEI if header else SONG,
            )
        _merge_marked(row, texts)

    add([h for h, _, _ in columns], header=True)
    for r in before_rows or []:
        add(r)
    loops = [loop] if isinstance(loop, str) else list(loop or [])
    for each in loops:  # nested loops: one tag row each
        add([f"{{%tr for {each} %}}"])
    add(cells)
    for _ in loops:
        add(["{%tr endfor %}"])
    after = after_rows or []
    for k, r in enumerate(after):
        add(r, bold=k >= len(after) - total_rows)
    return table


def kv_table(doc, rows: list[list[str]], widths: list[float], height_cm: float | None = None):
    """Label/value pairs, labels shaded; '>text' spans to the row's end, "<" merges left."""
    n = len(widths)
    table = _fixed_table(doc, n, widths)
    for raw in rows:
        texts = _expand(raw, n)
        row = table.add_row()
        _row_props(row)
        if height_cm:
            row.height = Cm(height_cm)
        for i, cell in enumerate(row.cells):
            text = "" if texts[i] == "<" else texts[i]
            is_label = i % 2 == 0 and texts[i] != "<"  # values that span start at odd cells
            _cell_props(cell, widths[i], "F2F2F2" if is_label else None)
            _fill(cell, text, C if is_label else L, east=HEI if is_label else SONG)
        _merge_marked(row, texts)
    return table


def sign_lines(doc, labels: list[str], widths: list[float] | None = None) -> None:
    """Borderless blanks to sign on: 'label ________  日期：____年__月__日' per row."""
    widths = widths or [3.0, 4.6, 1.6, 4.4, 2.0]
    table = _fixed_table(doc, 5, widths)
    _no_borders(table)
    for label in labels:
        row = table.add_row()
        row.height = Cm(1.0)
        for i, (cell, text) in enumerate(
            zip(row.cells, [label, "", "日期：", "　　年　　月　　日", ""], strict=True)
        ):
            _cell_props(cell, widths[i], valign="bottom")
            _fill(cell, text, R if i in (0, 2) else L)
        _underline_cell(row.cells[1])


def party_signatures(doc, labels: list[str]) -> None:
    """One column per party: who signs (or seals), room to sign, and a date line."""
    width = TEXT_WIDTH_CM / len(labels)
    table = _fixed_table(doc, len(labels), [width] * len(labels))
    _no_borders(table)
    row = table.add_row()
    _row_props(row)
    for cell, who in zip(row.cells, labels, strict=True):
        _cell_props(cell, width, valign="top")
        _fill(cell, who, L)
        cell.add_paragraph()
        p = cell.add_paragraph()
        p.paragraph_format.space_before = Pt(12)
        run(p, "日期：　　年　　月　　日", size=TABLE_PT)


def _underline_cell(cell) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    bottom = OxmlElement("w:bottom")
    for k, v in (("val", "single"), ("sz", "6"), ("space", "0"), ("color", "000000")):
        bottom.set(qn(f"w:{k}"), v)
    borders.append(bottom)
    tcpr.append(borders)


def spacer(doc, pt: float = 6) -> None:
    para(doc, "", after=pt)


# --- the templates ------------------------------------------------------------------


def complaint_escalation():
    doc = new_document("投诉升级报告")
    letterhead(doc)
    addressee(doc)
    # A complaint without 事件 is named by its own number, complainant and content.
    body(
        doc,
        "现将{% if event %}“{{ event }}”相关投诉{% else %}{% for c in complaints[:1] %}投诉 {{ c.编号 }}"
        "（{{ c.投诉人 }}：{{ c.投诉内容 }}）{% endfor %}{% endif %}按{{ level }}投诉呈报，"
        "{% if solved is defined and solved %}请予审阅{% else %}请予督办{% endif %}。情况如下：",
    )
    heading(doc, "一、升级原因")
    para(doc, "{%p for r in reasons %}")
    body(doc, "{{ loop.index }}. {{ r }}")
    para(doc, "{%p endfor %}")
    heading(doc, "二、已超时事项")
    para(doc, "{%p for line in complaints|overdue %}")
    body(doc, "{{ loop.index }}. {{ line }}")
    para(doc, "{%p else %}")
    body(doc, "截至本报告发出时，各项处理时限均未超时。")
    para(doc, "{%p endfor %}")
    heading(doc, "三、投诉明细")
    list_table(
        doc,
        [
            ("编号", 2.5, C),
            ("受理时间", 3.4, C),
            ("投诉人", 1.8, C),
            ("房号", 2.0, C),
            ("投诉内容", 3.9, L),
            ("被投诉\n部门", 2.0, C),
        ],
        "c in complaints",
        [
            "{{ c.编号 }}",
            "{{ c.受理时间|cn_date }}\n{{ c.受理时间|hm }}",
            "{{ c.投诉人 }}",
            "{{ c.房号 }}",
            "{{ c.投诉内容 }}",
            "{{ c.被投诉部门 }}",
        ],
    )
    heading(doc, "四、处理时限")
    list_table(
        doc,
        [("投诉编号", 2.9, C), ("时限", 2.1, C), ("截止时间", 4.4, C), ("状态", 6.2, L)],
        ["c in complaints", "d in c.deadlines"],
        [
            "{{ c.编号 }}",
            "{{ d.name }}",
            "{{ d.due|cn_datetime }}",
            "{{ d.status|status_word }}{% if d.status in ('overdue', 'late') %}{{ d.overdue_minutes|duration }}{% endif %}",
        ],
    )
    # Solved before it was signed: the report says so instead of asking to hurry (the
    # manager is still told, as every 重要/重大 complaint must be reported).
    body(
        doc,
        "请{{ doc.manager_title }}{% if solved is defined and solved %}审阅处理结果：以上投诉均已解决"
        "{% if solved_at %}（最后一件于{{ solved_at|cn_datetime }}解决）{% endif %}，"
        "{{ doc.department }}负责按时回复和回访客户。{% else %}"
        "协调责任部门尽快处理，并将处理意见反馈{{ doc.department }}，以便按时回复和回访客户。{% endif %}",
        before=8,
        keep_next=True,  # the request and the signature on one page: never a page of signature alone
    )
    signature(doc, keep=True)
    return doc


def rectification_notice():
    doc = new_document("违章整改通知书")
    letterhead(doc)
    addressee(doc)
    body(doc, "我中心在装修巡查中发现，{{ 房号 }}的装修施工存在违反装修管理规定的行为，具体如下：")
    spacer(doc, 4)
    kv_table(
        doc,
        [
            ["房号", "{{ 房号 }}", "发现日期", "{{ 日期 }}"],
            ["违章内容", ">{{ 违章内容 }}"],
            [
                "违约金",
                ">{% if 违约金 %}{{ 违约金|money }}元（{{ 违约金|rmb }}）{% else %}无{% endif %}",
            ],
            ["整改期限", ">{{ 整改期限 }}前整改完毕"],
        ],
        [2.6, 5.2, 2.6, 5.2],
    )
    spacer(doc, 4)
    body(
        doc,
        "请立即停止上述违章行为，并于{{ 整改期限 }}前整改完毕，整改完成后通知我中心复查。"
        "逾期未整改的，我中心将按《装修管理服务协议》的约定处理，由此造成的损失由责任方承担。",
    )
    para(doc, "{%p if 违约金 %}")
    body(doc, "依照协议约定，上述违约金将在退还装修押金时予以扣除。")
    para(doc, "{%p endif %}")
    body(doc, "如有疑问，请与{{ doc.department }}联系" + PHONE + "。")
    signature(doc)
    spacer(doc, 6)
    sign_lines(doc, ["业主签收：", "装修单位签收："])
    return doc


def deposit_refund():
    doc = new_document("装修押金退还通知")
    letterhead(doc)
    addressee(doc)
    body(
        doc,
        "您的{{ 房号 }}装修工程已于{{ 竣工验收日期 }}通过竣工验收，至{{ refund_due }}已满三个月，"
        "可以办理装修押金退还手续。押金结算如下：",
    )
    spacer(doc, 4)
    list_table(
        doc,
        [("项目", 2.6, C), ("日期", 3.2, C), ("说明", 6.6, L), ("金额（元）", 3.2, R)],
        "p in penalties",
        ["扣违约金", "{{ p.日期 }}", "{{ p.编号 }}　{{ p.违章内容 }}", "-{{ p.违约金|money }}"],
        before_rows=[["装修押金", "", "装修时缴纳的押金", "{{ deposit|money }}"]],
        after_rows=[
            [
                "扣水电费",
                "",
                "装修期间应付水电费",
                "{% if utilities %}-{{ utilities|money }}{% else %}0.00{% endif %}",
            ],
            # Only when there is damage: the notice stays one page otherwise.
            ["{%tr if damage is defined and damage %}"],
            ["扣损坏赔偿", "", "损坏公共设施或相邻业主财物，按价赔偿", "-{{ damage|money }}"],
            ["{%tr endif %}"],
            [
                "{% if owed %}尚欠金额{% else %}应退金额{% endif %}",
                "{% if owed %}{{ refund|abs|rmb }}{% else %}{{ refund|rmb }}{% endif %}",
                "<",
                "{{ refund|abs|money }}",
            ],
        ],
        total_rows=1,
    )
    spacer(doc, 4)
    para(doc, "{%p if owed %}")
    body(
        doc,
        "押金不足以抵扣上述款项，您尚需补缴",
        ("{{ refund|abs|money }}元（{{ refund|abs|rmb }}）", {"bold": True}),
        "，请在办理手续时一并结清。",
    )
    para(doc, "{%p else %}")
    body(
        doc,
        "扣除上述款项后，应退还您押金",
        ("{{ refund|money }}元（{{ refund|rmb }}）", {"bold": True}),
        "。",
    )
    para(doc, "{%p endif %}")
    body(
        doc,
        "请业主携本通知、押金收据及身份证件，会同装修单位负责人到客户服务中心办理。"
        "退还时由业主、装修单位和项目负责人三方签字确认；由装修单位办理的，须经业主书面同意。" + PHONE_LINE,
    )
    signature(doc)
    spacer(doc, 6)
    para(doc, "三方确认签字：", after=4, keep_next=True)
    party_signatures(doc, ["业主：", "装修单位：", "项目负责人："])
    return doc


ARREARS_COLUMNS = [
    ("房号", 2.3, C),
    ("建筑面积\n（㎡）", 2.2, R),
    ("单价\n（元/㎡·月）", 2.5, R),
    ("已缴至", 3.4, C),
    ("欠费月数", 2.0, C),
    ("欠费金额\n（元）", 3.2, R),
]


def payment_reminder():
    # The owner's reminders: the first, then the second. The last tier is the manager's
    # 欠费情况报告 (arrears_report), a document of its own.
    doc = new_document("催缴通知书")
    letterhead(doc)
    addressee(doc)
    para(doc, "{%p if reminder_tier == 1 %}")
    body(
        doc,
        "您好！经核对，{{ record }}的物业服务费已缴至{{ 已缴至 }}，截至{{ doc.issue_date }}已逾期"
        "{{ days_overdue }}天，欠缴{{ months_owed }}个月，金额共计",
        ("{{ amount|money }}元（{{ amount|rmb }}）", {"bold": True}),
        "。请您在方便时到客户服务中心缴纳。如您已缴纳，请忽略本通知，并感谢您的支持。",
    )
    para(doc, "{%p else %}")
    # "Reminded before" only when an earlier reminder was signed and sent (earlier_text).
    body(
        doc,
        "{% if earlier_text %}我中心已于{{ earlier_text }}书面提醒您缴纳物业服务费。截至{{ doc.issue_date }}，"
        "{{ record }}的物业服务费仍只缴至{{ 已缴至 }}{% else %}您好！经核对，截至{{ doc.issue_date }}，"
        "{{ record }}的物业服务费只缴至{{ 已缴至 }}{% endif %}，已逾期{{ days_overdue }}天，"
        "欠缴{{ months_owed }}个月，金额共计",
        ("{{ amount|money }}元（{{ amount|rmb }}）", {"bold": True}),
        "。",
    )
    body(
        doc,
        "物业服务费用于小区日常保洁、安保和设施维护。请您尽快到客户服务中心缴清；"
        "如有困难或异议，请与我们联系协商。",  # the number follows on the 缴费地点 line
    )
    para(doc, "{%p endif %}")
    spacer(doc, 4)
    _arrears_table(doc)
    body(doc, "缴费地点：客户服务中心收银处。" + PHONE_LINE, before=6)
    signature(doc)
    return doc


def arrears_report():
    # To the manager at the last tier; names the owner's reminders actually signed and sent
    # (documents.yaml earlier_type: payment_reminder) without replacing any of them.
    doc = new_document("欠费情况报告")
    letterhead(doc)
    addressee(doc)
    body(
        doc,
        "{{ record }}（业主：{{ 业主 }}）的物业服务费已缴至{{ 已缴至 }}，截至{{ doc.issue_date }}已逾期"
        "{{ days_overdue }}天，{% if earlier_count >= 2 %}经{{ earlier_count_zh }}次书面催缴（{{ earlier_text }}）"
        "仍未缴纳{% elif earlier_count == 1 %}经书面催缴（{{ earlier_text }}）仍未缴纳"
        "{% else %}仍未缴纳（此前尚未发出书面催缴通知）{% endif %}，欠费金额",
        ("{{ amount|money }}元（{{ amount|rmb }}）", {"bold": True}),
        "。",
    )
    body(
        doc,
        "建议由{{ doc.manager_title }}约见业主，了解欠费原因并协商缴费安排；协商无果的，"
        "按物业服务合同约定依法追缴。请批示。",
    )
    spacer(doc, 4)
    _arrears_table(doc)
    signature(doc)
    return doc


def _arrears_table(doc) -> None:
    list_table(
        doc,
        ARREARS_COLUMNS,
        None,
        [
            "{{ record }}",
            "{{ 建筑面积 }}",
            "{{ 单价 }}",
            "{{ 已缴至 }}",
            "{{ months_owed }}",
            "{{ amount|money }}",
        ],
    )


def parking_expiry():
    doc = new_document("停车月卡到期提醒")
    letterhead(doc)
    addressee(doc)
    body(
        doc,
        "您好！您办理的停车月卡（卡号{{ 卡号 }}，车牌{{ 车牌号 }}）将于{{ 到期日期 }}到期"
        "{% if days_left > 0 %}，距今还有{{ days_left }}天{% else %}，即今日到期{% endif %}。"
        "为免影响车辆正常进出，请在到期前到客户服务中心办理续费。" + PHONE_LINE,
    )
    spacer(doc, 4)
    kv_table(
        doc,
        [
            ["卡号", "{{ 卡号 }}", "车牌号", "{{ 车牌号 }}"],
            ["车主", "{{ 车主 }}", "房号", "{{ 房号 }}"],
            ["到期日期", "{{ 到期日期 }}", "月租标准", "{{ monthly_fee|money }}元/月"],
        ],
        [2.6, 5.2, 2.6, 5.2],
    )
    spacer(doc, 4)
    body(doc, "如不再续租，请于到期后凭IC卡到管理处办理退卡手续，IC卡押金将同时退还。")
    signature(doc)
    return doc


def service_statement():
    doc = new_document("特约服务月结单")
    letterhead(doc)
    addressee(doc)
    body(
        doc,
        "以下是{{ 房号 }}在{{ month|cn_month }}接受的特约服务明细，费用将与物业服务费一并结算：",
    )
    spacer(doc, 4)
    list_table(
        doc,
        [
            ("序号", 1.3, C),
            ("单号", 2.7, C),  # TY-1203-01 on one line
            ("完成日期", 3.6, C),  # 2026年11月26日 on one line
            ("服务项目", 2.6, L),
            ("数量", 1.3, C),
            ("单价\n（元）", 1.8, R),
            ("金额\n（元）", 2.3, R),
        ],
        "s in services",
        [
            "{{ loop.index }}",
            "{{ s.单号 }}",
            "{{ s.日期|cn_date }}",
            "{{ s.服务项目 }}",
            "{{ s.数量 }}",
            "{{ s.单价|money }}",
            "{{ s.金额|money }}",
        ],
        after_rows=[["合计", "{{ total|rmb }}", "<", "<", "<", "<", "{{ total|money }}"]],
        total_rows=1,
    )
    spacer(doc, 4)
    body(
        doc, "本月特约服务费合计", ("{{ total|money }}元（{{ total|rmb }}）", {"bold": True}), "。"
    )
    body(doc, "打字复印类服务已现场收费，不列入本单。如对明细有疑问，请与您的专属客户经理联系" + PHONE + "。")
    signature(doc)
    return doc


def _slip_part(doc, part_name: str, note: str) -> None:
    para(doc, "{{ doc.company_full }}", align=C, size=14, bold=True, color=RED, after=2)
    para(doc, f"物品放行条（{part_name}）", align=C, size=16, bold=True, east=HEI, after=2)
    para(doc, "编号：{{ doc.number }}", align=R, size=TABLE_PT, after=4)
    replacement_note(doc, size=9)
    kv_table(
        doc,
        [
            ["房号", "{{ 房号 }}", "日期", "{{ 日期 }}"],
            # A carrier the ledger does not name as owner: role_text/confirmation_text (the
            # move_out rule) say so and who confirmed by phone, never 身份 业主.
            ["携带人", "{{ 携带人 }}", "身份",
             "{% if role_text is defined and role_text %}{{ role_text }}{% else %}{{ 身份 }}{% endif %}"],
            ["放行物品", ">{{ 物品 }}"],
            [
                "出门性质",
                "{% if 出门性质 is defined and 出门性质 %}{{ 出门性质 }}{% else %}临时携带{% endif %}",
                "缴费情况",
                "{% if 出门性质 is defined and 出门性质 == '搬家迁出' %}已结清（含水电气）{% else %}临时携带，不查欠费{% endif %}",
            ],
            [
                "业主核实",
                "{% if confirmation_text is defined and confirmation_text %}{{ confirmation_text }}"
                "{% else %}{{ 业主核实 or '—' }}{% endif %}",
                "核实时间",
                "{% if 核实时间 is defined and 核实时间 %}{{ 核实时间 }}{% else %}—{% endif %}",
            ],
            ["经办人签字", "", "业主签字", ""],
            ["携带人签字", "", "门岗查验", ""],
        ],
        [2.6, 5.2, 2.6, 5.2],
        height_cm=0.85,
    )
    para(doc, note, size=9, before=4)


def release_slip():
    doc = new_document("物品放行条")
    _slip_part(doc, "存档联", "存档联由客服部档案员存档。各栏填写完整，空白处请划线。")
    para(doc, "", after=28)
    para(
        doc,
        "- - - - - - - - - - - - - - - - - - - - - 沿此线剪开 - - - - - - - - - - - - - - - - - - - - -",
        align=C,
        size=9,
        color=RGBColor(0x80, 0x80, 0x80),
        after=28,
        keep_next=True,
    )
    _slip_part(doc, "出门联", "出门联由携带人出门时交门岗保安查验，保安收存。")
    return doc


def _prepayment(doc, kind: str, room: str, months: str, amount: str, where: str) -> None:
    """The fee table of a prepayment notice (handover, transfer) and its total line."""
    spacer(doc, 4)
    list_table(
        doc,
        [
            ("房号", 2.2, C),
            ("建筑面积\n（㎡）", 2.0, R),
            ("单价\n（元/㎡·月）", 2.4, R),
            (f"{kind}\n月数", 1.4, C),
            ("计费期间", 5.2, C),
            ("金额（元）", 2.4, R),
        ],
        None,
        [
            f"{{{{ {room} }}}}",
            "{{ 建筑面积 }}",
            "{{ 物业费单价 }}",
            f"{{{{ {months} }}}}",
            "{{ period_start|cn_date }}至{{ period_end|cn_date }}",
            f"{{{{ {amount}|money }}}}",
        ],
    )
    spacer(doc, 4)
    body(doc, "应缴金额合计", (f"{{{{ {amount}|money }}}}元（{{{{ {amount}|rmb }}}}）", {"bold": True}), where)


def handover_payment():
    doc = new_document("交房缴费通知")
    letterhead(doc)
    addressee(doc)
    body(
        doc,
        "您好！欢迎您入住。按物业服务合同约定，物业服务费自交房之日起预收{{ 预收月数 }}个月。"
        "您的房屋{{ record }}于{{ period_start }}交付，本次应缴物业服务费如下：",
    )
    _prepayment(doc, "预收", "record", "预收月数", "amount",
                "。请持本通知到客户服务中心收银处缴纳，收银员将为您开具正式收据。")
    signature(doc)
    return doc


def move_in_notice():
    doc = new_document("入住知会单")
    letterhead(doc)
    addressee(doc)
    body(
        doc,
        "{{ 房号 }}的{{ 客户类型 }}{{ 入住人 }}于{{ 入住日期|cn_date }}入住。"
        "请各部门知悉，做好该户的重点服务（楼层环境、设施设备、安全秩序等），"
        "收费员自即日起留意该户的收费时间段。",
    )
    spacer(doc, 4)
    kv_table(
        doc,
        [
            ["房号", "{{ 房号 }}", "入住日期", "{{ 入住日期|cn_date }}"],
            ["入住人", "{{ 入住人 }}", "客户类型", "{{ 客户类型 }}"],
            ["联系电话", "{{ 联系电话 }}", "知会部门", "工程部、保安部、保洁部、收费处"],
            ["特别需求", ">{{ 特别需求 or '无' }}"],
        ],
        [2.6, 5.2, 2.6, 5.2],
    )
    spacer(doc, 4)
    body(doc, "各部门如有需要该户配合的事项，请与客户服务中心联系。")
    sign_lines(doc, ["客户助理：", "各部门签收："])
    signature(doc)
    return doc


def survey_notice():
    doc = new_document("满意度调查结果公告")
    letterhead(doc)
    addressee(doc, "各位业主、住户：")
    body(
        doc,
        "感谢您对本次客户满意度调查（{{ 调查编号 }}）的支持。调查于{{ 开始日期|cn_date }}开始"
        "{% if 结束日期 %}、{{ 结束日期|cn_date }}结束{% endif %}，结果公告如下：",
    )
    spacer(doc, 4)
    kv_table(
        doc,
        [
            ["总户数", "{{ 总户数 }}户", "发放户数", "{{ 发放户数 }}户"],
            ["发放率", "{{ share_text }}", "回收份数", "{{ 回收份数 if 回收份数 is not none else '—' }}份"],
            ["回收率", "{{ returned_text }}", "满意份数", "{{ 满意份数 if 满意份数 is not none else '—' }}份"],
            ["满意率", ">{{ satisfaction_text }}（满意份数 ÷ 回收份数）"],
        ],
        [2.6, 5.2, 2.6, 5.2],
    )
    heading(doc, "整改措施")
    body(doc, "{{ 整改措施 or '对调查中反映的问题，我们将逐项整改，并将整改情况另行公告。' }}")
    body(doc, "欢迎您继续对我们的服务提出意见和建议。", before=6)
    signature(doc)
    return doc


def event_notice():
    doc = new_document("社区文化活动公告")
    letterhead(doc)
    addressee(doc, "各位业主、住户：")
    body(doc, "为丰富社区文化生活，我中心将举办“{{ 活动名称 }}”活动，欢迎您和家人踊跃参加。")
    spacer(doc, 4)
    kv_table(
        doc,
        [
            ["活动名称", ">{{ 活动名称 }}"],
            ["活动日期", "{{ 活动日期|cn_date }}", "活动地点", "{{ 地点 or '另行通知' }}"],
            ["报名方式", ">{{ 报名方式 or '到客户服务中心前台报名' }}"],
        ],
        [2.6, 5.2, 2.6, 5.2],
    )
    body(doc, "活动期间请注意安全，照看好老人和儿童。如有疑问，请与客户服务中心联系" + PHONE + "。", before=6)
    signature(doc)
    return doc


def price_board():
    doc = new_document("特约服务项目及收费标准公示")
    letterhead(doc)
    addressee(doc, "各位业主、住户：")
    body(
        doc,
        "本中心为您提供以下特约服务，收费标准经公司审定（{{ 修订日期|cn_date }}修订），现予公示。"
        "收费标准仅含人工费，所需材料由客户自购或按实际费用另计；打字复印类现场结清，"
        "其余项目随物业费按月结算。",
    )
    spacer(doc, 4)
    list_table(
        doc,
        [("类别", 4.2, C), ("服务项目", 6.0, L), ("单位", 2.2, C), ("收费标准（元）", 3.2, R)],
        ["c in categories", "i in c.lines"],
        ["{{ c.类别 }}", "{{ i.服务项目 }}", "{{ i.单位 }}", "{{ i.单价|money }}"],
    )
    body(doc, "如需服务，请致电或到客户服务中心，由您的专属客户经理受理。" + PHONE_LINE, before=6)
    signature(doc)
    return doc


def renovation_agreement():
    doc = new_document("装修管理服务协议")
    letterhead(doc)
    kv_table(
        doc,
        [
            ["甲方", ">{{ doc.company_full }}（物业服务单位）"],
            ["乙方", "{{ 业主 }}（业主）", "房号", "{{ 房号 }}"],
            ["丙方", ">{{ 装修公司 or '（业主自行装修）' }}（装修施工单位）"],
            ["信用代码", ">{{ 统一社会信用代码 or '—' }}（丙方统一社会信用代码）"],
        ],
        [2.6, 5.2, 2.6, 5.2],
    )
    spacer(doc, 6)
    body(
        doc,
        "乙方{{ 房号 }}（建筑面积{{ 建筑面积 }}平方米）的装修申请已于{{ 审批日期 }}经甲方审批同意。"
        "为规范装修行为，维护全体业主的共同利益和房屋安全，三方协商一致，订立本协议。",
    )
    heading(doc, "第一条　装修费用")
    body(doc, "开工前，乙方或丙方向甲方缴纳以下费用，甲方开具收据：")
    kv_table(
        doc,
        [
            [
                "装修押金",
                "{{ 装修押金|money }}元",
                "清运费",
                "{{ 清运费|money or '—' }}{% if 清运费 %}元{% endif %}",
            ],
            ["出入证", "{{ 出入证数量 }}张", "消防审批", FIRE_APPROVAL],
        ],
        [2.6, 5.2, 2.6, 5.2],
    )
    heading(doc, "第二条　施工管理")
    body(
        doc,
        "丙方施工人员凭甲方核发的出入证进出，不得转借。施工须遵守装修管理规定，"
        "不得拆改承重结构和公共设施；需要动火作业的，须事先办理动火审批。",
    )
    heading(doc, "第三条　消防要求")
    body(
        doc,
        "{% if 消防审批 == '是' %}本工程已取得消防审批，施工中须落实各项防火措施。"
        "{% elif fire_approval is defined and fire_approval == '不涉及' %}本单元建筑面积{{ 建筑面积 }}平方米，无需消防审批，"
        "施工中仍须落实各项防火措施。"
        "{% else %}建筑面积超过200平方米的单元，须取得消防部门审批后方可开工。{% endif %}",
    )
    heading(doc, "第四条　违章处理")
    body(
        doc,
        "轻微违章由甲方口头提出整改；严重违章由甲方发出违章整改通知书，乙方、丙方应在期限内整改，"
        "并按约定承担违约金，违约金在退还装修押金时扣除。",
    )
    heading(doc, "第五条　押金退还")
    body(
        doc,
        "自竣工验收之日起满三个月，未发现损害公共利益或相邻业主利益的情形（如渗漏），"
        "经三方签字确认后，甲方扣除违约金及应付水电费后退还余款。",
    )
    heading(doc, "第六条　其他")
    body(doc, "本协议一式三份，三方各执一份，自三方签字（盖章）之日起生效。")
    spacer(doc, 12)
    party_signatures(doc, ["甲方（盖章）：", "乙方（签字）：", "丙方（盖章）："])
    return doc


def renovation_entry_notice():
    doc = new_document("装修入场知会单")
    letterhead(doc)
    addressee(doc)
    body(
        doc,
        "{{ 房号 }}的装修已经审批{% if 审批日期 %}（{{ 审批日期 }}）{% endif %}，于{{ 开工日期 }}入场施工。"
        "施工期间，客户服务中心、工程部、保安部每日各自到现场巡查不少于一次，并填写装修巡查记录。",
    )
    spacer(doc, 4)
    kv_table(
        doc,
        [
            ["房号", "{{ 房号 }}", "开工日期", "{{ 开工日期 }}"],
            ["业主", "{{ 业主 }}", "联系电话", "{{ 联系电话 or '—' }}"],
            ["装修公司", ">{{ 装修公司 or '（业主自行装修）' }}"],
            ["出入证", "{{ 出入证数量 or 0 }}张", "消防审批", FIRE_APPROVAL],
            ["结构改动", "{{ 结构改动 or '未填' }}", "煤气改动", "{{ 煤气改动 or '未填' }}"],
            ["工程部", ">查是否按报审图纸施工，有无破坏房屋结构"],
            ["保安部", ">查施工单元消防状况、施工人员纪律及其他安全隐患，核对出入证"],
            ["客服中心", ">查公共设施设备保护、施工时间与噪音、施工进度"],
        ],
        [2.6, 5.2, 2.6, 5.2],
    )
    spacer(doc, 4)
    body(
        doc,
        "发现轻微违章当场口头要求整改；严重违章填写装修违章记录，由客户服务中心通知业主和装修公司。"
        "{% if doc.phone %}施工进场证上已注明服务电话{{ doc.phone }}。{% endif %}",
    )
    signature(doc)
    sign_lines(doc, ["工程部签收：", "保安部签收："])
    return doc


def service_order():
    doc = new_document("客户需求处理单（特约服务）")
    letterhead(doc)
    addressee(doc)
    body(
        doc,
        "您好！您的特约服务需求已由专属客户经理受理。服务按下列收费标准收取，"
        "{% if 现场收费 is defined and 现场收费 %}费用现场收取，不列入物业服务费月结单。"
        "{% else %}费用按月结算，与物业服务费一并收取；所需材料由您自行采购提供。{% endif %}",
    )
    spacer(doc, 4)
    kv_table(
        doc,
        [
            ["单号", "{{ record }}", "房号", "{{ 房号 }}"],
            ["客户", "{{ 客户 or '' }}", "受理时间", "{{ 受理时间 }}"],
            ["服务项目", "{{ 服务项目 }}", "类别", "{{ 类别 }}"],
            ["收费标准", "{{ list_price|money }}元/{{ 单位 }}", "数量", "{{ 数量 }}"],
            [
                "预约时间",
                "{{ 预约时间 or ('现场办理' if 现场收费 is defined and 现场收费 else '待约定') }}",
                "客户经理",
                "{{ 受理人 }}",
            ],
        ],
        [2.6, 5.2, 2.6, 5.2],
    )
    heading(doc, "验收")
    kv_table(
        doc,
        [
            ["验收结果", ">□合格　　□返工（返工后再次验收）"],
            ["实施人签字", "", "客户签字", ""],
        ],
        [2.6, 5.2, 2.6, 5.2],
        height_cm=0.9,
    )
    heading(doc, "回访（完成后24小时内）")
    kv_table(
        doc,
        [
            ["回访方式", ">□电话　　□上门"],
            ["回访结果", ">□满意　　□基本满意　　□不满意"],
            ["回访人签字", "", "回访时间", ""],
        ],
        [2.6, 5.2, 2.6, 5.2],
        height_cm=0.9,
    )
    signature(doc)
    return doc


def service_unsatisfied():
    doc = new_document("特约服务客户不满意报告")
    letterhead(doc)
    addressee(doc)
    body(
        doc,
        "{{ 房号 }}{% if 客户 %}{{ 客户 }}{% endif %}对特约服务“{{ 服务项目 }}”（单号{{ record }}）"
        "回访时表示不满意{% if 返工次数 %}，此前已返工{{ 返工次数 }}次{% endif %}。现报请项目经理组织整改，"
        "消除对客户的不良影响。",
    )
    spacer(doc, 4)
    kv_table(
        doc,
        [
            ["单号", "{{ record }}", "房号", "{{ 房号 }}"],
            ["服务项目", "{{ 服务项目 }}", "客户经理", "{{ 受理人 }}"],
            ["完成时间", "{{ 完成时间 or '—' }}", "验收结果", "{{ 验收结果 or '—' }}"],
            ["回访时间", "{{ 回访时间 or '—' }}", "回访结果", "{{ 回访结果 }}"],
            [
                "返工次数",
                "{{ 返工次数 }}次",
                "损坏赔偿",
                "{% if 损坏赔偿 %}{{ 损坏赔偿|money }}元{% else %}无{% endif %}",
            ],
        ],
        [2.6, 5.2, 2.6, 5.2],
    )
    spacer(doc, 4)
    body(
        doc,
        "{% if 损坏赔偿 %}服务中损坏客户财产，赔偿事宜由项目经理与客户协商。{% endif %}"
        "整改结果请在特约服务登记表中登记，并由专属客户经理再次回访。",
    )
    heading(doc, "项目经理处理意见")
    kv_table(doc, [[">"], [">"]], [TEXT_WIDTH_CM], height_cm=1.2)
    signature(doc)
    sign_lines(doc, ["项目经理签字："])
    return doc


def transfer_payment():
    doc = new_document("房屋转让缴费通知")
    letterhead(doc)
    addressee(doc)
    body(
        doc,
        "您好！{{ 房号 }}已于{{ period_start }}由原业主{{ 原业主 }}转让给您。按规定，新业主须预缴至少半年物业服务费，"
        "本次应缴如下：",
    )
    _prepayment(doc, "预缴", "房号", "months", "expected",
                "。请持本通知到客户服务中心收银处缴纳，并填写业主档案表、区域治安消防责任书。")
    signature(doc)
    return doc


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.append(borders)


TEMPLATES = {
    "complaint_escalation": complaint_escalation,
    "rectification_notice": rectification_notice,
    "deposit_refund": deposit_refund,
    "payment_reminder": payment_reminder,
    "arrears_report": arrears_report,
    "parking_expiry": parking_expiry,
    "service_statement": service_statement,
    "release_slip": release_slip,
    "handover_payment": handover_payment,
    "renovation_agreement": renovation_agreement,
    "renovation_entry_notice": renovation_entry_notice,
    "move_in_notice": move_in_notice,
    "survey_notice": survey_notice,
    "event_notice": event_notice,
    "price_board": price_board,
    "service_order": service_order,
    "service_unsatisfied": service_unsatisfied,
    "transfer_payment": transfer_payment,
}


def _fix_zip_dates(path: Path) -> None:
    """Fixed timestamps inside the zip, so rebuilding unchanged templates changes no bytes."""
    import re
    import zipfile

    data = {}
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            data[info.filename] = z.read(info.filename)
    # python-docx's default package carries a thumbnail of some other document: drop it
    data.pop("docProps/thumbnail.jpeg", None)
    data["_rels/.rels"] = re.sub(rb"<Relationship [^>]*thumbnail[^>]*/>", b"", data["_rels/.rels"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in data.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, blob)


def main(out_dir: Path | None = None) -> list[Path]:
    out_dir = out_dir or ROOT / "templates"
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in TEMPLATES.items():
        doc = build()
        path = out_dir / f"{name}.docx"
        doc.save(path)
        _fix_zip_dates(path)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in main(Path(sys.argv[1]) if len(sys.argv) > 1 else None):
        print(p.relative_to(ROOT) if p.is_relative_to(ROOT) else p)
