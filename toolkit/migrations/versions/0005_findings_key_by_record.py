"""rule_findings: the identity key serves lookups by record; the due and wake indexes
hold only the rows their queries look for

The unique key becomes (site, register, record, rule), so the findings of some records
are found through it and ix_rule_findings_record goes. ix_rule_findings_due holds only
deadlines still pending or due soon (the ones the clock moves on), ix_rule_findings_wake
only findings with a wake time.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

CLOCK_MOVES = "status = 'pending' OR status = 'due_soon'"
WAKES = "wake_at IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table('rule_findings', schema=None) as batch_op:
        batch_op.drop_index('ix_rule_findings_wake')
        batch_op.drop_index('ix_rule_findings_due')
        batch_op.drop_index('ix_rule_findings_record')
        batch_op.drop_constraint('uq_rule_findings_identity', type_='unique')
        batch_op.create_unique_constraint('uq_rule_findings_identity', ['site', 'register', 'record', 'rule'])
        batch_op.create_index('ix_rule_findings_due', ['site', 'status', 'due'], unique=False,
                              sqlite_where=sa.text(CLOCK_MOVES), postgresql_where=sa.text(CLOCK_MOVES))
        batch_op.create_index('ix_rule_findings_wake', ['site', 'wake_at'], unique=False,
                              sqlite_where=sa.text(WAKES), postgresql_where=sa.text(WAKES))


def downgrade() -> None:
    with op.batch_alter_table('rule_findings', schema=None) as batch_op:
        batch_op.drop_index('ix_rule_findings_wake')
        batch_op.drop_index('ix_rule_findings_due')
        batch_op.drop_constraint('uq_rule_findings_identity', type_='unique')
        batch_op.create_unique_constraint('uq_rule_findings_identity', ['site', 'rule', 'register', 'record'])
        batch_op.create_index('ix_rule_findings_record', ['site', 'register', 'record'], unique=False)
        batch_op.create_index('ix_rule_findings_due', ['site', 'status', 'due'], unique=False)
        batch_op.create_index('ix_rule_findings_wake', ['site', 'wake_at'], unique=False)
