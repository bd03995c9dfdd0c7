"""The rules engine as a pipeline hook, and the same evaluation without a new file.

evaluate()      state = ledger records overlaid with the file's records → every rule;
                states previewed against the stored findings (read only);
                FileResult.findings = findings about this file's records + other
                findings that are new or resolved.
commit(conn)    the same comparison again inside the file's transaction, then the
                open set is written, so records and findings land together.
warnings()      which dates were computed on the weekends-only fallback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..ledger import Ledger
from ..model import FileResult, Finding, Record
from ..workcal import CalendarSettings, WorkCalendar, load_calendar
from ..workspace import Workspace
from . import store
from .engine import State, WorkspaceRules, evaluate_all, load_ruleset


def load_state(ledger: Ledger) -> State:
    """Current values of every record of every register in the ledger."""
    return {reg: {r["key"]: r["values"] for r in ledger.records(reg)} for reg in ledger.registers_seen()}


@dataclass
class Evaluation:
    findings: list[Finding]
    touched: set[tuple[str, str]]  # every record in this file
    hashes: list[str] = field(default_factory=list)  # facts hash of each finding, computed once
    resolved: list[Finding] = field(default_factory=list)


def _about_file(f: Finding, touched: set[tuple[str, str]], about: list) -> bool:
    if (f.register, f.record) in touched:
        return True
    # A finding about several records (an escalation of many complaints): its pack says.
    return any(a(f, touched) for a in about)


def file_findings(ev: Evaluation, about: list | None = None) -> list[Finding]:
    """This file's own findings, plus what changed elsewhere (new or resolved)."""
    about = about or []
    mine = [f for f in ev.findings if _about_file(f, ev.touched, about) or f.state == "new"]
    return mine + ev.resolved


class RulesHook:
    """Deadlines, fees, escalations and cross-register checks (rules/ as data)."""

    def __init__(self, ruleset: WorkspaceRules, calendar: CalendarSettings):
        self.ruleset = ruleset
        self.about = [p.about for p in ruleset.packs if p.about is not None]
        self.calendar = calendar
        self._fallback: set = set()

    @classmethod
    def load(cls, ws: Workspace) -> RulesHook:
        """Read and validate the rules files; RulesError names every problem."""
        return cls(load_ruleset(ws.rules), load_calendar(ws.rules).settings)

    def run(self, state: State, now: datetime, only: list[str] | None = None) -> list[Finding]:
        # A fresh calendar per evaluation so each run's fallback dates are its own.
        cal = WorkCalendar(self.calendar)
        findings = evaluate_all(state, self.ruleset, cal, now, only)
        self._fallback |= cal.fallback_dates
        return findings

    # --- pipeline hook -------------------------------------------------------------

    def evaluate(self, ctx: Any, result: FileResult, records: list[Record], now: datetime) -> Evaluation | None:
        if not records:
            return None
        state = load_state(ctx.ledger)
        touched: set[tuple[str, str]] = set()
        for rec in records:
            state.setdefault(rec.register, {})[rec.key] = rec.values
            touched.add((rec.register, rec.key))
        findings = self.run(state, now)
        ev = Evaluation(findings, touched, [store.facts_hash(f) for f in findings])
        with ctx.ledger.engine.connect() as conn:
            ev.resolved, _ = store.assign_states(conn, ctx.ledger.site, ev.findings, ev.hashes)
        result.findings = file_findings(ev, self.about)
        return ev

    def commit(self, ctx: Any, conn: Any, result: FileResult, extra: Evaluation | None, now: datetime) -> None:
        if extra is None:
            return
        # Compared again inside the transaction: another process may have written since.
        extra.resolved = store.sync(conn, ctx.ledger.site, extra.findings, now, extra.hashes)
        result.findings = file_findings(extra, self.about)

    def after_commit(self, ctx: Any, result: FileResult, extra: Any, now: datetime) -> None:
        return None

    def warnings(self, ctx: Any) -> list[str]:
        cal = WorkCalendar(self.calendar)
        cal.fallback_dates = self._fallback
        note = cal.fallback_note()
        self._fallback = set()
        return [note] if note else []


def rules_hook(ctx: Any) -> RulesHook:
    for hook in getattr(ctx, "hooks", []):
        if isinstance(hook, RulesHook):
            return hook
    return RulesHook.load(ctx.ws)


def evaluate_workspace(ctx: Any, now: datetime) -> list[Finding]:
    """Re-evaluate the ledger as it stands (daily run, reports) and store the result.

    Returns every current finding with its state, plus those resolved since the last
    evaluation (status and state ``resolved``).
    """
    hook = rules_hook(ctx)
    findings = hook.run(load_state(ctx.ledger), now)
    with ctx.ledger.transaction() as conn:
        resolved = store.sync(conn, ctx.ledger.site, findings, now)
    return findings + resolved
