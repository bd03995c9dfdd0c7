"""The deadline shapes every pack shares: until day_end, before, window, fraction.

Every expected moment below is worked out by hand in the comment beside it. Business
hours are the default calendar's: 08:30–12:00 and 13:30–17:30 on working days
(2026-11-23 is a Monday, 11-24 a Tuesday).
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from toolkit.ruleset.settings import Deadline, Window
from toolkit.ruleset.timing import Env, Ruleset, track_window
from toolkit.workcal import WorkCalendar


def dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def env(now: str = "2026-11-23 08:00") -> Env:
    return Env(Ruleset(SimpleNamespace()), WorkCalendar(), dt(now))


def test_until_day_end_is_the_last_minute_of_the_day_reached():
    same_day = Deadline(clock="calendar", amount=0, unit="days", until="day_end", label="当日通知车间")
    # Booked 10:15 on the 23rd, "当日内": due 23:59 that same day.
    assert env().due(same_day, dt("2026-11-23 10:15")) == dt("2026-11-23 23:59")
    # Booked at 23:59 itself: still that day.
    assert env().due(same_day, dt("2026-11-23 23:59")) == dt("2026-11-23 23:59")
    next_day = Deadline(clock="calendar", amount=1, unit="days", until="day_end", label="次日内")
    # 10:15 + 1 day = 24th 10:15, then to the end of the 24th.
    assert env().due(next_day, dt("2026-11-23 10:15")) == dt("2026-11-24 23:59")


def test_before_counts_back_from_an_anchor():
    reminder = Deadline(clock="calendar", amount=12, unit="hours", before="预约进厂时间", label="预约提醒")
    # Appointment 25th 09:00; 12 calendar hours earlier is the 24th 21:00.
    assert env().due_before(reminder, dt("2026-11-25 09:00")) == dt("2026-11-24 21:00")
    office = Deadline(clock="business_hours", amount=2, unit="hours", before="约定时间", label="提前通知")
    # Anchor Tue 10:00. Business time back from it: Tue 08:30–10:00 = 90 min, the other
    # 30 min from Monday's last window 17:00–17:30 → latest start Mon 17:00
    # (check: Mon 17:00 + 120 business min = 30 Mon + 90 Tue = Tue 10:00).
    assert env().due_before(office, dt("2026-11-24 10:00")) == dt("2026-11-23 17:00")


def test_whole_day_window_and_its_judgements():
    followup = Window(clock="calendar", opens=2, closes=7, unit="days", whole_days=True, label="出厂跟踪回访")
    delivered = dt("2026-11-23 16:40")
    # "出厂二天至一周之内": 23rd + 2 days = 25th from 00:00; 23rd + 7 days = 30th until 23:59.
    opens, closes = env().window(followup, delivered)
    assert (opens, closes) == (dt("2026-11-25 00:00"), dt("2026-11-30 23:59"))

    def judged(done: str | None, now: str):
        e = env(now)
        return track_window(e, "x.followup", "reg", "K1", "委托书 K1", followup.label, opens, closes,
                            dt(done) if done else None)

    early = judged("2026-11-24 10:00", "2026-11-24 10:00")  # a day too soon: met, flagged early
    assert (early.status, early.values["early"]) == ("met", True)
    inside = judged("2026-11-30 23:59", "2026-12-01 09:00")  # the last minute still counts
    assert (inside.status, inside.values["early"]) == ("met", False)
    late = judged("2026-12-01 09:00", "2026-12-01 09:00")  # 09:01 after 23:59 = 9 h 1 min = 541 min
    assert (late.status, late.overdue_minutes) == ("late", 541)
    missing = judged(None, "2026-12-01 00:00")  # one minute past the close
    assert (missing.status, missing.overdue_minutes) == ("overdue", 1)
    waiting = judged(None, "2026-11-26 12:00")
    assert waiting.status == "pending" and waiting.severity == "warning"


def test_fraction_window_on_the_calendar_clock():
    check = Window.model_validate({"clock": "calendar", "from": 0.70, "to": 0.80, "label": "维修进度查询"})
    # Job 09:00 → promised 17:00: D = 480 min. 70 % = 336 min = 5 h 36 → 14:36;
    # 80 % = 384 min = 6 h 24 → 15:24.
    opens, closes = env().window(check, dt("2026-11-23 09:00"), dt("2026-11-23 17:00"))
    assert (opens, closes) == (dt("2026-11-23 14:36"), dt("2026-11-23 15:24"))
    e = env("2026-11-23 15:30")
    early = track_window(e, "x.progress", "reg", "K", "K", check.label, opens, closes, dt("2026-11-23 14:00"))
    assert early.status == "met" and early.values["early"] is True
    missed = track_window(e, "x.progress", "reg", "K", "K", check.label, opens, closes, None)
    assert (missed.status, missed.overdue_minutes) == ("overdue", 6)  # 15:30 − 15:24


def test_fraction_window_on_business_hours():
    check = Window.model_validate({"clock": "business_hours", "from": 0.7, "to": 0.8, "label": "维修进度查询"})
    # Mon 16:30 → Tue 11:00: business time = Mon 16:30–17:30 (60) + Tue 08:30–11:00 (150) = 210.
    # 70 % = 147 min: 60 on Monday, 87 from Tue 08:30 → 09:57.
    # 80 % = 168 min: 60 on Monday, 108 from Tue 08:30 → 10:18.
    opens, closes = env().window(check, dt("2026-11-23 16:30"), dt("2026-11-24 11:00"))
    assert (opens, closes) == (dt("2026-11-24 09:57"), dt("2026-11-24 10:18"))


@pytest.mark.parametrize(("data", "words"), [
    ({"clock": "calendar", "label": "x"}, "二者取一"),
    ({"clock": "calendar", "label": "x", "opens": 2, "unit": "days"}, "同时写 opens、closes 和 unit"),
    ({"clock": "calendar", "label": "x", "opens": 7, "closes": 2, "unit": "days"}, "closes 不能早于 opens"),
    ({"clock": "calendar", "label": "x", "opens": 2, "closes": 7, "unit": "hours", "whole_days": True},
     "whole_days 只能与 unit: days"),
    ({"clock": "calendar", "label": "x", "from": 0.8, "to": 0.7}, "to 不能小于 from"),
    ({"clock": "calendar", "label": "x", "from": 0.7, "to": 1.5}, None),
    ({"clock": "workdays", "label": "x", "from": 0.7, "to": 0.8}, "calendar 或 business_hours"),
])
def test_window_settings_refused_with_reasons(data, words):
    with pytest.raises(ValidationError) as info:
        Window.model_validate(data)
    if words:
        assert words in str(info.value)


def test_deadline_before_and_until_do_not_mix():
    with pytest.raises(ValidationError, match="before 与 until 不能同时使用"):
        Deadline(clock="calendar", amount=1, unit="hours", before="x", until="day_end", label="x")
    with pytest.raises(ValidationError):
        Deadline(clock="calendar", amount=1, unit="hours", until="noon", label="x")
