"""QA round 6 at the car desk, cut down to the rows behind each defect: a bare day beside a
time of the same day, a settlement corrected the morning after, a diagnosis fee paid at
once, and the weekly/monthly revenue and follow-up figures.

The desk works the weeks of Monday 2026-11-16 and 2026-11-23.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from car_fixtures import ORDER_HEAD, as_json, cli, init, order, process
from conftest import write_xlsx

# --- 1. a bare day written beside a time of the same day is not "earlier" ----------------

MSG_HEAD = ["留言编号", "来电时间", "来电人", "联系电话", "被找人员", "基本需求", "最佳回电时间", "承诺答复时间", "回电时间",
            "处理人"]
COMPLAINT_HEAD = ["投诉单号", "受理时间", "客户名称", "车牌号", "投诉方式", "投诉内容", "当场答复", "约定答复时间", "答复时间",
                  "处理结果", "责任人"]


def _errors(got: dict[str, Any], column: str) -> list[dict[str, Any]]:
    return [e for e in got["errors"] if e["column"] == column]


def test_a_callback_written_as_the_call_day_asks_for_the_hour(tmp_path: Path):
    """赵强 called Wed 11-18 10:00 (LY02); 周敏 wrote only the day he called back, 11-18. The
    day is right, so the cell must not say the callback came before the call (and ask to
    correct "the wrong one"): it asks the 处理人 for the hour, which the callback rule
    needs. LY03's callback written 11-17, the day before the call, is still earlier."""
    home = init(tmp_path / "car", "car")
    rows = [MSG_HEAD,
            ["LY02", "2026-11-18 10:00", "赵强", "13600004444", "刘洋", "改约进厂时间", None, None, "2026-11-18", "周敏"],
            ["LY03", "2026-11-18 11:00", "钱进", "13500002222", "刘洋", "问车修好没有", None, None, "2026-11-17", "周敏"]]
    got = process(home, write_xlsx(home / "inbox" / "来电留言.xlsx", {"来电留言": rows}), "2026-11-19T09:00")["files"][0]
    same_day, day_before = _errors(got, "回电时间")
    assert same_day["cell"] == "I2" and "早于" not in same_day["message"], same_day
    assert "只写了日期" in same_day["message"] and "处理人" in same_day["message"]
    assert "几点几分" in same_day["message"] and same_day["code"] == "row.day_only"
    assert day_before["cell"] == "I3" and "回电时间早于来电时间" in day_before["message"]


def test_a_complaint_reply_written_as_the_day_it_came_asks_for_the_hour(tmp_path: Path):
    """王磊 complained at the desk Fri 11-20 10:00 (TS02); 刘洋 answered that day and wrote
    只 11-20 under 答复时间. 责任人 is asked for the hour, not told the reply came first."""
    home = init(tmp_path / "car", "car")
    rows = [COMPLAINT_HEAD,
            ["TS02", "2026-11-20 10:00", "王磊", "辽B12345", "上门", "洗车不干净", "否", "2026-11-21 10:00", "2026-11-20",
             "重新清洗", "刘洋"]]
    got = process(home, write_xlsx(home / "inbox" / "投诉.xlsx", {"售后客户投诉": rows}), "2026-11-20T18:00")["files"][0]
    (e,) = _errors(got, "答复时间")
    assert "早于" not in e["message"] and "只写了日期" in e["message"] and "责任人" in e["message"], e


# --- 2. a settlement corrected the morning after still gets its 出厂通知单 -------------------


def _delivered(number: str, day: str, settled: int) -> list[Any]:
    """A tyre job received and picked up on ``day``: 工时费 200 + 备品费 2,000 − 折扣 100 = 2,100."""
    return order(委托书号=number, 车牌号="辽B77777", 客户名称="周杰", 接车时间=f"{day} 09:00",
                 进车间时间=f"{day} 09:10", 预计完工时间=f"{day} 12:00", 进度查询时间=f"{day} 11:20",
                 完工时间=f"{day} 11:50", 质检员="孙工", 交车时间=f"{day} 12:30", 工时费估价=200, 备品费估价=2000,
                 估价合计=2200, 工时费=200, 备品费=2000, 折扣金额=100, 折扣审批人="王经理", 结算金额=settled,
                 实收金额=settled, 付款方式="刷卡")


def _releases(home: Path, number: str) -> list[Path]:
    return sorted((home / "outbox" / "文书草稿").glob(f"*出厂通知单_{number}.docx"))


def _release_text(path: Path) -> str:
    import docx

    doc = docx.Document(str(path))
    return "\n".join([p.text for p in doc.paragraphs]
                     + [c.text for t in doc.tables for row in t.rows for c in row.cells])


def test_a_settlement_corrected_the_next_working_morning_gets_its_release(tmp_path: Path):
    """WS01 was picked up Fri 11-27 12:30 with 结算金额 2,200 (should be 2,100): the 出厂通知单
    was held back and the 结算员 told it follows the correction. The 结算员 corrects it on
    the first working morning after (Mon 11-30 09:00, from the daily list): the notice is
    drafted then, with 2,100.00. WS02, left wrong the same way on Tue 11-24 and corrected
    only on Mon 11-30, is past that day: no notice is drafted for a visit long over."""
    home = init(tmp_path / "car", "car")
    wrong = [ORDER_HEAD, _delivered("WS01", "2026-11-27", 2200), _delivered("WS02", "2026-11-24", 2200)]
    got = process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": wrong}), "2026-11-27T18:00")["files"][0]
    assert [a["code"] for a in got["actions"]] == ["car.settlement_sum", "car.settlement_sum"]
    assert "改正后才出具出厂通知单" in got["actions"][0]["message"]
    assert _releases(home, "WS01") == []
    fixed = [ORDER_HEAD, _delivered("WS01", "2026-11-27", 2100), _delivered("WS02", "2026-11-24", 2100)]
    got = process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": fixed}), "2026-11-30T09:00")["files"][0]
    assert got["actions"] == []
    (release,) = _releases(home, "WS01")
    text = _release_text(release)
    assert "2,100.00" in text and "2,200.00" not in text
    assert _releases(home, "WS02") == []


# --- 3. a diagnosis fee already paid is not asked for again ----------------------------


def test_a_diagnosis_fee_already_paid_is_not_asked_for_on_the_exit_slip(tmp_path: Path):
    """陈静 (WD01) came Thu 11-19 for a check only and paid the 50 元 fee in cash at once
    (实收金额 50): her 出厂通知单 says the fee is received instead of sending her to the
    cashier. 钱进 (WD02) has not paid yet: his still asks for the 50 元."""
    home = init(tmp_path / "car", "car")
    diag = {"是否进厂": "否", "进车间时间": None, "车间接车人": None, "预计完工时间": None, "维修项目": "电脑检测",
            "诊断估价费": 50, "交车时间": "2026-11-19 10:30", "接车时间": "2026-11-19 09:30"}
    head = [*ORDER_HEAD, "诊断估价费"]
    rows = [head,
            [*order(委托书号="WD01", 车牌号="辽B56789", 客户名称="陈静", 结算金额=50, 实收金额=50, 付款方式="现金",
                    **{k: v for k, v in diag.items() if k != "诊断估价费"}), 50],
            [*order(委托书号="WD02", 车牌号="辽B56780", 客户名称="钱进",
                    **{k: v for k, v in diag.items() if k != "诊断估价费"}), 50]]
    process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": rows}), "2026-11-19T11:00")
    (paid,) = _releases(home, "WD01")
    (unpaid,) = _releases(home, "WD02")
    paid_text, unpaid_text = _release_text(paid), _release_text(unpaid)
    assert "交纳诊断估价费" not in paid_text and "已收" in paid_text and "50.00" in paid_text, paid_text
    assert "请到收银处交纳诊断估价费 50.00 元" in unpaid_text, unpaid_text


# --- 4. the revenue sheet adds up to 结算金额 ----------------------------------------------


def test_the_week_revenue_sheet_adds_up_with_the_diagnosis_fees(tmp_path: Path):
    """Week 48: WS01 settled 2,100 (200 + 2,000 − 100) and 陈静's check-only visit WD01
    settled its 50 元 fee. 结算金额 2,150 must be read off the sheet's own lines: 工时费 200
    + 备品费 2,000 − 折扣金额 100 + 诊断估价费 50."""
    home = init(tmp_path / "car", "car")
    head = [*ORDER_HEAD, "诊断估价费"]
    check_only = order(委托书号="WD01", 车牌号="辽B56789", 客户名称="陈静", 是否进厂="否", 进车间时间=None, 车间接车人=None,
                       预计完工时间=None, 接车时间="2026-11-25 09:30", 交车时间="2026-11-25 10:30", 结算金额=50,
                       实收金额=50, 付款方式="现金")
    rows = [head, [*_delivered("WS01", "2026-11-24", 2100), None], [*check_only, 50]]
    process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": rows}), "2026-11-25T18:00")
    code, out = cli("report", "car_weekly", "--week", "2026-W48", "--home", str(home), "--now", "2026-11-30T09:00",
                    "--json")
    assert code == 0, out
    book = openpyxl.load_workbook(next(o for o in as_json(out)["outputs"] if o.endswith(".xlsx")))
    lines = {r[0]: r[1] for r in book["营业收入"].iter_rows(min_row=3, values_only=True) if r and r[0]}
    assert lines["结算金额"] == 2150 and lines["诊断估价费"] == 50
    assert lines["工时费"] + lines["备品费"] - lines["折扣金额"] + lines["诊断估价费"] == lines["结算金额"]


# --- 5. 回访及时率 counts the calls the rule asks for ---------------------------------------


def test_the_followup_rate_leaves_out_check_only_visits_nobody_was_asked_to_call(tmp_path: Path):
    """November: WS01 (repaired, picked up Tue 11-17) was called back Thu 11-19, in its
    window. 陈静's check-only visit WD01 (Wed 11-18) is not a repair: car.followup asks for
    no call and the daily list never shows one, so the month's rate is 1 of 1, not 1 of 2."""
    home = init(tmp_path / "car", "car")
    head = [*ORDER_HEAD, "诊断估价费"]
    repaired = _delivered("WS01", "2026-11-17", 2100)
    repaired[ORDER_HEAD.index("回访时间")] = "2026-11-19 10:00"
    check_only = order(委托书号="WD01", 车牌号="辽B56789", 客户名称="陈静", 是否进厂="否", 进车间时间=None, 车间接车人=None,
                       预计完工时间=None, 接车时间="2026-11-18 09:30", 交车时间="2026-11-18 10:30", 结算金额=50,
                       实收金额=50, 付款方式="现金")
    rows = [head, [*repaired, None], [*check_only, 50]]
    process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": rows}), "2026-11-19T18:00")
    code, out = cli("report", "car_daily", "--date", "2026-11-20", "--home", str(home), "--now", "2026-11-20T08:00",
                    "--json")
    daily = openpyxl.load_workbook(next(o for o in as_json(out)["outputs"] if o.endswith(".xlsx")))
    assert not [r for r in daily["回访"].iter_rows(values_only=True) if r and r[0] == "WD01"]
    code, out = cli("report", "car_monthly", "--month", "2026-11", "--home", str(home), "--now", "2026-12-01T09:00",
                    "--json")
    assert code == 0, out
    book = openpyxl.load_workbook(next(o for o in as_json(out)["outputs"] if o.endswith(".xlsx")))
    kpis = {r[0]: r[1] for r in book["概况"].iter_rows(min_row=3, values_only=True) if r and r[0]}
    assert kpis["回访及时率"] == "100.0%", kpis
