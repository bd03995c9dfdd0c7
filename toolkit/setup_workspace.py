"""``toolkit init DIR``: a new workspace with the shipped rules, templates and blank registers."""

from __future__ import annotations

import shutil
from pathlib import Path

from .blank import write_blank_registers
from .registers import load_registers
from .workspace import Workspace

# The repository root is the shipped workspace: its rules/ and templates/ are copied.
SHIPPED = Path(__file__).resolve().parents[1]
BLANK_FOLDER = "空白登记表"


def _copy_missing(src: Path, dst: Path) -> list[Path]:
    """Copy files that are not there yet; a manager's edited rules are never overwritten."""
    written = []
    for item in sorted(src.rglob("*")):
        if item.is_dir() or item.name.startswith((".", "~$")) or "__pycache__" in item.parts:
            continue
        target = dst / item.relative_to(src)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(item, target)
            written.append(target)
    return written


def init_workspace(home: Path) -> list[Path]:
    """Create (or complete) a workspace at ``home``; returns the files written."""
    ws = Workspace(home.resolve())
    ws.ensure()
    written: list[Path] = []
    for name in ("rules", "templates"):
        src = SHIPPED / name
        if src.is_dir() and src.resolve() != (ws.home / name).resolve():
            written += _copy_missing(src, ws.home / name)
    specs = load_registers(ws.rules)
    folder = ws.home / BLANK_FOLDER
    for path in write_blank_registers(specs, folder):
        written.append(path)
    return written
