"""QA round 4 at the car desk (2026-11-30 → 2026-12-14), cut down to the rows behind each
defect found: a 结算金额 that is not 工时费 + 备品费 − 折扣金额 (a typo: 7,720 for 7,270).

The cashier writes the settlement on Thursday 2026-12-03 as the car leaves; the desk saves
the register at 18:00 and corrects it the same evening.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from car_fixtures import ORDER_HEAD, as_json, cli, init, order, process
from conftest import write_xlsx

HEAD = [*ORDER_HEAD, "诊断估价费"]


def _order(**kw: Any) -> list[Any]:
    base = order(**{k: v for k, v in kw.items() if k != "诊断估价费"})
    return [*base, kw.get("诊断估价费")]


def _settled(**kw: Any) -> list[Any]:
    """A body repair received Monday, finished and picked up Thursday, signed for a discount."""
    base = {"车牌号": "京N34567", "客户名称": "黄丽华", "车型": "途观", "服务顾问": "刘洋", "维修类别": "事故维修",
            "接车时间": "2026-11-30 14:00", "进车间时间": "2026-11-30 14:20", "工时费估价": 1920, "备品费估价": 5550,
            "估价合计": 7470, "预计完工时间": "2026-12-03 12:00", "进度查询时间": "2026-12-02 13:00",
            "完工时间": "2026-12-03 11:30", "质检员": "赵工", "交车时间": "2026-12-03 16:00", "工时费": "1,920",
            "备品费": "5,550", "折扣金额": 200, "折扣审批人": "钱经理", "实收金额": "7,270", "付款方式": "刷卡"}
    return _order(**{**base, **kw})


ORDERS = [
    HEAD,
    # Row 2: 1,920 + 5,550 − 200 = 7,270, typed 7,720 (two digits swapped).
    _settled(委托书号="WT2611303", 结算金额="7,720"),
    # Row 3: right: 300 + 2,468.35 = 2,768.35, no discount.
    _settled(委托书号="WT2612021", 车牌号="京N56789", 客户名称="李秀英", 工时费=300, 备品费="2,468.35", 折扣金额=None,
             折扣审批人=None, 工时费估价=300, 备品费估价="2468.35", 估价合计="2768.35", 结算金额="2,768.35",
             实收金额="2,768.35"),
    # Row 4: right: the 50-元 diagnosis charged on top of labour and parts (180 + 620 + 50).
    _settled(委托书号="WT2612031", 车牌号="京N78901", 客户名称="赵磊", 工时费=180, 备品费=620, 折扣金额=None,
             折扣审批人=None, 诊断估价费=50, 工时费估价=180, 备品费估价=620, 估价合计=800, 结算金额=850, 实收金额=850),
]

NOW = "2026-12-03T18:00"


@pytest.fixture
def desk(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    home = init(tmp_path / "car", "car")
    got = process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": ORDERS}), NOW)["files"][0]
    return home, got


def _releases(home: Path) -> list[str]:
    return sorted(p.name for p in (home / "outbox" / "文书草稿").glob("*出厂通知单*.docx"))


def test_a_settlement_that_does_not_add_up_goes_back_on_its_cell(desk):
    home, got = desk
    marked = [(a["row"], a["column"], a["code"]) for a in got["actions"]]
    assert marked == [(2, "结算金额", "car.settlement_sum")]
    a = got["actions"][0]
    assert "7,720.00" in a["message"] and "7,270.00" in a["message"] and "结算员" in a["message"]
    copy = next(Path(o) for o in got["outputs"] if "退回批注" in o)
    sheet = openpyxl.load_workbook(copy)["委托书"]
    col = HEAD.index("结算金额") + 1
    assert sheet.cell(row=2, column=col).comment is not None
    assert sheet.cell(row=3, column=col).comment is None and sheet.cell(row=4, column=col).comment is None
    # The customer's 出厂通知单 would print 欠收 450.00 元 that nobody owes: none until corrected.
    assert [n for n in _releases(home) if "WT2611303" in n] == []
    assert len(_releases(home)) == 2
    code, out = cli("report", "car_daily", "--date", "2026-12-04", "--home", str(home), "--now", "2026-12-04T08:00",
                    "--json")
    assert code == 0, out
    daily = openpyxl.load_workbook(next(o for o in as_json(out)["outputs"] if o.endswith(".xlsx")))
    fixes = [r for r in daily["待纠正"].iter_rows(values_only=True) if r and r[1] == "WT2611303"]
    wrong = [r for r in fixes if r[2] == "须纠正"]
    assert [r[3] for r in wrong] == ["刘洋"] and "7,270.00" in wrong[0][4]


def test_the_corrected_settlement_gets_its_release(desk):
    home, _ = desk
    fixed = [HEAD, _settled(委托书号="WT2611303", 结算金额="7,270"), *ORDERS[2:]]
    got = process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": fixed}), "2026-12-03T18:30")["files"][0]
    assert got["actions"] == []
    names = [n for n in _releases(home) if "WT2611303" in n]
    assert len(names) == 1
    import docx

    text = "\n".join(c.text for t in docx.Document(str(home / "outbox" / "文书草稿" / names[0])).tables
                     for row in t.rows for c in row.cells)
    assert "7,270.00" in text and "7,720.00" not in text and "450.00" not in text


def test_a_settlement_with_no_labour_that_does_not_add_up_is_worded_with_0(tmp_path: Path):
    """Parts only (工时费 blank), 备品费 480 typed as settled 840: the message reads the blank
    labour as 0.00 (it stopped the rules with an error before)."""
    home = init(tmp_path / "car", "car")
    parts_only = _settled(委托书号="WT2612041", 车牌号="京N11111", 工时费=None, 备品费=480, 折扣金额=None, 折扣审批人=None,
                          工时费估价=None, 备品费估价=480, 估价合计=480, 结算金额=840, 实收金额=840)
    got = process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": [HEAD, parts_only]}), NOW)["files"][0]
    (a,) = [a for a in got["actions"] if a["code"] == "car.settlement_sum"]
    assert "工时费 0.00 元 + 备品费 480.00 元 − 折扣 0.00 元 = 480.00 元不符" in a["message"]


APPT_HEAD = ["预约单号", "登记时间", "受理人", "车牌号", "客户名称", "联系电话", "车型", "预约进厂时间", "预约项目", "客户签名",
             "通知车间时间", "车间接收人", "状态", "作废"]


def _booking(number: str, booked: str, void: str | None = None, slot: str = "2026-12-04 15:00") -> list[Any]:
    return [number, booked, "周敏", "京N89012", "刘芳", "13377778888", "探岳", slot, "首次保养", "是",
            "2026-12-01 15:20", "老郭", "已预约", void]


def _register_rows(home: Path) -> list[dict[str, Any]]:
    sheet = openpyxl.load_workbook(home / "outbox" / "发文登记.xlsx").active
    head = [c.value for c in sheet[2]]
    return [dict(zip(head, r, strict=False)) for r in sheet.iter_rows(min_row=3, values_only=True)]


def test_a_restored_workbook_drafts_the_slip_it_states_again(tmp_path: Path):
    """Friday's save books 刘芳 for Fri 12-04 15:00; on Saturday the duty clerk moves it to
    Mon 12-07 by mistake (a new slip, the first voided); on Monday 周敏 puts Friday's copy
    back byte for byte. The register is Friday's again, and so must be the slip to sign."""
    home = init(tmp_path / "car", "car")
    friday = write_xlsx(tmp_path / "预约登记-周五.xlsx", {"预约登记": [APPT_HEAD, _booking("YY1201-02", "2026-12-01 15:00")]})
    inbox = home / "inbox" / "预约登记.xlsx"
    inbox.write_bytes(friday.read_bytes())
    process(home, inbox, "2026-12-01T18:00")
    moved = [APPT_HEAD, _booking("YY1201-02", "2026-12-01 15:00", slot="2026-12-07 10:00")]
    process(home, write_xlsx(inbox, {"预约登记": moved}), "2026-12-02T10:00")
    inbox.write_bytes(friday.read_bytes())
    got = process(home, inbox, "2026-12-02T11:00")["files"][0]
    assert got["again_of"] is not None
    drafts = [r for r in _register_rows(home) if r["文书状态"] == "草稿"]
    assert [r["文号"][-7:] for r in drafts] == ["约字第003号"]
    import docx

    text = "\n".join(c.text for t in docx.Document(str(home / "outbox" / "文书草稿" / drafts[0]["文件名"])).tables
                     for row in t.rows for c in row.cells)
    assert "2026年12月4日 15:00" in text and "12月7日" not in text


def test_a_voided_row_takes_its_unsigned_drafts_with_it(tmp_path: Path):
    """周敏 typed 刘芳's booking twice on Tuesday (YY1201-03 a copy of YY1201-02) and marks the
    copy 作废 on Wednesday: its 预约确认单 must not be signed and sent as a second booking."""
    home = init(tmp_path / "car", "car")
    twice = [APPT_HEAD, _booking("YY1201-02", "2026-12-01 15:00"), _booking("YY1201-03", "2026-12-01 15:05")]
    process(home, write_xlsx(home / "inbox" / "预约登记.xlsx", {"预约登记": twice}), "2026-12-01T18:00")
    drafts = home / "outbox" / "文书草稿"
    assert len(list(drafts.glob("*预约确认单_YY1201-0[23].docx"))) == 2
    voided = [APPT_HEAD, _booking("YY1201-02", "2026-12-01 15:00"), _booking("YY1201-03", "2026-12-01 15:05", "是")]
    got = process(home, write_xlsx(home / "inbox" / "预约登记.xlsx", {"预约登记": voided}), "2026-12-02T09:00")
    assert got["files"][0]["rows"]["voided"] == 1
    assert [p.name for p in drafts.glob("*YY1201-03.docx")] == []
    assert len(list((drafts / "已作废").glob("*预约确认单_YY1201-03.docx"))) == 1
    assert len(list(drafts.glob("*预约确认单_YY1201-02.docx"))) == 1
    assert {r["登记记录"]: r["文书状态"] for r in _register_rows(home)} == {
        "预约登记 YY1201-02": "草稿", "预约登记 YY1201-03": "已作废"}
    # Nothing left for the signer to puzzle over in the heading.
    heading = str(openpyxl.load_workbook(home / "outbox" / "发文登记.xlsx").active["A1"].value)
    assert "约字第002号" not in heading


def test_clearing_the_mark_drafts_the_booking_again(tmp_path: Path):
    """The 作废 mark was put on the wrong row: cleared the next morning (with 到店时间 not yet
    known, the row as first typed), the booking is back with a new slip to sign."""
    test_a_voided_row_takes_its_unsigned_drafts_with_it(tmp_path)
    home = tmp_path / "car"
    back = [APPT_HEAD, _booking("YY1201-02", "2026-12-01 15:00"), _booking("YY1201-03", "2026-12-01 15:05")]
    process(home, write_xlsx(home / "inbox" / "预约登记.xlsx", {"预约登记": back}), "2026-12-02T10:00")
    drafts = home / "outbox" / "文书草稿"
    assert [p.name for p in drafts.glob("*预约确认单_YY1201-03.docx")] == ["某某公司〔2026〕约字第003号_预约确认单_YY1201-03.docx"]
    assert [(r["文号"][-7:], r["文书状态"]) for r in _register_rows(home) if r["登记记录"] == "预约登记 YY1201-03"] == [
        ("约字第002号", "已作废"), ("约字第003号", "草稿")]
