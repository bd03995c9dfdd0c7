"""Watching ``inbox/``: native events or polling, plus a sweep that never trusts events alone.

watchdog's native observer (inotify) reacts at once on a local disk; its polling
observer is for network shares where no events arrive. Either way the loop also
sweeps the folder on a timer and restarts an observer that has died, because the
polling observer can stop for good when a share is briefly unreachable.

Only events that can mean new bytes (created, modified, moved, closed after writing)
wake the loop: the toolkit's own reads of a file never make it look new. A file that
fails is retried with back-off and set aside after a bound (retries.py). The outputs
of the files taken together are written after the batch, and pending outputs whose
back-off has passed are retried from the loop (outbox.py).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from . import outbox
from .clock import local_now
from .documents import pdf
from .intake import Readiness, inbox_files
from .ledger import database_label, reach_hint
from .model import RunSummary
from .pipeline import (
    STORED_LIMIT,
    Context,
    attach_outputs,
    process_file,
    workspace_lock,
    write_run_summary,
)
from .retries import Failure, Retries
from .safety import is_ignorable

log = logging.getLogger("toolkit")

BACKLOG_GRACE = 120.0  # seconds the schedule waits for files already waiting at start
DEFAULT_SETTLE = 1.0  # base quiet seconds before a file is taken (grows with its size)
BROKEN_GRACE_S = 10.0  # seconds a file that looks cut short waits before it is taken (and refused)
OUTBOX_CHECK_S = 2.0  # how often the loop looks for outputs due for another try
OUTAGE_FIRST_S = 5.0  # the database out of reach: first wait before trying it again
OUTAGE_MAX_S = 60.0  # the longest wait between tries (the wait doubles up to this)
# Event types that can mean new bytes or a new mtime ("attrib": a file touched to be tried
# again, or a copy that sets its times last); opened / closed-without-writing are our own reads.
_WRITE_EVENTS = {"created", "modified", "moved", "closed", "attrib"}


class _Events(FileSystemEventHandler):
    def __init__(self, ready: Readiness, wake: threading.Event):
        self.ready = ready
        self.wake = wake
        self.lock = threading.Lock()
        self.paths: set[Path] = set()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type not in _WRITE_EVENTS:
            return
        for attr in ("src_path", "dest_path"):
            p = getattr(event, attr, None)
            if p:
                path = Path(p if isinstance(p, str) else p.decode())
                if not is_ignorable(path):
                    with self.lock:
                        self.paths.add(path)
        self.wake.set()

    def drain(self) -> set[Path]:
        with self.lock:
            out, self.paths = self.paths, set()
        return out


def clock_from(now: datetime | None) -> Callable[[], datetime]:
    """A clock that starts at ``--now`` (if given) and runs on with real time."""
    if now is None:
        return local_now  # Asia/Shanghai, whatever zone the machine is set to
    start = time.monotonic()
    return lambda: (now + timedelta(seconds=time.monotonic() - start)).replace(microsecond=0)


def process_locked(ctx: Context, path: Path, now: datetime, summary: RunSummary | None = None) -> None:
    """Process one file (under its lock: two watchers never work on the same bytes).

    The file's documents are left for the batch's :func:`drain` (``summary`` collects
    the results to attach them to); raises on failure, recording nothing.
    """
    if not path.exists():
        return
    result = process_file(ctx, path, now, drain=False)
    if summary is not None:
        summary.files.append(result)


def _record_run(ctx: Context, summary: RunSummary, status: str, now: datetime) -> None:
    summary.run_id = ctx.ledger.start_run("watch", now)
    for hook in ctx.hooks:
        summary.warnings.extend(hook.warnings(ctx))
    ctx.ledger.finish_run(summary.run_id, status, summary.to_dict(STORED_LIMIT), now)
    write_run_summary(ctx.ws, summary)


def _failed(ctx: Context, retries: Retries, path: Path, exc: Exception, now: datetime) -> None:
    """One log line per try (a traceback on the first), a run row only on the first try
    and when the file is set aside."""
    f: Failure | None = retries.failed(path, exc)
    if f is None:
        log.info("%s 在处理前已被移走", path.name)
        return
    if f.set_aside:
        log.error("搁置 %s：连续 %d 次处理失败（%s）。请排除原因后重新保存该文件，或重启监视程序",
                  path.name, f.attempts, f.reason)
    elif f.attempts == 1:
        log.exception("处理失败：%s，稍后重试", path.name)
    else:
        log.warning("处理失败（第 %d 次）：%s：%s", f.attempts, path.name, f.reason)
    if f.attempts == 1 or f.set_aside:
        from .model import FileResult

        summary = RunSummary(now=now)
        summary.files.append(FileResult(str(path), "rejected", message=f"处理失败：{f.reason}"))
        try:
            _record_run(ctx, summary, "failed", now)
        except Exception:  # noqa: BLE001 - the ledger may be the failing part
            pass


class Outage:
    """The database out of reach (its server restarted or stopped, the network or the share
    holding var/ gone). That is no file's fault: the files wait in inbox/ without being
    charged a failed try, nothing is judged or written, and the database is tried again
    with a growing wait. One line says when it was lost and one when it is back; then
    every file waiting is taken and the outputs due are written."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.since: float | None = None
        self.wait = OUTAGE_FIRST_S
        self.next_try = 0.0

    @property
    def active(self) -> bool:
        return self.since is not None

    def begin(self) -> bool:
        """After a failure: True when the database does not answer now (the failure is
        its, not the file's); the outage starts, or goes on."""
        reason = self.ctx.ledger.unreachable()
        if reason is None:
            return False
        if self.since is None:
            self.since, self.wait = time.monotonic(), OUTAGE_FIRST_S
            url = self.ctx.ledger.url
            log.error("无法连接数据库 %s：%s。收件箱里的文件原样等待，数据库恢复后自动处理；"
                      "每隔 %g 秒起重试（间隔逐渐加长，最长 %g 秒）。%s", database_label(url), reason,
                      OUTAGE_FIRST_S, OUTAGE_MAX_S, reach_hint(url))
        self.next_try = time.monotonic() + self.wait
        return True

    def over(self) -> bool:
        """During an outage: True once the database answers again (the outage ends)."""
        if time.monotonic() < self.next_try:
            return False
        if self.ctx.ledger.unreachable() is not None:
            self.wait = min(self.wait * 2, OUTAGE_MAX_S)
            self.next_try = time.monotonic() + self.wait
            return False
        assert self.since is not None
        minutes = (time.monotonic() - self.since) / 60
        log.info("数据库已恢复连接（中断%s），继续处理收件箱里等待的文件",
                 f"约 {minutes:.0f} 分钟" if minutes >= 1 else "不到 1 分钟")
        self.since = None
        return True


def drain(ctx: Context, summary: RunSummary | None = None) -> None:
    """Write the outputs due now (after a batch, or when a back-off has passed)."""
    try:
        with workspace_lock(ctx.ws):
            written = outbox.drain(ctx.ws, ctx.ledger)
    except Exception:  # noqa: BLE001 - the outputs stay pending; tried again later
        log.exception("输出文件未能写出，稍后重试")
        return
    if summary is not None:
        attach_outputs(ctx, summary, written)


class _Held(Exception):
    """The database went during a batch: its run is recorded (and its outputs written) once it is back."""

    def __init__(self, batch: RunSummary):
        self.batch = batch


def _take_ready(ctx: Context, ready: Readiness, retries: Retries, outage: Outage, stop: threading.Event,
                clock: Callable[[], datetime], outbox_at: float) -> float:
    """Take every file ready now as one batch, then write the outputs due; the next time
    the outbox is looked at. Raises _Held when the database went during the batch."""
    for p in retries.due():
        ready.observe(p)
    batch = RunSummary(now=clock())
    for p in sorted(ready.candidates(), key=str):
        if stop.is_set():
            break
        if retries.blocked(p):
            ready.forget(p)
            continue
        if ready.check(p):
            ready.forget(p)
            try:
                process_locked(ctx, p, clock(), batch)
            except Exception as exc:  # left in inbox/, tried again after a back-off
                if outage.begin():  # the database's failure: no try charged to the file
                    if batch.files:
                        raise _Held(batch) from exc
                    return outbox_at
                _failed(ctx, retries, p, exc, clock())
            else:
                retries.forget(p)
    if batch.files:  # documents of files taken together, after all of them
        try:
            drain(ctx, batch)
            _record_run(ctx, batch, "done", batch.now)
        except Exception as exc:
            if outage.begin():
                raise _Held(batch) from exc
            raise
        return time.monotonic() + OUTBOX_CHECK_S
    if time.monotonic() >= outbox_at:
        due = outbox.next_due(ctx.ledger)
        if due is not None and due <= time.time():
            drain(ctx)
        return time.monotonic() + OUTBOX_CHECK_S
    return outbox_at


def _make_observer(poll: float | None):
    return PollingObserver(timeout=poll) if poll else Observer()


def watch(
    ctx: Context,
    *,
    poll: float | None = None,
    now: datetime | None = None,
    stop: threading.Event | None = None,
    settle: float = DEFAULT_SETTLE,
    sweep_every: float | None = None,
    tick: Callable[[datetime], None] | None = None,
) -> None:
    """Run until ``stop`` is set (or SIGINT/SIGTERM): take every complete file in inbox/."""
    stop = stop or threading.Event()
    clock = clock_from(now)
    inbox = ctx.ws.inbox
    inbox.mkdir(parents=True, exist_ok=True)
    ready = Readiness(settle=settle, broken_grace=BROKEN_GRACE_S)
    retries = Retries(ctx.ws.var)
    wake = threading.Event()
    events = _Events(ready, wake)
    sweep_every = sweep_every or (poll if poll else 5.0)

    if threading.current_thread() is threading.main_thread():
        def _stop(signum, frame):  # noqa: ARG001
            log.info("收到停止信号（%s），正在停止", signum)
            stop.set()
            wake.set()
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)

    observer = _make_observer(poll)
    observer.schedule(events, str(inbox), recursive=True)
    observer.start()
    log.info("开始监视收件箱 %s（%s）", inbox, f"每 {poll:g} 秒查看一次" if poll else "文件一保存即处理")

    # Whatever was left waiting (or half done before a crash) is taken first.
    for p in inbox_files(inbox):
        ready.observe(p)
    last_sweep = started = time.monotonic()
    outbox_at = 0.0  # at start: whatever a crash left pending
    outage = Outage(ctx)
    held: RunSummary | None = None  # a batch whose run was not recorded when the database went
    try:
        while not stop.is_set():
            if not observer.is_alive():
                log.warning("文件监视意外中断，正在重新启动")
                observer = _make_observer(poll)
                observer.schedule(events, str(inbox), recursive=True)
                observer.start()
            for p in events.drain():
                ready.observe(p)
            if time.monotonic() - last_sweep >= sweep_every:
                for p in inbox_files(inbox):
                    if p not in ready.seen:
                        ready.observe(p)
                last_sweep = time.monotonic()
            if outage.active:
                if not outage.over():
                    wake.wait(0.5)
                    wake.clear()
                    continue
                for p in inbox_files(inbox):  # every file that waited, taken now
                    ready.observe(p)
                outbox_at = 0.0
            try:
                if held is not None:
                    drain(ctx, held)
                    _record_run(ctx, held, "done", held.now)
                    held = None
                outbox_at = _take_ready(ctx, ready, retries, outage, stop, clock, outbox_at)
                # Scheduled reports wait for the backlog found at start (bounded), so a
                # catch-up report includes the files that were waiting for it.
                backlog = ready.candidates() and time.monotonic() - started < BACKLOG_GRACE
                if tick is not None and not backlog and not outage.active:
                    try:
                        tick(clock())
                    except Exception:
                        if not outage.begin():
                            log.exception("定时报表出错")
            except _Held as exc:
                held = exc.batch
            except Exception:
                if not outage.begin():
                    raise
            wake.wait(0.1 if ready.candidates() else 0.5)
            wake.clear()
    finally:
        pdf.shutdown()  # a PDF not finished is made by the next run (its intent is pending)
        observer.stop()
        observer.join(timeout=5)
        log.info("已停止监视收件箱")
