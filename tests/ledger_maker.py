"""Registers filled with made-up rows for any pack, from the register definitions alone.

Each column gets values by its type; columns of the same name draw from one small pool
in every register (房号, 事件, 车牌号, 会员编号 …), so records link across registers
and group within one as an office's do: a move-out names a unit that has a fee
account, three complaints share an 事件, an advisor has many orders. Rows go through
the real header recognition and validation (rows the validation refuses are dropped,
as they would be from a real file).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from toolkit.fields import vin_check_digit
from toolkit.headers import find_header
from toolkit.model import RawSheet, Record
from toolkit.registers import ColumnSpec, RegisterSpec
from toolkit.validate import validate_sheet

NAMES = ["张三", "李四", "王五", "赵六"]
PLATES = ["京A12345", "京B23456", "沪C34567", "粤D45678", "苏E56789", "浙F67890"]
IDS = ["11010519491231002X", "510104199001011234", "110105194912310021"]
USCC = ["91110000600037341L", "91510100MA61R8XK3C", "91310000775785552L"]


def _vins() -> list[str]:
    out = []
    for i in range(6):
        body = f"LSVAM418{i}C218484{i}"
        out.append(body[:8] + vin_check_digit(body) + body[9:])
    return out


VINS = _vins()


class Maker:
    """Cell values by column, reproducible from a seed."""

    def __init__(self, seed: int, start: date = date(2026, 10, 1), days: int = 60, pool: int = 8):
        self.rng = random.Random(seed)
        self.start, self.days, self.pool = start, days, pool
        self.serial = 0

    def day(self) -> date:
        return self.start + timedelta(days=self.rng.randrange(self.days))

    def moment(self) -> datetime:
        return datetime.combine(self.day(), time(self.rng.randrange(7, 20), self.rng.choice((0, 15, 30, 45))))

    def shared(self, col: str) -> str:
        """A value from the column's small pool (the same pool in every register)."""
        n = self.rng.randrange(self.pool)
        if "房" in col or "单元" in col:
            return f"{n % 4 + 1}-{n // 4 + 1:02d}01"
        if col == "事件":
            return ["电梯停运", "夜间噪音", "漏水"][n % 3]
        return f"{col}{n + 1}"

    def value(self, col: ColumnSpec, key: bool) -> Any:
        rng = self.rng
        if not key and not col.required and rng.random() < 0.25:
            return None
        kind = col.type
        if kind == "enum":
            return rng.choice(col.choices)
        if kind == "date":
            return self.day()
        if kind == "datetime":
            return self.moment()
        if kind == "time":
            return time(rng.randrange(7, 20), rng.choice((0, 30)))
        if kind == "month":
            return f"2026-{rng.randrange(8, 12):02d}"
        if kind == "period":  # a report's week or month; a key's weeks run on, year after year
            if key:
                self.serial += 1
                return f"{2000 + self.serial // 52}-W{self.serial % 52 + 1:02d}"
            return rng.choice((f"2026-W{rng.randrange(1, 53):02d}", f"2026-{rng.randrange(1, 13):02d}"))
        if kind == "int":
            return rng.randrange(0, 13)
        if kind in ("decimal", "area"):
            return float(Decimal(rng.randrange(400, 1500)) / 10)
        if kind == "money":
            return float(Decimal(rng.randrange(0, 500000)) / 100)
        if kind in ("phone", "mobile"):
            return f"138{rng.randrange(10**8):08d}"
        if kind == "id_number":
            return rng.choice(IDS)
        if kind == "uscc":
            return rng.choice(USCC)
        if kind == "plate":
            return rng.choice(PLATES)
        if kind == "vin":
            return rng.choice(VINS)
        if key and not self.rng.random() < 0.5:
            self.serial += 1
            return f"K{self.serial:05d}"
        if key or col.name == "事件" or "房" in col.name or col.name.endswith(("编号", "号", "名称", "县", "顾问")):
            if col.name == "事件" and rng.random() < 0.4:
                return None
            return self.shared(col.name)
        if any(w in col.name for w in ("人", "主", "员", "客户", "顾问")):
            return rng.choice(NAMES)
        return f"{col.name}{rng.randrange(3)}"

    def rows(self, spec: RegisterSpec, n: int) -> list[list[Any]]:
        keys = set(spec.key_columns)
        return [[self.value(c, c.name in keys) for c in spec.columns] for _ in range(n)]


def records(spec: RegisterSpec, rows: list[list[Any]]) -> list[Record]:
    """The rows as the pipeline would store them: recognised, validated, last of a key kept."""
    header = [c.name for c in spec.columns]
    sheet = RawSheet(spec.title, [(1, header)] + [(i + 2, r) for i, r in enumerate(rows)])
    match = find_header(sheet, {spec.name: spec})
    assert match is not None, spec.name
    return validate_sheet(sheet, match).records


def change(maker: Maker, spec: RegisterSpec, row: list[Any], share: float = 0.5) -> list[Any]:
    """The row re-saved with some of its other cells changed (never its key)."""
    keys = set(spec.key_columns)
    out = list(row)
    for i, c in enumerate(spec.columns):
        if c.name not in keys and maker.rng.random() < share:
            out[i] = maker.value(c, False)
    return out
