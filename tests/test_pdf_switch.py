"""PDFs switched off by choice are not reported as LibreOffice missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.documents import pdf


def test_switched_off_is_no_warning_and_missing_is_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    docx = tmp_path / "a.docx"
    docx.write_bytes(b"")
    pdf.take_warnings()
    monkeypatch.setenv("TOOLKIT_PDF", "off")
    assert pdf.submit(docx) is False
    assert pdf.take_warnings() == []
    monkeypatch.delenv("TOOLKIT_PDF")
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice anywhere on it
    assert pdf.submit(docx) is False
    assert pdf.take_warnings() == ["未找到 LibreOffice（soffice），只生成 Word 文件，不生成 PDF"]
