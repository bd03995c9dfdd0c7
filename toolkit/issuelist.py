"""The layout of the 问题清单 sheet a return copy opens with.

Kept apart from the writer (``annotate``, which loads openpyxl) because the pipeline
only needs to recognise the sheet when a return copy comes back into inbox/.
"""

from __future__ import annotations

from .model import RawSheet

ISSUES_TITLE = "问题清单"
HEADER_ROW = 4  # rows 1–3: file name, count, fallback note
ISSUE_COLUMNS: list[tuple[str, int]] = [
    ("序号", 6), ("工作表", 14), ("行", 6), ("列", 12), ("单元格", 9),
    ("问题", 16), ("说明", 56), ("原值", 22),
]


def is_issue_list(sheet: RawSheet) -> bool:
    """A 问题清单 sheet of ours, as read back from a return copy saved into inbox/."""
    if not sheet.name.startswith(ISSUES_TITLE):
        return False
    for row_no, values in sheet.rows:
        if row_no == HEADER_ROW:
            return [str(v) for v in values[:2]] == [ISSUE_COLUMNS[0][0], ISSUE_COLUMNS[1][0]]
        if row_no > HEADER_ROW:
            break
    return False
