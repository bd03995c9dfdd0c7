"""房屋转让登记 (seed 001 房屋转让): the new owner prepays at least half a year, the old
owner settles every fee up to the transfer date."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from toolkit.model import Finding
from toolkit.ruleset.money import dec, fen, yuan
from toolkit.ruleset.timing import Env, as_date, fmt_date, prepaid_period_end

from ..history import historical, turns_history

REGISTER = "transfer"


def _settled_to(day: date) -> date:
    """The last day the old owner pays for: the day before the transfer. Seed 001 房屋转让:
    the old owner clears every fee before the point the two hand over, and the new owner's
    prepaid half year starts on the transfer day itself (period_start)."""
    return day - timedelta(days=1)


def transfer_findings(env: Env, key: str, v: dict[str, Any], accounts: dict[str, dict[str, Any]]) -> list[Finding]:
    unit = v.get("房号") or ""
    day = as_date(v.get("转让日期"))
    subject = f"房屋转让 {unit}（{v.get('原业主') or ''} → {v.get('新业主') or ''}）"
    out: list[Finding] = []
    minimum = env.settings.tariffs.transfer.min_prepaid_months
    months = v.get("新业主预缴月数")
    area, price = dec(v.get("建筑面积")), dec(v.get("物业费单价"))
    if months is not None and int(months) < minimum:
        out.append(Finding(
            rule="transfer.prepay", register=REGISTER, record=key, severity="error",
            message=f"{subject}：新业主预缴 {months} 个月物业费，至少应预缴 {minimum} 个月（半年）",
            values={"months": int(months), "min_months": minimum},
        ))
    elif months is not None and area is not None and price is not None and day is not None:
        expected = fen(area * price * int(months))
        paid = dec(v.get("新业主预缴金额"))
        values = {"新业主": v.get("新业主"), "建筑面积": area, "物业费单价": price, "months": int(months),
                  "expected": expected, "paid": fen(paid) if paid is not None else None,
                  "period_start": day, "period_end": prepaid_period_end(day, int(months))}
        # Seed 001 房屋转让: the new owner is told what to prepay (area × price × months).
        out.append(Finding(
            rule="transfer.payment", register=REGISTER, record=key, severity="info",
            message=(f"{subject}：新业主预缴 {area} m² × {yuan(price)} 元 × {months} 个月 = {yuan(expected)} 元，"
                     f"期间 {fmt_date(day)} 至 {fmt_date(values['period_end'])}"),
            values={**values, "房号": unit, "原业主": v.get("原业主")},
            notice=None if historical(env.today, day) else "transfer_payment",
        ))
        if paid is not None and fen(paid) != expected:
            out.append(Finding(
                rule="transfer.prepay_amount", register=REGISTER, record=key, severity="warning",
                message=(f"{subject}：预缴金额应为 {area} m² × {yuan(price)} 元 × {months} 个月 = {yuan(expected)} 元，"
                         f"登记为 {yuan(paid)} 元"),
                values={**values, "difference": fen(paid - expected)},
            ))
    if day is not None and v.get("原业主结清") == "是":
        if not historical(env.today, day):  # a transfer of long ago is not asked about every day
            for f in _settled_against_ledger(subject, key, day, accounts.get(unit)):
                f.wake = turns_history(day)  # then it is closed, with or without a file
                out.append(f)
    elif day is not None:
        account = accounts.get(unit)
        paid_to = as_date((account or {}).get("已缴至"))
        owed = dec((account or {}).get("欠费金额"))
        settled = paid_to is not None and paid_to >= _settled_to(day) and not (owed is not None and owed > 0)
        if not settled:
            where = (f"物业费已缴至 {fmt_date(paid_to)}" if paid_to else "物业费台账中没有该房号的缴费记录")
            out.append(Finding(
                rule="transfer.old_owner", register=REGISTER, record=key, severity="blocking",
                message=(f"{subject}：原业主须结清转让日 {fmt_date(day)} 前的一切费用（含水电气抄表），"
                         f"“原业主结清”未填“是”，{where}（应至少缴至 {fmt_date(_settled_to(day))}）"),
                values={"原业主": v.get("原业主"), "转让日期": day, "已缴至": paid_to,
                        "欠费金额": owed if owed is not None else Decimal(0)},
            ))
    return out


def _settled_against_ledger(subject: str, key: str, day: Any, account: dict[str, Any] | None) -> list[Finding]:
    """原业主结清 是 while the fee accounts still show the old owner owing before the transfer
    date (seed 001: the cashier checks the old owner's arrears): either the payment was not
    entered — the account would go on dunning the old owner — or the mark is wrong. A unit
    without an account is not judged (nothing says otherwise)."""
    if account is None:
        return []
    paid_to = as_date(account.get("已缴至"))
    owed = dec(account.get("欠费金额"))
    if paid_to is None or (paid_to >= _settled_to(day) and not (owed is not None and owed > 0)):
        return []
    amount = f"，欠费金额 {yuan(owed)} 元" if owed is not None and owed > 0 else ""
    return [Finding(
        rule="transfer.ledger_unsettled", register=REGISTER, record=key, severity="warning",
        message=(f"{subject}：“原业主结清”填了“是”，但物业费台账中该房号物业费只缴至 {fmt_date(paid_to)}{amount}；"
                 f"请收费员核对：已结清的在物业费台账更新“已缴至”和业主，未结清的改为“否”并暂缓办理"),
        values={"转让日期": day, "已缴至": paid_to, "欠费金额": owed if owed is not None else Decimal(0)},
    )]
