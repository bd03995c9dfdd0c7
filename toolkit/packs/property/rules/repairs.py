"""报修登记表 (SPEC §3.1): arrival, appointment, the 17:00 unfinished list, callback."""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta
from typing import Any

from toolkit.model import Finding
from toolkit.ruleset.settings import Deadline
from toolkit.ruleset.timing import DeadlineFinding, Env, after_cutoff, as_dt, track
from toolkit.workcal import WorkCalendar

REGISTER = "repair"


def repair_findings(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    """The findings of one repair (the reference :func:`repair_rule` is tested against)."""
    reported = v.get("报修时间")
    if type(reported) is not datetime or reported.tzinfo is not None:
        reported = as_dt(reported)
        if reported is None:
            return []
    sla, grace_label, unfinished_label = env.memo.get(REGISTER) or _context(env)
    done = _dt(v.get("完成时间"))
    room = v.get("房号")
    subject = f"报修单 {key}（{room or '未填房号'}）"
    out: list[Finding] = []
    urgent = v.get("紧急程度") == "紧急"
    arrived = _dt(v.get("到场时间"))
    if urgent:
        # Without 到场时间 filled in, completion is the only proof that someone arrived.
        due = env.due(sla.arrival, reported)
        out.append(track(env, "repair.arrival", REGISTER, key, subject, sla.arrival.label, due, arrived or done,
                         start=reported))
    else:
        appointment = _dt(v.get("预约时间"))
        if appointment is not None:
            # Seed 003 3.4.4: the technician arrives before the appointment. A row without
            # 到场时间 but already completed is judged on completion + grace (a stand-in,
            # labelled as such) so old sheets keep a check.
            if arrived is not None or done is None:
                due = env.due(sla.appointment, appointment)
                out.append(track(env, "repair.appointment", REGISTER, key, subject, sla.appointment.label,
                                 due, arrived, start=appointment))
            else:
                due = env.due(sla.appointment_grace, appointment)
                out.append(track(env, "repair.appointment", REGISTER, key, subject, grace_label, due, done,
                                 start=appointment))
    # Daily list: reported today and not done by the cutoff (17:00). A repair reported
    # after the cutoff belongs to the next day's list.
    cutoff = after_cutoff(reported, sla.unfinished_cutoff)
    out.append(track(env, "repair.unfinished", REGISTER, key, subject, unfinished_label,
                     cutoff, done, start=reported, severity="info"))
    if done is not None:
        due = env.due(sla.callback, done)
        out.append(track(env, "repair.callback", REGISTER, key, subject, sla.callback.label, due,
                         _dt(v.get("回访时间")), start=done))
    return out


def repair_rule(env: Env, state: dict[str, dict[str, dict[str, Any]]]) -> list[Finding]:
    """:func:`repair_findings` of every repair, in one loop: a big register has 100,000.

    The common row (plain datetimes, deadlines on the calendar clock) is judged here
    with the steps of ``track``, ``Env.due`` and ``workcal.status`` written out (no call
    per deadline); any other row goes through :func:`repair_findings`.
    """
    rows = state.get(REGISTER, {})
    if not rows:
        return []
    sla, grace_label, unfinished_label = env.memo.get(REGISTER) or _context(env)
    arrival, appointment_dl, grace, callback = sla.arrival, sla.appointment, sla.appointment_grace, sla.callback
    spans = [_span(d) for d in (arrival, appointment_dl, grace, callback)]
    if None in spans or any(d.until is not None for d in (arrival, appointment_dl, grace)):
        out: list[Finding] = []
        for key, v in rows.items():
            out.extend(repair_findings(env, key, v))
        return out
    arrival_span, appointment_span, grace_span, callback_span = spans
    callback_day_end = callback.until == "day_end"
    arrival_label, appointment_label, callback_label = arrival.label, appointment_dl.label, callback.label
    cutoff_at = time.fromisoformat(sla.unfinished_cutoff)
    now = env.now
    soon_edge = now + timedelta(minutes=env.soon_minutes)  # due on or before it: due soon
    ceil = math.ceil
    cutoffs: dict[Any, tuple[datetime, datetime]] = {}
    day_ends: dict[Any, datetime] = {}
    dt = datetime
    make = DeadlineFinding
    out = []
    append = out.append

    def judged(rule: str, key: str, words: tuple, severity: str, due: datetime, done: datetime | None,
               start: datetime) -> DeadlineFinding:
        # ``track`` and ``workcal.status`` for a naive datetime ``done`` (or None).
        if done is not None:
            if done <= due:
                st, minutes, severity = "met", None, "info"
            else:
                st, minutes = "late", ceil((done - due).total_seconds() / 60)
        elif now > due:
            st, minutes = "overdue", ceil((now - due).total_seconds() / 60)
        elif due <= soon_edge:
            st, minutes = "due_soon", None
        else:
            st, minutes = "pending", None
        return make(words, rule, REGISTER, key, severity, st, due, minutes,
                    {"deadline": words[1], "start": start, "done": done}, None)

    for key, v in rows.items():
        reported = v.get("报修时间")
        done = v.get("完成时间")
        arrived = v.get("到场时间")
        appointment = v.get("预约时间")
        callback_at = v.get("回访时间")
        if (reported.__class__ is not dt or reported.tzinfo is not None
                or not (done is None or (done.__class__ is dt and done.tzinfo is None))
                or not (arrived is None or (arrived.__class__ is dt and arrived.tzinfo is None))
                or not (appointment is None or (appointment.__class__ is dt and appointment.tzinfo is None))
                or not (callback_at is None or (callback_at.__class__ is dt and callback_at.tzinfo is None))):
            out.extend(repair_findings(env, key, v))
            continue
        room = v.get("房号")
        subject = f"报修单 {key}（{room or '未填房号'}）"
        if v.get("紧急程度") == "紧急":
            append(judged("repair.arrival", key, (subject, arrival_label, arrived or done), "warning",
                          reported + arrival_span, arrived or done, reported))
        elif appointment is not None:
            if arrived is not None or done is None:
                append(judged("repair.appointment", key, (subject, appointment_label, arrived), "warning",
                              appointment + appointment_span, arrived, appointment))
            else:
                append(judged("repair.appointment", key, (subject, grace_label, done), "warning",
                              appointment + grace_span, done, appointment))
        day = reported.date()
        pair = cutoffs.get(day)
        if pair is None:
            cut = dt.combine(day, cutoff_at)
            pair = cutoffs[day] = (cut, cut + timedelta(days=1))
        append(judged("repair.unfinished", key, (subject, unfinished_label, done), "info",
                      pair[0] if reported < pair[0] else pair[1], done, reported))
        if done is not None:
            due = done + callback_span
            if callback_day_end:
                end_day = due.date()
                due = day_ends.get(end_day)
                if due is None:
                    due = day_ends[end_day] = dt.combine(end_day, time(23, 59))
            append(judged("repair.callback", key, (subject, callback_label, callback_at), "warning",
                          due, callback_at, done))
    return out


def _span(spec: Deadline) -> timedelta | None:
    """The fixed length of a calendar-clock deadline (None: any other clock)."""
    if spec.clock != "calendar":
        return None
    start = datetime(2000, 1, 1)
    return WorkCalendar.add_calendar(start, **{spec.unit: spec.amount}) - start


def _dt(value: Any) -> datetime | None:
    if value is None or (type(value) is datetime and value.tzinfo is None):
        return value
    return as_dt(value)


def _context(env: Env) -> tuple[Any, str, str]:
    """(the repair settings, the appointment-grace label, the unfinished-list label)."""
    sla = env.settings.sla.repair
    # One text for all the findings that name it (a 100,000-row register makes as many).
    ctx = (sla, f"{sla.appointment_grace.label}（未填到场时间，按完成时间）",
           f"当日完工（{sla.unfinished_cutoff} 未完工清单）")
    env.memo[REGISTER] = ctx
    return ctx
