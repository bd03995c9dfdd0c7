"""findings read by record, by due and wake time; the rules' index of values by column

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('record_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site', sa.String(length=40), nullable=False),
    sa.Column('register', sa.String(length=100), nullable=False),
    sa.Column('field', sa.String(length=100), nullable=False),
    sa.Column('term', sa.Text(), nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('record_terms', schema=None) as batch_op:
        batch_op.create_index('ix_record_terms_lookup', ['site', 'register', 'field', 'term'], unique=False)
        batch_op.create_index('ix_record_terms_key', ['site', 'register', 'key'], unique=False)
    op.create_table('term_fields',
    sa.Column('site', sa.String(length=40), nullable=False),
    sa.Column('register', sa.String(length=100), nullable=False),
    sa.Column('field', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('site', 'register', 'field', name='pk_term_fields')
    )
    with op.batch_alter_table('rule_findings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wake_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_rule_findings_record', ['site', 'register', 'record'], unique=False)
        batch_op.create_index('ix_rule_findings_due', ['site', 'status', 'due'], unique=False)
        batch_op.create_index('ix_rule_findings_wake', ['site', 'wake_at'], unique=False)
    with op.batch_alter_table('issued_notices', schema=None) as batch_op:
        batch_op.create_index('ix_issued_notices_record', ['site', 'register', 'record'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('issued_notices', schema=None) as batch_op:
        batch_op.drop_index('ix_issued_notices_record')
    with op.batch_alter_table('rule_findings', schema=None) as batch_op:
        batch_op.drop_index('ix_rule_findings_wake')
        batch_op.drop_index('ix_rule_findings_due')
        batch_op.drop_index('ix_rule_findings_record')
        batch_op.drop_column('wake_at')
    op.drop_table('term_fields')
    with op.batch_alter_table('record_terms', schema=None) as batch_op:
        batch_op.drop_index('ix_record_terms_key')
        batch_op.drop_index('ix_record_terms_lookup')
    op.drop_table('record_terms')
