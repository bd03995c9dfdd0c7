"""A draft the manager voided by mistake comes back: 文书状态 set back to 草稿 in the
dispatch register restores it under its own number, once; a draft voided by the
toolkit itself (its record 作废, its matter settled, a later number) stays void and the
manager's copy says why."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
from conftest import write_xlsx

from toolkit.documents import document_rows
from toolkit.pipeline import process_paths

FEE_HEADERS = ["房号", "业主", "联系电话", "建筑面积", "单价", "已缴至", "欠费金额", "作废"]
NOW = datetime(2026, 11, 24, 9, 0)


def _fee(tmp_path: Path, name: str, rows: list[list]) -> Path:
    return write_xlsx(tmp_path / name, {"物业费": [FEE_HEADERS, *rows]})


def _save_register(ctx, home: Path, name: str, **by_number: dict) -> Path:
    """The manager's copy of 发文登记.xlsx with the cells given per 文号 changed, saved into inbox/."""
    wb = openpyxl.load_workbook(ctx.ws.outbox / "发文登记.xlsx")
    sheet = wb.active
    header = next(r for r in range(1, 5) if sheet.cell(r, 2).value == "文号")
    col = {sheet.cell(header, c).value: c for c in range(1, sheet.max_column + 1)}
    for r in range(header + 1, sheet.max_row + 1):
        for column, value in by_number.get(sheet.cell(r, col["文号"]).value, {}).items():
            sheet.cell(r, col[column], value)
    path = home / "inbox" / name
    wb.save(path)
    return path


def _register(ctx) -> tuple[str, dict[str, dict]]:
    sheet = openpyxl.load_workbook(ctx.ws.outbox / "发文登记.xlsx").active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if "文号" in r)
    return str(rows[0][0]), {r[1]: dict(zip(rows[header], r, strict=True)) for r in rows[header + 1:] if r[1]}


def test_a_draft_voided_by_mistake_comes_back_under_its_number_and_is_signed_once(ctx, home, tmp_path):
    process_paths(ctx, [_fee(tmp_path, "f1.xlsx", [["3-502", "刘芳", "13900139003", 210, 3.2,
                                                    date(2026, 9, 30), 1344, None]])], NOW)
    [draft] = ctx.ws.drafts.glob("*.docx")
    [doc] = document_rows(ctx.ledger)
    number = doc["number"]

    process_paths(ctx, [_save_register(ctx, home, "r1.xlsx", **{number: {"文书状态": "已作废"}})],
                  datetime(2026, 11, 24, 10, 0))
    assert (ctx.ws.drafts / "已作废" / draft.name).exists() and not draft.exists()
    heading, rows = _register(ctx)
    assert rows[number]["文书状态"] == "已作废" and "改回“草稿”" in heading

    # The manager sets it back: the same number, the same file, a draft again.
    back = process_paths(ctx, [_save_register(ctx, home, "r2.xlsx", **{number: {"文书状态": "草稿"}})],
                         datetime(2026, 11, 24, 11, 0)).files[0]
    assert back.status == "accepted" and not back.errors
    assert draft.exists() and not (ctx.ws.drafts / "已作废" / draft.name).exists()
    assert [(d["number"], d["status"]) for d in document_rows(ctx.ledger)] == [(number, "草稿")]
    heading, rows = _register(ctx)
    assert rows[number]["文书状态"] == "草稿" and "改回“草稿”" not in heading
    # The ledger keeps the manager's saves: voided, then set back.
    history = [h["values"]["文书状态"] for h in ctx.ledger.history("dispatch", number)]
    assert history[-2:] == ["已作废", "草稿"]

    # Signed now, it is sent once; the fee register saved again drafts nothing new.
    process_paths(ctx, [_save_register(ctx, home, "r3.xlsx", **{number: {"签发人": "张经理"}})],
                  datetime(2026, 11, 24, 12, 0))
    process_paths(ctx, [_fee(tmp_path, "f2.xlsx", [["3-502", "刘芳", "13900139004", 210, 3.2,
                                                    date(2026, 9, 30), 1344, None]])], datetime(2026, 11, 24, 13, 0))
    assert [p.name for p in ctx.ws.approved.glob("*.docx")] == [draft.name]
    assert [(d["number"], d["status"]) for d in document_rows(ctx.ledger)] == [(number, "已审批")]


def test_a_void_and_sign_in_one_save_restores_and_signs(ctx, home, tmp_path):
    process_paths(ctx, [_fee(tmp_path, "f1.xlsx", [["3-502", "刘芳", "13900139003", 210, 3.2,
                                                    date(2026, 9, 30), 1344, None]])], NOW)
    [draft] = ctx.ws.drafts.glob("*.docx")
    number = document_rows(ctx.ledger)[0]["number"]
    process_paths(ctx, [_save_register(ctx, home, "r1.xlsx", **{number: {"文书状态": "已作废"}})],
                  datetime(2026, 11, 24, 10, 0))
    # Signed without setting it back: nothing changes, and the cell says how to restore it.
    signed = process_paths(ctx, [_save_register(ctx, home, "r2.xlsx", **{number: {"签发人": "张经理"}})],
                           datetime(2026, 11, 24, 11, 0)).files[0]
    [note] = signed.errors
    assert note.column == "签发人" and "改回“草稿”" in note.message and number in note.message
    assert document_rows(ctx.ledger)[0]["status"] == "已作废"
    both = process_paths(ctx, [_save_register(ctx, home, "r3.xlsx",
                                              **{number: {"文书状态": "草稿", "签发人": "张经理"}})],
                         datetime(2026, 11, 24, 12, 0)).files[0]
    assert not both.errors
    assert (ctx.ws.approved / draft.name).exists() and document_rows(ctx.ledger)[0]["status"] == "已审批"


def test_a_draft_voided_with_its_record_stays_void_and_the_cell_says_why(ctx, home, tmp_path):
    row = ["3-502", "刘芳", "13900139003", 210, 3.2, date(2026, 9, 30), 1344, None]
    process_paths(ctx, [_fee(tmp_path, "f1.xlsx", [row])], NOW)
    [draft] = ctx.ws.drafts.glob("*.docx")
    number = document_rows(ctx.ledger)[0]["number"]
    process_paths(ctx, [_fee(tmp_path, "f2.xlsx", [[*row[:-1], "是"]])], datetime(2026, 11, 24, 10, 0))
    assert (ctx.ws.drafts / "已作废" / draft.name).exists()
    heading, _ = _register(ctx)
    assert "改回“草稿”" not in heading  # nothing the manager could set back
    refused = process_paths(ctx, [_save_register(ctx, home, "r1.xlsx", **{number: {"文书状态": "草稿"}})],
                            datetime(2026, 11, 24, 11, 0)).files[0]
    [note] = refused.errors
    assert note.column == "文书状态" and "随登记表中作废的记录一并作废" in note.message
    assert document_rows(ctx.ledger)[0]["status"] == "已作废" and not draft.exists()


def test_a_draft_whose_bill_was_paid_since_it_was_voided_stays_void(ctx, home, tmp_path):
    """Voided by the manager, then the owner paid: setting it back to 草稿 would bring
    back a demand for a bill no longer owed, so it stays void and the cell says why."""
    row = ["3-502", "刘芳", "13900139003", 210, 3.2, date(2026, 9, 30), 1344, None]
    process_paths(ctx, [_fee(tmp_path, "f1.xlsx", [row])], NOW)
    number = document_rows(ctx.ledger)[0]["number"]
    process_paths(ctx, [_save_register(ctx, home, "r1.xlsx", **{number: {"文书状态": "已作废"}})],
                  datetime(2026, 11, 24, 10, 0))
    process_paths(ctx, [_fee(tmp_path, "f2.xlsx", [[*row[:5], date(2026, 12, 31), 0, None]])],
                  datetime(2026, 11, 24, 11, 0))
    heading, _ = _register(ctx)
    assert "改回“草稿”" not in heading  # its only voided draft can no longer come back
    refused = process_paths(ctx, [_save_register(ctx, home, "r2.xlsx", **{number: {"文书状态": "草稿"}})],
                            datetime(2026, 11, 24, 12, 0)).files[0]
    [note] = refused.errors
    assert note.column == "文书状态" and "所依据的事项已经办结或不再成立" in note.message
    assert document_rows(ctx.ledger)[0]["status"] == "已作废"
