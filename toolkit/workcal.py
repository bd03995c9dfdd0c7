"""The clocks deadline rules run on (SPEC §5): calendar time, working days, business hours.

All datetimes are naive Asia/Shanghai wall-clock times.

Working days come from, in order:
1. the manager's overrides in ``rules/calendar.yaml`` (``holidays`` / ``workdays``);
2. the ``chinese_calendar`` package for the years it knows (statutory holidays and the
   make-up weekend working days, e.g. Saturday 2026-10-10);
3. a fallback for years the package does not know: Monday–Friday are working days,
   except the statutory holidays the law fixes by date (元旦 1 January, 劳动节 1–2 May,
   国庆节 1–3 October; 《全国年节及纪念日放假办法》 as revised in 2024) — those are off
   whatever the State Council's yearly arrangement adds. Every date decided by the
   fallback is recorded in ``WorkCalendar.fallback_dates`` so the run summary can say so
   (``WorkCalendar.fallback_note()``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import chinese_calendar
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from .rulesfile import load_yaml_model

CALENDAR_FILE = "calendar.yaml"

Clock = Literal["calendar", "workdays", "business_hours"]
Unit = Literal["minutes", "hours", "days"]

# Which units each clock accepts. "workdays" counts whole days only; a "business day" of
# business hours is deliberately not offered (write it as 1 working day instead).
CLOCK_UNITS: dict[str, frozenset[str]] = {
    "calendar": frozenset({"minutes", "hours", "days"}),
    "workdays": frozenset({"days"}),
    "business_hours": frozenset({"minutes", "hours"}),
}

# Safety net: no configuration should leave ten years without a working day.
_MAX_SCAN_DAYS = 3660

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _conflict(title: str, items: list[tuple[tuple[Any, ...], str, Any]]) -> ValidationError:
    """A ValidationError whose locations point at list entries, so the YAML line is found."""
    details: list[InitErrorDetails] = [
        {"type": PydanticCustomError("conflict", msg), "loc": loc, "input": value}
        for loc, msg, value in items
    ]
    return ValidationError.from_exception_data(title, details)


class Window(_Strict):
    """One business-hours window on a working day, e.g. 08:30–12:00."""

    start: str
    end: str

    @field_validator("start", "end", mode="before")
    @classmethod
    def _hhmm(cls, v: Any) -> str:
        # Unquoted 13:30 is read by YAML as the number 810 (base 60), so insist on quotes.
        if not isinstance(v, str):
            raise ValueError('时间请写成带引号的 "HH:MM"，例如 "13:30"')
        v = v.strip()
        if not _HHMM.match(v):
            raise ValueError(f"“{v}”不是有效的时间，应为 HH:MM（00:00–23:59）")
        return v

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.start >= self.end:
            raise ValueError(f"开始时间 {self.start} 必须早于结束时间 {self.end}")
        return self

    @property
    def start_time(self) -> time:
        return time.fromisoformat(self.start)

    @property
    def end_time(self) -> time:
        return time.fromisoformat(self.end)


class DayEntry(_Strict):
    """A dated override: an extra holiday or an extra (make-up) working day."""

    date: date
    name: str = Field(min_length=1)

    @field_validator("date", mode="before")
    @classmethod
    def _only_dates(cls, v: Any) -> Any:
        # pydantic would read a bare number as a Unix timestamp; a manager never means that.
        if isinstance(v, bool | int | float):
            raise ValueError("日期应写成 YYYY-MM-DD，例如 2026-10-10")
        return v


def _default_hours() -> list[Window]:
    return [Window(start="08:30", end="12:00"), Window(start="13:30", end="17:30")]


class CalendarSettings(_Strict):
    """Contents of ``rules/calendar.yaml``."""

    business_hours: list[Window] = Field(default_factory=_default_hours, min_length=1)
    holidays: list[DayEntry] = Field(default_factory=list)
    workdays: list[DayEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> CalendarSettings:
        problems: list[tuple[tuple[Any, ...], str, Any]] = []
        for i in range(1, len(self.business_hours)):
            prev, cur = self.business_hours[i - 1], self.business_hours[i]
            if cur.start < prev.end:
                problems.append(
                    (
                        ("business_hours", i),
                        f"时段 {cur.start}–{cur.end} 与上一时段 {prev.start}–{prev.end} "
                        "重叠或顺序颠倒（各时段须按时间先后排列且互不重叠）",
                        cur.start,
                    )
                )
        for kind in ("holidays", "workdays"):
            first: dict[date, int] = {}
            for i, entry in enumerate(getattr(self, kind)):
                if entry.date in first:
                    problems.append(
                        (
                            (kind, i, "date"),
                            f"{entry.date} 重复（已在 {kind}[{first[entry.date]}] 出现）",
                            str(entry.date),
                        )
                    )
                else:
                    first[entry.date] = i
        holiday_at = {e.date: i for i, e in enumerate(self.holidays)}
        for i, entry in enumerate(self.workdays):
            if entry.date in holiday_at:
                problems.append(
                    (
                        ("workdays", i, "date"),
                        f"{entry.date}（{entry.name}）同时出现在 holidays[{holiday_at[entry.date]}]"
                        " 和 workdays 中，一天只能是其中之一",
                        str(entry.date),
                    )
                )
        if problems:
            raise _conflict("CalendarSettings", problems)
        return self


def load_calendar(rules_dir: Path) -> WorkCalendar:
    """Read ``<rules_dir>/calendar.yaml``; a missing file means the defaults.

    Raises RulesError (file, line, entry) when the file is malformed.
    """
    path = Path(rules_dir) / CALENDAR_FILE
    if not path.exists():
        return WorkCalendar(CalendarSettings())
    return WorkCalendar(load_yaml_model(path, CalendarSettings))


def _naive(dt: datetime) -> datetime:
    if dt.tzinfo is not None:
        raise ValueError("workcal expects naive Asia/Shanghai wall-clock datetimes")
    return dt


# Holidays the law fixes by date (month, day): off in every year, published or not.
FIXED_HOLIDAYS = {(1, 1): "元旦", (5, 1): "劳动节", (5, 2): "劳动节",
                  (10, 1): "国庆节", (10, 2): "国庆节", (10, 3): "国庆节"}


@lru_cache(maxsize=4096)
def _published_workday(d: date) -> bool | None:
    """chinese_calendar's answer for ``d``; None when its year is not published.
    The same for the whole process, so every calendar shares it."""
    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:
        return None


class WorkCalendar:
    """Working days and business hours, with the manager's overrides applied."""

    def __init__(self, settings: CalendarSettings | None = None):
        self.settings = settings or CalendarSettings()
        self._holidays = {e.date: e.name for e in self.settings.holidays}
        self._workdays = {e.date: e.name for e in self.settings.workdays}
        self._windows = [(w.start_time, w.end_time) for w in self.settings.business_hours]
        self._cache: dict[date, bool] = {}
        self._day_windows: dict[date, list[tuple[datetime, datetime]]] = {}
        # Dates whose status came from the weekends-only fallback (library had no data).
        self.fallback_dates: set[date] = set()

    # ---- working days -------------------------------------------------------------------

    def is_workday(self, d: date) -> bool:
        """Overrides first, then chinese_calendar, else Monday–Friday (recorded as fallback)."""
        if isinstance(d, datetime):
            d = d.date()
        cached = self._cache.get(d)
        if cached is not None:
            return cached
        if d in self._holidays:
            result = False
        elif d in self._workdays:
            result = True
        else:
            published = _published_workday(d)
            if published is None:
                # Year not published in the installed package: weekends and the
                # holidays fixed by date (the lunar ones and make-up days are unknown).
                published = d.weekday() < 5 and (d.month, d.day) not in FIXED_HOLIDAYS
                self.fallback_dates.add(d)
            result = published
        self._cache[d] = result
        return result

    def day_off_kind(self, d: date) -> str:
        """What staff call a day that is not a working day: 法定节假日 for a statutory
        holiday (National Day's 10-05, a Monday, is not a mere 休息日), else 休息日."""
        if isinstance(d, datetime):
            d = d.date()
        published = _published_workday(d)
        if published is None:
            statutory = (d.month, d.day) in FIXED_HOLIDAYS
        else:
            statutory = chinese_calendar.get_holiday_detail(d)[1] is not None
        return "法定节假日" if statutory and not self.is_workday(d) else "休息日"

    @property
    def fallback_years(self) -> set[int]:
        return {d.year for d in self.fallback_dates}

    def fallback_note(self) -> str | None:
        """Staff-facing line for the run summary, or None when no date used the fallback."""
        if not self.fallback_dates:
            return None
        years = "、".join(f"{y}年" for y in sorted(self.fallback_years))
        dates = sorted(self.fallback_dates)
        shown = "、".join(d.isoformat() for d in dates[:10])
        more = f" 等{len(dates)}天" if len(dates) > 10 else ""
        return (
            f"注意：{years}的法定节假日尚未收录，以下日期按“周六、周日及元旦、劳动节、国庆节法定日期休息 + "
            f"rules/{CALENDAR_FILE} 中的调整”计算：{shown}{more}。"
            f"国务院公布放假安排后，请在 rules/{CALENDAR_FILE} 中补录。"
        )

    def _days_after(self, d: date) -> Iterator[date]:
        for i in range(1, _MAX_SCAN_DAYS + 1):
            yield d + timedelta(days=i)
        raise RuntimeError(f"{_MAX_SCAN_DAYS} 天内没有任何工作日，请检查 rules/{CALENDAR_FILE}")

    def next_workday(self, d: date) -> date:
        """The first working day strictly after the date ``d`` (a datetime counts as its date)."""
        if isinstance(d, datetime):
            d = d.date()
        for day in self._days_after(d):
            if self.is_workday(day):
                return day
        raise AssertionError("unreachable")

    def close_of_business(self, d: date) -> datetime:
        """End of the last business-hours window on ``d`` (17:30 by default)."""
        return datetime.combine(d, self._windows[-1][1])

    def add_workdays(self, start: datetime, n: int) -> datetime:
        """Deadline "within n working days of ``start``".

        due = close of business (end of the last window, 17:30 by default) of the n-th
        working day strictly after the *date* of ``start``. The time of day of ``start``
        does not matter, nor whether ``start`` itself is a working day: a complaint taken
        on Wednesday 09:00 or 20:00 with 1 working day is due Thursday 17:30; one taken on
        Saturday is due Monday 17:30 (the 1st working day after Saturday).
        n == 0 means close of business the same day if that is a working day, otherwise
        of the next working day.
        """
        _naive(start)
        if n < 0:
            raise ValueError("n must be >= 0")
        day = start.date()
        if n == 0:
            if not self.is_workday(day):
                day = self.next_workday(day)
        for _ in range(n):
            day = self.next_workday(day)
        return self.close_of_business(day)

    def end_of_next_workday(self, t: datetime) -> datetime:
        """Repair callback: "by the end of the next working day after 完成时间" = add_workdays(t, 1)."""
        return self.add_workdays(t, 1)

    # ---- business hours -----------------------------------------------------------------

    def _windows_on(self, d: date) -> list[tuple[datetime, datetime]]:
        # Business-hour deadlines of a day's complaints all look at the same few days.
        hit = self._day_windows.get(d)
        if hit is None:
            hit = self._day_windows[d] = (
                [(datetime.combine(d, s), datetime.combine(d, e)) for s, e in self._windows]
                if self.is_workday(d) else [])
        return hit

    def add_business_minutes(self, start: datetime, minutes: int) -> datetime:
        """The earliest moment by which ``minutes`` minutes of business time have passed.

        Only time inside the windows on working days counts; a start outside business
        hours (evening, lunch break, holiday) begins counting at the next window opening.
        A deadline that uses up a window exactly ends at that window's close (e.g. 3.5 h
        from 08:30 is 12:00, not 13:30). ``minutes == 0`` returns ``start`` unchanged.
        """
        _naive(start)
        if minutes < 0:
            raise ValueError("minutes must be >= 0")
        if minutes == 0:
            return start
        remaining = timedelta(minutes=minutes)
        day = start.date()
        days = self._days_after(day)
        while True:
            for ws, we in self._windows_on(day):
                if we <= start:
                    continue
                begin = max(ws, start)
                available = we - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            day = next(days)

    def business_minutes_between(self, a: datetime, b: datetime) -> int:
        """Whole business minutes (rounded down) from ``a`` to ``b``; negative if ``b < a``."""
        _naive(a)
        _naive(b)
        if b < a:
            return -self.business_minutes_between(b, a)
        total = timedelta(0)
        day = a.date()
        while day <= b.date():
            for ws, we in self._windows_on(day):
                overlap = min(we, b) - max(ws, a)
                if overlap > timedelta(0):
                    total += overlap
            day += timedelta(days=1)
        return int(total.total_seconds() // 60)

    # ---- calendar time ------------------------------------------------------------------

    @staticmethod
    def add_calendar(start: datetime, minutes: int = 0, hours: int = 0, days: int = 0) -> datetime:
        """Plain elapsed time: nights, weekends and holidays all count."""
        return _naive(start) + timedelta(days=days, hours=hours, minutes=minutes)

    # ---- one entry point for rules ------------------------------------------------------

    def due(self, clock: Clock, start: datetime, amount: int, unit: Unit) -> datetime:
        """Deadline for ``amount`` ``unit`` on ``clock`` from ``start``.

        * ``calendar`` (minutes/hours/days): ``start`` + elapsed time; negative amounts
          allowed (e.g. a reminder 1 day before an appointment).
        * ``workdays`` (days only): :meth:`add_workdays` — close of business of the n-th
          working day after the date of ``start``.
        * ``business_hours`` (minutes/hours): :meth:`add_business_minutes`.
        Unsupported combinations raise ValueError; rule loaders can check ``CLOCK_UNITS``.
        """
        if clock not in CLOCK_UNITS:
            raise ValueError(f"unknown clock {clock!r}")
        if unit not in CLOCK_UNITS[clock]:
            raise ValueError(f"clock {clock!r} does not take unit {unit!r}")
        if clock == "calendar":
            return self.add_calendar(start, **{unit: amount})
        if clock == "workdays":
            return self.add_workdays(start, amount)
        return self.add_business_minutes(start, amount * 60 if unit == "hours" else amount)


Status = Literal["met", "late", "pending", "due_soon", "overdue"]


def _minutes_after(later: datetime, earlier: datetime) -> int:
    # Any part of a minute counts: 10 seconds late is reported as 1 minute late.
    return math.ceil((later - earlier).total_seconds() / 60)


def status(
    due: datetime, done: datetime | None, now: datetime, soon_minutes: int = 60
) -> tuple[Status, int | None]:
    """Where a deadline stands at ``now``.

    * done given: ``("met", None)`` if done <= due, else ``("late", minutes late)``.
    * not done: ``("overdue", minutes)`` only when now > due — a deadline equal to now is
      not yet overdue; ``("due_soon", None)`` when due - soon_minutes <= now <= due;
      otherwise ``("pending", None)``.
    Minutes are elapsed (calendar) minutes, rounded up.
    """
    if done is not None:
        if done <= due:
            return "met", None
        return "late", _minutes_after(done, due)
    if now > due:
        return "overdue", _minutes_after(now, due)
    if now >= due - timedelta(minutes=soon_minutes):
        return "due_soon", None
    return "pending", None
