"""`toolkit process` reads its first .xlsx while the workspace opens (toolkit.readahead):
what is read ahead is used only for the very bytes the pipeline claimed, and reads as
the archived copy would."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPAIR_HEADERS, repair_rows, write_xlsx

from toolkit import readahead
from toolkit.cli import main
from toolkit.model import UnreadableFile
from toolkit.pipeline import file_sha256, open_context, process_paths
from toolkit.reading import read_workbook
from toolkit.safety import sniff_format
from toolkit.workspace import Workspace

NOW = datetime(2026, 11, 24, 9, 0)


def _register(path: Path, rows: list[list]) -> Path:
    return write_xlsx(path, {"报修登记": [REPAIR_HEADERS, *rows]})


def test_what_is_read_ahead_reads_as_the_archived_copy(tmp_path: Path):
    src = _register(tmp_path / "报修登记.xlsx", repair_rows(3))
    copy = tmp_path / "archive" / "0123456789abcdef-报修登记.xlsx"
    copy.parent.mkdir()
    copy.write_bytes(src.read_bytes())
    readahead.start([src])
    got = readahead.take(file_sha256(src), copy)
    assert got is not None
    assert got == read_workbook(copy)  # the same sheets, notes and format, and the copy's path
    assert got.path == str(copy)
    assert readahead.take(file_sha256(src), copy) is None  # taken once


def test_other_bytes_or_another_extension_are_read_from_the_copy(tmp_path: Path):
    src = _register(tmp_path / "报修登记.xlsx", repair_rows(3))
    sha = file_sha256(src)
    readahead.start([src])
    assert readahead.take("0" * 64, src) is None  # not the bytes claimed
    # The same bytes under another extension read with a note on it: not taken either.
    assert readahead.take(sha, tmp_path / "报修登记.bin") is None
    readahead.finish()
    assert readahead.take(sha, src) is None  # let go


def test_a_workbook_changed_after_the_read_began_is_processed_as_saved(home: Path):
    """Staff save the workbook again between the start of the command and its claim:
    the pipeline hashes the new bytes, and the rows it stores are the new ones."""
    src = _register(home / "inbox" / "报修登记.xlsx", repair_rows(3))
    readahead.start([src])
    readahead.finish()  # the first save's read is done and waiting
    _register(src, repair_rows(5))
    ctx = open_context(Workspace(home))
    try:
        summary = process_paths(ctx, [src], NOW)
    finally:
        ctx.close()
    f = summary.files[0]
    assert (f.status, f.rows.total, f.rows.valid) == ("accepted", 5, 5)


def test_the_command_reads_ahead_and_stores_the_same_as_without(home: Path, tmp_path: Path):
    src = _register(tmp_path / "报修登记.xlsx", repair_rows(4))
    res = CliRunner().invoke(main, ["process", str(src), "--home", str(home), "--now", "2026-11-24T09:00", "--json"])
    assert res.exit_code == 0, res.output
    got = json.loads(res.output)
    f = got["files"][0]
    assert (f["status"], f["rows"]["total"], f["rows"]["valid"]) == ("accepted", 4, 4)
    assert readahead._pending == []
    # The same bytes again: a duplicate, and the read begun for them is let go.
    res = CliRunner().invoke(main, ["process", str(src), "--home", str(home), "--now", "2026-11-24T09:05", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["files"][0]["status"] == "duplicate"
    assert readahead._pending == []


def test_an_unreadable_workbook_read_ahead_is_refused_with_its_reason(home: Path, tmp_path: Path):
    """A workbook whose sheet is broken XML is refused with the reason the archived
    copy's read gives, whether or not it was read ahead."""
    good = _register(tmp_path / "good.xlsx", repair_rows(2))
    bad = tmp_path / "报修登记.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]  # the sheet's XML cut in the middle
            zout.writestr(item, data)
    assert sniff_format(bad) == "xlsx"  # so it is read ahead
    with pytest.raises(UnreadableFile) as refused:
        read_workbook(bad)
    readahead.start([bad])
    with pytest.raises(UnreadableFile) as ahead:
        readahead.take(file_sha256(bad), bad)
    assert ahead.value.message == refused.value.message
    res = CliRunner().invoke(main, ["process", str(bad), "--home", str(home), "--now", "2026-11-24T09:00", "--json"])
    assert res.exit_code == 0, res.output
    f = json.loads(res.output)["files"][0]
    assert (f["status"], f["message"]) == ("rejected", refused.value.message)


def test_a_read_no_file_took_is_let_go_before_the_next_file(home: Path, tmp_path: Path):
    """The first file is a duplicate: what was read ahead for it is not kept while the
    next files are processed, and the command still ends with nothing waiting."""
    first = _register(tmp_path / "报修登记.xlsx", repair_rows(3))
    ctx = open_context(Workspace(home))
    try:
        process_paths(ctx, [first], NOW)
        readahead.start([first])
        second = _register(tmp_path / "报修登记-2.xlsx", repair_rows(2, start=10))
        summary = process_paths(ctx, [first, second], NOW)
    finally:
        ctx.close()
    assert [f.status for f in summary.files] == ["duplicate", "accepted"]
    assert readahead._pending == []
    assert all(a.got is None for a in readahead._left)
    readahead.finish()
    assert readahead._left == []
