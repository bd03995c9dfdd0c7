"""Pausing the cyclic garbage collector around work that makes many small objects.

Records, findings, report figures: a big file or report keeps millions of small objects
alive together, and each of the collector's full passes walks all of them while freeing
nothing (reference counting frees them, they hold no cycles). Paused, the work runs
without those passes; the collector runs again as soon as it ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the block runs (nested pauses are fine)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
