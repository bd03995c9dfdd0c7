"""The ledger tables for documents: number counters and every document issued.

``doc_counters``  (doc_type, year) → last sequence number handed out
``documents``     one row per number: what it was issued for, its facts, its state

Both live on :data:`toolkit.ledger.metadata` and carry the site: each site numbers
its own documents.
"""

from __future__ import annotations

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
    UniqueConstraint,
)

from ..ledger import SITE_LEN, KeyText, metadata

doc_counters = Table(
    "doc_counters",
    metadata,
    Column("site", String(SITE_LEN), nullable=False),
    Column("doc_type", String(60), nullable=False),
    Column("year", Integer, nullable=False),
    Column("last_seq", Integer, nullable=False),
    PrimaryKeyConstraint("site", "doc_type", "year", name="pk_doc_counters"),
)

# status: 生成中 (number taken, file not yet written), 草稿, 已审批, 已作废
documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site", String(SITE_LEN), nullable=False),
    Column("number", Text, nullable=False),
    Column("doc_type", String(60), nullable=False),
    Column("year", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("register", String(100), nullable=False),
    Column("record", KeyText, nullable=False),
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
    Column("supersedes", Text),
    Column("superseded_by", Text),
    Column("approved_by", Text),
    Column("approved_on", Date),
    UniqueConstraint("site", "number", name="uq_documents_site_number"),
    Index("ix_documents_site_subject", "site", "doc_type", "register", "record"),
)

PENDING, DRAFT, APPROVED, VOID = "生成中", "草稿", "已审批", "已作废"



def ensure_tables(engine: Engine) -> None:  # noqa: ARG001
    """Kept for callers: the tables are made by the schema migrations (schema.py)."""
