"""Small date helpers shared by the rules, and the deadline finding every rule builds."""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from ..model import Finding
from ..workcal import WorkCalendar, status
from .settings import Deadline, Window

# A deadline that is a date (整改期限, 到期日期) falls due at the last minute of that date.
DAY_END = time(23, 59)


@dataclass
class Ruleset:
    """What one pack's rules read from ``rules/``: its settings, and whatever its ``load``
    hook returned (a price list …), read as attributes: ``env.rules.prices``."""

    settings: Any
    extras: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        extras = self.__dict__.get("extras") or {}
        if name in extras:
            return extras[name]
        raise AttributeError(name)


@dataclass
class Env:
    """What every rule function needs besides its records: rules, calendar and --now."""

    rules: Ruleset
    cal: WorkCalendar
    now: datetime
    _due_cache: dict[tuple[Any, ...], datetime] = field(default_factory=dict)
    _spans: dict[int, timedelta] = field(default_factory=dict)
    _day_ends: dict[date, datetime] = field(default_factory=dict)
    # What a rule works out once per evaluation rather than once per record (its
    # settings looked up, its labels written), under a name of the rule's choosing.
    memo: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # "Due soon" this long before a deadline: a pack's ``sla`` settings may say.
        self.soon_minutes = getattr(getattr(self.rules.settings, "sla", None), "soon_minutes", 60)

    @property
    def settings(self) -> Any:
        return self.rules.settings

    @property
    def today(self) -> date:
        return self.now.date()

    def due(self, spec: Deadline, start: datetime) -> datetime:
        """When a deadline counted from ``start`` falls due (``until: day_end``: 23:59 of that day)."""
        if spec.clock == "calendar" and id(spec) in self._spans:  # the common case, inline
            hit = start + self._spans[id(spec)]
        else:
            hit = self._due(spec, start)
        if spec.until != "day_end":
            return hit
        day = hit.date()
        end = self._day_ends.get(day)  # 23:59 of a day: many deadlines of a big file share one
        if end is None:
            end = self._day_ends[day] = datetime.combine(day, DAY_END)
        return end

    def due_before(self, spec: Deadline, anchor: datetime) -> datetime:
        """The latest moment ``spec`` before ``anchor`` (a reminder 12 hours before an appointment).

        On the calendar clock it is plain subtraction; on the others, the latest start
        from which ``spec`` still reaches ``anchor`` (found by stepping back minute-wise
        from the calendar guess, which is never later than the answer).
        """
        span = self.cal.due("calendar", anchor, spec.amount, spec.unit) - anchor
        if spec.clock == "calendar":
            return anchor - span
        return _latest_start(lambda t: self._due(spec, t), anchor, anchor - span)

    def window(self, spec: Window, start: datetime, end: datetime | None = None) -> tuple[datetime, datetime]:
        """(opens, closes) of a window after ``start``, or at shares of ``start``..``end``."""
        if spec.is_fraction:
            if end is None:
                raise ValueError("a fraction window needs the interval's end")
            lo, hi = spec.share_from, spec.share_to
            if spec.clock == "business_hours":
                total = self.cal.business_minutes_between(start, end)
                return (self.cal.add_business_minutes(start, _share(total, lo)),
                        self.cal.add_business_minutes(start, _share(total, hi)))
            seconds = (end - start).total_seconds()
            return start + timedelta(seconds=_share(seconds, lo)), start + timedelta(seconds=_share(seconds, hi))
        opens = self.cal.due(spec.clock, start, spec.opens, spec.unit)  # type: ignore[arg-type]
        closes = self.cal.due(spec.clock, start, spec.closes, spec.unit)  # type: ignore[arg-type]
        if spec.whole_days:
            return datetime.combine(opens.date(), time.min), datetime.combine(closes.date(), DAY_END)
        return opens, closes

    def _due(self, spec: Deadline, start: datetime) -> datetime:
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


def _share(total: float | int, share: Any) -> int:
    """``share`` of ``total`` (seconds or minutes), rounded half up to a whole unit."""
    from decimal import ROUND_HALF_UP, Decimal

    return int((Decimal(str(total)) * Decimal(str(share))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _latest_start(due_of: Any, anchor: datetime, guess: datetime) -> datetime:
    """The latest minute t ≤ anchor with due_of(t) ≤ anchor, searching back from ``guess``."""
    lo = guess
    while due_of(lo) > anchor:  # working time shorter than calendar time: step back a day
        lo -= timedelta(days=1)
    hi = anchor
    lo_m, hi_m = 0, int((hi - lo).total_seconds() // 60)
    while lo_m < hi_m:  # binary search on minutes: due_of is monotone in its start
        mid = (lo_m + hi_m + 1) // 2
        if due_of(lo + timedelta(minutes=mid)) <= anchor:
            lo_m = mid
        else:
            hi_m = mid - 1
    return lo + timedelta(minutes=lo_m)


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


def prepaid_period_end(start: date, months: int) -> date:
    """The day before the same date ``months`` later: 2026-11-23 + 6 → 2027-05-22.

    When that month has no such date (08-31 + 6 → February), the period runs to the end
    of that month (2027-02-28): "the same date" has rolled over to 03-01.
    """
    same = add_months(start, months)
    if same.day < start.day:
        return same
    return same - timedelta(days=1)


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


_FMT_DT: dict[datetime, str] = {}  # naive moments written lately (a file's deadlines share many)


def fmt_dt(value: datetime | None) -> str:
    if not value:
        return ""
    if type(value) is not datetime or value.tzinfo is not None:
        return value.isoformat(" ", "minutes")  # ten times faster than strftime
    text = _FMT_DT.get(value)
    if text is None:
        if len(_FMT_DT) >= 4096:
            _FMT_DT.clear()
        text = _FMT_DT[value] = value.isoformat(" ", "minutes")
    return text


def fmt_date(value: date | None) -> str:
    return value.isoformat() if value else ""


_DURATIONS: dict[int, str] = {}  # a file's overdue deadlines share a few hundred spans


def duration_text(minutes: int) -> str:
    """1565 → '1天2小时5分钟' (staff read days and hours, not minute counts)."""
    minutes = int(minutes)
    text = _DURATIONS.get(minutes)
    if text is None:
        days, rest = divmod(minutes, 1440)
        hours, mins = divmod(rest, 60)
        parts = [f"{days}天" if days else "", f"{hours}小时" if hours else "", f"{mins}分钟" if mins else ""]
        text = "".join(parts) or "0分钟"
        if len(_DURATIONS) >= 4096:
            _DURATIONS.clear()
        _DURATIONS[minutes] = text
    return text


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
        self.values, self.notice, self.state, self.wake, self.woken = values, notice, "new", None, False
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
    if type(done) is not datetime and isinstance(done, date) and not isinstance(done, datetime):
        st, minutes = ("met", None) if done <= due.date() else ("late", (done - due.date()).days * 1440)
    else:
        st, minutes = status(due, done, env.now, env.soon_minutes)  # type: ignore[arg-type]
    if values is None:
        values = {"deadline": label, "start": start, "done": done}
    return DeadlineFinding((subject, label, done), rule, register, record, "info" if st == "met" else severity,
                           st, due, minutes, values, notice)


def track_window(
    env: Env,
    rule: str,
    register: str,
    record: str,
    subject: str,
    label: str,
    opens: datetime,
    closes: datetime,
    done: datetime | None,
    *,
    values: dict[str, Any] | None = None,
    notice: str | None = None,
    severity: str = "warning",
) -> Finding:
    """A finding for something to be done between ``opens`` and ``closes``.

    Done inside the window (ends included): met. Done before it opens: met, with
    ``early: True`` in the values (a follow-up call on day 1 is not a missed one, but
    the list shows it). Not done: pending, due soon or overdue against ``closes``;
    done after it: late.
    """
    early = done is not None and done < opens
    finding = track(env, rule, register, record, subject, label, closes, done, start=opens,
                    values=values, notice=notice, severity=severity)
    finding.values = {**finding.values, "opens": opens, "closes": closes, "early": early}
    return finding


_CUTOFFS: dict[tuple[date, str], tuple[datetime, datetime]] = {}


def after_cutoff(day_start: datetime, hhmm: str) -> datetime:
    """The cutoff time on the day of ``day_start``; from the cutoff on, the next day's."""
    key = (day_start.date(), hhmm)
    pair = _CUTOFFS.get(key)  # (that day's cutoff, the next day's): a file's repairs share few days
    if pair is None:
        if len(_CUTOFFS) >= 4096:
            _CUTOFFS.clear()
        cutoff = datetime.combine(key[0], time.fromisoformat(hhmm))
        pair = _CUTOFFS[key] = (cutoff, cutoff + timedelta(days=1))
    return pair[0] if day_start < pair[0] else pair[1]
