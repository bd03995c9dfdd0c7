"""The weekly report's sheets from seed 001: complaints by 等级 and 性质 (投诉 统计), the
week's callbacks with their results (回访, "每周统计"), and the week's requests and
suggestions itemised (需求建议 5, "每周五…汇总")."""

from __future__ import annotations

from collections import Counter
from typing import Any

from toolkit.reports.model import Column, Mark, Table
from toolkit.reports.periods import Period
from toolkit.reports.source import Source, when

LEVELS = ("重大", "重要", "轻微")
NATURES = ("有效", "无效")
UNSET = "未填"
RESULTS = ("满意", "基本满意", "不满意")
# The callback rule of each register that has one, and the sheet's name for it.
CALLBACKS = {"repair": "repair.callback", "complaint": "complaint.callback", "request": "request.callback",
             "special_service": "service.callback"}


def _window(src: Source, p: Period) -> tuple[Any, Any]:
    return p.start_dt, min(p.end_dt, src.as_of)


def complaint_classes(src: Source, p: Period) -> Table:
    """Complaints received in the week by 等级 (rows) and 性质 (columns), 无效 counted."""
    start, cut = _window(src, p)
    counts: Counter = Counter()
    for v in src.records("complaint").values():
        got = when(v.get("受理时间"))
        if got is None or not start <= got < cut:
            continue
        level = v.get("等级") if v.get("等级") in LEVELS else UNSET
        nature = v.get("性质") if v.get("性质") in NATURES else UNSET
        counts[(level, nature)] += 1
    rows = []
    for level in (*LEVELS, UNSET):
        row = [counts[(level, n)] for n in (*NATURES, UNSET)]
        if level != UNSET or sum(row):
            rows.append([level, *row, sum(row)])
    return Table(
        "投诉分类", f"本周投诉按等级与性质 {p.zh}",
        [Column("等级", width=10), Column("有效", "int"), Column("无效", "int"), Column("性质未填", "int"),
         Column("合计", "int")],
        rows, total=["合计", *(sum(r[i] for r in rows) for i in range(1, 5))],
        note="本周受理的投诉，按登记表的“等级”“性质”计数（升级后的等级见“投诉升级”）；无效投诉也计入。",
    )


def callbacks(src: Source, p: Period) -> Table:
    """Per register: callbacks due in the week, done in it (on time, late), overdue at its
    end, and the results of those done."""
    start, cut = _window(src, p)
    rows = []
    for reg, rule in CALLBACKS.items():
        records = src.records(reg)
        due_in = done_in = on_time = late = overdue = 0
        results: Counter = Counter()
        for f in src.findings(reg):
            if f.rule != rule or f.due is None:
                continue
            done = when(f.values.get("done"))
            if start <= f.due < p.end_dt:
                due_in += 1
            if done is not None and start <= done < cut:
                done_in += 1
                on_time += done <= f.due
                late += done > f.due
                got = records.get(f.record, {}).get("回访结果")
                results[got if got in RESULTS else UNSET] += 1
            elif f.due < cut and (done is None or done >= cut):
                overdue += 1
        rows.append([src.title(reg), due_in, done_in, on_time, late, overdue,
                     *(results[r] for r in RESULTS), results[UNSET]])
    return Table(
        "回访", f"本周回访统计 {p.zh}",
        [Column("登记表", width=18), Column("本周应回访", "int"), Column("本周已回访", "int"), Column("按时", "int"),
         Column("超时", "int"), Column("逾期未回访", "int"), Column("满意", "int"), Column("基本满意", "int"),
         Column("不满意", "int"), Column("结果未填", "int")],
        rows, total=["合计", *(sum(r[i] for r in rows) for i in range(1, 10))],
        marks=[],
        note=("应回访：回访时限在本周内；已回访：回访时间在本周内（结果按登记表“回访结果”）；"
              "逾期未回访：本周末（或制表时）已过时限仍未回访。不满意的请部门主管跟进整改。"),
    )


def requests_list(src: Source, p: Period) -> Table:
    """Every request and suggestion received in the week, in order."""
    start, cut = _window(src, p)
    rows = []
    for key, v in src.records("request").items():
        got = when(v.get("受理时间"))
        if got is None or not start <= got < cut:
            continue
        rows.append([key, got, v.get("客户"), v.get("房号"), v.get("内容"), v.get("转报部门"),
                     when(v.get("回复时间")), v.get("状态"), when(v.get("回访时间")), v.get("回访结果")])
    rows.sort(key=lambda r: (r[1], r[0]))
    open_rows = sum(1 for r in rows if r[6] is None)
    return Table(
        "需求建议", f"本周客户需求与建议汇总 {p.zh}",
        [Column("编号", width=12), Column("受理时间", "datetime"), Column("客户", width=10), Column("房号", width=10),
         Column("内容", width=36), Column("转报部门", width=12), Column("回复时间", "datetime"),
         Column("状态", width=10), Column("回访时间", "datetime"), Column("回访结果", width=10)],
        rows, marks=[Mark("回访结果", "不满意")],
        note=f"本周受理 {len(rows)} 件，其中尚未回复 {open_rows} 件。",
    )


__all__ = ["callbacks", "complaint_classes", "requests_list"]
