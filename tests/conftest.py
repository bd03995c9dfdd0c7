"""Shared fixtures: a real workspace in a temp folder and real register workbooks."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
# ../shared/corpus beside the repository, or beside the folder of worktrees.
CORPUS = next((p / "shared" / "corpus" for p in ROOT.parents if (p / "shared" / "corpus").is_dir()),
              ROOT.parent / "shared" / "corpus")

REPAIR_HEADERS = ["单号", "房号", "报修人", "联系电话", "报修时间", "维修内容", "紧急程度",
                  "预约时间", "接报人", "完成时间", "是否有偿", "材料费", "人工费", "回访时间", "回访结果"]


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]], merge: list[str] | None = None) -> Path:
    """A real .xlsx written by openpyxl: {sheet name: rows}."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for rng in merge or []:
            ws.merge_cells(rng)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def repair_rows(n: int = 3, start: int = 1) -> list[list[Any]]:
    rows = []
    for i in range(start, start + n):
        rows.append([f"BX{i:04d}", f"1-{i % 30 + 1:02d}01", "张先生", "13812345678",
                     datetime(2026, 11, 23, 9, i % 60), "厨房水龙头漏水", "一般", None, "李四",
                     datetime(2026, 11, 23, 15, 0), "否", None, None, None, None])
    return rows


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    """A workspace with the shipped rules and templates, empty inbox/outbox."""
    h = tmp_path / "ws"
    for name in ("rules", "templates"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, h / name)
    (h / "inbox").mkdir(parents=True)
    (h / "outbox").mkdir()
    yield h


@pytest.fixture
def ctx(home: Path):
    from toolkit.pipeline import open_context
    from toolkit.workspace import Workspace

    c = open_context(Workspace(home))
    yield c
    c.close()


# PDF checks need LibreOffice and poppler. .ci/run installs them, so under CI their
# absence is a failure; on a developer machine without them those tests say why they skip.
HAVE_OFFICE = all(shutil.which(x) for x in ("soffice", "pdftoppm", "pdfinfo"))
needs_office = pytest.mark.skipif(
    not HAVE_OFFICE and not os.environ.get("CI"),
    reason="LibreOffice (soffice) and poppler-utils are not installed; .ci/run installs them",
)
