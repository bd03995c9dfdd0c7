"""The toolkit's notion of "now": Asia/Shanghai wall-clock time, fixable with ``--now``."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")


def local_now() -> datetime:
    return datetime.now(LOCAL).replace(tzinfo=None, microsecond=0)


def parse_now(text: str | None) -> datetime | None:
    """``2026-11-23T14:30`` (local) or with an offset (converted to local); None when absent."""
    if not text:
        return None
    value = datetime.fromisoformat(text.strip().replace(" ", "T", 1) if " " in text.strip() else text.strip())
    if value.tzinfo is not None:
        value = value.astimezone(LOCAL).replace(tzinfo=None)
    return value
