"""The one data path: archive → read → recognise → validate → rules → outputs → ledger.

``toolkit process FILE`` and a file dropped into ``inbox/`` both end up in
:func:`process_file`. The watcher, scheduler and CLI only decide when it runs.

Exactly-once: the original is archived and claimed in the ledger first; records,
findings and the file's outcome are committed in one transaction at the end; outputs
have names fixed by the file's ledger id, so a rerun after a crash rewrites the same
files instead of adding new ones. Only after the commit is the file taken out of
``inbox/``; a file whose bytes the ledger already finished is a duplicate.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from . import atomic
from .annotate import is_issue_list, write_annotated_copy
from .clock import local_now
from .filenames import safe_stem
from .headers import find_header, header_errors, unrecognised_sheet_error
from .ledger import ClaimLost, FileAlreadyFinished, Ledger
from .model import CellError, FileResult, Record, RowCounts, RunSummary, UnreadableFile, Workbook
from .problems import outcome_line
from .reading import read_workbook
from .registers import RegisterSpec, load_registers
from .returns import return_copy_name, settle_earlier
from .ruleset.actions import action_errors
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
    ledger = Ledger(url, site.code)
    if register:
        from .documents import documents_config

        prefix = site.number_prefix or documents_config(ws).company
        ledger.register_site(site.name, prefix, local_now())
    return Context(ws, specs, ledger, hooks, site)


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


def _release_from_inbox(ctx: Context, path: Path) -> None:
    """A processed original leaves inbox/ (its archived copy stays in var/archive)."""
    if _inside(path, ctx.ws.inbox) and path.exists():
        try:
            path.unlink()
        except OSError as exc:
            log.warning("无法从收件箱移走 %s：%s", path.name, exc)


def _read(path: Path, result: FileResult) -> Workbook | None:
    try:
        return read_workbook(path)
    except UnreadableFile as exc:
        result.status = "rejected"
        result.message = exc.message
        result.errors.append(CellError("", None, None, None, exc.code, exc.message))
        return None


def _validate(ctx: Context, book: Workbook, result: FileResult) -> list[Record]:
    records: list[Record] = []
    recognised = 0
    for sheet in book.sheets:
        if not sheet.rows or is_issue_list(sheet):
            continue  # a return copy saved back: its 问题清单 is ours, not a register
        match = find_header(sheet, ctx.specs)
        if match is None:
            result.errors.append(unrecognised_sheet_error(sheet))
            continue
        recognised += 1
        if match.ambiguous_with is None and match.spec.name not in result.registers:
            result.registers.append(match.spec.name)
        problems = header_errors(sheet, match)
        if problems:
            result.errors.extend(problems)
            data_rows = sum(1 for r, v in sheet.rows if r > match.row)
            result.rows.total += data_rows
            result.rows.rejected += data_rows
            continue
        sheet_result = validate_sheet(sheet, match)
        result.rows.total += sheet_result.total
        result.rows.valid += len(sheet_result.records)
        result.rows.rejected += sheet_result.rejected_rows
        result.errors.extend(sheet_result.errors)
        records.extend(sheet_result.records)
    if recognised == 0 and not any(e.code.startswith("file.") for e in result.errors):
        result.message = "文件中没有可识别的登记表。"
    return records


def _status(result: FileResult, records: list[Record]) -> str:
    if not records:
        # A recognised register with no rows and no problems (e.g. a blank one) is fine.
        return "accepted" if result.registers and not result.errors else "rejected"
    if result.errors or result.rows.rejected:
        return "partial"
    return "accepted"


def _annotated_name(file_id: int, original: str) -> str:
    return return_copy_name(file_id, original)


def process_file(ctx: Context, path: Path, now: datetime, *, display_name: str | None = None) -> FileResult:
    """Run one file through the whole pipeline and return what happened to it."""
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
    known = ctx.ledger.find_file(sha)
    if known and known["status"] not in ("processing",):
        return _duplicate(ctx, path, result, known)

    name = display_name or path.name
    archived = archive_original(ctx.ws, path, sha, now)
    try:
        file_id = ctx.ledger.claim_file(sha, name, path.stat().st_size, str(archived), now)
    except FileAlreadyFinished as exc:  # another process finished the same bytes just now
        return _duplicate(ctx, path, result, exc.file)
    if file_id is None:
        return _busy(result, name)
    log.info("开始处理 %s（第 %s 号文件）", name, file_id)

    book = _read(archived, result)
    records = _validate(ctx, book, result) if book else []
    if book is not None:
        result.status = _status(result, records)
        if result.status == "rejected" and result.message is None:
            result.message = "没有有效记录。"

    extras: list[Any] = []
    for hook in ctx.hooks:
        extras.append(hook.evaluate(ctx, result, records, now))

    # Findings someone must act on go into the return copy beside the bad cells.
    result.actions = action_errors(result.findings, records)
    # A return copy helps only where a register was recognised; junk files get a message.
    current = None
    if (result.errors or result.actions) and book is not None and result.registers:
        dest = ctx.ws.returns / _annotated_name(file_id, name)
        try:
            write_annotated_copy(archived, book, result.errors + result.actions, dest, file_label=name)
            result.outputs.append(str(dest))
            current = dest
        except Exception as exc:  # the copy is a courtesy; never lose the run over it
            log.warning("未能生成 %s 的退回批注：%s", name, exc)

    def in_transaction(conn: Any) -> None:
        for hook, extra in zip(ctx.hooks, extras, strict=True):
            hook.commit(ctx, conn, result, extra, now)

    summary = result.to_dict(limit=STORED_LIMIT)
    try:
        changes = ctx.ledger.complete_file(file_id, result.status, summary, records, now, extra=in_transaction)
    except ClaimLost:  # this process was taken for gone and another finishes the file
        return _busy(FileResult(path=str(path), status="busy", sha256=sha), name)
    result.changes = changes
    for hook, extra in zip(ctx.hooks, extras, strict=True):
        hook.after_commit(ctx, result, extra, now)
    if book is not None and result.registers:
        settle_earlier(ctx.ws.returns, name, result, current)
    _release_from_inbox(ctx, path)
    log.info("%s", outcome_line(result, name))
    return result


def _duplicate(ctx: Context, path: Path, result: FileResult, known: dict[str, Any]) -> FileResult:
    result.status = "duplicate"
    result.message = f"与已处理的文件“{known['name']}”内容完全相同，未重复处理。"
    _release_from_inbox(ctx, path)
    log.info("%s 与已处理的第 %s 号文件内容相同，未重复处理", path.name, known["id"])
    return result


def _busy(result: FileResult, name: str) -> FileResult:
    """Another live process holds this file: leave it to that one, without an error."""
    result.status = "busy"
    result.message = "另一个程序正在处理内容相同的文件，本次未处理。"
    log.info("%s 正由另一个进程处理，留给它处理", name)
    return result


def process_paths(ctx: Context, paths: list[Path], now: datetime) -> RunSummary:
    """Process files (folders are expanded) as one run recorded in the ledger."""
    summary = RunSummary(now=now)
    run_id = ctx.ledger.start_run("process", now)
    summary.run_id = run_id
    for p in expand(paths):
        try:
            summary.files.append(process_file(ctx, p, now))
        except Exception as exc:  # one bad file never stops the others
            log.exception("处理 %s 时出错", Path(p).name)
            summary.files.append(
                FileResult(str(p), "rejected", rows=RowCounts(), message=f"处理失败：{exc}")
            )
    for hook in ctx.hooks:
        summary.warnings.extend(hook.warnings(ctx))
    ctx.ledger.finish_run(run_id, "done", summary.to_dict(limit=STORED_LIMIT), now)
    write_run_summary(ctx.ws, summary)
    return summary


def expand(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.is_file() and not is_ignorable(q)))
        else:
            out.append(p)
    return out


def write_run_summary(ws: Workspace, summary: RunSummary) -> Path:
    target = ws.runs / f"run-{summary.run_id or 0:06d}.json"
    atomic.write_text(target, json.dumps(summary.to_dict(limit=STORED_LIMIT), ensure_ascii=False, indent=2))
    return target
