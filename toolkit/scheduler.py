"""Scheduled reports: each job's slots come from rules/schedule.yaml; the ledger decides who runs them.

``run_due(ctx, now)`` is the whole policy, deterministic for any ``now``:

* for each job, the *latest* slot at or before ``now`` (08:30 today, last Friday 17:00,
  the 1st of this month …);
* if nobody of this site has claimed that (job, slot) yet, claim it — an insert into
  ``schedule_runs`` with UNIQUE (site, job, slot), inside a transaction — and produce
  the site's report; a slot someone else claimed is left alone, so two watchers of one
  site never produce the same report twice, and every site produces its own;
* older missed slots are never run: a machine off from Friday to Monday produces one
  weekly report on start, not one per missed slot;
* a job that has never run in this workspace does not back-fill: its latest slot is
  recorded as skipped unless it fell within ``stale_claim_minutes`` of now;
* a claim left ``running`` is taken over only when its holder is gone — its lease ran
  out without a heartbeat, or it no longer runs on this machine (claims.py); the
  report's files have fixed names, so a retry replaces, never duplicates.

``make_tick(ctx)`` gives the watcher its ``tick(now)``: the ``schedule`` library wakes
it at each job's time (and once a minute, so a pinned ``--now`` clock or a machine
waking from sleep still catches up), and every wake-up calls ``run_due``.
"""

from __future__ import annotations

import logging
import time as _time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import schedule as schedule_lib
from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from .claims import lease_seconds, may_take
from .codec import encode
from .ledger import LEASED, SITE_LEN, metadata
from .reports.catalog import period_for_slot, report_kinds
from .reports.run import produce
from .reports.settings import Job, ScheduleFile, load_schedule
from .ruleset.timing import add_months
from .rulesfile import RulesError
from .workcal import WorkCalendar, load_calendar

log = logging.getLogger("toolkit")

schedule_runs = Table(
    "schedule_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site", String(SITE_LEN), nullable=False),
    Column("job", String(100), nullable=False),
    Column("slot", DateTime, nullable=False),
    Column("report", String(40), nullable=False),
    Column("period", String(20)),
    Column("status", String(16), nullable=False),  # running, done, failed, skipped
    Column("claimed_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("outputs", Text),
    Column("owner", String(120)),
    Column("lease_until", Float),
    UniqueConstraint("site", "job", "slot", name="uq_schedule_runs_site_job_slot"),
)
LEASED.append((schedule_runs, "running"))

ZONE = "Asia/Shanghai"
WEEKDAY_METHODS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def latest_slot(job: Job, now: datetime, cal: WorkCalendar | None = None) -> datetime:
    """The job's most recent scheduled moment at or before ``now``.

    ``cal`` is the workspace's working-day calendar, read by a monthly job that waits for
    the working day after its day (``after_workday``); without it, the national calendar.
    """
    h, m = job.hour_minute
    at = time(h, m)
    today = now.date()
    if job.cadence == "daily":
        slot = datetime.combine(today, at)
        return slot if slot <= now else slot - timedelta(days=1)
    if job.cadence == "weekly" and job.after_workday:
        return _latest_weekly_moved(job, now, at, cal)
    if job.cadence == "weekly":
        back = (today.weekday() - job.weekday) % 7
        slot = datetime.combine(today - timedelta(days=back), at)
        return slot if slot <= now else slot - timedelta(days=7)
    # This month's run, else last month's: a moved run may still be ahead (10-09 for
    # 10-05), or even fall early this month for last month's day — then the one before.
    first = today.replace(day=1)
    for back in range(3):
        month = add_months(first, -back)
        slot = datetime.combine(job.run_day(month.year, month.month, cal), at)
        if slot <= now:
            return slot
    raise AssertionError("a monthly run moves less than a month")


def _latest_weekly_moved(job: Job, now: datetime, at: time, cal: WorkCalendar | None) -> datetime:
    """The latest run at or before ``now`` of a weekly job that waits for the working day
    after its day: the weeks before this one, as far back as a long holiday moves a run."""
    monday = now.date() - timedelta(days=now.date().weekday())
    slots = [datetime.combine(job.week_run_day(monday - timedelta(weeks=back), cal), at) for back in range(1, 6)]
    return max(s for s in slots if s <= now)


@dataclass
class Outcome:
    job: str
    slot: datetime
    status: str  # done, failed, skipped, taken (claimed elsewhere)
    outputs: list[str]


def _claim(ctx: Any, job: Job, slot: datetime, now: datetime, status: str = "running") -> bool:
    """Take (job, slot) for this process; False when another one has it."""
    t = schedule_runs
    led = ctx.ledger
    try:
        with led.transaction() as conn:
            # The lease runs from now, once the transaction has its turn: counted from
            # before a wait for another one, it could be written already run out, and
            # another watcher of the site would take the slot and make the report again.
            held = (led.owner, _time.time() + lease_seconds()) if status == "running" else (None, None)
            row = conn.execute(select(t).where(t.c.site == led.site, t.c.job == job.name,
                                               t.c.slot == slot)).first()
            if row is None:
                conn.execute(insert(t).values(site=led.site, job=job.name, slot=slot, report=job.report,
                                              status=status, claimed_at=now, owner=held[0],
                                              lease_until=held[1]))
                won = True
            elif row.status == "running" and may_take(row.owner, row.lease_until, led.owner):
                # Its holder is gone; the compare-and-set on the holder keeps a second taker out.
                same = t.c.owner.is_(None) if row.owner is None else t.c.owner == row.owner
                res = conn.execute(update(t).where(t.c.id == row.id, same)
                                   .values(claimed_at=now, owner=led.owner, lease_until=held[1]))
                won = res.rowcount == 1
            else:
                won = False
    except IntegrityError:  # another process inserted the same (site, job, slot) first
        return False
    if won and status == "running":
        led._heartbeat.start()
    return won


def _finish(ctx: Any, job: Job, slot: datetime, status: str, period: str, outputs: list[str], now: datetime) -> None:
    t = schedule_runs
    with ctx.ledger.transaction() as conn:
        conn.execute(update(t).where(t.c.site == ctx.ledger.site, t.c.job == job.name, t.c.slot == slot)
                     .values(status=status, period=period, finished_at=now, outputs=encode({"files": outputs}),
                             owner=None, lease_until=None))


def _ever_ran(ctx: Any, job: Job) -> bool:
    with ctx.ledger.engine.connect() as conn:
        t = schedule_runs
        query = select(t.c.id).where(t.c.site == ctx.ledger.site, t.c.job == job.name).limit(1)
        return conn.execute(query).first() is not None


def run_job(ctx: Any, job: Job, slot: datetime, now: datetime, settings: ScheduleFile) -> Outcome:
    """Produce the report of one claimed slot, as of the slot's own moment."""
    kind = report_kinds(ctx.ws.rules)[job.report]
    period = period_for_slot(kind, slot, job, _workdays(ctx, settings) if job.after_workday else None)
    if kind.runs is not None and not kind.runs(ctx, period):
        log.info("定时报表“%s”（%s）本期不出", job.name, period.label)
        _finish(ctx, job, slot, "skipped", period.label, [], now)
        return Outcome(job.name, slot, "skipped", [])
    try:
        report = produce(ctx, job.report, slot, period, settings, kind=f"schedule:{job.report}")
    except Exception:
        log.exception("定时报表“%s”（%s）生成失败", job.name, f"{slot:%Y-%m-%d %H:%M}")
        _finish(ctx, job, slot, "failed", period.label, [], now)
        return Outcome(job.name, slot, "failed", [])
    _finish(ctx, job, slot, "done", period.label, report.outputs, now)
    return Outcome(job.name, slot, "done", report.outputs)


def _workdays(ctx: Any, settings: ScheduleFile) -> WorkCalendar | None:
    """The workspace's working days, read only when a job follows them (``after_workday``).

    None when rules/calendar.yaml cannot be read: those jobs wait and the others run (the
    same file stops every register's processing, whose return says what is wrong in it).
    """
    if not any(j.after_workday for j in settings.jobs):
        return None
    try:
        return load_calendar(ctx.ws.rules)
    except RulesError as exc:
        log.warning("rules/calendar.yaml 有误，按工作日顺延的定时报表暂不出：%s", "；".join(exc.problems))
        return None


def run_due(ctx: Any, now: datetime, settings: ScheduleFile | None = None) -> list[Outcome]:
    """Run every job whose latest slot nobody has claimed yet (see the module docstring)."""
    settings = settings or load_schedule(ctx.ws.rules)
    out: list[Outcome] = []
    cal = _workdays(ctx, settings)
    for job in settings.jobs:
        if job.after_workday and cal is None:
            continue  # its day is unknown until calendar.yaml reads; it runs once it does
        slot = latest_slot(job, now, cal)
        fresh = now - slot <= timedelta(minutes=settings.stale_claim_minutes)
        if not fresh and not _ever_ran(ctx, job):
            if _claim(ctx, job, slot, now, status="skipped"):
                log.info("定时报表“%s”从下一次开始（%s 的一次不补做）", job.name, f"{slot:%Y-%m-%d %H:%M}")
                out.append(Outcome(job.name, slot, "skipped", []))
            continue
        if not _claim(ctx, job, slot, now):
            continue
        log.info("定时报表：生成“%s”（%s）", job.name, f"{slot:%Y-%m-%d %H:%M}")
        out.append(run_job(ctx, job, slot, now, settings))
    return out


def history(ctx: Any, limit: int = 50) -> list[dict[str, Any]]:
    """The most recent scheduled runs, newest first."""
    with ctx.ledger.engine.connect() as conn:
        rows = conn.execute(select(schedule_runs).where(schedule_runs.c.site == ctx.ledger.site).order_by(schedule_runs.c.slot.desc(), schedule_runs.c.id.desc())
                            .limit(limit))
        return [dict(r._mapping) for r in rows]


def _register(sched: schedule_lib.Scheduler, job: Job, wake: Callable[[], None]) -> None:
    h, m = job.hour_minute
    at = f"{h:02d}:{m:02d}"
    # The times in rules/schedule.yaml are Beijing time, whatever zone the machine is set to.
    if job.cadence == "weekly" and not job.after_workday:
        getattr(sched.every(), WEEKDAY_METHODS[job.weekday]).at(at, ZONE).do(wake)
    else:  # monthly and moved weekly jobs wake daily at their time; run_due knows which day is theirs
        sched.every().day.at(at, ZONE).do(wake)


def sweep_deadlines(ctx: Any, now: datetime) -> None:
    """Once a minute: the findings time alone has changed (a deadline passed, a complaint
    unresolved for 7 days) from the stored due times, with no file arriving; their notices
    are queued like a file's. A failure is logged and tried again at the next minute."""
    from .ruleset.hook import sweep

    try:
        found = sweep(ctx, now)
    except Exception:
        log.exception("到期检查出错（下一分钟再试）")
        return
    fresh = [f for f in found if f.state == "new"]
    if fresh:
        log.info("到期检查：%d 项新到期的问题", len(fresh))


def make_tick(ctx: Any, settings: ScheduleFile | None = None) -> Callable[[datetime], None]:
    """The watcher's ``tick(now)``: catch up at once, then run each job at its time.

    Raises RulesError at once for a bad rules/schedule.yaml.
    """
    settings = settings or load_schedule(ctx.ws.rules)
    sched = schedule_lib.Scheduler()
    state: dict[str, Any] = {"now": None, "due": True}

    def wake() -> None:
        state["due"] = True

    for job in settings.jobs:
        _register(sched, job, wake)
    sched.every(1).minutes.do(wake)

    def tick(now: datetime) -> None:
        sched.run_pending()
        if state["due"]:
            state["due"] = False
            sweep_deadlines(ctx, now)
            run_due(ctx, now, settings)

    return tick
