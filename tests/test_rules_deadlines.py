"""Deadlines of SPEC §3 on the right clock, worked out by hand.

2026 arrangement (chinese_calendar 1.11): Mid-Autumn 09-25 (Fri)–09-27 (Sun) off, Sunday
09-20 a make-up working day; National Day 10-01 (Thu)–10-07 (Wed) off, Saturday 10-10 a
make-up working day. 2027 is unknown to the package: weekends-only fallback.
Business hours 08:30–12:00 and 13:30–17:30; "n working days" ends at 17:30.
"""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from rules_helpers import RULES, dt, pick, rules_of, run

from toolkit.ruleset import evaluate_all, load_ruleset
from toolkit.workcal import WorkCalendar, load_calendar


def repair(key="R1", **v):
    base = {"单号": key, "房号": "1-101", "报修时间": dt("2026-11-23T09:00"), "维修内容": "水管爆裂", "紧急程度": "一般"}
    return {"repair": {key: {**base, **v}}}


# ---- repairs ---------------------------------------------------------------------------


def test_urgent_arrival_equal_to_now_is_not_overdue():
    state = repair(紧急程度="紧急")
    # 09:00 + 30 min = 09:30; now == due → due soon, not overdue
    f = pick(run(state, "2026-11-23T09:30"), "repair.arrival")
    assert (f.due, f.status, f.overdue_minutes) == (dt("2026-11-23T09:30"), "due_soon", None)
    # one minute later → overdue by 1 minute
    f = pick(run(state, "2026-11-23T09:31"), "repair.arrival")
    assert (f.status, f.overdue_minutes) == ("overdue", 1)
    assert "已超时1分钟" in f.message


def test_urgent_arrival_uses_completion_when_no_arrival_column():
    # done 09:25 <= due 09:30 → met
    f = pick(run(repair(紧急程度="紧急", 完成时间=dt("2026-11-23T09:25")), "2026-11-23T12:00"), "repair.arrival")
    assert f.status == "met" and f.severity == "info"
    # 到场时间 09:40 is 10 min after 09:30 → late 10 even though done 11:00
    f = pick(run(repair(紧急程度="紧急", 到场时间=dt("2026-11-23T09:40"), 完成时间=dt("2026-11-23T11:00")),
                 "2026-11-23T12:00"), "repair.arrival")
    assert (f.status, f.overdue_minutes) == ("late", 10)


def test_appointment_grace_boundary():
    # appointment 14:00 + 30 min grace = 14:30; done exactly 14:30 → met
    f = pick(run(repair(预约时间=dt("2026-11-23T14:00"), 完成时间=dt("2026-11-23T14:30")), "2026-11-23T18:00"),
             "repair.appointment")
    assert (f.due, f.status) == (dt("2026-11-23T14:30"), "met")
    # done 14:31 → late by 1 minute
    f = pick(run(repair(预约时间=dt("2026-11-23T14:00"), 完成时间=dt("2026-11-23T14:31")), "2026-11-23T18:00"),
             "repair.appointment")
    assert (f.status, f.overdue_minutes) == ("late", 1)
    # urgent repairs have the arrival deadline instead
    assert "repair.appointment" not in rules_of(run(repair(紧急程度="紧急", 预约时间=dt("2026-11-23T14:00")),
                                                    "2026-11-23T10:00"))


def test_unfinished_at_five_pm():
    # reported 09:00, not done: on the list due 17:00 the same day; 17:00 itself not overdue
    assert pick(run(repair(), "2026-11-23T17:00"), "repair.unfinished").status == "due_soon"
    f = pick(run(repair(), "2026-11-23T17:01"), "repair.unfinished")
    assert (f.due, f.status, f.overdue_minutes) == (dt("2026-11-23T17:00"), "overdue", 1)
    # reported 17:30 (after the cutoff) → next day's list, due 11-24 17:00
    f = pick(run(repair(报修时间=dt("2026-11-23T17:30")), "2026-11-23T18:00"), "repair.unfinished")
    assert (f.due, f.status) == (dt("2026-11-24T17:00"), "pending")
    # done 15:00 → met
    assert pick(run(repair(完成时间=dt("2026-11-23T15:00")), "2026-11-23T18:00"), "repair.unfinished").status == "met"


def test_repair_callback_on_the_day_of_completion():
    # Seed 001 报修 4 "当日…回访": done Mon 11-23 10:00 → due 11-23 23:59.
    f = pick(run(repair(完成时间=dt("2026-11-23T10:00")), "2026-11-23T12:00"), "repair.callback")
    assert (f.due, f.status) == (dt("2026-11-23T23:59"), "pending")
    # called back 11-23 20:00 → met
    f = pick(run(repair(完成时间=dt("2026-11-23T10:00"), 回访时间=dt("2026-11-23T20:00")), "2026-11-24T09:00"),
             "repair.callback")
    assert f.status == "met"
    # called back the next morning 11-24 09:00: 23:59 → 09:00 = 9 h 1 min = 541 min late
    f = pick(run(repair(完成时间=dt("2026-11-23T10:00"), 回访时间=dt("2026-11-24T09:00")), "2026-11-24T10:00"),
             "repair.callback")
    assert (f.status, f.overdue_minutes) == ("late", 541)


def test_repair_callback_does_not_wait_for_a_working_day():
    # Done Fri 11-27 16:00: due Fri 23:59, not Monday; nobody called → at Mon 11-30 09:00
    # overdue 2 days 9 h 1 min = 2×1440 + 541 = 3421 min.
    f = pick(run(repair(报修时间=dt("2026-11-27T09:00"), 完成时间=dt("2026-11-27T16:00")), "2026-11-30T09:00"),
             "repair.callback")
    assert (f.due, f.status, f.overdue_minutes) == (dt("2026-11-27T23:59"), "overdue", 3421)
    # Done Wed 09-30 16:00 before National Day: still the same day, 09-30 23:59.
    f = pick(run(repair(报修时间=dt("2026-09-30T09:00"), 完成时间=dt("2026-09-30T16:00")), "2026-09-30T17:00"),
             "repair.callback")
    assert f.due == dt("2026-09-30T23:59")


def important(taken: str):
    return {"complaint": {"C1": complaint(等级="重要", 受理时间=dt(taken))}}


@pytest.fixture(scope="module")
def workdays(tmp_path_factory):
    """A site that reads 重要 "1日内" as one working day (rules/sla.yaml ``clock: workdays``):
    the shipped clock is the calendar's (seed 001), the working-day clock is tested here."""
    rules = tmp_path_factory.mktemp("workdays") / "rules"
    shutil.copytree(RULES, rules)
    sla = rules / "sla.yaml"
    text = sla.read_text(encoding="utf-8")
    old = "important:        {clock: calendar,"
    assert old in text
    sla.write_text(text.replace(old, "important:        {clock: workdays,"), encoding="utf-8")
    ruleset = load_ruleset(rules)
    return lambda state, now, cal=None: evaluate_all(state, ruleset, cal or load_calendar(rules), dt(now))


def test_one_working_day_across_mid_autumn(workdays):
    # 重要 taken Thu 09-24 10:00; 09-25 Fri..09-27 Sun off → Mon 09-28 17:30; now 09-28 18:00 → 30 min overdue
    f = pick(workdays(important("2026-09-24T10:00"), "2026-09-28T18:00"), "complaint.handle")
    assert (f.due, f.status, f.overdue_minutes) == (dt("2026-09-28T17:30"), "overdue", 30)


def test_one_working_day_on_make_up_weekend_days(workdays):
    # taken Fri 10-09 11:00 → next working day is the make-up Saturday 10-10 → due 10-10 17:30
    f = pick(workdays(important("2026-10-09T11:00"), "2026-10-09T12:00"), "complaint.handle")
    assert f.due == dt("2026-10-10T17:30")
    # taken Sat 09-19 10:00 → the make-up Sunday 09-20 is the next working day → due 09-20 17:30
    f = pick(workdays(important("2026-09-19T10:00"), "2026-09-19T12:00"), "complaint.handle")
    assert f.due == dt("2026-09-20T17:30")


def test_one_working_day_at_year_end_uses_fallback(workdays):
    cal = WorkCalendar()
    # taken Thu 2026-12-31 15:00; 2027 unknown → the fallback: Fri 01-01 元旦 (fixed by law),
    # Sat and Sun off → Mon 2027-01-04 17:30
    f = pick(workdays(important("2026-12-31T15:00"), "2027-01-01T09:00", cal), "complaint.handle")
    assert f.due == dt("2027-01-04T17:30")
    assert date(2027, 1, 1) in cal.fallback_dates
    assert "2027年" in cal.fallback_note()


# ---- complaints ------------------------------------------------------------------------


def complaint(key="C1", **v):
    base = {"编号": key, "受理时间": dt("2026-11-23T10:00"), "投诉人": "王女士", "房号": "2-302",
            "投诉内容": "楼道灯不亮", "性质": "有效", "等级": "轻微"}
    return {**base, **v}


def test_complaint_forward_ten_minutes():
    # 10:00 + 10 min = 10:10; forwarded 10:10 → met, 10:11 → late 1
    f = pick(run({"complaint": {"C1": complaint(转报时间=dt("2026-11-23T10:10"))}}, "2026-11-23T12:00"),
             "complaint.forward")
    assert (f.due, f.status) == (dt("2026-11-23T10:10"), "met")
    f = pick(run({"complaint": {"C1": complaint(转报时间=dt("2026-11-23T10:11"))}}, "2026-11-23T12:00"),
             "complaint.forward")
    assert (f.status, f.overdue_minutes) == ("late", 1)
    # solved on the spot at 10:05 → no forwarding needed (met)
    f = pick(run({"complaint": {"C1": complaint(解决时间=dt("2026-11-23T10:05"))}}, "2026-11-23T12:00"),
             "complaint.forward")
    assert f.status == "met"


def test_minor_complaint_four_business_hours():
    # Mon 10:00: 10:00–12:00 = 2 h, 13:30–15:30 = 2 h → due 15:30
    f = pick(run({"complaint": {"C1": complaint()}}, "2026-11-23T15:31"), "complaint.handle")
    assert (f.due, f.status, f.overdue_minutes) == (dt("2026-11-23T15:30"), "overdue", 1)
    # Thu 09-24 16:00: 1.5 h that day; 09-25..27 Mid-Autumn off; Mon 09-28 08:30 + 2.5 h → 11:00
    f = pick(run({"complaint": {"C1": complaint(受理时间=dt("2026-09-24T16:00"))}}, "2026-09-24T16:30"),
             "complaint.handle")
    assert f.due == dt("2026-09-28T11:00")


def test_important_complaint_one_day_over_national_day():
    # Seed 001 "1日内" is a day on the clock: 重要 taken Wed 09-30 09:00 → Thu 10-01 09:00,
    # the holiday notwithstanding; at 10-02 09:00 → 24 h = 1,440 min overdue.
    f = pick(run({"complaint": {"C1": complaint(等级="重要", 受理时间=dt("2026-09-30T09:00"))}}, "2026-10-02T09:00"),
             "complaint.handle")
    assert (f.due, f.status, f.overdue_minutes) == (dt("2026-10-01T09:00"), "overdue", 1440)


def test_major_complaint_reply_and_resolution():
    c = complaint(等级="重大", 受理时间=dt("2026-09-29T10:00"), 回复时间=dt("2026-10-08T17:30"))
    found = run({"complaint": {"C1": c}}, "2026-10-09T09:00")
    # reply: "2日内" on the clock → Thu 10-01 10:00 (National Day counts); replied 10-08 17:30
    # → 7 days 7 h 30 min = 7 × 1440 + 450 = 10,530 min late
    f = pick(found, "complaint.reply")
    assert (f.due, f.status, f.overdue_minutes) == (dt("2026-10-01T10:00"), "late", 10530)
    # resolution: 15 calendar days → 2026-10-14 10:00, still pending on 10-09
    f = pick(found, "complaint.resolution")
    assert (f.due, f.status) == (dt("2026-10-14T10:00"), "pending")
    assert "complaint.handle" not in rules_of(found)


def test_complaint_callback_one_day_after_resolution():
    # solved 11-23 15:00 → callback due 11-24 15:00; called back 11-24 16:00 → late 60
    c = complaint(解决时间=dt("2026-11-23T15:00"), 回访时间=dt("2026-11-24T16:00"))
    f = pick(run({"complaint": {"C1": c}}, "2026-11-25T09:00"), "complaint.callback")
    assert (f.due, f.status, f.overdue_minutes) == (dt("2026-11-24T15:00"), "late", 60)


def test_invalid_complaint_has_no_deadline():
    assert run({"complaint": {"C1": complaint(性质="无效")}}, "2026-12-30T09:00") == []


# ---- requests --------------------------------------------------------------------------


def test_request_forward_and_reply():
    r = {"编号": "Q1", "受理时间": dt("2026-11-23T09:00"), "客户": "李先生", "内容": "增设快递柜"}
    found = run({"request": {"Q1": r}}, "2026-11-24T09:00")
    # forward: 09:00 + 10 min = 09:10, not forwarded → overdue 1 day minus 10 min = 1430 min
    f = pick(found, "request.forward")
    assert (f.due, f.status, f.overdue_minutes) == (dt("2026-11-23T09:10"), "overdue", 1430)
    # reply: 1 calendar day → 11-24 09:00 == now → due soon, not overdue
    f = pick(found, "request.reply")
    assert (f.due, f.status) == (dt("2026-11-24T09:00"), "due_soon")
    # a promised reply time replaces the 1-day default
    f = pick(run({"request": {"Q1": {**r, "承诺回复时间": dt("2026-11-25T12:00")}}}, "2026-11-24T09:00"),
             "request.reply")
    assert (f.due, f.status) == (dt("2026-11-25T12:00"), "pending")


# ---- renovation approval (dates only) ----------------------------------------------------


def permit(**v):
    base = {"编号": "ZX1", "房号": "3-501", "业主": "赵六", "申请日期": date(2026, 9, 30)}
    return {"renovation": {"ZX1": {**base, **v}}}


def test_renovation_approval_one_working_day_dates_only():
    # applied Wed 09-30 → 1 working day → 10-08 17:30 (National Day in between)
    f = pick(run(permit(), "2026-10-08T17:30"), "renovation.approval")
    assert (f.due, f.status) == (dt("2026-10-08T17:30"), "due_soon")
    assert pick(run(permit(), "2026-10-08T17:31"), "renovation.approval").status == "overdue"
    # approved dated 10-08 (the due date) → met whatever the hour
    f = pick(run(permit(审批日期=date(2026, 10, 8)), "2026-10-09T09:00"), "renovation.approval")
    assert f.status == "met"
    # approved 10-09 → late by one whole day = 1440 minutes
    f = pick(run(permit(审批日期=date(2026, 10, 9)), "2026-10-09T09:00"), "renovation.approval")
    assert (f.status, f.overdue_minutes) == ("late", 1440)


def test_rectification_deadline_default_three_days():
    v = {"编号": "WZ1", "房号": "3-501", "日期": date(2026, 9, 29), "违章内容": "拆改承重墙", "严重程度": "严重",
         "违约金": None}
    state = {**permit(装修公司="安居装饰"), "renovation_violation": {"WZ1": v}}
    # 09-29 + 3 calendar days = 10-02, due at 23:59 of that date
    f = pick(run(state, "2026-10-02T23:59"), "renovation.rectification")
    assert (f.due, f.status, f.notice) == (dt("2026-10-02T23:59"), "due_soon", "rectification_notice")
    assert f.values["整改期限"] == date(2026, 10, 2)
    assert (f.values["业主"], f.values["装修公司"]) == ("赵六", "安居装饰")
    assert pick(run(state, "2026-10-03T00:00"), "renovation.rectification").status == "overdue"
    # a 轻微 violation gets no rectification notice
    v2 = {**v, "严重程度": "轻微"}
    assert "renovation.rectification" not in rules_of(run({"renovation_violation": {"WZ1": v2}}, "2026-10-03T00:00"))


# ---- special service callback ------------------------------------------------------------


def test_special_service_callback_24_hours():
    s = {"单号": "T1", "受理时间": dt("2026-11-23T09:00"), "受理人": "小陈", "房号": "1-101",
         "服务项目": "更换水龙头", "数量": 1, "完成时间": dt("2026-11-23T15:00")}
    # 15:00 + 24 h = 11-24 15:00
    f = pick(run({"special_service": {"T1": s}}, "2026-11-24T15:00"), "service.callback")
    assert (f.due, f.status) == (dt("2026-11-24T15:00"), "due_soon")


# ---- the deadline finding itself ---------------------------------------------------------


def test_deadline_finding_is_a_whole_finding_with_its_words():
    from dataclasses import fields

    from toolkit.model import Finding

    state = repair(完成时间=dt("2026-11-23T18:10"), 回访时间=dt("2026-11-25T09:00"))
    found = run(state, "2026-11-26T09:00")
    late = pick(found, "repair.unfinished")
    # Every field of Finding is set, as the dataclass constructor would set it.
    assert {f.name for f in fields(Finding)} - {"message"} <= set(vars(late))
    assert (late.state, late.notice, late.severity) == ("new", None, "info")
    # 17:00 cutoff, done 18:10 → 70 minutes late: the words are written when read.
    assert late.message == ("报修单 R1（1-101）：当日完工（17:00 未完工清单）超时完成："
                            "时限 2026-11-23 17:00，实际 2026-11-23 18:10，超时1小时10分钟")
    # Callback due the same day (Mon 11-23 23:59), made Wed 09:00: 1 day 9 h 1 min late.
    callback = pick(found, "repair.callback")
    assert callback.message.endswith("时限 2026-11-23 23:59，实际 2026-11-25 09:00，超时1天9小时1分钟")
    callback.message = "改写"  # rules that add to a message (renovation) assign it
    assert callback.message == "改写" and callback.to_dict()["message"] == "改写"


def test_deadline_finding_words_for_open_deadlines():
    open_state = repair(紧急程度="紧急")
    soon = pick(run(open_state, "2026-11-23T09:10"), "repair.arrival")  # due 09:30, within the hour
    assert soon.message == "报修单 R1（1-101）：紧急报修到场即将到期，请于 2026-11-23 09:30 前完成"
    over = pick(run(open_state, "2026-11-24T10:31"), "repair.arrival")  # 1 day 1 h 1 min past 09:30
    assert over.message == "报修单 R1（1-101）：紧急报修到场已超时1天1小时1分钟（时限 2026-11-23 09:30）"


def test_cached_deadlines_follow_each_start():
    # Deadlines are cached by their start; two starts on one day must not share an answer.
    state = {"complaint": {
        "C1": {"编号": "C1", "受理时间": dt("2026-11-23T11:50"), "投诉人": "甲", "投诉内容": "噪音", "等级": "轻微"},
        "C2": {"编号": "C2", "受理时间": dt("2026-11-23T09:00"), "投诉人": "乙", "投诉内容": "噪音", "等级": "轻微"},
    }}
    found = run(state, "2026-11-23T18:00")
    due = {(f.rule, f.record): f.due for f in found if f.rule in ("complaint.forward", "complaint.handle")}
    assert due == {
        # forwarding: 10 calendar minutes
        ("complaint.forward", "C1"): dt("2026-11-23T12:00"),
        ("complaint.forward", "C2"): dt("2026-11-23T09:10"),
        # minor complaint: 4 business hours. 11:50 → 10 min to the 12:00 close, 3 h 50 min
        # from 13:30 → 17:20; 09:00 → 3 h to 12:00, 1 h from 13:30 → 14:30.
        ("complaint.handle", "C1"): dt("2026-11-23T17:20"),
        ("complaint.handle", "C2"): dt("2026-11-23T14:30"),
    }


def test_many_repairs_each_get_their_own_days_deadlines():
    """The cutoff, the 23:59 of a day and the words of a span are worked out once and
    shared: each repair of a register spread over many days still gets its own."""
    from datetime import timedelta

    start = dt("2026-01-01T16:58")
    state = {"repair": {}}
    for i in range(600):  # every 7 h 1 min: each day's 17:00 crossed at several minutes
        at = start + timedelta(minutes=421 * i)
        state["repair"][f"R{i}"] = {"单号": f"R{i}", "房号": "1-101", "报修时间": at, "维修内容": "漏水",
                                    "紧急程度": "一般", "完成时间": at + timedelta(minutes=30)}
    now = dt("2026-12-31T12:00")
    found = run(state, "2026-12-31T12:00")
    for i in range(600):
        at = start + timedelta(minutes=421 * i)
        # Reported before 17:00: that day's 17:00; at or after it: the next day's.
        cutoff = at.replace(hour=17, minute=0) + timedelta(days=0 if at.hour < 17 else 1)
        unfinished = pick([f for f in found if f.record == f"R{i}"], "repair.unfinished")
        assert unfinished.due == cutoff
        done = at + timedelta(minutes=30)
        callback = pick([f for f in found if f.record == f"R{i}"], "repair.callback")
        day_end = done.replace(hour=23, minute=59)
        late = int((now - day_end).total_seconds() // 60)  # whole minutes: every time here is on the minute
        assert (callback.due, callback.status, callback.overdue_minutes) == (day_end, "overdue", late)
        days, rest = divmod(late, 1440)
        words = "".join([f"{days}天" if days else "", f"{rest // 60}小时" if rest // 60 else "",
                         f"{rest % 60}分钟" if rest % 60 else ""])
        assert callback.message == f"报修单 R{i}（1-101）：维修回访已超时{words}（时限 {day_end:%Y-%m-%d %H:%M}）"


def test_appointment_grace_is_labelled_as_the_stand_in():
    # No 到场时间, done: judged on completion + 30 min grace, and labelled so.
    f = pick(run(repair(预约时间=dt("2026-11-23T14:00"), 完成时间=dt("2026-11-23T14:45")), "2026-11-23T18:00"),
             "repair.appointment")
    assert f.message == ("报修单 R1（1-101）：预约维修完成（未填到场时间，按完成时间）超时完成："
                         "时限 2026-11-23 14:30，实际 2026-11-23 14:45，超时15分钟")
