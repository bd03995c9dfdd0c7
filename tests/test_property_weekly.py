"""The weekly report's seed sheets (seed 001 投诉 统计, 回访, 需求建议 5): complaints by 等级
and 性质 with 无效 counted, the week's callbacks with their results, and the week's requests
and suggestions itemised; the request register's callback. Week 2026-W48 (Mon 11-23 to
Sun 11-29), report on Friday 11-27 17:00; figures by hand in the comments."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from conftest import write_xlsx
from rules_helpers import dt, pick, run

from toolkit.pipeline import process_paths
from toolkit.reports import build_report, parse_week


def test_request_called_back_a_day_after_the_answer():
    # Answered 11-23 11:00 → callback due 11-24 11:00; called 11:01 → 1 minute late.
    row = {"编号": "XQ1", "受理时间": dt("2026-11-23T09:00"), "客户": "张三", "内容": "增设快递柜",
           "回复时间": dt("2026-11-23T11:00"), "回访时间": dt("2026-11-24T11:01")}
    f = pick(run({"request": {"XQ1": row}}, "2026-11-25T09:00"), "request.callback")
    assert (f.due, f.status, f.overdue_minutes) == (dt("2026-11-24T11:00"), "late", 1)
    # Not answered yet: no callback is due.
    assert "request.callback" not in {f.rule for f in run({"request": {"XQ1": {**row, "回复时间": None}}},
                                                           "2026-11-25T09:00")}


def d(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_weekly_sheets(ctx, tmp_path: Path):
    complaints = [["编号", "受理时间", "投诉人", "投诉内容", "性质", "等级", "解决时间", "回访时间", "回访结果"],
                  ["TS1", d("2026-11-23T09:00"), "甲", "噪音", "有效", "轻微", d("2026-11-23T12:00"), d("2026-11-23T16:00"), "满意"],
                  ["TS2", d("2026-11-23T10:00"), "乙", "误会", "无效", "轻微", None, None, None],
                  ["TS3", d("2026-11-24T10:00"), "丙", "漏水", "有效", "重要", None, None, None],
                  ["TS4", d("2026-11-25T10:00"), "丁", "停电", "有效", "重大", None, None, None],
                  ["TS5", d("2026-11-26T10:00"), "戊", "咨询", "无效", None, None, None, None],
                  ["TS6", d("2026-11-20T10:00"), "己", "上周的", "有效", "轻微", None, None, None]]
    repairs = [["单号", "房号", "报修时间", "维修内容", "完成时间", "回访时间", "回访结果"],
               ["WX1", "1-101", d("2026-11-23T08:00"), "换灯", d("2026-11-23T10:00"), d("2026-11-23T15:00"), "满意"],
               ["WX2", "1-102", d("2026-11-24T08:00"), "水管", d("2026-11-24T09:00"), d("2026-11-25T09:00"), "不满意"],
               ["WX3", "1-103", d("2026-11-25T08:00"), "门锁", d("2026-11-25T10:00"), None, None]]
    requests = [["编号", "受理时间", "客户", "房号", "内容", "回复时间", "回访时间", "回访结果"],
                ["XQ0", d("2026-11-19T09:00"), "庚", "2-101", "上周的建议", d("2026-11-19T10:00"), d("2026-11-20T09:00"), "满意"],
                ["XQ1", d("2026-11-23T09:00"), "张三", "2-102", "增设快递柜", d("2026-11-23T11:00"), d("2026-11-24T10:00"), "基本满意"],
                ["XQ2", d("2026-11-26T14:00"), "李四", "2-103", "延长会所开放时间", None, None, None]]
    done = process_paths(ctx, [write_xlsx(tmp_path / "w.xlsx", {"投诉": complaints, "报修": repairs, "需求": requests})],
                         d("2026-11-27T16:00"))
    assert done.files[0].status == "accepted", done.files[0].message
    report, _ = build_report(ctx, "weekly", d("2026-11-27T17:00"), parse_week("2026-W48"))

    # TS1–TS5 received this week (TS6 last week): 重大 1 有效; 重要 1 有效; 轻微 1 有效 + 1 无效;
    # TS5 has no 等级 and is 无效. Totals 3 有效 + 2 无效 = 5.
    classes = {r[0]: r[1:] for r in report.table("投诉分类").rows}
    assert classes == {"重大": [1, 0, 0, 1], "重要": [1, 0, 0, 1], "轻微": [1, 1, 0, 2], "未填": [0, 1, 0, 1]}
    assert report.table("投诉分类").total == ["合计", 3, 2, 0, 5]

    # Repairs: callbacks due 23:59 of the day done — WX1 (called 15:00 满意, on time), WX2 (done
    # 11-24, called 11-25 09:00 不满意: late), WX3 (done 11-25, not called at 11-27 17:00: overdue).
    # Complaints: TS1 solved 11-23 12:00, called 16:00 满意 (due 11-24 12:00). Requests: XQ1 answered
    # 11-23 11:00 → due 11-24 11:00, called 10:00 基本满意; XQ0's callback was due last week.
    calls = {r[0]: r[1:] for r in report.table("回访").rows}
    # columns: due, done, on time, late, overdue, 满意, 基本满意, 不满意, 未填
    assert calls["报修登记表"] == [3, 2, 1, 1, 1, 1, 0, 1, 0]
    assert calls["投诉登记表"] == [1, 1, 1, 0, 0, 1, 0, 0, 0]
    assert calls["客户需求建议受理表"] == [1, 1, 1, 0, 0, 0, 1, 0, 0]
    assert calls["特约服务登记表"] == [0] * 9

    # The week's requests in order: XQ1, XQ2 (XQ0 was last week); XQ2 not yet answered.
    listed = report.table("需求建议")
    assert [r[0] for r in listed.rows] == ["XQ1", "XQ2"]
    assert listed.rows[0][4] == "增设快递柜" and listed.rows[0][9] == "基本满意"
    assert "本周受理 2 件，其中尚未回复 1 件" in listed.note
