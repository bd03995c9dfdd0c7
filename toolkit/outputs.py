"""The outputs of one file, written from its outbox intents: the return copy and the note.

* ``return_copy`` — staff's own workbook with every bad cell marked
  (``outbox/退回批注/<name>-问题批注-<id>.xlsx``). Written from the workbook still in
  memory right after the commit; after a crash, from the archived original read again.
* ``note`` — for a file the toolkit cannot read or in which no register is recognised:
  a short text in ``outbox/退回批注/`` saying what was wrong and what to do, so the
  file never just disappears from ``inbox/``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from .codec import decode
from .filenames import safe_stem
from .model import CellError, FileResult, Record
from .outbox import Intent, Outcome, outbox

RETURN_COPY, NOTE = "return_copy", "note"


def note_name(file_id: int, original: str) -> str:
    return f"{safe_stem(Path(original).stem, 80, '文件')}-未能处理-{file_id:05d}.txt"


def return_copy_key(file_id: int) -> str:
    return f"return:{file_id}"


def note_key(file_id: int) -> str:
    return f"note:{file_id}"


def return_copy_payload(target: str, name: str, archived: Path,
                        actions: list[CellError] | None = None,
                        covers: dict[str, Any] | None = None) -> dict[str, Any]:
    """``actions``: findings placed on cells (they come from the rules at that moment, so a
    rerun cannot derive them from the file alone; they travel with the intent).
    ``covers``: what the copy marks (returns.covers_payload), to know its corrections."""
    return {"target": target, "name": name, "archived": str(archived),
            "actions": [a.to_dict() for a in actions or []], "covers": covers}


def copy_covers(ledger: Any, file_ids: list[int]) -> dict[int, dict[str, Any] | None]:
    """What each file's return copy marks, from its outbox intent (None: not recorded)."""
    keys = {return_copy_key(i): i for i in file_ids}
    out: dict[int, dict[str, Any] | None] = dict.fromkeys(file_ids)
    if not keys:
        return out
    with ledger.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.key, outbox.c.payload).where(
            outbox.c.site == ledger.site, outbox.c.key.in_(list(keys))))
        for row in rows:
            out[keys[row.key]] = decode(row.payload).get("covers")
    return out


def note_payload(file_id: int, name: str, result: FileResult, received: datetime) -> dict[str, Any]:
    return {
        "target": note_name(file_id, name),
        "name": name,
        "reason": result.message or "文件未能处理。",
        "codes": sorted({e.code for e in result.errors if e.code}),
        "received": received.strftime("%Y-%m-%d %H:%M"),
    }


def _write_return_copy(ws: Any, ledger: Any, intent: Intent, memo: dict[str, Any]) -> Outcome:
    p = intent.payload
    archived = Path(p["archived"])
    held = memo.get(intent.key)
    if held is None:  # after a crash: the findings may have moved on since, so use them as they are now
        book, errors, records = read_again(ws, archived)
        if book is None:
            return Outcome("void", note="原件已无法读取，未生成批注副本")
        errors = errors + _current_actions(ledger, records)
    else:
        book, errors = held
    dest = ws.returns / p["target"]
    write_annotated_copy(archived, book, errors, dest, file_label=p["name"], notes=p.get("notes") or ())
    return Outcome("done", [dest])


def read_again(ws: Any, archived: Path) -> tuple[Any, list[CellError], list[Record]]:
    """The workbook, its errors and records, as the pipeline found them (rules are data,
    so the same file read again gives the same errors)."""
    from .pipeline import read_and_validate
    from .registers import load_registers

    result = FileResult(path=str(archived), status="ignored")
    book, records = read_and_validate(load_registers(ws.rules), archived, result)
    return book, result.errors, records


def _current_actions(ledger: Any, records: list[Record]) -> list[CellError]:
    from .packs.acting import action_errors
    from .ruleset import store

    with ledger.engine.connect() as conn:
        return action_errors(store.open_findings(conn, ledger.site), records, ledger)


_ADVICE = {
    "file.encrypted": "取消打开密码后另存",
    "file.empty": "确认文件已完整保存（大小不为 0）后重新放入",
}


def _write_note(ws: Any, ledger: Any, intent: Intent, memo: dict[str, Any]) -> Outcome:
    from . import atomic

    p = intent.payload
    reason = str(p["reason"]).strip()
    lines = [
        f"文件：{p['name']}",
        f"收到时间：{p['received']}",
        "",
        "未能处理的原因：",
        f"    {reason}",
        "",
        "请这样处理：",
    ]
    tips = [_ADVICE[c] for c in p.get("codes", []) if c in _ADVICE]
    if "是空的，没有可处理的内容" in reason:
        tips.append("确认保存的是已填写的登记表，而不是空白文件或另一个文件")
    elif "没有可识别的登记表" in reason and "空白登记表" not in reason:
        tips.append("确认表头行使用登记表的列名（可对照“空白登记表”文件夹里的同名表格），不要改动列名")
    if "file.not_spreadsheet" in p.get("codes", []):
        # Not a register at all: nothing in it to correct and resave.
        tips.append("这个文件不是登记表，不必再放入收件箱；要登记的内容请填入“空白登记表”文件夹里的登记表，"
                    "保存到 inbox 文件夹")
    else:
        tips.append("按上面的原因修改后，重新保存到 inbox 文件夹，会作为新文件处理")
    lines += [f"    {i}. {t}" for i, t in enumerate(tips, start=1)]
    lines += ["", "原文件已存档，没有丢失。"]
    dest = ws.returns / p["target"]
    # BOM and CRLF: Notepad on older Windows shows the Chinese text correctly.
    atomic.write_bytes(dest, ("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    return Outcome("done", [dest])


HANDLERS = {RETURN_COPY: _write_return_copy, NOTE: _write_note}


def write_annotated_copy(source: Path, workbook: Any, errors: list[CellError], dest: Path, **kw: Any) -> Any:
    """``annotate.write_annotated_copy``, loaded when a copy is written: openpyxl is not
    imported by a process whose files have nothing to mark."""
    from .annotate import write_annotated_copy as write

    return write(source, workbook, errors, dest, **kw)
