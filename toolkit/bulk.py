"""Many rows into one table at once, inside the caller's transaction.

SQLAlchemy's executemany turns each row into bound parameters one at a time; for the
100,000 records of a big register (and their history, findings and terms) that is
most of the cost of writing them. Here the rows go straight to the driver:
``executemany`` on SQLite, ``COPY … FROM STDIN`` on PostgreSQL. Each value still
passes through its column type's own conversion (a SQLite ``DateTime`` as text, a
``KeyText`` without NUL), so what is stored is what SQLAlchemy would have stored.

A unique violation is raised as SQLAlchemy's ``IntegrityError`` like any other write.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Boolean, Connection, DateTime, Table
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError

__all__ = ["Inserter", "insert_many", "insert_rows", "json_rows"]


def _sqlite_datetime(value: Any) -> Any:
    """SQLAlchemy's text for a SQLite ``DateTime`` (``2026-11-24 09:00:00.000000``)."""
    if type(value) is not datetime or value.tzinfo is not None:
        return value if value is None else _SQLITE_DATETIME(value)
    return value.isoformat(sep=" ", timespec="microseconds")


_SQLITE_DATETIME = DateTime().dialect_impl(sqlite.dialect()).bind_processor(sqlite.dialect())

Column = Callable[[Sequence[Any]], Sequence[Any]]  # a column's values as the driver takes them


def _each(process: Callable[[Any], Any]) -> Column:
    return lambda values: list(map(process, values))


def _by_value(process: Callable[[Any], Any], kinds: frozenset[type]) -> Column:
    """Each distinct value converted once, when every value is of ``kinds`` (types whose
    equal values convert alike): a batch's rows share a few moments (its dues, now) and
    flags. Other values go through ``process`` one by one."""
    def convert(values: Sequence[Any]) -> list[Any]:
        if kinds.issuperset(map(type, values)):
            distinct = set(values)
            # Two aware moments of one instant in two zones are equal, but their texts differ.
            if not any(type(v) is datetime and v.tzinfo is not None for v in distinct):
                converted = {v: process(v) for v in distinct}
                return list(map(converted.__getitem__, values))
        return list(map(process, values))
    return convert


_MOMENTS = frozenset({datetime, type(None)})
_FLAGS = frozenset({bool, type(None)})


def _key_text(process: Callable[[Any], Any]) -> Column:
    """``KeyText``: NUL stored as U+FFFD. Keys are plain text without NUL almost always,
    which one pass in C finds; otherwise each value goes through the type's own step."""
    def convert(values: list[Any]) -> list[Any]:
        if set(map(type, values)) <= {str} and "\x00" not in "".join(values):
            return values
        return list(map(process, values))
    return convert


def _converters(conn: Connection, table: Table, names: Sequence[str]) -> list[Column | None]:
    from .ledger import KeyText  # the ledger's own key type (the ledger imports this module)

    dialect = conn.dialect
    out: list[Column | None] = []
    for n in names:
        col_type = table.c[n].type
        if dialect.name == "sqlite" and isinstance(col_type, DateTime):
            out.append(_by_value(_sqlite_datetime, _MOMENTS))
            continue
        process = col_type.dialect_impl(dialect).bind_processor(dialect)
        if process is None:
            out.append(None)
        elif type(col_type) is KeyText:
            out.append(_key_text(process))
        elif isinstance(col_type, Boolean):
            out.append(_by_value(process, _FLAGS))
        else:
            out.append(_each(process))
    return out


def _converted(columns: Sequence[Sequence[Any]], n_rows: int, convs: list[Column | None],
               fixed: Sequence[Any]) -> list[Sequence[Any]]:
    # A column at a time: one pass per column in C where its values need no change,
    # instead of a Python step for every value of every row. ``fixed``: values as the
    # driver takes them, the same in every row.
    out: list[Any] = []
    for values, conv in zip(columns, convs, strict=True):
        out.append(values if conv is None else conv(values))
    for v in fixed:
        out.append([v] * n_rows)
    return out


def _sqlite_literal(value: Any) -> str | None:
    """SQL text SQLite stores exactly as it stores ``value`` bound (None, an integer, text
    without NUL), or None for a value to be bound."""
    if value is None:
        return "NULL"
    if type(value) is int:
        return str(value)
    if type(value) is str and "\x00" not in value:
        try:
            value.encode("utf-8")  # a lone surrogate is bound, and refused there as before
        except UnicodeEncodeError:
            return None
        return "'" + value.replace("'", "''") + "'"
    return None


def _shared_literal(values: Sequence[Any]) -> str | None:
    """The SQL text of the one value in ``values`` when every value is that one: None or
    text (see _sqlite_literal; an int is left bound, since 1, 1.0 and True are equal but
    stored differently); else None."""
    first = values[0]
    if first is not None and type(first) is not str:
        return None
    # The last and middle values first: a column that varies is given up without a pass.
    if values[-1] != first or values[len(values) // 2] != first or values.count(first) != len(values):
        return None
    if first is not None and set(map(type, values)) != {str}:
        return None  # a text subclass among them (equal, but an adapter may store it otherwise)
    return _sqlite_literal(first)


def insert_many(conn: Connection, table: Table, rows: Sequence[dict[str, Any]],
                fixed: dict[str, Any] | None = None) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` in the open transaction.

    ``fixed``: columns with the same value in every row (converted once).
    """
    if not rows:
        return
    fixed = fixed or {}
    names = [n for n in rows[0] if n not in fixed]
    insert_rows(conn, table, names, [tuple(r[n] for n in names) for r in rows], fixed)


def insert_rows(conn: Connection, table: Table, names: Sequence[str], rows: Sequence[tuple[Any, ...]],
                fixed: dict[str, Any] | None = None) -> None:
    """``insert_many`` of rows given as tuples, their values in the order of ``names``
    (a big file's writers build these directly: no dict per row)."""
    with Inserter(conn, table, names, fixed) as ins:
        ins.add(rows)


class Inserter:
    """:func:`insert_rows` of one table, batch after batch (``add``), until ``close``.

    On PostgreSQL the batches share one ``COPY``, left open between them: the server
    stores a batch while the caller builds the next, instead of each batch waiting for
    the server's work on the one before (a big file's records and findings: about a
    second of the server's that no longer adds to the command's time). No other
    statement may run on the connection while it is open: ``close`` it first (a unique
    violation of any batch is raised by ``add`` or by ``close``). On SQLite each batch is
    one ``executemany``.
    """

    def __init__(self, conn: Connection, table: Table, names: Sequence[str],
                 fixed: dict[str, Any] | None = None) -> None:
        self.conn, self.table = conn, table
        self.names = list(names)
        self.fixed = fixed or {}
        self.pg = conn.dialect.name == "postgresql"
        self._convs = _converters(conn, table, self.names)
        self._copy: ExitStack | None = None  # the open COPY and its cursor
        self._writer: Any = None
        self._oids: list[int] | None = None  # the open COPY's binary types (None: text)
        self._attributes: dict[str, int] | None = None

    def __enter__(self) -> Inserter:
        return self

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> None:
        if exc is None:
            self.close()
        elif self._copy is not None:  # the COPY is ended with the error (nothing of it stored)
            stack, self._copy = self._copy, None
            stack.__exit__(kind, exc, tb)

    def add(self, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        dbapi = self.conn.dialect.loaded_dbapi
        try:
            self._add(rows)
        except dbapi.IntegrityError as exc:
            raise IntegrityError(f"bulk insert into {self.table.name}", None, exc) from exc

    def close(self) -> None:
        """End the open COPY (PostgreSQL): every row added is stored when this returns."""
        if self._copy is None:
            return
        stack, self._copy, self._writer = self._copy, None, None
        dbapi = self.conn.dialect.loaded_dbapi
        try:
            stack.close()
        except dbapi.IntegrityError as exc:
            raise IntegrityError(f"bulk insert into {self.table.name}", None, exc) from exc

    def _add(self, rows: Sequence[tuple[Any, ...]]) -> None:
        conn, table, pg = self.conn, self.table, self.pg
        names = list(self.names)
        # What every row shares, converted once. On SQLite it is written into the statement
        # where SQLite stores the text as it stores the value bound: a bound parameter costs
        # each of a big file's rows its binding (a tenth of SQLite's time for its findings).
        marks = ["?"] * len(names)
        shared: list[Any] = []
        fixed = self.fixed
        for n, v, conv in zip(fixed, fixed.values(), _converters(conn, table, list(fixed)), strict=True):
            v = v if conv is None else conv([v])[0]
            literal = None if pg else _sqlite_literal(v)
            names.append(n)
            if literal is None:
                marks.append("?")
                shared.append(v)
            else:
                marks.append(literal)
        columns = list(zip(*rows, strict=True))
        # Each row: its own values, then the shared ones bound (in the order of their marks).
        converted = _converted(columns, len(rows), self._convs, shared)
        if pg:
            self._copy_rows(names, converted)
            return
        # A column with one value in every row (None, or a text: a batch's register, a
        # severity) is written into the statement: SQLite's driver binds a None through
        # its adapters' lookup, 0.5 µs a value, and any value at some 0.15 µs (a big
        # file's findings have four such columns, its records one).
        same = {i: literal for i in range(len(columns)) if (literal := _shared_literal(converted[i])) is not None}
        if same:
            marks = [same.get(i, m) for i, m in enumerate(marks)]
            converted = [c for i, c in enumerate(converted) if i not in same]
        # Every value written into the statement (a batch of one row): still one insert a row.
        values = list(zip(*converted, strict=True)) if converted else [()] * len(rows)
        cols = ", ".join(f'"{n}"' for n in names)
        cur = conn.connection.driver_connection.cursor()
        try:
            cur.executemany(f'INSERT INTO "{table.name}" ({cols}) VALUES ({", ".join(marks)})', values)
        finally:
            cur.close()

    def _copy_rows(self, names: list[str], converted: list[Sequence[Any]]) -> None:
        raw = self.conn.connection.driver_connection
        if self._attributes is None:
            self._attributes = column_types(raw, self.table.name)
        oids = _binary_types(self._attributes, names, converted)
        if self._copy is not None and oids != self._oids:
            self.close()  # this batch's values need the other form: a COPY of its own
        if self._copy is None:
            cols = ", ".join(f'"{n}"' for n in names)
            stack = ExitStack()
            cur = stack.enter_context(raw.cursor())
            binary = " (FORMAT BINARY)" if oids else ""
            self._writer = stack.enter_context(cur.copy(f'COPY "{self.table.name}" ({cols}) FROM STDIN{binary}'))
            if oids:
                self._writer.set_types(oids)
            self._copy, self._oids = stack, oids
        write_row = self._writer.write_row
        for row in zip(*converted, strict=True):
            write_row(row)


# PostgreSQL column types COPY may take in binary form, each with the exact Python types
# its values must all have (None aside) to be sent so: what the server would have stored
# from the text form, unchanged. Anything else (an aware moment, a date in a timestamp, a
# bool in an integer, an integer past the column's range) and the batch goes as text.
_TEXT_OIDS = frozenset({25, 1043})  # text, varchar
_INT_RANGES = {21: 2**15, 23: 2**31, 20: 2**63}  # int2, int4, int8
_TIMESTAMP, _BOOL = 1114, 16


def column_types(raw: Any, table: str) -> dict[str, int]:
    """The type oid of each column of ``table`` (PostgreSQL), by name."""
    with raw.cursor() as cur:
        cur.execute("SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass "
                    "AND attnum > 0 AND NOT attisdropped", (f'"{table}"',))
        return dict(cur.fetchall())


def _binary_types(by_name: dict[str, int], names: list[str], columns: Sequence[Sequence[Any]]) -> list[int] | None:
    """The type oids of ``names`` (``by_name``: the table's column types) when every value
    of ``columns`` (each column's values, in the order of ``names``) fits its column's
    binary form (see above); None for COPY's text form. Binary spares psycopg writing
    each value as text (0.7 s of the client's for a big file's 120,000 findings, against
    0.1 s) and the server reading it back."""
    oids = [by_name.get(n) for n in names]
    if None in oids:
        return None
    for oid, column in zip(oids, columns, strict=True):
        kinds = set(map(type, column))
        values = column
        if type(None) in kinds:
            kinds.discard(type(None))
            values = [v for v in column if v is not None]
        if not kinds:
            continue
        if oid in _TEXT_OIDS:
            ok = kinds == {str}
        elif oid == _TIMESTAMP:
            ok = kinds == {datetime} and not any(v.tzinfo is not None for v in set(values))
        elif oid == _BOOL:
            ok = kinds == {bool}
        elif oid in _INT_RANGES:
            bound = _INT_RANGES[oid]
            ok = kinds == {int} and -bound <= min(values) and max(values) < bound
        else:
            ok = False
        if not ok:
            return None
    return oids


def json_rows(rows: Sequence[dict[str, Any]], leave: tuple[str, ...] = ()) -> str | None:
    """``rows`` (without the keys in ``leave``) as one JSON text, for a PostgreSQL statement
    that reads a batch with ``json_to_recordset`` instead of one statement a row; None for
    a value orjson refuses (a lone surrogate), which the caller writes a row at a time."""
    try:
        return orjson.dumps([{k: v for k, v in r.items() if k not in leave} for r in rows]).decode("utf-8")
    except TypeError:
        return None
