"""Report tables as a workbook staff can use as it is.

Each table is a sheet: a title line, a note line, a frozen header row with filters,
fitted widths, number and date formats, conditional colours (overdue in red), a bold
total row, landscape printing one page wide, and native charts beside their data.
Text goes in as text: a value starting with =, +, - or @ never becomes a formula.

Written in openpyxl's write-only mode; each column's style is registered once. The
data rows of plain values (text, numbers, dates) are serialised straight to the
sheet's XML stream, as openpyxl would write them but without a cell object per value:
a large sheet then costs little more than openpyxl writing bare values. Anything else
(formula-like text, booleans, times …) goes through openpyxl's own cells. Those rows'
XML is kept as UTF-8 blocks and spliced into the sheet while it is packed into the
workbook, instead of being written into openpyxl's temporary file and read back.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from copy import copy
from datetime import UTC, date, datetime
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.numbers import is_date_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.functions import Element

from .. import atomic
from ..xlsxsafe import MAX_CELL_TEXT, clean_text, is_formula_like, safe_sheet_title, set_text
from .model import Chart, Column, Report, Table

FORMATS = {"int": "0", "money": "#,##0.00", "percent": "0.0%", "date": "yyyy-mm-dd",
           "datetime": "yyyy-mm-dd hh:mm", "text": "General", "duration": "General"}
WIDTHS = {"int": 10, "money": 12, "percent": 10, "date": 12, "datetime": 18, "text": 12, "duration": 12}
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
THIN = Side(style="thin", color="BFBFBF")
HEADER_ROW = 3  # title, note, header


def _width(col: Column) -> float:
    # A CJK character is about two Latin characters wide.
    title = sum(2 if ord(ch) > 0x2E80 else 1 for ch in col.title) + 2
    return max(col.width or WIDTHS.get(col.kind, 12), title)


def _proto(ws: Any, col: Column, *, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws)
    cell.number_format = FORMATS.get(col.kind, "General")
    if bold:
        cell.font = Font(bold=True)
    if col.kind in ("text", "duration") and (col.width or 0) >= 30:
        # Long text wraps inside its column instead of running across the page.
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def _cell(ws: Any, proto: WriteOnlyCell, value: Any) -> Any:
    if isinstance(value, str):
        value = clean_text(value)
        if is_formula_like(value) or value.startswith("#"):
            cell = WriteOnlyCell(ws)
            set_text(cell, value)
            cell._style = copy(proto._style)
            cell.quotePrefix = is_formula_like(value)
            return cell
        if proto.has_style is False:
            return value
    elif value is None:
        return None
    cell = WriteOnlyCell(ws, value)
    cell._style = copy(proto._style)
    return cell


def _heading(ws: Any, table: Table) -> list[list[Any]]:
    title = WriteOnlyCell(ws)
    set_text(title, table.title)
    title.font = Font(bold=True, size=14)
    note = WriteOnlyCell(ws)
    set_text(note, table.note)
    note.font = Font(italic=True, color="595959", size=9)
    header = []
    for col in table.columns:
        c = WriteOnlyCell(ws)
        set_text(c, col.title)
        c.font, c.fill = HEADER_FONT, HEADER_FILL
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.border = Border(bottom=THIN)
        header.append(c)
    return [[title], [note], header]


# --- data rows straight to XML -----------------------------------------------------------

# Characters openpyxl refuses or XML must escape, in one scan: most text has none.
_SPECIAL = re.compile(r"[\000-\010\013\014\016-\037&<>\r]")  # openpyxl's ILLEGAL_CHARACTERS_RE + XML's


def _xml_text(text: str) -> str:
    if _SPECIAL.search(text) is None:
        return text
    if ILLEGAL_CHARACTERS_RE.search(text):
        raise _Slow  # control characters: cleaned as openpyxl's own cells are
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


class _Slow(Exception):
    """A value only openpyxl's own cell should write."""


_TEXT_LEAD = "=+-@\t\r#"  # formula-like or error-like: openpyxl's own cell keeps it text


def _cell_xml(ref: str, s: str, value: Any, dated: bool, epoch: Any) -> str:
    """One <c> element as openpyxl writes it (inline strings, numbers as %.16g)."""
    t = type(value)
    if t is str:
        if not value:
            return f'<c r="{ref}"{s} t="inlineStr"/>'
        if value[0] in _TEXT_LEAD or len(value) > MAX_CELL_TEXT:
            raise _Slow  # formula-like, error-like or too long
        space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
        return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{_xml_text(value)}</t></is></c>'
    if t is int or t is float or t is Decimal:
        if t is not int and (math.isnan(value) or math.isinf(value)):
            raise _Slow
        return f'<c r="{ref}"{s} t="n"><v>{float(value):.16g}</v></c>'
    if (t is datetime or t is date) and dated and getattr(value, "tzinfo", None) is None:
        return f'<c r="{ref}"{s} t="n"><v>{to_excel(value, epoch):.16g}</v></c>'
    raise _Slow


def _spent() -> Iterator[None]:
    yield None


Part = tuple[list[WriteOnlyCell] | None, list[list[Any]]]
# Each run of fast rows, as blocks of UTF-8 XML: where the nth run goes, the sheet's
# temporary file holds the marker ``<toolkitRows n="n"/>``.
Runs = list[list[bytes]]


# Where a run of fast rows goes; lxml or et_xmlfile may space the empty tag differently.
_MARKER = re.compile(rb'<toolkitRows n="(\d+)"\s*/>')
# Rows encoded together: blocks big enough to cost little per block, small enough that
# a sheet's XML is never one huge string.
BLOCK_ROWS = 512


LINE_HEIGHT = 15  # points per line of wrapped text


# Characters shown two columns wide (CJK and beyond: code points above U+2E80), and the
# other characters past ASCII, shown one wide.
_WIDE = re.compile("[\u2e81-\U0010ffff]")
_NARROW = re.compile("[\x80-\u2e80]")


def _shown(para: str) -> int:
    """Columns a line of text takes: CJK counts two."""
    if para.isascii():
        return len(para)
    if _NARROW.search(para) is None:
        # Every character past ASCII is wide: counted by dropping the others (in C).
        return 2 * len(para) - len(para.encode("ascii", "ignore"))
    return len(para) + _WIDE.subn("", para)[1]


def _lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column ``width`` characters wide (CJK counts two)."""
    n = 0
    for para in text.split("\n"):
        n += max(1, -(-_shown(para) // int(width)))
    return n


def _heights(columns: list[tuple[Any, ...]], wraps: list[tuple[int, float]]) -> list[str]:
    """Each row's height attribute when wrapped text needs more than one line: neither
    LibreOffice nor Excel grows a row for wrapped text in a file when it opens it."""
    lines = [1] * (len(columns[0]) if columns else 0)
    for i, width in wraps:
        half, w = width / 2, int(width)
        for j, v in enumerate(columns[i]):
            if type(v) is not str or len(v) <= half:
                continue
            n = _lines(v, width) if "\n" in v else max(1, -(-_shown(v) // w))  # one paragraph: as _lines counts it
            if n > lines[j]:
                lines[j] = n
    return [f' ht="{LINE_HEIGHT * min(n, 15)}" customHeight="1"' if n > 1 else "" for n in lines]


_FIRST, _LAST = itemgetter(0), itemgetter(-1)


def _plain_texts(values: list[Any]) -> bool:
    """Every value is text ``_cell_xml`` writes as it is: not too long, no formula or
    error lead and no space at either end, nothing to escape (empty text is not asked
    about: none at all is true)."""
    if set(map(type, values)) - {str} or max(map(len, values), default=0) > MAX_CELL_TEXT:
        return False
    if any(c in _TEXT_LEAD or c.isspace() for c in set(map(_FIRST, values))):
        return False
    if any(c.isspace() for c in set(map(_LAST, values))):
        return False
    return _SPECIAL.search("\n".join(values)) is None  # "\n" itself is not special


def _column_xml(values: tuple[Any, ...], ref: str, style: str, dated: bool, epoch: Any,
                numbers: list[str]) -> list[str | None]:
    """A column's cells as ``_cell_xml`` writes them: "" for None, None for a value only
    openpyxl's own cell should write. A column of plain text (most are; some cells
    empty) is written without a call per cell."""
    if _plain_texts([v for v in values if v is not None and v != ""]):
        head, tail, empty = f'<c r="{ref}', f'"{style} t="inlineStr"><is><t>', f'"{style} t="inlineStr"/>'
        return ["" if v is None else f"{head}{n}{tail}{v}</t></is></c>" if v else f"{head}{n}{empty}"
                for v, n in zip(values, numbers, strict=True)]
    out: list[str | None] = []
    serials: dict[Any, str] = {}  # a date's cell text by value: deadlines share their due times
    for v, n in zip(values, numbers, strict=True):
        if v is None:
            out.append("")
        elif type(v) is datetime and dated and v.tzinfo is None:
            serial = serials.get(v)
            if serial is None:
                serial = serials[v] = f"{to_excel(v, epoch):.16g}"
            out.append(f'<c r="{ref}{n}"{style} t="n"><v>{serial}</v></c>')
        else:
            try:
                out.append(_cell_xml(f"{ref}{n}", style, v, dated, epoch))
            except _Slow:
                out.append(None)
    return out


def _rows_xml(rows: list[list[Any]], first: int, refs: list[str], styles: list[str], dated: list[bool],
              epoch: Any, wraps: list[tuple[int, float]]) -> list[str | None]:
    """Each row's XML, or None for a row only openpyxl's own cells should write; built
    column by column (a column's values mostly share one type)."""
    width = len(refs)
    if any(len(row) > width for row in rows):
        raise ValueError(f"一行的值多于表的 {width} 列")
    rows = [row if len(row) == width else [*row, *[None] * (width - len(row))] for row in rows]
    columns = list(zip(*rows, strict=True))
    numbers = [str(r) for r in range(first, first + len(rows))]
    cells = [_column_xml(columns[i], refs[i], styles[i], dated[i], epoch, numbers) for i in range(width)]
    heights = _heights(columns, wraps) if wraps else [""] * len(rows)
    return [None if None in row else f'<row r="{n}"{h}>{"".join(row)}</row>'  # type: ignore[arg-type]
            for n, h, row in zip(numbers, heights, zip(*cells, strict=True), strict=True)]


def _stream(ws: Any, parts: list[Part], widths: list[float] | None = None) -> Runs:
    """Write the sheet's rows in order and close it. A part is (column protos, rows of
    values), written straight as XML where the values allow, or (None, rows of ready
    cells) for openpyxl to write. Returns the runs of rows written as XML, which
    ``_Archive`` puts in place of their markers.

    openpyxl 3.1 write-only internals (pinned <3.2): the sheet streams into a temporary
    file; our rows go in as a marker element per run.
    """
    ws._get_writer()
    writer = ws._writer
    xf = writer.xf.send(True)
    epoch = ws.parent.epoch
    runs: Runs = []
    blocks: list[bytes] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            blocks.append("".join(pending).encode())
            pending.clear()
        if blocks:
            xf.write(Element("toolkitRows", n=str(len(runs))))
            runs.append(blocks.copy())
            blocks.clear()

    with xf.element("sheetData"):
        r = 1
        for protos, rows in parts:
            if protos is None:
                for row in rows:
                    flush()
                    writer.write_row(xf, ws._values_to_row(row, r), r)
                    r += 1
                continue
            refs = [get_column_letter(i) for i in range(1, len(protos) + 1)]
            styles = [f' s="{p.style_id}"' if p.has_style else "" for p in protos]
            dated = [is_date_format(p.number_format) for p in protos]
            wraps = [(i, max((widths or [])[i] - 1, 1) if widths and i < len(widths) else 30)
                     for i, p in enumerate(protos) if p.alignment is not None and p.alignment.wrap_text]
            for start in range(0, len(rows), BLOCK_ROWS):
                some = rows[start:start + BLOCK_ROWS]
                for row, xml in zip(some, _rows_xml(some, r, refs, styles, dated, epoch, wraps), strict=True):
                    if xml is None:
                        flush()
                        cells = [_cell(ws, p, v) for p, v in zip(protos, row, strict=True)]
                        writer.write_row(xf, ws._values_to_row(cells, r), r)
                    else:
                        pending.append(xml)
                    r += 1
                if len(pending) >= BLOCK_ROWS:
                    blocks.append("".join(pending).encode())
                    pending.clear()
        flush()
    ws._max_row = r - 1
    writer.xf.send(None)
    ws._rows = _spent()  # rows written: close() adds only the sheet's tail
    ws.close()
    return runs


class _Archive(ZipFile):
    """The workbook's zip file: a sheet's temporary file (as openpyxl's ``ExcelWriter``
    packs it with ``write``) is packed with its runs of rows in place of their markers."""

    def __init__(self, path: Path, runs: dict[str, Runs]) -> None:
        super().__init__(path, "w", ZIP_DEFLATED, allowZip64=True, compresslevel=ZIP_LEVEL)
        self.runs = runs  # by temporary file

    def write(self, filename: Any, arcname: Any = None, compress_type: Any = None,
              compresslevel: Any = None) -> None:
        runs = self.runs.get(str(filename))
        if runs is None:
            super().write(filename, arcname, compress_type, compresslevel)
            return
        pieces = _MARKER.split(Path(filename).read_bytes())  # text, n, text, n, …, text
        found = [int(n) for n in pieces[1::2]]
        if found != list(range(len(runs))):
            raise RuntimeError(f"工作表 {arcname} 的行标记不符")
        zinfo = ZipInfo.from_file(filename, arcname, strict_timestamps=self._strict_timestamps)
        zinfo.compress_type = self.compression if compress_type is None else compress_type
        zinfo._compresslevel = self.compresslevel if compresslevel is None else compresslevel
        # The whole size, as ``write`` would know it from the file: it decides ZIP64.
        zinfo.file_size = sum(map(len, pieces[::2])) + sum(len(b) for run in runs for b in run)
        with self.open(zinfo, "w") as dest:
            for i, text in enumerate(pieces[::2]):
                dest.write(text)
                for block in runs[i] if i < len(runs) else ():
                    dest.write(block)


def write_table(wb: Workbook, table: Table, taken: list[str], charts: list[Chart] | None = None) -> Any:
    ws = wb.create_sheet(safe_sheet_title(table.sheet, taken))
    taken.append(ws.title)
    ncols = len(table.columns)
    last = get_column_letter(ncols)
    for i, col in enumerate(table.columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = _width(col)
    n = len(table.rows)
    end = HEADER_ROW + max(n, 1)
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + n}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    titles = [c.title for c in table.columns]
    for mark in table.marks:
        col = get_column_letter(titles.index(mark.column) + 1)
        value = mark.value.replace('"', '""')
        ws.conditional_formatting.add(
            f"A{HEADER_ROW + 1}:{last}{end}",
            FormulaRule(formula=[f'${col}{HEADER_ROW + 1}="{value}"'],
                        fill=PatternFill("solid", fgColor=mark.colour, bgColor=mark.colour)),
        )
    for chart in charts or []:  # before the rows: the sheet is closed once they are written
        _chart(ws, table, chart)
    protos = [_proto(ws, c) for c in table.columns]
    parts: list[Part] = [(None, _heading(ws, table)), (protos, table.rows)]
    if table.total is not None:
        bold = [_proto(ws, c, bold=True) for c in table.columns]
        parts.append((bold, [["" if v is None else v for v in table.total]]))
    if not table.rows:
        empty = WriteOnlyCell(ws)
        set_text(empty, table.empty or "（无）")
        empty.font = Font(color="808080")
        parts.append((None, [[empty]]))
    ws.toolkit_runs = _stream(ws, parts, [_width(c) for c in table.columns])
    return ws


def _chart(ws: Any, table: Table, chart: Chart) -> None:
    titles = [c.title for c in table.columns]
    n = len(table.rows)
    if n == 0:
        return
    c = LineChart() if chart.kind == "line" else BarChart()
    if chart.kind == "bar":
        c.type = "col"
    c.title = chart.title
    c.y_axis.title = chart.y_title
    c.height, c.width = 8, 16
    first, last = HEADER_ROW, HEADER_ROW + n
    for s in chart.series:
        col = titles.index(s) + 1
        c.add_data(Reference(ws, min_col=col, min_row=first, max_row=last), titles_from_data=True)
    for series in c.series:
        series.smooth = False  # a smoothed line dips below zero between whole counts
    x = titles.index(chart.x) + 1
    c.set_categories(Reference(ws, min_col=x, min_row=first + 1, max_row=last))
    if chart.percent:
        c.y_axis.number_format = "0%"
        c.y_axis.scaling.min, c.y_axis.scaling.max = 0, 1
    if table.columns[x - 1].kind == "date":
        c.x_axis.number_format = "mm-dd"
    # openpyxl 3.1 hides axes unless told otherwise.
    c.x_axis.delete = False
    c.y_axis.delete = False
    c.legend.position = "b"
    ws.add_chart(c, f"{get_column_letter(len(titles) + 2)}{HEADER_ROW}")


def build_workbook(report: Report) -> Workbook:
    wb = Workbook(write_only=True)
    taken: list[str] = []
    for table in report.tables:
        write_table(wb, table, taken, [c for c in report.charts if c.sheet == table.sheet])
    wb.properties.title = f"{report.title} {report.period.name}"
    return wb


# zlib level 3 instead of the default 6: a 40,000-row list (29 MB of XML) is packed in
# 0.13 s instead of 0.30 s, for a file of 2.6 MB instead of 2.3 MB.
ZIP_LEVEL = 3


def _save(wb: Workbook, path: Path) -> None:
    """``Workbook.save`` (openpyxl 3.1's ``save_workbook``) with a faster zip level and
    the sheets' rows spliced in as they are packed."""
    if not wb.worksheets:
        wb.create_sheet()
    runs = {ws._writer.out: ws.toolkit_runs for ws in wb.worksheets if getattr(ws, "toolkit_runs", None)}
    with _Archive(path, runs) as archive:
        wb.properties.modified = datetime.now(tz=UTC).replace(tzinfo=None)
        ExcelWriter(wb, archive).save()


def write_xlsx(report: Report, path: Path) -> Path:
    """Write the report's workbook atomically to ``path``."""
    wb = build_workbook(report)
    return atomic.write_with(path, lambda tmp: _save(wb, tmp))
