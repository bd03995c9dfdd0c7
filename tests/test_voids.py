"""A row marked 作废 retires its record by hand (toolkit/voids.py).

Real workspaces (`toolkit init`), real .xlsx files filled under the blank register's
headers, saved into inbox/ and processed with the CLI, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from car_fixtures import as_json, init
from conftest import read_only, wait_until
from test_dealer_pipeline import cli, docx_text, fill, process
from test_key_corrections import keys, ledger, open_records

from toolkit.ledger import record_history, records


def repair(no: str, room: str, urgent: bool, **more: Any) -> dict[str, Any]:
    """A repair reported Tue 2026-12-01, nobody on site yet: an urgent one is overdue by
    09:00 the next day (30 minutes to arrive), both are on the unfinished list."""
    return {"单号": no, "房号": room, "报修人": "张先生", "联系电话": "13800000000",
            "报修时间": datetime(2026, 12, 1, 9, 0), "维修内容": "卫生间漏水", "紧急程度": "紧急" if urgent else "一般",
            "接报人": "李静", **more}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = init(tmp_path / "p")
    got = process(home, fill(home, "报修登记表", [repair("BX-1", "1-101", True), repair("BX-2", "1-102", False)]),
                  "2026-12-02T09:00")
    assert got["changes"]["repair"]["new"] == ["BX-1", "BX-2"]
    assert {"BX-1", "BX-2"} <= open_records(home, "repair")
    return home


def daily_list(home: Path, now: str) -> set[str]:
    """The repair numbers 待办与逾期日报 names anywhere (every sheet, every cell)."""
    code, out = cli("report", "daily_due", "--date", now[:10], "--home", str(home), "--now", now, "--json")
    assert code == 0, out
    wb = openpyxl.load_workbook(next(o for o in as_json(out)["outputs"] if o.endswith(".xlsx")))
    return {str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
            if str(v).startswith("BX-")}


def voided_versions(home: Path) -> list[tuple[str, str]]:
    """(register, change) of the history rows marked 'voided', with their record's register."""
    led = ledger(home)
    try:
        with led.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(
                records.join(record_history, record_history.c.record_id == records.c.id)
                .select().with_only_columns(records.c.register, record_history.c.change)
                .where(record_history.c.change == "voided"))]
    finally:
        led.close()


def test_a_row_marked_void_retires_its_record_its_findings_and_its_place_in_the_daily_list(home: Path):
    assert {"BX-1", "BX-2"} <= daily_list(home, "2026-12-02T10:00")
    got = process(home, fill(home, "报修登记表", [repair("BX-1", "1-101", True, 作废="是"),
                                                 repair("BX-2", "1-102", False)]), "2026-12-02T10:00")
    assert got["status"] == "accepted"
    assert got["rows"] == {"total": 2, "valid": 1, "rejected": 0, "voided": 1}
    assert got["changes"]["repair"]["voided"] == ["BX-1"]
    assert keys(home, "repair") == ["BX-2"]
    assert open_records(home, "repair") == {"BX-2"}
    resolved = {(f["record"], f["rule"]) for f in got["findings"] if f["state"] == "resolved"}
    assert resolved == {("BX-1", "repair.arrival"), ("BX-1", "repair.unfinished")}
    assert daily_list(home, "2026-12-02T10:30") == {"BX-2"}
    # Nothing lost: the record's last version is kept, marked, out of every register's view.
    assert voided_versions(home) == [("repair#作废", "voided")]
    led = ledger(home)
    try:
        assert led.registers_seen() == {"repair": 1}
    finally:
        led.close()


def test_the_mark_saved_again_changes_nothing_and_clearing_it_brings_the_record_back(home: Path):
    void = [repair("BX-1", "1-101", True, 作废="是"), repair("BX-2", "1-102", False)]
    process(home, fill(home, "报修登记表", void), "2026-12-02T10:00")
    # The same workbook with one more row, the void row still in it: nothing more retired.
    again = process(home, fill(home, "报修登记表", [*void, repair("BX-3", "1-103", False)]), "2026-12-02T11:00")
    assert again["rows"]["voided"] == 1 and "voided" not in again["changes"]["repair"]
    # Said on the console: the row retired nothing this time (a mistyped number would not either).
    rows = [*void, repair("BX-3", "1-103", False), repair("BX-9", "1-109", False)]
    code, out = cli("process", str(fill(home, "报修登记表", rows)), "--home", str(home), "--now", "2026-12-02T11:05")
    assert code == 0 and "作废 1 行（本次撤销记录 0 条，其余编号此前已作废或从未登记）" in out, out
    assert again["changes"]["repair"]["new"] == ["BX-3"]
    assert voided_versions(home) == [("repair#作废", "voided")]
    # The mark cleared: BX-1 is a record again, new, its deadline overdue again.
    back = process(home, fill(home, "报修登记表", [repair("BX-1", "1-101", True), repair("BX-2", "1-102", False),
                                                  repair("BX-3", "1-103", False)]), "2026-12-02T12:00")
    assert back["changes"]["repair"]["new"] == ["BX-1"]
    assert sorted(keys(home, "repair")) == ["BX-1", "BX-2", "BX-3", "BX-9"]
    assert "BX-1" in open_records(home, "repair")
    # Voided twice: the second stand-in never collides with the first.
    process(home, fill(home, "报修登记表", [*void, repair("BX-3", "1-103", False, 维修内容="灯不亮")]),
            "2026-12-02T13:00")
    assert voided_versions(home) == [("repair#作废", "voided")] * 2
    assert "BX-1" not in keys(home, "repair")


def test_a_mark_other_than_yes_or_a_void_row_without_its_number_holds_the_row_back(home: Path):
    got = process(home, fill(home, "报修登记表", [repair("BX-1", "1-101", True, 作废="x"),
                                                 repair("", "1-102", False, 作废="是")]), "2026-12-02T10:00")
    assert got["status"] == "rejected"  # no row of it taken
    assert got["rows"] == {"total": 2, "valid": 0, "rejected": 2}
    errors = {e["code"]: e for e in got["errors"]}
    # Blank register: 17 columns, 作废 is R; the rows start under the title, note and header.
    assert errors["void.mark"]["cell"] == "R4" and "只能填“是”" in errors["void.mark"]["message"]
    assert errors["void.key"]["cell"] == "A5" and "“单号”未填写" in errors["void.key"]["message"]
    assert sorted(keys(home, "repair")) == ["BX-1", "BX-2"]  # nothing retired, nothing lost
    assert {"BX-1", "BX-2"} <= open_records(home, "repair")
    # The clerk's return copy marks both cells, with the words.
    copy = openpyxl.load_workbook(next(p for p in got["outputs"] if "问题批注" in p))
    sheet = next(ws for ws in copy.worksheets if ws.title != "问题清单")
    assert "只能填“是”" in sheet["R4"].comment.text and "未填写" in sheet["A5"].comment.text


def test_a_void_row_beside_a_live_row_of_the_same_number_retires_nothing(home: Path):
    got = process(home, fill(home, "报修登记表", [repair("BX-1", "1-101", True), repair("BX-1", "1-101", True, 作废="是")]),
                  "2026-12-02T10:00")
    (err,) = [e for e in got["errors"] if e["code"] == "void.duplicate"]
    assert err["cell"] == "R5" and "第4行仍登记着同一编号“BX-1”" in err["message"]
    assert "BX-1" in keys(home, "repair") and "BX-1" in open_records(home, "repair")


def test_voiding_the_row_a_return_copy_marked_settles_the_copy(home: Path):
    bad = repair("BX-4", "1-104", False, 联系电话="电话坏了")
    first = process(home, fill(home, "报修登记表", [bad]), "2026-12-02T10:00")
    copy = Path(next(p for p in first["outputs"] if "问题批注" in p))
    assert copy.exists()
    process(home, fill(home, "报修登记表", [{**bad, "作废": "是"}]), "2026-12-02T11:00")
    assert not copy.exists() and (copy.parent / "已改正" / copy.name).exists()
    assert "BX-4" not in keys(home, "repair")


def test_every_blank_register_but_the_dispatch_register_ends_with_the_void_column(home: Path):
    for path in sorted((home / "空白登记表").glob("*.xlsx")):
        ws = openpyxl.load_workbook(path).active
        last = ws.cell(3, ws.max_column)
        if path.stem == "发文登记":
            assert last.value != "作废"
        else:
            assert last.value == "作废", path.name
            assert "填“是”表示本行登记有误" in last.comment.text


def fee_row(room: str, owner: str, paid_to: datetime, **more: Any) -> dict[str, Any]:
    """An account of 89.50 m² at 2.50 a month: paid to 10-31, on 11-16 it owes November,
    89.50 × 2.50 = 223.75 yuan, one 催缴通知书 (first tier)."""
    return {"房号": room, "业主": owner, "建筑面积": 89.5, "单价": 2.5, "已缴至": paid_to, **more}


def reminders(home: Path) -> dict[str, list[str]]:
    """The 催缴通知书 files by folder: drafts to sign, and those voided."""
    drafts = home / "outbox" / "文书草稿"
    return {"草稿": sorted(p.name for p in drafts.glob("*催缴通知书*.docx")),
            "已作废": sorted(p.name for p in (drafts / "已作废").glob("*催缴通知书*.docx"))}


@pytest.mark.parametrize("undo", ["clear_void_mark", "restore_earlier_save", "behind_again_next_month"])
def test_arrears_back_after_a_void_or_a_mistaken_payment_get_a_reminder_again(tmp_path: Path, undo: str):
    """A reminder voided unsigned because the bill was paid, or with its record (作废), is
    not the owner's last word: when arrears of the same tier are back — the 作废 mark
    cleared, the earlier save restored byte for byte (the payment was a mistake), or simply
    the next month unpaid — the cashier again has a 催缴通知书 to sign (a new number), not
    an open arrears finding with nothing to send."""
    home = init(tmp_path / "p")
    owed = [fee_row("1-101", "张建国", datetime(2026, 10, 31))]
    saved = fill(home, "物业费台账", owed)
    earlier = saved.read_bytes()
    first = process(home, saved, "2026-11-16T09:30")
    assert [f["rule"] for f in first["findings"] if f["state"] == "new"] == ["fee.arrears"]
    (draft,) = reminders(home)["草稿"]
    assert "催字第001号" in draft
    if undo == "clear_void_mark":
        gone = process(home, fill(home, "物业费台账", [{**owed[0], "作废": "是"}]), "2026-11-17T09:30")
        assert gone["changes"]["fee_account"]["voided"] == ["1-101"]
        # Saved back with the next account typed in: not the bytes of the first save.
        back = fill(home, "物业费台账", [*owed, fee_row("1-102", "李梅", datetime(2026, 12, 31))])
    else:
        paid = fill(home, "物业费台账", [fee_row("1-101", "张建国", datetime(2026, 11, 30))])
        process(home, paid, "2026-11-17T09:30")
        back = home / "inbox" / "物业费台账.xlsx"
        back.write_bytes(earlier)
    assert reminders(home) == {"草稿": [], "已作废": [draft]}
    if undo == "behind_again_next_month":
        # Paid to 11-30, then nothing: on 12-02 December is owed, the same first tier, and
        # 89.50 × 2.50 = 223.75 again (the phone typed in, so the ledger is saved anew).
        back = fill(home, "物业费台账", [fee_row("1-101", "张建国", datetime(2026, 11, 30), 联系电话="13905712231")])
        again = process(home, back, "2026-12-02T09:30")
    else:
        again = process(home, back, "2026-11-18T09:30")
    assert [f["rule"] for f in again["findings"] if f["state"] != "resolved"] == ["fee.arrears"]
    assert reminders(home)["草稿"] == [draft.replace("第001号", "第002号")]
    text = docx_text(home / "outbox" / "文书草稿" / reminders(home)["草稿"][0])
    assert "223.75" in text and "张建国" in text


def run(home: Path, path: Path, now: str, crash: str | None = None) -> subprocess.CompletedProcess:
    """``python -m toolkit process FILE`` as a process of its own (killed at ``crash``)."""
    env = {k: v for k, v in os.environ.items() if k != "TOOLKIT_CRASH_AT"}
    if crash:
        env["TOOLKIT_CRASH_AT"] = crash
    return subprocess.run([sys.executable, "-m", "toolkit", "process", str(path), "--home", str(home), "--now", now,
                           "--json"], env=env, capture_output=True, text=True, timeout=240)


def test_a_void_save_killed_right_after_its_commit_is_finished_once_on_the_next_run(home: Path):
    """The process dies after the void is committed, before its return copy was settled
    and the file left inbox/: the next run finishes it — the earlier copy settled, the
    record retired once, the file a duplicate of itself."""
    bad = repair("BX-4", "1-104", False, 联系电话="电话坏了")
    first = process(home, fill(home, "报修登记表", [bad, repair("BX-2", "1-102", False)]), "2026-12-02T10:00")
    copy = Path(next(p for p in first["outputs"] if "问题批注" in p))
    void = fill(home, "报修登记表", [{**bad, "作废": "是"}, repair("BX-2", "1-102", False)])
    killed = run(home, void, "2026-12-02T11:00", crash="after_commit")
    assert killed.returncode == -9, killed.stderr
    assert copy.exists() and void.exists()  # nothing after the commit happened
    again = run(home, void, "2026-12-02T11:05")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["files"][0]["status"] == "duplicate"
    assert not copy.exists() and (copy.parent / "已改正" / copy.name).exists()
    assert not void.exists()
    assert voided_versions(home) == [("repair#作废", "voided")]
    assert "BX-4" not in keys(home, "repair")


def test_a_merged_void_cell_a_second_void_column_and_a_pasted_paragraph_are_read_as_staff_see_them(home: Path):
    """作废 merged over three rows retires all three; a 作废 column copied in beside the
    blank register's own counts too; a paragraph pasted into the cell is quoted short, as
    typed (not lower-cased), on the cell."""
    path = fill(home, "报修登记表", [repair("BX-1", "1-101", True, 作废="是"), repair("BX-2", "1-102", False),
                                    repair("BX-3", "1-103", False), repair("BX-5", "1-105", False),
                                    repair("BX-6", "1-106", False, 作废="#REF!" + "说明" * 200)])
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws.merge_cells("R4:R6")  # 作废 is R; BX-1..BX-3 are rows 4-6
    ws["S3"], ws["S7"] = "作废", "是"  # BX-5 marked in the second column
    wb.save(path)
    got = process(home, path, "2026-12-02T10:00")
    # BX-3 and BX-5 were never taken: marked void at once, they retire nothing and stay out.
    assert sorted(got["changes"]["repair"]["voided"]) == ["BX-1", "BX-2"]
    assert got["rows"] == {"total": 5, "valid": 0, "rejected": 1, "voided": 4}
    assert keys(home, "repair") == []
    (err,) = got["errors"]
    assert err["cell"] == "R8" and err["code"] == "void.mark"
    assert "现为“#REF!说明说明说明说明说明说明说明说…”" in err["message"] and len(err["message"]) < 100
    assert len(err["value"]) == 200


def _watcher(home: Path, said: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "TOOLKIT_CRASH_AT"}
    with open(said, "wb") as err:
        return subprocess.Popen([sys.executable, "-m", "toolkit", "watch", "--home", str(home), "--now",
                                 "2026-12-02T10:00", "--settle", "0.2"], env=env, stdout=subprocess.DEVNULL, stderr=err)


def test_two_watchers_take_voids_and_restored_saves_once_each(home: Path, tmp_path: Path):
    """Two watchers on one workspace (one ledger, on PostgreSQL too): eight workbooks saved
    at once, then each with its first row marked 作废, then each restored to its first save:
    every save taken once, every record retired once and back once, no error said."""
    n = 8

    def saved(i: int, **mark: str) -> bytes:  # the bytes of a save, made before any watcher runs
        path = fill(home, "报修登记表", [repair(f"W{i}-1", "2-101", False, **mark), repair(f"W{i}-2", "2-102", False)],
                    f"staged-{i}")
        data = path.read_bytes()
        path.unlink()
        return data

    first = {i: saved(i) for i in range(n)}
    void = {i: saved(i, 作废="是") for i in range(n)}

    def drop(saves: dict[int, bytes]) -> None:
        for i, data in saves.items():
            staged = tmp_path / f"staged-{i}.xlsx"
            staged.write_bytes(data)
            os.replace(staged, home / "inbox" / f"报修登记表-{i}.xlsx")
        assert wait_until(lambda: not any((home / "inbox").iterdir()), timeout=180, step=0.2)

    def live() -> set[str]:
        return set(keys(home, "repair"))

    everything = {"BX-1", "BX-2"} | {f"W{i}-{j}" for i in range(n) for j in (1, 2)}
    procs = [_watcher(home, tmp_path / f"w{i}.log") for i in range(2)]
    try:
        drop(first)
        assert wait_until(lambda: live() == everything, timeout=60, step=0.2)
        drop(void)
        assert wait_until(lambda: live() == everything - {f"W{i}-1" for i in range(n)}, timeout=60, step=0.2)
        drop(first)  # each restored to its first save: its first row back
        assert wait_until(lambda: live() == everything, timeout=60, step=0.2)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            assert p.wait(timeout=30) == 0
    led = ledger(home)
    try:
        assert led.file_counts() == {"accepted": 1 + 3 * n}
    finally:
        led.close()
    assert voided_versions(home) == [("repair#作废", "voided")] * n
    for i in range(2):
        said = (tmp_path / f"w{i}.log").read_text(encoding="utf-8", errors="replace")
        assert "Traceback" not in said and "Error" not in said, said[-3000:]



def test_a_void_taken_while_the_outbox_is_read_only_settles_the_copy_once_it_is_writable(home: Path, tmp_path: Path):
    """The void is committed while 退回批注 cannot be written: the earlier copy, which asks
    for BX-4's phone, cannot move to 已改正 then. The workbook stays in inbox/ meanwhile,
    and the watcher settles the copy once the folder is writable again."""
    bad = repair("BX-4", "1-104", False, 联系电话="电话坏了")
    first = process(home, fill(home, "报修登记表", [bad, repair("BX-2", "1-102", False)]), "2026-12-02T10:00")
    copy = Path(next(p for p in first["outputs"] if "问题批注" in p))
    data = fill(home, "报修登记表", [{**bad, "作废": "是"}, repair("BX-2", "1-102", False)]).read_bytes()
    (home / "inbox" / "报修登记表.xlsx").unlink()
    outbox = home / "outbox"
    with read_only(outbox):
        watcher = _watcher(home, tmp_path / "w.log")
        (tmp_path / "v.xlsx").write_bytes(data)
        os.replace(tmp_path / "v.xlsx", home / "inbox" / "报修登记表.xlsx")
        assert wait_until(lambda: "BX-4" not in keys(home, "repair"), timeout=60, step=0.2)
        assert wait_until(lambda: "暂留收件箱" in (tmp_path / "w.log").read_text(encoding="utf-8", errors="replace"),
                          timeout=30, step=0.2)
        assert copy.exists() and (home / "inbox" / "报修登记表.xlsx").exists()
    try:
        assert wait_until(lambda: (copy.parent / "已改正" / copy.name).exists(), timeout=60, step=0.2)
        assert wait_until(lambda: not any((home / "inbox").iterdir()), timeout=30, step=0.2)
    finally:
        watcher.terminate()
        assert watcher.wait(timeout=30) == 0
    assert not copy.exists() and voided_versions(home) == [("repair#作废", "voided")]
