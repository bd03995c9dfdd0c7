"""报修登记表 (SPEC §3.1): arrival, appointment, the 17:00 unfinished list, callback."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from toolkit.model import Finding
from toolkit.ruleset.timing import Env, after_cutoff, as_dt, track

REGISTER = "repair"


def repair_findings(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    # Runs for every row of a register (100,000 in a big file): the settings and labels
    # are looked up once per evaluation (_context), a plain datetime is taken as it is.
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
