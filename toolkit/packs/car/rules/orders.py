"""进厂维修委托书: a complete signed order, the promise kept, progress check, follow-up, money."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from toolkit.model import RESTORE_ONLY, Finding
from toolkit.packs import State
from toolkit.ruleset.money import dec, fen, yuan
from toolkit.ruleset.timing import (
    DAY_END,
    Env,
    add_months,
    as_date,
    as_dt,
    fmt_dt,
    track,
    track_window,
)

from .common import APPOINTMENTS, CUSTOMERS, EXTRAS, ORDERS, VOIDED_ORDERS, blank, finding, yes

NO_GUARANTEE = frozenset({"客户自购", "副厂件", "混合"})
ORDER_FIELDS = ("车牌号", "客户名称", "送修人", "联系电话", "车型", "里程数", "燃油表", "接车时间", "服务顾问",
                "客户问题", "维修项目", "维修类别", "工时费估价", "备品费估价", "估价合计", "配件来源", "质量担保",
                "旧件去向", "是否洗车", "预计完工时间", "钥匙编号", "随车物品", "预约单号")
RELEASE_FIELDS = ("车牌号", "客户名称", "联系电话", "车型", "里程数", "服务顾问", "维修项目", "接车时间", "完工时间",
                  "交车时间", "工时费", "备品费", "折扣金额", "折扣审批人", "结算金额", "实收金额", "付款方式",
                  "诊断估价费", "旧件去向", "配件来源", "质量担保", "建议下次保养日期", "建议下次保养里程", "是否进厂",
                  "质检员")


def accepted(extra: dict[str, Any]) -> bool:
    """An extra item that moves the promise: accepted and signed by the customer."""
    return extra.get("客户答复") == "同意" and yes(extra.get("客户签名"))


def extras_by_order(extras: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for v in extras.values():
        if v.get("委托书号"):
            out[v["委托书号"]].append(v)
    return out


def promise_of(v: dict[str, Any], extras: list[dict[str, Any]]) -> datetime | None:
    """预计完工时间, moved only by extra items the customer accepted and signed: the latest
    新预计完工时间 among them, else the promise plus their 延长工期小时."""
    promised = as_dt(v.get("预计完工时间"))
    ok = [e for e in extras if accepted(e)]
    moved = [t for t in (as_dt(e.get("新预计完工时间")) for e in ok) if t is not None]
    if moved:
        return max([*moved, *([promised] if promised else [])])
    if promised is None:
        return None
    hours = sum((dec(e.get("延长工期小时")) or Decimal(0) for e in ok), Decimal(0))
    return promised + timedelta(minutes=int(hours * 60)) if hours else promised


def agreed_extras(extras: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The extra items the customer agreed to, as the 委托书 lists them (seed 000 第五篇: an
    agreed extra is written on the 进厂维修单, the contract), in the order the workshop
    raised them; 已签字 tells those signed from those the customer is to sign on it."""
    def raised(e: dict[str, Any]) -> tuple[datetime, str]:
        return as_dt(e.get("车间通知时间")) or datetime.max, str(e.get("增项单号") or "")

    out = []
    for e in sorted((e for e in extras if e.get("客户答复") == "同意"), key=raised):
        labour, parts = dec(e.get("增项工时费")), dec(e.get("增项备品费"))
        known = [x for x in (labour, parts) if x is not None]
        new, hours = as_dt(e.get("新预计完工时间")), dec(e.get("延长工期小时"))
        out.append({"增项单号": e.get("增项单号"), "增项内容": e.get("增项内容"), "增项工时费": labour,
                    "增项备品费": parts, "合计": fen(sum(known, Decimal(0))) if known else None,
                    "新预计完工时间": new, "延长工期小时": format(hours.normalize(), "f") if hours else None,
                    "已签字": accepted(e)})
    return out


def estimate_of(v: dict[str, Any]) -> Decimal | None:
    total = dec(v.get("估价合计"))
    if total is not None:
        return total
    parts = [dec(v.get("工时费估价")), dec(v.get("备品费估价"))]
    return sum(p for p in parts if p is not None) if any(p is not None for p in parts) else None


def order_gaps(v: dict[str, Any]) -> list[str]:
    """What the seed requires on every 委托书 and this one lacks (any one is a 5-元 fault)."""
    gaps = []
    if not yes(v.get("客户签名")):
        gaps.append("无客户签名")
    if blank(v.get("客户问题")):
        gaps.append("未记录客户问题")
    if estimate_of(v) is None:
        gaps.append("维修项目未报价")
    if blank(v.get("旧件去向")):
        gaps.append("未写旧件去向")
    if blank(v.get("是否洗车")):
        gaps.append("未写是否洗车")
    if blank(v.get("预计完工时间")):
        gaps.append("未写预计完工时间")
    return gaps


def owed(v: dict[str, Any]) -> Decimal:
    due, paid = dec(v.get("结算金额")), dec(v.get("实收金额"))
    if due is None:
        return Decimal(0)
    return max(fen(due - (paid or Decimal(0))), Decimal(0))


def fee_unpaid(v: dict[str, Any]) -> Decimal:
    """What is left of a diagnosis-only visit's 诊断估价费 after 实收金额: the exit slip
    asks for this, not for a fee the customer paid at once."""
    fee, paid = dec(v.get("诊断估价费")), dec(v.get("实收金额"))
    if fee is None:
        return Decimal(0)
    return max(fen(fee - (paid or Decimal(0))), Decimal(0))


def fee_settled(v: dict[str, Any]) -> Decimal:
    """The 诊断估价费 that 结算金额 carries (on top of 工时费 + 备品费 − 折扣金额, or the
    whole of a check-only visit's settlement); 0 when the settlement leaves it out."""
    fee, settled = dec(v.get("诊断估价费")), dec(v.get("结算金额"))
    if fee is None or settled is None:
        return Decimal(0)
    expected = settlement_of(v)
    base = expected if expected is not None else Decimal(0)
    return fen(fee) if fen(settled) == fen(base + fee) else Decimal(0)


def settlement_of(v: dict[str, Any]) -> Decimal | None:
    """工时费 + 备品费 − 折扣金额, the figure 结算金额 should be (None when neither charge is
    written: nothing to add up)."""
    labour, parts = dec(v.get("工时费")), dec(v.get("备品费"))
    if labour is None and parts is None:
        return None
    return fen((labour or Decimal(0)) + (parts or Decimal(0)) - (dec(v.get("折扣金额")) or Decimal(0)))


def settlement_adds_up(v: dict[str, Any]) -> bool:
    """结算金额 is labour plus parts less the discount, a 诊断估价费 charged on top allowed
    (the seed names no other charge). True when there is nothing to compare."""
    expected, settled = settlement_of(v), dec(v.get("结算金额"))
    if expected is None or settled is None:
        return True
    fee = dec(v.get("诊断估价费")) or Decimal(0)
    return fen(settled) in (expected, fen(expected + fee))


@dataclass(frozen=True)
class FollowUp:
    """The first follow-up call after pickup (seed 000 第五篇 16: 出厂二天至一周之内), as
    both the rule and the reports' 回访及时率 judge it."""

    opens: datetime  # day 2, 00:00
    closes: datetime  # day 7, 23:59
    called: datetime | None

    @property
    def timely(self) -> bool:
        """Made by the window's close. A call before it opens (the evening of pickup, day 1)
        is early, not missed: the seed's 一般 makes day 2 the usual first day, the week the
        limit (car.md 3.2)."""
        return self.called is not None and self.called <= self.closes

    def judged(self, cut: datetime) -> bool:
        """Counted at ``cut`` once the call is made by then or the window has closed."""
        return (self.called is not None and self.called <= cut) or self.closes <= cut

    @property
    def settled(self) -> datetime:
        """When the call became made or missed: the call made in time, else the window's
        close. The reports count each car once, in the period holding this moment, so a
        week that ran out uncalled shows where it ran out, not in the pickup week's report
        (made before the week could end)."""
        return self.called if self.timely and self.called is not None else self.closes


def followup_of(env: Env, v: dict[str, Any]) -> FollowUp | None:
    """The follow-up of a delivered order (None before 交车时间 is written)."""
    delivered = as_dt(v.get("交车时间"))
    if delivered is None:
        return None
    opens, closes = env.window(env.settings.sla.followup, delivered)
    return FollowUp(opens, closes, as_dt(v.get("回访时间")))


def work_order_rule(env: Env, state: State) -> list[Finding]:
    extras = extras_by_order(state.get(EXTRAS, {}))
    appointments = state.get(APPOINTMENTS, {})
    customers = state.get(CUSTOMERS, {})
    voided = state.get(VOIDED_ORDERS, {})
    out: list[Finding] = []
    for key, v in state.get(ORDERS, {}).items():
        out.extend(order_findings(env, key, v, extras.get(key, []), appointments, customers, key in voided))
    return out


def order_findings(env: Env, key: str, v: dict[str, Any], extras: list[dict[str, Any]],
                   appointments: dict[str, dict[str, Any]], customers: dict[str, dict[str, Any]],
                   came_back: bool = False) -> list[Finding]:
    """``came_back``: a row of this 委托书号 was marked 作废 once (the mark since cleared):
    what was drafted for it then comes back, but nothing is drafted for an event past."""
    out: list[Finding] = []
    plate = v.get("车牌号") or ""
    sa = v.get("服务顾问") or "未填"
    subject = f"委托书 {key}（{plate}，服务顾问 {sa}）"
    received = as_dt(v.get("接车时间"))
    repaired = v.get("是否进厂") != "否"
    tariffs = env.settings.tariffs
    who = {"服务顾问": v.get("服务顾问"), "接车时间": received}

    if repaired:
        gaps = order_gaps(v)
        if gaps:
            fine = fen(tariffs.order_fine)
            out.append(finding("car.order_incomplete", ORDERS, key, "error",
                               f"{subject}：{'、'.join(gaps)}，按规定罚款 {yuan(fine)} 元",
                               {**who, "missing": gaps, "fine": fine}))
        lacking = [n for n, c in (("环车检查问诊表", "问诊表签名"), ("随车物品清单", "随车物品签名")) if not yes(v.get(c))]
        if lacking:
            out.append(finding("car.intake_signed", ORDERS, key, "warning",
                               f"{subject}：{'、'.join(lacking)}未请客户签字确认", {**who, "missing": lacking}))
    out.extend(_money_findings(env, key, v, extras, subject, who))
    if v.get("配件来源") in NO_GUARANTEE and yes(v.get("质量担保")):
        out.append(finding("car.parts_guarantee", ORDERS, key, "error",
                           f"{subject}：配件来源为{v.get('配件来源')}，技术质量不作担保，质量担保应填“否”并向客户说明",
                           {**who, "配件来源": v.get("配件来源")}))
    if v.get("进车间时间") and blank(v.get("车间接车人")):
        out.append(finding("car.workshop_receipt", ORDERS, key, "warning",
                           f"{subject}：车辆交车间时未请车间接车人签名", dict(who)))
    if repaired:
        out.extend(_time_findings(env, key, v, extras, subject, who))
    if v.get("是否预约") == "是":
        out.extend(_appointment_window(env, key, v, appointments, subject, who))
    if received is not None and plate and plate not in customers:
        end_of_day = datetime.combine(received.date(), DAY_END)
        if env.now > end_of_day:
            out.append(finding("car.file_missing", ORDERS, key, "warning",
                               f"{subject}：车辆 {plate} 还没有客户车辆档案，请当日建档",
                               {**who, "车牌号": plate}, due=end_of_day))
    if not repaired and blank(v.get("诊断估价费")):
        out.append(finding("car.diagnosis_fee", ORDERS, key, "warning",
                           f"{subject}：客户未进厂维修，如做过诊断或估价，应收诊断费/估价费", dict(who)))
    # Documents are for what the desk does now: the 委托书 while the car is in the shop (or
    # received today), the 出厂通知单 until the day the car leaves. Orders entered after
    # the fact (a month typed in at once) get none.
    # An order back from a mistaken 作废 keeps its 委托书 (the signed contract the desk
    # files) even once the car has left: the draft voided with it comes back, unchanged.
    delivered = as_dt(v.get("交车时间"))
    in_shop = delivered is None or delivered.date() >= env.today
    current = in_shop or (received is not None and received.date() >= env.today)
    if repaired and received is not None and (current or came_back):
        values = {k: v.get(k) for k in ORDER_FIELDS}
        values["估价合计"] = estimate_of(v)  # the seed's total: labour + parts when not written
        values["no_guarantee"] = v.get("配件来源") in NO_GUARANTEE
        # Redrafted when the customer agrees to an extra item or signs for it: the 委托书
        # lists it and the completion time it now promises (moved once signed, as
        # car.promise judges it).
        values["追加项目"] = agreed_extras(extras)
        values["promise"] = promise_of(v, extras)
        values["顺延"] = values["promise"] is not None and values["promise"] != as_dt(v.get("预计完工时间"))
        if not current:
            values[RESTORE_ONLY] = True
        out.append(finding("car.order_opened", ORDERS, key, "info", f"{subject}：出具进厂维修委托书",
                           values, notice="car_order"))
    # A settlement that does not add up is not handed to the customer: the 出厂通知单
    # would print a 欠收 nobody owes (or hide one); it follows the corrected save, which
    # the daily list asks for the next working morning, so the notice waits that long.
    # Nor is a discount the 业务主管 has not approved: it may yet be taken back.
    if (dec(v.get("结算金额")) is not None or not repaired) and release_open(env, delivered) \
            and settlement_adds_up(v) and not discount_unapproved(v):
        values = {k: v.get(k) for k in RELEASE_FIELDS}
        values["欠收"] = owed(v)
        values["诊断费待收"] = None if repaired else fee_unpaid(v)
        values["no_guarantee"] = v.get("配件来源") in NO_GUARANTEE
        if came_back and not in_shop:
            # Back from a 作废 after the car left: the desk handed it over without this
            # notice; only one voided with the order comes back.
            values[RESTORE_ONLY] = True
        out.append(finding("car.settled", ORDERS, key, "info", f"{subject}：出具出厂通知单", values,
                           notice="car_release"))
    return out


def free_of_charge(v: dict[str, Any]) -> bool:
    """Settled at 0: the customer is charged nothing, whatever discount brought it there."""
    return dec(v.get("结算金额")) == 0


def discount_unapproved(v: dict[str, Any]) -> bool:
    """A discount given without the 业务主管's approval (car.discount_approval)."""
    discount = dec(v.get("折扣金额"))
    return discount is not None and discount > 0 and blank(v.get("折扣审批人"))


def release_open(env: Env, delivered: datetime | None) -> bool:
    """Whether the 出厂通知单 is still drafted: until the end of the first working day
    after the car left (the morning the 结算员 sees a wrong settlement on the daily list)."""
    if delivered is None or delivered.date() >= env.today:
        return True
    day = delivered.date() + timedelta(days=1)
    for _ in range(14):
        if env.cal.is_workday(day):
            break
        day += timedelta(days=1)
    return env.today <= day


def _money_findings(env: Env, key: str, v: dict[str, Any], extras: list[dict[str, Any]], subject: str,
                    who: dict[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    labour, parts, total = dec(v.get("工时费估价")), dec(v.get("备品费估价")), dec(v.get("估价合计"))
    if labour is not None and parts is not None and total is not None and fen(labour + parts) != fen(total):
        out.append(finding("car.estimate_sum", ORDERS, key, "error",
                           f"{subject}：估价合计 {yuan(total)} 元与工时费估价 {yuan(labour)} 元 + 备品费估价 "
                           f"{yuan(parts)} 元 = {yuan(labour + parts)} 元不符", dict(who)))
    estimate = estimate_of(v)
    settled = dec(v.get("结算金额"))
    # A check-only visit (是否进厂 否) settles its check fee, not the repair it estimated. A
    # job settled at nothing (a free redo, a warranty job) charges the customer nothing to explain.
    if estimate is not None and settled is not None and v.get("是否进厂") != "否" and not free_of_charge(v):
        added = sum(((dec(e.get("增项工时费")) or Decimal(0)) + (dec(e.get("增项备品费")) or Decimal(0))
                     for e in extras if accepted(e)), Decimal(0))
        base = estimate + added
        charged = settled + (dec(v.get("折扣金额")) or Decimal(0))
        tolerance = env.settings.sla.estimate_tolerance_percent
        if base > 0 and abs(charged - base) * 100 > base * tolerance:
            pct = (charged - base) * 100 / base
            out.append(finding("car.estimate_deviation", ORDERS, key, "warning",
                               f"{subject}：结算（折前）{yuan(charged)} 元与估价 {yuan(base)} 元相差 {pct:+.1f}%，"
                               f"超过 {tolerance}%，请向客户解释费用构成",
                               {**who, "estimate": fen(base), "charged": fen(charged)}))
    discount = dec(v.get("折扣金额"))
    expected = settlement_of(v)
    if expected is not None and settled is not None and not settlement_adds_up(v):
        out.append(finding("car.settlement_sum", ORDERS, key, "error",
                           f"{subject}：结算金额 {yuan(settled)} 元与工时费 {yuan(dec(v.get('工时费')) or Decimal(0))} 元 + "
                           f"备品费 {yuan(dec(v.get('备品费')) or Decimal(0))} 元 − 折扣 {yuan(discount or Decimal(0))} 元 = "
                           f"{yuan(expected)} 元不符",
                           {**who, "结算金额": settled, "expected": expected}))
    if discount_unapproved(v):
        out.append(finding("car.discount_approval", ORDERS, key, "error",
                           f"{subject}：折扣 {yuan(discount)} 元没有业务主管审批", {**who, "折扣金额": discount}))
    rate = env.settings.tariffs.appointment_labour_discount
    labour_paid = dec(v.get("工时费"))
    if rate is not None and v.get("是否预约") == "是" and labour_paid and not discount:
        expected = fen(labour_paid * rate)
        out.append(finding("car.appointment_discount", ORDERS, key, "warning",
                           f"{subject}：预约客户应享受工时费折扣 {yuan(expected)} 元，结算未给折扣",
                           {**who, "expected": expected}))
    short = owed(v)
    if short > 0 or (settled is not None and v.get("付款方式") == "挂账"):
        since = as_dt(v.get("交车时间")) or as_dt(v.get("完工时间")) or as_dt(v.get("接车时间"))
        out.append(finding("car.outstanding", ORDERS, key, "warning",
                           f"{subject}：欠收 {yuan(short)} 元（结算 {yuan(settled)} 元，实收 "
                           f"{yuan(dec(v.get('实收金额')) or Decimal(0))} 元），请跟进收款",
                           {**who, "owed": short, "since": since, "客户名称": v.get("客户名称")}, due=since))
    return out


def _time_findings(env: Env, key: str, v: dict[str, Any], extras: list[dict[str, Any]], subject: str,
                   who: dict[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    sla = env.settings.sla
    received = as_dt(v.get("接车时间"))
    finished = as_dt(v.get("完工时间"))
    delivered = as_dt(v.get("交车时间"))
    promise = promise_of(v, extras)
    if promise is not None:
        f = track(env, "car.promise", ORDERS, key, subject, "按时完工", promise, finished, start=received)
        f.values = {**f.values, **who, "promised": as_dt(v.get("预计完工时间"))}
        out.append(f)
        start = as_dt(v.get("进车间时间")) or received
        if start is not None and promise > start:
            opens, closes = env.window(sla.progress_check, start, promise)
            checked = as_dt(v.get("进度查询时间"))
            ready = finished or delivered
            # The check asks the workshop when the car will be done: once it is done there
            # is nothing to ask. Done before the window closed, no check was due; done
            # after it, the missed check is closed (late), not overdue for ever.
            if checked is not None or ready is None or ready > closes:
                f = track_window(env, "car.progress_check", ORDERS, key, subject, sla.progress_check.label,
                                 opens, closes, checked or ready, values={**who, "start": start, "done": checked,
                                                                         "deadline": sla.progress_check.label})
                if checked is None and ready is not None:
                    f.values["finished"] = ready
                    f.message = (f"{subject}：{sla.progress_check.label}未做（应在 {fmt_dt(opens)} 至 "
                                 f"{fmt_dt(closes)} 之间向车间询问），车辆已于 {fmt_dt(ready)} 完工")
                out.append(f)
    if yes(v.get("在店等候")) and delivered is not None and received is not None:
        cared = as_dt(v.get("关怀时间"))
        if cared is None or not received <= cared <= delivered:
            out.append(finding("car.care", ORDERS, key, "warning",
                               f"{subject}：客户在店等候期间没有关怀记录（至少一次）", dict(who)))
    if delivered is not None and blank(v.get("质检员")):
        out.append(finding("car.qc", ORDERS, key, "warning", f"{subject}：交车前未经质检（质检员未填）", dict(who)))
    call = followup_of(env, v)
    if call is not None:
        # The deadline is the window's close: met exactly when call.timely (early included).
        label = sla.followup.label
        f = track_window(env, "car.followup", ORDERS, key, subject, label, call.opens, call.closes, call.called,
                         values={**who, "start": delivered, "done": call.called, "deadline": label,
                                 "客户名称": v.get("客户名称"), "联系电话": v.get("联系电话"),
                                 "回访结果": v.get("回访结果")})
        out.append(f)
    return out


def _appointment_window(env: Env, key: str, v: dict[str, Any], appointments: dict[str, dict[str, Any]],
                        subject: str, who: dict[str, Any]) -> list[Finding]:
    number = v.get("预约单号")
    a = appointments.get(number) if number else None
    received = as_date(v.get("接车时间"))
    booked = as_date(a.get("登记时间")) if a else None
    months = env.settings.sla.appointment_window_months
    why = None
    if a is None:
        why = f"预约登记中找不到预约单号 {number or '（未填）'}"
    elif a.get("状态") == "已取消":  # the customer came, but not on a booking the desk kept open
        why = f"预约单 {number} 已取消（客户如按预约到店，请受理人把预约状态改为“已到店”）"
    elif a.get("车牌号") != v.get("车牌号"):
        why = f"预约单 {number} 登记的车牌为 {a.get('车牌号')}"
    elif booked is not None and received is not None and received > add_months(booked, months):
        why = f"预约单 {number} 于 {booked} 登记，已超过 {months} 个月"
    if why is None:
        return []
    return [finding("car.appointment_window", ORDERS, key, "warning",
                    f"{subject}：登记为预约进厂，但{why}，不能按预约车辆接待和优惠", {**who, "预约单号": number})]


__all__ = ["FollowUp", "accepted", "estimate_of", "extras_by_order", "followup_of", "order_gaps", "owed",
           "settlement_adds_up", "settlement_of",
           "promise_of", "work_order_rule"]
