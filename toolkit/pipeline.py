"""The one data path: archive → read → recognise → validate → rules → ledger → outputs.

``toolkit process FILE`` and a file dropped into ``inbox/`` both end up in
:func:`process_file`. The watcher, scheduler and CLI only decide when it runs.

Exactly-once: the original is archived and claimed in the ledger first; records,
findings, the file's outcome *and the intents of its outputs* (return copy, note,
documents — see outbox.py) are committed in one transaction. The outputs are written
after the commit by :func:`toolkit.outbox.drain`, which a crash only postpones. Only
then is the file taken out of ``inbox/``, and only if the bytes there are still the
bytes processed; a file whose bytes the ledger already finished is a duplicate.
"""

from __future__ import annotations

import errno
import gc
import hashlib
import json
import logging
import os
import shutil
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from filelock import FileLock

from . import atomic, children, corrections, crash, outbox, outputs, readahead, rejudge, voids
from .clock import local_now
from .codec import encode
from .collector import gc_paused
from .filenames import safe_stem
from .headers import find_header, header_errors, header_text, unrecognised_sheet_error
from .issuelist import is_issue_list
from .ledger import PROCESSING, ClaimLost, FileAlreadyFinished, Ledger, generation_key
from .model import (
    CellError,
    FileResult,
    RawSheet,
    Record,
    RowCounts,
    RunSummary,
    UnreadableFile,
    Workbook,
    is_advisory,
)
from .packs.acting import action_errors
from .problems import outcome_line
from .reading import read_workbook
from .registers import RegisterSpec, load_registers
from .returns import covered_by, covers_payload, earlier_id, return_copy_name, settle_earlier
from .rulesfile import RulesError
from .safety import is_ignorable
from .site import DEFAULT as SINGLE_SITE
from .site import Site
from .validate import validate_sheet
from .workspace import Workspace

log = logging.getLogger("toolkit")

# Stored summaries (ledger, var/runs) keep at most this many errors and findings per
# file, with the totals; `process --json` prints them all.
STORED_LIMIT = 2000


@dataclass
class Context:
    """Everything loaded once per process: workspace, its site, rules and the ledger."""

    ws: Workspace
    specs: dict[str, RegisterSpec]
    ledger: Ledger
    hooks: list[Any] = field(default_factory=list)  # later stages: rules, documents
    site: Site = SINGLE_SITE

    def close(self) -> None:
        self.ledger.close()


def open_context(ws: Workspace, *, register: bool = True) -> Context:
    """Load and validate the rules and the site (RulesError on any problem), then open
    the ledger as that site. ``register=False`` writes nothing (a read-only role)."""
    from .plugins import load_hooks  # rules engine and documents plug in here

    site = ws.site
    url = ws.db_url
    if register and not site.configured and not url.startswith("sqlite"):
        raise RulesError([
            f"工作区 {ws.home} 使用共用数据库，但没有设置站点（site.yaml）：请运行 "
            "toolkit init 工作区 --site-code 代码 --site-name 名称，各站点代码不同。"
        ])
    specs = load_registers(ws.rules)
    hooks = load_hooks(ws)
    ws.ensure()
    for folder in (ws.outbox, ws.var):
        atomic.sweep_stale(folder)
    children.sweep_temp_folders()
    ledger = Ledger(url, site.code)
    if register:
        from .documents import documents_config

        prefix = site.number_prefix or documents_config(ws).company
        ledger.register_site(site.name, prefix, local_now())
    ctx = Context(ws, specs, ledger, hooks, site)
    if not register:  # a read-only role writes nothing, outputs included
        return ctx
    _recover_released(ctx)
    for hook in hooks:  # e.g. numbers a crash left without a document
        start = getattr(hook, "start", None)
        if start is not None:
            start(ctx)
    return ctx


_locks: dict[str, FileLock] = {}
_locks_guard = threading.Lock()
LOCK_STRIPES = 16


def _lock(path: Path) -> FileLock:
    # One object per lock file in a process: FileLock is reentrant per object.
    with _locks_guard:
        if str(path) not in _locks:
            path.parent.mkdir(parents=True, exist_ok=True)
            _locks[str(path)] = FileLock(str(path))
        return _locks[str(path)]


def workspace_lock(ws: Workspace) -> FileLock:
    """Held while outputs are written, so two processes do not write the same ones."""
    return _lock(ws.var / "process.lock")


def file_lock(ws: Workspace, sha: str) -> FileLock:
    """Held while a file's bytes are processed, so two watchers, or a watcher and
    ``process``, never work on the same bytes at once; different files go in parallel
    (the lock is one of a few stripes, chosen by the hash)."""
    return _lock(ws.var / "locks" / f"file-{int(sha[:4], 16) % LOCK_STRIPES:02d}.lock")


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def archive_original(ws: Workspace, path: Path, sha: str, now: datetime) -> Path:
    """Copy the original byte for byte into var/archive before anything else happens."""
    target = ws.archive / now.strftime("%Y-%m") / f"{sha[:16]}-{safe_stem(path.stem, 80, 'file')}.{safe_stem(path.suffix, 10, 'bin')}"
    if not target.exists():
        with atomic.atomic_path(target) as tmp:
            shutil.copyfile(path, tmp)
    return target


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def _work_folder(ws: Workspace) -> Path:
    folder = ws.var / "work"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


_RELEASE = "release-"


def _release_from_inbox(ctx: Context, path: Path, sha: str) -> None:
    """A processed original leaves inbox/ only if the bytes there are the bytes processed.

    The file is first moved (atomically) into var/work/, then hashed: a newer save that
    arrived meanwhile is put back, to be processed as the next version, instead of
    being deleted unread.
    """
    if not _inside(path, ctx.ws.inbox) or not path.exists():
        return
    taken = _work_folder(ctx.ws) / f"{_RELEASE}{os.getpid()}-{uuid.uuid4().hex[:8]}-{safe_stem(path.name, 100, 'file')}"
    try:
        os.rename(path, taken)
    except FileNotFoundError:
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            log.warning("无法从收件箱移走 %s：%s", path.name, exc)
            return
        if file_sha256(path) == sha:  # var/ on another file system: compare, then remove
            path.unlink(missing_ok=True)
        return
    if file_sha256(taken) == sha:
        taken.unlink()
        return
    back = _put_back(taken, path)
    log.info("%s 在处理期间又被保存，新版本留在收件箱中（%s），稍后处理", path.name, back.name)


def _put_back(taken: Path, path: Path) -> Path:
    """Return a file to inbox/ without ever replacing a file of the same name."""
    for i in range(100):
        target = path if i == 0 else path.with_name(f"{path.stem}（{i + 1}）{path.suffix}")
        try:
            os.link(taken, target)
        except FileExistsError:
            continue
        taken.unlink()
        return target
    raise FileExistsError(path)


def _recover_released(ctx: Context) -> None:
    """A crash between taking a file out of inbox/ and deleting it: finished bytes are
    deleted, anything else goes back to inbox/."""
    folder = ctx.ws.var / "work"
    if not folder.is_dir():
        return
    for p in folder.glob(f"{_RELEASE}*"):
        pid, _, rest = p.name[len(_RELEASE):].partition("-")
        if not pid.isdigit() or atomic.alive(int(pid)):
            continue
        known = ctx.ledger.find_file(file_sha256(p))
        if known is not None and known["status"] != PROCESSING:
            p.unlink(missing_ok=True)
        else:
            _put_back(p, ctx.ws.inbox / rest.partition("-")[2])


def _read(path: Path, result: FileResult) -> Workbook | None:
    try:
        book = readahead.take(result.sha256, path)  # the CLI's first file, read while it started
        return book if book is not None else read_workbook(path)
    except UnreadableFile as exc:
        result.status = "rejected"
        result.message = exc.message
        result.errors.append(CellError("", None, None, None, exc.code, exc.message))
        return None


def read_and_validate(specs: dict[str, RegisterSpec], path: Path, result: FileResult) -> tuple[Workbook | None, list[Record]]:
    """Read a file and validate its sheets into ``result``; the workbook (None if
    unreadable) and the valid records."""
    book = _read(path, result)
    records = _validate(specs, book, result) if book else []
    if book is not None:
        result.status = _status(result, records)
        if result.status == "rejected" and result.message is None:
            result.message = "没有有效记录。"
    return book, records


# A workbook with more rows than this is not kept in memory once validated: its values
# would stay alive through the rules and the ledger writes only for a return copy, which
# for an .xlsx is made from the original file anyway (see ArchivedWorkbook).
KEEP_ROWS = 20_000


class ArchivedWorkbook:
    """A validated workbook whose values were let go: what it is (format, notes) stays,
    its sheets are read again from the archived original only if something asks for them
    (the return copy when the original's own format cannot be kept). Reading is a pure
    function of the bytes, so the values are the ones validated."""

    def __init__(self, book: Workbook, archived: Path):
        self.path = book.path
        self.format = book.format
        self.notes = book.notes
        self.archived = archived
        self._sheets: list[RawSheet] | None = None

    @property
    def sheets(self) -> list[RawSheet]:
        if self._sheets is None:
            self._sheets = read_workbook(self.archived).sheets
        return self._sheets


def _release_values(book: Workbook | None, archived: Path) -> Workbook | ArchivedWorkbook | None:
    """A big workbook's values are let go once its records are made (peak memory)."""
    if book is None or sum(len(s.rows) for s in book.sheets) <= KEEP_ROWS:
        return book
    return ArchivedWorkbook(book, archived)


def _validate(specs: dict[str, RegisterSpec], book: Workbook, result: FileResult) -> list[Record]:
    records: list[Record] = []
    recognised = 0
    for sheet in book.sheets:
        if not sheet.rows or is_issue_list(sheet):
            continue  # a return copy saved back: its 问题清单 is ours, not a register
        match = find_header(sheet, specs)
        if match is None:
            result.errors.append(unrecognised_sheet_error(sheet))
            continue
        recognised += 1
        if match.ambiguous_with is None and match.spec.name not in result.registers:
            result.registers.append(match.spec.name)
        problems = header_errors(sheet, match)
        if problems:
            result.held[match.spec.name] = None  # its rows unread: none of its records is missing
            result.errors.extend(problems)
            data_rows = sum(1 for r, v in sheet.rows if r > match.row)
            result.rows.total += data_rows
            result.rows.rejected += data_rows
            continue
        sheet, marked, void_cols = voids.split(sheet, match)
        sheet_result = validate_sheet(sheet, match)
        result.rows.total += sheet_result.total
        result.rows.valid += len(sheet_result.records)
        result.rows.rejected += sheet_result.rejected_rows
        result.errors.extend(sheet_result.errors)
        records.extend(sheet_result.records)
        held = result.held.setdefault(match.spec.name, set())
        if held is not None:
            held |= sheet_result.held_keys
        if marked:
            _take_voids(result, voids.judge(marked, match, sheet.name, void_cols), sheet_result.records, held)
    if recognised == 0 and not any(e.code.startswith("file.") for e in result.errors):
        result.message = _nothing_recognised(book)
    return records


SHEETS_NAMED = 3  # sheets a "no register" message describes, the others counted


def _nothing_recognised(book: Workbook) -> str:
    """Why no register was found, naming the sheets and what their header rows hold, so
    the person who saved the file sees which sheet was read and what it lacked."""
    filled = [s for s in book.sheets if s.rows and not is_issue_list(s)]
    if not filled:
        names = "、".join(f"“{s.name}”" for s in book.sheets[:SHEETS_NAMED])
        many = "都" if len(book.sheets) > 1 else ""
        return f"文件中没有可识别的登记表：工作表{names}{many}是空的，没有可处理的内容。"
    said = [f"工作表“{s.name}”的表头为“{header_text(s, 6)}”" for s in filled[:SHEETS_NAMED]]
    more = f"等 {len(filled)} 个工作表" if len(filled) > SHEETS_NAMED else ""
    many = "都" if len(filled) > 1 else ""
    return (f"文件中没有可识别的登记表：{'；'.join(said)}{more}，{many}不是登记表的列名；"
            "请对照“空白登记表”文件夹里的同名表格改正表头。")


def _take_voids(result: FileResult, marked: voids.Marked, kept: list[Record], held: set[str] | None) -> None:
    """A sheet's rows marked 作废 into the file's result: a key the sheet also holds in
    an unmarked row retires nothing (which of the two is meant is for staff to say)."""
    result.rows.total += len(marked.voided) + marked.rejected
    result.rows.rejected += marked.rejected
    result.errors.extend(marked.errors)
    live = {r.key: r.row for r in kept}
    for v in marked.voided:
        if v.key in live:
            result.rows.rejected += 1
            result.errors.append(CellError(
                v.sheet, v.row, voids.COLUMN, v.cell, "void.duplicate",
                f"本行标记作废，但第{live[v.key]}行仍登记着同一编号“{v.key}”，未作废任何记录；"
                "请删去其中一行，或把两行都标为作废。", v.key))
        else:
            result.voided.append(v)
            result.rows.voided += 1
    if held is not None:
        held |= marked.held_keys


def _status(result: FileResult, records: list[Record]) -> str:
    if not records and not result.voided:
        # A recognised register with no rows and no problems (e.g. a blank one) is fine.
        return "accepted" if result.registers and not result.errors else "rejected"
    if result.rows.rejected or any(not is_advisory(e.code) for e in result.errors):
        return "partial"
    return "accepted"


def _annotated_name(file_id: int, original: str) -> str:
    return return_copy_name(file_id, original)


def process_file(
    ctx: Context, path: Path, now: datetime, *, display_name: str | None = None, drain: bool = True
) -> FileResult:
    """Run one file through the whole pipeline and return what happened to it.

    ``drain=False``: leave the documents to the caller's :func:`drain_outbox` after a
    batch, so files dropped together are evaluated together before any number is taken.
    The file's own return copy or note is written at once either way.
    """
    path = Path(path)
    result = FileResult(path=str(path), status="ignored")
    if is_ignorable(path):
        result.message = "临时文件或锁文件，已忽略。"
        return result
    if not path.is_file():
        result.status = "rejected"
        result.message = "文件不存在或不是普通文件。"
        return result

    sha = file_sha256(path)
    result.sha256 = sha
    # A 100,000-row register's rows, records and findings are millions of small objects
    # alive together: the collector's passes over them took 2 s of its 18 and freed
    # nothing. It runs again between files.
    with file_lock(ctx.ws, sha), gc_paused():
        return _process_bytes(ctx, path, sha, now, result, display_name, drain)


def _process_bytes(ctx: Context, path: Path, sha: str, now: datetime, result: FileResult,
                   display_name: str | None, drain: bool) -> FileResult:
    known = ctx.ledger.find_file(sha)
    key = known["sha256"] if known else sha  # a file left 'processing' is taken up under its own row
    if known and known["status"] != PROCESSING:
        later = ctx.ledger.later_save(known)
        if later is None:
            return _duplicate(ctx, path, sha, known, result, drain)
        # The workbook was saved since with other contents: these bytes again are staff
        # going back to them (a copy restored), taken as a save of their own.
        key = generation_key(sha, known["generation"] + 1)
        result.again_of = {"same_as": known["id"], "after": later["id"]}

    name = display_name or path.name
    archived = archive_original(ctx.ws, path, sha, now)
    try:
        file_id = ctx.ledger.claim_file(key, name, path.stat().st_size, str(archived), now)
    except FileAlreadyFinished as exc:  # another process finished the same bytes just now
        return _duplicate(ctx, path, sha, exc.file, result, drain)
    if file_id is None:
        return _busy(result, name)
    log.info("开始处理 %s（第 %s 号文件）", name, file_id)

    book, records = read_and_validate(ctx.specs, archived, result)
    book = _release_values(book, archived)
    _find_corrections(ctx, file_id, name, result, records)

    extras: list[Any] = []
    for hook in ctx.hooks:
        extras.append(hook.evaluate(ctx, result, records, now))
    _drop_repeated_advice(result, records)
    result.stored = None  # judged: the stored rows are not needed again

    # Findings someone must act on go into the return copy beside the bad cells.
    result.actions = action_errors(result.findings, records, ctx.ledger)
    own_outputs = _own_outputs(file_id, name, archived, book, result, now, records)

    def in_transaction(conn: Any) -> None:
        for _kind, _key, payload in own_outputs:  # the return copy says which keys were corrected
            notes = [c.note for c in result.corrections if c.applied] + [m.note for m in result.missing]
            if "target" in payload and notes:  # and which rows of the last save it lacks
                payload["notes"] = notes
        for hook, extra in zip(ctx.hooks, extras, strict=True):
            hook.commit(ctx, conn, result, extra, now)
        # Earlier files whose refusals this file lifts (or causes) are judged again.
        for kind, key, payload in rejudge.intents(conn, ctx.ledger.site, file_id, name, result, records, now):
            outbox.enqueue(conn, ctx.ledger.site, kind, key, payload, now, file_id=file_id, again=True)
        for kind, key, payload in own_outputs:
            outbox.enqueue(conn, ctx.ledger.site, kind, key, payload, now, file_id=file_id)

    summary = result.to_dict(limit=STORED_LIMIT)
    try:
        with outbox.for_file(file_id):
            changes = ctx.ledger.complete_file(file_id, result.status, summary, records, now, extra=in_transaction,
                                               corrections=result.corrections, voided=result.voided)
    except ClaimLost:  # this process was taken for gone and another finishes the file
        return _busy(FileResult(path=str(path), status="busy", sha256=sha), name)
    crash.point("after_commit")
    result.changes = changes
    result.corrections = [c for c in result.corrections if c.applied]
    for hook, extra in zip(ctx.hooks, extras, strict=True):
        hook.after_commit(ctx, result, extra, now)
    current = None
    if own_outputs:  # while the workbook is still in memory
        keys = [key for _, key, _ in own_outputs]
        memo = {outputs.return_copy_key(file_id): (book, result.errors + result.actions)}
        written = outbox.drain(ctx.ws, ctx.ledger, keys=keys, memo=memo)
        result.outputs.extend(written.get(file_id, []))
        current = next((Path(p) for p in written.get(file_id, []) if Path(p).parent == ctx.ws.returns), None)
    unsettled: list[Path] = []
    if book is not None and result.registers:
        settle_earlier(ctx.ws.returns, name, result, current, _coverage(ctx, result, records), unsettled)
    if drain:
        result.outputs.extend(drain_outbox(ctx).get(file_id, []))
    if not _kept_for_settling(path, unsettled):
        _release_from_inbox(ctx, path, sha)
    log.info("%s", outcome_line(result, name))
    if result.status == "rejected":
        log.info("未能处理 %s：%s（说明见 outbox/退回批注/）", name, result.message)
    return result


def _coverage(ctx: Context, result: FileResult, records: list[Record]) -> Callable[[int, bool], bool]:
    """Whether this workbook corrects the earlier return copy of a file (returns.covered_by);
    a row whose key it corrected is held under its new key."""
    # A corrected key, and a row marked 作废, answer the earlier copy's marks on that row.
    renamed = {(c.register, c.old) for c in result.corrections} | {(v.register, v.key) for v in result.voided}

    def covers(earlier: int, same_name: bool) -> bool:
        found = outputs.copy_covers(ctx.ledger, [earlier])[earlier]
        return covered_by(found, result.registers, records, same_name, renamed)

    return covers


def _drop_repeated_advice(result: FileResult, records: list[Record]) -> None:
    """Advice to check (a VIN's check digit) about a row stored before exactly as it is
    now was given with that save: said again, it would make a new return copy on every
    save of a workbook nobody needs to change (核对无误可不改)."""
    stored = result.stored
    if stored is None or not any(is_advisory(e.code) for e in result.errors):
        return
    by_row = {(r.sheet, r.row): r for r in records}

    def repeated(e: CellError) -> bool:
        rec = by_row.get((e.sheet, e.row))
        row = stored.rows.get(rec.register, {}).get(rec.key) if rec is not None else None
        return row is not None and row.values_json == encode(rec.values)

    result.errors = [e for e in result.errors if not (is_advisory(e.code) and repeated(e))]


def _find_corrections(ctx: Context, file_id: int, name: str, result: FileResult, records: list[Record]) -> None:
    """Read the stored rows of the file's keys (once: the rules start from them), the key
    corrections the file makes, and the rows of the workbook's earlier saves it no longer
    carries (corrections.py): a sheet whose every row was deleted is looked at too."""
    if not records and not result.registers:
        return
    mine = corrections.by_register(records)
    with ctx.ledger.engine.connect() as conn:
        stored = corrections.look_up(conn, ctx.ledger.site, mine) if records else corrections.Stored()
        if records:
            result.stored = stored
            result.corrections = corrections.find(conn, ctx.ledger.site, ctx.specs, file_id, name, mine, result.held,
                                                  stored)
        result.missing = corrections.missing(conn, ctx.ledger.site, ctx.specs, file_id, name, result.registers, mine,
                                             result.held, stored, _retired_here(result))


def _retired_here(result: FileResult) -> dict[str, set[str]]:
    """Keys this save retires itself (rows marked 作废, keys corrected), by register."""
    out: dict[str, set[str]] = {}
    for v in result.voided:
        out.setdefault(v.register, set()).add(v.key)
    for reg, keys in corrections.gone(result.corrections).items():
        out.setdefault(reg, set()).update(keys)
    return out


def _own_outputs(
    file_id: int, name: str, archived: Path, book: Workbook | ArchivedWorkbook | None, result: FileResult, now: datetime,
    records: list[Record] | None = None,
) -> list[tuple[str, str, dict[str, Any]]]:
    """The file's return copy (bad cells marked, rows missing since the workbook's last
    save said in its 问题清单) or, when there is nothing to mark up
    (unreadable, no register recognised), a note saying why and what to do."""
    # Rows missing since the last save make a copy too: a file with nothing to mark would
    # otherwise say so only on the console, which the clerk who saved it never sees.
    if (result.errors or result.actions or result.missing) and book is not None and result.registers:
        covers = covers_payload(result.registers, result.errors + result.actions, records or [])
        payload = outputs.return_copy_payload(_annotated_name(file_id, name), name, archived, result.actions,
                                              covers)
        return [(outputs.RETURN_COPY, outputs.return_copy_key(file_id), payload)]
    if result.status == "rejected":
        return [(outputs.NOTE, outputs.note_key(file_id), outputs.note_payload(file_id, name, result, now))]
    return []


def _duplicate(ctx: Context, path: Path, sha: str, known: dict[str, Any], result: FileResult,
               drain: bool) -> FileResult:
    result.status = "duplicate"
    result.message = f"与已处理的文件“{known['name']}”内容完全相同，未重复处理。"
    if drain:  # outputs a crash left unwritten are written now
        drain_outbox(ctx)
    if not _kept_for_settling(path, _settle_after_crash(ctx, path, known)):
        _release_from_inbox(ctx, path, sha)
    log.info("%s 与已处理的第 %s 号文件内容相同，未重复处理", path.name, known["id"])
    return result


def _kept_for_settling(path: Path, unsettled: list[Path]) -> bool:
    """Earlier return copies that could not be moved aside (a read-only outbox): the file
    stays in inbox/, so the next look at it (the watcher's sweep, the next run) settles
    them as a duplicate does; said in the log, seen in inbox/ meanwhile."""
    if unsettled:
        log.warning("%s 已处理，但旧的退回批注 %s 未能移走，文件暂留收件箱，稍后再试", path.name,
                    "、".join(p.name for p in unsettled))
    return bool(unsettled)


def _settle_after_crash(ctx: Context, path: Path, known: dict[str, Any]) -> list[Path]:
    """Finished bytes still in inbox/: the process that finished them may have died
    between the commit and settling the workbook's earlier return copies (a corrected
    row, a row marked 作废). They are settled now, as that run would have: only copies
    older than the file, judged by what it held (its archived original read again, the
    keys its stored summary says it corrected), against its own copy. The copies that
    still could not be moved are returned."""
    unsettled: list[Path] = []
    if known["status"] not in ("accepted", "partial") or not _inside(path, ctx.ws.inbox):
        return unsettled
    older = [p for p in ctx.ws.returns.glob("*.xlsx") if (earlier_id(p.name) or known["id"]) < known["id"]]
    archived = Path(known["archive_path"] or "")
    if not older or not archived.is_file():
        return unsettled
    summary = known["summary"] or {}
    result = FileResult(path=str(path), status="ignored")
    book, records = read_and_validate(ctx.specs, archived, result)
    if book is None or not result.registers:
        return unsettled
    result.status = summary.get("status", known["status"])
    result.errors = [CellError(**e) for e in summary.get("errors", [])]
    result.actions = [CellError(**a) for a in summary.get("actions", [])]
    result.corrections = [_Renamed(r["register"], r["from"]) for r in summary.get("renamed", [])]
    current = ctx.ws.returns / _annotated_name(known["id"], known["name"])
    covers = _coverage(ctx, result, records)
    settle_earlier(ctx.ws.returns, known["name"], result, current if current.exists() else None,
                   lambda earlier, same_name: earlier < known["id"] and covers(earlier, same_name), unsettled)
    return unsettled


@dataclass
class _Renamed:
    """A key correction as a finished file's summary names it (enough for _coverage)."""

    register: str
    old: str


def drain_outbox(ctx: Context) -> dict[int | None, list[str]]:
    """Write every output still pending (documents, PDFs, dispatch register …)."""
    with workspace_lock(ctx.ws):
        return outbox.drain(ctx.ws, ctx.ledger)


def _busy(result: FileResult, name: str) -> FileResult:
    """Another live process holds this file: leave it to that one, without an error."""
    result.status = "busy"
    result.message = "另一个程序正在处理内容相同的文件，本次未处理。"
    log.info("%s 正由另一个进程处理，留给它处理", name)
    return result


def process_paths(ctx: Context, paths: list[Path], now: datetime) -> RunSummary:
    """Process files (folders are expanded) as one run recorded in the ledger; the
    documents of the whole batch are issued after its last file."""
    summary = RunSummary(now=now)
    run_id = ctx.ledger.start_run("process", now)
    summary.run_id = run_id
    for n, p in enumerate(expand(paths)):
        if n == 1:
            readahead.let_go()  # read ahead for the first file, which did not take it
        if n and not gc.isenabled():
            gc.collect()  # the caller paused the collector for the run: what a file left is freed before the next
        try:
            summary.files.append(process_file(ctx, p, now, drain=False))
        except Exception as exc:  # one bad file never stops the others
            log.exception("处理 %s 时出错", Path(p).name)
            summary.files.append(
                FileResult(str(p), "rejected", rows=RowCounts(), message=f"处理失败：{outbox.describe(exc)}")
            )
    attach_outputs(ctx, summary, drain_outbox(ctx))
    for hook in ctx.hooks:
        summary.warnings.extend(hook.warnings(ctx))
    stored = summary.to_dict(limit=STORED_LIMIT)
    ctx.ledger.finish_run(run_id, "done", stored, now)
    write_run_summary(ctx.ws, summary, stored)
    return summary


def attach_outputs(ctx: Context, summary: RunSummary, written: dict[int | None, list[str]]) -> None:
    """Name each output written after the batch under the file it came from."""
    if not written:
        return
    by_sha = {f.sha256: f for f in summary.files if f.sha256}
    for file in ctx.ledger.files(limit=max(50, len(summary.files) * 2)):
        if file["id"] in written and file["sha256"] in by_sha:
            by_sha[file["sha256"]].outputs.extend(written.pop(file["id"]))
    for paths in written.values():
        summary.outputs.extend(paths)


def expand(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.is_file() and not is_ignorable(q)))
        else:
            out.append(p)
    return out


def write_run_summary(ws: Workspace, summary: RunSummary, data: dict[str, Any] | None = None) -> Path:
    """The run's summary as ``runs/run-NNNNNN.json``; ``data``: ``summary.to_dict(limit=STORED_LIMIT)``
    when the caller has it already."""
    target = ws.runs / f"run-{summary.run_id or 0:06d}.json"
    if data is None:
        data = summary.to_dict(limit=STORED_LIMIT)
    try:
        # orjson writes what json.dumps(indent=2, ensure_ascii=False) writes, ten times
        # faster (a 100,000-row file's run lists every key it changed).
        text = orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8")
    except TypeError:  # an integer past 64 bits, a key that is not text
        text = json.dumps(data, ensure_ascii=False, indent=2)
    atomic.write_text(target, text)
    return target
