"""Blank registers written from declarations, reopened with openpyxl."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT
from openpyxl.utils import get_column_letter

from toolkit.blank import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    NOTE_ROW,
    write_blank_register,
    write_blank_registers,
)
from toolkit.registers import ColumnSpec, RegisterSpec
from toolkit.rulesfile import load_yaml_model

LONG_CHOICES = [f"很长的选项名称第{i}号" for i in range(30)]  # more than Excel's 255 characters


def repair_spec() -> RegisterSpec:
    return load_yaml_model(ROOT / "rules" / "registers" / "repair.yaml", RegisterSpec)


def every_type_spec() -> RegisterSpec:
    return RegisterSpec(
        name="sample",
        title="测试/登记:表[全部类型]超过三十一个字符的很长很长的标题",
        sheet_title="某某物业 测试登记表",
        key="编号",
        columns=[
            ColumnSpec(name="编号", required=True, width=12, description="每行唯一"),
            ColumnSpec(name="日期", type="date", required=True),
            ColumnSpec(name="时间点", type="datetime"),
            ColumnSpec(name="金额", type="money"),
            ColumnSpec(name="面积", type="area"),
            ColumnSpec(name="身份证号", type="id_number"),
            ColumnSpec(name="等级", type="enum", choices=["重大", "重要", "轻微"], default="轻微"),
            ColumnSpec(name="类别", type="enum", choices=LONG_CHOICES),
            ColumnSpec(name="数量", type="int"),
        ],
    )


def specs() -> dict[str, RegisterSpec]:
    return {"repair": repair_spec(), "sample": every_type_spec()}


@pytest.fixture
def written(tmp_path: Path) -> dict[str, Path]:
    paths = write_blank_registers(specs(), tmp_path / "blank")
    return dict(zip(specs(), paths, strict=True))


def test_file_names_follow_titles(written: dict[str, Path], tmp_path: Path) -> None:
    assert written["repair"].name == "报修登记表.xlsx"
    assert "/" not in written["sample"].name and written["sample"].parent == tmp_path / "blank"
    assert sorted(p.name for p in (tmp_path / "blank").iterdir()) == sorted(p.name for p in written.values())


@pytest.mark.parametrize("name", ["repair", "sample"])
def test_layout_title_headers_freeze_and_small_dimension(written: dict[str, Path], name: str) -> None:
    spec = specs()[name]
    wb = openpyxl.load_workbook(written[name])
    ws = wb.active
    assert len(wb.sheetnames) == 1
    assert len(ws.title) <= 31 and not any(ch in ws.title for ch in "/\\?*:[]")
    assert ws["A1"].value == (spec.sheet_title or spec.title) and ws["A1"].font.b
    # The register's columns, then 作废 (a row entered by mistake is marked there: voids.py).
    last = get_column_letter(len(spec.columns) + 1)
    assert f"A1:{last}1" in {str(r) for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[HEADER_ROW]] == [c.name for c in spec.columns] + ["作废"]
    assert ws.freeze_panes == f"A{FIRST_DATA_ROW}"
    assert ws.max_row == HEADER_ROW and ws.max_column == len(spec.columns) + 1
    assert ws.calculate_dimension() == f"A1:{last}{HEADER_ROW}"


def test_required_headers_stand_out_and_comments_explain(written: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(written["repair"]).active
    spec = repair_spec()
    for ci, col in enumerate(spec.columns, 1):
        cell = ws.cell(HEADER_ROW, ci)
        assert cell.value == col.name  # no "*" in the text: the reader matches it
        assert cell.font.b
        assert (cell.font.color is not None and cell.font.color.rgb == "FFC00000") == col.required
        assert cell.comment is not None
        assert cell.comment.text.startswith("必填" if col.required else "选填")
    assert "2026-11-23 14:30" in ws["E3"].comment.text  # 报修时间, datetime
    # The row above the header says what the red headers mean.
    assert "红色列名为必填项" in ws.cell(NOTE_ROW, 1).value and "鼠标移到列名上" in ws.cell(NOTE_ROW, 1).value
    assert ws.column_dimensions["F"].width == 30  # 维修内容 width from the YAML


def test_enum_columns_get_drop_downs(written: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(written["repair"]).active
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists == {
        "G4:G2000": '"紧急,一般"',
        "M4:M2000": '"是,否"',  # 是否有偿, after 领单时间 and 到场时间
        "Q4:Q2000": '"满意,基本满意,不满意"',
        "R4:R2000": '"是"',  # 作废, last
    }
    assert all(dv.type == "list" and dv.showErrorMessage for dv in ws.data_validations.dataValidation)


def test_too_long_choice_list_falls_back_to_the_comment(written: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(written["sample"]).active
    sqrefs = {str(dv.sqref) for dv in ws.data_validations.dataValidation}
    assert sqrefs == {"G4:G2000", "J4:J2000"}  # 等级 and 作废 (last); 类别 would exceed 255 characters
    assert LONG_CHOICES[-1] in ws["H3"].comment.text
    assert "轻微" in ws["G3"].comment.text and "每行唯一" in ws["A3"].comment.text


def test_column_number_formats(written: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(written["sample"]).active
    formats = {letter: ws.column_dimensions[letter].number_format for letter in "ABCDEF"}
    assert formats == {
        "A": "@", "B": "yyyy-mm-dd", "C": "yyyy-mm-dd hh:mm", "D": "#,##0.00", "E": "0.00", "F": "@",
    }
    assert ws.column_dimensions["A"].width == 12


def test_single_register_written_atomically(tmp_path: Path) -> None:
    dest = write_blank_register(repair_spec(), tmp_path / "x" / "报修登记表.xlsx")
    assert [p.name for p in dest.parent.iterdir()] == ["报修登记表.xlsx"]
    assert openpyxl.load_workbook(dest).active.title == "报修登记表"
