"""物业费台账 and 交房登记表 (SPEC §3.7, §3.8; seed 001 交房): arrears tiers, handover
prepayment, units not accepted and the papers signed at handover."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from toolkit.model import Finding
from toolkit.ruleset.money import dec, fen, yuan
from toolkit.ruleset.timing import (
    Env,
    as_date,
    fmt_date,
    prepaid_period_end,
    started_months,
)

from ..history import historical

TIER_NAMES = {1: "催缴通知", 2: "再次催缴", 3: "报项目经理"}


@dataclass
class Arrears:
    tier: int
    days_overdue: int
    paid_to: date
    months_owed: int
    amount: Decimal
    computed: Decimal  # months × area × unit price


def arrears(env: Env, v: dict[str, Any]) -> Arrears | None:
    """The account's arrears at --now, or None when it is paid up.

    Overdue from the day after 已缴至: paid to 06-30 → 07-01 is 1 day overdue.
    A 欠费金额 written as 0 (or less) means settled, whatever 已缴至 says.
    """
    paid_to = as_date(v.get("已缴至"))
    if paid_to is None:
        return None
    days = (env.today - paid_to).days
    tiers = env.settings.tariffs.arrears.tiers
    tier = sum(1 for t in tiers if days >= t)
    given = dec(v.get("欠费金额"))
    if tier == 0 or (given is not None and given <= 0):
        return None
    months = months_begun(paid_to, env.today)
    monthly = (dec(v.get("建筑面积")) or Decimal(0)) * (dec(v.get("单价")) or Decimal(0))
    computed = fen(monthly * months)
    # The register's own amount stands (it may include what the tariff cannot know);
    # arrears_findings warns when it disagrees with months × area × price. An amount of
    # whole months fewer than are owed now was typed before the months since fell due
    # (251.25 for one month, two owed today): the amount owed has grown to the computed
    # one, and neither the notice nor a warning should repeat the old figure every month.
    return Arrears(tier, days, paid_to, months, owed_amount(given, monthly, months), computed)


def months_begun(paid_to: date, day: date) -> int:
    """Fee months begun by the end of ``day`` after an account paid to ``paid_to``: the
    month beginning on ``day`` itself counts (paid to 07-31, on 12-01: August to December,
    5), as it does for an account paid to 11-30 (December, 1). ``started_months`` reads a
    period as reaching its end date (the card convention), which would leave that month out."""
    return started_months(paid_to + timedelta(days=1), day + timedelta(days=1))


def owed_amount(given: Decimal | None, monthly: Decimal, months: int) -> Decimal:
    """What is owed for ``months`` of ``monthly`` fee: the register's 欠费金额 when given,
    unless it is a whole number of months fewer (typed before the months since fell due)."""
    computed = fen(monthly * months)
    if given is None:
        return computed
    amount = fen(given)
    if monthly > 0 and any(amount == fen(monthly * k) for k in range(1, months)):
        return computed
    return amount


def arrears_findings(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    owed = arrears(env, v)
    if owed is None:
        return _paid_to_stale(env, key, v)
    top = len(env.settings.tariffs.arrears.tiers)
    name = TIER_NAMES.get(owed.tier, f"第{owed.tier}档") if top == 3 else f"第{owed.tier}档"
    values = {"tier": owed.tier, "reminder_tier": reminder_tier(owed.tier, top), "days_overdue": owed.days_overdue,
              "已缴至": owed.paid_to, "months_owed": owed.months_owed, "amount": owed.amount,
              "业主": v.get("业主"), "建筑面积": dec(v.get("建筑面积")), "单价": dec(v.get("单价"))}
    return [Finding(
        rule="fee.arrears", register="fee_account", record=key,
        severity="error" if owed.tier == top else "warning",
        message=(f"房号 {key}（{v.get('业主') or ''}）物业费已缴至 {fmt_date(owed.paid_to)}，逾期 {owed.days_overdue} 天，"
                 f"欠费 {yuan(owed.amount)} 元（{owed.months_owed} 个月）——{name}"),
        status="open", values=values, notice="payment_reminder", wake=next_month(env.today),
    )] + _manager_report(key, owed, top, values, env.today) + _amount_check(key, v, owed, env.today)


def next_month(day: date) -> datetime:
    """The first moment of the month after ``day``: another month's fee falls due then, so
    the account is judged again with no file arriving and an unsigned demand states the
    months and amount owed that day (its draft is rewritten under its own number)."""
    first = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return datetime.combine(first, time())


def reminder_tier(tier: int, top: int) -> int:
    """The customer's reminder for a tier: the last tier (of two or more) is the report to
    the manager, not a further reminder, so the owner's reminders stop one tier below it
    (one already signed is not replaced when the report is made)."""
    return min(tier, top - 1) if top >= 2 else tier


def _manager_report(key: str, owed: Arrears, top: int, values: dict[str, Any], today: date) -> list[Finding]:
    """SPEC §4 (the last tier): a 欠费情况报告 to the manager, a document of its own beside
    the owner's reminders — issuing one never replaces the other."""
    if top < 2 or owed.tier != top:
        return []
    return [Finding(
        rule="fee.arrears_report", register="fee_account", record=key, severity="info",
        message=(f"房号 {key}（{values.get('业主') or ''}）欠费逾期 {owed.days_overdue} 天，"
                 f"须报项目经理：《欠费情况报告》已起草，请项目经理审阅签发"),
        status="open", values=dict(values), notice="arrears_report", wake=next_month(today),
    )]


def _paid_to_stale(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    """欠费金额 0 marks the account settled, but a 已缴至 left in the past would keep every
    later month's arrears from being reminded: the cashier is asked to bring it forward."""
    paid_to, given = as_date(v.get("已缴至")), dec(v.get("欠费金额"))
    if paid_to is None or given is None or given > 0 or paid_to >= env.today:
        return []
    return [Finding(
        rule="fee.paid_to_stale", register="fee_account", record=key, severity="warning",
        message=(f"房号 {key}（{v.get('业主') or ''}）欠费金额为 0，但已缴至 {fmt_date(paid_to)} 已过："
                 f"请收费员把“已缴至”改为实际缴费至的日期，否则以后的欠费无法提醒"),
        status="open", values={"已缴至": paid_to},
    )]


def _amount_check(key: str, v: dict[str, Any], owed: Arrears, today: date) -> list[Finding]:
    """A register amount that is not months × area × price: the notice would contradict its
    own table, so the cashier is asked to check it. The amount typed is the matter (the
    pack's ``fact_keys``); it wakes with the arrears each month so its words give the
    figure now due."""
    area, price = dec(v.get("建筑面积")), dec(v.get("单价"))
    if area is None or price is None or owed.amount == owed.computed:
        return []
    return [Finding(
        rule="fee.amount_mismatch", register="fee_account", record=key, severity="warning",
        message=(f"房号 {key} 台账欠费金额 {yuan(owed.amount)} 元，与 欠费 {owed.months_owed} 个月 × 面积 {area} m² × "
                 f"单价 {yuan(price)} 元 = {yuan(owed.computed)} 元不符"),
        status="open",
        values={"amount": owed.amount, "computed": owed.computed, "months_owed": owed.months_owed,
                "建筑面积": area, "单价": price},
        wake=next_month(today),
    )]


def handover_findings(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    if v.get("接收状态") == "未接收":
        return _not_accepted(key, v)
    return _papers(key, v) + _prepayment(env, key, v)


def _not_accepted(key: str, v: dict[str, Any]) -> list[Finding]:
    """Seed 001 交房 9: "对未接收的房屋,做好原因登记" — no payment is asked of a refused unit."""
    if str(v.get("未接收原因") or "").strip():
        return []
    return [Finding(
        rule="handover.not_accepted", register="handover", record=key, severity="warning",
        message=(f"房号 {key}（{v.get('业主') or ''}）{fmt_date(as_date(v.get('交房日期')))} 未接收，"
                 "“未接收原因”未填"),
        values={"业主": v.get("业主"), "交房日期": as_date(v.get("交房日期"))},
    )]


def _papers(key: str, v: dict[str, Any]) -> list[Finding]:
    """Seed 001 交房 4 and 8: the safety pledge signed, the documents' receipt signed."""
    missing = [c for c in ("安全责任书", "文件签收") if v.get(c) == "否"]
    if not missing:
        return []
    # The fact only: what the clerk does is the action's to-do (actions.py), said once.
    papers = "、".join(_PAPER_NAMES[c] for c in missing)
    return [Finding(
        rule="handover.papers", register="handover", record=key, severity="warning",
        message=f"房号 {key}（{v.get('业主') or ''}）已交房，{'、'.join(missing)}为“否”：业主尚未签署{papers}",
        values={"业主": v.get("业主"), "missing": missing},
    )]


_PAPER_NAMES = {"安全责任书": "《安全责任制书》", "文件签收": "文件签收表"}


def _prepayment(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    handed = as_date(v.get("交房日期"))
    area, price = dec(v.get("建筑面积")), dec(v.get("物业费单价"))
    if handed is None or area is None or price is None:
        return []
    raw_months = dec(v.get("预收月数"))
    months = int(raw_months) if raw_months else env.settings.tariffs.handover.prepaid_months
    amount = fen(area * price * months)
    end = prepaid_period_end(handed, months)
    return [Finding(
        rule="handover.prepayment", register="handover", record=key, severity="info",
        message=(f"房号 {key}（{v.get('业主') or ''}）交房预收物业费：{area} m² × {yuan(price)} 元 × {months} 个月 = "
                 f"{yuan(amount)} 元，期间 {fmt_date(handed)} 至 {fmt_date(end)}"),
        values={"业主": v.get("业主"), "建筑面积": area, "物业费单价": price, "预收月数": months,
                "amount": amount, "period_start": handed, "period_end": end},
        notice=None if historical(env.today, handed) else "handover_payment",
    )]
