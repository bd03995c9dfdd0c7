"""Property rules checked against the seed's own figures (round 14d): each test one discrepancy, real files."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import write_xlsx

from toolkit.pipeline import process_paths

# The ledger holds what is judged: both databases.
pytestmark = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)

FEES = ["房号", "业主", "联系电话", "建筑面积", "单价", "已缴至", "欠费金额"]
TRANSFER = ["房号", "原业主", "新业主", "新业主身份证号", "产权证号", "转让日期", "原业主结清", "建筑面积",
            "物业费单价", "新业主预缴月数"]


def _open(ctx) -> list[tuple[str, str]]:
    from toolkit.ruleset import open_findings

    with ctx.ledger.engine.connect() as conn:
        return sorted((f.rule, f.record) for f in open_findings(conn, ctx.ledger.site))


def _accept(ctx, paths: list[Path], now: datetime) -> None:
    done = process_paths(ctx, paths, now)
    assert all(f.status == "accepted" for f in done.files), [f.message for f in done.files]


# --- 1. the old owner settles the fees *before* the transfer point, not the transfer day too ----


def test_old_owner_paid_to_the_day_before_the_transfer_is_settled(ctx, home: Path):
    """Seed 001 房屋转让: the cashier checks the old owner's arrears and the old owner clears
    every fee up to the point the two hand over; the new owner prepays at least half a year
    from that point. The transfer day is the new owner's first day (his 6 months run
    12-01..05-31), so an old owner paid to 11-30 owes nothing for a 12-01 transfer:
    no blocking 原业主 finding, and a 结清 是 beside it is not queried. 1-0102, paid to
    11-29, still owes 11-30 (one day before the 12-01 transfer): blocked."""
    fees = write_xlsx(home / "inbox" / "物业费台账.xlsx", {"物业费": [
        FEES, ["1-0101", "王芳", "13800000001", 100, 2.5, date(2026, 11, 30), None],
        ["1-0102", "李强", "13800000002", 100, 2.5, date(2026, 11, 29), None],
        ["1-0103", "周敏", "13800000003", 100, 2.5, date(2026, 11, 30), None]]})
    rows = [TRANSFER,
            ["1-0101", "王芳", "赵六", "11010519491231002X", "京房权证001", date(2026, 12, 1), None, 100, 2.5, 6],
            ["1-0102", "李强", "钱七", "110105194912310038", "京房权证002", date(2026, 12, 1), None, 100, 2.5, 6],
            ["1-0103", "周敏", "孙八", "110105194912310046", "京房权证003", date(2026, 12, 1), "是", 100, 2.5, 6]]
    _accept(ctx, [fees, write_xlsx(home / "inbox" / "房屋转让登记.xlsx", {"转让": rows})],
            datetime(2026, 12, 1, 10, 0))
    about = [(rule, rec) for rule, rec in _open(ctx) if rule.startswith("transfer.") and rule != "transfer.payment"]
    assert about == [("transfer.old_owner", "1-0102|2026-12-01")]
