"""Which reports exist, what period each covers, and the moment a period's report describes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from ..ruleset.timing import add_months
from ..workcal import WorkCalendar
from .model import Report
from .periods import Period, day_of, month_of, of_kind
from .settings import Job, ScheduleFile


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    period: str  # day, week, month
    build: Callable[[Any, Period], Report]  # (reports.source.Source, period) → Report
    across_sites: bool = False  # head office may ask for it over every site (--all-sites)
    # Whether the schedule makes this period's report: ``runs(ctx, period)`` (None: always).
    # A report whose cadence changes over time (weekly in a first half-year, monthly after)
    # is two kinds, each running in its own stretch. On demand a report is always made.
    runs: Callable[[Any, Period], bool] | None = None
    # The schedule reports the period just ended rather than the one its run falls in (a
    # weekly report run on Monday morning covers the Monday to Sunday before). Months always do.
    ended: bool = False


def report_kinds(rules_dir: Path) -> dict[str, Kind]:
    """Every report the workspace's packs declare, by name."""
    from ..packs import workspace_packs

    return {k.name: k for p in workspace_packs(rules_dir) for k in p.reports}


def _at(d: date, job: Job) -> datetime:
    h, m = job.hour_minute
    return datetime.combine(d, time(h, m))


def period_for_slot(kind: Kind, slot: datetime, job: Job | None = None, cal: WorkCalendar | None = None) -> Period:
    """The period a run at ``slot`` reports on: its day or week (the one just ended for a
    kind that says ``ended``), or the month just ended — for a ``job`` whose run was moved
    past the month's end (``after_workday``), the month before its day's; for a weekly
    one, the week whose run it is (``cal``: the workspace's working days)."""
    if kind.period == "week" and job is not None and job.after_workday and job.cadence == "weekly":
        return _week_run_at(job, slot.date(), cal)
    p = of_kind(kind.period, slot.date())
    if kind.period == "month" and job is not None and job.after_workday and slot.day <= int(job.day or 1):
        p = p.previous()  # a run moved forward always lands after its day in its own month
    return p.previous() if kind.period == "month" or kind.ended else p


def _week_run_at(job: Job, day: date, cal: WorkCalendar | None) -> Period:
    """The week a moved weekly job's run on ``day`` reports on. When a long holiday moves
    two weeks' deadlines to the same day (Spring Festival), the earlier week, the one with
    working days in it: one run is one report."""
    monday = day - timedelta(days=day.weekday())
    weeks = [monday - timedelta(weeks=back) for back in range(5, 0, -1)]
    start = next((w for w in weeks if job.week_run_day(w, cal) == day), monday - timedelta(weeks=1))
    return of_kind("week", start)


def default_period(kind: Kind, now: datetime) -> Period:
    """On demand without a period: the one a scheduled run at ``now`` would report on."""
    return period_for_slot(kind, now)


def moment(kind: Kind, period: Period, schedule: ScheduleFile, cal: WorkCalendar | None = None) -> datetime:
    """When the schedule produces ``period``'s report; the period's last minute if no job does.

    ``cal``: the workspace's working days, for a monthly job that follows them (``after_workday``).
    """
    job = schedule.job_for(kind.name)
    if job is None:
        return period.end_dt - timedelta(minutes=1)
    if kind.period == "month":
        run = add_months(period.start, 1)
        if job.cadence != "monthly":  # a month's report run daily or weekly: as of the 1st
            return _at(run, job)
        return _at(job.run_day(run.year, run.month, cal), job)
    if kind.period == "week" and job.cadence == "weekly" and job.after_workday:
        return _at(job.week_run_day(period.start, cal), job)
    if kind.ended:  # run in the next day or week
        period = of_kind(kind.period, period.end + timedelta(days=1))
    if kind.period == "week" and job.weekday is not None:
        return _at(period.start + timedelta(days=job.weekday), job)
    if kind.period == "week":
        return _at(period.end, job)
    return _at(period.start, job)


__all__ = ["Kind", "report_kinds", "day_of", "month_of", "default_period", "moment", "period_for_slot"]
