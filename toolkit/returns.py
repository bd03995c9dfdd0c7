"""Return copies over time: their names, and what happens to the earlier ones.

A return copy is named after the workbook it marks: ``报修登记表-1126-问题批注-00003.xlsx``.
Staff correct either the original or the return copy itself and save it again. When
the corrected workbook is fully accepted, earlier return copies it covers are resolved:
they move to ``退回批注/已改正/``. When the correction still has problems, the new return
copy replaces them and the earlier ones move to ``退回批注/旧版/``. Either way only
the current copy stays in ``退回批注/``.

What a correction covers is what it holds, not its name: an earlier copy is settled
only when the correction carries the same registers and every record the copy marked
(``covers_payload`` travels with the copy's outbox intent). Another day's register saved
under the same name holds other records and leaves the earlier copy alone. Rows the
copy marked that never reached the ledger (a bad key) have no record to compare; for
those the name still has to match, as before.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

from .filenames import safe_stem
from .model import CellError, FileResult, Record, is_advisory

log = logging.getLogger("toolkit")

TAG = "问题批注"
RESOLVED_FOLDER = "已改正"
OLDER_FOLDER = "旧版"
_TAGGED = re.compile(rf"^(?P<stem>.*?)(?:-{TAG}-(?P<id>\d{{5}}))+$")


def original_stem(name: str) -> str:
    """The stem of the workbook a name refers to, without any ``-问题批注-00003`` tags."""
    stem = Path(name).stem
    m = _TAGGED.match(stem)
    return m.group("stem") if m else stem


def earlier_id(name: str) -> int | None:
    """The file id of the return copy this file is (a return copy saved back), else None."""
    m = re.search(rf"-{TAG}-(\d{{5}})$", Path(name).stem)
    return int(m.group(1)) if m else None


def return_copy_name(file_id: int, original: str) -> str:
    return f"{safe_stem(original_stem(original), 80, '登记表')}-{TAG}-{file_id:05d}.xlsx"


def is_resolved(result: FileResult) -> bool:
    """Every row taken, nothing for anyone to act on."""
    return (result.status == "accepted" and not result.actions
            and all(is_advisory(e.code) for e in result.errors))  # advice to check holds nothing


def covers_payload(registers: list[str], marked: list[CellError], records: list[Record]) -> dict[str, Any]:
    """What a return copy marks: its registers, the keys of the records of the marked rows
    ({register: [key, …]}), and how many marked rows have no record (held back, no key)."""
    by_row = {(r.sheet, r.row): r for r in records}
    keys: dict[str, set[str]] = {}
    unkeyed: set[tuple[str, int | None]] = set()
    for e in marked:
        rec = by_row.get((e.sheet, e.row))
        if rec is not None:
            keys.setdefault(rec.register, set()).add(rec.key)
        elif e.row is not None:
            unkeyed.add((e.sheet, e.row))
    return {"registers": sorted(registers), "keys": {reg: sorted(ks) for reg, ks in sorted(keys.items())},
            "unkeyed": len(unkeyed)}


def covered_by(covers: dict[str, Any] | None, registers: list[str], records: list[Record], same_name: bool,
               renamed: AbstractSet[tuple[str, str]] = frozenset()) -> bool:
    """Whether a workbook with these registers and records is a correction of the copy
    described by ``covers`` (None: a copy from before coverage was kept → by name).
    ``renamed``: (register, key) of records whose key the workbook corrected: held too."""
    if covers is None:
        return same_name
    if not set(covers.get("registers", [])) <= set(registers):
        return False
    held = {(r.register, r.key) for r in records} | renamed
    if any((reg, k) not in held for reg, ks in covers.get("keys", {}).items() for k in ks):
        return False
    return same_name or not covers.get("unkeyed")


def settle_earlier(returns: Path, original: str, result: FileResult, current: Path | None,
                   covers: Callable[[int, bool], bool] | None = None, failed: list[Path] | None = None) -> list[Path]:
    """Move the earlier return copies this workbook corrects aside; returns their new paths.

    Only when this run said something final about them: the workbook is fully accepted
    (resolved), or a new return copy (``current``) replaces them. A file that could not
    be read at all leaves them where they are. ``covers(file_id, same_name)`` says whether
    the earlier copy of that file is covered by this workbook (default: same name).
    ``failed`` collects the copies that could not be moved (a read-only or full outbox).
    """
    resolved = is_resolved(result)
    if not resolved and current is None:
        return []
    stem = safe_stem(original_stem(original), 80, "登记表")
    only = earlier_id(original)  # a return copy saved back settles that copy (and older ones)
    folder = returns / (RESOLVED_FOLDER if resolved else OLDER_FOLDER)
    moved = []
    for p in sorted(returns.glob(f"*-{TAG}-*.xlsx")):
        if current is not None and p.name == current.name:
            continue
        m = _TAGGED.match(p.stem)
        if m is None:
            continue
        same_name = m.group("stem") == stem
        if only is not None and int(m.group("id")) > only:
            continue  # a newer copy than the one corrected
        if not (covers(int(m.group("id")), same_name) if covers is not None else same_name):
            continue
        target = move_aside(p, folder)
        if target is not None:
            moved.append(target)
        elif failed is not None:
            failed.append(p)
    return moved


def move_aside(p: Path, folder: Path) -> Path | None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / p.name
        os.replace(p, target)
        return target
    except OSError as exc:  # a copy open in Excel on Windows: try again next time
        log.warning("无法移走旧的退回批注 %s：%s", p.name, exc)
        return None
