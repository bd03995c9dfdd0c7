"""What inbox/ takes and when: slow writers, a new save during processing, failures that
last, hostile names, unreadable files — on a real folder with the real watcher."""

from __future__ import annotations

import csv
import io
import logging
import os
import shutil
import threading
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import CORPUS, REPAIR_HEADERS, repair_rows, wait_until, write_xlsx

from toolkit import outbox
from toolkit.documents import document_rows
from toolkit.intake import inbox_files, looks_complete
from toolkit.pipeline import process_file, process_paths
from toolkit.reading import read_workbook
from toolkit.status import workspace_status
from toolkit.watch import watch

NOW = datetime(2026, 11, 24, 9, 0)


_wait = wait_until


@pytest.fixture
def watching(ctx):
    stop = threading.Event()
    t = threading.Thread(target=watch, args=(ctx,), kwargs={"stop": stop, "settle": 0.3, "now": NOW},
                         daemon=True)
    t.start()
    yield t
    stop.set()
    t.join(timeout=20)
    assert not t.is_alive()


def _slow_write(path: Path, data: bytes, cut: int, pause: float) -> None:
    """A copy that stalls part way: the first ``cut`` bytes, a pause, the rest."""
    with open(path, "wb") as fh:
        fh.write(data[:cut])
        fh.flush()
        time.sleep(pause)
        fh.write(data[cut:])


def test_csv_written_in_two_halves_is_taken_whole(ctx, home, watching):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(REPAIR_HEADERS)
    for row in repair_rows(400):
        w.writerow(["" if v is None else v for v in row])
    data = buf.getvalue().encode("utf-8")
    cut = len(data) // 2 + 7  # in the middle of a line
    assert data[cut - 1:cut + 1] != b"\r\n"
    _slow_write(home / "inbox" / "报修.csv", data, cut, pause=1.5)
    assert _wait(lambda: ctx.ledger.file_counts() == {"accepted": 1})
    assert ctx.ledger.registers_seen() == {"repair": 400}


def test_xls_written_in_two_halves_is_taken_whole(ctx, home, watching):
    data = (CORPUS / "wild" / "libreoffice" / "报修登记表.xls").read_bytes()
    whole = read_workbook(CORPUS / "wild" / "libreoffice" / "报修登记表.xls")
    _slow_write(home / "inbox" / "报修.xls", data, len(data) // 2, pause=1.5)
    assert _wait(lambda: sum(ctx.ledger.file_counts().values()) == 1
                 and "processing" not in ctx.ledger.file_counts())
    (f,) = ctx.ledger.files()
    assert f["status"] != "rejected", f["summary"]["message"]
    data_rows = sum(len(s.rows) - 1 for s in whole.sheets if s.rows)
    assert f["summary"]["rows"]["total"] == data_rows


def test_format_checks_see_a_cut_copy():
    xls = (CORPUS / "wild" / "libreoffice" / "报修登记表.xls").read_bytes()
    for name, data in (("a.xls", xls), ("b.csv", "单号,房号\r\nBX1,1-101\r\n".encode())):
        p = Path(os.environ.get("TMPDIR", "/tmp")) / f"toolkit-test-{os.getpid()}-{name}"
        try:
            p.write_bytes(data)
            assert looks_complete(p)
            for cut in (len(data) // 3, len(data) - 3):
                p.write_bytes(data[:cut])
                assert not looks_complete(p), (name, cut)
        finally:
            p.unlink(missing_ok=True)


class SavesAgain:
    """A clerk saving a newer version while the first is being processed (the hook runs
    between reading the file and committing it)."""

    def __init__(self, path: Path, newer: Path):
        self.path, self.newer, self.done = path, newer, False

    def evaluate(self, ctx, result, records, now):
        if not self.done:
            tmp = self.path.with_name(".~save.tmp")
            shutil.copyfile(self.newer, tmp)
            os.replace(tmp, self.path)
            self.done = True

    def commit(self, ctx, conn, result, extra, now):
        return None

    def after_commit(self, ctx, result, extra, now):
        return None

    def warnings(self, ctx):
        return []


def test_a_newer_save_during_processing_is_kept_and_processed_next(ctx, home, tmp_path):
    first = [REPAIR_HEADERS, *repair_rows(50)]
    second = [REPAIR_HEADERS, *repair_rows(60)]  # 10 new rows …
    for row in second[1:21]:
        row[5] = "卫生间漏水"  # … and 20 changed
    target = write_xlsx(home / "inbox" / "报修登记表.xlsx", {"s": first})
    newer = write_xlsx(tmp_path / "v2.xlsx", {"s": second})
    ctx.hooks.append(SavesAgain(target, newer))
    r1 = process_paths(ctx, [target], NOW).files[0]
    assert r1.status == "accepted"
    assert target.exists(), "the newer save was deleted unprocessed"
    assert target.read_bytes() == newer.read_bytes()
    r2 = process_paths(ctx, [target], NOW).files[0]
    assert r2.changes["repair"]["new"] == [f"BX{i:04d}" for i in range(51, 61)]
    assert len(r2.changes["repair"]["changed"]) == 20
    assert not target.exists()
    assert not list((home / "var" / "work").iterdir())


def test_a_lasting_failure_backs_off_and_is_set_aside(ctx, home, monkeypatch, caplog):
    monkeypatch.setenv("TOOLKIT_RETRY_BASE", "0.05")
    monkeypatch.setenv("TOOLKIT_RETRY_CAP", "0.2")
    shutil.rmtree(home / "var" / "archive")
    (home / "var" / "archive").write_text("not a folder")  # the archive cannot be written
    stop = threading.Event()
    caplog.set_level(logging.INFO, logger="toolkit")
    # No sweep within the test: touching the file set aside must be seen as an event.
    t = threading.Thread(target=watch, args=(ctx,),
                         kwargs={"stop": stop, "settle": 0.2, "now": NOW, "sweep_every": 600.0}, daemon=True)
    t.start()
    try:
        src = write_xlsx(home / "inbox" / "报修.xlsx", {"s": [REPAIR_HEADERS, *repair_rows(3)]})
        assert _wait(lambda: any(r["set_aside"] for r in workspace_status(ctx.ws, ctx.ledger)["set_aside"]))
        # The state file is saved first; the log line and the run row of the setting
        # aside follow it in the watcher's thread (a busy machine can take a while).
        assert _wait(lambda: any(r.getMessage().startswith("搁置") for r in caplog.records)
                     and sum(r["status"] == "failed" for r in ctx.ledger.runs()) == 2)
        # Set aside: no more tries. Not set aside, the next try would come within the cap
        # (0.2 s), so 1 s would hold several.
        time.sleep(1.0)
        tries = [r for r in caplog.records if r.getMessage().startswith("处理失败")]
        aside = [r for r in caplog.records if r.getMessage().startswith("搁置")]
        # 0.05 + 0.1 + 0.2 + 0.2 + 0.2 s of back-off (doubling from 0.05, capped at 0.2):
        # 6 tries, then set aside
        assert len(tries) == 5 and len(aside) == 1, [r.getMessage() for r in caplog.records]
        assert sum(1 for r in caplog.records if r.exc_info) == 1, "one traceback, on the first try"
        failed_runs = [r for r in ctx.ledger.runs() if r["status"] == "failed"]
        assert len(failed_runs) == 2  # the first try and the setting aside
        (entry,) = workspace_status(ctx.ws, ctx.ledger)["set_aside"]
        assert entry["attempts"] == 6 and "archive" in entry["reason"]
        # the cause removed and the file touched (its mtime only): it is taken at once
        (home / "var" / "archive").unlink()
        src.touch()
        assert _wait(lambda: ctx.ledger.file_counts() == {"accepted": 1})
        assert _wait(lambda: workspace_status(ctx.ws, ctx.ledger)["set_aside"] == [])
    finally:
        stop.set()
        t.join(timeout=20)


def test_a_hostile_name_is_processed_and_its_outputs_are_named_safely(ctx, home):
    name = "..\\..\\..%2Fetc%2F报修登记表（副本）$(id);.xlsx"
    rows = [REPAIR_HEADERS, *repair_rows(3)]
    rows[1][3] = "12345"  # a bad cell: a return copy is written
    path = write_xlsx(home / "inbox" / name, {"s": rows})
    assert inbox_files(home / "inbox") == [path]
    result = process_paths(ctx, [home / "inbox"], NOW).files[0]
    assert result.status == "partial"
    (copy,) = result.outputs
    assert Path(copy).parent == ctx.ws.returns.resolve() or Path(copy).parent == ctx.ws.returns
    assert "/" not in Path(copy).name and "\\" not in Path(copy).name
    assert not path.exists()
    archived = ctx.ledger.files()[0]["archive_path"]
    assert Path(archived).resolve().is_relative_to((home / "var" / "archive").resolve())


def test_an_unreadable_file_leaves_a_note_and_status_names_it(ctx, home):
    bad = home / "inbox" / "坏的.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    result = process_paths(ctx, [bad], NOW).files[0]
    assert result.status == "rejected"
    (note,) = ctx.ws.returns.glob("*.txt")
    text = note.read_text(encoding="utf-8-sig")
    assert "坏的.xlsx" in text and result.message in text and "inbox" in text
    (entry,) = workspace_status(ctx.ws, ctx.ledger)["rejected"]
    assert entry["name"] == "坏的.xlsx" and entry["reason"] == result.message


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_an_output_waiting_for_a_try_is_not_held_back_by_a_clock_set_back(ctx, home):
    """The next try of a failed output is a wall-clock moment; the clock set back a day
    finds it a day away. No back-off is longer than the cap, so it is due now."""
    import time as wall

    returns = ctx.ws.returns
    shutil.rmtree(returns, ignore_errors=True)
    returns.parent.mkdir(parents=True, exist_ok=True)
    returns.write_text("not a folder")  # the note cannot be written
    bad = home / "inbox" / "坏的.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    assert process_paths(ctx, [bad], NOW).files[0].status == "rejected"
    (waiting,) = outbox.pending(ctx.ledger)
    assert waiting["attempts"] == 1 and 0 < waiting["next_try_in_s"] <= outbox.retry_cap()
    with ctx.ledger.transaction() as conn:  # as it reads after the clock was set back a day
        conn.execute(outbox.outbox.update().values(next_at=outbox.outbox.c.next_at + 86400))
    returns.unlink()  # the cause is gone
    assert outbox.next_due(ctx.ledger) <= wall.time()
    assert [w["next_try_in_s"] for w in outbox.pending(ctx.ledger)] == [0]
    written = outbox.drain(ctx.ws, ctx.ledger)
    assert [Path(p).parent for paths in written.values() for p in paths] == [returns]
    assert outbox.counts(ctx.ledger) == {"done": 1}
    # One scheduled within the cap still waits for its moment.
    with ctx.ledger.transaction() as conn:
        conn.execute(outbox.outbox.update().values(status=outbox.PENDING, next_at=wall.time() + 60))
    assert outbox.drain(ctx.ws, ctx.ledger) == {}
    assert outbox.next_due(ctx.ledger) > wall.time()


FEE_HEADERS = ["房号", "业主", "联系电话", "建筑面积", "单价", "已缴至", "欠费金额"]


def test_files_dropped_together_spend_no_number_on_a_notice_already_void(ctx, home, tmp_path):
    """The first file shows arrears, the second (same batch) the payment: no notice, and
    no number taken; the intent ends void with its reason."""
    owed = [FEE_HEADERS, ["3-1-502", "王秀英", "13812345678", "89.5", "2.35", date(2026, 9, 30), "420.65"]]
    paid = [FEE_HEADERS, ["3-1-502", "王秀英", "13812345678", "89.5", "2.35", date(2026, 12, 31), None]]
    a = write_xlsx(tmp_path / "a" / "1.xlsx", {"物业费": owed})
    write_xlsx(tmp_path / "a" / "2.xlsx", {"物业费": paid})
    summary = process_paths(ctx, [a.parent], NOW)
    assert [f.status for f in summary.files] == ["accepted", "accepted"]
    assert document_rows(ctx.ledger) == []
    assert not list(ctx.ws.drafts.glob("*.docx"))
    assert outbox.counts(ctx.ledger) == {"void": 1}


def test_a_number_left_unwritten_ends_written_or_void(ctx, home, tmp_path):
    """A number taken and never written (生成中) is written at the next start."""
    from toolkit.documents.tables import documents

    owed = [FEE_HEADERS, ["3-1-502", "王秀英", "13812345678", "89.5", "2.35", date(2026, 9, 30), "420.65"]]
    process_file(ctx, write_xlsx(tmp_path / "1.xlsx", {"物业费": owed}), NOW)
    (doc,) = document_rows(ctx.ledger)
    # as an earlier version left it after a crash: 生成中, no file, no intent
    (ctx.ws.drafts / doc["file_name"]).unlink()
    with ctx.ledger.transaction() as conn:
        conn.execute(documents.update().values(status="生成中", file_name=None))
        conn.execute(outbox.outbox.delete())
    from toolkit.pipeline import drain_outbox, open_context

    again = open_context(ctx.ws)
    try:
        drain_outbox(again)
        (doc2,) = document_rows(again.ledger)
        assert doc2["status"] == "草稿" and doc2["number"] == doc["number"]
        assert (ctx.ws.drafts / doc2["file_name"]).exists()
    finally:
        again.close()
