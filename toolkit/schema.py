"""The ledger's schema and its versions: Alembic migrations in ``toolkit/migrations``.

``toolkit db upgrade`` (:func:`upgrade`) brings a database to the newest version, run by
a role that owns the schema. Day-to-day processes only check the version on start
(:func:`ensure_current`): on PostgreSQL they refuse to run on an older schema and never
try to create anything, so they can run as a role that may read and write rows but
not change tables. A SQLite ledger (one workspace, one file) is upgraded on first use.

An empty database gets every table at once (as the newest migration leaves them) and
is stamped with the newest version; a SQLite ledger made before versioned migrations
is adopted: its rows are copied into the new tables under the default site.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, MetaData, inspect, text

if TYPE_CHECKING:
    from .ledger import Ledger

log = logging.getLogger("toolkit")

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The newest revision in migrations/versions (a test keeps the two in step): every process
# checks it on start without loading Alembic.
HEAD = "0007"
# Serialises two `db upgrade` runs on one PostgreSQL database.
_PG_LOCK_KEY = 7_310_015


class SchemaOutOfDate(RuntimeError):
    """The database's schema is older (or newer) than this version of the toolkit."""


def full_metadata() -> MetaData:
    """The metadata with every module's tables on it."""
    from . import (
        outbox,  # noqa: F401  outbox (outputs still to write)
        scheduler,  # noqa: F401  schedule_runs
    )
    from .documents import tables  # noqa: F401  doc_counters, documents
    from .ledger import metadata
    from .ruleset import store, terms  # noqa: F401  rule_findings, issued_notices, record_terms, term_fields

    return metadata


def _config(conn: Connection | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def head() -> str:
    """The newest revision, as Alembic reads it from migrations/versions."""
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"migrations have {len(heads)} heads: {heads}")
    return heads[0]


def current(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def ensure_current(ledger: Ledger) -> None:
    """On open: upgrade a SQLite ledger; elsewhere raise SchemaOutOfDate unless current."""
    if ledger.is_sqlite:
        with ledger.engine.connect() as conn:
            if current(conn) == HEAD:
                return
        with ledger.transaction() as conn:  # BEGIN IMMEDIATE: one process upgrades, others wait
            if current(conn) != HEAD:
                _upgrade(conn)
        return
    with ledger.engine.connect() as conn:
        have = current(conn)
    want = HEAD
    if have != want:
        raise SchemaOutOfDate(
            f"数据库结构版本为 {have or '空'}，本程序需要 {want}：请由数据库管理员运行 "
            f"`toolkit db upgrade`（database schema is at {have or 'nothing'}, needs {want})"
        )


def upgrade(ledger: Ledger) -> tuple[str | None, str]:
    """``toolkit db upgrade``: bring the database to the newest version; (before, after)."""
    with ledger.transaction() as conn:
        if not ledger.is_sqlite:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        before = current(conn)
        _upgrade(conn)
        return before, current(conn) or ""


def _upgrade(conn: Connection) -> None:
    tables = set(inspect(conn).get_table_names())
    if current(conn) is None:
        legacy = tables & {t.name for t in full_metadata().sorted_tables}
        if legacy:
            _adopt_unversioned(conn, legacy)
        else:
            full_metadata().create_all(conn)
        _stamp_head(conn)
        log.info("ledger schema created at version %s", HEAD)
        return
    from alembic import command

    command.upgrade(_config(conn), "head")


def _stamp_head(conn: Connection) -> None:
    """Record the newest version as Alembic's ``stamp`` does (its own table and
    constraint names), without loading Alembic: every new workspace's first process
    creates its ledger, and Alembic's import is most of that process's start-up."""
    from sqlalchemy import Column, PrimaryKeyConstraint, String, Table

    version = Table("alembic_version", MetaData(), Column("version_num", String(32), nullable=False),
                    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"))
    version.create(conn, checkfirst=True)
    conn.execute(version.delete())
    conn.execute(version.insert().values(version_num=HEAD))


def _adopt_unversioned(conn: Connection, legacy: set[str]) -> None:
    """Copy a ledger made before versioned migrations into the current tables (site main)."""
    from .ledger import DEFAULT_SITE

    if conn.dialect.name != "sqlite":
        raise SchemaOutOfDate("数据库中已有未登记版本的表，无法自动升级；请使用新的空数据库。")
    meta = full_metadata()
    conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    old_columns: dict[str, list[str]] = {}
    insp = inspect(conn)
    for name in legacy:
        old_columns[name] = [c["name"] for c in insp.get_columns(name)]
        for index in insp.get_indexes(name):
            conn.exec_driver_sql(f'DROP INDEX IF EXISTS "{index["name"]}"')
        conn.exec_driver_sql(f'ALTER TABLE "{name}" RENAME TO "legacy_{name}"')
    meta.create_all(conn)
    for table in meta.sorted_tables:
        if table.name not in legacy:
            continue
        cols = [c for c in old_columns[table.name] if c in table.c]
        names = ", ".join(f'"{c}"' for c in cols)
        site = ', "site"' if "site" in table.c and "site" not in cols else ""
        values = f", '{DEFAULT_SITE}'" if site else ""
        conn.exec_driver_sql(
            f'INSERT INTO "{table.name}" ({names}{site}) SELECT {names}{values} FROM "legacy_{table.name}"'
        )
    if {"records", "record_history"} <= legacy:
        # History then held every version, the current one too; it now lives in records
        # only (revision 0004).
        conn.exec_driver_sql(
            "DELETE FROM record_history WHERE EXISTS (SELECT 1 FROM records "
            "WHERE records.id = record_history.record_id AND records.version = record_history.version)")
    for table in reversed(meta.sorted_tables):
        if table.name in legacy:
            conn.exec_driver_sql(f'DROP TABLE "legacy_{table.name}"')
    log.info("ledger made before versioned migrations adopted (%s tables)", len(legacy))


def grant_statements(app_role: str, reader_role: str | None = None) -> list[str]:
    """PostgreSQL grants, run by the schema's owner after `db upgrade`: the app role reads
    and writes rows of every table (now and after later upgrades) but cannot create,
    alter or drop anything; the reader role (head office) only reads."""
    def q(role: str) -> str:
        if not role.replace("_", "").isalnum():
            raise ValueError(f"role name {role!r}: letters, digits and _ only")
        return f'"{role}"'

    out = ["REVOKE CREATE ON SCHEMA public FROM PUBLIC",
           f"GRANT USAGE ON SCHEMA public TO {q(app_role)}",
           f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {q(app_role)}",
           f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {q(app_role)}",
           f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {q(app_role)}",
           f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {q(app_role)}"]
    if reader_role:
        out += [f"GRANT USAGE ON SCHEMA public TO {q(reader_role)}",
                f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {q(reader_role)}",
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {q(reader_role)}"]
    return out


def differences(conn: Connection) -> list[Any]:
    """What the database's schema lacks against the code's tables (empty when in step)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from .ledger import ONLY_ON

    def here(obj: Any, _name: Any, _kind: str, reflected: bool, _compare_to: Any) -> bool:
        # A constraint of the code made on one database only (ledger.sqlite_only) is
        # not missing from the others.
        only = None if reflected else getattr(obj, "info", {}).get(ONLY_ON)
        return only is None or only == conn.dialect.name

    ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": here})
    return compare_metadata(ctx, full_metadata())
