"""钥匙委托管理清册 (seed 001 节点23): keys go to owners only after the handover, custody
only of vacant units, an internal loan back the same day."""

from __future__ import annotations

from typing import Any

from toolkit.model import Finding
from toolkit.ruleset.timing import Env, as_date, as_dt, fmt_date, track

REGISTER = "key_custody"


def _latest_status(census: dict[str, dict[str, Any]], unit: str, on: Any) -> str | None:
    mine = [(as_date(v.get("普查日期")), v.get("状态")) for v in census.values()
            if v.get("房号") == unit and as_date(v.get("普查日期")) is not None]
    mine = [m for m in mine if on is None or m[0] <= on]
    return max(mine)[1] if mine else None


def key_findings(env: Env, key: str, v: dict[str, Any], handovers: dict[str, dict[str, Any]],
                 census: dict[str, dict[str, Any]]) -> list[Finding]:
    unit = v.get("房号") or ""
    subject = f"钥匙 {key}（{unit}）"
    out: list[Finding] = []
    taken = as_date(v.get("领取日期"))
    if taken is not None:
        handover = handovers.get(unit) or {}
        handed = as_date(handover.get("交房日期"))
        owner = handover.get("业主")
        problems = []
        if handed is None or taken < handed:
            problems.append("交房手续尚未办完" if handed is None else f"领取日期早于交房日期 {fmt_date(handed)}")
        if v.get("领取人") and owner and v.get("领取人") != owner and not v.get("审批人"):
            problems.append(f"领取人 {v.get('领取人')} 不是业主 {owner}，且无项目经理、公司领导审批")
        if v.get("身份核实") != "是":
            problems.append("未核实领取人身份")
        if problems:
            out.append(Finding(
                rule="key.handover_first", register=REGISTER, record=key, severity="error",
                message=f"{subject}：{'；'.join(problems)}（须办完交房手续、核实身份后方可交付钥匙）",
                values={"领取人": v.get("领取人"), "领取日期": taken, "交房日期": handed, "业主": owner,
                        "problems": problems},
            ))
    if v.get("来源") == "业主委托":
        status = _latest_status(census, unit, as_date(v.get("入库日期")))
        if status != "空置":
            got = "普查中没有该房屋的状态" if status is None else f"该房屋普查状态为“{status}”"
            out.append(Finding(
                rule="key.vacant_only", register=REGISTER, record=key, severity="warning",
                message=f"{subject}：只接受空置房的钥匙委托管理，{got}",
                values={"状态": status},
            ))
    lent = as_dt(v.get("借出时间"))
    if lent is not None:
        due = env.due(env.settings.sla.keys.borrow_return, lent)
        out.append(track(env, "key.borrow_return", REGISTER, key, f"{subject} 借用人 {v.get('借用人') or ''}",
                         env.settings.sla.keys.borrow_return.label, due, as_dt(v.get("归还时间")), start=lent))
    return out


__all__ = ["key_findings"]
