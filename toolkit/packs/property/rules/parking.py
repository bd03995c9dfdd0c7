"""停车月卡登记表 and 临时停车记录 (SPEC §3.5): tariffs, under/over-charges, expiry reminders."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from toolkit.model import Finding
from toolkit.ruleset.money import dec, fen, yuan
from toolkit.ruleset.timing import DAY_END, Env, as_date, as_dt, fmt_date, started_months, track

from ..settings import MonthlyCard, TempParking


def _part(seconds: int, t: TempParking) -> Decimal:
    """Tariff for a stay shorter than a day: base fee, then each started hour, capped."""
    base = t.base_hours * 3600
    if seconds <= base:
        return t.base_fee
    extra_hours = -(-(seconds - base) // 3600)  # each further hour or part of one
    return min(t.base_fee + t.extra_per_hour * extra_hours, t.daily_cap)


def temp_fee(entered: datetime, left: datetime, t: TempParking) -> Decimal:
    """Temporary parking fee.

    2 h → 2 元; 2 h 1 min → 3 元; 25 h → 6 (full day) + 2 (1 h remainder) = 8 元.
    Exactly 24 h is one full day (6 元) with no remainder.
    """
    seconds = max(0, int((left - entered).total_seconds()))
    day = t.day_hours * 3600
    days, rest = divmod(seconds, day)
    if days == 0:
        return fen(_part(rest, t))
    return fen(t.daily_cap * days + (_part(rest, t) if rest else Decimal(0)))


def _charge(rule: str, register: str, key: str, what: str, expected: Decimal, paid: Decimal,
            values: dict[str, Any]) -> Finding | None:
    if paid == expected:
        return None
    diff = fen(paid - expected)
    kind = "少收" if diff < 0 else "多收"
    return Finding(
        rule=rule, register=register, record=key, severity="warning",
        message=f"{what}应收 {yuan(expected)} 元，实收 {yuan(paid)} 元，{kind} {yuan(abs(diff))} 元",
        values={**values, "expected": expected, "paid": paid, "difference": diff,
                "kind": "under" if diff < 0 else "over"},
    )


def temp_findings(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    entered, left, paid = as_dt(v.get("入场时间")), as_dt(v.get("出场时间")), dec(v.get("实收金额"))
    if entered is None or left is None or paid is None or left < entered:
        return []
    expected = temp_fee(entered, left, env.settings.tariffs.parking.temporary)
    minutes = int((left - entered).total_seconds() // 60)
    f = _charge("parking.temp_fee", "parking_temp", key,
                f"临时停车 {v.get('车牌号') or ''}（{entered:%m-%d %H:%M}–{left:%m-%d %H:%M}）", expected,
                fen(paid), {"车牌号": v.get("车牌号"), "入场时间": entered, "出场时间": left, "minutes": minutes})
    return [f] if f else []


def card_months(start: date, end: date) -> int:
    """Months billed for a card from 起租日期 to 到期日期 (see timing.started_months)."""
    return started_months(start, end)


def card_findings(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    card: MonthlyCard = env.settings.tariffs.parking.monthly_card
    start, end = as_date(v.get("起租日期")), as_date(v.get("到期日期"))
    if start is None or end is None:
        return []
    out: list[Finding] = []
    who = f"停车月卡 {key}（{v.get('车牌号') or ''}）"
    months = card_months(start, end)
    paid = dec(v.get("实收金额"))
    if paid is not None:
        expected = fen(card.monthly_fee * months)
        f = _charge("parking.card_fee", "parking_card", key,
                    f"{who}{fmt_date(start)} 至 {fmt_date(end)} 共 {months} 个月，", expected, fen(paid),
                    {"起租日期": start, "到期日期": end, "months": months, "monthly_fee": card.monthly_fee})
        if f:
            out.append(f)
    deposit = dec(v.get("押金"))
    if deposit is not None:
        f = _charge("parking.card_deposit", "parking_card", key, f"{who}IC 卡押金", fen(card.deposit), fen(deposit),
                    {})
        if f:
            out.append(f)
    out.extend(_refund(env, key, v, who))
    days_left = (end - env.today).days
    ahead = env.settings.sla.parking.expiry_reminder_days
    if 0 <= days_left <= ahead and as_date(v.get("退卡日期")) is None:
        due = datetime.combine(end, DAY_END)
        f = track(env, "parking.card_expiry", "parking_card", key, who, "月卡到期", due, None,
                  severity="info", notice="parking_expiry",
                  values={"卡号": key, "车主": v.get("车主"), "房号": v.get("房号"), "车牌号": v.get("车牌号"),
                          "到期日期": end, "days_left": days_left, "monthly_fee": card.monthly_fee})
        f.status = "due_soon"  # within the reminder window by definition
        f.message = f"{who}将于 {fmt_date(end)} 到期（还剩 {days_left} 天），请提醒车主续费"
        out.append(f)
    return out


def deposit_to_refund(card: MonthlyCard, v: dict[str, Any]) -> Decimal:
    """The IC card deposit owed back on 退卡: what was taken (押金), else the tariff."""
    taken = dec(v.get("押金"))
    return fen(taken if taken is not None else card.deposit)


def _refund(env: Env, key: str, v: dict[str, Any], who: str) -> list[Finding]:
    """Seed 001 停车 6: "退卡,并退还IC卡押金" — a card handed back gets its deposit back."""
    returned = as_date(v.get("退卡日期"))
    if returned is None:
        return []
    owed = deposit_to_refund(env.settings.tariffs.parking.monthly_card, v)
    paid = dec(v.get("押金退还"))
    if paid is not None and fen(paid) == owed:
        return []
    got = "“押金退还”未填" if paid is None else f"登记退还 {yuan(paid)} 元"
    return [Finding(
        rule="parking.deposit_refund", register="parking_card", record=key, severity="warning",
        message=(f"{who}已于 {fmt_date(returned)} 退卡，应退还 IC 卡押金 {yuan(owed)} 元，{got}："
                 f"收银员退还押金后在“押金退还”登记实退金额"),
        values={"车主": v.get("车主"), "房号": v.get("房号"), "退卡日期": returned, "expected": owed,
                "paid": fen(paid) if paid is not None else None},
    )]


__all__ = ["temp_fee", "card_months", "temp_findings", "card_findings"]
