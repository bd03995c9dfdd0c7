"""Findings that stop work until someone acts: which cell they concern, who acts, and how.

A pack declares its own (``Pack.actions``: rule name → :class:`Action`, and optionally
``Pack.action_of`` to fill in the column and the to-do from a finding's values). Each
such finding reaches the return copy of the workbook it came from (the cell marked, the
reason in Chinese) and the pack's daily to-do list, naming who must act. Rule names are
unique across packs, so a finding's rule says whose action it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from ..model import CellError, Finding, Record


@dataclass(frozen=True)
class Action:
    code: str  # problem code in the return copy's 问题清单 (the rule of the finding)
    title: str  # what the problem is, in a few words
    column: str  # the cell the return copy marks
    todo: str  # what has to happen, said to whoever acts


def _packs() -> list:
    from . import loaded

    return list(loaded().values())


def actions() -> dict[str, Action]:
    """Every action code of the installed packs."""
    return {code: a for p in _packs() for code, a in p.actions.items()}


def is_action(f: Finding) -> bool:
    return f.rule in actions() and f.state != "resolved" and f.status != "resolved"


def action_of(f: Finding) -> Action:
    """The action for an action finding, refined by its pack from the finding's values."""
    for p in _packs():
        if f.rule in p.actions:
            return p.action_of(f) if p.action_of is not None else p.actions[f.rule]
    raise KeyError(f.rule)


def return_message(f: Finding) -> str:
    """The finding as a cell comment and a line of the 问题清单: what is wrong, then what to do."""
    a = action_of(f)
    text = f.message.rstrip("。")
    return f"{text}。须处理：{a.todo}。" if a.todo else f"{text}。"


def action_errors(findings: list[Finding], records: list[Record]) -> list[CellError]:
    """The open action findings about these records, each placed on the cell it concerns."""
    by_key = {(r.register, r.key): r for r in records}
    out = []
    for f in findings:
        rec = by_key.get((f.register, f.record))
        if rec is None or not is_action(f):
            continue
        a = action_of(f)
        idx = rec.columns.get(a.column)
        cell = f"{get_column_letter(idx + 1)}{rec.row}" if idx is not None else None
        value = rec.values.get(a.column)
        out.append(CellError(rec.sheet, rec.row, a.column, cell, f.rule, return_message(f),
                             None if value is None else str(value)))
    return out
