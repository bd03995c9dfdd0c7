"""Defects QA found in the property pack (second round): each test is one of them, real files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
from conftest import write_xlsx

from toolkit.annotate import HEADER_ROW, ISSUES_TITLE
from toolkit.pipeline import process_paths
from toolkit.reports import build_report, parse_day

NOW = datetime(2026, 12, 5, 10, 0)
MORNING = datetime(2026, 12, 6, 8, 30)


def _copy(outputs: list[str]) -> Path:
    return next(Path(p) for p in outputs if "问题批注" in p)


def test_temporary_parking_charge_off_the_tariff_is_an_action_on_the_daily_list(ctx, tmp_path: Path):
    # Tariff (SPEC §3.5): 2 h 2 元, each further started hour 1 元, 6 元 a day at most.
    # 川A99999 4 h: 2 + 2 × 1 = 4, paid 2 → 少收 2.00.
    # 川A00000 31 h: one full day 6 + 7 h (2 + 5 = 7, capped at 6) = 12, paid 10 → 少收 2.00.
    # 川A11111 1 h: 2, paid 2 → nothing.
    rows = [["车牌号", "入场时间", "出场时间", "实收金额"],
            ["川A99999", datetime(2026, 12, 4, 8, 0), datetime(2026, 12, 4, 12, 0), 2],
            ["川A00000", datetime(2026, 12, 3, 9, 0), datetime(2026, 12, 4, 16, 0), 10],
            ["川A11111", datetime(2026, 12, 4, 9, 0), datetime(2026, 12, 4, 10, 0), 2]]
    f = process_paths(ctx, [write_xlsx(tmp_path / "临时停车记录.xlsx", {"临停": rows})], NOW).files[0]
    assert f.status == "accepted", f.message
    wb = openpyxl.load_workbook(_copy(f.outputs))
    data = wb["临停"]
    # Marked on 实收金额 (column D) with both figures and who acts.
    assert "应收 4.00 元，实收 2.00 元，少收 2.00 元" in data["D2"].comment.text
    assert "应收 12.00 元，实收 10.00 元，少收 2.00 元" in data["D3"].comment.text
    assert "门岗当班收费员" in data["D2"].comment.text and data["D4"].comment is None
    issues = [r for r in wb[ISSUES_TITLE].iter_rows(min_row=HEADER_ROW + 1, values_only=True)]
    assert [(r[4], r[5]) for r in issues] == [("D2", "临时停车收费不符"), ("D3", "临时停车收费不符")]

    report, _ = build_report(ctx, "daily_due", MORNING, parse_day("2026-12-06"))
    todo = [r for r in report.table("须处理事项").rows if r[0] == "临时停车收费不符"]
    assert len(todo) == 2 and {r[5] for r in todo} == {"秩序部"}
    assert all("少收 2.00 元" in r[7] and "门岗当班收费员" in r[6] for r in todo)
