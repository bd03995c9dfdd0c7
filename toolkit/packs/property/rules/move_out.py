"""放行登记 (seed 001 放行 1–7): what a release needs depends on why the goods go out.

* 搬家迁出 (moving out): every fee settled up to the day — property fee in the fee
  accounts, and water, electricity and gas (水电气结清) — or nothing leaves.
* 临时携带 (a temporary carry-out): no fee condition.
* Either way, a carrier who is not the owner needs the owner's confirmation by phone
  (an office worker: the company head's), with the time of the call written down.
* 身份 业主 is not taken on trust where the ledger names the unit's owner (fee accounts,
  handover register): a carrier by another name is phoned about like any non-owner,
  unless the row is corrected.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from toolkit.fields import fold
from toolkit.model import Finding
from toolkit.ruleset.money import dec, yuan
from toolkit.ruleset.timing import Env, as_date, fmt_date, prepaid_period_end

from ..history import historical
from .fees import months_begun, owed_amount

REGISTER = "move_out"
MOVING_OUT = "搬家迁出"
STAFF = "公司职员"


def fee_owed_to(account: dict[str, Any], day: date) -> tuple[date, Decimal] | None:
    """Property fee owed up to and including ``day``: (已缴至, amount), or None when settled.

    Paid to 11-30, moving out 12-05 → December is a started month: one month owed.
    A 欠费金额 of 0 means settled whatever 已缴至 says; a positive one is the amount owed.
    """
    paid_to = as_date(account.get("已缴至"))
    given = dec(account.get("欠费金额"))
    if given is not None and given <= 0:
        return None
    if paid_to is None or (paid_to >= day and given is None):
        return None
    months = months_begun(paid_to, day)
    area, price = dec(account.get("建筑面积")) or Decimal(0), dec(account.get("单价")) or Decimal(0)
    # The amount the arrears reminder states too (a 欠费金额 typed months ago has grown).
    return paid_to, owed_amount(given, area * price, months)


# Joint owners written in one cell: 王五、李梅 / 王五,李梅 / 王五/李梅.
_OWNERS_SPLIT = re.compile(r"[、,，/／;；]+")


def _person(name: Any) -> str:
    """A name as compared: full-width forms folded, spaces inside it dropped (王　五 = 王五)."""
    return "".join(fold(str(name or "")).split())


def registered_owners(*rows: dict[str, Any] | None) -> list[str]:
    """The owners the ledger names for a unit (fee account, handover), in order, once each."""
    out: list[str] = []
    for row in rows:
        for name in _OWNERS_SPLIT.split(str((row or {}).get("业主") or "")):
            if _person(name) and _person(name) not in map(_person, out):
                out.append(name.strip())
    return out


def move_out_findings(env: Env, key: str, v: dict[str, Any], accounts: dict[str, dict[str, Any]],
                      handovers: dict[str, dict[str, Any]] | None = None) -> list[Finding]:
    unit = v.get("房号") or ""
    account = accounts.get(unit)
    owners = registered_owners(account, (handovers or {}).get(unit))
    carrier = v.get("携带人") or ""
    nature = v.get("出门性质") or "临时携带"
    day = as_date(v.get("日期")) or env.today
    missing: list[str] = []
    reasons: list[str] = []
    arrears_amount = None
    prepaid_to: date | None = None
    if nature == MOVING_OUT:
        if account is None:
            prepaid_to = _prepaid_to(env, (handovers or {}).get(unit))
        if account is None and (prepaid_to is None or prepaid_to < day):
            # Not in the fee accounts (yet) nor covered by the handover's prepayment: arrears
            # cannot be ruled out, so nothing is released.
            missing.append("fee_account")
            covered = f"交房预收物业费至 {fmt_date(prepaid_to)}，此后" if prepaid_to else ""
            reasons.append(f"搬家迁出须结清费用，物业费台账中没有房号 {unit}，{covered}无法确认是否欠费")
        elif account is not None:
            owed = fee_owed_to(account, day)
            if owed is not None:
                missing.append("arrears_cleared")
                arrears_amount = owed[1]
                reasons.append(f"搬家迁出须结清截至 {fmt_date(day)} 的物业费，房号 {unit} 欠 {yuan(owed[1])} 元"
                               f"（已缴至 {fmt_date(owed[0])}）")
        if v.get("水电气结清") != "是":
            missing.append("utilities_cleared")
            reasons.append(f"搬家迁出须结清截至 {fmt_date(day)} 的水电气费用，“水电气结清”未填“是”")
    role = v.get("身份")
    named = bool(carrier) and _person(carrier) in map(_person, owners)
    # 业主 stands where the ledger names nobody; where it names the owners, the carrier must
    # be one of them. 身份 left blank: the owner only if named as one. Any other 身份 is
    # taken as stated (the call to the owner is the stricter path).
    is_owner = (named or not owners) if role == "业主" else (not role and named)
    who = "公司负责人" if role == STAFF else "业主"
    if not is_owner:
        if v.get("业主核实") != "是":
            if role == "业主":
                missing.append("owner_identity")
                reasons.append(f"携带人 {carrier} 登记为业主，但房号 {unit} 登记的业主是 {'、'.join(owners)}，"
                               f"业主尚未电话核实同意")
            else:
                # Named as the owner yet stated otherwise: the desk is told which to correct.
                note = f"（台账中 {unit} 登记的业主即为{carrier}，如身份填错请改为“业主”）" if named else ""
                missing.append("owner_confirmation")
                reasons.append(f"携带人 {carrier}（{role or '身份未填'}）不是业主，{who}尚未电话核实同意{note}")
        elif v.get("核实时间") is None:
            missing.append("confirmation_time")
            reasons.append(f"已向{who}核实，但未记录去电核实时间")
    base = {k: v.get(k) for k in ("房号", "携带人", "身份", "物品", "日期", "业主核实", "出门性质", "核实时间")}
    if missing:
        return [Finding(
            rule="move_out.blocked", register=REGISTER, record=key, severity="blocking",
            message=f"放行 {key}（{unit}，{carrier}，{nature}）不予放行：{'；'.join(reasons)}",
            values={**base, "missing": missing, "reasons": reasons, "arrears_amount": arrears_amount,
                    "registered_owners": owners},
        )]
    settled = "费用已结清" if nature == MOVING_OUT else "临时携带"
    if prepaid_to is not None:
        settled += f"（物业费台账尚无此房号，按交房预收物业费至 {fmt_date(prepaid_to)}）"
    slip = _slip_truth(role, owners, who) if not is_owner else \
        {"role_text": "业主"} if not role else {}  # a blank box of the slip says what the ledger does
    return [Finding(
        rule="move_out.released", register=REGISTER, record=key, severity="info",
        message=f"放行 {key}（{unit}，{carrier}）：{settled}{'' if is_owner else '，' + slip['confirmation_text']}，"
                f"可开具放行条",
        values={**base, **slip}, notice=None if historical(env.today, as_date(v.get("日期"))) else "release_slip",
    )]


def _prepaid_to(env: Env, handover: dict[str, Any] | None) -> date | None:
    """The last day the handover's prepayment covers (seed 001 交房: half a year prepaid
    from the handover day, its start and end kept on the handover record); None for a
    unit not accepted (nothing was prepaid) or a record without a handover day."""
    if not handover or handover.get("接收状态") == "未接收":
        return None
    handed = as_date(handover.get("交房日期"))
    if handed is None:
        return None
    months = dec(handover.get("预收月数"))
    return prepaid_period_end(handed, int(months) if months else env.settings.tariffs.handover.prepaid_months)


def _slip_truth(role: Any, owners: list[str], who: str) -> dict[str, str]:
    """What the slip prints for a carrier who is not the owner, released on a call: the
    身份 as it stands against the ledger (never 业主 for someone it does not name) and who
    confirmed. Only then: the owner's own slips keep the values they were issued with."""
    out: dict[str, str] = {}
    if role == "业主" or not role:
        out["role_text"] = ("自称业主（非登记业主）" if role else "非登记业主") if owners else "身份未填"
    confirmer = f"登记业主{'、'.join(owners)}" if owners and role != STAFF else who
    out["confirmation_text"] = f"已电话向{confirmer}核实同意"
    return out
