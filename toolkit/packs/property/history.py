"""Records that are history: registers loaded long after the fact get no new documents.

A renovation finished months ago, a move-out from last quarter, a handover of last
year: the agreement, slip or payment notice of that time was dealt with on paper then;
drafting one now would only put a stale document in front of the manager.
"""

from __future__ import annotations

from datetime import date

HISTORY_DAYS = 30  # older than this (by the record's own date) is history


def historical(today: date, day: date | None) -> bool:
    return day is not None and (today - day).days > HISTORY_DAYS
