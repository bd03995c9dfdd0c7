"""Money and quantities as Decimal, to the fen."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

FEN = Decimal("0.01")


def dec(value: Any) -> Decimal | None:
    """A Decimal from a register value (Decimal, int, float, '¥1,234.50'); None if blank."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))  # 0.3 stays 0.3, not 0.299999…
    text = str(value).strip().replace(",", "").replace("¥", "").replace("￥", "").replace("元", "")
    text = text.replace("㎡", "").replace("m2", "").replace("平方米", "").strip()
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def fen(value: Decimal) -> Decimal:
    """Rounded to the fen, half up (the way a cashier rounds)."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def yuan(value: Decimal) -> str:
    """'8.00' — figures in messages always show two places."""
    return f"{fen(value):,.2f}"
