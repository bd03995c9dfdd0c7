"""The pipeline end to end on real workbooks, a real ledger and real output files."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
from conftest import REPAIR_HEADERS, repair_rows, write_xlsx

from toolkit.pipeline import process_paths

NOW = datetime(2026, 11, 24, 9, 0)


def test_valid_register_is_accepted_and_recorded(ctx, home: Path):
    src = write_xlsx(home / "inbox" / "报修.xlsx", {"报修": [REPAIR_HEADERS, *repair_rows(3)]})
    summary = process_paths(ctx, [src], NOW)
    f = summary.files[0]
    assert f.status == "accepted"
    assert f.registers == ["repair"]
    assert (f.rows.total, f.rows.valid, f.rows.rejected) == (3, 3, 0)
    assert f.changes["repair"]["new"] == ["BX0001", "BX0002", "BX0003"]
    rec = ctx.ledger.record("repair", "BX0002")
    assert rec["values"]["报修时间"] == datetime(2026, 11, 23, 9, 2)
    assert rec["values"]["紧急程度"] == "一般"
    # taken out of inbox, archived byte for byte
    assert not src.exists()
    archived = list((home / "var" / "archive").rglob("*.xlsx"))
    assert len(archived) == 1


def test_original_is_archived_byte_for_byte(ctx, home: Path, tmp_path: Path):
    src = write_xlsx(tmp_path / "报修.xlsx", {"报修": [REPAIR_HEADERS, *repair_rows(2)]})
    data = src.read_bytes()
    process_paths(ctx, [src], NOW)
    archived = next((home / "var" / "archive").rglob("*.xlsx"))
    assert archived.read_bytes() == data
    assert src.exists(), "a file outside inbox/ is left where it was"


def test_same_bytes_twice_is_duplicate(ctx, home: Path, tmp_path: Path):
    src = write_xlsx(tmp_path / "a.xlsx", {"报修": [REPAIR_HEADERS, *repair_rows(2)]})
    copy = tmp_path / "b.xlsx"
    copy.write_bytes(src.read_bytes())
    first = process_paths(ctx, [src], NOW).files[0]
    second = process_paths(ctx, [copy], NOW).files[0]
    assert first.status == "accepted"
    assert second.status == "duplicate"
    assert "a.xlsx" in second.message
    assert len(ctx.ledger.history("repair", "BX0001")) == 1


def test_resaved_register_updates_only_changed_records(ctx, tmp_path: Path):
    rows = repair_rows(3)
    process_paths(ctx, [write_xlsx(tmp_path / "v1.xlsx", {"s": [REPAIR_HEADERS, *rows]})], NOW)
    rows[1][13] = datetime(2026, 11, 24, 10, 0)  # callback time added to BX0002
    rows[1][14] = "满意"
    rows.append(repair_rows(1, start=4)[0])
    f = process_paths(ctx, [write_xlsx(tmp_path / "v2.xlsx", {"s": [REPAIR_HEADERS, *rows]})], NOW).files[0]
    assert f.changes["repair"] == {"new": ["BX0004"], "changed": ["BX0002"], "unchanged": ["BX0001", "BX0003"]}
    hist = ctx.ledger.history("repair", "BX0002")
    assert [h["version"] for h in hist] == [1, 2]
    assert hist[-1]["values"]["回访结果"] == "满意"


def test_bad_cells_are_held_back_and_marked(ctx, home: Path, tmp_path: Path):
    rows = repair_rows(4)
    rows[0][4] = "11/12/2026"  # ambiguous date (required): the row is held back
    rows[1][3] = "1381234"  # bad phone (optional): the row goes in, the phone stays blank
    rows[2][9] = datetime(2026, 11, 22, 8, 0)  # done before reported
    rows[3][10] = "是"  # paid but no fee
    title = [["某某物业服务中心 报修登记表"], []]
    src = write_xlsx(tmp_path / "报修.xlsx", {"十一月": [*title, REPAIR_HEADERS, *rows, *repair_rows(1, 9)]},
                     merge=["A1:O1"])
    f = process_paths(ctx, [src], NOW).files[0]
    assert f.status == "partial"
    assert (f.rows.total, f.rows.valid, f.rows.rejected) == (5, 2, 3)
    by_cell = {e.cell: e for e in f.errors}
    # header is on row 3, so data starts on row 4
    assert by_cell["E4"].code == "date.ambiguous"
    assert by_cell["D5"].code.startswith("phone")
    assert by_cell["J6"].code == "row.not_before"
    assert by_cell["L7"].code == "row.requires_any"
    assert all(e.sheet == "十一月" and e.message for e in f.errors)
    annotated = [Path(p) for p in f.outputs if p.endswith(".xlsx")]
    assert annotated and annotated[0].is_file()
    wb = openpyxl.load_workbook(annotated[0])
    assert wb.sheetnames[0] == "问题清单"
    assert wb["十一月"]["E4"].comment is not None
    assert ctx.ledger.record("repair", "BX0001") is None
    assert ctx.ledger.record("repair", "BX0009") is not None
    kept = ctx.ledger.record("repair", "BX0002")
    assert kept is not None and kept["values"]["联系电话"] is None
    assert kept["values"]["维修内容"] == rows[1][5]
    assert "本行已登记，此格暂按空白处理" in by_cell["D5"].message
    assert "本行已登记" not in by_cell["E4"].message


def test_missing_required_column_is_named(ctx, tmp_path: Path):
    headers = [h for h in REPAIR_HEADERS if h != "维修内容"]
    rows = [r[:5] + r[6:] for r in repair_rows(2)]
    f = process_paths(ctx, [write_xlsx(tmp_path / "x.xlsx", {"s": [headers, *rows]})], NOW).files[0]
    assert f.status == "rejected"
    assert f.errors[0].code == "header.missing"
    assert "维修内容" in f.errors[0].message


def test_aliases_and_extra_columns(ctx, tmp_path: Path):
    headers = ["备注", "单号", "房号", "电话", "报修时间", "报修内容"]
    rows = [[None, "A1", "3-101", "138 1234 5678", "2026年11月23日 14:30", "灯不亮"]]
    f = process_paths(ctx, [write_xlsx(tmp_path / "x.xlsx", {"s": [headers, *rows]})], NOW).files[0]
    assert f.status == "accepted", f.errors
    rec = ctx.ledger.record("repair", "A1")["values"]
    assert rec["联系电话"] == "13812345678"
    assert rec["报修时间"] == datetime(2026, 11, 23, 14, 30)


def test_unrecognised_sheet_is_reported_with_its_headers(ctx, tmp_path: Path):
    src = write_xlsx(tmp_path / "x.xlsx", {
        "报修": [REPAIR_HEADERS, *repair_rows(1)],
        "杂项": [["品名", "数量", "单位"], ["拖把", 2, "把"]],
    })
    f = process_paths(ctx, [src], NOW).files[0]
    assert f.status == "partial"
    err = [e for e in f.errors if e.code == "sheet.unrecognised"][0]
    assert err.sheet == "杂项" and "品名" in err.message


def test_two_registers_in_one_workbook(ctx, tmp_path: Path):
    fee = [["房号", "业主", "联系电话", "建筑面积", "单价", "已缴至", "欠费金额"],
           ["1-0101", "王五", "13900001111", "89.5㎡", "2.35", datetime(2026, 6, 30), "¥1,234.50"]]
    src = write_xlsx(tmp_path / "x.xlsx", {"报修": [REPAIR_HEADERS, *repair_rows(1)], "物业费": fee})
    f = process_paths(ctx, [src], NOW).files[0]
    assert f.status == "accepted", f.errors
    assert sorted(f.registers) == ["fee_account", "repair"]
    acc = ctx.ledger.record("fee_account", "1-0101")["values"]
    assert acc["欠费金额"] == Decimal("1234.50")
    assert acc["建筑面积"] == Decimal("89.5")


def test_unreadable_file_is_rejected_with_reason(ctx, tmp_path: Path):
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"")
    f = process_paths(ctx, [bad], NOW).files[0]
    assert f.status == "rejected"
    assert f.message and f.errors[0].code.startswith("file.")


def test_clerks_text_is_kept_as_typed_and_identifiers_compare_loosely(ctx, tmp_path: Path):
    rows = repair_rows(2)
    rows[0][1] = "３-１０１"  # room typed full-width: one room with 3-101
    rows[0][5] = "厨房水龙头漏水，急（3楼）：请尽快！"
    rows[1][3] = "0755-8888 6666 转 801"  # a landline with an extension
    src = write_xlsx(tmp_path / "报修.xlsx", {"报修": [REPAIR_HEADERS, *rows]})
    f = process_paths(ctx, [src], NOW).files[0]
    assert f.status == "accepted", f.errors
    first = ctx.ledger.record("repair", "BX0001")["values"]
    assert first["维修内容"] == "厨房水龙头漏水，急（3楼）：请尽快！"
    assert first["房号"] == "3-101"
    assert ctx.ledger.record("repair", "BX0002")["values"]["联系电话"] == "0755-88886666 转 801"


def _spy_return_copies(monkeypatch) -> list:
    """The workbook each return copy is made from (the real writer still runs)."""
    from toolkit import outputs

    seen: list = []
    real = outputs.write_annotated_copy

    def spy(source, workbook, errors, dest, **kw):
        seen.append(workbook)
        return real(source, workbook, errors, dest, **kw)

    monkeypatch.setattr(outputs, "write_annotated_copy", spy)
    return seen


def test_a_big_workbook_is_let_go_once_validated(ctx, tmp_path: Path, monkeypatch):
    """Above KEEP_ROWS rows the values are not kept for the return copy: an .xlsx copy
    is made from the original file, so they are never read again."""
    from toolkit import pipeline

    monkeypatch.setattr(pipeline, "KEEP_ROWS", 3)
    seen = _spy_return_copies(monkeypatch)
    rows = repair_rows(5)
    rows[1][4] = "11/12/2026"  # ambiguous date: row 3 held back, E3 marked
    f = process_paths(ctx, [write_xlsx(tmp_path / "报修.xlsx", {"报修": [REPAIR_HEADERS, *rows]})], NOW).files[0]
    assert (f.status, f.rows.valid, f.rows.rejected) == ("partial", 4, 1)
    assert len(seen) == 1 and isinstance(seen[0], pipeline.ArchivedWorkbook)
    assert seen[0]._sheets is None, "the original's own format was kept: nothing read again"
    copy = openpyxl.load_workbook(next(Path(p) for p in f.outputs if p.endswith(".xlsx")))
    assert copy["报修"]["E3"].comment is not None
    assert copy["报修"]["A6"].value == "BX0005"


def test_a_big_csv_return_copy_reads_the_archived_original_again(ctx, tmp_path: Path, monkeypatch):
    """A CSV's return copy is built from the values: read again from the archive, the
    same values that were validated, every cell where it was."""
    from toolkit import pipeline

    monkeypatch.setattr(pipeline, "KEEP_ROWS", 3)
    seen = _spy_return_copies(monkeypatch)
    rows = repair_rows(5)
    rows[3][4] = "11/12/2026"  # row 5 held back
    lines = [",".join(REPAIR_HEADERS)]
    for r in rows:
        lines.append(",".join("" if v is None else v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime) else str(v)
                              for v in r))
    src = tmp_path / "报修.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    f = process_paths(ctx, [src], NOW).files[0]
    assert (f.status, f.rows.valid, f.rows.rejected) == ("partial", 4, 1)
    assert isinstance(seen[0], pipeline.ArchivedWorkbook) and seen[0]._sheets is not None
    copy = openpyxl.load_workbook(next(Path(p) for p in f.outputs if p.endswith(".xlsx")))
    data = next(ws for ws in copy.worksheets if ws.title != "问题清单")
    assert [data.cell(row=i, column=1).value for i in range(1, 7)] == ["单号", *[f"BX{i:04d}" for i in range(1, 6)]]
    assert data["E5"].value == "11/12/2026" and data["E5"].comment is not None
    assert data["B2"].value == rows[0][1]


def test_a_small_workbook_is_kept_for_its_return_copy(ctx, tmp_path: Path, monkeypatch):
    from toolkit.model import Workbook

    seen = _spy_return_copies(monkeypatch)
    rows = repair_rows(3)
    rows[0][4] = "11/12/2026"
    f = process_paths(ctx, [write_xlsx(tmp_path / "报修.xlsx", {"报修": [REPAIR_HEADERS, *rows]})], NOW).files[0]
    assert f.status == "partial"
    assert len(seen) == 1 and isinstance(seen[0], Workbook) and len(seen[0].sheets[0].rows) == 4


def test_deadlines_met_in_time_are_neither_stored_nor_listed(ctx, tmp_path: Path):
    from sqlalchemy import select

    from toolkit.ruleset.store import rule_findings

    # Reported 11-23 09:01–09:03, done 15:00: done before the 17:00 cutoff (met) and the
    # callback due the same day at 23:59 (sla.yaml repair.callback), pending at 16:00.
    rows = repair_rows(3)
    first = process_paths(ctx, [write_xlsx(tmp_path / "v1.xlsx", {"s": [REPAIR_HEADERS, *rows]})],
                          datetime(2026, 11, 23, 16, 0)).files[0]
    assert {(f.rule, f.status) for f in first.findings} == {("repair.callback", "pending")}
    assert len(first.findings) == 3
    # BX0002 called back at 17:30, before 23:59: met. Shown once as resolved, in its own
    # words; BX0001 and BX0003 are still pending and not news.
    rows[1][13], rows[1][14] = datetime(2026, 11, 23, 17, 30), "满意"
    second = process_paths(ctx, [write_xlsx(tmp_path / "v2.xlsx", {"s": [REPAIR_HEADERS, *rows]})],
                           datetime(2026, 11, 23, 18, 0)).files[0]
    met = [f for f in second.findings if f.record == "BX0002"]
    assert [(f.rule, f.status, f.state) for f in met] == [("repair.callback", "met", "resolved")]
    assert "维修回访已按时完成（2026-11-23 17:30，时限 2026-11-23 23:59）" in met[0].message
    assert sorted((f.record, f.state) for f in second.findings if f.record != "BX0002") == \
        [("BX0001", "ongoing"), ("BX0003", "ongoing")]
    # The console and log line counts them by what they ask of people.
    from toolkit.problems import outcome_line

    assert outcome_line(second, "v2.xlsx") == "已接收 v2.xlsx：共 3 行，登记 3 行，规则发现 提醒 2 条、已解决 1 条"
    t = rule_findings
    with ctx.ledger.engine.connect() as conn:
        stored = sorted((r.record, r.rule, r.is_open) for r in conn.execute(select(t.c.record, t.c.rule, t.c.is_open)))
    # No row for any 当日完工 met; the callback met closes the row it had while pending.
    assert stored == [("BX0001", "repair.callback", True), ("BX0002", "repair.callback", False),
                      ("BX0003", "repair.callback", True)]
    # A third save with nothing new about BX0002: its met callback is not listed again.
    rows[0][14] = "满意"  # a result without a time: BX0001 changes, its callback stays pending
    third = process_paths(ctx, [write_xlsx(tmp_path / "v3.xlsx", {"s": [REPAIR_HEADERS, *rows]})],
                          datetime(2026, 11, 23, 18, 30)).files[0]
    assert not [f for f in third.findings if f.record == "BX0002"]


def test_the_collector_is_paused_while_a_file_is_processed(ctx, tmp_path: Path, monkeypatch):
    """A big file's objects are alive together: the cyclic collector's passes over them
    freed nothing and cost a tenth of the time. Paused for the file, running again after,
    also when the file fails."""
    import gc

    from toolkit import pipeline

    during: list[bool] = []
    real = pipeline.read_and_validate

    def spy(*args, **kwargs):
        during.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "read_and_validate", spy)
    assert gc.isenabled()
    f = process_paths(ctx, [write_xlsx(tmp_path / "报修.xlsx", {"报修": [REPAIR_HEADERS, *repair_rows(3)]})], NOW).files[0]
    assert f.status == "accepted" and during == [False] and gc.isenabled()

    def broken(*args, **kwargs):
        during.append(gc.isenabled())
        raise RuntimeError("reader broke")

    monkeypatch.setattr(pipeline, "read_and_validate", broken)
    process_paths(ctx, [write_xlsx(tmp_path / "报修2.xlsx", {"报修": [REPAIR_HEADERS, *repair_rows(2)]})], NOW)
    assert during == [False, False] and gc.isenabled()


def test_run_file_is_indented_json_with_chinese_as_written(ctx, home: Path, tmp_path: Path):
    import json

    rows = repair_rows(2)
    rows[0][12] = "待定"  # a bad cell: the run names its problem in Chinese
    summary = process_paths(ctx, [write_xlsx(tmp_path / "报修.xlsx", {"s": [REPAIR_HEADERS, *rows]})], NOW)
    text = (home / "var" / "runs" / f"run-{summary.run_id:06d}.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, ensure_ascii=False, indent=2)  # the layout json.dumps gives
    assert data["files"][0]["path"].endswith("报修.xlsx") and "待定" in text


def test_a_corrected_arrears_amount_redrafts_the_unsigned_reminder(ctx, home: Path, tmp_path: Path):
    """The second save of the fee accounts: the return copy told the cashier the ledger's
    欠费金额 disagrees with months × area × price and that the reminder prints the ledger's
    figure; once corrected, the reminder nobody has signed yet is rewritten under its own
    number with the corrected one (a demand is amended while unsigned, not replaced)."""
    from docx import Document

    header = ["房号", "业主", "联系电话", "建筑面积", "单价", "已缴至", "欠费金额"]
    row = ["3-502", "刘芳", "13900139003", 210, 3.2, datetime(2026, 9, 30), 700]  # 2 months owed
    first = process_paths(ctx, [write_xlsx(tmp_path / "v1.xlsx", {"物业费台账": [header, row]})], NOW).files[0]
    mismatch = next(f for f in first.findings if f.rule == "fee.amount_mismatch")
    # 2 months × 210 m² × 3.20 元 by hand
    assert "1,344.00 元" in mismatch.message and "700.00 元" in mismatch.message

    def drafts() -> dict[str, str]:
        return {p.name: "".join(par.text for par in Document(str(p)).paragraphs)
                for p in sorted((home / "outbox" / "文书草稿").glob("*.docx"))}

    [(name, text)] = drafts().items()
    assert "催缴通知书" in name and "700.00元（人民币柒佰元整）" in text
    row[6] = 1344
    second = process_paths(ctx, [write_xlsx(tmp_path / "v2.xlsx", {"物业费台账": [header, row]})],
                           datetime(2026, 11, 24, 11, 0)).files[0]
    assert not [f for f in second.findings if f.rule == "fee.amount_mismatch" and f.state != "resolved"]
    [(new_name, new_text)] = drafts().items()
    assert new_name == name
    assert "1,344.00元（人民币壹仟叁佰肆拾肆元整）" in new_text and "700.00" not in new_text
    assert not (home / "outbox" / "文书草稿" / "已作废" / name).exists()
    # Saved again with a figure the reminder does not print changed: nothing new to draft.
    row[2] = "13900139004"
    process_paths(ctx, [write_xlsx(tmp_path / "v3.xlsx", {"物业费台账": [header, row]})],
                  datetime(2026, 11, 24, 12, 0))
    assert list(drafts()) == [new_name]


def test_a_file_with_no_register_has_no_row_counts_on_its_line(ctx, tmp_path: Path):
    """A workbook whose sheets are no register (a price list): the console line says it
    could not be read, without "共 0 行，登记 0 行，填写问题 2 处" — nothing was filled
    wrong; the reason names the sheets and their header rows."""
    from toolkit.problems import outcome_line

    src = write_xlsx(tmp_path / "价目表.xlsx", {"价目": [["项目", "单价"], ["换锁", 80]], "说明": [["备注"], ["x"]]})
    f = process_paths(ctx, [src], NOW).files[0]
    assert f.status == "rejected"
    assert outcome_line(f, "价目表.xlsx") == "已退回 价目表.xlsx：未能读取登记内容"
    assert f.message == ("文件中没有可识别的登记表：工作表“价目”的表头为“项目、单价”；工作表“说明”的表头为“备注”，"
                         "都不是登记表的列名；请对照“空白登记表”文件夹里的同名表格改正表头。")
