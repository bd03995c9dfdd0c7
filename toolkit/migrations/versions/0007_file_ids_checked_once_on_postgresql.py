"""records and record_history: no foreign key to files on PostgreSQL

PostgreSQL checks a foreign key row by row: a register of 100,000 rows cost the server
100,000 look-ups of the one file they all name (their COPY took 1.9–2.2 s instead of
0.9–1.1 s). The ledger checks that file once, in the transaction that writes its records
(ledger.py's notes). SQLite keeps its foreign keys: they cost it nothing to speak of, and
dropping one would copy the whole table.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_FILE_IDS = (("records", "last_file_id"), ("record_history", "file_id"))


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        return
    inspector = sa.inspect(bind)
    for table, column in _FILE_IDS:
        for fk in inspector.get_foreign_keys(table):
            if fk["referred_table"] == "files" and fk["constrained_columns"] == [column]:
                op.drop_constraint(fk["name"], table, type_="foreignkey")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, column in _FILE_IDS:
        op.create_foreign_key(f"{table}_{column}_fkey", table, "files", [column], ["id"])
