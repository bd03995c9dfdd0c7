"""Dealer pack, QA round 7: the half-year report's member headline, and a salesman's pay
judged again when a report's limit passes with no register saved. Registers filled as
staff fill them, processed, the report opened."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from car_fixtures import dealer_home  # noqa: F401 (the fixture "home")
from test_dealer_pipeline import MEMBERS, cli, fill, process
from test_dealer_qa5 import PAY

from toolkit.outbox import drain
from toolkit.pipeline import open_context
from toolkit.scheduler import sweep_deadlines
from toolkit.workspace import Workspace


def test_the_half_year_headline_counts_the_members_at_its_end(home: Path):
    """2026年下半年 up to November: sales rows for M01 (cancelled 11-20), M02, M05 and M09 (a
    number nobody registered): 4 rows. M04 joined in March and sent no row; M05 joined on
    08-03 and withdrew on 10-15. The body's members at 11-30 are M02 and M04: 2; at 06-30,
    before the half began, M01, M02 and M04: 3."""
    m01 = {**MEMBERS[0], "状态": "已取消", "取消日期": date(2026, 11, 20), "取消原因": "从其他一级经销商处进货"}
    m04 = {**MEMBERS[0], "成员编号": "M04", "经销商名称": "丰县利民商店", "铜牌编号": "T-004"}
    m05 = {**MEMBERS[1], "成员编号": "M05", "经销商名称": "沛县金桥商店", "协议签订日期": date(2026, 8, 1),
           "入会日期": date(2026, 8, 3), "铜牌编号": "T-005", "状态": "已退出", "取消日期": date(2026, 10, 15),
           "取消原因": "自愿退出"}
    process(home, fill(home, "联销体成员登记", [m01, MEMBERS[1], m04, m05]), "2026-12-04T09:00")
    process(home, fill(home, "二级客户进货统计表", [
        {"月份": "2026-09", "成员编号": m, "销量": 8000, "所在市场销量": 10000, "填报业务员": "王强"}
        for m in ("M01", "M02", "M05", "M09")]), "2026-12-04T09:00")
    code, out = cli("report", "jsb_half_year", "--home", str(home), "--month", "2026-11", "--now", "2026-12-10T09:00",
                    "--json")
    assert code == 0, out
    heads = {h["label"]: (h["value"], h["before"]) for h in json.loads(out)["headline"]}
    assert heads["联销体成员（期末）"] == ("2", "3"), heads
    assert "成员" not in heads


def _pay_messages(home: Path) -> dict[str, str]:
    from sqlalchemy import select

    from toolkit.ruleset.store import rule_findings as t

    ctx = open_context(Workspace(home))
    try:
        with ctx.ledger.engine.connect() as conn:
            return {r.record: r.message for r in conn.execute(select(t.c.record, t.c.message).where(
                t.c.rule == "jsb.pay", t.c.is_open.is_(True)))}
    finally:
        ctx.close()


def test_pay_is_judged_again_when_a_reports_limit_passes(home: Path):
    """王强 logged October's statistics on 11-20 with no 实报日期 (due 11-05) and saved his
    November and December pay rows: December's pay is 2,380.00 while the report is only
    late. Its missing limit, Mon 12-07, passes with nobody saving a register: the next
    day's sweep makes it 漏报, 200 taken from December's fund: 2,180.00, as saving a
    register would have."""
    process(home, fill(home, "报表上报登记", [{"业务员": "王强", "报表": "二级客户进货统计表", "期间": "2026-10"}]),
            "2026-11-20T09:00")
    process(home, fill(home, "业务员工资考核表", [{**PAY, "月份": m} for m in ("2026-11", "2026-12")]),
            "2026-11-20T09:10")
    assert "= 2,380.00 元" in _pay_messages(home)["2026-12|王强"]
    ctx = open_context(Workspace(home))
    try:
        sweep_deadlines(ctx, datetime(2026, 12, 8, 8, 0))
        drain(ctx.ws, ctx.ledger)
    finally:
        ctx.close()
    pay = _pay_messages(home)
    assert "= 2,180.00 元" in pay["2026-12|王强"], pay
    assert "= 2,380.00 元" in pay["2026-11|王强"], pay
    notices = sorted((home / "outbox" / "文书草稿").glob("*报表迟报漏报扣款通知*.docx"))
    assert [p.name for p in notices if "2026-12" in p.name], notices
