"""A report without a Word summary is made without loading the Word writer: the 08:30
to-do list (待办与逾期日报) is a workbook only, and the process making it does not pay
for docxtpl and python-docx; the weekly report still writes its summary."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from conftest import REPAIR_HEADERS, ROOT, repair_rows, write_xlsx

from toolkit.pipeline import process_paths

CHILD = """
import sys
from datetime import datetime
from pathlib import Path

from toolkit.pipeline import open_context
from toolkit.reports import produce
from toolkit.workspace import Workspace

ctx = open_context(Workspace(Path(sys.argv[1])))
daily = produce(ctx, "daily_due", datetime(2026, 11, 25, 8, 30))
print(sorted(Path(p).suffix for p in daily.outputs), daily.headline[0][1])
print(sorted(m for m in sys.modules if m == "toolkit.reports.word" or m.split(".")[0] in ("docxtpl", "docx")))
weekly = produce(ctx, "weekly", datetime(2026, 11, 27, 17, 0))
print(sorted(Path(p).suffix for p in weekly.outputs))
ctx.close()
"""


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_daily_list_does_not_load_the_word_writer(ctx, home: Path, tmp_path: Path):
    rows = repair_rows(3)
    for row in rows:  # reported on Monday, not done: overdue by Wednesday morning
        row[4], row[9] = datetime(2026, 11, 23, 9, 0), None
    path = write_xlsx(tmp_path / "报修.xlsx", {"报修登记": [REPAIR_HEADERS, *rows]})
    summary = process_paths(ctx, [path], datetime(2026, 11, 23, 18, 0))
    assert summary.files[0].status == "accepted", summary.files[0].errors
    out = subprocess.run([sys.executable, "-c", CHILD, str(home)], capture_output=True, text=True, cwd=ROOT,
                         check=True, timeout=300).stdout.splitlines()
    assert out[0] == "['.xlsx'] 3"  # the list itself, with the three overdue repairs
    assert out[1] == "[]"  # neither the Word writer nor the libraries under it
    assert out[2] == "['.docx', '.xlsx']"  # the weekly report still has its summary

