"""The same bytes saved again: a copy made twice is not processed twice, but a workbook
restored to an earlier save (its bytes exactly as then) after it was saved with other
contents is taken as a save of its own — the ledger follows the workbook, not the first
time it saw those bytes. Real workspaces, real .xlsx files, the CLI, both databases."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from car_fixtures import init
from test_dealer_pipeline import cli, fill, process
from test_key_corrections import ledger

from toolkit.ruleset.store import open_findings


def repair(no: str, arrived: datetime | None = None) -> dict[str, Any]:
    """An urgent repair reported Tue 2026-12-01 09:00: due on site by 09:30."""
    return {"单号": no, "房号": "1-101", "报修人": "张先生", "联系电话": "13800000000",
            "报修时间": datetime(2026, 12, 1, 9, 0), "维修内容": "卫生间漏水", "紧急程度": "紧急", "接报人": "李静",
            "到场时间": arrived}


def saved(home: Path, rows: list[dict[str, Any]], keep: Path, name: str = "报修登记表") -> Path:
    """The register filled and saved into inbox/, its bytes kept beside the workspace."""
    path = fill(home, "报修登记表", rows, name)
    shutil.copyfile(path, keep)
    return path


def late_arrival(home: Path) -> set[str]:
    """The repairs whose on-site deadline is open (overdue) in the ledger."""
    led = ledger(home)
    try:
        with led.engine.connect() as conn:
            return {f.record for f in open_findings(conn, led.site) if f.rule == "repair.arrival"}
    finally:
        led.close()


def arrived(home: Path, key: str) -> Any:
    led = ledger(home)
    try:
        return led.record("repair", key)["values"]["到场时间"]
    finally:
        led.close()


def test_a_workbook_restored_to_an_earlier_save_is_taken_again(tmp_path: Path):
    home = init(tmp_path / "p")
    process(home, saved(home, [repair("BX-1")], tmp_path / "a.xlsx"), "2026-12-02T09:00")
    assert late_arrival(home) == {"BX-1"}  # not on site: overdue
    # The same bytes again at once: a copy made twice, nothing to do.
    shutil.copyfile(tmp_path / "a.xlsx", home / "inbox" / "报修登记表.xlsx")
    again = process(home, home / "inbox" / "报修登记表.xlsx", "2026-12-02T09:10")
    assert again["status"] == "duplicate" and again["message"].startswith("与已处理的文件")
    # Saved with the arrival filled in (a mistake, say: it was another job's).
    process(home, saved(home, [repair("BX-1", datetime(2026, 12, 1, 9, 20))], tmp_path / "b.xlsx"),
            "2026-12-02T10:00")
    assert arrived(home, "BX-1") == datetime(2026, 12, 1, 9, 20)
    assert late_arrival(home) == set()
    # The clerk restores the first save (the very same bytes) into inbox/.
    shutil.copyfile(tmp_path / "a.xlsx", home / "inbox" / "报修登记表.xlsx")
    code, out = cli("process", str(home / "inbox" / "报修登记表.xlsx"), "--home", str(home),
                    "--now", "2026-12-02T11:00")
    assert code == 0, out
    # The console says why the same bytes were taken again.
    assert re.search(r"与第 \d+ 号文件内容相同，但该登记表此后已由第 \d+ 号文件改过，按重新保存处理", out), out
    assert arrived(home, "BX-1") is None
    assert late_arrival(home) == {"BX-1"}  # overdue again, as the workbook says
    # Dropped once more as it is: now it is the workbook's latest save, a duplicate again.
    shutil.copyfile(tmp_path / "a.xlsx", home / "inbox" / "报修登记表.xlsx")
    last = process(home, home / "inbox" / "报修登记表.xlsx", "2026-12-02T11:30")
    assert last["status"] == "duplicate"
    led = ledger(home)
    try:
        assert led.file_counts() == {"accepted": 3}
    finally:
        led.close()


def test_the_same_bytes_after_another_workbook_changed_the_register_are_a_duplicate(tmp_path: Path):
    """Two clerks keep one register in two workbooks: the second's save is not a newer
    save of the first's, so the first's bytes dropped again change nothing."""
    home = init(tmp_path / "p")
    process(home, saved(home, [repair("BX-1")], tmp_path / "a.xlsx"), "2026-12-02T09:00")
    process(home, saved(home, [repair("BX-2")], tmp_path / "c.xlsx", "报修登记表-王芳"), "2026-12-02T10:00")
    shutil.copyfile(tmp_path / "a.xlsx", home / "inbox" / "报修登记表.xlsx")
    again = process(home, home / "inbox" / "报修登记表.xlsx", "2026-12-02T11:00")
    assert again["status"] == "duplicate" and "again_of" not in again


def test_a_restored_save_killed_right_after_its_commit_is_taken_once(tmp_path: Path):
    """The restored bytes' process dies after the commit: the next run finds the restore
    finished (a duplicate), the record as the restored workbook says, nothing taken twice."""
    home = init(tmp_path / "p")
    process(home, saved(home, [repair("BX-1")], tmp_path / "a.xlsx"), "2026-12-02T09:00")
    process(home, saved(home, [repair("BX-1", datetime(2026, 12, 1, 9, 20))], tmp_path / "b.xlsx"),
            "2026-12-02T10:00")
    inbox = home / "inbox" / "报修登记表.xlsx"
    shutil.copyfile(tmp_path / "a.xlsx", inbox)
    env = {k: v for k, v in os.environ.items() if k != "TOOLKIT_CRASH_AT"}
    argv = [sys.executable, "-m", "toolkit", "process", str(inbox), "--home", str(home), "--json"]
    killed = subprocess.run([*argv, "--now", "2026-12-02T11:00"], env={**env, "TOOLKIT_CRASH_AT": "after_commit"},
                            capture_output=True, text=True, timeout=240)
    assert killed.returncode == -9, killed.stderr
    assert inbox.exists() and arrived(home, "BX-1") is None
    again = subprocess.run([*argv, "--now", "2026-12-02T11:05"], env=env, capture_output=True, text=True, timeout=240)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["files"][0]["status"] == "duplicate" and not inbox.exists()
    shutil.copyfile(tmp_path / "a.xlsx", inbox)
    assert process(home, inbox, "2026-12-02T11:30")["status"] == "duplicate"
    assert late_arrival(home) == {"BX-1"}
    led = ledger(home)
    try:
        assert led.file_counts() == {"accepted": 3}
        assert [h["version"] for h in led.history("repair", "BX-1")] == [1, 2, 3]  # restored once
    finally:
        led.close()
