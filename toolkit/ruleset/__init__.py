"""The rules engine (SPEC §3, §5): deadlines, escalations, fees and cross-register checks.

Each enabled pack's rules (``toolkit/packs/<name>/``) read their figures from its
settings files in ``rules/``. Rules are plain functions over plain values; :func:`evaluate_all` runs them over the current state of
every register, and the findings are kept in the ledger (``store``) so that nothing is
reported as new twice.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import State, WorkspaceRules, evaluate_all, load_ruleset
    from .hook import RulesHook, evaluate_workspace, load_state
    from .settings import Settings, load_pack_settings
    from .store import facts_hash, is_issued, mark_issued, open_findings
    from .timing import Env, Ruleset

# Names are imported on first use: a process that needs one leaf module (the return-copy
# writer needs only ``actions``) does not load the engine, the ledger and every pack.
_FROM = {
    "State": "engine", "WorkspaceRules": "engine", "evaluate_all": "engine", "load_ruleset": "engine",
    "RulesHook": "hook", "evaluate_workspace": "hook", "load_state": "hook",
    "Settings": "settings", "load_pack_settings": "settings",
    "facts_hash": "store", "is_issued": "store", "mark_issued": "store", "open_findings": "store",
    "Env": "timing", "Ruleset": "timing",
}


def __getattr__(name: str) -> Any:
    module = _FROM.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "Env",
    "RulesHook",
    "Ruleset",
    "Settings",
    "State",
    "WorkspaceRules",
    "evaluate_all",
    "evaluate_workspace",
    "facts_hash",
    "is_issued",
    "load_ruleset",
    "load_pack_settings",
    "load_state",
    "mark_issued",
    "open_findings",
]
