"""The car pack: an after-sales service desk (汽车售后服务台).

Registers of customer vehicle files, appointments, repair orders (委托书), extra items,
complaints, phone messages and safety checks; the rules of the service advisor's
manual (deposits, same-day notices, reminders, a complete signed order, the promise
kept, progress checks, follow-up calls, fines); its six documents and three reports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toolkit.packs import Pack, Rule, SettingsPart, per_record
from toolkit.packs.scopes import KEY, Each, Link
from toolkit.reports.catalog import Kind
from toolkit.reports.settings import Flow, Job, Responsible

from .actions import ACTIONS, action_of
from .rules.appointments import appointment_rule
from .rules.claims import claim_rule
from .rules.common import (
    APPOINTMENTS,
    CLAIMS,
    COMPLAINTS,
    CUSTOMERS,
    EXTRAS,
    MESSAGES,
    ORDERS,
    SAFETY,
    VOIDED_ORDERS,
)
from .rules.orders import work_order_rule
from .rules.others import (
    complaint_findings,
    customer_rule,
    extra_rule,
    fine_rule,
    message_findings,
    safety_findings,
    safety_notice_rule,
)
from .settings import SLA_FILE, TARIFFS_FILE, CarSla, CarTariffs


def _acted_on(rule: Rule) -> Rule:
    """The rule without deadlines met: only what someone must act on, plus the promise
    (the on-time rate) and document triggers, is kept and stored (a 20,000-order register
    would otherwise store four findings an order)."""

    def run(env: Any, state: Any) -> list[Any]:
        return [f for f in rule.run(env, state)
                if f.status != "met" or f.notice is not None or f.rule == "car.promise"]

    return Rule(rule.name, rule.reads, run, rule.scope)


def _report(name: str) -> Any:
    """A report builder imported when first run: processing a file never needs them."""

    def build(src: Any, period: Any) -> Any:
        from .reports import builders

        return getattr(builders, name)(src, period)

    build.__name__ = name
    return build


PACK = Pack(
    name="car",
    title="汽车售后服务台",
    sources=Path(__file__).resolve().parent / "workspace",
    registers=(CUSTOMERS, APPOINTMENTS, ORDERS, EXTRAS, COMPLAINTS, MESSAGES, SAFETY, CLAIMS),
    settings=(
        SettingsPart("sla", SLA_FILE, CarSla, section="car"),
        SettingsPart("tariffs", TARIFFS_FILE, CarTariffs, section="car"),
    ),
    rules=tuple(_acted_on(r) for r in (
        Rule("car_customer", (CUSTOMERS, ORDERS), customer_rule),
        # A booking is kept by the 委托书 citing its 预约单号 as well as by its 到店时间.
        Rule("car_appointment", (APPOINTMENTS, ORDERS), appointment_rule, Each((Link(ORDERS, KEY, "预约单号"),))),
        # An order marked 作废 (VOIDED_ORDERS) withdraws its extras' slips; back, it gets
        # back what was drafted for it.
        Rule("car_work_order", (ORDERS, EXTRAS, APPOINTMENTS, CUSTOMERS, VOIDED_ORDERS), work_order_rule),
        Rule("car_extra_item", (EXTRAS, ORDERS, VOIDED_ORDERS), extra_rule),
        per_record("car_complaint", COMPLAINTS, complaint_findings),
        per_record("car_message", MESSAGES, message_findings),
        per_record("car_safety", SAFETY, safety_findings),
        Rule("car_fines", (ORDERS, SAFETY), fine_rule),
        # A notice of safety deductions alone is about the 安全考核 register (发文登记 files it
        # there): its own rule, so the findings about that register open and close with it.
        Rule("car_safety_notice", (SAFETY, ORDERS), safety_notice_rule),
        # A claim is judged with the 委托书 it cites (or the one voided under that number);
        # the days waited grow by the date.
        Rule("car_claim", (CLAIMS, ORDERS, VOIDED_ORDERS), claim_rule,
             Each((Link(ORDERS, "委托书号", KEY), Link(VOIDED_ORDERS, "委托书号", KEY)), clock=True)),
    )),
    rules_files=("car_documents.yaml",),
    templates=("car_appointment_slip.docx", "car_order.docx", "car_extra.docx", "car_release.docx",
               "car_maintenance.docx", "car_fine_notice.docx"),
    documents_file="car_documents.yaml",
    reports=(
        Kind("car_daily", "售后待办日报", "day", _report("car_daily")),
        # Run Monday morning for the week just ended: the desk works weekends (car.md 3.4).
        Kind("car_weekly", "售后周报", "week", _report("car_weekly"), ended=True),
        Kind("car_monthly", "售后月报", "month", _report("car_monthly")),
    ),
    jobs=(
        Job(name="售后待办日报", report="car_daily", cadence="daily", time="08:00"),
        Job(name="售后周报", report="car_weekly", cadence="weekly", day="monday", time="09:00"),
        Job(name="售后月报", report="car_monthly", cadence="monthly", day=1, time="09:00"),
    ),
    event_registers=(APPOINTMENTS, ORDERS, EXTRAS, COMPLAINTS, MESSAGES),
    flows={
        ORDERS: Flow(received="接车时间", closed="交车时间"),
        APPOINTMENTS: Flow(received="登记时间", closed="到店时间"),
        COMPLAINTS: Flow(received="受理时间", closed="答复时间"),
        MESSAGES: Flow(received="来电时间", closed="回电时间"),
        EXTRAS: Flow(received="车间通知时间", closed="联系客户时间"),
    },
    responsible={
        ORDERS: Responsible(person="服务顾问", department="业务部"),
        APPOINTMENTS: Responsible(person="受理人", department="业务部"),
        CUSTOMERS: Responsible(person="服务顾问", department="业务部"),
        COMPLAINTS: Responsible(person="责任人", department="业务部"),
        # The person the caller asked for calls back until a 处理人 is written.
        MESSAGES: Responsible(person="处理人", person_fallback="被找人员", department="业务部"),
        # A safety row's only finding is a wrong 扣分, which the 检查人 who wrote it corrects
        # (the 员工 is the one checked, not the one to act); safety is the 服务经理's charge
        # (seed 002 服务经理 13) when no 检查人 is written.
        SAFETY: Responsible(person="检查人", department="服务经理"),
        EXTRAS: Responsible(department="业务部"),
        CLAIMS: Responsible(person="服务顾问", department="业务部"),
    },
    # A waiting claim is the same claim each day while its waiting time grows.
    fact_keys={"car.claim_pending": ("上报厂家日期", "reported", "returned")},
    actions=ACTIONS,
    action_of=action_of,
)
