"""Dealer pack, QA round 12: what one saved 报表上报登记 row resolves. The log of one report
closes that report's finding; a late report that turned 漏报 meanwhile is not "resolved" but
turned into its 漏报 finding, and the outcome line says so. Registers filled as staff fill
them, processed with the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from car_fixtures import dealer_home, init  # noqa: F401 (dealer_home: the fixture "home")
from click.testing import CliRunner
from test_dealer_pipeline import fill, process

from toolkit.cli import main

BOTH = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
COUNTIES = [{"县市": c, "大区": "苏北大区", "责任业务员": who, "一级经销商": "徐州华联商贸"}
            for c, who in (("丰县", "王强"), ("沛县", "王强"), ("睢宁", "李明"))]



@BOTH
def test_one_logged_report_resolves_that_report_and_the_line_says_what_turned_missing(home: Path):
    """王强 and 李明 answer for counties and have October pay rows, so they owe the weekly
    visit list from 2026-W44 (10-26…11-01, due Monday 11-02, 迟报 until 11-09). Processed
    on 11-05 both W44 lists are late. On 11-12 one row logs 王强's W44 list, sent 11-02 on
    time: his W44 finding is resolved. 李明's W44 list, still unlogged, is now 漏报: his
    迟报 finding closes and a 漏报 one opens on the same report — the line counts it as
    turned, not resolved, and the 漏报 stays open for 大区 to act on."""
    process(home, fill(home, "县级市场登记", COUNTIES), "2026-10-01T09:00")
    process(home, fill(home, "业务员工资考核表", [{"月份": "2026-10", "业务员": w, "基本工资": 3000}
                                              for w in ("王强", "李明")]), "2026-11-05T09:00")
    path = fill(home, "报表上报登记", [{"业务员": "王强", "报表": "联销体成员走访一览表", "期间": "2026-W44",
                                   "实报日期": date(2026, 11, 2)}])
    res = CliRunner().invoke(main, ["process", str(path), "--home", str(home), "--now", "2026-11-12T09:00"])
    assert res.exit_code == 0, res.output
    line = next(ln for ln in res.stdout.splitlines() if "报表上报登记.xlsx" in ln)
    assert "已解决 1 条" in line and "转为其他事项 1 条" in line, line


@BOTH
def test_the_json_names_what_was_resolved_and_what_turned(home: Path):
    """The same story read from --json: 王强's W44 finding resolved with nothing left on
    it; 李明's W44 迟报 closed and his W44 漏报 new, 200 元, in the same file's findings —
    the closed 迟报 says it was turned into the 漏报, not lifted."""
    process(home, fill(home, "县级市场登记", COUNTIES), "2026-10-01T09:00")
    process(home, fill(home, "业务员工资考核表", [{"月份": "2026-10", "业务员": w, "基本工资": 3000}
                                              for w in ("王强", "李明")]), "2026-11-05T09:00")
    found = process(home, fill(home, "报表上报登记", [{"业务员": "王强", "报表": "联销体成员走访一览表",
                                                   "期间": "2026-W44", "实报日期": date(2026, 11, 2)}]),
                    "2026-11-12T09:00")
    w44 = {(f["rule"], f["record"], f["state"]) for f in found["findings"] if "W44" in f["record"]}
    assert w44 == {("jsb.report_late", "王强|联销体成员走访一览表|2026-W44", "resolved"),
                   ("jsb.report_late", "李明|联销体成员走访一览表|2026-W44", "resolved"),
                   ("jsb.report_missing", "李明|联销体成员走访一览表|2026-W44", "new")}
    missing = next(f for f in found["findings"] if f["rule"] == "jsb.report_missing" and "李明" in f["record"]
                   and "W44" in f["record"])
    assert "按漏报扣款 200.00 元" in missing["message"]
    # The closed 迟报 findings' own words: 王强's lifted, 李明's turned into his 漏报.
    closed = {f["record"].split("|")[0]: f["message"] for f in found["findings"]
              if f["state"] == "resolved" and "W44" in f["record"]}
    assert closed["王强"].startswith("已解除：业务员王强")
    assert closed["李明"].startswith("已转为本记录的新事项：业务员李明")


@BOTH
def test_a_deadline_met_beside_the_next_ones_opening_is_resolved(tmp_path: Path, database: str):
    """Only a rule a pack declares to follow another (``Pack.follows``) turns a finding:
    an urgent repair done at 08:20 meets its arrival (08:00 + 30 min) and completion deadlines while its
    callback deadline opens on the same record — that is resolved, not turned."""
    from conftest import REPAIR_HEADERS, write_xlsx

    home = init(tmp_path / "property", "property")
    row = ["BX-01", "1-101", "王建国", "13800138001", datetime(2026, 11, 24, 8, 0), "水管爆裂", "紧急", None,
           "李四", None, "否", None, None, None, None]
    src = write_xlsx(tmp_path / "报修登记表.xlsx", {"报修登记": [REPAIR_HEADERS, row]})
    res = CliRunner().invoke(main, ["process", str(src), "--home", str(home), "--now", "2026-11-24T08:10"])
    assert res.exit_code == 0, res.output
    row[9] = datetime(2026, 11, 24, 8, 20)
    src = write_xlsx(tmp_path / "报修登记表.xlsx", {"报修登记": [REPAIR_HEADERS, row]})
    res = CliRunner().invoke(main, ["process", str(src), "--home", str(home), "--now", "2026-11-24T08:30"])
    assert res.exit_code == 0, res.output
    # arrival and completion both met; the callback (提醒) opens
    assert "提醒 1 条、已解决 2 条" in res.output and "转为其他事项" not in res.output
