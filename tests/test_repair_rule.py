"""The repair rule's one-loop form (repair_rule) says what the per-record form says."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from rules_helpers import RULES, RULESET

from toolkit.packs.property.rules.repairs import repair_findings, repair_rule
from toolkit.ruleset import load_ruleset
from toolkit.ruleset.timing import Env
from toolkit.workcal import load_calendar


def _rows() -> dict[str, dict]:
    base = datetime(2026, 11, 20, 8, 0)
    rows: dict[str, dict] = {}
    for i in range(240):
        t = base + timedelta(minutes=97 * i)
        v = {"单号": f"R{i}", "房号": None if i % 11 == 0 else f"{i % 5}-10{i % 3}", "报修时间": t,
             "紧急程度": "紧急" if i % 4 == 0 else "一般"}
        if i % 3 == 0:
            v["预约时间"] = t + timedelta(hours=i % 7, seconds=i % 2 * 30)
        if i % 5 != 0:
            v["完成时间"] = t + timedelta(minutes=13 * (i % 13), microseconds=i % 3)
        if i % 6 == 1:
            v["到场时间"] = t + timedelta(minutes=i % 50)
        if i % 7 == 2:
            v["回访时间"] = t + timedelta(hours=i % 30)
        odd = i % 17
        if odd == 1:
            v["报修时间"] = t.date()  # a bare date: from 00:00
        elif odd == 2:
            v["报修时间"] = None  # no findings at all
        elif odd == 3:
            v["完成时间"] = (t + timedelta(hours=2)).replace(tzinfo=timezone(timedelta(hours=8)))
        elif odd == 4:
            v["预约时间"] = date(2026, 11, 25)
        elif odd == 5:
            v["报修时间"] = t.replace(tzinfo=UTC)
        rows[v["单号"]] = v
    return rows


def _same(ruleset, now: datetime) -> None:
    rows = _rows()
    env_a = Env(ruleset.by_pack["property"], load_calendar(RULES), now)
    env_b = Env(ruleset.by_pack["property"], load_calendar(RULES), now)
    got = repair_rule(env_a, {"repair": rows})
    want = [f for key, v in rows.items() for f in repair_findings(env_b, key, v)]
    assert [(type(f), f.to_dict()) for f in got] == [(type(f), f.to_dict()) for f in want]
    assert len(got) > 400


@pytest.mark.parametrize("now", ["2026-11-20T09:00", "2026-11-23T16:59", "2026-12-30T00:00"])
def test_one_loop_equals_per_record(now):
    _same(RULESET, datetime.fromisoformat(now))


ARRIVAL = "arrival:           {clock: calendar, amount: 30, unit: minutes,"
CALLBACK = "callback:          {clock: calendar, amount: 0, unit: days, until: day_end,"
GRACE = "appointment_grace: {clock: calendar, amount: 30, unit: minutes,"


@pytest.mark.parametrize("changes", [
    # the one loop's own path: calendar clocks, a callback without day_end
    {CALLBACK: "callback:          {clock: calendar, amount: 2, unit: hours,"},
    # the per-record path: another clock, or day_end where the loop does not look for it
    {ARRIVAL: "arrival:           {clock: business_hours, amount: 30, unit: minutes,",
     CALLBACK: "callback:          {clock: workdays, amount: 1, unit: days,"},
    {GRACE: "appointment_grace: {clock: calendar, amount: 1, unit: days, until: day_end,"},
])
def test_one_loop_equals_per_record_on_other_settings(tmp_path: Path, changes: dict[str, str]):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    sla = rules / "sla.yaml"
    text = sla.read_text(encoding="utf-8")
    for old, new in changes.items():
        assert old in text
        text = text.replace(old, new)
    sla.write_text(text, encoding="utf-8")
    _same(load_ruleset(rules), datetime(2026, 11, 24, 9, 0))
