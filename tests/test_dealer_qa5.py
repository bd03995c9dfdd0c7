"""Dealer pack, QA round 5: what the monthly lists ask of people who can still act, fines
that no pay row ever takes, the member count of the monthly report, and the month a fine
belongs to. Registers filled as staff fill them, processed, and the report opened."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from car_fixtures import init
from test_dealer_pipeline import MEMBERS, cli, fill, process

COUNTIES = [{"县市": c, "大区": "苏北大区", "责任业务员": "王强", "一级经销商": "徐州华联商贸"} for c in ("丰县", "沛县")]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TOOLKIT_PDF", "off")
    return init(tmp_path / "dealer", "dealer")


def monthly(home: Path, month: str, now: str) -> tuple[dict[str, Any], openpyxl.Workbook]:
    code, out = cli("report", "jsb_monthly", "--home", str(home), "--month", month, "--now", now, "--json")
    assert code == 0, out
    made = json.loads(out)
    return made, openpyxl.load_workbook(next(o for o in made["outputs"] if o.endswith(".xlsx")))


def rows_of(book: openpyxl.Workbook, sheet: str) -> list[tuple[Any, ...]]:
    return [r for r in book[sheet].iter_rows(values_only=True) if r and any(r)]


# --- 1. a member cancelled since: its old findings leave the action lists ------------------------


def visit(day: date, member: str, how: str) -> dict[str, Any]:
    return {"日期": day, "业务员": "王强", "成员编号": member, "方式": how}


def test_findings_about_a_member_cancelled_since_leave_the_action_list(home: Path):
    """October: M01 and M02 each visited and called. November: nobody → each is short of a
    visit and a call, listed on 12-04. M01 is cancelled on 12-10 (sold below 70 % three
    months running): on 12-15 nobody can make up its November visit any more, so the
    December list (需处理事项, every open matter whatever its month) drops it and keeps
    M02's. The November report, made as of its run on 12-06, still lists both: history."""
    process(home, fill(home, "县级市场登记", COUNTIES), "2026-12-04T09:00")
    process(home, fill(home, "联销体成员登记", MEMBERS), "2026-12-04T09:00")
    october = [visit(date(2026, 10, d), m, how) for m in ("M01", "M02") for d, how in ((12, "走访"), (13, "电话调度"))]
    first = process(home, fill(home, "联销体成员走访记录", october), "2026-12-04T09:00")
    short = {f["record"]: f for f in first["findings"] if f["rule"] == "jsb.visit_shortfall"}
    assert set(short) == {"2026-11|M01", "2026-11|M02"}
    gone = {**MEMBERS[0], "状态": "已取消", "取消日期": date(2026, 12, 10), "取消原因": "连续三个月销量低于70%"}
    process(home, fill(home, "联销体成员登记", [gone, MEMBERS[1]], "联销体成员登记-取消"), "2026-12-15T09:00")
    _, december = monthly(home, "2026-12", "2026-12-15T10:00")
    assert [r[1] for r in rows_of(december, "需处理事项") if r[0] == "走访不足"] == ["2026-11|M02"]
    _, november = monthly(home, "2026-11", "2026-12-15T10:00")
    assert [r[1] for r in rows_of(november, "需处理事项") if r[0] == "走访不足"] == ["2026-11|M01", "2026-11|M02"]
