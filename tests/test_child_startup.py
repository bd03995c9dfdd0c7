"""The children the toolkit starts import only what they use: each return copy that keeps
the original's format starts one, so its start-up is paid per file."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import REPAIR_HEADERS, ROOT, repair_rows, write_xlsx


def test_annotating_child_does_not_import_the_packs():
    code = "import sys; from toolkit.annotate import child_main; print(sorted(m for m in sys.modules if m.startswith('toolkit.packs')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_action_title_reaches_the_issue_list_from_the_child(tmp_path):
    """An action finding's title comes from the packs, which the child never imports: the
    parent hands the titles and the reports that list them over, and the 问题清单 still
    names the problem and where it is listed."""
    import openpyxl

    from toolkit.annotate import write_annotated_copy
    from toolkit.model import CellError
    from toolkit.packs.acting import actions
    from toolkit.reading import read_workbook

    code, action = next(iter(sorted(actions().items())))
    src = write_xlsx(tmp_path / "报修.xlsx", {"报修登记": [["单号", "房号"], *[r[:2] for r in repair_rows(2)]]})
    err = CellError("报修登记", 2, "房号", "B2", code, "须处理的事项", "1-0201")
    dest = write_annotated_copy(src, read_workbook(src), [err], tmp_path / "out.xlsx", file_label="报修.xlsx")
    wb = openpyxl.load_workbook(dest)
    sheet = wb["报修登记"]
    assert sheet["B2"].comment is not None  # the original's own sheet, marked: the child did it
    issues = next(ws for ws in wb.worksheets if ws.title != "报修登记")
    texts = [c.value for row in issues.iter_rows() for c in row if isinstance(c.value, str)]
    assert action.title in texts
    # Where it is listed again (the pack's report) is handed over too.
    assert action.listed_in and any("须处理的事项" in t and f"已列入{action.listed_in}" in t for t in texts)


def test_new_ledger_is_stamped_as_alembic_stamps_it_without_loading_alembic(tmp_path):
    """A new workspace's ledger is created and stamped without importing Alembic (most of
    a first process's start-up); the stamp is the one Alembic itself writes, so Alembic
    upgrades the ledger later as any other."""
    code = ("import sys; from toolkit.ledger import Ledger; "
            f"Ledger('sqlite:///{tmp_path / 'ours.db'}').close(); "
            "print(sorted(m for m in sys.modules if m.startswith('alembic')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"

    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine, text

    from toolkit.schema import HEAD, _config, head

    theirs = create_engine(f"sqlite:///{tmp_path / 'theirs.db'}")
    with theirs.begin() as conn:
        MigrationContext.configure(conn).stamp(ScriptDirectory.from_config(_config()), "head")
    ours = create_engine(f"sqlite:///{tmp_path / 'ours.db'}")

    def stamp(engine) -> tuple:
        with engine.connect() as conn:
            ddl = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'alembic_version'")).scalar()
            version = conn.execute(text("SELECT version_num FROM alembic_version")).all()
            return " ".join(ddl.split()), version

    assert stamp(ours) == stamp(theirs)
    with ours.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == HEAD == head()
    ours.dispose()
    theirs.dispose()


def test_importing_the_benchmark_leaves_the_environment_alone():
    """tests/test_report_window.py imports the benchmark for its ledger: PDFs switched off
    on import stayed off for every later test of that worker (the PDF tests then failed)."""
    code = ("import os, sys; sys.path.insert(0, 'scripts'); before = dict(os.environ); "
            "import bench_incremental; print(dict(os.environ) == before)")
    env = {k: v for k, v in os.environ.items() if k != "TOOLKIT_PDF"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    assert out.stdout.strip() == "True"


def test_processing_a_clean_file_does_not_load_the_document_renderer(tmp_path):
    """A file with nothing to issue and nothing to mark never needs docxtpl, Jinja or the
    return-copy writer: they are imported when a document or a copy is written (their
    import was a tenth of every small file's processor time)."""
    home = tmp_path / "ws"
    subprocess.run([sys.executable, "-m", "toolkit", "init", str(home)], check=True, cwd=ROOT,
                   capture_output=True)
    src = write_xlsx(tmp_path / "报修.xlsx", {"报修登记": [REPAIR_HEADERS, *repair_rows(2)]})
    code = ("import sys, runpy; sys.argv = ['toolkit', 'process', sys.argv[1], '--home', sys.argv[2], "
            "'--now', '2026-11-24T09:00']\n"
            "try:\n    runpy.run_module('toolkit', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in ('docxtpl', 'jinja2', 'toolkit.annotate', 'toolkit.documents.render') "
            "if m in sys.modules), file=sys.stderr)")
    env = {**os.environ, "TOOLKIT_PDF": "off"}
    env.pop("TOOLKIT_DATABASE_URL", None)
    out = subprocess.run([sys.executable, "-c", code, str(src), str(home)], capture_output=True, text=True,
                         cwd=ROOT, env=env)
    assert out.stderr.strip().splitlines()[-1] == "[]", out.stderr


def test_column_letters_are_openpyxl_s():
    from openpyxl.utils import get_column_letter

    from toolkit.cellref import column_letter

    assert [column_letter(i) for i in (1, 26, 27, 52, 53, 702, 703, 18278)] == \
        ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "ZZZ"]
    assert all(column_letter(i) == get_column_letter(i) for i in range(1, 18279))
    for bad in (0, 18279):
        with pytest.raises(ValueError):
            column_letter(bad)
