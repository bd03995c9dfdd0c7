"""Which reports exist, what period each covers, and the moment a period's report describes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ..ruleset.timing import add_months
from .daily import daily_due, daily_repairs
from .model import Report
from .monthly import monthly
from .parking import parking_roster
from .periods import Period, day_of, month_of, of_kind
from .settings import Job, ScheduleFile
from .source import Source
from .summary import property_status, weekly


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    period: str  # day, week, month
    build: Callable[[Source, Period], Report]


REPORTS: dict[str, Kind] = {k.name: k for k in [
    Kind("daily_due", "待办与逾期日报", "day", daily_due),
    Kind("daily_repairs", "未完工报修日报", "day", daily_repairs),
    Kind("weekly", "周报", "week", weekly),
    Kind("parking_roster", "停车月卡名单", "week", parking_roster),
    Kind("monthly", "特约服务与收费月报", "month", monthly),
    Kind("property_status", "物业管理状况月报", "month", property_status),
]}


def _at(d: date, job: Job) -> datetime:
    h, m = job.hour_minute
    return datetime.combine(d, time(h, m))


def period_for_slot(kind: Kind, slot: datetime) -> Period:
    """The period a run at ``slot`` reports on: its day or week, or the month just ended."""
    p = of_kind(kind.period, slot.date())
    return p.previous() if kind.period == "month" else p


def default_period(kind: Kind, now: datetime) -> Period:
    """On demand without a period: today, this week, or the month just ended (as the 1st would)."""
    return period_for_slot(kind, now)


def moment(kind: Kind, period: Period, schedule: ScheduleFile) -> datetime:
    """When the schedule produces ``period``'s report; the period's last minute if no job does."""
    job = schedule.job_for(kind.name)
    if job is None:
        return period.end_dt - timedelta(minutes=1)
    if kind.period == "month":
        return _at(add_months(period.start, 1).replace(day=job.day if isinstance(job.day, int) else 1), job)
    if kind.period == "week" and job.weekday is not None:
        return _at(period.start + timedelta(days=job.weekday), job)
    if kind.period == "week":
        return _at(period.end, job)
    return _at(period.start, job)


__all__ = ["Kind", "REPORTS", "day_of", "month_of", "default_period", "moment", "period_for_slot"]
