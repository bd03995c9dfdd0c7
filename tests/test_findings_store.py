"""Findings stored in bulk: the rows are those a plain SQLAlchemy insert of the same
findings leaves, the facts hashes of a file are each finding's own, and the action
findings of a big file are found among its deadlines."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from toolkit.codec import encode
from toolkit.ledger import KEY_CHUNK, Ledger
from toolkit.model import Finding, Record
from toolkit.packs.acting import action_errors
from toolkit.ruleset import store
from toolkit.ruleset.store import rule_findings
from toolkit.ruleset.timing import OPEN_STATUSES

BOTH = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
NOW = datetime(2026, 11, 24, 9, 0)


def findings() -> list[Finding]:
    out = []
    for i in range(40):
        f = Finding(
            rule="repair.callback" if i % 2 else "repair.unfinished", register="repair",
            record=f"BX{i:07d}" + ("\x00甲" if i % 7 == 0 else ""),  # NUL: stored as U+FFFD
            severity="warning", message=f"报修单 BX{i:07d}：维修回访已超时{i}分钟",
            status=["overdue", "met", "pending", "late", "due_soon"][i % 5],
            due=None if i % 11 == 0 else datetime(2026, 11, 1, 23, 59) + timedelta(hours=i, microseconds=i),
            values={"deadline": "维修回访", "start": datetime(2026, 11, 1, 11, 0), "done": None,
                    "fee": Decimal("35.00"), "n": i},
            notice="投诉升级报告" if i % 3 == 0 else None)
        f.wake = NOW + timedelta(hours=1) if i % 4 == 0 else NOW - timedelta(hours=1) if i % 4 == 1 else None
        out.append(f)
    return out


def old_row(f: Finding, h: str, site: str) -> dict[str, Any]:
    """The row as store.write built it for SQLAlchemy's executemany before the bulk path."""
    is_open = f.status in OPEN_STATUSES
    wake = f.wake if f.wake is not None and f.wake > NOW else None
    return {"site": site, "rule": f.rule, "register": f.register, "record": f.record, "severity": f.severity,
            "status": f.status, "due": f.due, "message": f.message if is_open else "",
            "values_json": encode(f.values) if is_open else "{}", "facts_hash": h, "notice": f.notice,
            "is_open": is_open, "wake_at": wake, "first_seen": NOW, "updated_at": NOW, "resolved_at": None}


def stored_both_ways(led: Ledger, found: list[Finding]) -> tuple[list[tuple], list[tuple]]:
    """The rows ``found`` makes through the bulk path (site "bulk") and through a plain
    SQLAlchemy insert (site "plain"), each read back without id and site, in order."""
    with led.transaction() as conn:
        store.sync(conn, "bulk", found, NOW)  # the bulk path
        conn.execute(insert(rule_findings), [old_row(f, store.facts_hash(f), "plain") for f in found])
    t = rule_findings
    cols = [c for c in t.c if c.name not in ("id", "site")]
    with led.engine.connect() as conn:
        def rows(site: str) -> list[tuple]:
            return [tuple(r) for r in conn.execute(select(*cols).where(t.c.site == site).order_by(t.c.id))]
        return rows("bulk"), rows("plain")


@BOTH
def test_bulk_findings_are_the_rows_sqlalchemy_would_store(tmp_path: Path, database: str):
    url = f"sqlite:///{tmp_path / 'ledger.sqlite'}" if database == "sqlite" else database
    led = Ledger(url)
    try:
        found = findings()
        bulk, plain = stored_both_ways(led, found)
        t = rule_findings
        cols = [c for c in t.c if c.name not in ("id", "site")]
        if database == "sqlite":  # the stored text itself, not only what reads back
            with led.engine.connect() as conn:
                raw = conn.exec_driver_sql(
                    "SELECT site, record, due, wake_at, first_seen, is_open FROM rule_findings ORDER BY id").all()
        assert bulk == plain and len(bulk) == 40
        assert sum(1 for r in bulk if "\ufffd" in r[cols.index(t.c.record)]) == 6  # i = 0, 7, … 35
        assert sum(1 for r in bulk if r[cols.index(t.c.wake_at)] is not None) == 10  # i % 4 == 0: still to come
        if database == "sqlite":
            assert [r[1:] for r in raw[:40]] == [r[1:] for r in raw[40:]]
            assert raw[1][2] == "2026-11-02 00:59:00.000001"  # due 11-01 23:59 + 1 h + 1 µs, as SQLAlchemy writes it
    finally:
        led.close()


@BOTH
def test_changed_findings_are_stored_as_one_update_a_row_would_store_them(tmp_path: Path, database: str,
                                                                          monkeypatch):
    """Findings whose facts, status, due or wake change: the rows PostgreSQL's one
    statement from JSON leaves are those of one UPDATE a row (each database's own path
    against the per-row one, every column but id and site)."""
    url = f"sqlite:///{tmp_path / 'ledger.sqlite'}" if database == "sqlite" else database
    led = Ledger(url)
    later = NOW + timedelta(hours=5)

    def first() -> list[Finding]:
        out = findings()
        for f in out:  # keys as validation leaves them (clean_text drops NUL)
            f.record = f.record.replace("\x00", "")
        return out

    def changed() -> list[Finding]:
        out = first()
        for i, f in enumerate(out):
            f.status = ["pending", "overdue", "late", "due_soon", "met"][i % 5]  # some close, some reopen
            f.message = f.message + "（已更新）"
            f.values = {**f.values, "n": i + 100, "note": 'a"b\\c😀'}
            f.due = None if i % 13 == 0 else datetime(2026, 11, 3, 8, 0) + timedelta(minutes=i, microseconds=7 * i)
            f.wake = later + timedelta(hours=i) if i % 3 == 0 else None
            f.notice = None if i % 3 == 0 else "欠费情况报告"
        return out

    try:
        with led.transaction() as conn:
            store.sync(conn, "json", first(), NOW)
            store.sync(conn, "plain", first(), NOW)
        with led.transaction() as conn:
            store.sync(conn, "json", changed(), later)
        with monkeypatch.context() as m:
            m.setattr(store, "_json_updates", lambda rows: None)  # the statement a row
            with led.transaction() as conn:
                store.sync(conn, "plain", changed(), later)
        t = rule_findings
        cols = [c for c in t.c if c.name not in ("id", "site")]
        with led.engine.connect() as conn:
            def rows(site: str) -> list[tuple]:
                return [tuple(r) for r in conn.execute(select(*cols).where(t.c.site == site).order_by(t.c.id))]
            by_json, by_row = rows("json"), rows("plain")
        assert by_json == by_row and len(by_json) == 40
        assert sum(1 for r in by_json if r[cols.index(t.c.updated_at)] == later) >= 30  # most were rewritten
        assert any(r[cols.index(t.c.resolved_at)] == later for r in by_json)
    finally:
        led.close()


def test_moments_json_would_store_otherwise_go_one_row_at_a_time():
    """A zone's offset (which the JSON path would drop) or a date (read there as a
    moment) sends the batch to the statement a row."""
    row = {"b_id": 1, "severity": "warning", "status": "overdue", "due": NOW, "message": "m", "values_json": "{}",
           "facts_hash": "h", "notice": None, "is_open": True, "wake_at": None, "updated_at": NOW,
           "resolved_at": None}
    assert json.loads(store._json_updates([row]))[0]["due"] == "2026-11-24T09:00:00"
    from datetime import UTC, date
    assert store._json_updates([{**row, "due": NOW.replace(tzinfo=UTC)}]) is None
    assert store._json_updates([{**row, "wake_at": date(2026, 11, 24)}]) is None
    assert store._json_updates([{**row, "message": "\ud800"}]) is None  # a lone surrogate


@BOTH
def test_many_findings_resolved_at_once_are_each_closed(tmp_path: Path, database: str):
    """More findings gone at once than one statement takes (KEY_CHUNK ids a
    statement): each open one is closed as resolved at that moment, each closed one
    that still had a wake time loses it, and the others are left as they were."""
    url = f"sqlite:///{tmp_path / 'ledger.sqlite'}" if database == "sqlite" else database
    led = Ledger(url)
    n = 4 * KEY_CHUNK + 3  # both the resolved and the unwoken take more than one statement
    later = NOW + timedelta(days=1)

    def deadline(i: int, status: str, wake: datetime | None) -> Finding:
        f = Finding(rule="repair.callback", register="repair", record=f"BX{i:07d}", severity="warning",
                    message=f"报修单 BX{i:07d}：维修回访", status=status, due=NOW + timedelta(minutes=i),
                    values={"deadline": "维修回访", "n": i})
        f.wake = wake
        return f

    try:
        first = [deadline(i, "overdue" if i % 2 else "late", NOW + timedelta(days=3)) for i in range(n)]
        with led.transaction() as conn:
            store.sync(conn, "A", first, NOW)
        kept = [first[0], first[1]]  # still found: left alone
        with led.transaction() as conn:
            resolved = store.sync(conn, "A", kept, later)
        assert sorted(f.record for f in resolved) == [f"BX{i:07d}" for i in range(3, n, 2)]
        t = rule_findings
        with led.engine.connect() as conn:
            rows = {r.record: r for r in conn.execute(
                select(t.c.record, t.c.is_open, t.c.status, t.c.resolved_at, t.c.wake_at, t.c.updated_at))}
        assert len(rows) == n
        for i in range(2, n):
            r = rows[f"BX{i:07d}"]
            if i % 2:  # was open: resolved now
                assert (r.is_open, r.status, r.resolved_at, r.wake_at, r.updated_at) == (
                    False, "resolved", later, None, later)
            else:  # was closed (late) with a wake time: the wake goes, the rest stays
                assert (r.is_open, r.status, r.resolved_at, r.wake_at, r.updated_at) == (
                    False, "late", None, None, NOW)
        assert (rows["BX0000001"].is_open, rows["BX0000001"].status) == (True, "overdue")
        assert rows["BX0000000"].wake_at == NOW + timedelta(days=3)
    finally:
        led.close()


def test_hashes_are_made_when_compared_or_written(tmp_path: Path):
    led = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    try:
        first, hashes = findings(), [None] * 40
        with led.transaction() as conn:
            store.sync(conn, "s", first, NOW, hashes)
            # Nothing stored before and no notice issued: no comparison needed a hash, the
            # write made each one with the values' text.
            assert hashes == [None] * 40
            stored = {r.record: (r.facts_hash, r.values_json, r.is_open)
                      for r in conn.execute(select(rule_findings).where(rule_findings.c.site == "s"))}
        for f in first:
            is_open = f.status in OPEN_STATUSES
            assert stored[f.record.replace("\x00", "\ufffd")] == (
                store.facts_hash(f), encode(f.values) if is_open else "{}", is_open)
        again, hashes = findings(), [None] * 40
        again[1].values["n"] = 99  # a fact changed (status met: stored closed, still compared)
        with led.engine.connect() as conn:
            store.assign_states(conn, "s", again, hashes)
        # Each compared with its stored row (a record with NUL never matches its stored U+FFFD
        # form: new each time, as before, its hash left to the write).
        assert hashes == [None if "\x00" in f.record else store.facts_hash(f) for f in again]
        assert [i for i, f in enumerate(again) if f.state == "new"] == [0, 1, 7, 14, 21, 28, 35]
        with led.engine.connect() as conn, pytest.raises(ValueError):
            store.assign_states(conn, "s", again, hashes[:-1])
    finally:
        led.close()


def test_facts_hashes_are_each_findings_own_hash():
    found = findings()
    nested = Finding(rule="demo.nested", register="fees", record="1-0101", severity="error", message="m",
                     status="overdue", due=NOW,
                     values={"status": "overdue", "owed": Decimal("12.50"),
                             "months": [{"month": "2026-10", "days_overdue": 3, "fee": Decimal("1.0")}]})
    breach = Finding(rule="contract.overdue", register="contract", record="HT-1", severity="error", message="m",
                     status="overdue", due=NOW, values={"tier": 2, "甲方": "某某公司", "违约金": Decimal("500.00"),
                                                         "签订日期": NOW, "days_overdue": 9, "other": "x"})
    found += [nested, breach]
    assert store.facts_hashes(found) == [store.facts_hash(f) for f in found]

    def by_hand(values: dict[str, Any]) -> str:
        text = json.dumps({"severity": "error", "due": {"$dt": "2026-11-24T09:00:00"}, "values": values},
                          sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    # Volatile values (status, days_overdue …) are no facts, at any depth; the input is left as it was.
    assert store.facts_hash(nested) == by_hand(
        {"owed": {"$dec": "12.50"}, "months": [{"month": "2026-10", "fee": {"$dec": "1.0"}}]})
    assert nested.values["months"][0]["days_overdue"] == 3 and nested.values["status"] == "overdue"
    # The dealer's breach letter: its declared fact keys only (days_overdue and other are not facts;
    # a key the finding lacks counts as empty: the contract not marked ended).
    assert store.facts_hash(breach) == by_hand(
        {"tier": 2, "甲方": "某某公司", "违约金": {"$dec": "500.00"}, "签订日期": {"$dt": "2026-11-24T09:00:00"},
         "withdraw_drafts_from": None})
    plain = {"deadline": "维修回访", "start": NOW, "done": None}
    assert store._strip(plain) is plain  # nothing to take out: no copy
    # A deadline's own figures are written at once; odd ones still lose what is volatile.
    for values, facts in (
            (plain, {"deadline": "维修回访", "start": {"$dt": "2026-11-24T09:00:00"}, "done": None}),
            ({"deadline": "维修回访", "start": NOW, "done": {"status": "met", "by": "甲"}},
             {"deadline": "维修回访", "start": {"$dt": "2026-11-24T09:00:00"}, "done": {"by": "甲"}}),
            ({"deadline": "维修回访", "start": [NOW], "done": None},
             {"deadline": "维修回访", "start": [{"$dt": "2026-11-24T09:00:00"}], "done": None})):
        f = Finding(rule="repair.callback", register="repair", record="BX1", severity="error", message="m",
                    status="overdue", due=NOW, values=values)
        assert store.facts_hash(f) == by_hand(facts)


def test_action_findings_among_many_deadlines_are_placed_on_their_cells():
    recs = [Record("service_order", f"S{i}", {"服务项目": "疏通下水道", "单价": Decimal("80")}, "特约服务", i + 3,
                   columns={"服务项目": 2, "单价": 4}) for i in range(500)]
    deadlines = [Finding("repair.callback", "service_order", f"S{i}", "warning", "回访超时", status="overdue")
                 for i in range(500)]
    act = Finding("service.price_unapproved", "service_order", "S42", "blocking", "单价不符。", status="open")
    gone = Finding("service.amount", "service_order", "S43", "blocking", "金额算错", status="resolved")
    other = Finding("service.amount", "service_order", "S9999", "blocking", "金额算错", status="open")
    errs = action_errors([*deadlines[:250], act, gone, other, *deadlines[250:]], recs)
    assert len(errs) == 1
    e = errs[0]
    # S42 is row 42 + 3 = 45; 单价 is column index 4 → E
    assert (e.sheet, e.row, e.column, e.cell, e.code, e.value) == ("特约服务", 45, "单价", "E45",
                                                                  "service.price_unapproved", "80")
    assert e.message == "单价不符。须处理：受理人按价目表改正单价，或由主管审批并在“审批人”一栏填写姓名。"
    assert action_errors(deadlines, recs) == []


def test_facts_text_is_the_whole_encoding_for_any_due():
    """The facts text is put together from a due-and-severity head and the values' text;
    it must be the text of the whole, for naive, aware and missing dues alike."""
    from datetime import UTC, timezone

    from toolkit.ruleset.timing import fmt_dt

    east = datetime(2026, 11, 24, 17, 0, tzinfo=timezone(timedelta(hours=8)))
    utc = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    for due in (None, NOW, NOW + timedelta(microseconds=5), east, utc, NOW):
        for severity in ("warning", "info", "提醒\"\\"):
            f = Finding("r", "g", "k", severity, "m", due=due, values={"a": Decimal("1.0"), "b": [NOW, None]})
            text = encode({"severity": severity, "due": due, "values": f.values})
            assert store.facts_hash(f) == hashlib.sha256(text.encode("utf-8")).hexdigest(), (due, severity)
    # Deadlines written for staff: equal moments in two zones keep their own text.
    assert (fmt_dt(east), fmt_dt(utc), fmt_dt(NOW)) == ("2026-11-24 17:00+08:00", "2026-11-24 09:00+00:00",
                                                        "2026-11-24 09:00")
    for i in range(0, 60_000, 7):  # more than the memo keeps
        at = NOW + timedelta(minutes=i)
        assert fmt_dt(at) == at.isoformat(" ", "minutes")


def test_a_deadlines_figures_are_written_as_encode_writes_them():
    """A deadline's own figures (label, start, done) are written without the encoder:
    the same text as encode's for every kind of label and moment, and whatever else
    (other keys, dates, aware moments, odd labels) goes to encode itself."""
    from datetime import date, timezone

    east = timezone(timedelta(hours=8))
    labels = ["维修回访", "报修\"到场\"\\\n\t", "", "a\x00b", "lone \ud800 surrogate", 5, None]
    moments = [None, NOW, NOW + timedelta(microseconds=7), datetime(1, 1, 1), date(2026, 11, 1),
               NOW.replace(tzinfo=east), "2026-11-01"]
    for label in labels:
        for start in moments:
            for done in moments:
                values = {"start": start, "deadline": label, "done": done}
                assert store._values_text(values) == encode(values), values
    for other in ({"deadline": "x", "start": NOW}, {"deadline": "x", "start": NOW, "done": None, "early": False},
                  {"deadline": "x", "start": NOW, "end": None}):
        assert store._values_text(other) == encode(other)
    for i in range(0, 30_000, 3):  # more than the memo keeps, each moment's text its own
        at = NOW + timedelta(minutes=i)
        values = {"deadline": "维修回访", "start": at, "done": at + timedelta(seconds=i)}
        assert store._values_text(values) == encode(values)


def test_a_first_load_plans_as_the_comparison_would(tmp_path: Path):
    """With nothing stored for the site, every finding is new and the first of each
    identity is inserted: the plan the full comparison makes when what is stored is
    about other records only."""
    led = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    try:
        with led.transaction() as conn:  # the other site holds a closed finding of another record
            store.sync(conn, "other", [Finding("repair.callback", "repair", "ZZ1", "warning", "m", "late")], NOW)
        plans = {}
        for site in ("empty", "other"):
            found = findings()
            found += [found[3], found[8]]  # two identities twice: the first one is stored
            dup = Finding("repair.callback", "repair", found[1].record, "info", "again", "pending")
            found.insert(5, dup)
            with led.engine.connect() as conn:
                resolved, plan = store.assign_states(conn, site, found, None, None, NOW)
            plans[site] = (list(plan["insert"]), plan["update"], plan["close"], plan["unwake"],
                           [f.state for f in found], resolved)
        assert plans["empty"] == plans["other"]
        inserted = plans["empty"][0]
        assert len(inserted) == 40 and 5 not in inserted and 41 not in inserted and 42 not in inserted
    finally:
        led.close()


class _Moment(datetime):
    """A datetime subclass (as a library may hand over): equal to a plain one, not one."""


@BOTH
def test_deadline_rows_are_put_together_as_each_finding_alone_would_be(tmp_path: Path, database: str):
    """A batch of new deadlines is written from the texts of their pieces (label, moments,
    due, severity), each written once: the rows and facts hashes are those each finding
    makes alone, for every kind of piece, and the stored rows those SQLAlchemy stores."""
    from datetime import UTC, date, timezone

    east = timezone(timedelta(hours=8))
    labels = ["维修回访", "报修\"到场\"\\\n\t", "", "a\x00b", 5, None, ["x"]]
    moments = [None, NOW, NOW + timedelta(microseconds=7), _Moment(2026, 11, 24, 9, 0), date(2026, 11, 1),
               NOW.replace(tzinfo=east), [NOW]]
    dues = [None, NOW, datetime(2026, 11, 24, 17, 0, tzinfo=east), datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
            _Moment(2026, 11, 24, 9, 0)]
    found: list[Finding] = []
    for i in range(600):
        values: dict[str, Any] = {"deadline": labels[i % 7], "start": moments[i % 7], "done": moments[i // 7 % 7]}
        if i % 50 == 3:
            values["early"] = False
        rule = "contract.overdue" if i % 97 == 5 else "repair.callback"  # fact keys of their own
        f = Finding(rule=rule, register="repair", record=f"BX{i:07d}", severity="提醒\"" if i % 13 == 0 else "warning",
                    message=f"报修单 BX{i:07d}", status=["overdue", "pending", "late", "due_soon"][i % 4],
                    due=dues[i // 3 % 5], values=values)
        f.wake = NOW + timedelta(hours=1) if i % 4 == 0 else None
        found.append(f)
    keys_of = store.fact_keys()
    alone = [store._new_row(f, None, f.status in OPEN_STATUSES, NOW, keys_of) for f in found]
    together = store._new_rows(found, range(len(found)), [None] * len(found), NOW, keys_of)
    assert together == alone
    assert [r[8] for r in together] == [store.facts_hash(f) for f in found]
    # With the hashes known (a comparison made them), the same rows again.
    hashes: list[str | None] = [r[8] for r in alone]
    assert store._new_rows(found, range(len(found)), hashes, NOW, keys_of) == alone
    led = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite'}" if database == "sqlite" else database)
    try:
        # Stored both ways: what a database takes (no NUL in a text) and, on PostgreSQL,
        # naive dues only (an aware one is read by COPY and by a bound value differently,
        # before this path as now). On SQLite, one instant in two zones is two dues.
        plain = [f for f in found if not any(type(v) is list for v in f.values.values())
                 and type(f.values["deadline"]) is str and "\x00" not in f.values["deadline"]
                 and (database == "sqlite" or f.due is None or f.due.tzinfo is None)]
        bulk, stored = stored_both_ways(led, plain)
        assert bulk == stored and len(bulk) == len(plain) > 100
    finally:
        led.close()
