"""The special-service price list: an Excel table in ``rules/`` that managers edit.

Columns 类别, 服务项目, 单位, 单价 (备注 optional). The header may sit below title rows.
Every problem (missing column, bad price, an item listed twice in one category) is a
RulesError naming the file and the row, so ``toolkit rules check`` catches it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from rapidfuzz import fuzz, process

from toolkit.model import UnreadableFile
from toolkit.reading import read_workbook
from toolkit.ruleset.money import dec, fen
from toolkit.rulesfile import RulesError

REQUIRED = ("类别", "服务项目", "单位", "单价")


@dataclass(frozen=True)
class PriceItem:
    category: str
    item: str
    unit: str
    price: Decimal


def _norm(text: object) -> str:
    return unicodedata.normalize("NFKC", str(text or "")).strip()


def _match_key(text: str) -> str:
    # Staff write "更换水龙头 " or "更换 水龙头"; compare without spaces, case-insensitively.
    return "".join(_norm(text).split()).lower()


_UNKNOWN = object()  # PriceList._found: not asked yet


class PriceList:
    def __init__(self, items: list[PriceItem], revised: date | None = None):
        self.items = items
        self.revised = revised  # the 修订日期 above the table (seed 004 5.2.1: revised yearly)
        self._by_item: dict[str, list[PriceItem]] = {}
        for it in items:
            self._by_item.setdefault(_match_key(it.item), []).append(it)
        self._names = sorted({it.item for it in items})
        # Answers by (item, category) as written: a report or a big file asks about
        # thousands of services naming a few dozen items, each a text normalisation.
        self._found: dict[tuple[str, str | None], PriceItem | None] = {}

    def find(self, item: str, category: str | None = None) -> PriceItem | None:
        """The listed item (category narrows when the same item is in two categories)."""
        if type(item) is not str or not (category is None or type(category) is str):
            return self._find(item, category)  # equal numbers may be written differently
        key = (item, category)
        hit = self._found.get(key, _UNKNOWN)
        if hit is _UNKNOWN:
            if len(self._found) >= 4096:  # texts typed many ways: kept bounded
                self._found.clear()
            hit = self._found[key] = self._find(item, category)
        return hit  # type: ignore[return-value]

    def _find(self, item: str, category: str | None) -> PriceItem | None:
        found = self._by_item.get(_match_key(item), [])
        if category:
            in_cat = [it for it in found if _match_key(it.category) == _match_key(category)]
            if in_cat:
                return in_cat[0]
        return found[0] if found else None

    def closest(self, item: str, limit: int = 3) -> list[PriceItem]:
        """The listed items whose names are nearest to ``item``, best first."""
        hits = process.extract(_norm(item), self._names, scorer=fuzz.WRatio, limit=limit)
        return [self._by_item[_match_key(name)][0] for name, _score, _i in hits]


def load_price_list(path: Path) -> PriceList:
    if not path.exists():
        raise RulesError([f"{path}: 缺少特约服务价目表（可运行 scripts/make_price_list.py 生成）"])
    # The register reader, not openpyxl: every process loads this list at start, and
    # importing openpyxl alone cost more than reading the whole file with calamine.
    try:
        book = read_workbook(path)
    except UnreadableFile as exc:
        raise RulesError([f"{path}: 无法作为 Excel 文件读取（{exc}）"]) from None
    rows = _dense(book.sheets[0].rows) if book.sheets else []
    header_at, cols = None, {}
    for i, row in enumerate(rows[:10]):
        names = [_norm(v) for v in row]
        if "服务项目" in names and "单价" in names:
            header_at, cols = i, {n: j for j, n in enumerate(names) if n}
            break
    if header_at is None:
        raise RulesError([f"{path}: 前 10 行中找不到表头（需要列：{'、'.join(REQUIRED)}）"])
    revised, problem = _revised(rows[:header_at], path)
    if problem:
        raise RulesError([problem])
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise RulesError([f"{path} 第{header_at + 1}行: 表头缺少列：{'、'.join(missing)}"])

    problems: list[str] = []
    items: list[PriceItem] = []
    seen: dict[tuple[str, str], int] = {}
    for i, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        if all(v is None or _norm(v) == "" for v in row):
            continue
        cells = {c: (row[j] if j < len(row) else None) for c, j in cols.items()}
        cat, item, unit, raw = _norm(cells["类别"]), _norm(cells["服务项目"]), _norm(cells["单位"]), cells["单价"]
        price = dec(raw)
        if not item:
            problems.append(f"{path} 第{i}行: 服务项目为空")
            continue
        if not cat:
            problems.append(f"{path} 第{i}行: “{item}”没有填写类别")
        if price is None or price < 0:
            problems.append(f"{path} 第{i}行: “{item}”的单价“{raw}”不是有效金额")
            continue
        key = (_match_key(cat), _match_key(item))
        if key in seen:
            problems.append(f"{path} 第{i}行: “{cat} / {item}”与第{seen[key]}行重复")
            continue
        seen[key] = i
        items.append(PriceItem(cat, item, unit, fen(price)))
    if problems:
        raise RulesError(problems)
    if not items:
        raise RulesError([f"{path}: 价目表中没有任何服务项目"])
    return PriceList(items, revised)


def _dense(rows: list[tuple[int, list]]) -> list[tuple]:
    """Sheet rows from row 1 with the empty ones in place: positions are row numbers."""
    out: list[tuple] = []
    for number, values in rows:
        out.extend(() for _ in range(number - 1 - len(out)))
        out.append(tuple(values))
    return out


REVISED = "修订日期"


def _revised(rows: list[tuple], path: Path) -> tuple[date | None, str | None]:
    """The date in the cell after 修订日期 (or in the same cell: "修订日期：2026-03-01")."""
    for i, row in enumerate(rows, start=1):
        cells = list(row)
        for j, v in enumerate(cells):
            text = _norm(v)
            if not text.startswith(REVISED):
                continue
            rest = text[len(REVISED):].lstrip(":： ")
            raw = rest or (cells[j + 1] if j + 1 < len(cells) else None)
            if isinstance(raw, datetime):
                return raw.date(), None
            if isinstance(raw, date):
                return raw, None
            for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
                try:
                    return datetime.strptime(_norm(raw), fmt).date(), None
                except ValueError:
                    continue
            return None, f"{path} 第{i}行: 修订日期“{_norm(raw)}”不是日期（例如 2026-03-01）"
    return None, None
