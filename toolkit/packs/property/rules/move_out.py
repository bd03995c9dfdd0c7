"""放行登记 (SPEC §3.9): released only with no arrears and, for a non-owner, the owner's confirmation."""

from __future__ import annotations

from typing import Any

from toolkit.model import Finding
from toolkit.ruleset.money import yuan
from toolkit.ruleset.timing import Env, as_date, fmt_date

from ..history import historical
from .fees import arrears

REGISTER = "move_out"


def move_out_findings(env: Env, key: str, v: dict[str, Any], accounts: dict[str, dict[str, Any]]) -> list[Finding]:
    unit = v.get("房号") or ""
    account = accounts.get(unit)
    carrier = v.get("携带人") or ""
    missing: list[str] = []
    reasons: list[str] = []
    arrears_amount = None
    if account is None:
        # Not in the fee accounts (yet): arrears cannot be ruled out, so nothing is released.
        missing.append("fee_account")
        reasons.append(f"物业费台账中没有房号 {unit}，无法确认是否欠费")
    else:
        owed = arrears(env, account)
        if owed is not None:
            missing.append("arrears_cleared")
            arrears_amount = owed.amount
            reasons.append(f"房号 {unit} 欠物业费 {yuan(owed.amount)} 元（已缴至 {fmt_date(owed.paid_to)}）")
    role = v.get("身份")
    # 身份 left blank: the carrier is the owner only if named as the owner in the fee accounts.
    is_owner = role == "业主" or (not role and account is not None and carrier and carrier == account.get("业主"))
    if not is_owner and v.get("业主核实") != "是":
        missing.append("owner_confirmation")
        reasons.append(f"携带人 {carrier}（{role or '身份未填'}）不是业主，业主尚未核实")
    base = {k: v.get(k) for k in ("房号", "携带人", "身份", "物品", "日期", "业主核实")}
    if missing:
        return [Finding(
            rule="move_out.blocked", register=REGISTER, record=key, severity="blocking",
            message=f"放行 {key}（{unit}，{carrier}）不予放行：{'；'.join(reasons)}",
            values={**base, "missing": missing, "reasons": reasons, "arrears_amount": arrears_amount},
        )]
    return [Finding(
        rule="move_out.released", register=REGISTER, record=key, severity="info",
        message=f"放行 {key}（{unit}，{carrier}）：无欠费{'' if is_owner else '，业主已核实'}，可开具放行条",
        values=base, notice=None if historical(env.today, as_date(v.get("日期"))) else "release_slip",
    )]
