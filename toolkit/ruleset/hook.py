"""The rules engine as a pipeline hook, and the same evaluation without a new file.

evaluate()      the file's records, the records they affect (each rule's scope) and the
                records whose stored deadline has come are judged again
                (``incremental``); states previewed against the stored findings of
                those records (read only); FileResult.findings = findings about this
                file's records + other findings that are new, woken or resolved.
                The first evaluation of a day also runs the rules whose findings move
                with the date alone (``clock``) and the rules read whole.
commit(conn)    the same comparison again inside the file's transaction, then the
                findings of the records judged are written, so records and findings
                land together.
warnings()      which dates were computed on the weekends-only fallback.

``evaluate_workspace`` judges the whole ledger (the reference the incremental
evaluation is tested against); ``sweep`` is what the schedule runs with no file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from itertools import compress
from operator import attrgetter
from typing import Any

from .. import corrections
from ..ledger import VOID_SUFFIX, Ledger, void_key
from ..model import FileResult, Finding, Record
from ..workcal import CalendarSettings, WorkCalendar, load_calendar
from ..workspace import Workspace
from . import incremental, store, terms
from .engine import State, WorkspaceRules, evaluate_all, load_ruleset
from .timing import Env


def load_state(ledger: Ledger) -> State:
    """Current values of every record of every register in the ledger, and the records
    marked 作废 under ``register#作废`` by the key each had (a rule may tell a reference
    to a voided record from one to a record never entered)."""
    state = {reg: ledger.values(reg) for reg in ledger.registers_seen()}
    for reg in list(state):
        retired = ledger.values(reg + VOID_SUFFIX)
        if retired:
            state[reg + VOID_SUFFIX] = {void_key(k): v for k, v in retired.items()}
    return state


@dataclass
class Evaluation:
    findings: list[Finding]
    keys: dict[str, set[str]]  # every record in this file: its keys, by register
    # Facts hash of each finding, computed once: when a comparison needs it, else when written.
    hashes: list[str | None] = field(default_factory=list)
    resolved: list[Finding] = field(default_factory=list)
    covered: store.Scope | None = None  # the records judged (None: all)
    met: list[Finding] = field(default_factory=list)  # deadlines met, not stored (store.settled)

    @cached_property
    def touched(self) -> set[tuple[str, str]]:
        """Every record in this file as (register, key): made only when a pack's test of
        findings about other records asks (100,000 pairs of a big file otherwise)."""
        return {(register, key) for register, keys in self.keys.items() for key in keys}


def file_findings(ev: Evaluation, about: list | None = None) -> list[Finding]:
    """This file's own findings, plus what changed elsewhere (new, woken or resolved)."""
    about = about or []
    # About one of the file's records, new, or about several records one of which is in
    # the file (an escalation of many complaints: its pack says). Cheapest test first:
    # this runs over each finding of a big file.
    findings = ev.findings
    # Whose record is in the file: looked up a column at a time (a big file's findings
    # are nearly all about its own records, of one register: their keys looked up alone).
    registers = set(map(_REGISTER, findings))
    if len(registers) == 1:
        keys = ev.keys.get(next(iter(registers)), set())
        in_file = list(map(keys.__contains__, map(_RECORD, findings)))
    else:
        touched = ev.touched
        in_file = list(map(touched.__contains__, zip(map(_REGISTER, findings), map(_RECORD, findings), strict=True)))
    if all(in_file):
        mine = list(findings)
    else:
        mine = [f for f, hit in zip(findings, in_file, strict=True)
                if hit or f.state == "new" or f.woken or any(a(f, ev.touched) for a in about)]
    return mine + _say_turned(ev.resolved, mine)


_CLOSED = "已解除："


def _say_turned(resolved: list[Finding], mine: list[Finding]) -> list[Finding]:
    """A finding taken over by the new one of the rule that follows it on the same record
    (``Pack.follows``: a late report now missing) was turned into it, not lifted: its
    words say so, as the outcome line counts it."""
    from ..packs import turned  # the packs import the rules engine

    gone = turned([*mine, *resolved]) if resolved else set()
    for f in resolved:
        if id(f) in gone and f.message.startswith(_CLOSED):
            f.message = "已转为本记录的新事项：" + f.message[len(_CLOSED):]
    return resolved


_REGISTER, _RECORD = attrgetter("register"), attrgetter("record")
_KEY, _VALUES = attrgetter("key"), attrgetter("values")


class RulesHook:
    """Deadlines, fees, escalations and cross-register checks (rules/ as data)."""

    def __init__(self, ruleset: WorkspaceRules, calendar: CalendarSettings):
        self.ruleset = ruleset
        self.about = [p.about for p in ruleset.packs if p.about is not None]
        self.calendar = calendar
        self._fallback: set = set()
        self._terms_ready: set[tuple[str, str]] = set()  # (database, site) whose term index is built
        self._clock_day: dict[tuple[str, str], Any] = {}  # (database, site) → day of the last clock sweep

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

    def incremental(self, ledger: Ledger, overlay: State, now: datetime,
                    clock: bool | None = None, stored: Any = None,
                    gone: dict[str, set[str]] | None = None,
                    voided: dict[str, set[str]] | None = None) -> tuple[list[Finding], store.Scope]:
        """Findings of the records ``overlay`` changes, of those they affect and of those
        whose stored deadline has come, with the records they cover (see ``incremental``).

        ``clock``: also the rules moved by the date alone and those read whole; default:
        on the first evaluation of each day. ``stored``: the ledger's rows of the overlay's
        keys, read already (corrections.Stored). ``gone``: records the file retires (a
        corrected key): judged as changed, seen by no rule, so their findings close;
        ``voided``: those of them marked 作废 (seen under ``register#作废``).
        """
        where = (str(ledger.engine.url), ledger.site)
        packs = self.ruleset.packs
        if where not in self._terms_ready:
            terms.ensure(ledger, incremental.term_columns(packs))
            self._terms_ready.add(where)
        if clock is None:
            clock = self._clock_day.get(where) != now.date()
        cal = WorkCalendar(self.calendar)
        envs = {p.name: Env(self.ruleset.by_pack[p.name], cal, now) for p in packs}
        soon = max((e.soon_minutes for e in envs.values()), default=60)
        findings: list[Finding] = []
        with ledger.engine.connect() as conn:
            load = incremental.Loader(conn, ledger.site, overlay, gone=gone or {}, voided=voided or {})
            if stored is not None:
                load.seed(stored)
            due = store.due_records(conn, ledger.site, now, soon)
            changed, same = load.changed()
            for reg, keys in same.items():  # repeated as they were: judged, but nothing follows
                due.setdefault(reg, set()).update(keys)
            for reg, keys in load.gone.items():  # what linked to them is judged again
                changed.setdefault(reg, set()).update(keys)
            plan = incremental.plan(load, packs, changed, due, clock)
            covered = plan.covered
            for reg, keys in load.gone.items():  # their stored findings are read, and closed
                if reg not in covered:
                    covered[reg] = set(keys)
                elif covered[reg] is not None:
                    covered[reg] |= keys
            for run in plan.runs:
                state = incremental.inputs(load, run)
                found = list(run.rule.run(envs[run.pack.name], state))
                if run.keys is None:
                    findings.extend(found)
                    continue
                primary = run.rule.reads[0]
                ids = run.keys | incremental.group_ids(run, state)
                mine = covered.setdefault(primary, set())
                if mine is not None:
                    mine |= ids
                about_ids = map(ids.__contains__, map(_RECORD, found))
                if set(map(_REGISTER, found)) <= {primary}:  # as a rule's findings are
                    findings.extend(compress(found, about_ids))
                else:
                    findings.extend(f for f in found if f.register == primary and f.record in ids)
        self._fallback |= cal.fallback_dates
        if clock:
            self._clock_day[where] = now.date()
        return findings, covered

    # --- pipeline hook -------------------------------------------------------------

    def evaluate(self, ctx: Any, result: FileResult, records: list[Record], now: datetime) -> Evaluation | None:
        if not records and not result.voided:
            return None
        overlay: State = {}
        registers, keys = list(map(_REGISTER, records)), list(map(_KEY, records))
        by_register: dict[str, set[str]] = {}
        if len(set(registers)) == 1:  # one register (a big file): its records at once
            overlay[registers[0]] = dict(zip(keys, map(_VALUES, records), strict=True))
            by_register[registers[0]] = set(keys)
        else:
            for rec in records:
                overlay.setdefault(rec.register, {})[rec.key] = rec.values
                by_register.setdefault(rec.register, set()).add(rec.key)
        del registers, keys
        gone = corrections.gone(result.corrections)
        voided: dict[str, set[str]] = {}
        for v in result.voided:  # rows marked 作废: their records retire as a corrected key's do
            gone.setdefault(v.register, set()).add(v.key)
            voided.setdefault(v.register, set()).add(v.key)
        findings, covered = self.incremental(ctx.ledger, overlay, now, stored=result.stored, gone=gone,
                                             voided=voided)
        kept, met = store.split_settled(findings)
        ev = Evaluation(kept, by_register, [None] * len(kept), covered=covered, met=met)
        with ctx.ledger.engine.connect() as conn:
            ev.resolved, _ = store.assign_states(conn, ctx.ledger.site, ev.findings, ev.hashes, covered, now, met)
        result.findings = file_findings(ev, self.about)
        return ev

    def commit(self, ctx: Any, conn: Any, result: FileResult, extra: Evaluation | None, now: datetime) -> None:
        if extra is None:
            return
        # Compared again inside the transaction: another process may have written since.
        extra.resolved = store.sync(conn, ctx.ledger.site, extra.findings, now, extra.hashes, extra.covered,
                                    extra.met)
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

    Returns every current finding with its state (deadlines met in time left out, as
    ``store.settled`` says), plus those resolved since the last evaluation (state ``resolved``).
    """
    hook = rules_hook(ctx)
    findings, met = store.split_settled(hook.run(load_state(ctx.ledger), now))
    with ctx.ledger.transaction() as conn:
        resolved = store.sync(conn, ctx.ledger.site, findings, now, met=met)
    return findings + resolved


def sweep(ctx: Any, now: datetime, clock: bool | None = None) -> list[Finding]:
    """What time alone changed since the last evaluation, with no file: deadlines whose
    stored time has come and, once a day, the rules moved by the date (see ``incremental``).
    Stores the result; returns the findings judged and those resolved.

    Findings it makes new go to the other hooks in the same transaction, as a file's
    would: a complaint left unresolved for 7 days gets its escalation memo when the 7 days
    end, not when some later file happens to arrive (by then the stored finding is no
    longer new, so it would never be issued at all).
    """
    hook = rules_hook(ctx)
    judged, covered = hook.incremental(ctx.ledger, {}, now, clock)
    if not covered:
        return []
    findings, met = store.split_settled(judged)
    with ctx.ledger.transaction() as conn:
        resolved = store.sync(conn, ctx.ledger.site, findings, now, scope=covered, met=met)
        # A woken one goes too (``Finding.woken``): what its unsigned draft prints may have
        # moved with the clock alone; the documents hook issues nothing where its documents
        # already say it (``unchanged_notices``).
        fresh = [f for f in findings if f.state == "new" or f.woken]
        if fresh:
            # No file: the intents carry the moment instead of a file's hash.
            result = FileResult(path="", status="clock", findings=fresh, sha256=f"clock{now:%Y%m%d%H%M%S}")
            for other in getattr(ctx, "hooks", []):
                if other is not hook:
                    other.commit(ctx, conn, result, None, now)
    return findings + resolved
