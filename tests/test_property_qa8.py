"""Defects QA found in the property pack (eighth round): each test is one of them, real files."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import write_xlsx

from toolkit.documents import apply_approvals, document_rows
from toolkit.outbox import drain
from toolkit.pipeline import process_paths
from toolkit.reports import build_report, parse_day

# The ledger holds what is judged: both databases.
pytestmark = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)

MOVE = ["编号", "房号", "携带人", "身份", "物品", "日期", "业主核实", "出门性质", "核实时间", "水电气结清"]
FEES = ["房号", "业主", "联系电话", "建筑面积", "单价", "已缴至", "欠费金额"]
SLIP = "某某物业〔2026〕放字第001号"


# --- 1. a signed slip whose move-out is refused later is named as no longer valid ---------------


def _signed_slip(ctx, home: Path) -> list[list[Any]]:
    """FX-21: 李秀英, owner of 1-102 (paid to 12-31), moves out on Thu 11-26 with water,
    electricity and gas settled: released at 09:00, 放字第001号 signed by 刘经理 at 09:30."""
    fees = write_xlsx(home / "inbox" / "物业费台账.xlsx", {"物业费": [
        FEES, ["1-102", "李秀英", "13800138002", 120, 2.8, date(2026, 12, 31), 0]]})
    rows = [MOVE, ["FX-21", "1-102", "李秀英", "业主", "衣柜、床", date(2026, 11, 26), None, "搬家迁出", None, "是"]]
    done = process_paths(ctx, [fees, write_xlsx(home / "inbox" / "放行登记.xlsx", {"放行": rows})],
                         datetime(2026, 11, 26, 9, 0))
    assert all(f.status == "accepted" for f in done.files), [f.message for f in done.files]
    drain(ctx.ws, ctx.ledger)
    assert apply_approvals(ctx.ws, ctx.ledger, [{"文号": SLIP, "签发人": "刘经理"}],
                           datetime(2026, 11, 26, 9, 30)) == [SLIP]
    return rows


def _arrears_found(ctx, home: Path) -> None:
    """10:00: the cashier saves the corrected account — 1-102 is paid only to 08-31 and owes
    3 months (Sep, Oct, Nov begun by 11-26) × 120 m² × 2.80 = 1,008.00: FX-21 is refused."""
    owed = write_xlsx(home / "inbox" / "物业费台账-更正.xlsx", {"物业费": [
        FEES, ["1-102", "李秀英", "13800138002", 120, 2.8, date(2026, 8, 31), 1008]]})
    later = process_paths(ctx, [owed], datetime(2026, 11, 26, 10, 0))
    assert later.files[0].status == "accepted", later.files[0].message
    drain(ctx.ws, ctx.ledger)


def test_a_signed_slip_of_a_move_out_refused_later_is_named_for_the_gate(ctx, home: Path):
    """The slip stays signed (nothing can unsign paper in 李秀英's hand), but it must not let the
    furniture out. The 08:30 daily list of 11-27 names 放字第001号 under 待处理问题 for 秩序部:
    no longer valid, tell the gate, take it back. The 不予放行 row of 须处理事项 says it too, and
    so does the row of the move-out register's return copy judged again after the fee account."""
    _signed_slip(ctx, home)
    _arrears_found(ctx, home)
    assert [(d["number"], d["status"]) for d in document_rows(ctx.ledger) if "放字" in d["number"]] == \
        [(SLIP, "已审批")]

    daily, _ = build_report(ctx, "daily_due", datetime(2026, 11, 27, 8, 30), parse_day("2026-11-27"))
    (row,) = [r for r in daily.table("待处理问题").rows if r[2] == "FX-21"]
    assert row[:6] == ["暂停办理", "放行登记", "FX-21", "1-102", "", "秩序部"]
    assert SLIP in row[6] and "不予放行" in row[6] and "不再有效" in row[6]
    assert "门岗" in row[6] and "收回" in row[6]
    acts = daily.table("须处理事项")
    col = {c.title: i for i, c in enumerate(acts.columns)}
    (act,) = [r for r in acts.rows if r[col["编号"]] == "FX-21"]
    assert act[col["问题"]] == "不予放行" and f"重新提交。已签发的物品放行条 {SLIP} 不再有效" in act[col["须处理"]]

    (copy,) = ctx.ws.returns.glob("放行登记-问题批注-*.xlsx")
    notes = [c.comment.text for r in openpyxl.load_workbook(copy)["放行"].iter_rows(min_row=2) for c in r
             if c.comment]
    assert notes and all("不予放行" in n for n in notes)
    assert any(SLIP in n and "不再有效" in n and "门岗" in n for n in notes), notes


def test_a_signed_slip_stands_again_once_the_arrears_are_paid(ctx, home: Path):
    """11:00 the owner pays to 12-31: FX-21 is released again; 放字第001号 is no longer named
    (a new slip is drafted for the release), and no return copy says 不予放行."""
    _signed_slip(ctx, home)
    _arrears_found(ctx, home)
    paid = write_xlsx(home / "inbox" / "物业费台账-已缴.xlsx", {"物业费": [
        FEES, ["1-102", "李秀英", "13800138012", 120, 2.8, date(2026, 12, 31), 0]]})
    assert process_paths(ctx, [paid], datetime(2026, 11, 26, 11, 0)).files[0].status == "accepted"
    drain(ctx.ws, ctx.ledger)
    daily, _ = build_report(ctx, "daily_due", datetime(2026, 11, 27, 8, 30), parse_day("2026-11-27"))
    assert not [r for r in daily.table("待处理问题").rows if r[2] == "FX-21"]
    assert not [r for r in daily.table("须处理事项").rows if r[2] == "FX-21"]
