"""楼层巡检表 (seed 001 楼层巡检): 5 random floors a patrol, problems forwarded within
30 minutes and checked on site no later than the next day."""

from __future__ import annotations

import re
from typing import Any

from toolkit.model import Finding
from toolkit.ruleset.timing import Env, as_dt, fmt_date, track

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
