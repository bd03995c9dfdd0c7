"""One line per event, to stderr and to the workspace's log file, in Chinese.

The console shows the line only; the file also keeps any traceback, for whoever looks
after the machine.
"""

from __future__ import annotations

import logging
import sys
import time
from datetime import datetime

from .clock import LOCAL
from .workspace import Workspace

LEVELS_ZH = {"DEBUG": "调试", "INFO": "信息", "WARNING": "注意", "ERROR": "错误", "CRITICAL": "严重"}


def _beijing(secs: float) -> time.struct_time:
    # Log times in the same zone as every other time the toolkit shows, whatever the machine's.
    return datetime.fromtimestamp(secs, LOCAL).timetuple()


class ChineseFormatter(logging.Formatter):
    """``2026-11-26 17:30:05 信息 …``; on the console a traceback becomes a pointer to the log."""

    def __init__(self, *, console: bool):
        super().__init__("%(asctime)s %(level_zh)s %(message)s", "%Y-%m-%d %H:%M:%S")
        self.converter = _beijing
        self.console = console

    def format(self, record: logging.LogRecord) -> str:
        record.level_zh = LEVELS_ZH.get(record.levelname, record.levelname)
        if not self.console or not record.exc_info:
            return super().format(record)
        exc = record.exc_info[1]
        saved = record.exc_info, record.exc_text
        record.exc_info, record.exc_text = None, None
        try:
            line = super().format(record)
        finally:
            record.exc_info, record.exc_text = saved
        # The exception's first line: a database error goes on with its statement and the
        # values bound to it (a register's names and phone numbers), kept for the log file.
        first = (str(exc).strip().splitlines() or [""])[0]
        return f"{line}：{type(exc).__name__}: {first}（详情见 var/toolkit.log）"


def setup_logging(ws: Workspace, quiet: bool = False) -> None:
    ws.var.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger("toolkit")
    root.setLevel(logging.INFO)
    for h in list(root.handlers):
        root.removeHandler(h)
    fileh = logging.FileHandler(ws.log_file, encoding="utf-8")
    fileh.setFormatter(ChineseFormatter(console=False))
    root.addHandler(fileh)
    err = logging.StreamHandler(sys.stderr)
    err.setFormatter(ChineseFormatter(console=True))
    err.setLevel(logging.WARNING if quiet else logging.INFO)
    root.addHandler(err)
    root.propagate = False
