"""售后待办日报, 售后周报, 售后月报.

The daily list is what the desk must do today (appointments, promises, progress checks,
follow-up calls, reminders, 欠收, everything overdue). The weekly and monthly reports
count what the desk did (by 车型, 维修类别, revenue split, appointment share, on-time
delivery, follow-up rate, 一次修复率), this period against the one before, with charts
and a one-page Word summary; the monthly one adds per service advisor fines and the
safety points.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from toolkit.fields import mask_phone
from toolkit.model import Finding
from toolkit.reports.model import Chart, Column, Mark, Report, Table
from toolkit.reports.periods import Period
from toolkit.reports.source import Source, when
from toolkit.ruleset.hook import rules_hook
from toolkit.ruleset.money import dec, fen
from toolkit.ruleset.timing import as_date, as_dt, duration_text

from ..rules.appointments import arrival_of
from ..rules.common import (
    APPOINTMENTS,
    CLAIMS,
    COMPLAINTS,
    CUSTOMERS,
    EXTRAS,
    MESSAGES,
    ORDERS,
    SAFETY,
)
from ..rules.orders import fee_settled, followup_of, order_gaps, owed

ALL = (CUSTOMERS, APPOINTMENTS, ORDERS, EXTRAS, COMPLAINTS, MESSAGES, SAFETY, CLAIMS)
OPEN = ("pending", "due_soon", "overdue", "open")
ZERO = Decimal("0.00")


def _pct(x: Decimal | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def _rate(num: int, den: int) -> Decimal | None:
    return (Decimal(num) / den).quantize(Decimal("0.0001")) if den else None


# --- what can no longer be put right --------------------------------------------------

# Findings about what had to happen while the car or the customer was at the desk: the
# check before delivery, the signatures at intake, the customer's care while waiting, the
# 委托书 the customer signed (its fine is counted in the month). Once the car has left
# nobody can do them any more: the daily list shows each until the first working day
# after, for the person named to see, and the weekly and monthly reports keep them.
# A wrong 预约单号 or an unwritten 诊断估价费 can still be corrected in the register: not here.
AT_DELIVERY = frozenset({"car.qc", "car.care", "car.intake_signed", "car.order_incomplete", "car.workshop_receipt",
                         "car.estimate_deviation"})
AT_VISIT = frozenset({"car.appointment_deposit", "car.appointment_signed"})  # the booked visit came or passed


def past_since(f: Finding, src: Source, stood: dict[str, dict[str, dict[str, Any]]] | None = None,
               at: datetime | None = None) -> datetime | None:
    """When what ``f`` asks for stopped being possible (None: it still can be done).
    ``stood``/``at``: the records as they stood at a past moment, judged at it."""
    def records(register: str) -> dict[str, dict[str, Any]]:
        return stood[register] if stood is not None else src.records(register)

    if f.rule in AT_DELIVERY or f.rule == "car.extra_signed":
        key = f.values.get("委托书号") if f.rule == "car.extra_signed" else f.record
        v = records(ORDERS).get(str(key or ""), {})
        gone = as_dt(v.get("交车时间"))
    elif f.rule in AT_VISIT:
        v = records(APPOINTMENTS).get(f.record, {})
        gone = as_dt(v.get("到店时间")) or as_dt(v.get("预约进厂时间"))
    elif f.rule == "car.file_same_day":
        gone = as_dt(records(CUSTOMERS).get(f.record, {}).get("建档日期"))
    else:
        return None
    return gone if gone is not None and gone <= (at or src.as_of) else None


def last_listed(src: Source, since: datetime) -> Any:
    """The last day a past fact is on the daily list: the first working day after it."""
    cal = src.env(src.as_of, "car").cal
    day = since.date() + timedelta(days=1)
    for _ in range(14):
        if cal.is_workday(day):
            return day
        day += timedelta(days=1)
    return day


def _past_note(last: Any, today: Any, where: str) -> str:
    when = "明日起" if last == today else f"{last + timedelta(days=1)} 起"
    return f"（{where}，已无法补做，请知悉；{when}不再列入日报，见周报、月报“服务规范”）"


def _person(src: Source, f: Finding, values: dict[str, Any] | None = None) -> str:
    """Who answers for ``f``: the record's ``values`` (as a past period stood) or today's."""
    if values is None:
        values = src.records(f.register).get(f.record, {})
    person, desk = src.responsible(f.register, values)
    # Nobody named on the row (a message for no one in particular, a complaint with no
    # 责任人): the department answering for the register acts, so 负责人 is never blank.
    return person or str(f.values.get("服务顾问") or "") or desk


# --- 售后待办日报 ------------------------------------------------------------------------


def car_daily(src: Source, period: Period) -> Report:
    now = src.as_of
    today, tomorrow = now.date(), now.date() + timedelta(days=1)
    found = src.findings(*ALL)
    by = defaultdict(list)
    for f in found:
        by[f.rule].append(f)
    appts = src.records(APPOINTMENTS)
    todo_of: dict[str, list[str]] = defaultdict(list)
    for f in found:
        if f.register == APPOINTMENTS and f.status in OPEN and f.rule != "car.appointment_booked":
            todo_of[f.record].append({"car.appointment_reminder": "待电话提醒", "car.workshop_notice": "待通知车间",
                                      "car.appointment_deposit": "定金不足", "car.appointment_signed": "待客户签名",
                                      "car.no_show": "爽约"}.get(f.rule, f.rule))
    appt_rows = []
    for key, v in sorted(appts.items(), key=lambda kv: as_dt(kv[1].get("预约进厂时间")) or datetime.max):
        slot = as_dt(v.get("预约进厂时间"))
        if slot is None or slot.date() not in (today, tomorrow) or v.get("状态") == "已取消":
            continue
        appt_rows.append([key, slot, v.get("车牌号"), v.get("客户名称"), mask_phone(v.get("联系电话")),
                          v.get("预约项目"), v.get("需备配件") or "", v.get("受理人"), "、".join(todo_of.get(key, []))])
    appointments = Table("今明预约", f"今明两天的预约（{today}、{tomorrow}）",
                         [Column("预约单号", width=12), Column("预约进厂", "datetime"), Column("车牌号", width=11),
                          Column("客户", width=14), Column("电话", width=14), Column("预约项目", width=24),
                          Column("需备配件", width=16), Column("受理人", width=9), Column("待办", width=24)],
                         appt_rows, note="待办：待电话提醒、待通知车间、定金不足、待客户签名。")
    # A customer who did not come is called the next morning (the seed: ask why, book
    # again); once 状态 says 爽约 or 已取消 the desk has dealt with it.
    noshow_rows = []
    for f in by["car.no_show"]:
        v = appts.get(f.record, {})
        if f.status not in OPEN or v.get("状态") in ("爽约", "已取消"):
            continue
        noshow_rows.append([f.record, as_dt(v.get("预约进厂时间")), v.get("车牌号"), v.get("客户名称"),
                            mask_phone(v.get("联系电话")), v.get("预约项目"), v.get("受理人")])
    noshows = Table("爽约", "预约后未到店的客户：请电话了解原因并重新预约",
                    [Column("预约单号", width=12), Column("预约进厂", "datetime"), Column("车牌号", width=11),
                     Column("客户", width=14), Column("电话", width=14), Column("预约项目", width=24),
                     Column("受理人", width=9)],
                    sorted(noshow_rows, key=lambda r: r[1] or datetime.max),
                    note="联系后在预约登记中把状态改为“爽约”（或“已取消”），即从本表消除。")
    orders = src.records(ORDERS)
    promise_rows = []
    for f in by["car.promise"]:
        if f.status in OPEN and f.due.date() <= today:
            v = orders.get(f.record, {})
            promise_rows.append([f.record, v.get("车牌号"), v.get("服务顾问"), f.due,
                                 "已超时" if f.status == "overdue" else "今日到期",
                                 duration_text(f.overdue_minutes) if f.overdue_minutes else "", v.get("维修项目")])
    promise_rows.sort(key=lambda r: r[3])
    promises = Table("今日交车", "承诺今天完工（或已超时）尚未完工的车辆",
                     [Column("委托书号", width=12), Column("车牌号", width=11), Column("服务顾问", width=9),
                      Column("承诺完工", "datetime"), Column("状态", width=9), Column("超时", width=20),
                      Column("维修项目", width=30)], promise_rows, marks=[Mark("状态", "已超时")])
    replies = _replies_due(src, by, today)
    extras = _extras_waiting(src, by)
    soon = now + timedelta(hours=2)
    check_rows = [[f.record, orders.get(f.record, {}).get("车牌号"), f.values.get("服务顾问"), f.values["opens"],
                   f.values["closes"], "已错过" if f.status == "overdue" else "待询问"]
                  for f in by["car.progress_check"] if f.status in OPEN and f.values["opens"] <= soon]
    checks = Table("进度查询", "两小时内应向车间询问进度的委托书（预计工期的 70%–80%）",
                   [Column("委托书号", width=12), Column("车牌号", width=11), Column("服务顾问", width=9),
                    Column("最早", "datetime"), Column("最迟", "datetime"), Column("状态", width=9)],
                   sorted(check_rows, key=lambda r: r[3]), marks=[Mark("状态", "已错过")])
    call_rows = []
    for f in by["car.followup"]:
        if f.status in OPEN and f.values["opens"] <= now:
            closing = f.values["closes"].date() == today
            call_rows.append([f.record, orders.get(f.record, {}).get("车牌号"), f.values.get("客户名称"),
                              mask_phone(f.values.get("联系电话")), as_date(f.values.get("start")), f.values["closes"],
                              "已过期" if f.status == "overdue" else ("今天截止" if closing else "可回访"),
                              f.values.get("服务顾问")])
    calls = Table("回访", "出厂二天至一周内应做的电话回访",
                  [Column("委托书号", width=12), Column("车牌号", width=11), Column("客户", width=14),
                   Column("电话", width=14), Column("出厂日期", "date"), Column("截止", "datetime"),
                   Column("状态", width=9), Column("服务顾问", width=9)],
                  sorted(call_rows, key=lambda r: r[5]), marks=[Mark("状态", "已过期"), Mark("状态", "今天截止", "FFEB9C")])
    remind_rows = [[f.record, f.values.get("客户名称"), mask_phone(f.values.get("联系电话")), f.values.get("车型"),
                    f.values.get("next_date"), f.values.get("服务顾问")] for f in by["car.maintenance_due"]]
    reminders = Table("保养提醒", "近期到期的保养，请电话提醒客户预约",
                      [Column("车牌号", width=11), Column("客户", width=14), Column("电话", width=14),
                       Column("车型", width=12), Column("下次保养", "date"), Column("服务顾问", width=9)],
                      sorted(remind_rows, key=lambda r: r[4]))
    limit = src.rules.pack("car").settings.sla.outstanding_days
    owe_rows = []
    for f in by["car.outstanding"]:
        since = f.values.get("since")
        if since is not None and since <= now - timedelta(days=limit):
            owe_rows.append([f.record, orders.get(f.record, {}).get("车牌号"), f.values.get("客户名称"), since,
                             f.values.get("owed"), f.values.get("服务顾问")])
    owing = Table("欠收", f"交车超过 {limit} 天仍未收齐的款项",
                  [Column("委托书号", width=12), Column("车牌号", width=11), Column("客户", width=14),
                   Column("交车时间", "datetime"), Column("欠收（元）", "money"), Column("服务顾问", width=9)],
                  sorted(owe_rows, key=lambda r: r[3]))
    overdue_rows, fix_rows = [], []
    for f in found:
        person = _person(src, f)
        if f.status == "overdue" and f.rule not in ("car.maintenance_due",):
            overdue_rows.append([src.title(f.register), f.record, f.due, duration_text(f.overdue_minutes or 0),
                                 person, f.message, f.overdue_minutes or 0])
        elif f.status == "open" and f.severity in ("warning", "error") and f.rule not in (
                "car.outstanding", "car.fine_notice", "car.no_show"):
            message = f.message
            since = past_since(f, src)
            if since is not None:
                last = last_listed(src, since)
                if today > last:
                    continue  # seen on its day; the weekly and monthly reports keep it
                where = "预约时间已过" if f.rule in AT_VISIT else "已建档" if f.rule == "car.file_same_day" else "车辆已离店"
                message += _past_note(last, today, where)
            fix_rows.append([src.title(f.register), f.record, "须纠正" if f.severity == "error" else "提醒", person,
                             message])
    overdue_rows.sort(key=lambda r: -r[6])
    overdue = Table("逾期事项", "所有已超时未办的事项，超时最久的排在最前",
                    [Column("登记表", width=14), Column("编号", width=14), Column("时限", "datetime"),
                     Column("超时", width=20), Column("负责人", width=9), Column("说明", width=60)],
                    [r[:6] for r in overdue_rows])
    fixes = Table("待纠正", "登记内容不符合规范、需要补正的记录",
                  [Column("登记表", width=14), Column("编号", width=14), Column("类别", width=8),
                   Column("负责人", width=9), Column("说明", width=70)], fix_rows, marks=[Mark("类别", "须纠正")])
    claims = claims_table(by["car.claim_pending"], today)
    headline = [("今明预约", str(len(appt_rows)), ""), ("爽约待联系", str(len(noshow_rows)), ""),
                ("今日交车", str(len(promise_rows)), ""),
                ("待回访", str(len(call_rows)), ""), ("保养提醒", str(len(remind_rows)), ""),
                ("逾期事项", str(len(overdue_rows)), ""), ("待批索赔", str(len(claims.rows)), "")]
    headline.insert(3, ("今日答复", str(len(replies.rows)), ""))
    headline.insert(4, ("待答复增项", str(len(extras.rows)), ""))
    return Report("car_daily", "售后待办日报", period, now, f"售后待办日报-{period.label}",
                  [overdue, appointments, noshows, promises, replies, extras, checks, calls, reminders, owing, fixes,
                   claims],
                  headline=headline)


def _extras_waiting(src: Source, by: dict[str, list[Finding]]) -> Table:
    """Extra items the customer has not yet decided on (never reached, not yet phoned,
    agreed but not signed) while the car is in the shop: the advisor phones or asks for
    the signature, and the workshop waits on the answer."""
    orders, extras = src.records(ORDERS), src.records(EXTRAS)
    rows = []
    for f in by["car.extra_pending"]:
        v, o = extras.get(f.record, {}), orders.get(str(f.values.get("委托书号") or ""), {})
        reply = v.get("客户答复")
        state = ("已同意，待客户签字" if reply == "同意" else "未联系上，请再次联系" if reply == "未联系上"
                 else "待电话联系客户" if as_dt(v.get("联系客户时间")) is None else "已联系，待客户答复")
        rows.append([f.record, f.values.get("委托书号"), o.get("车牌号"), o.get("客户名称"), mask_phone(o.get("联系电话")),
                     v.get("增项内容"), f.values.get("total"), as_dt(v.get("车间通知时间")), state, _person(src, f)])
    rows.sort(key=lambda r: (r[7] or datetime.max, r[0]))
    return Table("待答复增项", "车间提出、客户尚未答复确认的追加维修项目：请服务顾问电话联系客户",
                 [Column("增项单号", width=12), Column("委托书号", width=12), Column("车牌号", width=11),
                  Column("客户", width=14), Column("电话", width=14), Column("增项内容", width=24),
                  Column("金额（元）", "money"), Column("车间通知", "datetime"), Column("状态", width=18),
                  Column("服务顾问", width=9)], rows,
                 note="客户答复后在追加项目登记中填写“客户答复”（同意的还须客户再次签字并填“客户签名”），即从本表消除。",
                 marks=[Mark("状态", "未联系上，请再次联系")])


def _replies_due(src: Source, by: dict[str, list[Finding]], today: Any) -> Table:
    """Callbacks and complaint replies promised for today (or earlier) and not yet made:
    a message taken in the afternoon for the next morning is on no list before it is
    missed otherwise. Once missed it moves to 逾期事项."""
    rows = []
    for rule, register, who, phone, what in (("car.message_callback", MESSAGES, "来电人", "联系电话", "基本需求"),
                                             ("car.complaint_reply", COMPLAINTS, "客户名称", "联系电话", "投诉内容")):
        for f in by[rule]:
            if f.status not in OPEN or f.status == "overdue" or f.due is None or f.due.date() > today:
                continue
            v = src.records(register).get(f.record, {})
            rows.append([src.title(register), f.record, v.get(who), mask_phone(v.get(phone)), v.get(what), f.due,
                         _person(src, f)])
    rows.sort(key=lambda r: r[5])
    return Table("今日答复", "今天到期的留言回电和投诉答复",
                 [Column("登记表", width=12), Column("编号", width=12), Column("客户", width=14),
                  Column("电话", width=14), Column("事项", width=30), Column("时限", "datetime"),
                  Column("负责人", width=9)], rows,
                 note="回电或答复后在登记表中填写回电时间（答复时间），即从本表消除；过了时限未办的列入“逾期事项”。")


def claims_table(pending: list[Finding], today: Any) -> Table:
    """Claims awaiting the maker (索赔登记): not yet reported first, then the longest waiting."""
    rows = []
    for f in pending:
        if f.status not in OPEN:
            continue
        v = f.values
        since = as_date(v.get("批复日期")) or as_date(v.get("上报厂家日期")) or as_date(v.get("申请日期"))
        state = "厂家退回待修改" if v.get("returned") else "待批复" if v.get("reported") else "未上报厂家"
        rows.append([f.record, v.get("委托书号") or "", v.get("车牌号"), v.get("故障"), as_date(v.get("申请日期")),
                     as_date(v.get("上报厂家日期")), state,
                     max((today - since).days, 0) if since else 0, v.get("服务顾问") or ""])
    # What waits on the desk (never reported, or sent back) comes before what waits on the maker.
    rows.sort(key=lambda r: (r[6] == "待批复", -r[7], r[0]))
    return Table("待批索赔", "尚待厂家批复的索赔（未上报和厂家退回的排在最前）",
                 [Column("索赔单号", width=13), Column("委托书号", width=13), Column("车牌号", width=11),
                  Column("故障", width=24), Column("申请日期", "date"), Column("上报厂家日期", "date"),
                  Column("状态", width=11), Column("已等天数", "int"), Column("服务顾问", width=9)],
                 rows, marks=[Mark("状态", "未上报厂家"), Mark("状态", "厂家退回待修改", "FFEB9C")],
                 note="已等天数：已上报的从上报厂家之日算起，未上报的从申请之日算起，厂家退回的从退回之日算起。"
                      "厂家批准或拒绝后在登记表中填写“厂家批复”，即从本表消除；厂家退回修改的，由服务顾问改正后重新上报，"
                      "登记表改填“待批”和新的上报厂家日期。")


# --- 周报与月报 -----------------------------------------------------------------------


@dataclass
class Stats:
    period: Period
    received: int = 0
    delivered: int = 0
    check_only: int = 0
    appointed: int = 0
    no_shows: int = 0
    on_time: int = 0
    late: int = 0
    followed: int = 0
    follow_due: int = 0
    repaired: int = 0
    repeats: int = 0
    complaints: int = 0
    first_service: int = 0
    satisfied: int = 0
    surveyed: int = 0
    money: dict[str, Decimal] = field(default_factory=lambda: {k: ZERO for k in (
        "工时费", "备品费", "折扣金额", "诊断估价费", "结算金额", "实收金额", "欠收")})
    by_model: dict[str, list[Any]] = field(default_factory=dict)
    by_kind: Counter = field(default_factory=Counter)
    per_sa: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def on_time_rate(self) -> Decimal | None:
        return _rate(self.on_time, self.on_time + self.late)

    @property
    def appointment_share(self) -> Decimal | None:
        return _rate(self.appointed, self.received)

    @property
    def followup_rate(self) -> Decimal | None:
        return _rate(self.followed, self.follow_due)

    @property
    def first_fix_rate(self) -> Decimal | None:
        return _rate(self.repaired - self.repeats, self.repaired)


def _repeats(orders: dict[str, dict[str, Any]], days: int) -> set[str]:
    """Orders that are a return for the same fault: 维修类别 返修, or the same car back within
    ``days`` days with the same 客户问题."""
    out = set()
    by_plate: dict[str, list[tuple[datetime, str, str]]] = defaultdict(list)
    for k, v in orders.items():
        t = as_dt(v.get("接车时间"))
        if t is not None and v.get("车牌号"):
            by_plate[v["车牌号"]].append((t, k, str(v.get("客户问题") or "")))
        if v.get("维修类别") == "返修":
            out.add(k)
    for visits in by_plate.values():
        visits.sort()
        for i, (t, k, problem) in enumerate(visits):
            if problem and any(t - t0 <= timedelta(days=days) and p0 == problem for t0, _, p0 in visits[:i]):
                out.add(k)
    return out


def _as_then(src: Source, register: str, current: dict[str, dict[str, Any]],
             moment: datetime) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """These records with the values they had at ``moment`` (``Source.records_at`` for
    records a rule looks up, not only the report's window), and those of them that stood
    otherwise then (only they are read back)."""
    then = src.ctx.ledger.changed_at(register, moment)
    return {k: then.get(k, v) for k, v in current.items()}, then


# The findings the period reports count or list, judged again at a past period's end:
# 按时完工 and the booking's validity (rates), 爽约 (counts), what could no longer be done
# once the car or the customer had gone (服务规范).
USED = frozenset({"car.promise", "car.appointment_window", "car.no_show", "car.extra_signed",
                  "car.file_same_day"}) | AT_DELIVERY | AT_VISIT
TIMES = ("接车时间", "完工时间", "交车时间")  # an order's moments a period's figures count it by


def _in_period(p: Period, v: dict[str, Any]) -> bool:
    return any(p.contains(t) for c in TIMES if (t := when(v.get(c))) is not None)


@dataclass
class AsOf:
    """A period's records and findings as they stood at its end (or now, for the period
    not over): a correction saved after a period ended does not change its figures, nor
    the next report's 上周/上月 column."""
    moment: datetime
    orders: dict[str, dict[str, Any]]
    found: list[Finding]
    stood: dict[str, dict[str, dict[str, Any]]] | None = None  # None: the registers as they are now

    def records(self, src: Source, register: str) -> dict[str, dict[str, Any]]:
        if self.stood is None:
            return src.records(register)
        if register not in self.stood:
            self.stood[register] = src.records_at(register, self.moment)
        return self.stood[register]


def _rule(src: Source, name: str) -> Any:
    return next(r for p in src.rules.packs for r in p.rules if r.name == name)


def _as_of(src: Source, p: Period, found: list[Finding]) -> AsOf:
    """The period's orders as they stood at its end and, for a period over, the rules'
    findings as they gave them then (``USED``; the others stay the report's own).

    Each order is judged on its own (its extras, its booking), and what ``USED`` takes of
    an order's findings does not move with the clock once it was received, finished or
    handed over in the period (按时完工 is judged by its 完工时间). So only those orders
    can count in its figures or its 服务规范 table, and only those whose row, extras or
    booking stood otherwise at its end are judged again: the others' findings are the
    report's own."""
    moment = min(p.end_dt, src.as_of)
    orders = src.records_at(ORDERS, moment)
    if moment >= src.as_of:
        return AsOf(moment, orders, found)
    then = AsOf(moment, orders, [], {ORDERS: orders})
    hook, work = rules_hook(src.ctx), _rule(src, "car_work_order")
    judged = {k: v for k, v in orders.items() if _in_period(p, v)}
    extras_now = src.context(work, EXTRAS)
    extras, extras_moved = _as_then(src, EXTRAS, extras_now, moment)
    bookings, bookings_moved = _as_then(src, APPOINTMENTS, src.context(work, APPOINTMENTS), moment)
    # Marked 作废 since (records_at keeps them): their findings closed with the mark.
    moved = set(src.ctx.ledger.changed_at(ORDERS, moment)) | set(src.ctx.ledger.retired_since(ORDERS, moment))
    moved |= {str(e.get("委托书号") or "") for k in extras_moved for e in (extras[k], extras_now.get(k, {}))}
    again = {k: v for k, v in judged.items() if k in moved or str(v.get("预约单号") or "") in bookings_moved}
    cited = {str(v.get("预约单号")) for v in again.values() if v.get("预约单号")}
    extras = {k: v for k, v in extras.items() if str(v.get("委托书号") or "") in judged}
    state = {ORDERS: again, EXTRAS: {k: v for k, v in extras.items() if str(v.get("委托书号") or "") in again},
             APPOINTMENTS: {k: v for k, v in bookings.items() if k in cited},
             CUSTOMERS: src.context(work, CUSTOMERS)}  # for the 建档 reminders alone, which no figure counts
    found_then = hook.run(state, moment, only=[work.name]) if again else []
    found_then += [f for f in found if f.register == ORDERS and f.record in judged and f.record not in again]
    # The bookings, the files and the extras with every order as it stood (a booking is
    # kept by the 委托书 citing it, a file judged by the car's first visit).
    state = {ORDERS: _as_then(src, ORDERS, src.whole(ORDERS), moment)[0], EXTRAS: extras,
             APPOINTMENTS: then.records(src, APPOINTMENTS), CUSTOMERS: then.records(src, CUSTOMERS)}
    found_then += hook.run(state, moment, only=["car_customer", "car_appointment", "car_extra_item"])
    then.found = [f for f in found_then if f.rule in USED] + [f for f in found if f.rule not in USED]
    return then


def _stats(src: Source, p: Period, then: AsOf) -> Stats:
    s = Stats(p)
    cut = src.as_of
    # The orders and findings as they stood when the period ended (or now, for one not
    # over): a payment or a correction saved later does not change a past period's
    # figures, so a report made again, or the next period's 上周/上月 column, shows what
    # was true at its end.
    orders, found = then.orders, then.found
    repeat_days = src.rules.pack("car").settings.sla.repeat_repair_days
    # A return is judged against the car's visits of the last ``repeat_days`` (30), older
    # than the report's window: those of the cars in view, read whole.
    plates = {v.get("车牌号") for v in orders.values()}
    repeats = _repeats({k: v for k, v in src.whole(ORDERS).items() if v.get("车牌号") in plates}, repeat_days)
    env = src.env(cut, "car")

    def inside(value: Any) -> bool:
        t = when(value)
        return t is not None and p.contains(t) and t <= cut

    # An order marked 是否预约 counts as an appointment only when the rules found its booking
    # valid: in the ledger, for this car, booked within the month (seed 002).
    not_booked = {f.record for f in found if f.rule == "car.appointment_window"}
    for key, v in orders.items():
        sa = v.get("服务顾问") or "未填"
        row = s.per_sa.setdefault(sa, [0, 0, ZERO, 0, 0])  # orders, faults, fines, on time, judged
        if inside(v.get("接车时间")):
            # A diagnosis-only visit (是否进厂 = 否) is not a car received for repair, nor a
            # 委托书 of the advisor's (the 委托书差错通报 counts the same ones).
            if v.get("是否进厂") != "否":
                row[0] += 1
                s.received += 1
                s.appointed += v.get("是否预约") == "是" and key not in not_booked
                s.repaired += 1
                s.repeats += key in repeats
                s.first_service += v.get("维修类别") == "首保"
                if order_gaps(v):
                    row[1] += 1
                    row[2] += fen(src.rules.pack("car").settings.tariffs.order_fine)
            else:
                # It leaves with an 出厂通知单 but was never in for repair (seed 000 5.5): counted
                # apart on the day it came; its fee stays in the revenue.
                s.check_only += 1
        if inside(v.get("交车时间")):
            if v.get("是否进厂") != "否":  # 交车台次, 按车型, 按维修类别: cars repaired only
                s.delivered += 1
                model = v.get("车型") or "未填"
                m = s.by_model.setdefault(model, [0, ZERO, ZERO])
                m[0] += 1
                m[1] += dec(v.get("工时费")) or ZERO
                m[2] += dec(v.get("备品费")) or ZERO
                s.by_kind[v.get("维修类别") or "未填"] += 1
            for k in ("工时费", "备品费", "折扣金额", "结算金额", "实收金额"):
                s.money[k] += dec(v.get(k)) or ZERO
            s.money["诊断估价费"] += fee_settled(v)  # so the lines above 结算金额 add up to it
        # 欠收 at the period's end: every car handed over by then and not yet paid for,
        # whichever period it left in.
        delivered = when(v.get("交车时间"))
        if delivered is not None and delivered < p.end_dt and delivered <= cut:
            s.money["欠收"] += owed(v)
        # A check-only visit (是否进厂 否) gets no follow-up call from car.followup: not due here.
        # A call counts in the period it was made in time, or else the one its week ran out
        # in (as car.followup judges it: a call on day 1 is early, not missed).
        repaired = v.get("是否进厂") != "否"
        call = followup_of(env, v) if repaired and delivered is not None and delivered <= cut else None
        if call is not None and inside(call.settled):
            s.follow_due += 1
            s.followed += call.timely
        if inside(v.get("回访时间")) and v.get("回访结果"):
            s.surveyed += 1
            s.satisfied += v.get("回访结果") in ("满意", "基本满意")
    for f in found:
        if f.rule == "car.promise" and inside(f.values.get("done")):
            judged = s.per_sa.setdefault(f.values.get("服务顾问") or "未填", [0, 0, ZERO, 0, 0])
            judged[4] += 1
            if f.status == "met":
                s.on_time += 1
                judged[3] += 1
            else:
                s.late += 1
        elif f.rule == "car.no_show" and f.due is not None and inside(f.due):
            s.no_shows += 1
    s.no_shows += sum(1 for due in _cancelled_late(src, env, orders, then) if inside(due))
    # Complaints as registered by the period's end: a 受理时间 corrected later does not move one.
    complaints = src.records_at(COMPLAINTS, p.end_dt) if p.end_dt < cut else src.records(COMPLAINTS)
    s.complaints = sum(1 for v in complaints.values() if inside(v.get("受理时间")))
    return s


def _cancelled_late(src: Source, env: Any, orders: dict[str, dict[str, Any]], then: AsOf) -> list[datetime]:
    """When each booking marked 已取消 only after its time had passed became a no-show (the
    rules no longer see it: 状态 says 已取消). A cancellation is judged by the booking as
    the ledger held it when the grace time ran out: not yet cancelled then, the customer
    missed the visit, unless a 委托书 or 到店时间 says they came."""
    citing: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for o in orders.values():
        if o.get("预约单号"):
            citing[str(o["预约单号"])].append(o)
    out = []
    for key, v in then.records(src, APPOINTMENTS).items():
        slot = as_dt(v.get("预约进厂时间"))
        if v.get("状态") != "已取消" or slot is None or arrival_of(v, citing.get(key, [])) is not None:
            continue
        due = env.due(env.settings.sla.no_show_grace, slot)
        if due > then.moment:
            continue
        versions = src.ctx.ledger.history(APPOINTMENTS, key)
        stood = [h for h in versions if h["at"] <= due] or versions[:1]
        if stood and stood[-1]["values"].get("状态") not in ("已取消", "已到店"):
            out.append(due)
    return out


def _lapses(src: Source, period: Period, then: AsOf) -> Table:
    """服务规范: what was not done while the car or the customer was here, by the day it
    could no longer be (the daily list shows each only until the working day after); for
    a period over, as the registers stood at its end."""
    rows = []
    for f in then.found:
        if f.status != "open":
            continue
        since = past_since(f, src, then.stood, then.moment)
        if since is not None and period.contains(since):
            # 负责人 as the period ended: a row handed to another adviser later keeps its name.
            stood = then.records(src, f.register).get(f.record)
            rows.append([src.title(f.register), f.record, since, _person(src, f, stood), f.message])
    rows.sort(key=lambda r: (r[2], r[1]))
    return Table("服务规范", f"离店前未做到、已无法补做的服务规范事项 {period.zh}",
                 [Column("登记表", width=14), Column("编号", width=14), Column("日期", "datetime"),
                  Column("负责人", width=9), Column("说明", width=70)], rows,
                 note="日期：车辆交车离店（预约为预约进厂时间，档案为建档日期）之时；这些事项在售后待办日报中只列到其后第一个工作日。"
                      "已结束的一期按期末时的登记列出，期末以后补填的不从本表消除。")


def _period_report(src: Source, period: Period, name: str, title: str, monthly: bool) -> Report:
    found = src.findings(*ALL)
    current = _as_of(src, period, found)
    now, before = _stats(src, period, current), _stats(src, period.previous(), _as_of(src, period.previous(), found))
    cur, prev = ("本月", "上月") if monthly else ("本周", "上周")
    kpis = [
        ("进厂台次", now.received, before.received, "int"),
        ("交车台次", now.delivered, before.delivered, "int"),
        ("预约进厂占比", now.appointment_share, before.appointment_share, "percent"),
        ("预约爽约", now.no_shows, before.no_shows, "int"),
        ("按时完工率", now.on_time_rate, before.on_time_rate, "percent"),
        ("回访及时率", now.followup_rate, before.followup_rate, "percent"),
        ("一次修复率", now.first_fix_rate, before.first_fix_rate, "percent"),
        ("首保台次", now.first_service, before.first_service, "int"),
        ("回访满意率", _rate(now.satisfied, now.surveyed), _rate(before.satisfied, before.surveyed), "percent"),
        ("客户投诉", now.complaints, before.complaints, "int"),
        ("只诊断估价台次", now.check_only, before.check_only, "int"),
    ]
    overview = Table("概况", f"{title} {period.zh}",
                     [Column("指标", width=16), Column(cur, width=12), Column(prev, width=12)],
                     [[k, _pct(a) if kind == "percent" else a, _pct(b) if kind == "percent" else b]
                      for k, a, b, kind in kpis],
                     note="按时完工率按完工时间计（以客户签字同意的增项顺延后的承诺时间为准）；回访及时率为出厂一周内"
                          "（第七天 23:59 前）完成回访的比例，按时回访的计入回访当期，未按时回访的计入第七天所在的一期，"
                          "第二天之前回访的算提前、不算漏访；一次修复率 = 1 − 返修台次 ÷ 进厂维修台次；"
                          "进厂、交车台次只计进厂维修的车辆，只诊断或估价、客户不修的（是否进厂填“否”）按接车时间另计为只诊断估价台次，"
                          "其诊断估价费仍计入营业收入；已结束各期的按时完工、预约爽约、投诉等按期末时的登记判断，期末以后才登记的更正不改变其数字。")
    money = Table("营业收入", f"营业收入与欠收（按交车时间）{period.zh}",
                  [Column("项目", width=14), Column(cur, "money"), Column(prev, "money")],
                  [[k, now.money[k], before.money[k]] for k in now.money],
                  note="结算金额 = 工时费 + 备品费 − 折扣金额 + 诊断估价费（计入结算的）；"
                       "欠收为期末仍未收齐的款项（结算金额 − 实收金额），含以前各期交车的车辆；"
                       "各期按期末时委托书登记的内容计算：期末以后才登记的收款或更正不改变已结束各期的数字，补收的欠款从登记那一期起不再计入欠收。")
    models = Table("按车型", f"按车型统计交车台次与收入 {period.zh}",
                   [Column("车型", width=14), Column("台次", "int"), Column("工时费", "money"), Column("备品费", "money")],
                   [[m, *v] for m, v in sorted(now.by_model.items(), key=lambda kv: -kv[1][0])])
    kinds = Table("按维修类别", f"按维修类别统计交车台次 {period.zh}",
                  [Column("维修类别", width=14), Column(cur, "int"), Column(prev, "int")],
                  [[k, now.by_kind.get(k, 0), before.by_kind.get(k, 0)]
                   for k in sorted(set(now.by_kind) | set(before.by_kind))])
    split = Table("收入构成", f"工时费与备品费 {period.zh}",
                  [Column("期间", width=10), Column("工时费", "money"), Column("备品费", "money")],
                  [[prev, before.money["工时费"], before.money["备品费"]], [cur, now.money["工时费"], now.money["备品费"]]])
    lapses = _lapses(src, period, current)
    tables = [overview, money, models, kinds, split, lapses]
    charts = [
        Chart("按车型", "bar", f"各车型交车台次（{period.label}）", "车型", ["台次"], "台次"),
        Chart("按维修类别", "bar", f"各维修类别台次（{period.label}）", "维修类别", [cur, prev], "台次"),
        Chart("收入构成", "bar", f"工时费与备品费（{period.label}）", "期间", ["工时费", "备品费"], "元"),
    ]
    if monthly:
        sa_rows = [[sa, r[0], r[1], r[2], _pct(_rate(r[3], r[4]))] for sa, r in sorted(now.per_sa.items()) if r[0] or r[4]]
        tables.append(Table("服务顾问", f"各服务顾问委托书与按时完工 {period.zh}",
                            [Column("服务顾问", width=10), Column("委托书", "int"), Column("差错份数", "int"),
                             Column("罚款（元）", "money"), Column("按时完工率", width=12)], sa_rows,
                            note="委托书：进厂维修的委托书（只诊断估价的不计）；差错：无客户签名或漏项（客户问题、报价、旧件去向、是否洗车、"
                                 "预计完工时间），每份罚款一次。"))
        points: Counter = Counter()
        settings = src.rules.pack("car").settings
        # As registered by the month's end: a row added or corrected later does not move it.
        for v in current.records(src, SAFETY).values():
            d = as_date(v.get("考核日期"))
            if d is not None and period.contains(d):
                points[v.get("员工") or "未填"] += settings.tariffs.safety_points.get(v.get("违规项") or "", 0)
        tables.append(Table("安全考核", f"安全考核扣分 {period.zh}",
                            [Column("员工", width=10), Column("扣分", "int")], sorted(points.items(), key=lambda kv: -kv[1]),
                            note="按考核日期计入当月；已结束的月份按月末时的安全考核登记计算，月末以后的更正不改变其扣分。"))
    headline = [(k, _pct(a) if kind == "percent" else str(a), _pct(b) if kind == "percent" else str(b))
                for k, a, b, kind in kpis[:7]]
    headline.append(("营业收入（元）", f"{now.money['结算金额']:,.2f}", f"{before.money['结算金额']:,.2f}"))
    headline.append(("欠收（元）", f"{now.money['欠收']:,.2f}", f"{before.money['欠收']:,.2f}"))
    # What needs attention first: the one-page Word summary keeps only the first few lines
    # (reports/word.py MAX_NOTES), and the plain counts are in the table above them anyway.
    notes = []
    if now.late:
        notes.append(f"未按承诺时间完工 {now.late} 台次，按时完工率 {_pct(now.on_time_rate)}。")
    if now.follow_due and now.followed < now.follow_due:
        notes.append(f"{cur}应回访 {now.follow_due} 台次（按时回访的和回访期限已过的），按时回访 {now.followed} 台次，"
                     f"回访及时率 {_pct(now.followup_rate)}。")
    if lapses.rows:
        notes.append(f"离店前未做到、已无法补做的服务规范事项 {len(lapses.rows)} 项，明细见“服务规范”表。")
    notes += [f"{cur}进厂 {now.received} 台次，交车 {now.delivered} 台次，预约进厂占 {_pct(now.appointment_share)}。",
              f"工时费 {now.money['工时费']:,.2f} 元，备品费 {now.money['备品费']:,.2f} 元，欠收 {now.money['欠收']:,.2f} 元。"]
    if now.check_only:
        notes.append(f"另有只诊断或估价、客户未在本店维修的 {now.check_only} 台次，不计入进厂和交车台次。")
    return Report(name, title, period, src.as_of, f"{title}-{period.label}", tables, charts, headline, notes,
                  word=True)


def car_weekly(src: Source, period: Period) -> Report:
    return _period_report(src, period, "car_weekly", "售后周报", monthly=False)


def car_monthly(src: Source, period: Period) -> Report:
    return _period_report(src, period, "car_monthly", "售后月报", monthly=True)


__all__ = ["car_daily", "car_monthly", "car_weekly"]
