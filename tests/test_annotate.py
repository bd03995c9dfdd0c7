"""The annotated copy on real files: styled originals, hostile files and plain data."""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import CORPUS, REPAIR_HEADERS, repair_rows
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.worksheet.worksheet import Worksheet

from toolkit.annotate import FALLBACK_NOTE, HEADER_ROW, ISSUES_TITLE, MARK, write_annotated_copy
from toolkit.model import CellError, ErrorValue, NoCachedValue, RawSheet, Workbook

RED = "FFFFC7CE"


# --- helpers ------------------------------------------------------------------------


def read_raw(path: Path, max_rows: int = 100_000) -> Workbook:
    """Values with their true row numbers, read with openpyxl read-only mode."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheets = []
    for ws in wb.worksheets:
        rows: list[tuple[int, list[Any]]] = []
        for r, values in enumerate(ws.iter_rows(values_only=True), 1):
            if r > max_rows:
                break
            if any(v is not None for v in values):
                rows.append((r, list(values)))
        sheets.append(RawSheet(ws.title, rows))
    wb.close()
    return Workbook(str(path), "xlsx", sheets)


def issue_rows(ws: Worksheet) -> list[list[Any]]:
    return [list(r) for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]


def heading_text(ws: Worksheet) -> str:
    return " ".join(str(ws.cell(r, 1).value or "") for r in range(1, HEADER_ROW))


def link_target(wb: openpyxl.Workbook, ws: Worksheet, row: int) -> tuple[str, str] | None:
    """(sheet title, coordinate) the 单元格 link of an issue row points at; checks it resolves."""
    link = ws.cell(row, 5).hyperlink
    if link is None:
        return None
    assert link.location and not link.target, "an internal link, not a file link"
    sheet_part, coord = link.location.rsplit("!", 1)
    title = sheet_part[1:-1].replace("''", "'") if sheet_part.startswith("'") else sheet_part
    assert title in wb.sheetnames
    coordinate_from_string(coord)  # raises if malformed
    return title, coord


def is_red(cell: Any) -> bool:
    return cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb == RED


def styled_register(path: Path) -> Path:
    """A register as staff keep it: merged title, bold coloured header, widths, a note."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "报修登记"
    ws["A1"] = "某某物业 报修登记表"
    ws["A1"].font = Font(bold=True, size=16)
    ws.merge_cells("A1:O1")
    ws.append(REPAIR_HEADERS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FF9BC2E6")
    for row in repair_rows(4):
        ws.append(row)
    ws.column_dimensions["F"].width = 33
    ws["B5"].fill = PatternFill("solid", fgColor="FFFFFF00")  # a staff highlight
    ws["F3"].comment = openpyxl.comments.Comment("业主说下午在家", "小王")
    wb.create_sheet("说明")["A1"] = "填表说明"
    wb.save(path)
    return path


ERRORS = [
    CellError("报修登记", 4, "报修时间", "E4", "date.invalid", "无法识别的日期时间", "2026/13/45"),
    CellError("报修登记", 4, "报修时间", "E4", "time.order", "完成时间早于报修时间", "2026/13/45"),
    CellError("报修登记", 3, "维修内容", "F3", "cell.blank", "必填项“维修内容”为空", None),
    CellError("报修登记", 5, None, None, "row.paid", "是否有偿为“是”时须填写材料费或人工费", None),
    CellError("报修登记", None, "紧急程度", None, "header.missing", "缺少列“紧急程度”", None),
]


# --- formatting kept ----------------------------------------------------------------


def test_styled_original_keeps_format_and_gets_marks(tmp_path: Path) -> None:
    src = styled_register(tmp_path / "报修.xlsx")
    dest = write_annotated_copy(src, read_raw(src), ERRORS, tmp_path / "out" / "报修-问题批注.xlsx",
                                file_label="报修.xlsx")
    wb = openpyxl.load_workbook(dest)
    assert wb.sheetnames == [ISSUES_TITLE, "报修登记", "说明"]
    issues, data = wb[ISSUES_TITLE], wb["报修登记"]
    assert wb.active.title == ISSUES_TITLE
    assert "报修.xlsx" in heading_text(issues) and "共 5 处问题" in heading_text(issues)
    assert FALLBACK_NOTE not in heading_text(issues)

    # The list: header, frozen, filtered, one row per problem in sheet/row/column order.
    header = [c.value for c in issues[HEADER_ROW]]
    assert header == ["序号", "工作表", "行", "列", "单元格", "问题", "说明", "原值"]
    assert all(c.font.b for c in issues[HEADER_ROW])
    assert issues.freeze_panes == f"A{HEADER_ROW + 1}"
    assert issues.auto_filter.ref.startswith(f"A{HEADER_ROW}:H")
    assert issues.column_dimensions["G"].width >= 30
    rows = issue_rows(issues)
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5]
    # Problems by their Chinese names; a code without one is shown as it is.
    assert [r[5] for r in rows] == ["缺少必需的列", "单元格为空", "日期不存在", "time.order", "row.paid"]
    # Text columns wrap and rows are tall enough for their longest text: nothing cut off.
    assert all(issues.cell(HEADER_ROW + 1, c).alignment.wrap_text for c in (2, 4, 6, 7, 8))
    assert all((issues.row_dimensions[HEADER_ROW + i].height or 0) >= 15 for i in range(1, 6))
    assert rows[2][1:5] == ["报修登记", 4, "报修时间", "E4"] and rows[2][7] == "2026/13/45"

    # Links: cell errors to their cell, the row error to column A, the sheet error nowhere.
    first = HEADER_ROW + 1
    targets = [link_target(wb, issues, first + i) for i in range(5)]
    assert targets == [None, ("报修登记", "F3"), ("报修登记", "E4"), ("报修登记", "E4"), ("报修登记", "A5")]

    # Marks: fill, value kept, both messages in one comment, staff's note kept.
    e4 = data["E4"]
    assert is_red(e4) and e4.value == datetime(2026, 11, 23, 9, 2)
    assert "无法识别的日期时间" in e4.comment.text and "完成时间早于报修时间" in e4.comment.text
    assert data["F3"].comment.text.startswith("业主说下午在家") and "维修内容" in data["F3"].comment.text
    assert is_red(data["A5"]) and "整行" in data["A5"].comment.text
    assert not is_red(data["E3"]) and data["E3"].comment is None

    # The staff's own formatting survives.
    assert data["A1"].font.b and data["A1"].font.sz == 16
    assert "A1:O1" in {str(r) for r in data.merged_cells.ranges}
    assert data["A2"].font.b and data["A2"].fill.fgColor.rgb == "FF9BC2E6"
    assert data.column_dimensions["F"].width == 33
    assert data["B5"].fill.fgColor.rgb == "FFFFFF00"
    assert wb["说明"]["A1"].value == "填表说明"


def test_resubmitted_copy_is_cleaned_of_last_rounds_marks(tmp_path: Path) -> None:
    src = styled_register(tmp_path / "报修.xlsx")
    first = write_annotated_copy(src, read_raw(src), ERRORS, tmp_path / "a.xlsx", file_label="报修.xlsx")
    # Staff fix E4 and F3 and save the annotated copy back; only C6 is wrong now.
    err = CellError("报修登记", 6, "报修人", "C6", "text.bad", "报修人姓名不能是数字", "123")
    second = write_annotated_copy(first, read_raw(first), [err], tmp_path / "b.xlsx", file_label="报修.xlsx")
    wb = openpyxl.load_workbook(second)
    assert wb.sheetnames.count(ISSUES_TITLE) == 1 and wb.sheetnames[0] == ISSUES_TITLE
    assert len(issue_rows(wb[ISSUES_TITLE])) == 1
    data = wb["报修登记"]
    assert data["E4"].comment is None and not is_red(data["E4"])
    assert data["F3"].comment.text == "业主说下午在家" and MARK not in data["F3"].comment.text
    assert is_red(data["C6"]) and "报修人姓名不能是数字" in data["C6"].comment.text


def test_copy_is_always_xlsx_and_written_atomically(tmp_path: Path) -> None:
    src = styled_register(tmp_path / "in.xlsx")
    out = tmp_path / "out"
    dest = write_annotated_copy(src, read_raw(src), ERRORS[:1], out / "copy.xls", file_label="in.xlsx")
    assert dest == out / "copy.xlsx"
    assert [p.name for p in out.iterdir()] == ["copy.xlsx"]


def test_unknown_sheet_and_bad_reference_are_listed_without_link(tmp_path: Path) -> None:
    src = styled_register(tmp_path / "in.xlsx")
    errors = [
        CellError("不存在的表", 3, "房号", "B3", "x", "找不到的表", None),
        CellError("报修登记", 3, "房号", "ZZZZ9", "y", "引用超出范围", None),
    ]
    dest = write_annotated_copy(src, read_raw(src), errors, tmp_path / "o.xlsx", file_label="in.xlsx")
    wb = openpyxl.load_workbook(dest)
    issues = wb[ISSUES_TITLE]
    assert len(issue_rows(issues)) == 2
    assert link_target(wb, issues, HEADER_ROW + 1) is None
    assert link_target(wb, issues, HEADER_ROW + 2) is None


# --- fallback: a data copy ----------------------------------------------------------


def _hostile(name: str) -> Path:
    path = CORPUS / "hostile" / name
    assert path.exists(), f"corpus file missing: {path}"
    return path


def test_bad_style_index_falls_back_to_data_copy(tmp_path: Path) -> None:
    src = _hostile("bad-style-index.xlsx")
    book = read_raw(src)
    err = CellError("报修登记", 2, "报修时间", "E2", "date.invalid", "日期格式不对", "2026-11-20 09:00")
    dest = write_annotated_copy(src, book, [err], tmp_path / "o.xlsx", file_label=src.name)
    wb = openpyxl.load_workbook(dest)
    assert wb.sheetnames == [ISSUES_TITLE, "报修登记"]
    issues = wb[ISSUES_TITLE]
    assert FALLBACK_NOTE in heading_text(issues)
    assert link_target(wb, issues, HEADER_ROW + 1) == ("报修登记", "E2")
    data = wb["报修登记"]
    assert [c.value for c in data[1]][:2] == ["单号", "房号"]
    assert data["E2"].value == "2026-11-20 09:00" and is_red(data["E2"])
    assert "日期格式不对" in data["E2"].comment.text


def test_data_copy_marks_advice_to_check_as_the_copy_of_the_original_does(tmp_path: Path) -> None:
    # A VIN's check digit is advice (核对无误可不改): 【请核对】, never 【需修改】; a cell
    # with a mistake besides the advice still needs correcting.
    src = _hostile("bad-style-index.xlsx")
    book = read_raw(src)
    errors = [CellError("报修登记", 2, "房号", "B2", "vin.check_digit", "车架号校验位不符，核对无误可不改", "x"),
              CellError("报修登记", 3, "房号", "B3", "vin.check_digit", "车架号校验位不符，核对无误可不改", "y"),
              CellError("报修登记", 3, "房号", "B3", "date.invalid", "日期格式不对", "y")]
    dest = write_annotated_copy(src, book, errors, tmp_path / "o.xlsx", file_label=src.name)
    data = openpyxl.load_workbook(dest)["报修登记"]
    assert FALLBACK_NOTE in heading_text(openpyxl.load_workbook(dest)[ISSUES_TITLE])
    assert data["B2"].comment.text.startswith("【请核对】")
    assert data["B3"].comment.text.startswith("【需修改】")


def test_illegal_sheet_name_is_sanitised_and_links_follow(tmp_path: Path) -> None:
    src = _hostile("sheet-name-illegal-chars.xlsx")
    book = read_raw(src)
    raw_name = book.sheets[0].name
    assert any(ch in raw_name for ch in "/\\?*:[]")
    err = CellError(raw_name, 2, "房号", "B2", "room.bad", "房号格式不对", "1-1-101")
    dest = write_annotated_copy(src, book, [err], tmp_path / "o.xlsx", file_label=src.name)
    wb = openpyxl.load_workbook(dest)
    issues = wb[ISSUES_TITLE]
    title = wb.sheetnames[1]
    assert not any(ch in title for ch in "/\\?*:[]") and len(title) <= 31
    assert issue_rows(issues)[0][1] == raw_name  # staff see the name they gave
    assert link_target(wb, issues, HEADER_ROW + 1) == (title, "B2")
    assert is_red(wb[title]["B2"]) and wb[title]["B2"].value == "1-1-101"


def test_csv_values_stay_text_and_keep_their_rows(tmp_path: Path) -> None:
    naive = datetime(2026, 11, 23, 9, 30)
    aware = naive.replace(tzinfo=timezone(timedelta(hours=8)))
    sheet = RawSheet("报修/登记", [
        (1, ["单号", "房号", "维修内容", "备注", "金额", "时间"]),
        (5, ["=1+1", "+8613812345678", "@SUM(A1:A2)", "-2+3", Decimal("12.50"), aware]),
        (7, ["BX-1", "\tcmd", ErrorValue("#DIV/0!"), NoCachedValue("=A1*2"), "a\x01b\x1fc", naive]),
    ])
    book = Workbook("x.csv", "csv", [sheet])
    errors = [
        CellError("报修/登记", 5, "单号", "A5", "id.bad", "单号不能是公式", "=1+1"),
        CellError("报修/登记", 7, "维修内容", "C7", "cell.error", "单元格是错误值", "#DIV/0!"),
        # Readers give a formula without its "=", as the file stores it.
        CellError("报修/登记", 7, "备注", "D7", "cell.formula_no_value", "公式没有计算结果", NoCachedValue("A1*2")),
    ]
    src = tmp_path / "x.csv"
    src.write_text("单号\n=1+1\n", encoding="utf-8")
    dest = write_annotated_copy(src, book, errors, tmp_path / "o.xlsx", file_label="x.csv")
    wb = openpyxl.load_workbook(dest)
    issues = wb[ISSUES_TITLE]
    assert FALLBACK_NOTE in heading_text(issues)
    data = wb["报修_登记"]
    for coord, text in [("A5", "=1+1"), ("B5", "+8613812345678"), ("C5", "@SUM(A1:A2)"), ("D5", "-2+3"),
                        ("B7", "\tcmd"), ("C7", "#DIV/0!"), ("D7", "=A1*2"), ("E7", "abc")]:
        assert data[coord].value == text, coord
        assert data[coord].data_type == "s", coord
    assert data["A5"].quotePrefix
    assert data["E5"].value == 12.5
    assert data["F5"].value == naive and data["F7"].value == naive
    assert all(data.cell(r, 1).value is None for r in (2, 3, 4, 6))  # rows stay where they were
    assert is_red(data["A5"]) and is_red(data["C7"])
    # The list quotes the bad value as text too.
    first = issue_rows(issues)[0]
    assert first[7] == "=1+1" and issues.cell(HEADER_ROW + 1, 8).data_type == "s"
    # Staff see the formula as they typed it, not a program's name for it.
    assert issue_rows(issues)[2][7] == "=A1*2" and issues.cell(HEADER_ROW + 3, 8).data_type == "s"
    assert link_target(wb, issues, HEADER_ROW + 1) == ("报修_登记", "A5")


def test_strict_ooxml_without_sheets_falls_back(tmp_path: Path) -> None:
    src = CORPUS / "wild" / "poi" / "spreadsheet" / "SampleSS.strict.xlsx"
    assert src.exists(), f"corpus file missing: {src}"
    book = Workbook(str(src), "xlsx", [RawSheet("Sheet1", [(1, ["单号", "房号"]), (2, ["BX1", None])])])
    err = CellError("Sheet1", 2, "房号", "B2", "cell.blank", "必填项“房号”为空")
    dest = write_annotated_copy(src, book, [err], tmp_path / "o.xlsx", file_label=src.name)
    wb = openpyxl.load_workbook(dest)
    assert FALLBACK_NOTE in heading_text(wb[ISSUES_TITLE])
    assert is_red(wb["Sheet1"]["B2"])


def test_slow_file_completes_through_fallback_within_timeout(tmp_path: Path) -> None:
    src = CORPUS / "wild" / "poi" / "spreadsheet" / "57893-many-merges.xlsx"
    assert src.exists(), f"corpus file missing: {src}"
    book = read_raw(src)
    err = CellError("Sheet1", 10, None, "B10", "x", "示例问题", None)
    import resource

    def cpu() -> float:  # this process and its finished children: a busy machine does not count
        c = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + c.ru_utime + c.ru_stime

    started = cpu()
    # The file takes some 18 s of processor time in normal mode: a 1 s limit cuts it off.
    dest = write_annotated_copy(src, book, [err], tmp_path / "o.xlsx", file_label=src.name, timeout_s=1)
    elapsed = cpu() - started
    wb = openpyxl.load_workbook(dest)
    assert FALLBACK_NOTE in heading_text(wb[ISSUES_TITLE])
    assert is_red(wb["Sheet1"]["B10"])
    assert elapsed < 1 + 20, elapsed  # the time limit, plus writing the data copy


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs CPU affinity (Linux)")
def test_busy_machine_still_keeps_the_format(tmp_path: Path) -> None:
    """The bound is processor time, not the wall clock: with the machine busy (the child
    sharing one core with eight busy processes) a file that fits still comes back in its
    own format, though it takes longer than the limit by the clock."""
    import subprocess
    import sys

    src = tmp_path / "报修.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "报修登记"
    ws.append(REPAIR_HEADERS)
    # The child starts, opens and saves 1,000 rows in normal mode in about 1 s of processor
    # time: within the 3 s limit, but past 3 s by the clock when it gets a ninth of a core
    # (with a fifth, a quick machine and file system finished it within 3 s by the clock).
    for row in repair_rows(1000):
        ws.append(row)
    ws["A1"].font = Font(bold=True)
    wb.save(src)
    err = CellError("报修登记", 10, "维修内容", "F10", "x", "示例问题", None)
    book = read_raw(src)
    core = {min(os.sched_getaffinity(0))}
    before = os.sched_getaffinity(0)
    hogs = [subprocess.Popen([sys.executable, "-c", f"import os; os.sched_setaffinity(0, {core}); \nwhile True: pass"])
            for _ in range(8)]
    os.sched_setaffinity(0, core)  # the child inherits the one core
    try:
        started = time.monotonic()
        dest = write_annotated_copy(src, book, [err], tmp_path / "o.xlsx", file_label=src.name, timeout_s=3)
        elapsed = time.monotonic() - started
    finally:
        os.sched_setaffinity(0, before)
        for h in hogs:
            h.kill()
            h.wait()
    out = openpyxl.load_workbook(dest)
    print(f"format kept after {elapsed:.1f} s by the clock (limit 3 s of processor time)")
    assert FALLBACK_NOTE not in heading_text(out[ISSUES_TITLE])
    assert out["报修登记"]["A1"].font.bold and is_red(out["报修登记"]["F10"])
    assert elapsed > 3, "the machine was not busy enough for this test to tell the two bounds apart"


def test_chartsheet_before_worksheets_keeps_print_areas_on_their_sheets(tmp_path: Path) -> None:
    # openpyxl numbers sheet-local names skipping chartsheets; the copy must still reopen.
    src = CORPUS / "wild" / "poi" / "integration" / "stress024.xlsx"
    assert src.exists(), f"corpus file missing: {src}"
    book = read_raw(src)
    err = CellError("Buy", 5, "x", "C5", "x", "示例问题")
    dest = write_annotated_copy(src, book, [err], tmp_path / "o.xlsx", file_label=src.name)
    wb = openpyxl.load_workbook(dest)
    assert FALLBACK_NOTE not in heading_text(wb[ISSUES_TITLE])
    assert wb["Buy"].print_area == "'Buy'!$A$1:$N$41"
    assert wb["Intro"].print_area == "'Intro'!$A$1:$M$61"
    assert is_red(wb["Buy"]["C5"])


# --- the data copy, streamed -------------------------------------------------------------


def _plain_book(rows: int, name: str = "报修登记") -> Workbook:
    data = [(1, ["某某物业 报修登记表"]), (2, list(REPAIR_HEADERS))]
    data += [(r, row) for r, row in enumerate(repair_rows(rows), 3)]
    return Workbook("x.csv", "csv", [RawSheet(name, data, merged=[(1, 1, 1, 15)])])


def test_data_copy_issue_list_looks_as_the_kept_format_one(tmp_path: Path) -> None:
    """Written in write-only mode, the list keeps its fonts, fills, borders, widths, row
    heights, links, filter and frozen header, and the marked cells their fill and comment."""
    book = _plain_book(6)
    errors = [
        CellError("报修登记", 5, "报修时间", "E5", "date.invalid", "无法识别的日期时间", "x"),
        CellError("报修登记", 5, "报修时间", "E5", "time.order", "完成时间早于报修时间", "x"),
        # A cell the merged title covers is marked on the title's own cell.
        CellError("报修登记", 1, "房号", "C1", "x", "标题行不应填写", None),
        # A marked cell past the row's last value, and a row the file left empty.
        CellError("报修登记", 4, None, "Q4", "x", "多余的列", None),
        CellError("报修登记", 20, None, None, "row.x", "多余的行", None),
    ]
    src = tmp_path / "x.csv"
    src.write_text("单号\n", encoding="utf-8")
    dest = write_annotated_copy(src, book, errors, tmp_path / "o.xlsx", file_label="x.csv")
    wb = openpyxl.load_workbook(dest)
    assert wb.sheetnames == [ISSUES_TITLE, "报修登记"] and wb.active.title == ISSUES_TITLE
    issues, data = wb[ISSUES_TITLE], wb["报修登记"]
    assert FALLBACK_NOTE in heading_text(issues) and "共 5 处问题" in heading_text(issues)
    assert issues["A1"].font.b and issues["A1"].font.sz == 14
    assert issues["A3"].font.color.rgb == "FFC00000"
    assert {"A1:H1", "A2:H2", "A3:H3"} <= {str(r) for r in issues.merged_cells.ranges}
    assert issues.row_dimensions[1].height == 24
    header = issues[HEADER_ROW]
    assert [c.value for c in header] == ["序号", "工作表", "行", "列", "单元格", "问题", "说明", "原值"]
    assert all(c.font.b and c.fill.fgColor.rgb == "FFDDEBF7" and c.border.left.style == "thin" for c in header)
    assert issues.freeze_panes == f"A{HEADER_ROW + 1}"
    assert issues.auto_filter.ref == f"A{HEADER_ROW}:H{HEADER_ROW + 5}"
    assert issues.column_dimensions["G"].width == 56 and issues.column_dimensions["A"].width == 6
    assert issues.sheet_properties.tabColor.rgb == "FFC00000"
    assert issues.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert all(issues.cell(HEADER_ROW + 1, c).alignment.wrap_text for c in (2, 4, 6, 7, 8))
    assert all((issues.row_dimensions[HEADER_ROW + i].height or 0) >= 15 for i in range(1, 6))
    assert issues.cell(HEADER_ROW + 1, 5).font.color.rgb == "FF0563C1"
    targets = [link_target(wb, issues, HEADER_ROW + i) for i in range(1, 6)]
    assert targets == [("报修登记", "C1"), ("报修登记", "Q4"), ("报修登记", "E5"), ("报修登记", "E5"),
                       ("报修登记", "A20")]

    assert data["A1"].value == "某某物业 报修登记表" and "A1:O1" in {str(r) for r in data.merged_cells.ranges}
    assert is_red(data["A1"]) and "标题行不应填写" in data["A1"].comment.text
    assert is_red(data["Q4"]) and data["Q4"].value is None and data["P4"].value is None
    e5 = data["E5"]
    assert is_red(e5) and e5.value == datetime(2026, 11, 23, 9, 3)  # repair_rows' third row: minute 3
    assert "无法识别的日期时间" in e5.comment.text and "完成时间早于报修时间" in e5.comment.text
    assert e5.comment.author == "数据校验"
    assert is_red(data["A20"]) and "（整行）多余的行" in data["A20"].comment.text
    assert data["A8"].value == "BX0006" and data.max_row == 20
    assert not is_red(data["E6"]) and data["E6"].comment is None


def test_rows_out_of_order_keep_their_places(tmp_path: Path) -> None:
    sheet = RawSheet("表", [(3, ["c", None]), (1, ["a", "b"]), (3, [None, "d"])])
    src = tmp_path / "x.csv"
    src.write_text("a\n", encoding="utf-8")
    dest = write_annotated_copy(src, Workbook("x.csv", "csv", [sheet]), [], tmp_path / "o.xlsx", file_label="x.csv")
    data = openpyxl.load_workbook(dest)["表"]
    assert [[c.value for c in r] for r in data.iter_rows()] == [["a", "b"], [None, None], ["c", "d"]]


def test_data_copy_memory_does_not_grow_with_the_workbook(tmp_path: Path) -> None:
    """What the copy itself allocates (the values read are in memory already) is the same
    for 1,000 rows and for 4,000: rows are streamed to the file, not held."""
    import tracemalloc

    errors = [CellError("报修登记", 3 + i * 20, "报修时间", f"E{3 + i * 20}", "x", "示例问题", None)
              for i in range(50)]
    src = tmp_path / "x.csv"
    src.write_text("a\n", encoding="utf-8")
    peaks = []
    # tracemalloc makes the copy several times slower: 1,000 rows are enough. The copy's
    # fixed part is about 0.5 MB, a row held in normal mode about 3 KB, so 4× the rows held would
    # be over 3× the peak, well past the 1.5× allowed.
    for rows in (1_000, 4_000):
        book = _plain_book(rows)
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        write_annotated_copy(src, book, errors, tmp_path / f"o{rows}.xlsx", file_label="x.csv")
        peaks.append(tracemalloc.get_traced_memory()[1] - base)
        tracemalloc.stop()
    # Normal mode would hold 4× the cells; streamed, the two are alike.
    assert peaks[1] < peaks[0] * 1.5, peaks


def test_big_workbook_is_not_opened_in_normal_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the XML size whose normal-mode memory is bounded, the streamed data copy is
    written without trying (the limit lowered so a small register is \"big\")."""
    import toolkit.annotate as annotate

    src = styled_register(tmp_path / "报修.xlsx")
    monkeypatch.setattr(annotate, "KEEP_FORMAT_MAX_XML", 1_000)
    monkeypatch.setattr(annotate, "_annotate_original_guarded", None)  # fails loudly if called
    dest = write_annotated_copy(src, read_raw(src), ERRORS, tmp_path / "o.xlsx", file_label="报修.xlsx")
    wb = openpyxl.load_workbook(dest)
    assert FALLBACK_NOTE in heading_text(wb[ISSUES_TITLE])
    assert is_red(wb["报修登记"]["E4"]) and wb["说明"]["A1"].value == "填表说明"
