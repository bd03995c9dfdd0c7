"""The 08:30 daily list carries what staff must act on from the seeds' registers: open
deadlines (patrol forwarding, keys on loan) and open problems (a blocked move-out, a
transfer short of half a year, a survey short of 60 %)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from conftest import write_xlsx

from toolkit.pipeline import process_paths
from toolkit.reports import build_report, parse_day


def test_daily_list_shows_open_problems_and_new_deadlines(ctx, tmp_path: Path):
    move = [["编号", "房号", "携带人", "身份", "出门性质", "物品", "日期", "业主核实", "核实时间", "水电气结清"],
            ["FX001", "1-102", "小李", "租户", "搬家迁出", "家具", date(2026, 11, 24), "是", datetime(2026, 11, 24, 9, 20), "否"]]
    transfer = [["房号", "原业主", "新业主", "新业主身份证号", "产权证号", "转让日期", "原业主结清", "建筑面积", "物业费单价",
                 "新业主预缴月数", "新业主预缴金额"],
                ["1-101", "张先生", "赵六", "11010519491231002X", "京房权证001", date(2026, 11, 23), "是", "100", "2.5", 5, "1250"]]
    keys = [["钥匙编号", "房号", "来源", "入库日期", "借用人", "借出时间"],
            ["K001", "2-101", "开发商移交", date(2026, 11, 1), "小李", datetime(2026, 11, 23, 15, 0)]]
    done = process_paths(ctx, [write_xlsx(tmp_path / "a.xlsx", {"放行": move, "转让": transfer, "钥匙": keys})],
                         datetime(2026, 11, 24, 8, 0))
    assert done.files[0].status == "accepted", done.files[0].message
    report, _ = build_report(ctx, "daily_due", datetime(2026, 11, 24, 8, 30), parse_day("2026-11-24"))
    actions = {r[2]: r for r in report.table("须处理事项").rows}
    assert "水电气" in actions["FX001"][7]  # a refused move-out is on the 须处理事项 sheet
    issues = {r[2]: r for r in report.table("待处理问题").rows}
    assert issues["1-101|2026-11-23"][0] == "错误" and "至少应预缴 6 个月" in issues["1-101|2026-11-23"][6]
    # The key lent 11-23 15:00 was due back 11-23 23:59: at 08:30 it is 8 h 31 min overdue.
    due = {r[2]: r for r in report.table("待办与逾期").rows}
    assert due["K001"][0] == "已逾期" and due["K001"][6] == "8小时31分钟"
