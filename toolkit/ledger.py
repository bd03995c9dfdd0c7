"""The ledger: the toolkit's memory of files, records, their history and runs.

SQLAlchemy Core over a database URL. SQLite (one file in the workspace) by default;
the same code runs on PostgreSQL, so only portable column types are used (text of
any length is ``Text``) and upserts are done as select-then-insert/update inside one
transaction.

Tables (all in the module-level ``metadata``; other modules add theirs to it):

``sites``           one row per site sharing the database: code, name, number_prefix
``files``           one row per distinct input file of a site (by content hash)
    id, site, sha256 (unique per site), name, size, status ('processing' until
    finished, then the outcome such as 'accepted'/'partial'/'rejected'), received_at,
    finished_at, archive_path, summary (codec JSON), owner and lease_until (the claim
    of the process working on it, see claims.py)
``records``         the current state of each record
    id, site, register, key, values_json (codec JSON), version, first_seen,
    updated_at, last_file_id → files.id (see below);  unique (site, register, key)
``record_history``  the versions a record has had before its current one
    id, record_id → records.id, version, values_json, file_id → files.id, at,
    change ('new' | 'changed');  unique (record_id, version). A change writes the
    version it replaces (its file and time are the record's last_file_id and
    updated_at until then); the current version lives in ``records`` only, so a
    first load writes no history at all. ``Ledger.history`` joins the two. A key
    correction (corrections.py) gives the record's row its corrected key and keeps the
    version it replaces as 'renamed': the versions after it are under the new key.
``runs``            one row per run (process, watch sweep, report …)
    id, site, kind, status, started_at, finished_at, summary (codec JSON)

Every table other modules add carries ``site`` too, and every query names it: a
``Ledger`` is opened for one site and sees and changes only that site's rows. The
schema is made and changed by the migrations in ``toolkit/migrations`` (schema.py).

Datetimes are naive local wall-clock times (Asia/Shanghai), stored as given.

The file ids of ``records`` and ``record_history`` are foreign keys on SQLite only.
PostgreSQL checks a foreign key row by row, after the statement: for a register of
100,000 rows, 100,000 look-ups of the one file, the same id each time: the records'
COPY took 1.9–2.2 s instead of 0.9–1.1 s. The ledger checks that file instead, once: a
file's records are written only in the transaction that finds its row still claimed by
this process (``complete_file``), and files are never deleted.

On SQLite every connection uses WAL, a 30 s busy timeout and foreign keys, and write
transactions start with ``BEGIN IMMEDIATE`` so that two processes writing at once
queue up instead of failing halfway through a read-then-write transaction.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    bindparam,
    case,
    create_engine,
    event,
    func,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, IntegrityError

from .bulk import Inserter, json_rows
from .claims import Heartbeat, lease_seconds, may_take, new_owner
from .codec import decode, encode
from .model import Record
from .returns import original_stem

__all__ = [
    "metadata",
    "files",
    "records",
    "record_history",
    "runs",
    "Ledger",
    "FileAlreadyFinished",
    "ClaimLost",
    "sites",
    "DEFAULT_SITE",
    "KeyText",
    "PROCESSING",
]

PROCESSING = "processing"
DEFAULT_SITE = "main"  # a workspace without site.yaml (one site, SQLite)
BUSY_TIMEOUT_S = 30
KEY_CHUNK = 500  # keys or ids per IN (…): a file's records looked up, replaced versions kept, findings closed
WRITE_BATCH = 5_000  # rows per bulk write: bounded memory for the driver's copy


def database_label(url: str) -> str:
    """The database's address as staff may see it: the password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def driver_reason(exc: DBAPIError) -> str:
    """The first line of what the driver said."""
    return (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]


def reach_hint(url: str) -> str:
    """What to check when the database at ``url`` cannot be reached."""
    if make_url(url).get_backend_name() == "sqlite":
        return "请检查工作区的 var/ 文件夹是否存在、能否写入，磁盘是否已满"
    return "请检查数据库服务器是否已启动，地址、端口、数据库名和角色（TOOLKIT_DATABASE_URL）是否正确"


metadata = MetaData()

SITE_LEN = 40  # site codes are short ids (A, north-estate, 0571-03)


class KeyText(TypeDecorator):
    """Text of any length for record keys and names; NUL (which PostgreSQL refuses in
    text, and which cleaned cell text never holds) is stored as U+FFFD on every database,
    in writes and lookups alike, so a key means the same everywhere."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        return value.replace("\x00", "\ufffd") if isinstance(value, str) else value

sites = Table(
    "sites",
    metadata,
    Column("code", String(SITE_LEN), primary_key=True),
    Column("name", Text, nullable=False),
    Column("number_prefix", Text, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

files = Table(
    "files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site", String(SITE_LEN), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("name", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("status", String(32), nullable=False),
    Column("received_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("archive_path", Text),
    Column("summary", Text),
    Column("owner", String(120)),
    Column("lease_until", Float),
    UniqueConstraint("site", "sha256", name="uq_files_site_sha256"),
    Index("ix_files_site_status", "site", "status"),
)

ONLY_ON = "only_on"  # a constraint's info: the one database that has it (schema.differences)


def sqlite_only(constraint: ForeignKeyConstraint) -> ForeignKeyConstraint:
    """``constraint`` made on SQLite and nowhere else (see the module's notes)."""
    constraint.info[ONLY_ON] = "sqlite"
    return constraint.ddl_if(dialect="sqlite")


records = Table(
    "records",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site", String(SITE_LEN), nullable=False),
    Column("register", String(100), nullable=False),
    Column("key", KeyText, nullable=False),
    Column("values_json", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("first_seen", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("last_file_id", Integer),
    sqlite_only(ForeignKeyConstraint(["last_file_id"], ["files.id"])),  # see the module's notes
    UniqueConstraint("site", "register", "key", name="uq_records_site_register_key"),
    # Reports read the records of a register changed since a moment.
    Index("ix_records_site_register_updated", "site", "register", "updated_at"),
)

record_history = Table(
    "record_history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("record_id", Integer, ForeignKey("records.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("values_json", Text, nullable=False),
    Column("file_id", Integer),
    sqlite_only(ForeignKeyConstraint(["file_id"], ["files.id"])),
    Column("at", DateTime, nullable=False),
    Column("change", String(16), nullable=False),
    UniqueConstraint("record_id", "version", name="uq_record_history_version"),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site", String(SITE_LEN), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("status", String(32), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("summary", Text),
    Index("ix_runs_site", "site", "id"),
)

Changes = dict[str, dict[str, list[Any]]]
RENAMED = "renamed"  # record_history.change of a version a key correction replaced
VOIDED = "voided"  # record_history.change of the last version of a record marked 作废
# A record marked 作废 stays in ``records`` (its history refers to it) under a register no
# reader asks for: "<register>#作废", its key "<key>#<id>" (one void of a key after another
# never collides). The history reads it, and a rule that must tell a reference to a voided
# record from one to a record never entered (it reads "<register>#作废" by ``void_key``);
# the key is free for a new record.
VOID_SUFFIX = "#作废"


def void_key(key: str) -> str:
    """The key a record marked 作废 had, from its stand-in's ``<key>#<id>``."""
    return key.rsplit("#", 1)[0]

# The stored versions of some records copied into history, as the changes that replace
# them are written: one statement for many records (on PostgreSQL a statement a record
# was 0.1 ms of the server's each, 2 s for 20,000 changed records).
_KEEP_VERSIONS = insert(record_history).from_select(
    ["record_id", "version", "values_json", "file_id", "at", "change"],
    select(records.c.id, records.c.version, records.c.values_json, records.c.last_file_id, records.c.updated_at,
           case((records.c.version == 1, "new"), else_="changed"))
    .where(records.c.id.in_(bindparam("ids", expanding=True))),
)

# The version a key correction replaces: kept as 'renamed' (the next version has the new key).
_KEEP_RENAMED = insert(record_history).from_select(
    ["record_id", "version", "values_json", "file_id", "at", "change"],
    select(records.c.id, records.c.version, records.c.values_json, records.c.last_file_id, records.c.updated_at,
           literal(RENAMED, String(16)))
    .where(records.c.id.in_(bindparam("ids", expanding=True))),
)

# The last version of a record marked 作废, kept as 'voided' (the next is its void stand-in).
_KEEP_VOIDED = insert(record_history).from_select(
    ["record_id", "version", "values_json", "file_id", "at", "change"],
    select(records.c.id, records.c.version, records.c.values_json, records.c.last_file_id, records.c.updated_at,
           literal(VOIDED, String(16)))
    .where(records.c.id.in_(bindparam("ids", expanding=True))),
)

# PostgreSQL: changed records rewritten by one statement, instead of one UPDATE a record
# (1.7 s of the server's for 20,000). Their ids, texts and versions go as one JSON text
# (orjson writes it; the driver's own escaping of a text array cost more than the update).
_UPDATE_FROM_JSON = text(
    "UPDATE records SET values_json = v.values_json, version = v.version, updated_at = :updated_at, "
    "last_file_id = :last_file_id "
    "FROM json_to_recordset(CAST(:rows AS json)) AS v(b_id integer, values_json text, version integer) "
    "WHERE records.id = v.b_id"
)


def register_is_empty(conn: Connection, site: str, register: str) -> bool:
    """No record of this register yet at this site (one index probe).

    Ordered by key, so the unique key's index answers: with a bare LIMIT 1 PostgreSQL
    scans the table for the first matching row, expecting one early, and a register
    whose rows were loaded together sit in one stretch of a big ledger (0.1 s a probe
    on 1,000,000 records, paid by every small file).
    """
    return conn.execute(select(records.c.key).where(records.c.site == site, records.c.register == register)
                        .order_by(records.c.key).limit(1)).first() is None

# Tables whose rows are claims (owner, lease_until) and the status a held claim has;
# the heartbeat renews them all. Other modules add theirs (schedule slots).
LEASED: list[tuple[Table, str]] = [(files, PROCESSING)]


def _renew(conn: Connection, owners: list[str], until: float) -> None:
    for table, held in LEASED:
        conn.execute(update(table).where(table.c.owner.in_(owners), table.c.status == held)
                     .values(lease_until=until))


class _Writing:
    """This process's SQLite write transactions on one engine, open or waiting for the
    lock, and the claim holders (one per site's view: owner and heartbeat) whose leases
    they renew before committing once a beat is due."""

    def __init__(self, holders: list[tuple[str, Heartbeat]]):
        self.holders = holders
        self.depth = 0
        self.lock = threading.Lock()
        self.renewed_at = time.monotonic()

    @contextmanager
    def held(self) -> Iterator[None]:
        with self.lock:
            self.depth += 1
        try:  # released once the transaction has committed or rolled back
            yield
        finally:
            self.release()

    def take_if_idle(self) -> bool:
        """Count the caller as a writer unless another already is (the heartbeat's test)."""
        with self.lock:
            if self.depth:
                return False
            self.depth += 1
            return True

    def release(self) -> None:
        with self.lock:
            self.depth -= 1

    def renew_if_due(self, conn: Connection) -> None:
        if time.monotonic() - self.renewed_at < lease_seconds() / 5:
            return
        owners = [owner for owner, beat in self.holders if beat.running]  # those holding claims
        if owners:
            _renew(conn, owners, time.time() + lease_seconds())
        self.renewed_at = time.monotonic()


class FileAlreadyFinished(ValueError):
    """claim_file was asked to claim bytes the ledger has already finished."""

    def __init__(self, file: dict[str, Any]):
        super().__init__(f"file #{file['id']} ({file['name']}) is already {file['status']}")
        self.file = file


class ClaimLost(RuntimeError):
    """The file's claim passed to another process (this one was taken for gone)."""


class _Conflict(Exception):
    """Another process inserted the same record first; the transaction is retried."""


_WRITE_OPTION = "toolkit_write"


def _same(column: Any, value: Any) -> Any:
    return column.is_(None) if value is None else column == value


def _use_wal(cur: Any) -> None:
    """Switch the file to WAL (a no-op once it is).

    Turning a new file into WAL takes a lock SQLite does not wait for (busy_timeout is
    not consulted), so two processes opening a new ledger at the same moment could
    fail with "database is locked"; the switch is retried within the busy timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


SQLITE_CACHE_KB = 16 * 1024  # each connection's page cache
SQLITE_PAGE_SIZE = 16384  # bytes per page of a new ledger file


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so "begin" below
        # decides between BEGIN and BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        # Only a new, empty file takes it (before WAL is switched on); an existing ledger
        # keeps its own. With 4 KB pages a 100,000-row register's records and findings
        # cost SQLite a quarter more to insert and commit: twice the index pages to split,
        # and twice the WAL frames to write and checkpoint.
        cur.execute(f"PRAGMA page_size = {SQLITE_PAGE_SIZE}")
        _use_wal(cur)
        cur.execute("PRAGMA foreign_keys = ON")
        # SQLite's default page cache (2 MB) is smaller than the pages a big file's
        # transaction keeps changing (its indexes): they were written to the WAL, read
        # back and written again, 30,000 writes and 31,000 reads more for a 100,000-row
        # register. 16 MB holds them (peak memory +7 MB there).
        cur.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KB}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A deferred transaction that reads and then writes fails with SQLITE_BUSY
        # (no waiting) if another process wrote in between; IMMEDIATE takes the
        # write lock up front and waits for it under busy_timeout instead.
        immediate = conn.get_execution_options().get(_WRITE_OPTION)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


IDLE_PING_S = 30.0  # a pooled PostgreSQL connection idle this long is pinged before use
PG_CONNECT = {"connect_timeout": 15, "keepalives": 1, "keepalives_idle": 60, "keepalives_interval": 10,
              "keepalives_count": 3}  # libpq's, unless the URL sets them


def _configure_postgresql(engine: Engine) -> None:
    # A connection the server or a firewall dropped while it lay idle in the pool (a
    # watcher at night, a restarted server) is found on checkout and replaced, instead of
    # failing the next file. Only after idling: a ping on every checkout was 6 ms a file
    # (six checkouts, a round trip each) for a connection used a moment ago.
    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is not None and time.monotonic() - since > IDLE_PING_S:
            try:
                engine.dialect.do_ping(dbapi_conn)
            except Exception as exc:
                raise DisconnectionError() from exc  # the pool connects afresh and checks out again

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Every statement of ours planned for its own values: the driver would prepare a
        # statement run five times, and the server may then keep one plan for any values,
        # made from what it knew then. Right after a big first load (not analyzed yet) the
        # plan for "these 500 keys of the register" read the whole register on each call,
        # and re-saving a 20,000-row register took 22 s instead of 1.8 s. Only our own
        # statements: the server's plans for its foreign-key checks stay its own choice
        # (planned again for each row, they doubled the COPY of a 100,000-row first load).
        if hasattr(dbapi_conn, "prepare_threshold"):  # psycopg 3 (psycopg2 prepares nothing)
            dbapi_conn.prepare_threshold = None


def _change(version: int, before: str | None = None) -> str:
    """How a record came to a version: its first is 'new', one after a version a key
    correction replaced ('renamed', stored on that version) 'renamed', any other 'changed'."""
    if version == 1:
        return "new"
    return RENAMED if before == RENAMED else "changed"


def _replaced_versions(conn: Connection, ids: list[int]) -> dict[int, list[Any]]:
    """The versions each record of ``ids`` has replaced (record_id, values_json, at),
    oldest first, by record id; 500 ids a statement."""
    h = record_history
    older: dict[int, list[Any]] = {}
    for i in range(0, len(ids), 500):
        for r in conn.execute(select(h.c.record_id, h.c.values_json, h.c.at)
                              .where(h.c.record_id.in_(ids[i:i + 500]))
                              .order_by(h.c.record_id, h.c.version)):
            older.setdefault(r.record_id, []).append(r)
    return older


def generation_key(sha256: str, n: int) -> str:
    """The ``files.sha256`` of the n-th save of the same bytes taken again (see
    ``Ledger.later_save``): the bytes' own hash for the first, a hash of it and n after."""
    return sha256 if n == 0 else hashlib.sha256(f"{sha256}#{n}".encode()).hexdigest()


def _file_dict(row: Any, generation: int = 0) -> dict[str, Any]:
    return {
        "generation": generation,
        "id": row.id,
        "site": row.site,
        "sha256": row.sha256,
        "name": row.name,
        "size": row.size,
        "status": row.status,
        "received_at": row.received_at,
        "finished_at": row.finished_at,
        "archive_path": row.archive_path,
        "summary": decode(row.summary) if row.summary is not None else None,
        "owner": row.owner,
        "lease_until": row.lease_until,
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
    """Files, records with history, and runs of one site, in one database.

    ``site`` scopes every read and write. Opening checks the schema version: a SQLite
    ledger is brought up to date on first use; any other database must have been
    upgraded with ``toolkit db upgrade`` (SchemaOutOfDate otherwise), so the role
    that runs day to day needs no right to change the schema.
    """

    def __init__(self, url: str, site: str = DEFAULT_SITE, *, check_schema: bool = True):
        parsed = make_url(url)
        self.url = url
        self.site = site
        self.owner = new_owner()
        self._heartbeat = Heartbeat(self.renew_leases)
        self._shared = False
        self._writing = _Writing([(self.owner, self._heartbeat)])
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            db = parsed.database
            if db and db != ":memory:" and not db.startswith("file:"):
                Path(db).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_S}
        elif parsed.get_backend_name() == "postgresql":
            # A server that takes the connection and never answers (hung, or a half-open
            # network) would hold a connect, and so the watcher, forever: give up and say so.
            # Keepalives find a peer gone during a long statement in about 90 s, not the
            # system's two hours. Settings in the URL itself win.
            kwargs["connect_args"] = {k: v for k, v in PG_CONNECT.items() if k not in parsed.query}
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        else:
            _configure_postgresql(self.engine)
        if check_schema:
            from .schema import ensure_current

            ensure_current(self)

    def unreachable(self) -> str | None:
        """None when a new connection reaches the database and answers; else the driver's
        reason. The pool's connections are let go first: after a failure they may be
        ones the server has already closed."""
        self.engine.dispose()
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except DBAPIError as exc:
            return driver_reason(exc)
        return None

    def for_site(self, site: str) -> Ledger:
        """The same database seen as another site (head office reads each site in turn)."""
        other = object.__new__(Ledger)
        other.__dict__.update(self.__dict__)
        other.site = site
        other.owner = new_owner()
        other._heartbeat = Heartbeat(other.renew_leases)
        other._shared = True
        # One engine: its transactions renew every site's claims.
        self._writing.holders.append((other.owner, other._heartbeat))
        return other

    def close(self) -> None:
        self._heartbeat.stop()
        if not self._shared:
            self.engine.dispose()

    # --- sites ------------------------------------------------------------------

    def register_site(self, name: str, number_prefix: str, now: datetime) -> None:
        """Record (or update) this site's name and number prefix for head-office views."""
        with self.transaction() as conn:
            row = conn.execute(select(sites).where(sites.c.code == self.site)).first()
            if row is None:
                try:
                    with conn.begin_nested():
                        conn.execute(insert(sites).values(code=self.site, name=name,
                                                          number_prefix=number_prefix, updated_at=now))
                except IntegrityError:  # another process of this site registered it first
                    pass
            elif (row.name, row.number_prefix) != (name, number_prefix):
                conn.execute(update(sites).where(sites.c.code == self.site)
                             .values(name=name, number_prefix=number_prefix, updated_at=now))

    def sites(self) -> list[dict[str, Any]]:
        """Every site known to the database, by code."""
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(sites).order_by(sites.c.code))]

    # --- leases -----------------------------------------------------------------

    def renew_leases(self, until: float) -> None:
        """Push forward the lease of every claim this process holds (heartbeat).

        On SQLite, while a write transaction of this process is open, the beat is left to
        that transaction, which renews every lease of the process before it commits: the
        beat could only wait for the write lock, and a transaction longer than the busy
        timeout (a 100,000-row register) would make it fail and let the leases run out.
        """
        if not self.is_sqlite:
            with self._begin() as conn:
                _renew(conn, [self.owner], until)
            return
        if not self._writing.take_if_idle():
            return
        try:
            with self._begin() as conn:
                _renew(conn, [self.owner], until)
            self._writing.renewed_at = time.monotonic()
        finally:
            self._writing.release()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction (BEGIN IMMEDIATE on SQLite), committed on success."""
        if not self.is_sqlite:
            with self._begin() as conn:
                yield conn
            return
        with self._writing.held():
            with self._begin() as conn:
                yield conn
                self._writing.renew_if_due(conn)

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn.execution_options(**{_WRITE_OPTION: True})
            with conn.begin():
                yield conn

    # --- files ----------------------------------------------------------------

    def find_file(self, sha256: str) -> dict[str, Any] | None:
        """The latest file of these bytes (the bytes taken again are a generation each)."""
        found, n = None, 0
        with self.engine.connect() as conn:
            while True:
                row = conn.execute(
                    select(files).where(files.c.site == self.site, files.c.sha256 == generation_key(sha256, n))
                ).first()
                if row is None:
                    break
                found, n = row, n + 1
        return _file_dict(found, n - 1) if found is not None else None

    def later_save(self, known: dict[str, Any]) -> dict[str, Any] | None:
        """A save of the same workbook (``returns.original_stem`` of the names) finished
        after the file ``known`` and that took rows (accepted or partial): the workbook has
        moved on, so the same bytes again are staff going back to them, not a copy made
        twice. None when there is none."""
        stem = original_stem(known["name"])
        with self.engine.connect() as conn:
            rows = conn.execute(select(files.c.id, files.c.name).where(
                files.c.site == self.site, files.c.id > known["id"], files.c.status.in_(("accepted", "partial")),
                files.c.name.startswith(stem, autoescape=True)).order_by(files.c.id.desc())).all()
        later = next((r for r in rows if original_stem(r.name) == stem), None)
        return {"id": later.id, "name": later.name} if later is not None else None

    def claim_file(
        self, sha256: str, name: str, size: int, archive_path: str, now: datetime
    ) -> int | None:
        """Claim a file of this site for processing; its id, or None if another holds it.

        A file left 'processing' by a process that is gone (its lease ran out, or it no
        longer runs on this machine) is claimed again under its old id, so the rerun
        writes to the same place; one still held by a live process is left alone.
        Raises FileAlreadyFinished for finished bytes.
        """
        for attempt in range(3):
            try:
                with self.transaction() as conn:
                    row = conn.execute(
                        select(files).where(files.c.site == self.site, files.c.sha256 == sha256)
                    ).first()
                    lease = time.time() + lease_seconds()
                    if row is not None:
                        if row.status != PROCESSING:
                            raise FileAlreadyFinished(_file_dict(row))
                        if not may_take(row.owner, row.lease_until, self.owner):
                            return None
                        # Compare-and-set on the holder: of two takers, one wins.
                        res = conn.execute(
                            update(files)
                            .where(files.c.id == row.id, _same(files.c.owner, row.owner))
                            .values(owner=self.owner, lease_until=lease)
                        )
                        if res.rowcount != 1:
                            return None
                        self._heartbeat.start()
                        return row.id
                    res = conn.execute(
                        insert(files).values(
                            site=self.site,
                            sha256=sha256,
                            name=name,
                            size=size,
                            status=PROCESSING,
                            received_at=now,
                            archive_path=archive_path,
                            owner=self.owner,
                            lease_until=lease,
                        )
                    )
                    self._heartbeat.start()
                    return int(res.inserted_primary_key[0])
            except IntegrityError:
                # Another process claimed the same bytes between our select and insert.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def release_file(self, file_id: int) -> None:
        """Give up a claim without finishing (the file is offered again at once)."""
        with self.transaction() as conn:
            conn.execute(update(files).where(files.c.id == file_id, files.c.owner == self.owner,
                                             files.c.status == PROCESSING)
                         .values(owner=None, lease_until=None))

    def complete_file(
        self,
        file_id: int,
        status: str,
        summary: dict[str, Any],
        records: list[Record],
        now: datetime,
        extra: Callable[[Connection], None] | None = None,
        corrections: Sequence[Any] = (),
        voided: Sequence[Any] = (),
    ) -> Changes:
        """Store the file's records, run ``extra``, and mark the file finished — atomically.

        Returns ``{register: {"new": [...], "changed": [...], "unchanged": [...]}}``, with
        ``"renamed": [{"from", "to", "note"}]`` for a register whose keys it corrected.
        ``corrections``: corrections.Correction found before the commit; each is applied
        (``applied``) if its old record is still as found, and its new key still new.
        ``voided``: rows marked 作废 (voids.Voided); the records of their keys are retired
        (``"voided": [keys]`` in the changes of their register).
        If anything fails (``extra`` included) nothing is written and the file stays
        'processing', so pending_files() offers it again.
        """
        if status == PROCESSING:
            raise ValueError("complete_file needs a final status, not 'processing'")
        for attempt in range(3):
            try:
                with self.transaction() as conn:
                    row = conn.execute(
                        select(files.c.status, files.c.owner).where(files.c.id == file_id)
                    ).first()
                    if row is None:
                        raise LookupError(f"no file #{file_id} in the ledger")
                    if row.status != PROCESSING:
                        raise ValueError(f"file #{file_id} is already {row.status}")
                    if row.owner is not None and row.owner != self.owner:
                        raise ClaimLost(f"file #{file_id} was taken over by {row.owner}")
                    changes = self._upsert_records(conn, file_id, records, now, corrections)
                    self._retire(conn, file_id, voided, now, changes)
                    self._index_terms(conn, records, changes)
                    if extra is not None:
                        extra(conn)
                    renamed = [{"register": c.register, **c.to_dict()} for c in corrections if c.applied]
                    if renamed:  # the file's stored summary names them too
                        summary = {**summary, "renamed": renamed}
                    gone = {reg: c["voided"] for reg, c in changes.items() if c.get("voided")}
                    if gone:
                        summary = {**summary, "voided": gone}
                    # Conditional on the claim still being ours: a process that took it
                    # over meanwhile (this one stalled past its lease) makes this a no-op,
                    # and everything above rolls back.
                    done = conn.execute(
                        update(files)
                        .where(files.c.id == file_id, files.c.status == PROCESSING,
                               _same(files.c.owner, row.owner))
                        .values(status=status, summary=encode(summary), finished_at=now,
                                owner=None, lease_until=None)
                    )
                    if done.rowcount != 1:
                        raise ClaimLost(f"file #{file_id} was taken over while it was being finished")
                    return changes
            except _Conflict as exc:
                if attempt == 2:
                    raise exc.__cause__ from None  # type: ignore[misc]
        raise AssertionError("unreachable")

    def _upsert_records(
        self, conn: Connection, file_id: int, recs: list[Record], now: datetime, corrections: Sequence[Any] = ()
    ) -> Changes:
        # Later duplicates replace earlier ones; each (register, key) counts once.
        latest: dict[tuple[str, str], Record] = {}
        for rec in recs:
            latest[(rec.register, rec.key)] = rec
        registers = sorted({reg for reg, _ in latest})
        changes: Changes = {reg: {"new": [], "changed": [], "unchanged": []} for reg in registers}
        for c in corrections:
            c.applied = False  # a retried transaction decides again
        if not latest:
            return changes

        existing = self._existing(conn, registers, latest)
        renames = self._still_correct(conn, corrections, latest, existing)
        # A batch at a time: the encoded texts and the rows handed to the driver of a
        # 100,000-row register are never all in memory at once.
        pending = list(latest.items())
        # What every new row shares is given once (converted once, not per row).
        fixed = {"site": self.site, "version": 1, "first_seen": now, "updated_at": now, "last_file_id": file_id}
        try:
            with Inserter(conn, records, ("register", "key", "values_json"), fixed) as inserter:
                for i in range(0, len(pending), WRITE_BATCH):
                    self._write_records(conn, file_id, pending[i:i + WRITE_BATCH], existing, changes, now,
                                        inserter, renames)
        except IntegrityError as exc:  # another process inserted one of these keys first
            raise _Conflict() from exc
        return changes

    def _retire(self, conn: Connection, file_id: int, voided: Sequence[Any], now: datetime, changes: Changes) -> None:
        """The records of rows marked 作废 leave their register (see VOID_SUFFIX); a key
        with no record (never taken, or retired before) retires nothing."""
        by_register: dict[str, set[str]] = {}
        for v in voided:
            by_register.setdefault(v.register, set()).add(v.key)
        for reg, keys in sorted(by_register.items()):
            wanted = sorted(keys)
            rows = []
            for i in range(0, len(wanted), KEY_CHUNK):
                query = select(records.c.id, records.c.key).where(
                    records.c.site == self.site, records.c.register == reg, records.c.key.in_(wanted[i:i + KEY_CHUNK]))
                if not self.is_sqlite:
                    query = query.order_by(records.c.id).with_for_update()
                rows += conn.execute(query).all()
            if not rows:
                continue
            ids = [r.id for r in rows]
            for i in range(0, len(ids), KEY_CHUNK):
                conn.execute(_KEEP_VOIDED, {"ids": ids[i:i + KEY_CHUNK]})
            conn.execute(update(records).where(records.c.id == bindparam("b_id")).values(
                register=bindparam("b_register"), key=bindparam("b_key"), version=records.c.version + 1,
                updated_at=now, last_file_id=file_id),
                [{"b_id": r.id, "b_register": reg + VOID_SUFFIX, "b_key": f"{r.key}#{r.id}"} for r in rows])
            entry = changes.setdefault(reg, {"new": [], "changed": [], "unchanged": []})
            entry["voided"] = sorted(r.key for r in rows)

    def _still_correct(self, conn: Connection, corrections: Sequence[Any], latest: dict[tuple[str, str], Any],
                       existing: dict[tuple[str, str], Any]) -> dict[tuple[str, str], Any]:
        """The corrections whose old record is as found and whose new key is still new,
        by (register, new key). Another file may have written either since (its row is
        locked here on PostgreSQL, in id order, after the file's own rows)."""
        wanted = {c.record_id: c for c in corrections
                  if (c.register, c.new) in latest and (c.register, c.new) not in existing}
        if not wanted:
            return {}
        query = (select(records.c.id, records.c.register, records.c.key, records.c.version)
                 .where(records.c.site == self.site, records.c.id.in_(sorted(wanted))).order_by(records.c.id))
        if not self.is_sqlite:
            query = query.with_for_update()
        out: dict[tuple[str, str], Any] = {}
        for r in conn.execute(query):
            c = wanted[r.id]
            if (r.register, r.key, r.version) == (c.register, c.old, c.version):
                out[(c.register, c.new)] = c
        return out

    def _write_records(self, conn: Connection, file_id: int, batch: list[tuple[tuple[str, str], Record]],
                       existing: dict[tuple[str, str], Any], changes: Changes, now: datetime,
                       inserter: Inserter, renames: dict[tuple[str, str], Any] | None = None) -> None:
        new_rows: list[tuple[str, str, str]] = []
        updates: list[dict[str, Any]] = []
        moved: list[dict[str, Any]] = []  # key corrections: the old record's row takes the new key
        for (reg, key), rec in batch:
            text = encode(rec.values)
            cur = existing.get((reg, key))
            if cur is None:
                changes[reg]["new"].append(key)
                fix = renames.get((reg, key)) if renames else None
                if fix is not None:
                    changes[reg].setdefault("renamed", []).append(fix.to_dict())
                    moved.append({"b_id": fix.record_id, "key": key, "values_json": text, "version": fix.version + 1,
                                  "updated_at": now, "last_file_id": file_id})
                    fix.applied = True
                    continue
                new_rows.append((reg, key, text))
            elif cur.values_json == text:
                changes[reg]["unchanged"].append(key)
            else:
                changes[reg]["changed"].append(key)
                updates.append({"b_id": cur.id, "values_json": text, "version": cur.version + 1, "updated_at": now,
                                "last_file_id": file_id})

        inserter.add(new_rows)
        if updates or moved:
            inserter.close()  # the statements below need the connection to themselves
        if updates:
            # The versions being replaced go to history as they are stored, copied inside
            # the database (their texts and times never come back to Python).
            ids = [u["b_id"] for u in updates]
            for i in range(0, len(ids), KEY_CHUNK):
                conn.execute(_KEEP_VERSIONS, {"ids": ids[i:i + KEY_CHUNK]})
            rows = None if self.is_sqlite else json_rows(updates, leave=("updated_at", "last_file_id"))
            if rows is None:  # SQLite (no server to reach for each row), or a text orjson refuses
                stmt = (
                    update(records)
                    .where(records.c.id == bindparam("b_id"))
                    .values(
                        values_json=bindparam("values_json"),
                        version=bindparam("version"),
                        updated_at=bindparam("updated_at"),
                        last_file_id=bindparam("last_file_id"),
                    )
                )
                conn.execute(stmt, updates)
            else:
                conn.execute(_UPDATE_FROM_JSON, {"rows": rows, "updated_at": now, "last_file_id": file_id})
        if moved:  # few: a statement each
            conn.execute(_KEEP_RENAMED, {"ids": [m["b_id"] for m in moved]})
            conn.execute(update(records).where(records.c.id == bindparam("b_id")).values(
                key=bindparam("key"), values_json=bindparam("values_json"), version=bindparam("version"),
                updated_at=bindparam("updated_at"), last_file_id=bindparam("last_file_id")), moved)

    def _existing(
        self, conn: Connection, registers: list[str], latest: dict[tuple[str, str], Any]
    ) -> dict[tuple[str, str], Any]:
        """The stored rows of the file's own keys (never the rest of the register).

        On PostgreSQL, files that write the same registers are taken one at a time (a
        transaction lock per register, in register order), and the rows read are locked
        in (register, key) order — the same order in every process, so two watchers
        cannot each hold a row the other waits for. SQLite's write lock already does both.
        """
        by_register: dict[str, list[str]] = {}
        for reg, key in latest:
            by_register.setdefault(reg, []).append(key)
        pg = not self.is_sqlite
        if pg:
            for reg in registers:
                conn.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(
                    f"records:{self.site}:{reg}", 0))))
        found: dict[tuple[str, str], Any] = {}
        for reg in registers:
            if register_is_empty(conn, self.site, reg):
                continue  # a first load: no key to look up, 500 at a time
            keys = sorted(by_register[reg])
            for i in range(0, len(keys), KEY_CHUNK):
                query = select(
                    records.c.id, records.c.key, records.c.values_json, records.c.version
                ).where(records.c.site == self.site, records.c.register == reg,
                        records.c.key.in_(keys[i:i + KEY_CHUNK]))
                if pg:  # byte order (collation "C") is Python's str order: one lock order everywhere
                    query = query.order_by(records.c.key.collate("C")).with_for_update()
                for r in conn.execute(query):
                    found[(reg, r.key)] = r
        return found

    def _index_terms(self, conn: Connection, recs: list[Record], changes: Changes) -> None:
        """Keep the rules' index of values by column (``ruleset.terms``) in step with the records."""
        # The rules engine's table, imported late: it imports this module.
        from .ruleset import terms

        # Only registers with an indexed column (terms.index keeps those alone): a big
        # register with none builds no key set of its 100,000 records to drop it.
        fields = terms.indexed(conn, self.site)
        for reg, c in changes.items():  # a corrected or voided key's terms go with it
            if reg in fields and c.get("renamed"):
                terms.forget(conn, self.site, reg, [r["from"] for r in c["renamed"]])
            if reg in fields and c.get("voided"):
                terms.forget(conn, self.site, reg, c["voided"])
        moved = {(reg, key) for reg, c in changes.items() if reg in fields
                 for key in (*c["new"], *c["changed"])}
        if moved:
            terms.index(conn, self.site, {(r.register, r.key): r.values for r in recs
                                          if r.register in fields and (r.register, r.key) in moved})

    def pending_files(self) -> list[dict[str, Any]]:
        """Files claimed but never finished (a crash); a restart processes them again."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(files)
                .where(files.c.site == self.site, files.c.status == PROCESSING)
                .order_by(files.c.id)
            )
            return [_file_dict(r) for r in rows]

    def files(self, limit: int = 50) -> list[dict[str, Any]]:
        """The most recent files, newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(files).where(files.c.site == self.site).order_by(files.c.id.desc()).limit(limit)
            )
            return [_file_dict(r) for r in rows]

    def file_counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(files.c.status, func.count())
                .where(files.c.site == self.site)
                .group_by(files.c.status)
            )
            return {status: int(n) for status, n in rows}

    # --- records --------------------------------------------------------------

    def records(self, register: str) -> list[dict[str, Any]]:
        """Current state of every record in a register, in the order first seen."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(records)
                .where(records.c.site == self.site, records.c.register == register)
                .order_by(records.c.id)
            )
            return [_record_dict(r) for r in rows]

    def values(self, register: str) -> dict[str, dict[str, Any]]:
        """Every record's current values in a register, by key, in the order first seen:
        ``records`` without the columns a reader of values does not need (each DateTime
        column is parsed from text on SQLite)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(records.c.key, records.c.values_json)
                .where(records.c.site == self.site, records.c.register == register)
                .order_by(records.c.id)
            ).all()
        return {key: decode(text) for key, text in rows}

    def values_at(self, register: str, moment: datetime,
                  keys: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
        """Every record's values as they stood at ``moment``, by key, in the order first
        seen: a figure about a past moment (the arrears at a period's end) is not changed
        by what was entered after it. A record first entered after ``moment`` gives its
        first version, the earliest statement the ledger has of that past. ``keys``: only
        these records (a report's window), not the whole register."""
        base = (select(records.c.id, records.c.key, records.c.values_json, records.c.updated_at)
                .where(records.c.site == self.site, records.c.register == register))
        with self.engine.connect() as conn:
            if keys is None:
                rows = conn.execute(base.order_by(records.c.id)).all()
            else:
                wanted = sorted(set(keys))
                rows = []
                for i in range(0, len(wanted), 500):
                    rows += conn.execute(base.where(records.c.key.in_(wanted[i:i + 500]))).all()
                rows.sort(key=lambda r: r.id)
            older = _replaced_versions(conn, [r.id for r in rows if r.updated_at > moment])
        out: dict[str, dict[str, Any]] = {}
        for r in rows:
            text = r.values_json
            if r.updated_at > moment and r.id in older:
                versions = older[r.id]
                stood = [v for v in versions if v.at <= moment]
                text = (stood[-1] if stood else versions[0]).values_json
            out[r.key] = decode(text)
        return out

    def changed_at(self, register: str, moment: datetime,
                   keys: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
        """``values_at`` for the records that stood otherwise at ``moment`` only (saved again
        since): the others stand as they do now, and a caller holding their current values
        need not read nor decode them again (a past period over 20,000 orders)."""
        base = select(records.c.id, records.c.key).where(
            records.c.site == self.site, records.c.register == register, records.c.updated_at > moment)
        with self.engine.connect() as conn:
            if keys is None:
                rows = conn.execute(base).all()
            else:
                wanted = sorted(set(keys))
                rows = []
                for i in range(0, len(wanted), 500):
                    rows += conn.execute(base.where(records.c.key.in_(wanted[i:i + 500]))).all()
            key_of = {r.id: r.key for r in rows}
            older = _replaced_versions(conn, sorted(key_of))
        out: dict[str, dict[str, Any]] = {}
        for rid in sorted(older):  # as values_at picks the version that stood
            versions = older[rid]
            stood = [v for v in versions if v.at <= moment]
            out[key_of[rid]] = decode((stood[-1] if stood else versions[0]).values_json)
        return out

    def retired_since(self, register: str, moment: datetime) -> dict[str, dict[str, Any]]:
        """The records of ``register`` marked 作废 after ``moment`` that stood then, by the
        key each had, with the values they had at ``moment``: a past period's figures are
        not changed by a 作废 saved after it ended. One query when none was (most often)."""
        h = record_history
        with self.engine.connect() as conn:
            rows = conn.execute(select(records.c.id, records.c.key).where(
                records.c.site == self.site, records.c.register == register + VOID_SUFFIX,
                records.c.updated_at > moment).order_by(records.c.id)).all()
            key_of = {r.id: void_key(r.key) for r in rows}
            stood: dict[int, Any] = {}
            ids = sorted(key_of)
            for i in range(0, len(ids), 500):
                for r in conn.execute(select(h.c.record_id, h.c.values_json).where(
                        h.c.record_id.in_(ids[i:i + 500]), h.c.at <= moment).order_by(h.c.record_id, h.c.version)):
                    stood[r.record_id] = r.values_json  # the last version by then
        return {key_of[rid]: decode(text) for rid, text in sorted(stood.items())}

    def record(self, register: str, key: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(records).where(
                    records.c.site == self.site, records.c.register == register, records.c.key == key
                )
            ).first()
        return _record_dict(row) if row else None

    def history(self, register: str, key: str) -> list[dict[str, Any]]:
        """Every version of a record, oldest first: those replaced (``record_history``)
        and the current one (``records``) last."""
        h = record_history
        with self.engine.connect() as conn:
            cur = conn.execute(
                select(records.c.id, records.c.version, records.c.values_json, records.c.last_file_id,
                       records.c.updated_at)
                .where(records.c.site == self.site, records.c.register == register, records.c.key == key)
            ).first()
            if cur is None:
                return []
            old = conn.execute(
                select(h.c.version, h.c.values_json, h.c.file_id, h.c.at, h.c.change)
                .where(h.c.record_id == cur.id, h.c.version < cur.version)
                .order_by(h.c.version)
            ).all()
        # "change" says how each version came to be (the marker stored is on the version replaced).
        before = [None] + [r.change for r in old]
        return [
            {"version": r.version, "values": decode(r.values_json), "file_id": r.file_id, "at": r.at,
             "change": _change(r.version, before[i])}
            for i, r in enumerate(old)
        ] + [{"version": cur.version, "values": decode(cur.values_json), "file_id": cur.last_file_id,
              "at": cur.updated_at, "change": _change(cur.version, before[-1])}]

    def registers_seen(self) -> dict[str, int]:
        """Number of records held per register."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(records.c.register, func.count())
                .where(records.c.site == self.site, records.c.register.not_like(f"%{VOID_SUFFIX}"))
                .group_by(records.c.register)
                .order_by(records.c.register)
            )
            return {reg: int(n) for reg, n in rows}

    # --- runs -----------------------------------------------------------------

    def start_run(self, kind: str, now: datetime) -> int:
        with self.transaction() as conn:
            res = conn.execute(
                insert(runs).values(site=self.site, kind=kind, status="running", started_at=now)
            )
            return int(res.inserted_primary_key[0])

    def finish_run(self, run_id: int, status: str, summary: dict[str, Any], now: datetime) -> None:
        with self.transaction() as conn:
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id, runs.c.site == self.site)
                .values(status=status, summary=encode(summary), finished_at=now)
            )

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The most recent runs, newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(runs).where(runs.c.site == self.site).order_by(runs.c.id.desc()).limit(limit)
            )
            return [_run_dict(r) for r in rows]
