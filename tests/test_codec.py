"""codec.encode writes exactly the text the standard library's encoder wrote before it
used orjson: stored record texts and findings' facts hashes are compared with the text
of a new evaluation, so one changed byte would make every stored record "changed" and
re-issue every notice.

``REFERENCE`` below is the encoder codec used to be (the standard ``json`` encoder with
its tag hook, copied here so a change to codec's own hook shows too).
"""

from __future__ import annotations

import enum
import json
import random
import uuid
from collections import OrderedDict
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from ledger_maker import Maker, records

from toolkit import codec
from toolkit.codec import decode, encode
from toolkit.model import ErrorValue, Finding
from toolkit.registers import load_registers
from toolkit.ruleset import evaluate_all, load_ruleset, store
from toolkit.setup_workspace import init_workspace
from toolkit.workcal import load_calendar


# The encoder as it was before the orjson path, copied on purpose and never to be changed:
# the new one must write exactly what this one writes.
def _old_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$td": [value.days, value.seconds, value.microseconds]}
    raise TypeError(f"cannot encode {type(value).__name__}: {value!r}")


REFERENCE = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_old_default)


def same_text(values: Any) -> str:
    text = encode(values)
    assert text == REFERENCE.encode(values), values
    return text


CN = "报修单 BX0000001（1-0101）：维修回访已超时22天9小时1分钟"
CONTROL = "".join(chr(c) for c in range(0x20)) + "\x7f\"\\/\u2028\u2029\ufeff\U0001F600𠀀"
SCALARS: list[Any] = [
    None, True, False, 0, -1, 7, 2**53 + 1, 2**63 - 1, 2**63, 2**64 - 1, -(2**63),
    "", "a", CN, CONTROL, "  前后空格 ", "é\u0301",
    Decimal("12.50"), Decimal("0.0300"), Decimal("1E+3"), Decimal("-0"), Decimal("0E-7"),
    Decimal("123456789012345678901234567890.000001"), Decimal("NaN"), Decimal("Infinity"),
    datetime(2026, 11, 24, 9, 0), datetime(2026, 11, 24, 9, 0, 0, 1), datetime(1, 1, 1),
    datetime(9999, 12, 31, 23, 59, 59, 999999), datetime(2026, 11, 1, 1, 30, fold=1),
    datetime(2026, 11, 24, 9, 0, tzinfo=timezone(timedelta(hours=8))),
    datetime(2026, 11, 24, 9, 0, 0, 57755), datetime(999, 5, 5, 5, 5, 5),  # orjson writes these itself
    date(2026, 2, 28), date(1900, 1, 1), date(1, 1, 1), time(0, 0), time(18, 5, 7, 120000),
    time(18, 5, 7, 57755),  # orjson would drop the 0 of .057755: times are written before it
    time(9, 0, tzinfo=UTC), timedelta(0), timedelta(days=-1, seconds=5),
    timedelta(days=3, minutes=7, microseconds=9),
]
FLOATS = [0.0, -0.0, 1.5, 0.1, 1 / 3, 1e-4, 1e-5, 2.5e-7, 3e-6, 1e15, 1e16, 1e22, 1.2345678901234568e17,
          5e-324, 1.7976931348623157e308, float("nan"), float("inf"), float("-inf")]


def test_every_register_value_gives_the_old_text():
    for v in SCALARS:
        same_text({"v": v})
        same_text({"v": [v, {"w": v}], "z": (v, v)})
    same_text({k: v for k, v in zip("abcdefghijklmnopqrstuvwxyz" * 3, SCALARS, strict=False)})
    # keys in code-point order, astral and CJK keys among them
    same_text({"😀": 1, "\uffff": 2, "中": 3, "a": 4, "é": 5, "Z": 6, "": 7, "房号": {"b": 1, "a": [{}]}})
    assert encode({"due": datetime(2026, 11, 24, 9, 0, 0, 5)}) == '{"due":{"$dt":"2026-11-24T09:00:00.000005"}}'
    assert encode({"n": Decimal("12.50")}) == '{"n":{"$dec":"12.50"}}'  # trailing zeros kept


def test_what_orjson_would_write_differently_gives_the_old_text_or_error():
    for f in FLOATS:
        same_text({"f": f, "at": datetime(2026, 1, 1)})
        same_text({"deep": [{"f": f}]})
    for n in (2**64, -(2**63) - 1, 10**40):
        same_text({"n": n, "l": [n]})

    class Text(str):
        pass

    class Number(int):
        pass

    class Moment(datetime):
        pass

    class Money(Decimal):
        pass

    class Level(enum.IntEnum):
        HIGH = 1

    same_text({"s": Text("文本"), "n": Number(3), "at": Moment(2026, 1, 1, 8), "m": Money("1.10"), "l": Level.HIGH})
    same_text({"od": OrderedDict(b=1, a=2)})
    same_text(OrderedDict(b=1, a=[datetime(2026, 1, 1)]))
    same_text({"k": {Text("b"): 1, "a": 2}})
    deep: Any = datetime(2026, 1, 1)
    for _ in range(300):  # deeper than orjson goes
        deep = [deep]
    same_text({"deep": deep})
    # The standard encoder refused these; so does encode (orjson alone would write them).
    for bad in (uuid.UUID(int=1), enum.Enum("E", "A").A, ErrorValue("#DIV/0!"), {1, 2}, b"x", object()):
        with pytest.raises(TypeError):
            encode({"x": bad})
        with pytest.raises(TypeError):
            REFERENCE.encode({"x": bad})
    with pytest.raises(ValueError):  # a dict that holds itself
        loop: dict[str, Any] = {}
        loop["self"] = loop
        encode(loop)
    for key_dict in ({1: "a"}, {None: 1}, {"a": 1, 2: 3}):  # non-text keys: the standard encoder's answer
        try:
            want: Any = REFERENCE.encode(key_dict)
        except TypeError as exc:
            want = type(exc)
        try:
            got: Any = encode(key_dict)
        except TypeError as exc:
            got = type(exc)
        assert got == want
    # A lone surrogate (a broken text cell): written as the standard encoder writes it.
    assert same_text({"s": "a\ud800b"}) == '{"s":"a\ud800b"}'


def test_random_nested_values_give_the_old_text():
    rng = random.Random(14)
    pool = SCALARS + FLOATS[:6]

    def value(depth: int) -> Any:
        roll = rng.random()
        if depth < 4 and roll < 0.15:
            return {rng.choice(["a", "房号", "金额", "z", "Ω", "😀"]) + str(rng.randrange(5)): value(depth + 1)
                    for _ in range(rng.randrange(4))}
        if depth < 4 and roll < 0.25:
            return [value(depth + 1) for _ in range(rng.randrange(4))]
        if roll < 0.35:
            return datetime(2026, 1, 1) + timedelta(seconds=rng.randrange(10**8), microseconds=rng.randrange(10**6))
        if roll < 0.45:
            return Decimal(rng.randrange(-10**6, 10**6)).scaleb(-rng.randrange(4))
        return rng.choice(pool)

    for _ in range(3000):
        same_text({f"k{i}": value(0) for i in range(rng.randrange(1, 6))})


def test_the_same_moment_in_two_zones_keeps_its_own_text():
    # Equal as moments, written differently: the per-moment memo must not mix them up.
    east = datetime(2026, 11, 24, 17, 0, tzinfo=timezone(timedelta(hours=8)))
    utc = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert east == utc
    assert same_text({"at": east}) == '{"at":{"$dt":"2026-11-24T17:00:00+08:00"}}'
    assert same_text({"at": utc}) == '{"at":{"$dt":"2026-11-24T09:00:00+00:00"}}'
    # more distinct moments than the memo keeps: each still its own text
    start = datetime(2026, 1, 1)
    for i in range(0, 120_000, 7):
        at = start + timedelta(minutes=i)
        assert encode({"at": at}) == '{"at":{"$dt":"' + at.isoformat() + '"}}'


def test_fast_path_is_taken_for_what_findings_hold():
    # What the checks above compare is orjson's text, not the fallback's.
    values = {"deadline": "维修回访", "start": datetime(2026, 11, 1, 11), "done": None,
              "fee": Decimal("35.00"), "day": date(2026, 11, 1), "items": [{"n": 1, "t": time(9)}],
              "wait": timedelta(minutes=3)}
    assert codec._wrapped(values) == {
        "deadline": "维修回访", "start": {"$dt": datetime(2026, 11, 1, 11)}, "done": None,
        "fee": {"$dec": "35.00"}, "day": {"$date": date(2026, 11, 1)}, "items": [{"n": 1, "t": {"$time": "09:00:00"}}],
        "wait": {"$td": [0, 180, 0]}}
    assert codec._wrapped({"x": [1.5]}) is None
    assert codec._wrapped({"x": {"y": uuid.UUID(int=1)}}) is None


def test_known_hashes_are_those_stored_before():
    """facts_hash of two findings, computed with the standard-library encoder before
    encode used orjson (the hex below is that code's output): stored hashes stay valid."""
    callback = Finding(rule="repair.callback", register="repair", record="BX0000000", severity="warning",
                       message="m", status="overdue", due=datetime(2026, 11, 1, 23, 59), overdue_minutes=32221,
                       values={"deadline": "维修回访", "start": datetime(2026, 11, 1, 11, 0), "done": None})
    rich = Finding(
        rule="demo.rich", register="fees", record="3-0101\x00甲", severity="error", message="m",
        status="pending", due=datetime(2026, 12, 31, 17, 30, 0, 120000),
        values={"amount": Decimal("1250.50"), "rate": Decimal("0.0300"), "day": date(2026, 1, 5),
                "at": time(8, 30, 15), "wait": timedelta(days=2, seconds=61, microseconds=5),
                "status": "pending", "days_left": 3,
                "items": [{"name": "水费\t\"x\"", "owed": Decimal("1E+2"), "overdue_minutes": 5}, None, True,
                          12345678901234567890],
                "note": "\u2028\x7f\U0001F600"})
    assert store.facts_hash(callback) == "a34564453b603fe70cab9e0f5bd84c393ca90a0c03785b258e9c87a8f8f699b7"
    assert store.facts_hash(rich) == "dc88d6c08068700d179eb52373909695b8e076da20b2dc2b4cdfacc7e64bb4c9"
    assert encode(callback.values) == '{"deadline":"维修回访","done":null,"start":{"$dt":"2026-11-01T11:00:00"}}'


@pytest.mark.parametrize("pack", ["property", "car", "dealer"])
def test_records_and_findings_of_every_pack_give_the_old_text(tmp_path: Path, pack: str):
    """Every register of the pack filled with made-up rows through the real validation,
    every rule run over them: each record's values and each finding's values and facts
    encode as before, and decode back to what was encoded."""
    home = tmp_path / "ws"
    init_workspace(home, [pack])
    specs = load_registers(home / "rules")
    ruleset = load_ruleset(home / "rules")
    regs = [r for p in ruleset.packs for r in p.registers if r in specs]
    maker = Maker(5, start=date(2026, 10, 1), days=60)
    state: dict[str, dict[str, dict[str, Any]]] = {}
    fast = 0
    for reg in regs:
        for rec in records(specs[reg], maker.rows(specs[reg], 25)):
            state.setdefault(reg, {})[rec.key] = rec.values
            text = same_text(rec.values)
            fast += codec._wrapped(rec.values) is not None
            assert decode(text) == rec.values
    findings = evaluate_all(state, ruleset, load_calendar(home / "rules"), datetime(2026, 11, 24, 9, 0))
    assert len(findings) > 20 and fast > 20
    for f in findings:
        same_text(f.values)
        facts = f.fingerprint_facts()
        same_text({"severity": facts["severity"], "due": facts["due"], "values": store._strip(facts["values"])})
