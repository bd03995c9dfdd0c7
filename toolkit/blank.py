"""Blank registers staff can start from, built from the register declarations.

Row 1 is a merged title, row 2 the header whose texts are exactly the column names
(so the reader recognises them), with comments, drop-downs for enum columns and
column number formats. No data cells are touched: the sheet stays two rows long.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook as XlWorkbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from . import voids
from .atomic import write_with
from .filenames import safe_stem
from .registers import ColumnSpec, RegisterSpec
from .xlsxsafe import safe_sheet_title, set_text

TITLE_ROW = 1
NOTE_ROW = 2  # how to read the header: red = required, the comments explain each column
HEADER_ROW = 3
FIRST_DATA_ROW = 4
NOTE = ("红色列名为必填项，黑色为选填项；鼠标移到列名上可看该列的填写说明。"
        "请从下一行起逐行填写，填好后保存到 inbox（收件箱）文件夹。")
LAST_DATA_ROW = 2000  # drop-downs reach this far; no cell is created there
MAX_LIST_FORMULA = 255  # Excel's limit for an inline list validation
VOID_COLUMN = ColumnSpec(name=voids.COLUMN, type="enum", choices=["是"], width=6, description=voids.HINT)

# What each type expects, as staff read it in the header comment.
TYPE_HINTS: dict[str, str] = {
    "text": "文字",
    "int": "整数，例如 3",
    "decimal": "数字，例如 12.5",
    "money": "金额（元），例如 1,200.00",
    "area": "面积（平方米），例如 89.50",
    "date": "日期，例如 2026-11-23",
    "datetime": "日期时间，例如 2026-11-23 14:30",
    "time": "时间，例如 14:30",
    "phone": "电话，手机 11 位或带区号的座机，例如 13812345678",
    "mobile": "手机号，11 位，例如 13812345678",
    "id_number": "身份证号，18 位",
    "uscc": "统一社会信用代码，18 位",
    "plate": "车牌号，例如 川A12345",
    "vin": "车架号（VIN），17 位字母和数字",
    "month": "月份，例如 2026-11 或 2026年11月",
    "period": "期间：周报写 2026-W48 或 2026年第48周，月报写 2026-11 或 2026年11月",
    "enum": "从下拉列表中选择",
}

# Column formats applied to new entries. Text types are "@" so Excel keeps ID numbers,
# leading zeros and room numbers such as 1-101 as typed instead of converting them.
NUMBER_FORMATS: dict[str, str] = {
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "time": "hh:mm",
    "money": "#,##0.00",
    "area": "0.00",
    "text": "@",
    "phone": "@",
    "mobile": "@",
    "id_number": "@",
    "uscc": "@",
    "plate": "@",
    "vin": "@",
    # Kept as typed: Excel would turn a typed 2026-11 into the date 2026-11-01.
    "month": "@",
    "period": "@",
}

DEFAULT_WIDTHS: dict[str, int] = {"date": 12, "datetime": 18, "time": 8, "money": 12, "id_number": 21, "uscc": 21}

_THIN = Side(style="thin", color="FF808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill(fill_type="solid", fgColor="FFDDEBF7")
_REQUIRED_FONT = Font(bold=True, color="FFC00000")
_HEADER_FONT = Font(bold=True)


def header_comment(col: ColumnSpec) -> str:
    """What the column holds and how to write it, in the header's comment."""
    lines = ["必填" if col.required else "选填"]
    if col.description:
        lines.append(col.description)
    lines.append(TYPE_HINTS.get(col.type, col.type))
    if col.choices:
        lines.append("可选：" + "、".join(col.choices))
    if col.default is not None:
        lines.append(f"不填时按“{col.default}”处理")
    return "\n".join(lines)


def _width(col: ColumnSpec) -> int:
    if col.width:
        return col.width
    name_width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in col.name) + 4
    return max(DEFAULT_WIDTHS.get(col.type, 10), name_width)


def _list_validation(col: ColumnSpec, letter: str) -> DataValidation | None:
    """An in-cell drop-down; None when the choices cannot be written inline."""
    joined = ",".join(col.choices)
    if any("," in c or '"' in c for c in col.choices) or len(joined) + 2 > MAX_LIST_FORMULA:
        return None  # the header comment still lists them
    dv = DataValidation(
        type="list",
        formula1=f'"{joined}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="输入有误",
        error="请从下拉列表中选择：" + "、".join(col.choices),
        showInputMessage=False,
    )
    dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_DATA_ROW}")
    return dv


def _title_row(ws: Worksheet, spec: RegisterSpec, columns: list[ColumnSpec]) -> None:
    last = get_column_letter(max(len(columns), 1))
    cell = ws.cell(TITLE_ROW, 1)
    set_text(cell, spec.sheet_title or spec.title)
    cell.font = Font(bold=True, size=16)
    cell.alignment = Alignment(horizontal="center", vertical="center")
    if len(columns) > 1:
        ws.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    ws.row_dimensions[TITLE_ROW].height = 30


def _note_row(ws: Worksheet, columns: list[ColumnSpec]) -> None:
    last = get_column_letter(max(len(columns), 1))
    cell = ws.cell(NOTE_ROW, 1)
    set_text(cell, NOTE)
    cell.font = Font(size=10, color="FF595959")
    cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    if len(columns) > 1:
        ws.merge_cells(f"A{NOTE_ROW}:{last}{NOTE_ROW}")
    # Two lines when the sheet is narrow (a few columns), one when it is wide.
    width = sum(_width(c) for c in columns)
    ws.row_dimensions[NOTE_ROW].height = 18 if width >= 110 else 32


def _header_cell(ws: Worksheet, ci: int, col: ColumnSpec) -> None:
    cell = ws.cell(HEADER_ROW, ci)
    set_text(cell, col.name)  # exactly the column name: the reader matches on it
    cell.font = _REQUIRED_FONT if col.required else _HEADER_FONT
    cell.fill = _HEAD_FILL
    cell.border = _BORDER
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    text = header_comment(col)
    cell.comment = Comment(text, "登记表说明", height=40 + 20 * text.count("\n"), width=240)


def _column(ws: Worksheet, ci: int, col: ColumnSpec) -> None:
    letter = get_column_letter(ci)
    dim = ws.column_dimensions[letter]
    dim.width = _width(col)
    fmt = NUMBER_FORMATS.get(col.type)
    if fmt:
        dim.number_format = fmt  # a column style: no cells are created
    if col.type == "enum":
        dv = _list_validation(col, letter)
        if dv is not None:
            ws.add_data_validation(dv)


def _page_setup(ws: Worksheet, columns: list[ColumnSpec]) -> None:
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(columns))}{HEADER_ROW}"
    ws.print_title_rows = f"{TITLE_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.row_dimensions[HEADER_ROW].height = 22


def build_blank_register(spec: RegisterSpec) -> XlWorkbook:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = safe_sheet_title(spec.title)
    # Last, the column that retires a row entered by mistake (voids.py).
    columns = spec.columns if spec.name in voids.EXEMPT else [*spec.columns, VOID_COLUMN]
    _title_row(ws, spec, columns)
    _note_row(ws, columns)
    for ci, col in enumerate(columns, 1):
        _header_cell(ws, ci, col)
        _column(ws, ci, col)
    _page_setup(ws, columns)
    return wb


def write_blank_register(spec: RegisterSpec, dest: Path) -> Path:
    """Write the blank workbook for ``spec`` to ``dest`` atomically."""
    wb = build_blank_register(spec)
    return write_with(Path(dest), wb.save)


def write_blank_registers(specs: dict[str, RegisterSpec], folder: Path) -> list[Path]:
    """One ``<title>.xlsx`` per register in ``folder``, in the order given."""
    folder = Path(folder)
    written: list[Path] = []
    used: set[str] = set()
    for spec in specs.values():
        stem = safe_stem(spec.title, 80, spec.name)
        if stem.lower() in used:  # two registers with one title must not overwrite
            stem = f"{stem}-{spec.name}"
        used.add(stem.lower())
        written.append(write_blank_register(spec, folder / f"{stem}.xlsx"))
    return written
