"""The rules engine (SPEC §3, §5): deadlines, escalations, fees and cross-register checks.

Each enabled pack's rules (``toolkit/packs/<name>/``) read their figures from its
settings files in ``rules/``. Rules are plain functions over plain values; :func:`evaluate_all` runs them over the current state of
every register, and the findings are kept in the ledger (``store``) so that nothing is
reported as new twice.
"""

from .engine import State, WorkspaceRules, evaluate_all, load_ruleset
from .hook import RulesHook, evaluate_workspace, load_state
from .settings import Settings, load_pack_settings
from .store import facts_hash, is_issued, mark_issued, open_findings
from .timing import Env, Ruleset

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
