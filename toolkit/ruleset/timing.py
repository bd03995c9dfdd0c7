"""Small date helpers shared by the rules, and the deadline finding every rule builds."""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from ..model import Finding
from ..workcal import WorkCalendar, status
from .pricelist import PriceList
from .settings import Deadline, Settings

# A deadline that is a date (整改期限, 到期日期) falls due at the last minute of that date.
DAY_END = time(23, 59)


@dataclass
class Ruleset:
    """Everything the rules read from ``rules/``: the settings files and the price list."""

    settings: Settings
    prices: PriceList


@dataclass
class Env:
    """What every rule function needs besides its records: rules, calendar and --now."""

    rules: Ruleset
    cal: WorkCalendar
    now: datetime
    _due_cache: dict[tuple[Any, ...], datetime] = field(default_factory=dict)
    _spans: dict[int, timedelta] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.soon_minutes = self.rules.settings.sla.soon_minutes

    @property
    def settings(self) -> Settings:
        return self.rules.settings

    @property
    def today(self) -> date:
        return self.now.date()

    def due(self, spec: Deadline, start: datetime) -> datetime:
        if spec.clock == "calendar":
            # Plain elapsed time: the span is worked out once per deadline setting.
            span = self._spans.get(id(spec))
            if span is None:
                span = self._spans[id(spec)] = self.cal.due(spec.clock, start, spec.amount, spec.unit) - start
            return start + span
        # Working-day deadlines depend only on the start date, business-hour ones on the
        # start minute: cache them (100k repairs, many on the same days and times).
        key = (spec.clock, spec.amount, spec.unit, start.date() if spec.clock == "workdays" else start)
        hit = self._due_cache.get(key)
        if hit is None:
            hit = self._due_cache[key] = self.cal.due(spec.clock, start, spec.amount, spec.unit)
        return hit


def as_dt(value: Any) -> datetime | None:
    """A register value as a datetime; a bare date counts from 00:00 of that day."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return datetime.combine(value, time.min)
    return None


def as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def add_months(d: date, n: int) -> date:
    """The same day ``n`` months later, clamped to the month's end (01-31 + 1 → 02-28)."""
    month = d.month - 1 + n
    year, month = d.year + month // 12, month % 12 + 1
    return date(year, month, min(d.day, _calendar.monthrange(year, month)[1]))


def started_months(start: date, end: date) -> int:
    """Monthly periods from ``start`` needed to reach ``end``: a started month counts in full.

    Periods run start → same day next month. Reaching ``end`` means the period's end
    date is on or after ``end``, so 01-01..01-31 and 01-01..02-01 are both 1 month,
    01-15..02-16 is 2. ``end`` before ``start`` is 0.
    """
    if end < start:
        return 0
    n = 1
    while add_months(start, n) < end:
        n += 1
    return n


def fmt_dt(value: datetime | None) -> str:
    return value.isoformat(" ", "minutes") if value else ""  # ten times faster than strftime


def fmt_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def duration_text(minutes: int) -> str:
    """1565 → '1天2小时5分钟' (staff read days and hours, not minute counts)."""
    days, rest = divmod(int(minutes), 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}天" if days else "", f"{hours}小时" if hours else "", f"{mins}分钟" if mins else ""]
    return "".join(parts) or "0分钟"


OPEN_STATUSES = frozenset({"pending", "due_soon", "overdue", "open"})


class DeadlineFinding(Finding):
    """A deadline finding whose message is written when first read.

    A report judges thousands of deadlines and shows the words of a few; formatting
    every message up front was a quarter of the rules' time.
    """

    def __init__(self, words: tuple[str, str, datetime | date | None], rule: str, register: str, record: str,
                 severity: str, status: str, due: datetime, overdue_minutes: int | None,
                 values: dict[str, Any], notice: str | None) -> None:
        # Finding's fields, set here directly: this runs for every deadline of every record
        # (tests check that every field of Finding is set).
        self.rule, self.register, self.record, self.severity = rule, register, record, severity
        self.status, self.due, self.overdue_minutes = status, due, overdue_minutes
        self.values, self.notice, self.state = values, notice, "new"
        self._words: tuple[str, str, datetime | date | None] | None = words
        self._text = ""

    @property  # type: ignore[override]
    def message(self) -> str:
        if self._words is not None:
            self._text = _deadline_text(self, *self._words)
            self._words = None
        return self._text

    @message.setter
    def message(self, value: str) -> None:
        self._text, self._words = value, None


def _deadline_text(f: Finding, subject: str, label: str, done: datetime | date | None) -> str:
    due_text = fmt_dt(f.due)
    done_text = fmt_dt(done) if isinstance(done, datetime) else fmt_date(done)
    minutes = f.overdue_minutes or 0
    st = f.status
    if st == "met":
        text = f"{label}已按时完成（{done_text}，时限 {due_text}）"
    elif st == "late":
        text = f"{label}超时完成：时限 {due_text}，实际 {done_text}，超时{duration_text(minutes)}"
    elif st == "overdue":
        text = f"{label}已超时{duration_text(minutes)}（时限 {due_text}）"
    elif st == "due_soon":
        text = f"{label}即将到期，请于 {due_text} 前完成"
    else:
        text = f"{label}应于 {due_text} 前完成"
    return f"{subject}：{text}"


def track(
    env: Env,
    rule: str,
    register: str,
    record: str,
    subject: str,
    label: str,
    due: datetime,
    done: datetime | date | None,
    *,
    start: datetime | date | None = None,
    values: dict[str, Any] | None = None,
    notice: str | None = None,
    severity: str = "warning",
) -> Finding:
    """A deadline finding: met, late, pending, due soon or overdue, with its figures.

    ``done`` may be a bare date (审批日期, 押金退还日期): a date on or before the due date
    meets the deadline whatever the hour of ``due``; a later date is late by whole days.
    ``values`` replaces the default figures (rules whose values are a documented contract).
    """
    if isinstance(done, date) and not isinstance(done, datetime):
        st, minutes = ("met", None) if done <= due.date() else ("late", (done - due.date()).days * 1440)
    else:
        st, minutes = status(due, done, env.now, env.soon_minutes)  # type: ignore[arg-type]
    if values is None:
        values = {"deadline": label, "start": start, "done": done}
    return DeadlineFinding((subject, label, done), rule, register, record, "info" if st == "met" else severity,
                           st, due, minutes, values, notice)


def after_cutoff(day_start: datetime, hhmm: str) -> datetime:
    """The cutoff time on the day of ``day_start``; from the cutoff on, the next day's."""
    cutoff = datetime.combine(day_start.date(), time.fromisoformat(hhmm))
    return cutoff if day_start < cutoff else cutoff + timedelta(days=1)
