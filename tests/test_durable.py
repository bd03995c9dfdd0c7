"""Outputs are as durable as the records: real crashes (SIGKILL at named points), a
read-only outbox, a full disk, and afterwards every output present exactly once."""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import time
from datetime import date
from functools import partial
from pathlib import Path

import openpyxl
import psutil
import pytest
from conftest import HAVE_OFFICE, mount, read_only, wait_until, write_xlsx
from preloaded import TOOLKIT_MAIN, TOOLKIT_MODULES, Preloaded

from toolkit.ledger import Ledger

FEE_HEADERS = ["房号", "业主", "联系电话", "建筑面积", "单价", "已缴至", "欠费金额"]
NOW = "2026-11-24T09:00"


def fee_book(path: Path) -> Path:
    """Two arrears notices (3-1-502, 3-1-601: paid to 09-30, 55 days overdue on 11-24)
    and one bad required cell (an area that is not a number), so the file also gets a
    return copy and that row is held back."""
    rows = [
        FEE_HEADERS,
        ["3-1-502", "王秀英", "13812345678", "89.5", "2.35", date(2026, 9, 30), "420.65"],
        ["3-1-601", "李建华", "13912345678", "100", "2.35", date(2026, 9, 30), "470.00"],
        ["5-2-301", "陈建国", "13712345678", "待量", "2.35", date(2026, 12, 31), None],
    ]
    return write_xlsx(path, {"物业费": rows})


_TOOLKIT: list[Preloaded] = []  # this process's fork server for toolkit runs, made on first use


def toolkit(home: Path, *args: str, crash: str | None = None, office: bool = True,
            timeout: float = 240, **env_extra: str) -> subprocess.CompletedProcess:
    """``python -m toolkit ARGS --home HOME --now NOW`` as a real process of its own, forked
    from one that has imported the toolkit already (tests/preloaded.py)."""
    env = dict(os.environ, TOOLKIT_RETRY_BASE="0.2", TOOLKIT_RETRY_CAP="1", **env_extra)
    env.pop("TOOLKIT_CRASH_AT", None)
    if crash:
        env["TOOLKIT_CRASH_AT"] = crash
    if not office:  # LibreOffice out of reach: PDFs are skipped (with a note), quickly
        env["PATH"] = "/nonexistent"
    if not _TOOLKIT:
        _TOOLKIT.append(Preloaded(TOOLKIT_MODULES))
        atexit.register(_TOOLKIT[0].close)
    argv = [*args, "--home", str(home), "--now", NOW]
    done = _TOOLKIT[0].run(TOOLKIT_MAIN, argv, timeout=timeout, env=env)
    assert not done.timed_out, f"toolkit {args[0]} still running after {timeout} s"
    return subprocess.CompletedProcess(["toolkit", *argv], done.returncode, done.stdout, done.stderr)


def status(home: Path) -> dict:
    """What ``toolkit status --json`` reports (in-process: the tests poll it)."""
    from toolkit.status import workspace_status
    from toolkit.workspace import Workspace

    db = Ledger(f"sqlite:///{home / 'var' / 'ledger.sqlite'}")
    try:
        return json.loads(json.dumps(workspace_status(Workspace(home), db), default=str))
    finally:
        db.close()


def documents(home: Path) -> list[dict]:
    from toolkit.documents import document_rows

    db = Ledger(f"sqlite:///{home / 'var' / 'ledger.sqlite'}")
    try:
        return document_rows(db)
    finally:
        db.close()


def register_numbers(home: Path) -> list[str]:
    sheet = openpyxl.load_workbook(home / "outbox" / "发文登记.xlsx").active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    return [r[1] for r in rows if r[1]]


def orphans(pid: int) -> list[psutil.Process]:
    """Processes started for a toolkit process that has died (LibreOffice, readers)."""
    out = []
    for p in psutil.process_iter(["cmdline", "environ"]):
        try:
            cmd = " ".join(p.info["cmdline"] or [])
            env = p.info["environ"] or {}
        except (psutil.Error, TypeError):
            continue
        if f"toolkit-lo-{pid}-" in cmd or env.get("TOOLKIT_PARENT_PID") == str(pid):
            out.append(p)
    return out


def assert_everything_once(home: Path, *, pdfs: bool) -> None:
    db = Ledger(f"sqlite:///{home / 'var' / 'ledger.sqlite'}")
    try:
        files = db.files()
        assert [f["status"] for f in files] == ["partial"]
        assert db.registers_seen() == {"fee_account": 2}  # the row with the bad cell is returned
        assert all(r["version"] == 1 for r in db.records("fee_account"))
    finally:
        db.close()
    outbox = home / "outbox"
    assert len(list((outbox / "退回批注").glob("*.xlsx"))) == 1
    docs = documents(home)
    assert sorted(d["status"] for d in docs) == ["草稿", "草稿"], docs
    numbers = sorted(d["number"] for d in docs)
    assert numbers == ["某某物业〔2026〕催字第001号", "某某物业〔2026〕催字第002号"]
    drafts = sorted((outbox / "文书草稿").glob("*.docx"))
    assert [p.name.split("_")[0] for p in drafts] == numbers
    assert sorted(register_numbers(home)) == numbers
    if pdfs:
        assert sorted(p.stem for p in (outbox / "文书草稿").glob("*.pdf")) == [p.stem for p in drafts]
    assert not [p for p in outbox.rglob("*") if p.name.startswith(".tmp-")], "no temp file left"
    assert not list((home / "inbox").iterdir())
    info = status(home)
    assert info["outputs_pending"] == []
    assert (home / "var" / "toolkit.log").stat().st_size < 100_000


@pytest.mark.parametrize("point", ["after_commit", "after_number", "mid_write:退回批注", "mid_write:文书草稿"])
def test_a_crash_after_the_commit_loses_no_output(home, point):
    fee_book(home / "inbox" / "物业费.xlsx")
    first = toolkit(home, "process", str(home / "inbox"), crash=point, office=False)
    assert first.returncode == -9, f"the crash point {point} was not reached: {first.stderr}"
    second = toolkit(home, "process", str(home / "inbox"), office=False)
    assert second.returncode == 0, second.stderr
    assert "Traceback" not in second.stderr
    assert_everything_once(home, pdfs=False)


@pytest.mark.skipif(not HAVE_OFFICE and not os.environ.get("CI"), reason="LibreOffice is not installed")
@pytest.mark.pdfs
def test_killed_mid_pdf_leaves_no_libreoffice_and_the_pdf_is_made_next_run(home):
    fee_book(home / "inbox" / "物业费.xlsx")
    first = subprocess.Popen(
        [sys.executable, "-m", "toolkit", "process", str(home / "inbox"), "--home", str(home), "--now", NOW],
        env=dict(os.environ, TOOLKIT_CRASH_AT="mid_pdf"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert first.wait(timeout=120) == -9
    import tempfile

    profiles = list(Path(tempfile.gettempdir()).glob(f"toolkit-lo-{first.pid}-*"))
    assert profiles, "LibreOffice was running when the toolkit died"
    deadline = time.monotonic() + 10
    while orphans(first.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not orphans(first.pid), "LibreOffice outlived the toolkit"
    assert not list((home / "outbox" / "文书草稿").glob("*.pdf"))
    second = toolkit(home, "process", str(home / "inbox"))
    assert second.returncode == 0, second.stderr
    assert_everything_once(home, pdfs=True)
    assert not list(Path(tempfile.gettempdir()).glob(f"toolkit-lo-{first.pid}-*")), "temp folder swept"



def _spawn_watch(home: Path) -> subprocess.Popen:
    env = dict(os.environ, TOOLKIT_RETRY_BASE="0.3", TOOLKIT_RETRY_CAP="1", PATH="/nonexistent")
    return subprocess.Popen(
        [sys.executable, "-m", "toolkit", "watch", "--home", str(home), "--now", NOW, "--settle", "0.2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


_wait = partial(wait_until, step=0.1)


def _all_out(home: Path) -> bool:
    """Every output written: the register holds both numbers and nothing is pending.
    Each output has its own back-off, so the register can come out before the return copy."""
    if not (home / "outbox" / "发文登记.xlsx").exists() or len(register_numbers(home)) != 2:
        return False
    return not status(home)["outputs_pending"]


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    assert proc.wait(timeout=20) == 0


def test_read_only_outbox_outputs_appear_once_the_fault_is_gone(home, tmp_path):
    outbox = home / "outbox"
    with read_only(outbox):
        watcher = _spawn_watch(home)
        fee_book(tmp_path / "f.xlsx")
        os.replace(tmp_path / "f.xlsx", home / "inbox" / "物业费.xlsx")
        assert _wait(lambda: not (home / "inbox" / "物业费.xlsx").exists())
        assert _wait(lambda: any("没有写入权限" in (o["reason"] or "") for o in status(home)["outputs_pending"]))
        pending = status(home)["outputs_pending"]
        assert {o["kind"] for o in pending} == {"return_copy", "document"}
        shown = toolkit(home, "status").stdout  # what staff read
        assert "待写出的输出" in shown and "退回批注 物业费-问题批注-00001.xlsx" in shown, shown
        assert "没有写入权限" in shown
    try:
        # no restart: the watcher's back-off brings every output out
        assert _wait(lambda: _all_out(home))
    finally:
        _stop(watcher)
    assert_everything_once(home, pdfs=False)


def test_full_disk_leaves_no_temp_file_and_outputs_follow_when_space_returns(home, tmp_path):
    outbox = home / "outbox"
    if not mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(outbox)):
        pytest.skip("cannot mount a small tmpfs here (needs root and mount rights)")
    try:
        filler = outbox / "filler.bin"
        with open(filler, "wb") as fh:
            try:
                while True:
                    fh.write(b"\0" * 65536)
                    fh.flush()
            except OSError:
                pass
        watcher = _spawn_watch(home)
        try:
            fee_book(tmp_path / "f.xlsx")
            os.replace(tmp_path / "f.xlsx", home / "inbox" / "物业费.xlsx")
            assert _wait(lambda: any("磁盘空间不足" in (o["reason"] or "")
                                     for o in status(home)["outputs_pending"]))
            assert not [p for p in outbox.rglob("*") if p.name.startswith(".tmp-")]
            filler.unlink()
            assert _wait(lambda: _all_out(home))
        finally:
            _stop(watcher)
        assert_everything_once(home, pdfs=False)
    finally:
        subprocess.run(["umount", "-l", str(outbox)], check=True)


def test_two_process_runs_on_one_file_one_processes_one_sees_a_duplicate(home, tmp_path):
    from conftest import REPAIR_HEADERS, repair_rows

    src = write_xlsx(tmp_path / "大表.xlsx", {"s": [REPAIR_HEADERS, *repair_rows(3000)]})
    env = dict(os.environ, PATH="/nonexistent")
    cmd = [sys.executable, "-m", "toolkit", "process", str(src), "--home", str(home), "--now", NOW]
    Ledger(f"sqlite:///{home / 'var' / 'ledger.sqlite'}").close()  # both find the ledger made
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert not any("Traceback" in err for _, err in outs), outs
    firsts = sorted(out.split()[0] for out, _ in outs)
    assert firsts == ["已接收", "重复文件"], outs
