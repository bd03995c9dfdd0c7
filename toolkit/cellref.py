"""Excel column letters, without loading openpyxl (whose import is a sizeable part of
processing a small file that needs no return copy)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=4096)
def column_letter(index: int) -> str:
    """1 → "A", 26 → "Z", 27 → "AA", 18278 → "ZZZ" (openpyxl's get_column_letter)."""
    if not 1 <= index <= 18278:
        raise ValueError(f"Invalid column index {index}")
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
