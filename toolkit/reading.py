"""Turn any input file into a toolkit.model.Workbook, or refuse it with a reason.

xlsx is read in this process with python-calamine (fast) after safety.scan_zip, and
with openpyxl's read-only parser where calamine fails or would allocate a huge dense
grid. xls and ods are read by calamine in a child process under a memory limit and a
timeout, because calamine can abort the process or hang on broken legacy files.
CSV is decoded here (UTF-8, GBK, UTF-16, then charset-normalizer).
"""

from __future__ import annotations

import csv
import html
import io
import os
import pickle
import re
import signal
import subprocess
import sys
import warnings
import zipfile
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from toolkit.model import ErrorValue, NoCachedValue, RawSheet, UnreadableFile, Workbook
from toolkit.safety import (
    ENCRYPTED,
    NOT_A_REGISTER,
    RESAVE,
    WORD_EXTENSIONS,
    ZipScan,
    is_lock_file,
    part_path,
    scan_zip,
    sniff_format,
)

MAX_ROW = 1_048_576
MAX_COL = 16_384
CHILD_TIMEOUT = 15.0  # seconds for one xls/ods read
CHILD_MEMORY = 1536 * 1024 * 1024  # RLIMIT_AS for the child

FORMAT_LABELS = {"xlsx": "Excel 工作簿（.xlsx）", "xls": "旧版 Excel 工作簿（.xls）",
                 "ods": "OpenDocument 表格（.ods）", "csv": "纯文本（CSV）"}
EXTENSIONS = {"xlsx": {".xlsx", ".xlsm", ".xltx", ".xltm"}, "xls": {".xls", ".xlt", ".et"},
              "ods": {".ods"}, "csv": {".csv", ".txt", ".tsv"}}


# --- public entry point ------------------------------------------------------------


def read_workbook(path: Path, max_cells: int = 20_000_000) -> Workbook:
    """Read `path` into a Workbook, or raise UnreadableFile with a message for staff."""
    path = Path(path)
    try:
        return _read(path, max_cells)
    except UnreadableFile as exc:
        raise _as_word_file(path, exc) from None
    except MemoryError:
        raise _too_big() from None
    except Exception:  # any reader bug or odd input: never a traceback for staff
        raise _as_word_file(path, _corrupt()) from None


# Refusals whose advice (resave as .xlsx, Excel's password menu) is about a workbook.
_WORKBOOK_ADVICE = {"file.encrypted": "设置了打开密码的", "file.corrupt": "已损坏的", "file.no_sheets": "无法打开的",
                    "file.timeout": "无法打开的", "file.too_complex": "无法打开的", "file.unsupported": "无法打开的"}


def _as_word_file(path: Path, exc: UnreadableFile) -> UnreadableFile:
    """A file named as a Word document that cannot be read is no register, whether damaged,
    under a password or sound: say so instead of advising how to resave a workbook."""
    state = _WORKBOOK_ADVICE.get(exc.code)
    if state is None or path.suffix.lower() not in WORD_EXTENSIONS:
        return exc
    return UnreadableFile(
        "file.not_spreadsheet",
        f"这是{state} Word 文档（{path.suffix.lower()}），不是登记表；{NOT_A_REGISTER}",
    )


def _read(path: Path, max_cells: int) -> Workbook:
    if is_lock_file(path):
        raise UnreadableFile(
            "file.lock_file", "这是 Excel/WPS 或 LibreOffice 打开文件时生成的临时锁定文件，不是登记表，无需处理"
        )
    fmt = sniff_format(path)
    if fmt == "html":
        raise UnreadableFile(
            "file.html", "这是网页（HTML）文件，不是 Excel 工作簿；请在 Excel 中另存为 .xlsx 后再放入收件箱"
        )
    if fmt == "docx":
        raise UnreadableFile("file.not_spreadsheet", f"这是 Word 文档（.docx），不是 Excel 表格；{NOT_A_REGISTER}")
    notes = _extension_notes(path, fmt)
    if fmt == "csv":
        sheets = _read_csv(path, max_cells, notes)
    elif fmt == "xlsx":
        sheets = _read_xlsx(path, max_cells, notes)
    else:
        sheets = _read_in_child(path, fmt, max_cells)
    if not sheets:
        raise UnreadableFile("file.no_sheets", f"文件里找不到任何工作表；{RESAVE}")
    return Workbook(path=str(path), format=fmt, sheets=sheets, notes=notes)


def _extension_notes(path: Path, fmt: str) -> list[str]:
    ext = path.suffix.lower()
    if ext in EXTENSIONS[fmt]:
        return []
    shown = ext or "（无扩展名）"
    label = FORMAT_LABELS[fmt]
    if fmt == "csv":
        return [f"文件扩展名是 {shown}，但内容是纯文本（CSV），已按 CSV 读取"]
    return [f"文件扩展名是 {shown}，但内容是{label}，已按实际格式读取"]


def _corrupt(detail: str = "") -> UnreadableFile:
    extra = f"（{detail}）" if detail else ""
    return UnreadableFile("file.corrupt", f"文件已损坏或格式异常{extra}，无法读取；{RESAVE}")


def _too_big() -> UnreadableFile:
    return UnreadableFile(
        "file.too_complex", f"文件内容过大或结构异常，读取时超出了内存或时间上限；请删除多余的行列后{RESAVE}"
    )


def _too_many_cells(max_cells: int) -> UnreadableFile:
    return UnreadableFile(
        "file.too_many_cells",
        f"文件的单元格超过 {max_cells:,} 个（或表格范围被远处的零散单元格撑得过大），超出处理上限；"
        "请删除多余的行列或拆分文件后再放入收件箱",
    )


def _encrypted() -> UnreadableFile:
    return UnreadableFile(
"file.encrypted", ENCRYPTED)


# --- value conversion ---------------------------------------------------------------


def _convert(v: Any) -> Any:
    """calamine value -> model value: '' is empty, whole floats become ints."""
    t = type(v)
    if t is str:
        return v if v else None
    if t is float:
        if v.is_integer() and -9_007_199_254_740_992.0 < v < 9_007_199_254_740_992.0:
            return int(v)
        return v
    if t is timedelta:
        return _duration(v)
    return v


def _duration(v: timedelta) -> Any:
    """Durations under a day read as a time of day (how staff see 08:30); longer as text."""
    if timedelta(0) <= v < timedelta(days=1):
        return (datetime.min + v).time()
    total = int(v.total_seconds())
    sign, total = ("-", -total) if total < 0 else ("", total)
    return f"{sign}{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


_INT_LIMIT = 9_007_199_254_740_992.0  # floats above 2**53 are not exact integers


def _rows_from_grid(grid: list[list[Any]], start: tuple[int, int] | None) -> dict[int, list[Any]]:
    """calamine grid (skipping its empty leading area) -> {sheet row: values by column}.

    One comprehension per row (this is the hot loop for big files): '' -> None, whole
    floats -> int, durations -> time.
    """
    if not grid or start is None:
        return {}
    row0, col0 = start
    pad = [None] * col0
    rows: dict[int, list[Any]] = {}
    td = timedelta
    for i, raw in enumerate(grid):
        values = [
            None if v == "" else (
                int(v) if v.__class__ is float and v.is_integer() and -_INT_LIMIT < v < _INT_LIMIT
                else (_duration(v) if v.__class__ is td else v)
            )
            for v in raw
        ]
        if values.count(None) != len(values):
            rows[row0 + 1 + i] = pad + values if col0 else values
    return rows


def _grid_rows(grid: list[list[Any]], start: tuple[int, int] | None) -> list[tuple[int, list[Any]]]:
    """calamine grid -> sorted (row, values) as ``_finish_rows(_rows_from_grid(…))`` gives,
    in one pass: no dict of rows to sort, trailing empty cells dropped as each row is made."""
    if not grid or start is None:
        return []
    row0, col0 = start
    pad = [None] * col0
    out: list[tuple[int, list[Any]]] = []
    append = out.append
    td = timedelta
    number = row0
    for raw in grid:
        number += 1
        # Text first (most cells): '' is the only text that is empty. A date compared
        # with '' would be the slowest test of all.
        values = [
            (v or None) if v.__class__ is str else (
                int(v) if v.__class__ is float and v.is_integer() and -_INT_LIMIT < v < _INT_LIMIT
                else (_duration(v) if v.__class__ is td else v)
            )
            for v in raw
        ]
        if values and values[-1] is None:
            while values and values[-1] is None:
                values.pop()
        if values:
            append((number, pad + values if col0 else values))
    return out


def _finish_rows(rows: dict[int, list[Any]]) -> list[tuple[int, list[Any]]]:
    """Sorted (row, values) without fully empty rows and without trailing empty cells."""
    out = []
    for number in sorted(rows):
        values = rows[number]
        while values and values[-1] is None:
            values.pop()
        if values:
            out.append((number, values))
    return out


def _count_cells(sheets: Iterable[RawSheet]) -> int:
    return sum(len(values) - values.count(None) for s in sheets for _, values in s.rows)


# --- xlsx ---------------------------------------------------------------------------


def _read_xlsx(path: Path, max_cells: int, notes: list[str]) -> list[RawSheet]:
    scan = scan_zip(path)
    with zipfile.ZipFile(path) as zf:
        layout = _xlsx_layout(zf)
        big = [p for _, p in layout if p in scan.parts and scan.parts[p].area_bound() > max_cells]
        sheets = None
        if not big:
            sheets = _calamine_xlsx(path, layout, max_cells)
        if sheets is None:
            sheets = _openpyxl_xlsx(path, notes, max_cells)
        _apply_overlays(zf, scan, layout, sheets)
    if _count_cells(sheets) > max_cells:
        raise _too_many_cells(max_cells)
    return sheets


def _xlsx_layout(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part path) for every worksheet, from workbook.xml and its rels."""
    try:
        names = {n.lower(): n for n in zf.namelist()}
        wb_part = _office_document(zf, names)
        if wb_part is None:
            return []
        root = _parse_xml(zf, names.get(wb_part.lower()))
        rels_name = part_path(wb_part, "_rels/" + wb_part.rsplit("/", 1)[-1] + ".rels")
        rels = _parse_xml(zf, names.get(rels_name.lower()))
        if root is None or rels is None:
            return []
        targets = {el.get("Id"): el.get("Target", "") for el in rels.iter() if _local(el.tag) == "Relationship"}
        layout = []
        for el in root.iter():
            if _local(el.tag) != "sheet":
                continue
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
            target = targets.get(rid)
            if target:
                real = names.get(part_path(wb_part, target).lower())
                if real:
                    layout.append((el.get("name", ""), real))
        return layout
    except Exception:  # layout only feeds the extras (errors, formulas, merges)
        return []


def _office_document(zf: zipfile.ZipFile, names: dict[str, str]) -> str | None:
    rels = _parse_xml(zf, names.get("_rels/.rels"))
    if rels is not None:
        for el in rels.iter():
            if _local(el.tag) == "Relationship" and el.get("Type", "").endswith("/officeDocument"):
                return part_path("", el.get("Target", ""))
    return next((n for n in names.values() if n.lower().endswith("workbook.xml")), None)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _parse_xml(zf: zipfile.ZipFile, name: str | None):
    """Parse a small, already size-checked part with defusedxml; None if absent or bad."""
    if not name:
        return None
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(zf.read(name))
    except Exception:
        return None


def _calamine_xlsx(path: Path, layout: list[tuple[str, str]], max_cells: int) -> list[RawSheet] | None:
    """Read with calamine; None means "use the fallback reader"."""
    import python_calamine as pc

    try:
        with path.open("rb") as fh:
            wb = pc.CalamineWorkbook.from_filelike(fh)
        return _calamine_sheets(wb, max_cells)
    except pc.PasswordError:
        raise _encrypted() from None
    except UnreadableFile:
        raise
    except Exception:
        return None


def _calamine_sheets(wb, max_cells: int) -> list[RawSheet]:
    """Every worksheet of an open calamine workbook (chart and macro sheets skipped)."""
    import python_calamine as pc

    sheets = []
    for meta in wb.sheets_metadata:
        if meta.typ not in (pc.SheetTypeEnum.WorkSheet, pc.SheetTypeEnum.DialogSheet):
            continue
        sheet = wb.get_sheet_by_name(meta.name)
        if sheet.height * sheet.width > max_cells:
            raise _too_many_cells(max_cells)
        rows = _grid_rows(sheet.to_python(), sheet.start)
        merged = [(r0 + 1, c0 + 1, r1 + 1, c1 + 1)
                  for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
        del sheet  # calamine's own copy of the cells, let go before the next sheet is read
        sheets.append(RawSheet(meta.name, rows, merged))
    return sheets


def _openpyxl_xlsx(path: Path, notes: list[str], max_cells: int) -> list[RawSheet]:
    """openpyxl's read-only parser, cell by cell: no padding to bogus coordinates."""
    from openpyxl import load_workbook
    from openpyxl.worksheet._reader import WorkSheetParser

    try:
        with path.open("rb") as fh, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(fh, read_only=True, data_only=True)
            sheets, skipped, count, bad_strings = [], 0, 0, 0
            for ws in wb.worksheets:
                rows: dict[int, list[Any]] = {}
                strings = _SharedStrings(ws._shared_strings)
                with ws._get_source() as src:
                    parser = WorkSheetParser(src, strings, data_only=True, epoch=wb.epoch,
                                             date_formats=wb._date_formats,
                                             timedelta_formats=wb._timedelta_formats)
                    for _, cells in parser.parse():
                        for cell in cells:
                            r, c, value = cell["row"], cell["column"], cell["value"]
                            if not (1 <= r <= MAX_ROW and 1 <= c <= MAX_COL):
                                skipped += 1
                                continue
                            if value == _BAD_STRING:
                                value = ErrorValue("#REF!")
                            elif cell["data_type"] == "e" and value is not None:
                                value = ErrorValue(str(value))
                            elif isinstance(value, timedelta):
                                value = _duration(value)
                            elif value == "":
                                value = None
                            if value is None:
                                continue
                            count += 1
                            if count > max_cells:
                                raise _too_many_cells(max_cells)
                            _put(rows, r, c - 1, value)
                    merged = [_merge_tuple(m.ref) for m in getattr(parser.merged_cells, "mergeCell", [])]
                sheets.append(RawSheet(ws.title, _finish_rows(rows), [m for m in merged if m]))
                bad_strings += strings.bad
            wb.close()
    except UnreadableFile:
        raise
    except Exception:
        raise _corrupt("工作簿结构损坏") from None
    if not sheets:
        raise UnreadableFile(
            "file.no_sheets",
            f"文件里找不到可读取的工作表（可能是“严格 Open XML”等特殊格式）；{RESAVE}",
        )
    if bad_strings:
        notes.append(f"有 {bad_strings} 个单元格引用了文件中不存在的文字（文件内部损坏），已按错误值 #REF! 读取")
    if skipped:
        notes.append(f"跳过了 {skipped} 个位置超出 Excel 范围的单元格（文件结构异常）")
    return sheets


class _SharedStrings:
    """Shared-string table that turns a dangling index into #REF! instead of IndexError."""

    def __init__(self, strings: Any):
        self.strings = strings
        self.bad = 0

    def __getitem__(self, index: int) -> Any:
        if 0 <= index < len(self.strings):
            return self.strings[index]
        self.bad += 1
        return _BAD_STRING


_BAD_STRING = "\x00#REF!"  # replaced by ErrorValue below; NUL never appears in real text


def _put(rows: dict[int, list[Any]], r: int, c: int, value: Any) -> None:
    values = rows.setdefault(r, [])
    if len(values) <= c:
        values.extend([None] * (c + 1 - len(values)))
    values[c] = value


# --- xlsx extras calamine loses: error cells, uncached formulas, merges, _x005F_ --------

_CELL_REF_RE = re.compile(rb"^([A-Za-z]{1,3})(\d{1,7})$")
_ATTR_RE = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ERR_POS_RE = re.compile(rb"t=[\"']e[\"']")
_MERGE_RE = re.compile(rb"<(?:[\w.-]+:)?mergeCell\s[^>]*?ref=[\"']([A-Za-z]{1,3}\d+(?::[A-Za-z]{1,3}\d+)?)")
_V_RE = re.compile(rb"<(?:[\w.-]+:)?v(?:\s[^>]*)?>(.*?)</(?:[\w.-]+:)?v>", re.S)
_F_TEXT_RE = re.compile(rb"<(?:[\w.-]+:)?f(?:\s[^>]*)?>(.*?)</(?:[\w.-]+:)?f>", re.S)
_XESC_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _apply_overlays(zf: zipfile.ZipFile, scan: ZipScan, layout: list[tuple[str, str]],
                    sheets: list[RawSheet]) -> None:
    by_name = {s.name: s for s in sheets}
    for name, part in layout:
        sheet, info = by_name.get(name), scan.parts.get(part)
        if sheet is None or info is None:
            continue
        if not (info.has_error_cells or info.has_formulas or (info.has_merges and not sheet.merged)):
            continue
        data = zf.read(part)
        xml = _SheetXml(data)
        cells = {}
        if info.has_formulas:
            cells.update(_uncached_formulas(xml))
        if info.has_error_cells:
            cells.update(_error_cells(xml))
        if cells:
            _overlay(sheet, cells)
        if info.has_merges and not sheet.merged:
            sheet.merged = [m for m in (_merge_tuple(x) for x in _MERGE_RE.findall(data)) if m]
    _fix_escaped_escapes(zf, scan, sheets)


def _overlay(sheet: RawSheet, cells: dict[tuple[int, int], Any]) -> None:
    rows = {number: values for number, values in sheet.rows}
    for (r, c), value in cells.items():
        _put(rows, r, c, value)
    sheet.rows = _finish_rows(rows)


_CELL_WINDOW = 64 * 1024  # a cell's start tag is never this far before its own <f> or t="e"
_PREFIX_RE = re.compile(rb"<([\w.-]+:)?c[ >]")


class _SheetXml:
    """Raw sheet XML with the element prefix it uses ("" or e.g. "x:")."""

    def __init__(self, data: bytes):
        self.data = data
        m = _PREFIX_RE.search(data)
        prefix = (m.group(1) or b"") if m else b""
        self.open_c = b"<" + prefix + b"c "
        self.close_c = b"</" + prefix + b"c>"
        self.v_open = b"<" + prefix + b"v"
        self.f_re = re.compile(b"<" + re.escape(prefix) + rb"f[\s>/]")

    def cell_around(self, pos: int) -> tuple[bytes, bytes] | None:
        """(attributes, inner xml) of the <c> element containing byte `pos`."""
        data = self.data
        start = data.rfind(self.open_c, max(0, pos - _CELL_WINDOW), pos)
        if start < 0:
            return None
        tag_end = data.find(b">", start, pos + _CELL_WINDOW)
        if tag_end < 0:
            return None
        attrs = data[start:tag_end]
        if attrs.endswith(b"/"):
            return (attrs, b"") if pos <= tag_end else None
        close = data.find(self.close_c, tag_end, tag_end + 16 * _CELL_WINDOW)
        if close < 0 or close < pos:
            return None
        return attrs, data[tag_end + 1:close]

    def has_cached_value(self, pos: int) -> bool:
        """Fast path for a formula at `pos`: a non-empty <v> before the cell closes."""
        data = self.data
        close = data.find(self.close_c, pos, pos + 16 * _CELL_WINDOW)
        if close < 0:
            return False
        v = data.find(self.v_open, pos, close)
        if v < 0:
            return False
        gt = data.find(b">", v, close)
        return gt >= 0 and data[gt - 1:gt] != b"/" and data[gt + 1:gt + 3] != b"</"


def _cell_position(attrs: bytes) -> tuple[int, int] | None:
    for key, v1, v2 in _ATTR_RE.findall(attrs):
        if key == b"r":
            m = _CELL_REF_RE.match(v1 or v2)
            if not m:
                return None
            col = 0
            for ch in m.group(1).upper():
                col = col * 26 + ch - 64
            row = int(m.group(2))
            if 1 <= row <= MAX_ROW and 1 <= col <= MAX_COL:
                return row, col - 1
            return None
    return None


def _cell_type(attrs: bytes) -> bytes:
    for key, v1, v2 in _ATTR_RE.findall(attrs):
        if key == b"t":
            return v1 or v2
    return b"n"


def _text(raw: bytes) -> str:
    return html.unescape(raw.decode("utf-8", "replace"))


def _error_cells(sheet: _SheetXml) -> dict[tuple[int, int], Any]:
    found = {}
    for m in _ERR_POS_RE.finditer(sheet.data):
        cell = sheet.cell_around(m.start())
        if cell is None or _cell_type(cell[0]) != b"e":
            continue
        pos = _cell_position(cell[0])
        v = _V_RE.search(cell[1])
        if pos and v and v.group(1).strip():
            found[pos] = ErrorValue(_text(v.group(1)).strip())
    return found


def _uncached_formulas(sheet: _SheetXml) -> dict[tuple[int, int], Any]:
    found = {}
    for m in sheet.f_re.finditer(sheet.data):
        if sheet.has_cached_value(m.start()):
            continue
        cell = sheet.cell_around(m.start())
        if cell is None:
            continue
        attrs, inner = cell
        v = _V_RE.search(inner)
        # <v></v> with t="str" is a cached empty text; no <v> or empty <v> otherwise is no cache.
        if v is not None and (v.group(1) or _cell_type(attrs) in (b"str", b"s", b"inlineStr")):
            continue
        pos = _cell_position(attrs)
        if pos is None:
            continue
        f = _F_TEXT_RE.search(inner)
        found[pos] = NoCachedValue(_text(f.group(1)) if f else "")
    return found


def _merge_tuple(ref: Any) -> tuple[int, int, int, int] | None:
    text = ref.decode("ascii", "replace") if isinstance(ref, bytes) else str(ref)
    ends = []
    for piece in text.split(":"):
        m = _CELL_REF_RE.match(piece.encode())
        if not m:
            return None
        col = 0
        for ch in m.group(1).upper():
            col = col * 26 + ch - 64
        ends.append((int(m.group(2)), col))
    if len(ends) == 1:
        ends.append(ends[0])
    (r0, c0), (r1, c1) = ends
    if not (1 <= r0 <= r1 <= MAX_ROW and 1 <= c0 <= c1 <= MAX_COL):
        return None
    return r0, c0, r1, c1


def _excel_unescape(text: str) -> str:
    return _XESC_RE.sub(lambda m: chr(int(m.group(1), 16)), text)


_SI_RE = re.compile(rb"<(?:[\w.-]+:)?(si|is)(?:\s[^>]*)?>(.*?)</(?:[\w.-]+:)?\1>", re.S)
_T_RE = re.compile(rb"<(?:[\w.-]+:)?t(?:\s[^>]*)?>(.*?)</(?:[\w.-]+:)?t>", re.S)
_RPH_RE = re.compile(rb"<(?:[\w.-]+:)?rPh\b.*?</(?:[\w.-]+:)?rPh>", re.S)


def _fix_escaped_escapes(zf: zipfile.ZipFile, scan: ZipScan, sheets: list[RawSheet]) -> None:
    """calamine decodes `_x005F_x0001_` twice (to a control char); Excel means "_x0001_"."""
    fixes: dict[str, str] = {}
    for name, part in scan.parts.items():
        if not part.has_x005f:
            continue
        for m in _SI_RE.finditer(zf.read(name)):
            body = _RPH_RE.sub(b"", m.group(2))
            raw = "".join(_text(t) for t in _T_RE.findall(body))
            if "_x005F_" in raw or "_x005f_" in raw:
                correct = _excel_unescape(raw)
                fixes[_excel_unescape(correct)] = correct
    if not fixes:
        return
    for sheet in sheets:
        for _, values in sheet.rows:
            for i, v in enumerate(values):
                if type(v) is str and v in fixes:
                    values[i] = fixes[v]


# --- xls / ods in a child process -----------------------------------------------------------


def _read_in_child(path: Path, fmt: str, max_cells: int) -> list[RawSheet]:
    """Run calamine in `python -m toolkit.reading --child` under RLIMIT_AS and a timeout."""
    if fmt == "ods":
        scan_zip(path)  # entity and bomb checks apply to ODS packages too
    request = pickle.dumps((str(path), fmt, max_cells))
    from .children import child_env

    env = child_env(dict(os.environ, RUST_BACKTRACE="0"))  # the child dies with us
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "") if env.get("PYTHONPATH") else root
    try:
        proc = subprocess.run([sys.executable, "-m", "toolkit.reading", "--child"], input=request,
                              capture_output=True, timeout=CHILD_TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        raise UnreadableFile(
            "file.timeout", f"读取文件超过 {CHILD_TIMEOUT:.0f} 秒仍未完成（文件结构异常或过于复杂）；{RESAVE}"
        ) from None
    if proc.returncode != 0 or not proc.stdout:
        if proc.returncode in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV, 134, 137):
            raise _too_big()
        raise _corrupt()
    try:
        result = pickle.loads(proc.stdout)
    except Exception:
        raise _corrupt() from None
    if result[0] == "ok":
        return result[1]
    raise UnreadableFile(result[1], result[2])


def _child_main() -> None:
    """Child side: read one xls/ods with calamine, answer with a pickle on stdout."""
    import resource

    from .children import die_with_parent

    die_with_parent()
    path, fmt, max_cells = pickle.loads(sys.stdin.buffer.read())
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = CHILD_MEMORY if hard == resource.RLIM_INFINITY else min(CHILD_MEMORY, hard)
    if soft == resource.RLIM_INFINITY or soft > limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        result: tuple = ("ok", _child_read(Path(path), fmt, max_cells))
    except UnreadableFile as exc:
        result = ("err", exc.code, exc.message)
    except MemoryError:
        exc = _too_big()
        result = ("err", exc.code, exc.message)
    except Exception:
        exc = _corrupt()
        result = ("err", exc.code, exc.message)
    sys.stdout.buffer.write(pickle.dumps(result))
    sys.stdout.buffer.flush()


def _child_read(path: Path, fmt: str, max_cells: int) -> list[RawSheet]:
    import python_calamine as pc

    try:
        with path.open("rb") as fh:
            wb = pc.CalamineWorkbook.from_filelike(fh)
        sheets = _calamine_sheets(wb, max_cells)
    except pc.PasswordError:
        raise _encrypted() from None
    except pc.CalamineError as exc:
        text = str(exc)
        if "Cell limit" in text or "limit exceeded" in text:
            raise _too_many_cells(max_cells) from None
        if "Codepage" in text or "codepage" in text:
            raise UnreadableFile(
                "file.unsupported",
                f"文件使用了不受支持的编码或加密方式（可能设置了密码，或由很旧的软件生成）；{RESAVE}",
            ) from None
        raise _corrupt() from None
    if _count_cells(sheets) > max_cells:
        raise _too_many_cells(max_cells)
    return sheets


# --- csv ----------------------------------------------------------------------------------


def _read_csv(path: Path, max_cells: int, notes: list[str]) -> list[RawSheet]:
    data = path.read_bytes()
    text, note = _decode_csv(data)
    notes.append(note)
    delimiter = _sniff_delimiter(text)
    if delimiter != ",":
        notes.append({"\t": "分隔符为制表符（Tab）", ";": "分隔符为分号", "|": "分隔符为竖线"}[delimiter])
    rows: list[tuple[int, list[Any]]] = []
    count = 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, record in enumerate(reader, 1):
            values = [v if v != "" else None for v in record]
            filled = sum(1 for v in values if v is not None)
            if not filled:
                continue
            count += filled
            if count > max_cells:
                raise _too_many_cells(max_cells)
            while values[-1] is None:
                values.pop()
            rows.append((number, values))
    except csv.Error as exc:
        raise UnreadableFile(
            "csv.malformed", f"CSV 文件格式有误（第 {reader.line_num} 行附近：{exc}）；{RESAVE}"
        ) from None
    return [RawSheet(path.stem or "CSV", rows)]


def _decode_csv(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes; returns (text, note for staff)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8"), "按 UTF-8（带 BOM）编码读取"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16"), "按 UTF-16 编码读取"
    try:
        return data.decode("utf-8"), "按 UTF-8 编码读取"
    except UnicodeDecodeError:
        pass
    bad_line = _mixed_utf8_line(data)
    if bad_line:
        raise UnreadableFile(
            "csv.mixed_encoding",
            f"CSV 文件的编码前后不一致：前面是 UTF-8，从第 {bad_line} 行起是 GBK 等其他编码，无法可靠读取；"
            "请在 Excel 中打开核对后另存为 .xlsx，再放入收件箱",
        )
    try:
        # Excel on Chinese Windows writes GBK; GB18030 is its superset.
        return data.decode("gb18030"), "按 GBK 编码读取"
    except UnicodeDecodeError:
        pass
    import charset_normalizer

    best = charset_normalizer.from_bytes(data).best()
    if best is None or best.encoding is None:
        raise UnreadableFile(
            "csv.encoding", "无法识别 CSV 文件的文字编码；请在 Excel 中打开后另存为 .xlsx，再放入收件箱"
        )
    return str(best), f"按 {best.encoding} 编码读取（自动识别，请核对文字是否正确）"


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UnreadableFile(
            "csv.encoding",
            f"CSV 文件第 {line} 行含有不符合 {encoding.upper()} 编码的文字，文件可能已损坏或编码混杂；"
            "请在 Excel 中打开核对后另存为 .xlsx，再放入收件箱",
        ) from None


def _mixed_utf8_line(data: bytes) -> int:
    """Line number of the first non-UTF-8 line if other lines are clearly UTF-8 text, else 0."""
    first_bad, utf8_lines = 0, 0
    for number, line in enumerate(data.split(b"\n"), 1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            first_bad = first_bad or number
            continue
        # Two or more characters from U+0800 up rarely happen by chance in GBK bytes.
        if sum(1 for ch in text if ord(ch) >= 0x800) >= 2:
            utf8_lines += 1
    return first_bad if utf8_lines and first_bad else 0


def _sniff_delimiter(text: str) -> str:
    lines = [ln for ln in text.splitlines()[:30] if ln.strip()]
    if not lines:
        return ","
    best, best_score = ",", (0, 0)
    for cand in (",", "\t", ";", "|"):
        counts = [ln.count(cand) for ln in lines]
        mode = max(set(counts), key=counts.count)
        score = (sum(1 for c in counts if c == mode) if mode else 0, mode)
        if score > best_score:
            best, best_score = cand, score
    return best


if __name__ == "__main__" and sys.argv[1:] == ["--child"]:
    _child_main()
