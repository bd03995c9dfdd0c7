"""Defects QA found in the property pack (fifth round): each test is one of them, real files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from conftest import write_xlsx
from docx import Document

from toolkit.documents import document_rows
from toolkit.outbox import drain
from toolkit.pipeline import process_paths
from toolkit.scheduler import sweep_deadlines

COMPLAINT = ["编号", "受理时间", "投诉人", "房号", "投诉内容", "事件", "性质", "等级", "被投诉部门",
             "转报时间", "反馈时间", "回复时间", "解决时间", "状态"]


def _docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def _escalations(ctx) -> list[dict]:
    return [d for d in document_rows(ctx.ledger) if d["number"] and "诉字" in d["number"]]


def _complaints(tmp_path: Path, name: str, solved: datetime | None = None) -> Path:
    """Two 重要 complaints about one event, taken Monday 11-16, forwarded within minutes."""
    done = [datetime(2026, 11, 18, 9, 30), datetime(2026, 11, 18, 9, 45), solved, "已解决"] if solved else \
        [None, None, None, "处理中"]
    rows = [COMPLAINT,
            ["TS-101", datetime(2026, 11, 16, 9, 0), "周立新", "3-201", "地下车库积水未排", "3栋车库积水",
             "有效", "重要", "工程部", datetime(2026, 11, 16, 9, 5), *done],
            ["TS-102", datetime(2026, 11, 16, 9, 20), "陈美玲", "3-502", "车库积水泡了车", "3栋车库积水",
             "有效", "重要", "工程部", datetime(2026, 11, 16, 9, 25), *done]]
    return write_xlsx(tmp_path / name, {"投诉登记": rows})


def test_one_escalation_keeps_one_number_through_deadlines_and_its_solution(ctx, home: Path, tmp_path: Path):
    """One event escalated once (重要) is one report: its unsigned draft is amended under
    its own number when a deadline passes (重要: 1 working day, Tue 11-17 17:30) and when
    the complaints are solved (Wed 11-18 10:00), and once solved it reports the solution
    instead of asking the manager to hurry."""
    process_paths(ctx, [_complaints(tmp_path, "c1.xlsx")], datetime(2026, 11, 16, 10, 0))
    drain(ctx.ws, ctx.ledger)
    first = "某某物业〔2026〕诉字第001号"
    assert [d["number"] for d in _escalations(ctx)] == [first]

    sweep_deadlines(ctx, datetime(2026, 11, 17, 17, 31))  # the handling deadline passes
    drain(ctx.ws, ctx.ledger)
    docs = _escalations(ctx)
    assert [(d["number"], d["status"]) for d in docs] == [(first, "草稿")]

    process_paths(ctx, [_complaints(tmp_path, "c2.xlsx", solved=datetime(2026, 11, 18, 10, 0))],
                  datetime(2026, 11, 18, 11, 0))
    drain(ctx.ws, ctx.ledger)
    docs = _escalations(ctx)
    assert [(d["number"], d["status"]) for d in docs] == [(first, "草稿")]
    drafts = list((home / "outbox" / "文书草稿").glob("*诉字第*.docx"))
    assert [p.name for p in drafts] == [docs[0]["file_name"]]
    text = _docx_text(drafts[0])
    assert "尽快处理" not in text
    assert "请予审阅" in text and "请予督办" not in text
    assert "均已解决（最后一件于2026年11月18日 10:00解决）" in text
    assert "None" not in text  # a missing overtime approval is no row of the time limits
