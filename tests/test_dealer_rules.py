"""Dealer pack rules against figures worked out by hand from seed 003 and seed 000.

State is given the way the ledger hands it to the rules: dates as dates, money as
Decimal, months as "2026-11", composite keys joined with "|".
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from toolkit.model import Finding
from toolkit.ruleset import evaluate_all, load_ruleset
from toolkit.setup_workspace import init_workspace
from toolkit.workcal import load_calendar


@pytest.fixture(scope="module")
def rules_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("dealer")
    init_workspace(home, ["dealer"])
    return home / "rules"


def run(rules_dir: Path, state: dict[str, Any], now: str) -> list[Finding]:
    return evaluate_all(state, load_ruleset(rules_dir), load_calendar(rules_dir), datetime.fromisoformat(now))


def of(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


MEMBER = {"经销商名称": "丰县百汇商行", "县市": "丰县", "一级经销商": "徐州华联", "协议签订日期": date(2026, 1, 5),
          "入会日期": date(2026, 1, 10), "状态": "正式成员", "铜牌编号": "T-017"}


def sales(month: str, sold: int, market: int, **more: Any) -> tuple[str, dict[str, Any]]:
    return f"{month}|M01", {"月份": month, "成员编号": "M01", "销量": Decimal(sold), "所在市场销量": Decimal(market), **more}


# --- 联销体: 70 % of the market, three calendar months running -------------------------------


def test_cancellation_only_on_the_third_consecutive_month_below_70_percent(rules_dir: Path):
    # 08: 7,000/10,000 = 70.00 % → not below (the seed says 不低于 70 %)
    # 09: 6,900/10,000 = 69.00 % → run 1;  10: 6,000/10,000 = 60 % → run 2
    # 11: 6,999/10,000 = 69.99 % → run 3 → cancellation on the 2026-11 row, not before
    rows = dict([sales("2026-08", 7000, 10000), sales("2026-09", 6900, 10000), sales("2026-10", 6000, 10000)])
    state = {"jsb_member": {"M01": MEMBER}, "jsb_sales": rows}
    two = run(rules_dir, state, "2026-11-06T09:00")
    assert [f.record for f in of(two, "jsb.share_low")] == ["2026-09|M01", "2026-10|M01"]
    assert of(two, "jsb.cancel_share") == []
    rows.update([sales("2026-11", 6999, 10000)])
    three = run(rules_dir, state, "2026-12-06T09:00")
    (cancel,) = of(three, "jsb.cancel_share")
    assert cancel.record == "2026-11|M01" and cancel.notice is None
    # The notice is the member's: one, naming the three months.
    (notice,) = of(three, "jsb.cancel")
    assert (notice.register, notice.record, notice.notice) == ("jsb_member", "M01", "jsb_cancel")
    assert [r["月份"] for r in notice.values["share_months"]] == ["2026-09", "2026-10", "2026-11"]
    assert [m["月份"] for m in cancel.values["months"]] == ["2026-09", "2026-10", "2026-11"]
    assert [m["占比文字"] for m in cancel.values["months"]] == ["69.00%", "60.00%", "69.99%"]


def test_a_share_just_under_70_percent_is_not_shown_as_70(rules_dir: Path):
    # 09: 65,000/100,000 = 65 %; 10: 68,000/100,000 = 68 %; 11: 69,996/100,000 = 69.996 %:
    # below 70 % unrounded (the third month → cancellation). To two decimals 69.996 rounds
    # to "70.00%", which would say 70 % is below 70 %: shown "69.996%" wherever it is written.
    rows = dict([sales("2026-09", 65000, 100000), sales("2026-10", 68000, 100000), sales("2026-11", 69996, 100000)])
    found = run(rules_dir, {"jsb_member": {"M01": MEMBER}, "jsb_sales": rows}, "2026-12-04T09:00")
    (cancel,) = of(found, "jsb.cancel_share")
    assert [m["占比文字"] for m in cancel.values["months"]] == ["65.00%", "68.00%", "69.996%"]
    assert "2026年11月69.996%" in cancel.message and "70.00%" not in cancel.message
    nov = next(f for f in of(found, "jsb.share_low") if f.record == "2026-11|M01")
    assert "69.996%" in nov.message and nov.values["占比文字"] == "69.996%"
    # The members' total against the first-tier dealer's 80 %: 79,996 / 100,000 = 79.996 %.
    primary = {"2026-11|徐州华联": {"月份": "2026-11", "一级经销商": "徐州华联", "一级销量": Decimal(100000)}}
    rows = dict([sales("2026-11", 79996, 100000)])
    (cov,) = of(run(rules_dir, {"jsb_member": {"M01": MEMBER}, "jsb_sales": rows, "jsb_primary_sales": primary},
                    "2026-12-04T09:00"), "jsb.primary_coverage")
    assert "79.996%" in cov.message


def test_shares_shown_beside_the_standard():
    from toolkit.packs.dealer.rules.common import share_text

    line = Decimal("0.70")
    assert share_text(Decimal("0.69996"), line) == "69.996%"  # would round onto 70.00 %
    assert share_text(Decimal("0.699999"), line) == "69.999%"  # cut towards its own side
    assert share_text(Decimal("0.69994"), line) == "69.99%"  # two decimals already say below
    assert share_text(Decimal("0.7"), line) == "70.00%" and share_text(Decimal("0.70004"), line) == "70.00%"
    assert share_text(None, line) == "—"


def test_sales_of_a_member_number_the_register_does_not_know(rules_dir: Path):
    """M09 is a typo (the register has M01): a warning naming the salesperson who typed the
    row, and no phantom member judged (no missing months, no cancellation to nobody)."""
    rows = dict([sales("2026-10", 9000, 10000)])
    rows["2026-09|M09"] = {"月份": "2026-09", "成员编号": "M09", "经销商名称": "丰县百汇", "销量": Decimal(5000),
                           "所在市场销量": Decimal(10000), "填报业务员": "张伟"}
    rows["2026-11|M09"] = {**rows["2026-09|M09"], "月份": "2026-11", "其他渠道进货额": Decimal(800)}
    found = run(rules_dir, {"jsb_member": {"M01": MEMBER}, "jsb_sales": rows}, "2026-12-04T09:00")
    unknown = of(found, "jsb.sales_unknown_member")
    assert [f.record for f in unknown] == ["2026-09|M09", "2026-11|M09"]
    assert all(f.severity == "warning" and "填报业务员张伟" in f.message for f in unknown)
    assert not [f for f in found if "M09" in f.record and f.rule != "jsb.sales_unknown_member"]
    # Nor a half-year reward notice to a member nobody registered (M01's 9,000 × 4 ‰ = 36.00 is).
    rewards = of(run(rules_dir, {"jsb_member": {"M01": MEMBER}, "jsb_sales": rows}, "2027-01-10T09:00"), "jsb.reward")
    assert [(f.record, f.values["reward"]) for f in rewards] == [("2026-H2|M01", Decimal("36.00"))]
    # A site that keeps no member register is not flooded: nothing to compare with.
    assert of(run(rules_dir, {"jsb_sales": rows}, "2026-12-04T09:00"), "jsb.sales_unknown_member") == []
    # …and its notices name the dealer as the sales rows do (they were addressed to nobody).
    unregistered = {k: {**v, "经销商名称": "铜山某商行"} for k, v in rows.items() if k.endswith("|M09")}
    (cancel,) = of(run(rules_dir, {"jsb_sales": unregistered}, "2026-12-04T09:00"), "jsb.cancel_channel")
    assert cancel.values["经销商名称"] == "铜山某商行"
    # (its H2 reward, 10,000 × 4 ‰ = 40.00, waits on that cancellation, and says whose it is)
    (held,) = of(run(rules_dir, {"jsb_sales": unregistered}, "2027-01-10T09:00"), "jsb.reward_withheld")
    assert held.values["经销商名称"] == "铜山某商行" and held.values["reward"] == Decimal("40.00")
    assert "成员 M09（铜山某商行）" in held.message


def test_a_market_of_zero_gives_no_share_and_is_said(rules_dir: Path):
    # 10: 6,000/10,000 = 60 % (run 1); 11: market 0 → no share: a warning, and the run ends there.
    rows = dict([sales("2026-10", 6000, 10000), sales("2026-11", 6000, 0, 填报业务员="王强")])
    found = run(rules_dir, {"jsb_member": {"M01": MEMBER}, "jsb_sales": rows}, "2026-12-04T09:00")
    (zero,) = of(found, "jsb.share_unknown")
    assert zero.record == "2026-11|M01" and "无法计算占比" in zero.message and "填报业务员王强" in zero.message
    assert [f.record for f in of(found, "jsb.share_low")] == ["2026-10|M01"]


def test_too_few_members_in_a_county_is_its_own_finding(tmp_path: Path):
    """With members_per_county min 2: a county with one member is 不足 (not a blank market),
    one with three is over the maximum."""
    init_workspace(tmp_path, ["dealer"])
    settings = tmp_path / "rules" / "dealer.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("{min: 1, max: 2}", "{min: 2, max: 2}"),
                        encoding="utf-8")
    counties = {c: {"县市": c, "大区": "苏北", "责任业务员": "王强", "一级经销商": "徐州华联"} for c in ("丰县", "沛县")}
    members = {"M01": MEMBER, "M02": {**MEMBER, "县市": "沛县"}, "M03": {**MEMBER, "县市": "沛县"},
               "M04": {**MEMBER, "县市": "沛县"}}
    found = run(tmp_path / "rules", {"jsb_county": counties, "jsb_member": members}, "2026-12-04T09:00")
    (few,) = of(found, "jsb.county_few")
    assert few.record == "丰县" and "只有 1 家" in few.message and "至少 2 家" in few.message
    (many,) = of(found, "jsb.county_members")
    assert many.record == "沛县" and "最多 2 家" in many.message
    assert of(found, "jsb.blank_market") == []


def test_a_month_without_a_row_breaks_the_run_and_is_itself_a_finding(rules_dir: Path):
    # 09 and 10 below, 11 missing, 12 below: runs of 2 and 1 → no cancellation; 11 reported missing.
    rows = dict([sales("2026-09", 500, 1000), sales("2026-10", 500, 1000), sales("2026-12", 500, 1000)])
    found = run(rules_dir, {"jsb_member": {"M01": MEMBER}, "jsb_sales": rows}, "2027-01-06T09:00")
    assert of(found, "jsb.cancel_share") == []
    (missing,) = of(found, "jsb.sales_missing")
    assert missing.record == "2026-11|M01" and "2026年11月" in missing.message
    assert [f.values["run"] for f in of(found, "jsb.share_low")] == [1, 2, 1]


def test_buying_elsewhere_or_counterfeits_cancel_at_once(rules_dir: Path):
    rows = dict([sales("2026-11", 9000, 10000, 其他渠道进货额=Decimal("3200")),
                 (("2026-11|M02"), {"月份": "2026-11", "成员编号": "M02", "销量": Decimal(9000),
                                    "所在市场销量": Decimal(10000), "发现假冒": "是", "捆绑销售": "是"})])
    members = {"M01": MEMBER, "M02": {**MEMBER, "经销商名称": "沛县永兴"}}
    found = run(rules_dir, {"jsb_member": members, "jsb_sales": rows}, "2026-12-06T09:00")
    (channel,) = of(found, "jsb.cancel_channel")
    assert channel.record == "2026-11|M01" and channel.values["其他渠道进货额"] == Decimal("3200.00")
    (conduct,) = of(found, "jsb.cancel_conduct")
    assert conduct.values["acts"] == ["捆绑销售", "销售假冒伪劣产品"]


def test_members_together_must_reach_80_percent_of_the_first_tier_dealer(rules_dir: Path):
    # M01 7,000 + M02 8,900 = 15,900; 15,900 / 20,000 = 79.5 % < 80 % → warning
    rows = dict([sales("2026-11", 7000, 9000)])
    rows["2026-11|M02"] = {"月份": "2026-11", "成员编号": "M02", "销量": Decimal(8900), "所在市场销量": Decimal(9000)}
    members = {"M01": MEMBER, "M02": {**MEMBER, "县市": "沛县"}}
    primary = {"2026-11|徐州华联": {"月份": "2026-11", "一级经销商": "徐州华联", "一级销量": Decimal(20000)}}
    found = run(rules_dir, {"jsb_member": members, "jsb_sales": rows, "jsb_primary_sales": primary}, "2026-12-06T09:00")
    (low,) = of(found, "jsb.primary_coverage")
    assert low.values["成员销量"] == Decimal("15900.00") and "79.50%" in low.message
    primary["2026-11|徐州华联"]["一级销量"] = Decimal(19875)  # 15,900 / 19,875 = 80 % exactly → fine
    assert of(run(rules_dir, {"jsb_member": members, "jsb_sales": rows, "jsb_primary_sales": primary},
                  "2026-12-06T09:00"), "jsb.primary_coverage") == []


def test_the_shortfalls_of_sales_name_the_salesperson_who_acts(rules_dir: Path):
    """Seed 003 业务员操作程序 1–2 and 考核 3: the salesperson of a county picks its one or
    two members and sends their monthly purchase list, so what is short there is theirs:
    November's list of M01 (丰县, 王强) is missing, and 徐州华联's members reached 15,900 of
    20,000 in October (79.5 % < 80 %); 丰县 is 王强's, 沛县 李娜's, both supplied by 徐州华联.
    Each message names who acts, not “业务员” alone."""
    counties = {"丰县": {"县市": "丰县", "大区": "苏北", "责任业务员": "王强", "一级经销商": "徐州华联"},
                "沛县": {"县市": "沛县", "大区": "苏北", "责任业务员": "李娜", "一级经销商": "徐州华联"}}
    members = {"M01": MEMBER, "M02": {**MEMBER, "县市": "沛县"}}
    rows = dict([sales("2026-10", 7000, 9000), sales("2026-12", 7000, 9000)])
    rows["2026-10|M02"] = {"月份": "2026-10", "成员编号": "M02", "销量": Decimal(8900), "所在市场销量": Decimal(9000)}
    rows["2026-11|M02"] = rows["2026-12|M02"] = rows["2026-10|M02"]
    primary = {"2026-10|徐州华联": {"月份": "2026-10", "一级经销商": "徐州华联", "一级销量": Decimal(20000)}}
    found = run(rules_dir, {"jsb_county": counties, "jsb_member": members, "jsb_sales": rows,
                            "jsb_primary_sales": primary}, "2027-01-06T09:00")
    (missing,) = of(found, "jsb.sales_missing")
    assert missing.record == "2026-11|M01" and "请责任业务员王强补报" in missing.message
    assert missing.values["业务员"] == "王强"
    (low,) = of(found, "jsb.primary_coverage")
    assert "79.50%" in low.message and "业务员王强（丰县）、李娜（沛县）" in low.message
    assert low.values["业务员"] == ["王强", "李娜"]


def test_blank_market_gets_three_months_then_a_warning(rules_dir: Path):
    counties = {"睢宁": {"县市": "睢宁", "大区": "苏北", "责任业务员": "王强", "一级经销商": "徐州华联",
                        "空白起始日期": date(2026, 8, 15)},
                "丰县": {"县市": "丰县", "大区": "苏北", "责任业务员": "王强", "一级经销商": "徐州华联"}}
    members = {"M01": MEMBER, "M02": {**MEMBER}, "M03": {**MEMBER}}  # three in 丰县: one too many
    state = {"jsb_county": counties, "jsb_member": members}
    # 08-15 + 3 months = 11-15: the period is 08-15 … 11-14
    assert of(run(rules_dir, state, "2026-11-14T18:00"), "jsb.blank_market") == []
    (blank,) = of(run(rules_dir, state, "2026-11-15T09:00"), "jsb.blank_market")
    assert blank.record == "睢宁" and blank.values["开发期满"] == date(2026, 11, 14)
    (many,) = of(run(rules_dir, state, "2026-11-15T09:00"), "jsb.county_members")
    assert many.record == "丰县" and many.values["members"] == ["M01", "M02", "M03"]


def test_each_member_visited_and_called_every_month(rules_dir: Path):
    counties = {"丰县": {"县市": "丰县", "责任业务员": "王强"}}
    visits = {
        "2026-10-08|王强|M01|走访": {"日期": date(2026, 10, 8), "业务员": "王强", "成员编号": "M01", "方式": "走访"},
        "2026-10-20|王强|M01|电话调度": {"日期": date(2026, 10, 20), "业务员": "王强", "成员编号": "M01", "方式": "电话调度"},
        "2026-11-09|王强|M01|走访": {"日期": date(2026, 11, 9), "业务员": "王强", "成员编号": "M01", "方式": "走访"},
    }
    found = run(rules_dir, {"jsb_visit": visits, "jsb_member": {"M01": MEMBER}, "jsb_county": counties},
                "2026-12-02T09:00")
    (short,) = of(found, "jsb.visit_shortfall")  # October complete; November has no call
    assert short.record == "2026-11|M01" and short.values["电话调度"] == 0 and short.values["业务员"] == "王强"


def test_a_dealer_without_the_agreement_gets_it_to_sign(rules_dir: Path):
    found = run(rules_dir, {"jsb_member": {"M09": {**MEMBER, "协议签订日期": None, "状态": "拟发展"}}},
                "2026-12-02T09:00")
    (pending,) = of(found, "jsb.member_pending")
    assert pending.notice == "jsb_agreement" and pending.values["min_penalty"] == Decimal(50000)


# --- salespeople: reports, fines, pay ------------------------------------------------------------


def test_pay_of_the_seed_example_is_2380(rules_dir: Path):
    # seed 003: 2000×70% + 2000×30%×80% + 500 = 1400 + 480 + 500 = 2380 (20 counties, 4 blank)
    pay = {"2026-08|王强": {"月份": "2026-08", "业务员": "王强", "基本工资": Decimal(2000), "辖区县数": 20,
                            "有成员县数": 16, "实发工资": Decimal(2380)}}
    found = run(rules_dir, {"jsb_pay": pay}, "2026-09-06T09:00")
    (p,) = of(found, "jsb.pay")
    assert p.values["应发工资"] == Decimal("2380.00")
    assert (p.values["固定部分"], p.values["考核部分"], p.values["走访基金"]) == (Decimal("1400.00"), Decimal("480.00"),
                                                                      Decimal("500.00"))
    assert of(found, "jsb.pay_mismatch") == []


def test_network_rate_counted_from_the_registers_when_not_given(rules_dir: Path):
    # 王强 has 5 counties, members in 4 of them by 08-31 (a member joining 09-02 does not count):
    # 2000×70% + 2000×30%×4/5 + 500 = 1400 + 480 + 500 = 2380
    counties = {c: {"县市": c, "责任业务员": "王强"} for c in ("丰县", "沛县", "睢宁", "邳州", "新沂")}
    members = {f"M{i}": {**MEMBER, "县市": c} for i, c in enumerate(("丰县", "沛县", "睢宁", "邳州"))}
    members["M9"] = {**MEMBER, "县市": "新沂", "入会日期": date(2026, 9, 2)}
    pay = {"2026-08|王强": {"月份": "2026-08", "业务员": "王强", "基本工资": Decimal(2000)}}
    # His weekly visit lists of August sent on their Mondays: no fines (unlogged ones would be 漏报).
    reports = dict(log("王强", "联销体成员走访一览表", w, d) for w, d in
                   (("2026-W32", date(2026, 8, 10)), ("2026-W33", date(2026, 8, 17)), ("2026-W34", date(2026, 8, 24))))
    (p,) = of(run(rules_dir, {"jsb_pay": pay, "jsb_county": counties, "jsb_member": members,
                              "jsb_report_log": reports}, "2026-09-06T09:00"), "jsb.pay")
    assert (p.values["辖区县数"], p.values["有成员县数"], p.values["应发工资"]) == (5, 4, Decimal("2380.00"))


def log(who: str, report: str, period: str, sent: date | None, false: str = "否") -> tuple[str, dict[str, Any]]:
    return f"{who}|{report}|{period}", {"业务员": who, "报表": report, "期间": period, "实报日期": sent, "虚报": false}


def test_late_50_missing_200_and_the_fund_carries_the_rest(rules_dir: Path):
    # Monthly reports of 2026-09 and weekly W40 (09-28…10-04) are due 10-05, in the National
    # Day holiday (10-01…10-07): moved to Thursday 10-08, the first working day.
    # 进货统计表 2026-09 in on 10-09: late → 50.  走访一览表 W40 never in, past W41's due
    # Monday 10-12 → missing → 200.
    # 工作总结 2026-09 in on 11-06 (after the next due 11-05, a Thursday) → missing → 200 (not 50 + 200).
    # A fine belongs to the month it is settled in (seed: 在下拨走访基金时直接扣除): the 50 on
    # 10-09, W40's 200 on 10-13 (the day after its boundary) → October; the 工作总结's 200 on
    # 11-06 → November. October's fines: 250 ≤ fund 500 → fund pays 250, nothing carried:
    #   2000×70% + 2000×30%×80% + 500 − 250 = 2130.
    reports = dict([log("王强", "二级客户进货统计表", "2026-09", date(2026, 10, 9)),
                    log("王强", "联销体成员走访一览表", "2026-W40", None),
                    log("王强", "联销体工作总结", "2026-09", date(2026, 11, 6))])
    pay = {"2026-10|王强": {"月份": "2026-10", "业务员": "王强", "基本工资": Decimal(2000), "辖区县数": 20,
                            "有成员县数": 16}}
    found = run(rules_dir, {"jsb_pay": pay, "jsb_report_log": reports}, "2026-11-10T09:00")
    assert {f.record: f.values["fine"] for f in of(found, "jsb.report_late")} == {
        "王强|二级客户进货统计表|2026-09": Decimal("50.00")}
    assert sorted(f.values["fine"] for f in of(found, "jsb.report_missing")) == [Decimal("200.00")] * 2
    (p,) = of(found, "jsb.pay")
    assert (p.values["本月罚款"], p.values["扣款"], p.values["结转下月"]) == (Decimal("250.00"), Decimal("250.00"), 0)
    assert p.values["应发工资"] == Decimal("2130.00")
    (fine,) = of(found, "jsb.fines")
    assert fine.notice == "jsb_fine" and [i["期间"] for i in fine.values["fines"]] == ["2026-09", "2026-W40"]


def test_fines_beyond_the_visit_fund_are_carried_forward(rules_dir: Path):
    # Three missing weekly reports due in October: 3 × 200 = 600 > fund 500 → 500 deducted, 100 carried.
    # October: 1400 + 480 + 500 − 500 = 1880.  November: no new fines, 100 carried → 1400 + 480 + 500 − 100 = 2280.
    reports = dict(log("王强", "联销体成员走访一览表", w, None) for w in ("2026-W40", "2026-W41", "2026-W42"))
    pay = {f"{m}|王强": {"月份": m, "业务员": "王强", "基本工资": Decimal(2000), "辖区县数": 20, "有成员县数": 16}
           for m in ("2026-10", "2026-11")}
    found = run(rules_dir, {"jsb_pay": pay, "jsb_report_log": reports}, "2026-12-06T09:00")
    by_month = {f.values["月份"]: f.values for f in of(found, "jsb.pay")}
    assert (by_month["2026-10"]["扣款"], by_month["2026-10"]["结转下月"]) == (Decimal("500.00"), Decimal("100.00"))
    assert by_month["2026-10"]["应发工资"] == Decimal("1880.00")
    assert by_month["2026-11"]["扣款"] == Decimal("100.00") and by_month["2026-11"]["应发工资"] == Decimal("2280.00")


def test_a_report_not_due_yet_is_not_late_and_falsified_recalls(rules_dir: Path):
    reports = dict([log("李军", "二级客户进货统计表", "2026-11", None),
                    log("李军", "联销体成员走访一览表", "2026-W47", date(2026, 11, 23), false="是")])
    # 2026-11 is due 12-05, a Saturday: moved to Monday 12-07.
    found = run(rules_dir, {"jsb_report_log": reports}, "2026-12-07T17:00")  # due 12-07: still in time
    assert of(found, "jsb.report_late") == [] and of(found, "jsb.report_missing") == []
    (recall,) = of(found, "jsb.recall")
    assert recall.notice == "jsb_recall" and recall.record == "李军"
    (late,) = of(run(rules_dir, {"jsb_report_log": reports}, "2026-12-08T09:00"), "jsb.report_late")
    assert late.values["fine"] == Decimal("50.00")


def test_a_due_day_on_a_holiday_moves_to_the_next_working_day(rules_dir: Path):
    """SPEC §5 (民法典 第二百零三条): a due day that is not a working day moves to the next
    one, and so does the late→missing boundary (the next period's due day). 2026 National
    Day: 10-01…10-07 off, Thursday 10-08 the first working day (chinese_calendar)."""
    # W40 (09-28…10-04) due Monday 10-05 → 10-08; 张伟 sent it 10-08: on time, no fine.
    # 进货统计表 2026-09 due 10-05 → 10-08; sent 10-09: one day late → 50 元 (not four days).
    # W39 (09-21…09-27) due Monday 09-28 (a working day); missing after W40's due day, now
    #   10-08 (not 10-05): sent 10-07 → late (50), not missing (200).
    # 2026-08 due 09-05, a Saturday → Monday 09-07; missing after September's due day 10-08:
    #   sent 10-07 → late, 30 days (09-07 → 10-07).
    # An 应报日期 typed by staff (Saturday 10-03) stands as typed: sent 10-08 → 5 days late.
    reports = dict([log("张伟", "联销体成员走访一览表", "2026-W40", date(2026, 10, 8)),
                    log("张伟", "二级客户进货统计表", "2026-09", date(2026, 10, 9)),
                    log("张伟", "联销体成员走访一览表", "2026-W39", date(2026, 10, 7)),
                    log("张伟", "二级客户进货统计表", "2026-08", date(2026, 10, 7)),
                    log("张伟", "联销体工作总结", "2026-09", date(2026, 10, 8))])
    reports["张伟|联销体工作总结|2026-09"]["应报日期"] = date(2026, 10, 3)
    found = run(rules_dir, {"jsb_report_log": reports}, "2026-12-04T09:00")
    assert of(found, "jsb.report_missing") == []
    late = {f.record.split("|", 1)[1]: f for f in of(found, "jsb.report_late")}
    assert sorted(late) == ["二级客户进货统计表|2026-08", "二级客户进货统计表|2026-09", "联销体工作总结|2026-09",
                            "联销体成员走访一览表|2026-W39"]
    sept = late["二级客户进货统计表|2026-09"]
    assert sept.values["应报日期"] == date(2026, 10, 8) and sept.values["漏报界限"] == date(2026, 11, 5)
    assert sept.values["fine"] == Decimal("50.00") and "迟报 1 天" in sept.message
    # 10-05 is National Day, a statutory holiday, not a mere rest day; 09-05 is a Saturday.
    assert "2026-10-05 为法定节假日，顺延至下一个工作日" in sept.message, sept.message
    assert late["联销体成员走访一览表|2026-W39"].values["漏报界限"] == date(2026, 10, 8)
    aug = late["二级客户进货统计表|2026-08"]
    assert aug.values["应报日期"] == date(2026, 9, 7) and "迟报 30 天" in aug.message
    assert "2026-09-05 为休息日，顺延至下一个工作日" in aug.message, aug.message
    typed = late["联销体工作总结|2026-09"]
    assert typed.values["应报日期"] == date(2026, 10, 3) and "迟报 5 天" in typed.message and "顺延" not in typed.message
    # W40 never sent: missing only after W41's due day, Monday 10-12 (a working day).
    unsent = {"张伟|联销体成员走访一览表|2026-W40": log("张伟", "联销体成员走访一览表", "2026-W40", None)[1]}
    assert of(run(rules_dir, {"jsb_report_log": unsent}, "2026-10-08T18:00"), "jsb.report_late") == []
    (overdue,) = of(run(rules_dir, {"jsb_report_log": unsent}, "2026-10-09T09:00"), "jsb.report_late")
    assert overdue.values["漏报界限"] == date(2026, 10, 12)
    assert of(run(rules_dir, {"jsb_report_log": unsent}, "2026-10-12T18:00"), "jsb.report_missing") == []
    assert len(of(run(rules_dir, {"jsb_report_log": unsent}, "2026-10-13T09:00"), "jsb.report_missing")) == 1


def test_half_year_reward_is_4_per_mille_of_sales(rules_dir: Path):
    # Jul–Dec 2026: 6 × 10,000 + 5,000 = 65,000 → 65,000 × 0.004 = 260.00
    rows = dict(sales(f"2026-{m:02d}", 10000, 12000) for m in range(7, 13))
    rows["2026-12|M01"]["销量"] = Decimal(15000)
    found = run(rules_dir, {"jsb_member": {"M01": MEMBER}, "jsb_sales": rows}, "2027-01-10T09:00")
    (reward,) = of(found, "jsb.reward")
    assert reward.record == "2026-H2|M01" and reward.values["reward"] == Decimal("260.00")
    assert reward.values["rate_text"] == "4‰"
    assert of(run(rules_dir, {"jsb_member": {"M01": MEMBER}, "jsb_sales": rows}, "2026-12-31T09:00"), "jsb.reward") == []


def test_no_reward_for_a_member_whose_cancellation_is_drafted(rules_dir: Path):
    """M02 fell below 70 % in Oct, Nov and Dec: the cancellation is drafted in December but
    the member register still says 正式成员. January's reward run withholds its reward."""
    m02 = {**MEMBER, "经销商名称": "沛县永兴副食", "县市": "沛县", "铜牌编号": "T-018"}
    rows = dict(sales(f"2026-{m:02d}", 10000, 12000) for m in range(7, 13))  # M01: 65,000 → 260.00
    rows["2026-12|M01"]["销量"] = Decimal(15000)
    for month, sold in (("2026-07", 8000), ("2026-08", 8000), ("2026-09", 8000),
                        ("2026-10", 6900), ("2026-11", 6000), ("2026-12", 6999)):  # 69 %, 60 %, 69.99 %
        key, v = sales(month, sold, 10000)
        rows[key.replace("M01", "M02")] = {**v, "成员编号": "M02"}
    state = {"jsb_member": {"M01": MEMBER, "M02": m02}, "jsb_sales": rows}
    found = run(rules_dir, state, "2027-01-10T09:00")
    assert [f.record for f in of(found, "jsb.cancel_share")] == ["2026-12|M02"]
    assert [(f.record, f.values["reward"]) for f in of(found, "jsb.reward")] == [("2026-H2|M01", Decimal("260.00"))]
    (held,) = of(found, "jsb.reward_withheld")
    # 3 × 8,000 + 6,900 + 6,000 + 6,999 = 43,899 × 4 ‰ = 175.596 → 175.60, not paid
    assert held.record == "2026-H2|M02" and held.values["reward"] == Decimal("175.60") and held.notice is None
    assert "2026年12月已起草取消资格通知书" in held.message and "暂不发放" in held.message
    # Once the region records it as 已取消: neither a reward nor a withheld one.
    state["jsb_member"]["M02"] = {**m02, "状态": "已取消"}
    found = run(rules_dir, state, "2027-01-10T09:00")
    assert not [f for f in found if f.rule.startswith("jsb.reward") and f.values.get("成员编号") == "M02"]


def test_counterfeit_penalty_at_least_50000_and_80_percent_to_the_informer(rules_dir: Path):
    cases = {"F1": {"成员编号": "M01", "发现日期": date(2026, 11, 2), "举报人": "赵敏", "罚金": Decimal(50000),
                    "举报奖励": Decimal(40000), "铜牌收回": "是"},
             "F2": {"成员编号": "M02", "发现日期": date(2026, 11, 2), "举报人": "钱伟", "罚金": Decimal(30000),
                    "举报奖励": Decimal(30000)}}
    found = run(rules_dir, {"jsb_counterfeit": cases}, "2026-12-02T09:00")
    assert {f.record for f in found} == {"F2"}  # 50,000 × 80 % = 40,000: F1 is right
    assert {f.rule for f in found} == {"jsb.counterfeit_penalty", "jsb.counterfeit_reward", "jsb.counterfeit_plaque"}
    (reward,) = of(found, "jsb.counterfeit_reward")
    assert reward.values["expected"] == Decimal("24000.00")  # 30,000 × 80 %


# --- clubs -----------------------------------------------------------------------------------------------


CARD = {"车牌号": "苏C12345", "会员姓名": "孙丽", "所属支公司": "鼓楼支公司", "会员类型": "普通会员", "保单号": "PDAA2026001",
        "保险起期": date(2025, 12, 1), "保险止期": date(2026, 11, 30), "入会申请日期": date(2025, 12, 3)}


def test_membership_valid_to_policy_end_plus_10_days(rules_dir: Path):
    # 保险止期 11-30 + 10 days = 12-10. Renewal on 12-10 → automatic; on 12-11 → lapsed.
    on_time = run(rules_dir, {"club_member": {"K1": {**CARD, "续保日期": date(2026, 12, 10)}}}, "2026-12-12T09:00")
    (renewal,) = of(on_time, "club.renewal")
    assert renewal.values["有效期至"] == date(2026, 12, 10)
    assert renewal.values["新有效期至"] == date(2027, 12, 10)  # new policy to 2027-11-30, + 10 days
    assert renewal.notice == "club_renewal"
    late = run(rules_dir, {"club_member": {"K1": {**CARD, "续保日期": date(2026, 12, 11)}}}, "2026-12-12T09:00")
    assert of(late, "club.renewal") == [] and len(of(late, "club.lapsed")) == 1
    # QA: the clerk then enters the new policy (2026-12-01 to 2027-11-30) with the same 续保日期:
    # its end + 10 days is the renewed term, 2027-12-10 — not one more year (2028-12-10).
    renewed = {**CARD, "保险起期": date(2026, 12, 1), "保险止期": date(2027, 11, 30), "续保日期": date(2026, 12, 10)}
    (again,) = of(run(rules_dir, {"club_member": {"K1": renewed}}, "2027-01-10T09:00"), "club.renewal")
    assert again.values["新有效期至"] == date(2027, 12, 10)


def test_expiry_reminder_30_days_before_the_policy_ends(rules_dir: Path):
    state = {"club_member": {"K1": CARD}}
    assert of(run(rules_dir, state, "2026-10-30T09:00"), "club.expiry_reminder") == []  # 31 days before
    (rem,) = of(run(rules_dir, state, "2026-10-31T09:00"), "club.expiry_reminder")  # 30 days before
    assert rem.values["days_left"] == 30 and rem.values["有效期至"] == date(2026, 12, 10)
    marked = run(rules_dir, {"club_member": {"K1": {**CARD, "状态": "有效"}}}, "2026-12-11T09:00")
    assert len(of(marked, "club.validity")) == 1  # still marked 有效 the day after 12-10


def test_one_car_one_member_and_fees(rules_dir: Path):
    cards = {"K1": CARD, "K2": {**CARD, "会员姓名": "孙丽", "会费": Decimal(50)},
             "V1": {**CARD, "车牌号": "苏C88888", "会员类型": "VIP会员", "会费": Decimal(700), "会费年数": 2}}
    found = run(rules_dir, {"club_member": cards}, "2026-06-01T09:00")
    (dup,) = of(found, "club.one_car")
    assert dup.record == "K2"
    fees = {f.record: f.values["expected"] for f in of(found, "club.fee")}
    assert fees == {"K2": Decimal(0), "V1": Decimal("730.00")}  # ordinary free; VIP 365 × 2


def test_a_second_card_of_a_car_gets_no_expiry_reminder(rules_dir: Path):
    """一车一会员 (seed 003 第二篇 第四条): C0004 is the second valid card of 苏C12345, flagged
    to be cancelled; only C0001 is reminded. Policies end 12-20 and 2027-01-04: 30 days
    before is 11-20 and 12-05, so on 12-05 both are inside the reminder window."""
    cards = {"C0001": {**CARD, "会员姓名": "张三", "保险止期": date(2026, 12, 20)},
             "C0004": {**CARD, "会员姓名": "张三", "保险起期": date(2026, 1, 5), "保险止期": date(2027, 1, 4)}}
    found = run(rules_dir, {"club_member": cards}, "2026-12-05T09:00")
    assert [f.record for f in of(found, "club.one_car")] == ["C0004"]
    assert [f.record for f in of(found, "club.expiry_reminder")] == ["C0001"]
    # Alone on its car (C0001 cancelled), C0004 is reminded again.
    cards["C0001"]["状态"] = "注销"
    assert [f.record for f in of(run(rules_dir, {"club_member": cards}, "2026-12-05T09:00"),
                                 "club.expiry_reminder")] == ["C0004"]


# --- contracts -----------------------------------------------------------------------------------------------


CONTRACT = {"合同类型": "物业服务顾问协议", "甲方": "常州金城置业有限公司", "乙方": "某某物业顾问有限公司",
            "签订日期": date(2026, 3, 1), "委托费用": Decimal(120000), "违约金": Decimal(20000), "状态": "生效"}


def test_breach_notice_the_day_after_the_30th_day_overdue_and_not_before(rules_dir: Path):
    """Seed 000 第三篇 5(2): the client is in breach when a payment, overdue, is still not
    made after thirty days (the pack's own agreement text: 逾期满三十日仍未支付). Due Mon
    11-02, a working day (a date on a rest day moves: test_dealer_qa8): day 1 is 11-03,
    day 30 is 12-02 (11-02 + 30), and the client may still pay all of that day. So on
    12-02 it is a reminder still; Thu 12-03 (day 31) the grace is over: breach, 违约金."""
    pay = {"HT-01|2": {"合同编号": "HT-01", "期次": 2, "应付日期": date(2026, 11, 2), "应付金额": Decimal(40000),
                       "实付金额": Decimal(10000)}}
    state = {"contract": {"HT-01": CONTRACT}, "contract_payment": pay}
    assert of(run(rules_dir, state, "2026-11-02T18:00"), "contract.overdue") == []  # the due day itself
    (first,) = of(run(rules_dir, state, "2026-11-03T09:00"), "contract.overdue")  # day 1 → reminder
    assert first.values["tier"] == 1 and first.values["欠付金额"] == Decimal("30000.00")
    (day30,) = of(run(rules_dir, state, "2026-12-02T18:00"), "contract.overdue")  # 12-02 − 11-02 = 30
    assert day30.values["tier"] == 1 and day30.values["days_overdue"] == 30 and day30.severity == "warning"
    (day31,) = of(run(rules_dir, state, "2026-12-03T09:00"), "contract.overdue")  # grace over → breach
    assert day31.values["tier"] == 2 and day31.values["days_overdue"] == 31
    assert day31.values["违约金"] == Decimal(20000) and day31.severity == "error"


def test_an_ended_contract_is_not_dunned_with_letters(rules_dir: Path):
    """QA: HT-A 解除 on 2027-01-20. Installment 3 fell due 01-31, after the end: not owed.
    Installment 2 fell due 12-31, before it, and is unpaid: still a finding (31 days on
    02-01, 财务部 to pursue) but no 违约通知书 threatening to end what has ended."""
    ended = {**CONTRACT, "状态": "解除", "解除日期": date(2027, 1, 20), "书面通知日期": date(2027, 1, 10)}
    pay = {f"HT-A|{n}": {"合同编号": "HT-A", "期次": n, "应付日期": due, "应付金额": Decimal(30000)}
           for n, due in ((2, date(2026, 12, 31)), (3, date(2027, 1, 31)))}
    (owed,) = of(run(rules_dir, {"contract": {"HT-A": ended}, "contract_payment": pay}, "2027-02-01T09:00"),
                 "contract.overdue")
    assert owed.record == "HT-A|2" and owed.notice is None
    assert "合同已于 2027-01-20 解除，欠款请财务部另行追收" in owed.message


@pytest.mark.parametrize("status", ["终止", "解除"])
def test_an_ended_contract_without_its_day_is_not_dunned_either(rules_dir: Path, status: str):
    """HT-B marked ended with neither 解除日期 nor 委托期限止: instalment 2 (due 12-31,
    unpaid) is 33 days late on 2027-02-02, a breach (its 30th day, Sat 01-30, moved to Mon
    02-01), yet no 违约通知书 is drafted; 财务部 pursues it, and the register is asked for
    the day on its own row."""
    ended = {**CONTRACT, "状态": status, "书面通知日期": date(2027, 1, 10)}
    pay = {"HT-B|2": {"合同编号": "HT-B", "期次": 2, "应付日期": date(2026, 12, 31), "应付金额": Decimal(30000)}}
    found = run(rules_dir, {"contract": {"HT-B": ended}, "contract_payment": pay}, "2027-02-02T09:00")
    (owed,) = of(found, "contract.overdue")
    assert owed.notice is None and owed.values["tier"] == 2 and owed.values["欠付金额"] == Decimal("30000.00")
    assert f"合同已（解除日期未登记）{status}，欠款请财务部另行追收" in owed.message
    (ask,) = of(found, "contract.end_date")
    assert ask.record == "HT-B" and ask.register == "contract"
    dated = {**ended, "委托期限止": date(2027, 1, 20)}  # the term's end stands for the day
    assert of(run(rules_dir, {"contract": {"HT-B": dated}}, "2027-02-01T09:00"), "contract.end_date") == []


def test_termination_needs_a_written_notice_date(rules_dir: Path):
    found = run(rules_dir, {"contract": {"HT-02": {**CONTRACT, "状态": "解除", "解除日期": date(2026, 11, 1)}}},
                "2026-11-02T09:00")
    assert len(of(found, "contract.termination")) == 1
    ok = run(rules_dir, {"contract": {"HT-02": {**CONTRACT, "状态": "解除", "解除日期": date(2026, 11, 1),
                                                "书面通知日期": date(2026, 10, 1)}}}, "2026-11-02T09:00")
    assert of(ok, "contract.termination") == []


def test_consulting_phases_of_4_2_and_2_months(rules_dir: Path):
    # Signed 03-01: 前期 03-01…06-30; 中期 07-01…08-31; 评估 09-01…10-31.
    phases = {"HT-01|前期阶段": {"实际完成": date(2026, 6, 30)},
              "HT-01|中期现场执行情况跟踪": {"实际完成": date(2026, 9, 3)},
              "HT-01|管理评估与持续改进": {}}
    found = run(rules_dir, {"consulting_phase": phases, "contract": {"HT-01": CONTRACT}}, "2026-10-31T09:00")
    (late,) = of(found, "consulting.phase_late")
    assert late.record == "HT-01|中期现场执行情况跟踪" and late.values["计划结束"] == date(2026, 8, 31)
    found = run(rules_dir, {"consulting_phase": phases, "contract": {"HT-01": CONTRACT}}, "2026-11-01T09:00")
    assert {f.record for f in of(found, "consulting.phase_late")} == {"HT-01|中期现场执行情况跟踪",
                                                                     "HT-01|管理评估与持续改进"}


# --- QA round 2: reports never logged, member codes, cancellations, fines after the fund --------


@pytest.fixture(scope="module")
def founded_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site whose body was founded 2026-07-01: the first half-year ends 2026-12-31."""
    home = tmp_path_factory.mktemp("dealer_founded")
    init_workspace(home, ["dealer"])
    settings = home / "rules" / "dealer.yaml"
    text = settings.read_text(encoding="utf-8")
    assert "founded: null" in text
    settings.write_text(text.replace("founded: null", "founded: 2026-07-01"), encoding="utf-8")
    return home / "rules"


def test_a_report_nobody_logged_is_missing_and_fined(founded_dir: Path):
    """李娜 (责任业务员 of 新沂市) logged W32–W34 and the August sales statistics, then
    nothing. Judged 2026-10-12 (09:00):
      W35 (08-24…08-30) due Mon 08-31, missing after W36's due day 09-07 → 漏报
      W36 due 09-07 → after 09-14; W37 09-14 → 09-21; W38 09-21 → 09-28; W39 09-28 → W40's
        due day 10-05 (National Day) → 10-08: all past → 漏报
      W40 due 10-05 → 10-08, missing after 10-12: not past yet (today is 10-12)
      the 工作总结 is the 联销主任's (seed 003 lists the salesperson's visit list and purchase
        list only): not owed when nothing is logged
      2026-09 monthly reports: missing after 11-05 → not yet
    = 5 × 200. Fines by the month each became 漏报 (the day after its boundary): W35 09-08,
    W36 09-15, W37 09-22, W38 09-29 → September 800; W39 10-09 → October (no pay row).
    Pay (辖区 1 县, 有成员 1 县 → 100 %): August 1400 + 600 + 500 = 2,500 (nothing settled in it);
    September owes 800 > fund 500 → 500 deducted, 300 carried: 1400 + 600 + 500 − 500 = 2,000.
    张伟 has no pay or report row: when he started is not known → nothing invented.
    王强 is paid but answers for no county in 县级市场登记 → owes no reports here."""
    counties = {"新沂市": {"县市": "新沂市", "责任业务员": "李娜"}, "铜山县": {"县市": "铜山县", "责任业务员": "张伟"}}
    reports = dict([log("李娜", "联销体成员走访一览表", "2026-W32", date(2026, 8, 10)),
                    log("李娜", "联销体成员走访一览表", "2026-W33", date(2026, 8, 17)),
                    log("李娜", "联销体成员走访一览表", "2026-W34", date(2026, 8, 24)),
                    log("李娜", "二级客户进货统计表", "2026-08", date(2026, 9, 4))])
    pay = {f"{m}|{who}": {"月份": m, "业务员": who, "基本工资": Decimal(2000), "辖区县数": n, "有成员县数": k}
           for m in ("2026-08", "2026-09") for who, n, k in (("李娜", 1, 1), ("王强", 20, 16))}
    state = {"jsb_county": counties, "jsb_report_log": reports, "jsb_pay": pay}
    found = run(founded_dir, state, "2026-10-12T09:00")
    missing = of(found, "jsb.report_missing")
    assert sorted(f.record for f in missing) == [f"李娜|联销体成员走访一览表|2026-W{w}" for w in range(35, 40)]
    assert all(f.values["fine"] == Decimal("200.00") and f.values["kind"] == "漏报" for f in missing)
    w35 = next(f for f in missing if f.record.endswith("W35"))
    assert w35.values["应报日期"] == date(2026, 8, 31) and w35.values["漏报界限"] == date(2026, 9, 7)
    assert "报表上报登记中没有这一期" in w35.message and "业务员李娜" in w35.message
    by = {(f.values["业务员"], f.values["月份"]): f.values for f in of(found, "jsb.pay")}
    assert by[("李娜", "2026-08")]["应发工资"] == Decimal("2500.00")
    assert (by[("李娜", "2026-09")]["本月罚款"], by[("李娜", "2026-09")]["扣款"], by[("李娜", "2026-09")]["结转下月"]) == (
        Decimal("800.00"), Decimal("500.00"), Decimal("300.00"))
    assert by[("李娜", "2026-09")]["应发工资"] == Decimal("2000.00")
    assert by[("王强", "2026-09")]["扣款"] == Decimal("0.00")
    # Logged late (W39 due 09-28, sent 10-06, before its missing boundary 10-08): the 50 of a
    # late report replaces the 200.
    reports.update([log("李娜", "联销体成员走访一览表", "2026-W39", date(2026, 10, 6))])
    found = run(founded_dir, state, "2026-10-12T09:00")
    assert "李娜|联销体成员走访一览表|2026-W39" not in {f.record for f in of(found, "jsb.report_missing")}
    (late,) = [f for f in of(found, "jsb.report_late") if f.status == "late"]
    assert late.record == "李娜|联销体成员走访一览表|2026-W39" and late.values["fine"] == Decimal("50.00")
    # Due and unlogged, but within their missing limits on 10-12: W40 (due 10-08, limit 10-12)
    # and September's purchase list (due 10-08, limit 11-05): said overdue, charged nothing yet.
    owed = [f for f in of(found, "jsb.report_late") if f.status == "overdue"]
    assert sorted(f.record for f in owed) == ["李娜|二级客户进货统计表|2026-09", "李娜|联销体成员走访一览表|2026-W40"]
    assert all(f.values["计入日期"] is None for f in owed)
    # September's purchase list arrived as rows of 二级客户进货统计表 by 李娜: received, so
    # never 漏报 (judged 11-10, after its missing boundary 11-05); W40–W44 are, and after a
    # false report found in W41 (调回待岗) nothing more is owed: W40 alone.
    state["jsb_sales"] = {"2026-09|M01": {"月份": "2026-09", "成员编号": "M01", "填报业务员": "李娜",
                                          "销量": Decimal(8000), "所在市场销量": Decimal(10000)}}
    reports.update([log("李娜", "联销体成员走访一览表", "2026-W41", date(2026, 10, 19))])
    reports["李娜|联销体成员走访一览表|2026-W41"]["虚报"] = "是"
    later = {f.record for f in of(run(founded_dir, state, "2026-11-10T09:00"), "jsb.report_missing")}
    assert "李娜|二级客户进货统计表|2026-09" not in later
    assert sorted(r for r in later if r > "李娜|联销体成员走访一览表|2026-W39") == ["李娜|联销体成员走访一览表|2026-W40"]


def test_after_the_first_half_year_the_visit_list_is_owed_monthly(founded_dir: Path):
    """Founded 2026-07-01: W53 (2026-12-28…2027-01-03) begins inside the first half-year, so
    it is the last weekly list; 2027-01 is owed as a monthly list (due 02-05, missing after
    03-05). Judged 2027-03-08 with 张伟 present since his 2026-12 pay row and every weekly
    list and monthly report logged up to 2026-12: what is left is 2027-01's visit list,
    sales statistics and summary (2027-02's are missing only after 04-05)."""
    weeks = [f"2026-W{w}" for w in range(49, 54)]
    reports = dict(log("张伟", "联销体成员走访一览表", w, date(2026, 12, 1)) for w in weeks)
    reports.update(log("张伟", r, "2026-12", date(2027, 1, 4)) for r in ("二级客户进货统计表", "联销体工作总结"))
    state = {"jsb_county": {"铜山县": {"县市": "铜山县", "责任业务员": "张伟"}}, "jsb_report_log": reports,
             "jsb_pay": {"2026-12|张伟": {"月份": "2026-12", "业务员": "张伟", "基本工资": Decimal(2000)}}}
    found = run(founded_dir, state, "2027-03-08T09:00")
    assert sorted(f.record for f in of(found, "jsb.report_missing")) == [
        "张伟|二级客户进货统计表|2027-01", "张伟|联销体成员走访一览表|2027-01"]


MEMBER_CODES = {"M001": {**MEMBER, "经销商名称": "铜山县利民副食店", "县市": "铜山县"}}


def test_member_codes_are_read_whatever_their_case(rules_dir: Path):
    """A visit typed m001 is M001's: October has its visit (10-31, typed m001) and its call
    (10-12) → no shortfall. A visit and a penalty naming M009, which the register lacks, are
    said (they counted for nobody). A sales row typed m001 is M001's too (no unknown member)."""
    visits = {
        "2026-10-12|张伟|M001|电话调度": {"日期": date(2026, 10, 12), "业务员": "张伟", "成员编号": "M001", "方式": "电话调度"},
        "2026-10-31|张伟|m001|走访": {"日期": date(2026, 10, 31), "业务员": "张伟", "成员编号": "m001", "方式": "走访"},
        "2026-10-20|张伟|M009|走访": {"日期": date(2026, 10, 20), "业务员": "张伟", "成员编号": "M009", "方式": "走访"},
    }
    penalty = {"F2026-03": {"处罚编号": "F2026-03", "成员编号": "M009", "发现日期": date(2026, 9, 12),
                            "罚金": Decimal(60000), "铜牌收回": "是"}}
    rows = {"2026-10|m001": {"月份": "2026-10", "成员编号": "m001", "销量": Decimal(8000), "所在市场销量": Decimal(10000)}}
    found = run(rules_dir, {"jsb_visit": visits, "jsb_member": MEMBER_CODES, "jsb_counterfeit": penalty,
                            "jsb_sales": rows, "jsb_county": {"铜山县": {"县市": "铜山县", "责任业务员": "张伟"}}},
                "2026-11-02T09:00")
    assert of(found, "jsb.visit_shortfall") == []
    (visit,) = of(found, "jsb.visit_unknown_member")
    assert visit.record == "2026-10-20|张伟|M009|走访" and "业务员张伟" in visit.message
    (pen,) = of(found, "jsb.counterfeit_unknown_member")
    assert pen.record == "F2026-03" and "M009" in pen.message
    assert of(found, "jsb.sales_unknown_member") == [] and of(found, "jsb.cancel_conduct") == []


def test_a_cancelled_member_is_still_judged_for_the_months_before(rules_dir: Path):
    """M01 cancelled 2027-01-08. Visits start 2026-09 (visited and called); October to
    December have none → three shortfalls; January (cancelled before its end) is not judged.
    Sales: 09 and 12 given, M02 reports up to 2027-01 → M01's 10 and 11 are missing; 2027-01
    is not (no longer a member at its end). The cancellation itself is done: none drafted."""
    gone = {**MEMBER, "状态": "已取消", "取消日期": date(2027, 1, 8), "取消原因": "连续三个月销量低于70%"}
    visits = {f"2026-09-0{d}|王强|M01|{how}": {"日期": date(2026, 9, d), "业务员": "王强", "成员编号": "M01", "方式": how}
              for d, how in ((3, "走访"), (4, "电话调度"))}
    rows = dict([sales("2026-09", 5000, 10000), sales("2026-12", 5000, 10000)])
    rows["2027-01|M02"] = {"月份": "2027-01", "成员编号": "M02", "销量": Decimal(9000), "所在市场销量": Decimal(10000)}
    members = {"M01": gone, "M02": {**MEMBER, "县市": "沛县"}}
    found = run(rules_dir, {"jsb_visit": visits, "jsb_member": members, "jsb_sales": rows}, "2027-02-02T09:00")
    assert [f.record for f in of(found, "jsb.visit_shortfall") if f.record.endswith("|M01")] == [
        "2026-10|M01", "2026-11|M01", "2026-12|M01"]
    assert [f.record for f in of(found, "jsb.sales_missing")] == ["2026-10|M01", "2026-11|M01"]
    assert of(found, "jsb.cancel_share") == []
    # Judged after its 取消日期, they are its history: closed, asking nobody for anything.
    about_m01 = [f for f in [*of(found, "jsb.visit_shortfall"), *of(found, "jsb.sales_missing")]
                 if f.record.endswith("|M01")]
    assert {f.status for f in about_m01} == {"resolved"}
    assert all("已于 2027-01-08 取消资格，此项无需再处理" in f.message for f in about_m01)
    assert {f.status for f in of(found, "jsb.visit_shortfall") if f.record.endswith("|M02")} == {"open"}


def test_fines_after_the_fund_period_come_from_pay_and_carry_is_said(founded_dir: Path):
    """Founded 2026-07-01: the fund is paid to 2026-12. 张伟 (20 县, 16 with members: 480):
    November: W44 (due 11-02), W45 (11-09), W46 (11-16) never sent → 3 × 200 漏报; W47 due
      11-23 sent 11-24 → 50: owes 650 > fund 500 → 500 from the fund, 150 carried;
      pay 1400 + 480 + 500 − 500 = 1,880.
    December: W49 (due 12-07) never sent → 200, + 150 carried = 350 ≤ 500 → all from the fund;
      pay 1400 + 480 + 500 − 350 = 2,030; the text says the 150 carried.
    January 2027: no fund; 2026-12 statistics due 01-05, sent 01-06 → 50 from pay:
      1400 + 480 + 0 − 50 = 1,830."""
    reports = dict([*(log("张伟", "联销体成员走访一览表", f"2026-W{w}", None) for w in (44, 45, 46, 49)),
                    log("张伟", "联销体成员走访一览表", "2026-W47", date(2026, 11, 24)),
                    log("张伟", "二级客户进货统计表", "2026-12", date(2027, 1, 6))])
    pay = {f"{m}|张伟": {"月份": m, "业务员": "张伟", "基本工资": Decimal(2000), "辖区县数": 20, "有成员县数": 16}
           for m in ("2026-11", "2026-12", "2027-01")}
    found = run(founded_dir, {"jsb_pay": pay, "jsb_report_log": reports}, "2027-02-10T09:00")
    by = {f.values["月份"]: f for f in of(found, "jsb.fines")}
    assert [by[m].values["应发工资"] for m in ("2026-11", "2026-12", "2027-01")] == [
        Decimal("1880.00"), Decimal("2030.00"), Decimal("1830.00")]
    nov, dec_, jan = by["2026-11"], by["2026-12"], by["2027-01"]
    assert "从走访基金扣 500.00 元，结转下月 150.00 元" in nov.message and nov.values["扣自"] == "走访基金"
    assert "罚款 200.00 元，加上月结转 150.00 元，共 350.00 元，从走访基金扣 350.00 元" in dec_.message
    assert dec_.values["结转说明"] == "（含上月结转 150.00 元）"
    assert "从走访基金扣" not in jan.message and "从当月工资扣 50.00 元" in jan.message
    assert jan.values["扣自"] == "工资" and jan.values["走访基金"] == Decimal("0.00")


def test_a_counterfeit_penalty_cancels_the_member_and_holds_its_reward(rules_dir: Path):
    """F2026-02: M02 fined 50,000 on 2026-09-12 (plaque recalled) → the cancellation is
    drafted as for a sales row marked 发现假冒, and its 2026 H2 reward (30,000 × 4 ‰ = 120.00)
    is held. A member already 已取消 gets no second notice."""
    members = {"M02": {**MEMBER, "经销商名称": "铜山县百货批发部"}, "M03": {**MEMBER, "状态": "已取消",
                                                                  "取消日期": date(2026, 9, 1), "取消原因": "其他渠道进货"}}
    penalty = {"F2026-02": {"处罚编号": "F2026-02", "成员编号": "M02", "发现日期": date(2026, 9, 12), "举报人": "孙某",
                            "罚金": Decimal(50000), "举报奖励": Decimal(40000), "铜牌收回": "是"},
               "F2026-04": {"处罚编号": "F2026-04", "成员编号": "M03", "发现日期": date(2026, 9, 20),
                            "罚金": Decimal(50000), "铜牌收回": "是"}}
    rows = {"2026-09|M02": {"月份": "2026-09", "成员编号": "M02", "销量": Decimal(30000), "所在市场销量": Decimal(40000)},
            # M04's sales row already says 发现假冒: the penalty is a second cause of the same notice
            "2026-09|M04": {"月份": "2026-09", "成员编号": "M04", "销量": Decimal(9000), "所在市场销量": Decimal(10000),
                            "发现假冒": "是"}}
    members["M04"] = {**MEMBER}
    penalty["F2026-05"] = {"处罚编号": "F2026-05", "成员编号": "M04", "发现日期": date(2026, 9, 20),
                           "罚金": Decimal(50000), "铜牌收回": "是"}
    found = run(rules_dir, {"jsb_member": members, "jsb_counterfeit": penalty, "jsb_sales": rows}, "2027-01-10T09:00")
    cancel, second = [f for f in of(found, "jsb.cancel_conduct") if f.register == "jsb_counterfeit"]
    assert [f.record for f in of(found, "jsb.cancel_conduct") if f.register == "jsb_sales"] == ["2026-09|M04"]
    assert cancel.register == "jsb_counterfeit" and cancel.record == "F2026-02" and cancel.notice is None
    assert cancel.values["月份"] == "2026-09" and "50,000.00" in cancel.values["acts"][0]
    assert second.record == "F2026-05"
    # One notice per member (M03 is 已取消 already: none): M04's gives its two causes.
    notices = {f.record: f for f in of(found, "jsb.cancel")}
    assert sorted(notices) == ["M02", "M04"] and all(f.notice == "jsb_cancel" for f in notices.values())
    assert [c["text"] for c in notices["M04"].values["causes"]] == [
        "2026年9月销售假冒伪劣产品（处罚编号 F2026-05，罚金 50,000.00 元）", "2026年9月销售假冒伪劣产品"]
    assert of(found, "jsb.reward") == []
    held = {f.values["成员编号"]: f.values["reward"] for f in of(found, "jsb.reward_withheld")}
    assert held == {"M02": Decimal("120.00"), "M04": Decimal("36.00")}  # 9,000 × 4 ‰ = 36.00


def test_pay_after_the_fund_period_is_never_negative(founded_dir: Path):
    """Base 500 (20 县, 16 with members): 350 + 150 × 80 % = 470 before fund and fines.
    W49–W52 (due 12-07, 12-14, 12-21, 12-28) and November's two monthly reports (due 12-05 →
    12-07) never sent → 6 × 200, each in the month it became 漏报 (the day after its boundary):
    W49–W51 on 12-15, 12-22, 12-29 → December 600 > fund 500 → 500 deducted, 100 carried;
      pay 470 + 500 − 500 = 470.
    W52 (boundary 2027-01-04) and the two monthly reports (boundary 01-05) → January 600 + 100
      carried = 700 owed, no fund, > 470 → 470 from pay (pay 0.00), 230 carried to February."""
    reports = dict([*(log("王强", "联销体成员走访一览表", f"2026-W{w}", None) for w in (49, 50, 51, 52)),
                    *(log("王强", r, "2026-11", None) for r in ("二级客户进货统计表", "联销体工作总结"))])
    pay = {f"{m}|王强": {"月份": m, "业务员": "王强", "基本工资": Decimal(500), "辖区县数": 20, "有成员县数": 16}
           for m in ("2026-12", "2027-01")}
    found = run(founded_dir, {"jsb_pay": pay, "jsb_report_log": reports}, "2027-02-10T09:00")
    by = {f.values["月份"]: f.values for f in of(found, "jsb.pay")}
    assert (by["2026-12"]["扣款"], by["2026-12"]["结转下月"], by["2026-12"]["应发工资"]) == (
        Decimal("500.00"), Decimal("100.00"), Decimal("470.00"))
    assert (by["2027-01"]["扣款"], by["2027-01"]["结转下月"], by["2027-01"]["应发工资"]) == (
        Decimal("470.00"), Decimal("230.00"), Decimal("0.00"))


def test_no_fine_notice_for_a_report_owed_after_the_recall(founded_dir: Path):
    """李娜's W41 visit list (10-05…10-11) was found false: she is recalled to 待岗 and owes
    no report of a later period. Her region still logs a W43 row with no 实报日期; W43 was
    due Mon 10-26 and would be 漏报 from 11-03. No 200 元 is charged to her November pay and
    her November 扣款通知 does not list it: November's own fines are 0; only the 300 元
    carried from October (W36–W39 unlogged, before the recall: 800 − fund 500) comes off,
    so she gets 1,400 + 600 + 500 − 300 = 2,200."""
    reports = dict([log("李娜", "联销体成员走访一览表", "2026-W40", date(2026, 10, 8)),
                    log("李娜", "联销体成员走访一览表", "2026-W41", date(2026, 10, 12), "是"),
                    log("李娜", "联销体成员走访一览表", "2026-W43", None),
                    log("李娜", "二级客户进货统计表", "2026-09", date(2026, 10, 8)),
                    log("李娜", "二级客户进货统计表", "2026-10", date(2026, 11, 5))])
    pay = {f"{m}|李娜": {"月份": m, "业务员": "李娜", "基本工资": Decimal(2000), "辖区县数": 1, "有成员县数": 1}
           for m in ("2026-10", "2026-11")}
    state = {"jsb_county": {"新沂市": {"县市": "新沂市", "责任业务员": "李娜"}}, "jsb_report_log": reports, "jsb_pay": pay}
    found = run(founded_dir, state, "2026-12-01T09:00")
    (november,) = [f for f in of(found, "jsb.pay") if f.record == "2026-11|李娜"]
    assert november.values["本月罚款"] == Decimal("0.00") and november.values["应发工资"] == Decimal("2200.00")
    (notice,) = [f for f in of(found, "jsb.fines") if f.record == "2026-11|李娜"]
    assert not [i for i in notice.values["fines"] if i["期间"] == "2026-W43"] and "罚款 0.00 元" in notice.message
