"""Child processes that die with the toolkit, and their temp folders swept at start.

Python children (readers, the return-copy writer) call :func:`die_with_parent` first:
the kernel sends them SIGKILL when the toolkit process ends, however it ends.
LibreOffice is a launcher that forks ``soffice.bin``, and a parent-death signal is not
inherited across fork, so it runs under a small guard (``python -m toolkit.children``):
the guard gets SIGTERM when the toolkit dies and then kills its whole process group,
LibreOffice included.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from .atomic import alive

PARENT_ENV = "TOOLKIT_PARENT_PID"
PR_SET_PDEATHSIG = 1
# Temp folders named "<prefix><pid>-…" in the system temp folder.
TEMP_PREFIXES = ("toolkit-lo-", "toolkit-pdf-")


_PACKAGE_PARENT = str(Path(__file__).resolve().parents[1])


def child_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a child: names this process as the parent to die with, and
    finds this toolkit package (for ``python -m toolkit.…`` children)."""
    out = dict(os.environ if env is None else env)
    out[PARENT_ENV] = str(os.getpid())
    out["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_PARENT, out.get("PYTHONPATH")) if p)
    return out


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Ask the kernel for ``sig`` when the parent dies; exit now if it already has."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):
        return
    expected = os.environ.get(PARENT_ENV)
    # The parent may have died between fork and prctl: then we were re-parented already.
    if expected and expected.isdigit() and os.getppid() != int(expected):
        os._exit(1)


def guarded(cmd: list[str]) -> list[str]:
    """``cmd`` wrapped in the guard; start it with ``start_new_session=True`` and
    ``env=child_env()``, and kill its process group to stop everything it started."""
    return [sys.executable, "-m", "toolkit.children", "--", *cmd]


def _guard_main(cmd: list[str]) -> int:
    def _kill_group(signum, frame):  # noqa: ARG001
        os.killpg(os.getpgrp(), signal.SIGKILL)

    signal.signal(signal.SIGTERM, _kill_group)
    signal.signal(signal.SIGINT, _kill_group)
    die_with_parent(signal.SIGTERM)
    proc = subprocess.Popen(cmd)  # same process group as the guard
    return proc.wait()


def sweep_temp_folders(root: Path | None = None) -> int:
    """Remove temp folders of toolkit processes that no longer run (killed mid-work)."""
    root = Path(root or tempfile.gettempdir())
    removed = 0
    try:
        entries = list(root.iterdir())
    except OSError:
        return 0
    for p in entries:
        prefix = next((x for x in TEMP_PREFIXES if p.name.startswith(x)), None)
        if prefix is None:
            continue
        pid = p.name[len(prefix):].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not alive(int(pid)):
            shutil.rmtree(p, ignore_errors=True)
            removed += 1
    return removed


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--"]:
        args = args[1:]
    sys.exit(_guard_main(args))
