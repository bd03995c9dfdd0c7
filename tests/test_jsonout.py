"""`process --json` streamed item by item is the same text json.dumps gives of the whole."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import orjson
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


def _mixed_findings(n: int) -> list[Finding]:
    """Findings whose values orjson writes itself (naive moments, dates, times, Decimals,
    durations, floats, nested lists), and some it must not (an aware moment, an offset
    with seconds, an aware time, an error cell, a big integer, a key that is not text)."""
    from datetime import time, timedelta, timezone

    from toolkit.model import ErrorValue, NoCachedValue
    from toolkit.ruleset.timing import DeadlineFinding

    odd: list[Any] = [datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=5, minutes=30, seconds=15))),
                      time(9, 0, tzinfo=UTC), ErrorValue("#N/A"), NoCachedValue("SUM(A1)"), 2**70,
                      {1: "非文本键"}, datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=8)))]
    out: list[Finding] = []
    for i in range(n):
        values: dict[str, Any] = {
            "deadline": "维修回访\t\"引号\"\n\\", "start": datetime(2026, 11, 1, 8, i % 60, 0, i * 7 % 1000000),
            "done": None, "day": date(2026, 11, 1 + i % 28), "at": time(17, i % 60), "fee": Decimal("35.00"),
            "wait": timedelta(minutes=90 + i), "rate": [0.5, 1e-5, 1e16, (1, 2)], "ok": i % 2 == 0, "空": {}}
        if i % 71 == 5:  # i = 5, 76, … 431: each odd value once in 500
            values["odd"] = odd[(i // 71) % len(odd)]
        if i % 3:
            out.append(DeadlineFinding(("报修单 BX1", "维修回访", None), "repair.callback", "repair", f"BX{i:07d}",
                                       "warning", "overdue", datetime(2026, 11, 1, 23, 59), 30 + i, values, None))
        else:
            out.append(Finding("repair.arrival", "repair", f"BX{i:07d}", "info", f"第{i}单", "met",
                               None if i % 2 else datetime(2026, 11, 1, 8, 30), None, values, notice="回访"))
    return out


@pytest.mark.parametrize("n", [1, 7, 500])
def test_findings_written_in_batches_are_each_findings_dict(n: int, monkeypatch: pytest.MonkeyPatch):
    """A batch of findings given to orjson as they are gives the text of each finding's
    to_dict() (with jsonable's values) dumped one by one, odd values included."""
    monkeypatch.setattr(jsonout, "FLUSH_EVERY", 97)
    findings = _mixed_findings(n)
    summary = RunSummary(datetime(2026, 11, 24, 9, 0), [FileResult("/in/报修.xlsx", "accepted", ["repair"],
                                                                   findings=findings)], [], [], 3)
    out = io.StringIO()
    jsonout.write_summary(summary, out.write)
    text = out.getvalue()
    # The reference: each finding's dict dumped by orjson (json.dumps where orjson refuses),
    # as the stream wrote them before, laid out at the findings' depth.
    items = []
    for f in findings:
        d = f.to_dict()
        try:
            leaf = orjson.dumps(d, option=orjson.OPT_INDENT_2).decode()
        except TypeError:
            leaf = json.dumps(d, ensure_ascii=False, indent=2)
        items.append("        " + leaf.replace("\n", "\n        "))  # a file's findings: 4 levels deep
    assert '"findings": [\n' + ",\n".join(items) + "\n      ]" in text
    whole = json.loads(text)
    assert len(whole["files"][0]["findings"]) == n
    assert whole["files"][0]["findings"][0]["values"]["start"] == "2026-11-01T08:00:00"
    if n > 5:
        assert jsonout._native(findings[1].values) and not jsonout._native(findings[5].values)


@pytest.mark.parametrize("n", [0, 1, 5, 12, 500])
def test_summary_written_as_bytes_is_the_text_encoded(n: int, monkeypatch: pytest.MonkeyPatch):
    """Under a UTF-8 stream orjson's bytes go to its byte stream as they are: the bytes are
    those of the text stream path, for every kind of value (the odd ones go as text)."""
    monkeypatch.setattr(jsonout, "FLUSH_EVERY", 97)
    summary = _summary(min(n, 12))
    summary.files.append(FileResult("/in/报修.xlsx", "accepted", ["repair"], findings=_mixed_findings(n)))
    text = io.StringIO()
    jsonout.write_summary(summary, text.write)
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8", errors="strict")
    stream.write("前言\n")  # text before: flushed first, as the command does
    stream.flush()
    binary = jsonout.utf8_buffer(stream)
    assert binary is not None
    jsonout.write_summary(summary, stream.write, binary=binary)
    stream.flush()
    assert raw.getvalue() == ("前言\n" + text.getvalue()).encode("utf-8")


def test_bytes_go_straight_only_to_a_utf8_stream():
    assert jsonout.utf8_buffer(io.TextIOWrapper(io.BytesIO(), encoding="gb18030")) is None
    assert jsonout.utf8_buffer(io.StringIO()) is None  # no byte stream under it
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="UTF8", errors="surrogateescape")  # kept: it closes raw when let go
    put = jsonout.utf8_buffer(stream)
    assert put is not None
    put("名\udcff")  # text is encoded as the stream would: its error handler included
    put("字".encode())
    assert raw.getvalue() == "名".encode() + b"\xff" + "字".encode()
