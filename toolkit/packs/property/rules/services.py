"""特约服务登记表 (SPEC §3.6): price list, approved price changes, amount, 24-hour callback."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from toolkit.model import Finding
from toolkit.ruleset.money import dec, fen, yuan
from toolkit.ruleset.timing import Env, as_dt, track

REGISTER = "special_service"


def service_findings(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    item = str(v.get("服务项目") or "").strip()
    subject = f"特约服务 {key}（{v.get('房号') or ''}，{item}）"
    listed = env.rules.prices.find(item, v.get("类别")) if item else None
    price = dec(v.get("单价"))
    qty = dec(v.get("数量")) or Decimal(1)  # SPEC: 数量 defaults to 1
    if item and listed is None:
        near = env.rules.prices.closest(item, env.settings.tariffs.special_service.closest_items)
        names = "、".join(f"{p.item}（{p.category}，{yuan(p.price)} 元/{p.unit}）" for p in near)
        out.append(Finding(
            rule="service.unknown_item", register=REGISTER, record=key, severity="error",
            message=f"{subject}：服务项目“{item}”不在价目表中，最接近的有：{names}",
            values={"服务项目": item, "类别": v.get("类别"),
                    "closest": [{"类别": p.category, "服务项目": p.item, "单位": p.unit, "单价": p.price}
                                for p in near]},
        ))
    approver = str(v.get("审批人") or "").strip()
    allowed = env.settings.tariffs.special_service.authorised_approvers
    if listed is not None and price is not None and fen(price) != listed.price and approver not in allowed:
        # Seed 004 5.2.3: "非权限人批准,不得提高、降低特约服务收费标准".
        if not approver:
            why = "且没有审批人"
        elif allowed:
            why = f"审批人 {approver} 不在有权审批人（{'、'.join(allowed)}）之列"
        else:
            why = f"审批人 {approver} 未列为有权审批人（tariffs.yaml special_service.authorised_approvers 尚未填写）"
        out.append(Finding(
            rule="service.price_unapproved", register=REGISTER, record=key, severity="warning",
            message=f"{subject}：单价 {yuan(price)} 元与价目表 {yuan(listed.price)} 元/{listed.unit} 不符，{why}",
            values={"服务项目": listed.item, "类别": listed.category, "list_price": listed.price,
                    "price": fen(price), "difference": fen(price - listed.price), "审批人": approver or None},
        ))
    unit_price = price if price is not None else (listed.price if listed else None)
    amount = dec(v.get("金额"))
    if unit_price is not None and amount is not None:
        expected = fen(qty * unit_price)
        if fen(amount) != expected:
            out.append(Finding(
                rule="service.amount", register=REGISTER, record=key, severity="warning",
                message=(f"{subject}：金额应为 数量 {qty} × 单价 {yuan(unit_price)} = {yuan(expected)} 元，"
                         f"登记为 {yuan(amount)} 元"),
                values={"数量": qty, "单价": fen(unit_price), "expected": expected, "amount": fen(amount),
                        "difference": fen(amount - expected)},
            ))
    done = as_dt(v.get("完成时间"))
    if done is not None:
        spec = env.settings.sla.special_service.callback
        out.append(track(env, "service.callback", REGISTER, key, subject, spec.label, env.due(spec, done),
                         as_dt(v.get("回访时间")), start=done))
    return out
