"""Return copies judged again when the facts a refusal rests on arrive later.

A release refused because the fee accounts did not hold the unit yet is lifted when the
fee accounts come in, whether in the same batch or minutes later through the watcher;
a release let through is refused when the accounts then show arrears. The findings
change in the later file's evaluation, but the return copy that told the guard
“不予放行” belongs to the earlier file. So each earlier file whose records' action
findings changed gets its return copy judged again from the ledger as it stands when
the copy is written: rewritten with what is still open (the heading says when and why),
moved to ``退回批注/已改正/`` when nothing is left, or written for the first time when a
refusal appears where there was none. A later copy marking the same record is judged
again too, though the record's last file is the earlier one: the copy saved back under
another name, or the original saved again, with the refused row unchanged. The daily
list reads the same open findings.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from .codec import decode
from .ledger import files
from .ledger import records as records_table
from .model import FileResult, Record, is_advisory
from .outbox import Intent, Outcome, outbox
from .packs.acting import action_errors, actions
from .returns import OLDER_FOLDER, RESOLVED_FOLDER, move_aside, original_stem, return_copy_name

KIND = "return_rejudge"


def rejudge_key(file_id: int) -> str:
    return f"rejudge:{file_id}"


def intents(conn: Connection, site: str, file_id: int, name: str, result: FileResult, records: list[Record],
            now: datetime) -> list[tuple[str, str, dict[str, Any]]]:
    """One intent per earlier file last carrying a record whose action finding this file
    raised or lifted (inside the file's transaction, after the findings were stored)."""
    acts = actions()
    # The file's own records, as (register, key): made only once an action finding is met
    # (a big file of deadlines has none, and 100,000 pairs cost 0.05 s).
    mine: set[tuple[str, str]] | None = None
    changed: dict[str, set[str]] = {}
    for f in result.findings:
        if f.rule in acts and f.state in ("new", "resolved"):
            if mine is None:
                mine = {(r.register, r.key) for r in records}
            if (f.register, f.record) not in mine:
                changed.setdefault(f.register, set()).add(f.record)
    if not changed:
        return []
    ids: set[int] = set()
    for register, keys in changed.items():
        rows = conn.execute(select(records_table.c.last_file_id).where(
            records_table.c.site == site, records_table.c.register == register,
            records_table.c.key.in_(sorted(keys))))
        ids |= {r.last_file_id for r in rows if r.last_file_id not in (None, file_id)}
    ids = {latest for i in ids if (latest := _latest_save(conn, site, i)) != file_id}
    if not ids:
        return []
    ids |= _later_copies_marking(conn, site, changed, min(ids), file_id)
    rows = _with_saved_back_copies(conn, site, ids, file_id)
    return [(KIND, rejudge_key(r.id), {
        "file_id": r.id, "name": r.name, "archived": r.archive_path, "target": return_copy_name(r.id, r.name),
        "by": name, "at": now.strftime("%m-%d %H:%M"),
    }) for r in rows if r.archive_path]


def _latest_save(conn: Connection, site: str, file_id: int) -> int:
    """The last save of the workbook ``file_id`` is a save of (``returns.original_stem`` of
    the names) that took rows: an unchanged row leaves its record's last file as it was,
    but the copy staff correct and save back must hold the workbook as it stands now, not
    an older save's rows (saved back, they would undo the changes made since)."""
    name = conn.execute(select(files.c.name).where(files.c.id == file_id)).scalar()
    if name is None:
        return file_id
    stem = original_stem(name)
    rows = conn.execute(select(files.c.id, files.c.name).where(
        files.c.site == site, files.c.id > file_id, files.c.status.in_(("accepted", "partial")),
        files.c.name.startswith(stem, autoescape=True)).order_by(files.c.id.desc())).all()
    return next((r.id for r in rows if original_stem(r.name) == stem), file_id)


def _later_copies_marking(conn: Connection, site: str, changed: dict[str, set[str]], since: int,
                          file_id: int) -> set[int]:
    """Later files whose return copy marks one of these records without being the
    record's last file: a copy the clerk renamed and saved back, or the original saved
    again, with the marked row unchanged (an unchanged row leaves the record's last file
    as it was). Their copy is the one in 退回批注 now, so it is judged again too."""
    from .outputs import RETURN_COPY

    out: set[int] = set()
    for r in conn.execute(select(outbox.c.file_id, outbox.c.payload).where(
            outbox.c.site == site, outbox.c.kind == RETURN_COPY, outbox.c.file_id > since,
            outbox.c.file_id != file_id)):
        marked = (decode(r.payload).get("covers") or {}).get("keys") or {}
        if any(k in changed.get(register, ()) for register, keys in marked.items() for k in keys):
            out.add(r.file_id)
    return out


def _with_saved_back_copies(conn: Connection, site: str, ids: set[int], file_id: int) -> list[Any]:
    """The files ``ids`` and every return copy of theirs saved back since (and its own,
    in turn). A copy saved back with the marked rows unchanged leaves the records' last
    file as it was, yet it made the copy now in 退回批注 (the earlier one moved to 旧版):
    that copy is the one the guard reads, so it is judged again too."""
    cols = (files.c.id, files.c.name, files.c.archive_path)
    found = {r.id: r for r in conn.execute(select(*cols).where(files.c.site == site, files.c.id.in_(sorted(ids))))}
    todo = list(found.values())
    while todo:
        names = {return_copy_name(r.id, r.name): r.id for r in todo}
        todo = [r for r in conn.execute(select(*cols).where(
            files.c.site == site, files.c.name.in_(sorted(names)), files.c.id != file_id))
            if r.id not in found and r.id > names[r.name]]
        found.update((r.id, r) for r in todo)
    return [found[i] for i in sorted(found)]


def _write(ws: Any, ledger: Any, intent: Intent, memo: dict[str, Any]) -> Outcome:
    from .outputs import read_again
    from .ruleset import store

    p = intent.payload
    archived = Path(p["archived"])
    dest = ws.returns / p["target"]
    if not dest.exists() and any((ws.returns / f / dest.name).exists() for f in (RESOLVED_FOLDER, OLDER_FOLDER)):
        return Outcome("void", note="该退回批注已由改正后的登记表取代")
    book, errors, records = read_again(ws, archived)
    if book is None:
        return Outcome("void", note="原件已无法读取，未重新判定")
    with ledger.engine.connect() as conn:
        current = store.open_findings(conn, ledger.site)
    marks = errors + action_errors(current, records, ledger)
    if all(is_advisory(m.code) for m in marks):  # advice to check alone: nothing left to do
        if not dest.exists():
            return Outcome("done")
        moved = move_aside(dest, ws.returns / RESOLVED_FOLDER)
        return Outcome("done", [moved] if moved else [])
    label = f"{p['name']}（{p['at']} 收到“{p['by']}”后重新判定）"
    from .annotate import write_annotated_copy  # openpyxl, loaded when a copy is written

    write_annotated_copy(archived, book, marks, dest, file_label=label)
    return Outcome("done", [dest])


HANDLERS = {KIND: _write}
