"""Daily patrols (seed 001 楼层巡检, 装修 13–14; 003 第四篇 3.2.4 4.2): every assistant
patrols each working day, the three departments patrol each renovation under way each
working day; the contractor's qualification and approval of structural or gas changes;
the 装修入场知会单 when work starts. Figures worked out by hand.

November 2026: 11-19 Thu, 11-20 Fri, 11-21/22 weekend, 11-23 Mon … 11-26 Thu.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import write_xlsx
from docx import Document
from rules_helpers import pick, rules_of, run
from test_property_departures import run_with

from toolkit.pipeline import process_paths
from toolkit.reports import build_report, parse_day

BOTH = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
NOW = "2026-11-26T08:30"  # the daily list's run: looks back 7 days, 11-19 … 11-25


def patrols(*rows: tuple[str, date]) -> dict:
    return {"patrol": {f"XJ{i}": {"巡检编号": f"XJ{i}", "日期": d, "巡视人": who, "抽查楼层": "1,2,3,4,5"}
                       for i, (who, d) in enumerate(rows, 1)}}


# ---- each assistant, each working day ------------------------------------------------------


def test_each_assistant_patrols_every_working_day():
    # Window 11-19 … 11-25; its working days: 19, 20, 23, 24, 25 (21, 22 a weekend).
    # 小张 patrolled 19, 20, 23, 25 and on Saturday 21 → 24 missing (the weekend neither
    # counts nor is required). 小李 patrolled only on 25 → 19, 20, 23, 24 missing.
    state = patrols(("小张", date(2026, 11, 19)), ("小张", date(2026, 11, 20)), ("小张", date(2026, 11, 21)),
                    ("小张", date(2026, 11, 23)), ("小张", date(2026, 11, 25)), ("小李", date(2026, 11, 25)))
    found = run(state, NOW)
    f = pick(found, "patrol.daily", "小张")
    assert f.values["days"] == [date(2026, 11, 24)]
    assert "11-24" in f.message or "2026-11-24" in f.message
    f = pick(found, "patrol.daily", "小李")
    assert f.values["days"] == [date(2026, 11, 19), date(2026, 11, 20), date(2026, 11, 23), date(2026, 11, 24)]
    # Today (11-26) is not over: nothing is asked of it yet.
    assert date(2026, 11, 26) not in f.values["days"]


def test_every_day_patrolled_gives_no_finding():
    days = [date(2026, 11, d) for d in (19, 20, 23, 24, 25)]
    assert "patrol.daily" not in rules_of(run(patrols(*[("小张", d) for d in days]), NOW))


def test_assistants_listed_in_a_setting(tmp_path: Path):
    # assistants: [小张, 小王] — 小王 has no patrol at all → all 5 working days missing;
    # 小李 (not listed) is not judged although he patrolled only once.
    state = patrols(*[("小张", date(2026, 11, d)) for d in (19, 20, 23, 24, 25)], ("小李", date(2026, 11, 25)))
    found = run_with(tmp_path, ("sla.yaml", "  assistants: []", "  assistants: [小张, 小王]"), state, NOW)
    f = pick(found, "patrol.daily", "小王")
    assert len(f.values["days"]) == 5
    assert {f.record for f in found if f.rule == "patrol.daily"} == {"小王"}


# ---- the three departments' renovation patrols ---------------------------------------------


def permit(key: str = "ZX1", **v) -> dict:
    base = {"编号": key, "房号": "2-0301", "业主": "陈明", "装修公司": "安居装饰", "申请日期": date(2026, 11, 16),
            "审批日期": date(2026, 11, 17), "开工日期": date(2026, 11, 20)}
    return {**base, **v}


def site_patrols(*rows: tuple[str, date, str]) -> dict:
    return {f"{d}|{k}|{dept}": {"日期": d, "装修编号": k, "巡查部门": dept, "巡查人": "某"} for k, d, dept in rows}


ALL = ("客户服务中心", "工程部", "保安部")


def test_three_departments_patrol_each_site_every_working_day():
    # ZX1 started Fri 11-20, under way: working days 20, 23, 24, 25 of the window.
    # 20: all three; 23: no 保安部; 24: all three; 25: 保安部 only → 23 缺保安部, 25 缺客户服务中心、工程部.
    rows = ([("ZX1", date(2026, 11, 20), d) for d in ALL] + [("ZX1", date(2026, 11, 23), d) for d in ALL[:2]]
            + [("ZX1", date(2026, 11, 24), d) for d in ALL] + [("ZX1", date(2026, 11, 25), "保安部")])
    state = {"renovation": {"ZX1": permit()}, "renovation_patrol": site_patrols(*rows)}
    f = pick(run(state, NOW), "renovation.patrol", "ZX1")
    assert f.values["missing"] == [{"日期": date(2026, 11, 23), "departments": ["保安部"]},
                                   {"日期": date(2026, 11, 25), "departments": ["客户服务中心", "工程部"]}]
    assert f.values["departments"] == ["客户服务中心", "工程部", "保安部"]
    assert "请客户服务中心、工程部、保安部补巡" in f.message


def test_site_patrols_stop_at_acceptance():
    # ZX2 started 11-10, accepted Tue 11-24: under way in the window on 19, 20, 23 only
    # (the acceptance day is the joint visit). No record at all → those 3 days, all three departments.
    state = {"renovation": {"ZX2": permit("ZX2", 开工日期=date(2026, 11, 10), 竣工验收日期=date(2026, 11, 24))},
             "renovation_patrol": {}}
    f = pick(run(state, NOW), "renovation.patrol", "ZX2")
    assert [m["日期"] for m in f.values["missing"]] == [date(2026, 11, 19), date(2026, 11, 20), date(2026, 11, 23)]
    assert all(m["departments"] == list(ALL) for m in f.values["missing"])
    # Not started yet: nothing to patrol.
    assert "renovation.patrol" not in rules_of(run({"renovation": {"ZX1": permit(开工日期=None)}}, NOW))


# ---- qualification, structural and gas changes, the entry notice ---------------------------


def test_contractor_needs_grade_two_or_better():
    # "二级以上,含二级": 二级 and 一级 pass, 三级 and 无 are refused.
    for grade in ("一级", "二级"):
        assert "renovation.qualification" not in rules_of(run({"renovation": {"ZX1": permit(资质等级=grade)}}, NOW))
    for grade in ("三级", "无"):
        f = pick(run({"renovation": {"ZX1": permit(资质等级=grade)}}, NOW), "renovation.qualification")
        assert f.severity == "error" and f.values["资质等级"] == grade


def test_structure_or_gas_change_needs_approval_before_work_starts():
    f = pick(run({"renovation": {"ZX1": permit(开工日期=None, 结构改动="是")}}, NOW), "renovation.structure_gas")
    assert f.severity == "warning" and f.values["changes"] == ["结构改动"]
    f = pick(run({"renovation": {"ZX1": permit(煤气改动="是", 结构改动="是", 报批="否")}}, NOW),
             "renovation.structure_gas")
    assert f.severity == "error" and "停工" in f.message and f.values["changes"] == ["结构改动", "煤气改动"]
    assert "renovation.structure_gas" not in rules_of(run({"renovation": {"ZX1": permit(煤气改动="是", 报批="是")}},
                                                           NOW))


def test_work_started_asks_for_the_entry_notice():
    f = pick(run({"renovation": {"ZX1": permit()}}, NOW), "renovation.started")
    assert (f.severity, f.notice, f.values["开工日期"]) == ("info", "renovation_entry_notice", date(2026, 11, 20))
    # 210 m² > 200 m² without fire approval: the site is to be stopped, so no notice tells
    # the gate it was approved; with 消防审批 是 the notice follows.
    f = pick(run({"renovation": {"ZX1": permit(建筑面积=210, 消防审批="否")}}, NOW), "renovation.started")
    assert f.notice is None and "待补办消防审批" in f.message
    f = pick(run({"renovation": {"ZX1": permit(建筑面积=210, 消防审批="是")}}, NOW), "renovation.started")
    assert f.notice == "renovation_entry_notice"
    # Started 2026-09-01, 86 days before 11-26 (> 30): history, no notice drafted now.
    assert "renovation.started" not in rules_of(run({"renovation": {"ZX1": permit(开工日期=date(2026, 9, 1))}}, NOW))


def test_a_site_the_centre_may_not_accept_gets_no_entry_notice_nor_agreement():
    """A contractor below grade two ("客户服务中心不得受理") or a structural or gas change
    begun without the government's approval ("立即通知停工") is a site to stop, like one
    lacking its fire approval: no 装修入场知会单 announces it to the gate and no 装修管理
    服务协议 is drafted for signing until the row is put right; the finding says what first."""
    for bad, first in (({"资质等级": "三级"}, "更换为一级或二级资质的装修公司"),
                       ({"资质等级": "无"}, "更换为一级或二级资质的装修公司"),
                       ({"结构改动": "是", "报批": "否"}, "办妥结构改动报批"),
                       ({"煤气改动": "是"}, "办妥煤气改动报批")):
        found = run({"renovation": {"ZX1": permit(**bad)}}, NOW)
        started, approved = pick(found, "renovation.started"), pick(found, "renovation.approved")
        assert started.notice is None and approved.notice is None, bad
        assert f"待{first}后再签发装修入场知会单" in started.message, started.message
        assert f"须先{first}，暂不签订装修管理协议" in approved.message, approved.message
    # Put right (grade two, the change approved): both follow.
    found = run({"renovation": {"ZX1": permit(资质等级="二级", 结构改动="是", 报批="是")}}, NOW)
    assert pick(found, "renovation.started").notice == "renovation_entry_notice"
    assert pick(found, "renovation.approved").notice == "renovation_agreement"


# ---- through the pipeline: the daily list and the notice -----------------------------------


@BOTH
def test_patrols_reach_the_daily_list_and_the_notice_is_drafted(ctx, tmp_path: Path):
    reno = [["编号", "房号", "业主", "联系电话", "装修公司", "申请日期", "审批日期", "资质等级", "结构改动", "报批",
             "出入证数量", "入场确认日期", "开工日期"],
            ["ZX001", "2-0301", "陈明", "13812345678", "安居装饰", date(2026, 11, 16), date(2026, 11, 17), "三级", "是",
             "否", 4, date(2026, 11, 25), date(2026, 11, 25)],
            # A grade-two contractor, no change to approve: the site announced.
            ["ZX002", "2-0501", "林芳", "13812345678", "安居装饰", date(2026, 11, 16), date(2026, 11, 17), "二级", "否",
             None, 4, date(2026, 11, 25), date(2026, 11, 25)]]
    site = [["日期", "装修编号", "房号", "巡查部门", "巡查人", "发现违章"],
            [date(2026, 11, 25), "ZX001", "2-0301", "客户服务中心", "小张", "无"],
            [date(2026, 11, 25), "ZX001", "2-0301", "工程部", "老王", "无"]]
    floor = [["巡检编号", "日期", "巡视人", "抽查楼层"],
             ["XJ001", date(2026, 11, 23), "小张", "3,7,12,15,21"],
             ["XJ002", date(2026, 11, 25), "小张", "2,6,9,14,18"]]
    path = write_xlsx(tmp_path / "装修与巡检.xlsx", {"装修": reno, "装修巡查": site, "楼层巡检": floor})
    done = process_paths(ctx, [path], datetime(2026, 11, 26, 8, 0))
    assert done.files[0].status == "accepted", done.files[0].message
    assert set(done.files[0].registers) == {"renovation", "renovation_patrol", "patrol"}

    report, _ = build_report(ctx, "daily_due", datetime(2026, 11, 26, 8, 30), parse_day("2026-11-26"))
    issues = {(r[1], r[2]): r for r in report.table("待处理问题").rows}
    # 小张 patrolled 23 and 25: of the working days 19, 20, 23, 24, 25 → 19, 20, 24 missing.
    row = issues[("楼层巡检表", "小张")]
    assert row[4] == "小张" and "11-19" in row[6] and "11-20" in row[6] and "11-24" in row[6]
    # ZX001 started 11-25: 保安部 did not patrol that day.
    row = issues[("装修登记表", "ZX001")]
    assert row[3] == "2-0301" and "缺保安部" in row[6] and "请保安部补巡" in row[6]
    assert any("施工资质为“三级”" in r[6] for r in report.table("待处理问题").rows)
    assert any("涉及结构改动" in r[6] and "停工" in r[6] for r in report.table("待处理问题").rows)

    # ZX001 (三级, a structural change not approved) is to be stopped: no notice for it.
    drafts = [p for p in ctx.ws.drafts.glob("*.docx") if "装修入场知会单" in p.name]
    assert [p.name.endswith("_ZX002.docx") for p in drafts] == [True], sorted(p.name for p in drafts)
    doc = Document(drafts[0])
    text = "\n".join([p.text for p in doc.paragraphs]
                     + [c.text for t in doc.tables for row in t.rows for c in row.cells])
    assert "工程部、保安部：" in text and "场字第001号" in text
    # The date as the document engine prints it (2026年11月25日), the unit, contractor, 4 passes.
    assert "2-0501" in text and "安居装饰" in text and "于2026年11月25日入场施工" in text
    assert "4张" in text and "工程部签收" in text and "138****5678" in text
