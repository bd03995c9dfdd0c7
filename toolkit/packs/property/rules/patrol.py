"""楼层巡检表 (seed 001 楼层巡检): every assistant patrols each working day, 5 random floors
a patrol, problems forwarded within 30 minutes and checked on site no later than the next day."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from toolkit.model import Finding
from toolkit.ruleset.timing import Env, as_date, as_dt, fmt_date, track

REGISTER = "patrol"
_FLOOR_SPLIT = re.compile(r"[,，、;；/\s]+")


def floors_checked(v: dict[str, Any]) -> int | None:
    """抽查楼层数, else the count of distinct floors listed in 抽查楼层 (None: nothing written)."""
    given = v.get("抽查楼层数")
    if given is not None:
        return int(given)
    listed = str(v.get("抽查楼层") or "").strip()
    if not listed:
        return None
    return len({f for f in _FLOOR_SPLIT.split(listed) if f})


def patrol_findings(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    sla = env.settings.sla.patrol
    who = v.get("巡视人") or ""
    subject = f"巡检 {key}（{who}，{fmt_date(v.get('日期'))}）"
    out: list[Finding] = []
    floors = floors_checked(v)
    if floors is None or floors < sla.min_floors:
        got = "未填抽查楼层" if floors is None else f"只抽查了 {floors} 层"
        out.append(Finding(
            rule="patrol.floors", register=REGISTER, record=key, severity="warning",
            message=f"{subject}：每次巡检须随机抽查不少于 {sla.min_floors} 个楼层，{got}",
            values={"巡视人": who, "floors": floors, "min_floors": sla.min_floors},
        ))
    found = as_dt(v.get("发现时间"))
    if found is None or not str(v.get("发现问题") or "").strip():
        return out
    subject = f"{subject} 发现问题“{v.get('发现问题')}”"
    out.append(track(env, "patrol.forward", REGISTER, key, subject, sla.forward.label, env.due(sla.forward, found),
                     as_dt(v.get("转报时间")), start=found))
    out.append(track(env, "patrol.verify", REGISTER, key, subject, sla.verify.label, env.due(sla.verify, found),
                     as_dt(v.get("核实时间")), start=found))
    return out


def _days_judged(env: Env, look_back: int, working_only: bool) -> list[date]:
    """The finished days a daily count is judged on: the last ``look_back`` days before
    today (today is not over), working days only unless the setting says otherwise."""
    days = [env.today - timedelta(days=n) for n in range(look_back, 0, -1)]
    return [d for d in days if not working_only or env.cal.is_workday(d)]


def daily_findings(env: Env, patrols: dict[str, dict[str, Any]]) -> list[Finding]:
    """Seed 001 楼层巡检: "客户助理每日巡视楼宇不少于1次" — each assistant, each working day.

    The assistants are those listed in ``sla.yaml patrol.assistants``, else everyone
    with a patrol in the month of the day judged. One finding per assistant, listing
    the days of the window without enough patrols.
    """
    sla = env.settings.sla.patrol
    days = _days_judged(env, sla.look_back_days, sla.working_days_only)
    if not days:
        return []
    counts: dict[tuple[str, date], int] = defaultdict(int)
    by_month: dict[tuple[int, int], set[str]] = defaultdict(set)
    for v in patrols.values():
        who, on = str(v.get("巡视人") or "").strip(), as_date(v.get("日期"))
        if not who or on is None:
            continue
        counts[(who, on)] += 1
        by_month[(on.year, on.month)].add(who)
    missed: dict[str, list[date]] = defaultdict(list)
    for d in days:
        expected = set(sla.assistants) or by_month.get((d.year, d.month), set())
        for who in expected:
            if counts.get((who, d), 0) < sla.min_per_day:
                missed[who].append(d)
    out = []
    for who in sorted(missed):
        dates = missed[who]
        shown = "、".join(fmt_date(d) for d in dates)
        out.append(Finding(
            rule="patrol.daily", register=REGISTER, record=who, severity="warning",
            message=(f"客户助理 {who}：{shown} 没有楼层巡检记录（每个工作日至少巡视楼宇 {sla.min_per_day} 次），"
                     f"请本人补巡并登记，主管核实原因"),
            values={"巡视人": who, "days": dates, "min_per_day": sla.min_per_day},
        ))
    return out
