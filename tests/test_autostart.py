"""Running all day and after a reboot: the systemd unit is checked by systemd and its
ExecStart really runs the watcher; the Windows task is well-formed Task Scheduler XML."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPAIR_HEADERS, ROOT, repair_rows, write_xlsx

from toolkit.autostart import exec_start_argv, systemd_unit, windows_task
from toolkit.cli import main

TASK_NS = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}


def _unit(home: Path, tmp_path: Path, *args: str) -> str:
    out = tmp_path / "toolkit.service"
    res = CliRunner().invoke(main, ["autostart", "--home", str(home), "--out", str(out), *args])
    assert res.exit_code == 0, res.output
    return out.read_text(encoding="utf-8")


def test_unit_names_this_python_and_the_workspace(home: Path, tmp_path: Path):
    text = _unit(home, tmp_path)
    argv = exec_start_argv(text)
    assert argv == [sys.executable, "-m", "toolkit", "watch", "--home", str(home)]
    assert "Restart=on-failure" in text and "WantedBy=multi-user.target" in text and "UMask=0002" in text
    user = _unit(home, tmp_path, "--user-unit")
    assert "User=" not in user and "WantedBy=default.target" in user


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_accepts_the_unit(tmp_path: Path):
    home = tmp_path / "物业 中心"  # a space and Chinese in the path must survive quoting
    home.mkdir()
    unit = tmp_path / "toolkit.service"
    unit.write_text(systemd_unit(sys.executable, str(home), None), encoding="utf-8")
    proc = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert exec_start_argv(unit.read_text(encoding="utf-8"))[-1] == str(home)


def test_exec_start_runs_the_watcher_and_stops_cleanly(home: Path, tmp_path: Path):
    """What systemd would start, started the way systemd starts it (its directory, its
    environment, its umask), takes a file from inbox/ and stops on SIGTERM with exit 0."""
    text = _unit(home, tmp_path, "--user-unit")
    argv = exec_start_argv(text)
    env = {**os.environ, "TOOLKIT_HOME": str(home), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(argv, cwd=home, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            preexec_fn=lambda: os.umask(0o002))
    try:
        src = write_xlsx(tmp_path / "报修.xlsx", {"报修": [REPAIR_HEADERS, *repair_rows(2)]})
        os.replace(src, home / "inbox" / "报修.xlsx")
        deadline = time.monotonic() + 120
        while (home / "inbox" / "报修.xlsx").exists() and time.monotonic() < deadline:
            time.sleep(0.3)
        assert not (home / "inbox" / "报修.xlsx").exists(), "the watcher took the file"
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    err = proc.stderr.read().decode("utf-8", "replace")
    assert code == 0, err
    assert "开始监视收件箱" in err and "已停止监视收件箱" in err  # the journal reads Chinese
    assert "已接收 报修.xlsx：共 2 行，登记 2 行" in err and " 信息 " in err and " INFO " not in err


def test_windows_task_is_task_scheduler_xml(home: Path, tmp_path: Path):
    out = tmp_path / "task.xml"
    res = CliRunner().invoke(main, ["autostart", "--windows", "--home", str(home), "--out", str(out)])
    assert res.exit_code == 0, res.output
    raw = out.read_bytes()
    assert raw[:2] in (b"\xff\xfe", b"\xfe\xff")  # UTF-16 with a BOM, as declared
    root = ET.fromstring(raw.decode("utf-16").replace('encoding="UTF-16"', ""))
    exe = root.find("t:Actions/t:Exec", TASK_NS)
    assert exe.find("t:Command", TASK_NS).text == sys.executable  # pythonw only exists on Windows
    assert exe.find("t:Arguments", TASK_NS).text == f'-m toolkit watch --home "{home}"'
    assert root.find("t:Triggers/t:LogonTrigger", TASK_NS) is not None
    settings = root.find("t:Settings", TASK_NS)
    assert settings.find("t:ExecutionTimeLimit", TASK_NS).text == "PT0S"
    assert settings.find("t:RestartOnFailure/t:Count", TASK_NS).text == "999"
    assert settings.find("t:MultipleInstancesPolicy", TASK_NS).text == "IgnoreNew"


def test_shipped_examples_are_the_generators_output():
    unit = (ROOT / "deploy" / "toolkit.service").read_text(encoding="utf-8")
    assert unit == systemd_unit("/opt/toolkit/.venv/bin/python", "/srv/物业中心", "office")
    task = (ROOT / "deploy" / "toolkit-task.xml").read_bytes().decode("utf-16")
    assert task == windows_task(r"C:\toolkit\.venv\Scripts\pythonw.exe", r"D:\物业中心", r"OFFICE\前台")


def test_outputs_follow_the_umask_so_the_office_group_reads_them(home: Path, tmp_path: Path):
    """Run as the unit runs it (UMask=0002): every output is group-readable and -writable."""
    rows = repair_rows(2)
    rows[1][4] = "2026/13/40"  # one bad cell: a return copy is written
    src = write_xlsx(tmp_path / "报修.xlsx", {"报修": [REPAIR_HEADERS, *rows]})
    proc = subprocess.run([sys.executable, "-m", "toolkit", "process", str(src), "--home", str(home),
                           "--now", "2026-11-24T09:00"], capture_output=True, text=True, timeout=240,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, preexec_fn=lambda: os.umask(0o002))
    assert proc.returncode == 0, proc.stderr
    outputs = [p for p in (home / "outbox").rglob("*") if p.is_file()]
    assert outputs, "a return copy at least"
    modes = {p.name: oct(p.stat().st_mode & 0o777) for p in outputs}
    assert set(modes.values()) == {"0o664"}, modes
