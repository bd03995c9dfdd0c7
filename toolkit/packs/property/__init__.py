"""The property pack: a property service center (物业服务中心).

Registers of repairs, complaints, requests, parking, fees, renovation, move-outs,
handovers, special services and visits; their deadline, fee and escalation rules; the
notices and reports built on them.

Its shipped sources are the repository's own workspace (``rules/``, ``templates/`` at
the repository root): the repository is itself a property workspace, so one copy
serves both ``python3 dev.py run`` and ``toolkit init``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toolkit.packs import Pack, Rule, SettingsPart, State, per_record
from toolkit.packs.scopes import KEY, Each, Grouped, Link, Whole
from toolkit.reports.catalog import Kind
from toolkit.reports.settings import Flow, Job, Responsible

from .actions import ACTIONS, action_of
from .rules.community import event_findings
from .rules.complaints import complaint_findings
from .rules.desk import (
    contact_findings,
    lending_findings,
    mail_findings,
    move_in_findings,
    storage_findings,
    visitor_findings,
)
from .rules.dispatch import dispatch_findings
from .rules.fees import arrears_findings, handover_findings
from .rules.keys import key_findings
from .rules.move_out import move_out_findings
from .rules.parking import card_findings, temp_findings
from .rules.patrol import daily_findings, patrol_findings
from .rules.pricelist import load_price_list
from .rules.renovation import permit_findings, site_patrol_findings, violation_findings
from .rules.repairs import repair_rule
from .rules.requests import request_findings
from .rules.services import ON_THE_SPOT, manager_findings, service_findings
from .rules.site_checks import frequent_carrying, renovation_site
from .rules.survey import survey_findings
from .rules.transfer import transfer_findings
from .settings import ESCALATION_FILE, SLA_FILE, TARIFFS_FILE, Escalation, Sla, Tariffs

SOURCES = Path(__file__).resolve().parents[3]  # the repository root (a property workspace)


def _complaints(env: Any, state: State) -> list[Any]:
    return complaint_findings(env, state.get("complaint", {}))


def _by_unit(rows: dict[str, dict[str, Any]]) -> dict[Any, dict[str, dict[str, Any]]]:
    """Rows by 房号, each unit's in their own order: a permit reads only its unit's
    violations (and a violation its unit's permits), not the whole register each time."""
    out: dict[Any, dict[str, dict[str, Any]]] = {}
    for key, v in rows.items():
        out.setdefault(v.get("房号"), {})[key] = v
    return out


def _permits(env: Any, state: State) -> list[Any]:
    violations = _by_unit(state.get("renovation_violation", {}))
    return [f for key, v in state.get("renovation", {}).items()
            for f in permit_findings(env, key, v, violations.get(v.get("房号"), {}))]


def _violations(env: Any, state: State) -> list[Any]:
    permits = _by_unit(state.get("renovation", {}))
    return [f for key, v in state.get("renovation_violation", {}).items()
            for f in violation_findings(env, key, v, permits.get(v.get("房号"), {}))]


def _patrol_days(env: Any, state: State) -> list[Any]:
    return daily_findings(env, state.get("patrol", {}))


def _managers(env: Any, state: State) -> list[Any]:
    managers = state.get("account_manager", {})
    return [f for key, v in state.get("special_service", {}).items() for f in manager_findings(env, key, v, managers)]


def _site_patrols(env: Any, state: State) -> list[Any]:
    patrols = state.get("renovation_patrol", {})
    return [f for key, v in state.get("renovation", {}).items() for f in site_patrol_findings(env, key, v, patrols)]


def _move_outs(env: Any, state: State) -> list[Any]:
    accounts, handovers = state.get("fee_account", {}), state.get("handover", {})
    return [f for key, v in state.get("move_out", {}).items()
            for f in move_out_findings(env, key, v, accounts, handovers)]


def _transfers(env: Any, state: State) -> list[Any]:
    accounts = state.get("fee_account", {})
    return [f for key, v in state.get("transfer", {}).items() for f in transfer_findings(env, key, v, accounts)]


def _keys(env: Any, state: State) -> list[Any]:
    handovers, census = state.get("handover", {}), state.get("unit_status", {})
    return [f for key, v in state.get("key_custody", {}).items() for f in key_findings(env, key, v, handovers, census)]


def _report(module: str, name: str) -> Any:
    """A report builder imported when first run: processing a file never needs them."""

    def build(src: Any, period: Any) -> Any:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.reports.{module}"), name)(src, period)

    build.__name__ = name
    return build


def _handover_day(ctx: Any, period: Any) -> bool:
    from .reports.handover import handovers_on

    return handovers_on(ctx, period)


def _on_the_spot(rules_dir: Path) -> tuple[str, ...]:
    """The categories paid on the spot: documents.yaml's statement_excluded_categories (the
    monthly statement leaves them out), so the order form says what the statement does.
    That file is checked where documents are made; here an unreadable one means the seed's."""
    import yaml

    try:
        data = yaml.safe_load((rules_dir / "documents.yaml").read_text(encoding="utf-8")) or {}
        names = data.get("statement_excluded_categories", list(ON_THE_SPOT))
        return tuple(str(n) for n in names) if isinstance(names, list) else ON_THE_SPOT
    except (OSError, yaml.YAMLError, AttributeError):
        return ON_THE_SPOT


def _load(rules_dir: Path, settings: Any) -> dict[str, Any]:
    return {"prices": load_price_list(rules_dir / settings.tariffs.special_service.price_list),
            "on_the_spot": _on_the_spot(rules_dir)}


def _about(finding: Any, touched: set[tuple[str, str]]) -> bool:
    """An escalation memo is about every complaint of its event."""
    if finding.rule == "complaint.escalation":
        return any((finding.register, c.get("编号")) in touched for c in finding.values.get("complaints", []))
    return False


def _action_notes(ledger: Any, findings: list[Any]) -> dict[tuple[str, str], str]:
    """A refused move-out's signed slip, named on its return copy (loaded when asked)."""
    from .reports.slips import refused_notes

    return refused_notes(ledger, findings)


PACK = Pack(
    name="property",
    title="物业服务中心",
    sources=SOURCES,
    registers=("complaint", "fee_account", "handover", "move_out", "parking_card", "parking_temp",
               "renovation", "renovation_violation", "repair", "request", "special_service", "unit_status",
               "visit", "patrol", "transfer", "survey", "community_event", "key_custody",
               "storage", "lending", "mail", "visitor", "contact_log", "move_in", "renovation_patrol",
               "account_manager"),
    settings=(
        SettingsPart("sla", SLA_FILE, Sla),
        SettingsPart("tariffs", TARIFFS_FILE, Tariffs),
        SettingsPart("escalation", ESCALATION_FILE, Escalation),
    ),
    # The order findings come out in (reports list them in this order).
    rules=(
        Rule("repair", ("repair",), repair_rule, Each()),
        per_record("request", "request", request_findings),
        per_record("parking_temp", "parking_temp", temp_findings),
        per_record("parking_card", "parking_card", card_findings, clock=True),  # expiry reminders
        per_record("special_service", "special_service", service_findings),
        # A special service and the account managers of its 房号 (seed 004 5.3.1).
        Rule("service_manager", ("special_service", "account_manager"), _managers,
             Each((Link("account_manager", "房号", "房号"),))),
        per_record("fee_account", "fee_account", arrears_findings, clock=True),  # arrears grow by the day
        per_record("handover", "handover", handover_findings),
        # Complaints of one 事件 are escalated together (7 days unresolved: Finding.wake).
        Rule("complaint", ("complaint",), _complaints, Grouped("事件")),
        Rule("renovation", ("renovation", "renovation_violation"), _permits,
             Each((Link("renovation_violation", "房号", "房号"),))),  # penalties of the unit
        Rule("renovation_violation", ("renovation_violation", "renovation"), _violations,
             Each((Link("renovation", "房号", "房号"),))),  # the unit's latest permit
        # A move-out reads the fee account of its 房号 (arrears move with the date).
        # A move-out, the fee account of its 房号 and the unit's handover (who the owner is).
        Rule("move_out", ("move_out", "fee_account", "handover"), _move_outs,
             Each((Link("fee_account", "房号"), Link("handover", "房号")), clock=True)),
        per_record("patrol", "patrol", patrol_findings),
        # Each assistant's patrols per working day: the days judged move with the date.
        Rule("patrol_daily", ("patrol",), _patrol_days, Whole(clock=True)),
        # A permit under way and the three departments' patrol records of it, per working day.
        Rule("renovation_patrol", ("renovation", "renovation_patrol"), _site_patrols,
             Each((Link("renovation_patrol", KEY, "装修编号"),), clock=True)),
        # A transfer reads the fee account of its 房号 (what the old owner still owes); the
        # check of a 原业主结清 是 ends when the transfer turns history (Finding.wake).
        Rule("transfer", ("transfer", "fee_account"), _transfers, Each((Link("fee_account", "房号"),))),
        # Surveys (coverage per half-year) and community events: small registers, read whole.
        Rule("survey", ("survey",), survey_findings),
        Rule("community_event", ("community_event",), event_findings),
        # A key: the handover of its unit (by key) and the unit's census rows (by 房号).
        Rule("key_custody", ("key_custody", "handover", "unit_status"), _keys,
             Each((Link("handover", "房号"), Link("unit_status", "房号", "房号")))),
        # The service desk's registers (seed 001 物品寄存 … 入住): each row on its own.
        per_record("storage", "storage", storage_findings),
        per_record("lending", "lending", lending_findings),
        per_record("mail", "mail", mail_findings),
        per_record("visitor", "visitor", visitor_findings),
        per_record("contact_log", "contact_log", contact_findings),
        per_record("move_in", "move_in", move_in_findings),
        # The dispatch register as staff saved it back: expired posted notices, receipts.
        per_record("dispatch", "dispatch", dispatch_findings),
        # Temporary carrying counted per 房号; a permit's entry, concealed works and deposit.
        Rule("move_out_frequency", ("move_out",), frequent_carrying, Grouped("房号")),
        per_record("renovation_site", "renovation", renovation_site, clock=True),  # ages into history
    ),
    rules_files=("sla.yaml", "tariffs.yaml", "escalation.yaml", "price_list.xlsx", "documents.yaml",
                 "schedule.yaml"),
    templates=("complaint_escalation.docx", "deposit_refund.docx", "handover_payment.docx",
               "parking_expiry.docx", "payment_reminder.docx", "rectification_notice.docx",
               "release_slip.docx", "renovation_agreement.docx", "service_statement.docx",
               "renovation_entry_notice.docx", "move_in_notice.docx", "survey_notice.docx", "event_notice.docx",
               "price_board.docx", "service_order.docx", "service_unsatisfied.docx", "transfer_payment.docx",
               "arrears_report.docx"),
    documents_file="documents.yaml",
    schedule_file="schedule.yaml",
    reports=(
        Kind("daily_due", "待办与逾期日报", "day", _report("daily", "daily_due")),
        Kind("daily_repairs", "未完工报修日报", "day", _report("daily", "daily_repairs")),
        Kind("weekly", "周报", "week", _report("summary", "weekly"), across_sites=True),
        Kind("parking_roster", "停车月卡名单", "week", _report("parking", "parking_roster")),
        Kind("monthly", "特约服务与收费月报", "month", _report("monthly", "monthly"), across_sites=True),
        Kind("property_status", "物业管理状况月报", "month", _report("summary", "property_status"),
             across_sites=True),
        Kind("unit_status", "月度物业动态信息表", "month", _report("unit_status", "unit_status")),
        # Seed 001 交房 9: made only on days with handovers (on demand, any day).
        Kind("handover_daily", "交房日报", "day", _report("handover", "handover_daily"), runs=_handover_day),
    ),
    jobs=(
        Job(name="待办与逾期日报", report="daily_due", cadence="daily", time="08:30"),
        Job(name="未完工报修日报", report="daily_repairs", cadence="daily", time="17:00"),
        Job(name="周报", report="weekly", cadence="weekly", day="friday", time="17:00"),
        Job(name="停车月卡名单", report="parking_roster", cadence="weekly", day="monday", time="08:30"),
        Job(name="特约服务与收费月报", report="monthly", cadence="monthly", day=1, time="08:30"),
        Job(name="物业管理状况月报", report="property_status", cadence="monthly", day=3, time="08:30"),
        Job(name="月度物业动态信息表", report="unit_status", cadence="monthly", day=3, time="08:30"),
        Job(name="交房日报", report="handover_daily", cadence="daily", time="18:00"),
    ),
    load=_load,
    event_registers=("repair", "complaint", "request", "special_service", "parking_temp", "visit", "patrol"),
    flows={
        "repair": Flow(received="报修时间", closed="完成时间"),
        "complaint": Flow(received="受理时间", closed="解决时间"),
        "request": Flow(received="受理时间", closed="回复时间"),
        "special_service": Flow(received="受理时间", closed="完成时间"),
        "renovation": Flow(received="申请日期", closed="审批日期"),
    },
    responsible={
        "repair": Responsible(person="接报人", department="工程部"),
        "complaint": Responsible(department_column="被投诉部门", department="客服中心"),
        "request": Responsible(department_column="转报部门", department="客服中心"),
        "special_service": Responsible(person="受理人", department="客服中心"),
        "renovation": Responsible(department="工程部"),
        "renovation_violation": Responsible(department="工程部"),
        "parking_card": Responsible(department="秩序部"),
        "parking_temp": Responsible(department="秩序部"),
        "fee_account": Responsible(department="财务部"),
        "handover": Responsible(department="客服中心"),
        "move_out": Responsible(department="秩序部"),
        "unit_status": Responsible(person="普查人", department="客服中心"),
        "patrol": Responsible(person="巡视人", department="客服中心"),
        "transfer": Responsible(department="客服中心"),
        "survey": Responsible(department="客服中心"),
        "community_event": Responsible(department="客服中心"),
        "key_custody": Responsible(department="客服中心"),
        "renovation_patrol": Responsible(person="巡查人", department_column="巡查部门", department="客服中心"),
        "account_manager": Responsible(person="专属客户经理", department="客服中心"),
        "storage": Responsible(person="经办人", department="客服中心"),
        "lending": Responsible(person="经办人", department="客服中心"),
        "mail": Responsible(person="经办人", department="客服中心"),
        "visitor": Responsible(person="值班人", department="客服中心"),
        "contact_log": Responsible(person="接待人", department="客服中心"),
        "move_in": Responsible(person="经办人", department="客服中心"),
        "dispatch": Responsible(department_column="发文部门", department="客服中心"),
    },
    groups={"complaint": ("事件", "complaint.escalation")},
    fact_keys={
        # One continuing arrears per account while 已缴至 stands: a month falling due
        # (the finding wakes on the 1st) grows its months and amount without making it
        # new; only a step up the tiers (再次催缴, 报项目经理) is news. An unsigned demand
        # is still rewritten with each month (the sweep hands a woken notice finding to
        # the documents, whose ``stale_draft`` sees the figures moved), a signed one of the
        # same tier is not re-sent (the types' own facts, rules/documents.yaml). A blocked
        # move-out stays the same block while the arrears figure grows.
        "fee.arrears": ("tier", "已缴至"),
        "fee.arrears_report": ("已缴至",),
        # A wrong 欠费金额 is one matter for the cashier until it is changed: the months
        # rolling on move the figure it should be, not what was typed.
        "fee.amount_mismatch": ("amount",),
        "move_out.blocked": ("missing",),
    },
    about=_about,
    actions=ACTIONS,
    action_of=action_of,
    action_notes=_action_notes,
)
