"""客户俱乐部 (customer clubs): validity, renewal, one car one member, fees, expiry reminders.

Seed 003 第二、三篇 (PICC 客户俱乐部): membership runs with the policy, extended by 10
days past its end; renewing the policy within that period renews the membership
automatically (card and handbook reissued), after it the member must apply again; one
member per car; ordinary membership free. 第五篇 (天人车友俱乐部): VIP 365 元 a year.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from toolkit.model import Finding
from toolkit.packs import State
from toolkit.ruleset.money import dec, fen, yuan
from toolkit.ruleset.timing import Env, add_months, as_date, fmt_date

from .common import text

VIP = "VIP会员"


@dataclass(frozen=True)
class Validity:
    valid_to: date | None  # 有效期至
    renewed: bool  # renewed within validity
    new_valid_to: date | None  # after an automatic renewal
    status: str  # 有效, 失效, 注销


def validity(env: Env, v: dict[str, Any]) -> Validity:
    c = env.settings.dealer.club
    ext = timedelta(days=c.validity_extension_days)
    end = as_date(v.get("保险止期"))
    if end is not None:
        valid_to = end + ext
    else:  # a VIP card without a policy: the paid years from the card's issue
        start = as_date(v.get("发卡日期")) or as_date(v.get("审批日期")) or as_date(v.get("入会申请日期"))
        years = int(dec(v.get("会费年数")) or 1)
        valid_to = add_months(start, 12 * years) - timedelta(days=1) if start else None
    renewal = as_date(v.get("续保日期"))
    renewed = bool(end and valid_to and renewal and renewal <= valid_to)
    new_valid_to = add_months(end, c.policy_months) + ext if renewed and end else None
    if renewed and end and renewal and renewal < add_months(end, -(c.policy_months // 2)):
        # Renewed more than half a term before this 保险止期: the clerk has entered the new
        # policy's end already, so that is the renewed term (not one more year on top).
        new_valid_to = valid_to
    if text(v.get("状态")) == "注销":
        status = "注销"
    elif valid_to is None:
        status = "有效"
    else:
        status = "有效" if env.today <= (new_valid_to or valid_to) else "失效"
    return Validity(valid_to, renewed, new_valid_to, status)


def _subject(key: str, v: dict[str, Any]) -> str:
    return f"会员卡 {key}（{text(v.get('会员姓名'))}，{text(v.get('车牌号'))}）"


def _base(key: str, v: dict[str, Any], val: Validity) -> dict[str, Any]:
    return {"会员卡号": key, "会员姓名": v.get("会员姓名"), "车牌号": v.get("车牌号"),
            "所属支公司": v.get("所属支公司"), "会员类型": text(v.get("会员类型")) or "普通会员",
            "保单号": v.get("保单号"), "保险止期": as_date(v.get("保险止期")), "有效期至": val.valid_to,
            "联系电话": v.get("联系电话")}


def members_findings(env: Env, state: State) -> list[Finding]:
    """Each card judged with the other cards of its car (the rule's scope groups them by
    车牌号): a second card of a car, to be cancelled, gets no expiry reminder."""
    members = state.get("club_member", {})
    second = duplicates(env, members)
    return [f for key, v in sorted(members.items()) for f in member_findings(env, key, v, key in second)]


def member_findings(env: Env, key: str, v: dict[str, Any], duplicate: bool = False) -> list[Finding]:
    """``duplicate``: a second valid card of its car (一车一会员), flagged by ``club.one_car``
    for cancellation; no reminder to renew it, nor notice reissuing it, is drafted."""
    c = env.settings.dealer.club
    val = validity(env, v)
    subject = _subject(key, v)
    base = _base(key, v, val)
    out: list[Finding] = []
    renewal = as_date(v.get("续保日期"))
    # A card handed back (注销) or to be cancelled (a second card of its car) is not
    # reissued: the renewal notice goes only to a card that stands.
    if val.renewed and val.status != "注销" and not duplicate:
        out.append(Finding(
            rule="club.renewal", register="club_member", record=key, severity="info",
            message=(f"{subject}于 {fmt_date(renewal)} 在会员资格有效期（至 {fmt_date(val.valid_to)}）内续保，"
                     f"自动续为会员，有效期至 {fmt_date(val.new_valid_to)}；请重新发放会员卡和会员手册"),
            values={**base, "续保日期": renewal, "新有效期至": val.new_valid_to}, notice="club_renewal",
        ))
    elif renewal is not None and val.valid_to is not None:
        out.append(Finding(
            rule="club.lapsed", register="club_member", record=key, severity="warning",
            message=(f"{subject}续保日期 {fmt_date(renewal)} 已过会员资格有效期（至 {fmt_date(val.valid_to)}），"
                     f"会员资格已失效，须重新申请入会"),
            values={**base, "续保日期": renewal},
        ))
    if val.status == "失效" and text(v.get("状态")) == "有效":
        out.append(Finding(
            rule="club.validity", register="club_member", record=key, severity="warning",
            message=f"{subject}会员资格已于 {fmt_date(val.valid_to)} 到期（保险止期顺延 {c.validity_extension_days} 天），登记状态却为“有效”",
            values=base,
        ))
    end = as_date(v.get("保险止期"))
    if (end is not None and renewal is None and text(v.get("状态")) != "注销" and not duplicate
            and end - timedelta(days=c.expiry_reminder_days) <= env.today <= val.valid_to):
        days_left = (end - env.today).days
        out.append(Finding(
            rule="club.expiry_reminder", register="club_member", record=key, severity="info", status="due_soon",
            message=(f"{subject}保险 {fmt_date(end)} 到期"
                     f"{'（还有 ' + str(days_left) + ' 天）' if days_left >= 0 else '（已过 ' + str(-days_left) + ' 天）'}，"
                     f"会员资格有效期至 {fmt_date(val.valid_to)}，在此之前续保可自动续为会员；到期提醒已起草"),
            values={**base, "days_left": days_left}, notice="club_expiry",
        ))
    fee = dec(v.get("会费"))
    kind = base["会员类型"]
    if kind == VIP:
        years = int(dec(v.get("会费年数")) or 1)
        expected = fen(c.vip_fee_per_year * years)
        if fee is None or fen(fee) != expected:
            out.append(Finding(
                rule="club.fee", register="club_member", record=key, severity="warning",
                message=(f"{subject}为VIP会员，会费应为 {yuan(c.vip_fee_per_year)} 元/年 × {years} 年 = {yuan(expected)} 元，"
                         f"登记为 {yuan(fee) + ' 元' if fee is not None else '空'}"),
                values={**base, "会费": fee, "expected": expected},
            ))
    elif fee is not None and fee > 0:
        out.append(Finding(
            rule="club.fee", register="club_member", record=key, severity="warning",
            message=f"{subject}为普通会员，不收取任何入会费用，登记的会费 {yuan(fee)} 元应退还或更正",
            values={**base, "会费": fee, "expected": Decimal(0)},
        ))
    return out


def duplicates(env: Env, members: dict[str, dict[str, Any]]) -> dict[str, tuple[str, list[str]]]:
    """One car, one member (seed 003 第二篇 第四条): of a car's valid cards the first (by
    card number) stands; each other one → (plate, the car's valid cards)."""
    cards: dict[str, list[str]] = defaultdict(list)
    for key, v in sorted(members.items()):
        if validity(env, v).status == "有效" and text(v.get("车牌号")):
            cards[text(v.get("车牌号"))].append(key)
    return {key: (plate, keys) for plate, keys in cards.items() for key in keys[1:]}


def one_car_findings(env: Env, state: State) -> list[Finding]:
    """One car, one member: a second valid card for the same plate is flagged."""
    return [Finding(
        rule="club.one_car", register="club_member", record=key, severity="error",
        message=f"车牌 {plate} 已有有效会员卡 {keys[0]}，一车只能办一张会员卡：会员卡 {key} 请核实后注销",
        values={"车牌号": plate, "cards": keys},
    ) for key, (plate, keys) in duplicates(env, state.get("club_member", {})).items()]
