"""File names built from staff-chosen text: valid on Windows and Linux, never outside their folder.

One place for every output name: archived originals, return copies, blank registers,
documents."""

from __future__ import annotations

import re
from pathlib import Path

_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)
}
MAX_CHARS = 120
MAX_BYTES = 200  # Linux allows 255 bytes per name; a Chinese character takes three


def safe_stem(text: str, max_chars: int = MAX_CHARS, fallback: str = "文书") -> str:
    """A file-name stem from any text: forbidden characters become '_', length bounded."""
    text = str(text).replace("\r", " ").replace("\n", " ").replace("\t", " ")
    out = _FORBIDDEN.sub("_", text)
    out = re.sub(r"_{2,}", "_", re.sub(r"\s+", " ", out)).strip(" .")
    out = out[:max_chars]
    while len(out.encode("utf-8")) > MAX_BYTES:
        out = out[:-1]
    out = out.rstrip(" .")
    if not out:
        out = fallback
    if out.split(".")[0].strip().upper() in _RESERVED:
        out = "_" + out
    return out


def path_inside(folder: Path, stem: str, suffix: str) -> Path:
    """``folder/stem+suffix``, refused if it would resolve anywhere but directly in folder."""
    folder = folder.resolve()
    target = (folder / f"{safe_stem(stem)}{suffix}").resolve()
    if target.parent != folder:
        raise ValueError(f"文件名不安全：{stem!r}")
    return target
