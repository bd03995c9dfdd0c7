"""The dealer pack: a first-tier dealer's 联销体 of second-tier dealers, customer clubs
and contracts (seed 003 第一、二、三、五篇; seed 000 第一、三、四篇).

Registers of counties, members, monthly sales, visits, report submissions, pay,
counterfeit penalties, club members, contracts, contract payments and consulting
phases; the rules on shares, cancellations, fines, pay, club validity and overdue
payments; the notices and agreements; the weekly, monthly and half-year reports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toolkit.model import WITHDRAW_DRAFTS_FROM
from toolkit.packs import Pack, Rule, SettingsPart, per_record
from toolkit.packs.scopes import Grouped, Whole
from toolkit.reports.catalog import Kind
from toolkit.reports.settings import Job, Responsible
from toolkit.ruleset.timing import add_months

from .actions import ACTIONS
from .rules import club, contracts, jsb, staff
from .settings import DEALER_FILE, Dealer

REGISTERS = ("jsb_county", "jsb_member", "jsb_sales", "jsb_primary_sales", "jsb_visit", "jsb_report_log",
             "jsb_pay", "jsb_counterfeit", "club_member", "contract", "contract_payment", "consulting_phase")

TEMPLATES = ("jsb_agreement.docx", "jsb_cancel.docx", "jsb_fine.docx", "jsb_recall.docx", "jsb_reward.docx",
             "consulting_agreement.docx", "contract_overdue.docx", "club_renewal.docx", "club_expiry.docx")


def _report(module: str, name: str) -> Any:
    """A report builder imported when first run: processing a file never needs them."""

    def build(src: Any, period: Any) -> Any:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.reports.{module}"), name)(src, period)

    build.__name__ = name
    return build


def _initial_end(ctx: Any) -> Any:
    """The first day after the body's first half-year (None: not told when it was founded)."""
    from toolkit.ruleset.hook import rules_hook

    s = rules_hook(ctx).ruleset.pack("dealer").settings.dealer.jsb
    return None if s.founded is None else add_months(s.founded.replace(day=1), s.initial_months)


def _in_first_half_year(ctx: Any, period: Any) -> bool:
    end = _initial_end(ctx)
    return end is None or period.start < end  # a week that begins inside it is still weekly


def _after_first_half_year(ctx: Any, period: Any) -> bool:
    end = _initial_end(ctx)
    return end is not None and period.start >= end


def _half_year_ended(ctx: Any, period: Any) -> bool:
    """The half-year report is scheduled when a half ends: January and July (for June and
    December); asked for any month, it reports the half so far."""
    return period.end.month in (6, 12)


PACK = Pack(
    name="dealer",
    title="经销商联销体与客户服务",
    sources=Path(__file__).resolve().parent / "workspace",
    registers=REGISTERS,
    settings=(SettingsPart("dealer", DEALER_FILE, Dealer),),
    rules=(
        per_record("jsb.member", "jsb_member", jsb.member_findings),
        Rule("jsb.sales", ("jsb_sales", "jsb_member", "jsb_county"), jsb.sales_findings),
        Rule("jsb.county", ("jsb_county", "jsb_member"), jsb.county_findings),
        Rule("jsb.coverage", ("jsb_primary_sales", "jsb_sales", "jsb_member", "jsb_county"), jsb.coverage_findings),
        Rule("jsb.visits", ("jsb_visit", "jsb_member", "jsb_county"), jsb.visit_findings),
        # Missing by the date; a salesperson's rows together (one recall notice per recall).
        Rule("jsb.reports", ("jsb_report_log",), staff.log_findings, Grouped("业务员", clock=True)),
        # Reports owed but never logged: 漏报 by the date alone (the salespeople from 县级市场登记).
        # (A month's rows in 二级客户进货统计表 are that month's purchase list, received.)
        Rule("jsb.reports_unlogged", ("jsb_report_log", "jsb_county", "jsb_pay", "jsb_sales"),
             staff.unlogged_findings, Whole(clock=True)),
        Rule("jsb.pay", ("jsb_pay", "jsb_report_log", "jsb_county", "jsb_member", "jsb_sales"), staff.pay_findings),
        # Fines of a finished month no pay row takes (none of that month or later): by the date.
        Rule("jsb.fines_uncharged", ("jsb_pay", "jsb_report_log", "jsb_county", "jsb_sales"),
             staff.uncharged_findings, Whole(clock=True)),
        Rule("jsb.reward", ("jsb_sales", "jsb_member", "jsb_counterfeit", "jsb_county"), staff.reward_findings),
        Rule("jsb.counterfeit", ("jsb_counterfeit", "jsb_member", "jsb_county", "jsb_sales"), staff.counterfeit_all),
        # One cancellation notice per member, gathering every cause whichever register came first.
        Rule("jsb.cancel", ("jsb_member", "jsb_sales", "jsb_counterfeit", "jsb_county"), staff.cancel_findings),
        # Validity by the date; a car's cards together (a second card gets no reminder).
        Rule("club.member", ("club_member",), club.members_findings, Grouped("车牌号", clock=True)),
        Rule("club.one_car", ("club_member",), club.one_car_findings),
        per_record("contract", "contract", contracts.contract_findings),
        Rule("contract.payments", ("contract_payment", "contract"), contracts.payment_findings),
        Rule("consulting.phases", ("consulting_phase", "contract"), contracts.phase_findings),
    ),
    rules_files=("dealer_documents.yaml", "dealer_schedule.yaml"),
    templates=TEMPLATES,
    documents_file="dealer_documents.yaml",
    schedule_file="dealer_schedule.yaml",
    reports=(
        # Weekly in the body's first half-year, monthly after (seed 003 第一篇 4.3).
        Kind("jsb_weekly", "联销体成员走访一览表", "week", _report("jsb", "jsb_weekly"), runs=_in_first_half_year,
             ended=True),
        Kind("jsb_visits_monthly", "联销体成员走访一览表（月度）", "month", _report("jsb", "jsb_visits_monthly"),
             runs=_after_first_half_year),
        Kind("jsb_monthly", "二级客户进货统计月报", "month", _report("jsb", "jsb_monthly")),
        Kind("jsb_half_year", "联销体半年考核", "month", _report("jsb", "jsb_half_year"), runs=_half_year_ended),
        Kind("club_monthly", "俱乐部会员月报", "month", _report("club", "club_monthly")),
        Kind("contract_monthly", "合同收款月报", "month", _report("contracts", "contract_monthly")),
    ),
    # The defaults when rules/dealer_schedule.yaml is missing (workspaces made before it
    # shipped); the file holds the same jobs for the office to edit. Each report that reads
    # what staff hand in by a deadline waits for the working day after it: the weekly visit
    # list is due Monday 17:30, the monthly lists the 5th 17:30 (report_due), each moved to
    # the next working day when it is not one.
    jobs=(
        Job(name="联销体成员走访一览表", report="jsb_weekly", cadence="weekly", day="monday", time="09:00",
            after_workday=True),
        Job(name="联销体成员走访一览表（月度）", report="jsb_visits_monthly", cadence="monthly", day=5, time="09:00",
            after_workday=True),
        Job(name="二级客户进货统计月报", report="jsb_monthly", cadence="monthly", day=5, time="09:00",
            after_workday=True),
        Job(name="联销体半年考核", report="jsb_half_year", cadence="monthly", day=10, time="09:00"),
        Job(name="俱乐部会员月报", report="club_monthly", cadence="monthly", day=1, time="09:00"),
        Job(name="合同收款月报", report="contract_monthly", cadence="monthly", day=1, time="09:00"),
    ),
    # No event registers: the visit and pay rules look back over whole months (carried
    # fines, the months a visit register covers), so reports read every record.
    responsible={
        "jsb_sales": Responsible(department="大区"),
        "jsb_member": Responsible(department="大区"),
        "jsb_county": Responsible(department="大区"),
        "jsb_visit": Responsible(department="大区"),
        "jsb_report_log": Responsible(department="大区"),
        "jsb_pay": Responsible(department="销售中心"),
        "club_member": Responsible(department_column="所属支公司", department="俱乐部"),
        "contract": Responsible(department="合同管理"),
        "contract_payment": Responsible(department="财务部"),
        "consulting_phase": Responsible(department="顾问项目组"),
    },
    actions=ACTIONS,
    # A report owed and not logged is late (迟报, 50 元) until its limit, then missing (漏报, 200 元).
    follows={"jsb.report_missing": "jsb.report_late"},
    # A reminder or a breach notice is one per tier however the days grow.
    # New when the tier moves or the contract it names arrives or changes (the letter needs it).
    # And when the contract is marked ended: its letters dated from then are withdrawn.
    fact_keys={"contract.overdue": ("tier", "甲方", "违约金", "签订日期", WITHDRAW_DRAFTS_FROM)},
)
