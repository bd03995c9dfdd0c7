"""Outputs as intents: committed with the records, written after the commit, retried until done.

Everything the toolkit writes for people after a file's transaction — the return copy,
the note about a file it could not read, Word documents, their PDFs, the dispatch
register, approvals from the dispatch register — is first an *intent*: a row of the
``outbox`` table inserted inside that same transaction. So a crash at any moment after
the commit loses nothing: whatever is still ``pending`` is written by the next
:func:`drain`, in whichever process runs next.

``outbox``  id, site, kind, key (unique per site: one intent per output), file_id, payload (codec
            JSON), status ('pending' → 'done' or 'void'), attempts, next_at (epoch
            seconds of the next try), last_error (Chinese, for ``status``),
            created_at (the run's moment), done_at, note.

Handlers (``outputs.py``, ``documents/intents.py``) are idempotent: a target is named
by the intent, written atomically, and writing it twice gives the same file. A handler
that fails is tried again with exponential back-off (``TOOLKIT_RETRY_BASE`` seconds,
doubling up to ``TOOLKIT_RETRY_CAP``); it is never dropped. ``void`` is the explicit
end of an output that is no longer wanted (a finding closed before its notice was
written), with the reason in ``note``.
"""

from __future__ import annotations

import errno
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    case,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError

from .clock import local_now
from .codec import decode, encode
from .ledger import SITE_LEN, driver_reason, metadata

log = logging.getLogger("toolkit")

PENDING, DONE, VOID = "pending", "done", "void"
ASYNC = "async"  # the handler handed the work to a background thread (PDFs)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site", String(SITE_LEN), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("key", String(255), nullable=False),
    Column("file_id", Integer),
    Column("payload", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_at", Float, nullable=False),
    Column("last_error", Text),
    Column("created_at", DateTime, nullable=False),
    Column("done_at", DateTime),
    Column("note", Text),
    UniqueConstraint("site", "key", name="uq_outbox_site_key"),
    Index("ix_outbox_site_status", "site", "status", "next_at"),
)


def retry_base() -> float:
    return float(os.environ.get("TOOLKIT_RETRY_BASE", "2"))


def retry_cap() -> float:
    return float(os.environ.get("TOOLKIT_RETRY_CAP", "600"))


def backoff(attempts: int) -> float:
    """Seconds before try ``attempts + 1``: base, 2×base, 4×base … up to the cap."""
    return min(retry_base() * (2 ** max(attempts - 1, 0)), retry_cap())


def _next_try(now: float) -> Any:
    """When a pending intent is tried next, as of ``now`` (epoch seconds).

    No try is put off by more than the cap, so a later one was scheduled before the
    clock was set back: it is due now, not that much later (a clock set back a day
    would hold every failed output back a day).
    """
    return case((outbox.c.next_at > now + retry_cap(), now), else_=outbox.c.next_at)


@dataclass
class Intent:
    id: int
    kind: str
    key: str
    file_id: int | None
    payload: dict[str, Any]
    attempts: int
    created_at: datetime


@dataclass
class Outcome:
    status: str = DONE  # DONE, VOID or ASYNC
    paths: list[Path] = field(default_factory=list)
    note: str | None = None


Handler = Callable[[Any, Any, Intent, dict[str, Any]], Outcome]

_current_file: ContextVar[int | None] = ContextVar("outbox_file", default=None)


@contextmanager
def for_file(file_id: int) -> Iterator[None]:
    """Intents enqueued inside belong to this file (hooks need not know its id)."""
    token = _current_file.set(file_id)
    try:
        yield
    finally:
        _current_file.reset(token)


# Intents handed to a background thread in this process, by (database, site, id).
_in_flight: set[tuple[str, str, int]] = set()
_flight_lock = threading.Lock()


def ensure_table(engine: Engine, conn: Connection | None = None) -> None:  # noqa: ARG001
    """Kept for callers: the table is made by the schema migrations (schema.py)."""


def handlers() -> dict[str, Handler]:
    from .documents.intents import HANDLERS as documents
    from .outputs import HANDLERS as own
    from .rejudge import HANDLERS as rejudged

    return {**own, **rejudged, **documents}


# --- writing intents (inside the caller's transaction) ------------------------------


def enqueue(
    conn: Connection,
    site: str,
    kind: str,
    key: str,
    payload: dict[str, Any],
    now: datetime,
    *,
    file_id: int | None = None,
    again: bool = False,
) -> None:
    """Record an output to write after the commit. Same ``key`` → one intent.

    ``again``: the output is rewritten from the ledger each time (the dispatch
    register), so a finished intent with this key becomes pending again.
    """
    if file_id is None:
        file_id = _current_file.get()
    here = (outbox.c.site == site, outbox.c.key == key)
    row = conn.execute(select(outbox.c.id, outbox.c.status).where(*here)).first()
    text = encode(payload)
    if row is None:
        values = dict(site=site, kind=kind, key=key, file_id=file_id, payload=text, status=PENDING,
                      attempts=0, next_at=0.0, created_at=now)
        try:
            with conn.begin_nested():  # a concurrent insert of the same key is not an error
                conn.execute(insert(outbox).values(**values))
        except IntegrityError:
            row = conn.execute(select(outbox.c.id, outbox.c.status).where(*here)).first()
        else:
            return
    if row is not None and again and row.status != PENDING:
        conn.execute(
            update(outbox).where(outbox.c.id == row.id).values(
                status=PENDING, payload=text, attempts=0, next_at=0.0, last_error=None,
                created_at=now, done_at=None, note=None)
        )


def request(ledger: Any, kind: str, key: str, payload: dict[str, Any], now: datetime | None = None,
            *, again: bool = True) -> None:
    """Enqueue in a transaction of its own (outside a file's transaction)."""
    with ledger.transaction() as conn:
        enqueue(conn, ledger.site, kind, key, payload, now or local_now(), again=again)


# --- the worker ---------------------------------------------------------------------


def _intent(row: Any) -> Intent:
    return Intent(row.id, row.kind, row.key, row.file_id, decode(row.payload), row.attempts, row.created_at)


def drain(
    ws: Any,
    ledger: Any,
    *,
    kinds: Iterable[str] | None = None,
    keys: Iterable[str] | None = None,
    memo: dict[str, Any] | None = None,
) -> dict[int | None, list[str]]:
    """Write every pending output that is due; returns the paths written per file id.

    ``memo`` (key → data) lets the process that just committed hand over what it still
    holds in memory (the workbook read), so a return copy need not read it again.
    Intents added while draining (a document's PDF) are taken in the same call.
    """
    ensure_table(ledger.engine)
    table = handlers()
    kinds = list(kinds) if kinds is not None else None
    keys = list(keys) if keys is not None else None
    written: dict[int | None, list[str]] = {}
    tried: set[int] = set()
    # Settled in this call: pending again means asked for again since (the dispatch
    # register, rewritten after each document the same call wrote), so taken again.
    settled: set[int] = set()
    for _ in range(5):  # each pass may add intents (document → PDF, register)
        now = time.time()
        query = select(outbox).where(outbox.c.site == ledger.site, outbox.c.status == PENDING,
                                     or_(outbox.c.next_at <= now, outbox.c.next_at > now + retry_cap()))
        if kinds is not None:
            query = query.where(outbox.c.kind.in_(kinds))
        if keys is not None:
            query = query.where(outbox.c.key.in_(keys))
        with ledger.engine.connect() as conn:
            rows = [r for r in conn.execute(query.order_by(outbox.c.id)).all()
                    if r.id not in tried or r.id in settled]
        if not rows:
            break
        for row in rows:
            tried.add(row.id)
            settled.discard(row.id)
            with _flight_lock:
                if _flight_key(ledger, row.id) in _in_flight:
                    continue
            intent = _intent(row)
            handler = table.get(intent.kind)
            if handler is None:
                _settle(ledger, intent.id, VOID, f"未知的输出类型 {intent.kind}")
                continue
            try:
                outcome = handler(ws, ledger, intent, memo or {})
            except Exception as exc:  # noqa: BLE001 - every failure is retried, never lost
                failed(ledger, intent, exc)
                continue
            if outcome.status == ASYNC:
                continue
            _settle(ledger, intent.id, outcome.status, outcome.note)
            settled.add(intent.id)
            if outcome.paths:
                written.setdefault(intent.file_id, []).extend(str(p) for p in outcome.paths)
    return written


def _flight_key(ledger: Any, intent_id: int) -> tuple[str, str, int]:
    return (str(ledger.engine.url), ledger.site, intent_id)


def start_async(ledger: Any, intent: Intent) -> Callable[[Any, Exception | None], None]:
    """Mark ``intent`` as handed to a background thread; call the result when it ends."""
    key = _flight_key(ledger, intent.id)
    with _flight_lock:
        _in_flight.add(key)

    def finished(ledger: Any, error: Exception | None) -> None:
        try:
            if error is None:
                _settle(ledger, intent.id, DONE, None)
            else:
                failed(ledger, intent, error)
        finally:
            with _flight_lock:
                _in_flight.discard(key)

    return finished


def _settle(ledger: Any, intent_id: int, status: str, note: str | None) -> None:
    with ledger.transaction() as conn:
        conn.execute(
            update(outbox).where(outbox.c.id == intent_id, outbox.c.status == PENDING)
            .values(status=status, done_at=local_now(), note=note, last_error=None)
        )


def failed(ledger: Any, intent: Intent, exc: BaseException) -> None:
    """Count a failed try and schedule the next one; one log line (a traceback once)."""
    attempts = intent.attempts + 1
    delay = backoff(attempts)
    reason = describe(exc)
    with ledger.transaction() as conn:
        conn.execute(
            update(outbox).where(outbox.c.id == intent.id).values(
                attempts=attempts, next_at=time.time() + delay, last_error=reason)
        )
    target = intent.payload.get("target") or intent.key
    if attempts == 1 and not isinstance(exc, OSError):
        log.warning("输出未能写出：%s %s：%s；%.0f 秒后重试", intent.kind, target, reason, delay,
                    exc_info=exc)
    else:
        log.warning("输出未能写出（第 %d 次）：%s %s：%s；%.0f 秒后重试",
                    attempts, intent.kind, target, reason, delay)


def describe(exc: BaseException) -> str:
    """A reason staff can act on: the folder and what is wrong with it."""
    if isinstance(exc, OSError):
        where = exc.filename or ""
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return f"没有写入权限：{where}（请检查该文件夹是否只读或被占用）"
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            return f"磁盘空间不足：{where}（请清理磁盘）"
        if exc.errno in (errno.ENOTDIR, errno.EEXIST):
            return f"应为文件夹，却是同名文件：{where}（请改名或移走该文件）"
        if exc.errno == errno.ENOENT:
            return f"找不到文件或文件夹：{where}"
        return f"{exc.strerror or exc}：{where}"
    if isinstance(exc, DBAPIError):
        # The driver's own words only: the statement and its values (names, phone numbers
        # of a register) stay in the log file's traceback.
        return f"数据库出错：{driver_reason(exc)}"[:300]
    text = str(exc).strip() or type(exc).__name__
    return text[:300]


# --- what is still to be written (``toolkit status``) ---------------------------------


def pending(ledger: Any, limit: int = 50) -> list[dict[str, Any]]:
    """Outputs not yet written, oldest first, with the last reason and the next try."""
    ensure_table(ledger.engine)
    with ledger.engine.connect() as conn:
        rows = conn.execute(
            select(outbox).where(outbox.c.site == ledger.site, outbox.c.status == PENDING)
            .order_by(outbox.c.id).limit(limit)
        ).all()
    now = time.time()
    return [
        {
            "kind": r.kind,
            "target": decode(r.payload).get("target") or r.key,
            "attempts": r.attempts,
            "reason": r.last_error,
            "next_try_in_s": 0 if r.next_at > now + retry_cap() else max(0, round(r.next_at - now)),
        }
        for r in rows
    ]


def next_due(ledger: Any) -> float | None:
    """Epoch seconds of the earliest pending try, or None when nothing is pending."""
    ensure_table(ledger.engine)
    with ledger.engine.connect() as conn:
        return conn.execute(select(func.min(_next_try(time.time()))).where(
            outbox.c.site == ledger.site, outbox.c.status == PENDING)).scalar()


def counts(ledger: Any) -> dict[str, int]:
    ensure_table(ledger.engine)
    with ledger.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.status, func.count())
                            .where(outbox.c.site == ledger.site).group_by(outbox.c.status))
        return {s: int(n) for s, n in rows}
