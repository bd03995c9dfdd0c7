"""索赔登记 (seed 002 二 5, 4S 信息员): warranty claims awaiting the maker's reply.

The seeds give the flow (the advisor applies, the information clerk reports to the maker,
the maker approves or refuses) but no deadline and no amount rule, so a claim only
reaches the daily list while it waits: not yet reported, or reported and not answered.
"""

from __future__ import annotations

from typing import Any

from toolkit.model import Finding
from toolkit.ruleset.timing import Env, as_date, fmt_date

from .common import CLAIMS, finding

ANSWERED = ("批准", "拒绝")


def claim_findings(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    if v.get("厂家批复") in ANSWERED:
        return []
    applied, reported = as_date(v.get("申请日期")), as_date(v.get("上报厂家日期"))
    since = reported or applied
    days = (env.today - since).days if since else None
    state = f"已于 {fmt_date(reported)} 上报厂家，待批复" if reported else "尚未上报厂家"
    waited = f"，已等 {days} 天" if days is not None and days > 0 else ""
    values = {k: v.get(k) for k in ("委托书号", "车牌号", "故障", "申请日期", "上报厂家日期", "服务顾问", "金额")}
    return [finding("car.claim_pending", CLAIMS, key, "info",
                    f"索赔 {key}（{v.get('车牌号') or ''}）：{state}{waited}",
                    {**values, "reported": reported is not None, "days": days})]
