"""Judge again only what changed records can affect.

A file changes a few records; a deadline passes; the date moves on. Each asks for some
rules to be run again over some records, never the whole ledger:

* the file's records whose values differ from the ledger's (or are new) are *changed*;
  each rule reading a changed register is asked which of its first register's records
  depend on them (its ``scope``: the record itself, the records linked to it, the rest
  of its group); a record the file repeats unchanged is judged again itself (its
  findings are part of the file's answer) but brings back nothing else;
* a deadline stored in the findings whose time has come (``store.due_records``) makes
  its record *due*: judged again like a changed one;
* the daily sweep (``clock=True``) runs the rules whose findings appear with the date
  alone (arrears, card expiry, an unresolved complaint) and every ``Whole`` rule.

The plan says, for each register whose records are judged again, which keys — or all
of them — are *covered*: every rule whose findings are about that register is run for
them, so the stored findings of exactly those records can be replaced by what the
rules say now (``store.sync(..., scope=covered)``). Findings of other records are not
touched. ``tests/test_incremental.py`` checks that the result equals judging the whole
ledger, for every pack.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from ..codec import decode, encode
from ..ledger import VOID_SUFFIX, register_is_empty, void_key
from ..ledger import records as records_table
from ..packs import Pack, Rule
from ..packs.scopes import KEY, Each, Grouped, Link, Whole
from . import terms

State = dict[str, dict[str, dict[str, Any]]]
Covered = dict[str, set[str] | None]  # register → keys judged again (None: all)
CHUNK = 500
MAX_ROUNDS = 8


def _chunks(items: list, n: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def scope_problems(packs: list[Pack]) -> list[str]:
    """Rules whose scope does not reach every register they read (they would be judged
    on less than they need): each register after the first needs a link."""
    out: list[str] = []
    for p in packs:
        for rule in p.rules:
            scope = rule.scope
            if isinstance(scope, Whole) or not rule.reads:
                continue
            linked = {link.register for link in scope.links}
            missing = [reg for reg in rule.reads[1:] if reg not in linked]
            if missing:
                out.append(f"业务包 {p.name} 的规则 {rule.name} 读取 {'、'.join(missing)}，但其范围（scope）没有与之关联的 Link")
    return out


def term_columns(packs: list[Pack]) -> set[tuple[str, str]]:
    """(register, column) pairs some scope looks records up by (the term index's columns)."""
    out: set[tuple[str, str]] = set()
    for p in packs:
        for rule in p.rules:
            scope = rule.scope
            if isinstance(scope, Grouped):
                out.add((rule.reads[0], scope.column))
            if isinstance(scope, Each | Grouped):
                for link in scope.links:
                    if link.remote != KEY:
                        out.add((link.register, link.remote))
                    if link.local != KEY:
                        out.add((rule.reads[0], link.local))
    return out


@dataclass
class Loader:
    """Records as the rules must see them: the ledger overlaid with the file's records."""

    conn: Connection
    site: str
    overlay: State  # the file's records: {register: {key: values}}
    _rows: dict[str, dict[str, tuple[int, dict[str, Any]]]] = field(default_factory=dict)  # ledger rows by key
    _texts: dict[tuple[str, str], str] = field(default_factory=dict)  # stored JSON of the rows read
    _missing: dict[str, set[str]] = field(default_factory=dict)
    _whole: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    _rows_exist: dict[str, bool] = field(default_factory=dict)  # whether the register has any record stored
    # Records this file retires (a corrected key, corrections.py): still stored until the
    # commit, but no longer there for the rules; their old values still reach what linked to them.
    gone: dict[str, set[str]] = field(default_factory=dict)
    # Of those, the ones marked 作废: a rule reading ``register#作废`` sees them there already.
    voided: dict[str, set[str]] = field(default_factory=dict)

    def seed(self, stored: Any) -> None:
        """Start from the rows of the file's keys read already (corrections.Stored)."""
        for register, rows in stored.rows.items():
            have = self._rows.setdefault(register, {})
            for key, r in rows.items():
                have[key] = (r.id, decode(r.values_json))
                self._texts[(register, key)] = r.values_json
            self._rows_exist[register] = register not in stored.empty
            self._missing.setdefault(register, set()).update(
                k for k in self.overlay.get(register, {}) if k not in have)

    def stored(self, register: str, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The ledger's values of these records (before this file), by key."""
        have = self._rows.setdefault(register, {})
        missing = self._missing.setdefault(register, set())
        wanted = {k for k in keys if k not in have and k not in missing}
        if wanted and register not in self._rows_exist:
            self._rows_exist[register] = not register_is_empty(self.conn, self.site, register)
        if not self._rows_exist.get(register, True):
            missing.update(wanted)  # nothing stored yet (a first load): no key to look up
            wanted = set()
        want = sorted(wanted)
        t = records_table
        for chunk in _chunks(want):
            for r in self.conn.execute(select(t.c.id, t.c.key, t.c.values_json).where(
                    t.c.site == self.site, t.c.register == register, t.c.key.in_(chunk))).all():
                have[r.key] = (r.id, decode(r.values_json))
                self._texts[(register, r.key)] = r.values_json
        missing.update(k for k in want if k not in have)
        return {k: have[k][1] for k in keys if k in have}

    def changed(self) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """The file's records split into (changed or new, unchanged), by register."""
        changed: dict[str, set[str]] = {}
        same: dict[str, set[str]] = {}
        for register, rows in self.overlay.items():
            self.stored(register, rows)
            if rows and not self._rows.get(register):  # none of them stored: all new
                changed[register] = set(rows)
                continue
            for key, values in rows.items():
                text = self._texts.get((register, key))
                (same if text is not None and text == encode(values) else changed).setdefault(register, set()).add(key)
        return changed, same

    def current(self, register: str, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Values as they will stand after this file, in ledger order, the file's new ones last."""
        if register.endswith(VOID_SUFFIX):
            retired = self.whole(register)
            return {k: retired[k] for k in keys if k in retired}
        keys = set(keys)
        gone = self.gone.get(register)
        if gone:
            keys -= gone
        over = self.overlay.get(register, {})
        stored = self.stored(register, keys)
        have = self._rows.get(register, {})
        out = {k: over.get(k, v) for k, v in sorted(stored.items(), key=lambda kv: have[kv[0]][0])}
        if not out and over.keys() <= keys:  # all of the file's records, none stored (a first load)
            return dict(over)
        for k, v in over.items():
            if k in keys and k not in out:
                out[k] = v
        return out

    def whole(self, register: str) -> dict[str, dict[str, Any]]:
        if register not in self._whole:
            t = records_table
            rows = {r.key: decode(r.values_json) for r in self.conn.execute(
                select(t.c.key, t.c.values_json).where(t.c.site == self.site, t.c.register == register)
                .order_by(t.c.id)).all()}
            if register.endswith(VOID_SUFFIX):  # by the key each had; the ones this file retires too
                rows = {void_key(k): v for k, v in rows.items()}
                rows.update(self.stored(register[:-len(VOID_SUFFIX)], self.voided.get(register[:-len(VOID_SUFFIX)], ())))
            for k, v in self.overlay.get(register, {}).items():
                rows[k] = v
            for k in self.gone.get(register, ()):
                rows.pop(k, None)
            self._whole[register] = rows
        return self._whole[register]

    def by_term(self, register: str, column: str, wanted: set[str]) -> set[str]:
        """Keys whose column's term is one of ``wanted``: in the ledger (as stored) or in the file."""
        if not wanted:
            return set()
        if register in self._whole:
            return {k for k, v in self._whole[register].items() if terms.term(v.get(column)) in wanted}
        found = terms.keys_by_terms(self.conn, self.site, register, column, wanted)
        found |= {k for k, v in self.overlay.get(register, {}).items() if terms.term(v.get(column)) in wanted}
        return found - self.gone.get(register, set())

    def both(self, register: str, keys: Iterable[str]) -> list[dict[str, Any]]:
        """Old and new values of these records (a changed column matters on both sides)."""
        keys = list(keys)
        out = list(self.stored(register, keys).values())
        over = self.overlay.get(register, {})
        out += [over[k] for k in keys if k in over]
        return out


def _value_terms(rows: Iterable[dict[str, Any]], column: str, keys: Iterable[str] = ()) -> set[str]:
    if column == KEY:
        return {t for k in keys if (t := terms.term(k)) is not None}
    return {t for v in rows if (t := terms.term(v.get(column))) is not None}


def _linked_from(load: Loader, primary: str, link: Link, changed: set[str]) -> set[str]:
    """Primary keys reached backwards from changed records of the linked register."""
    if not changed:
        return set()
    values = _value_terms(load.both(link.register, changed), link.remote, changed)
    if link.local == KEY:
        return values | {k for k in changed if link.remote == KEY}
    return load.by_term(primary, link.local, values)


def _group_of(load: Loader, primary: str, column: str, keys: set[str]) -> set[str]:
    """The records of every group these keys belong to (before or after the file)."""
    values = _value_terms(load.both(primary, keys), column)
    return keys | load.by_term(primary, column, values)


@dataclass
class Run:
    pack: Pack
    rule: Rule
    keys: set[str] | None  # primary records judged (None: all)


@dataclass
class Plan:
    runs: list[Run]
    covered: Covered

    @property
    def empty(self) -> bool:
        return not self.runs


def plan(load: Loader, packs: list[Pack], changed: dict[str, set[str]], due: dict[str, set[str]],
         clock: bool = False) -> Plan:
    """Which rules to run over which records (see the module's docstring)."""
    rules = [(p, r) for p in packs for r in p.rules if r.reads]
    by_primary: dict[str, list[Rule]] = {}
    for _, r in rules:
        by_primary.setdefault(r.reads[0], []).append(r)
    extra: dict[str, set[str]] = {reg: set(keys) for reg, keys in due.items()}
    whole: set[str] = set()
    if clock:
        whole |= {r.reads[0] for _, r in rules if isinstance(r.scope, Whole) or r.scope.clock}
    for _ in range(MAX_ROUNDS):
        grew = False
        for _, r in rules:
            primary = r.reads[0]
            touched = any(changed.get(reg) for reg in r.reads) or extra.get(primary)
            if primary in whole or not touched:
                continue
            scope = r.scope
            if isinstance(scope, Whole):
                whole.add(primary)
                grew = True
                continue
            seeds = set(changed.get(primary, ())) | extra.get(primary, set())
            for link in scope.links:
                seeds |= _linked_from(load, primary, link, set(changed.get(link.register, ())))
            if isinstance(scope, Grouped):
                seeds = _group_of(load, primary, scope.column, seeds)
            have = extra.setdefault(primary, set())
            if not seeds <= have:
                have |= seeds
                grew = True
        if not grew:
            break
    runs: list[Run] = []
    covered: Covered = {}
    for p, r in rules:
        primary = r.reads[0]
        if primary in whole:
            runs.append(Run(p, r, None))
            covered[primary] = None
        elif extra.get(primary):
            runs.append(Run(p, r, set(extra[primary])))
            covered.setdefault(primary, set()).update(extra[primary])
    return Plan(runs, covered)


def inputs(load: Loader, run: Run) -> State:
    """The records one run of a rule needs: its primary records and what they link to."""
    r, scope = run.rule, run.rule.scope
    primary = r.reads[0]
    if run.keys is None or isinstance(scope, Whole):
        return {reg: load.whole(reg) for reg in r.reads}
    rows = load.current(primary, run.keys)
    state: State = {primary: rows}
    for link in getattr(scope, "links", ()):
        if link.register in state and link.register != primary:
            continue
        if link.remote == KEY:
            wanted = {t for v in rows.values() for t in _raw_and_term(v.get(link.local))} if link.local != KEY \
                else set(rows)
            found = load.current(link.register, wanted)
        else:
            values = _value_terms(rows.values(), link.local, rows)
            found = load.current(link.register, load.by_term(link.register, link.remote, values))
        if link.register == primary:
            state[primary] = {**found, **rows}
        else:
            state.setdefault(link.register, {}).update(found)
    for reg in r.reads:
        state.setdefault(reg, {})
    return state


def _raw_and_term(value: Any) -> set[str]:
    if value is None:
        return set()
    out = {str(value)}
    t = terms.term(value)
    if t is not None:
        out.add(t)
    return out


def group_ids(run: Run, state: State) -> set[str]:
    """Keys a group's own findings carry (the 事件 of an escalation memo)."""
    scope = run.rule.scope
    if not isinstance(scope, Grouped):
        return set()
    return {t for v in state.get(run.rule.reads[0], {}).values() if (t := terms.term(v.get(scope.column)))}


__all__ = ["Covered", "Loader", "Plan", "Run", "group_ids", "inputs", "plan", "scope_problems", "term_columns"]
