"""预约登记: deposit for expensive parts, signature, workshop told the same day, reminder, no-shows."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from toolkit.model import Finding
from toolkit.packs import State
from toolkit.ruleset.money import dec, fen, yuan
from toolkit.ruleset.timing import Env, as_dt, fmt_dt, track

from .common import APPOINTMENTS, ORDERS, fen_up, finding, yes

# The values the 预约确认单 prints; a new slip only when the time or the deposit changes.
SLIP_FIELDS = ("车牌号", "客户名称", "联系电话", "车型", "预约进厂时间", "预约项目", "需备配件", "配件原价", "定金",
               "受理人", "登记时间")


def min_deposit(env: Env, price: Decimal | None) -> Decimal | None:
    """The least deposit for these parts, or None when they are not expensive enough to need one."""
    rule = env.settings.tariffs.appointment_deposit
    if price is None or price < rule.high_value_parts:
        return None
    return fen_up(price * rule.min_ratio)


def appointment_rule(env: Env, state: State) -> list[Finding]:
    """Each booking judged with the 委托书 that cite its 预约单号 (the visit itself)."""
    citing: dict[str, list[dict[str, Any]]] = {}
    for o in state.get(ORDERS, {}).values():
        if o.get("预约单号"):
            citing.setdefault(str(o["预约单号"]), []).append(o)
    out: list[Finding] = []
    for key, v in state.get(APPOINTMENTS, {}).items():
        out.extend(appointment_findings(env, key, v, citing.get(key, [])))
    return out


def arrival_of(v: dict[str, Any], orders: list[dict[str, Any]]) -> datetime | None:
    """When the customer came: 到店时间, else the earliest 接车时间 of a 委托书 citing this
    booking for the same car (the desk often writes the order and leaves 到店时间 blank)."""
    arrived = as_dt(v.get("到店时间"))
    if arrived is not None:
        return arrived
    plate = v.get("车牌号")
    times = [t for o in orders if not (plate and o.get("车牌号") and o.get("车牌号") != plate)
             for t in (as_dt(o.get("接车时间")),) if t is not None]
    return min(times, default=None)


def appointment_findings(env: Env, key: str, v: dict[str, Any],
                         orders: list[dict[str, Any]] | None = None) -> list[Finding]:
    """``orders``: the 委托书 citing this booking's 预约单号."""
    out: list[Finding] = []
    plate = v.get("车牌号") or ""
    subject = f"预约单 {key}（{plate}）"
    booked = as_dt(v.get("登记时间"))
    slot = as_dt(v.get("预约进厂时间"))
    cancelled = v.get("状态") == "已取消"
    sla = env.settings.sla
    price = dec(v.get("配件原价"))
    least = min_deposit(env, price)
    deposit = dec(v.get("定金"))
    # A cancelled booking holds no parts: nothing to collect (as with its signature).
    if least is not None and not cancelled and (deposit or Decimal(0)) < least:
        short = least - (deposit or Decimal(0))
        out.append(finding(
            "car.appointment_deposit", APPOINTMENTS, key, "error",
            f"{subject}：配件原价 {yuan(price)} 元，定金应不少于 {yuan(least)} 元，实收 {yuan(deposit or Decimal(0))} 元，"
            f"少收 {yuan(short)} 元（受理人 {v.get('受理人') or '未填'}）",
            {"受理人": v.get("受理人"), "配件原价": fen(price), "最低定金": least, "定金": deposit, "short": fen(short)}))
    if not cancelled and not yes(v.get("客户签名")):
        out.append(finding("car.appointment_signed", APPOINTMENTS, key, "warning",
                           f"{subject}：预约单未请客户签名确认（受理人 {v.get('受理人') or '未填'}）",
                           {"受理人": v.get("受理人")}))
    arrived = arrival_of(v, orders or [])
    ended = purpose_ended(env, v, slot, arrived)
    if booked is not None and not cancelled:
        spec = sla.workshop_notice
        out.extend(_until_visit(env, "car.workshop_notice", key, subject, spec.label, env.due(spec, booked),
                                as_dt(v.get("通知车间时间")), booked, ended))
    if slot is not None and booked is not None and not cancelled:
        spec = sla.appointment_reminder
        due = reminder_due(env, slot)
        # Booked on the day the reminder falls due or later (within half a day of the
        # slot included): the booking itself is the reminder.
        if booked.date() < due.date():
            out.extend(_until_visit(env, "car.appointment_reminder", key, subject, spec.label, due,
                                    as_dt(v.get("提醒时间")), booked, ended))
    if slot is not None and not cancelled and arrived is None:
        grace = env.due(sla.no_show_grace, slot)
        if v.get("状态") == "爽约" or env.now > grace:
            out.append(finding(
                "car.no_show", APPOINTMENTS, key, "warning",
                f"{subject}：预约 {fmt_dt(slot)} 进厂，客户未到店，记为爽约，请电话了解原因并重新预约",
                {"预约进厂时间": slot, "客户名称": v.get("客户名称"), "联系电话": v.get("联系电话"),
                 "受理人": v.get("受理人")}, due=grace))
    # A slip for a visit still to come: not for one already made, as when the booking is
    # saved only after the customer came on it (its time past, a 委托书 citing it).
    came = arrived is not None and arrived <= env.now and slot is not None and slot <= env.now
    if not cancelled and not came and slot is not None and slot.date() >= env.today:
        values = {k: v.get(k) for k in SLIP_FIELDS}
        values["最低定金"] = least
        booked_f = finding("car.appointment_booked", APPOINTMENTS, key, "info",
                           f"{subject}：已预约 {fmt_dt(slot)} 进厂，出具预约确认单", values,
                           notice="car_appointment_slip")
        # Judged again when the clock alone changes it: a no-show after the grace time,
        # the slip's end the day after the slot.
        after = datetime.combine(slot.date() + timedelta(days=1), time.min)
        grace = env.due(sla.no_show_grace, slot) if arrived is None else None
        booked_f.wake = min((w for w in (after, grace) if w is not None and w > env.now), default=None)
        out.append(booked_f)
    return out


def reminder_due(env: Env, slot: datetime) -> datetime:
    """When the customer must have been reminded: the latest working moment at least
    ``appointment_reminder`` (12 h) before the slot. The desk phones in its business
    hours, so a 14:00 slot is reminded by the close of the working day before, not at
    02:00 (seed: 提前半天或一天)."""
    return last_working_moment(env, env.due_before(env.settings.sla.appointment_reminder, slot))


def last_working_moment(env: Env, t: datetime) -> datetime:
    """``t`` when it falls in business hours on a working day, else the close of the
    last business-hours window before it (calendar.yaml)."""
    windows = [(w.start_time, w.end_time) for w in env.cal.settings.business_hours]
    day = t.date()
    for _ in range(366):
        if env.cal.is_workday(day):
            for start, end in reversed(windows):
                if datetime.combine(day, start) < t:
                    return min(datetime.combine(day, end), t)
        day -= timedelta(days=1)
    return t  # no working time in a year: the calendar is wrong, keep the plain deadline


def purpose_ended(env: Env, v: dict[str, Any], slot: datetime | None,
                  arrived: datetime | None) -> tuple[datetime, str] | None:
    """When (and why) reminding the customer and telling the workshop stopped mattering:
    the customer's arrival, else the slot once it has passed or the booking says 爽约."""
    if arrived is not None:
        return arrived, f"客户已于 {fmt_dt(arrived)} 到店"
    if slot is None:
        return None
    if v.get("状态") == "已到店":
        return slot, "客户已到店"
    if v.get("状态") == "爽约" or env.now >= slot:
        return slot, f"预约时间 {fmt_dt(slot)} 已过，客户未到店"
    return None


def _until_visit(env: Env, rule: str, key: str, subject: str, label: str, due: datetime, done: datetime | None,
                 booked: datetime, ended: tuple[datetime, str] | None) -> list[Finding]:
    """A deadline of the visit's preparation, closed by the visit when never met: nothing
    when the visit came before the deadline, else late by the time of the visit (it is no
    longer anyone's to-do)."""
    if done is not None or ended is None:
        return [track(env, rule, APPOINTMENTS, key, subject, label, due, done, start=booked)]
    moment, why = ended
    if moment <= due:
        return []
    f = track(env, rule, APPOINTMENTS, key, subject, label, due, moment, start=booked)
    f.values = {**f.values, "done": None, "ended": moment}
    f.message = f"{subject}：{label}未做（时限 {fmt_dt(due)}），{why}，此项不再需要办理"
    return [f]
