"""Watching ``inbox/``: native events or polling, plus a sweep that never trusts events alone.

watchdog's native observer (inotify) reacts at once on a local disk; its polling
observer is for network shares where no events arrive. Either way the loop also
sweeps the folder on a timer and restarts an observer that has died, because the
polling observer can stop for good when a share is briefly unreachable.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from filelock import FileLock
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from .clock import local_now
from .intake import Readiness, inbox_files
from .model import RunSummary
from .pipeline import STORED_LIMIT, Context, process_file, write_run_summary
from .safety import is_ignorable

log = logging.getLogger("toolkit")

BACKLOG_GRACE = 120.0  # seconds the schedule waits for files already waiting at start


class _Events(FileSystemEventHandler):
    def __init__(self, ready: Readiness, wake: threading.Event):
        self.ready = ready
        self.wake = wake
        self.lock = threading.Lock()
        self.paths: set[Path] = set()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory:
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


def process_locked(ctx: Context, path: Path, now: datetime) -> None:
    """Process one file under the workspace lock, so two watchers never take the same file."""
    with FileLock(str(ctx.ws.var / "process.lock")):
        if not path.exists():
            return
        summary = RunSummary(now=now)
        summary.run_id = ctx.ledger.start_run("watch", now)
        try:
            summary.files.append(process_file(ctx, path, now))
        except Exception:
            log.exception("处理 %s 时出错", path.name)
            ctx.ledger.finish_run(summary.run_id, "failed", summary.to_dict(STORED_LIMIT), now)
            raise
        for hook in ctx.hooks:
            summary.warnings.extend(hook.warnings(ctx))
        ctx.ledger.finish_run(summary.run_id, "done", summary.to_dict(STORED_LIMIT), now)
        write_run_summary(ctx.ws, summary)


def _make_observer(poll: float | None):
    return PollingObserver(timeout=poll) if poll else Observer()


def watch(
    ctx: Context,
    *,
    poll: float | None = None,
    now: datetime | None = None,
    stop: threading.Event | None = None,
    settle: float = 0.5,
    sweep_every: float | None = None,
    tick: Callable[[datetime], None] | None = None,
) -> None:
    """Run until ``stop`` is set (or SIGINT/SIGTERM): take every complete file in inbox/."""
    stop = stop or threading.Event()
    clock = clock_from(now)
    inbox = ctx.ws.inbox
    inbox.mkdir(parents=True, exist_ok=True)
    ready = Readiness(settle=settle)
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
            for p in sorted(ready.candidates(), key=str):
                if stop.is_set():
                    break
                if ready.check(p):
                    ready.forget(p)
                    try:
                        process_locked(ctx, p, clock())
                    except Exception:
                        # Left in inbox/; the next sweep tries again.
                        log.exception("%s 未处理完，留在收件箱，稍后重试", p.name)
            # Scheduled reports wait for the backlog found at start (bounded), so a
            # catch-up report includes the files that were waiting for it.
            backlog = ready.candidates() and time.monotonic() - started < BACKLOG_GRACE
            if tick is not None and not backlog:
                try:
                    tick(clock())
                except Exception:
                    log.exception("定时报表出错")
            wake.wait(0.1 if ready.candidates() else 0.5)
            wake.clear()
    finally:
        observer.stop()
        observer.join(timeout=5)
        log.info("已停止监视收件箱")
