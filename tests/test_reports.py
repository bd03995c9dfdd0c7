"""Reports built from a multi-week workspace of real registers, checked against figures worked by hand.

The registers are in ``tests/fixtures_multiweek.py`` (three saves: 11-22, 11-27 16:30, 11-30).
Week 47 is 11-16 … 11-22, week 48 is 11-23 … 11-29; the weekly report of week 48 is
made as of Friday 11-27 17:00, so rows dated later (BX206 at 17:30, TF106 finished on
Saturday) are not yet counted.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import fixtures_multiweek as fx
import openpyxl
import pytest
from click.testing import CliRunner
from conftest import ROOT, needs_office

from toolkit.cli import main
from toolkit.reports import build_report, parse_day, parse_month, parse_week, produce

LATER = datetime(2026, 12, 5, 10, 0)  # reports asked for long after their periods


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    ctx = fx.built_workspace(tmp_path_factory.mktemp("multiweek") / "ws", ROOT)
    yield ctx
    ctx.close()


def rows_of(report, sheet):
    return {r[0]: r[1:] for r in report.table(sheet).rows}


# --- weekly -----------------------------------------------------------------------------


def test_weekly_per_register_against_hand_figures(built):
    report, _ = build_report(built, "weekly", LATER, parse_week("2026-W48"))
    assert report.as_of == datetime(2026, 11, 27, 17, 0)  # the Friday 17:00 slot, not LATER
    t = rows_of(report, "概览")
    # Repairs. Received W48 (报修时间 before Fri 17:00): BX201-205 = 5; W47: BX101-103 = 3.
    # Closed W48 (完成时间): BX201, BX202, BX204 = 3; W47: BX101, BX102, BX103 = 3.
    # Callbacks are due the day of completion (seed 001 当日回访), 23:59.
    # Deadlines completed in W48:
    #   BX102 callback due 11-18 23:59, done 11-24 09:00 → late
    #   BX103 callback due Fri 11-20 23:59, done Mon 11-23 09:00 → late
    #   BX201 same-day list met (11:00 ≤ 17:00), callback late (11-24 09:00 > 11-23 23:59)
    #   BX202 urgent arrival met (14:20 ≤ 14:30), same-day list met
    #   BX204 appointment late (no 到场时间: done 17:30 > 16:00 + 30 min), same-day list late
    #   → 3 met, 5 late, 37.5 %.
    # W47: BX101 list met, callback late (11-17 10:00 > 11-16 23:59); BX102 arrival late
    #   (11:00 > 10:30), list met; BX103 appointment met (10:20 ≤ 10:30), list late (next day)
    #   → 3 met, 3 late, 50 %.
    # Overdue at Fri 17:00: BX202 callback (due 11-25 23:59) and BX204 callback (11-26 23:59);
    #   BX203/BX205 fall due at 17:00 exactly (not overdue). At the end of W47: the callbacks of
    #   BX102 (11-18 23:59) and BX103 (11-20 23:59), both made only in W48.
    assert t["报修登记表"] == [5, 3, 3, 3, 3, 5, Decimal("0.375"), Decimal("0.5"), 2, 2]
    # Complaints. TS201 (W48) names 电梯停运 → escalated to 重大: forwarded 10:30 against
    #   10:10 → late; reply due 2 working days later, 11-26 17:30, none → overdue.
    #   TS202: forwarded in 5 min → met; 轻微 4 business hours → 11-27 09:00, solved 16:00 → met;
    #   callback 24 h after 11-26 16:00 → due 11-27 16:00, none → overdue at 17:00.
    #   W47: TS101 forward, handle, callback all met.
    #   Same-day reply to the customer (seed 001 投诉 5.3), never recorded: TS101 due 11-17 23:59,
    #   TS202 due 11-26 23:59 → overdue. End of W48: TS201 reply, TS202 callback and reply, TS101
    #   reply = 4; end of W47: TS101 reply = 1.
    assert t["投诉登记表"] == [2, 1, 1, 1, 2, 1, Decimal("0.6667"), Decimal("1.0000"), 4, 1]
    # Special services. Received W48: TF104-106; W47: TF103. Closed W48: TF104, TF105 (TF106
    #   finishes Saturday, after the report); callbacks: TF105 met, TF104 none → overdue
    #   (due 11-25 09:10). W47: TF103 callback met.
    assert t["特约服务登记表"] == [3, 1, 2, 1, 1, 0, Decimal("1.0000"), Decimal("1.0000"), 1, 0]
    assert t["装修登记表"][:4] == [0, 0, 0, 0]
    total = report.table("概览").total
    # met 3 + 2 + 1 = 6, late 5 + 1 = 6 → 50 %; W47 met 3 + 3 + 1 = 7, late 3 → 70 %;
    # overdue 2 + 4 + 1 = 7, W47 2 + 1 = 3.
    assert total == ["合计", 10, 5, 6, 5, 6, 6, Decimal("0.5000"), Decimal("0.7000"), 7, 3]


def test_weekly_departments_escalations_fees_and_trend(built):
    report, _ = build_report(built, "weekly", LATER, parse_week("2026-W48"))
    dept = rows_of(report, "部门按时率")
    # 工程部: the repair deadlines but the callbacks (3 met; BX204 appointment and list late)
    #   → 3 / 5; nothing of it overdue at Fri 17:00 (BX203/BX205's list falls due then).
    #   W47 工程部: repairs 3 met, 2 late (BX102 arrival, BX103 list) + TS101's handling met → 4 / 6.
    #   客服中心 (the 客户助理 forwards, answers and calls back complaints; its early shift calls
    #   back repairs, seed 001 报修): TS202 forward and handling + TF105 met, TS201's forward
    #   and the BX102, BX103, BX201 callbacks late → 3 / 7; overdue: TF104, TS202 callback and
    #   same-day reply, TS201's 重大 reply, TS101's same-day reply, BX202 and BX204 callbacks → 7.
    #   W47 客服中心: TS101 forward and callback + TF103 met, BX101's callback late → 3 / 4.
    assert dept["工程部"] == [3, 2, Decimal("0.6000"), Decimal("0.6667"), 0]
    assert dept["客服中心"] == [3, 4, Decimal("0.4286"), Decimal("0.7500"), 7]
    assert list(dept) == ["客服中心", "工程部"]  # lowest rate first
    esc = report.table("投诉升级").rows
    assert [(r[0], r[1], r[5]) for r in esc] == [("2号楼电梯", "重大", "TS201")]
    fees = rows_of(report, "收费")
    # Temporary parking by exit time: W48 6 + 2 + 3 (川C55555 paid 3, under the tariff) = 11;
    #   W47 4 + 2 = 6. Cards by start date: PK07 100 (W48), PK05 300 (W47).
    # Special services finished: TF104 10 + TF105 30 = 40; W47 TF103 60.
    # Arrears at Fri 11-27: 2-0201 120 m² × 2.00 × 2 started months (10-01…) = 480; 3-0301 as
    #   written 360; 4-0401 80 × 3.00 × 2 (10-25→11-25→12-25) = 480 → 1,320.
    #   At the end of W47 (11-23) 4-0401 owes one month (240) → 1,080.
    assert fees["临时停车收入"] == [Decimal("11.00"), Decimal("6.00"), Decimal("5.00")]
    assert fees["月卡收入"] == [Decimal("100.00"), Decimal("300.00"), Decimal("-200.00")]
    assert fees["特约服务收入"] == [Decimal("40.00"), Decimal("60.00"), Decimal("-20.00")]
    assert fees["物业费欠费（期末）"] == [Decimal("1320.00"), Decimal("1080.00"), Decimal("240.00")]
    trend = {r[0].isoformat(): r[2:] for r in report.table("每日趋势").rows}
    # Mon: BX201 in and out; Tue: TS201, TF104 in, TF104 out; Thu: BX204, TS202 in, BX204,
    #   TS202, TF105 out; Fri: BX203, BX205, TF106 in.
    assert trend["2026-11-23"] == [1, 1] and trend["2026-11-24"] == [2, 1]
    assert trend["2026-11-26"] == [2, 3] and trend["2026-11-27"] == [3, 0]
    # Made as of Friday 17:00: the weekend is still to come, left blank rather than 0.
    assert trend["2026-11-28"] == [None, None] and trend["2026-11-29"] == [None, None]
    headline = dict((a, (b, c)) for a, b, c in report.headline)
    assert headline["按时率"] == ("50.0%", "70.0%")
    assert headline["停车收入（元）"] == ("111.00", "306.00")


def test_weekly_files_charts_and_word(built):
    report = produce(built, "weekly", LATER, parse_week("2026-W48"))
    xlsx, docx = (Path(p) for p in report.outputs)
    assert xlsx.name == "周报-2026年第48周.xlsx" and docx.name == "周报-2026年第48周.docx"
    # Chart titles name the week as staff say it, never 2026-W48.
    with zipfile.ZipFile(xlsx) as z:
        chart_xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/charts/chart"))
    assert "2026年第48周" in chart_xml and "W48" not in chart_xml
    assert xlsx.parent == built.ws.reports
    with zipfile.ZipFile(xlsx) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2  # trend by day, on-time rate by department
    with zipfile.ZipFile(docx) as z:
        assert any(n.startswith("word/media/") for n in z.namelist())  # the chart image
        body = z.read("word/document.xml").decode()
    assert "主要指标" in body and "50.0%" in body and "-20.0个百分点" in body


@needs_office
def test_word_summary_is_one_page(built, tmp_path, soffice):
    report = produce(built, "weekly", LATER, parse_week("2026-W48"))
    docx = Path(report.outputs[1])
    subprocess.run([*soffice, "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / (docx.stem + ".pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True, timeout=60)
    assert [p.name for p in sorted(tmp_path.glob("page*.png"))] == ["page-1.png"]


# --- daily ------------------------------------------------------------------------------


def test_daily_due_most_overdue_first(built):
    report, _ = build_report(built, "daily_due", LATER, parse_day("2026-11-28"))
    assert report.as_of == datetime(2026, 11, 28, 8, 30)
    rows = report.table("待办与逾期").rows
    # Overdue at Sat 08:30, by minutes: RV001 rectification (due 07-23 23:59), TS101's same-day
    # reply (11-17 23:59), RN001 deposit refund (due 11-20), TF104 callback (11-25 09:10), BX202
    # callback (11-25 23:59, the day of completion), TS201 reply (11-26 17:30), then TS202's
    # same-day reply and BX204's callback (both 11-26 23:59: complaint before repair), TS202
    # callback (11-27 16:00), BX203 and BX205 same-day list (11-27 17:00); due today: BX206,
    # reported Fri 17:30 so on Saturday's 17:00 list.
    assert [r[2] for r in rows] == ["RV001", "TS101", "RN001", "TF104", "BX202", "TS201", "TS202", "BX204",
                                    "TS202", "BX203", "BX205", "BX206"]
    assert [r[0] for r in rows].count("已逾期") == 11 and rows[-1][0] == "今日到期"
    assert rows[3][6] == "2天23小时20分钟"  # 11-25 09:10 → 11-28 08:30
    assert rows[3][7:9] == ["小李", "客服中心"]
    per_reg = rows_of(report, "按登记表")
    assert per_reg["报修登记表"] == [4, 1, 5]
    assert per_reg["投诉登记表"] == [4, 0, 4]
    per_person = {(r[0], r[1]): r[2:4] for r in report.table("按负责人").rows}
    assert per_person[("工程部", "赵工")] == [2, 0]  # BX203, BX205
    assert per_person[("工程部", "王工")] == [0, 1]  # BX206 today
    # The repair callbacks are the customer centre's early shift (seed 001 报修): BX202, BX204.
    assert per_person[("客服中心", "早班客户助理")] == [2, 0]


def test_report_made_later_shows_only_what_had_happened_by_its_moment(built):
    # The Friday 08:30 list, asked for a week later when the ledger also holds Friday's
    # later rows: BX203 (reported 10:00) and BX205 (11:00) fall due at 17:00 that day, but
    # at 08:30 they had not been reported, so they are not on it. TS202's callback (solved
    # 11-26 16:00, due 11-27 16:00) is; BX202's callback (due 11-26 17:30) is overdue.
    report, _ = build_report(built, "daily_due", LATER, parse_day("2026-11-27"))
    assert report.as_of == datetime(2026, 11, 27, 8, 30)
    status = {r[2]: r[0] for r in report.table("待办与逾期").rows}
    assert "BX203" not in status and "BX205" not in status
    assert status["TS202"] == "今日到期" and status["BX202"] == "已逾期"
    # The 17:00 list of the same day has both.
    later, _ = build_report(built, "daily_repairs", LATER, parse_day("2026-11-27"))
    assert {"BX203", "BX205"} <= {r[0] for r in later.tables[0].rows}


def test_daily_unfinished_repairs_masked_and_formula_safe(built):
    report = produce(built, "daily_repairs", LATER, parse_day("2026-11-27"))
    # Reported from Thu 17:00 to Fri 17:00 and not done by 17:00: BX203 (10:00) and BX205
    # (11:00). BX204 (Thu 15:00) was Thursday's; BX206 (Fri 17:30) is Saturday's.
    path = Path(report.outputs[0])
    assert path.name == "日报-当日未完工报修-2026-11-27.xlsx"
    ws = openpyxl.load_workbook(path)["未完工报修"]
    assert ws.freeze_panes == "A4" and ws.auto_filter.ref == "A3:J5"
    assert [ws.cell(r, 1).value for r in (4, 5)] == ["BX203", "BX205"]
    assert ws["D4"].value == "135****5555"  # phone masked
    content = ws["F5"]
    assert content.value == "=1+1 厨房漏水" and content.data_type == "s"  # text, not a formula
    assert ws["E4"].number_format == "yyyy-mm-dd hh:mm" and ws["E4"].value == datetime(2026, 11, 27, 10, 0)
    assert ws.column_dimensions["F"].width >= 30


def test_overdue_rows_coloured(built):
    report = produce(built, "daily_due", LATER, parse_day("2026-11-28"))
    ws = openpyxl.load_workbook(report.outputs[0])["待办与逾期"]
    rules = [r for rng in ws.conditional_formatting for r in rng.rules]
    assert any('="已逾期"' in r.formula[0] for r in rules)


# --- weekly roster, monthly -------------------------------------------------------------


def test_parking_roster_monday(built):
    report, _ = build_report(built, "parking_roster", LATER, parse_week("2026-W48"))
    assert report.as_of == datetime(2026, 11, 23, 8, 30)
    rows = report.table("月卡名单").rows
    # Valid on Mon 11-23, by plate: PK01, PK02 (ends 11-27: 4 days, within 7 → expiring),
    # PK07 (starts 11-25), PK05, PK03 (ends today). PK04 ended 11-10 (13 days ago): second
    # sheet; PK06 ended 07-31, past the 30 days.
    assert [(r[0], r[8], r[9]) for r in rows] == [
        ("PK01", 38, "有效"), ("PK02", 4, "即将到期"), ("PK07", 31, "未开始"), ("PK05", 88, "有效"),
        ("PK03", 0, "今日到期")]
    assert rows[0][4] == "138****5678"
    assert [(r[0], r[8]) for r in report.table("近期过期").rows] == [("PK04", 13)]


def test_monthly_services_fees_visits_refunds(built):
    report = produce(built, "monthly", LATER, parse_month("2026-11"))
    assert report.as_of == datetime(2026, 12, 1, 8, 30)
    # Finished in November: 40 + 50 + 60 + 10 + 30 + 80 = 270 against the 3,000 target.
    goal = report.table("目标完成").rows[0]
    assert goal[1:4] == [Decimal("3000"), Decimal("270.00"), Decimal("0.0900")]
    assert goal[4] == "低于目标，差 2,730.00 元"
    # Billed with the property fee (打字复印类 paid on the spot): 1-0101 TF101 + TF102 = 90,
    # 2-0201 TF103 60 (TF104 printing left out), 3-0301 TF105 30, 3-0302 TF106 80.
    rooms = rows_of(report, "分户结算")
    assert rooms == {"1-0101": ["陈女士", 2, Decimal("90.00")], "2-0201": ["刘先生", 1, Decimal("60.00")],
                     "3-0301": ["周女士", 1, Decimal("30.00")], "3-0302": ["吴先生", 1, Decimal("80.00")]}
    ledger = {r[0]: r[11] for r in report.table("特约服务台账").rows}
    assert ledger["TF104"] == "现场收费" and ledger["TF106"] == "月结"
    statements = [Path(p) for p in report.outputs if "月结单" in Path(p).name]
    assert len(statements) == 4 and all(p.parent == built.ws.drafts for p in statements)
    # Paid repairs finished in November: BX103 50 + 30, BX204 labour 40.
    assert report.table("维修费应收").total[5:] == [Decimal("50.00"), Decimal("70.00"), Decimal("120.00")]
    # Customers seen: 小王 21 (≥ 20), 小李 5 and 老张 8 short; 工程部 8 < 10, 客服部 21 (小李's
    # 客户1..5 were seen by 小王 too: 26 visits, 21 customers).
    people = {r[1]: (r[2], r[4]) for r in report.table("拜访考核-人员").rows}
    assert people == {"小王": (21, "达标"), "小李": (5, "未达标"), "老张": (8, "未达标")}
    depts = {r[0]: (r[1], r[3]) for r in report.table("拜访考核-部门").rows}
    assert depts == {"工程部": (8, "未达标"), "客服部": (21, "达标")}
    # RN001: accepted 08-20 → refundable 11-20; 2,000 − 500 (RV001) − 150 utilities = 1,350.
    refund = report.table("押金退还").rows
    assert [(r[0], r[5].isoformat(), r[6], r[11]) for r in refund] == [
        ("RN001", "2026-11-20", "已到期", Decimal("1350.00"))]
    # On demand again: same statements, none issued twice.
    again = produce(built, "monthly", LATER, parse_month("2026-11"))
    assert [p for p in again.outputs if "月结单" in p] == []


def test_property_status_is_the_summary_over_a_month(built):
    report, _ = build_report(built, "property_status", LATER, parse_month("2026-11"))
    assert report.as_of == datetime(2026, 12, 3, 8, 30)
    t = rows_of(report, "概览")
    # BX101-103 and BX201-206 reported (9); done: all but BX203, BX205, BX206 (6).
    assert t["报修登记表"][:4] == [9, 0, 6, 0]
    assert report.word


# --- CLI --------------------------------------------------------------------------------


def test_cli_report_json_and_bad_arguments(built):
    import json

    runner = CliRunner()
    home = str(built.ws.home)
    res = runner.invoke(main, ["report", "weekly", "--week", "2026-W48", "--home", home,
                               "--now", "2026-12-05T10:00", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["period"] == "2026-W48" and data["as_of"] == "2026-11-27T17:00:00"
    assert [Path(p).name for p in data["outputs"]] == ["周报-2026年第48周.xlsx", "周报-2026年第48周.docx"]
    bad = runner.invoke(main, ["report", "weekly", "--week", "2026-48", "--home", home])
    assert bad.exit_code == 2 and "2026-W48" in bad.output
    wrong = runner.invoke(main, ["report", "weekly", "--month", "2026-11", "--home", home])
    assert wrong.exit_code == 2 and "--week" in wrong.output
    unknown = runner.invoke(main, ["report", "yearly", "--home", home])
    assert unknown.exit_code == 2 and "daily_due" in unknown.output


# --- writers ------------------------------------------------------------------------------


def test_fast_rows_match_openpyxl_cells(tmp_path):
    """Data rows serialised straight to XML read back exactly as openpyxl's own cells would."""
    from datetime import date, time

    from openpyxl.cell import WriteOnlyCell

    from toolkit.reports import Column, Report, Table
    from toolkit.reports.xlsx import _cell, _proto, write_xlsx

    kinds = [("text", 40), ("text", None), ("text", None), ("int", None), ("money", None), ("text", None),
             ("text", None), ("datetime", None), ("date", None), ("percent", None), ("text", None)]
    cols = [Column(f"c{i}", k, w) for i, (k, w) in enumerate(kinds)]
    row = ["=1+1", "#N/A", "a\x01b", True, Decimal("1.50"), " 前后空格 ", "a&b<c>", datetime(2026, 1, 2, 3, 4),
           date(2026, 1, 2), Decimal("0.6667"), time(9, 30)]
    plain = ["普通", "", "x", 7, 2.5, "y", None, datetime(2026, 1, 2), date(2026, 1, 3), None, "z"]
    table = Table("特殊", "标题", cols, [row, plain], total=["合计", None, None, 7, Decimal("4.00")] + [None] * 6)
    path = write_xlsx(Report("x", "测试", parse_week("2026-W48"), LATER, "x", [table]), tmp_path / "fast.xlsx")

    # The same rows through openpyxl's cells, one by one.
    ref = openpyxl.Workbook(write_only=True)
    ws = ref.create_sheet("特殊")
    protos = [_proto(ws, c) for c in cols]
    bold = [_proto(ws, c, bold=True) for c in cols]
    for _ in range(3):
        ws.append([WriteOnlyCell(ws, "")])
    for values in (row, plain):
        ws.append([_cell(ws, p, v) for p, v in zip(protos, values, strict=True)])
    ws.append([_cell(ws, p, "" if v is None else v) for p, v in zip(bold, table.total, strict=True)])
    ref.save(tmp_path / "ref.xlsx")

    got = openpyxl.load_workbook(path)["特殊"]
    want = openpyxl.load_workbook(tmp_path / "ref.xlsx")["特殊"]
    for r in range(4, 7):
        for c in range(1, len(cols) + 1):
            a, b = got.cell(r, c), want.cell(r, c)
            assert (a.value, a.data_type, a.number_format, a.font.b, a.alignment.wrap_text, a.quotePrefix) == (
                b.value, b.data_type, b.number_format, b.font.b, b.alignment.wrap_text, b.quotePrefix), a.coordinate
    assert got["A4"].value == "=1+1" and got["A4"].data_type == "s"  # text, never a formula
    assert got["C4"].value == "ab"  # control character dropped
    assert got["G4"].value == "a&b<c>" and got["F4"].value == " 前后空格 "


def test_long_sheet_with_odd_rows_reads_back_as_openpyxl_writes_it(tmp_path):
    """A sheet of many blocks of rows, some cells empty, some rows only openpyxl's own
    cells can write (formula-like text, a control character) between runs of plain
    ones, wrapped text of several lines and shared due times: every cell and every
    row height reads back as openpyxl writes them one by one."""
    from openpyxl.cell import WriteOnlyCell

    from toolkit.reports import Column, Report, Table
    from toolkit.reports.xlsx import BLOCK_ROWS, _cell, _lines, _proto, write_xlsx

    cols = [Column("状态", width=10), Column("编号"), Column("时限", "datetime"), Column("金额", "money"),
            Column("负责人"), Column("说明", width=30)]
    rows = []
    for i in range(2 * BLOCK_ROWS + 300):
        text = f"投诉 TS{i:05d}：处理超时" * (1 + i % 4) + ("\n第二段" if i % 7 == 0 else "") + ("−3" if i % 5 else "")
        rows.append(["已逾期" if i % 3 else "今日到期", f"TS{i:05d}", datetime(2026, 11, 20 + i % 5, 23, 59),
                     Decimal(i) / 4, "" if i % 2 else "张三", text])
    rows[BLOCK_ROWS - 1][1] = "=HYPERLINK(1)"  # the last row of a block
    rows[BLOCK_ROWS + 7][4] = "a\x01b"
    rows[-1][1] = "-12"
    table = Table("长表", "标题", cols, rows)
    path = write_xlsx(Report("x", "测试", parse_week("2026-W48"), LATER, "x", [table]), tmp_path / "long.xlsx")

    ref = openpyxl.Workbook(write_only=True)
    ws = ref.create_sheet("长表")
    protos = [_proto(ws, c) for c in cols]
    for _ in range(3):
        ws.append([WriteOnlyCell(ws, "")])
    for values in rows:
        ws.append([_cell(ws, p, v) for p, v in zip(protos, values, strict=True)])
    ref.save(tmp_path / "ref.xlsx")

    got = openpyxl.load_workbook(path)["长表"]
    want = openpyxl.load_workbook(tmp_path / "ref.xlsx")["长表"]
    assert got.max_row == want.max_row == len(rows) + 3
    slow = {BLOCK_ROWS - 1, BLOCK_ROWS + 7, len(rows) - 1}  # written by openpyxl: no height of ours
    for r, (a_row, b_row) in enumerate(zip(got.iter_rows(min_row=4), want.iter_rows(min_row=4), strict=True)):
        for a, b in zip(a_row, b_row, strict=True):
            assert (a.value, a.data_type, a.number_format, a.quotePrefix) == (
                b.value, b.data_type, b.number_format, b.quotePrefix), a.coordinate
        lines = 1 if r in slow else _lines(rows[r][5], 29)  # the column is 30 wide, less a margin
        assert got.row_dimensions[r + 4].height == (15 * min(lines, 15) if lines > 1 else None), r
    assert got[f"B{BLOCK_ROWS + 3}"].value == "=HYPERLINK(1)" and got[f"B{BLOCK_ROWS + 3}"].data_type == "s"
    assert got[f"E{BLOCK_ROWS + 11}"].value == "ab"
    assert got.row_dimensions[4].height == 30  # 22 columns, then a second paragraph
    assert got.row_dimensions[7].height == 60  # 4 × 22 columns and "−3" (the minus sign one wide): 90 in 29


def test_wrapped_text_lines_count_cjk_as_two_columns():
    """Rows grow for wrapped text by the lines it takes: CJK two columns, any other
    character one, each paragraph its own line (ASCII only, CJK with ASCII, and text
    with other characters past ASCII are counted three ways)."""
    from toolkit.reports.xlsx import _lines

    assert _lines("a" * 20, 10) == 2  # 20 columns in 10
    assert _lines("a" * 21, 10) == 3
    assert _lines("报修" * 5, 10) == 2  # 10 CJK = 20 columns
    assert _lines("报修" * 5 + "a", 10) == 3  # 21 columns
    # "²" (U+00B2) and "—" (U+2014) are past ASCII but one column wide: 8 CJK (16) +
    # "m²—3" (4) = 20 columns, 2 lines; counted two wide they would make 22, 3 lines.
    assert _lines("面积一百平方米呀m²—3", 10) == 2
    assert _lines("面积一百平方米呀m²—34", 10) == 3  # 21 columns
    assert _lines("甲\n\nabc", 10) == 3  # three paragraphs, the empty one a line too


def test_chart_image_drawn_without_plotting_library(built):
    from io import BytesIO

    from PIL import Image

    from toolkit.reports.charts import RECEIVED, chart_png, font_file

    report, _ = build_report(built, "weekly", LATER, parse_week("2026-W48"))
    png = chart_png(report)
    img = Image.open(BytesIO(png))
    assert img.format == "PNG" and img.size == (930, 375)
    colours = {c for _, c in img.convert("RGB").getcolors(maxcolors=1 << 16)}
    assert tuple(int(RECEIVED[i:i + 2], 16) for i in (1, 3, 5)) in colours  # the received bars
    if font_file() is not None:
        assert len(colours) > 20  # anti-aliased labels drawn


def test_schedule_reread_when_the_file_changes(tmp_path):
    from toolkit.reports import load_schedule

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    first = load_schedule(rules)
    assert load_schedule(rules) is first  # unchanged bytes: parsed once
    path = rules / "schedule.yaml"
    text = path.read_text(encoding="utf-8")
    assert "stale_claim_minutes: 60" in text
    path.write_text(text.replace("stale_claim_minutes: 60", "stale_claim_minutes: 45"), encoding="utf-8")
    assert load_schedule(rules).stale_claim_minutes == 45
