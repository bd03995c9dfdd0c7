"""Shared fixtures: a real workspace in a temp folder and real register workbooks."""

from __future__ import annotations

import os
import shutil
import uuid
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


# --- both databases ---------------------------------------------------------------------
# The ledger, pipeline, documents and schedule tests run on SQLite and on a real
# PostgreSQL server (.ci/run starts one and sets TOOLKIT_TEST_PG_URL to a role that may
# create databases). Each PostgreSQL test gets a database of its own, made for it and
# upgraded with the migrations, then dropped.
PG_URL = os.environ.get("TOOLKIT_TEST_PG_URL")
BOTH_DATABASES = {"test_ledger", "test_pipeline", "test_pipeline_documents", "test_documents_issue",
                  "test_schedule", "test_sites", "test_schema", "test_car_workspace", "test_dealer_pipeline"}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database" in metafunc.fixturenames and metafunc.module.__name__.rsplit(".", 1)[-1] in BOTH_DATABASES:
        metafunc.parametrize("database", ["sqlite", "postgresql"], indirect=True)


def pg_admin_url() -> str:
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("TOOLKIT_TEST_PG_URL is not set: .ci/run starts PostgreSQL and sets it")
        pytest.skip("no PostgreSQL server (start one: eval \"$(bash .ci/pg-start)\")")
    return PG_URL


def make_pg_database(upgrade: bool = True) -> tuple[str, callable]:
    """A fresh PostgreSQL database (migrated when ``upgrade``); (url, drop)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(pg_admin_url(), isolation_level="AUTOCOMMIT")
    name = f"t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_admin_url()).set(database=name).render_as_string(hide_password=False)
    if upgrade:
        from toolkit.ledger import Ledger
        from toolkit.schema import upgrade as run_upgrade

        led = Ledger(url, check_schema=False)
        run_upgrade(led)
        led.close()

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


@pytest.fixture(autouse=True)
def database(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The ledger URL the test's workspaces use: SQLite in the workspace, or a fresh PG database."""
    kind = getattr(request, "param", "sqlite")
    if kind == "sqlite":
        monkeypatch.delenv("TOOLKIT_DATABASE_URL", raising=False)
        yield "sqlite"
        return
    url, drop = make_pg_database()
    monkeypatch.setenv("TOOLKIT_DATABASE_URL", url)
    try:
        yield url
    finally:
        drop()


@pytest.fixture
def db_url(database: str, tmp_path: Path) -> str:
    """A ledger URL for tests that open a Ledger directly."""
    return f"sqlite:///{tmp_path / 'ledger.sqlite'}" if database == "sqlite" else database


@pytest.fixture
def home(tmp_path: Path, database: str) -> Iterator[Path]:
    """A workspace with the shipped rules and templates, empty inbox/outbox."""
    h = tmp_path / "ws"
    for name in ("rules", "templates"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, h / name)
    (h / "inbox").mkdir(parents=True)
    (h / "outbox").mkdir()
    if database != "sqlite":  # a shared database needs the workspace's site
        from toolkit.site import write_site

        write_site(h, "T1", "测试站点", "某某物业")
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
