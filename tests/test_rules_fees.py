"""Fees of SPEC §3.4–3.8, worked out by hand. Money is Decimal to the fen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from rules_helpers import RULESET, dt, pick, rules_of, run

from toolkit.packs.property.rules.fees import prepaid_period_end
from toolkit.packs.property.rules.parking import card_months, temp_fee

TEMP = RULESET.pack("property").settings.tariffs.parking.temporary
D = Decimal


# ---- temporary parking -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stay", "fee"),
    [
        ("2026-11-23T10:00", "2.00"),  # 0 min: the base fee
        ("2026-11-23T11:59", "2.00"),  # 1 h 59 min ≤ 2 h → 2
        ("2026-11-23T12:00", "2.00"),  # exactly 2 h → 2
        ("2026-11-23T12:01", "3.00"),  # 2 h 1 min: one started further hour → 2 + 1 = 3
        ("2026-11-23T13:00", "3.00"),  # 3 h: 2 + 1 = 3
        ("2026-11-23T13:01", "4.00"),  # 3 h 1 min: 2 + 2 = 4
        ("2026-11-23T16:00", "6.00"),  # 6 h: 2 + 4 = 6
        ("2026-11-23T20:00", "6.00"),  # 10 h: 2 + 8 = 10, capped at 6
        ("2026-11-24T10:00", "6.00"),  # exactly 24 h: one full day 6, no remainder
        ("2026-11-24T11:00", "8.00"),  # 25 h: 6 + tariff(1 h) 2 = 8
        ("2026-11-24T12:01", "9.00"),  # 26 h 1 min: 6 + tariff(2 h 1 min) 3 = 9
        ("2026-11-25T09:00", "12.00"),  # 47 h: 6 + tariff(23 h) capped 6 = 12
        ("2026-11-25T11:00", "14.00"),  # 49 h: 2 × 6 + tariff(1 h) 2 = 14
    ],
)
def test_temporary_tariff(stay, fee):
    assert temp_fee(dt("2026-11-23T10:00"), dt(stay), TEMP) == D(fee)


def test_temporary_undercharge_finding_shows_both_figures():
    rec = {"车牌号": "川A12345", "入场时间": dt("2026-11-23T10:00"), "出场时间": dt("2026-11-24T11:00"),
           "实收金额": D("6.00")}
    f = pick(run({"parking_temp": {"K": rec}}, "2026-11-24T12:00"), "parking.temp_fee")
    # 25 h → 8.00 due, 6.00 paid → 2.00 short
    assert f.values["expected"] == D("8.00") and f.values["paid"] == D("6.00")
    assert f.values["difference"] == D("-2.00") and f.values["kind"] == "under"
    assert "应收 8.00 元，实收 6.00 元，少收 2.00 元" in f.message
    # paid exactly → no finding; overcharge 3.00 for 2 h (due 2.00) → 多收 1.00
    assert run({"parking_temp": {"K": {**rec, "实收金额": D("8")}}}, "2026-11-24T12:00") == []
    over = {**rec, "出场时间": dt("2026-11-23T12:00"), "实收金额": D("3")}
    f = pick(run({"parking_temp": {"K": over}}, "2026-11-24T12:00"), "parking.temp_fee")
    assert "多收 1.00 元" in f.message and f.values["kind"] == "over"


# ---- monthly cards -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2026, 1, 1), date(2026, 1, 31), 1),  # 01-01 + 1 month = 02-01 ≥ 01-31
        (date(2026, 1, 1), date(2026, 2, 1), 1),  # exclusive-end writing: still 1
        (date(2026, 1, 1), date(2026, 3, 31), 3),  # 03-01 < 03-31, 04-01 ≥ → 3
        (date(2026, 1, 15), date(2026, 2, 16), 2),  # one day into a second month → 2
        (date(2026, 1, 31), date(2026, 2, 28), 1),  # 01-31 + 1 = 02-28 (clamped) ≥ 02-28
        (date(2026, 1, 1), date(2026, 12, 31), 12),
    ],
)
def test_card_months(start, end, months):
    assert card_months(start, end) == months


def card(**v):
    base = {"卡号": "YK001", "车主": "钱七", "房号": "5-101", "车牌号": "川A88888",
            "起租日期": date(2026, 1, 1), "到期日期": date(2026, 3, 31), "实收金额": D("300"), "押金": D("50")}
    return {"parking_card": {"YK001": {**base, **v}}}


def test_card_fee_and_deposit():
    # 3 months × 100 = 300 paid 300, deposit 50 → nothing to say (far from expiry)
    assert run(card(), "2026-02-01T09:00") == []
    # paid 200 for 3 months → 少收 100.00
    f = pick(run(card(实收金额=D("200")), "2026-02-01T09:00"), "parking.card_fee")
    assert (f.values["months"], f.values["expected"], f.values["paid"]) == (3, D("300.00"), D("200.00"))
    assert "应收 300.00 元，实收 200.00 元，少收 100.00 元" in f.message
    # deposit 40 instead of 50 → 少收 10.00
    f = pick(run(card(押金=D("40")), "2026-02-01T09:00"), "parking.card_deposit")
    assert f.values["difference"] == D("-10.00")


def test_card_expiry_reminder_seven_days_ahead():
    # expires 03-31; 03-24 → 7 days left → reminder; 03-23 → 8 days → none; 04-01 → expired, none
    f = pick(run(card(), "2026-03-24T08:00"), "parking.card_expiry")
    assert f.values["days_left"] == 7 and f.notice == "parking_expiry"
    assert f.values["monthly_fee"] == D("100")
    assert "parking.card_expiry" not in rules_of(run(card(), "2026-03-23T08:00"))
    assert "parking.card_expiry" not in rules_of(run(card(), "2026-04-01T08:00"))


# ---- special services --------------------------------------------------------------------


def service(**v):
    base = {"单号": "T1", "受理时间": dt("2026-11-23T09:00"), "受理人": "小陈", "房号": "1-101",
            "服务项目": "更换水龙头", "数量": 2, "单价": D("20.00"), "金额": D("40.00")}
    return {"special_service": {"T1": {**base, **v}}}


def test_service_priced_from_list():
    # 更换水龙头 20.00/个 × 2 = 40.00 → nothing wrong; only the order form (客户需求处理单)
    assert rules_of(run(service(), "2026-11-23T10:00")) == {"service.accepted"}
    # 金额 45 ≠ 2 × 20 = 40
    f = pick(run(service(金额=D("45")), "2026-11-23T10:00"), "service.amount")
    assert (f.values["expected"], f.values["amount"], f.values["difference"]) == (D("40.00"), D("45.00"), D("5.00"))
    # no 单价 written: the list price is used, 2 × 20 = 40 OK
    assert rules_of(run(service(单价=None), "2026-11-23T10:00")) == {"service.accepted"}


def test_off_list_price_needs_an_approver():
    # 25 ≠ 20 without 审批人 → finding; 金额 2 × 25 = 50 is consistent
    f = pick(run(service(单价=D("25"), 金额=D("50")), "2026-11-23T10:00"), "service.price_unapproved")
    assert (f.values["list_price"], f.values["price"]) == (D("20.00"), D("25.00"))
    # Seed 004 5.2.3: the shipped list of authorised approvers is empty: the site has not said
    # who may, so a named approver is taken (tests/test_property_departures.py names some).
    assert "service.price_unapproved" not in rules_of(
        run(service(单价=D("25"), 金额=D("50"), 审批人="刘经理"), "2026-11-23T10:00"))


def test_unknown_item_names_the_closest():
    f = pick(run(service(服务项目="换水笼头"), "2026-11-23T10:00"), "service.unknown_item")
    assert f.severity == "error"
    assert f.values["closest"][0]["服务项目"] == "更换水龙头"
    assert "更换水龙头" in f.message and len(f.values["closest"]) == 3


# ---- renovation deposit and fire approval --------------------------------------------------


def renovation_state(deposit="2000", utilities="123.45", penalties=("200", "300")):
    permit = {"编号": "ZX1", "房号": "3-501", "业主": "赵六", "装修公司": "安居装饰", "申请日期": date(2026, 3, 1),
              "审批日期": date(2026, 3, 2), "装修押金": D(deposit), "竣工验收日期": date(2026, 6, 30),
              "应扣水电费": D(utilities)}
    violations = {f"WZ{i}": {"编号": f"WZ{i}", "房号": "3-501", "日期": date(2026, 4, i + 1), "违章内容": "噪音扰民",
                             "严重程度": "轻微", "违约金": D(p)} for i, p in enumerate(penalties)}
    # an older violation (before 申请日期) belongs to an earlier renovation and is not deducted
    violations["WZ9"] = {"编号": "WZ9", "房号": "3-501", "日期": date(2025, 5, 1), "违章内容": "乱堆垃圾",
                         "严重程度": "轻微", "违约金": D("100")}
    # another unit's violation is not deducted either
    violations["WX1"] = {"编号": "WX1", "房号": "3-502", "日期": date(2026, 4, 5), "违章内容": "噪音扰民",
                         "严重程度": "轻微", "违约金": D("999")}
    return {"renovation": {"ZX1": permit}, "renovation_violation": violations}


def test_deposit_refund_three_months_after_acceptance():
    # accepted 06-30 + 3 months = 09-30; refund = 2000 − (200 + 300) − 123.45 = 1376.55
    f = pick(run(renovation_state(), "2026-09-30T09:00"), "renovation.deposit_refund")
    v = f.values
    assert v["refund_due"] == date(2026, 9, 30)
    assert (v["deposit"], v["penalty_total"], v["utilities"], v["refund"], v["owed"]) == (
        D("2000.00"), D("500.00"), D("123.45"), D("1376.55"), False)
    assert [p["编号"] for p in v["penalties"]] == ["WZ0", "WZ1"]
    assert f.notice == "deposit_refund"
    assert "应退 1,376.55 元" in f.message
    # the day before it is due: no notice yet
    f = pick(run(renovation_state(), "2026-09-29T09:00"), "renovation.deposit_refund")
    assert f.notice is None and f.status == "pending"


def test_deposit_refund_negative_is_owed():
    # 500 − 500 − 120 = −120 → the owner owes 120.00
    f = pick(run(renovation_state(deposit="500", utilities="120"), "2026-10-01T09:00"), "renovation.deposit_refund")
    assert f.values["refund"] == D("-120.00") and f.values["owed"] is True
    assert "业主尚欠 120.00 元" in f.message


def test_refund_date_clamped_to_month_end():
    state = renovation_state()
    state["renovation"]["ZX1"]["竣工验收日期"] = date(2026, 11, 30)
    # 11-30 + 3 months = 2027-02-30 → no such day → 2027-02-28
    f = pick(run(state, "2026-12-01T09:00"), "renovation.deposit_refund")
    assert f.values["refund_due"] == date(2027, 2, 28)


def test_fire_approval_over_200_square_metres():
    base = {"编号": "ZX2", "房号": "8-801", "业主": "孙八", "申请日期": date(2026, 5, 1), "开工日期": date(2026, 5, 10),
            "审批日期": date(2026, 5, 2), "消防审批": "否"}
    # 200.5 m² > 200, started, approval 否 → error
    f = pick(run({"renovation": {"ZX2": {**base, "建筑面积": D("200.5")}}}, "2026-06-01T09:00"),
             "renovation.fire_approval")
    assert f.severity == "error" and f.values["建筑面积"] == D("200.5")
    # exactly 200 → not over; approved 是 → fine; not started → fine
    for v in ({"建筑面积": D("200")}, {"建筑面积": D("250"), "消防审批": "是"}, {"建筑面积": D("250"), "开工日期": None}):
        assert "renovation.fire_approval" not in rules_of(run({"renovation": {"ZX2": {**base, **v}}},
                                                              "2026-06-01T09:00"))


def test_no_agreement_for_work_begun_without_fire_approval():
    """Seed 001 装修: over 200 m² needs fire approval before work starts. Work begun without
    it is stopped; the agreement is not drafted until 消防审批 is 是."""
    base = {"编号": "ZX3", "房号": "3-502", "业主": "刘芳", "申请日期": date(2026, 11, 10),
            "审批日期": date(2026, 11, 12), "开工日期": date(2026, 11, 20), "消防审批": "否"}
    # 210 m² > 200, started 11-20 without approval: the fire finding, and no agreement.
    found = {f.rule: f for f in run({"renovation": {"ZX3": {**base, "建筑面积": D("210")}}}, "2026-11-26T09:00")}
    assert found["renovation.fire_approval"].severity == "error"
    assert found["renovation.approved"].notice is None
    assert "须先补办消防审批" in found["renovation.approved"].message
    # The same permit once 消防审批 is 是: the agreement is drafted.
    ok = pick(run({"renovation": {"ZX3": {**base, "建筑面积": D("210"), "消防审批": "是"}}}, "2026-11-26T09:00"),
              "renovation.approved")
    assert ok.notice == "renovation_agreement" and "可签订" in ok.message
    # 200 m² exactly needs no fire approval: agreement drafted although 消防审批 is 否.
    small = pick(run({"renovation": {"ZX3": {**base, "建筑面积": D("200")}}}, "2026-11-26T09:00"),
                 "renovation.approved")
    assert small.notice == "renovation_agreement"


def test_approved_permit_asks_for_agreement():
    f = pick(run(renovation_state(), "2026-03-03T09:00"), "renovation.approved")
    assert f.notice == "renovation_agreement" and f.values["审批日期"] == date(2026, 3, 2)


def test_history_gets_no_new_documents():
    # ZX1 approved 03-02, accepted 06-30: in July it is a finished renovation, no agreement now.
    f = pick(run(renovation_state(), "2026-07-05T09:00"), "renovation.approved")
    assert f.notice is None
    # Approved 03-02 and never accepted, looked at on 04-10 (39 days > 30): history too.
    state = renovation_state()
    state["renovation"]["ZX1"]["竣工验收日期"] = None
    assert pick(run(state, "2026-04-10T09:00"), "renovation.approved").notice is None
    assert pick(run(state, "2026-03-20T09:00"), "renovation.approved").notice == "renovation_agreement"
    # A move-out released two months ago gets no slip today; one from today does.
    accounts = {"1-101": {"房号": "1-101", "业主": "王建国", "已缴至": date(2026, 12, 31)}}
    moves = {"FX1": {"房号": "1-101", "携带人": "王建国", "身份": "业主", "日期": date(2026, 9, 20)},
             "FX2": {"房号": "1-101", "携带人": "王建国", "身份": "业主", "日期": date(2026, 11, 26)}}
    found = {f.record: f for f in run({"fee_account": accounts, "move_out": moves}, "2026-11-26T10:00")
             if f.rule == "move_out.released"}
    assert found["FX1"].notice is None and found["FX2"].notice == "release_slip"


# ---- fee accounts and handover -------------------------------------------------------------


def account(paid_to, owed=None):
    return {"fee_account": {"1-0101": {"房号": "1-0101", "业主": "王五", "建筑面积": D("89.5"), "单价": D("2.35"),
                                       "已缴至": paid_to, "欠费金额": owed}}}


def test_arrears_tiers_at_their_boundaries():
    now = "2026-11-24T09:00"
    assert run(account(date(2026, 11, 24)), now) == []  # paid up to today: 0 days
    # paid to 11-23 → 11-24 is 1 day overdue → tier 1
    assert pick(run(account(date(2026, 11, 23)), now), "fee.arrears").values["tier"] == 1
    # paid to 10-26 → 29 days → still tier 1; 10-25 → 30 days → tier 2
    assert pick(run(account(date(2026, 10, 26)), now), "fee.arrears").values["tier"] == 1
    f = pick(run(account(date(2026, 10, 25)), now), "fee.arrears")
    assert (f.values["tier"], f.values["days_overdue"]) == (2, 30)
    # Below the last tier no report to the manager; at it (08-26 → 90 days) the report is a
    # finding and a document of its own, and the owner's reminder stays the second one.
    assert "fee.arrears_report" not in rules_of(run(account(date(2026, 8, 27)), now))
    found = run(account(date(2026, 8, 26)), now)
    f, report = pick(found, "fee.arrears"), pick(found, "fee.arrears_report")
    assert (f.values["tier"], f.values["reminder_tier"], f.notice) == (3, 2, "payment_reminder")
    assert (report.notice, report.values["days_overdue"], report.values["已缴至"]) == (
        "arrears_report", 90, date(2026, 8, 26))
    assert "项目经理" in report.message


def test_arrears_amount_computed_or_given():
    # paid to 06-30, now 11-24: 31 + 31 + 30 + 31 + 24 = 147 days → tier 3 (≥ 90)
    # months owed: started months from 07-01 to 11-24 = 5
    # amount = 89.5 × 2.35 × 5 = 1051.625 → 1051.63 (half up)
    f = pick(run(account(date(2026, 6, 30)), "2026-11-24T09:00"), "fee.arrears")
    v = f.values
    assert (v["tier"], v["days_overdue"], v["months_owed"], v["amount"]) == (3, 147, 5, D("1051.63"))
    assert f.severity == "error" and f.notice == "payment_reminder"
    # 欠费金额 given → used as the amount
    f = pick(run(account(date(2026, 6, 30), D("1234.50")), "2026-11-24T09:00"), "fee.arrears")
    assert f.values["amount"] == D("1234.50")
    assert "欠费 1,234.50 元" in f.message
    # 欠费金额 written as 0 → settled: no arrears, but a 已缴至 left in the past is flagged
    # for the cashier (later months could never be reminded otherwise).
    (stale,) = run(account(date(2026, 6, 30), D("0")), "2026-11-24T09:00")
    assert stale.rule == "fee.paid_to_stale" and "已缴至 2026-06-30 已过" in stale.message
    assert run(account(date(2026, 12, 31), D("0")), "2026-11-24T09:00") == []


def test_arrears_typed_months_ago_grow_with_the_months_since():
    # 1-0101: 89.5 m² × 2.35 = 210.325 a month. Paid to 09-30, 欠费金额 210.33 typed in
    # October (one month). On 11-24 two months have started (10-01, 11-01): 89.5 × 2.35 × 2
    # = 420.65 owed — the notice says 420.65 and no 欠费金额不符 is raised each month as the
    # months pass (QA: 251.25 printed beside a table of 2 × 251.25).
    found = run(account(date(2026, 9, 30), D("210.33")), "2026-11-24T09:00")
    assert pick(found, "fee.arrears").values["amount"] == D("420.65")
    assert [f for f in found if f.rule == "fee.amount_mismatch"] == []
    # An amount that is no whole number of months (other charges, a typo) stands, and the
    # cashier is asked to check it.
    found = run(account(date(2026, 9, 30), D("300.00")), "2026-11-24T09:00")
    assert pick(found, "fee.arrears").values["amount"] == D("300.00")
    assert pick(found, "fee.amount_mismatch").values["computed"] == D("420.65")


def test_handover_prepayment_and_period():
    rec = {"房号": "6-1201", "业主": "周九", "身份证号": "x", "建筑面积": D("100.00"), "物业费单价": D("2.50"),
           "交房日期": date(2026, 11, 23), "预收月数": 6}
    # 100.00 × 2.50 × 6 = 1500.00; 11-23 → day before 2027-05-23 = 2027-05-22
    f = pick(run({"handover": {"6-1201": rec}}, "2026-11-23T10:00"), "handover.prepayment")
    assert (f.values["amount"], f.values["period_start"], f.values["period_end"]) == (
        D("1500.00"), date(2026, 11, 23), date(2027, 5, 22))
    assert f.notice == "handover_payment"
    # 预收月数 blank → default 6; 89.37 × 2.35 × 6 = 1260.117 → 1260.12
    f = pick(run({"handover": {"6-1201": {**rec, "建筑面积": D("89.37"), "物业费单价": D("2.35"), "预收月数": None}}},
                 "2026-11-23T10:00"), "handover.prepayment")
    assert (f.values["预收月数"], f.values["amount"]) == (6, D("1260.12"))


def test_prepaid_period_end_rolls_over_missing_dates():
    # 08-31 + 6 months: 2027-02-31 does not exist → the same date rolls to 03-01 → period ends 02-28
    assert prepaid_period_end(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert prepaid_period_end(date(2026, 1, 1), 6) == date(2026, 6, 30)
