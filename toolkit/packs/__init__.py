"""Packs: everything one business needs, kept together, found by convention.

A pack is a Python package ``toolkit/packs/<name>/`` (or any package registered under the
``toolkit.packs`` entry-point group) whose module defines ``PACK = Pack(...)``: its
registers, settings models, rule code, document types, report kinds, schedule defaults
and the files a workspace gets from it. The core finds packs here and never imports one
by name; a workspace says which packs it runs in ``rules/packs.yaml``
(no file: the default pack, for workspaces made before packs existed).

See docs/design.md, "How to add a pack".
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..rulesfile import RulesError, load_yaml_model
from .scopes import Each, Scope, Whole

PACKS_FILE = "packs.yaml"
DEFAULT_PACKS = ("property",)  # what a workspace without rules/packs.yaml runs
ENTRY_POINT_GROUP = "toolkit.packs"

State = dict[str, dict[str, dict[str, Any]]]


@dataclass(frozen=True)
class SettingsPart:
    """One settings model of a pack, read from a file in ``rules/``.

    ``section=None``: the model is the whole file. ``section="car"``: the model is that
    top-level key of a file other packs share (``sla.yaml``'s ``car:``); a missing
    section means the model's defaults. Rule code reads it as ``env.settings.<attr>``.
    """

    attr: str
    file: str
    model: type[BaseModel]
    section: str | None = None


@dataclass(frozen=True)
class Rule:
    """A piece of rule code and the registers it reads.

    ``run(env, state)`` returns findings from ``state`` ({register: {key: values}}), of
    which it may look only at ``reads``; the first of ``reads`` is the register its
    findings are about (a report asking for that register's findings runs the rule).
    Names are unique across packs. The engine uses ``reads`` to hand each rule the
    registers it needs and to know which rules a changed record can affect
    (:func:`rules_touched_by`). ``scope`` (``packs.scopes``) says which records its
    findings depend on, so a changed record is judged again with only those; without
    one the rule reads its registers whole every time.
    """

    name: str
    reads: tuple[str, ...]
    run: Callable[[Any, State], Iterable[Any]]
    scope: Scope = field(default_factory=Whole)


def per_record(name: str, register: str, fn: Callable[[Any, str, dict[str, Any]], Iterable[Any]],
               clock: bool = False) -> Rule:
    """A rule judging each record of one register on its own: ``fn(env, key, values)``."""

    def run(env: Any, state: State) -> list[Any]:
        out: list[Any] = []
        for key, values in state.get(register, {}).items():
            out.extend(fn(env, key, values))
        return out

    return Rule(name, (register,), run, Each(clock=clock))


@dataclass(frozen=True)
class Pack:
    """The declaration a pack's ``__init__.py`` exports as ``PACK``."""

    name: str
    title: str  # shown to staff: 物业服务中心, 汽车售后服务台
    # Folder holding the files a workspace gets: ``rules/…`` and ``templates/…``.
    sources: Path
    # Register names (``rules/registers/<name>.yaml`` under ``sources``); names are unique
    # across packs, so a new pack prefixes its own (car_…, jsb_…).
    registers: tuple[str, ...]
    settings: tuple[SettingsPart, ...] = ()
    rules: tuple[Rule, ...] = ()
    # Other files under ``sources/rules`` it ships (price lists, its documents/schedule files).
    rules_files: tuple[str, ...] = ()
    templates: tuple[str, ...] = ()  # files under ``sources/templates`` it ships
    documents_file: str | None = None  # file in rules/ with its ``documents:`` list
    schedule_file: str | None = None  # file in rules/ with its ``jobs:`` list
    reports: tuple[Any, ...] = ()  # reports.catalog.Kind
    jobs: tuple[Any, ...] = ()  # reports.settings.Job: default schedule when rules/ gives none
    # Extra things the rules read besides settings (a price list): ``load(rules_dir, settings)``
    # returns {name: object}, read by rule code as ``env.rules.<name>``.
    load: Callable[[Path, Any], dict[str, Any]] | None = None
    # Registers of events: reports over a window read only those changed recently.
    event_registers: tuple[str, ...] = ()
    # Report defaults per register (reports.settings.Flow / Responsible), used when
    # schedule.yaml's ``reports:`` does not give its own.
    flows: dict[str, Any] = field(default_factory=dict)
    responsible: dict[str, Any] = field(default_factory=dict)
    # Records judged together by one column's value: {register: (column, rule)}; the rule's
    # findings are keyed by that value (complaints escalated per 事件). Reports over a
    # window then read each group whole.
    groups: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Rules whose "facts" (what makes a finding news again) are only some values.
    fact_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Findings about more records than their own: (finding, touched (register, key)s) → bool.
    about: Callable[[Any, set[tuple[str, str]]], bool] | None = None
    # Findings that stop work until someone acts (rule name → acting.Action), marked on
    # their cell in the return copy; ``action_of(finding)`` may refine the column and the
    # to-do from the finding's values.
    actions: dict[str, Any] = field(default_factory=dict)
    action_of: Callable[[Any], Any] | None = None
    # What the ledger adds to a return copy's action marks beyond the findings (a signed
    # release slip a later refusal withdraws): ``(ledger, findings)`` → {(register, key): text}.
    action_notes: Callable[[Any, list[Any]], dict[tuple[str, str], str]] | None = None
    # A rule whose finding takes over another rule's on the same record when time moves
    # on (a late report that becomes a missing one): ``{new rule: the rule it follows}``.
    # The one closed so is counted and worded as turned into it, not as resolved.
    follows: dict[str, str] = field(default_factory=dict)

    @property
    def reads(self) -> set[str]:
        return {r for rule in self.rules for r in rule.reads}


class PackError(RulesError):
    pass


def _from_module(module_name: str) -> Pack | None:
    module = importlib.import_module(module_name)
    pack = getattr(module, "PACK", None)
    return pack if isinstance(pack, Pack) else None


_FOUND: dict[str, Pack] | None = None


_LOCAL: dict[str, Pack] | None = None


def _local() -> dict[str, Pack]:
    """Packs that are sub-packages of this package."""
    global _LOCAL
    if _LOCAL is None:
        found: dict[str, Pack] = {}
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
            if info.ispkg and not info.name.startswith("_"):
                pack = _from_module(f"{__name__}.{info.name}")
                if pack is not None:
                    found[pack.name] = pack
        _LOCAL = found
    return _LOCAL


def available() -> dict[str, Pack]:
    """Every pack installed: sub-packages of this package, then entry points."""
    global _FOUND
    if _FOUND is None:
        found = dict(_local())
        # Scanning installed distributions costs a tenth of a second: done only here.
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            pack = ep.load()
            if isinstance(pack, Pack) and pack.name not in found:
                found[pack.name] = pack
        _FOUND = found
    return _FOUND


def loaded() -> dict[str, Pack]:
    """The packs found so far (sub-packages, and entry points once they were looked for)."""
    return _FOUND if _FOUND is not None else _local()


def turned(findings: list[Any]) -> set[int]:
    """The ids of the resolved ``findings`` taken over by a new finding among them on the
    same record, of the rule a pack declares follows theirs (``Pack.follows``)."""
    follows = {new: old for p in loaded().values() for new, old in p.follows.items()}
    if not follows:
        return set()
    opened = {(f.register, f.record, follows[f.rule]) for f in findings
              if f.state == "new" and f.rule in follows}
    return {id(f) for f in findings if f.state == "resolved" and (f.register, f.record, f.rule) in opened}


def refresh() -> dict[str, Pack]:
    """Look for installed packs again (after installing one into a running process)."""
    global _FOUND, _LOCAL
    _FOUND = _LOCAL = None
    return available()


class PacksFile(BaseModel):
    """``rules/packs.yaml``: which packs this workspace runs."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    packs: list[str] = Field(min_length=1)


def read_pack_names(rules_dir: Path) -> list[str]:
    """The names in rules/packs.yaml (the default when the file is absent)."""
    path = Path(rules_dir) / PACKS_FILE
    if not path.exists():
        return list(DEFAULT_PACKS)
    return list(dict.fromkeys(load_yaml_model(path, PacksFile).packs))


def get(names: Iterable[str], where: str = "") -> list[Pack]:
    """The packs named, in order; an unknown name is a RulesError listing those installed."""
    names = list(names)
    found = _local()
    if any(n not in found for n in names):
        found = available()  # a pack installed from elsewhere (entry point)
    unknown = [n for n in names if n not in found]
    if unknown:
        shown = "、".join(found) or "（无）"
        raise PackError([f"{where}不认识的业务包：{'、'.join(unknown)}（已安装：{shown}）"])
    return [found[n] for n in names]


def workspace_packs(rules_dir: Path) -> list[Pack]:
    """The packs a workspace runs, checked: known names, no register or report owned twice."""
    path = Path(rules_dir) / PACKS_FILE
    packs = get(read_pack_names(rules_dir), f"{path}: " if path.exists() else "")
    check_disjoint(packs)
    return packs


def check_disjoint(packs: list[Pack]) -> None:
    problems: list[str] = []
    for what, items in (("登记表", lambda p: p.registers),
                        ("报表", lambda p: [k.name for k in p.reports]),
                        ("规则", lambda p: [r.name for r in p.rules])):
        owner: dict[str, str] = {}
        for p in packs:
            for item in items(p):
                if item in owner:
                    problems.append(f"{what}“{item}”同时属于业务包 {owner[item]} 和 {p.name}")
                owner.setdefault(item, p.name)
    if problems:
        raise PackError(problems)


def register_owner(packs: list[Pack]) -> dict[str, str]:
    return {reg: p.name for p in packs for reg in p.registers}


def rules_touched_by(packs: list[Pack], changed: Iterable[tuple[str, str]]) -> list[tuple[Pack, Rule]]:
    """The rules that must run again when these (register, key)s change: those reading them."""
    registers = {reg for reg, _ in changed}
    return [(p, r) for p in packs for r in p.rules if registers.intersection(r.reads)]


__all__ = [
    "DEFAULT_PACKS", "PACKS_FILE", "Pack", "PackError", "PacksFile", "Rule", "SettingsPart", "State",
    "available", "check_disjoint", "get", "loaded", "per_record", "read_pack_names", "register_owner",
    "refresh", "rules_touched_by", "workspace_packs",
]
