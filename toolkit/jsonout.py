"""``process --json`` written as a stream: item by item, never the whole text in memory.

A 100,000-row register has some 200,000 findings; building their dicts and one JSON
text of them all took as much memory as the rest of the run. The output is the same
JSON ``json.dumps(summary.to_dict(), ensure_ascii=False, indent=2)`` gives (two-space
indent, text as is), each error and finding encoded by orjson as it is reached.

Findings go to orjson a batch at a time, their values as they are when orjson writes
them as ``jsonable`` + orjson would (text, numbers, naive dates and times: the bulk of
a big file), else through ``jsonable``. A batch orjson refuses (an integer past 64
bits, a key that is not text) is written item by item the old way.

Given the byte stream under a UTF-8 text stream (``binary``), orjson's bytes go to it as
they are: a big file's 80 MB of findings are not decoded into text to be encoded back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import orjson

from .collector import gc_paused
from .model import FileResult, Finding, RunSummary, jsonable

__all__ = ["write_summary"]

FLUSH_EVERY = 2000  # items per write: few calls, bounded buffer


class _Items:
    """A list whose items are made as they are written."""

    def __init__(self, items: Iterable[Any], nested: bool = False):
        self.items = items
        self.nested = nested  # items that hold lazy lists themselves (a file's summary)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)


class _Findings:
    """A file's findings, written a batch at a time."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings


def _plain(value: Any) -> Any:
    # What model.jsonable makes of the two leaf types _native lets through that orjson
    # does not write itself.
    if type(value) is Decimal:
        return str(value)
    if type(value) is timedelta:
        return int(value.total_seconds() // 60)
    raise TypeError(type(value).__name__)  # not reached: _native checked every value


# Types orjson writes as jsonable + orjson would: itself (text, numbers, naive dates and
# times — orjson's text for these is isoformat's) or through _plain.
_NATIVE = frozenset({str, int, bool, type(None), float, Decimal, timedelta, date})


def _native(values: Any, depth: int = 0) -> bool:
    for v in values.values() if type(values) is dict else values:
        t = type(v)
        if t in _NATIVE:
            continue
        if (t is datetime or t is time) and v.tzinfo is None:
            continue  # an aware one: orjson drops an offset's seconds, and refuses an aware time
        if (t is dict or t is list or t is tuple) and depth < 32 and _native(v, depth + 1):
            continue
        return False
    return True


_RAW = orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATACLASS  # dataclasses (error cells) to _plain


def _raw(f: Finding) -> dict[str, Any]:
    """``f.to_dict()``, leaving to orjson what it writes as ``jsonable`` would."""
    minutes, due, values = f.overdue_minutes, f.due, f.values
    if due is not None and not (type(due) is datetime and due.tzinfo is None):
        due = due.isoformat()
    return {"rule": f.rule, "register": f.register, "record": f.record, "severity": f.severity,
            "status": f.status, "state": f.state, "due": due,
            "overdue": minutes is not None and minutes > 0, "overdue_minutes": minutes,
            "values": values if type(values) is dict and _native(values) else jsonable(values),
            "notice": f.notice, "message": f.message}


def _batch(findings: list[Finding], level: int) -> bytes | str:
    """The findings as the lines of a list at ``level`` (without its brackets): UTF-8
    bytes as orjson wrote them, or text where orjson refused a value."""
    pad = "  " * level
    try:
        raw = orjson.dumps([_raw(f) for f in findings], default=_plain, option=_RAW)
        # "[\n  item,\n  item\n]" at level 0; JSON text holds no raw line break but the layout's
        if not level:
            return raw[2:-2]
        bpad = pad.encode()
        return bpad + raw[2:-2].replace(b"\n", b"\n" + bpad)
    except TypeError:  # orjson.JSONEncodeError too: a value orjson refuses, written as before
        return ",\n".join(f"{pad}  {_leaf(f.to_dict(), level + 1)}" for f in findings)


def _leaf(value: Any, level: int) -> str:
    try:
        text = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode("utf-8")
    except (TypeError, orjson.JSONEncodeError):  # a type or an integer orjson does not take
        text = json.dumps(value, ensure_ascii=False, indent=2)
    # JSON text holds no raw line break inside a string: every one is the layout's.
    return text.replace("\n", "\n" + "  " * level) if level else text


def _write(value: Any, write: Callable[[bytes | str], Any], level: int) -> None:
    pad = "  " * level
    if isinstance(value, dict):
        if not value:
            write("{}")
            return
        write("{\n")
        last = len(value) - 1
        for n, (k, v) in enumerate(value.items()):
            write(f"{pad}  {_leaf(str(k), 0)}: ")
            _write(v, write, level + 1)
            write(",\n" if n < last else "\n")
        write(pad + "}")
        return
    if isinstance(value, _Findings):
        items = value.findings
        if not items:
            write("[]")
            return
        for i in range(0, len(items), FLUSH_EVERY):
            write("[\n" if i == 0 else ",\n")
            write(_batch(items[i:i + FLUSH_EVERY], level))
        write(f"\n{pad}]")
        return
    if isinstance(value, _Items):
        started = False
        if value.nested:
            for item in value:
                write(f"{',' if started else '['}\n{pad}  ")
                _write(item, write, level + 1)
                started = True
            write(f"\n{pad}]" if started else "[]")
            return
        buf: list[str] = []
        for item in value:
            buf.append(f"{pad}  {_leaf(item, level + 1)}")
            if len(buf) >= FLUSH_EVERY:
                write((",\n" if started else "[\n") + ",\n".join(buf))
                started, buf = True, []
        if buf:
            write((",\n" if started else "[\n") + ",\n".join(buf))
            started = True
        write(f"\n{pad}]" if started else "[]")
        return
    write(_leaf(value, level))


def _file(f: FileResult) -> dict[str, Any]:
    d = f.to_dict(limit=0)  # everything but the long lists, which follow lazily
    d["errors"] = _Items(e.to_dict() for e in f.errors)
    d["findings"] = _Findings(f.findings)
    d["actions"] = _Items(a.to_dict() for a in f.actions)
    return d


def write_summary(summary: RunSummary, write: Callable[[str], Any],
                  binary: Callable[[bytes | str], Any] | None = None) -> None:
    """Write the run's whole summary (every error and finding) as JSON, then a line break.

    ``binary``: writes the same instead of ``write``, taking orjson's UTF-8 bytes as they
    are and text too (:func:`utf8_buffer`).
    """
    def put(part: bytes | str) -> None:
        write(part.decode("utf-8") if type(part) is bytes else part)  # type: ignore[union-attr, arg-type]

    out = put if binary is None else binary
    top = summary.to_dict(limit=0)
    top["files"] = _Items((_file(f) for f in summary.files), nested=True)
    with gc_paused():  # the findings are alive throughout: nothing for its passes to free
        _write(top, out, 0)
    out("\n")


def utf8_buffer(stream: Any) -> Callable[[bytes | str], Any] | None:
    """A writer to ``stream``'s byte stream taking UTF-8 bytes as they are and text encoded
    as ``stream`` encodes it, when ``stream`` writes text as UTF-8 without changing line
    endings (flush ``stream`` first); else None."""
    import codecs
    import os

    buffer = getattr(stream, "buffer", None)
    errors = getattr(stream, "errors", None)
    try:
        utf8 = codecs.lookup(stream.encoding or "").name == "utf-8"
    except (LookupError, AttributeError, TypeError):
        return None
    if buffer is None or not utf8 or not isinstance(errors, str) or os.linesep != "\n":
        return None
    write = buffer.write

    def put(part: bytes | str) -> None:
        write(part if type(part) is bytes else part.encode("utf-8", errors))  # type: ignore[union-attr]

    return put
