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
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Table, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError

__all__ = ["insert_many", "next_ids"]


def _sqlite_datetime() -> Callable[[Any], Any]:
    """SQLAlchemy's text for a SQLite ``DateTime`` (``2026-11-24 09:00:00.000000``), each
    distinct moment formatted once: a file's rows share a few (now, its first_seen)."""
    seen: dict[datetime, str] = {}

    def process(value: Any) -> Any:
        if type(value) is not datetime or value.tzinfo is not None:
            return value if value is None else _fallback(value)
        text = seen.get(value)
        if text is None:
            if len(seen) > 10_000:
                seen.clear()
            text = seen[value] = value.isoformat(sep=" ", timespec="microseconds")
        return text

    _fallback = DateTime().dialect_impl(sqlite.dialect()).bind_processor(sqlite.dialect())
    return process


def _processors(conn: Connection, table: Table, names: Sequence[str]) -> list[Callable[[Any], Any] | None]:
    dialect = conn.dialect
    out: list[Callable[[Any], Any] | None] = []
    for n in names:
        col_type = table.c[n].type
        if dialect.name == "sqlite" and isinstance(col_type, DateTime):
            out.append(_sqlite_datetime())
        else:
            out.append(col_type.dialect_impl(dialect).bind_processor(dialect))
    return out


def _converted(rows: Sequence[dict[str, Any]], names: Sequence[str],
               procs: list[Callable[[Any], Any] | None]) -> list[list[Any]]:
    pairs = list(zip(names, procs, strict=True))
    if not any(p for _, p in pairs):
        return [[r[n] for n in names] for r in rows]
    return [[p(r[n]) if p is not None else r[n] for n, p in pairs] for r in rows]


def insert_many(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` in the open transaction."""
    if not rows:
        return
    names = list(rows[0])
    values = _converted(rows, names, _processors(conn, table, names))
    cols = ", ".join(f'"{n}"' for n in names)
    raw = conn.connection.driver_connection
    dbapi = conn.dialect.loaded_dbapi
    try:
        if conn.dialect.name == "postgresql":
            with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
                for row in values:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(names))
            cur = raw.cursor()
            try:
                cur.executemany(f'INSERT INTO "{table.name}" ({cols}) VALUES ({marks})', values)
            finally:
                cur.close()
    except dbapi.IntegrityError as exc:
        raise IntegrityError(f"bulk insert into {table.name}", None, exc) from exc


def next_ids(conn: Connection, table: Table, n: int) -> list[int]:
    """``n`` fresh primary keys for ``table`` (column ``id``), taken before the insert so
    the rows that refer to them (history, say) need no read-back.

    PostgreSQL: drawn from the column's sequence. SQLite: the write lock is held
    (BEGIN IMMEDIATE), so the ids after the largest one are ours.
    """
    if n <= 0:
        return []
    if conn.dialect.name == "postgresql":
        rows = conn.execute(text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
                            {"t": table.name, "n": n})
        return [int(r[0]) for r in rows]
    top = conn.execute(text(f'SELECT coalesce(max(id), 0) FROM "{table.name}"')).scalar_one()
    return list(range(int(top) + 1, int(top) + 1 + n))
