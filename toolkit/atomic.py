"""Atomic file output: write to a temporary file beside the target, then rename.

A half-written document never appears in ``outbox/``; a crash leaves either the old
file or the new one.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from . import crash

TMP_PREFIX = ".tmp-"
# Temp files without a writer's PID (older versions) are removed once this old.
ORPHAN_AGE_S = 3600


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale(folder: Path) -> int:
    """Remove temp files left by writers that died mid-write (killed, power cut)."""
    removed = 0
    if not folder.is_dir():
        return 0
    for p in folder.rglob(f"{TMP_PREFIX}*"):
        pid = p.name[len(TMP_PREFIX):].split("-", 1)[0]
        try:
            if pid.isdigit():
                stale = not alive(int(pid))
            else:
                stale = time.time() - p.stat().st_mtime > ORPHAN_AGE_S
            if stale and p.is_file():
                p.unlink()
                removed += 1
        except OSError:
            pass
    return removed


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# mkstemp makes 0600 files; outputs are for people, so they get the usual mode.
_FILE_MODE = 0o666 & ~_umask()


def temp_path(target: Path) -> Path:
    """A fresh temp name beside ``target`` carrying this process's PID (for the sweep)."""
    fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{os.getpid()}-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    return Path(tmp)


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path to write to; on success it replaces ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = temp_path(target)
    try:
        yield tmp_path
        crash.point(f"mid_write:{target.parent.name}")  # tests: die with the temp file written
        os.chmod(tmp_path, _FILE_MODE)
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_bytes(target: Path, data: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return target


def write_text(target: Path, text: str) -> Path:
    return write_bytes(target, text.encode("utf-8"))


def write_with(target: Path, writer: Callable[[Path], object]) -> Path:
    """Call ``writer(tmp_path)`` (e.g. ``workbook.save``) and move the result into place."""
    with atomic_path(target) as tmp:
        writer(tmp)
    return target
