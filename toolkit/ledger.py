"""The ledger: the toolkit's memory of files, records, their history and runs.

SQLAlchemy Core over a database URL. SQLite (one file in the workspace) by default;
the same code runs on PostgreSQL, so only portable column types are used and upserts
are done as select-then-insert/update inside one transaction.

Tables (all in the module-level ``metadata``; other modules add theirs to it):

``files``           one row per distinct input file (by content hash)
    id, sha256 (unique), name, size, status ('processing' until finished, then the
    outcome such as 'accepted'/'partial'/'rejected'), received_at, finished_at,
    archive_path, summary (codec JSON)
``records``         the current state of each record
    id, register, key, values_json (codec JSON), version, first_seen, updated_at,
    last_file_id → files.id;  unique (register, key)
``record_history``  every version a record has had
    id, record_id → records.id, version, values_json, file_id → files.id, at,
    change ('new' | 'changed');  unique (record_id, version)
``runs``            one row per run (process, watch sweep, report …)
    id, kind, status, started_at, finished_at, summary (codec JSON)

Datetimes are naive local wall-clock times (Asia/Shanghai), stored as given.

On SQLite every connection uses WAL, a 30 s busy timeout and foreign keys, and write
transactions start with ``BEGIN IMMEDIATE`` so that two processes writing at once
queue up instead of failing halfway through a read-then-write transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError

from .codec import decode, encode
from .model import Record

__all__ = [
    "metadata",
    "files",
    "records",
    "record_history",
    "runs",
    "Ledger",
    "FileAlreadyFinished",
    "PROCESSING",
]

PROCESSING = "processing"
BUSY_TIMEOUT_S = 30

metadata = MetaData()

files = Table(
    "files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("status", String(32), nullable=False),
    Column("received_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("archive_path", Text),
    Column("summary", Text),
    Index("ix_files_status", "status"),
)

records = Table(
    "records",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("register", String(100), nullable=False),
    Column("key", String(255), nullable=False),
    Column("values_json", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("first_seen", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("last_file_id", Integer, ForeignKey("files.id")),
    UniqueConstraint("register", "key", name="uq_records_register_key"),
    # Reports read the records of a register changed since a moment.
    Index("ix_records_register_updated", "register", "updated_at"),
)

record_history = Table(
    "record_history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("record_id", Integer, ForeignKey("records.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("values_json", Text, nullable=False),
    Column("file_id", Integer, ForeignKey("files.id")),
    Column("at", DateTime, nullable=False),
    Column("change", String(16), nullable=False),
    UniqueConstraint("record_id", "version", name="uq_record_history_version"),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("status", String(32), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("summary", Text),
)

Changes = dict[str, dict[str, list[str]]]


class FileAlreadyFinished(ValueError):
    """claim_file was asked to claim bytes the ledger has already finished."""

    def __init__(self, file: dict[str, Any]):
        super().__init__(f"file #{file['id']} ({file['name']}) is already {file['status']}")
        self.file = file


class _Conflict(Exception):
    """Another process inserted the same record first; the transaction is retried."""


_WRITE_OPTION = "toolkit_write"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so "begin" below
        # decides between BEGIN and BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A deferred transaction that reads and then writes fails with SQLITE_BUSY
        # (no waiting) if another process wrote in between; IMMEDIATE takes the
        # write lock up front and waits for it under busy_timeout instead.
        immediate = conn.get_execution_options().get(_WRITE_OPTION)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _file_dict(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "sha256": row.sha256,
        "name": row.name,
        "size": row.size,
        "status": row.status,
        "received_at": row.received_at,
        "finished_at": row.finished_at,
        "archive_path": row.archive_path,
        "summary": decode(row.summary) if row.summary is not None else None,
    }


def _record_dict(row: Any) -> dict[str, Any]:
    return {
        "key": row.key,
        "values": decode(row.values_json),
        "version": row.version,
        "first_seen": row.first_seen,
        "updated_at": row.updated_at,
        "last_file_id": row.last_file_id,
    }


def _run_dict(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "status": row.status,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
        "summary": decode(row.summary) if row.summary is not None else None,
    }


class Ledger:
    """Files, records with history, and runs, in one database."""

    def __init__(self, url: str):
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            db = parsed.database
            if db and db != ":memory:" and not db.startswith("file:"):
                Path(db).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_S}
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self._create_tables()

    def _create_tables(self) -> None:
        # Two processes starting together may both see a table missing; the loser's
        # CREATE fails, and a second look finds the table there.
        for attempt in range(2):
            try:
                with self.transaction() as conn:
                    metadata.create_all(conn, checkfirst=True)
                    # create_all skips the indexes of tables that exist: a ledger made
                    # by an earlier version gets the indexes added since.
                    for table in metadata.sorted_tables:
                        for index in table.indexes:
                            index.create(conn, checkfirst=True)
                return
            except DBAPIError:
                if attempt:
                    raise

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction (BEGIN IMMEDIATE on SQLite), committed on success."""
        with self.engine.connect() as conn:
            conn.execution_options(**{_WRITE_OPTION: True})
            with conn.begin():
                yield conn

    # --- files ----------------------------------------------------------------

    def find_file(self, sha256: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(files).where(files.c.sha256 == sha256)).first()
        return _file_dict(row) if row else None

    def claim_file(
        self, sha256: str, name: str, size: int, archive_path: str, now: datetime
    ) -> int:
        """Register a file as being processed and return its id.

        A file left 'processing' by a crash is claimed again under its old id, so the
        rerun writes to the same place. Raises FileAlreadyFinished for finished bytes.
        """
        for attempt in range(2):
            try:
                with self.transaction() as conn:
                    row = conn.execute(select(files).where(files.c.sha256 == sha256)).first()
                    if row is not None:
                        if row.status == PROCESSING:
                            return row.id
                        raise FileAlreadyFinished(_file_dict(row))
                    res = conn.execute(
                        insert(files).values(
                            sha256=sha256,
                            name=name,
                            size=size,
                            status=PROCESSING,
                            received_at=now,
                            archive_path=archive_path,
                        )
                    )
                    return int(res.inserted_primary_key[0])
            except IntegrityError:
                # Another process claimed the same bytes between our select and insert.
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def complete_file(
        self,
        file_id: int,
        status: str,
        summary: dict[str, Any],
        records: list[Record],
        now: datetime,
        extra: Callable[[Connection], None] | None = None,
    ) -> Changes:
        """Store the file's records, run ``extra``, and mark the file finished — atomically.

        Returns ``{register: {"new": [...], "changed": [...], "unchanged": [...]}}``.
        If anything fails (``extra`` included) nothing is written and the file stays
        'processing', so pending_files() offers it again.
        """
        if status == PROCESSING:
            raise ValueError("complete_file needs a final status, not 'processing'")
        for attempt in range(3):
            try:
                with self.transaction() as conn:
                    row = conn.execute(select(files.c.status).where(files.c.id == file_id)).first()
                    if row is None:
                        raise LookupError(f"no file #{file_id} in the ledger")
                    if row.status != PROCESSING:
                        raise ValueError(f"file #{file_id} is already {row.status}")
                    changes = self._upsert_records(conn, file_id, records, now)
                    if extra is not None:
                        extra(conn)
                    conn.execute(
                        update(files)
                        .where(files.c.id == file_id)
                        .values(status=status, summary=encode(summary), finished_at=now)
                    )
                    return changes
            except _Conflict as exc:
                if attempt == 2:
                    raise exc.__cause__ from None  # type: ignore[misc]
        raise AssertionError("unreachable")

    def _upsert_records(
        self, conn: Connection, file_id: int, recs: list[Record], now: datetime
    ) -> Changes:
        # Later duplicates replace earlier ones; each (register, key) counts once.
        latest: dict[tuple[str, str], str] = {}
        for rec in recs:
            latest[(rec.register, rec.key)] = encode(rec.values)
        registers = sorted({reg for reg, _ in latest})
        changes: Changes = {reg: {"new": [], "changed": [], "unchanged": []} for reg in registers}
        if not latest:
            return changes

        # One query loads the current state of every touched register.
        query = select(
            records.c.id,
            records.c.register,
            records.c.key,
            records.c.values_json,
            records.c.version,
        ).where(records.c.register.in_(registers))
        if not self.is_sqlite:
            query = query.with_for_update()  # serialise concurrent writers on PostgreSQL
        existing = {(r.register, r.key): r for r in conn.execute(query)}

        new_rows: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        history: list[dict[str, Any]] = []
        for (reg, key), text in latest.items():
            cur = existing.get((reg, key))
            if cur is None:
                changes[reg]["new"].append(key)
                new_rows.append(
                    {
                        "register": reg,
                        "key": key,
                        "values_json": text,
                        "version": 1,
                        "first_seen": now,
                        "updated_at": now,
                        "last_file_id": file_id,
                    }
                )
            elif cur.values_json == text:
                changes[reg]["unchanged"].append(key)
            else:
                changes[reg]["changed"].append(key)
                version = cur.version + 1
                updates.append(
                    {
                        "b_id": cur.id,
                        "values_json": text,
                        "version": version,
                        "updated_at": now,
                        "last_file_id": file_id,
                    }
                )
                history.append(
                    {
                        "record_id": cur.id,
                        "version": version,
                        "values_json": text,
                        "file_id": file_id,
                        "at": now,
                        "change": "changed",
                    }
                )

        if new_rows:
            ids = self._insert_new(conn, file_id, registers, new_rows)
            for row in new_rows:
                history.append(
                    {
                        "record_id": ids[(row["register"], row["key"])],
                        "version": 1,
                        "values_json": row["values_json"],
                        "file_id": file_id,
                        "at": now,
                        "change": "new",
                    }
                )
        if updates:
            conn.execute(
                update(records)
                .where(records.c.id == bindparam("b_id"))
                .values(
                    values_json=bindparam("values_json"),
                    version=bindparam("version"),
                    updated_at=bindparam("updated_at"),
                    last_file_id=bindparam("last_file_id"),
                ),
                updates,
            )
        if history:
            conn.execute(insert(record_history), history)
        return changes

    def _insert_new(
        self, conn: Connection, file_id: int, registers: list[str], rows: list[dict[str, Any]]
    ) -> dict[tuple[str, str], int]:
        """Insert new records (executemany) and return their ids by (register, key)."""
        try:
            if conn.dialect.insert_executemany_returning:
                result = conn.execute(
                    insert(records).returning(records.c.id, records.c.register, records.c.key), rows
                )
                return {(r.register, r.key): r.id for r in result}
            conn.execute(insert(records), rows)
        except IntegrityError as exc:
            raise _Conflict() from exc
        # Without RETURNING: the rows this transaction created are exactly those that
        # this file left at version 1 (a finished file is never completed again).
        found = conn.execute(
            select(records.c.id, records.c.register, records.c.key).where(
                records.c.register.in_(registers),
                records.c.last_file_id == file_id,
                records.c.version == 1,
            )
        )
        return {(r.register, r.key): r.id for r in found}

    def pending_files(self) -> list[dict[str, Any]]:
        """Files claimed but never finished (a crash); a restart processes them again."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(files).where(files.c.status == PROCESSING).order_by(files.c.id)
            )
            return [_file_dict(r) for r in rows]

    def files(self, limit: int = 50) -> list[dict[str, Any]]:
        """The most recent files, newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(files).order_by(files.c.id.desc()).limit(limit))
            return [_file_dict(r) for r in rows]

    def file_counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(files.c.status, func.count()).group_by(files.c.status))
            return {status: int(n) for status, n in rows}

    # --- records --------------------------------------------------------------

    def records(self, register: str) -> list[dict[str, Any]]:
        """Current state of every record in a register, in the order first seen."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(records).where(records.c.register == register).order_by(records.c.id)
            )
            return [_record_dict(r) for r in rows]

    def record(self, register: str, key: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(records).where(records.c.register == register, records.c.key == key)
            ).first()
        return _record_dict(row) if row else None

    def history(self, register: str, key: str) -> list[dict[str, Any]]:
        """Every version of a record, oldest first."""
        h = record_history
        query = (
            select(h.c.version, h.c.values_json, h.c.file_id, h.c.at, h.c.change)
            .join(records, records.c.id == h.c.record_id)
            .where(records.c.register == register, records.c.key == key)
            .order_by(h.c.version)
        )
        with self.engine.connect() as conn:
            return [
                {
                    "version": r.version,
                    "values": decode(r.values_json),
                    "file_id": r.file_id,
                    "at": r.at,
                    "change": r.change,
                }
                for r in conn.execute(query)
            ]

    def registers_seen(self) -> dict[str, int]:
        """Number of records held per register."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(records.c.register, func.count())
                .group_by(records.c.register)
                .order_by(records.c.register)
            )
            return {reg: int(n) for reg, n in rows}

    # --- runs -----------------------------------------------------------------

    def start_run(self, kind: str, now: datetime) -> int:
        with self.transaction() as conn:
            res = conn.execute(insert(runs).values(kind=kind, status="running", started_at=now))
            return int(res.inserted_primary_key[0])

    def finish_run(self, run_id: int, status: str, summary: dict[str, Any], now: datetime) -> None:
        with self.transaction() as conn:
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(status=status, summary=encode(summary), finished_at=now)
            )

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The most recent runs, newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(runs).order_by(runs.c.id.desc()).limit(limit))
            return [_run_dict(r) for r in rows]
