"""The folder watcher on a real folder: native events, polling, lock files, crashes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path

import pytest
from conftest import REPAIR_HEADERS, repair_rows, wait_until, write_xlsx

from toolkit.ledger import Ledger
from toolkit.watch import watch

_wait = partial(wait_until, timeout=20.0)


@pytest.fixture
def running(ctx):
    """A watcher thread on the workspace; yields a function to start it with options."""
    stop = threading.Event()
    threads = []

    def start(**kw):
        kw.setdefault("settle", 0.3)  # short settle times keep the suite quick
        t = threading.Thread(target=watch, args=(ctx,), kwargs={"stop": stop, **kw}, daemon=True)
        t.start()
        threads.append(t)
        return t

    yield start
    stop.set()
    for t in threads:
        t.join(timeout=10)
        assert not t.is_alive(), "watcher did not stop"


def _save_atomically(src: Path, inbox: Path, name: str) -> Path:
    """Save like an office suite: write elsewhere, then move into place."""
    target = inbox / name
    tmp = inbox / f".~tmp{name}"
    shutil.copyfile(src, tmp)
    os.replace(tmp, target)
    return target


def test_native_watcher_takes_a_saved_file_quickly(ctx, home, running, tmp_path):
    running()
    src = write_xlsx(tmp_path / "r.xlsx", {"s": [REPAIR_HEADERS, *repair_rows(5)]})
    time.sleep(0.3)
    t0 = time.monotonic()
    _save_atomically(src, home / "inbox", "报修登记表.xlsx")
    assert _wait(lambda: ctx.ledger.record("repair", "BX0005") is not None)
    took = time.monotonic() - t0
    print(f"processed {took:.2f} s after the save completed")
    assert took < 10
    # Released from the inbox just after its commit (the record shows first).
    assert _wait(lambda: not (home / "inbox" / "报修登记表.xlsx").exists())


def test_lock_and_temp_files_are_left_alone(ctx, home, running, tmp_path):
    inbox = home / "inbox"
    (inbox / "~$报修登记表.xlsx").write_bytes(b"\0" * 165)
    (inbox / ".~lock.报修登记表.xlsx#").write_text("user,host,,", encoding="utf-8")
    (inbox / "autosave.tmp").write_bytes(b"x")
    src = write_xlsx(tmp_path / "r.xlsx", {"s": [REPAIR_HEADERS, *repair_rows(1)]})
    running()
    _save_atomically(src, inbox, "r.xlsx")
    assert _wait(lambda: ctx.ledger.record("repair", "BX0001") is not None)
    time.sleep(0.5)
    assert (inbox / "~$报修登记表.xlsx").exists()
    assert (inbox / ".~lock.报修登记表.xlsx#").exists()
    assert (inbox / "autosave.tmp").exists()
    assert ctx.ledger.file_counts() == {"accepted": 1}


def test_many_files_at_once_and_a_bad_one(ctx, home, running, tmp_path, monkeypatch):
    inbox = home / "inbox"
    # The bad file looks cut short (no end of zip): it is waited for, then taken and refused.
    # 1 s of that grace here instead of 10 (at least 4 × the 0.3 s settle: 1.2 s).
    monkeypatch.setattr("toolkit.watch.BROKEN_GRACE_S", 1.0)
    running()
    for i in range(12):
        src = write_xlsx(tmp_path / f"{i}.xlsx", {"s": [REPAIR_HEADERS, *repair_rows(3, start=i * 10)]})
        _save_atomically(src, inbox, f"登记{i}.xlsx")
    (inbox / "坏的.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    assert _wait(lambda: sum(ctx.ledger.file_counts().values()) == 13
                 and "processing" not in ctx.ledger.file_counts(), timeout=60)
    counts = ctx.ledger.file_counts()
    assert counts == {"accepted": 12, "rejected": 1}
    assert ctx.ledger.registers_seen() == {"repair": 36}


def test_existing_files_are_taken_on_start_and_polling_works(ctx, home, running, tmp_path):
    src = write_xlsx(home / "inbox" / "waiting.xlsx", {"s": [REPAIR_HEADERS, *repair_rows(2)]})
    running(poll=0.3)
    assert _wait(lambda: not src.exists())
    later = write_xlsx(tmp_path / "later.xlsx", {"s": [REPAIR_HEADERS, *repair_rows(2, start=50)]})
    _save_atomically(later, home / "inbox", "later.xlsx")
    assert _wait(lambda: ctx.ledger.record("repair", "BX0051") is not None)


def _spawn(home: Path) -> subprocess.Popen:
    # The files are whole before it starts: a short settle, not the second staff saves need.
    return subprocess.Popen(
        [sys.executable, "-m", "toolkit", "watch", "--home", str(home), "--now", "2026-11-24T09:00",
         "--settle", "0.2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


@pytest.mark.timeout(600)
def test_sigkill_at_any_moment_then_restart_finishes_each_file_exactly_once(home, tmp_path):
    """Kill the watcher hard while it works, at three moments seen from outside: inside a
    file (claimed, not committed), just after a file's commit (others waiting), and just
    after a return copy (others to write); after a restart every file is processed
    exactly once: no file lost, no record or output duplicated."""
    inbox, returns = home / "inbox", home / "outbox" / "退回批注"
    # 8 files of 100 rows: each takes the watcher a few tenths of a second, long enough to
    # be seen claimed (polled every 10 ms), and files are still waiting at each kill.
    # Each file: 100 rows, one with a bad required cell, so 99 records and a return copy.
    n_files, rows_each = 8, 100
    for i in range(n_files):
        rows = repair_rows(rows_each, start=i * rows_each)
        rows[0][4] = "2026/13/45"  # one bad required cell per file: each also writes an annotated copy
        write_xlsx(inbox / f"批次{i}.xlsx", {"s": [REPAIR_HEADERS, *rows]})
    db = Ledger(f"sqlite:///{home / 'var' / 'ledger.sqlite'}")

    def copies() -> int:
        return len(list(returns.glob("*.xlsx"))) if returns.is_dir() else 0

    moments = {
        "inside a file": lambda before: "processing" in db.file_counts(),
        "between files": lambda before: db.file_counts().get("partial", 0) >= 2,
        "between return copies": lambda before: copies() > before,
    }
    proc = None
    try:
        for moment, seen in moments.items():
            before = copies()
            proc = _spawn(home)
            # Hang guards, not speed checks: the suite runs beside other tests (xdist).
            assert _wait(lambda seen=seen, before=before: seen(before), timeout=120, step=0.01), \
                f"never saw the watcher {moment}"
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        proc = _spawn(home)
        try:
            # The files leave the inbox when done; then the outputs: a copy for each.
            done = _wait(lambda: not any(p.suffix == ".xlsx" for p in inbox.iterdir())
                         and len(list(returns.glob("*.xlsx"))) >= n_files, timeout=420)
            assert done, f"left in inbox: {list(inbox.iterdir())}"
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=60) == 0, "SIGTERM is a clean stop"
        files = db.files(limit=100)
        assert sorted(f["name"] for f in files) == sorted(f"批次{i}.xlsx" for i in range(n_files))
        assert all(f["status"] == "partial" for f in files)
        assert db.registers_seen() == {"repair": n_files * (rows_each - 1)}
        # every record was written once: version 1, one history row
        assert all(r["version"] == 1 for r in db.records("repair"))
        written = list(returns.glob("*.xlsx"))
        assert len(written) == n_files, written
        assert not list((home / "outbox").rglob(".tmp-*")), "no half-written outputs"
    finally:
        # A watcher not seen at its moment is still running: left, it would watch a deleted
        # folder for good and slow every test after it.
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        db.close()


def test_schedule_waits_for_the_backlog_found_at_start(ctx, home, running):
    """A report caught up at start must include the files that were already waiting."""
    write_xlsx(home / "inbox" / "waiting.xlsx", {"s": [REPAIR_HEADERS, *repair_rows(3)]})
    seen_at_first_tick: list[int] = []

    def tick(now):
        if not seen_at_first_tick:
            seen_at_first_tick.append(ctx.ledger.registers_seen().get("repair", 0))

    running(tick=tick)
    assert _wait(lambda: bool(seen_at_first_tick))
    assert seen_at_first_tick == [3]
