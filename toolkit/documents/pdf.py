"""PDF copies of Word documents, made by LibreOffice in a background thread.

Intake never waits for LibreOffice: :func:`submit` queues a file and returns. The
worker uses its own LibreOffice profile (``-env:UserInstallation``) so it neither
collides with a desktop LibreOffice nor with another worker, and gives up on a file
after a timeout. Documents queued together (the drafts of one run) are converted in one
LibreOffice run: starting LibreOffice costs about a second of processor time, converting
a notice a tenth of that. Each document still has its own outcome and warning. No ``soffice`` on PATH is a warning, not a failure: the Word file is
the document. Call :func:`wait_for_pdfs` before the process exits (the CLI) or before
checking results (tests).

Each PDF is an outbox intent (documents/intents.py): ``on_done`` reports the outcome,
and a PDF not made when the process stops is made by the next one. LibreOffice runs
under the child guard (children.py), so it dies with the toolkit, and :func:`shutdown`
kills a conversion in progress when the watcher stops.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .. import atomic, children, crash

log = logging.getLogger("toolkit")

TIMEOUT_S = 120  # a document not converted this long after the one before it is given up
GATHER_S = 0.2  # documents queued this close together share one LibreOffice run
BATCH_MAX = 50

_lock = threading.RLock()  # guards moves of a document and its PDF
Done = Callable[[Exception | None], None]
_jobs: queue.Queue[tuple[Path, Done | None]] = queue.Queue()
_running: subprocess.Popen | None = None  # the conversion in progress
_pending = 0
_idle = threading.Condition(_lock)
_worker: threading.Thread | None = None
_moved: dict[Path, Path] = {}  # a docx moved while its PDF was being made
_warnings: list[str] = []


def switched_off() -> bool:
    """Word files only, by choice (TOOLKIT_PDF=off)."""
    return os.environ.get("TOOLKIT_PDF", "").lower() == "off"


def soffice() -> str | None:
    if switched_off():
        return None
    return shutil.which("soffice") or shutil.which("libreoffice")


def submit(docx: Path, on_done: Done | None = None) -> bool:
    """Queue ``docx`` for conversion; False (and a warning) when LibreOffice is missing.

    ``on_done(error)`` is called from the worker thread when the conversion ends
    (``error`` None on success)."""
    global _pending, _worker
    if soffice() is None:
        if not switched_off():  # chosen, not missing: nothing to warn about
            _warn("未找到 LibreOffice（soffice），只生成 Word 文件，不生成 PDF")
        return False
    with _lock:
        _pending += 1
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_run, name="pdf-worker", daemon=True)
            _worker.start()
    _jobs.put((Path(docx), on_done))
    return True


def shutdown() -> None:
    """Kill the conversion in progress (its PDF is made by the next run)."""
    with _lock:
        proc = _running
    if proc is not None and proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass


def wait_for_pdfs(timeout: float | None = None) -> bool:
    """Block until every queued conversion is done; False if ``timeout`` ran out first."""
    deadline = None if timeout is None else time.monotonic() + timeout
    with _idle:
        while _pending:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            _idle.wait(left)
    return True


def warnings() -> list[str]:
    """Warnings so far (missing LibreOffice, failed conversions), for the run summary."""
    with _lock:
        return list(_warnings)


def take_warnings() -> list[str]:
    """Warnings so far, cleared: one run summary reports each warning once."""
    with _lock:
        out = list(_warnings)
        _warnings.clear()
        return out


def move_with_pdf(docx: Path, target_docx: Path) -> None:
    """Move a document and its PDF (now or when its conversion finishes) together."""
    with _lock:
        target_docx.parent.mkdir(parents=True, exist_ok=True)
        if docx.exists():
            os.replace(docx, target_docx)
        pdf = docx.with_suffix(".pdf")
        if pdf.exists():
            os.replace(pdf, target_docx.with_suffix(".pdf"))
        _moved[docx] = target_docx


def _where_now(docx: Path) -> Path:
    seen = set()
    while docx in _moved and docx not in seen:
        seen.add(docx)
        docx = _moved[docx]
    return docx


def _warn(message: str) -> None:
    with _lock:
        if message not in _warnings:
            _warnings.append(message)
            log.warning(message)


def _run() -> None:
    profile = Path(tempfile.gettempdir()) / f"toolkit-lo-{os.getpid()}-{threading.get_ident()}"
    backlog: list[tuple[Path, Done | None]] = []  # not reached by a run that was stopped
    while True:
        batch, backlog = backlog[:BATCH_MAX], backlog[BATCH_MAX:]
        if not batch:
            batch.append(_jobs.get())
        # Documents queued together (one run's drafts) go to one LibreOffice run:
        # starting LibreOffice costs about a second of processor time per run.
        while len(batch) < BATCH_MAX:
            try:
                batch.append(_jobs.get(timeout=GATHER_S))
            except queue.Empty:
                break
        try:
            outcomes = _convert([docx for docx, _ in batch], profile)
        except Exception as exc:  # a worker must survive any batch
            outcomes = [exc] * len(batch)
        for (docx, on_done), outcome in zip(batch, outcomes, strict=True):
            if outcome is _AGAIN:
                backlog.append((docx, on_done))
            else:
                _finish(docx, on_done, outcome)


def _finish(docx: Path, on_done: Done | None, outcome: str | Exception | None) -> None:
    """Report one document's outcome: a warning naming it when it has no PDF."""
    global _pending
    error: Exception | None = None
    if isinstance(outcome, Exception):
        _warn(f"{docx.name}: 生成 PDF 失败（{outcome}）")
        error = outcome
    elif outcome:
        _warn(outcome)
        error = RuntimeError(outcome)
    try:
        if on_done is not None:
            on_done(error)
    except Exception:  # noqa: BLE001 - the ledger may be closed at exit
        log.exception("PDF outcome not recorded for %s", docx.name)
    finally:
        with _idle:
            _pending -= 1
            _idle.notify_all()


_AGAIN = object()  # not tried: LibreOffice was stopped on a document before it


def _convert(docxs: list[Path], profile: Path) -> list[str | Exception | None | object]:
    """Make the PDF beside each document (wherever it has moved) in one LibreOffice run.

    One outcome per document: None (made, or the document is gone), the reason it has
    no PDF, or ``_AGAIN``. LibreOffice converts its files in order and writes each PDF
    when that file is done, so a run with no new PDF for ``TIMEOUT_S`` is stuck on the
    file after the last PDF: that file is given up, the files after it go to the next run.
    """
    global _running
    outcomes: list[str | Exception | None | object] = [None] * len(docxs)
    with tempfile.TemporaryDirectory(prefix=f"toolkit-pdf-{os.getpid()}-") as tmp:
        outdir = Path(tmp) / "out"
        work: list[tuple[int, str, Path]] = []  # (index, document's name, copy converted)
        for i, docx in enumerate(docxs):
            with _lock:
                source = _where_now(docx)
            if not source.exists():
                continue  # voided or removed before its turn
            # Convert a copy: the original may be moved (approved) while LibreOffice works.
            copy = Path(tmp) / f"in{i}{source.suffix}"
            try:
                shutil.copyfile(source, copy)
            except OSError as exc:
                outcomes[i] = exc
                continue
            work.append((i, source.name, copy))
        if not work:
            return outcomes
        cmd = [
            soffice() or "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            *(str(copy) for _, _, copy in work),
        ]
        said = Path(tmp) / "soffice.txt"
        with open(said, "wb") as out:
            # Own session under the guard: a timeout kills soffice.bin too, not just its
            # launcher script, and the guard kills them all if the toolkit dies.
            proc = subprocess.Popen(
                children.guarded(cmd), stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True, env=children.child_env(),
            )
        with _lock:
            _running = proc
        pdfs = [outdir / f"{copy.stem}.pdf" for _, _, copy in work]
        try:
            if crash.wanted("mid_pdf"):  # tests: die while LibreOffice works
                time.sleep(3)
                crash.point("mid_pdf")
            stuck = not _wait_making_progress(proc, pdfs)
        finally:
            with _lock:
                _running = None
        if stuck:
            _kill(proc)
        made = [_complete(p) for p in pdfs]
        last = max((k for k, ok in enumerate(made) if ok), default=-1)
        text = said.read_bytes().decode("utf-8", "replace")
        errors = "；".join(dict.fromkeys(
            line.strip() for line in text.splitlines() if line.startswith("Error")))[:200]
        for k, (i, name, _) in enumerate(work):
            if made[k]:
                try:
                    _place(docxs[i], pdfs[k])
                except OSError as exc:
                    outcomes[i] = exc
            elif stuck and k == last + 1:
                outcomes[i] = f"{name}: LibreOffice 转换 PDF 超时（{TIMEOUT_S} 秒），只保留 Word 文件"
            elif stuck and k > last:
                outcomes[i] = _AGAIN
            else:
                outcomes[i] = f"{name}: LibreOffice 未能生成 PDF（{errors or proc.returncode}）"
    return outcomes


def _wait_making_progress(proc: subprocess.Popen, pdfs: list[Path]) -> bool:
    """Wait for LibreOffice to end; False when no new PDF came for ``TIMEOUT_S``."""
    deadline, seen = time.monotonic() + TIMEOUT_S, 0
    while True:
        try:
            proc.wait(timeout=0.25)
            return True
        except subprocess.TimeoutExpired:
            pass
        now = time.monotonic()
        count = sum(p.exists() for p in pdfs)
        if count > seen:
            deadline, seen = now + TIMEOUT_S, count
        elif now >= deadline:
            return False


def _complete(pdf: Path) -> bool:
    """A whole PDF: it ends with the end-of-file marker (a killed run may leave half of one)."""
    try:
        with open(pdf, "rb") as fh:
            fh.seek(max(pdf.stat().st_size - 1024, 0))
            return b"%%EOF" in fh.read()
    except OSError:
        return False


def _place(docx: Path, produced: Path) -> None:
    with _lock:  # the document may have moved meanwhile: put the PDF beside it
        current = _where_now(docx)
        if current.exists():
            # staged under a name with our PID: a full disk leaves nothing behind
            # that the start-up sweep does not remove
            with atomic.atomic_path(current.with_suffix(".pdf")) as staged:
                shutil.copyfile(produced, staged)


def _kill(proc: subprocess.Popen) -> None:
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except OSError:
        pass
    proc.communicate()
    # SIGKILL is delivered at once but a big process takes a moment to go: wait until
    # none of the group is left but the dead (left for whoever reaps orphans), so the
    # next run does not find the profile still held.
    deadline = time.monotonic() + 10
    while _alive_in_group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def _alive_in_group(group: int) -> bool:
    """Some process of ``group`` still running (Linux's /proc; elsewhere: no)."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return False
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] not in (b"Z", b"X"):
            return True
    return False
