"""The first workbook of ``toolkit process`` read while the workspace opens.

A one-shot command spends its first half second importing the pipeline and opening
the workspace and its ledger, and only then reads the file. python-calamine parses a
sheet without holding the interpreter's lock, so on a machine with a second core the
read of an .xlsx can run beside that start-up instead of after it (a 100,000-row
register's read is done 0.2–0.45 s sooner; the zip scan before it holds the lock, so
only the start-up's tail overlaps the parse). Nothing else changes: the pipeline still hashes, claims and
archives the file first, and takes what was read ahead only for the very bytes it
claimed (the same SHA-256 before and after the read) and a name read alike (the same
extension, which is all of the name an .xlsx read depends on); otherwise it reads the
archived copy as always. Only .xlsx is read ahead: .xls and .ods are read in a child
process, and a CSV's sheet is named after its file.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import replace
from pathlib import Path

from .model import UnreadableFile, Workbook
from .safety import is_ignorable, sniff_format

_lock = threading.Lock()
_pending: list[_Ahead] = []  # reads a file may still take
_left: list[_Ahead] = []  # reads let go, still to be waited for


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


class _Ahead(threading.Thread):
    def __init__(self, path: Path, sha: str) -> None:
        # Not a daemon: a read still running when the command ends is waited for, never
        # cut off inside the parser.
        super().__init__(name="toolkit-readahead")
        self.path, self.sha = path, sha
        self.got: Workbook | UnreadableFile | None = None
        self.dropped = False

    def run(self) -> None:
        from .reading import read_workbook

        try:
            try:
                got: Workbook | UnreadableFile = read_workbook(self.path)
            except UnreadableFile as exc:
                got = exc
            if _sha256(self.path) != self.sha:  # changed while being read: not these bytes
                return
            with _lock:
                if not self.dropped:
                    self.got = got
        except BaseException:  # gone, out of memory: the pipeline reads it itself
            self.got = None


def start(paths: list[Path]) -> None:
    """Begin reading the first of ``paths`` in the background, when it is an .xlsx file."""
    if not paths:
        return
    path = paths[0]
    try:
        if not path.is_file() or is_ignorable(path) or sniff_format(path) != "xlsx":
            return
        sha = _sha256(path)
    except (OSError, UnreadableFile):
        return
    ahead = _Ahead(path, sha)
    with _lock:
        _pending.append(ahead)
    ahead.start()


def take(sha: str | None, path: Path) -> Workbook | None:
    """What was read ahead of the bytes ``sha``, as if read from ``path`` (their archived
    copy); None when nothing was. An unreadable file's reason is raised as reading
    ``path`` would raise it."""
    with _lock:
        ahead = next((a for a in _pending if a.sha == sha and a.path.suffix.lower() == path.suffix.lower()), None)
        if ahead is None:
            return None
        _pending.remove(ahead)
    ahead.join()
    got, ahead.got = ahead.got, None  # the thread object may outlive this (the collector is paused)
    if got is None:
        return None
    if isinstance(got, UnreadableFile):
        raise got
    return replace(got, path=str(path))


def let_go() -> None:
    """Drop what no file took (the first file was a duplicate, or busy): its values are
    not kept while the other files are processed. A read still running goes on to its
    end, and is waited for by :func:`finish`."""
    with _lock:
        for ahead in _pending:
            ahead.dropped, ahead.got = True, None
        _left.extend(_pending)
        _pending.clear()


def finish() -> None:
    """Let go of what no file took, and wait for any read still running."""
    let_go()
    with _lock:
        left = list(_left)
        _left.clear()
    for ahead in left:
        ahead.join()
