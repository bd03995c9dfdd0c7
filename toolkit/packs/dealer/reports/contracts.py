"""Contracts' monthly receivables: due this month, overdue, in breach, consulting phases late."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from toolkit.model import Finding
from toolkit.reports.model import Column, Mark, Report, Table
from toolkit.reports.periods import Period
from toolkit.reports.source import Source, day
from toolkit.ruleset.money import dec

from ..rules.common import split_key, text
from .overview import overview


def _letter(f: Finding | None, contract: dict[str, Any] | None) -> str | None:
    """What was drafted for an overdue instalment, or why nothing was: the rule drafts a
    letter only for a contract in the register that has not ended."""
    if f is None:
        return None
    letter = "违约通知书" if f.values["tier"] >= 2 else "付款提醒函"
    if f.notice:
        return f"{letter}已起草"
    if contract is None:
        return f"合同未登记，{letter}待合同管理部登记后起草（见“合同事项”）"
    return f"合同已{text(contract.get('状态'))}，不发函；欠款由财务部追收"


def contract_monthly(src: Source, period: Period) -> Report:
    remind_days, breach_days = src.rules.pack("dealer").settings.dealer.contract.tiers
    contracts = src.records("contract")
    findings = src.findings("contract_payment", "contract", "consulting_phase")
    overdue = {f.record: f for f in findings if f.rule == "contract.overdue"}
    rows = []
    for key, v in sorted(src.records("contract_payment").items()):
        number, n = (split_key(key) + [""])[:2]
        due = day(v.get("应付日期"))
        f = overdue.get(key)
        if f is None and not (due and period.start <= due <= period.end):
            continue
        amount, paid = dec(v.get("应付金额")) or Decimal(0), dec(v.get("实付金额")) or Decimal(0)
        state = ("违约" if f and f.values["tier"] >= 2 else "逾期" if f else "已付清" if paid >= amount else "本月应收")
        party = text(contracts.get(number, {}).get("甲方")) if number in contracts else "合同登记中无此编号"
        rows.append([number, party, n, due, amount, paid, amount - paid,
                     f.values["days_overdue"] if f else None, state, _letter(f, contracts.get(number))])
    receivables = Table("应收款", f"合同应收款（{period.zh}）", [
        Column("合同编号", width=16), Column("甲方", width=20), Column("期次", width=6), Column("应付日期", "date"),
        Column("应付金额（元）", "money"), Column("实付金额（元）", "money"), Column("欠付金额（元）", "money"),
        Column("逾期天数", "int"),
        Column("情况", width=10), Column("文书", width=40)], rows,
        marks=[Mark("情况", "违约"), Mark("情况", "逾期", "FFEB9C")],
        note=f"本月到期的各期，以及此前到期仍未付清的各期；逾期第 {remind_days} 天起草付款提醒函，逾期满 {breach_days} 天视同违约、"
             "起草违约通知书，草稿在 outbox 文书草稿中。合同登记中没有的合同不能起草，待合同管理部登记后起草；"
             "已解除或终止的合同不再发函，欠款由财务部追收。每期的情况见“文书”列。",
        total=["合计", None, None, None, *[sum((r[i] for r in rows), Decimal(0)) for i in (4, 5, 6)], None, None, None]
        if rows else None, empty="本月没有到期的款项，此前到期的也都已付清。")
    matters = {"consulting.phase_late": "顾问阶段延误", "contract.termination": "解除未书面通知",
               "contract.unregistered": "合同未登记", "contract.end_date": "结束日期未登记"}
    others = [[matters[f.rule], f.record, f.message] for f in findings if f.rule in matters]
    issues = Table("合同事项", "顾问推进计划延误、合同解除手续与未登记的合同", [Column("事项", width=20), Column("记录", width=24),
                                                         Column("情况", width=90)], others,
                   empty="没有延误的顾问阶段、未书面通知的合同解除、缺结束日期的已结束合同或未登记的合同。")
    owed = sum((r[6] for r in rows if r[8] in ("逾期", "违约")), Decimal(0))
    headline = [("逾期欠款（元）", f"{owed:,.2f}", ""), ("违约（期）", str(sum(1 for r in rows if r[8] == "违约")), ""),
                ("合同事项", str(len(others)), "")]
    head = overview(f"合同收款月报（{period.zh}）", headline, {
        "逾期欠款（元）": "已过应付日期仍未付清的各期欠付金额之和（含违约），见“应收款”；本月到期、尚未逾期的不计",
        "违约（期）": f"逾期满 {breach_days} 天的期数；已起草违约通知书的、待登记或不发函的，见“应收款”的“文书”列",
        "合同事项": "顾问阶段延误、合同解除未书面通知、已结束的合同未登记结束日期、合同未登记的件数，见“合同事项”"},
        note=f"按 {src.as_of:%Y-%m-%d %H:%M} 的登记统计。")
    return Report("contract_monthly", "合同收款月报", period, src.as_of, f"合同收款月报-{period.label}",
                  [head, receivables, issues], headline=headline)
