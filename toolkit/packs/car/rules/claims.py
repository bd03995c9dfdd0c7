"""索赔登记 (seed 002 二 5, 4S 信息员): warranty claims awaiting the maker's reply, and
each claim checked against the 委托书 it cites.

The seeds give the flow (the advisor applies, the information clerk reports to the maker,
the maker approves or refuses) but no deadline, no claim window and no amount rule, so a
claim reaches the daily list while it waits: not yet reported, or reported and not
answered. A claim is for a car the desk received: the 委托书 it cites must be in the
register, for the same car, and the claim cannot be applied for before the car came in.
"""

from __future__ import annotations

from typing import Any

from toolkit.model import Finding
from toolkit.packs import State
from toolkit.ruleset.timing import Env, as_date, fmt_date

from .common import CLAIMS, ORDERS, VOIDED_ORDERS, blank, finding

ANSWERED = ("批准", "拒绝")
RETURNED = "退回"  # sent back for correction: still to be reported again


def claim_rule(env: Env, state: State) -> list[Finding]:
    orders, voided = state.get(ORDERS, {}), state.get(VOIDED_ORDERS, {})
    out: list[Finding] = []
    for key, v in state.get(CLAIMS, {}).items():
        out.extend(claim_findings(env, key, v))
        out.extend(claim_order_findings(key, v, orders, voided))
    return out


def claim_findings(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    if v.get("厂家批复") in ANSWERED:
        return []
    applied, reported = as_date(v.get("申请日期")), as_date(v.get("上报厂家日期"))
    # Sent back for correction: the desk, not the maker, has it now, since the day it came back.
    returned = as_date(v.get("批复日期")) if v.get("厂家批复") == RETURNED else None
    since = returned or reported or applied
    days = (env.today - since).days if since else None
    if v.get("厂家批复") == RETURNED:
        on = f"于 {fmt_date(returned)} " if returned else ""
        state = f"厂家已{on}退回修改，待服务顾问 {v.get('服务顾问') or '（未填）'} 改正后重新上报"
    else:
        state = f"已于 {fmt_date(reported)} 上报厂家，待批复" if reported else "尚未上报厂家"
    waited = f"，已等 {days} 天" if days is not None and days > 0 else ""
    values = {k: v.get(k) for k in ("委托书号", "车牌号", "故障", "申请日期", "上报厂家日期", "服务顾问", "金额")}
    return [finding("car.claim_pending", CLAIMS, key, "info",
                    f"索赔 {key}（{v.get('车牌号') or ''}）：{state}{waited}",
                    {**values, "reported": reported is not None, "returned": v.get("厂家批复") == RETURNED,
                     "批复日期": returned, "days": days})]


def claim_order_findings(key: str, v: dict[str, Any], orders: dict[str, dict[str, Any]],
                         voided: dict[str, dict[str, Any]] | None = None) -> list[Finding]:
    """The cited 委托书: registered, for a claim (维修类别 索赔), the same car, received no
    later than the claim's date.
    A claim citing none is not checked (the column is optional); one citing an order the
    desk marked 作废 is told so (``voided``), not that the order was never entered."""
    number = v.get("委托书号")
    if blank(number):
        return []
    subject = f"索赔 {key}（委托书 {number}，服务顾问 {v.get('服务顾问') or '未填'}）"
    who = {"服务顾问": v.get("服务顾问"), "委托书号": number}
    order = orders.get(str(number))
    if order is None and str(number) in (voided or {}):
        return [finding("car.claim_order", CLAIMS, key, "error",
                        f"{subject}：这份委托书已作废（委托书登记中该行标了作废），索赔须对应这辆车有效的委托书",
                        {**who, "voided": True})]
    if order is None:
        return [finding("car.claim_order", CLAIMS, key, "error",
                        f"{subject}：委托书登记中没有这份委托书，索赔无法对应到进厂车辆", who)]
    out: list[Finding] = []
    plate, order_plate = v.get("车牌号"), order.get("车牌号")
    if plate and order_plate and plate != order_plate:
        out.append(finding("car.claim_car", CLAIMS, key, "error",
                           f"{subject}：索赔车辆 {plate}，委托书上的车辆是 {order_plate}",
                           {**who, "车牌号": plate, "order_plate": order_plate}))
    kind = order.get("维修类别")
    if kind != "索赔":
        # A warranty claim is for a car taken in as a claim (seed 002 二 5): either the
        # claim cites the wrong order or the order was booked under another category.
        out.append(finding("car.claim_kind", CLAIMS, key, "error",
                           f"{subject}：委托书的维修类别是“{kind or '未填'}”，不是“索赔”",
                           {**who, "维修类别": kind}))
    applied, received = as_date(v.get("申请日期")), as_date(order.get("接车时间"))
    if applied is not None and received is not None and applied < received:
        out.append(finding("car.claim_date", CLAIMS, key, "error",
                           f"{subject}：申请日期 {fmt_date(applied)} 早于委托书的接车日期 {fmt_date(received)}",
                           {**who, "申请日期": applied, "received": received}))
    return out


__all__ = ["claim_findings", "claim_order_findings", "claim_rule"]
