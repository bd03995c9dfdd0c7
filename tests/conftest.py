"""Shared fixtures: a real workspace in a temp folder and real register workbooks.

The suite runs in parallel (pytest-xdist, ``-n auto`` in pyproject.toml; ``-n0`` runs it
in one process). Writing a test that fits:

* Everything a test writes goes under its ``tmp_path`` (or ``tmp_path_factory``): each
  worker has its own base folder. Set environment variables with ``monkeypatch``.
* Expensive set-up that tests only read (a built ledger, a filled workspace) goes in a
  ``scope="module"`` fixture. The tests of a module that defines one run on one worker
  (the scheduler below), so the fixture is built once, not once per worker.
* PostgreSQL: use the ``database``/``home``/``ctx``/``db_url`` fixtures, or
  ``make_pg_database()``; each test gets its own database, copied from a template that
  is migrated once per worker.
* LibreOffice from a test: start it with the ``soffice`` fixture (a profile of the
  worker's own; two LibreOffice instances on one profile hand work to each other).
* Many short toolkit processes: ``tests/preloaded.py`` forks them from a process that
  has imported the toolkit once (still real processes with their own limits).
* A test that takes more than a few seconds: add its module (or node id) to ``SLOW`` so
  it starts first instead of finishing last.
* PDFs: the suite runs with ``TOOLKIT_PDF=off`` (Word files only, the product's own
  switch), so that a test that never looks at a PDF does not start LibreOffice once per
  document (2–3 s each) in the background. A test that makes or checks PDFs, or what is
  said when LibreOffice is missing, is marked ``@pytest.mark.pdfs``: it runs with the
  switch as staff have it (on), and so do the toolkit processes it starts.
"""

from __future__ import annotations

import compileall
import functools
import gc
import importlib
import inspect
import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
# ../shared/corpus beside the repository, or beside the folder of worktrees.
CORPUS = next((p / "shared" / "corpus" for p in ROOT.parents if (p / "shared" / "corpus").is_dir()),
              ROOT.parent / "shared" / "corpus")

# Started first, longest first: a long test that starts last makes the whole run wait.
SLOW = [
    "tests/test_corpus_process.py",
    "tests/test_sites_concurrency.py::test_two_sites_four_watchers_killed_and_restarted",
    "tests/test_sites_concurrency.py",
    "tests/test_watch.py::test_sigkill_at_any_moment_then_restart_finishes_each_file_exactly_once",
    "tests/test_annotate.py::test_data_copy_memory_does_not_grow_with_the_workbook",
    "tests/test_durable.py",
    "tests/test_car_workspace.py",
    "tests/test_documents_pdf.py",
    "tests/test_car_documents.py::test_the_order_with_six_extra_items_prints_on_one_a4_page",
    "tests/test_reports.py",
    "tests/test_ledger.py::test_100k_records_in_one_call",
    "tests/test_ledger.py::test_processes_opening_a_new_ledger_at_once_all_succeed",
    "tests/test_report_window.py",
    "tests/test_validate_columns.py",
    "tests/test_incremental.py",
    "tests/test_ledger.py::test_a_small_file_costs_the_same_in_a_big_ledger",
    "tests/test_ledger.py::test_a_big_register_saved_again_at_once_is_looked_up_by_key_on_postgresql",
    "tests/test_watch.py",
    "tests/test_documents_truth.py",
    "tests/test_intake.py",
    "tests/test_annotate.py",
    "tests/test_rules_state.py",
    "tests/test_dealer_pipeline.py",
    "tests/test_reports_word.py",
    "tests/test_returns_actions.py",
    "tests/test_packs.py",
    "tests/test_sites.py",
    "tests/test_child_startup.py",
]


@pytest.fixture(scope="session", autouse=True)
def _word_files_only() -> Iterator[None]:
    """PDFs off for the whole run (module fixtures included); ``pdfs`` tests turn them on."""
    before = os.environ.get("TOOLKIT_PDF")
    os.environ["TOOLKIT_PDF"] = "off"
    yield
    if before is None:
        os.environ.pop("TOOLKIT_PDF", None)
    else:
        os.environ["TOOLKIT_PDF"] = before


@pytest.fixture(autouse=True)
def _pdfs_when_marked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("pdfs"):
        monkeypatch.delenv("TOOLKIT_PDF", raising=False)


def _slow_rank(nodeid: str) -> int:
    return next((i for i, prefix in enumerate(SLOW) if nodeid.startswith(prefix)), len(SLOW))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "pdfs: makes or checks PDFs (LibreOffice): PDFs left on")
    config.addinivalue_line("markers", "sqlite_only: makes SQLite ledgers of its own: not repeated on PostgreSQL")
    config.addinivalue_line("markers", "postgresql_only: a server's behaviour (connections cut, refused): "
                                       "run on PostgreSQL alone")
    if not hasattr(config, "workerinput"):  # once, in the controlling process
        # Compiled once here, so that the suite's hundreds of toolkit processes do not each
        # compile the package again (PYTHONDONTWRITEBYTECODE keeps Python from saving it).
        compileall.compile_dir(ROOT / "toolkit", quiet=1)
        _temp_folders_in_memory()


def _temp_folders_in_memory() -> None:
    """Test folders (and the temp files of the processes the tests start) in /dev/shm.

    The suite writes some 20,000 files and thousands of SQLite commits, each waiting for
    the disk, which the machine shares with other runs: in memory the run took 9% less
    time. Still real files on a real file system; at most ~150 MB at once. An explicit
    TMPDIR (or --basetemp) is left as it is. Workers and the processes they start
    inherit the variable.
    """
    shm = Path("/dev/shm")
    if os.environ.get("TMPDIR") or not (shm.is_dir() and os.access(shm, os.W_OK)):
        return
    folder = shm / "toolkit-tests"
    try:
        folder.mkdir(exist_ok=True)
        folder.chmod(0o1777)  # like /tmp: shared by everyone's runs on this machine
    except OSError:
        return
    os.environ["TMPDIR"] = str(folder)
    tempfile.tempdir = None  # gettempdir() looks again


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: _slow_rank(item.nodeid))  # stable: the rest keep their order


def pytest_collection_finish(session: pytest.Session) -> None:
    """Move the modules that stay for the whole run out of the cyclic collector's sight.

    The toolkit runs a full collection after every file of a batch (it pauses the
    collector for the run); in a test process that has imported the toolkit and its
    libraries each pass walked all their objects again: 0.05-0.1 s a file, a quarter of
    the processor time of a test that processes a folder. Frozen, they are skipped; what
    the tests make is collected as before. A worker of a parallel run imports what a
    toolkit run imports first (it will, over its hundreds of tests), so that is frozen too.
    """
    if hasattr(session.config, "workerinput"):
        from preloaded import TOOLKIT_MODULES

        for name in TOOLKIT_MODULES:
            try:
                importlib.import_module(name)
            except ImportError:  # renamed since the list was written: the tests say so
                pass
    gc.collect()
    gc.freeze()


def pytest_runtest_logfinish(nodeid: str, location: tuple) -> None:
    """Each test's leftovers (caches it filled, pytest's report) collected and frozen too.

    The toolkit's collection after each file of a batch walks every object not frozen: in
    a worker, what some hundreds of tests before it left alive, 0.1 s and more a pass late
    in the run. A full pass here walks only what the last test left, and freezing it keeps
    the next passes as short. Cycles freed later (a module fixture's) stay until the worker
    exits: a few MB.
    """
    gc.collect()
    gc.freeze()


_SHARED_FIXTURE = re.compile(r"""scope\s*=\s*["'](module|class)["']""")


@functools.cache
def _shares_a_module_fixture(path: Path) -> bool:
    try:
        return bool(_SHARED_FIXTURE.search(path.read_text(encoding="utf-8")))
    except OSError:
        return False


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Tests one at a time to whichever worker is free, except that the tests of a module
    defining a module-scoped fixture go together to one worker (the fixture is built once).
    The order is the collection order above: slow tests first."""
    from xdist.scheduler import LoadScopeScheduling

    class OneWorkerPerSharedModule(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if _shares_a_module_fixture(config.rootpath / module) else nodeid

    return OneWorkerPerSharedModule(config, log)


@pytest.fixture(scope="session")
def soffice(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """``soffice --headless`` with a profile of this worker's own."""
    profile = tmp_path_factory.getbasetemp() / "lo-profile"
    return ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless"]


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


def mount(*args: str) -> bool:
    """``mount`` with these arguments; whether it worked (it needs root and mount rights)."""
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """``folder`` bind-mounted read-only over itself for the block, writable again after
    (a real read-only share); the test is skipped where mounting is not allowed."""
    if not (mount("--bind", str(folder), str(folder)) and mount("-o", "remount,bind,ro", str(folder))):
        subprocess.run(["umount", str(folder)], capture_output=True)
        pytest.skip("cannot bind-mount read-only here (needs root and mount rights)")
    try:
        yield
    finally:
        assert mount("-o", "remount,bind,rw", str(folder))
        subprocess.run(["umount", str(folder)], check=True)


def wait_until(cond, timeout: float = 30.0, step: float = 0.05) -> bool:
    """Poll ``cond`` until it holds (True) or ``timeout`` seconds pass (False): for what a
    watcher thread or a child process does in its own time."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(step)
    return False


# --- both databases ---------------------------------------------------------------------
# The ledger, pipeline, documents and schedule tests run on SQLite and on a real
# PostgreSQL server (.ci/run starts one and sets TOOLKIT_TEST_PG_URL to a role that may
# create databases). Each PostgreSQL test gets a database of its own, made for it and
# upgraded with the migrations, then dropped.
PG_URL = os.environ.get("TOOLKIT_TEST_PG_URL")
BOTH_DATABASES = {"test_ledger", "test_pipeline", "test_pipeline_documents", "test_documents_issue",
                  "test_schedule", "test_schedule_sweep", "test_schedule_workdays", "test_sites", "test_schema",
                  "test_car_workspace",
                  "test_dealer_pipeline", "test_key_corrections", "test_property_desk", "test_property_notices",
                  "test_property_weekly", "test_voids", "test_revert", "test_readahead", "test_car_qa_round9"}


def _may_use_the_ledger_setting(metafunc: pytest.Metafunc) -> bool:
    """Whether the test can reach the ledger the ``database`` fixture sets up.

    A workspace, and so a ledger, needs a folder: a test that asks for none (directly or
    through its fixtures) checks rules or figures in memory, and would only repeat itself
    on PostgreSQL. Nor does one marked ``sqlite_only``, which makes SQLite files of its own.
    """
    if metafunc.definition.get_closest_marker("sqlite_only"):
        return False
    # The fixtures the test asks for and theirs (the autouse ``database`` itself left out).
    wanted, todo = set(), list(inspect.signature(metafunc.function).parameters)
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            todo += [arg for fixture in metafunc._arg2fixturedefs.get(name, ()) for arg in fixture.argnames]
    return bool(wanted & {"tmp_path", "tmp_path_factory", "database"})


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("postgresql_only"):
        metafunc.parametrize("database", ["postgresql"], indirect=True)
        return
    if (metafunc.module.__name__.rsplit(".", 1)[-1] in BOTH_DATABASES
            and _may_use_the_ledger_setting(metafunc)):
        metafunc.parametrize("database", ["sqlite", "postgresql"], indirect=True)


def pg_admin_url() -> str:
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("TOOLKIT_TEST_PG_URL is not set: .ci/run starts PostgreSQL and sets it")
        pytest.skip("no PostgreSQL server (start one: eval \"$(bash .ci/pg-start)\")")
    return PG_URL


_TEMPLATE: list[str] = []  # this process's migrated template database, made on first use


def _pg_template(admin) -> str:
    """A database migrated once per test process; each test's database is a copy of it.

    ``CREATE DATABASE … TEMPLATE`` copies the files of a migrated database in a few
    milliseconds, where running the migrations takes about a second. Each xdist worker
    has a template of its own (a template must have no other connection while copied).
    """
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    if not _TEMPLATE:
        name = f"tmpl_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(pg_admin_url()).set(database=name).render_as_string(hide_password=False)
        from toolkit.ledger import Ledger
        from toolkit.schema import upgrade as run_upgrade

        led = Ledger(url, check_schema=False)
        run_upgrade(led)
        led.close()
        led.engine.dispose()
        _TEMPLATE.append(name)
    return _TEMPLATE[0]


_ADMIN: list[Any] = []  # this process's engine on the server's admin database, made on first use


def _pg_admin():
    """One engine (and so one pooled connection) per test process for creating and dropping
    the tests' databases: a new connection for each test is a new server process, ~40 ms."""
    from sqlalchemy import create_engine

    if not _ADMIN:
        _ADMIN.append(create_engine(pg_admin_url(), isolation_level="AUTOCOMMIT"))
    return _ADMIN[0]


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _TEMPLATE:
        from sqlalchemy import text

        with _pg_admin().connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{_TEMPLATE.pop()}" WITH (FORCE)'))
    if _ADMIN:
        _ADMIN.pop().dispose()


def make_pg_database(upgrade: bool = True) -> tuple[str, callable]:
    """A fresh PostgreSQL database (migrated when ``upgrade``); (url, drop)."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    admin = _pg_admin()
    name = f"t_{uuid.uuid4().hex[:12]}"
    template = f' TEMPLATE "{_pg_template(admin)}"' if upgrade else ""
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{template}'))
    url = make_url(pg_admin_url()).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return url, drop


@pytest.fixture(autouse=True)
def database(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
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
