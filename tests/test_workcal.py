"""Working-day and business-hours clocks (SPEC §5).

Every expected value below is worked out by hand from the published 2026 arrangement
(as reported by chinese_calendar 1.11):
  Mid-Autumn  2026-09-25 (Fri) – 09-27 (Sun) off; make-up working day Sun 2026-09-20.
  National Day 2026-10-01 (Thu) – 10-07 (Wed) off; make-up working day Sat 2026-10-10.
  2027 is not known to the package -> weekends-only fallback plus overrides.
Default business hours: 08:30–12:00 (210 min) and 13:30–17:30 (240 min).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from toolkit.rulesfile import RulesError
from toolkit.workcal import CalendarSettings, WorkCalendar, load_calendar, status

REPO_RULES = Path(__file__).resolve().parents[1] / "rules"


def dt(s: str) -> datetime:
    return datetime.fromisoformat(s)


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar(CalendarSettings())


def write_calendar(tmp_path: Path, text: str) -> Path:
    (tmp_path / "calendar.yaml").write_text(text, encoding="utf-8")
    return tmp_path


# ---- working days -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, expected",
    [
        (date(2026, 9, 20), True),  # Sunday, make-up working day for the holidays
        (date(2026, 9, 24), True),  # ordinary Thursday
        (date(2026, 9, 25), False),  # Friday, Mid-Autumn
        (date(2026, 9, 27), False),  # Sunday, Mid-Autumn
        (date(2026, 10, 1), False),  # Thursday, National Day
        (date(2026, 10, 5), False),  # Monday inside the National Day break
        (date(2026, 10, 7), False),  # Wednesday, last day of the break
        (date(2026, 10, 8), True),  # Thursday, first day back
        (date(2026, 10, 10), True),  # Saturday, make-up working day
        (date(2026, 10, 11), False),  # ordinary Sunday
    ],
)
def test_is_workday_2026_autumn(cal: WorkCalendar, day: date, expected: bool) -> None:
    assert cal.is_workday(day) is expected
    assert cal.fallback_dates == set()  # 2026 is known to the package


def test_next_workday(cal: WorkCalendar) -> None:
    # Wed 09-30 -> Oct 1–7 off -> Thu 10-08.
    assert cal.next_workday(date(2026, 9, 30)) == date(2026, 10, 8)
    # Fri 10-09 -> Sat 10-10 is a make-up working day.
    assert cal.next_workday(date(2026, 10, 9)) == date(2026, 10, 10)
    # A datetime counts as its date: Sat 10-10 -> Sun 10-11 off -> Mon 10-12.
    assert cal.next_workday(dt("2026-10-10 09:00")) == date(2026, 10, 12)


def test_add_workdays_across_national_day(cal: WorkCalendar) -> None:
    # Wed 09-30 15:00 + 1: next working day after 09-30 is Thu 10-08 (Oct 1–7 off); close 17:30.
    assert cal.add_workdays(dt("2026-09-30 15:00"), 1) == dt("2026-10-08 17:30")
    # + 2: 10-08 (1st), Fri 10-09 (2nd).
    assert cal.add_workdays(dt("2026-09-30 15:00"), 2) == dt("2026-10-09 17:30")
    # Taken on a holiday (Sat 10-03): 1st working day after it is Thu 10-08.
    assert cal.add_workdays(dt("2026-10-03 12:00"), 1) == dt("2026-10-08 17:30")


def test_add_workdays_across_mid_autumn(cal: WorkCalendar) -> None:
    # Thu 09-24 + 2: Fri–Sun 09-25..27 off, Mon 09-28 (1st), Tue 09-29 (2nd).
    assert cal.add_workdays(dt("2026-09-24 09:00"), 2) == dt("2026-09-29 17:30")
    # Sat 09-19 (ordinary weekend) + 1: Sun 09-20 is a make-up working day.
    assert cal.add_workdays(dt("2026-09-19 10:00"), 1) == dt("2026-09-20 17:30")


def test_make_up_saturday(cal: WorkCalendar) -> None:
    assert cal.is_workday(date(2026, 10, 10)) is True
    # Fri 10-09 + 1 working day: Sat 10-10 works -> due Sat 17:30.
    assert cal.add_workdays(dt("2026-10-09 11:00"), 1) == dt("2026-10-10 17:30")
    # From the make-up Saturday itself: Sun 10-11 off -> Mon 10-12.
    assert cal.add_workdays(dt("2026-10-10 09:00"), 1) == dt("2026-10-12 17:30")


def test_add_workdays_time_of_day_does_not_matter(cal: WorkCalendar) -> None:
    # Wed 10-14 early or late, +1 -> Thu 10-15 close of business.
    assert cal.add_workdays(dt("2026-10-14 07:00"), 1) == dt("2026-10-15 17:30")
    assert cal.add_workdays(dt("2026-10-14 20:00"), 1) == dt("2026-10-15 17:30")


def test_add_workdays_zero(cal: WorkCalendar) -> None:
    # Working day -> close of that day.
    assert cal.add_workdays(dt("2026-10-14 09:00"), 0) == dt("2026-10-14 17:30")
    # Holiday 10-03 -> close of the next working day 10-08.
    assert cal.add_workdays(dt("2026-10-03 09:00"), 0) == dt("2026-10-08 17:30")
    with pytest.raises(ValueError):
        cal.add_workdays(dt("2026-10-14 09:00"), -1)


def test_end_of_next_workday(cal: WorkCalendar) -> None:
    # Repair finished Wed 09-30 16:00 -> callback by Thu 10-08 17:30 (holiday in between).
    assert cal.end_of_next_workday(dt("2026-09-30 16:00")) == dt("2026-10-08 17:30")
    # Finished Fri 10-09 23:59 -> Sat 10-10 is a working day -> 10-10 17:30.
    assert cal.end_of_next_workday(dt("2026-10-09 23:59")) == dt("2026-10-10 17:30")
    # Finished Tue 10-13 10:00 -> Wed 10-14 17:30.
    assert cal.end_of_next_workday(dt("2026-10-13 10:00")) == dt("2026-10-14 17:30")


# ---- business hours ---------------------------------------------------------------------


def test_business_hours_lunch_break(cal: WorkCalendar) -> None:
    # Wed 10-14 10:00 + 240 min: 10:00–12:00 = 120, 120 left -> 13:30 + 120 = 15:30.
    assert cal.add_business_minutes(dt("2026-10-14 10:00"), 240) == dt("2026-10-14 15:30")
    assert cal.due("business_hours", dt("2026-10-14 10:00"), 4, "hours") == dt("2026-10-14 15:30")


def test_business_hours_roll_to_next_day(cal: WorkCalendar) -> None:
    # Wed 10-14 16:30 + 240: 16:30–17:30 = 60, 180 left -> Thu 08:30 + 180 = 11:30.
    assert cal.due("business_hours", dt("2026-10-14 16:30"), 4, "hours") == dt("2026-10-15 11:30")


def test_business_hours_start_on_holiday(cal: WorkCalendar) -> None:
    # Sat 10-03 (holiday) 10:00 + 240: counting starts Thu 10-08 08:30;
    # morning 210, 30 left -> 13:30 + 30 = 14:00.
    assert cal.add_business_minutes(dt("2026-10-03 10:00"), 240) == dt("2026-10-08 14:00")


def test_business_hours_onto_make_up_saturday(cal: WorkCalendar) -> None:
    # Fri 10-09 16:00 + 240: 16:00–17:30 = 90, 150 left -> Sat 10-10 08:30 + 150 = 11:00.
    assert cal.add_business_minutes(dt("2026-10-09 16:00"), 240) == dt("2026-10-10 11:00")


def test_business_hours_edges(cal: WorkCalendar) -> None:
    # Before opening: 07:00 + 10 -> 08:30 + 10 = 08:40.
    assert cal.add_business_minutes(dt("2026-10-14 07:00"), 10) == dt("2026-10-14 08:40")
    # During lunch: 12:30 + 30 -> 13:30 + 30 = 14:00.
    assert cal.add_business_minutes(dt("2026-10-14 12:30"), 30) == dt("2026-10-14 14:00")
    # Exactly the morning window: 08:30 + 210 ends at 12:00, not at 13:30.
    assert cal.add_business_minutes(dt("2026-10-14 08:30"), 210) == dt("2026-10-14 12:00")
    # After closing: 18:00 + 60 -> Thu 08:30 + 60 = 09:30.
    assert cal.add_business_minutes(dt("2026-10-14 18:00"), 60) == dt("2026-10-15 09:30")
    # Zero minutes: no time allowed, the start itself.
    assert cal.add_business_minutes(dt("2026-10-14 20:00"), 0) == dt("2026-10-14 20:00")
    with pytest.raises(ValueError):
        cal.add_business_minutes(dt("2026-10-14 10:00"), -1)


def test_business_minutes_between(cal: WorkCalendar) -> None:
    # Wed 10:00 -> Thu 11:30: 120 (to 12:00) + 240 (afternoon) + 180 (Thu 08:30–11:30) = 540.
    a, b = dt("2026-10-14 10:00"), dt("2026-10-15 11:30")
    assert cal.business_minutes_between(a, b) == 540
    assert cal.business_minutes_between(b, a) == -540
    # Across National Day: 09-30 17:00–17:30 = 30, 10-08 08:30–09:00 = 30 -> 60.
    assert cal.business_minutes_between(dt("2026-09-30 17:00"), dt("2026-10-08 09:00")) == 60
    # Lunch break only: 0.
    assert cal.business_minutes_between(dt("2026-10-14 12:00"), dt("2026-10-14 13:30")) == 0


# ---- calendar clock and due() -----------------------------------------------------------


def test_calendar_clock(cal: WorkCalendar) -> None:
    # 09-30 + 15 days: September has 30 days -> 10-15, same time; holidays count.
    assert cal.due("calendar", dt("2026-09-30 15:00"), 15, "days") == dt("2026-10-15 15:00")
    # 23:55 + 10 min crosses midnight on a holiday -> 00:05 next day.
    assert cal.due("calendar", dt("2026-10-01 23:55"), 10, "minutes") == dt("2026-10-02 00:05")
    # 22:00 + 4 h -> 02:00 on New Year's Day.
    assert cal.due("calendar", dt("2026-12-31 22:00"), 4, "hours") == dt("2027-01-01 02:00")
    # A day before an appointment.
    assert cal.due("calendar", dt("2026-10-14 09:00"), -1, "days") == dt("2026-10-13 09:00")
    assert cal.add_calendar(dt("2026-10-14 09:00"), hours=1, minutes=30) == dt("2026-10-14 10:30")


def test_due_workdays_and_bad_units(cal: WorkCalendar) -> None:
    # Same as add_workdays: 09-30 + 1 working day -> 10-08 17:30.
    assert cal.due("workdays", dt("2026-09-30 15:00"), 1, "days") == dt("2026-10-08 17:30")
    with pytest.raises(ValueError):
        cal.due("workdays", dt("2026-09-30 15:00"), 4, "hours")
    with pytest.raises(ValueError):
        cal.due("business_hours", dt("2026-09-30 15:00"), 1, "days")
    with pytest.raises(ValueError):
        cal.due("fortnights", dt("2026-09-30 15:00"), 1, "days")  # type: ignore[arg-type]


# ---- year end and the fallback ----------------------------------------------------------


def test_year_end_fallback_without_override(tmp_path: Path) -> None:
    cal = load_calendar(tmp_path)  # no calendar.yaml -> defaults, no overrides
    # Thu 2026-12-31 + 1 working day: 2027 is unknown to the package, but Fri 01-01 is 元旦
    # by law whatever the year's arrangement; Sat and Sun off -> Mon 2027-01-04 17:30.
    assert cal.add_workdays(dt("2026-12-31 10:00"), 1) == dt("2027-01-04 17:30")
    assert cal.is_workday(date(2027, 1, 1)) is False
    assert cal.fallback_dates == {date(2027, 1, d) for d in (1, 2, 3, 4)}
    assert cal.fallback_years == {2027}
    note = cal.fallback_note()
    assert note is not None and "2027" in note and "2027-01-01" in note


def test_year_end_fallback_with_holiday_override(tmp_path: Path) -> None:
    rules = write_calendar(
        tmp_path,
        "holidays:\n  - {date: 2027-01-01, name: 元旦}\nworkdays: []\n",
    )
    cal = load_calendar(rules)
    # Fri 01-01 override holiday, Sat 01-02 and Sun 01-03 weekend (fallback),
    # Mon 01-04 weekday (fallback) -> due 2027-01-04 17:30.
    assert cal.add_workdays(dt("2026-12-31 10:00"), 1) == dt("2027-01-04 17:30")
    assert cal.is_workday(date(2027, 1, 1)) is False
    # 01-01 was decided by the override, the rest by the fallback.
    assert cal.fallback_dates == {date(2027, 1, 2), date(2027, 1, 3), date(2027, 1, 4)}
    assert cal.fallback_years == {2027}


def test_fallback_keeps_the_holidays_the_law_fixes_by_date(tmp_path: Path) -> None:
    cal = load_calendar(tmp_path)
    # 2028 (unknown): Mon 05-01 and Tue 05-02 劳动节, Tue 10-03 国庆节 are off; Wed 05-03 works.
    assert [cal.is_workday(date(2028, 5, d)) for d in (1, 2, 3)] == [False, False, True]
    assert cal.is_workday(date(2028, 10, 3)) is False and cal.is_workday(date(2028, 10, 4)) is True
    # Fri 2028-04-28 16:00 + 1 working day: Mon 05-01, Tue 05-02 off -> Wed 05-03 17:30.
    assert cal.add_workdays(dt("2028-04-28 16:00"), 1) == dt("2028-05-03 17:30")
    note = cal.fallback_note()
    assert note is not None and "元旦、劳动节、国庆节" in note


def test_workday_override_in_unknown_year(tmp_path: Path) -> None:
    rules = write_calendar(tmp_path, "workdays:\n  - {date: 2027-01-09, name: 调休上班}\n")
    cal = load_calendar(rules)
    assert cal.is_workday(date(2027, 1, 9)) is True  # Saturday, made working by override
    assert cal.fallback_dates == set()
    assert cal.fallback_note() is None


def test_overrides_win_over_package(tmp_path: Path) -> None:
    rules = write_calendar(
        tmp_path,
        "holidays:\n  - {date: 2026-10-12, name: 项目停工}\n"
        "workdays:\n  - {date: 2026-10-11, name: 本地补班}\n",
    )
    cal = load_calendar(rules)
    # Sat 10-10 + 1: Sun 10-11 is now a working day.
    assert cal.add_workdays(dt("2026-10-10 09:00"), 1) == dt("2026-10-11 17:30")
    # Sun 10-11 + 1: Mon 10-12 is now a holiday -> Tue 10-13.
    assert cal.add_workdays(dt("2026-10-11 09:00"), 1) == dt("2026-10-13 17:30")


# ---- rules file -------------------------------------------------------------------------


def test_shipped_calendar_file() -> None:
    cal = load_calendar(REPO_RULES)
    assert [(w.start, w.end) for w in cal.settings.business_hours] == [
        ("08:30", "12:00"),
        ("13:30", "17:30"),
    ]
    assert cal.settings.holidays == [] and cal.settings.workdays == []


def test_custom_business_hours(tmp_path: Path) -> None:
    rules = write_calendar(tmp_path, 'business_hours:\n  - {start: "09:00", end: "17:00"}\n')
    cal = load_calendar(rules)
    # Close of business is the end of the last window: 17:00.
    assert cal.add_workdays(dt("2026-10-14 10:00"), 1) == dt("2026-10-15 17:00")
    # Wed 15:00 + 240: 15:00–17:00 = 120, Thu 09:00 + 120 = 11:00.
    assert cal.add_business_minutes(dt("2026-10-14 15:00"), 240) == dt("2026-10-15 11:00")


def _problems(tmp_path: Path, text: str) -> str:
    rules = write_calendar(tmp_path, text)
    with pytest.raises(RulesError) as exc:
        load_calendar(rules)
    return str(exc.value)


def test_bad_time(tmp_path: Path) -> None:
    msg = _problems(
        tmp_path,
        "business_hours:\n"  # line 1
        '  - {start: "08:30", end: "12:00"}\n'  # line 2
        '  - {start: "25:00", end: "17:30"}\n',  # line 3
    )
    assert "calendar.yaml" in msg
    assert "第3行" in msg
    assert "business_hours[1].start" in msg
    assert "25:00" in msg


def test_unquoted_time_is_explained(tmp_path: Path) -> None:
    # YAML reads unquoted 13:30 as the number 810.
    msg = _problems(tmp_path, "business_hours:\n  - {start: 13:30, end: 17:30}\n")
    assert "第2行" in msg and "business_hours[0].start" in msg and "引号" in msg


def test_start_not_before_end(tmp_path: Path) -> None:
    msg = _problems(tmp_path, 'business_hours:\n  - {start: "12:00", end: "08:30"}\n')
    assert "第2行" in msg and "business_hours[0]" in msg


def test_overlapping_windows(tmp_path: Path) -> None:
    msg = _problems(
        tmp_path,
        "business_hours:\n"  # line 1
        '  - {start: "08:30", end: "12:00"}\n'  # line 2
        '  - {start: "11:30", end: "17:30"}\n',  # line 3
    )
    assert "第3行" in msg and "business_hours[1]" in msg and "重叠" in msg


def test_date_both_holiday_and_workday(tmp_path: Path) -> None:
    msg = _problems(
        tmp_path,
        "holidays:\n"  # line 1
        "  - {date: 2027-02-06, name: 春节}\n"  # line 2
        "workdays:\n"  # line 3
        "  - {date: 2027-01-30, name: 调休上班}\n"  # line 4
        "  - {date: 2027-02-06, name: 调休上班}\n",  # line 5
    )
    assert "calendar.yaml" in msg
    assert "第5行" in msg
    assert "workdays[1].date" in msg
    assert "2027-02-06" in msg and "holidays[0]" in msg


def test_duplicate_and_unknown_keys(tmp_path: Path) -> None:
    msg = _problems(
        tmp_path,
        "holidays:\n"  # line 1
        "  - {date: 2027-01-01, name: 元旦}\n"  # line 2
        "  - {date: 2027-01-01, name: 元旦}\n",  # line 3
    )
    assert "第3行" in msg and "holidays[1].date" in msg
    msg = _problems(tmp_path, "holiday:\n  - {date: 2027-01-01, name: 元旦}\n")
    assert " holiday: " in msg and "第" in msg  # misspelt key is named (line from rulesfile)
    msg = _problems(tmp_path, "holidays:\n  - {date: 2027-01-01}\n")
    assert "holidays[0].name" in msg


# ---- status -----------------------------------------------------------------------------

DUE = dt("2026-10-08 17:30")


def test_status_not_done() -> None:
    # due == now: not yet overdue; it is inside the 60-minute window -> due_soon.
    assert status(DUE, None, DUE) == ("due_soon", None)
    assert status(DUE, None, DUE, soon_minutes=0) == ("due_soon", None)
    # One minute later: overdue by 1 minute.
    assert status(DUE, None, dt("2026-10-08 17:31")) == ("overdue", 1)
    # 30 seconds later counts as 1 started minute.
    assert status(DUE, None, dt("2026-10-08 17:30:30")) == ("overdue", 1)
    # 16:30 is exactly 60 min before due -> due_soon; 16:29 -> pending.
    assert status(DUE, None, dt("2026-10-08 16:30")) == ("due_soon", None)
    assert status(DUE, None, dt("2026-10-08 16:29")) == ("pending", None)
    # Overdue across midnight: 17:30 -> next day 09:00 = 15 h 30 min = 930 min.
    assert status(DUE, None, dt("2026-10-09 09:00")) == ("overdue", 930)


def test_status_done() -> None:
    assert status(DUE, DUE, dt("2026-10-20 09:00")) == ("met", None)  # done exactly at due
    assert status(DUE, dt("2026-10-08 10:00"), dt("2026-10-08 10:00")) == ("met", None)
    # Done 17:45 -> 15 minutes late, whatever now is.
    assert status(DUE, dt("2026-10-08 17:45"), dt("2026-10-20 09:00")) == ("late", 15)


def test_day_off_kind_names_a_statutory_holiday(cal: WorkCalendar) -> None:
    """A day moved off is named as staff know it: National Day's Monday 10-05 is a
    法定节假日, an ordinary Saturday a 休息日; a year not yet published keeps the
    holidays fixed by date (元旦, 劳动节, 国庆)."""
    assert cal.day_off_kind(date(2026, 10, 5)) == "法定节假日"
    assert cal.day_off_kind(date(2026, 10, 3)) == "法定节假日"  # a Saturday inside the holiday
    assert cal.day_off_kind(date(2026, 9, 5)) == "休息日"
    assert cal.day_off_kind(date(2026, 10, 11)) == "休息日"  # the Sunday after it
    assert cal.day_off_kind(date(2099, 10, 2)) == "法定节假日"
    assert cal.day_off_kind(date(2099, 10, 10)) == "休息日"  # a Saturday
