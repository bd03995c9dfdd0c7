"""Return copies over time: their names, and what happens to the earlier ones.

A return copy is named after the workbook it marks: ``报修登记表-1126-问题批注-00003.xlsx``.
Staff correct either the original or the return copy itself and save it again. When
the corrected workbook is fully accepted, earlier return copies of it are resolved:
they move to ``退回批注/已改正/``. When the correction still has problems, the new return
copy replaces them and the earlier ones move to ``退回批注/旧版/``. Either way only
the current copy stays in ``退回批注/``.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from .filenames import safe_stem
from .model import FileResult

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
    return result.status == "accepted" and not result.errors and not result.actions


def settle_earlier(returns: Path, original: str, result: FileResult, current: Path | None) -> list[Path]:
    """Move the earlier return copies of ``original`` aside; returns their new paths.

    Only when this run said something final about them: the workbook is fully accepted
    (resolved), or a new return copy (``current``) replaces them. A file that could not
    be read at all leaves them where they are.
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
        if m is None or m.group("stem") != stem:
            continue
        if only is not None and int(m.group("id")) > only:
            continue  # a newer copy than the one corrected
        try:
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / p.name
            os.replace(p, target)
            moved.append(target)
        except OSError as exc:  # a copy open in Excel on Windows: try again next time
            log.warning("无法移走旧的退回批注 %s：%s", p.name, exc)
    return moved
