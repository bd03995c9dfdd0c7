"""投诉登记表 (SPEC §3.2): escalation to 重大, deadlines by the escalated level, the memo finding.

Escalation is judged over every complaint the ledger holds (all files seen so far),
so five customers arriving in five different files still make an event 重大.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from toolkit.model import Finding
from toolkit.ruleset.timing import Env, as_dt, track

REGISTER = "complaint"
# Seed 001 投诉: the 客户助理 at the desk forwards the complaint, answers the customer and
# calls back; the complained-of department (被投诉部门) handles it. The desk's deadlines
# name the role in their values, so the daily list and the department rates charge them to
# the desk, not to the row's 被投诉部门.
DESK_ROLE = "客户助理"
DESK_STEPS = frozenset({"complaint.forward", "complaint.reply", "complaint.reply_same_day", "complaint.callback"})
# Seed 001 投诉: "被投诉部门负责人…按规定时效处理" — the head of the department complained
# about answers for handling and resolving it (and for asking approval when late); a
# complaint forwarded to nobody stays with whoever took it (首问责任人, "一跟到底").
HEAD_ROLE, FIRST_ROLE = "部门负责人", "首问责任人"
HANDLING_STEPS = frozenset({"complaint.handle", "complaint.resolution", "complaint.overtime_approval"})
LEVELS = ("轻微", "重要", "重大")
RESOLVED_STATES = ("已解决", "已回访")


@dataclass
class Complaint:
    key: str
    v: dict[str, Any]
    taken: datetime
    level: str  # after escalation
    reasons: list[str] = field(default_factory=list)
    deadlines: list[Finding] = field(default_factory=list)
    event: str = field(init=False)  # the 事件 tag, trimmed; "" when none

    def __post_init__(self) -> None:
        self.event = str(self.v.get("事件") or "").strip()


def _effective(v: dict[str, Any]) -> bool:
    return v.get("性质") != "无效"


def _escalate(env: Env, items: list[Complaint]) -> None:
    """Apply the four escalation grounds (rules/escalation.yaml); each adds a reason."""
    esc = env.settings.escalation
    by_event: dict[str, list[Complaint]] = defaultdict(list)
    for c in items:
        if c.event:
            by_event[c.event].append(c)
    for event, group in by_event.items():
        customers = {str(c.v.get("投诉人") or "").strip() for c in group} - {""}
        if len(customers) >= esc.distinct_customers:
            why = f"同一事件“{event}”已有 {len(customers)} 位不同客户投诉（达到 {esc.distinct_customers} 位即升级）"
            for c in group:
                c.reasons.append(why)
        by_unit: dict[str, list[Complaint]] = defaultdict(list)
        for c in group:
            unit = str(c.v.get("房号") or "").strip()
            if unit:
                by_unit[unit].append(c)
        for unit, same in by_unit.items():
            if len(same) >= esc.repeat_same_unit:
                why = f"房号 {unit} 就“{event}”重复投诉 {len(same)} 次（达到 {esc.repeat_same_unit} 次即升级）"
                for c in same:
                    c.reasons.append(why)
    limit = timedelta(days=esc.unresolved_days)
    for c in items:
        text = f"{c.v.get('投诉内容') or ''} {c.event}"
        for word in esc.keywords:
            if word in text:
                c.reasons.append(f"投诉 {c.key} 内容涉及“{word}”")
        resolved = as_dt(c.v.get("解决时间"))
        if resolved is None and c.v.get("状态") in RESOLVED_STATES:
            continue  # marked solved without a time: not judged unresolved
        # Unresolved at 受理时间 + 7 days (a deadline equal to now is not yet passed); judged
        # at an earlier moment (a past week's report), a later solution is not yet known.
        if min(resolved or env.now, env.now) > c.taken + limit:
            c.reasons.append(f"投诉 {c.key} 受理 {esc.unresolved_days} 天后仍未解决")
    for c in items:
        if c.reasons:
            c.level = "重大"


def _deadlines(env: Env, c: Complaint) -> list[Finding]:
    sla = env.settings.sla.complaint
    v, key = c.v, c.key
    subject = f"投诉 {key}（{c.level}，{v.get('投诉人') or ''}）"
    resolved = as_dt(v.get("解决时间"))
    out: list[Finding] = []
    forward_due = env.due(sla.forward, c.taken)
    # Handled on the spot (solved before the forwarding deadline) needs no forwarding.
    forwarded = resolved if resolved is not None and resolved <= forward_due else as_dt(v.get("转报时间"))
    out.append(track(env, "complaint.forward", REGISTER, key, subject, sla.forward.label, forward_due, forwarded,
                     start=c.taken))
    if c.level == "重大":
        due = env.due(sla.major_reply, c.taken)
        out.append(track(env, "complaint.reply", REGISTER, key, subject, sla.major_reply.label, due,
                         as_dt(v.get("回复时间")), start=c.taken))
        due = env.due(sla.major_resolution, c.taken)
        out.append(track(env, "complaint.resolution", REGISTER, key, subject, sla.major_resolution.label, due,
                         resolved, start=c.taken))
    else:
        spec = sla.important if c.level == "重要" else sla.minor
        due, label = env.due(spec, c.taken), spec.label
        customer_due = as_dt(v.get("客户要求期限"))
        if c.level == "轻微" and customer_due is not None:
            # Seed 001 投诉 时效: a minor complaint may be handled "按客户要求的期限".
            due, label = customer_due, f"{spec.label}（客户要求期限）"
        handled = track(env, "complaint.handle", REGISTER, key, subject, label, due, resolved, start=c.taken)
        out.append(handled)
        if handled.status in ("late", "overdue"):
            out.extend(_overtime(key, subject, c.level, v, handled))
    feedback = as_dt(v.get("反馈时间")) or resolved
    if feedback is not None:
        # Seed 001 投诉 5.3: the result goes back to the customer the same day, every level.
        out.append(track(env, "complaint.reply_same_day", REGISTER, key, subject, sla.reply.label,
                         env.due(sla.reply, feedback), as_dt(v.get("回复时间")), start=feedback))
    if resolved is not None:
        due = env.due(sla.callback, resolved)
        out.append(track(env, "complaint.callback", REGISTER, key, subject, sla.callback.label, due,
                         as_dt(v.get("回访时间")), start=resolved))
    handler = HEAD_ROLE if str(v.get("被投诉部门") or "").strip() else FIRST_ROLE
    for f in out:
        if f.rule in DESK_STEPS:
            f.values = {**f.values, "acting_role": DESK_ROLE}
        elif f.rule in HANDLING_STEPS:
            f.values = {**f.values, "acting_person": handler}
    return out


OVERTIME_APPROVER = {"轻微": "主管经理", "重要": "管理部经理"}


def _overtime(key: str, subject: str, level: str, v: dict[str, Any], handled: Finding) -> list[Finding]:
    """Seed 001 投诉 时效: handling past the limit needs the approval of a named manager."""
    if str(v.get("超时审批人") or "").strip():
        return []
    who = OVERTIME_APPROVER[level]
    return [Finding(
        rule="complaint.overtime_approval", register=REGISTER, record=key, severity="warning",
        message=f"{subject}：处理超过时限（{handled.values.get('deadline')}），须经{who}批准，“超时审批人”未填",
        values={"level": level, "approver": who, "due": handled.due},
    )]


def _memo(env: Env, group: list[Complaint]) -> Finding | None:
    """One escalation finding per event (or per complaint without 事件) at 重要 or 重大."""
    level = max((c.level for c in group), key=LEVELS.index)
    if level == "轻微":
        return None
    first = group[0]
    record = first.event or first.key
    reasons: list[str] = []
    for c in group:
        for r in c.reasons:
            if r not in reasons:
                reasons.append(r)
    if not reasons:
        reasons.append(f"登记等级为{level}")
    complaints = [
        {
            "编号": c.key,
            "受理时间": c.taken,
            "投诉人": c.v.get("投诉人"),
            "房号": c.v.get("房号"),
            "投诉内容": c.v.get("投诉内容"),
            "被投诉部门": c.v.get("被投诉部门"),
            "等级": c.level,
            "解决时间": as_dt(c.v.get("解决时间")),
            "deadlines": [
                # ``missed`` is not volatile as ``status`` is: a limit passing is a fact the
                # unsigned draft is rewritten for (its 已超时事项), the minutes growing is not.
                {"name": d.values.get("deadline"), "due": d.due, "status": d.status,
                 "overdue_minutes": d.overdue_minutes, "missed": d.status in ("overdue", "late")}
                for d in c.deadlines if d.rule != "complaint.overtime_approval"  # an approval, not a time limit
            ],
        }
        for c in group
    ]
    solved = all(_solved(c) for c in group)
    times = [as_dt(c.v.get("解决时间")) for c in group]
    overdue = sum(1 for c in group for d in c.deadlines if d.status in ("overdue", "late"))
    what = f"事件“{first.event}”" if first.event else f"投诉 {first.key}"
    tail = f"，其中 {overdue} 项时限已超" if overdue else ""
    message = (f"{what}为{level}投诉（{'；'.join(reasons)}），涉及投诉 {len(group)} 件{tail}，"
               f"须立即上报项目经理。")
    return Finding(
        rule="complaint.escalation",
        register=REGISTER,
        record=record,
        severity="error" if level == "重大" else "warning",
        message=message,
        status="open",
        # ``members``: which complaints the report is about (its facts, rules/documents.yaml);
        # ``solved``/``solved_at``: the report says they were solved instead of asking to hurry.
        values={"level": level, "event": first.event or None, "reasons": reasons, "complaints": complaints,
                "members": [c.key for c in group], "solved": solved,
                "solved_at": max(t for t in times if t) if solved and all(times) else None},
        notice="complaint_escalation",
    )


def _solved(c: Complaint) -> bool:
    return as_dt(c.v.get("解决时间")) is not None or c.v.get("状态") in RESOLVED_STATES


def _wake_when_unresolved(env: Env, c: Complaint, limit: timedelta) -> None:
    """Still open and not yet past the unresolved limit: judge the event again when it
    passes, even with no file (the escalation comes from the clock alone)."""
    if as_dt(c.v.get("解决时间")) is None and c.v.get("状态") not in RESOLVED_STATES \
            and env.now <= c.taken + limit and c.deadlines:
        c.deadlines[0].wake = c.taken + limit + timedelta(seconds=1)


def complaint_findings(env: Env, rows: dict[str, dict[str, Any]]) -> list[Finding]:
    items: list[Complaint] = []
    for key, v in rows.items():
        taken = as_dt(v.get("受理时间"))
        if taken is None or not _effective(v):
            continue  # 无效 complaints have no deadline (they are still counted in reports)
        level = v.get("等级") if v.get("等级") in LEVELS else "轻微"
        items.append(Complaint(key, v, taken, level))
    items.sort(key=lambda c: (c.taken, c.key))
    _escalate(env, items)
    out: list[Finding] = []
    groups: dict[str, list[Complaint]] = defaultdict(list)
    unresolved_after = timedelta(days=env.settings.escalation.unresolved_days)
    for c in items:
        c.deadlines = _deadlines(env, c)
        _wake_when_unresolved(env, c, unresolved_after)
        out.extend(c.deadlines)
        groups[f"e:{c.event}" if c.event else f"k:{c.key}"].append(c)
    for group in groups.values():
        memo = _memo(env, group)
        if memo is not None:
            out.append(memo)
    return out

