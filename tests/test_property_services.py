"""Special services as seed 004 has them: only the unit's own account manager accepts one
(5.3.1), the 客户需求处理单 states the list price (5.3.2), the appointment is kept (5.4.1),
an unsatisfied customer is reported to the project manager (5.6.3, 5.7.3); and the
房屋转让缴费通知 for the new owner's half-year prepayment (seed 001 房屋转让).
Figures worked out by hand; the price list is rules/price_list.xlsx (安装浴霸 80.00 元/台).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
from conftest import write_xlsx
from docx import Document
from rules_helpers import dt, pick, rules_of, run

from toolkit.pipeline import process_paths
from toolkit.reports import build_report, parse_day

BOTH = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)


def service(**v):
    base = {"单号": "TY1", "受理时间": dt("2026-11-24T09:00"), "受理人": "刘敏", "房号": "3-0502", "客户": "周强",
            "服务项目": "安装浴霸", "类别": "供电设备维修类", "数量": 1, "单价": D("80"), "金额": D("80"),
            "预约时间": dt("2026-11-24T14:00")}
    return {**base, **v}


MANAGERS = {"3-0502|2026-01-01": {"房号": "3-0502", "专属客户经理": "刘敏", "起始日期": date(2026, 1, 1)},
            "3-0502|2026-11-25": {"房号": "3-0502", "专属客户经理": "王芳", "起始日期": date(2026, 11, 25)}}


def test_only_the_units_account_manager_accepts():
    # 3-0502: 刘敏 from 01-01, 王芳 from 11-25. On 11-24 刘敏 is its manager: 王芳 taking it is a finding.
    f = pick(run({"special_service": {"TY1": service(受理人="王芳")}, "account_manager": MANAGERS},
                 "2026-11-26T09:00"), "service.account_manager")
    assert (f.values["受理人"], f.values["专属客户经理"]) == ("王芳", "刘敏") and "转交 刘敏" in f.message
    # On 11-26 王芳 is: she may; 刘敏 may not any more.
    later = dt("2026-11-26T09:00")
    state = {"special_service": {"TY1": service(受理人="王芳", 受理时间=later, 预约时间=None)}, "account_manager": MANAGERS}
    assert "service.account_manager" not in rules_of(run(state, "2026-11-26T10:00"))
    state["special_service"]["TY1"]["受理人"] = "刘敏"
    assert pick(run(state, "2026-11-26T10:00"), "service.account_manager").values["专属客户经理"] == "王芳"
    # A unit with no account manager recorded is not judged.
    assert "service.account_manager" not in rules_of(run({"special_service": {"TY1": service(房号="9-0101")},
                                                           "account_manager": MANAGERS}, "2026-11-26T09:00"))


def test_appointment_kept_within_thirty_minutes():
    # Booked 14:00 → due 14:30. Done 14:31 without 到场时间 → late by 1 minute.
    f = pick(run({"special_service": {"TY1": service(完成时间=dt("2026-11-24T14:31"))}}, "2026-11-24T18:00"),
             "service.appointment")
    assert (f.due, f.status, f.overdue_minutes) == (dt("2026-11-24T14:30"), "late", 1)
    # On site at 14:20 (a sheet with 到场时间), done 15:10: kept.
    f = pick(run({"special_service": {"TY1": service(到场时间=dt("2026-11-24T14:20"), 完成时间=dt("2026-11-24T15:10"))}},
                 "2026-11-24T18:00"), "service.appointment")
    assert f.status == "met"
    # Nobody by 14:45: 15 minutes overdue.
    f = pick(run({"special_service": {"TY1": service()}}, "2026-11-24T14:45"), "service.appointment")
    assert (f.status, f.overdue_minutes) == ("overdue", 15)


def test_order_form_states_the_list_price():
    f = pick(run({"special_service": {"TY1": service()}}, "2026-11-24T10:00"), "service.accepted")
    assert (f.notice, f.values["list_price"], f.values["单位"]) == ("service_order", D("80.00"), "台")
    # An item not on the list gets no form (the unknown-item error comes first);
    # one accepted 2026-09-01, 84 days before 11-24 (> 30), is history.
    assert "service.accepted" not in rules_of(run({"special_service": {"TY1": service(服务项目="修飞机")}},
                                                   "2026-11-24T10:00"))
    old = service(受理时间=dt("2026-09-01T09:00"), 预约时间=None)
    assert "service.accepted" not in rules_of(run({"special_service": {"TY1": old}}, "2026-11-24T10:00"))


def test_unsatisfied_customer_is_reported_to_the_manager():
    v = service(完成时间=dt("2026-11-24T15:10"), 回访时间=dt("2026-11-25T10:00"), 回访结果="不满意", 返工次数=2,
                损坏赔偿=D("120"))
    f = pick(run({"special_service": {"TY1": v}}, "2026-11-25T12:00"), "service.unsatisfied")
    assert (f.notice, f.values["返工次数"], f.values["损坏赔偿"]) == ("service_unsatisfied", 2, D("120.00"))
    assert "项目经理" in f.message and "返工 2 次" in f.message
    v["回访结果"] = "满意"
    assert "service.unsatisfied" not in rules_of(run({"special_service": {"TY1": v}}, "2026-11-25T12:00"))


def transfer(**v):
    base = {"房号": "1-0101", "原业主": "王五", "新业主": "赵六", "新业主身份证号": "11010519491231002X",
            "产权证号": "京房权证001", "转让日期": date(2026, 11, 23), "建筑面积": D("100"), "物业费单价": D("2.50"),
            "新业主预缴月数": 6, "原业主结清": "是"}
    return {"transfer": {"1-0101|2026-11-23": {**base, **v}}, "fee_account": {}}


def test_transfer_payment_notice_for_half_a_year_or_more():
    # 100 m² × 2.50 × 6 = 1,500.00, 11-23 to 2027-05-22.
    f = pick(run(transfer(), "2026-11-23T12:00"), "transfer.payment")
    assert (f.notice, f.values["expected"], f.values["period_end"]) == ("transfer_payment", D("1500.00"),
                                                                       date(2027, 5, 22))
    # 5 months falls short: the error, and no payment notice for the wrong amount.
    found = run(transfer(新业主预缴月数=5), "2026-11-23T12:00")
    assert "transfer.prepay" in rules_of(found) and "transfer.payment" not in rules_of(found)


# ---- through the pipeline: three documents ----------------------------------------------


def doc_text(path: Path) -> str:
    d = Document(path)
    return "\n".join([p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells])


@BOTH
def test_service_and_transfer_documents_are_drafted(ctx, tmp_path: Path):
    svc = [["单号", "受理时间", "受理人", "房号", "客户", "服务项目", "类别", "数量", "单价", "金额", "预约时间", "完成时间",
            "验收结果", "回访时间", "回访结果", "返工次数", "损坏赔偿"],
           ["TY001", datetime(2026, 11, 24, 9, 0), "刘敏", "3-0502", "周强", "安装浴霸", "供电设备维修类", 1, "80", "80",
            datetime(2026, 11, 24, 14, 0), datetime(2026, 11, 24, 15, 10), "返工后合格", datetime(2026, 11, 25, 10, 0),
            "不满意", 2, "120"],
           ["TY002", datetime(2026, 11, 25, 9, 0), "王芳", "3-0502", "周强", "更换水龙头", "供水设备维修类", 1, "20", "20",
            None, None, None, None, None, None, None]]
    mgr = [["房号", "专属客户经理", "起始日期"], ["3-0502", "刘敏", date(2026, 1, 1)]]
    tr = [["房号", "原业主", "新业主", "新业主身份证号", "产权证号", "转让日期", "原业主结清", "建筑面积", "物业费单价",
           "新业主预缴月数"],
          ["1-0101", "王五", "赵六", "11010519491231002X", "京房权证001", date(2026, 11, 23), "是", "89.5", "2.35", 6]]
    path = write_xlsx(tmp_path / "特约与转让.xlsx", {"特约服务": svc, "专属客户经理": mgr, "房屋转让": tr})
    done = process_paths(ctx, [path], datetime(2026, 11, 26, 8, 0))
    assert done.files[0].status == "accepted", done.files[0].message
    # TY002 taken by 王芳, not 3-0502's manager 刘敏: on the next morning's list, naming both.
    daily, _ = build_report(ctx, "daily_due", datetime(2026, 11, 26, 8, 30), parse_day("2026-11-26"))
    issues = {r[2]: r for r in daily.table("待处理问题").rows}
    assert "转交 刘敏" in issues["TY002"][6] and issues["TY002"][4] == "王芳"
    drafts = {p.name.split("_")[1]: p for p in ctx.ws.drafts.glob("*.docx") if "TY002" not in p.name}
    assert set(drafts) == {"客户需求处理单（特约服务）", "特约服务客户不满意报告", "房屋转让缴费通知"}, set(drafts)

    order = doc_text(drafts["客户需求处理单（特约服务）"])
    assert "需字第001号" in order and "3-0502 周强：" in order
    assert "80.00元/台" in order and "2026年11月24日 14:00" in order and "刘敏" in order

    memo = doc_text(drafts["特约服务客户不满意报告"])
    assert "服字第001号" in memo and "项目经理：" in memo
    assert "已返工2次" in memo and "120.00元" in memo and "不满意" in memo

    # 89.5 m² × 2.35 = 210.325 a month, × 6 = 1,261.95 (壹仟贰佰陆拾壹元玖角伍分), 11-23 to 2027-05-22.
    notice = doc_text(drafts["房屋转让缴费通知"])
    assert "转字第001号" in notice and "1-0101业主赵六：" in notice
    assert "1,261.95元（人民币壹仟贰佰陆拾壹元玖角伍分）" in notice
    assert "2026年11月23日至2027年5月22日" in notice


def test_price_list_answers_are_remembered_as_asked():
    """The price list remembers its answers by item and category as written (a report asks
    about thousands of services naming a few items): asked again, or with the same texts
    spelled apart by spaces and width, it gives what a fresh list gives; a category that
    is a number is not remembered (1 and 1.0 are equal keys yet different texts)."""
    from toolkit.packs.property.rules.pricelist import PriceItem, PriceList, load_price_list

    shipped = Path(__file__).resolve().parents[1] / "rules" / "price_list.xlsx"
    asks = [("安装浴霸", "供电设备维修类"), ("安装浴霸", None), ("安装 浴霸", "供电设备维修类"), ("安装浴霸", "无此类别"),
            ("ＡＢＣ", None), ("不在价目表", "供电设备维修类"), ("安装浴霸", "")]
    remembered = load_price_list(shipped)
    for item, category in asks * 3:
        assert remembered.find(item, category) == load_price_list(shipped).find(item, category), (item, category)
    assert remembered.find("安装浴霸", "供电设备维修类").price == D("80.00")

    # The same item in two categories named by numbers: 1 and 1.0 pick different rows.
    two = PriceList([PriceItem("1", "灯", "个", D("10")), PriceItem("1.0", "灯", "个", D("12"))])
    assert [two.find("灯", c).price for c in (1, 1.0, 1, "1.0", "1")] == [D("10"), D("12"), D("10"), D("12"),
                                                                          D("10")]
