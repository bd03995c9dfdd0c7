"""One line per event, to stderr and to the workspace's log file."""

from __future__ import annotations

import logging
import sys
import time
from datetime import datetime

from .clock import LOCAL
from .workspace import Workspace


def _beijing(secs: float) -> time.struct_time:
    # Log times in the same zone as every other time the toolkit shows, whatever the machine's.
    return datetime.fromtimestamp(secs, LOCAL).timetuple()


def setup_logging(ws: Workspace, quiet: bool = False) -> None:
    ws.var.mkdir(parents=True, exist_ok=True)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S")
    fmt.converter = _beijing
    root = logging.getLogger("toolkit")
    root.setLevel(logging.INFO)
    for h in list(root.handlers):
        root.removeHandler(h)
    fileh = logging.FileHandler(ws.log_file, encoding="utf-8")
    fileh.setFormatter(fmt)
    root.addHandler(fileh)
    err = logging.StreamHandler(sys.stderr)
    err.setFormatter(fmt)
    err.setLevel(logging.WARNING if quiet else logging.INFO)
    root.addHandler(err)
    root.propagate = False
