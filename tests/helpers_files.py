"""Build small real input files for the reading tests, and read files in a guarded child."""

from __future__ import annotations

import atexit
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import CORPUS
from openpyxl import Workbook as OpenpyxlWorkbook
from preloaded import Preloaded

REPO = Path(__file__).resolve().parents[1]
__all__ = ["CORPUS", "REPO"]


def make_xlsx(path: Path, rows: dict[int, list[Any]], *, start_col: int = 1,
              merged: list[str] = (), title: str = "登记", formatted_rows: range = range(0)) -> Path:
    """An xlsx written by openpyxl with values placed at exact sheet rows."""
    from openpyxl.styles import Font

    wb = OpenpyxlWorkbook()
    ws = wb.active
    ws.title = title
    for row, values in rows.items():
        for offset, value in enumerate(values):
            if value is not None:
                ws.cell(row=row, column=start_col + offset, value=value)
    for ref in merged:
        ws.merge_cells(ref)
    bold = Font(bold=True)
    for row in formatted_rows:  # formatting only, no values
        ws.cell(row=row, column=1).font = bold
    wb.save(path)
    return path


def patch_member(path: Path, member: str, change: Callable[[bytes], bytes]) -> Path:
    """Rewrite one part of a zip package in place (to build edge cases openpyxl won't)."""
    with zipfile.ZipFile(path) as zf:
        items = [(info, zf.read(info.filename)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in items:
            zf.writestr(info.filename, change(data) if info.filename == member else data)
    return path


CHILD_CODE = r"""
import json, sys
from pathlib import Path
from toolkit.reading import read_workbook
from toolkit.model import UnreadableFile

def kind(v):
    return type(v).__name__

try:
    wb = read_workbook(Path(sys.argv[1]))
except UnreadableFile as exc:
    out = {"status": "refused", "code": exc.code, "message": exc.message}
except BaseException as exc:
    out = {"status": "error", "type": type(exc).__name__, "message": str(exc)[:300]}
else:
    out = {"status": "ok", "format": wb.format, "notes": wb.notes, "sheets": [
        {"name": s.name, "rows": [n for n, _ in s.rows],
         "width": max((len(v) for _, v in s.rows), default=0),
         "types": sorted({kind(x) for _, v in s.rows for x in v}),
         "first": [str(x) for x in s.rows[0][1]] if s.rows else [],
         "merged": s.merged[:50]}
        for s in wb.sheets]}
sys.stdout.write(json.dumps(out, ensure_ascii=False))
"""


_READER: list[Preloaded] = []  # this process's fork server for readers, made on first use


def read_in_child(path: Path, timeout: float = 20.0, memory: int = 1024 ** 3) -> dict[str, Any]:
    """read_workbook in a fresh process under RLIMIT_AS and a timeout; a summary as a dict.

    A crash, hang or memory blow-up becomes {"status": "crash"|"hang", ...} instead of
    taking the test run down with it. The process is forked from one that has imported
    the reader already (tests/preloaded.py).
    """
    if not _READER:
        _READER.append(Preloaded(["toolkit.reading", "toolkit.model"]))
        atexit.register(_READER[0].close)
    # A hang is ``timeout`` s of the child's own CPU time (wall time on a shared machine
    # measures the machine); a child that waits without working is stopped at 2.5 × that.
    done = _READER[0].run(CHILD_CODE, [str(path)], timeout=2.5 * timeout, cpu=int(timeout),
                          memory=memory, cwd=REPO)
    if done.timed_out:
        return {"status": "hang"}
    if done.returncode != 0 or not done.stdout:
        return {"status": "crash", "returncode": done.returncode, "stderr": done.stderr[-2000:]}
    return json.loads(done.stdout)
