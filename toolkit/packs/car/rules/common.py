"""Small helpers the car rules share."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_CEILING, Decimal
from typing import Any

from toolkit.model import Finding
from toolkit.ruleset.money import FEN

APPOINTMENTS = "car_appointment"
CUSTOMERS = "car_customer"
ORDERS = "car_work_order"
VOIDED_ORDERS = ORDERS + "#作废"  # orders marked 作废, by the 委托书号 each had (ledger.VOID_SUFFIX)
EXTRAS = "car_extra_item"
COMPLAINTS = "car_complaint"
MESSAGES = "car_message"
SAFETY = "car_safety"
CLAIMS = "car_claim"  # optional: only a list of claims awaiting the maker's reply


def fen_up(value: Decimal) -> Decimal:
    """Rounded up to the fen: a minimum deposit of 617.285 元 is 617.29 元."""
    return value.quantize(FEN, rounding=ROUND_CEILING)


def finding(rule: str, register: str, record: str, severity: str, message: str, values: dict[str, Any],
            *, notice: str | None = None, status: str = "open", due: datetime | None = None) -> Finding:
    return Finding(rule=rule, register=register, record=record, severity=severity, message=message,
                   status=status, due=due, values=values, notice=notice)


def yes(value: Any) -> bool:
    return value == "是"


def blank(value: Any) -> bool:
    return value is None or value == ""
