"""Report tables as a workbook staff can use as it is.

Each table is a sheet: a title line, a note line, a frozen header row with filters,
fitted widths, number and date formats, conditional colours (overdue in red), a bold
total row, landscape printing one page wide, and native charts beside their data.
Text goes in as text: a value starting with =, +, - or @ never becomes a formula.

Written in openpyxl's write-only mode; each column's style is built once and copied
into its cells, so a large sheet costs little more than its values.
"""

from __future__ import annotations

from copy import copy
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from .. import atomic
from ..xlsxsafe import clean_text, is_formula_like, safe_sheet_title, set_text
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


def _heading(ws: Any, table: Table, ncols: int) -> None:
    title = WriteOnlyCell(ws)
    set_text(title, table.title)
    title.font = Font(bold=True, size=14)
    ws.append([title])
    note = WriteOnlyCell(ws)
    set_text(note, table.note)
    note.font = Font(italic=True, color="595959", size=9)
    ws.append([note])
    header = []
    for col in table.columns:
        c = WriteOnlyCell(ws)
        set_text(c, col.title)
        c.font, c.fill = HEADER_FONT, HEADER_FILL
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.border = Border(bottom=THIN)
        header.append(c)
    ws.append(header)


def write_table(wb: Workbook, table: Table, taken: list[str]) -> Any:
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
    _heading(ws, table, ncols)
    protos = [_proto(ws, c) for c in table.columns]
    for row in table.rows:
        ws.append([_cell(ws, p, v) for p, v in zip(protos, row, strict=True)])
    if table.total is not None:
        bold = [_proto(ws, c, bold=True) for c in table.columns]
        ws.append([_cell(ws, p, v) if v is not None else _cell(ws, p, "") for p, v in zip(bold, table.total, strict=True)])
    if not table.rows:
        empty = WriteOnlyCell(ws)
        set_text(empty, "（无）")
        empty.font = Font(color="808080")
        ws.append([empty])
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
    sheets = {}
    for table in report.tables:
        sheets[table.sheet] = (write_table(wb, table, taken), table)
    for chart in report.charts:
        if chart.sheet in sheets:
            ws, table = sheets[chart.sheet]
            _chart(ws, table, chart)
    wb.properties.title = f"{report.title} {report.period.label}"
    return wb


def write_xlsx(report: Report, path: Path) -> Path:
    """Write the report's workbook atomically to ``path``."""
    wb = build_workbook(report)
    return atomic.write_with(path, wb.save)
