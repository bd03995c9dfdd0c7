"""Cell-level validation: rows of a recognised sheet in, typed records and cell errors out.

Each register declaration becomes a pydantic model whose fields run the parsers of
``toolkit.fields``; a parser's problem comes back as a pydantic error with our stable
code and Chinese message, and is turned into a :class:`CellError` with its cell
reference. Row checks (完成时间 not before 报修时间 …) run on the typed values.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from itertools import compress, repeat, zip_longest
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, create_model
from pydantic_core import PydanticCustomError

from .cellref import column_letter as get_column_letter
from .fields import (
    WARNED_TYPES,
    FieldProblem,
    cell_warnings,
    fold,
    parse_to_themselves,
    parse_value,
    unchanged_by_parsing,
)
from .headers import HeaderMatch
from .model import CellError, RawSheet, Record
from .registers import ColumnSpec, RegisterSpec, RowCheck

# Text columns that name a thing other registers refer to: stored folded (fields.fold),
# so ３-１０１ and 3-101 are one room and one event. Key columns are identifiers too.
IDENTIFIERS = frozenset({"房号", "事件"})


def _field_name(i: int) -> str:
    return f"c{i}"


def _converter(col: ColumnSpec):
    def convert(value: Any) -> Any:
        try:
            parsed = parse_value(value, col)
        except FieldProblem as exc:
            # Braces in staff text would be read as pydantic placeholders.
            raise PydanticCustomError(exc.code, exc.message.replace("{", "{{").replace("}", "}}")) from None
        if parsed is None and col.required:
            raise PydanticCustomError("cell.required", f"“{col.name}”是必填项，不能为空。")
        return parsed

    return convert


_MODELS: dict[int, tuple[RegisterSpec, type[BaseModel]]] = {}


def register_model(spec: RegisterSpec) -> type[BaseModel]:
    """The pydantic model of one register (built once per loaded declaration)."""
    cached = _MODELS.get(id(spec))
    if cached is not None and cached[0] is spec:
        return cached[1]
    fields: dict[str, Any] = {}
    for i, col in enumerate(spec.columns):
        fields[_field_name(i)] = (Annotated[Any, BeforeValidator(_converter(col))], None)
    model = create_model(
        f"Register_{spec.name}",
        __config__=ConfigDict(arbitrary_types_allowed=True, extra="ignore"),
        **fields,
    )
    _MODELS[id(spec)] = (spec, model)
    return model


@dataclass
class SheetResult:
    register: str
    records: list[Record] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    total: int = 0
    rejected_rows: int = 0
    # Keys of the rows held back, where their key cells were read: such a row is still
    # in the workbook, so its record is not missing from it (corrections.py).
    held_keys: set[str] = field(default_factory=set)


def _is_blank(values: list[Any]) -> bool:
    for v in values:
        if v is None:
            continue
        if isinstance(v, str) and not v.strip():
            continue
        return False
    return True


def _merged_lookup(sheet: RawSheet, wanted_cols: set[int]) -> dict[tuple[int, int], tuple[int, int]]:
    """(row, col0) -> (top row, col0) for merged cells in columns that allow filling."""
    out: dict[tuple[int, int], tuple[int, int]] = {}
    for r1, c1, r2, c2 in sheet.merged:
        for c in range(c1 - 1, c2):
            if c not in wanted_cols:
                continue
            for r in range(r1 + 1, r2 + 1):
                out[(r, c)] = (r1, c1 - 1)
    return out


def _record_key(spec: RegisterSpec, values: dict[str, Any]) -> str | None:
    parts = []
    for k in spec.key_columns:
        v = values.get(k)
        if v is None:
            return None
        parts.append(v.isoformat(sep=" ") if isinstance(v, datetime) else v.isoformat() if isinstance(v, date) else str(v))
    return "|".join(parts)


def _combine_times(spec: RegisterSpec, values: dict[str, Any]) -> None:
    """A datetime written as a date plus a separate time column becomes one datetime."""
    for col in spec.columns:
        if col.type != "datetime":
            continue
        v = values.get(col.name)
        t = values.get(col.time_column) if col.time_column else None
        c = _combined(v, t)
        if c is not v:
            values[col.name] = c


def _combined(v: Any, t: Any) -> Any:
    """The value of a datetime cell given its time column's value (``_combine_times``)."""
    if isinstance(v, date) and not isinstance(v, datetime):
        return datetime.combine(v, t if isinstance(t, time) else time(0, 0))
    if isinstance(v, datetime) and isinstance(t, time) and v.time() == time(0, 0):
        return datetime.combine(v.date(), t)
    return v


def _comparable(v: Any) -> Any:
    if isinstance(v, datetime):
        return v
    if isinstance(v, date):
        return datetime.combine(v, time(0, 0))
    return v


def check_row(spec: RegisterSpec, rc: RowCheck, values: dict[str, Any]) -> tuple[str, str, str] | None:
    """(column, code, message) when a row check fails, else None."""
    if rc.check == "not_before":
        a, b = values.get(rc.column), values.get(rc.other)
        if a is None or b is None:
            return None
        if _comparable(a) < _comparable(b):
            if _day_only(spec, rc, a, b):
                return rc.column, "row.day_only", _day_only_message(rc, a, b)
            msg = rc.message or f"“{rc.column}”（{_show(a)}）早于“{rc.other}”（{_show(b)}），请核对。"
            return rc.column, "row.not_before", msg
        return None
    if rc.when is not None and str(values.get(rc.when.column) or "") != rc.when.equals:
        return None
    filled = [c for c in rc.columns if values.get(c) not in (None, "")]
    if rc.check == "requires_any" and not filled:
        cond = f"“{rc.when.column}”为“{rc.when.equals}”时，" if rc.when else ""
        msg = rc.message or f"{cond}“{'”或“'.join(rc.columns)}”至少要填一项。"
        return rc.columns[0], "row.requires_any", msg
    if rc.check == "requires" and len(filled) < len(rc.columns):
        missing = [c for c in rc.columns if c not in filled]
        cond = f"“{rc.when.column}”为“{rc.when.equals}”时，" if rc.when else ""
        msg = rc.message or f"{cond}必须填写“{'”“'.join(missing)}”。"
        return missing[0], "row.requires", msg
    return None


def _day_only(spec: RegisterSpec, rc: RowCheck, a: Any, b: Any) -> bool:
    """True when a datetime cell holds a bare day (read as 00:00) that is the very day of
    ``other``: the day is right, only the hour that would order the two is missing."""
    col = next((c for c in spec.columns if c.name == rc.column), None)
    if col is None or col.type != "datetime":
        return False
    when = _comparable(a)
    return when.time() == time(0, 0) and when.date() == _comparable(b).date()


def _day_only_message(rc: RowCheck, a: Any, b: Any) -> str:
    day = _comparable(a).date().isoformat()
    who = f"{rc.who}补上" if rc.who else "请补上"
    return (f"“{rc.column}”只写了日期（{day}），与“{rc.other}”（{_show(b)}）是同一天，分不出先后："
            f"{who}几点几分（写成“{day} 时:分”）")


def _show(v: Any) -> str:
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def _raw_text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    return str(v)[:200]


def _add_error(out: list[CellError], sheet: str, match: HeaderMatch, row_no: int,
               col_name: str, code: str, message: str, value: Any = None) -> None:
    idx = match.columns.get(col_name)
    cell = f"{get_column_letter(idx + 1)}{row_no}" if idx is not None else None
    out.append(CellError(sheet, row_no, col_name, cell, code, message, _raw_text(value)))


def validate_sheet(sheet: RawSheet, match: HeaderMatch, *, columnwise: bool = True) -> SheetResult:
    """Validate every data row below the header; valid rows become Records.

    Cells are parsed a column at a time (:func:`_parse_columns`), and so are the steps
    after parsing (identifiers folded, dates joined to their time column, row checks
    narrowed to the rows they may fail on); a row with a cell that cannot be read goes
    through the register's pydantic model instead, which words its messages.
    ``columnwise=False`` sends every row through the model: the reference the column-wise
    path is tested against (the same records and errors, in the same order).
    """
    spec = match.spec
    model = register_model(spec)
    names = {_field_name(i): col for i, col in enumerate(spec.columns)}
    positions = [(i, col, match.columns.get(col.name)) for i, col in enumerate(spec.columns)]
    fill_cols = {match.columns[c.name] for c in spec.columns if c.fill_merged and c.name in match.columns}
    merged = _merged_lookup(sheet, fill_cols) if fill_cols and sheet.merged else {}

    result = SheetResult(spec.name)
    keys = set(spec.key_columns)
    idents = [c.name for c in spec.columns if c.type == "text" and (c.name in keys or c.name in IDENTIFIERS)]
    warned = [col for col in spec.columns if col.type in WARNED_TYPES]
    seen_keys: dict[str, int] = {}
    present = [(i, col, idx) for i, col, idx in positions if idx is not None]
    fields = [_field_name(i) for i, _col, _idx in present]
    numbers, cells_by_column = _data_columns(sheet, match.row, [idx for _i, _col, idx in present], merged)
    n_rows = len(numbers)
    result.total = n_rows
    col_names = [col.name for col in spec.columns]
    if columnwise:
        parsed, failing = _parse_columns(present, cells_by_column)
        by_name = _after_parsing(spec, parsed, idents, n_rows)
        checks = _row_check_candidates(spec, by_name, n_rows)
        keys_of = _record_keys(spec, by_name, n_rows)
        # Each row's typed values, in declaration order, already folded and joined.
        typed_rows: list[dict[str, Any]] = list(map(dict, map(zip, repeat(col_names),
                                                              zip(*[by_name[c] for c in col_names], strict=True))))
        del parsed, by_name
    else:
        failing, checks, keys_of, typed_rows = None, {}, [], []
    # Rows every cell of which was read, no row check may fail on and whose key no other
    # row has: straight to a record, a stretch of them at a time (most rows of a big
    # register); the others, in order, take the path below.
    fast = failing is not None and not warned
    if fast:
        odd = set(failing) | checks.keys()  # type: ignore[arg-type]
        repeated = _repeated(keys_of)
        if repeated:
            odd.update(n for n, k in enumerate(keys_of) if k in repeated)
        row_path: Iterable[int] = sorted(odd)
    else:
        row_path = range(n_rows)
    records, register, columns = result.records, spec.name, match.columns
    done = 0
    for n in row_path:
        if n > done:
            _straight(records, register, keys_of[done:n], typed_rows[done:n], sheet.name, numbers[done:n], columns)
        done = n + 1
        row_no = numbers[n]
        if fast and n not in failing and n not in checks:  # type: ignore[operator]
            key = keys_of[n]
            typed = typed_rows[n]
            if key is not None:
                if key not in seen_keys:
                    seen_keys[key] = row_no
                else:
                    result.errors.append(_duplicate(spec, sheet.name, match, row_no, key, seen_keys[key]))
                    result.rejected_rows += 1
                    result.held_keys.add(key)
                    continue
            records.append(Record(register, key or "", typed, sheet.name, row_no, columns))
            continue
        row_errors: list[CellError] = []
        if failing is not None and n not in failing:
            # Every cell read: the typed row straight from the columns; only the row
            # checks that may fail run.
            typed: dict[str, Any] | None = typed_rows[n]
            kept = 0
            for rc in checks.get(n, ()):
                problem = check_row(spec, rc, typed)
                if problem:
                    col_name, code, message = problem
                    _add_error(row_errors, sheet.name, match, row_no, col_name, code, message, typed.get(col_name))
            key = keys_of[n]
        else:
            err = functools.partial(_add_error, row_errors, sheet.name, match, row_no)
            cells = [c[n] for c in cells_by_column]
            typed, _blanked = _typed_row(model, names, dict(zip(fields, cells, strict=True)), err, keys)
            if typed is not None:
                _drop_unused(spec, typed, row_errors)
            kept = len(row_errors) if typed is not None else 0  # errors of cells left blank
            key = None
            if typed is not None:
                for name in idents:  # identifiers compare loosely; free text stays as typed
                    if isinstance(typed.get(name), str):
                        typed[name] = fold(typed[name])
                _combine_times(spec, typed)
                for rc in spec.row_checks:
                    problem = check_row(spec, rc, typed)
                    if problem:
                        col_name, code, message = problem
                        err(col_name, code, message, typed.get(col_name))
                key = _record_key(spec, typed)

        if typed is not None and key is not None and len(row_errors) == kept:
            if key in seen_keys:
                row_errors.append(_duplicate(spec, sheet.name, match, row_no, key, seen_keys[key]))
            else:
                seen_keys[key] = row_no

        if row_errors:
            result.errors.extend(row_errors)
        if typed is None or len(row_errors) > kept:
            result.rejected_rows += 1
            held = key if key is not None else (keys_of[n] if keys_of else None)
            if held is not None:
                result.held_keys.add(held)
            continue
        result.records.append(Record(spec.name, key or "", typed, sheet.name, row_no, match.columns))
        # Accepted values still worth a look (a VIN's check digit) are marked, not refused.
        for col in warned:
            if typed.get(col.name) is not None:
                for code, message in cell_warnings(col, typed[col.name]):
                    _add_error(result.errors, sheet.name, match, row_no, col.name, code, message, typed[col.name])
    if done < n_rows:
        _straight(records, register, keys_of[done:], typed_rows[done:], sheet.name, numbers[done:], columns)
    return result


def _drop_unused(spec: RegisterSpec, typed: dict[str, Any], row_errors: list[CellError]) -> None:
    """Forget the unreadable cells of columns this row has no use for (``unused_when``):
    the cell is already blank in ``typed``, and there is nothing for staff to correct."""
    unused = {c.name for c in spec.columns if c.unused_when is not None
              and str(typed.get(c.unused_when.column) or "") == c.unused_when.equals}
    if unused:
        row_errors[:] = [e for e in row_errors if e.column not in unused]


def _straight(records: list[Record], register: str, keys: list[str | None], typed: list[dict[str, Any]],
              sheet: str, numbers: list[int], columns: dict[str, int]) -> None:
    """Records of a stretch of rows that need no look of their own."""
    if None in keys:
        keys = [k or "" for k in keys]
    records.extend(map(Record, repeat(register), keys, typed, repeat(sheet), numbers, repeat(columns)))


def _repeated(keys: list[str | None]) -> set[str]:
    """The keys (not None) more than one row has."""
    distinct = set(keys)
    if len(distinct) == len(keys) or (len(distinct) == len(keys) - keys.count(None) + 1 and None in distinct):
        return set()
    seen: set[str | None] = set()
    out = {k for k in keys if k in seen or seen.add(k)}  # type: ignore[func-returns-value]
    out.discard(None)
    return out  # type: ignore[return-value]


def _duplicate(spec: RegisterSpec, sheet: str, match: HeaderMatch, row_no: int, key: str, first: int) -> CellError:
    errors: list[CellError] = []
    _add_error(errors, sheet, match, row_no, spec.key_columns[0], "key.duplicate",
               f"“{'+'.join(spec.key_columns)}”为“{key}”的记录与第{first}行重复，只保留了第一行，请核对。", key)
    return errors[0]


def _record_keys(spec: RegisterSpec, by_name: dict[str, Sequence[Any]], n: int) -> list[str | None]:
    """Each row's record key (``_record_key``), a column at a time."""
    if not spec.key_columns:
        return [""] * n
    none: Sequence[Any] = [None] * n
    parts = [_key_parts(by_name.get(k, none)) for k in spec.key_columns]
    if len(parts) == 1:
        return parts[0]
    return [None if None in p else "|".join(p) for p in zip(*parts, strict=True)]


def _key_parts(values: Sequence[Any]) -> list[str | None]:
    if set(map(type, values)) <= _TEXT_OR_NONE:
        return list(values)  # what _key_part gives text and None
    return list(map(_key_part, values))


_TEXT_OR_NONE = frozenset({str, type(None)})


def _key_part(v: Any) -> str | None:
    if v is None or v.__class__ is str:
        return v
    return v.isoformat(sep=" ") if isinstance(v, datetime) else v.isoformat() if isinstance(v, date) else str(v)


def _data_columns(sheet: RawSheet, header_row: int, idxs: list[int],
                  merged: dict[tuple[int, int], tuple[int, int]]) -> tuple[list[int], list[Sequence[Any]]]:
    """Row numbers of the data rows that are not blank, and the cells of the present
    columns (``idxs``) of those rows, a column at a time, a merged cell's value filled in
    where the column asks for it."""
    body = sheet.rows
    start = 0
    while start < len(body) and body[start][0] <= header_row:
        start += 1
    numbers = list(map(operator.itemgetter(0), body[start:]))
    rows = list(map(operator.itemgetter(1), body[start:]))
    if numbers and min(numbers) <= header_row:  # rows out of order: one at a time
        kept = [(row_no, values) for row_no, values in body if row_no > header_row]
        numbers, rows = [r for r, _v in kept], [v for _r, v in kept]
    # A row is blank only if its first cell is (most rows have an id there): the others
    # are not looked at one by one.
    firsts = [values[0] if values else None for values in rows]
    if set(map(type, firsts)) == {str} and all(map(str.strip, firsts)):
        blank: list[int] = []
    else:
        blank = [n for n, first in enumerate(firsts)
                 if (first is None or (isinstance(first, str) and not first.strip())) and _is_blank(rows[n])]
    del firsts
    if blank:
        dropped = set(blank)
        numbers = [r for n, r in enumerate(numbers) if n not in dropped]
        rows = [v for n, v in enumerate(rows) if n not in dropped]
    if not idxs:
        return numbers, []
    # Rows end at their last cell: the shorter ones are filled with None.
    by_index = list(zip_longest(*rows)) if rows else []
    del rows
    absent = (None,) * len(numbers)
    columns: list[Sequence[Any]] = [by_index[i] if i < len(by_index) else absent for i in idxs]
    if merged:
        by_row = dict(sheet.rows)
        position = {row_no: n for n, row_no in enumerate(numbers)}
        filled: dict[int, list[Any]] = {}
        for (row_no, idx), (top_row, top_col) in merged.items():
            n = position.get(row_no)
            if n is None:
                continue
            for j in (j for j, i in enumerate(idxs) if i == idx and columns[j][n] is None):
                column = filled.get(j)
                if column is None:
                    column = filled[j] = list(columns[j])
                    columns[j] = column
                top = by_row.get(top_row, [])
                column[n] = top[top_col] if top_col < len(top) else None
    return numbers, columns


def _after_parsing(spec: RegisterSpec, parsed: dict[int, list[Any]], idents: list[str], n: int
                   ) -> dict[str, Sequence[Any]]:
    """Every column's typed values by name (absent columns: None), identifiers folded and
    dates joined to their time column: what the row path does to one row, done to a column."""
    none: Sequence[Any] = [None] * n
    by_name: dict[str, Sequence[Any]] = {col.name: parsed.get(i, none) for i, col in enumerate(spec.columns)}
    for name in idents:
        by_name[name] = _folded(by_name[name])
    for col in spec.columns:
        if col.type != "datetime":
            continue
        values = by_name[col.name]
        times = by_name.get(col.time_column, none) if col.time_column else none
        kinds = set(map(type, values))
        dates = any(issubclass(k, date) and not issubclass(k, datetime) for k in kinds)
        with_time = (times is not none and any(issubclass(k, datetime) for k in kinds)
                     and any(issubclass(k, time) for k in set(map(type, times))))
        if dates or with_time:
            by_name[col.name] = list(map(_combined, values, times))
    return by_name


def _folded(values: Sequence[Any]) -> Sequence[Any]:
    """fields.fold over a column's text, each distinct text folded once."""
    distinct = set(values)
    distinct.discard(None)
    if set(map(type, distinct)) == {str} and "".join(distinct).isascii():
        return values  # plain ASCII text (ids, room numbers) folds to itself
    texts = {v for v in distinct if isinstance(v, str)}
    loose = {t: fold(t) for t in texts}
    if all(loose[t] == t and type(t) is str for t in texts):
        return values  # nothing to fold (the commonest case: plain ASCII ids)
    return [loose[v] if isinstance(v, str) else v for v in values]


def _row_check_candidates(spec: RegisterSpec, by_name: dict[str, Sequence[Any]], n: int
                          ) -> dict[int, list[RowCheck]]:
    """For each row, the row checks that may fail on it, in declaration order (a superset:
    check_row itself decides and words the message)."""
    out: dict[int, list[RowCheck]] = {}
    none: Sequence[Any] = [None] * n
    for rc in spec.row_checks:
        if rc.check == "not_before":
            rows = _maybe_before(by_name.get(rc.column, none), by_name.get(rc.other, none))
        elif rc.check in ("requires", "requires_any"):
            if rc.when is not None:
                rows = _rows_where(by_name.get(rc.when.column, none), rc.when.equals)
            else:
                rows = range(n)
            cols = [by_name.get(c, none) for c in rc.columns]
            want = 1 if rc.check == "requires_any" else len(cols)
            rows = _short_of(rows, cols, want)
        else:  # a check this path does not know: every row
            rows = range(n)
        for r in rows:
            out.setdefault(r, []).append(rc)
    return out


def _rows_where(values: Sequence[Any], equals: str) -> Sequence[int]:
    """Rows whose value reads as ``equals`` (``str(v or "")``, as check_row reads it)."""
    if set(map(type, values)) <= _TEXT_OR_NONE:  # an enum column: each distinct text once
        hits = {v for v in set(values) if (v or "") == equals}
        return list(compress(range(len(values)), map(hits.__contains__, values)))
    return [r for r, v in enumerate(values) if str(v or "") == equals]


# Typed values none of which equals "" unless it is the empty text: a blank is found by a
# set look-up (as ``v in (None, "")`` finds it, without Decimal's slow comparison with text).
_PLAIN = frozenset({type(None), str, int, float, bool, Decimal, datetime, date, time})
_BLANK = frozenset({None, ""})


def _short_of(rows: Sequence[int], cols: list[Sequence[Any]], want: int) -> Sequence[int]:
    """The ``rows`` with fewer than ``want`` of ``cols`` filled (not None, not "")."""
    if not rows or not all(set(map(type, c)) <= _PLAIN for c in cols):
        return _short_of_each(rows, cols, want)
    try:
        blank_in = [set(compress(rows, map(_BLANK.__contains__, map(c.__getitem__, rows)))) for c in cols]
    except TypeError:  # a value with no hash (a signalling NaN)
        return _short_of_each(rows, cols, want)
    if want == len(cols):  # short of all of them: blank in any
        short = set().union(*blank_in)
    elif want == 1:  # short of one: blank in every one
        short = set.intersection(*blank_in) if blank_in else set(rows)
    else:
        return [r for r in rows if sum(1 for b in blank_in if r not in b) < want]
    return list(compress(rows, map(short.__contains__, rows)))


def _short_of_each(rows: Sequence[int], cols: list[Sequence[Any]], want: int) -> list[int]:
    return [r for r in rows if sum(1 for c in cols if c[r] not in (None, "")) < want]


def _maybe_before(a_values: Sequence[Any], b_values: Sequence[Any]) -> list[int]:
    """Rows where a is before b (and rows where they cannot be compared)."""
    a_kinds, b_kinds = set(map(type, a_values)), set(map(type, b_values))
    if datetime not in a_kinds or datetime not in b_kinds:
        if a_kinds <= _DATETIME_OR_NONE and b_kinds <= _DATETIME_OR_NONE:
            return []  # a column of nothing but blanks: no pair to compare
    elif a_kinds <= _DATETIME_OR_NONE and b_kinds <= _DATETIME_OR_NONE:
        # Plain datetimes (most registers): compared a column at a time, a blank on either
        # side made a pair that is never "before" (the latest moment against the earliest).
        a = a_values if _NONE not in a_kinds else [_LATEST if v is None else v for v in a_values]
        b = b_values if _NONE not in b_kinds else [_EARLIEST if v is None else v for v in b_values]
        try:
            return list(compress(range(len(a)), map(operator.lt, a, b)))
        except TypeError:  # a time zone on one side only: the pairs one by one, as below
            pass
    return _maybe_before_each(a_values, b_values)


_NONE = type(None)
_DATETIME_OR_NONE = frozenset({datetime, _NONE})
_LATEST, _EARLIEST = datetime.max, datetime.min


def _maybe_before_each(a_values: Sequence[Any], b_values: Sequence[Any]) -> list[int]:
    rows = []
    for r, (a, b) in enumerate(zip(a_values, b_values, strict=True)):
        if a is None or b is None:
            continue
        try:
            if a.__class__ is b.__class__ is datetime:
                if a < b:
                    rows.append(r)
            elif _comparable(a) < _comparable(b):
                rows.append(r)
        except TypeError:  # check_row raises it as it always did
            rows.append(r)
    return rows


# Cell types whose equal values are the same cell (1 and True, 0.0 and -0.0, Decimal 1.0
# and 1.00 are equal but are not the same cell): a column of these is parsed by
# distinct value.
_BY_VALUE = frozenset({type(None), str, int, datetime, date, time})
MEMO_LIMIT = 20_000  # distinct cells remembered per column (bounded memory)


def _parse_columns(present: list[tuple[int, ColumnSpec, int]], columns: list[tuple[Any, ...]]
                   ) -> tuple[dict[int, list[Any]], set[int]]:
    """Each present column's typed values (by row position) and the rows with a cell that
    could not be read or a required cell left blank (those go through the model).

    A column repeats few distinct values (a handler's name, 一般/紧急, a day): each is
    parsed once. Parsing is a pure function of the cell and its column.
    """
    out: dict[int, list[Any]] = {}
    failing: set[int] = set()
    for j, (i, col, _idx) in enumerate(present):
        values = columns[j]
        types = set(map(type, values))
        if types <= _BY_VALUE:
            out[i] = _parse_distinct(values, col, failing, types)
        else:
            out[i] = _parse_each(values, col, failing)
    return out, failing


def _parse_distinct(values: Sequence[Any], col: ColumnSpec, failing: set[int],
                    types: set[type] | None = None) -> list[Any]:
    distinct = set(values)
    if parse_to_themselves(distinct, col, types):
        return list(values)
    # Values that parse to themselves (a column's plain datetimes) need no look-up of
    # their own; the others are parsed once each.
    same = unchanged_by_parsing(distinct, col)
    parsed: dict[Any, Any] = {}
    bad: set[Any] = set()
    required = col.required
    for v in distinct - same if same else distinct:
        if v is None and col.default is None:
            hit = None
        else:
            try:
                hit = parse_value(v, col)
            except Exception:  # noqa: BLE001 - the model reports it, worded for staff
                bad.add(v)
                parsed[v] = None
                continue
        if hit is None and required:
            bad.add(v)
        parsed[v] = hit
    if bad:
        failing.update(n for n, v in enumerate(values) if v in bad)
    # Equal cells share one value (a register's 100,000 datetimes hold far fewer moments).
    parsed.update(zip(same, same, strict=True))
    return list(map(parsed.get, values))


def _parse_each(values: Sequence[Any], col: ColumnSpec, failing: set[int]) -> list[Any]:
    memo: dict[tuple[type, Any], Any] = {}
    typed: list[Any] = []
    append = typed.append
    required = col.required
    for n, v in enumerate(values):
        if v is None and col.default is None:
            if required:
                failing.add(n)
            append(None)
            continue
        try:
            t = type(v)
            # Equal is not the same cell for these: -0.0 and 0.0, 1.0 and 1.00 as Decimals.
            mk = (t, v.hex() if t is float else str(v) if t is Decimal else v)
            hit = memo.get(mk, memo)
        except TypeError:  # an unhashable cell value: parsed every time
            mk, hit = None, memo
        if hit is memo:
            try:
                hit = parse_value(v, col)
            except Exception:  # noqa: BLE001 - the model reports it, worded for staff
                failing.add(n)
                append(None)
                continue
            if mk is not None:
                if len(memo) >= MEMO_LIMIT:
                    memo.clear()
                memo[mk] = hit
        if hit is None and required:
            failing.add(n)
        append(hit)
    return typed


# Said after the message of an optional cell that could not be read: the row went in.
KEPT_NOTE = "本行已登记，此格暂按空白处理，请改正后重新保存。"


def _typed_row(model: type[BaseModel], names: dict[str, ColumnSpec], raw: dict[str, Any],
               err: Any, keys: set[str]) -> tuple[dict[str, Any] | None, set[str]]:
    """The row's typed values and the optional columns left blank for want of a readable value.

    A bad optional cell does not hold the row back: the cell is reported, stored blank,
    and the rest of the row goes in. A required or key cell that cannot be read holds
    the row back (typed is None).
    """
    try:
        obj = model.model_validate(raw)
        return {names[k].name: v for k, v in obj.__dict__.items()}, set()
    except ValidationError as exc:
        problems = exc.errors(include_url=False)
    optional = {str(e["loc"][0]) for e in problems
                if not names[str(e["loc"][0])].required and names[str(e["loc"][0])].name not in keys}
    held = any(str(e["loc"][0]) not in optional for e in problems)
    for e in problems:
        field_name = str(e["loc"][0])
        msg = e["msg"]
        if not held and field_name in optional:
            msg = f"{msg.rstrip('。')}。{KEPT_NOTE}"
        err(names[field_name].name, e["type"], msg, raw.get(field_name))
    if held:
        return None, set()
    retry = {k: (None if k in optional else v) for k, v in raw.items()}
    obj = model.model_validate(retry)
    typed = {names[k].name: v for k, v in obj.__dict__.items()}
    blanked = {names[k].name for k in optional}
    for name in blanked:
        typed[name] = None  # blank, not the column's default: nobody typed a value
    return typed, blanked
