"""The seeds' property registers beyond SPEC §3: floor patrols, transfers, surveys.
Figures worked out by hand from seed 001."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal as D

from rules_helpers import dt, pick, rules_of, run

# ---- 楼层巡检 ----------------------------------------------------------------------------


def patrol(**v):
    base = {"巡检编号": "XJ1", "日期": date(2026, 11, 23), "巡视人": "小张", "抽查楼层": "3,7,12,15,21"}
    return {"patrol": {"XJ1": {**base, **v}}}


def test_patrol_checks_five_random_floors():
    # "3,7,12,15,21" = 5 floors → no finding; "3、7、12" = 3 → short by 2; 抽查楼层数 wins when given.
    assert "patrol.floors" not in rules_of(run(patrol(), "2026-11-23T18:00"))
    f = pick(run(patrol(抽查楼层="3、7、12"), "2026-11-23T18:00"), "patrol.floors")
    assert (f.values["floors"], f.values["min_floors"]) == (3, 5)
    assert "patrol.floors" not in rules_of(run(patrol(抽查楼层="3", 抽查楼层数=5), "2026-11-23T18:00"))
    assert pick(run(patrol(抽查楼层=None), "2026-11-23T18:00"), "patrol.floors").values["floors"] is None


def test_problem_forwarded_after_31_minutes_is_one_minute_late():
    # Found 09:00, forwarding due 09:00 + 30 min = 09:30; forwarded 09:31 → late by 1 minute.
    f = pick(run(patrol(发现问题="5楼消防门损坏", 发现时间=dt("2026-11-23T09:00"), 转报时间=dt("2026-11-23T09:31")),
                 "2026-11-23T12:00"), "patrol.forward")
    assert (f.due, f.status, f.overdue_minutes) == (dt("2026-11-23T09:30"), "late", 1)
    f = pick(run(patrol(发现问题="5楼消防门损坏", 发现时间=dt("2026-11-23T09:00"), 转报时间=dt("2026-11-23T09:30")),
                 "2026-11-23T12:00"), "patrol.forward")
    assert f.status == "met"


def test_problem_checked_on_site_by_the_next_day():
    # Found Mon 11-23 16:00 → "不超过第2日" = by Tue 11-24 23:59; checked Wed 11-25 08:00 → 481 min late
    # (11-24 23:59 → 11-25 08:00 = 8 h 1 min).
    v = dict(发现问题="大堂吊灯不亮", 发现时间=dt("2026-11-23T16:00"), 转报时间=dt("2026-11-23T16:10"))
    f = pick(run(patrol(**v), "2026-11-24T12:00"), "patrol.verify")
    assert (f.due, f.status) == (dt("2026-11-24T23:59"), "pending")
    f = pick(run(patrol(**v, 核实时间=dt("2026-11-25T08:00")), "2026-11-25T09:00"), "patrol.verify")
    assert (f.status, f.overdue_minutes) == ("late", 481)
    # No problem found: no forwarding or checking deadline.
    assert not {"patrol.forward", "patrol.verify"} & rules_of(run(patrol(), "2026-11-25T09:00"))


# ---- 房屋转让 ----------------------------------------------------------------------------


def transfer(accounts=None, **v):
    base = {"房号": "1-0101", "原业主": "王五", "新业主": "赵六", "新业主身份证号": "11010519491231002X",
            "产权证号": "京房权证001", "转让日期": date(2026, 11, 23), "建筑面积": D("100"), "物业费单价": D("2.50"),
            "新业主预缴月数": 6, "新业主预缴金额": D("1500"), "原业主结清": "是"}
    return {"transfer": {"1-0101|2026-11-23": {**base, **v}}, "fee_account": accounts or {}}


def test_new_owner_prepays_at_least_six_months():
    # 100 m² × 2.50 × 6 = 1,500.00 → nothing wrong; only the new owner's payment notice.
    assert rules_of(run(transfer(), "2026-11-23T12:00")) == {"transfer.payment"}
    # 5 months is short of half a year.
    f = pick(run(transfer(新业主预缴月数=5, 新业主预缴金额=D("1250")), "2026-11-23T12:00"), "transfer.prepay")
    assert (f.values["months"], f.values["min_months"], f.severity) == (5, 6, "error")
    # 7 months paid as 1,500: should be 100 × 2.50 × 7 = 1,750.00 → 250.00 short.
    f = pick(run(transfer(新业主预缴月数=7), "2026-11-23T12:00"), "transfer.prepay_amount")
    assert (f.values["expected"], f.values["difference"]) == (D("1750.00"), D("-250.00"))


def test_old_owner_settles_up_to_the_transfer_date():
    paid_to_oct = {"1-0101": {"房号": "1-0101", "业主": "王五", "已缴至": date(2026, 10, 31)}}
    # Not marked settled and paid only to 10-31 before an 11-23 transfer → blocked.
    f = pick(run(transfer(paid_to_oct, 原业主结清=None), "2026-11-23T12:00"), "transfer.old_owner")
    assert f.severity == "blocking" and f.values["已缴至"] == date(2026, 10, 31)
    # Paid to 11-30 (past the transfer date) → settled without the mark.
    paid = {"1-0101": {"房号": "1-0101", "业主": "王五", "已缴至": date(2026, 11, 30)}}
    assert "transfer.old_owner" not in rules_of(run(transfer(paid, 原业主结清=None), "2026-11-23T12:00"))


# ---- 满意度调查 --------------------------------------------------------------------------


def survey(key="DC1", **v):
    base = {"调查编号": key, "公告日期": date(2026, 11, 2), "开始日期": date(2026, 11, 9), "结束日期": date(2026, 11, 20),
            "总户数": 400, "发放户数": 240}
    return {**base, **v}


def test_survey_handed_to_59_percent_falls_short():
    # 240 ÷ 400 = 60 % → enough; 236 ÷ 400 = 59 % → short of 60 %.
    assert "survey.coverage" not in rules_of(run({"survey": {"DC1": survey()}}, "2026-11-23T12:00"))
    f = pick(run({"survey": {"DC1": survey(发放户数=236)}}, "2026-11-23T12:00"), "survey.coverage")
    assert (f.values["share"], f.values["min_share"]) == (D("0.5900"), D("0.60"))
    assert "59.00%" in f.message


def test_survey_announced_beforehand():
    f = pick(run({"survey": {"DC1": survey(公告日期=date(2026, 11, 9))}}, "2026-11-23T12:00"), "survey.notice")
    assert f.values["公告日期"] == date(2026, 11, 9)
    assert pick(run({"survey": {"DC1": survey(公告日期=None)}}, "2026-11-23T12:00"), "survey.notice")


def test_one_survey_each_half_year():
    # Surveys in 2026-H1 (03-10) and 2027-H1: 2026-H2 ended 12-31 without one → finding on 2027-02-01.
    rows = {"DC1": survey("DC1", 公告日期=date(2026, 3, 1), 开始日期=date(2026, 3, 10)),
            "DC2": survey("DC2", 公告日期=date(2027, 1, 5), 开始日期=date(2027, 1, 10))}
    f = pick(run({"survey": rows}, "2027-02-01T09:00"), "survey.cadence")
    assert f.record == "2026-H2"
    # Before the half-year has ended nothing is missing yet.
    assert "survey.cadence" not in rules_of(run({"survey": {"DC1": rows["DC1"]}}, "2026-12-31T09:00"))


# ---- 社区文化活动 ------------------------------------------------------------------------


def event(**v):
    base = {"活动编号": "HD1", "活动名称": "中秋游园", "活动日期": date(2026, 12, 20),
            "筹备开始日期": date(2026, 11, 25), "公告日期": date(2026, 12, 13)}
    return {"community_event": {"HD1": {**base, **v}}}


def test_event_announced_seven_days_ahead():
    # 12-20 − 7 days = 12-13: announced 12-13 → in time; 12-14 → late.
    assert "event.notice" not in rules_of(run(event(), "2026-12-01T09:00"))
    f = pick(run(event(公告日期=date(2026, 12, 14)), "2026-12-15T09:00"), "event.notice")
    assert f.values["latest"] == date(2026, 12, 13)
    # Not announced yet on 12-12: still time; on 12-13 it is due → finding.
    assert "event.notice" not in rules_of(run(event(公告日期=None), "2026-12-12T09:00"))
    assert pick(run(event(公告日期=None), "2026-12-13T09:00"), "event.notice")


def test_event_prepared_seven_to_thirty_days_ahead():
    # 12-20 − 30 = 11-20, 12-20 − 7 = 12-13: 11-20 and 12-13 are inside, 11-19 and 12-14 outside.
    for d in (date(2026, 11, 20), date(2026, 12, 13)):
        assert "event.preparation" not in rules_of(run(event(筹备开始日期=d), "2026-12-01T09:00"))
    for d in (date(2026, 11, 19), date(2026, 12, 14)):
        f = pick(run(event(筹备开始日期=d), "2026-12-15T09:00"), "event.preparation")
        assert (f.values["opens"], f.values["closes"]) == (date(2026, 11, 20), date(2026, 12, 13))


def test_important_estate_needs_six_events_a_year(tmp_path):
    from test_property_departures import run_with

    rows = {f"HD{i}": {"活动编号": f"HD{i}", "活动名称": "活动", "活动日期": date(2026, 2 * i - 1, 10),
                       "筹备开始日期": date(2026, 2 * i - 1, 1) - timedelta(days=10),
                       "公告日期": date(2026, 2 * i - 1, 1)} for i in range(1, 6)}  # 5 events in 2026, each in order
    state = {"community_event": rows}
    assert "event.frequency" not in rules_of(run(state, "2027-01-05T09:00"))  # not an important estate
    edit = ("sla.yaml", "important_estate: false", "important_estate: true")
    f = pick(run_with(tmp_path, edit, state, "2027-01-05T09:00"), "event.frequency")
    assert (f.record, f.values["count"], f.values["min"]) == ("2026", 5, 6)


# ---- 钥匙委托管理 ------------------------------------------------------------------------


HANDOVER = {"1-0101": {"房号": "1-0101", "业主": "王五", "交房日期": date(2026, 11, 10)}}


def key(census=None, **v):
    base = {"钥匙编号": "K1", "房号": "1-0101", "来源": "开发商移交", "入库日期": date(2026, 10, 1)}
    return {"key_custody": {"K1": {**base, **v}}, "handover": HANDOVER, "unit_status": census or {}}


def test_keys_only_after_the_handover_to_the_verified_owner():
    ok = dict(领取人="王五", 领取日期=date(2026, 11, 10), 身份核实="是")
    assert "key.handover_first" not in rules_of(run(key(**ok), "2026-11-23T09:00"))
    f = pick(run(key(**{**ok, "领取日期": date(2026, 11, 9)}), "2026-11-23T09:00"), "key.handover_first")
    assert "领取日期早于交房日期 2026-11-10" in f.message
    f = pick(run(key(**{**ok, "领取人": "王五的朋友"}), "2026-11-23T09:00"), "key.handover_first")
    assert "不是业主" in f.message
    assert "key.handover_first" not in rules_of(run(key(**{**ok, "领取人": "王五的朋友", "审批人": "刘经理"}),
                                                    "2026-11-23T09:00"))


def test_custody_only_for_vacant_units():
    census = {"1-0101|2026-10-20": {"房号": "1-0101", "状态": "住家户", "普查日期": date(2026, 10, 20)}}
    f = pick(run(key(census, 来源="业主委托", 入库日期=date(2026, 11, 1)), "2026-11-23T09:00"), "key.vacant_only")
    assert f.values["状态"] == "住家户"
    census["1-0101|2026-10-28"] = {"房号": "1-0101", "状态": "空置", "普查日期": date(2026, 10, 28)}
    assert "key.vacant_only" not in rules_of(run(key(census, 来源="业主委托", 入库日期=date(2026, 11, 1)),
                                                 "2026-11-23T09:00"))


def test_internal_loan_back_the_same_day():
    # Lent 11-23 15:00 → due 11-23 23:59; back 11-24 08:30 → 8 h 31 min = 511 min late.
    f = pick(run(key(借用人="小李", 借出时间=dt("2026-11-23T15:00"), 归还时间=dt("2026-11-24T08:30")),
                 "2026-11-24T09:00"), "key.borrow_return")
    assert (f.due, f.status, f.overdue_minutes) == (dt("2026-11-23T23:59"), "late", 511)


# ---- smaller checks (seed 001 放行 3.2, 装修 9 and 11; 003 第四篇 3.2 4.5) ---------------------


def carry(key, day, **v):
    return {"编号": key, "房号": "1-0101", "携带人": "小李", "身份": "租户", "物品": "纸箱", "日期": day,
            "业主核实": "是", "核实时间": datetime(day.year, day.month, day.day, 9, 0), **v}


def test_frequent_temporary_carrying_is_noticed():
    # 11-17, 11-20, 11-23: the third within 7 days (11-17 > 11-23 − 7 = 11-16) → finding on the third.
    rows = {k: carry(k, d) for k, d in (("FX1", date(2026, 11, 17)), ("FX2", date(2026, 11, 20)),
                                          ("FX3", date(2026, 11, 23)))}
    f = pick(run({"move_out": rows}, "2026-11-23T12:00"), "move_out.frequent")
    assert (f.record, f.values["count"]) == ("FX3", 3)
    # 11-16 instead of 11-17: 11-16 is not after 11-16, so only two within the window → nothing.
    rows["FX1"] = carry("FX1", date(2026, 11, 16))
    assert "move_out.frequent" not in rules_of(run({"move_out": rows}, "2026-11-23T12:00"))
    # A move-out (搬家迁出) does not count as temporary carrying.
    rows["FX1"] = carry("FX1", date(2026, 11, 17), 出门性质="搬家迁出")
    assert "move_out.frequent" not in rules_of(run({"move_out": rows}, "2026-11-23T12:00"))


def permit(**v):
    base = {"编号": "ZX1", "房号": "1-0101", "业主": "王五", "申请日期": date(2026, 11, 2), "审批日期": date(2026, 11, 3)}
    return {"renovation": {"ZX1": {**base, **v}}}


def test_entry_check_before_work_and_concealed_works_before_acceptance():
    f = pick(run(permit(开工日期=date(2026, 11, 10)), "2026-11-23T09:00"), "renovation.entry_check")
    assert f.values["入场确认日期"] is None
    assert "renovation.entry_check" not in rules_of(run(permit(开工日期=date(2026, 11, 10), 入场确认日期=date(2026, 11, 10)),
                                                        "2026-11-23T09:00"))
    done = dict(开工日期=date(2026, 11, 10), 入场确认日期=date(2026, 11, 9), 竣工验收日期=date(2026, 11, 20))
    assert pick(run(permit(**done), "2026-11-23T09:00"), "renovation.concealed_works")
    assert "renovation.concealed_works" not in rules_of(run(permit(**done, 隐蔽工程验收日期=date(2026, 11, 15)),
                                                            "2026-11-23T09:00"))
    # Started more than 30 days before today: history, no entry-check finding.
    assert "renovation.entry_check" not in rules_of(run(permit(开工日期=date(2026, 10, 1)), "2026-11-23T09:00"))


def test_deposit_where_local_rules_forbid_it(tmp_path):
    from test_property_departures import run_with

    state = permit(装修押金=D("3000"))
    assert "renovation.deposit_not_allowed" not in rules_of(run(state, "2026-11-23T09:00"))
    edit = ("tariffs.yaml", "deposit_allowed: true", "deposit_allowed: false")
    f = pick(run_with(tmp_path, edit, state, "2026-11-23T09:00"), "renovation.deposit_not_allowed")
    assert f.values["装修押金"] == D("3000")
