"""Named crash points for tests of what survives a crash.

``TOOLKIT_CRASH_AT=after_commit`` (a comma-separated list of names) makes the process
kill itself with SIGKILL when it reaches that point: a real crash of a real process,
with nothing flushed and no handler run. Unset in normal use, where a point costs one
dictionary look-up.
"""

from __future__ import annotations

import os
import signal

ENV = "TOOLKIT_CRASH_AT"


def point(name: str) -> None:
    """Die here (SIGKILL to self) when ``name`` is listed in TOOLKIT_CRASH_AT."""
    wanted = os.environ.get(ENV)
    if wanted and name in wanted.split(","):
        os.kill(os.getpid(), signal.SIGKILL)


def wanted(name: str) -> bool:
    wanted = os.environ.get(ENV)
    return bool(wanted) and name in wanted.split(",")
