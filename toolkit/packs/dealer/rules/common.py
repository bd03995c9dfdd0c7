"""Small helpers shared by the dealer rules: months as "2026-11" strings, shares, flags."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
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
