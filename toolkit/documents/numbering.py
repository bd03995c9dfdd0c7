"""Document numbers: counted per year and document type, never handed out twice.

A number is taken in a committed transaction before its file is written, so a crash
after taking it leaves a gap in the sequence, never a second document with the same
number.
"""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from .tables import doc_counters, ensure_tables


def next_seq(conn: Connection, doc_type: str, year: int) -> int:
    """Take the next sequence number inside the caller's write transaction."""
    row = conn.execute(
        select(doc_counters.c.last_seq)
        .where(doc_counters.c.doc_type == doc_type, doc_counters.c.year == year)
        .with_for_update()  # PostgreSQL: row lock; SQLite: the write lock is already held
    ).first()
    if row is None:
        conn.execute(insert(doc_counters).values(doc_type=doc_type, year=year, last_seq=1))
        return 1
    seq = row.last_seq + 1
    conn.execute(
        update(doc_counters)
        .where(doc_counters.c.doc_type == doc_type, doc_counters.c.year == year)
        .values(last_seq=seq)
    )
    return seq


def allocate(ledger, doc_type: str, year: int) -> int:
    """Take a number in its own committed transaction and return its sequence."""
    ensure_tables(ledger.engine)
    for attempt in range(3):
        try:
            with ledger.transaction() as conn:
                return next_seq(conn, doc_type, year)
        except IntegrityError:  # another process created the year's counter first
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
