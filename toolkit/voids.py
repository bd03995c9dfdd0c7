"""Rows staff mark 作废: the record they were is retired by hand.

Absence never deletes a record (a clerk may keep this month's rows only), so a row
entered by mistake — a repair logged twice, a booking for the wrong car — stayed for
good, its deadlines overdue in every daily list. Any register's sheet may carry a
column 作废 (blank registers have it last): a row marked 是 there retires the record of
its key. The row may stay in the workbook, marked, for every later save; clearing the
mark brings the record back as new.

A marked row is judged for its key alone (its other cells may be half filled: that is
often why it is void). A mark that is neither 是 nor blank, or a key that cannot be
read, holds the row back with a message on the cell. The retired record keeps its
versions in ``record_history`` (the last one marked ``voided``) and leaves the register
(``Ledger.complete_file``); its findings close, as a corrected key's do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .cellref import column_letter
from .fields import FieldProblem, fold, parse_value
from .headers import HeaderMatch, header_key
from .model import CellError, RawSheet
from .registers import RegisterSpec
from .validate import _combine_times, _record_key

COLUMN = "作废"  # the header of the column, as blank registers write it
HEADERS = frozenset(header_key(h) for h in (COLUMN, "是否作废", "作废标记", "作废行"))
YES = frozenset({"是", "作废", "已作废", "y", "yes", "true", "√", "✓", "✔", "1"})
NO = frozenset({"", "否", "n", "no", "false", "0"})
# A register that keeps its own state column for this (发文登记's 文书状态 已作废) takes no mark.
EXEMPT = frozenset({"dispatch"})
HINT = "填“是”表示本行登记有误、整条作废：原记录撤销，其时限与提醒随之解除；不作废请留空。"


@dataclass
class Voided:
    """A row marked 作废 whose key was read: the record it retires, if the ledger has it."""

    register: str
    key: str
    sheet: str
    row: int
    cell: str  # its 作废 cell, where a problem with it is marked


@dataclass
class Marked:
    """What the marked rows of one sheet gave: keys to retire, and rows held back."""

    voided: list[Voided] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    rejected: int = 0
    held_keys: set[str] = field(default_factory=set)


def columns(sheet: RawSheet, match: HeaderMatch) -> list[int]:
    """The 0-based indexes of the sheet's 作废 columns (a sheet may carry two, one copied
    in beside the other: a mark in either counts), none when it has none."""
    if match.spec.name in EXEMPT or COLUMN in match.columns:
        return []
    header = next((values for number, values in sheet.rows if number == match.row), None)
    if header is None:
        return []
    taken = set(match.columns.values())
    return [idx for idx, value in enumerate(header) if idx not in taken and header_key(value) in HEADERS]


def split(sheet: RawSheet, match: HeaderMatch) -> tuple[RawSheet, list[tuple[int, list[Any]]], list[int]]:
    """(the sheet without its marked rows, the marked rows, the 作废 columns).

    Any non-blank mark takes the row out of the register's own validation; ``judge``
    says whether it retires a record or is a mistake to correct. A 作废 cell merged over
    several rows marks each of them (the mark stands beside every one); the marked rows
    carry it in their own cells.
    """
    idxs = columns(sheet, match)
    if not idxs:
        return sheet, [], idxs
    spread = _merged_marks(sheet, idxs, match.row)
    kept: list[tuple[int, list[Any]]] = []
    marked: list[tuple[int, list[Any]]] = []
    for number, values in sheet.rows:
        if number > match.row and any(k[0] == number for k in spread):
            values = _with_marks(values, {idx: v for (row, idx), v in spread.items() if row == number})
        if number > match.row and any(_text(_at(values, idx)) not in NO for idx in idxs):
            marked.append((number, values))
        else:
            kept.append((number, values))
    if not marked:
        return sheet, [], idxs
    return RawSheet(sheet.name, kept, sheet.merged), marked, idxs


def judge(marked: list[tuple[int, list[Any]]], match: HeaderMatch, sheet: str, idxs: list[int]) -> Marked:
    """The keys the marked rows retire, and the problems of those that retire nothing."""
    spec = match.spec
    out = Marked()
    for number, values in marked:
        marks = [(idx, _at(values, idx)) for idx in idxs if _text(_at(values, idx)) not in NO]
        bad = next(((idx, m) for idx, m in marks if _text(m) not in YES), None)
        idx = (bad or marks[0])[0]
        key = _key(spec, match, values, sheet, number)
        if bad is not None:
            shown = _shown(bad[1])
            out.errors.append(CellError(
                sheet, number, COLUMN, f"{column_letter(idx + 1)}{number}", "void.mark",
                f"“{COLUMN}”栏只能填“是”（本行作废）或留空，现为“{shown}”；本行暂未处理，请改正后重新保存。",
                str(bad[1]).strip()[:200]))
        elif isinstance(key, CellError):
            out.errors.append(key)
        else:
            out.voided.append(Voided(spec.name, key, sheet, number, f"{column_letter(idx + 1)}{number}"))
            out.held_keys.add(key)
            continue
        out.rejected += 1
        if isinstance(key, str):
            out.held_keys.add(key)
    return out


def _at(values: list[Any], idx: int) -> Any:
    return values[idx] if idx < len(values) else None


def _shown(mark: Any) -> str:
    """A wrong mark as the message quotes it: as typed, cut short (a pasted paragraph)."""
    text = mark.isoformat(sep=" ") if isinstance(mark, datetime) else str(mark).strip()
    return text if len(text) <= 20 else text[:20] + "…"


def _merged_marks(sheet: RawSheet, idxs: list[int], header_row: int) -> dict[tuple[int, int], Any]:
    """(row, 作废 column) -> the mark of the merged cell that covers it, below its top row."""
    wanted = {idx + 1 for idx in idxs}
    by_row = dict(sheet.rows)
    out: dict[tuple[int, int], Any] = {}
    for r1, c1, r2, c2 in sheet.merged:
        if r2 <= r1 or r1 <= header_row:
            continue
        top = _at(by_row.get(r1, []), c1 - 1)
        for col in wanted:
            if c1 <= col <= c2 and top is not None:
                out.update({(row, col - 1): top for row in range(r1 + 1, r2 + 1)})
    return out


def _with_marks(values: list[Any], marks: dict[int, Any]) -> list[Any]:
    out = list(values) + [None] * (max(marks) + 1 - len(values))
    for idx, mark in marks.items():
        out[idx] = mark
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().lower()


def _key(spec: RegisterSpec, match: HeaderMatch, values: list[Any], sheet: str, number: int) -> str | CellError:
    """The record key of a marked row (validation's own key of its typed key cells), or
    the problem of its key cell."""
    typed: dict[str, Any] = {}
    for name in spec.key_columns:
        raw = _cell(match, values, name)
        try:
            v = parse_value(raw, spec.column(name))
            problem = "未填写"
        except FieldProblem as exc:
            v, problem = None, f"无法识别（{exc.message}）"
        if v is None:
            idx = match.columns.get(name)
            return CellError(
                sheet, number, name, f"{column_letter(idx + 1)}{number}" if idx is not None else None, "void.key",
                f"本行标记作废，但“{name}”{problem}，无法确定要作废哪条记录；本行暂未处理，请补全后重新保存。",
                None if raw is None else str(raw)[:200])
        typed[name] = v
    for name in list(typed):  # identifiers folded, a date joined to its time column: as validation does
        col = spec.column(name)
        if col.type == "text" and isinstance(typed[name], str):
            typed[name] = fold(typed[name])
        if col.type == "datetime" and col.time_column:
            try:
                typed[col.time_column] = parse_value(_cell(match, values, col.time_column),
                                                     spec.column(col.time_column))
            except FieldProblem:
                pass
    _combine_times(spec, typed)
    return _record_key(spec, typed) or ""


def _cell(match: HeaderMatch, values: list[Any], name: str) -> Any:
    idx = match.columns.get(name)
    return values[idx] if idx is not None and idx < len(values) else None
