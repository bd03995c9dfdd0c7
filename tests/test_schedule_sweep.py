"""Time moves findings with no file arriving: each minute the watcher's tick re-judges the
records whose stored due time has come, and a finding that time made new gets its notice
then — not when some later file happens to arrive, and not twice."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from conftest import write_xlsx
from docx import Document
from sqlalchemy import select

from toolkit.documents import document_rows
from toolkit.outbox import drain
from toolkit.pipeline import process_paths
from toolkit.ruleset.store import rule_findings
from toolkit.scheduler import make_tick, sweep_deadlines

HEADERS = ["编号", "受理时间", "投诉人", "房号", "投诉内容", "性质", "等级", "被投诉部门"]


def complaint_book(path: Path, *rows: list) -> Path:
    return write_xlsx(path, {"投诉登记": [HEADERS, *rows]})


def escalations(ctx) -> list[dict]:
    return [d for d in document_rows(ctx.ledger) if d["number"] and "诉字" in d["number"]]


def open_rules(ctx, record: str) -> set[str]:
    t = rule_findings
    with ctx.ledger.engine.connect() as conn:
        rows = conn.execute(select(t.c.rule).where(t.c.site == ctx.ledger.site, t.c.record == record,
                                                   t.c.is_open.is_(True))).all()
    return {r.rule for r in rows}


def test_a_complaint_unresolved_seven_days_is_escalated_by_the_clock_alone(ctx, home: Path, tmp_path: Path):
    # Monday 11-16 09:00 a 轻微 complaint is taken and never resolved. 7 days later,
    # 11-23 09:00, it becomes 重大 (SPEC §3.2: unresolved for 7 days) — at 09:01 the
    # escalation memo 投诉升级报告 is due to the manager, with no file saved that week.
    book = complaint_book(tmp_path / "c1.xlsx",
                          ["TS-001", datetime(2026, 11, 16, 9, 0), "周立新", "2-302", "楼道灯坏了一周", "有效", "轻微", "工程部"])
    process_paths(ctx, [book], datetime(2026, 11, 16, 10, 0))
    drain(ctx.ws, ctx.ledger)
    assert escalations(ctx) == []

    tick = make_tick(ctx)
    tick(datetime(2026, 11, 23, 9, 0))  # exactly 7 days: not yet
    drain(ctx.ws, ctx.ledger)
    assert escalations(ctx) == []
    assert "complaint.escalation" not in open_rules(ctx, "TS-001")

    # The tick wakes once a minute (real time); the minute after is judged the same way.
    sweep_deadlines(ctx, datetime(2026, 11, 23, 9, 1))
    drain(ctx.ws, ctx.ledger)
    issued = escalations(ctx)
    assert [d["number"] for d in issued] == ["某某物业〔2026〕诉字第001号"]
    draft = next((home / "outbox" / "文书草稿").glob("*诉字第001号*.docx"))
    text = "\n".join(p.text for p in Document(draft).paragraphs)
    text += "\n".join(c.text for t in Document(draft).tables for row in t.rows for c in row.cells)
    assert "TS-001" in text and "重大" in text

    # The next minutes, and a later file about something else, issue nothing more.
    sweep_deadlines(ctx, datetime(2026, 11, 23, 9, 2))
    other = complaint_book(tmp_path / "c2.xlsx",
                           ["TS-001", datetime(2026, 11, 16, 9, 0), "周立新", "2-302", "楼道灯坏了一周", "有效", "轻微", "工程部"],
                           ["TS-002", datetime(2026, 11, 23, 10, 0), "陈美玲", "5-101", "垃圾未清运", "有效", "轻微", "环境部"])
    process_paths(ctx, [other], datetime(2026, 11, 23, 10, 30))
    drain(ctx.ws, ctx.ledger)
    assert [d["number"] for d in escalations(ctx)] == ["某某物业〔2026〕诉字第001号"]
