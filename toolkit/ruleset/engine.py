"""Every rule of every enabled pack over the current state of every register.

``state`` is ``{register: {key: values}}`` — the ledger's records overlaid with the
file being processed. Re-evaluating the whole state each time keeps cross-register
rules independent of the order files arrive in (a move-out judged before the fee
accounts arrive is judged again when they do). Each rule sees only the registers it
declares in ``reads``; which packs run comes from ``rules/packs.yaml``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..model import Finding
from ..packs import Pack, workspace_packs
from ..rulesfile import RulesError
from ..workcal import WorkCalendar, load_calendar
from .settings import load_pack_settings
from .timing import Env, Ruleset

State = dict[str, dict[str, dict[str, Any]]]


@dataclass
class WorkspaceRules:
    """The enabled packs and, for each, what its rules read from ``rules/``."""

    packs: list[Pack]
    by_pack: dict[str, Ruleset]

    def pack(self, name: str) -> Ruleset:
        return self.by_pack[name]

    @property
    def registers_read(self) -> list[str]:
        """Every register some enabled rule reads, in pack order."""
        return list(dict.fromkeys(r for p in self.packs for rule in p.rules for r in rule.reads))


def load_ruleset(rules_dir: Path) -> WorkspaceRules:
    """The packs' settings files and extra resources; RulesError lists every problem."""
    from .incremental import scope_problems

    packs = workspace_packs(rules_dir)
    problems: list[str] = scope_problems(packs)
    settings: dict[str, Any] = {}
    try:
        settings = load_pack_settings(rules_dir, packs)
    except RulesError as exc:
        problems.extend(exc.problems)
    by_pack: dict[str, Ruleset] = {}
    for p in packs:
        extras: dict[str, Any] = {}
        if p.load is not None and p.name in settings:
            try:
                extras = p.load(Path(rules_dir), settings[p.name])
            except RulesError as exc:
                problems.extend(exc.problems)
        if p.name in settings:
            by_pack[p.name] = Ruleset(settings[p.name], extras)
    if problems:
        raise RulesError(problems)
    return WorkspaceRules(packs, by_pack)


def evaluate_all(state: State, rules: WorkspaceRules, cal: WorkCalendar, now: datetime,
                 only: Iterable[str] | None = None) -> list[Finding]:
    """All findings of all enabled rules at ``now``, pack by pack, rule by rule.

    ``only``: names of the rules to run (see ``packs.rules_touched_by``); default all.
    """
    wanted = set(only) if only is not None else None
    out: list[Finding] = []
    for p in rules.packs:
        env = Env(rules.by_pack[p.name], cal, now)
        for rule in p.rules:
            if wanted is not None and rule.name not in wanted:
                continue
            seen = {reg: state.get(reg, {}) for reg in rule.reads}
            out.extend(rule.run(env, seen))
    return out


__all__ = ["State", "WorkspaceRules", "evaluate_all", "load_ruleset", "load_calendar"]
