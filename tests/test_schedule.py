"""The schedule: slots from rules/schedule.yaml, catch-up after downtime, one run per (job, slot)."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from toolkit.cli import main
from toolkit.pipeline import open_context
from toolkit.reports import load_schedule
from toolkit.reports.settings import Job
from toolkit.rulesfile import RulesError
from toolkit.scheduler import history, latest_slot, make_tick, run_due, schedule_runs
from toolkit.workspace import Workspace


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def job(**kw) -> Job:
    return Job(**{"name": "j", "report": "weekly", "time": "17:00", **kw})


def test_latest_slot_for_each_cadence():
    daily = job(cadence="daily", time="08:30")
    assert latest_slot(daily, at("2026-11-24T08:30")) == at("2026-11-24T08:30")  # due at the minute
    assert latest_slot(daily, at("2026-11-24T08:29")) == at("2026-11-23T08:30")
    friday = job(cadence="weekly", day="周五")
    assert latest_slot(friday, at("2026-11-30T09:00")) == at("2026-11-27T17:00")  # Monday → last Friday
    assert latest_slot(friday, at("2026-11-27T16:59")) == at("2026-11-20T17:00")
    third = job(cadence="monthly", day=3, time="08:30")
    assert latest_slot(third, at("2026-12-02T12:00")) == at("2026-11-03T08:30")
    assert latest_slot(third, at("2027-01-03T08:30")) == at("2027-01-03T08:30")


def _done(ctx, name):
    return [r for r in history(ctx) if r["job"] == name and r["status"] == "done"]


def test_machine_off_over_friday_runs_one_weekly_on_start(ctx):
    # Thursday evening: the watcher runs for the first time. Only the 17:00 list is fresh
    # (an hour old at most); older slots are marked skipped, not back-filled.
    first = run_due(ctx, at("2026-11-26T17:30"))
    assert {(o.job, o.status) for o in first} == {
        ("未完工报修日报", "done"), ("待办与逾期日报", "skipped"), ("周报", "skipped"),
        ("停车月卡名单", "skipped"), ("特约服务与收费月报", "skipped"), ("物业管理状况月报", "skipped"),
        ("月度物业动态信息表", "skipped"), ("交房日报", "skipped")}
    # Off from Thursday night to Monday 09:00: Friday's weekly, Fri/Sat/Sun 17:00 lists and
    # Fri/Sat/Sun/Mon 08:30 lists were missed. On start each job runs once, for its latest slot.
    back = run_due(ctx, at("2026-11-30T09:00"))
    assert sorted((o.job, o.slot.isoformat(), o.status) for o in back) == [
        ("交房日报", "2026-11-29T18:00:00", "skipped"),  # no handover on Sunday: not made
        ("停车月卡名单", "2026-11-30T08:30:00", "done"),
        ("周报", "2026-11-27T17:00:00", "done"),
        ("待办与逾期日报", "2026-11-30T08:30:00", "done"),
        ("未完工报修日报", "2026-11-29T17:00:00", "done"),
    ]
    weekly = [p.name for p in ctx.ws.reports.glob("周报-*")]
    assert sorted(weekly) == ["周报-2026年第48周.docx", "周报-2026年第48周.xlsx"]
    # A second start (or the next tick) finds nothing left to do.
    assert run_due(ctx, at("2026-11-30T09:05")) == []
    assert len(_done(ctx, "周报")) == 1
    runs = [r for r in ctx.ledger.runs(50) if r["kind"] == "schedule:weekly"]
    assert len(runs) == 1 and runs[0]["status"] == "done"
    assert runs[0]["summary"]["as_of"] == "2026-11-27T17:00:00"  # Friday's picture


def test_month_end_reports_run_on_their_days(ctx):
    run_due(ctx, at("2026-11-30T09:00"))  # first start: baseline
    out = run_due(ctx, at("2026-12-03T08:31"))
    jobs = {o.job: o for o in out}
    assert jobs["特约服务与收费月报"].slot == at("2026-12-01T08:30")  # missed on the 1st, run once now
    assert jobs["物业管理状况月报"].slot == at("2026-12-03T08:30")
    assert jobs["月度物业动态信息表"].slot == at("2026-12-03T08:30")  # seed 001: the table by the 3rd
    names = {p.name for p in ctx.ws.reports.iterdir()}
    assert {"月报-特约服务与收费-2026年11月.xlsx", "月报-物业管理状况-2026年11月.docx"} <= names


def test_two_watchers_never_produce_the_same_report_twice(ctx, home):
    run_due(ctx, at("2026-11-26T17:30"))
    other = open_context(Workspace(home))
    results: list = []
    barrier = threading.Barrier(2)

    def go(c):
        barrier.wait()
        results.extend(run_due(c, at("2026-11-30T09:00")))

    try:
        threads = [threading.Thread(target=go, args=(c,)) for c in (ctx, other)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    finally:
        other.close()
    done = [(o.job, o.slot) for o in results if o.status == "done"]
    assert len(done) == len(set(done)) == 4
    with ctx.ledger.engine.connect() as conn:
        rows = conn.execute(select(schedule_runs.c.job, schedule_runs.c.slot)).all()
    assert len(rows) == len(set(rows))


def test_a_claim_left_running_by_a_crash_is_taken_over_only_when_its_lease_ran_out(ctx):
    import time as wall

    from sqlalchemy import update

    from toolkit.scheduler import _claim

    settings = load_schedule(ctx.ws.rules)
    weekly = settings.job_for("weekly")
    slot = at("2026-11-27T17:00")
    assert _claim(ctx, weekly, slot, at("2026-11-27T17:00"))
    # The holder is a process on another machine: only its lease tells whether it lives.
    t = schedule_runs
    with ctx.ledger.transaction() as conn:
        conn.execute(update(t).where(t.c.job == weekly.name, t.c.slot == slot)
                     .values(owner="elsewhere:1:1:x", lease_until=wall.time() + 60))
    assert [o for o in run_due(ctx, at("2026-11-27T18:01"), settings) if o.job == "周报"] == []
    with ctx.ledger.transaction() as conn:  # its heartbeat stopped a while ago
        conn.execute(update(t).where(t.c.job == weekly.name, t.c.slot == slot)
                     .values(lease_until=wall.time() - 1))
    out = [o for o in run_due(ctx, at("2026-11-27T18:02"), settings) if o.job == "周报"]
    assert [(o.slot, o.status) for o in out] == [(slot, "done")]


@pytest.mark.sqlite_only  # PostgreSQL does not make a transaction wait for another to begin
def test_a_slot_claimed_after_a_wait_is_held_for_a_whole_lease(ctx, home, monkeypatch):
    """The lease runs from the claim's own turn, not from before its transaction waited
    for SQLite's write lock (held by another process's big file for up to the busy
    timeout): written already run out, the claim of a live watcher would be taken at
    once by another of its site, and the report made twice."""
    import time as wall

    from sqlalchemy import insert

    from toolkit.scheduler import _claim

    monkeypatch.setenv("TOOLKIT_LEASE_SECONDS", "5")
    weekly = load_schedule(ctx.ws.rules).job_for("weekly")
    slot, now = at("2026-11-27T17:00"), at("2026-11-27T17:05")
    t = schedule_runs
    other = open_context(Workspace(home))
    holding = threading.Event()

    def hold() -> None:  # a write transaction longer than a lease, rolled back
        try:
            with other.ledger.transaction() as conn:
                conn.execute(insert(t).values(site=other.ledger.site, job=weekly.name, slot=slot,
                                              report=weekly.report, status="running", claimed_at=now))
                holding.set()
                wall.sleep(6)
                raise LookupError("rolled back")
        except LookupError:
            pass

    blocker = threading.Thread(target=hold)
    blocker.start()
    try:
        assert holding.wait(30)
        assert _claim(ctx, weekly, slot, now)  # once the other transaction is gone
        with ctx.ledger.engine.connect() as conn:
            lease = conn.execute(select(t.c.lease_until).where(t.c.job == weekly.name, t.c.slot == slot)).scalar_one()
        assert lease > wall.time()
        assert not _claim(other, weekly, slot, now)  # the site's other watcher leaves it alone
    finally:
        blocker.join(timeout=60)
        other.close()


def test_make_tick_catches_up_at_once_then_waits(ctx):
    tick = make_tick(ctx)
    tick(at("2026-11-27T17:10"))  # first tick: check at once
    assert len(_done(ctx, "周报")) == 1
    tick(at("2026-11-27T17:11"))  # nothing due, and the schedule has not woken it
    assert len(history(ctx)) == 8  # one slot per job of schedule.yaml


BAD = """\
jobs:
  - {name: 周报, report: weekly, cadence: weekly, day: friday, time: "17:00"}
  - {name: 日报, report: daily_due, cadence: daily, time: "8:30"}
  - {name: 月报, report: monthly, cadence: monthly, day: 31, time: "08:30"}
"""


def test_bad_schedule_names_file_line_and_entry(home):
    (home / "rules" / "schedule.yaml").write_text(BAD, encoding="utf-8")
    with pytest.raises(RulesError) as exc:
        load_schedule(home / "rules")
    text = "\n".join(exc.value.problems)
    assert "schedule.yaml 第3行 jobs[1].time" in text and "HH:MM" in text
    assert "schedule.yaml 第4行 jobs[2]" in text and "1 到 28" in text
    res = CliRunner().invoke(main, ["rules", "check", "--home", str(home)])
    assert res.exit_code == 2 and "jobs[1].time" in res.output


def test_unknown_report_and_duplicate_names_refused(home):
    path = home / "rules" / "schedule.yaml"
    path.write_text('jobs:\n  - {name: a, report: yearly, cadence: daily, time: "08:00"}\n', encoding="utf-8")
    with pytest.raises(RulesError) as exc:
        load_schedule(home / "rules")
    assert "jobs[0].report" in exc.value.problems[0]
    path.write_text('jobs:\n  - {name: a, report: weekly, cadence: daily, time: "08:00"}\n'
                    '  - {name: a, report: daily_due, cadence: daily, time: "09:00"}\n', encoding="utf-8")
    with pytest.raises(RulesError) as exc:
        load_schedule(home / "rules")
    assert "第3行 jobs[1].name" in exc.value.problems[0]


@pytest.fixture
def machine_on_utc(monkeypatch):
    """The machine's zone set to UTC, as on many servers: Beijing is 8 hours ahead."""
    import time as time_mod

    monkeypatch.setenv("TZ", "UTC")
    time_mod.tzset()
    yield
    monkeypatch.undo()
    time_mod.tzset()


def test_watcher_clock_wake_times_and_log_are_beijing_time_on_a_utc_machine(machine_on_utc, ctx):
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    import schedule as schedule_lib

    from toolkit.scheduler import _register
    from toolkit.watch import clock_from

    beijing = datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert abs(clock_from(None)() - beijing) < timedelta(seconds=5)
    # The schedule library keeps its times in the machine's zone: Friday 17:00 in Beijing
    # is 09:00 UTC, 08:30 in Beijing is 00:30 UTC.
    sched = schedule_lib.Scheduler()
    _register(sched, job(cadence="weekly", day="friday", time="17:00"), lambda: None)
    _register(sched, job(cadence="daily", time="08:30"), lambda: None)
    weekly, daily = sched.jobs
    assert (weekly.next_run.weekday(), weekly.next_run.hour, weekly.next_run.minute) == (4, 9, 0)
    assert (daily.next_run.hour, daily.next_run.minute) == (0, 30)
    # The log file reads in the same zone as the reports and the run summaries.
    import logging

    from toolkit.logs import setup_logging

    setup_logging(ctx.ws, quiet=True)
    logging.getLogger("toolkit").info("clock check")
    for h in logging.getLogger("toolkit").handlers:
        h.flush()
    line = [x for x in ctx.ws.log_file.read_text(encoding="utf-8").splitlines() if "clock check" in x][-1]
    logged = datetime.strptime(line[:19], "%Y-%m-%d %H:%M:%S")
    beijing = datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert abs(logged - beijing) < timedelta(seconds=5)


def test_rules_file_typos_are_explained_in_chinese(home):
    # A manager's typos: a misspelt cadence, an unquoted time, an unknown key, a figure in words.
    (home / "rules" / "schedule.yaml").write_text(
        "jobs:\n"
        "  - {name: 周报, report: weekly, cadence: weekley, day: friday, time: \"17:00\"}\n"
        "  - {name: 日报, report: daily_due, cadence: daily, time: \"08:30\", tim: 1}\n"
        "reports:\n"
        "  special_service_target: 三千\n",
        encoding="utf-8")
    with pytest.raises(RulesError) as exc:
        load_schedule(home / "rules")
    problems = exc.value.problems
    assert any("第2行 jobs[0].cadence: 只能填 daily、weekly、monthly 之一，现在是“weekley”" in p for p in problems)
    assert any("第3行 jobs[1].tim: 不认识这一项" in p for p in problems)
    assert any("第5行 reports.special_service_target: 应为金额或数字，现在是“三千”" in p for p in problems)
    # pydantic's own English never reaches the manager.
    assert not any("Input should" in p or "Extra inputs" in p or "Value error" in p for p in problems)
