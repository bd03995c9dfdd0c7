"""Deciding when a file in ``inbox/`` is complete and ready to take.

Over network shares there is no "file closed" event, so completeness is judged by
size and modification time staying the same for a short settle time, plus a cheap
look that the file opens as what it claims to be. A file that settles but stays
broken (a copy that died half way) is taken after a grace period and rejected with a
reason, so it is never silently ignored.
"""

from __future__ import annotations

import os
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .safety import is_ignorable


@dataclass
class Seen:
    size: int
    mtime_ns: int
    since: float  # monotonic time this size/mtime was first seen


def inbox_files(inbox: Path) -> list[Path]:
    """Every candidate file under inbox/, oldest first; lock, temp and hidden files left out."""
    out: list[Path] = []
    for root, dirs, files in os.walk(inbox):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            p = Path(root) / name
            if not is_ignorable(p) and name != ".gitkeep":
                out.append(p)
    out.sort(key=lambda p: _mtime(p))
    return out


def _mtime(p: Path) -> float:
    try:
        return p.stat().st_mtime
    except OSError:
        return 0.0


def looks_complete(path: Path) -> bool:
    """Cheap check that a settled file is whole: a zip must have its central directory."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return False
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path):
                return True
        except (zipfile.BadZipFile, OSError):
            return False
    return len(head) > 0


class Readiness:
    """Tracks candidate files until they have settled."""

    def __init__(self, settle: float = 0.5, broken_grace: float = 10.0):
        self.settle = settle
        self.broken_grace = broken_grace
        self.seen: dict[Path, Seen] = {}

    def observe(self, path: Path) -> None:
        self.check(path)

    def check(self, path: Path) -> bool:
        """True when ``path`` has settled and may be taken now."""
        try:
            st = path.stat()
        except OSError:
            self.seen.pop(path, None)
            return False
        now = time.monotonic()
        prev = self.seen.get(path)
        if prev is None or prev.size != st.st_size or prev.mtime_ns != st.st_mtime_ns:
            self.seen[path] = Seen(st.st_size, st.st_mtime_ns, now)
            return False
        quiet = now - prev.since
        if quiet < self.settle:
            return False
        if looks_complete(path):
            return True
        return quiet >= self.broken_grace

    def forget(self, path: Path) -> None:
        self.seen.pop(path, None)

    def candidates(self) -> list[Path]:
        return list(self.seen)
