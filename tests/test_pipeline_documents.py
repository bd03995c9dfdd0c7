"""Notices through the whole pipeline: a register in, a numbered draft out, the manager's
signed dispatch register back in, the document moved to the approved folder."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
from conftest import write_xlsx
from docx import Document

from toolkit.pipeline import process_paths

FEE_HEADERS = ["房号", "业主", "联系电话", "建筑面积", "单价", "已缴至", "欠费金额"]


def test_arrears_notice_is_drafted_once_and_approved_from_the_inbox(ctx, home: Path, tmp_path: Path):
    fee = [FEE_HEADERS, ["3-1-502", "王秀英", "13812345678", "89.5", "2.35", date(2026, 9, 30), "420.65"]]
    now = datetime(2026, 11, 24, 9, 0)
    f = process_paths(ctx, [write_xlsx(tmp_path / "f1.xlsx", {"物业费": fee})], now).files[0]
    drafts = sorted(ctx.ws.drafts.glob("*.docx"))
    assert len(drafts) == 1 and str(drafts[0]) in f.outputs
    text = "\n".join(p.text for p in Document(drafts[0]).paragraphs)
    # 09-30 paid, 11-24 → 55 days overdue → second tier (30 days); 420.65 in capitals by hand.
    # No reminder went out before: the first one the owner gets, not titled the second.
    assert "\n催缴通知书\n" in text and "第二次" not in text and "已逾期55天" in text
    assert "420.65" in text and "人民币肆佰贰拾元陆角伍分" in text
    assert "第001号" in text

    # the same register saved again (other bytes, same facts): no second notice
    fee.append(["5-2-301", "陈建国", None, "120", "2.35", date(2026, 12, 31), None])
    process_paths(ctx, [write_xlsx(tmp_path / "f2.xlsx", {"物业费": fee})], now)
    assert len(list(ctx.ws.drafts.glob("*.docx"))) == 1

    # the manager signs the dispatch register and saves it into inbox/
    register = ctx.ws.outbox / "发文登记.xlsx"
    wb = openpyxl.load_workbook(register)
    ws = wb.active
    header_row = next(r for r in range(1, 5) if ws.cell(r, 2).value == "文号")
    col = {ws.cell(header_row, c).value: c for c in range(1, ws.max_column + 1)}
    ws.cell(header_row + 1, col["签发人"], "张经理")
    ws.cell(header_row + 1, col["签发日期"], date(2026, 11, 25))
    signed = home / "inbox" / "发文登记.xlsx"
    wb.save(signed)
    g = process_paths(ctx, [signed], datetime(2026, 11, 25, 10, 0)).files[0]
    assert g.status == "accepted" and g.registers == ["dispatch"]
    assert not list(ctx.ws.drafts.glob("*.docx"))
    approved = list(ctx.ws.approved.glob("*.docx"))
    assert [p.name for p in approved] == [drafts[0].name]
    ws2 = openpyxl.load_workbook(register).active
    row = [c.value for c in ws2[header_row + 1]]
    assert "已审批" in row and "张经理" in row


def test_register_saved_again_brings_no_intents_for_notices_already_issued(ctx, home: Path, tmp_path: Path):
    """A fee register saved again whole: the notices already issued for the same facts and
    the same document values get no intent (nothing would be issued), so the file's cost
    does not grow with the register; a changed unit is still noticed again, and so is a
    unit whose finding has the same facts but whose document would read differently."""
    from sqlalchemy import func, select

    from toolkit.outbox import outbox
    from toolkit.ruleset.store import issued_notices

    # Reminders that name the owner among their facts: a renamed owner gets a new one,
    # while the finding's own facts (tier, 已缴至) stay the same.
    config = home / "rules" / "documents.yaml"
    text = config.read_text(encoding="utf-8")
    assert "    facts: [reminder_tier]\n" in text
    config.write_text(text.replace("    facts: [reminder_tier]\n", "    facts: [reminder_tier, 业主]\n"), encoding="utf-8")

    def intents() -> int:
        with ctx.ledger.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(outbox).where(outbox.c.kind == "document")).scalar()

    def issued() -> dict:
        with ctx.ledger.engine.connect() as conn:
            return {r.record: (r.facts_hash, r.issued_at) for r in conn.execute(select(issued_notices))}

    def drafts() -> list[str]:
        return sorted("\n".join(p.text for p in Document(d).paragraphs) for d in ctx.ws.drafts.glob("*.docx"))

    # Both paid to 09-30: 55 days overdue on 11-24, the second tier (as the test above).
    fee = [FEE_HEADERS, ["3-1-502", "王秀英", "13812345678", "89.5", "2.35", date(2026, 9, 30), "420.65"],
           ["3-1-503", "李明", "13812345679", "89.5", "2.35", date(2026, 9, 30), "420.65"],
           ["5-2-301", "陈建国", None, "120", "2.35", date(2026, 12, 31), None]]
    process_paths(ctx, [write_xlsx(tmp_path / "f1.xlsx", {"物业费": fee})], datetime(2026, 11, 24, 9, 0))
    first, first_drafts = issued(), drafts()
    assert len(first_drafts) == 2 and intents() == 2

    # Saved again an hour later, one row added: both notices stand as they were.
    fee.append(["5-2-302", "赵敏", None, "120", "2.35", date(2026, 12, 31), None])
    process_paths(ctx, [write_xlsx(tmp_path / "f2.xlsx", {"物业费": fee})], datetime(2026, 11, 24, 10, 0))
    assert intents() == 2 and issued() == first and drafts() == first_drafts

    # 3-1-502 paid up to 10-31 (24 days overdue: the first tier, new facts); 3-1-503's
    # owner renamed: its finding's facts as they were, its reminder names the new owner.
    fee[1][5], fee[1][6] = date(2026, 10, 31), "210.33"
    fee[2][1] = "李明明"
    process_paths(ctx, [write_xlsx(tmp_path / "f3.xlsx", {"物业费": fee})], datetime(2026, 11, 24, 11, 0))
    assert intents() == 4
    after = issued()
    assert after["3-1-502"][0] != first["3-1-502"][0]
    assert after["3-1-503"][0] == first["3-1-503"][0] and after["3-1-503"][1] > first["3-1-503"][1]
    now_drafts = drafts()
    assert any("李明明" in t for t in now_drafts) and any("210.33" in t for t in now_drafts)
