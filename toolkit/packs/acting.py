"""Findings that stop work until someone acts: which cell they concern, who acts, and how.

A pack declares its own (``Pack.actions``: rule name → :class:`Action`, and optionally
``Pack.action_of`` to fill in the column and the to-do from a finding's values). Each
such finding reaches the return copy of the workbook it came from (the cell marked, the
reason in Chinese) and the report that lists it for whoever acts (``Action.listed_in``:
the property's daily to-do list, the dealer's monthly reports), naming who must act. Rule names are
unique across packs, so a finding's rule says whose action it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..cellref import column_letter as get_column_letter
from ..model import CellError, Finding, Record


@dataclass(frozen=True)
class Action:
    code: str  # problem code in the return copy's 问题清单 (the rule of the finding)
    title: str  # what the problem is, in a few words
    column: str  # the cell the return copy marks
    todo: str  # what has to happen, said to whoever acts
    listed_in: str = ""  # the report that lists it again for whoever acts (named on the return copy)


def _packs() -> list:
    from . import loaded

    return list(loaded().values())


# rule → the pack that declares it as an action, for the packs found (``loaded()``):
# looked up for every finding of a file, so built once per set of packs.
_OWNERS: tuple[int, dict[str, Any]] | None = None


def _owners() -> dict[str, Any]:
    global _OWNERS
    from . import loaded

    packs = loaded()
    if _OWNERS is None or _OWNERS[0] != id(packs):
        owners: dict[str, Any] = {}
        for p in packs.values():
            for code in p.actions:
                owners.setdefault(code, p)
        _OWNERS = (id(packs), owners)
    return _OWNERS[1]


def actions() -> dict[str, Action]:
    """Every action code of the installed packs."""
    return {code: a for p in _packs() for code, a in p.actions.items()}


def _is_action(f: Finding, owners: dict[str, Any]) -> bool:
    # An info finding of an action rule only tells (safety points filled in from the
    # table where the cell was blank): nothing to correct.
    return f.rule in owners and f.state != "resolved" and f.status != "resolved" and f.severity != "info"


def is_action(f: Finding) -> bool:
    return _is_action(f, _owners())


def _action_of(f: Finding, owners: dict[str, Any]) -> Action:
    p = owners.get(f.rule)
    if p is None:
        raise KeyError(f.rule)
    return p.action_of(f) if p.action_of is not None else p.actions[f.rule]


def action_of(f: Finding) -> Action:
    """The action for an action finding, refined by its pack from the finding's values."""
    return _action_of(f, _owners())


def return_message(f: Finding, action: Action | None = None, note: str = "") -> str:
    """The finding as a cell comment and a line of the 问题清单: what is wrong, then what to do
    (``note``: what the ledger adds beyond the finding, a signed paper it withdraws)."""
    a = action or action_of(f)
    text = f.message.rstrip("。")
    return (f"{text}。须处理：{a.todo}。" if a.todo else f"{text}。") + note


def _notes(ledger: Any, found: list[Finding], owners: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(register, record) → the words packs add from the ledger (``Pack.action_notes``)."""
    out: dict[tuple[str, str], str] = {}
    if ledger is None:
        return out
    packs = {id(p): p for f in found if (p := owners.get(f.rule)) is not None and p.action_notes is not None}
    for p in packs.values():
        out.update(p.action_notes(ledger, [f for f in found if owners.get(f.rule) is p]))
    return out


def action_errors(findings: list[Finding], records: list[Record], ledger: Any = None) -> list[CellError]:
    """The open action findings about these records, each placed on the cell it concerns;
    with ``ledger``, each pack may add what the ledger knows about them (``Pack.action_notes``)."""
    owners = _owners()
    # Only findings of an action rule can be marked: the records are indexed only when
    # there are some (a big file's 200,000 deadline findings are mostly not).
    mine = [f for f in findings if _is_action(f, owners)]
    if not mine:
        return []
    notes = _notes(ledger, mine, owners)
    by_key = {(r.register, r.key): r for r in records}
    out = []
    for f in mine:
        rec = by_key.get((f.register, f.record))
        if rec is None:
            continue
        a = _action_of(f, owners)
        idx = rec.columns.get(a.column)
        cell = f"{get_column_letter(idx + 1)}{rec.row}" if idx is not None else None
        value = rec.values.get(a.column)
        out.append(CellError(rec.sheet, rec.row, a.column, cell, f.rule,
                             return_message(f, a, notes.get((f.register, f.record), "")),
                             None if value is None else str(value)))
    return out
