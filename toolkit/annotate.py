"""The annotated copy: staff get their own workbook back with every problem marked.

Bad cells get a light red fill and a comment; a first sheet “问题清单” lists every
problem with a link to its cell. The copy keeps the original formatting when openpyxl
can open the file in normal mode. That mode fails outright or takes minutes on some
files read-only mode reads (50,000 merges, bad style indexes, illegal sheet names), so
it runs in a child process with a time limit, and only for workbooks whose memory in
that mode stays bounded (``KEEP_FORMAT_MAX_XML``). Otherwise, and on any failure, the
copy is rebuilt from the values already read (``Workbook.sheets``), each value at its
original cell, streamed row by row (openpyxl's write-only mode) so its memory does not
grow with the workbook.
"""

from __future__ import annotations

import json
import logging
import math
import os
import signal
import subprocess
import sys
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell, MergedCell, WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.utils.exceptions import CellCoordinatesException
from openpyxl.workbook.workbook import Workbook as XlWorkbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from .atomic import write_with
from .issuelist import HEADER_ROW, ISSUE_COLUMNS, ISSUES_TITLE
from .model import CellError, RawSheet, Workbook, is_advisory
from .problems import action_lists, action_titles, problem_name
from .xlsxsafe import (
    MAX_CELL_TEXT,
    MAX_COL,
    MAX_ROW,
    clean_text,
    internal_location,
    is_formula_like,
    safe_sheet_title,
    set_text,
    set_value,
)

log = logging.getLogger(__name__)

try:
    import resource

    _HAVE_RLIMIT = True
except ImportError:  # Windows
    _HAVE_RLIMIT = False

_PACKAGE_PARENT = Path(__file__).resolve().parents[1]  # so the child can import toolkit

FALLBACK_NOTE = "原文件格式无法保留，以下为数据副本（请对照修改原文件，或修改本副本后重新提交）"
COMMENT_AUTHOR = "数据校验"
# Our comments start with this mark, so a resubmitted annotated copy can be cleaned.
MARK = "【需修改】"
CHECK_MARK = "【请核对】"  # a cell whose only notes are advice (model.ADVISORY_CODES)
BAD_FILL = PatternFill(fill_type="solid", fgColor="FFFFC7CE")  # Excel's "light red fill"

LINE_HEIGHT = 15  # points per wrapped line of the 问题清单
MAX_FALLBACK_MERGES = 2_000  # more than this is what made normal mode slow; skip them
WIDTH_SAMPLE_ROWS = 200
# Keeping the original's format costs openpyxl's normal mode: bounded by the child's
# processor time (RLIMIT_CPU), so a loaded machine does not turn a file that fits into a
# data copy. The wall clock only guards a child that stops using the processor at all.
CPU_LIMIT_S = 20.0
# Normal mode holds the whole workbook: about 8 bytes of memory per byte of worksheet
# XML (a 20,000-row register: 13 MB of XML, 170 MB). Past this much XML the data copy,
# streamed in bounded memory, is written at once instead of trying.
KEEP_FORMAT_MAX_XML = 16 * 1024 * 1024
WALL_FACTOR = 15

_THIN = Side(style="thin", color="FFBFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill(fill_type="solid", fgColor="FFDDEBF7")
_LINK_FONT = Font(color="FF0563C1", underline="single")
_TOP = Alignment(vertical="top")
_WRAP = Alignment(vertical="top", wrap_text=True)
_CENTER = Alignment(vertical="top", horizontal="center")
# By issue column index: every text column wraps, so nothing is cut off.
_ALIGN = {0: _CENTER, 1: _WRAP, 2: _CENTER, 3: _WRAP, 4: _CENTER, 5: _WRAP, 6: _WRAP, 7: _WRAP}


@dataclass(frozen=True)
class Placed:
    """An error and where it sits in the copy: sheet title and cell, when known."""

    error: CellError
    title: str | None
    coordinate: str | None
    whole_row: bool = False


# --- public entry point ---------------------------------------------------------


def write_annotated_copy(
    source: Path,
    workbook: Workbook,
    errors: list[CellError],
    dest: Path,
    *,
    file_label: str,
    timeout_s: float = CPU_LIMIT_S,
    notes: Sequence[str] = (),
) -> Path:
    """Write the annotated copy of ``source`` to ``dest`` (always .xlsx) atomically.

    ``notes``: lines the 问题清单 says under its summary (keys corrected, old records retired).

    ``timeout_s`` bounds the processor time of keeping the original's format, not the
    wall time: on a machine busy with other work the same file must still come back in
    its own format (see ``_annotate_original_guarded``)."""
    dest = Path(dest)
    if dest.suffix.lower() != ".xlsx":
        dest = dest.with_suffix(".xlsx")

    def writer(tmp: Path) -> None:
        if _may_keep_format(Path(source), workbook):
            xml = _sheets_xml_size(Path(source))
            if xml > KEEP_FORMAT_MAX_XML:
                reason: str | None = f"工作表内容 {xml / 1024 / 1024:.0f} MB，按原格式打开所需内存过多"
            else:
                reason = _annotate_original_guarded(Path(source), errors, tmp, file_label, timeout_s, notes)
                if reason is None:
                    return
            # The reason names the archived original; staff know the file by its own name.
            reason = reason.replace(str(Path(source).resolve()), file_label).replace(str(source), file_label)
            log.info("%s 的退回批注无法保留原格式，改为数据副本（%s）", file_label, reason)
        save_data_copy(workbook, errors, file_label, tmp, notes)

    return write_with(dest, writer)


def _may_keep_format(source: Path, workbook: Workbook) -> bool:
    """Only zip-based Excel files can be opened by openpyxl; .xls/.ods/.csv never."""
    return workbook.format in ("xlsx", "xlsm") and source.is_file() and zipfile.is_zipfile(source)


def _sheets_xml_size(source: Path) -> int:
    """Bytes of worksheet and shared-string XML normal mode would parse (0 if unreadable:
    the child then finds out why)."""
    try:
        with zipfile.ZipFile(source) as z:
            return sum(i.file_size for i in z.infolist()
                       if i.filename.startswith("xl/worksheets/") or i.filename == "xl/sharedStrings.xml")
    except (OSError, zipfile.BadZipFile, ValueError):
        return 0


# --- the original workbook, in a child process ----------------------------------


# The child is told the packs' action codes and titles, so it need not import the packs (half a
# second of its start-up, paid by every return copy that keeps the original's format).
_CHILD_ACTIONS: dict[str, str] | None = None
_CHILD_LISTS: dict[str, str] | None = None


def _action_titles() -> dict[str, str]:
    return action_titles() if _CHILD_ACTIONS is None else _CHILD_ACTIONS


def _action_lists() -> dict[str, str]:
    return action_lists() if _CHILD_LISTS is None else _CHILD_LISTS


def _annotate_original_guarded(
    source: Path, errors: list[CellError], out: Path, file_label: str, timeout_s: float,
    notes: Sequence[str] = (),
) -> str | None:
    """Annotate the original in a child process; None on success, else why not.

    A plain subprocess rather than multiprocessing: "spawn" would re-run the caller's
    main script when it lacks an ``if __name__ == "__main__"`` guard, and "fork" is
    unsafe next to the watcher's threads.
    """
    payload = json.dumps({
        "cpu_s": timeout_s,
        "source": str(Path(source).resolve()),
        "out": str(Path(out).resolve()),
        "file_label": file_label,
        "notes": list(notes),
        "errors": [e.to_dict() for e in errors],
        "action_titles": _action_titles(),
        "action_lists": _action_lists(),
    }, default=str).encode("utf-8")  # default=str: a stray non-text value must not stop the copy
    from .children import child_env

    env = child_env()  # the child dies with us
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PACKAGE_PARENT), env.get("PYTHONPATH")) if p)
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # no console flashing up on Windows
    try:
        proc = subprocess.run(
            [sys.executable, "-c", "from toolkit.annotate import child_main; child_main()"],
            input=payload, capture_output=True, timeout=timeout_s * WALL_FACTOR, env=env, creationflags=flags,
        )
    except subprocess.TimeoutExpired:  # run() has killed the child already
        return f"按原格式打开超过 {timeout_s * WALL_FACTOR:g} 秒"
    except OSError as exc:
        return f"未能启动子进程：{exc}"
    if _HAVE_RLIMIT and proc.returncode == -getattr(signal, "SIGXCPU", 24):
        return f"按原格式打开所需处理器时间超过 {timeout_s:g} 秒"
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip()
        return detail[-500:] or f"子进程退出码 {proc.returncode}"
    return None


def child_main() -> None:
    """Entry point of the child: a JSON job on stdin; exit code 1 and a reason on failure."""
    from .children import die_with_parent

    die_with_parent()
    warnings.simplefilter("ignore")  # openpyxl's warnings would bury the reason
    try:
        job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
        _limit_cpu(float(job.get("cpu_s") or CPU_LIMIT_S))
        errors = [CellError(**e) for e in job["errors"]]
        global _CHILD_ACTIONS, _CHILD_LISTS
        _CHILD_ACTIONS = dict(job.get("action_titles") or {})
        _CHILD_LISTS = dict(job.get("action_lists") or {})
        annotate_original(Path(job["source"]), errors, Path(job["out"]), job["file_label"], job.get("notes") or ())
    except BaseException as exc:  # anything at all means: use the data copy
        sys.stderr.write(f"{type(exc).__name__}: {exc}\n")
        sys.stderr.flush()
        os._exit(1)


def _limit_cpu(seconds: float) -> None:
    """SIGXCPU (then SIGKILL) once this process has used ``seconds`` of processor time."""
    if not _HAVE_RLIMIT:
        return  # Windows: the wall clock (× WALL_FACTOR) is the only bound
    soft = max(1, math.ceil(seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 1))


def annotate_original(source: Path, errors: list[CellError], out: Path, file_label: str,
                      notes: Sequence[str] = ()) -> None:
    """Open ``source`` in openpyxl normal mode, mark it, save to ``out``. May raise or hang."""
    with open(source, "rb") as fh:  # a file object: openpyxl then ignores the extension
        wb = openpyxl.load_workbook(fh, keep_vba=False)
    if not wb.worksheets:
        raise ValueError("openpyxl found no worksheets (Strict OOXML?)")
    _remove_old_issue_sheets(wb)
    _clear_old_marks(wb.worksheets)
    titles = {ws.title: ws.title for ws in wb.worksheets}
    placed = place_errors(errors, titles, _sheet_order(wb))
    mark_cells(wb, placed)
    issues = wb.create_sheet(safe_sheet_title(ISSUES_TITLE, wb.sheetnames), 0)
    fill_issue_sheet(issues, placed, file_label, fallback=False, notes=notes)
    _chartsheets_last(wb)
    _make_first_active(wb)
    wb.save(out)
    # Cheap read-back (read-only parses only the workbook part): a copy openpyxl
    # itself cannot reopen is not handed to staff; the data copy is used instead.
    openpyxl.load_workbook(out, read_only=True).close()


def _chartsheets_last(wb: XlWorkbook) -> None:
    """openpyxl numbers sheet-local names by worksheet index, skipping chartsheets,
    so a chartsheet before a worksheet shifts its print area onto the wrong sheet."""
    for chart in list(wb.chartsheets):
        wb.move_sheet(chart.title, len(wb.sheetnames) - 1 - wb.sheetnames.index(chart.title))


def _is_issue_sheet(ws: Worksheet) -> bool:
    return (
        ws.title.startswith(ISSUES_TITLE)
        and ws.cell(HEADER_ROW, 1).value == ISSUE_COLUMNS[0][0]
        and ws.cell(HEADER_ROW, 2).value == ISSUE_COLUMNS[1][0]
    )


def _remove_old_issue_sheets(wb: XlWorkbook) -> None:
    """A resubmitted annotated copy carries last round's list; it is replaced."""
    for ws in list(wb.worksheets):
        if _is_issue_sheet(ws) and len(wb.worksheets) > 1:
            wb.remove(ws)


def _clear_old_marks(sheets: Iterable[Worksheet]) -> None:
    """Remove last round's comments and fills so a fixed cell no longer looks wrong."""
    for ws in sheets:
        # Only cells that exist; iterating the dimension could mean a million rows.
        for cell in list(getattr(ws, "_cells", {}).values()):
            comment = cell.comment
            text = comment.text if comment is not None else ""
            at = min((text.find(m) for m in (MARK, CHECK_MARK) if m in text), default=-1)
            if at < 0:
                continue
            own = text[:at].rstrip()
            cell.comment = Comment(own, comment.author) if own else None
            if _is_bad_fill(cell.fill):
                cell.fill = PatternFill(fill_type=None)


def _is_bad_fill(fill: PatternFill) -> bool:
    rgb = getattr(fill.fgColor, "rgb", None)
    return fill.fill_type == "solid" and isinstance(rgb, str) and rgb.upper() == BAD_FILL.fgColor.rgb


def _make_first_active(wb: XlWorkbook) -> None:
    """Open on the list; clear other selected tabs or Excel groups the sheets."""
    for ws in wb.worksheets:
        for view in ws.views.sheetView:
            view.tabSelected = False
    wb.active = 0
    wb.worksheets[0].sheet_view.tabSelected = True
    for view in wb.views:
        view.firstSheet = 0
        view.activeTab = 0


# --- the data copy (fallback) --------------------------------------------------------


def save_data_copy(workbook: Workbook, errors: list[CellError], file_label: str, out: Path,
                   notes: Sequence[str] = ()) -> None:
    """A fresh workbook of the values read, each at its original row and column.

    Streamed in openpyxl's write-only mode, a row at a time: the copy adds to memory only
    its marked cells and the issue list, whatever the workbook's size (the values read are
    in memory already). A marked cell is written as a cell with the fill and the comment.
    """
    wb = openpyxl.Workbook(write_only=True)
    issues = wb.create_sheet(ISSUES_TITLE)
    titles: dict[str, str] = {}
    targets: list[tuple[RawSheet, WriteOnlyWorksheet]] = []
    for raw in workbook.sheets:
        ws = wb.create_sheet(safe_sheet_title(raw.name, wb.sheetnames))
        titles.setdefault(raw.name, ws.title)
        targets.append((raw, ws))
    order = {raw.name: i for i, raw in enumerate(workbook.sheets)}
    placed = place_errors(errors, titles, order)
    issues.sheet_view.tabSelected = True  # the copy opens on the list
    fill_issue_sheet(issues, placed, file_label, fallback=True, notes=notes)
    marks = _marks_by_sheet(placed)
    for raw, ws in targets:
        _stream_values(ws, raw, marks.get(ws.title, {}))
    wb.save(out)


# A cell's notes: (message, whether it is only advice to check), in the list's order.
Notes = list[tuple[str, bool]]


def _marks_by_sheet(placed: list[Placed]) -> dict[str, dict[tuple[int, int], Notes]]:
    """title → (row, column) → the notes of that cell."""
    out: dict[str, dict[tuple[int, int], Notes]] = {}
    for p in placed:
        if p.title and p.coordinate:
            letters, row = coordinate_from_string(p.coordinate)
            cell = (row, column_index_from_string(letters))
            out.setdefault(p.title, {}).setdefault(cell, []).append((_mark_text(p), is_advisory(p.error.code)))
    return out


def _stream_values(ws: WriteOnlyWorksheet, raw: RawSheet, marks: dict[tuple[int, int], Notes]) -> None:
    merges = []
    if len(raw.merged) <= MAX_FALLBACK_MERGES:
        merges = [(r1, c1, r2, c2) for r1, c1, r2, c2 in raw.merged
                  if 1 <= r1 <= r2 <= MAX_ROW and 1 <= c1 <= c2 <= MAX_COL and (r1, c1) != (r2, c2)]
    for r1, c1, r2, c2 in merges:
        ws.merged_cells.add(CellRange(min_col=c1, min_row=r1, max_col=c2, max_row=r2))
    # By row: (column, messages); a covered cell of a merge is marked on its top-left cell.
    by_row: dict[int, dict[int, Notes]] = {}
    for (row, col), messages in marks.items():
        for r1, c1, r2, c2 in merges:
            if r1 <= row <= r2 and c1 <= col <= c2:
                row, col = r1, c1
                break
        by_row.setdefault(row, {}).setdefault(col, []).extend(messages)
    _fit_widths(ws, raw)  # before the first row: widths and page setup go at the sheet's top
    _print_wide(ws)
    rows = raw.rows
    if any(rows[i][0] >= rows[i + 1][0] for i in range(len(rows) - 1)):
        rows = _ordered(rows)
    marked = sorted(by_row)
    written = mi = 0
    for row_no, values in rows:
        if not 1 <= row_no <= MAX_ROW:
            continue  # a bogus coordinate Excel could not show anyway
        while mi < len(marked) and marked[mi] < row_no:  # a marked cell in a row the file left empty
            written = _append(ws, written, marked[mi], [], by_row)
            mi += 1
        written = _append(ws, written, row_no, values, by_row)
    for row_no in marked[mi:]:
        written = _append(ws, written, row_no, [], by_row)


def _ordered(rows: list[tuple[int, list[Any]]]) -> list[tuple[int, list[Any]]]:
    """Rows in order, one per number (a reader that gave a row twice: its later values win,
    as writing both into one sheet would)."""
    by_row: dict[int, list[Any]] = {}
    for row_no, values in rows:
        old = by_row.setdefault(row_no, [])
        old.extend([None] * (len(values) - len(old)))
        for ci, v in enumerate(values):
            if v is not None and v != "":
                old[ci] = v
    return sorted(by_row.items())


def _append(ws: WriteOnlyWorksheet, written: int, row_no: int, values: list[Any],
            by_row: dict[int, dict[int, Notes]]) -> int:
    """Write row ``row_no`` after ``written`` (the rows between stay empty); the last row written."""
    if row_no <= written:
        return written
    for _ in range(written + 1, row_no):
        ws.append(())
    cells: list[Any] = [_plain(ws, v) for v in values[:MAX_COL]]
    for col, notes in by_row.get(row_no, {}).items():
        if col > len(cells):
            cells.extend([None] * (col - len(cells)))
        cell = WriteOnlyCell(ws)
        set_value(cell, values[col - 1] if col <= len(values) else None)
        cell.fill = BAD_FILL
        mark = CHECK_MARK if all(advice for _, advice in notes) else MARK  # as mark_cells does
        cell.comment = _comment_for(cell, [m for m, _ in notes], mark)
        cells[col - 1] = cell
    ws.append(cells)
    return row_no


def _plain(ws: WriteOnlyWorksheet, value: Any) -> Any:
    """A value as it goes into the copy: itself when openpyxl stores it as it is, else a
    cell holding it as ``set_value`` does (text that looks like a formula or an error
    code, control characters, NaN, a time zone …)."""
    if value is None or value == "":
        return None
    t = type(value)
    if t is str:
        if not is_formula_like(value) and value not in ERROR_CODES and len(value) <= MAX_CELL_TEXT \
                and not ILLEGAL_CHARACTERS_RE.search(value):
            return value
    elif t is int or t is Decimal or t is bool or t is date:
        return value
    elif t is float:
        if math.isfinite(value):
            return value
    elif t is datetime:
        if value.tzinfo is None:
            return value
    cell = WriteOnlyCell(ws)
    set_value(cell, value)
    return cell


def _print_wide(ws: Worksheet | WriteOnlyWorksheet) -> None:
    """Landscape, all columns on one page width: how staff print a register."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def _text_width(value: Any) -> int:
    """Rough display width: a Chinese character takes two columns."""
    text = str(value) if value is not None else ""
    first = text[:200].split("\n", 1)[0]  # widths are capped anyway; never scan a huge cell
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in first)


def _fit_widths(ws: Worksheet | WriteOnlyWorksheet, raw: RawSheet) -> None:
    widths: dict[int, int] = {}
    for _, values in raw.rows[:WIDTH_SAMPLE_ROWS]:
        if sum(v is not None and v != "" for v in values) < 2:
            continue  # a title or note row, usually merged across: not a column's width
        for ci, value in enumerate(values[:MAX_COL]):
            widths[ci] = max(widths.get(ci, 0), _text_width(value))
    for ci, w in widths.items():
        if w:
            ws.column_dimensions[get_column_letter(ci + 1)].width = min(max(w + 2, 8), 50)


# --- placing and marking errors --------------------------------------------------


def _sheet_order(wb: XlWorkbook) -> dict[str, int]:
    return {ws.title: i for i, ws in enumerate(wb.worksheets)}


def _valid_coordinate(ref: str) -> str | None:
    """``C5`` normalised, or None for a reference Excel cannot hold."""
    try:
        letters, row = coordinate_from_string(ref.replace("$", "").strip().upper())
        col = column_index_from_string(letters)
    except (CellCoordinatesException, ValueError, TypeError):
        return None
    if 1 <= row <= MAX_ROW and 1 <= col <= MAX_COL:
        return f"{letters}{row}"
    return None


def _place(error: CellError, titles: dict[str, str]) -> Placed:
    title = titles.get(error.sheet)
    if title is None:
        return Placed(error, None, None)
    if error.cell:
        return Placed(error, title, _valid_coordinate(error.cell))
    if error.row is not None and 1 <= error.row <= MAX_ROW:
        return Placed(error, title, f"A{error.row}", whole_row=True)
    return Placed(error, title, None)


def _sort_key(p: Placed, order: dict[str, int]) -> tuple[int, int, int]:
    e = p.error
    col = 0
    if p.coordinate and not p.whole_row:
        col = column_index_from_string(coordinate_from_string(p.coordinate)[0])
    return (order.get(e.sheet, len(order)), e.row or 0, col)


def place_errors(errors: list[CellError], titles: dict[str, str], order: dict[str, int]) -> list[Placed]:
    """Where each error goes (sheet title in the copy, cell), in sheet/row/column order."""
    placed = [_place(e, titles) for e in errors]
    return sorted(placed, key=lambda p: _sort_key(p, order))  # stable: same cell keeps input order


def _anchor(ws: Worksheet, coordinate: str) -> Cell:
    """The cell to mark; a covered cell of a merge is marked on its top-left cell."""
    cell = ws[coordinate]
    if isinstance(cell, MergedCell):
        for rng in ws.merged_cells.ranges:
            if cell.coordinate in rng:
                return ws.cell(rng.min_row, rng.min_col)
    return cell


def _comment_text(messages: list[str], mark: str = MARK) -> str:
    messages = [clean_text(m) for m in messages]  # a control character would corrupt the file
    if len(messages) == 1:
        return f"{mark}{messages[0]}"
    return mark + "\n" + "\n".join(f"{i}. {m}" for i, m in enumerate(messages, 1))


def _comment_for(cell: Cell, messages: list[str], mark: str = MARK) -> Comment:
    text = _comment_text(messages, mark)
    old = cell.comment
    if old is not None and old.text.strip():
        text = f"{old.text.rstrip()}\n\n{text}"  # staff's own note stays first
    chars = sum(max(1, len(line) // 16 + 1) for line in text.split("\n"))
    return Comment(text, COMMENT_AUTHOR, height=min(40 + 18 * chars, 400), width=260)


def _mark_text(p: Placed) -> str:
    return p.error.message if not p.whole_row else f"（整行）{p.error.message}"


def mark_cells(wb: XlWorkbook, placed: list[Placed]) -> None:
    """Light red fill and one comment per bad cell; several errors are joined."""
    by_cell: dict[tuple[str, str], list[str]] = {}
    to_correct: set[tuple[str, str]] = set()  # cells with more than advice to check
    for p in placed:
        if p.title and p.coordinate:
            by_cell.setdefault((p.title, p.coordinate), []).append(_mark_text(p))
            if not is_advisory(p.error.code):
                to_correct.add((p.title, p.coordinate))
    for (title, coordinate), messages in by_cell.items():
        ws = wb[title]
        if not isinstance(ws, Worksheet):
            continue  # a chartsheet has no cells
        cell = _anchor(ws, coordinate)
        cell.fill = BAD_FILL
        cell.comment = _comment_for(cell, messages, MARK if (title, coordinate) in to_correct else CHECK_MARK)


# --- the 问题清单 sheet -----------------------------------------------------------
# Written row by row with ``append`` into a fresh sheet, so the same code serves the
# original's copy (normal mode) and the data copy (write-only mode, where every style,
# width, height and the frozen header must be set on the cells and sheet as they go).


def _cell(ws: Worksheet | WriteOnlyWorksheet, row: int, col: int, value: Any = None, *, text: bool = False) -> Cell:
    cell = Cell(ws, row=row, column=col)  # the coordinate is right at once: a link's ref is taken from it
    if text:
        set_text(cell, value)
    elif value is not None:
        cell.value = value
    return cell


def _merge(ws: Worksheet | WriteOnlyWorksheet, ref: str) -> None:
    if isinstance(ws, Worksheet):
        ws.merge_cells(ref)
    else:
        ws.merged_cells.add(ref)


def _summary(placed: list[Placed], codes: dict[str, str]) -> str:
    advice = sum(1 for p in placed if is_advisory(p.error.code))
    if advice == 0:
        return _summary_of(placed, codes)
    note = f"{advice} 处仅请核对，核对无误可不改"
    rest = [p for p in placed if not is_advisory(p.error.code)]
    return f"{_summary_of(rest, codes)}；另有{note}" if rest else f"共 {advice} 处请核对：{note}"


def _summary_of(placed: list[Placed], codes: dict[str, str]) -> str:
    count = len(placed)
    if count == 0:  # a copy made only for what its notes say (rows missing since the last save)
        return "表中没有需要修改的单元格，请看以下说明"
    acts = sum(1 for p in placed if p.error.code in codes)
    if acts == 0:
        return f"共 {count} 处问题，请按说明修改后重新保存到收件箱"
    # Where the actions are listed again for whoever acts (each pack says which report).
    lists = _action_lists()
    names = sorted({lists[p.error.code] for p in placed if p.error.code in codes and lists.get(p.error.code)})
    listed = f"（已列入{'、'.join(names)}）" if names else ""
    if acts == count:
        return f"共 {count} 处须处理的事项{listed}，请按“说明”中的处理人和办法处理"
    return (f"共 {count} 处问题：{count - acts} 处填写有误，请修改后重新保存到收件箱；"
            f"{acts} 处须有关人员处理{listed}")


def _heading(ws: Worksheet | WriteOnlyWorksheet, placed: list[Placed], file_label: str, fallback: bool,
             codes: dict[str, str], notes: Sequence[str] = ()) -> None:
    title = _cell(ws, 1, 1, f"{file_label} — 问题清单", text=True)
    title.font = Font(bold=True, size=14)
    ws.row_dimensions[1].height = 24
    ws.append([title])
    # Keys the save corrected (their old records retired) are said under the summary.
    summary = _cell(ws, 2, 1, "\n".join([_summary(placed, codes), *notes]), text=True)
    summary.font = Font(size=11)
    if notes:
        summary.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[2].height = LINE_HEIGHT * (1 + len(notes)) + 3
    ws.append([summary])
    if fallback:
        note = _cell(ws, 3, 1, FALLBACK_NOTE, text=True)
        note.font = Font(bold=True, color="FFC00000")
        ws.append([note])
    else:
        ws.append([])
    last = get_column_letter(len(ISSUE_COLUMNS))
    for row in (1, 2, 3):
        _merge(ws, f"A{row}:{last}{row}")


def _header_row(ws: Worksheet | WriteOnlyWorksheet) -> None:
    cells = []
    for ci, (name, _width) in enumerate(ISSUE_COLUMNS, 1):
        cell = _cell(ws, HEADER_ROW, ci, name)
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cells.append(cell)
    ws.append(cells)


def _where_text(p: Placed) -> str:
    if p.error.cell:
        return p.error.cell
    if p.error.row is not None:
        return "整行"
    return "整张表"


def _issue_row(ws: Worksheet | WriteOnlyWorksheet, row: int, n: int, p: Placed, titles: dict[str, str]) -> None:
    e = p.error
    cells = [_cell(ws, row, ci) for ci in range(1, len(ISSUE_COLUMNS) + 1)]
    cells[0].value = n
    set_text(cells[1], e.sheet)
    if e.row is not None:
        cells[2].value = e.row
    set_text(cells[3], e.column or "")
    set_text(cells[4], _where_text(p))
    set_text(cells[5], problem_name(e.code, titles))
    set_text(cells[6], e.message)
    if e.value is not None:
        set_text(cells[7], str(e.value))
    ws.row_dimensions[row].height = LINE_HEIGHT * _lines(cells)
    if p.title and p.coordinate:
        cells[4].hyperlink = Hyperlink(
            ref=cells[4].coordinate, location=internal_location(p.title, p.coordinate), tooltip="跳转到该单元格"
        )
        cells[4].font = _LINK_FONT
    for ci, cell in enumerate(cells):
        cell.border = _BORDER
        cell.alignment = _ALIGN.get(ci, _TOP)
    ws.append(cells)


def _lines(cells: list[Cell]) -> int:
    """How many lines the tallest wrapped cell of an issue row takes at its column width."""
    most = 1
    for ci, cell in enumerate(cells):
        if cell.value is None or ci not in _ALIGN or not _ALIGN[ci].wrap_text:
            continue
        width = ISSUE_COLUMNS[ci][1] - 1
        lines = sum(max(1, -(-_display_width(part) // width)) for part in str(cell.value).split("\n"))
        most = max(most, lines)
    return min(most, 30)


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def fill_issue_sheet(ws: Worksheet | WriteOnlyWorksheet, placed: list[Placed], file_label: str, *,
                     fallback: bool, notes: Sequence[str] = ()) -> None:
    """Heading, bold frozen header with filter, one row per problem with a link.

    ``ws`` is a new, empty sheet; what a write-only sheet writes at its top (widths,
    frozen pane, tab colour, page setup) is set before the first row."""
    for ci, (_name, width) in enumerate(ISSUE_COLUMNS, 1):
        ws.column_dimensions[get_column_letter(ci)].width = width
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.sheet_properties.tabColor = "FFC00000"
    _print_wide(ws)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    last_row = HEADER_ROW + max(len(placed), 1)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(ISSUE_COLUMNS))}{last_row}"
    titles = _action_titles()
    _heading(ws, placed, file_label, fallback, titles, notes)
    _header_row(ws)
    for n, p in enumerate(placed, 1):
        _issue_row(ws, HEADER_ROW + n, n, p, titles)
