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
