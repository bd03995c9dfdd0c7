"""Alembic environment: always handed an open connection by toolkit.schema."""

from __future__ import annotations

from alembic import context

from toolkit.schema import full_metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=full_metadata(),
    render_as_batch=True,  # SQLite changes tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
