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
    old = [k for k, v in src._state["complaint"].items() if (bench.NOW - bench._saved(v)).days > 14]
    assert old, "no record older than the window was read through an open finding"
    assert any(r[0] == "已逾期" for r in fast.table("待办与逾期" if name == "daily_due" else "逾期明细").rows)
