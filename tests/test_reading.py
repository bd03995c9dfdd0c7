"""Reading real files into Workbooks: xlsx, xls, ods and CSV, and refusing bad ones."""

from __future__ import annotations

import shutil
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from helpers_files import CORPUS, make_xlsx, patch_member, read_in_child

from toolkit import reading, safety
from toolkit.model import ErrorValue, NoCachedValue, UnreadableFile
from toolkit.reading import read_workbook
from toolkit.safety import check_zip, is_ignorable, sniff_format

LIBREOFFICE = CORPUS / "wild" / "libreoffice"
HEADER = ["单号", "房号", "报修人", "联系电话", "报修时间", "维修内容"]


def refused(path: Path) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as info:
        read_workbook(path)
    assert info.value.message and any("\u4e00" <= ch <= "\u9fff" for ch in info.value.message)
    return info.value


# --- xlsx built here ---------------------------------------------------------------


def test_header_under_merged_title_keeps_true_row_numbers(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "r.xlsx", {
        1: ["某某物业报修登记表"],
        3: HEADER,
        4: ["BX-1", "1-1-101", "张三", 13800000000, datetime(2026, 11, 20, 9, 30), "漏水"],
    }, merged=["A1:F1"])
    wb = read_workbook(path)
    assert wb.format == "xlsx" and wb.notes == []
    sheet = wb.sheets[0]
    assert sheet.name == "登记"
    assert [n for n, _ in sheet.rows] == [1, 3, 4]
    assert sheet.rows[1][1] == HEADER
    assert sheet.rows[2][1] == ["BX-1", "1-1-101", "张三", 13800000000, datetime(2026, 11, 20, 9, 30), "漏水"]
    assert sheet.merged == [(1, 1, 1, 6)]


def test_leading_empty_rows_and_columns_are_not_shifted(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "r.xlsx", {7: ["单号", "房号"], 8: ["BX-1", "1-1"]}, start_col=3)
    sheet = read_workbook(path).sheets[0]
    assert sheet.rows == [(7, [None, None, "单号", "房号"]), (8, [None, None, "BX-1", "1-1"])]


def test_error_cells_and_uncached_formulas_are_flagged(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "r.xlsx", {
        1: ["单号", "金额", "合计"],
        2: ["BX-1", "#DIV/0!", "=1+1"],
        3: ["BX-2", "#N/A", "=SUM(B2:B3)"],
    })
    rows = dict(read_workbook(path).sheets[0].rows)
    assert rows[2] == ["BX-1", ErrorValue("#DIV/0!"), NoCachedValue("1+1")]
    assert rows[3] == ["BX-2", ErrorValue("#N/A"), NoCachedValue("SUM(B2:B3)")]


def test_formula_with_cached_value_reads_the_value(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "r.xlsx", {1: ["a", "=1+1"]})
    patch_member(path, "xl/worksheets/sheet1.xml", lambda x: x.replace(b"<v></v>", b"<v>2</v>"))
    assert read_workbook(path).sheets[0].rows == [(1, ["a", 2])]


def test_dates_numbers_and_booleans(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "r.xlsx", {1: [date(2026, 11, 23), 3.25, 80, True, "  空格 "]})
    values = read_workbook(path).sheets[0].rows[0][1]
    assert isinstance(values[0], (date, datetime)) and values[0].timetuple()[:3] == (2026, 11, 23)
    assert values[1:4] == [3.25, 80, True]
    assert type(values[2]) is int
    assert values[4].strip() == "空格"


def test_trailing_formatting_rows_are_dropped(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "r.xlsx", {1: HEADER, 2: ["BX-1"]}, formatted_rows=range(10, 3000))
    assert [n for n, _ in read_workbook(path).sheets[0].rows] == [1, 2]


def test_too_many_cells_is_refused(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "r.xlsx", {r: ["a", "b", "c"] for r in range(1, 11)})
    with pytest.raises(UnreadableFile) as info:
        read_workbook(path, max_cells=20)
    assert info.value.code == "file.too_many_cells"


def test_far_away_cell_does_not_blow_up_the_reader(tmp_path: Path) -> None:
    """A1 plus XFD1048576 makes calamine allocate 17 billion cells and abort the process."""
    path = make_xlsx(tmp_path / "far.xlsx", {1: ["单号"]})
    patch_member(path, "xl/worksheets/sheet1.xml", lambda x: x.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>z</t></is></c></row></sheetData>'))
    result = read_in_child(path)
    assert result["status"] in ("ok", "refused"), result
    if result["status"] == "ok":
        assert result["sheets"][0]["rows"] == [1, 1048576]


def test_escaped_escape_reads_back_as_literal_text() -> None:
    sheet = read_workbook(CORPUS / "hostile" / "control-chars-escaped.xlsx").sheets[0]
    texts = [v for _, row in sheet.rows for v in row if isinstance(v, str)]
    assert any(t.startswith("_x0001_ (an escaped escape") for t in texts)


def test_strict_ooxml_reads_sheets() -> None:
    wb = read_workbook(CORPUS / "wild" / "calamine" / "strict_iso_paths.xlsx")
    assert wb.sheets and sum(len(s.rows) for s in wb.sheets) > 50


def test_1904_dates() -> None:
    rows = read_workbook(CORPUS / "wild" / "calamine" / "date_1904.xlsx").sheets[0].rows
    assert rows[0][1][0] == date(2021, 1, 1)


# --- the same register in every format -------------------------------------------------


def _normalised(path: Path) -> list[list[str]]:
    """Values as text, dates as 'YYYY-MM-DD HH:MM', so formats can be compared."""
    out = []
    for _, values in read_workbook(path).sheets[0].rows:
        row = []
        for v in values:
            if isinstance(v, datetime):
                v = v.strftime("%Y-%m-%d %H:%M")
            elif isinstance(v, str) and len(v) >= 16 and v[4] == "-":
                v = datetime.strptime(v, "%Y-%m-%d %H:%M:%S").strftime("%Y-%m-%d %H:%M")
            row.append("" if v is None else str(v))
        out.append(row)
    return out


def test_libreoffice_register_reads_the_same_in_every_format() -> None:
    reference = _normalised(LIBREOFFICE / "报修登记表-libreoffice.xlsx")
    assert reference[0][:6] == HEADER and len(reference) == 41
    for name in ("报修登记表.xls", "报修登记表.ods", "报修登记表-utf8.csv",
                 "报修登记表-utf8-bom.csv", "报修登记表-gbk.csv"):
        assert _normalised(LIBREOFFICE / name) == reference, name


def test_libreoffice_formats_and_notes() -> None:
    assert read_workbook(LIBREOFFICE / "报修登记表.xls").format == "xls"
    assert read_workbook(LIBREOFFICE / "报修登记表.ods").format == "ods"
    gbk = read_workbook(LIBREOFFICE / "报修登记表-gbk.csv")
    assert gbk.format == "csv" and "按 GBK 编码读取" in gbk.notes
    assert isinstance(read_workbook(LIBREOFFICE / "报修登记表.xls").sheets[0].rows[1][1][4], datetime)


# --- CSV built here ---------------------------------------------------------------------


def test_csv_gbk_and_utf8_bom(tmp_path: Path) -> None:
    text = "单号,房号,报修人\r\nBX-1,1-1-101,张三\r\n,,\r\nBX-2,1-1-102,李四\r\n"
    (tmp_path / "g.csv").write_bytes(text.encode("gbk"))
    (tmp_path / "u.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    for name, note in (("g.csv", "按 GBK 编码读取"), ("u.csv", "按 UTF-8（带 BOM）编码读取")):
        wb = read_workbook(tmp_path / name)
        assert note in wb.notes
        assert wb.sheets[0].rows == [(1, ["单号", "房号", "报修人"]), (2, ["BX-1", "1-1-101", "张三"]),
                                     (4, ["BX-2", "1-1-102", "李四"])]


def test_csv_utf16_tab_and_semicolon(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_bytes("单号\t房号\nBX-1\t1-1\n".encode("utf-16"))
    (tmp_path / "s.csv").write_text("单号;房号;金额\nBX-1;1-1;1,5\n", encoding="utf-8")
    assert read_workbook(tmp_path / "t.csv").sheets[0].rows[1] == (2, ["BX-1", "1-1"])
    assert read_workbook(tmp_path / "s.csv").sheets[0].rows[1] == (2, ["BX-1", "1-1", "1,5"])


def test_csv_values_stay_text(tmp_path: Path) -> None:
    (tmp_path / "z.csv").write_text("房号,电话\n0101,013800000000\n", encoding="utf-8")
    assert read_workbook(tmp_path / "z.csv").sheets[0].rows[1][1] == ["0101", "013800000000"]


def test_csv_mixed_encoding_names_the_line(tmp_path: Path) -> None:
    data = "单号,报修人\nBX-1,张三\n".encode() + "BX-2,李四\n".encode("gbk")
    (tmp_path / "m.csv").write_bytes(data)
    err = refused(tmp_path / "m.csv")
    assert err.code == "csv.mixed_encoding" and "第 3 行" in err.message
    err = refused(CORPUS / "hostile" / "mixed-utf8-gbk.csv")
    assert err.code == "csv.mixed_encoding" and "第 3 行" in err.message


# --- sniffing, refusing, ignoring ------------------------------------------------------------


def test_renamed_files_are_read_by_content(tmp_path: Path) -> None:
    shutil.copy(LIBREOFFICE / "报修登记表.xls", tmp_path / "a.xlsx")
    shutil.copy(LIBREOFFICE / "报修登记表-libreoffice.xlsx", tmp_path / "b.xls")
    shutil.copy(LIBREOFFICE / "报修登记表.ods", tmp_path / "c.xlsx")
    for name, fmt in (("a.xlsx", "xls"), ("b.xls", "xlsx"), ("c.xlsx", "ods")):
        wb = read_workbook(tmp_path / name)
        assert wb.format == fmt and wb.sheets[0].rows[0][1][:6] == HEADER
        assert any("扩展名" in n for n in wb.notes)


def test_text_named_xlsx_is_read_as_csv() -> None:
    wb = read_workbook(CORPUS / "hostile" / "plain-text-named-xlsx.xlsx")
    assert wb.format == "csv" and any("按 CSV 读取" in n for n in wb.notes)
    assert wb.sheets[0].rows[0][1] == ["单号", "房号"]


@pytest.mark.parametrize("name, code", [
    ("zero-bytes.xlsx", "file.empty"),
    ("html-saved-as.xls", "file.html"),
    ("truncated-zip.xlsx", "file.corrupt"),
    ("billion-laughs.xlsx", "file.xml_entities"),
    ("inflates-to-1gb.xlsx", "file.zip_bomb"),
    ("inflates-to-500mb-of-cells.xlsx", "file.zip_bomb"),
    ("declared-size-lies.xlsx", "file.zip_bomb"),
    ("~$报修登记表.xlsx", "file.lock_file"),
])
def test_hostile_files_are_refused(name: str, code: str) -> None:
    assert refused(CORPUS / "hostile" / name).code == code


def test_html_message_tells_staff_what_to_do() -> None:
    err = refused(CORPUS / "hostile" / "html-saved-as.xls")
    assert err.message == "这是网页（HTML）文件，不是 Excel 工作簿；请在 Excel 中另存为 .xlsx 后再放入收件箱"


@pytest.mark.parametrize("rel", [
    "wild/calamine/pass_protected.xlsx", "wild/calamine/pass_protected.ods",
    "wild/python-calamine/password.xls", "wild/poi/spreadsheet/xor-encryption-abc.xls",
    "wild/excelize/encryptAES.xlsx", "wild/poi/document/bug53475-password-is-pass.docx",
])
def test_encrypted_files_are_named_as_such(rel: str) -> None:
    with pytest.raises(UnreadableFile) as info:
        sniff_format(CORPUS / rel)
    assert info.value.code == "file.encrypted" and "密码" in info.value.message


def test_sniff_format_by_content() -> None:
    assert sniff_format(CORPUS / "hostile" / "renamed-xls-as-xlsx.xlsx") == "xls"
    assert sniff_format(CORPUS / "hostile" / "renamed-xlsx-as-xls.xls") == "xlsx"
    assert sniff_format(CORPUS / "hostile" / "html-saved-as.xls") == "html"
    assert sniff_format(CORPUS / "wild" / "docxtpl" / "order_tpl.docx") == "docx"
    assert sniff_format(LIBREOFFICE / "报修登记表.ods") == "ods"
    assert sniff_format(LIBREOFFICE / "报修登记表-gbk.csv") == "csv"
    assert sniff_format(CORPUS / "wild" / "poi" / "spreadsheet" / "SampleSS.strict.xlsx") == "xlsx"


def test_check_zip_refuses_bombs_quickly() -> None:
    for name in ("inflates-to-1gb.xlsx", "declared-size-lies.xlsx", "billion-laughs.xlsx"):
        with pytest.raises(UnreadableFile):
            check_zip(CORPUS / "hostile" / name)
    assert check_zip(LIBREOFFICE / "报修登记表-libreoffice.xlsx") is None


@pytest.mark.parametrize("chunk", [37, 1 << 20])  # 37 bytes: references split across chunks
def test_used_range_bound_follows_the_largest_row_wherever_it_is_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    monkeypatch.setattr(safety, "CHUNK", chunk)
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c><c r="B{r}"><v>2</v></c></row>' for r in range(1, 200))

    def scan(extra: str) -> safety.PartScan:
        path = tmp_path / "s.xlsx"
        xml = f'<worksheet xmlns="x"><sheetData>{rows}<row r="200">{extra}</row></sheetData></worksheet>'
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("xl/worksheets/sheet1.xml", xml)
        return safety.scan_zip(path).parts["xl/worksheets/sheet1.xml"]

    def bound(extra: str) -> int:
        part = scan(extra)
        # Tags cut at a chunk's end may count as cells without a reference: a bound only
        # ever too large then; whole chunks give it exactly.
        assert part.area_bound() >= part.max_row_ref * max(26, part.wide_cols)
        return part.max_row_ref * max(26, part.wide_cols) if chunk < 100 else part.area_bound()

    # Rows 1..200, columns A..Z at least: 200 × 26 = 5,200.
    assert bound('<c r="C200"><v>1</v></c>') == 5_200
    # A cell written in a row below its <row r>: the cell's row counts (98,765 × 26 = 2,567,890).
    assert bound('<c r="C200"/><c r="D98765"><v>1</v></c>') == 2_567_890
    # As many digits as the largest row so far, but larger: 950 × 26 = 24,700.
    assert bound('<c r="E950"><v>1</v></c>') == 24_700
    # Leading zeros make more digits, not a larger row: 150 < 200.
    assert bound('<c r="F0000150"><v>1</v></c>') == 5_200
    # Three-letter columns: AAA is column 703 (26 + 26 × 26 + 1): 200 × 703 = 140,600.
    assert bound('<c r="AAA200"><v>1</v></c>') == 140_600


def test_cells_above_a_row_are_found_by_one_pattern() -> None:
    for n in (0, 9, 10, 99, 100, 199, 909, 1_048_576):
        above = safety._above_re(n)
        for m in {*range(0, 1200), *range(max(n - 50, 0), n + 50), 10 * n, 10 * n + 9}:
            assert bool(above.search(b'<c r="AB%d">' % m)) == (m > n), (n, m)


def test_word_document_is_refused() -> None:
    assert refused(CORPUS / "wild" / "docxtpl" / "order_tpl.docx").code == "file.not_spreadsheet"


@pytest.mark.parametrize("name, skip", [
    ("~$报修登记表.xlsx", True), (".~lock.登记表.xlsx#", True), ("~WRL1234.tmp", True),
    ("abc.tmp", True), (".DS_Store", True), ("报修登记表.xlsx", False), ("登记表.csv", False),
])
def test_is_ignorable(name: str, skip: bool) -> None:
    assert is_ignorable(Path(name)) is skip


def test_child_timeout_becomes_a_clear_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "CHILD_TIMEOUT", 0.001)
    err = refused(LIBREOFFICE / "报修登记表.xls")
    assert err.code == "file.timeout"


def test_rows_are_trimmed_and_converted_in_one_pass(tmp_path: Path) -> None:
    """Blank strings are empty cells, a row of them is no row, trailing empty cells are
    dropped, whole numbers are ints, a duration under a day is a time of day, longer is text."""
    from datetime import time, timedelta

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["B2"], ws["C2"], ws["E2"] = "单号", "", ""
    ws["B3"], ws["D3"] = "", ""  # nothing visible: not a row
    ws["B4"], ws["C4"], ws["D4"] = 2.0, timedelta(hours=8, minutes=30), timedelta(hours=26, minutes=5)
    ws["C4"].number_format = ws["D4"].number_format = "[h]:mm:ss"
    ws["E4"] = 2.5
    wb.save(tmp_path / "r.xlsx")
    rows = read_workbook(tmp_path / "r.xlsx").sheets[0].rows
    assert rows == [(2, [None, "单号"]), (4, [None, 2, time(8, 30), "26:05:00", 2.5])]
    assert type(rows[1][1][1]) is int
