"""Smaller checks of seed rows the first rules left out: frequent temporary carrying
(seed 001 放行 3.2), and a renovation's entry check, concealed-works inspection and the
local ban on deposits (seed 001 装修 9, 11; 003 第四篇 3.2 4.5)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from toolkit.model import Finding
from toolkit.ruleset.money import dec
from toolkit.ruleset.timing import Env, as_date, fmt_date

from ..history import historical

State = dict[str, dict[str, dict[str, Any]]]


def frequent_carrying(env: Env, state: State) -> list[Finding]:
    """"客户频繁、非正常临时搬运单件物品出门，则引起注意": the same 房号 carrying things out
    temporarily ``frequent_count`` times within ``frequent_days`` days (default 3 in 7)."""
    cfg = env.settings.sla.move_out
    by_unit: dict[str, list[tuple[Any, str]]] = {}
    for key, v in state.get("move_out", {}).items():
        on = as_date(v.get("日期"))
        if v.get("出门性质", "临时携带") == "临时携带" and on is not None and v.get("房号"):
            by_unit.setdefault(str(v["房号"]), []).append((on, key))
    out: list[Finding] = []
    for unit, rows in by_unit.items():
        rows.sort()
        for i in range(len(rows)):
            # The window of frequent_days ending at this row (this day and the days before it).
            inside = [r for r in rows[: i + 1] if r[0] > rows[i][0] - timedelta(days=cfg.frequent_days)]
            if len(inside) >= cfg.frequent_count:
                on, key = rows[i]
                out.append(Finding(
                    rule="move_out.frequent", register="move_out", record=key, severity="warning",
                    message=(f"房号 {unit} {cfg.frequent_days} 天内第 {len(inside)} 次临时携带物品出门"
                             f"（{'、'.join(fmt_date(d) for d, _ in inside)}），请客户助理留意并向业主核实"),
                    values={"房号": unit, "count": len(inside), "days": cfg.frequent_days,
                            "dates": [d for d, _ in inside], "records": [k for _, k in inside]},
                ))
    return out


def renovation_site(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    subject = f"装修 {key}（{v.get('房号') or ''}）"
    out: list[Finding] = []
    started, entered = as_date(v.get("开工日期")), as_date(v.get("入场确认日期"))
    # Permits started or accepted more than 30 days ago are history: nothing to do now.
    if started is not None and not historical(env.today, started) and (entered is None or entered > started):
        got = "未填入场确认日期" if entered is None else f"入场确认日期 {fmt_date(entered)} 晚于开工日期"
        out.append(Finding(
            rule="renovation.entry_check", register="renovation", record=key, severity="warning",
            message=f"{subject}：开工（{fmt_date(started)}）前须入场验收并双方签署《进场装修确认表》，{got}",
            values={"开工日期": started, "入场确认日期": entered},
        ))
    finished, concealed = as_date(v.get("竣工验收日期")), as_date(v.get("隐蔽工程验收日期"))
    if finished is not None and not historical(env.today, finished) and (concealed is None or concealed > finished):
        got = "未填隐蔽工程验收日期" if concealed is None else f"隐蔽工程验收日期 {fmt_date(concealed)} 晚于竣工验收"
        out.append(Finding(
            rule="renovation.concealed_works", register="renovation", record=key, severity="warning",
            message=(f"{subject}：竣工验收（{fmt_date(finished)}）前须做隐蔽工程验收，{got}。请客户助理核对施工方交来的"
                     "《隐蔽工程验收申请审核表》：客服、工程、保安三部门已验收签字的，把验收日期填入“隐蔽工程验收日期”；"
                     "未验收的，与装修方约定时间，通知工程部、保安部一同到场验收"),
            values={"竣工验收日期": finished, "隐蔽工程验收日期": concealed},
        ))
    deposit = dec(v.get("装修押金"))
    if not env.settings.tariffs.renovation.deposit_allowed and deposit:
        out.append(Finding(
            rule="renovation.deposit_not_allowed", register="renovation", record=key, severity="error",
            message=f"{subject}：当地规定不允许收取装修押金，登记收取 {deposit} 元，请财务退还",
            values={"装修押金": deposit},
        ))
    return out


__all__ = ["frequent_carrying", "renovation_site"]
