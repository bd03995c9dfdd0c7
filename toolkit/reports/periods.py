"""Report periods: a day, an ISO week or a month, parsed from the CLI or derived from a slot."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ..ruleset.timing import add_months


@dataclass(frozen=True)
class Period:
    kind: str  # day, week, month
    start: date
    end: date  # inclusive

    @property
    def label(self) -> str:
        if self.kind == "week":
            y, w, _ = self.start.isocalendar()
            return f"{y}-W{w:02d}"
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        return self.start.isoformat()

    @property
    def name(self) -> str:
        """The period in file names and chart titles: 2026年第48周, 2026年11月, 2026-11-26."""
        if self.kind == "week":
            y, w, _ = self.start.isocalendar()
            return f"{y}年第{w}周"
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        return self.start.isoformat()

    @property
    def zh(self) -> str:
        """How staff read the period: 2026年第48周（11-23至11-29）."""
        if self.kind == "week":
            y, w, _ = self.start.isocalendar()
            return f"{y}年第{w}周（{self.start:%m-%d}至{self.end:%m-%d}）"
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start.year}年{self.start.month}月{self.start.day}日"

    @property
    def start_dt(self) -> datetime:
        return datetime.combine(self.start, time.min)

    @property
    def end_dt(self) -> datetime:
        """Exclusive end: 00:00 of the day after the period."""
        return datetime.combine(self.end + timedelta(days=1), time.min)

    def contains(self, value: date | datetime | None) -> bool:
        if value is None:
            return False
        d = value.date() if isinstance(value, datetime) else value
        return self.start <= d <= self.end

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def previous(self) -> Period:
        if self.kind == "month":
            return month_of(add_months(self.start, -1))
        span = (self.end - self.start).days + 1
        return Period(self.kind, self.start - timedelta(days=span), self.end - timedelta(days=span))


def day_of(d: date) -> Period:
    return Period("day", d, d)


def week_of(d: date) -> Period:
    start = d - timedelta(days=d.weekday())
    return Period("week", start, start + timedelta(days=6))


def month_of(d: date) -> Period:
    start = d.replace(day=1)
    return Period("month", start, add_months(start, 1) - timedelta(days=1))


def of_kind(kind: str, d: date) -> Period:
    return {"day": day_of, "week": week_of, "month": month_of}[kind](d)


_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.I)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_week(text: str) -> Period:
    m = _WEEK.match(text.strip())
    if not m:
        raise ValueError(f"周请写成 2026-W48 的格式：{text!r}")
    try:
        return week_of(date.fromisocalendar(int(m[1]), int(m[2]), 1))
    except ValueError:
        raise ValueError(f"没有这一周：{text!r}") from None


def parse_month(text: str) -> Period:
    m = _MONTH.match(text.strip())
    if not m or not 1 <= int(m[2]) <= 12:
        raise ValueError(f"月份请写成 2026-11 的格式：{text!r}")
    return month_of(date(int(m[1]), int(m[2]), 1))


def parse_day(text: str) -> Period:
    try:
        return day_of(date.fromisoformat(text.strip()))
    except ValueError:
        raise ValueError(f"日期请写成 2026-11-24 的格式：{text!r}") from None
