"""rule_findings: the open findings indexed by record

Reports over a window read the older records of an event register that still have an
open finding (``reports.source``): the open findings of one register, found through
this partial index instead of every open finding of the site. It also serves the open
findings of a whole site, so ix_rule_findings_site_open (site, is_open) goes. Its
predicate is written as each database's SQL for ``is_open.is_(True)``, so each matches
its queries to it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('rule_findings', schema=None) as batch_op:
        batch_op.drop_index('ix_rule_findings_site_open')
        batch_op.create_index('ix_rule_findings_open', ['site', 'register', 'record'], unique=False,
                              sqlite_where=sa.text('is_open IS 1'), postgresql_where=sa.text('is_open IS TRUE'))


def downgrade() -> None:
    with op.batch_alter_table('rule_findings', schema=None) as batch_op:
        batch_op.drop_index('ix_rule_findings_open')
        batch_op.create_index('ix_rule_findings_site_open', ['site', 'is_open'], unique=False)
