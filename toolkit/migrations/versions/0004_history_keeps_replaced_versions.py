"""record_history keeps only the versions a record has replaced

The current version of a record lives in ``records`` alone; history rows that copy it
(every record's, before this revision) are removed, so the next change of the record
can write the version it replaces without meeting uq_record_history_version.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "DELETE FROM record_history WHERE EXISTS (SELECT 1 FROM records "
        "WHERE records.id = record_history.record_id AND records.version = record_history.version)"
    )


def downgrade() -> None:
    # The current version back into history, as it was written before this revision.
    op.execute(
        "INSERT INTO record_history (record_id, version, values_json, file_id, at, change) "
        "SELECT id, version, values_json, last_file_id, updated_at, "
        "CASE WHEN version = 1 THEN 'new' ELSE 'changed' END FROM records"
    )
