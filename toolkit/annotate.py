"""The annotated copy: staff get their own workbook back with every problem marked.

Bad cells get a light red fill and a comment; a first sheet “问题清单” lists every
problem with a link to its cell. The copy keeps the original formatting when openpyxl
can open the file in normal mode. That mode fails outright or takes minutes on some
files read-only mode reads (50,000 merges, bad style indexes, illegal sheet names), so
it runs in a child process with a time limit; on any failure the copy is rebuilt from
the values already read (``Workbook.sheets``), each value at its original cell.
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
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.utils.exceptions import CellCoordinatesException
from openpyxl.workbook.workbook import Workbook as XlWorkbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from .atomic import write_with
from .model import CellError, RawSheet, Workbook
from .problems import action_titles, problem_name
from .xlsxsafe import (
    MAX_COL,
    MAX_ROW,
    clean_text,
    internal_location,
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

ISSUES_TITLE = "问题清单"
FALLBACK_NOTE = "原文件格式无法保留，以下为数据副本（请对照修改原文件，或修改本副本后重新提交）"
COMMENT_AUTHOR = "数据校验"
# Our comments start with this mark, so a resubmitted annotated copy can be cleaned.
MARK = "【需修改】"
BAD_FILL = PatternFill(fill_type="solid", fgColor="FFFFC7CE")  # Excel's "light red fill"

HEADER_ROW = 4  # rows 1–3: file name, count, fallback note
ISSUE_COLUMNS: list[tuple[str, int]] = [
    ("序号", 6), ("工作表", 14), ("行", 6), ("列", 12), ("单元格", 9),
    ("问题", 16), ("说明", 56), ("原值", 22),
]
LINE_HEIGHT = 15  # points per wrapped line of the 问题清单
MAX_FALLBACK_MERGES = 2_000  # more than this is what made normal mode slow; skip them
WIDTH_SAMPLE_ROWS = 200
# Keeping the original's format costs openpyxl's normal mode: bounded by the child's
# processor time (RLIMIT_CPU), so a loaded machine does not turn a file that fits into a
# data copy. The wall clock only guards a child that stops using the processor at all.
CPU_LIMIT_S = 20.0
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
) -> Path:
    """Write the annotated copy of ``source`` to ``dest`` (always .xlsx) atomically.

    ``timeout_s`` bounds the processor time of keeping the original's format, not the
    wall time: on a machine busy with other work the same file must still come back in
    its own format (see ``_annotate_original_guarded``)."""
    dest = Path(dest)
    if dest.suffix.lower() != ".xlsx":
        dest = dest.with_suffix(".xlsx")

    def writer(tmp: Path) -> None:
        if _may_keep_format(Path(source), workbook):
            reason = _annotate_original_guarded(Path(source), errors, tmp, file_label, timeout_s)
            if reason is None:
                return
            # The reason names the archived original; staff know the file by its own name.
            reason = reason.replace(str(Path(source).resolve()), file_label).replace(str(source), file_label)
            log.info("%s 的退回批注无法保留原格式，改为数据副本（%s）", file_label, reason)
        build_data_copy(workbook, errors, file_label).save(tmp)

    return write_with(dest, writer)


def _may_keep_format(source: Path, workbook: Workbook) -> bool:
    """Only zip-based Excel files can be opened by openpyxl; .xls/.ods/.csv never."""
    return workbook.format in ("xlsx", "xlsm") and source.is_file() and zipfile.is_zipfile(source)


# --- the original workbook, in a child process ----------------------------------


# The child is told the packs' action codes and titles, so it need not import the packs (half a
# second of its start-up, paid by every return copy that keeps the original's format).
_CHILD_ACTIONS: dict[str, str] | None = None


def _action_titles() -> dict[str, str]:
    return action_titles() if _CHILD_ACTIONS is None else _CHILD_ACTIONS


def _annotate_original_guarded(
    source: Path, errors: list[CellError], out: Path, file_label: str, timeout_s: float
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
        "errors": [e.to_dict() for e in errors],
        "action_titles": _action_titles(),
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
        global _CHILD_ACTIONS
        _CHILD_ACTIONS = dict(job.get("action_titles") or {})
        annotate_original(Path(job["source"]), errors, Path(job["out"]), job["file_label"])
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


def annotate_original(source: Path, errors: list[CellError], out: Path, file_label: str) -> None:
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
    fill_issue_sheet(issues, placed, file_label, fallback=False)
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


def is_issue_list(sheet: RawSheet) -> bool:
    """A 问题清单 sheet of ours, as read back from a return copy saved into inbox/."""
    if not sheet.name.startswith(ISSUES_TITLE):
        return False
    for row_no, values in sheet.rows:
        if row_no == HEADER_ROW:
            return [str(v) for v in values[:2]] == [ISSUE_COLUMNS[0][0], ISSUE_COLUMNS[1][0]]
        if row_no > HEADER_ROW:
            break
    return False


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
            if comment is None or MARK not in comment.text:
                continue
            own = comment.text.split(MARK, 1)[0].rstrip()
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


def build_data_copy(workbook: Workbook, errors: list[CellError], file_label: str) -> XlWorkbook:
    """A fresh workbook of the values read, each at its original row and column."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    issues = wb.create_sheet(ISSUES_TITLE)
    titles: dict[str, str] = {}
    for raw in workbook.sheets:
        title = safe_sheet_title(raw.name, wb.sheetnames)
        titles.setdefault(raw.name, title)
        ws = wb.create_sheet(title)
        _copy_values(ws, raw)
    order = {raw.name: i for i, raw in enumerate(workbook.sheets)}
    placed = place_errors(errors, titles, order)
    mark_cells(wb, placed)
    fill_issue_sheet(issues, placed, file_label, fallback=True)
    _make_first_active(wb)
    return wb


def _copy_values(ws: Worksheet, raw: RawSheet) -> None:
    for row_no, values in raw.rows:
        if not 1 <= row_no <= MAX_ROW:
            continue  # a bogus coordinate Excel could not show anyway
        for ci, value in enumerate(values[:MAX_COL]):
            if value is not None and value != "":
                set_value(ws.cell(row_no, ci + 1), value)
    if len(raw.merged) <= MAX_FALLBACK_MERGES:
        for r1, c1, r2, c2 in raw.merged:
            if 1 <= r1 <= r2 <= MAX_ROW and 1 <= c1 <= c2 <= MAX_COL and (r1, c1) != (r2, c2):
                ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    _fit_widths(ws, raw)
    _print_wide(ws)


def _print_wide(ws: Worksheet) -> None:
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


def _fit_widths(ws: Worksheet, raw: RawSheet) -> None:
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


def _comment_text(messages: list[str]) -> str:
    messages = [clean_text(m) for m in messages]  # a control character would corrupt the file
    if len(messages) == 1:
        return f"{MARK}{messages[0]}"
    return MARK + "\n" + "\n".join(f"{i}. {m}" for i, m in enumerate(messages, 1))


def _comment_for(cell: Cell, messages: list[str]) -> Comment:
    text = _comment_text(messages)
    old = cell.comment
    if old is not None and old.text.strip():
        text = f"{old.text.rstrip()}\n\n{text}"  # staff's own note stays first
    chars = sum(max(1, len(line) // 16 + 1) for line in text.split("\n"))
    return Comment(text, COMMENT_AUTHOR, height=min(40 + 18 * chars, 400), width=260)


def mark_cells(wb: XlWorkbook, placed: list[Placed]) -> None:
    """Light red fill and one comment per bad cell; several errors are joined."""
    by_cell: dict[tuple[str, str], list[str]] = {}
    for p in placed:
        if p.title and p.coordinate:
            msg = p.error.message if not p.whole_row else f"（整行）{p.error.message}"
            by_cell.setdefault((p.title, p.coordinate), []).append(msg)
    for (title, coordinate), messages in by_cell.items():
        ws = wb[title]
        if not isinstance(ws, Worksheet):
            continue  # a chartsheet has no cells
        cell = _anchor(ws, coordinate)
        cell.fill = BAD_FILL
        cell.comment = _comment_for(cell, messages)


# --- the 问题清单 sheet -----------------------------------------------------------


def _heading(ws: Worksheet, placed: list[Placed], file_label: str, fallback: bool, codes: dict[str, str]) -> None:
    last = get_column_letter(len(ISSUE_COLUMNS))
    set_text(ws["A1"], f"{file_label} — 问题清单")
    ws["A1"].font = Font(bold=True, size=14)
    count = len(placed)
    acts = sum(1 for p in placed if p.error.code in codes)
    if acts == 0:
        summary = f"共 {count} 处问题，请按说明修改后重新保存到收件箱"
    elif acts == count:
        summary = f"共 {count} 处须处理的事项（已列入待办与逾期日报），请按“说明”中的处理人和办法处理"
    else:
        summary = (f"共 {count} 处问题：{count - acts} 处填写有误，请修改后重新保存到收件箱；"
                   f"{acts} 处须有关人员处理（已列入待办与逾期日报）")
    set_text(ws["A2"], summary)
    ws["A2"].font = Font(size=11)
    if fallback:
        set_text(ws["A3"], FALLBACK_NOTE)
        ws["A3"].font = Font(bold=True, color="FFC00000")
    for row in (1, 2, 3):
        ws.merge_cells(f"A{row}:{last}{row}")
    ws.row_dimensions[1].height = 24


def _header_row(ws: Worksheet) -> None:
    for ci, (name, width) in enumerate(ISSUE_COLUMNS, 1):
        cell = ws.cell(HEADER_ROW, ci, name)
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[get_column_letter(ci)].width = width


def _where_text(p: Placed) -> str:
    if p.error.cell:
        return p.error.cell
    if p.error.row is not None:
        return "整行"
    return "整张表"


def _issue_row(ws: Worksheet, row: int, n: int, p: Placed, titles: dict[str, str]) -> None:
    e = p.error
    cells = [ws.cell(row, ci) for ci in range(1, len(ISSUE_COLUMNS) + 1)]
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


def fill_issue_sheet(ws: Worksheet, placed: list[Placed], file_label: str, *, fallback: bool) -> None:
    """Heading, bold frozen header with filter, one row per problem with a link."""
    titles = _action_titles()
    _heading(ws, placed, file_label, fallback, titles)
    _header_row(ws)
    for n, p in enumerate(placed, 1):
        _issue_row(ws, HEADER_ROW + n, n, p, titles)
    last_row = HEADER_ROW + max(len(placed), 1)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(ISSUE_COLUMNS))}{last_row}"
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.sheet_properties.tabColor = "FFC00000"
    _print_wide(ws)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
