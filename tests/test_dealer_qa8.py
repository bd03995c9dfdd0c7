"""Dealer pack, QA round 8: a member's sales typed larger than its whole market, and more
found while working two weeks across the September/October boundary and the National Day
holiday. Registers filled as staff fill them, processed, the outputs opened."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from car_fixtures import init
from test_dealer_pipeline import MEMBERS, fill, process
from test_dealer_qa5 import COUNTIES, monthly, rows_of

from toolkit.blank import HEADER_ROW


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return init(tmp_path / "dealer", "dealer")


def _comment(home: Path, register: str, member: str, column: str) -> str:
    copy = sorted((home / "outbox" / "退回批注").glob(f"{register}-问题批注-*.xlsx"))[-1]
    sheet = openpyxl.load_workbook(copy)[register]
    header = [c.value for c in sheet[HEADER_ROW]]
    row = next(r for r in sheet.iter_rows(min_row=HEADER_ROW + 1) if r[header.index("成员编号")].value == member)
    c = row[header.index(column)].comment
    return c.text if c else ""


def test_sales_larger_than_the_whole_market_is_sent_back_not_called_normal(home: Path):
    """September: M02 sold 9,000 of a 12,000 market, typed 90,000 (a zero too many): 750 %
    of its market, which it is part of, cannot be. The salesperson is asked on the 销量
    cell to correct it; the monthly statistics do not call it 正常, and 徐州华联商贸's
    coverage (7,800 + 90,000 = 97,800 of 32,000) is not called 达标 on it. Saved again
    with 9,000: 75.00 %, 正常, and (7,800 + 9,000) ÷ 32,000 = 52.50 %, below 80 %."""
    process(home, fill(home, "县级市场登记", COUNTIES), "2026-10-08T09:00")
    process(home, fill(home, "联销体成员登记", MEMBERS), "2026-10-08T09:00")
    process(home, fill(home, "一级经销商月销量", [{"月份": "2026-09", "一级经销商": "徐州华联商贸", "一级销量": 32000}]),
            "2026-10-08T09:00")
    rows = [{"月份": "2026-09", "成员编号": "M01", "销量": 7800, "所在市场销量": 10000, "填报业务员": "王强"},
            {"月份": "2026-09", "成员编号": "M02", "销量": 90000, "所在市场销量": 12000, "填报业务员": "王强"}]
    result = process(home, fill(home, "二级客户进货统计表", rows), "2026-10-08T10:00")
    over = [f for f in result["findings"] if f["rule"] == "jsb.share_over"]
    assert [f["record"] for f in over] == ["2026-09|M02"], result["findings"]
    assert "90,000.00" in over[0]["message"] and "12,000.00" in over[0]["message"]
    assert "填报业务员王强" in _comment(home, "二级客户进货统计表", "M02", "销量")
    _, book = monthly(home, "2026-09", "2026-10-08T11:00")
    stats = {r[0]: r for r in rows_of(book, "进货统计") if str(r[0]).startswith("M0")}
    assert stats["M02"][-1] == "销量大于所在市场销量（请核对）"
    primary = {r[0]: r for r in rows_of(book, "一级经销商") if r[0] == "徐州华联商贸"}
    assert primary["徐州华联商贸"][-1] == "成员销量有误，待核对"
    assert any(r[0] == "销量大于市场销量" and r[1] == "2026-09|M02" for r in rows_of(book, "登记待改正"))

    rows[1]["销量"] = 9000
    result = process(home, fill(home, "二级客户进货统计表", rows), "2026-10-09T10:00")
    assert [f["status"] for f in result["findings"] if f["rule"] == "jsb.share_over"] == ["resolved"]
    _, book = monthly(home, "2026-09", "2026-10-09T11:00")
    stats = {r[0]: r for r in rows_of(book, "进货统计") if str(r[0]).startswith("M0")}
    assert stats["M02"][-2:] == ("75.00%", "正常")
    primary = {r[0]: r for r in rows_of(book, "一级经销商") if r[0] == "徐州华联商贸"}
    assert primary["徐州华联商贸"][2:] == (16800, 32000, "52.50%", "未达到 80%")
