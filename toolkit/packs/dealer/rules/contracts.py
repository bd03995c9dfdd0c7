"""Contracts: payments overdue, breach at 30 days, termination notices, consulting phases.

Seed 000 第三篇 物业服务顾问协议书 第5条: payment more than 30 days late is a breach, the
other party may terminate by written notice; 第四篇: the phases of the consulting plan
(前期 4 months, 中期 2, 评估 2).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from toolkit.model import WITHDRAW_DRAFTS_FROM, Finding
from toolkit.packs import State
from toolkit.ruleset.money import dec, fen, yuan
from toolkit.ruleset.timing import Env, as_date, fmt_date, prepaid_period_end

from .common import split_key, text

CONSULTING = "物业服务顾问协议"
FACT_COLUMNS = ("合同类型", "甲方", "甲方地址", "甲方电话", "甲方传真", "甲方代表人", "乙方", "乙方地址", "乙方电话",
                "乙方传真", "乙方代表人", "执照编号", "项目名称", "签订日期", "委托期限止", "顾问模式", "委托内容",
                "委托费用", "付款方式", "违约金", "仲裁机构")


def contract_findings(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    c = env.settings.dealer.contract
    out: list[Finding] = []
    status = text(v.get("状态")) or "草拟"
    if status == "解除" and as_date(v.get("书面通知日期")) is None:
        out.append(Finding(
            rule="contract.termination", register="contract", record=key, severity="error",
            message=f"合同 {key}（{text(v.get('甲方'))}）登记为解除，但没有书面通知日期：解除合同须以书面形式通知对方",
            values={"甲方": v.get("甲方"), "乙方": v.get("乙方")},
        ))
    if status in ENDED and _ended_on(v) is None:
        # Which instalments fall after the end cannot be told without the day: the person
        # who keeps the register is asked for it on the return copy.
        out.append(Finding(
            rule="contract.end_date", register="contract", record=key, severity="warning",
            message=(f"合同 {key}（{text(v.get('甲方'))}）登记为{status}，但没有解除日期，也没有委托期限止，"
                     "无法判断哪几期在合同结束后才到期（不再收取）"),
            values={"甲方": v.get("甲方"), "状态": status},
        ))
    # The agreement is drafted for a contract being negotiated; one in force was signed
    # already (dealer.md §4.3: 状态 草拟 only).
    if text(v.get("合同类型")) == CONSULTING and status == "草拟":
        import cn2an  # slow to import (0.5 s): only when a contract is drafted

        values = {k: v.get(k) for k in FACT_COLUMNS}
        values["仲裁机构"] = text(v.get("仲裁机构")) or c.arbitration
        values.update({"copies": c.copies, "copies_each": c.copies_each,
                       "copies_text": cn2an.an2cn(str(c.copies), "up"),
                       "copies_each_text": cn2an.an2cn(str(c.copies_each), "up")})
        out.append(Finding(
            rule="contract.drafted", register="contract", record=key, severity="info",
            message=f"合同 {key}：《物业服务顾问协议书》（甲方 {text(v.get('甲方'))}）文本已生成，请核对后签订",
            values=values, notice="consulting_agreement",
        ))
    return out


ENDED = ("解除", "终止")


def _has_ended(contract: dict[str, Any]) -> bool:
    """The register says the contract has ended: no letter may treat it as running."""
    return text(contract.get("状态")) in ENDED


def _ended_on(contract: dict[str, Any]) -> date | None:
    """The day a contract marked 解除 or 终止 ended (解除日期, else 委托期限止); None while
    it runs, or when the register does not give the day (``_has_ended`` still holds)."""
    if not _has_ended(contract):
        return None
    return as_date(contract.get("解除日期")) or as_date(contract.get("委托期限止"))


def _working(env: Env, d: date) -> date:
    """``d`` if a working day, else the next one: a payment date, or the last day of the
    grace period, falling on a rest day or holiday moves to the next working day (SPEC §5,
    民法典 第二百零三条), as the pack's report deadlines do."""
    return d if env.cal.is_workday(d) else env.cal.next_workday(d)


def _tier(env: Env, payable: date, tiers: list[int]) -> int:
    """How many letter tiers have been reached: the day-1 reminder the day after the
    payable date; a later tier (30 days: breach) the day after its grace period ends.
    Seed 000 第三篇 5(2): 逾期30天仍不能支付 — the payer may still pay on the 30th day
    (moved off a rest day, 民法典 第二百零三条: the period ends at that day's 24:00), so
    the breach, and the letter saying 贵方已构成违约, begins on the day after it."""
    reached = 0
    for n, t in enumerate(tiers):
        last = payable + timedelta(days=t)
        if (env.today >= last) if n == 0 else (env.today > _working(env, last)):
            reached += 1
    return reached


def payment_findings(env: Env, state: State) -> list[Finding]:
    c = env.settings.dealer.contract
    contracts = state.get("contract", {})
    out: list[Finding] = []
    for key, v in state.get("contract_payment", {}).items():
        number, period = (split_key(key) + [""])[:2]
        due = as_date(v.get("应付日期"))
        amount = dec(v.get("应付金额")) or Decimal(0)
        paid = dec(v.get("实付金额")) or Decimal(0)
        owed = amount - paid
        if due is None or owed <= 0:
            continue
        payable = _working(env, due)
        off = env.cal.day_off_kind(due)  # 法定节假日 or 休息日, said when the day moved
        days = (env.today - payable).days  # day 1 = the day after the (working) due date
        tier = _tier(env, payable, c.tiers)
        if tier == 0:
            continue
        k = contracts.get(number, {})
        ended, has_ended = _ended_on(k), _has_ended(k)
        if ended is not None and due > ended:
            continue  # an installment of a contract already ended (解除/终止) is not owed
        breach = tier == len(c.tiers)
        letter = "违约通知书" if breach else "付款提醒函"
        # A letter needs its addressee and the contract's terms: without the contract in
        # the register it waits (the finding says why) and is drafted when it arrives.
        drafted = f"{letter}已起草" if k else f"请先在合同登记中登记此合同，{letter}待登记后起草"
        if has_ended:
            # No letter threatening to end a contract that has ended, whether or not its
            # day is typed: the debt stays, for 财务部 to pursue. Without the day every
            # unpaid instalment counts (none can be shown to fall after the end).
            when = f"于 {fmt_date(ended)} " if ended else "（解除日期未登记）"
            drafted = f"合同已{when}{text(k.get('状态'))}，欠款请财务部另行追收"
        out.append(Finding(
            rule="contract.overdue", register="contract_payment", record=key,
            severity="error" if breach else "warning", status="overdue",
            message=(f"合同 {number}（{text(k.get('甲方')) or '合同登记中无此编号'}）第 {period} 期应于 {fmt_date(due)}"
                     f"{'（' + off + '，顺延至 ' + fmt_date(payable) + '）' if payable != due else ''} 付款 "
                     f"{yuan(amount)} 元，已逾期 {days} 天，欠付 {yuan(owed)} 元——"
                     f"{'已满 ' + str(c.tiers[-1]) + ' 天视同违约，' if breach else ''}{drafted}"),
            values={"tier": tier, "days_overdue": days, "合同编号": number, "期次": period, "应付日期": due,
                    "顺延至": payable if payable != due else None,
                    "顺延原因": off if payable != due else None,
                    "应付金额": fen(amount), "实付金额": fen(paid), "欠付金额": fen(owed), "甲方": k.get("甲方"),
                    "乙方": k.get("乙方"), "违约金": dec(k.get("违约金")), "签订日期": as_date(k.get("签订日期")),
                    "breach_days": c.tiers[-1], "项目名称": k.get("项目名称"), "合同类型": k.get("合同类型"),
                    # Marked ended: the unsigned letters dated from its end day (any, the day
                    # not registered) are withdrawn — none may go out for a contract over.
                    WITHDRAW_DRAFTS_FROM: (ended or date.min) if has_ended else None},
            notice="contract_overdue" if k and not has_ended else None,
        ))
        if not k:
            # The letter waits on the contract: whoever keeps 合同登记 is told on the
            # payment sheet's return copy and in the monthly report, not only in the ledger.
            out.append(Finding(
                rule="contract.unregistered", register="contract_payment", record=key, severity="warning",
                message=f"合同 {number} 第 {period} 期已逾期 {days} 天，但合同登记中没有此合同，{letter}无法起草",
                values={"合同编号": number, "期次": period, "days_overdue": days, "letter": letter},
            ))
    return out


def phase_plan(env: Env, contract: dict[str, Any], given: dict[str, date | None]) -> dict[str, tuple[date, date]]:
    """Each phase's planned (start, end): a given 计划开始 wins; otherwise the first phase
    starts on the signing date, a phase ``within`` another starts with it, and the others
    start the day after the phase before them ends."""
    plan: dict[str, tuple[date, date]] = {}
    signed = as_date(contract.get("签订日期"))
    previous_end: date | None = None
    for p in env.settings.dealer.consulting_phases:
        if given.get(p.name):
            start = given[p.name]
        elif p.within and p.within in plan:
            start = plan[p.within][0]
        elif previous_end is not None:
            start = date.fromordinal(previous_end.toordinal() + 1)
        else:
            start = signed
        if start is None:
            continue
        end = prepaid_period_end(start, p.months)
        plan[p.name] = (start, end)
        if not p.within:
            previous_end = end
    return plan


def phase_findings(env: Env, state: State) -> list[Finding]:
    contracts = state.get("contract", {})
    by_contract: dict[str, dict[str, dict[str, Any]]] = {}
    for key, v in state.get("consulting_phase", {}).items():
        number, phase = (split_key(key) + [""])[:2]
        by_contract.setdefault(number, {})[phase] = v
    out: list[Finding] = []
    for number, phases in by_contract.items():
        plan = phase_plan(env, contracts.get(number, {}), {n: as_date(v.get("计划开始")) for n, v in phases.items()})
        for name, v in phases.items():
            if name not in plan:
                continue
            start, end = plan[name]
            done = as_date(v.get("实际完成"))
            late = (done is not None and done > end) or (done is None and env.today > end)
            if not late:
                continue
            out.append(Finding(
                rule="consulting.phase_late", register="consulting_phase", record=f"{number}|{name}",
                severity="warning", status="late" if done else "overdue",
                message=(f"合同 {number}“{name}”计划 {fmt_date(start)} 至 {fmt_date(end)}，"
                         f"{fmt_date(done) + ' 才完成，晚了 ' + str((done - end).days) + ' 天' if done else '已过计划结束日期仍未完成'}"),
                values={"合同编号": number, "阶段": name, "计划开始": start, "计划结束": end, "实际完成": done,
                        "甲方": contracts.get(number, {}).get("甲方")},
            ))
    return out
