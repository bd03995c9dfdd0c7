"""Records that are history: registers loaded long after the fact get no new documents.

A renovation finished months ago, a move-out from last quarter, a handover of last
year: the agreement, slip or payment notice of that time was dealt with on paper then;
drafting one now would only put a stale document in front of the manager.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

HISTORY_DAYS = 30  # older than this (by the record's own date) is history


def historical(today: date, day: date | None) -> bool:
    return day is not None and (today - day).days > HISTORY_DAYS


def turns_history(day: date) -> datetime:
    """The first moment a record of ``day`` is history (``historical``): a finding given
    only while its record is recent wakes then (``Finding.wake``), so that the record is
    judged again and the finding closed, as judging the whole ledger at that moment would."""
    return datetime.combine(day + timedelta(days=HISTORY_DAYS + 1), time())
