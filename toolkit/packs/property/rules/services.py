"""特约服务登记表 (SPEC §3.6; seed 004): price list, approved price changes, amount, the
appointment kept, 24-hour callback, the customer's order form, an unsatisfied customer
reported to the project manager, and the unit's own account manager taking the request."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from toolkit.model import Finding
from toolkit.ruleset.money import dec, fen, yuan
from toolkit.ruleset.timing import Env, as_date, as_dt, fmt_date, track

from ..history import historical

REGISTER = "special_service"
# Seed 004 5.8.2: 打字复印类 is paid on the spot, the rest monthly with the property fee
# (the default of documents.yaml statement_excluded_categories, which the pack reads).
ON_THE_SPOT = ("打字复印类",)


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
    # Seed 004 5.2.3 "非权限人批准,不得提高、降低特约服务收费标准": with no approvers named in
    # the settings the site has not said who may, so any named 审批人 is taken (the clerk
    # has done his part; there is nothing he could write that would pass).
    approved = bool(approver) and (not allowed or approver in allowed)
    if listed is not None and price is not None and fen(price) != listed.price and not approved:
        why = "且没有审批人" if not approver else f"审批人 {approver} 不在有权审批人（{'、'.join(allowed)}）之列"
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
    sla = env.settings.sla.special_service
    booked = as_dt(v.get("预约时间"))
    if booked is not None:
        # On site (到场时间, when a sheet keeps it) or else done by the appointment + grace.
        arrived = as_dt(v.get("到场时间"))
        out.append(track(env, "service.appointment", REGISTER, key, subject, sla.appointment.label,
                         env.due(sla.appointment, booked), arrived or done, start=booked))
    if done is not None:
        out.append(track(env, "service.callback", REGISTER, key, subject, sla.callback.label, env.due(sla.callback, done),
                         as_dt(v.get("回访时间")), start=done))
    received = as_date(v.get("受理时间"))
    fresh = received is not None and not historical(env.today, received)
    if listed is not None and fresh:
        out.append(_order(key, v, listed, subject, listed.category in _on_the_spot(env)))
    if v.get("回访结果") == "不满意":
        out.append(_unsatisfied(env, key, v, subject))
    return out


def _on_the_spot(env: Env) -> tuple[str, ...]:
    # Read by the pack's load hook from documents.yaml; a ruleset made without it: the seed's.
    try:
        return tuple(env.rules.on_the_spot)
    except AttributeError:
        return ON_THE_SPOT


def _order(key: str, v: dict[str, Any], listed: Any, subject: str, on_the_spot: bool = False) -> Finding:
    """Seed 004 5.3.2: the 客户需求处理单, "注明收费标准" — the list price and unit.
    Seed 004 5.8.2: 打字复印类 is paid on the spot, not with the monthly property fee."""
    price = dec(v.get("单价"))
    return Finding(
        rule="service.accepted", register=REGISTER, record=key, severity="info",
        message=f"{subject}：已受理，填写客户需求处理单（收费标准 {yuan(listed.price)} 元/{listed.unit}）",
        values={"房号": v.get("房号"), "客户": v.get("客户"), "服务项目": listed.item, "类别": listed.category,
                "单位": listed.unit, "list_price": listed.price, "数量": v.get("数量") or 1,
                "单价": fen(price) if price is not None else listed.price, "预约时间": as_dt(v.get("预约时间")),
                "受理时间": as_dt(v.get("受理时间")), "受理人": v.get("受理人"),
                # Only when true: the orders of other categories keep the values they were made with.
                **({"现场收费": True} if on_the_spot else {})},
        notice="service_order",
    )


def _unsatisfied(env: Env, key: str, v: dict[str, Any], subject: str) -> Finding:
    """Seed 004 5.6.3, 5.7.3: a customer still unsatisfied is reported to the project manager
    at once, who organises the rectification (and any compensation, 5.6.4)."""
    called = as_date(v.get("回访时间")) or as_date(v.get("完成时间")) or as_date(v.get("受理时间"))
    rework = int(v.get("返工次数") or 0)
    damage = fen(dec(v.get("损坏赔偿")) or Decimal(0))
    more = (f"，已返工 {rework} 次" if rework else "") + (f"，损坏赔偿 {yuan(damage)} 元" if damage else "")
    return Finding(
        rule="service.unsatisfied", register=REGISTER, record=key, severity="warning",
        message=f"{subject}：回访客户不满意{more}；专属客户经理立即报告项目经理，由项目经理组织整改",
        values={"房号": v.get("房号"), "客户": v.get("客户"), "服务项目": v.get("服务项目"),
                "受理人": v.get("受理人"), "完成时间": as_dt(v.get("完成时间")), "验收结果": v.get("验收结果"),
                "回访时间": as_dt(v.get("回访时间")), "回访结果": v.get("回访结果"), "返工次数": rework,
                "损坏赔偿": damage},
        notice=None if historical(env.today, called) else "service_unsatisfied",
    )


def manager_of(managers: dict[str, dict[str, Any]], unit: str, on: date) -> str | None:
    """The unit's 专属客户经理 on a day: its latest assignment starting on or before it."""
    best: tuple[date, str] | None = None
    for m in managers.values():
        start = as_date(m.get("起始日期"))
        if m.get("房号") != unit or start is None or start > on:
            continue
        if best is None or start >= best[0]:
            best = (start, str(m.get("专属客户经理") or "").strip())
    return best[1] if best else None


def manager_findings(env: Env, key: str, v: dict[str, Any], managers: dict[str, dict[str, Any]]) -> list[Finding]:
    """Seed 004 5.3.1: the unit's own account manager is the only one who accepts a special service."""
    received = as_date(v.get("受理时间"))
    unit = str(v.get("房号") or "")
    if received is None or not unit:
        return []
    manager = manager_of(managers, unit, received)
    taker = str(v.get("受理人") or "").strip()
    if not manager or taker == manager:
        return []
    return [Finding(
        rule="service.account_manager", register=REGISTER, record=key, severity="warning",
        message=(f"特约服务 {key}（{unit}，{v.get('服务项目') or ''}）：{fmt_date(received)} 由 {taker} 受理，"
                 f"该房号的专属客户经理是 {manager}；须转交 {manager} 统一填写客户需求处理单并派单"),
        values={"房号": unit, "受理人": taker, "专属客户经理": manager, "受理时间": as_dt(v.get("受理时间"))},
    )]
