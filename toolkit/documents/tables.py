"""The ledger tables for documents: number counters and every document issued.

``doc_counters``  (doc_type, year) → last sequence number handed out
``documents``     one row per number: what it was issued for, its facts, its state

Both live on :data:`toolkit.ledger.metadata`; :func:`ensure_tables` creates them in a
ledger opened before this module was imported.
"""

from __future__ import annotations

import threading

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Engine,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from ..ledger import metadata

doc_counters = Table(
    "doc_counters",
    metadata,
    Column("doc_type", String(60), nullable=False),
    Column("year", Integer, nullable=False),
    Column("last_seq", Integer, nullable=False),
    PrimaryKeyConstraint("doc_type", "year", name="pk_doc_counters"),
)

# status: 生成中 (number taken, file not yet written), 草稿, 已审批, 已作废
documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(120), nullable=False, unique=True),
    Column("doc_type", String(60), nullable=False),
    Column("year", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("register", String(100), nullable=False),
    Column("record", String(255), nullable=False),
    Column("facts_hash", String(64), nullable=False),
    Column("values_json", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("recipient", Text, nullable=False),
    Column("department", Text, nullable=False),
    Column("template", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("file_name", Text),
    Column("issued_on", Date, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("supersedes", String(120)),
    Column("superseded_by", String(120)),
    Column("approved_by", Text),
    Column("approved_on", Date),
    Index("ix_documents_subject", "doc_type", "register", "record"),
)

PENDING, DRAFT, APPROVED, VOID = "生成中", "草稿", "已审批", "已作废"

_READY: set[int] = set()
_LOCK = threading.Lock()


def ensure_tables(engine: Engine) -> None:
    """Create the document tables once per engine (the ledger may predate this module)."""
    with _LOCK:
        if id(engine) in _READY:
            return
        metadata.create_all(engine, tables=[doc_counters, documents], checkfirst=True)
        _READY.add(id(engine))
