"""客户车辆档案, 追加维修项目, 投诉, 来电留言, 安全考核, and the monthly 委托书差错通报."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from toolkit.model import DRAFTS_WITHDRAWN, Finding
from toolkit.packs import State
from toolkit.ruleset.money import dec, fen, yuan
from toolkit.ruleset.timing import DAY_END, Env, add_months, as_date, as_dt, fmt_date, track

from .common import (
    COMPLAINTS,
    CUSTOMERS,
    EXTRAS,
    MESSAGES,
    ORDERS,
    SAFETY,
    VOIDED_ORDERS,
    finding,
    yes,
)
from .orders import extras_by_order, order_gaps, promise_of

MAINTENANCE = frozenset({"首保", "保养"})


# --- 客户车辆档案 --------------------------------------------------------------------


def customer_rule(env: Env, state: State) -> list[Finding]:
    orders_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for o in state.get(ORDERS, {}).values():
        if o.get("车牌号") and as_dt(o.get("接车时间")):
            orders_of[o["车牌号"]].append(o)
    out: list[Finding] = []
    for key, v in state.get(CUSTOMERS, {}).items():
        out.extend(customer_findings(env, key, v, orders_of.get(key, [])))
    return out


def customer_findings(env: Env, key: str, v: dict[str, Any], orders: list[dict[str, Any]]) -> list[Finding]:
    out: list[Finding] = []
    first, filed = as_date(v.get("首次来厂日期")), as_date(v.get("建档日期"))
    subject = f"客户档案 {key}（{v.get('客户名称') or ''}）"
    # The file is due the day of the car's first visit: an order received before the
    # 首次来厂日期 written on the file is an earlier visit (car.md 3.2: 建档日期 ≤ 接车日期).
    earliest = min(orders, key=lambda o: as_dt(o.get("接车时间")) or datetime.max, default=None)
    visit = as_date(earliest.get("接车时间")) if earliest is not None else None
    number = None
    if earliest is not None and visit is not None and (first is None or visit < first):
        number = earliest.get("委托书号")
        start, why = visit, f"委托书 {number} 于 {visit} 已接车" + (
            f"（档案写首次来厂 {first}，请一并改正）" if first is not None else "")
    else:
        start, why = first, f"首次来厂 {first}"
    if start is not None and filed is not None and filed > start:
        days = (filed - start).days
        out.append(finding("car.file_same_day", CUSTOMERS, key, "warning",
                           f"{subject}：{why}，建档 {filed}，晚了 {days} 天（应当日建档）",
                           {"首次来厂日期": first, "建档日期": filed, "days_late": days, "服务顾问": v.get("服务顾问"),
                            "委托书号": number}))
    due = next_service(v, orders)
    if due is not None:
        when, basis, last = due
        done = any(o.get("维修类别") in MAINTENANCE and (as_date(o.get("接车时间")) or date.min) > basis for o in orders)
        remind_from = when - timedelta(days=env.settings.sla.maintenance_reminder_days)
        if not done and env.today >= remind_from:
            rate = env.settings.tariffs.appointment_labour_discount
            values = {"车牌号": key, "客户名称": v.get("客户名称"), "联系电话": v.get("联系电话"), "车型": v.get("车型"),
                      "next_date": when, "next_km": last.get("km"), "last_date": last.get("intake"),
                      "last_km": last.get("里程数"), "服务顾问": v.get("服务顾问"),
                      "basis": basis,  # a service visit after this day closes the reminder
                      # Drafted after the date: the letter says it has passed, not “下次保养日期为”.
                      "overdue": env.today > when,
                      # The booking discount is promised only at the rate the site has set.
                      "discount": f"{(rate * 100).normalize():f}%" if rate is not None else None}
            out.append(finding("car.maintenance_due", CUSTOMERS, key, "info",
                               f"{subject}：下次保养日期 {when}，请提醒客户预约保养", values,
                               notice="car_maintenance", status="overdue" if env.today > when else "due_soon",
                               due=datetime.combine(when, DAY_END)))
    return out


def next_service(v: dict[str, Any], orders: list[dict[str, Any]]) -> tuple[date, date, dict[str, Any]] | None:
    """(next service date, the date it was set on, the visit it was set at) — from the latest
    order's 建议下次保养日期, else the file's 下次保养日期 (the visit the file was made at),
    else the last service visit (any visit when none was a service) plus 保养周期月数.

    The visit printed on the reminder (上次进厂, 当时里程) is the one the date comes from, so
    a visit for another job (a brake repair) changes nothing on it: the reminder is issued
    once per due date, not again each time the car comes in."""
    ordered = sorted(orders, key=lambda o: as_dt(o.get("接车时间")) or datetime.min)
    for o in reversed(ordered):
        suggested = as_date(o.get("建议下次保养日期"))
        if suggested is not None:
            return suggested, as_date(o.get("接车时间")), _visit(o)
    filed = as_date(v.get("建档日期")) or as_date(v.get("首次来厂日期")) or date.min
    if as_date(v.get("下次保养日期")):
        at = [o for o in ordered if (as_date(o.get("接车时间")) or date.max) <= filed]
        # No order that early: the visit the file itself records is the last one known.
        last = _visit(at[-1]) if at else {"intake": as_date(v.get("首次来厂日期"))}
        if last.get("km") is None:
            last["km"] = v.get("下次保养里程")
        return as_date(v.get("下次保养日期")), filed, last
    months = v.get("保养周期月数")
    served = [o for o in ordered if o.get("维修类别") in MAINTENANCE] or ordered
    if months and served:
        last = _visit(served[-1])
        return add_months(last["date"], int(months)), last["date"], last
    return None


def _visit(o: dict[str, Any]) -> dict[str, Any]:
    """A visit: ``date`` (pickup, else intake) counts the service cycle; ``intake`` is the
    day the car came in, printed as 上次进厂 beside the mileage read at intake."""
    intake = as_date(o.get("接车时间"))
    return {"date": as_date(o.get("交车时间")) or intake, "intake": intake, "里程数": o.get("里程数"),
            "km": o.get("建议下次保养里程")}


# --- 追加维修项目 --------------------------------------------------------------------


def extra_rule(env: Env, state: State) -> list[Finding]:
    orders = state.get(ORDERS, {})
    extras = state.get(EXTRAS, {})
    by_order = extras_by_order(extras)
    voided = state.get(VOIDED_ORDERS, {})
    out: list[Finding] = []
    for key, v in extras.items():
        number = v.get("委托书号") or ""
        if number not in orders and number in voided:
            out.append(_withdrawn(key, v))
            continue
        others = [e for e in by_order.get(number, []) if e is not v]
        out.extend(extra_findings(env, key, v, orders.get(number, {}), others))
    return out


def _withdrawn(key: str, v: dict[str, Any]) -> Finding:
    """An extra item of a 委托书 marked 作废: its unsigned slips are withdrawn, none drafted
    (they come back with the order should the mark be cleared)."""
    number = v.get("委托书号")
    return finding("car.extra_pending", EXTRAS, key, "info",
                   f"追加项目 {key}：委托书 {number} 已作废，追加维修项目确认单随之作废",
                   {"委托书号": number, DRAFTS_WITHDRAWN: True}, notice="car_extra")


def extra_findings(env: Env, key: str, v: dict[str, Any], order: dict[str, Any],
                   others: list[dict[str, Any]]) -> list[Finding]:
    """``others``: the order's other extra items (what they moved the promise by counts too)."""
    out: list[Finding] = []
    number = v.get("委托书号")
    subject = f"追加项目 {key}（委托书 {number}，服务顾问 {order.get('服务顾问') or '未填'}）"
    who = {"服务顾问": order.get("服务顾问"), "委托书号": number}
    told = as_dt(v.get("车间通知时间"))
    if told is not None:
        spec = env.settings.sla.extra_contact
        f = track(env, "car.extra_contact", EXTRAS, key, subject, spec.label, env.due(spec, told),
                  as_dt(v.get("联系客户时间")), start=told)
        f.values = {**f.values, **who}
        out.append(f)
    if v.get("客户答复") == "同意" and not yes(v.get("客户签名")):
        out.append(finding("car.extra_signed", EXTRAS, key, "error",
                           f"{subject}：客户同意追加但未在委托书上再次签字，完工时间不能顺延", who))
    if v.get("客户答复") == "同意" and dec(v.get("增项工时费")) is None and dec(v.get("增项备品费")) is None:
        # Seed 002 第7条: the extra is written on the 委托书 with its price, then signed again;
        # an agreement to an unpriced job is no quote (a free one is written 0).
        out.append(finding("car.extra_quote", EXTRAS, key, "error",
                           f"{subject}：客户已同意追加“{v.get('增项内容') or ''}”，但增项工时费和增项备品费都未填写，"
                           "增项未报价", who))
    finished = as_dt(order.get("完工时间"))
    # The slip asks the customer to decide and sign while the car is still being repaired:
    # not once they refused, nor once they agreed and signed (car.md 3.3).
    reply = v.get("客户答复")
    undecided = reply in (None, "", "未联系上") or (reply == "同意" and not yes(v.get("客户签名")))
    if undecided and (finished is None or finished.date() >= env.today):
        labour, parts = dec(v.get("增项工时费")) or Decimal(0), dec(v.get("增项备品费")) or Decimal(0)
        values = {k: v.get(k) for k in ("增项内容", "增项工时费", "增项备品费", "延长工期小时", "新预计完工时间",
                                        "客户答复", "车间通知时间")}
        values.update({"委托书号": number, "total": fen(labour + parts), "车牌号": order.get("车牌号"),
                       "客户名称": order.get("客户名称"), "车型": order.get("车型"),
                       "预计完工时间": order.get("预计完工时间"), "服务顾问": order.get("服务顾问"),
                       # The completion time once the customer signs: the order's promise moved
                       # by the extras already signed and this one (car.promise's own reckoning).
                       "promise": promise_of(order, [*others, {**v, "客户答复": "同意", "客户签名": "是"}])})
        out.append(finding("car.extra_pending", EXTRAS, key, "info", f"{subject}：出具追加维修项目确认单", values,
                           notice="car_extra"))
    return out


# --- 投诉、留言 -----------------------------------------------------------------------


def complaint_findings(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    promised = as_dt(v.get("约定答复时间"))
    # A reply time promised is a reply owed (seed 000 第五篇 15), whether 当场答复 says 否
    # or was left blank; only one answered on the spot (是) owes nothing more.
    if v.get("当场答复") == "是" or promised is None:
        return []
    subject = f"投诉 {key}（{v.get('客户名称') or ''}，责任人 {v.get('责任人') or '未填'}）"
    f = track(env, "car.complaint_reply", COMPLAINTS, key, subject, "按约定答复客户", promised,
              as_dt(v.get("答复时间")), start=as_dt(v.get("受理时间")))
    f.values = {**f.values, "责任人": v.get("责任人")}
    return [f]


def message_findings(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    called = as_dt(v.get("来电时间"))
    if called is None:
        return []
    spec = env.settings.sla.message_callback
    due = as_dt(v.get("最佳回电时间")) or as_dt(v.get("承诺答复时间")) or env.due(spec, called)
    subject = f"来电留言 {key}（{v.get('来电人') or ''}，找 {v.get('被找人员') or '未注明'}）"
    f = track(env, "car.message_callback", MESSAGES, key, subject, spec.label, due, as_dt(v.get("回电时间")),
              start=called)
    f.values = {**f.values, "处理人": v.get("处理人") or v.get("被找人员")}
    return [f]


# --- 安全考核 -------------------------------------------------------------------------


def points_of(env: Env, v: dict[str, Any]) -> int:
    """The points of a row: the table's figure (a blank cell takes it; a wrong one is flagged)."""
    return env.settings.tariffs.safety_points.get(v.get("违规项") or "", 0)


def safety_findings(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    expected = points_of(env, v)
    given = v.get("扣分")
    who = {"员工": v.get("员工"), "违规项": v.get("违规项"), "points": expected, "日期": v.get("考核日期")}
    subject = f"安全考核 {fmt_date(as_date(v.get('考核日期')))} {v.get('员工') or ''}"
    if given is None:
        return [finding("car.safety_points", SAFETY, key, "info",
                        f"{subject}：{v.get('违规项')}，按考核标准扣 {expected} 分", who)]
    if int(given) != expected:
        return [finding("car.safety_points", SAFETY, key, "error",
                        f"{subject}：{v.get('违规项')} 应扣 {expected} 分，表中填 {given} 分", {**who, "given": given})]
    return []


# --- 委托书差错通报（月度，按服务顾问）------------------------------------------------


def last_month(today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    start = add_months(first, -1)
    return start, first


def fine_rule(env: Env, state: State) -> list[Finding]:
    """The notices with faulty orders in them, about the 委托书 register (``fine_notices``)."""
    return [f for f in fine_notices(env, state) if f.register == ORDERS]


def safety_notice_rule(env: Env, state: State) -> list[Finding]:
    """The notices of safety deductions alone, about the 安全考核 register: filed under it in
    发文登记, and judged (opened, closed) as that register's findings."""
    return [f for f in fine_notices(env, state) if f.register == SAFETY]


def fine_notices(env: Env, state: State) -> list[Finding]:
    """Last month's 委托书差错通报, one per person with something to notify: faulty orders ×
    the fine (a service advisor's) and the month's safety deductions (anyone's: seed 002
    安全考核 covers every post). Someone with neither gets none. Issued from the 1st of the
    next month."""
    start, end = last_month(env.today)
    fine = fen(env.settings.tariffs.order_fine)
    month = f"{start:%Y-%m}"
    per_sa: dict[str, dict[str, Any]] = {}

    def sheet(name: str) -> dict[str, Any]:
        return per_sa.setdefault(name, {"orders": [], "safety": [], "opened": 0, "post": None})

    for key, v in sorted(state.get(ORDERS, {}).items()):
        got = as_date(v.get("接车时间"))
        if got is None or not start <= got < end or v.get("是否进厂") == "否":
            continue
        s = sheet(v.get("服务顾问") or "未填")
        s["opened"] += 1
        s["post"] = "服务顾问"  # whoever opens 委托书 is a service advisor, whatever else is written
        gaps = order_gaps(v)
        if gaps:
            s["orders"].append(
                {"委托书号": key, "日期": got, "车牌号": v.get("车牌号"), "missing": "、".join(gaps), "fine": fine})
    for v in state.get(SAFETY, {}).values():
        d = as_date(v.get("考核日期"))
        if d is not None and start <= d < end and v.get("员工"):
            s = sheet(v["员工"])
            s["safety"].append({"日期": d, "违规项": v.get("违规项"), "points": points_of(env, v)})
            s["post"] = s["post"] or v.get("岗位")
    out: list[Finding] = []
    for sa, s in sorted(per_sa.items()):
        if not s["orders"] and not s["safety"]:
            continue  # orders without a fault and no deduction: nothing to notify
        total = fen(fine * len(s["orders"]))
        s["orders"].sort(key=lambda o: (o["日期"], o["委托书号"]))
        s["safety"].sort(key=lambda x: (x["日期"], x["违规项"] or ""))
        points = sum(x["points"] for x in s["safety"])
        values = {"服务顾问": sa, "岗位": s["post"] or "", "month": month, "orders": s["orders"],
                  "count": len(s["orders"]), "opened": s["opened"], "fine": fine, "total": total,
                  "safety": s["safety"], "safety_points": points,
                  # The rule judges one month, in the month after it: from this moment it no
                  # longer does, and an unsigned notice closes by design (lapses_with).
                  "judged_until": datetime.combine(add_months(end, 1), time.min)}
        what = [f"委托书差错 {len(s['orders'])} 份，罚款 {yuan(total)} 元"] if s["orders"] else []
        what += [f"安全考核扣 {points} 分"] if s["safety"] else []
        # Filed (发文登记's 登记记录) under the register it reports on: 安全考核 for deductions alone.
        register = ORDERS if s["orders"] else SAFETY
        out.append(finding("car.fine_notice", register, f"{sa}@{month}", "warning",
                           f"{month} {(s['post'] or '') + ' ' if s['post'] else ''}{sa}：{'，'.join(what)}",
                           values, notice="car_fine_notice", due=datetime.combine(end, time.min)))
    return out


__all__ = ["complaint_findings", "customer_rule", "extra_rule", "fine_notices", "fine_rule", "message_findings",
           "next_service", "points_of", "safety_findings", "safety_notice_rule"]
