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

from .cellref import column_letter as get_column_letter
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
    # Another register that claims this sheet just as well: the sheet is refused, not guessed.
    ambiguous_with: RegisterSpec | None = None

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

    Registers of different packs share headers (车牌号, 联系电话, 客户, 日期). A register
    whose matched cells are all matched by another that matches more is out; if two are
    left that match the very same cells, or tie, the match carries ``ambiguous_with`` and
    the sheet is refused, never guessed.
    """
    lookup = _lookup(specs)
    candidates: list[tuple[tuple[float, ...], HeaderMatch]] = []
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
            candidates.append((rank, m))
    if not candidates:
        return None
    # A register whose matched cells another register also matches, and more, is out:
    # the other explains the whole header (卡号 makes a card register of 车牌号/车主/电话).
    cells = {id(m): set(m.columns.values()) for _, m in candidates}
    kept = [(rank, m) for rank, m in candidates
            if not any(o.row == m.row and o.spec.name != m.spec.name and cells[id(m)] < cells[id(o)]
                       for _, o in candidates)]
    kept.sort(key=lambda c: c[0], reverse=True)
    best_rank, best = kept[0]
    for rank, other in kept[1:]:
        if other.spec.name == best.spec.name or other.row != best.row:
            continue
        if rank[:3] == best_rank[:3] or cells[id(best)] == cells[id(other)]:
            best.ambiguous_with = other.spec
            break
    return best


def header_errors(sheet: RawSheet, match: HeaderMatch) -> list[CellError]:
    """Sheet-level problems that stop the sheet from being read: missing or doubled columns."""
    errors = []
    if match.ambiguous_with is not None:
        other = match.ambiguous_with
        return [CellError(
            sheet=sheet.name, row=match.row, column=None, cell=None, code="header.ambiguous",
            message=(f"工作表“{sheet.name}”的表头既像“{match.spec.title}”，也像“{other.title}”，"
                     f"无法确定是哪一张登记表，未读取。请使用标准表头，并保留能区分二者的列"
                     f"（如“{_distinctive(match.spec, other)}”或“{_distinctive(other, match.spec)}”）。"),
        )]
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


def _distinctive(spec: RegisterSpec, other: RegisterSpec) -> str:
    """A required (else any) column of ``spec`` whose headers ``other`` does not use."""
    theirs = {header_key(h) for c in other.columns for h in c.headers}
    own = [c for c in spec.columns if not {header_key(h) for h in c.headers} & theirs]
    picked = [c for c in own if c.required] or own
    return picked[0].name if picked else spec.columns[0].name


def header_text(sheet: RawSheet, limit: int = 12) -> str:
    """The fullest of the sheet's first rows, as a message quotes it (where a header would be)."""
    heads: list[str] = []
    for _, values in sheet.rows[:5]:
        texts = [str(v).strip() for v in values if v not in (None, "") and str(v).strip()]
        if len(texts) > len(heads):
            heads = texts
    shown = "、".join(h[:20] for h in heads[:limit]) or "（空）"
    return shown + ("…" if len(heads) > limit else "")


def unrecognised_sheet_error(sheet: RawSheet) -> CellError:
    shown = header_text(sheet)
    return CellError(
        sheet=sheet.name,
        row=None,
        column=None,
        cell=None,
        code="sheet.unrecognised",
        message=(
            f"工作表“{sheet.name}”不是已知的登记表，已跳过。找到的表头：{shown}。"
            "如果它是登记表，请把表头改成登记表的列名（可对照“空白登记表”文件夹里的同名表格）。"
        ),
    )
