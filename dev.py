#!/usr/bin/env python3
"""Set up a local virtualenv on first use, then run the toolkit or its tests.

    python3 dev.py run    # watch this folder's inbox/ (Ctrl-C to stop)
    python3 dev.py test   # the whole test suite
    python3 dev.py bench  # the speed benchmark
    python3 dev.py <any toolkit command>, e.g. python3 dev.py process inbox/

Needs only Python 3.11+ with pip; everything else is installed into .venv/.
"""

from __future__ import annotations

import compileall
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_venv() -> None:
    """Create .venv and install the project; reinstall when pyproject.toml changes."""
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = VENV / ".installed"
    if not PY.exists():
        print("setting up .venv (first run)…", file=sys.stderr)
        venv.create(VENV, with_pip=True)
    if not stamp.exists() or stamp.read_text().strip() != want:
        subprocess.check_call([str(PY), "-m", "pip", "install", "-q", "--upgrade", "pip"])
        # setuptools warns about every editable install; it says nothing about this project.
        quiet = {**os.environ, "PYTHONWARNINGS": "ignore::UserWarning"}
        subprocess.check_call([str(PY), "-m", "pip", "install", "-q", "-e", f"{ROOT}[test]"], env=quiet)
        stamp.write_text(want)
    # The project is installed editable, so pip compiles none of its modules; where
    # PYTHONDONTWRITEBYTECODE is set, every toolkit process would compile ~150 files
    # again (0.15-0.25 s of processor time each). Up-to-date files are only stat'ed.
    # Quiet: a read-only checkout or a broken file is reported when it is imported, not here.
    compileall.compile_dir(ROOT / "toolkit", quiet=2)


def main(argv: list[str]) -> int:
    ensure_venv()
    cmd, rest = (argv[0], argv[1:]) if argv else ("run", [])
    os.chdir(ROOT)
    if cmd == "run":
        args = [str(PY), "-m", "toolkit", "watch", "--home", str(ROOT), *rest]
    elif cmd == "test":
        args = [str(PY), "-m", "pytest", *rest]
    elif cmd == "lint":
        args = [str(PY), "-m", "ruff", "check", "toolkit", "tests", "scripts", *rest]
    elif cmd == "bench":
        args = [str(PY), str(ROOT / "scripts" / "benchmark.py"), *rest]
    else:
        args = [str(PY), "-m", "toolkit", cmd, *rest]
    try:
        return subprocess.call(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
