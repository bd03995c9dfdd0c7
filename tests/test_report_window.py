"""Reports read a window of the ledger (event records changed lately, plus those with an
open finding; standing registers whole): on a real generated ledger that window gives
the same reports as reading every record."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta

import pytest
from conftest import ROOT

from toolkit.reports.catalog import moment, period_for_slot, report_kinds
from toolkit.reports.run import SINCE_MARGIN_DAYS, build_report
from toolkit.reports.settings import load_schedule
from toolkit.reports.source import Source

sys.path.insert(0, str(ROOT / "scripts"))
import bench_incremental as bench  # noqa: E402  (the benchmark's ledger: a year of an estate)

# Standing registers take about 10,000 records; the rest are a year of events.
RECORDS = 13_000


def _content(report) -> list:
    return [report.headline, [(t.sheet, t.title, t.rows, t.total, t.note) for t in report.tables]]


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
@pytest.mark.parametrize("name,slot", [("daily_due", bench.NOW.replace(hour=8, minute=30)),
                                       ("weekly", datetime(2026, 12, 4, 17, 0))])
def test_window_gives_the_reports_of_the_whole_ledger(ctx, name, slot, monkeypatch):
    # Findings stored for every record, as the rules leave them on a ledger they have
    # judged all along (the benchmark stores only the last 60 days' to save time).
    monkeypatch.setattr(bench, "RECENT", timedelta(days=400))
    bench.generate(ctx, RECORDS)
    schedule = load_schedule(ctx.ws.rules)
    kind = report_kinds(ctx.ws.rules)[name]
    period = period_for_slot(kind, slot)

    fast, src = build_report(ctx, name, slot, period, schedule)
    assert src.since == (period.start_dt if kind.period == "day" else period.previous().start_dt) - timedelta(
        days=SINCE_MARGIN_DAYS)
    whole_src = Source(ctx, min(slot, moment(kind, period, schedule)), schedule, since=None)
    whole = kind.build(whole_src, period)
    assert _content(fast) == _content(whole)

    # The window was narrower than the ledger: old closed events were left out, and some
    # older records came in only through their open findings.
    def events(s: Source) -> int:
        return sum(len(v) for reg, v in s._state.items() if reg in s.events)

    assert 0 < events(src) < events(whole_src) * 0.8
    # No property rule looks records up in an event register it does not judge: nothing
    # was read whole despite the window.
    assert not src._whole
    old = [k for k, v in src._state["complaint"].items() if (bench.NOW - bench._saved(v)).days > 14]
    assert old, "no record older than the window was read through an open finding"
    assert any(r[0] == "已逾期" for r in fast.table("待办与逾期" if name == "daily_due" else "逾期明细").rows)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_older_waiting_records_are_read_through_the_open_findings_index(ctx):
    """An event register read over a window: the records changed since, plus older ones
    with an open finding, found through ix_rule_findings_open (whether the index can
    serve: PostgreSQL with sequential scans off, as it would plan a big ledger). A
    register whose open findings are all about records already read asks no more."""
    from sqlalchemy import event

    from toolkit.bulk import insert_many
    from toolkit.ledger import records
    from toolkit.model import Finding
    from toolkit.ruleset import store

    led = ctx.ledger
    since = datetime(2026, 11, 16)
    old, new = since - timedelta(days=30), since + timedelta(days=2)
    rows = [("complaint", "C-old-open", old), ("complaint", "C-old-closed", old), ("complaint", "C-new", new),
            ("repair", "R-new-open", new), ("repair", "R-old-closed", old)]
    with led.transaction() as conn:
        insert_many(conn, records, [{"site": led.site, "register": reg, "key": key, "values_json": "{}",
                                     "version": 1, "first_seen": at, "updated_at": at, "last_file_id": None}
                                    for reg, key, at in rows])
        store.sync(conn, led.site, [
            Finding(rule="complaint.callback", register="complaint", record="C-old-open", severity="warning",
                    message="m", status="overdue", due=old),
            Finding(rule="complaint.callback", register="complaint", record="C-old-closed", severity="info",
                    message="m", status="met", due=old),
            Finding(rule="repair.callback", register="repair", record="R-new-open", severity="warning",
                    message="m", status="overdue", due=new),
        ], new)
    seen: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(led.engine, "before_cursor_execute", capture)
    try:
        src = Source(ctx, datetime(2026, 12, 4, 17, 0), load_schedule(ctx.ws.rules), since=since)
        assert sorted(src.records("complaint")) == ["C-new", "C-old-open"]
        complaint_queries = list(seen)
        seen.clear()
        assert sorted(src.records("repair")) == ["R-new-open"]
    finally:
        event.remove(led.engine, "before_cursor_execute", capture)
    # repair: the changed records, then its open findings (all about those): no join.
    assert len(seen) == 2 and "rule_findings" in seen[1][0] and "records" not in seen[1][0].split("FROM")[1]
    waiting = [(s, p) for s, p in complaint_queries if "rule_findings.register =" in s]
    assert len(waiting) == 2  # the open findings, then the older records joined to them
    with led.engine.connect() as conn:
        raw = conn.connection.driver_connection
        if not led.is_sqlite:
            raw.execute("SET enable_seqscan = off")
        for statement, parameters in waiting:
            if led.is_sqlite:
                plan = " ".join(r[3] for r in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters))
            else:
                plan = " ".join(r[0] for r in raw.execute("EXPLAIN " + statement, parameters))
            assert "ix_rule_findings_open" in plan, plan


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_findings_come_in_the_rules_order_whatever_order_they_are_asked_in(ctx):
    """A report's findings about some registers: each register's after those of registers
    judged by an earlier rule, each rule's in its own order; the same when the registers
    are asked for a few at a time (the rules run in several evaluations) as when one
    evaluation of every rule is sorted so."""
    from toolkit.packs.property.reports.daily import DEADLINE_REGISTERS, ISSUE_REGISTERS
    from toolkit.ruleset.hook import rules_hook

    bench.generate(ctx, 4_000)
    schedule = load_schedule(ctx.ws.rules)
    at = bench.NOW.replace(hour=8, minute=30)

    src = Source(ctx, at, schedule, since=None)
    asks = [("complaint",), ("request", "repair"), DEADLINE_REGISTERS, ISSUE_REGISTERS, ("repair", "complaint")]
    got = [src.findings(*regs) for regs in asks]
    assert len({len(g) for g in got}) > 2  # the asks differ

    whole = Source(ctx, at, schedule, since=None)
    order = [r for p in whole.rules.packs for r in p.rules]
    found = rules_hook(ctx).run({reg: whole.records(reg) for r in order for reg in r.reads}, at)
    rank: dict[str, int] = {}
    for i, r in enumerate(order):
        rank.setdefault(r.reads[0], i)

    def ident(fs: list) -> list:
        return [(f.rule, f.register, f.record, f.status, f.due) for f in fs]

    for regs, findings in zip(asks, got, strict=True):
        want = sorted(((rank.get(f.register, len(order)), n, f) for n, f in enumerate(found) if f.register in regs),
                      key=lambda t: t[:2])
        assert ident(findings) == ident([f for _, _, f in want]), regs
