"""Round 11 of the car desk: a past period's figures stay as they were when it ended (a
payment saved the next week does not move last week's 欠收); a redrafted 委托书 lists the
extras the customer agreed to and the promise they moved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from car_fixtures import ORDER_HEAD, as_json, cli, init, order, process
from conftest import write_xlsx


def _order(number: str, plate: str, day: str, **kw: Any) -> list[Any]:
    return order(委托书号=number, 车牌号=plate, 接车时间=f"{day} 09:00", 进车间时间=f"{day} 09:10",
                 预计完工时间=f"{day} 16:00", 进度查询时间=f"{day} 14:00", 完工时间=f"{day} 15:30",
                 质检员="孙工", 交车时间=f"{day} 17:00", 付款方式="现金", **kw)


# W48 (11-23 to 11-29): WP01 delivered Friday 11-27, settled 500.00, 300.00 paid at once.
W48 = [ORDER_HEAD, _order("WP01", "京P00001", "2026-11-27", 工时费=200, 备品费=300, 结算金额=500, 实收金额=300)]
# W49 (11-30 to 12-06): on Wednesday 12-02 the customer pays the other 200.00 and the desk
# saves WP01 again; WA01 is delivered Tuesday 12-01, settled 1,000.00, 900.00 paid.
W49 = [ORDER_HEAD, _order("WP01", "京P00001", "2026-11-27", 工时费=200, 备品费=300, 结算金额=500, 实收金额=500),
       _order("WA01", "京A11111", "2026-12-01", 工时费=400, 备品费=600, 结算金额=1000, 实收金额=900)]


def _money(home: Path, now: str, *args: str) -> dict[str, tuple[Any, ...]]:
    code, out = cli("report", *args, "--home", str(home), "--now", now, "--json")
    assert code == 0, out
    wb = openpyxl.load_workbook(next(o for o in as_json(out)["outputs"] if o.endswith(".xlsx")))
    return {r[0]: r[1:] for r in wb["营业收入"].iter_rows(values_only=True) if r and r[0]}


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_a_payment_saved_later_does_not_change_a_past_weeks_figures(tmp_path: Path, database: str):
    home = init(tmp_path / "car", "car")
    process(home, write_xlsx(home / "inbox" / "W48.xlsx", {"委托书": W48}), "2026-11-27T18:00")
    # The W48 report as made on its Monday 11-30 09:00: 500.00 settled, 300.00 paid, and
    # WP01's 500 − 300 = 200.00 owed when the week ended.
    made = _money(home, "2026-11-30T09:00", "car_weekly", "--week", "2026-W48")
    assert (made["结算金额"][0], made["实收金额"][0], made["欠收"][0]) == (500, 300, 200)

    process(home, write_xlsx(home / "inbox" / "W49.xlsx", {"委托书": W49}), "2026-12-02T10:00")
    # Made again on Friday 12-04, after the payment: the same figures (the payment of 12-02
    # was 0 owed, 500 paid: 欠收 0).
    again = _money(home, "2026-12-04T18:00", "car_weekly", "--week", "2026-W48")
    assert (again["结算金额"][0], again["实收金额"][0], again["欠收"][0]) == (500, 300, 200)

    # W49 so far: WA01 settled 1,000.00, paid 900.00; owed now WA01's 100.00 alone (WP01
    # is paid). 上周 is W48 as it ended: 300.00 paid, 200.00 owed.
    week = _money(home, "2026-12-04T18:00", "car_weekly", "--week", "2026-W49")
    assert week["结算金额"] == (1000, 500)
    assert week["实收金额"] == (900, 300)
    assert week["欠收"] == (100, 200)
    # November's end (上月 of December): WP01's 200.00 was still owed.
    month = _money(home, "2026-12-04T18:00", "car_monthly", "--month", "2026-12")
    assert month["欠收"] == (100, 200)


EXTRA_HEAD = ["增项单号", "委托书号", "车间通知时间", "联系客户时间", "增项内容", "增项工时费", "增项备品费", "延长工期小时",
              "新预计完工时间", "客户答复", "客户签名", "转达车间时间", "车间受话人"]


def _drafts(home: Path) -> dict[str, str]:
    from docx import Document

    out = {}
    for p in sorted((home / "outbox" / "文书草稿").glob("*.docx"), key=lambda p: p.stat().st_mtime_ns):
        doc = Document(str(p))
        cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
        out[p.name] = "\n".join([*(x.text for x in doc.paragraphs), *cells])
    return out


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_a_redrafted_order_lists_the_agreed_extras_and_the_promise_they_move(tmp_path: Path, database: str):
    home = init(tmp_path / "car", "car")
    # 08:40: 沪C88888 in the shop, promised 16:30: the 委托书 is drafted.
    wo = order(委托书号="WD03", 车牌号="沪C88888", 接车时间="2026-12-04 08:30", 预计完工时间="2026-12-04 16:30",
               进车间时间="2026-12-04 08:40")
    process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": [ORDER_HEAD, wo]}), "2026-12-04T08:45")
    first = _drafts(home)
    assert [n for n in first if "进厂维修委托书" in n], first.keys()
    assert not any("追加维修项目（客户已同意）" in t for t in first.values())

    # 09:30: the customer agreed to two extra items. ZD00 (80 + 320 = 400.00, one hour more)
    # is signed: the promise moves 16:30 + 1 h = 17:30. ZD02 (50 + 150 = 200.00, new time
    # 18:00) is agreed but not yet signed: listed to sign, the promise not moved by it.
    # ZD01 has no answer yet: not on the 委托书.
    extras = [EXTRA_HEAD,
              ["ZD00", "WD03", "2026-12-04 08:45", "2026-12-04 08:50", "更换刹车片", 80, 320, 1, None, "同意", "是",
               "2026-12-04 08:55", "陈工"],
              ["ZD01", "WD03", "2026-12-04 08:50", None, "更换空气滤芯", 50, 180, 0.5, None, None, None, None, None],
              ["ZD02", "WD03", "2026-12-04 09:00", "2026-12-04 09:10", "更换雨刮片", 50, 150, None, "2026-12-04 18:00",
               "同意", "否", "2026-12-04 09:15", "陈工"]]
    process(home, write_xlsx(home / "inbox" / "追加项目.xlsx", {"追加项目": extras}), "2026-12-04T09:30")
    new = {n: t for n, t in _drafts(home).items() if n not in first and "进厂维修委托书" in n}
    assert len(new) == 1, _drafts(home).keys()
    text = next(iter(new.values()))
    assert "追加维修项目（客户已同意）" in text
    assert "更换刹车片" in text and "400.00" in text and "顺延 1 小时" in text and "已签字" in text
    assert "更换雨刮片" in text and "200.00" in text and "完工改为 2026年12月4日 18:00" in text and "待签字" in text
    assert "更换空气滤芯" not in text
    assert "2026年12月4日 17:30（原定 2026年12月4日 16:30" in text
    # The customer's pickup part: the promise now, and the extras in a line.
    assert "另有追加维修项目 2 项（更换刹车片 400.00 元；更换雨刮片 200.00 元）" in text


def _outbox(home: Path) -> list[str]:
    return sorted(str(p.relative_to(home / "outbox")) for p in (home / "outbox").rglob("*.docx")
                  if "报表" not in p.parts)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
@pytest.mark.parametrize("restored", ["2026-12-09T10:00", "2026-12-07T09:00"])
def test_an_order_restored_after_the_car_left_gets_no_new_documents(tmp_path: Path, database: str, restored: str):
    """WF01 left Friday 12-04 17:00, settled and paid; its 出厂通知单 was signed at 18:30.
    Saturday the desk marks the row 作废 by mistake, and clears the mark on Monday 12-07
    (the first working day after pickup) or Wednesday 12-09: the record comes back, but the
    car is gone — no new 委托书 is drafted for it, nor a second 出厂通知单 beside the signed
    one; the unsigned 委托书 the mark voided comes back under its own number (round 14:
    the contract the desk files)."""
    from datetime import datetime

    from toolkit.documents.dispatch import apply_approvals
    from toolkit.pipeline import open_context
    from toolkit.workspace import Workspace

    home = init(tmp_path / "car", "car")
    row = _order("WF01", "京F00001", "2026-12-04", 工时费=300, 备品费=500, 结算金额=800, 实收金额=800)
    head = [*ORDER_HEAD, "作废"]
    process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": [ORDER_HEAD, row]}), "2026-12-04T18:00")
    slip = "某某公司〔2026〕出字第001号"
    ctx = open_context(Workspace(home))
    try:
        assert apply_approvals(ctx.ws, ctx.ledger, [{"文号": slip, "签发人": "刘经理"}],
                               datetime(2026, 12, 4, 18, 30)) == [slip]
    finally:
        ctx.close()
    process(home, write_xlsx(home / "inbox" / "委托书-作废.xlsx", {"委托书": [head, [*row, "是"]]}), "2026-12-05T10:00")
    before = _outbox(home)
    assert before == ["已审批文书/某某公司〔2026〕出字第001号_出厂通知单_WF01.docx",
                      "文书草稿/已作废/某某公司〔2026〕委字第001号_进厂维修委托书_WF01.docx"]
    got = process(home, write_xlsx(home / "inbox" / "委托书-恢复.xlsx", {"委托书": [head, [*row, None]]}), restored)
    assert got["files"][0]["rows"]["valid"] == 1
    assert _outbox(home) == [before[0], "文书草稿/某某公司〔2026〕委字第001号_进厂维修委托书_WF01.docx"]
