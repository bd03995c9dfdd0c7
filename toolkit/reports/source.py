"""What reports read: every record in the ledger, and the rules' findings at one moment.

Findings are computed with the rules engine's pure evaluation (``RulesHook.run``) at the
report's own moment, not read from or written to the stored findings: a report caught
up on Monday about last Friday shows Friday's picture, and making a report never
changes which findings count as new for the notices.

Over a window (``since``) a rule judges the recent records of the register its findings
are about, but looks up the other registers it reads whole, or by the keys its scope's
links name (``Source.context``): an order's booking, a car's earlier orders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain, groupby
from operator import attrgetter
from typing import Any

from sqlalchemy import or_, select

from ..codec import decode, encode
from ..ledger import VOID_SUFFIX, void_key
from ..ledger import records as records_table
from ..model import Finding
from ..packs import Rule
from ..packs.scopes import KEY, Each, Grouped
from ..ruleset.hook import rules_hook
from ..ruleset.timing import Env, as_date, as_dt
from ..workcal import WorkCalendar
from .settings import ReportSettings, ScheduleFile

State = dict[str, dict[str, dict[str, Any]]]

# Registers of events (a repair, a complaint, a parking stay …): a report over a window
# reads only those touched since shortly before it, plus those with a finding still open.
# Registers of standing facts (fee accounts, cards, permits) are always read whole.
# (Each pack names its own: ``Pack.event_registers``.) A rule looking records up in an
# event register it does not judge reads them whole or by key (``Source.context``).


def _prefix(column: str) -> str:
    """How the ledger's canonical JSON opens a column's value: ``"事件":``."""
    return encode({column: 0})[1:-2]


def _event_texts(events: set[Any], column: str) -> set[str] | None:
    """The group values as they appear in stored JSON, or None if some is not text (then
    every record is decoded and compared)."""
    if not all(isinstance(e, str) for e in events):
        return None
    start = len(_prefix(column)) + 1
    return {encode({column: e})[start:-1] for e in events}


def _event_text(values_json: str, column: str) -> str | None:
    m = re.search(re.escape(_prefix(column)) + r'("(?:[^"\\]|\\.)*")', values_json)
    return m.group(1) if m else None


@dataclass
class Source:
    ctx: Any  # pipeline.Context
    as_of: datetime
    schedule: ScheduleFile
    since: datetime | None = None  # event records untouched since then (and closed) are skipped
    _state: State = field(default_factory=dict)
    # The findings so far by register, in runs of consecutive ones about it, each as
    # (rule rank, n of its first, findings): n counts the findings.
    _by_register: dict[str, list[tuple[int, int, list[Finding]]]] = field(default_factory=dict)
    _count: int = 0
    _ran: set[str] = field(default_factory=set)
    _open_keys: dict[str, set[str]] | None = None
    _asked: dict[frozenset[str], list[Finding]] = field(default_factory=dict)
    _whole: State = field(default_factory=dict)  # event registers read whole despite the window
    _unfiltered: State = field(default_factory=dict)  # a window as read, before ``_happened``

    @property
    def settings(self) -> ReportSettings:
        return self.schedule.reports

    @property
    def rules(self) -> Any:
        """The workspace's rules (``ruleset.WorkspaceRules``); ``.pack(name)`` for one pack's."""
        return rules_hook(self.ctx).ruleset

    @property
    def events(self) -> set[str]:
        return {r for p in self.rules.packs for r in p.event_registers}

    def records(self, register: str) -> dict[str, dict[str, Any]]:
        """Current values of a register's records, by key (loaded once).

        With ``since``, an event register is read as the records changed since then plus
        those with an open finding in the ledger: a record closed and untouched before the
        window cannot change a figure inside it, and the ledger's open findings name every
        older record that is still waiting for something (a callback never made …).
        """
        if register not in self._state:
            if register.endswith(VOID_SUFFIX):  # records marked 作废, by the key each had
                self._state[register] = {void_key(k): v for k, v in self.ctx.ledger.values(register).items()}
            elif self.since is None or register not in self.events:
                self._state[register] = self.ctx.ledger.values(register)
            else:
                self._state[register] = self._recent(register)
        return self._state[register]

    def windowed(self, register: str) -> bool:
        """Whether ``records`` gives only a window of this register."""
        return self.since is not None and register in self.events

    def whole(self, register: str) -> dict[str, dict[str, Any]]:
        """Every record of a register, whatever the window (loaded once): for a judgement
        across records (a car's earlier orders), where a window would lose the old ones.
        Without those received after ``as_of``, as the window is."""
        if not self.windowed(register):
            return self.records(register)
        if register not in self._whole:
            self._whole[register] = self._happened(register, self.ctx.ledger.values(register))
        return self._whole[register]

    def records_at(self, register: str, moment: datetime) -> dict[str, dict[str, Any]]:
        """The records ``records`` gives, each with the values it had at ``moment``
        (``Ledger.values_at``): a past period's figures are not changed by what was saved
        after it ended. Over a window only its records are read: one untouched since
        before the window stood then as it stands now."""
        current = self.records(register)
        # Records marked 作废 since stood then: a late 作废 does not change a past period.
        gone = self.ctx.ledger.retired_since(register, moment)
        if not self.windowed(register):
            # Only the records saved again since are read back: the rest stand as they do now.
            then = self.ctx.ledger.changed_at(register, moment)
            return {**gone, **{k: then.get(k, v) for k, v in current.items()}}
        # Received by ``as_of`` as the record stood then: a date corrected later to one
        # after it does not drop the record from the past period.
        pool = self._unfiltered.get(register, current)
        then = self.ctx.ledger.changed_at(register, moment, list(pool))
        return self._happened(register, {**gone, **{k: then.get(k, v) for k, v in pool.items()}})

    def by_keys(self, register: str, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """These records of a register, whatever the window (keys not in it left out), in
        ledger order: the bookings the orders in view cite, without reading every booking."""
        wanted = sorted({k for k in keys if k})
        if not self.windowed(register) or register in self._whole:
            chosen = set(wanted)
            return {k: v for k, v in self.whole(register).items() if k in chosen}
        from ..ruleset import terms

        t = records_table
        rows: list[tuple[int, str, str]] = []
        with self.ctx.ledger.engine.connect() as conn:
            for i in range(0, len(wanted), terms.CHUNK):
                query = select(t.c.id, t.c.key, t.c.values_json).where(
                    t.c.site == self.ctx.ledger.site, t.c.register == register,
                    t.c.key.in_(wanted[i:i + terms.CHUNK]))
                rows += map(tuple, conn.execute(query).all())
        rows.sort()  # ledger order (ids are unique)
        return self._happened(register, {key: decode(text) for _, key, text in rows})

    def context(self, rule: Rule, register: str) -> dict[str, dict[str, Any]]:
        """The records of ``register`` a rule judging ``rule.reads[0]`` looks up: the
        window alone would lose the old ones (an order of December citing a booking of
        November: "找不到预约单号"). Those its scope's links reach by key from the records
        judged; otherwise the whole register."""
        if not self.windowed(register):
            return self.records(register)
        scope = rule.scope
        links = scope.links if isinstance(scope, Each | Grouped) else ()
        mine = [link for link in links if link.register == register]
        if not mine or any(link.remote != KEY for link in mine):
            return self.whole(register)  # looked up by a column: no key to read by
        judged = self.records(rule.reads[0])
        keys: set[str] = set()
        for link in mine:
            if link.local == KEY:
                keys |= set(judged)
            else:
                keys |= {str(v.get(link.local)).strip() for v in judged.values() if v.get(link.local) is not None}
        return self.by_keys(register, keys)

    def _inputs(self, rule: Rule) -> State:
        """What one rule is judged on: the window of its own register, the rest looked up."""
        state = {reg: self.context(rule, reg) for reg in rule.reads[1:] if reg != rule.reads[0]}
        state[rule.reads[0]] = self.records(rule.reads[0])
        return state

    @property
    def groups(self) -> dict[str, tuple[str, str]]:
        """register → (column, rule): records judged together by that column (``Pack.groups``)."""
        return {reg: g for p in self.rules.packs for reg, g in p.groups.items()}

    def _open(self) -> dict[str, set[str]]:
        """The groups (an escalation's 事件 …) with an open finding of the rule judging them
        together, by rule: one query for every grouped register."""
        if self._open_keys is None:
            from ..ruleset.store import rule_findings as rf

            group_rules = sorted({rule for _, rule in self.groups.values()})
            out: dict[str, set[str]] = {}
            if group_rules:
                query = select(rf.c.rule, rf.c.record).where(
                    rf.c.site == self.ctx.ledger.site, rf.c.is_open.is_(True), rf.c.rule.in_(group_rules))
                with self.ctx.ledger.engine.connect() as conn:
                    for rule, record in conn.execute(query).all():  # one fetch, not a call per row
                        out.setdefault(rule, set()).add(record)
            self._open_keys = out
        return self._open_keys

    def _recent(self, register: str) -> dict[str, dict[str, Any]]:
        from ..ruleset.store import rule_findings as rf

        t = records_table
        # (id, key, values_json) as plain tuples: a row's fields read by name, and rows
        # sorted with a key function, cost more than decoding them.
        rows: list[tuple[int, str, str]] = []
        with self.ctx.ledger.engine.connect() as conn:
            site = self.ctx.ledger.site
            changed = select(t.c.id, t.c.key, t.c.values_json).where(t.c.site == site, t.c.register == register,
                                                                    t.c.updated_at >= self.since)
            rows += map(tuple, conn.execute(changed).all())  # one fetch, not a call per row
            # The older ones with an open finding, joined in the database (the open findings
            # of one register through ix_rule_findings_open). Asked only when some record
            # with an open finding is not among those just read: PostgreSQL cannot tell how
            # few findings of one register are open (register and is_open are judged
            # apart) and would scan the whole table for a join that finds nothing.
            waiting = select(rf.c.record).where(rf.c.site == site, rf.c.register == register, rf.c.is_open.is_(True))
            read = {key for _, key, _ in rows}
            if any(k not in read for k in conn.execute(waiting).scalars().all()):
                older = select(t.c.id, t.c.key, t.c.values_json).where(
                    t.c.site == site, t.c.register == register, t.c.key.in_(waiting),
                    or_(t.c.updated_at < self.since, t.c.updated_at.is_(None)))
                rows += map(tuple, conn.execute(older).all())  # none of them among those just read
            # In ledger order, as one query ordered by id would give them (ids are unique:
            # the tuples compare on them alone).
            rows.sort()
            out = {key: decode(text) for _, key, text in rows}
            self._unfiltered[register] = out
            out = self._happened(register, out)
            group = self.groups.get(register)
            if group is not None:
                # A rule judges a whole group (an escalation, a whole event): bring in the
                # rest of each group's records.
                column, rule = group
                events = {v.get(column) for v in out.values() if v.get(column)}
                events |= self._open().get(rule, set())
                if events:
                    found = self._by_terms(conn, register, column, events, set(out))
                    if found is not None:
                        out.update(self._happened(register, found))
                        return out
                    wanted = _event_texts(events, column)
                    rest = select(t.c.key, t.c.values_json).where(t.c.site == site, t.c.register == register,
                                                                  t.c.key.not_in(list(out))).order_by(t.c.id)
                    if wanted is not None:  # only records naming some group (as text) can belong
                        rest = rest.where(t.c.values_json.contains(_prefix(column) + '"', autoescape=True))
                    siblings = {}
                    for key, text in conn.execute(rest):
                        if wanted is not None and _event_text(text, column) not in wanted:
                            continue  # cannot be one of the groups: not worth decoding
                        v = decode(text)
                        if v.get(column) in events:
                            siblings[key] = v
                    out.update(self._happened(register, siblings))
        return out

    def _by_terms(self, conn: Any, register: str, column: str, events: set[Any],
                  have: set[str]) -> dict[str, dict[str, Any]] | None:
        """The other records of these groups, found through the rules' column index
        (``ruleset.terms``) instead of a pass over the register; None if the column is not
        indexed at this site. The index gives a superset (trimmed text); each record found
        is compared as the rule compares it."""
        from ..ruleset import terms

        site = self.ctx.ledger.site
        if column not in terms.indexed(conn, site).get(register, set()):
            return None
        texts = {x for e in events if (x := terms.term(e)) is not None}
        keys = sorted(terms.keys_by_terms(conn, site, register, column, texts) - have)
        t = records_table
        rows: list[tuple[int, str, str]] = []
        for i in range(0, len(keys), terms.CHUNK):
            query = select(t.c.id, t.c.key, t.c.values_json).where(
                t.c.site == site, t.c.register == register, t.c.key.in_(keys[i:i + terms.CHUNK]))
            rows += conn.execute(query).all()
        siblings = {}
        for _, key, text in sorted(rows, key=lambda r: r[0]):  # in ledger order
            v = decode(text)
            if v.get(column) in events:
                siblings[key] = v
        return siblings

    def _happened(self, register: str, rows: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Without the records received after ``as_of``: a report made later about an earlier
        moment shows that moment's picture, and rows entered since cannot be part of it
        (their counts, deadlines and escalations all start after it)."""
        flow = self.settings.flows.get(register)
        if flow is None:
            return rows
        col, at = flow.received, self.as_of
        kept = {}
        for k, v in rows.items():
            got = v.get(col)
            if type(got) is not datetime or got.tzinfo is not None:  # most are naive datetimes already
                got = as_dt(got)
            if got is None or got <= at:
                kept[k] = v
        return kept

    def findings(self, *registers: str) -> list[Finding]:
        """The findings the rules give at ``as_of`` about these registers' records.

        Each rule judging one of them (its first ``reads``) runs once per report, with
        every register it reads (deposit refunds need the violations); findings come in
        the rules' own order whatever order the reports ask in.
        """
        wanted = set(registers)
        order = [r for p in self.rules.packs for r in p.rules]
        todo = [r for r in order if r.reads and r.reads[0] in wanted and r.name not in self._ran]
        if todo:
            found = self._evaluate(todo)
            self._ran.update(r.name for r in todo)
            rank = {r.name: i for i, r in enumerate(order)}
            by_register: dict[str, int] = {}
            for r in todo:
                by_register.setdefault(r.reads[0], rank[r.name])
            n = self._count
            for register, same in groupby(found, attrgetter("register")):  # a rule's findings mostly share one
                run = list(same)
                self._by_register.setdefault(register, []).append((by_register.get(register, len(order)), n, run))
                n += len(run)
            self._count = n
            self._asked.clear()
        key = frozenset(wanted)
        if key not in self._asked:  # reports ask for the same registers more than once
            # The findings in (rule rank, n) order: a run's findings share its rank and
            # are numbered n, n + 1 …, so runs in (rank, n of their first) order give them.
            # The tuples compare on those two alone (n is unique): no key function.
            picked = sorted(t for reg in wanted for t in self._by_register.get(reg, ()))
            self._asked[key] = list(chain.from_iterable(run for _, _, run in picked))
        return list(self._asked[key])

    def _evaluate(self, todo: list[Rule]) -> list[Finding]:
        """The rules' findings in their order, consecutive rules judged together while
        they agree on what each register holds (a register one judges over the window
        and the next looks up whole are two evaluations)."""
        hook = rules_hook(self.ctx)
        found: list[Finding] = []
        state: State = {}
        names: list[str] = []
        for r in todo:
            inputs = self._inputs(r)
            if any(reg in state and state[reg] is not have for reg, have in inputs.items()):
                found += hook.run(state, self.as_of, only=names)
                state, names = {}, []
            state.update(inputs)
            names.append(r.name)
        return found + hook.run(state, self.as_of, only=names)

    def env(self, at: datetime, pack: str) -> Env:
        """What ``pack``'s rule code needs to judge at ``at``."""
        hook = rules_hook(self.ctx)
        return Env(hook.ruleset.pack(pack), WorkCalendar(hook.calendar), at)

    def title(self, register: str) -> str:
        spec = self.ctx.specs.get(register)
        return spec.title if spec else register

    def responsible(self, register: str, values: dict[str, Any]) -> tuple[str, str]:
        """(person, department) answering for a record; blanks where unknown."""
        r = self.settings.responsible.get(register)
        if r is None:
            return "", ""
        person = str(values.get(r.person) or "") if r.person else ""
        if not person and r.person_fallback:
            person = str(values.get(r.person_fallback) or "")
        dept = str(values.get(r.department_column) or "") if r.department_column else ""
        return person, dept or r.department


def when(value: Any) -> datetime | None:
    return as_dt(value)


def day(value: Any) -> date | None:
    return as_date(value)
