"""Several sites on one database: each sees and changes only its own data."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from tests.conftest import ROOT

NOW = datetime(2026, 11, 27, 17, 5)
# In arrears since October: one 催缴通知书 (a 90-day account would add the manager's 欠费情况报告).
FEE = "房号,业主,联系电话,建筑面积,单价,已缴至,欠费金额\n1-1-101,{owner},13812345678,88.5,2.35,2026-09-30,\n"


def _site(tmp_path: Path, code: str, name: str, prefix: str) -> Path:
    from toolkit.site import write_site

    h = tmp_path / code
    for folder in ("rules", "templates"):
        shutil.copytree(ROOT / folder, h / folder)
    (h / "inbox").mkdir()
    write_site(h, code, name, prefix)
    return h


@pytest.fixture
def two_sites(tmp_path: Path, database: str, monkeypatch: pytest.MonkeyPatch):
    """Workspaces A and B on one database (a shared SQLite file, or the test's PG database)."""
    from toolkit.pipeline import open_context
    from toolkit.workspace import Workspace

    if database == "sqlite":
        monkeypatch.setenv("TOOLKIT_DATABASE_URL", f"sqlite:///{tmp_path / 'shared.sqlite'}")
    monkeypatch.setenv("TOOLKIT_PDF", "off")
    a = open_context(Workspace(_site(tmp_path, "A", "某某物业A区服务中心", "某某物业A区")))
    b = open_context(Workspace(_site(tmp_path, "B", "某某物业B区服务中心", "某某物业B区")))
    yield a, b
    a.close()
    b.close()


def _drop(ctx, name: str, body: str) -> Path:
    p = ctx.ws.inbox / name
    p.write_text(body, encoding="utf-8")
    return p


def test_same_bytes_at_two_sites_are_two_files_with_their_own_records_and_numbers(two_sites):
    from toolkit.documents.dispatch import document_rows
    from toolkit.pipeline import process_file

    a, b = two_sites
    same = FEE.format(owner="张三")
    ra = process_file(a, _drop(a, "物业费.csv", same), NOW)
    rb = process_file(b, _drop(b, "物业费.csv", same), NOW)
    assert (ra.status, rb.status) == ("accepted", "accepted")  # not a duplicate at B
    # B's own account 1-1-101 with another owner does not overwrite A's.
    process_file(b, _drop(b, "物业费2.csv", FEE.format(owner="李四")), NOW)
    assert a.ledger.record("fee_account", "1-1-101")["values"]["业主"] == "张三"
    assert b.ledger.record("fee_account", "1-1-101")["values"]["业主"] == "李四"
    assert a.ledger.file_counts() == {"accepted": 1} and b.ledger.file_counts() == {"accepted": 2}
    # Each site numbers its own documents, with its own prefix, from 001.
    na = [d["number"] for d in document_rows(a.ledger)]
    nb = [d["number"] for d in document_rows(b.ledger)]
    assert na == ["某某物业A区〔2026〕催字第001号"]
    assert nb[0] == "某某物业B区〔2026〕催字第001号"
    # Each dispatch register lists its own site's documents only, under the site's name.
    for ctx, numbers in ((a, na), (b, nb)):
        ws = openpyxl.load_workbook(ctx.ws.outbox / "发文登记.xlsx").active
        assert ws["A1"].value.startswith(ctx.site.name)
        listed = [r[1] for r in ws.iter_rows(min_row=3, values_only=True) if r[1]]
        assert sorted(listed) == sorted(n for n in numbers)


def test_a_manager_approves_only_documents_of_their_own_site(two_sites):
    from toolkit.documents.dispatch import apply_approvals, document_rows
    from toolkit.pipeline import process_file

    a, b = two_sites
    process_file(a, _drop(a, "f.csv", FEE.format(owner="张三")), NOW)
    process_file(b, _drop(b, "f.csv", FEE.format(owner="张三")), NOW)
    b_number = document_rows(b.ledger)[0]["number"]
    # A's manager signs a row naming B's number: nothing happens at either site.
    assert apply_approvals(a.ws, a.ledger, [{"文号": b_number, "签发人": "王经理"}], NOW) == []
    assert document_rows(b.ledger)[0]["status"] == "草稿"
    assert list((b.ws.outbox / "文书草稿").glob("*.docx"))


def _complaints(site: str, people: int) -> str:
    rows = "".join(f"{site}TS{i},2026-11-25 09:0{i},{site}业主{i},{site}-10{i},电梯噪音扰民,电梯噪音\n"
                   for i in range(people))
    return "编号,受理时间,投诉人,房号,投诉内容,事件\n" + rows


def test_escalation_counts_the_complainants_of_its_own_site_only(two_sites):
    from toolkit.pipeline import process_file

    a, b = two_sites
    # 3 + 3 complainants about the same event name: 6 together, but fewer than the
    # 5 (rules/escalation.yaml distinct_customers) at either site → no escalation.
    ra = process_file(a, _drop(a, "投诉.csv", _complaints("A", 3)), NOW)
    rb = process_file(b, _drop(b, "投诉.csv", _complaints("B", 3)), NOW)
    assert not [f for f in ra.findings + rb.findings if f.rule == "complaint.escalation"]
    # Two more at A make 5 there: A's escalation lists A's five complaints, B has none.
    ra = process_file(a, _drop(a, "投诉2.csv", _complaints("A", 5)), NOW)
    esc = [f for f in ra.findings if f.rule == "complaint.escalation"]
    assert len(esc) == 1
    assert sorted(c["编号"] for c in esc[0].values["complaints"]) == [f"ATS{i}" for i in range(5)]
    from toolkit.ruleset import evaluate_workspace

    assert not [f for f in evaluate_workspace(b, NOW) if f.rule == "complaint.escalation"]


def test_a_key_of_303_characters_is_stored_whole(two_sites):
    from toolkit.pipeline import process_file

    a, _ = two_sites
    key = "BX" + "长" * 301  # hand count: 2 + 301 = 303 characters
    body = ("单号,房号,报修人,联系电话,报修时间,维修内容,紧急程度,接报人\n"
            f"{key},1-101,张先生,13812345678,2026-11-27 09:00,水龙头漏水,一般,李四\n")
    result = process_file(a, _drop(a, "报修.csv", body), NOW)
    assert result.status == "accepted", result.errors
    assert a.ledger.record("repair", key)["key"] == key


def test_status_and_sites_name_each_site(two_sites):
    from toolkit.status import workspace_status

    a, b = two_sites
    assert workspace_status(a.ws, a.ledger)["site"] == {"code": "A", "name": "某某物业A区服务中心"}
    assert [s["code"] for s in a.ledger.sites()] == ["A", "B"]


def test_head_office_report_has_a_sheet_per_site_and_the_totals(two_sites, tmp_path: Path):
    from toolkit.pipeline import open_context, process_file
    from toolkit.reports import parse_week, produce
    from toolkit.reports.sites import produce_all_sites
    from toolkit.workspace import Workspace

    a, b = two_sites
    rows = "单号,房号,报修人,联系电话,报修时间,维修内容,紧急程度,接报人\n"
    process_file(a, _drop(a, "r.csv", rows + "BX1,1-101,张,13812345678,2026-11-24 09:00,漏水,一般,李\n"
                                             "BX2,1-102,王,13812345678,2026-11-25 09:00,漏水,一般,李\n"), NOW)
    process_file(b, _drop(b, "r.csv", rows + "BX1,2-101,赵,13812345678,2026-11-26 09:00,漏水,一般,李\n"), NOW)
    week = parse_week("2026-W48")
    own = {c.site.code: produce(c, "weekly", NOW, week) for c in (a, b)}
    hq = open_context(Workspace(_site(tmp_path, "HQ", "总部", "某某物业")), register=False)
    try:
        report = produce_all_sites(hq, "weekly", NOW, week)
    finally:
        hq.close()
    wb = openpyxl.load_workbook(report.outputs[0])
    assert wb.sheetnames == ["各站点汇总", "某某物业A区服务中心", "某某物业B区服务中心"]
    summary = report.tables[0]
    received = [label for label, _, _ in own["A"].headline].index("受理") + 2
    # Hand count: A received 2 repairs this week, B 1; together 3.
    assert [r[received] for r in summary.rows] == [2, 1]
    assert summary.total[received] == 3
    for code, r in own.items():
        assert dict((lbl, v) for lbl, v, _ in r.headline)["受理"] == str({"A": 2, "B": 1}[code])
    assert report.tables[1].rows == own["A"].tables[0].rows


def test_the_cli_report_all_sites(two_sites, tmp_path: Path):
    from toolkit.cli import main

    a, _ = two_sites
    hq = _site(tmp_path, "HQ", "总部", "某某物业")
    out = CliRunner().invoke(main, ["report", "weekly", "--all-sites", "--week", "2026-W48", "--home", str(hq),
                                    "--now", "2026-11-27T17:05"])
    assert out.exit_code == 0, out.output
    assert (hq / "outbox" / "报表" / "周报-2026年第48周-全部站点.xlsx").is_file()


# --- schema versions and roles (PostgreSQL) ------------------------------------------


def test_migrations_make_exactly_the_tables_of_the_code(db_url: str):
    from toolkit.ledger import Ledger
    from toolkit.schema import differences, head, upgrade

    led = Ledger(db_url, check_schema=False)
    try:
        upgrade(led)
        with led.engine.connect() as conn:
            assert differences(conn) == []
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head()
        from toolkit.schema import HEAD

        assert HEAD == head()  # the constant every process checks on start
    finally:
        led.close()


def test_postgres_processes_refuse_an_old_schema_and_never_create_tables(database: str):
    from tests.conftest import make_pg_database
    from toolkit.ledger import Ledger
    from toolkit.schema import SchemaOutOfDate

    if database == "sqlite":
        pytest.skip("SQLite ledgers upgrade themselves on first use")
    url, drop = make_pg_database(upgrade=False)
    try:
        with pytest.raises(SchemaOutOfDate, match="toolkit db upgrade"):
            Ledger(url, "A")
        eng = create_engine(url)
        with eng.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname='public'")).scalar() == 0
        eng.dispose()
    finally:
        drop()


def test_day_to_day_role_reads_and_writes_but_cannot_change_the_schema(database: str, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch):
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ProgrammingError

    from toolkit.ledger import Ledger
    from toolkit.pipeline import open_context, process_file
    from toolkit.schema import grant_statements
    from toolkit.workspace import Workspace

    if database == "sqlite":
        pytest.skip("roles are PostgreSQL's")
    owner = create_engine(database)
    with owner.begin() as conn:
        for role in ("tk_app", "tk_hq"):
            conn.execute(text(f"DO $$BEGIN CREATE ROLE {role} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END$$"))
        for s in grant_statements("tk_app", "tk_hq"):
            conn.execute(text(s))
    owner.dispose()
    app_url = make_url(database).set(username="tk_app").render_as_string(hide_password=False)
    hq_url = make_url(database).set(username="tk_hq").render_as_string(hide_password=False)
    monkeypatch.setenv("TOOLKIT_DATABASE_URL", app_url)
    monkeypatch.setenv("TOOLKIT_PDF", "off")
    ctx = open_context(Workspace(_site(tmp_path, "A", "某某物业A区服务中心", "某某物业A区")))
    try:
        r = process_file(ctx, _drop(ctx, "f.csv", FEE.format(owner="张三")), NOW)
        assert r.status == "accepted" and r.outputs
        with ctx.ledger.engine.connect() as conn, pytest.raises(ProgrammingError, match="permission denied"):
            conn.execute(text("CREATE TABLE sneaky (x int)"))
    finally:
        ctx.close()
    hq = Ledger(hq_url, "HQ")  # the head-office role reads every site …
    try:
        assert [s["code"] for s in hq.sites()] == ["A"]
        assert hq.for_site("A").record("fee_account", "1-1-101") is not None
        with hq.engine.connect() as conn, pytest.raises(ProgrammingError, match="permission denied"):
            conn.execute(text("DELETE FROM records"))  # … and changes nothing
    finally:
        hq.close()


@pytest.mark.sqlite_only
def test_a_sqlite_ledger_from_before_sites_is_adopted_with_its_rows(tmp_path: Path):
    import sqlite3

    from toolkit.ledger import Ledger

    db = tmp_path / "ledger.sqlite"
    con = sqlite3.connect(db)
    con.executescript("""
        CREATE TABLE files (id INTEGER PRIMARY KEY, sha256 VARCHAR(64) NOT NULL UNIQUE, name TEXT NOT NULL,
            size INTEGER NOT NULL, status VARCHAR(32) NOT NULL, received_at DATETIME NOT NULL,
            finished_at DATETIME, archive_path TEXT, summary TEXT);
        CREATE INDEX ix_files_status ON files (status);
        CREATE TABLE records (id INTEGER PRIMARY KEY, register VARCHAR(100) NOT NULL, key VARCHAR(255) NOT NULL,
            values_json TEXT NOT NULL, version INTEGER NOT NULL, first_seen DATETIME NOT NULL,
            updated_at DATETIME NOT NULL, last_file_id INTEGER REFERENCES files (id),
            CONSTRAINT uq_records_register_key UNIQUE (register, key));
        CREATE INDEX ix_records_register_updated ON records (register, updated_at);
        INSERT INTO files VALUES (1, 'abc', 'a.xlsx', 10, 'accepted', '2026-11-01 09:00:00.000000', NULL, NULL, NULL);
        INSERT INTO records VALUES (1, 'repair', 'BX1', '{"房号":"1-101"}', 1, '2026-11-01 09:00:00.000000',
            '2026-11-01 09:00:00.000000', 1);
    """)
    con.commit()
    con.close()
    led = Ledger(f"sqlite:///{db}")
    try:
        assert led.record("repair", "BX1")["values"] == {"房号": "1-101"}
        assert led.find_file("abc")["status"] == "accepted"
        with led.engine.connect() as conn:
            from toolkit.schema import differences

            assert differences(conn) == []
    finally:
        led.close()


# --- claims between live and dead processes ------------------------------------------

HOLDER = """
import sys, time
from datetime import datetime
from toolkit.ledger import Ledger
led = Ledger(sys.argv[1], "A")
print(led.claim_file("f" * 64, "held.xlsx", 1, "", datetime(2026, 11, 27)), flush=True)
time.sleep(60)
"""


def test_a_claim_is_taken_over_only_after_its_holder_is_gone(db_url: str, monkeypatch: pytest.MonkeyPatch):
    import signal
    import subprocess
    import sys
    import time

    from toolkit.ledger import Ledger

    monkeypatch.setenv("TOOLKIT_LEASE_SECONDS", "2")  # heartbeat every 0.4 s
    Ledger(db_url, "A").close()  # schema in place before the holder starts
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, db_url], stdout=subprocess.PIPE, text=True)
    try:
        file_id = int(holder.stdout.readline())
        me = Ledger(db_url, "A")
        try:
            assert me.claim_file("f" * 64, "held.xlsx", 1, "", NOW) is None  # alive: left alone
            time.sleep(3)  # longer than the lease: the heartbeat keeps it
            assert me.claim_file("f" * 64, "held.xlsx", 1, "", NOW) is None
            holder.send_signal(signal.SIGKILL)
            holder.wait()
            assert me.claim_file("f" * 64, "held.xlsx", 1, "", NOW) == file_id  # gone: taken over
            other = Ledger(db_url, "A")
            assert other.claim_file("f" * 64, "held.xlsx", 1, "", NOW) is None  # and now held by me
            other.close()
        finally:
            me.close()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def test_a_live_holder_is_known_by_a_start_the_clock_cannot_move():
    """The boot time the kernel reports is worked out afresh from the wall clock on each
    read, so a slewed clock shifts it by a whole second now and then (seen here: about
    one second in two hundred). A holder named by its wall-clock start would then look
    like a new process in its own place, and its file would be taken and done twice."""
    import subprocess
    import sys

    import psutil

    from toolkit import claims

    child = subprocess.Popen(
        [sys.executable, "-c", "from toolkit.claims import new_owner; print(new_owner(), flush=True); input()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        owner = child.stdout.readline().strip()
        host, pid, started, _ = owner.split(":")
        assert (host, int(pid)) == (claims.HOST, child.pid)
        if sys.platform.startswith("linux"):
            # Clock ticks since boot, from the kernel's own record of the process.
            stat = Path(f"/proc/{pid}/stat").read_text()
            assert started == "t" + stat.rpartition(")")[2].split()[19]
        assert not claims.holder_gone(owner)
        assert claims.holder_gone(f"{host}:{pid}:t1:x")  # the pid, reused by another process
        # An owner written with the wall-clock start: a second either way is still the holder.
        wall = int(psutil.Process(child.pid).create_time() * 100)
        assert not claims.holder_gone(f"{host}:{pid}:{wall - 100}:x")
        assert not claims.holder_gone(f"{host}:{pid}:{wall + 100}:x")
        assert claims.holder_gone(f"{host}:{pid}:{wall + 500}:x")
        assert not claims.holder_gone(f"another-machine:{pid}:t1:x")  # judged by its lease only
    finally:
        child.communicate("")
    assert claims.holder_gone(owner)  # ended


def test_a_heartbeat_started_again_after_stop_beats_again(monkeypatch: pytest.MonkeyPatch):
    """stop() then start(): the new thread renews (the old stop signal does not end it at
    once), and stop() ends it, with no renewal after."""
    import threading
    import time

    from toolkit.claims import Heartbeat

    monkeypatch.setenv("TOOLKIT_LEASE_SECONDS", "1")  # a beat every 0.2 s
    beats: list[float] = []
    beat = threading.Event()

    def renew(until: float) -> None:
        beats.append(until)
        beat.set()

    hb = Heartbeat(renew)
    hb.start()
    assert beat.wait(5)
    hb.stop()
    assert not hb.running
    beat.clear()
    hb.start()
    assert hb.running and beat.wait(5), "started again, it must renew again"
    hb.stop()
    after = len(beats)
    time.sleep(0.5)  # two beats' time: a thread still running would have renewed
    assert len(beats) == after
