"""``toolkit init DIR [--pack NAME …]``: a workspace with its packs' rules, templates and blank registers.

Each pack ships its files under ``Pack.sources`` (``rules/…``, ``templates/…``); init copies
those of the chosen packs that the workspace does not have yet, so a manager's edited
rules are never overwritten, and an existing workspace can take another pack later.
A pack's section of a settings file other packs share (``sla.yaml``'s ``car:``) is
appended to the workspace's file when that file lacks it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from . import atomic
from .blank import write_blank_registers
from .packs import PACKS_FILE, Pack, available, check_disjoint, get, read_pack_names
from .registers import load_registers
from .workspace import Workspace

BLANK_FOLDER = "空白登记表"
# What every workspace has whatever its packs: the documents engine's dispatch register
# (发文登记), the working calendar and the report engine's Word summary template, shipped
# with the repository's own workspace.
CORE_SOURCES = SHIPPED = Path(__file__).resolve().parents[1]  # the repository's own workspace
CORE_FILES = ("rules/registers/dispatch.yaml", "rules/calendar.yaml", "templates/weekly_summary.docx")
# documents.yaml for a workspace none of whose packs ships one: the company, no types yet.
BLANK_DOCUMENTS = """# 文书设置：单位名称、文号格式；各业务包的文书类型在其各自的文件中
company: 某某公司
company_full: 某某有限公司
department: 服务中心
manager_title: 经理
phone: ""
number_format: "{company}〔{year}〕{code}字第{seq:03d}号"
documents: []
"""


def _copy_missing(src: Path, dst: Path) -> Path | None:
    """Copy a file that is not there yet; returns it when written."""
    if dst.exists() or not src.is_file() or src.resolve() == dst.resolve():
        return None
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dst)
    return dst


def _top_level_block(text: str, key: str) -> str | None:
    """The lines of ``key:`` at the top level of a YAML text, up to the next top-level key."""
    lines = text.splitlines()
    out: list[str] = []
    inside = False
    for line in lines:
        top = line[:1] not in ("", " ", "\t", "#", "-")
        if top and inside:
            break
        if top and line.split(":", 1)[0].strip() == key:
            inside = True
        if inside:
            out.append(line)
    return "\n".join(out).rstrip() + "\n" if out else None


def _append_section(src: Path, dst: Path, section: str) -> Path | None:
    """Append ``section`` from the pack's file to the workspace's, if the workspace lacks it."""
    try:
        have = yaml.safe_load(dst.read_text(encoding="utf-8-sig")) or {}
    except (OSError, yaml.YAMLError):
        return None  # a broken file is reported by rules check, not rewritten here
    if not isinstance(have, dict) or section in have or not src.is_file():
        return None
    block = _top_level_block(src.read_text(encoding="utf-8-sig"), section)
    if block is None:
        return None
    old = dst.read_text(encoding="utf-8-sig")
    new = old.rstrip("\n") + "\n\n" + block
    try:
        yaml.safe_load(new)
    except yaml.YAMLError:
        return None
    atomic.write_bytes(dst, new.encode("utf-8"))
    return dst


def _add_document_types(src: Path, dst: Path) -> Path | None:
    """Add the pack's document types missing from the workspace's ``documents.yaml``.

    A pack whose types live in ``documents.yaml`` itself (the property pack), added to a
    workspace whose ``documents.yaml`` another pack's ``init`` already wrote, would
    otherwise never get its types: the file exists, so it is not copied. Entries the
    workspace has are left as they are; a file that would not read back is left alone
    (``rules check`` reports a broken one).
    """
    try:
        have = yaml.safe_load(dst.read_text(encoding="utf-8-sig")) or {}
        ship = yaml.safe_load(src.read_text(encoding="utf-8-sig")) or {}
    except (OSError, yaml.YAMLError):
        return None
    if not isinstance(have, dict) or not isinstance(ship, dict):
        return None
    have_types = {d.get("type") for d in have.get("documents") or [] if isinstance(d, dict)}
    want = [d.get("type") for d in ship.get("documents") or [] if isinstance(d, dict)]
    missing = [t for t in want if t not in have_types]
    if not missing:
        return None
    block = _top_level_block(src.read_text(encoding="utf-8-sig"), "documents") or ""
    items = _list_items(block)
    added = "".join(text for t, text in items if t in missing)
    old = dst.read_text(encoding="utf-8-sig")
    lines = old.splitlines()
    current = _top_level_block(old, "documents")
    if current is None or not have.get("documents"):
        # No types yet (``documents: []``): the pack's block stands for the workspace's.
        kept = [ln for ln in lines if current is None or ln not in current.splitlines()[:1]]
        new = "\n".join(kept).rstrip("\n") + "\n\ndocuments:\n" + added
    else:
        end = lines.index(current.splitlines()[0]) + len(current.rstrip("\n").splitlines())
        new = "\n".join(lines[:end]).rstrip("\n") + "\n\n" + added + "\n".join(lines[end:])
    try:
        got = yaml.safe_load(new) or {}
    except yaml.YAMLError:
        return None
    if not set(missing) <= {d.get("type") for d in got.get("documents") or [] if isinstance(d, dict)}:
        return None
    atomic.write_bytes(dst, (new.rstrip("\n") + "\n").encode("utf-8"))
    return dst


def _list_items(block: str) -> list[tuple[str | None, str]]:
    """The items of a YAML list block as (their ``type``, their text up to the next item)."""
    texts: list[str] = []
    for line in block.splitlines()[1:]:
        if line.lstrip().startswith("- ") and line[: len(line) - len(line.lstrip())] in ("", "  "):
            texts.append("")
        if texts:
            texts[-1] += line + "\n"
    out = []
    for text in texts:
        data = yaml.safe_load(text)
        kind = data[0].get("type") if isinstance(data, list) and data and isinstance(data[0], dict) else None
        out.append((kind, text))
    return out


def pack_files(pack: Pack) -> list[tuple[Path, str]]:
    """(source file, path relative to the workspace) of everything a pack ships."""
    rules = [f"registers/{name}.yaml" for name in pack.registers] + list(pack.rules_files)
    rules += [part.file for part in pack.settings if not part.section]
    files = [(pack.sources / "rules" / r, f"rules/{r}") for r in dict.fromkeys(rules)]
    files += [(pack.sources / "templates" / t, f"templates/{t}") for t in pack.templates]
    return files


def _write_packs_file(ws: Workspace, names: list[str]) -> Path:
    path = ws.rules / PACKS_FILE
    text = ("# 本工作区启用的业务包（toolkit init DIR --pack NAME 可添加）\n"
            "packs:\n" + "".join(f"  - {n}\n" for n in names))
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(path, text.encode("utf-8"))
    return path


def init_workspace(home: Path, packs: list[str] | None = None) -> list[Path]:
    """Create (or complete) a workspace at ``home`` running ``packs`` (added to those it runs).

    A new workspace without ``packs`` runs the default pack. Returns the files written.
    """
    ws = Workspace(home.resolve())
    existing = (ws.rules / PACKS_FILE).exists() or (ws.rules / "registers").is_dir()
    current = read_pack_names(ws.rules) if existing else []
    names = list(dict.fromkeys([*current, *(packs or [])])) or read_pack_names(ws.rules)
    chosen = get(names)
    check_disjoint(chosen)
    ws.ensure()
    written: list[Path] = []
    if names != current or not (ws.rules / PACKS_FILE).exists() and packs:
        written.append(_write_packs_file(ws, names))
    for pack in chosen:
        for src, rel in pack_files(pack):
            hit = _copy_missing(src, ws.home / rel)
            if hit is None and rel == "rules/documents.yaml" and pack.documents_file == "documents.yaml":
                hit = _add_document_types(src, ws.home / rel)
            if hit:
                written.append(hit)
        for part in pack.settings:
            if part.section:
                src, dst = pack.sources / "rules" / part.file, ws.rules / part.file
                hit = _copy_missing(src, dst) if not dst.exists() else _append_section(src, dst, part.section)
                if hit:
                    written.append(hit)
    for rel in CORE_FILES:
        hit = _copy_missing(CORE_SOURCES / rel, ws.home / rel)
        if hit:
            written.append(hit)
    if not (ws.rules / "documents.yaml").exists():
        written.append(atomic.write_bytes(ws.rules / "documents.yaml", BLANK_DOCUMENTS.encode("utf-8")))
    specs = load_registers(ws.rules)
    # The chosen packs' registers, and registers of the workspace's own that no pack ships.
    owned = {reg for p in chosen for reg in p.registers}
    others = {reg for p in available().values() for reg in p.registers} - owned
    shown = {n: s for n, s in specs.items() if n not in others}
    written += write_blank_registers(shown, ws.home / BLANK_FOLDER)
    return written
