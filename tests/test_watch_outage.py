"""The database out of reach while the watcher runs: files wait, nothing is charged to
them, and everything is taken once it is back."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

import pytest
from conftest import REPAIR_HEADERS, repair_rows, wait_until, write_xlsx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from toolkit import watch as watching
from toolkit.ledger import files

_wait = wait_until


def _switch(database: str) -> tuple[Callable[[], None], Callable[[], None]]:
    """(take the PostgreSQL database away as a server restart or a lost network does:
    every connection cut and no new one taken, bring it back)."""
    from conftest import pg_admin_url

    name = make_url(database).database
    admin = create_engine(pg_admin_url(), isolation_level="AUTOCOMMIT")

    def lose() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})

    def restore() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()

    return lose, restore


# PostgreSQL alone: SQLite's ledger file stays open in this process, so moving var/ away or
# replacing the file changes nothing the watcher sees, and an unplugged share cannot be made here.
@pytest.mark.postgresql_only
def test_files_saved_while_the_database_is_away_wait_and_are_taken_once_it_is_back(
        ctx, home, database, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(watching, "OUTAGE_FIRST_S", 0.2)
    monkeypatch.setattr(watching, "OUTAGE_MAX_S", 0.4)
    caplog.set_level(logging.INFO, logger="toolkit")
    inbox = home / "inbox"
    lose, restore = _switch(database)
    stop = threading.Event()
    ticks: list[object] = []
    t = threading.Thread(target=watching.watch, args=(ctx,), daemon=True,
                         kwargs={"stop": stop, "settle": 0.2, "tick": ticks.append})
    t.start()
    try:
        write_xlsx(inbox / "报修登记表-上午.xlsx", {"s": [REPAIR_HEADERS, *repair_rows(2)]})
        assert _wait(lambda: ctx.ledger.record("repair", "BX0002") is not None)
        assert _wait(lambda: not (inbox / "报修登记表-上午.xlsx").exists())

        lose()
        afternoon = write_xlsx(tmp_path / "下午.xlsx", {"s": [REPAIR_HEADERS, *repair_rows(5)]})
        (inbox / "报修登记表-下午.xlsx").write_bytes(afternoon.read_bytes())

        def lost() -> list[str]:
            return [r.getMessage() for r in caplog.records if r.getMessage().startswith("无法连接数据库")]

        assert _wait(lambda: bool(lost()))
        ticks_then = len(ticks)
        time.sleep(2.0)  # several tries of the database, each failing
        assert t.is_alive(), "the watcher stopped with the database"
        assert (inbox / "报修登记表-下午.xlsx").exists()
        assert len(lost()) == 1, lost()  # one line for the outage, not one a try
        line = lost()[0]
        assert make_url(ctx.ledger.url).render_as_string(hide_password=True) in line
        assert "收件箱里的文件原样等待" in line
        assert "数据库服务器是否已启动" in line
        assert len(ticks) == ticks_then  # no scheduled report tried without its database
        # No try charged to the file: nothing failed, nothing set aside.
        said = [r.getMessage() for r in caplog.records]
        assert not [m for m in said if m.startswith(("处理失败", "搁置"))], said

        restore()
        assert _wait(lambda: ctx.ledger.record("repair", "BX0005") is not None)
        assert _wait(lambda: not (inbox / "报修登记表-下午.xlsx").exists())
        assert any(r.getMessage().startswith("数据库已恢复连接") for r in caplog.records)
        assert _wait(lambda: len(ticks) > ticks_then)  # the schedule runs again
    finally:
        stop.set()
        t.join(timeout=10)
    assert not t.is_alive()
    with ctx.ledger.engine.connect() as conn:
        rows = conn.execute(select(files.c.name, files.c.status).order_by(files.c.id)).all()
        assert conn.execute(select(func.count()).select_from(files)).scalar() == 2
    assert [tuple(r) for r in rows] == [("报修登记表-上午.xlsx", "accepted"), ("报修登记表-下午.xlsx", "accepted")]


def test_a_failure_with_the_database_answering_is_still_the_files(ctx, home, monkeypatch, caplog):
    """The probe decides: a file that fails while the database answers is tried again and
    set aside as before (test_intake covers the back-off), not held as an outage."""
    caplog.set_level(logging.INFO, logger="toolkit")
    stop = threading.Event()

    def broken(*_a, **_k):
        raise OSError("磁盘读取错误")

    monkeypatch.setattr(watching, "process_file", broken)
    t = threading.Thread(target=watching.watch, args=(ctx,), daemon=True, kwargs={"stop": stop, "settle": 0.2})
    t.start()
    try:
        write_xlsx(home / "inbox" / "报修登记表.xlsx", {"s": [REPAIR_HEADERS, *repair_rows(1)]})
        assert _wait(lambda: any(r.getMessage().startswith("处理失败") for r in caplog.records))
    finally:
        stop.set()
        t.join(timeout=10)
    assert not [r for r in caplog.records if r.getMessage().startswith("无法连接数据库")]


@pytest.mark.postgresql_only
def test_a_connection_the_server_dropped_while_idle_is_replaced_before_the_next_file(
        ctx, home, database, tmp_path, monkeypatch):
    from conftest import pg_admin_url

    from toolkit import ledger as ledger_module
    from toolkit.pipeline import process_file

    monkeypatch.setattr(ledger_module, "IDLE_PING_S", 0.0)  # every pooled connection counts as idle
    now = datetime(2026, 11, 24, 9, 0)
    first = write_xlsx(tmp_path / "上午.xlsx", {"s": [REPAIR_HEADERS, *repair_rows(2)]})
    assert process_file(ctx, first, now).status == "accepted"
    # The server ends every connection of the database (a restart, an idle timeout).
    admin = create_engine(pg_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        cut = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                "WHERE datname = :n AND pid <> pg_backend_pid()"),
                           {"n": make_url(database).database}).scalar()
    admin.dispose()
    assert cut >= 1  # the pool's connection was among them
    second = write_xlsx(tmp_path / "下午.xlsx", {"s": [REPAIR_HEADERS, *repair_rows(5)]})
    assert process_file(ctx, second, now).status == "accepted"
    assert ctx.ledger.record("repair", "BX0005") is not None


@pytest.mark.postgresql_only
def test_process_cut_off_from_its_database_mid_run_says_so_and_keeps_the_file(home, database, monkeypatch):
    from click.testing import CliRunner

    from toolkit import pipeline
    from toolkit.cli import main

    lose, restore = _switch(database)
    real = pipeline.process_paths

    def cut_then_process(*args, **kwargs):  # the database goes once the command has opened it
        lose()
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "process_paths", cut_then_process)
    src = write_xlsx(home / "inbox" / "报修登记表.xlsx", {"s": [REPAIR_HEADERS, *repair_rows(3)]})
    res = CliRunner().invoke(main, ["process", str(src), "--home", str(home)])
    restore()
    assert res.exit_code == 2, res.output
    label = make_url(database).render_as_string(hide_password=True)
    assert res.stderr.startswith(f"处理中断：与数据库 {label} 的连接断开"), res.stderr
    assert "其余文件原样保留" in res.stderr and "Traceback" not in res.stderr
    assert src.exists()
    # Run again with the database back: the file is taken, once.
    monkeypatch.setattr(pipeline, "process_paths", real)
    res = CliRunner().invoke(main, ["process", str(src), "--home", str(home)])
    assert res.exit_code == 0, res.output
    assert not src.exists()
    engine = create_engine(database)
    with engine.connect() as conn:
        assert conn.execute(select(files.c.status)).scalars().all() == ["accepted"]
    engine.dispose()


def test_a_server_that_takes_the_connection_and_never_answers_is_given_up_on(monkeypatch):
    """Connecting has a time limit: a hung server (here a socket that never reads) would
    otherwise hold the watcher, and its probe of the database, forever."""
    import socket

    from sqlalchemy.exc import OperationalError

    from toolkit import ledger as ledger_module
    from toolkit.ledger import Ledger

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the handshake completes in the kernel; nothing is ever read or sent
    port = silent.getsockname()[1]
    try:
        monkeypatch.setitem(ledger_module.PG_CONNECT, "connect_timeout", 2)
        started = time.monotonic()
        with pytest.raises(OperationalError, match="timeout"):
            Ledger(f"postgresql+psycopg://toolkit@127.0.0.1:{port}/toolkit?sslmode=disable")
        assert time.monotonic() - started < 8
        # The URL's own setting wins over the default.
        monkeypatch.setitem(ledger_module.PG_CONNECT, "connect_timeout", 600)
        started = time.monotonic()
        with pytest.raises(OperationalError, match="timeout"):
            Ledger(f"postgresql+psycopg://toolkit@127.0.0.1:{port}/toolkit?sslmode=disable&connect_timeout=2")
        assert time.monotonic() - started < 8
    finally:
        silent.close()


def test_a_database_error_reaches_staff_without_its_statement_or_values(tmp_path):
    """What staff see of a failed statement (the reason in status and the run summary,
    the console line) is the driver's own words; the statement and the values bound to it
    (a register's names and phone numbers) stay in the log file's traceback."""
    import sys

    from sqlalchemy.exc import DBAPIError

    from toolkit.logs import ChineseFormatter
    from toolkit.outbox import describe

    engine = create_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE owners (name TEXT UNIQUE)"))
        conn.execute(text("INSERT INTO owners VALUES ('张三 13800138000')"))
    with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
        conn.execute(text("INSERT INTO owners VALUES (:n)"), {"n": "张三 13800138000"})
    engine.dispose()
    exc = caught.value
    assert "13800138000" in str(exc)  # SQLAlchemy's text holds the statement and its values
    assert describe(exc) == "数据库出错：UNIQUE constraint failed: owners.name"
    try:
        raise exc
    except DBAPIError:
        record = logging.LogRecord("toolkit", logging.ERROR, __file__, 1, "处理 %s 时出错", ("报修.xlsx",),
                                   sys.exc_info())
    console = ChineseFormatter(console=True).format(record)
    assert "\n" not in console and "13800138000" not in console
    assert console.endswith("处理 报修.xlsx 时出错：IntegrityError: (sqlite3.IntegrityError) UNIQUE constraint "
                            "failed: owners.name（详情见 var/toolkit.log）")
    record.exc_text = None
    assert "13800138000" in ChineseFormatter(console=False).format(record)  # the log file keeps it all
