"""Alembic migrations of the ledger schema (run by ``toolkit db upgrade``; see schema.py)."""
