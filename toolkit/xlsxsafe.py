"""Writing staff-supplied values into .xlsx files without surprises.

openpyxl turns any string starting with ``=`` into a formula, refuses control
characters, and writes sheet titles Excel will not open. Everything we write that
came from an input file (or from a person) goes through these helpers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

from .model import ErrorValue, NoCachedValue

MAX_ROW = 1_048_576
MAX_COL = 16_384
MAX_TITLE = 31
MAX_CELL_TEXT = 32_767

_TITLE_FORBIDDEN = re.compile(r"[\\/?*:\[\]]")
# Leading characters that make Excel, WPS or LibreOffice read text as a formula
# (or that CSV-injection payloads hide behind).
_FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")
# Excel reserves this title for its change-tracking sheet.
_RESERVED_TITLES = {"history"}


def clean_text(text: str) -> str:
    """Drop the control characters openpyxl refuses (it raises on them)."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def is_formula_like(text: str) -> bool:
    return text.startswith(_FORMULA_LEAD)


def safe_sheet_title(name: str, taken: Collection[str] = ()) -> str:
    """A title Excel accepts, unique (case-insensitively) among ``taken``.

    Forbidden characters become '_', leading/trailing apostrophes go, length is
    capped at 31 and a clash gets a " (2)" style suffix.
    """
    base = _TITLE_FORBIDDEN.sub("_", clean_text(str(name))).strip().strip("'").strip()
    if not base or base.lower() in _RESERVED_TITLES:
        base = f"{base or 'Sheet'}_"
    base = base[:MAX_TITLE]
    used = {t.lower() for t in taken}
    title, n = base, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title = base[: MAX_TITLE - len(suffix)] + suffix
        n += 1
    return title


def quote_sheet(title: str) -> str:
    """Sheet title as used in a reference: quoted, with apostrophes doubled."""
    return "'" + title.replace("'", "''") + "'"


def internal_location(title: str, coordinate: str) -> str:
    """``'Sheet name'!C5`` — the ``location`` of an in-workbook hyperlink."""
    return f"{quote_sheet(title)}!{coordinate}"


def set_text(cell: Cell, text: str) -> None:
    """Store ``text`` as a literal string, never as a formula or an error code."""
    text = clean_text(text[:MAX_CELL_TEXT])  # cut first: Excel holds no more, and the scan is per char
    cell.value = text
    cell.data_type = "s"  # openpyxl made '=…' a formula and '#N/A' an error
    if is_formula_like(text):
        # Also keep it text if someone opens the cell and presses Enter.
        cell.quotePrefix = True


def set_value(cell: Cell, value: Any) -> None:
    """Write a value read from any input file as data, never as something executable."""
    if value is None:
        return
    if isinstance(value, str):
        set_text(cell, value)
    elif isinstance(value, ErrorValue | NoCachedValue):
        set_text(cell, str(value))  # the error code, or the formula as typed
    elif isinstance(value, bool | int | Decimal):
        cell.value = value
    elif isinstance(value, float):
        # Excel has no NaN or infinity; show what was there instead of a broken file.
        if math.isfinite(value):
            cell.value = value
        else:
            set_text(cell, str(value))
    elif isinstance(value, datetime):
        cell.value = value.replace(tzinfo=None) if value.tzinfo else value
    elif isinstance(value, date | time | timedelta):
        cell.value = value.replace(tzinfo=None) if isinstance(value, time) and value.tzinfo else value
    else:
        set_text(cell, str(value))
