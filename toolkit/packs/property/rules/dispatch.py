"""发文登记 (seed 001 节点15): expired posted notices come down, a notice handed to one
customer is signed for. Read from the register as staff saved it back (approved rows)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from toolkit.model import Finding
from toolkit.ruleset.timing import Env, as_date, track

REGISTER = "dispatch"


def _signed(v: dict[str, Any]) -> date | None:
    """The approval date of a signed, live row (签发人 filled, not void); None otherwise."""
    if v.get("文书状态") == "已作废" or not (v.get("签发人") or v.get("文书状态") == "已审批"):
        return None
    return as_date(v.get("签发日期")) or as_date(v.get("发文日期"))


def dispatch_findings(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    signed = _signed(v)
    if signed is None:
        return []
    sla = env.settings.sla.dispatch
    subject = f"{v.get('文书标题') or '文书'} {key}"
    how = v.get("发文方式")
    if how == "张贴":
        until = as_date(v.get("有效期至"))
        if until is None:
            return []
        due = env.due(sla.take_down, datetime.combine(until, time()))
        return [track(env, "dispatch.expiry", REGISTER, key, f"{subject}（有效期至 {until:%Y-%m-%d}）",
                      sla.take_down.label, due, as_date(v.get("撤下日期")), start=until)]
    if how == "送达":
        start = datetime.combine(signed, time())
        return [track(env, "dispatch.receipt", REGISTER, key, f"{subject}（送 {v.get('收文对象') or ''}）",
                      sla.receipt.label, env.due(sla.receipt, start), as_date(v.get("签收日期")), start=signed)]
    return []


__all__ = ["dispatch_findings"]
