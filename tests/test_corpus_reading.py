"""Every corpus file is read or refused cleanly: no other exception, crash, hang or blow-up.

Each file is read in its own process under a 1 GB address-space limit and a 20 s timeout.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers_files import CORPUS, read_in_child

if not (CORPUS / "hostile").is_dir() or not (CORPUS / "wild").is_dir():
    raise RuntimeError(f"corpus not found at {CORPUS}: the reading tests need ../shared/corpus")

FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix not in (".md", ".py"))
ALLOWED_TYPES = {"str", "int", "float", "bool", "datetime", "date", "time", "ErrorValue",
                 "NoCachedValue", "NoneType"}

# What specific files must come back as: ("ok", format) or ("refused", code).
EXPECTED = {
    "hostile/zero-bytes.xlsx": ("refused", "file.empty"),
    "hostile/inflates-to-1gb.xlsx": ("refused", "file.zip_bomb"),
    "hostile/inflates-to-500mb-of-cells.xlsx": ("refused", "file.zip_bomb"),
    "hostile/declared-size-lies.xlsx": ("refused", "file.zip_bomb"),
    "hostile/billion-laughs.xlsx": ("refused", "file.xml_entities"),
    "hostile/html-saved-as.xls": ("refused", "file.html"),
    "hostile/mixed-utf8-gbk.csv": ("refused", "csv.mixed_encoding"),
    "hostile/truncated-zip.xlsx": ("refused", "file.corrupt"),
    "hostile/renamed-xls-as-xlsx.xlsx": ("ok", "xls"),
    "hostile/renamed-xlsx-as-xls.xls": ("ok", "xlsx"),
    "hostile/plain-text-named-xlsx.xlsx": ("ok", "csv"),
    "hostile/dimension-claims-a-million-rows.xlsx": ("ok", "xlsx"),
    "hostile/control-chars-raw-invalid-xml.xlsx": ("ok", "xlsx"),
    "hostile/bad-style-index.xlsx": ("ok", "xlsx"),
    "hostile/sheet-name-illegal-chars.xlsx": ("ok", "xlsx"),
    "hostile/formula-injection.csv": ("ok", "csv"),
    "wild/calamine/strict_iso_paths.xlsx": ("ok", "xlsx"),
    "wild/poi/spreadsheet/SampleSS.strict.xlsx": ("ok", "xlsx"),
    "wild/sheetjs/sheet_visibility_strict.xlsx": ("ok", "xlsx"),
    "wild/calamine/pass_protected.xlsx": ("refused", "file.encrypted"),
    "wild/poi/spreadsheet/xor-encryption-abc.xls": ("refused", "file.encrypted"),
    "wild/poi/spreadsheet/poc-xmlbomb.xlsx": ("refused", "file.xml_entities"),
    "wild/poi/spreadsheet/xlmmacro.xlsm": ("ok", "xlsx"),
    "wild/poi/spreadsheet/xlsx-corrupted.xlsx": ("ok", "xlsx"),
    "wild/sheetjs/large_strings.xlsx": ("ok", "xlsx"),
    "wild/libreoffice/报修登记表.xls": ("ok", "xls"),
    "wild/libreoffice/报修登记表.ods": ("ok", "ods"),
    "wild/libreoffice/报修登记表-gbk.csv": ("ok", "csv"),
}


def _id(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()


def test_corpus_is_complete() -> None:
    assert len(FILES) >= 180, f"only {len(FILES)} corpus files under {CORPUS}"
    missing = [rel for rel in EXPECTED if not (CORPUS / rel).is_file()]
    assert not missing


@pytest.mark.timeout(60)
@pytest.mark.parametrize("path", FILES, ids=_id)
def test_corpus_file_is_read_or_refused(path: Path) -> None:
    result = read_in_child(path)
    assert result["status"] in ("ok", "refused"), result
    if result["status"] == "refused":
        assert result["code"] and any("\u4e00" <= ch <= "\u9fff" for ch in result["message"])
    else:
        assert result["sheets"], "a workbook without sheets must be refused"
        for sheet in result["sheets"]:
            rows = sheet["rows"]
            assert rows == sorted(set(rows)) and all(1 <= r <= 1_048_576 for r in rows)
            assert sheet["width"] <= 16_384
            assert set(sheet["types"]) <= ALLOWED_TYPES
    expected = EXPECTED.get(_id(path))
    if expected:
        status, what = expected
        assert result["status"] == status, result
        assert result.get("format" if status == "ok" else "code") == what, result


def test_dimension_claiming_a_million_rows_reads_three_rows() -> None:
    result = read_in_child(CORPUS / "hostile" / "dimension-claims-a-million-rows.xlsx")
    assert result["sheets"][0]["rows"] == [1, 2, 3]
    assert result["sheets"][0]["first"][:2] == ["单号", "房号"]


def test_out_of_range_cell_refs_never_pad() -> None:
    result = read_in_child(CORPUS / "hostile" / "cell-refs-out-of-range.xlsx")
    assert result["status"] in ("ok", "refused")
    if result["status"] == "ok":
        assert all(max(s["rows"], default=0) < 1_048_577 for s in result["sheets"])
        assert sum(len(s["rows"]) for s in result["sheets"]) < 10


def test_renamed_files_read_the_register() -> None:
    for name in ("renamed-xls-as-xlsx.xlsx", "renamed-xlsx-as-xls.xls"):
        result = read_in_child(CORPUS / "hostile" / name)
        assert result["status"] == "ok" and result["sheets"][0]["first"][:3] == ["单号", "房号", "报修人"]
        assert any("扩展名" in n for n in result["notes"])


def test_strict_ooxml_is_never_empty() -> None:
    for rel in ("wild/calamine/strict_iso_paths.xlsx", "wild/poi/spreadsheet/SampleSS.strict.xlsx",
                "wild/sheetjs/sheet_visibility_strict.xlsx"):
        result = read_in_child(CORPUS / rel)
        assert result["status"] == "ok" and any(s["rows"] for s in result["sheets"]), rel


def test_lock_files_are_refused_as_lock_files() -> None:
    for name in ("~$报修登记表.xlsx", "~$登记表.xlsx", ".~lock.报修登记表.xlsx#", ".~lock.登记表.xlsx#"):
        result = read_in_child(CORPUS / "hostile" / name)
        assert result == {**result, "status": "refused", "code": "file.lock_file"}
