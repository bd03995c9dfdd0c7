"""Small helpers shared by the dealer rules: months as "2026-11" strings, shares, flags."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any

from toolkit.ruleset.money import dec


def month_of(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def month_add(month: str, n: int) -> str:
    y, m = (int(p) for p in month.split("-"))
    k = y * 12 + (m - 1) + n
    return f"{k // 12:04d}-{k % 12 + 1:02d}"


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` inclusive ([] when last < first)."""
    out: list[str] = []
    m = first
    while m <= last:
        out.append(m)
        m = month_add(m, 1)
    return out


def month_text(month: str) -> str:
    y, m = month.split("-")
    return f"{y}年{int(m)}月"


def pct(value: Decimal | None, places: int = 1) -> str:
    """0.6995 → '69.95%' near a boundary is the caller's choice of places; None → '—'."""
    if value is None:
        return "—"
    q = Decimal(1).scaleb(-places)
    return f"{(value * 100).quantize(q, rounding=ROUND_HALF_UP)}%"


def share_text(value: Decimal | None, line: Decimal, places: int = 2) -> str:
    """A share as staff read it beside its standard (``line``, e.g. 0.70): to ``places``
    decimals of a percent, unless rounding would put it on the standard or across it
    (69.996 % is not "70.00%"); then with one more decimal, cut towards its own side
    ("69.996%", 69.9999 % → "69.999%"). The comparison itself is always unrounded."""
    if value is None:
        return "—"
    shown = (value * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    below = value < line
    if (shown / 100 < line) == below:
        return f"{shown}%"
    q = Decimal(1).scaleb(-(places + 1))
    return f"{(value * 100).quantize(q, rounding=ROUND_DOWN if below else ROUND_UP)}%"


def share(part: Any, whole: Any) -> Decimal | None:
    p, w = dec(part), dec(whole)
    if p is None or w is None or w <= 0:
        return None
    return p / w


def yes(value: Any) -> bool:
    return str(value or "").strip() == "是"


def text(value: Any) -> str:
    return str(value or "").strip()


def split_key(key: str) -> list[str]:
    return key.split("|")


def code(value: Any) -> str:
    """A member code as an identifier: ``m001`` and ``M001`` are the same member (staff
    type either; the registers read 成员编号 as free text, with no case option)."""
    return text(value).upper()


def by_code(records: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The member register keyed by upper-case 成员编号."""
    return {code(k): v for k, v in records.items()}
