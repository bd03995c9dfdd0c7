"""QA round 5 at the car desk, cut down to the rows behind each defect: the dispatch
register's heading naming every car draft whose visit simply ended, a diagnosis-only
委托书 asked for a completion time, facts nobody can fix listed every morning, and the
phone messages' and claims' checks.

The desk saves its registers on Thursday 2026-12-03 and again on Friday 12-04 09:00.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from car_fixtures import ORDER_HEAD, init, order, process
from conftest import write_xlsx

APPT_HEAD = ["预约单号", "登记时间", "受理人", "车牌号", "客户名称", "联系电话", "车型", "预约进厂时间", "预约项目", "客户签名",
             "通知车间时间", "车间接收人", "提醒时间", "状态"]


def _booking(number: str, slot: str, state: str = "已预约", plate: str = "京N89012") -> list[Any]:
    return [number, "2026-12-01 10:00", "周敏", plate, "刘芳", "13377778888", "探岳", slot, "首次保养", "是",
            "2026-12-01 10:20", "老郭", "2026-12-02 16:00", state]


def _register(home: Path) -> tuple[str, list[dict[str, Any]]]:
    sheet = openpyxl.load_workbook(home / "outbox" / "发文登记.xlsx").active
    head = [c.value for c in sheet[2]]
    return str(sheet["A1"].value), [dict(zip(head, r, strict=False)) for r in sheet.iter_rows(min_row=3, values_only=True)]


# --- 1. the dispatch register names only drafts whose record changed ------------------


def test_drafts_whose_visit_ended_are_not_named_but_a_cancelled_booking_is(tmp_path: Path):
    """Thursday: 刘芳 booked for Thu 15:00 (YR01), 马军 for Mon 12-07 (YR02); 京N23456 received
    08:30 (WR01, still in the shop). Friday: WR01 was picked up Thursday 17:00 and YR01's day
    is over: their drafts simply served their day. YR02 was cancelled: its slip must not
    be handed over, and it alone is named for the signer to check."""
    home = init(tmp_path / "car", "car")
    book = [APPT_HEAD, _booking("YR01", "2026-12-03 15:00"), _booking("YR02", "2026-12-07 10:00", plate="京N45678")]
    head = ORDER_HEAD
    wr01 = {"委托书号": "WR01", "车牌号": "京N23456", "接车时间": "2026-12-03 08:30", "进车间时间": "2026-12-03 08:40",
            "预计完工时间": "2026-12-03 16:00"}
    process(home, write_xlsx(home / "inbox" / "售后登记.xlsx",
                             {"预约登记": book, "委托书": [head, order(**wr01)]}), "2026-12-03T10:00")
    _, rows = _register(home)
    assert sorted(r["登记记录"] for r in rows if r["文书状态"] == "草稿") == [
        "进厂维修委托书 WR01", "预约登记 YR01", "预约登记 YR02"]
    book[2][-1] = "已取消"
    done = {**wr01, "完工时间": "2026-12-03 15:40", "质检员": "孙工", "交车时间": "2026-12-03 17:00", "工时费": 300,
            "备品费": 500, "结算金额": 800, "实收金额": 800, "付款方式": "刷卡"}
    process(home, write_xlsx(home / "inbox" / "售后登记.xlsx",
                             {"预约登记": book, "委托书": [head, order(**done)]}), "2026-12-04T09:00")
    heading, rows = _register(home)
    numbers = {r["登记记录"]: r["文号"] for r in rows if r["文书状态"] == "草稿"}
    assert "1 份草稿所依据的登记情况已经改变" in heading, heading
    assert numbers["预约登记 YR02"] in heading
    assert numbers["预约登记 YR01"] not in heading and numbers["进厂维修委托书 WR01"] not in heading


# --- 2. a diagnosis-only visit promises no completion -----------------------------------


def test_a_diagnosis_only_visit_is_not_asked_for_a_completion_time(tmp_path: Path):
    """WD11 and WD12 came for a diagnosis only (是否进厂 否): what the advisor wrote under
    预计完工时间 (a bare day, “不修”) is nothing to correct. WR13 is repaired: its bare day
    still goes back on its cell, asking for the hour promised."""
    home = init(tmp_path / "car", "car")
    diag = {"是否进厂": "否", "进车间时间": None, "车间接车人": None, "诊断估价费": None, "客户签名": None}
    rows = [ORDER_HEAD,
            order(委托书号="WD11", 预计完工时间="2026-12-04", **diag),
            order(委托书号="WD12", 车牌号="京N45678", 预计完工时间="不修", **diag),
            order(委托书号="WR13", 车牌号="京N56789", 预计完工时间="2026-12-04", 接车时间="2026-12-04 08:30",
                  进车间时间="2026-12-04 08:40")]
    got = process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": rows}), "2026-12-04T10:00")["files"][0]
    assert got["rows"]["rejected"] == 0
    marked = [(e["cell"], e["code"]) for e in got["errors"] if e["column"] == "预计完工时间"]
    assert marked == [("W4", "datetime.no_time")]
    assert not [f for f in got["findings"] if f["record"] in ("WD11", "WD12") and "预计完工时间" in f["message"]]
    blank = openpyxl.load_workbook(home / "空白登记表" / "进厂维修委托书.xlsx").active
    (note,) = [c.comment.text for row in blank.iter_rows(max_row=4) for c in row if c.value == "预计完工时间"]
    assert "只诊断" in note


# --- 3. what can no longer be put right leaves the daily list once seen -------------------


def _report(home: Path, now: str, *args: str) -> openpyxl.Workbook:
    from car_fixtures import as_json, cli

    code, out = cli("report", *args, "--home", str(home), "--now", now, "--json")
    assert code == 0, out
    return openpyxl.load_workbook(next(o for o in as_json(out)["outputs"] if o.endswith(".xlsx")))


def _fix_rows(wb: openpyxl.Workbook, sheet: str) -> list[tuple[Any, ...]]:
    """The rows about WQ01-WQ03, less the file still to be made for each car (that one can be)."""
    return [r for r in wb[sheet].iter_rows(values_only=True)
            if r and r[1] in ("WQ01", "WQ02", "WQ03") and "客户车辆档案" not in str(r[4])]


def test_a_car_delivered_without_qc_is_seen_once_then_kept_in_the_week_report(tmp_path: Path):
    """WQ01 left Wed 12-02 17:00 with no 质检员: nobody can check a car that has gone. The
    list of Thu 12-03 shows it to 王芳; from Fri 12-04 it is no longer a morning task, and
    the week's report (W49) keeps it. WQ02's discount, given that day without a 业务主管,
    can still be approved: it stays on the list. WQ03 is still in the shop with no
    质检员 yet: nothing to say."""
    home = init(tmp_path / "car", "car")
    left = {"接车时间": "2026-12-02 08:30", "进车间时间": "2026-12-02 08:40", "预计完工时间": "2026-12-02 16:00",
            "进度查询时间": "2026-12-02 14:00", "完工时间": "2026-12-02 15:30", "交车时间": "2026-12-02 17:00",
            "工时费": 300, "备品费": 500, "结算金额": 800, "实收金额": 800, "付款方式": "刷卡"}
    rows = [ORDER_HEAD,
            order(委托书号="WQ01", 车牌号="京Q10001", **left),
            order(委托书号="WQ02", 车牌号="京Q10002", 质检员="孙工", **{**left, "折扣金额": 50, "结算金额": 750,
                                                                     "实收金额": 750}),
            order(委托书号="WQ03", 车牌号="京Q10003", 接车时间="2026-12-03 08:30", 进车间时间="2026-12-03 08:40",
                  预计完工时间="2026-12-08 16:00")]
    process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": rows}), "2026-12-03T07:00")
    thursday = _fix_rows(_report(home, "2026-12-03T08:00", "car_daily", "--date", "2026-12-03"), "待纠正")
    assert [(r[1], r[3]) for r in thursday] == [("WQ01", "王芳"), ("WQ02", "王芳")]
    (qc,) = [r for r in thursday if r[1] == "WQ01"]
    assert "交车前未经质检" in qc[4] and "明日起" in qc[4]
    friday = _fix_rows(_report(home, "2026-12-04T08:00", "car_daily", "--date", "2026-12-04"), "待纠正")
    assert [r[1] for r in friday] == ["WQ02"]
    week = _report(home, "2026-12-07T09:00", "car_weekly", "--week", "2026-W49")
    kept = [r for r in week["服务规范"].iter_rows(values_only=True) if r and r[1] == "WQ01"]
    assert len(kept) == 1 and kept[0][3] == "王芳" and "交车前未经质检" in kept[0][4]
    assert not [r for r in week["服务规范"].iter_rows(values_only=True) if r and r[1] in ("WQ02", "WQ03")]
    import docx

    summary = docx.Document(str(home / "outbox" / "报表" / "售后周报-2026-W49.docx"))
    assert any("服务规范事项 1 项" in para.text for para in summary.paragraphs)


# --- 4. phone messages called back before the call; claims on orders not for a claim ------

MSG_HEAD = ["留言编号", "来电时间", "来电人", "联系电话", "被找人员", "基本需求", "最佳回电时间", "承诺答复时间", "回电时间",
            "处理人"]


def test_a_callback_before_the_call_goes_back_on_its_cell(tmp_path: Path):
    """LY02's 回电时间 10:20 is before the call at 14:20 (the hour typed wrong): the cell
    is marked for the 处理人 (周敏) to correct, not taken as a callback in time. LY01 is right."""
    home = init(tmp_path / "car", "car")
    rows = [MSG_HEAD,
            ["LY01", "2026-12-03 09:10", "孙丽", "13500001111", "王芳", "问保养价格", None, None, "2026-12-03 10:05", "周敏"],
            ["LY02", "2026-12-03 14:20", "钱进", "13500002222", "王芳", "问车修好没有", None, None, "2026-12-03 10:20",
             "周敏"]]
    got = process(home, write_xlsx(home / "inbox" / "来电留言.xlsx", {"来电留言": rows}), "2026-12-03T18:00")["files"][0]
    (e,) = [e for e in got["errors"] if e["column"] == "回电时间"]
    assert e["cell"] == "I3" and "回电时间早于来电时间" in e["message"] and "处理人" in e["message"]
    assert not [f for f in got["findings"] if f["record"] == "LY02" and f["status"] == "met"]


CLAIM_HEAD = ["索赔单号", "委托书号", "车牌号", "故障", "申请日期", "上报厂家日期", "厂家批复", "批复日期", "金额", "服务顾问"]


def test_a_claim_on_an_order_not_booked_as_a_claim_is_flagged(tmp_path: Path):
    """SP01 cites WC01, a 索赔 order: fine. SP02 cites WC02, an ordinary repair (一般维修):
    either the claim cites the wrong order or the order's 维修类别 is wrong, and 刘洋, who
    applied, is asked on the 委托书号 cell to check which."""
    home = init(tmp_path / "car", "car")
    orders = [ORDER_HEAD,
              order(委托书号="WC01", 车牌号="京C20001", 维修类别="索赔", 接车时间="2026-12-02 09:00",
                    预计完工时间="2026-12-02 16:00", 进车间时间="2026-12-02 09:10"),
              order(委托书号="WC02", 车牌号="京C20002", 维修类别="一般维修", 接车时间="2026-12-02 09:30",
                    预计完工时间="2026-12-02 16:00", 进车间时间="2026-12-02 09:40")]
    claims = [CLAIM_HEAD,
              ["SP01", "WC01", "京C20001", "变速箱异响", "2026-12-02", None, None, None, 1200, "刘洋"],
              ["SP02", "WC02", "京C20002", "大灯进水", "2026-12-02", None, None, None, 800, "刘洋"]]
    got = process(home, write_xlsx(home / "inbox" / "售后登记.xlsx", {"委托书": orders, "索赔登记": claims}),
                  "2026-12-03T09:00")["files"][0]
    flagged = [f for f in got["findings"] if f["rule"] == "car.claim_kind"]
    assert [f["record"] for f in flagged] == ["SP02"]
    assert "一般维修" in flagged[0]["message"] and flagged[0]["severity"] == "error"
    (a,) = [a for a in got["actions"] if a["code"] == "car.claim_kind"]
    assert a["column"] == "委托书号" and "服务顾问核对" in a["message"] and "索赔" in a["message"]
