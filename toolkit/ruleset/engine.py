"""Every rule over the current state of every register.

``state`` is ``{register: {key: values}}`` — the ledger's records overlaid with the
file being processed. Re-evaluating the whole state each time keeps cross-register
rules independent of the order files arrive in (a move-out judged before the fee
accounts arrive is judged again when they do).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from ..model import Finding
from ..workcal import WorkCalendar, load_calendar
from .complaints import complaint_findings
from .fees import arrears_findings, handover_findings
from .move_out import move_out_findings
from .parking import card_findings, temp_findings
from .pricelist import load_price_list
from .renovation import permit_findings, violation_findings
from .repairs import repair_findings
from .requests import request_findings
from .services import service_findings
from .settings import load_settings
from .timing import Env, Ruleset

State = dict[str, dict[str, dict[str, Any]]]

# Registers whose records are judged one at a time.
PER_RECORD = {
    "repair": repair_findings,
    "request": request_findings,
    "parking_temp": temp_findings,
    "parking_card": card_findings,
    "special_service": service_findings,
    "fee_account": arrears_findings,
    "handover": handover_findings,
}


def load_ruleset(rules_dir: Path) -> Ruleset:
    """Settings files and price list; RulesError lists every problem of both."""
    from ..rulesfile import RulesError

    problems: list[str] = []
    settings = prices = None
    try:
        settings = load_settings(rules_dir)
    except RulesError as exc:
        problems.extend(exc.problems)
    name = settings.tariffs.special_service.price_list if settings else "price_list.xlsx"
    try:
        prices = load_price_list(Path(rules_dir) / name)
    except RulesError as exc:
        problems.extend(exc.problems)
    if problems:
        raise RulesError(problems)
    return Ruleset(settings, prices)  # type: ignore[arg-type]


def evaluate_all(state: State, settings: Ruleset, cal: WorkCalendar, now: datetime) -> list[Finding]:
    """All findings of all rules at ``now``, in register order."""
    env = Env(settings, cal, now)
    out: list[Finding] = []
    for register, rule in PER_RECORD.items():
        for key, values in state.get(register, {}).items():
            out.extend(rule(env, key, values))
    out.extend(complaint_findings(env, state.get("complaint", {})))
    permits, violations = state.get("renovation", {}), state.get("renovation_violation", {})
    for key, values in permits.items():
        out.extend(permit_findings(env, key, values, violations))
    for key, values in violations.items():
        out.extend(violation_findings(env, key, values, permits))
    accounts = state.get("fee_account", {})
    for key, values in state.get("move_out", {}).items():
        out.extend(move_out_findings(env, key, values, accounts))
    return out


__all__ = ["State", "evaluate_all", "load_ruleset", "load_calendar"]
