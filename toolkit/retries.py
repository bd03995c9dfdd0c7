"""Files in ``inbox/`` that failed to process: back-off, then set aside with a reason.

A file that fails for a lasting reason (the archive folder not writable, the disk
full, the ledger unreachable) stays in ``inbox/`` and is tried again after 2, 4, 8 …
seconds (``TOOLKIT_RETRY_BASE``), never in a hot loop; after ``MAX_ATTEMPTS`` it is set
aside — tried once every ``SET_ASIDE_RETRY_S`` only — with the reason in Chinese in
``toolkit status`` and the log. Saving the file again (new size or time) starts over.
The state is kept in ``var/intake-retries.json`` for ``toolkit status``.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from . import atomic
from .outbox import backoff, describe

log = logging.getLogger("toolkit")

MAX_ATTEMPTS = 6
SET_ASIDE_RETRY_S = 1800.0
STATE_FILE = "intake-retries.json"


@dataclass
class Failure:
    size: int
    mtime_ns: int
    attempts: int
    next_at: float  # time.monotonic() of the next try
    reason: str
    set_aside: bool = False


class Retries:
    def __init__(self, var: Path):
        self.state_file = var / STATE_FILE
        self.failures: dict[Path, Failure] = {}
        self._save()

    def _sig(self, path: Path) -> tuple[int, int] | None:
        try:
            st = path.stat()
        except OSError:
            return None
        return st.st_size, st.st_mtime_ns

    def blocked(self, path: Path) -> bool:
        """True while a failed file waits for its next try (same bytes on disk)."""
        f = self.failures.get(path)
        if f is None:
            return False
        if self._sig(path) != (f.size, f.mtime_ns):  # saved again, or gone: start over
            self.forget(path)
            return False
        return time.monotonic() < f.next_at

    def due(self) -> list[Path]:
        now = time.monotonic()
        return [p for p, f in self.failures.items() if now >= f.next_at]

    def failed(self, path: Path, exc: BaseException) -> Failure | None:
        """Count a failure; None when the file is gone (nothing to retry)."""
        sig = self._sig(path)
        if sig is None or isinstance(exc, FileNotFoundError) and not path.exists():
            self.forget(path)
            return None
        prev = self.failures.get(path)
        attempts = (prev.attempts if prev and (prev.size, prev.mtime_ns) == sig else 0) + 1
        set_aside = attempts >= MAX_ATTEMPTS
        delay = SET_ASIDE_RETRY_S if set_aside else backoff(attempts)
        f = Failure(sig[0], sig[1], attempts, time.monotonic() + delay, describe(exc), set_aside)
        self.failures[path] = f
        self._save()
        return f

    def forget(self, path: Path) -> None:
        if self.failures.pop(path, None) is not None:
            self._save()

    def _save(self) -> None:
        rows = [{"path": str(p), **asdict(f)} for p, f in self.failures.items()]
        try:
            atomic.write_text(self.state_file, json.dumps(rows, ensure_ascii=False, indent=1))
        except OSError:  # the disk may be why we are here; status is a courtesy
            pass


def load_state(var: Path) -> list[dict]:
    """What a running watcher set aside or is backing off from (for ``toolkit status``)."""
    try:
        return json.loads((var / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
