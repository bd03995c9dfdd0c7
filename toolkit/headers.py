"""Finding the header row of a sheet and recognising which register it is.

Staff sheets put title rows and merged titles above the header, rename columns
(电话 for 联系电话) and add columns of their own. We look at the first rows, match each
cell against every register's header names and aliases, and take the row and register
with the best match.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from .model import CellError, RawSheet
from .registers import RegisterSpec

HEADER_SCAN_ROWS = 30
# No header is this long; longer cells (a pasted text, a hostile file's megabyte string)
# are not normalised at all, which keeps recognition linear in the sheet's size.
HEADER_MAX_CHARS = 200

_DECOR = re.compile(r"[\s*＊※:：()（）\[\]【】]")


def header_key(value: Any) -> str:
    """Normalise a header cell so '联系电话*', ' 联系 电话 ' and '联系电话：' all match."""
    if value is None:
        return ""
    text = str(value)
    if len(text) > HEADER_MAX_CHARS:
        return ""
    text = unicodedata.normalize("NFKC", text)
    return _DECOR.sub("", text)


@dataclass
class HeaderMatch:
    spec: RegisterSpec
    row: int  # sheet row number of the header
    columns: dict[str, int]  # column name -> 0-based column index
    missing: list[str]  # required columns not found
    duplicates: dict[str, list[int]] = field(default_factory=dict)
    headers_found: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        return len(self.columns)


def _lookup(specs: dict[str, RegisterSpec]) -> dict[str, list[tuple[str, str]]]:
    """header text -> [(register, column name)]"""
    table: dict[str, list[tuple[str, str]]] = {}
    for spec in specs.values():
        for col in spec.columns:
            for h in col.headers:
                table.setdefault(header_key(h), []).append((spec.name, col.name))
    return table


def _match_row(
    row_no: int, values: list[Any], spec: RegisterSpec, lookup: dict[str, list[tuple[str, str]]]
) -> HeaderMatch:
    columns: dict[str, int] = {}
    dupes: dict[str, list[int]] = {}
    for idx, value in enumerate(values):
        for register, col in lookup.get(header_key(value), ()):
            if register != spec.name:
                continue
            if col in columns:
                dupes.setdefault(col, [columns[col]]).append(idx)
            else:
                columns[col] = idx
    missing = [c for c in spec.required if c not in columns]
    found = [str(v).strip() for v in values if v not in (None, "")]
    return HeaderMatch(spec, row_no, columns, missing, dupes, found)


def find_header(sheet: RawSheet, specs: dict[str, RegisterSpec]) -> HeaderMatch | None:
    """The best (row, register) match in the first rows, or None if nothing fits.

    A match needs at least ``min_matches`` known headers (or all of a register's
    required ones); among candidates the one covering the most of its register wins,
    so 装修违章记录 is not mistaken for 装修登记表 just because both have 房号.
    """
    lookup = _lookup(specs)
    best: HeaderMatch | None = None
    best_rank: tuple[float, ...] = ()
    for row_no, values in sheet.rows[:HEADER_SCAN_ROWS]:
        for spec in specs.values():
            m = _match_row(row_no, values, spec, lookup)
            needed = min(spec.min_matches, len(spec.required) or spec.min_matches)
            if m.score < needed:
                continue
            required_found = len(spec.required) - len(m.missing)
            rank = (
                required_found / max(len(spec.required), 1),
                m.score / len(spec.columns),
                m.score,
                -row_no,
            )
            if best is None or rank > best_rank:
                best, best_rank = m, rank
    return best


def header_errors(sheet: RawSheet, match: HeaderMatch) -> list[CellError]:
    """Sheet-level problems that stop the sheet from being read: missing or doubled columns."""
    errors = []
    if match.missing:
        errors.append(
            CellError(
                sheet=sheet.name,
                row=match.row,
                column=None,
                cell=None,
                code="header.missing",
                message=(
                    f"按表头判断这是“{match.spec.title}”，但缺少必填列："
                    f"{'、'.join(match.missing)}。请补上这些列（列名须与标准表头一致）后重新保存。"
                ),
            )
        )
    for col, idxs in match.duplicates.items():
        letters = "、".join(f"{get_column_letter(i + 1)}列" for i in idxs)
        errors.append(
            CellError(
                sheet=sheet.name,
                row=match.row,
                column=col,
                cell=f"{get_column_letter(idxs[1] + 1)}{match.row}",
                code="header.duplicate",
                message=f"表头“{col}”出现了不止一次（{letters}），无法确定该用哪一列，请删除或改名多余的一列。",
            )
        )
    return errors


def unrecognised_sheet_error(sheet: RawSheet) -> CellError:
    heads: list[str] = []
    for _, values in sheet.rows[:5]:
        texts = [str(v).strip() for v in values if v not in (None, "") and str(v).strip()]
        if len(texts) > len(heads):
            heads = texts
    shown = "、".join(h[:20] for h in heads[:12]) or "（空）"
    return CellError(
        sheet=sheet.name,
        row=None,
        column=None,
        cell=None,
        code="sheet.unrecognised",
        message=(
            f"工作表“{sheet.name}”不是已知的登记表，已跳过。找到的表头：{shown}。"
            "如果它是登记表，请使用标准表头（可用 toolkit init 生成的空白登记表）。"
        ),
    )
