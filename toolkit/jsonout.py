"""``process --json`` written as a stream: item by item, never the whole text in memory.

A 100,000-row register has some 200,000 findings; building their dicts and one JSON
text of them all took as much memory as the rest of the run. The output is the same
JSON ``json.dumps(summary.to_dict(), ensure_ascii=False, indent=2)`` gives (two-space
indent, text as is), each error and finding encoded by orjson as it is reached.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import orjson

from .model import FileResult, RunSummary

__all__ = ["write_summary"]

FLUSH_EVERY = 2000  # items per write: few calls, bounded buffer


class _Items:
    """A list whose items are made as they are written."""

    def __init__(self, items: Iterable[Any], nested: bool = False):
        self.items = items
        self.nested = nested  # items that hold lazy lists themselves (a file's summary)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)


def _leaf(value: Any, level: int) -> str:
    try:
        text = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode("utf-8")
    except (TypeError, orjson.JSONEncodeError):  # a type or an integer orjson does not take
        text = json.dumps(value, ensure_ascii=False, indent=2)
    # JSON text holds no raw line break inside a string: every one is the layout's.
    return text.replace("\n", "\n" + "  " * level) if level else text


def _write(value: Any, write: Callable[[str], Any], level: int) -> None:
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
    d["findings"] = _Items(x.to_dict() for x in f.findings)
    d["actions"] = _Items(a.to_dict() for a in f.actions)
    return d


def write_summary(summary: RunSummary, write: Callable[[str], Any]) -> None:
    """Write the run's whole summary (every error and finding) as JSON, then a line break."""
    top = summary.to_dict(limit=0)
    top["files"] = _Items((_file(f) for f in summary.files), nested=True)
    _write(top, write, 0)
    write("\n")
