"""`process --json` streamed item by item is the same text json.dumps gives of the whole."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from decimal import Decimal

import pytest

from toolkit import jsonout
from toolkit.model import CellError, FileResult, Finding, RowCounts, RunSummary


def _summary(n: int) -> RunSummary:
    errors = [CellError("报修登记", i + 3, "报修时间", f"E{i + 3}", "date.invalid",
                        f"“2026/13/{i}”不是日期\n请改正 \"引号\" \\ 反斜杠", f"2026/13/{i}") for i in range(n)]
    findings = [Finding("repair.arrival", "repair", f"BX{i:05d}", "warning", f"第{i}单未到场", "overdue",
                        datetime(2026, 11, 24, 9, i % 60), 30 + i,
                        {"房号": "1-0101", "金额": Decimal("12.50"), "日": date(2026, 11, 1), "空": None,
                         "列表": [1, 2.5, "三"], "嵌套": {}, "大数": 2**70}, notice=None if i % 2 else "催缴")
                for i in range(n)]
    files = [FileResult("/in/报修.xlsx", "partial", ["repair"], RowCounts(n + 1, 1, n), errors, findings,
                        [], ["/out/a.xlsx"], "部分行有误", {"repair": {"new": ["BX1"], "changed": [],
                                                                     "unchanged": []}}, "ab" * 32),
             FileResult("/in/空.xlsx", "rejected", message="没有有效记录。")]
    return RunSummary(datetime(2026, 11, 24, 9, 0), files, ["周末按常规计算"], [], 7)


@pytest.mark.parametrize("n", [0, 1, 5, 12])
def test_streamed_summary_is_the_whole_summary_dumped(n: int, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(jsonout, "FLUSH_EVERY", 5)  # several writes per list
    summary = _summary(n)
    out = io.StringIO()
    jsonout.write_summary(summary, out.write)
    assert out.getvalue() == json.dumps(summary.to_dict(), ensure_ascii=False, indent=2) + "\n"
