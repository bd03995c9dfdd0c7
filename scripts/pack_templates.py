"""What the packs' Word template builders share (``toolkit/packs/<pack>/make_templates.py``).

The layout helpers are the property templates' own (``scripts/make_templates.py``: fonts,
letterhead, tables, signatures), loaded once from beside this file. On top of them,
the steps every pack's notice repeats and the writer each pack's command runs:

    from this module (loaded by path):  M = helpers(); doc = notice("出厂通知单")
    python -m toolkit.packs.car.make_templates [OUTPUT_DIR]
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
HALF = [2.6, 5.2, 2.6, 5.2]  # label, value, label, value: a two-pair row across the text width

_HELPERS: ModuleType | None = None


def load(path: Path, name: str) -> ModuleType:
    """A script beside the package, imported by its path (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def helpers() -> ModuleType:
    """scripts/make_templates.py: the layout helpers of every template."""
    global _HELPERS
    if _HELPERS is None:
        _HELPERS = load(HERE / "make_templates.py", "_template_helpers")
    return _HELPERS


def notice(title: str, *, addressed: bool = True, company: str = "{{ doc.company_full }}") -> Any:
    """A new notice: A4 document, letterhead (``company``: who issues it) with the number and
    title, and its addressee."""
    m = helpers()
    doc = m.new_document(title)
    m.letterhead(doc, company=company)
    if addressed:
        m.addressee(doc)
    return doc


def pairs(doc: Any, rows: list[list[str]], widths: list[float] | None = None, height_cm: float | None = None) -> Any:
    """A key/value table of two pairs a row (``">…"`` spans a row's value across)."""
    return helpers().kv_table(doc, rows, widths or HALF, height_cm=height_cm)


def write_all(templates: dict[str, Callable[[], Any]], out_dir: Path) -> list[Path]:
    """Build every template into ``out_dir`` with fixed zip dates (a rebuild changes no bytes)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in templates.items():
        path = out_dir / f"{name}.docx"
        build().save(path)
        helpers()._fix_zip_dates(path)
        written.append(path)
    return written


def run(templates: dict[str, Callable[[], Any]], default_out: Path, argv: list[str] | None = None) -> None:
    """The command line of a pack's builder: ``[OUTPUT_DIR]`` (default: the pack's templates)."""
    argv = sys.argv[1:] if argv is None else argv
    for p in write_all(templates, Path(argv[0]) if argv else default_out):
        print(p)
