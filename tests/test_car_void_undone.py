"""A 委托书 row marked 作废 by mistake, then cleared: what was drafted for the order comes
back under its own numbers, instead of being redrafted or lost, and nothing is drafted
for an event already past (the car gone while the mark stood)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from car_fixtures import EXTRA, ORDER_HEAD, init, order
from car_fixtures import process as save
from conftest import write_xlsx

from toolkit.workspace import Workspace

HEAD = [*ORDER_HEAD, "作废"]


def _order(void: bool, **kw: Any) -> list[Any]:
    # WQ02 (京Q00002) received Tuesday 12-01 09:00, promised 16:00, not signed off yet.
    row = order(**{"委托书号": "WQ02", "车牌号": "京Q00002", "接车时间": "2026-12-01 09:00",
                   "进车间时间": "2026-12-01 09:10", "预计完工时间": "2026-12-01 16:00", **kw})
    return [*row, "是" if void else None]


# The workshop found worn brake pads at 10:00; the customer has not answered yet: a slip.
EXTRA_ROW = ["ZQ1", "WQ02", "2026-12-01 10:00", None, "更换后刹车片", 100, 300, 1, None, None, None, None, None]
# Handed over Wednesday 12-02 17:00, settled 800.
GONE = {"完工时间": "2026-12-02 15:00", "质检员": "孙工", "交车时间": "2026-12-02 17:00", "工时费": 300,
        "备品费": 500, "结算金额": 800, "实收金额": 800, "付款方式": "现金"}


def _save(home: Path, name: str, now: str, void: bool, **kw: Any) -> dict[str, Any]:
    book = {"委托书": [HEAD, _order(void, **kw)], "追加项目": [EXTRA[0], EXTRA_ROW]}
    return save(home, write_xlsx(home / "inbox" / name, book), now)


def _docs(home: Path) -> dict[str, list[str]]:
    """Document files by folder: drafts, and those voided (已作废)."""
    drafts = Workspace(home).drafts
    return {"草稿": sorted(p.name for p in drafts.glob("*.docx")),
            "已作废": sorted(p.name for p in (drafts / "已作废").glob("*.docx"))}


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_a_mistaken_void_cleared_after_the_car_left_restores_the_order_and_drafts_no_release(
        tmp_path: Path, database: str):
    from toolkit.documents import document_rows
    from toolkit.pipeline import open_context

    home = init(tmp_path / "car", "car")
    _save(home, "a.xlsx", "2026-12-01T10:30", False)
    first = _docs(home)
    assert [n.split("_")[1] for n in first["草稿"]] == ["进厂维修委托书", "追加维修项目确认单"]

    # Marked 作废 by mistake: the 委托书 and the slip are both withdrawn, the slip not
    # redrafted under a new number (the order it belongs to is void).
    _save(home, "b.xlsx", "2026-12-01T11:00", True)
    assert _docs(home) == {"草稿": [], "已作废": first["草稿"]}

    # The car leaves on 12-02 while the mark stands; the mark is cleared on 12-03.
    _save(home, "c.xlsx", "2026-12-02T17:30", True, **GONE)
    _save(home, "d.xlsx", "2026-12-03T10:00", False, **GONE)
    after = _docs(home)
    # The 委托书 is back under its own number; no 出厂通知单 for a car gone the day before;
    # the slip stays withdrawn (the repair finished before the customer answered).
    order_file = next(n for n in first["草稿"] if "委托书" in n)
    assert after["草稿"] == [order_file]
    assert after["已作废"] == [n for n in first["草稿"] if n != order_file]
    ctx = open_context(Workspace(home))
    try:
        rows = [(d["title"], d["status"]) for d in document_rows(ctx.ledger)]
    finally:
        ctx.close()
    assert rows == [("进厂维修委托书", "草稿"), ("追加维修项目确认单", "已作废")]


def test_a_mistaken_void_cleared_while_the_car_is_in_the_shop_restores_both_drafts(tmp_path: Path):
    home = init(tmp_path / "car", "car")
    _save(home, "a.xlsx", "2026-12-01T10:30", False)
    first = _docs(home)
    _save(home, "b.xlsx", "2026-12-01T11:00", True)
    _save(home, "c.xlsx", "2026-12-01T11:30", False, 进度查询时间="2026-12-01 11:20")
    assert _docs(home) == {"草稿": first["草稿"], "已作废": []}
    # A promise moved once back: new drafts under new numbers, as for any change (the slip
    # prints the promise too), the restored ones superseded.
    _save(home, "d.xlsx", "2026-12-01T12:00", False, 进度查询时间="2026-12-01 11:20", 预计完工时间="2026-12-01 17:00")
    after = _docs(home)
    assert after["已作废"] == first["草稿"] and [n.split("_")[0] for n in after["草稿"]] == ["某某公司〔2026〕委字第002号",
                                                                               "某某公司〔2026〕追字第002号"]


def test_the_release_voided_with_the_order_comes_back_with_it(tmp_path: Path):
    # Handed over and settled 12-02 17:00: the 委托书, 出厂通知单 and slip drafted at 17:30; the
    # row marked 作废 at 18:00 and cleared the next morning, the car gone: both come back
    # under their numbers, nothing new drafted.
    home = init(tmp_path / "car", "car")
    _save(home, "a.xlsx", "2026-12-02T17:30", False, **GONE)
    first = _docs(home)
    assert [n.split("_")[1] for n in first["草稿"]] == ["出厂通知单", "进厂维修委托书", "追加维修项目确认单"]
    _save(home, "b.xlsx", "2026-12-02T18:00", True, **GONE)
    assert _docs(home)["草稿"] == []
    # (A check time typed in too: not the first save's bytes, which are taken as that save again.)
    _save(home, "c.xlsx", "2026-12-03T10:00", False, 进度查询时间="2026-12-02 11:00", **GONE)
    # The slip stays withdrawn: the job was finished before the customer answered.
    assert _docs(home)["草稿"] == first["草稿"][:2]


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_a_void_saved_after_the_week_ended_leaves_its_figures(tmp_path: Path, database: str):
    from test_car_qa_round13 import _book, _rows
    from test_car_qa_round13 import _order as done_order

    # W48, saved Friday 11-27: WP01 done 15:30 for its 16:00 promise, WQ01 16:40 (late):
    # 1 of 2 on time = 50.0%. WQ01 is marked 作废 on Wednesday 12-02, after W48 ended.
    home = init(tmp_path / "car", "car")
    week = [done_order("WP01", "京P00001", "2026-11-27", "王芳", "15:30"),
            done_order("WQ01", "京Q00001", "2026-11-25", "李娜", "16:40")]
    save(home, write_xlsx(home / "inbox" / "W48.xlsx", {"委托书": [HEAD, *[[*r, None] for r in week]]}),
         "2026-11-27T18:00")
    marked = [[*week[0], None], [*week[1], "是"]]
    save(home, write_xlsx(home / "inbox" / "W48.xlsx", {"委托书": [HEAD, *marked]}), "2026-12-02T10:00")
    # W48 made again on 12-04: as it ended, 50.0% (today's data: 1 of 1 = 100.0%).
    again = _rows(_book(home, "2026-12-04T18:00", "car_weekly", "--week", "2026-W48"), "概况")
    assert again["按时完工率"][0] == "50.0%"
    # W49's 上周 column too.
    assert _rows(_book(home, "2026-12-04T18:00", "car_weekly", "--week", "2026-W49"), "概况")["按时完工率"][1] == "50.0%"


def test_setting_back_a_draft_voided_with_its_order_says_to_clear_the_mark(tmp_path: Path):
    """The manager sets the 委托书 voided with its row back to 草稿 in 发文登记: it stays void,
    and the cell says what will actually happen — clearing the row's 作废 brings it back
    under its own number — not that a new one will be drafted."""
    import openpyxl

    home = init(tmp_path / "car", "car")
    _save(home, "a.xlsx", "2026-12-01T10:30", False)
    _save(home, "b.xlsx", "2026-12-01T11:00", True)
    wb = openpyxl.load_workbook(home / "outbox" / "发文登记.xlsx")
    sheet = wb.active
    header = next(r for r in range(1, 6) if sheet.cell(r, 2).value == "文号")
    col = {sheet.cell(header, c).value: c for c in range(1, sheet.max_column + 1)}
    [row] = [r for r in range(header + 1, sheet.max_row + 1) if "委托书" in str(sheet.cell(r, col["文书标题"]).value)]
    number = sheet.cell(row, col["文号"]).value
    sheet.cell(row, col["文书状态"], "草稿")
    wb.save(home / "inbox" / "发文登记.xlsx")
    out = save(home, home / "inbox" / "发文登记.xlsx", "2026-12-01T11:30")
    [note] = [e["message"] for f in out["files"] for e in f["errors"] if number in e["message"]]
    assert "“进厂维修委托书”登记表" in note and "“作废”列" in note and "以原文号恢复为草稿" in note, note
    assert "将重新起草" not in note
    assert _docs(home)["草稿"] == []


def test_a_workspace_made_before_the_setting_restores_too_unless_its_file_says_no(tmp_path: Path):
    """A workspace made earlier keeps its own rules/car_documents.yaml without
    ``restore_with_record``: the pack's built-in value applies to the types it leaves it
    out of, so a cleared 作废 brings both drafts back under their numbers there too. A file
    that writes ``restore_with_record: false`` for the 委托书 keeps its choice."""
    from toolkit.documents.settings import load_documents_config

    home = init(tmp_path / "car", "car")
    path = home / "rules" / "car_documents.yaml"
    text = "".join(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
                   if "restore_with_record" not in line)
    path.write_text(text, encoding="utf-8")
    _save(home, "a.xlsx", "2026-12-01T10:30", False)
    first = _docs(home)
    _save(home, "b.xlsx", "2026-12-01T11:00", True)
    _save(home, "c.xlsx", "2026-12-01T11:30", False, 进度查询时间="2026-12-01 11:20")
    assert _docs(home) == {"草稿": first["草稿"], "已作废": []}
    path.write_text(text.replace("    lapses_with: [交车时间]          # 交车后自然结束\n",
                                 "    lapses_with: [交车时间]\n    restore_with_record: false\n", 1), encoding="utf-8")
    kinds = {d.type: d.restore_with_record for d in load_documents_config(home / "rules").documents}
    assert (kinds["car_order"], kinds["car_extra"], kinds["car_release"]) == (False, True, True)
