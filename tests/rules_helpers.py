"""Helpers for the rules tests: the shipped rules, a calendar, and finding look-ups."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from toolkit.model import Finding
from toolkit.ruleset import evaluate_all, load_ruleset
from toolkit.workcal import WorkCalendar, load_calendar

RULES = Path(__file__).resolve().parents[1] / "rules"
RULESET = load_ruleset(RULES)


def dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def run(state: dict[str, dict[str, dict[str, Any]]], now: str | datetime,
        cal: WorkCalendar | None = None) -> list[Finding]:
    now = dt(now) if isinstance(now, str) else now
    return evaluate_all(state, RULESET, cal or load_calendar(RULES), now)


def pick(findings: list[Finding], rule: str, record: str | None = None) -> Finding:
    hits = [f for f in findings if f.rule == rule and (record is None or f.record == record)]
    assert len(hits) == 1, f"{rule} {record}: {[(f.rule, f.record) for f in findings]}"
    return hits[0]


def rules_of(findings: list[Finding], record: str | None = None) -> set[str]:
    return {f.rule for f in findings if record is None or f.record == record}
