"""Document numbers: counted per site, year and document type, never handed out twice.

A number is taken in a committed transaction before its file is written, so a crash
after taking it leaves a gap in the sequence, never a second document with the same
number. Taking one is a single ``UPDATE … SET last_seq = last_seq + 1 … RETURNING``:
on PostgreSQL a second process taking the same counter waits on the row until the
first commits and then counts on from the committed value; on SQLite the write lock
is already held (BEGIN IMMEDIATE). The counter row is made first with an insert that
does nothing when it exists, so two processes starting a year never collide.
"""

from __future__ import annotations

from sqlalchemy import Connection, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .tables import doc_counters


def _ensure_counter(conn: Connection, site: str, doc_type: str, year: int) -> None:
    make = sqlite_insert
    if conn.dialect.name == "postgresql":
        # Imported here: the PostgreSQL dialect (and the asyncio it pulls in) costs a
        # SQLite ledger some 40 ms of every command's start.
        from sqlalchemy.dialects.postgresql import insert as make
    conn.execute(
        make(doc_counters)
        .values(site=site, doc_type=doc_type, year=year, last_seq=0)
        .on_conflict_do_nothing()
    )


def next_seq(conn: Connection, site: str, doc_type: str, year: int) -> int:
    """Take the site's next sequence number inside the caller's write transaction."""
    _ensure_counter(conn, site, doc_type, year)
    t = doc_counters
    return int(
        conn.execute(
            update(t)
            .where(t.c.site == site, t.c.doc_type == doc_type, t.c.year == year)
            .values(last_seq=t.c.last_seq + 1)
            .returning(t.c.last_seq)
        ).scalar_one()
    )


def allocate(ledger, doc_type: str, year: int) -> int:
    """Take a number of the ledger's site in its own committed transaction; its sequence."""
    with ledger.transaction() as conn:
        return next_seq(conn, ledger.site, doc_type, year)
