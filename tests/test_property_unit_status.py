"""C2: the monthly 物业动态信息表 of seed 001 节点22, from the unit census register.

Census of November 2026 (due by 11-30), table of the 3rd of December. Hand figures:
building 1: 1-101 住家户, 1-102 租户 (was 空置 in October → one change), 1-201 正在装修;
building 2: 2-101 空置 surveyed 12-01 (after the month: not November's), 2-102 未接房 on
11-30 (on the last allowed day). Known from the fee accounts but never surveyed: 2-201.
So November: 4 surveyed (3 in building 1, 1 in building 2), 1 change, missing 2-101 and 2-201.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from conftest import write_xlsx

from toolkit.packs.property.reports.unit_status import census_deadline
from toolkit.pipeline import process_paths
from toolkit.reports import build_report, parse_month, produce

HEADERS = ["房号", "楼栋", "单元", "状态", "普查日期", "普查人", "备注"]


def census_rows():
    return [HEADERS,
            ["1-102", "1", "1", "空置", date(2026, 10, 28), "小张", None],
            ["1-101", "1", "1", "住家户", date(2026, 11, 20), "小张", None],
            ["1-102", "1", "1", "租户", date(2026, 11, 20), "小张", "新租户"],
            ["1-201", "1", "2", "正在装修", date(2026, 11, 21), "小张", None],
            ["2-102", "2", "1", "未接房", date(2026, 11, 30), "小王", None],
            ["2-101", "2", "1", "空置", date(2026, 12, 1), "小王", None]]


def test_census_deadline_is_the_30th_or_the_last_day():
    assert census_deadline(date(2026, 11, 1)) == date(2026, 11, 30)
    assert census_deadline(date(2026, 12, 1)) == date(2026, 12, 30)
    assert census_deadline(date(2027, 2, 1)) == date(2027, 2, 28)  # February: its last day


def test_monthly_table_by_building_with_changes_and_gaps(ctx, tmp_path: Path):
    fee = [["房号", "业主", "建筑面积", "单价", "已缴至"],
           ["2-201", "周八", "90", "2.5", date(2026, 12, 31)],
           ["2-101", "吴九", "90", "2.5", date(2026, 12, 31)]]
    done = process_paths(ctx, [write_xlsx(tmp_path / "普查.xlsx", {"动态信息": census_rows()}),
                               write_xlsx(tmp_path / "fee.xlsx", {"物业费": fee})], datetime(2026, 12, 2, 9, 0))
    assert {f.status for f in done.files} == {"accepted"}, [(f.status, f.message) for f in done.files]
    report, _ = build_report(ctx, "unit_status", datetime(2026, 12, 3, 8, 30), parse_month("2026-11"))
    table = {r[0]: r[1:] for r in report.table("动态信息表").rows}
    # columns: 住家户 办公户 租户 空置 正在装修 未接房 | 已普查 较上月变化 未普查
    assert table["1"] == [1, 0, 1, 0, 1, 0, 3, 1, 0]
    assert table["2"] == [0, 0, 0, 0, 0, 1, 1, 0, 2]
    assert report.table("动态信息表").total == ["合计", 1, 0, 1, 0, 1, 1, 4, 1, 2]
    detail = {r[0]: r for r in report.table("分户明细").rows}
    assert detail["1-102"][4:6] == ["空置", "空置 → 租户"]
    assert [r[0] for r in report.table("未普查").rows] == ["2-101", "2-201"]
    assert any("抄报保安部一份、收费员一份" in n for n in report.notes)


def test_produced_on_the_third_with_a_word_page(ctx, tmp_path: Path):
    process_paths(ctx, [write_xlsx(tmp_path / "普查.xlsx", {"动态信息": census_rows()})], datetime(2026, 12, 2, 9, 0))
    report = produce(ctx, "unit_status", datetime(2026, 12, 3, 8, 30), parse_month("2026-11"))
    names = sorted(Path(p).name for p in report.outputs)
    assert names == ["月度物业动态信息表-2026-11.docx", "月度物业动态信息表-2026-11.xlsx"]


def test_a_building_typed_several_ways_is_one_building(ctx, tmp_path: Path):
    """QA: 楼栋 typed “1栋”, “1号楼” or left blank made three rows for building 1. They
    are one building, as are a full-width “２” and “2#楼”; blank is read from 房号."""
    rows = [HEADERS,
            ["1-101", "1栋", "1", "住家户", date(2026, 11, 20), "小张", None],
            ["1-102", "1号楼", "1", "租户", date(2026, 11, 20), "小张", None],
            ["1-201", None, "2", "空置", date(2026, 11, 21), "小张", None],
            ["1-202", " 1 ", "2", "空置", date(2026, 11, 21), "小张", None],
            ["2-101", "２", "1", "住家户", date(2026, 11, 22), "小王", None],
            ["2-102", "2#楼", "1", "办公户", date(2026, 11, 22), "小王", None],
            ["2-201", "2", "2", "空置", date(2026, 10, 22), "小王", None]]  # October only: missing
    done = process_paths(ctx, [write_xlsx(tmp_path / "普查.xlsx", {"动态信息": rows})], datetime(2026, 12, 2, 9, 0))
    assert done.files[0].status == "accepted", done.files[0].message
    report, _ = build_report(ctx, "unit_status", datetime(2026, 12, 3, 8, 30), parse_month("2026-11"))
    table = {r[0]: r[1:] for r in report.table("动态信息表").rows}
    # columns: 住家户 办公户 租户 空置 正在装修 未接房 | 已普查 较上月变化 未普查
    assert table == {"1": [1, 0, 1, 2, 0, 0, 4, 0, 0], "2": [1, 1, 0, 0, 0, 0, 2, 0, 1]}
    assert {r[0]: r[1] for r in report.table("分户明细").rows} == {
        "1-101": "1", "1-102": "1", "1-201": "1", "1-202": "1", "2-101": "2", "2-102": "2"}
    assert report.table("未普查").rows == [["2-201", "2", "空置"]]
