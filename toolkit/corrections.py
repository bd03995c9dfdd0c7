"""Key corrections: a row saved again under a corrected key retires the record it was.

Staff save the same workbook again and again. When they correct a typo in a key cell
(委托书号 ``WT1222-01`` → ``WT1222-001``), the row comes back under a new key. Absence
alone never deletes a record (registers are split between staff, a clerk may keep this
month's rows only), so without this the old record stayed for good: its findings open,
its rows counted twice. A record the file creates (key K2) is the correction of a stored
record K1 of the same register when all of these hold:

1. K1 is absent from the file: the file holds the register and no row of it, taken or
   held back, has K1's key (a sheet of the register refused whole leaves nothing absent);
2. K1 was last written by an earlier file of the same workbook (``returns.original_stem``
   of the names: a return copy saved back is the workbook it marks);
3. K1 and K2 hold the same values apart from the key columns: at most one other column
   differs, and at least two hold equal values that are neither blank nor the column's
   default (near-empty rows never match); or — the key corrected in the save that also
   fills in the job's later cells (完工时间, 交车时间, amounts) — every value K1 held is
   unchanged, K2 only filled cells K1 left blank, and at least three real values are
   equal (this second look compares each missing row with each new one, so only while
   there are few of them). The key columns that differ are identifiers
   (text, plate, phone …): a date, month or number in the key never differs, so next
   month's row or the next instalment is a new record, not a corrected one;
4. one to one: a K1 matching several new keys, or a K2 several old ones, is no correction.

K1's row then becomes K2's, in the file's transaction (``Ledger.complete_file``): its
versions stay in ``record_history`` (the one replaced marked ``renamed``), its open
findings are resolved (the rules see K1 gone: ``RulesHook``), the run says so.

Cost: the file's stored rows are read once (:func:`look_up`, shared with the rules), and
only a file that creates keys, of a workbook saved before, looks further: one query on
``files`` for the workbook's earlier saves, one index-only count of the records they last
wrote, and the rows themselves only when some of those are missing from the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from .codec import decode, encode
from .ledger import KEY_CHUNK, files, records, register_is_empty
from .model import Record
from .registers import RegisterSpec
from .returns import original_stem
from .voids import COLUMN as VOID_COLUMN

# Key column types whose typo a correction may fix; the others (dates, months, periods,
# numbers, choices) tell rows apart by design.
IDENTIFIER_TYPES = frozenset({"text", "phone", "mobile", "id_number", "uscc", "plate", "vin"})
MIN_EQUAL = 2  # non-key columns that must hold the same real value
MAX_DIFFERENT = 1  # non-key columns that may differ (staff fix another cell at the same time)
MIN_EQUAL_FILLED = 3  # real values that must be equal when K2 only filled K1's blanks
MAX_PAIRS_FILLED = 20_000  # missing rows × new rows compared one by one for that second look


@dataclass
class Correction:
    """K1 (``old``) of ``register`` retired for K2 (``new``), as found before the commit."""

    register: str
    old: str
    new: str
    record_id: int  # K1's row, which becomes K2's
    version: int  # K1's version when found: the commit checks it is still the same
    note: str  # what staff read: 委托书号 WT1222-01 已更正为 WT1222-001，原记录已撤销
    applied: bool = False  # set in the transaction that retires K1

    def to_dict(self) -> dict[str, str]:
        return {"from": self.old, "to": self.new, "note": self.note}


@dataclass
class Stored:
    """The ledger's rows of a file's keys (id, key, values_json, version, updated_at,
    last_file_id), by register; ``empty``: registers with no record at all yet."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    empty: set[str] = field(default_factory=set)


def by_register(recs: Iterable[Record]) -> dict[str, dict[str, dict[str, Any]]]:
    """The file's records as {register: {key: values}} (a later row of a key wins, as in the ledger)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for r in recs:
        out.setdefault(r.register, {})[r.key] = r.values
    return out


def look_up(conn: Connection, site: str, keys: dict[str, Iterable[str]]) -> Stored:
    """The stored rows of these keys (never the rest of the register), 500 keys a query."""
    t = records
    out = Stored()
    for reg, wanted in keys.items():
        rows = out.rows.setdefault(reg, {})
        if register_is_empty(conn, site, reg):
            out.empty.add(reg)
            continue
        ordered = sorted(wanted)
        for i in range(0, len(ordered), KEY_CHUNK):
            for r in conn.execute(select(t.c.id, t.c.key, t.c.values_json, t.c.version, t.c.updated_at,
                                         t.c.last_file_id)
                                  .where(t.c.site == site, t.c.register == reg,
                                         t.c.key.in_(ordered[i:i + KEY_CHUNK]))):
                rows[r.key] = r
    return out


def find(conn: Connection, site: str, specs: dict[str, RegisterSpec], file_id: int, name: str,
         mine: dict[str, dict[str, dict[str, Any]]], held: dict[str, set[str] | None],
         stored: Stored) -> list[Correction]:
    """The corrections this file makes (see the module's notes).

    ``mine``: the file's records ({register: {key: values}}); ``held``: keys of rows held
    back, by register (None: a sheet of it refused whole); ``stored``: :func:`look_up`.
    """
    fresh = {reg: {k: v for k, v in recs.items() if k not in stored.rows.get(reg, {})}
             for reg, recs in mine.items()
             if reg in specs and _eligible(specs[reg]) and reg not in stored.empty and held.get(reg, set()) is not None}
    fresh = {reg: new for reg, new in fresh.items() if new}
    if not fresh:
        return []
    lineage = _lineage(conn, site, name, file_id)
    if not lineage:
        return []
    out: list[Correction] = []
    for reg, new in fresh.items():
        absent = _absent(conn, site, reg, lineage, set(mine[reg]) | (held.get(reg) or set()), stored.rows[reg])
        if absent:
            out += _matches(specs[reg], absent, new)
    return out


SHOWN_KEYS = 10  # keys a note names before "等 N 行"


@dataclass
class Missing:
    """Records of ``register`` an earlier save of this workbook wrote and this save no
    longer carries: kept (absence is no deletion, only 作废 retires), and said."""

    register: str
    title: str
    keys: list[str]

    @property
    def note(self) -> str:
        """What the person who saved reads, on the outcome line and the 问题清单."""
        # A key of several columns is stored "2026-11|M006": staff read "2026-11 M006".
        shown = "、".join(k.replace("|", " ") for k in self.keys[:SHOWN_KEYS])
        shown += f" 等 {len(self.keys)} 行" if len(self.keys) > SHOWN_KEYS else ""
        return (f"{self.title}：此前保存的 {len(self.keys)} 行本次表中没有，记录仍保留（{shown}）；"
                f"确需删除的，请恢复该行并在“{VOID_COLUMN}”列填“是”后再保存；"
                f"如是有意只保留部分行（如只留本月），可不处理，以后再保存时不再提示这些行")

    def to_dict(self) -> dict[str, Any]:
        return {"register": self.register, "keys": self.keys, "note": self.note}


def missing(conn: Connection, site: str, specs: dict[str, RegisterSpec], file_id: int, name: str,
            registers: list[str], mine: dict[str, dict[str, dict[str, Any]]], held: dict[str, set[str] | None],
            stored: Stored, left: dict[str, set[str]]) -> list[Missing]:
    """The rows this workbook's earlier saves carried that this save lacks, by register.

    Only the same workbook (``returns.original_stem`` of the names, as for corrections):
    another workbook of the register, or a copy saved under another name (a partial
    export), is never compared. Only registers whose sheet the file holds and did not
    refuse whole; a record another workbook wrote since is that workbook's. ``left``:
    keys this save retires itself (rows marked 作废, keys corrected).

    Said once: a row a save of the workbook since its record was last written already
    named is not named again (``_told``) — a clerk who keeps only this month's rows hears
    about last month's once, not on every save. A row put back changed (its record
    written again) and deleted again is named again.
    """
    regs = [r for r in registers if r in specs and held.get(r, set()) is not None]
    if not regs:
        return []
    lineage = _lineage(conn, site, name, file_id)
    if not lineage:
        return []
    out: list[Missing] = []
    for reg in regs:
        present = set(mine.get(reg, ())) | (held.get(reg) or set()) | left.get(reg, set())
        absent = _absent(conn, site, reg, lineage, present, stored.rows.get(reg, {}), values=False)
        if absent:
            told = _told(conn, lineage, reg, min(absent.values()))
            absent = {k: at for k, at in absent.items() if not any(at < when for when in told.get(k, ()))}
        if absent:
            out.append(Missing(reg, specs[reg].title, sorted(absent, key=_natural)))
    return out


def _told(conn: Connection, lineage: dict[int, Any], reg: str, since: Any) -> dict[str, list[Any]]:
    """{key of ``reg``: when saves of the workbook finished after ``since`` named it missing},
    from their stored summaries (``missing``). Only summaries that name something are read."""
    ids = [i for i, at in lineage.items() if at > since]
    out: dict[str, list[Any]] = {}
    for n in range(0, len(ids), KEY_CHUNK):
        for row in conn.execute(select(files.c.summary, files.c.finished_at).where(
                files.c.id.in_(ids[n:n + KEY_CHUNK]), files.c.summary.contains('"missing"'))):
            summary = decode(row.summary)
            for m in summary.get("missing", []) if isinstance(summary, dict) else []:
                if m.get("register") == reg:
                    for k in m.get("keys", []):
                        out.setdefault(k, []).append(row.finished_at)
    return out


def _natural(key: str) -> tuple[str, ...]:
    """BX2 before BX10 (digits padded, so text and numbers never meet in a comparison)."""
    return tuple(p.zfill(20) if p.isdigit() else p for p in re.split(r"(\d+)", key))


def _eligible(spec: RegisterSpec) -> bool:
    keys = set(spec.key_columns)
    return (any(spec.column(k).type in IDENTIFIER_TYPES for k in keys)
            and sum(1 for c in spec.columns if c.name not in keys) >= MIN_EQUAL)


def _lineage(conn: Connection, site: str, name: str, file_id: int) -> dict[int, Any]:
    """The earlier saves of this workbook: {file id: when it was finished}."""
    stem = original_stem(name)
    f = files
    rows = conn.execute(select(f.c.id, f.c.name, f.c.finished_at).where(
        f.c.site == site, f.c.id != file_id, f.c.finished_at.is_not(None),
        f.c.name.startswith(stem, autoescape=True)))
    return {r.id: r.finished_at for r in rows if original_stem(r.name) == stem}


def _absent(conn: Connection, site: str, reg: str, lineage: dict[int, Any], present: set[str],
            stored: dict[str, Any], values: bool = True) -> dict[str, Any]:
    """Records of ``reg`` last written by ``lineage`` whose keys the file does not hold.

    A record's ``updated_at`` is the moment of the file that last wrote it, which is that
    file's ``finished_at``: the register's (site, register, updated_at) index finds them,
    and counts them without reading a row. Only when that count exceeds the file's own
    rows among them are rows read (a file of the same name may never miss one).
    ``values=False``: only their keys are wanted, with when each was last written
    ({key: updated_at}).
    """
    t = records
    moments = sorted(set(lineage.values()))
    total = 0
    for i in range(0, len(moments), KEY_CHUNK):
        total += conn.execute(select(func.count()).select_from(t).where(
            t.c.site == site, t.c.register == reg, t.c.updated_at.in_(moments[i:i + KEY_CHUNK]))).scalar_one()
    mine = set(moments)
    if total <= sum(1 for r in stored.values() if r.updated_at in mine):
        return {}
    ids: list[int] = []
    keys: dict[str, Any] = {}
    for i in range(0, len(moments), KEY_CHUNK):
        for r in conn.execute(select(t.c.id, t.c.key, t.c.last_file_id, t.c.updated_at).where(
                t.c.site == site, t.c.register == reg, t.c.updated_at.in_(moments[i:i + KEY_CHUNK]))):
            if r.last_file_id in lineage and r.key not in present:
                ids.append(r.id)
                keys[r.key] = r.updated_at
    if not values:
        return keys
    out: dict[str, Any] = {}
    ids.sort()
    for i in range(0, len(ids), KEY_CHUNK):
        for r in conn.execute(select(t.c.id, t.c.key, t.c.values_json, t.c.version)
                              .where(t.c.id.in_(ids[i:i + KEY_CHUNK]))):
            out[r.key] = r
    return out


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _same(a: Any, b: Any) -> bool:
    if _blank(a) or _blank(b):
        return _blank(a) and _blank(b)
    return bool(a == b)


def _hashable(v: Any) -> Any:
    if _blank(v):
        return None
    try:
        hash(v)
        return v
    except TypeError:
        return encode(v)


_MASK = (1 << 64) - 1


def _signatures(values: dict[str, Any], columns: list[str]) -> list[tuple[int, int]]:
    """(column index, hash of the other columns' values) for each column, and (-1, all):
    two rows differing in column c alone share (c, …); equal rows share every one."""
    parts = [hash((i, _hashable(values.get(c)))) & _MASK for i, c in enumerate(columns)]
    whole = sum(parts) & _MASK
    return [(-1, whole)] + [(i, (whole - p) & _MASK) for i, p in enumerate(parts)]


def _matches(spec: RegisterSpec, absent: dict[str, Any], new: dict[str, dict[str, Any]]) -> list[Correction]:
    keys = spec.key_columns
    others = [c.name for c in spec.columns if c.name not in keys]
    defaults = {c.name: c.default for c in spec.columns if c.default is not None}
    old_values = {k: decode(r.values_json) for k, r in absent.items()}
    index: dict[tuple[int, int], list[str]] = {}
    for k, v in old_values.items():
        for sig in _signatures(v, others):
            index.setdefault(sig, []).append(k)
    pairs: list[tuple[str, str]] = []
    for k2, raw in new.items():
        v2 = decode(encode(raw))  # as the ledger will store it: types compare as stored
        seen: set[str] = set()
        for sig in _signatures(v2, others):
            for k1 in index.get(sig, ()):
                if k1 not in seen:
                    seen.add(k1)
                    if _corrects(spec, old_values[k1], v2, others, defaults):
                        pairs.append((k1, k2))
    if len(old_values) * len(new) <= MAX_PAIRS_FILLED:
        found = set(pairs)
        stored = {k2: decode(encode(raw)) for k2, raw in new.items()}
        for k1, v1 in old_values.items():
            for k2, v2 in stored.items():
                if (k1, k2) not in found and _extends(spec, v1, v2, others, defaults):
                    pairs.append((k1, k2))
    olds = [k1 for k1, _ in pairs]
    news = [k2 for _, k2 in pairs]
    return [Correction(spec.name, k1, k2, absent[k1].id, absent[k1].version,
                       _note(spec, old_values[k1], new[k2]))
            for k1, k2 in pairs if olds.count(k1) == 1 and news.count(k2) == 1]


def _key_typo_only(spec: RegisterSpec, old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Only identifier key columns differ (a date, month or number in the key never does)."""
    return all(_same(old.get(k), new.get(k)) or spec.column(k).type in IDENTIFIER_TYPES
               for k in spec.key_columns)


def _corrects(spec: RegisterSpec, old: dict[str, Any], new: dict[str, Any], others: list[str],
              defaults: dict[str, str]) -> bool:
    """Condition 3 of the module's notes, for one pair."""
    if not _key_typo_only(spec, old, new):
        return False
    different = equal = 0
    for c in others:
        a, b = old.get(c), new.get(c)
        if not _same(a, b):
            different += 1
            if different > MAX_DIFFERENT:
                return False
        elif not _blank(a) and a != defaults.get(c):
            equal += 1
    return equal >= MIN_EQUAL


def _extends(spec: RegisterSpec, old: dict[str, Any], new: dict[str, Any], others: list[str],
             defaults: dict[str, str]) -> bool:
    """Condition 3's second form: K2 keeps every value K1 held and only fills K1's blanks."""
    if not _key_typo_only(spec, old, new):
        return False
    if all(_same(old.get(k), new.get(k)) for k in spec.key_columns):
        return False
    equal = 0
    for c in others:
        a = old.get(c)
        if _blank(a):
            continue  # left blank then, filled in (or not) now
        if not _same(a, new.get(c)):
            return False
        if a != defaults.get(c):
            equal += 1
    return equal >= MIN_EQUAL_FILLED


def _note(spec: RegisterSpec, old: dict[str, Any], new: dict[str, Any]) -> str:
    """委托书号 WT1222-01 已更正为 WT1222-001，原记录已撤销 (the key columns that stayed in brackets)."""
    changed = [k for k in spec.key_columns if not _same(old.get(k), new.get(k))]
    kept = [k for k in spec.key_columns if k not in changed]
    names = "、".join(changed)
    before = "、".join(_shown(old.get(k)) for k in changed)
    after = "、".join(_shown(new.get(k)) for k in changed)
    where = f"（{'，'.join(f'{k} {_shown(old.get(k))}' for k in kept)}）" if kept else ""
    return f"{spec.title}：{names} {before} 已更正为 {after}{where}，原记录已撤销"


def _shown(v: Any) -> str:
    if v is None:
        return ""
    return v.isoformat() if hasattr(v, "isoformat") else str(v)


def gone(corrections: Iterable[Correction]) -> dict[str, set[str]]:
    """The keys retired, by register (what the rules must no longer see)."""
    out: dict[str, set[str]] = {}
    for c in corrections:
        out.setdefault(c.register, set()).add(c.old)
    return out


__all__ = ["Correction", "Missing", "Stored", "by_register", "find", "gone", "look_up", "missing"]
