"""Deciding when a file in ``inbox/`` is complete and ready to take.

Over network shares there is no "file closed" event, so completeness is judged by
size and modification time staying the same for a settle time that grows with the
file's size (a big file copied slowly pauses longer between writes), plus a cheap look
that the file is whole where its format says so: a zip (.xlsx, .ods) has its central
directory, an OLE2 file (.xls) holds every sector its allocation table uses, a text
file (.csv) ends with a complete line. A file that settles but stays broken (a copy
that died half way) is taken after a grace period and rejected with a reason, so it
is never silently ignored.
"""

from __future__ import annotations

import os
import struct
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


SETTLE_PER_MB = 1.0  # extra quiet seconds per MB, on top of the base settle time
SETTLE_MAX = 30.0
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")


def settle_time(base: float, size: int) -> float:
    """How long a file of ``size`` bytes must stay unchanged before it is taken."""
    return min(base + SETTLE_PER_MB * base * size / 1_000_000, max(base, SETTLE_MAX))


def looks_complete(path: Path) -> bool:
    """Cheap check that a settled file is whole, by its format."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(8)
            if size == 0:
                return False
            if head.startswith(b"PK"):
                return _zip_complete(path)
            if head == OLE2_MAGIC:
                return _ole2_complete(fh, size)
            if path.suffix.lower() in TEXT_SUFFIXES:
                fh.seek(max(0, size - 2))
                tail = fh.read(2)
                return b"\n" in tail or b"\r" in tail  # UTF-16 ends "\n\0"
    except OSError:
        return False
    return True


def _zip_complete(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path):
            return True
    except (zipfile.BadZipFile, OSError, NotImplementedError):
        return False


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FREE = 0xFFFFFFFF
_SPECIAL = 0xFFFFFFFA  # sector numbers from here up are markers, not sectors


def _ole2_complete(fh, size: int) -> bool:
    """Every sector the allocation table uses lies inside the file (a copy cut short
    lacks the last ones). Reads the header and the FAT only."""
    fh.seek(0)
    header = fh.read(512)
    if len(header) < 512:
        return False
    shift = struct.unpack_from("<H", header, 30)[0]
    if shift not in (9, 12):
        return True  # not a layout we know: let the reader decide
    sector = 1 << shift
    per = sector // 4
    n_fat = struct.unpack_from("<I", header, 44)[0]
    difat_start, n_difat = struct.unpack_from("<II", header, 68)
    fat = [s for s in struct.unpack_from("<109I", header, 76) if s < _SPECIAL]
    nxt, hops = difat_start, 0
    while len(fat) < n_fat and nxt < _SPECIAL and hops <= n_difat:
        block = _sector(fh, nxt, sector, size)
        if block is None:
            return False
        entries = struct.unpack(f"<{per}I", block)
        fat += [s for s in entries[:-1] if s < _SPECIAL]
        nxt, hops = entries[-1], hops + 1
    if len(fat) < n_fat:
        return False
    highest = -1
    for i, fat_sector in enumerate(fat[:n_fat]):
        block = _sector(fh, fat_sector, sector, size)
        if block is None:
            return False
        entries = struct.unpack(f"<{per}I", block)
        for j in range(per - 1, -1, -1):
            if entries[j] != _FREE:
                highest = max(highest, i * per + j)
                break
    return size >= (highest + 2) * sector  # header sector + sectors 0..highest


def _sector(fh, index: int, sector: int, size: int) -> bytes | None:
    offset = (index + 1) * sector
    if offset + sector > size:
        return None
    fh.seek(offset)
    block = fh.read(sector)
    return block if len(block) == sector else None


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
        if quiet < settle_time(self.settle, st.st_size):
            return False
        if looks_complete(path):
            return True
        return quiet >= max(self.broken_grace, 4 * settle_time(self.settle, st.st_size))

    def forget(self, path: Path) -> None:
        self.seen.pop(path, None)

    def candidates(self) -> list[Path]:
        return list(self.seen)
