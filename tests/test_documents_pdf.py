"""PDF copies through LibreOffice (background queue), checked page by page with poppler."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path

import pytest
from test_documents_render import NOW, sample_findings, sample_services

from toolkit.documents import issue_documents, issue_statement, pdf, wait_for_pdfs
from toolkit.ledger import Ledger
from toolkit.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent

from conftest import needs_office  # noqa: E402

pytestmark = [needs_office, pytest.mark.pdfs]


def pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def page_text(path: Path, page: int) -> str:
    return subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_pdf_and_png_for_every_document(tmp_path):
    pdf.take_warnings()
    ws = Workspace(tmp_path / "site")
    shutil.copytree(ROOT / "rules", ws.rules)
    shutil.copytree(ROOT / "templates", ws.templates)
    ws.ensure()
    ledger = Ledger(ws.db_url)
    findings = sample_findings()
    long = copy.deepcopy(findings["complaint_escalation"])
    long.record = "长表"
    first = long.values["complaints"][0]
    long.values["complaints"] = [dict(copy.deepcopy(first), 编号=f"TS-{i:03d}") for i in range(30)]
    paths = issue_documents(ws, ledger, [*findings.values(), long], NOW)
    paths.append(issue_statement(ws, ledger, "1-1-1201", "2026-09", sample_services(), NOW))
    assert wait_for_pdfs(timeout=280), "PDF conversion did not finish"
    assert not pdf.warnings()
    expected = {"投诉升级报告_3栋电梯停运": 2, "装修管理服务协议": 2}
    for docx in paths:
        target = docx.with_suffix(".pdf")
        assert target.exists(), docx.name
        want = next((n for key, n in expected.items() if key in docx.name), 1)
        if "长表" in docx.name:
            assert pages(target) >= 4
            # the header row repeats on the pages the table continues onto
            last = page_text(target, pages(target))
            assert "投诉编号" in last and "截止时间" in last
        else:
            assert pages(target) == want, docx.name
        png = tmp_path / "png" / docx.stem[:20]
        png.parent.mkdir(exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", str(target), str(png)],
            check=True,
        )
    pngs = list((tmp_path / "png").glob("*.png"))
    assert len(pngs) == len(paths)
    # no tofu: the Chinese text survives into the PDF with a CJK font embedded
    fonts = subprocess.run(
        ["pdffonts", str(paths[0].with_suffix(".pdf"))], capture_output=True, text=True
    ).stdout
    assert "CJK" in fonts
    assert "投诉升级报告" in page_text(paths[0].with_suffix(".pdf"), 1)
    ledger.close()


def _word_files(folder: Path, n: int) -> list[Path]:
    """``n`` real Word documents (the shipped templates, as they are)."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted((ROOT / "templates").glob("*.docx"))[:n]
    assert len(sources) == n
    return [Path(shutil.copyfile(src, folder / f"{i}_{src.name}")) for i, src in enumerate(sources)]


def _count_runs(monkeypatch) -> list[list[str]]:
    """The LibreOffice command lines the PDF worker starts (the runs themselves are real)."""
    runs: list[list[str]] = []
    guarded = pdf.children.guarded

    def counting(cmd: list[str]) -> list[str]:
        runs.append(cmd)
        return guarded(cmd)

    monkeypatch.setattr(pdf.children, "guarded", counting)
    return runs


def test_documents_queued_together_share_one_run_and_a_broken_one_is_named(tmp_path, monkeypatch):
    pdf.take_warnings()
    runs = _count_runs(monkeypatch)
    docs = _word_files(tmp_path / "drafts", 3)
    broken = tmp_path / "drafts" / "9_损坏的通知.docx"
    broken.write_bytes(docs[0].read_bytes()[:3000])  # a zip cut short: LibreOffice cannot open it
    docs.insert(1, broken)
    errors: dict[str, Exception | None] = {}
    for docx in docs:
        pdf.submit(docx, on_done=lambda error, name=docx.name: errors.__setitem__(name, error))
    assert wait_for_pdfs(timeout=120)
    assert len(runs) == 1 and sum(a.endswith(".docx") for a in runs[0]) == 4, runs
    for docx in docs:
        if docx is broken:
            assert not docx.with_suffix(".pdf").exists()
            assert errors[docx.name] is not None
        else:
            assert pages(docx.with_suffix(".pdf")) >= 1, docx.name
            assert errors[docx.name] is None, docx.name
    # the broken document alone is named, in the warning the run summary shows
    [warning] = pdf.take_warnings()
    assert warning.startswith("9_损坏的通知.docx: LibreOffice 未能生成 PDF"), warning


def test_a_document_stuck_past_the_timeout_is_named_and_libreoffice_killed(tmp_path, monkeypatch):
    import os

    import psutil

    pdf.take_warnings()
    runs = _count_runs(monkeypatch)
    # LibreOffice takes more than a second to start, so no PDF comes within 0.3 s: the
    # first document is given up, the second goes to a run of its own and is given up too.
    monkeypatch.setattr(pdf, "TIMEOUT_S", 0.3)
    docs = _word_files(tmp_path / "drafts", 2)
    for docx in docs:
        pdf.submit(docx)
    assert wait_for_pdfs(timeout=60)
    assert [sum(a.endswith(".docx") for a in cmd) for cmd in runs] == [2, 1]
    assert pdf.take_warnings() == [f"{d.name}: LibreOffice 转换 PDF 超时（0.3 秒），只保留 Word 文件" for d in docs]
    assert not any(d.with_suffix(".pdf").exists() for d in docs)
    left = [p for p in psutil.process_iter(["cmdline"])
            if f"toolkit-lo-{os.getpid()}-" in " ".join(p.info["cmdline"] or [])]
    assert not left, "LibreOffice outlived its timeout"
