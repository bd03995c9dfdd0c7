"""Findings as state in a real ledger, through the real pipeline and CLI.

A finding is new once, ongoing while it stays the same, resolved when it goes away;
a notice is issued once for the same facts.
"""

from __future__ import annotations

import json
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPAIR_HEADERS, write_xlsx
from rules_helpers import RULESET

from toolkit.cli import main
from toolkit.pipeline import open_context, process_paths
from toolkit.ruleset import evaluate_all, evaluate_workspace, is_issued, open_findings
from toolkit.ruleset.hook import RulesHook
from toolkit.rulesfile import RulesError
from toolkit.workcal import WorkCalendar
from toolkit.workspace import Workspace

FEE_HEADERS = ["房号", "业主", "联系电话", "建筑面积", "单价", "已缴至", "欠费金额"]
MOVE_HEADERS = ["编号", "房号", "携带人", "身份", "物品", "日期", "业主核实", "出门性质", "水电气结清", "核实时间"]
TEMP_HEADERS = ["车牌号", "入场时间", "出场时间", "实收金额"]


def repair_row(key, done=None, callback=None, reported=datetime(2026, 11, 23, 9, 0)):
    return [key, "1-0101", "张先生", "13812345678", reported, "厨房水龙头漏水", "一般", None, "李四",
            done, "否", None, None, callback, "满意" if callback else None]


def cli_process(home: Path, path: Path, now: str) -> dict:
    res = CliRunner().invoke(main, ["process", str(path), "--json", "--home", str(home), "--now", now])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_pending_then_overdue_then_resolved_across_three_runs(home: Path, tmp_path: Path):
    rows = [repair_row("BX0001", done=datetime(2026, 11, 23, 15, 0))]
    # run 1, Mon 11-23 18:00: callback due the same day (seed 当日回访) after Mon 11-23
    # 15:00 = 11-23 23:59 → pending, new
    s1 = cli_process(home, write_xlsx(tmp_path / "v1.xlsx", {"报修": [REPAIR_HEADERS, *rows]}), "2026-11-23T18:00")
    f1 = [f for f in s1["files"][0]["findings"] if f["rule"] == "repair.callback"][0]
    assert (f1["status"], f1["state"], f1["due"]) == ("pending", "new", "2026-11-23T23:59:00")
    # run 2, Tue 11-24 09:00, the register re-saved with another row: 23:59 → 09:00 = 9 h 1 min = 541 min
    rows.append(repair_row("BX0002", reported=datetime(2026, 11, 24, 8, 0)))
    s2 = cli_process(home, write_xlsx(tmp_path / "v2.xlsx", {"报修": [REPAIR_HEADERS, *rows]}), "2026-11-24T09:00")
    f2 = [f for f in s2["files"][0]["findings"] if f["rule"] == "repair.callback" and f["record"] == "BX0001"][0]
    assert (f2["status"], f2["state"], f2["overdue_minutes"]) == ("overdue", "ongoing", 541)
    # run 3, the callback done at 11-24 10:00 (601 min late) → resolved
    rows[0] = repair_row("BX0001", done=datetime(2026, 11, 23, 15, 0), callback=datetime(2026, 11, 24, 10, 0))
    s3 = cli_process(home, write_xlsx(tmp_path / "v3.xlsx", {"报修": [REPAIR_HEADERS, *rows]}), "2026-11-24T11:00")
    f3 = [f for f in s3["files"][0]["findings"] if f["rule"] == "repair.callback" and f["record"] == "BX0001"][0]
    assert (f3["status"], f3["state"], f3["overdue_minutes"]) == ("late", "resolved", 601)
    ctx = open_context(Workspace(home))
    try:
        with ctx.ledger.engine.connect() as conn:
            still_open = {(f.rule, f.record) for f in open_findings(conn, ctx.ledger.site)}
        assert ("repair.callback", "BX0001") not in still_open
        assert ("repair.unfinished", "BX0002") in still_open
    finally:
        ctx.close()


def test_nothing_is_new_twice(ctx, tmp_path: Path):
    rows = [repair_row("BX0001")]
    first = process_paths(ctx, [write_xlsx(tmp_path / "a.xlsx", {"s": [REPAIR_HEADERS, *rows]})],
                          datetime(2026, 11, 23, 18, 0)).files[0]
    unfinished = [f for f in first.findings if f.rule == "repair.unfinished"][0]
    assert (unfinished.status, unfinished.state) == ("overdue", "new")
    # the scheduled re-evaluation a day later: the same finding is ongoing
    again = evaluate_workspace(ctx, datetime(2026, 11, 24, 8, 30))
    assert [f.state for f in again if f.rule == "repair.unfinished"] == ["ongoing"]
    assert not [f for f in again if f.state == "new"]


def test_notice_issued_once_until_its_facts_change(ctx, tmp_path: Path):
    fee = [FEE_HEADERS, ["1-0101", "王五", "13900001111", "89.5", "2.35", datetime(2026, 11, 1), None]]
    process_paths(ctx, [write_xlsx(tmp_path / "f1.xlsx", {"物业费": fee})], datetime(2026, 11, 24, 9, 0))
    found = [f for f in evaluate_workspace(ctx, datetime(2026, 11, 24, 9, 0)) if f.rule == "fee.arrears"]
    # paid to 11-01, now 11-24 → 23 days → tier 1
    assert found[0].values["tier"] == 1
    # the pipeline's documents stage issued the tier-1 reminder and marked it issued
    with ctx.ledger.engine.connect() as conn:
        assert is_issued(conn, ctx.ledger.site, found[0])
    drafts = list(ctx.ws.drafts.rglob("*.docx"))
    assert len(drafts) == 1 and "1-0101" in drafts[0].name
    # a week later: same tier, computed amount unchanged or not, it is not news and stays issued
    later = [f for f in evaluate_workspace(ctx, datetime(2026, 11, 28, 9, 0)) if f.rule == "fee.arrears"][0]
    with ctx.ledger.engine.connect() as conn:
        assert later.state == "ongoing" and is_issued(conn, ctx.ledger.site, later)
    # 11-01 + 30 days = 12-01 → tier 2: a new fact, a new reminder
    tier2 = [f for f in evaluate_workspace(ctx, datetime(2026, 12, 1, 9, 0)) if f.rule == "fee.arrears"][0]
    with ctx.ledger.engine.connect() as conn:
        assert tier2.values["tier"] == 2 and tier2.state == "new" and not is_issued(conn, ctx.ledger.site, tier2)


def test_move_out_before_fee_accounts_is_judged_again(ctx, tmp_path: Path):
    now = datetime(2026, 11, 24, 9, 0)
    # Both are moving out (搬家迁出) with water, electricity and gas settled: the property
    # fee must be paid up to the day (seed 001 放行 4).
    move = [MOVE_HEADERS, ["FX001", "1-0101", "王五", "业主", "沙发", date(2026, 11, 24), None, "搬家迁出", "是", None],
            ["FX002", "1-0102", "小李", "租户", "冰箱", date(2026, 11, 24), "否", "搬家迁出", "是", None]]
    f = process_paths(ctx, [write_xlsx(tmp_path / "m.xlsx", {"放行": move})], now).files[0]
    blocked = {x.record: x for x in f.findings if x.rule == "move_out.blocked"}
    # no fee accounts yet: arrears cannot be ruled out → both blocked
    assert blocked["FX001"].values["missing"] == ["fee_account"]
    assert blocked["FX001"].severity == "blocking"
    # FX002: also a tenant without the owner's confirmation
    assert blocked["FX002"].values["missing"] == ["fee_account", "owner_confirmation"]
    fee = [FEE_HEADERS, ["1-0101", "王五", None, "89.5", "2.35", datetime(2026, 12, 31), None],
           ["1-0102", "李四", None, "89.5", "2.35", datetime(2026, 6, 30), "500"]]
    g = process_paths(ctx, [write_xlsx(tmp_path / "f.xlsx", {"物业费": fee})], now).files[0]
    by = {(x.rule, x.record): x for x in g.findings}
    # paid to 12-31 → released (new), and its block resolved
    assert by[("move_out.released", "FX001")].state == "new"
    assert by[("move_out.released", "FX001")].notice == "release_slip"
    assert by[("move_out.blocked", "FX001")].state == "resolved"
    # 1-0102 owes 500.00 and the owner has not confirmed → still blocked, with new facts
    fx2 = by[("move_out.blocked", "FX002")]
    assert fx2.values["missing"] == ["arrears_cleared", "owner_confirmation"]
    assert fx2.values["arrears_amount"] == Decimal("500.00") and fx2.state == "new"


def test_escalation_counts_complaints_across_files(ctx, tmp_path: Path):
    headers = ["编号", "受理时间", "投诉人", "房号", "投诉内容", "事件", "性质", "等级"]
    now = datetime(2026, 11, 23, 12, 0)

    def rows(start, n):
        return [[f"TS{i:03d}", datetime(2026, 11, 23, 10, i), f"客户{i}", f"3-{i:02d}01", "停水", "3号楼停水", "有效",
                 "轻微"] for i in range(start, start + n)]

    a = process_paths(ctx, [write_xlsx(tmp_path / "a.xlsx", {"投诉": [headers, *rows(0, 3)]})], now).files[0]
    assert not [f for f in a.findings if f.rule == "complaint.escalation"]
    b = process_paths(ctx, [write_xlsx(tmp_path / "b.xlsx", {"投诉": [headers, *rows(3, 2)]})], now).files[0]
    memo = [f for f in b.findings if f.rule == "complaint.escalation"][0]
    # 3 customers in the first file + 2 in the second = 5 → 重大, listing all five
    assert memo.values["level"] == "重大" and len(memo.values["complaints"]) == 5 and memo.state == "new"


def test_year_end_fallback_is_reported_in_warnings(ctx, tmp_path: Path):
    headers = ["编号", "受理时间", "投诉人", "投诉内容", "性质", "等级"]
    rows = [["TS001", datetime(2026, 12, 31, 15, 0), "王女士", "电梯异响", "有效", "轻微"]]
    summary = process_paths(ctx, [write_xlsx(tmp_path / "y.xlsx", {"s": [headers, *rows]})],
                            datetime(2026, 12, 31, 16, 0))
    handle = [f for f in summary.files[0].findings if f.rule == "complaint.handle"][0]
    # 轻微: 4 business hours. Thu 12-31 15:00–17:30 is 2 h 30; 2027 unknown: Fri 01-01 is 元旦
    # by law, Sat and Sun off (fallback) → the last 1 h 30 from Mon 2027-01-04 08:30 → 10:00
    assert handle.due == datetime(2027, 1, 4, 10, 0)
    assert any("2027年" in w and "2027-01-01" in w for w in summary.warnings)


def test_changing_a_tariff_is_a_file_edit(home: Path, tmp_path: Path):
    path = home / "rules" / "tariffs.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("base_fee: 2 ", "base_fee: 3 "), encoding="utf-8")
    ctx = open_context(Workspace(home))
    try:
        temp = [TEMP_HEADERS, ["川A12345", datetime(2026, 11, 23, 10, 0), datetime(2026, 11, 23, 12, 0), "2"]]
        f = process_paths(ctx, [write_xlsx(tmp_path / "t.xlsx", {"临停": temp})],
                          datetime(2026, 11, 23, 13, 0)).files[0]
        fee = [x for x in f.findings if x.rule == "parking.temp_fee"][0]
        # 2 h now costs the edited base fee 3.00; 2.00 was paid → 少收 1.00
        assert fee.values["expected"] == Decimal("3.00")
        assert "应收 3.00 元，实收 2.00 元，少收 1.00 元" in fee.message
    finally:
        ctx.close()


@pytest.mark.parametrize(
    ("file", "text", "expect"),
    [
        ("sla.yaml", "repair:\n  callback: {clock: workdays, amount: 4, unit: hours, label: 回访}\n", "第2行"),
        ("tariffs.yaml", "arrears:\n  tiers: [30, 1]\n", "tiers"),
        ("escalation.yaml", "distinct_customers: five\n", "distinct_customers"),
        ("escalation.yaml", "keyword: [停电]\n", "keyword"),
    ],
)
def test_bad_rules_file_is_refused_with_file_and_line(home: Path, file, text, expect):
    (home / "rules" / file).write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as err:
        RulesHook.load(Workspace(home))
    assert file in str(err.value) and expect in str(err.value)
    res = CliRunner().invoke(main, ["rules", "check", "--home", str(home)])
    assert res.exit_code == 2 and file in res.output


def test_bad_price_list_is_refused(home: Path):
    write_xlsx(home / "rules" / "price_list.xlsx", {"价目": [["类别", "服务项目", "单位", "单价"],
                                                           ["供水设备维修类", "更换水龙头", "个", "二十"]]})
    with pytest.raises(RulesError) as err:
        RulesHook.load(Workspace(home))
    assert "第2行" in str(err.value) and "更换水龙头" in str(err.value)


def test_price_list_rows_are_named_by_their_sheet_row(home: Path):
    # A title, a blank row, the header, a blank row, then a bad price: the problem names
    # sheet row 5, where the manager will look, and the revision date is read off row 1.
    write_xlsx(home / "rules" / "price_list.xlsx", {"价目": [
        ["修订日期", datetime(2026, 3, 1)], [], ["类别", "服务项目", "单位", "单价"], [],
        ["供水设备维修类", "更换水龙头", "个", -5]]})
    with pytest.raises(RulesError) as err:
        RulesHook.load(Workspace(home))
    assert "price_list.xlsx 第5行" in str(err.value) and "“-5”" in str(err.value)


def test_unreadable_price_list_is_refused_with_the_file_named(home: Path):
    (home / "rules" / "price_list.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(RulesError) as err:
        RulesHook.load(Workspace(home))
    assert "price_list.xlsx: 无法作为 Excel 文件读取" in str(err.value)
    res = CliRunner().invoke(main, ["rules", "check", "--home", str(home)])
    assert res.exit_code == 2 and "price_list.xlsx" in res.output


def test_rules_check_passes_on_shipped_rules(home: Path):
    res = CliRunner().invoke(main, ["rules", "check", "--home", str(home)])
    assert res.exit_code == 0, res.output


def test_hundred_thousand_repairs_evaluate_in_seconds():
    state = {"repair": {
        f"BX{i:06d}": {"单号": f"BX{i:06d}", "房号": f"{i % 40}-{i % 300:03d}",
                       "报修时间": datetime(2026, 9 + i % 3, 1 + i % 28, 8 + i % 10, i % 60),
                       "紧急程度": "紧急" if i % 7 == 0 else "一般",
                       "预约时间": datetime(2026, 9 + i % 3, 1 + i % 28, 19, 0) if i % 5 == 0 else None,
                       "完成时间": datetime(2026, 9 + i % 3, 2 + i % 27, 11, 0) if i % 2 else None,
                       "回访时间": None}
        for i in range(100_000)}}
    # Processor time, not the wall clock: a loaded machine must not fail the test.
    started = time.process_time()
    found = evaluate_all(state, RULESET, WorkCalendar(), datetime(2026, 12, 1, 9, 0))
    elapsed = time.process_time() - started
    assert len(found) > 150_000  # arrival/appointment/unfinished/callback per repair
    print(f"evaluate_all on 100,000 repairs: {elapsed:.2f}s CPU")
    assert elapsed < 10, f"evaluate_all took {elapsed:.1f}s of processor time"
