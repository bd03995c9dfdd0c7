"""An index of record values by column, for rules that look records up by a column.

A move-out names its 房号; the fee account with that 房号 is found by its key. The
other way round — a changed fee account bringing back the move-outs of its 房号, a
complaint bringing back the rest of its 事件 — needs the records of a register by a
column's value. ``record_terms`` holds (register, column, term, key) for the columns
some rule's scope looks up (``term_fields`` lists those, per site).

* Written in the file's transaction for every record it stores (``index``), so the
  index never lags the records.
* A (register, column) pair first needed on an existing ledger is built from the
  register's records once (``ensure``) and listed in ``term_fields``.
* A term is the value as text, trimmed (``term``): lookups return a superset of the
  records a rule's own comparison would accept, which is all that is needed — the rule
  is run on what is found and compares for itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    delete,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError

from ..bulk import insert_many
from ..codec import decode
from ..ledger import SITE_LEN, KeyText, metadata
from ..ledger import records as records_table

record_terms = Table(
    "record_terms",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site", String(SITE_LEN), nullable=False),
    Column("register", String(100), nullable=False),
    Column("field", String(100), nullable=False),
    Column("term", KeyText, nullable=False),
    Column("key", KeyText, nullable=False),
    Index("ix_record_terms_lookup", "site", "register", "field", "term"),
    Index("ix_record_terms_key", "site", "register", "key"),
)

term_fields = Table(
    "term_fields",
    metadata,
    Column("site", String(SITE_LEN), nullable=False),
    Column("register", String(100), nullable=False),
    Column("field", String(100), nullable=False),
    PrimaryKeyConstraint("site", "register", "field", name="pk_term_fields"),
)

CHUNK = 500  # keys per IN (…)
BATCH = 5000


def term(value: Any) -> str | None:
    """The indexed text of a value; None for a blank."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _chunks(items: list, n: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def indexed(conn: Connection, site: str) -> dict[str, set[str]]:
    """{register: {column}} indexed at this site."""
    t = term_fields
    out: dict[str, set[str]] = {}
    for r in conn.execute(select(t.c.register, t.c.field).where(t.c.site == site)):
        out.setdefault(r.register, set()).add(r.field)
    return out


def index(conn: Connection, site: str, rows: dict[tuple[str, str], dict[str, Any]]) -> None:
    """Replace the terms of these records ((register, key) → values) for the indexed columns."""
    fields = indexed(conn, site)
    wanted = {rk: v for rk, v in rows.items() if rk[0] in fields}
    if not wanted:
        return
    t = record_terms
    by_register: dict[str, list[str]] = {}
    for reg, key in wanted:
        by_register.setdefault(reg, []).append(key)
    for reg, keys in by_register.items():
        for chunk in _chunks(keys):
            conn.execute(delete(t).where(t.c.site == site, t.c.register == reg, t.c.key.in_(chunk)))
    new = [{"site": site, "register": reg, "field": col, "term": tx, "key": key}
           for (reg, key), values in wanted.items() for col in fields[reg]
           if (tx := term(values.get(col))) is not None]
    for chunk in _chunks(new, BATCH):
        insert_many(conn, t, chunk)


def forget(conn: Connection, site: str, register: str, keys: list[str]) -> None:
    """Drop the terms of records that left the register (a corrected key's old one)."""
    t = record_terms
    for chunk in _chunks(sorted(keys)):
        conn.execute(delete(t).where(t.c.site == site, t.c.register == register, t.c.key.in_(chunk)))


def build(conn: Connection, site: str, register: str, column: str) -> None:
    """Index one column of a register from the records it holds (once per ledger)."""
    r = records_table
    conn.execute(insert(term_fields).values(site=site, register=register, field=column))
    batch: list[dict[str, Any]] = []
    query = select(r.c.key, r.c.values_json).where(r.c.site == site, r.c.register == register)
    for row in conn.execute(query).all():
        tx = term(decode(row.values_json).get(column))
        if tx is not None:
            batch.append({"site": site, "register": register, "field": column, "term": tx, "key": row.key})
            if len(batch) >= BATCH:
                conn.execute(insert(record_terms), batch)
                batch = []
    if batch:
        conn.execute(insert(record_terms), batch)


def ensure(ledger: Any, wanted: set[tuple[str, str]]) -> None:
    """Build the (register, column) pairs not yet indexed at the ledger's site."""
    with ledger.engine.connect() as conn:
        have = indexed(conn, ledger.site)
    missing = sorted((reg, col) for reg, col in wanted if col not in have.get(reg, set()))
    for reg, col in missing:
        try:
            with ledger.transaction() as conn:
                if col not in indexed(conn, ledger.site).get(reg, set()):
                    build(conn, ledger.site, reg, col)
        except IntegrityError:
            pass  # another process built it meanwhile


def keys_by_terms(conn: Connection, site: str, register: str, column: str, terms: Iterable[str]) -> set[str]:
    """Keys of the register's records whose column has one of these terms."""
    t = record_terms
    out: set[str] = set()
    for chunk in _chunks(sorted(set(terms))):
        out.update(r.key for r in conn.execute(select(t.c.key).where(
            t.c.site == site, t.c.register == register, t.c.field == column, t.c.term.in_(chunk))))
    return out


__all__ = ["build", "ensure", "forget", "index", "indexed", "keys_by_terms", "record_terms", "term", "term_fields"]
