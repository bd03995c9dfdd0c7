"""装修登记表 and 装修违章记录 (SPEC §3.4): approval, fire approval, rectification, deposit refund."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from toolkit.model import Finding
from toolkit.ruleset.money import dec, fen, yuan
from toolkit.ruleset.timing import DAY_END, Env, add_months, as_date, fmt_date, track

from ..history import historical, turns_history

PERMITS = "renovation"
VIOLATIONS = "renovation_violation"
RECTIFICATION = "违章整改"
REFUND = "装修押金退还"
# What to do, for the deadlines whose values are their own figures (no ``deadline`` label
# among them, kept as they are: a changed value would draft their notices again).
DEADLINE_LABELS = {"renovation.rectification": RECTIFICATION, "renovation.deposit_refund": REFUND}


def _permit_of(permits: dict[str, dict[str, Any]], unit: str) -> dict[str, Any] | None:
    """The most recent permit of a unit (by 申请日期)."""
    mine = [v for v in permits.values() if v.get("房号") == unit]
    mine.sort(key=lambda v: as_date(v.get("申请日期")) or date.min)
    return mine[-1] if mine else None


def _penalties(violations: dict[str, dict[str, Any]], unit: str, since: date | None) -> list[dict[str, Any]]:
    # Violations of the unit from the permit's 申请日期 on: an older renovation's
    # penalties were settled against that renovation's deposit.
    out = []
    for key, v in sorted(violations.items(), key=lambda kv: (as_date(kv[1].get("日期")) or date.min, kv[0])):
        when = as_date(v.get("日期"))
        if v.get("房号") != unit or (since and when and when < since):
            continue
        out.append({"编号": key, "日期": when, "违章内容": v.get("违章内容"), "违约金": fen(dec(v.get("违约金")) or Decimal(0))})
    return out


def permit_findings(env: Env, key: str, v: dict[str, Any], violations: dict[str, dict[str, Any]]) -> list[Finding]:
    out: list[Finding] = []
    unit = v.get("房号") or ""
    subject = f"装修申请 {key}（{unit}）"
    applied = as_date(v.get("申请日期"))
    approved = as_date(v.get("审批日期"))
    sla = env.settings.sla.renovation
    if applied is not None:
        start = datetime.combine(applied, time.min)
        due = env.due(sla.approval, start)
        out.append(track(env, "renovation.approval", PERMITS, key, subject, sla.approval.label, due, approved,
                         start=applied))
    area = dec(v.get("建筑面积"))
    limit = env.settings.tariffs.renovation.fire_approval_area
    no_fire = area is not None and area > limit and bool(v.get("开工日期")) and v.get("消防审批") != "是"
    if no_fire:
        out.append(Finding(
            rule="renovation.fire_approval", register=PERMITS, record=key, severity="error",
            message=(f"{subject}：建筑面积 {area} m² 超过 {limit} m²，未经消防审批已于 "
                     f"{fmt_date(as_date(v.get('开工日期')))} 开工"),
            values={"房号": unit, "建筑面积": area, "limit": limit, "开工日期": v.get("开工日期"),
                    "消防审批": v.get("消防审批")},
        ))
    out.extend(_conditions(env, key, v, subject))
    fire = fire_approval_text(v.get("消防审批"), area, limit)
    first = _put_right_first(env, v, no_fire)
    started = as_date(v.get("开工日期"))
    if started is not None and not historical(env.today, started):
        # Seed 001 装修 12: each site that starts work is announced to the other departments.
        # A site to be stopped (no fire approval, a contractor below grade two, a structural
        # or gas change not approved) is not announced as approved: the notice waits.
        entry = f"待{first}后再签发装修入场知会单" if first else "向工程部、保安部签发装修入场知会单"
        out.append(Finding(
            rule="renovation.started", register=PERMITS, record=key, severity="info",
            message=f"{subject}：已于 {fmt_date(started)} 开工，{entry}",
            values={**{k: v.get(k) for k in ("房号", "业主", "联系电话", "装修公司", "开工日期", "出入证数量", "消防审批",
                                             "审批日期", "结构改动", "煤气改动")},
                    "fire_approval": fire},
            notice=None if first else "renovation_entry_notice",
            # Not given once the start is history: closed then, with or without a file.
            wake=turns_history(started),
        ))
    if approved is not None:
        # Work already accepted, or approved long ago: the agreement was signed back then.
        accepted = as_date(v.get("竣工验收日期"))
        history = (accepted is not None and accepted <= env.today) or historical(env.today, approved)
        # A site to be stopped is not signed for: the agreement waits until the row is put
        # right (the findings of the fire approval, qualification or change say what to do).
        ready = f"须先{first}，暂不签订装修管理协议" if first else "可签订装修管理协议"
        out.append(Finding(
            rule="renovation.approved", register=PERMITS, record=key, severity="info",
            message=f"{subject}：已于 {fmt_date(approved)} 审批，{ready}",
            values={**{k: v.get(k) for k in ("房号", "业主", "装修公司", "统一社会信用代码", "建筑面积", "审批日期",
                                             "装修押金", "清运费", "出入证数量", "消防审批")},
                    "fire_approval": fire},
            notice=None if history or first else "renovation_agreement",
        ))
    out.extend(_refund(env, key, v, violations, subject))
    return out


def fire_approval_text(given: Any, area: Decimal | None, limit: Decimal) -> str:
    """消防审批 as the documents print it: 是 when obtained; 不涉及 for a unit of known area
    not over ``limit`` (no approval is needed: "否" would read as one missing); else 否."""
    if given == "是":
        return "是"
    if area is not None and area <= limit:
        return "不涉及"
    return "否"


def _put_right_first(env: Env, v: dict[str, Any], no_fire: bool) -> str:
    """What must be put right before the site is announced or its agreement signed ("" if
    nothing): the fire approval, a contractor the centre may not accept (seed 003 3.2.1),
    a structural or gas change not approved by the authorities (seed 001 装修 5)."""
    steps = ["补办消防审批"] if no_fire else []
    accepted = env.settings.tariffs.renovation.accepted_qualifications
    if v.get("资质等级") and v.get("资质等级") not in accepted:
        steps.append(f"更换为{'或'.join(accepted)}资质的装修公司")
    changes = [c for c in ("结构改动", "煤气改动") if v.get(c) == "是"]
    if changes and v.get("报批") != "是":
        steps.append(f"办妥{'、'.join(changes)}报批")
    return "、".join(steps)


def _conditions(env: Env, key: str, v: dict[str, Any], subject: str) -> list[Finding]:
    """The contractor's qualification (seed 003 3.2.1) and government approval of
    structural or gas changes before work starts (seed 001 装修 5)."""
    out: list[Finding] = []
    grade = v.get("资质等级")
    accepted = env.settings.tariffs.renovation.accepted_qualifications
    if grade and grade not in accepted:
        out.append(Finding(
            rule="renovation.qualification", register=PERMITS, record=key, severity="error",
            message=(f"{subject}：装修公司{v.get('装修公司') or ''}施工资质为“{grade}”，"
                     f"须{'或'.join(accepted)}资质，客户服务中心不得受理，请业主更换装修公司"),
            values={"装修公司": v.get("装修公司"), "资质等级": grade, "accepted": list(accepted)},
        ))
    changes = [c for c in ("结构改动", "煤气改动") if v.get(c) == "是"]
    if changes and v.get("报批") != "是":
        started = as_date(v.get("开工日期"))
        what = "、".join(changes)
        when = f"未经报批已于 {fmt_date(started)} 开工，工程部立即通知停工" if started else "开工前须办妥报批"
        out.append(Finding(
            rule="renovation.structure_gas", register=PERMITS, record=key,
            severity="error" if started else "warning",
            message=f"{subject}：涉及{what}，须由业主向政府主管部门报批，“报批”未填“是”；{when}",
            values={"房号": v.get("房号"), "业主": v.get("业主"), "changes": changes, "开工日期": started},
        ))
    return out


def under_way(v: dict[str, Any], day: date) -> bool:
    """Work on site that day: started on or before it, not yet accepted (the acceptance
    day itself is the departments' joint visit)."""
    started, accepted = as_date(v.get("开工日期")), as_date(v.get("竣工验收日期"))
    return started is not None and started <= day and (accepted is None or day < accepted)


def site_patrol_findings(env: Env, key: str, v: dict[str, Any], patrols: dict[str, dict[str, Any]]) -> list[Finding]:
    """Seed 001 装修 14 / 003 3.2.4 4.2: 客户服务中心, 工程部 and 保安部 each patrol every
    site under way at least once a day; the days of the window with a department missing."""
    sla = env.settings.sla.renovation
    days = [env.today - timedelta(days=n) for n in range(sla.patrol_look_back_days, 0, -1)]
    days = [d for d in days if under_way(v, d) and (not sla.patrol_working_days_only or env.cal.is_workday(d))]
    if not days:
        return []
    done: dict[tuple[date, str], int] = {}
    for p in patrols.values():
        on = as_date(p.get("日期"))
        if p.get("装修编号") == key and on is not None:
            done[(on, p.get("巡查部门"))] = done.get((on, p.get("巡查部门")), 0) + 1
    missing = []
    for d in days:
        short = [dept for dept in sla.patrol_departments if done.get((d, dept), 0) < sla.patrol_min_per_day]
        if short:
            missing.append({"日期": d, "departments": short})
    if not missing:
        return []
    shown = "；".join(f"{fmt_date(m['日期'])} 缺{'、'.join(m['departments'])}" for m in missing)
    depts = sorted({d for m in missing for d in m["departments"]}, key=sla.patrol_departments.index)
    return [Finding(
        rule="renovation.patrol", register=PERMITS, record=key, severity="warning",
        message=(f"装修申请 {key}（{v.get('房号') or ''}）施工期间各部门每日须巡查不少于 {sla.patrol_min_per_day} 次，"
                 f"装修巡查记录中 {shown}；请{'、'.join(depts)}补巡并登记"),
        values={"房号": v.get("房号"), "missing": missing, "departments": depts},
    )]


def _refund(env: Env, key: str, v: dict[str, Any], violations: dict[str, dict[str, Any]],
            subject: str) -> list[Finding]:
    accepted = as_date(v.get("竣工验收日期"))
    deposit = dec(v.get("装修押金"))
    if accepted is None or deposit is None:
        return []
    refund_due = add_months(accepted, env.settings.sla.renovation.refund_after_months)
    penalties = _penalties(violations, v.get("房号"), as_date(v.get("申请日期")))
    penalty_total = fen(sum((p["违约金"] for p in penalties), Decimal(0)))
    utilities = fen(dec(v.get("应扣水电费")) or Decimal(0))
    # Seed 003 3.2 5.4: damaged common facilities are deducted from the deposit at cost.
    damage = fen(dec(v.get("公共设施损坏赔偿")) or Decimal(0))
    refund = fen(deposit - penalty_total - utilities - damage)
    values = {
        "房号": v.get("房号"), "业主": v.get("业主"), "装修公司": v.get("装修公司"),
        "竣工验收日期": accepted, "refund_due": refund_due, "deposit": fen(deposit), "penalties": penalties,
        "penalty_total": penalty_total, "utilities": utilities, "damage": damage, "refund": refund,
        "owed": refund < 0, "applicant": v.get("退还申请人") or "业主",
    }
    due = datetime.combine(refund_due, time.min)
    figures = (f"押金 {yuan(deposit)} 元 − 违约金 {yuan(penalty_total)} 元 − 水电费 {yuan(utilities)} 元"
               + (f" − 公共设施损坏赔偿 {yuan(damage)} 元" if damage else "") + " = "
               + (f"业主尚欠 {yuan(-refund)} 元" if refund < 0 else f"应退 {yuan(refund)} 元"))
    f = track(env, "renovation.deposit_refund", PERMITS, key, subject, REFUND, due,
              as_date(v.get("押金退还日期")), values=values, severity="info")
    f.message = f"{f.message}；{figures}"
    out = [f]
    # Seed 001 装修 18.2: a refund the contractor asks for needs the owner's consent.
    needs_consent = v.get("退还申请人") == "装修公司" and v.get("业主同意退还") != "是"
    if needs_consent and f.status not in ("met", "late"):
        out.append(Finding(
            rule="renovation.refund_consent", register=PERMITS, record=key, severity="blocking",
            message=f"{subject}：押金由装修公司申请退还，须经业主同意，“业主同意退还”未填“是”，暂不退还",
            values={"房号": v.get("房号"), "业主": v.get("业主"), "装修公司": v.get("装修公司")},
        ))
    # The notice is asked for once the deposit is refundable and not yet refunded.
    if f.status not in ("met", "late") and env.now >= due and not needs_consent:
        f.notice = "deposit_refund"
    return out


def violation_findings(env: Env, key: str, v: dict[str, Any], permits: dict[str, dict[str, Any]]) -> list[Finding]:
    if v.get("严重程度") != "严重":
        return []
    day = as_date(v.get("日期"))
    if day is None:
        return []
    limit = v.get("整改期限")
    if isinstance(limit, date):
        deadline = as_date(limit)
    elif dec(limit) is not None:  # a number of days written in the cell
        deadline = day + timedelta(days=int(dec(limit)))
    else:
        deadline = day + timedelta(days=env.settings.sla.renovation.rectification_days)
    permit = _permit_of(permits, v.get("房号")) or {}
    values = {
        "房号": v.get("房号"), "日期": day, "违章内容": v.get("违章内容"),
        "违约金": fen(dec(v.get("违约金")) or Decimal(0)), "整改期限": deadline,
        "业主": permit.get("业主"), "装修公司": permit.get("装修公司"),
    }
    # 整改完成日期 closes the deadline; a violation already rectified gets no notice.
    done = as_date(v.get("整改完成日期"))
    subject = f"装修违章 {key}（{v.get('房号')}，{v.get('违章内容') or ''}）"
    return [track(env, "renovation.rectification", VIOLATIONS, key, subject, RECTIFICATION,
                  datetime.combine(deadline, DAY_END), done, values=values,
                  notice=None if done is not None else "rectification_notice")]
