"""Property rules checked against the seed's own figures (round 14d): each test one discrepancy, real files."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import write_xlsx

from toolkit.pipeline import process_paths
from toolkit.reports import build_report, parse_month

# The ledger holds what is judged: both databases.
pytestmark = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)

FEES = ["房号", "业主", "联系电话", "建筑面积", "单价", "已缴至", "欠费金额"]
TRANSFER = ["房号", "原业主", "新业主", "新业主身份证号", "产权证号", "转让日期", "原业主结清", "建筑面积",
            "物业费单价", "新业主预缴月数"]
VISIT = ["日期", "拜访人", "部门", "客户", "房号", "方式", "意见"]


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


# --- 2. visits are judged on the customers seen, not on the rows written -------------------------


def test_monthly_visits_count_distinct_customers(ctx, home: Path):
    """Seed 001 客户访问: a department sees at least 10 customers a month, a customer assistant
    at least 20 ("不少于…人": people, not calls). In November 小王 (客服部) wrote 21 rows but
    saw 陈女士 3 times: 18 + 1 = 19 customers, short of 20. 小李 (客服部) saw 8 customers, 5
    of them also seen by 小王 (客户1..5): 客服部 saw 19 + 3 = 22 customers (29 rows). 老张 (工程部)
    called on 吴先生 12 times: 1 customer, short of 10, although 12 rows ≥ 10."""
    rows = [VISIT]
    for i in range(18):
        rows.append([date(2026, 11, 2 + i), "小王", "客服部", f"客户{i + 1}", f"1-{i + 1:04d}", "上门", None])
    rows += [[date(2026, 11, d), "小王", "客服部", "陈女士", "2-0201", "电话", None] for d in (23, 24, 25)]
    rows += [[date(2026, 11, 2 + i), "小李", "客服部", f"客户{i + 1}", f"1-{i + 1:04d}", "电话", None]
             for i in range(5)]
    rows += [[date(2026, 11, 9 + i), "小李", "客服部", f"住户{i + 1}", f"3-{i + 1:04d}", "上门", None]
             for i in range(3)]
    rows += [[date(2026, 11, 2 + i), "老张", "工程部", "吴先生", "5-0501", "上门", None] for i in range(12)]
    _accept(ctx, [write_xlsx(home / "inbox" / "客户拜访记录.xlsx", {"拜访": rows})], datetime(2026, 11, 30, 18, 0))
    report, _ = build_report(ctx, "monthly", datetime(2026, 12, 1, 8, 30), parse_month("2026-11"))
    people = {r[1]: (r[2], r[4]) for r in report.table("拜访考核-人员").rows}
    assert people == {"小王": (19, "未达标"), "小李": (8, "未达标"), "老张": (1, "未达标")}
    depts = {r[0]: (r[1], r[3]) for r in report.table("拜访考核-部门").rows}
    assert depts == {"客服部": (22, "达标"), "工程部": (1, "未达标")}


# --- 3. a repair's callback is the desk's early shift, not 工程部's -------------------------------

REPAIR = ["单号", "房号", "报修人", "联系电话", "报修时间", "维修内容", "紧急程度", "预约时间", "接报人",
          "完成时间", "是否有偿", "材料费", "人工费", "回访时间", "回访结果"]


def test_repair_callback_is_named_to_the_desks_early_shift(ctx, home: Path):
    """Seed 001 报修: 工程部 hands the finished slip back to the customer centre, and the
    centre's early-shift staff of that day call the customer back (当日…回访). BX501,
    finished Mon 11-30 10:00 and not called back, is due 11-30 23:59: on Tue 12-01's 08:30
    list it is overdue 8 h 31 min, charged to 早班客户助理 of 客服中心 — not to 工程部.
    BX502, urgent, reported 12-01 08:00 and nobody on site by 08:30 (due 08:30, not yet
    overdue: today), stays 工程部's, named by its 接报人 who urges the technician."""
    from toolkit.reports import parse_day

    rows = [REPAIR,
            ["BX501", "1-0101", "陈女士", "13800000001", datetime(2026, 11, 30, 8, 0), "厨房水龙头漏水", "一般", None,
             "小刘", datetime(2026, 11, 30, 10, 0), "否", None, None, None, None],
            ["BX502", "1-0102", "王先生", "13800000002", datetime(2026, 12, 1, 8, 0), "水管爆裂", "紧急", None,
             "小刘", None, "否", None, None, None, None]]
    _accept(ctx, [write_xlsx(home / "inbox" / "报修登记表.xlsx", {"报修": rows})], datetime(2026, 12, 1, 8, 10))
    daily, _ = build_report(ctx, "daily_due", datetime(2026, 12, 1, 8, 30), parse_day("2026-12-01"))
    named = {(r[2], r[4]): (r[0], r[6], r[7], r[8]) for r in daily.table("待办与逾期").rows}
    assert named[("BX501", "维修回访")] == ("已逾期", "8小时31分钟", "早班客户助理", "客服中心")
    assert named[("BX502", "紧急报修到场")][2:] == ("小刘", "工程部")


# --- 4. "1日内" and "2日内" are days on the clock, not working days ---------------------------------

COMPLAINT = ["编号", "受理时间", "投诉人", "房号", "联系电话", "投诉内容", "事件", "被投诉部门", "性质", "等级",
             "转报时间", "回复时间", "解决时间", "回访时间", "处理结果", "状态"]


def test_important_and_major_complaint_limits_count_calendar_days(ctx, home: Path):
    """Seed 001 投诉 时效: a 重要 complaint is handled "在1日内", a 重大 one answered "在2日内"
    (and solved within 15 days, the same 日 in the same sentence); where the manual means
    working days it says so (装修 "1个工作日内审批"). TS1 (重要) and TS2 (重大), both taken Fri
    11-27 09:00 and forwarded at 09:05: TS1 is due Sat 11-28 09:00, TS2's answer Sun 11-29
    09:00 — not Mon 11-30 17:30 and Tue 12-01 17:30 as working days made them. Judged Sun
    11-29 10:00, both are overdue."""
    rows = [COMPLAINT,
            ["TS1", datetime(2026, 11, 27, 9, 0), "陈女士", "1-0101", "13800000001", "车库照明长期不亮", None,
             "工程部", "有效", "重要", datetime(2026, 11, 27, 9, 5), None, None, None, None, None],
            ["TS2", datetime(2026, 11, 27, 9, 0), "王先生", "2-0201", "13800000002", "2号楼电梯困人", None,
             "工程部", "有效", "重大", datetime(2026, 11, 27, 9, 5), None, None, None, None, None]]
    _accept(ctx, [write_xlsx(home / "inbox" / "投诉登记表.xlsx", {"投诉": rows})], datetime(2026, 11, 29, 10, 0))
    from toolkit.ruleset import open_findings

    with ctx.ledger.engine.connect() as conn:
        due = {(f.rule, f.record): (f.due, f.status) for f in open_findings(conn, ctx.ledger.site)
               if f.rule in ("complaint.handle", "complaint.reply", "complaint.resolution")}
    assert due[("complaint.handle", "TS1")] == (datetime(2026, 11, 28, 9, 0), "overdue")
    assert due[("complaint.reply", "TS2")] == (datetime(2026, 11, 29, 9, 0), "overdue")
    assert due[("complaint.resolution", "TS2")][0] == datetime(2026, 12, 12, 9, 0)  # 15 days, unchanged
