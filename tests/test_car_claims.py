"""索赔登记 checked against the 委托书 it cites: the order exists, it is the same car, and
the claim is not dated before the car came in; a complaint whose times run backwards.

The desk saves its 委托书 on Monday 2027-03-01 and the claims on Friday 03-05; every
mistake goes back on the claims workbook's return copy, on the cell to correct, and on
the daily list's 待纠正 naming the 服务顾问 who applied for the claim.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from car_fixtures import ORDER_HEAD, as_json, cli, init, order, process
from conftest import write_xlsx

NOW = "2027-03-05T17:00"  # Friday

CLAIM_HEAD = ["索赔单号", "委托书号", "车牌号", "故障", "申请日期", "上报厂家日期", "厂家批复", "批复日期", "金额", "服务顾问"]

ORDERS = [
    ORDER_HEAD,
    # 京H10001's gearbox, received Mon 03-01 09:00.
    order(委托书号="WS01", 车牌号="京H10001", 客户名称="马力", 接车时间="2027-03-01 09:00", 进车间时间="2027-03-01 09:10",
          预计完工时间="2027-03-01 16:00", 维修类别="索赔"),
    # 京H20002's air conditioning, received Wed 03-03 10:00.
    order(委托书号="WS02", 车牌号="京H20002", 客户名称="牛犇", 接车时间="2027-03-03 10:00", 进车间时间="2027-03-03 10:10",
          预计完工时间="2027-03-03 16:00", 维修类别="索赔"),
]


def _claim(**kw: Any) -> list[Any]:
    base = {"故障": "变速箱异响", "申请日期": "2027-03-01", "上报厂家日期": "2027-03-02", "厂家批复": "待批",
            "服务顾问": "王芳"}
    return [{**base, **kw}.get(h) for h in CLAIM_HEAD]


CLAIMS = [
    CLAIM_HEAD,
    # Row 2: right order, right car, applied the day the car came in: nothing to correct.
    _claim(索赔单号="SP01", 委托书号="WS01", 车牌号="京H10001"),
    # Row 3: WS99 was never registered.
    _claim(索赔单号="SP02", 委托书号="WS99", 车牌号="京H10001", 服务顾问="刘洋"),
    # Row 4: WS02 is 京H20002's order, the claim names 京H10001.
    _claim(索赔单号="SP03", 委托书号="WS02", 车牌号="京H10001", 申请日期="2027-03-03", 上报厂家日期="2027-03-04"),
    # Row 5: WS02's car came in 03-03; applied for 03-02, a day before.
    _claim(索赔单号="SP04", 委托书号="WS02", 车牌号="京H20002", 故障="空调不制冷", 申请日期="2027-03-02",
           上报厂家日期="2027-03-04"),
    # Row 6: no 委托书号 written: nothing to check it against.
    _claim(索赔单号="SP05", 车牌号="京H30003", 故障="大灯进水", 申请日期="2027-03-04", 上报厂家日期=None, 厂家批复=None),
    # Row 7: answered 03-03 for a claim applied for 03-04 (not yet reported): refused.
    _claim(索赔单号="SP06", 委托书号="WS02", 车牌号="京H20002", 申请日期="2027-03-04", 上报厂家日期=None,
           厂家批复="拒绝", 批复日期="2027-03-03"),
]


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    home = init(tmp_path_factory.mktemp("claims") / "car", "car")
    process(home, write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": ORDERS}), "2027-03-03T18:00")
    got = process(home, write_xlsx(home / "inbox" / "索赔登记.xlsx", {"索赔登记": CLAIMS}), NOW)["files"][0]
    return home, got


def _daily(home: Path) -> openpyxl.Workbook:
    code, out = cli("report", "car_daily", "--date", "2027-03-08", "--home", str(home), "--now", "2027-03-08T08:00",
                    "--json")
    assert code == 0, out
    return openpyxl.load_workbook(next(o for o in as_json(out)["outputs"] if o.endswith(".xlsx")))


def test_claims_are_checked_against_the_order_they_cite(desk):
    _, got = desk
    marked = {(a["row"], a["code"]): a for a in got["actions"] if a["sheet"] == "索赔登记"}
    assert set(marked) == {(3, "car.claim_order"), (4, "car.claim_car"), (5, "car.claim_date")}
    a = marked[(3, "car.claim_order")]
    assert a["column"] == "委托书号" and "服务顾问核对委托书号" in a["message"] and "WS99" in a["message"]
    a = marked[(4, "car.claim_car")]
    assert a["column"] == "车牌号" and "京H20002" in a["message"] and "京H10001" in a["message"]
    a = marked[(5, "car.claim_date")]
    assert a["column"] == "申请日期" and "2027-03-03" in a["message"] and "2027-03-02" in a["message"]
    copy = next(Path(o) for o in got["outputs"] if "退回批注" in o)
    sheet = openpyxl.load_workbook(copy)["索赔登记"]
    # 委托书号 is column B, 车牌号 C, 申请日期 E.
    assert all(sheet[cell].comment is not None for cell in ("B3", "C4", "E5"))
    assert sheet["B2"].comment is None and sheet["B6"].comment is None


def test_an_answer_before_the_application_is_a_bad_cell(desk):
    _, got = desk
    assert [(e["row"], e["column"], e["code"]) for e in got["errors"] if e["sheet"] == "索赔登记"] == [
        (7, "批复日期", "row.not_before")]


def test_claim_mistakes_on_the_daily_list_name_the_advisor(desk):
    home, _ = desk
    fixes = [r for r in _daily(home)["待纠正"].iter_rows(values_only=True) if r and str(r[1]).startswith("SP")]
    assert sorted((r[1], r[2], r[3]) for r in fixes) == [
        ("SP02", "须纠正", "刘洋"), ("SP03", "须纠正", "王芳"), ("SP04", "须纠正", "王芳")]
    # Still waiting for the maker, mistakes and all.
    pending = [r[0] for r in _daily(home)["待批索赔"].iter_rows(values_only=True) if r and str(r[0]).startswith("SP")]
    assert sorted(pending) == ["SP01", "SP02", "SP03", "SP04", "SP05"]


def test_registering_the_order_afterwards_clears_the_claim(desk):
    """WS99 typed in afterwards (the same car, received 02-26): the claim citing it is re-judged."""
    home, _ = desk

    def listed() -> list[str]:
        return [r[1] for r in _daily(home)["待纠正"].iter_rows(values_only=True) if r and str(r[1]).startswith("SP")]

    assert "SP02" in listed()
    late = [ORDER_HEAD, order(委托书号="WS99", 车牌号="京H10001", 客户名称="马力", 接车时间="2027-02-26 09:00",
                              进车间时间="2027-02-26 09:10", 预计完工时间="2027-02-26 16:00", 维修类别="索赔")]
    process(home, write_xlsx(home / "inbox" / "补登委托书.xlsx", {"委托书": late}), "2027-03-05T18:00")
    assert sorted(listed()) == ["SP03", "SP04"]


COMPLAINTS = [
    ["投诉单号", "受理时间", "客户名称", "车牌号", "投诉方式", "投诉内容", "当场答复", "约定答复时间", "答复时间", "处理结果",
     "责任人"],
    # Row 2: taken Mon 09:30, promised Tue 17:00, answered Tue 10:00.
    ["TS1", "2027-03-01 09:30", "马力", "京H10001", "电话", "等候时间太长", "否", "2027-03-02 17:00", "2027-03-02 10:00",
     "致歉并赠送洗车", "王芳"],
    # Row 3: answered Sun 16:00, before it was taken Mon 09:30.
    ["TS2", "2027-03-01 09:30", "牛犇", "京H20002", "上门", "结算价高于估价", "否", "2027-03-02 17:00",
     "2027-02-28 16:00", "解释费用构成", "王芳"],
    # Row 4: the answer promised for 08:00, before the complaint was taken at 14:00.
    ["TS3", "2027-03-03 14:00", "马力", "京H10001", "电话", "车内有油污", "否", "2027-03-03 08:00", None, None, "刘洋"],
]


def test_complaint_times_before_taking_it_are_marked(tmp_path: Path):
    home = init(tmp_path / "car", "car")
    got = process(home, write_xlsx(home / "inbox" / "投诉.xlsx", {"售后客户投诉": COMPLAINTS}), NOW)["files"][0]
    bad = [(e["row"], e["column"], e["code"]) for e in got["errors"]]
    assert bad == [(3, "答复时间", "row.not_before"), (4, "约定答复时间", "row.not_before")]
    copy = next(Path(o) for o in got["outputs"] if "退回批注" in o)
    sheet = openpyxl.load_workbook(copy)["售后客户投诉"]
    # 约定答复时间 is column H, 答复时间 I.
    assert sheet["I3"].comment is not None and "责任人核对两个时间" in sheet["I3"].comment.text
    assert sheet["H4"].comment is not None and sheet["I2"].comment is None
