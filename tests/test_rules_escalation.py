"""Complaint escalation to 重大 (SPEC §3.2) and the escalation memo finding (docs/findings.md)."""

from __future__ import annotations

from rules_helpers import dt, pick, rules_of, run

NOW = "2026-11-23T12:00"


def c(key, who, unit="2-302", event="3号楼停水", level="轻微", **v):
    return key, {"编号": key, "受理时间": dt("2026-11-23T10:00"), "投诉人": who, "房号": unit,
                 "投诉内容": "家里没水", "事件": event, "性质": "有效", "等级": level, "被投诉部门": "工程部", **v}


def state(*items):
    return {"complaint": dict(items)}


def levels(found):
    # the level appears in the escalation memo of each event
    return {f.record: f.values["level"] for f in found if f.rule == "complaint.escalation"}


def test_five_distinct_customers_make_an_event_major():
    four = [c(f"C{i}", f"客户{i}", unit=f"2-{i}01") for i in range(4)]
    assert levels(run(state(*four), NOW)) == {}  # 4 customers: still 轻微, no memo
    five = [*four, c("C9", "客户9", unit="2-901")]
    found = run(state(*five), NOW)
    memo = pick(found, "complaint.escalation", "3号楼停水")
    assert memo.values["level"] == "重大" and memo.notice == "complaint_escalation"
    assert "5 位不同客户" in memo.values["reasons"][0]
    assert sorted(x["编号"] for x in memo.values["complaints"]) == ["C0", "C1", "C2", "C3", "C9"]
    # escalated level governs the deadlines: reply + resolution instead of the 4-hour rule
    assert {"complaint.reply", "complaint.resolution"} <= rules_of(found, "C0")
    assert "complaint.handle" not in rules_of(found, "C0")
    # the same customer twice counts once; an 无效 complaint does not count
    same = [*four, c("C8", "客户0", unit="2-001")]
    assert levels(run(state(*same), NOW)) == {}
    invalid = [*four, c("C9", "客户9", 性质="无效")]
    assert levels(run(state(*invalid), NOW)) == {}


def test_keywords_escalate():
    found = run(state(c("C1", "甲", event="", 投诉内容="小区大面积停电两小时")), NOW)
    memo = pick(found, "complaint.escalation", "C1")  # no 事件 → the complaint's own 编号
    assert memo.values["level"] == "重大" and memo.values["event"] is None
    assert "大面积停电" in memo.values["reasons"][0]


def test_unresolved_seven_days():
    item = c("C1", "甲", event="", 受理时间=dt("2026-11-16T09:00"))
    # 11-16 09:00 + 7 days = 11-23 09:00: at exactly that moment not yet escalated
    assert levels(run(state(item), "2026-11-23T09:00")) == {}
    assert levels(run(state(item), "2026-11-23T09:01")) == {"C1": "重大"}
    # resolved within the 7 days → not escalated
    solved = c("C1", "甲", event="", 受理时间=dt("2026-11-16T09:00"), 解决时间=dt("2026-11-20T09:00"))
    assert levels(run(state(solved), "2026-11-30T09:00")) == {}


def test_same_unit_same_event_three_times():
    two = [c("C1", "甲", unit="1-101"), c("C2", "甲", unit="1-101")]
    assert levels(run(state(*two), NOW)) == {}
    three = [*two, c("C3", "甲", unit="1-101")]
    memo = pick(run(state(*three), NOW), "complaint.escalation", "3号楼停水")
    assert "重复投诉 3 次" in memo.values["reasons"][0]


def test_registered_important_gets_a_memo_with_its_deadlines():
    found = run(state(c("C1", "甲", event="电梯异响", level="重要")), "2026-11-24T18:00")
    memo = pick(found, "complaint.escalation", "电梯异响")
    assert memo.values["level"] == "重要" and memo.severity == "warning"
    assert memo.values["reasons"] == ["登记等级为重要"]
    entry = memo.values["complaints"][0]
    assert set(entry) == {"编号", "受理时间", "投诉人", "房号", "投诉内容", "被投诉部门", "等级", "解决时间", "deadlines"}
    deadlines = {d["name"]: d for d in entry["deadlines"]}
    # forward due 10:10 not done → overdue; 1 day after Mon 11-23 10:00 (seed 001 "1日内")
    # → Tue 11-24 10:00; at 18:00 → 8 h = 480 min overdue
    assert deadlines["重要投诉处理"]["due"] == dt("2026-11-24T10:00")
    assert deadlines["重要投诉处理"]["overdue_minutes"] == 480
    assert "投诉转报" in deadlines
    # one memo per event
    assert len([f for f in found if f.rule == "complaint.escalation"]) == 1
