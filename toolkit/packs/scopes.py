"""What a rule's findings depend on, declared beside the rule (``Rule.scope``).

When a file changes some records, the engine re-judges only what those records can
affect (``ruleset/incremental.py``). A rule says how its findings depend on records:

* ``Each(links)``: findings about one record of its first register (``reads[0]``), each
  depending on that record and on the records of other registers it reaches through
  ``links`` (a move-out and the fee account of its 房号).
* ``Grouped(column, links)``: the records sharing ``column``'s value are judged together
  (the complaints of one 事件); a blank value is a group of one. A group's findings may
  be keyed by the value itself (the escalation memo of an event).
* ``Whole()``: everything the rule reads, every time (few, small registers; the default
  for a rule that declares nothing, so a rule is never judged on less than it needs).

``Link(register, local, remote)``: the records of ``register`` whose ``remote`` column
(``KEY``: their key) equals the primary record's ``local`` column (``KEY``: its key).
Links work both ways: a changed fee account brings back the move-outs of its 房号.
Lookups by a column other than the key use the ledger's term index (``record_terms``).

``clock=True``: findings appear or change with the date alone, before any deadline is
stored (a fee account falling into arrears); the schedule's daily sweep re-judges the
rule whole. Deadlines already found are re-judged from their stored times instead.
"""

from __future__ import annotations

from dataclasses import dataclass

KEY = ""  # in a Link: the record's key rather than a column


@dataclass(frozen=True)
class Link:
    register: str
    local: str = KEY
    remote: str = KEY


@dataclass(frozen=True)
class Each:
    links: tuple[Link, ...] = ()
    clock: bool = False


@dataclass(frozen=True)
class Grouped:
    column: str
    links: tuple[Link, ...] = ()
    clock: bool = False


@dataclass(frozen=True)
class Whole:
    clock: bool = False


Scope = Each | Grouped | Whole

__all__ = ["KEY", "Each", "Grouped", "Link", "Scope", "Whole"]
