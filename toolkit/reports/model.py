"""Reports as plain values: tables of rows, charts over them, headline figures.

The report functions build these from ledger data; ``xlsx`` and ``word`` turn them
into files. Nothing here knows about openpyxl or python-docx.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..model import jsonable
from .periods import Period

# Column kinds the writers know: text, int, money, percent, date, datetime, minutes.
KINDS = ("text", "int", "money", "percent", "date", "datetime", "duration")


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"
    width: int | None = None  # characters; None = fitted to the title and kind


@dataclass
class Mark:
    """Conditional colour: rows whose ``column`` equals ``value`` get ``colour``."""

    column: str
    value: str
    colour: str = "FFC7CE"  # light red (Excel's "bad" fill)


@dataclass
class Table:
    sheet: str  # sheet title (Chinese, ≤ 31 characters)
    title: str  # heading line above the table
    columns: list[Column]
    rows: list[list[Any]]
    marks: list[Mark] = field(default_factory=list)
    note: str = ""  # a line under the heading: how the figures were counted
    total: list[Any] | None = None  # a closing row (合计), styled bold, outside the filter
    empty: str = ""  # what the sheet says when it has no rows (本期无 …); "（无）" if unset

    def to_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "rows": len(self.rows)}


@dataclass
class Chart:
    """A native Excel chart over a table: ``x`` column against ``series`` columns."""

    sheet: str
    kind: str  # line, bar
    title: str
    x: str
    series: list[str]
    y_title: str = ""
    percent: bool = False


@dataclass
class Report:
    name: str
    title: str  # e.g. 周报
    period: Period
    as_of: datetime
    stem: str  # file name without suffix, e.g. 周报-2026-W48
    tables: list[Table]
    charts: list[Chart] = field(default_factory=list)
    headline: list[tuple[str, str, str]] = field(default_factory=list)  # (label, this, before)
    notes: list[str] = field(default_factory=list)  # short sentences for the Word summary
    word: bool = False  # also a one-page Word summary
    statements: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # 房号 → services to bill
    # Documents the report issues (documents.yaml types with trigger "monthly"): each
    # {"type", "register", "record", "values"}; the same facts never issue twice.
    notices: list[dict[str, Any]] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)

    def table(self, sheet: str) -> Table:
        return next(t for t in self.tables if t.sheet == sheet)

    def to_dict(self) -> dict[str, Any]:
        return {
            "report": self.name,
            "title": self.title,
            "period": self.period.label,
            "as_of": self.as_of.isoformat(),
            "outputs": self.outputs,
            "headline": [{"label": a, "value": b, "before": c} for a, b, c in self.headline],
            "tables": [t.to_dict() for t in self.tables],
            "notes": jsonable(self.notes),
        }
