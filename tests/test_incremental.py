"""Judging only what a file changes gives what judging the whole ledger gives.

For each pack, a ledger of every register filled with linked made-up rows
(``ledger_maker``) receives files one after another — new rows, rows re-saved with
changed cells, a register re-saved whole — on different days, each through the rules
hook as the pipeline calls it (evaluate, then commit inside the ledger's transaction).
After each file the findings stored in the ledger must be exactly the open findings of
every rule run over the whole ledger at that moment (identity, status and facts).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from ledger_maker import Maker, change, records

from toolkit.model import FileResult
from toolkit.pipeline import open_context
from toolkit.registers import load_registers
from toolkit.ruleset import evaluate_all, open_findings, store
from toolkit.ruleset.hook import RulesHook, load_state, rules_hook, sweep
from toolkit.ruleset.timing import OPEN_STATUSES
from toolkit.setup_workspace import init_workspace
from toolkit.workcal import WorkCalendar
from toolkit.workspace import Workspace

BOTH = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)


def stored(ctx: Any) -> set[tuple]:
    with ctx.ledger.engine.connect() as conn:
        rows = open_findings(conn, ctx.ledger.site)
    return {(f.rule, f.register, f.record, f.status, store.facts_hash(f)) for f in rows}


def whole(ctx: Any, hook: RulesHook, now: datetime) -> set[tuple]:
    found = evaluate_all(load_state(ctx.ledger), hook.ruleset, WorkCalendar(hook.calendar), now)
    out, seen = set(), set()
    for f in found:
        ident = (f.rule, f.register, f.record)
        if ident in seen:  # the store keeps the first of one identity
            continue
        seen.add(ident)
        if f.status in OPEN_STATUSES:
            out.add((*ident, f.status, store.facts_hash(f)))
    return out


def commit_file(ctx: Any, hook: RulesHook, recs: list, now: datetime, n: int) -> FileResult:
    """What process_file does with the rules hook, without reading a workbook."""
    result = FileResult(path=f"f{n}.xlsx", status="accepted")
    file_id = ctx.ledger.claim_file(f"{n:064d}", f"f{n}.xlsx", 1, "", now)
    ev = hook.evaluate(ctx, result, recs, now)
    ctx.ledger.complete_file(file_id, "accepted", {}, recs, now,
                             extra=lambda conn: hook.commit(ctx, conn, result, ev, now))
    return result


def check_pack(ctx: Any, seed: int, start: datetime, rows: int = 30) -> None:
    hook = rules_hook(ctx)
    specs = load_registers(ctx.ws.rules)
    # The packs' registers and any other its rules read (the dispatch register staff save back).
    read = [reg for p in hook.ruleset.packs for rule in p.rules for reg in rule.reads]
    mine = [reg for reg in dict.fromkeys([r for p in hook.ruleset.packs for r in p.registers] + read) if reg in specs]
    maker = Maker(seed, start=start.date() - timedelta(days=50), days=60)
    saved: dict[str, list[list[Any]]] = {reg: maker.rows(specs[reg], rows) for reg in mine}
    now = start
    n = 0
    # 1. every register arrives, one file each, over a few hours of one day
    for reg in mine:
        n += 1
        now += timedelta(minutes=37)
        commit_file(ctx, hook, records(specs[reg], saved[reg]), now, n)
        assert stored(ctx) == whole(ctx, hook, now), (reg, now)
    # 2. on later days: a few rows changed, new rows, a register re-saved whole with one row changed
    for day in range(1, 6):
        now = start + timedelta(days=day, hours=maker.rng.randrange(0, 9))
        for _ in range(3):
            reg = maker.rng.choice(mine)
            spec = specs[reg]
            picked = maker.rng.sample(range(len(saved[reg])), k=min(3, len(saved[reg])))
            for i in picked:
                saved[reg][i] = change(maker, spec, saved[reg][i])
            fresh = maker.rows(spec, 2)
            saved[reg] += fresh
            n += 1
            now += timedelta(minutes=41)
            sent = [saved[reg][i] for i in picked] + fresh if day % 2 else saved[reg]
            recs = records(spec, sent)
            if not recs:  # every row refused: nothing reaches the rules (the day's sweep is the schedule's)
                continue
            commit_file(ctx, hook, recs, now, n)
            assert stored(ctx) == whole(ctx, hook, now), (reg, now, day)
    # 3. a week with no file at all: the schedule's sweep finds what the clock changed
    now += timedelta(days=7)
    sweep(ctx, now)
    assert stored(ctx) == whole(ctx, hook, now)


@pytest.mark.parametrize(("database", "seed"), [("sqlite", 1), ("sqlite", 2), ("postgresql", 3)], indirect=["database"])
def test_property_incremental_equals_whole(home: Path, seed: int):
    ctx = open_context(Workspace(home))
    try:
        check_pack(ctx, seed, datetime(2026, 11, 20, 8, 0))
    finally:
        ctx.close()


@BOTH
@pytest.mark.parametrize("pack", ["car", "dealer"])
def test_other_packs_incremental_equals_whole(tmp_path: Path, database: str, pack: str):
    home = tmp_path / "ws"
    init_workspace(home, [pack])
    if database != "sqlite":
        from toolkit.site import write_site

        write_site(home, "T1", "测试站点", "某某公司")
    ctx = open_context(Workspace(home))
    try:
        check_pack(ctx, 7, datetime(2026, 11, 20, 8, 0))
    finally:
        ctx.close()


def test_a_file_reads_only_the_records_it_touches(home: Path):
    """Repairs into a ledger of many: the rules see the file's rows, not the ledger's."""
    ctx = open_context(Workspace(home))
    try:
        hook = rules_hook(ctx)
        specs = load_registers(ctx.ws.rules)
        maker = Maker(3)
        now = datetime(2026, 11, 20, 8, 0)
        commit_file(ctx, hook, records(specs["repair"], maker.rows(specs["repair"], 300)), now, 1)
        seen: list[int] = []
        real = hook.ruleset.packs[0].rules

        def spy(rule: Any) -> Any:
            def run(env: Any, state: Any) -> Any:
                seen.append(sum(len(v) for v in state.values()))
                return rule.run(env, state)
            return run

        import dataclasses
        pack = hook.ruleset.packs[0]
        hook.ruleset.packs[0] = dataclasses.replace(
            pack, rules=tuple(dataclasses.replace(r, run=spy(r)) for r in real))
        three = records(specs["repair"], maker.rows(specs["repair"], 3))
        commit_file(ctx, hook, three, now + timedelta(minutes=5), 2)
        # only the repair rule ran, over the file's three rows (plus any deadline just due)
        assert seen and max(seen) <= 30
        hook.ruleset.packs[0] = pack
    finally:
        ctx.close()


def test_a_scope_that_misses_a_register_it_reads_is_refused():
    from toolkit.packs import Pack, Rule
    from toolkit.packs.scopes import Each, Link
    from toolkit.ruleset.incremental import scope_problems

    def run(env: Any, state: Any) -> list:
        return []

    pack = Pack("demo", "演示", Path("."), ("a", "b", "c"), rules=(
        Rule("ok", ("a", "b"), run, Each((Link("b", "房号"),))),
        Rule("short", ("a", "b", "c"), run, Each((Link("b", "房号"),))),
    ))
    assert scope_problems([pack]) == ["业务包 demo 的规则 short 读取 c，但其范围（scope）没有与之关联的 Link"]
