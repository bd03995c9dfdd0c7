"""Claims that several processes (on one or many machines) compete for: a file being
processed, a scheduled report's slot.

A claim is a row with ``owner`` (who holds it) and ``lease_until`` (wall-clock epoch
seconds). Taking one is a single conditional write in a transaction, so exactly one
process wins and the others move on. The holder's heartbeat thread pushes its leases
forward while the process lives; a claim is taken over only when its lease ran out
(the holder stopped beating: killed, frozen, its machine gone) or when the holder is
a process on this same machine that no longer exists.

Lease and heartbeat follow ``TOOLKIT_LEASE_SECONDS`` (default 60 s, beat every fifth).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable

import psutil

log = logging.getLogger("toolkit")

HOST = socket.gethostname()


def lease_seconds() -> float:
    try:
        return max(1.0, float(os.environ.get("TOOLKIT_LEASE_SECONDS", "60")))
    except ValueError:
        return 60.0


def _ticks(pid: int) -> str | None:
    """Process ``pid``'s start in clock ticks since boot ("t…"), on Linux; None elsewhere.
    FileNotFoundError when Linux has no such process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            # comm (field 2) may hold spaces and parentheses: fields count from its end
            return "t" + fh.read().rpartition(b")")[2].split()[19].decode("ascii")
    except FileNotFoundError:
        if os.path.isdir("/proc/self"):
            raise
    except (OSError, IndexError, UnicodeDecodeError):
        pass
    return None


def _wall_start(pid: int) -> int:
    return int(psutil.Process(pid).create_time() * 100)


def new_owner() -> str:
    """host:pid:start:random — unique per process, and tells whether it still runs.

    The start is in clock ticks since boot where the system tells it (Linux): the
    wall-clock start psutil gives adds the boot time, which the kernel works out afresh
    from the clock on each read, so a clock being slewed moves it by a whole second now
    and then and a live holder would look like a new process.
    """
    try:
        started = _ticks(os.getpid()) or str(_wall_start(os.getpid()))
    except (OSError, psutil.Error):
        started = "0"
    return f"{HOST}:{os.getpid()}:{started}:{uuid.uuid4().hex[:8]}"


def holder_gone(owner: str | None) -> bool:
    """True when ``owner`` is a process of this machine that has ended (pid gone or reused).

    A holder on another machine is never judged from here: only its lease tells.
    """
    if not owner:
        return True
    parts = owner.split(":")
    if len(parts) != 4 or parts[0] != HOST:
        return False
    try:
        pid = int(parts[1])
        if parts[2].startswith("t"):
            ticks = _ticks(pid)
            return ticks is not None and ticks != parts[2]  # None: cannot be asked
        # A wall-clock start (another system, or an owner written before ticks were
        # used): a second either way is the same start.
        return abs(_wall_start(pid) - int(parts[2])) > 100
    except (FileNotFoundError, psutil.NoSuchProcess):
        return True
    except (ValueError, OSError, psutil.Error):
        return False


def may_take(owner: str | None, lease_until: float | None, me: str, now: float | None = None) -> bool:
    """Whether a claim held by ``owner`` until ``lease_until`` may be taken by ``me``."""
    if owner == me:
        return True
    now = time.time() if now is None else now
    return lease_until is None or lease_until < now or holder_gone(owner)


class Heartbeat:
    """A daemon thread that renews this process's leases until stopped."""

    def __init__(self, renew: Callable[[float], None]):
        self._renew = renew
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                # Each thread its own stop signal: one started again after stop() beats
                # (the old signal stays set), and a thread being stopped stays stopped.
                self._stop = threading.Event()
                self._thread = threading.Thread(target=self._run, args=(self._stop,), name="toolkit-heartbeat",
                                                daemon=True)
                self._thread.start()

    @property
    def running(self) -> bool:
        """Started and not stopped: this process holds (or held) claims to renew."""
        return self._thread is not None

    def _run(self, stop: threading.Event) -> None:
        every = lease_seconds() / 5
        failing = False
        while not stop.wait(every):
            try:
                self._renew(time.time() + lease_seconds())
            except Exception as exc:  # a database hiccup: the next beat tries again
                if not failing:  # once, not every beat of an outage
                    log.warning("续期处理中文件的占用失败，稍后重试：%s",
                                (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__])[0])
                failing = True
            else:
                failing = False

    def stop(self) -> None:
        with self._lock:
            self._stop.set()
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5)
