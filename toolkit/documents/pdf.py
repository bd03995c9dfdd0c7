"""PDF copies of Word documents, made by LibreOffice in a background thread.

Intake never waits for LibreOffice: :func:`submit` queues a file and returns. The
worker uses its own LibreOffice profile (``-env:UserInstallation``) so it neither
collides with a desktop LibreOffice nor with another worker, and gives up on a file
after a timeout. No ``soffice`` on PATH is a warning, not a failure: the Word file is
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

TIMEOUT_S = 120

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
    global _pending
    profile = Path(tempfile.gettempdir()) / f"toolkit-lo-{os.getpid()}-{threading.get_ident()}"
    while True:
        docx, on_done = _jobs.get()
        error: Exception | None = None
        try:
            problem = _convert(docx, profile)
            if problem:
                _warn(problem)
                error = RuntimeError(problem)
        except Exception as exc:  # a worker must survive any single file
            _warn(f"{docx.name}: 生成 PDF 失败（{exc}）")
            error = exc
        finally:
            if on_done is not None:
                try:
                    on_done(error)
                except Exception:  # noqa: BLE001 - the ledger may be closed at exit
                    log.exception("PDF outcome not recorded for %s", docx.name)
            with _idle:
                _pending -= 1
                _idle.notify_all()


def _convert(docx: Path, profile: Path) -> str | None:
    """Make the PDF beside ``docx`` (wherever it has moved); a reason when it failed."""
    global _running
    with _lock:
        source = _where_now(docx)
    if not source.exists():
        return None  # voided or removed before its turn
    with tempfile.TemporaryDirectory(prefix=f"toolkit-pdf-{os.getpid()}-") as tmp:
        # Convert a copy: the original may be moved (approved) while LibreOffice works.
        work = Path(tmp) / ("in" + source.suffix)
        shutil.copyfile(source, work)
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
            tmp,
            str(work),
        ]
        # Own session under the guard: a timeout kills soffice.bin too, not just its
        # launcher script, and the guard kills them all if the toolkit dies.
        proc = subprocess.Popen(
            children.guarded(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True, env=children.child_env(),
        )
        with _lock:
            _running = proc
        try:
            if crash.wanted("mid_pdf"):  # tests: die while LibreOffice works
                time.sleep(3)
                crash.point("mid_pdf")
            out, err = proc.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            _kill(proc)
            return f"{source.name}: LibreOffice 转换 PDF 超时（{TIMEOUT_S} 秒），只保留 Word 文件"
        finally:
            with _lock:
                _running = None
        produced = Path(tmp) / "in.pdf"
        if proc.returncode != 0 or not produced.exists():
            detail = (err or out or b"").decode("utf-8", "replace").strip()[:200]
            return f"{source.name}: LibreOffice 未能生成 PDF（{detail or proc.returncode}）"
        with _lock:  # the document may have moved meanwhile: put the PDF beside it
            current = _where_now(docx)
            if current.exists():
                # staged under a name with our PID: a full disk leaves nothing behind
                # that the start-up sweep does not remove
                with atomic.atomic_path(current.with_suffix(".pdf")) as staged:
                    shutil.copyfile(produced, staged)
    return None


def _kill(proc: subprocess.Popen) -> None:
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except OSError:
        pass
    proc.communicate()
