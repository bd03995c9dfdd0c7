"""The weekly summary and the monthly property status report: one computation, two periods.

Per register: received, closed, deadlines met on time / late, the on-time rate and
what was overdue at the period's end; escalated complaints with their events; fees
(parking income, special services, arrears). Each figure is given for the period and
the one before, all from one evaluation of the rules at the report's moment (a
deadline's due time and completion time do not depend on when they are looked at).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from toolkit.model import Finding
from toolkit.reports.model import Chart, Column, Report, Table
from toolkit.reports.periods import Period
from toolkit.reports.source import Source, when
from toolkit.ruleset.money import dec, fen

from ..rules.complaints import complaint_findings
from ..rules.fees import arrears, months_begun
from .daily import OVERDUE, due_items, due_table
from .who import RULE_ROLES, who_acts

WEEKDAY_ZH = "一二三四五六日"
ZERO = Decimal("0.00")


@dataclass
class Flow:
    received: int = 0
    closed: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0  # open deadlines past due at the period's end

    @property
    def rate(self) -> Decimal | None:
        judged = self.on_time + self.late
        return (Decimal(self.on_time) / judged).quantize(Decimal("0.0001")) if judged else None


@dataclass
class Figures:
    period: Period
    flows: dict[str, Flow] = field(default_factory=dict)
    by_day: dict[date, list[int]] = field(default_factory=dict)  # day → [received, closed]
    by_dept: dict[str, Flow] = field(default_factory=dict)
    escalations: list[Finding] = field(default_factory=list)
    fees: dict[str, Decimal] = field(default_factory=dict)

    def total(self) -> Flow:
        t = Flow()
        for f in self.flows.values():
            t.received += f.received
            t.closed += f.closed
            t.on_time += f.on_time
            t.late += f.late
            t.overdue += f.overdue
        return t



def escalation_name(f: Any) -> str:
    """An escalation by its 事件, or by the complaint itself when it names none."""
    event = f.values.get("event")
    return f"事件“{event}”" if event else f"投诉 {f.record}"

def _done_on_time(f: Finding) -> bool:
    done = f.values.get("done")
    if isinstance(done, date) and not isinstance(done, datetime):
        return done <= f.due.date()  # a bare date meets a deadline on that day
    return when(done) <= f.due


def _within(p: Period, cut: datetime) -> Callable[[Any], bool]:
    """Inside the period and not after the report's moment (later rows are not yet news)."""
    start = p.start_dt

    def test(value: Any) -> bool:
        # Ledger times are mostly naive datetimes already: those skip the general conversion.
        t = value if type(value) is datetime and value.tzinfo is None else when(value)
        return t is not None and start <= t < cut

    return test


def _flows(src: Source, figs: list[tuple[Figures, datetime]]) -> None:
    """Received, closed, on time, late and overdue for each (figures, cut), in one pass
    over the records and the findings (most of them fall outside every window)."""
    windows = [(fig, fig.period.start_dt, cut) for fig, cut in figs]
    if not windows:
        return
    lo, hi = min(w[1] for w in windows), max(w[2] for w in windows)
    flows = src.settings.flows
    for reg, spec in flows.items():
        counted = [(fig.flows.setdefault(reg, Flow()), fig.by_day, start, cut) for fig, start, cut in windows]
        for col, slot in ((spec.received, 0), (spec.closed, 1)):
            if not col:
                continue
            for v in src.records(reg).values():
                t = v.get(col)
                if type(t) is not datetime or t.tzinfo is not None:  # most are naive datetimes already
                    t = when(t)
                    if t is None:
                        continue
                if not lo <= t < hi:
                    continue
                for flow, by_day, start, cut in counted:
                    if start <= t < cut:
                        if slot:
                            flow.closed += 1
                        else:
                            flow.received += 1
                        by_day[t.date()][slot] += 1
    low_cut = min(w[2] for w in windows)
    depts: dict[tuple[str, str, Any], str] = {}
    registers: dict[str, dict[str, dict[str, Any]]] = {}
    for f in src.findings(*flows):  # findings about these registers only
        due = f.due
        if due is None:
            continue
        values = f.values
        # Deadline findings built with the default figures carry when the work was done
        # (asked inline: this runs for every finding about the registers).
        if "done" not in values or "deadline" not in values:
            continue
        done = values["done"]
        if done is not None and (type(done) is not datetime or done.tzinfo is not None):
            done = when(done)
        if done is None:
            if due >= hi:
                continue  # not yet due at any window's end
            judged = False
        else:
            judged = lo <= done < hi
            if not judged and (due >= hi or done <= low_cut):
                continue  # neither done inside a window nor overdue at a window's end
        # A deadline naming its acting role (a complaint's callback), or whose rule names
        # one (a repair's callback), is that desk's.
        ident = (f.register, f.record, values.get("acting_role") or (f.rule if f.rule in RULE_ROLES else None))
        dept = depts.get(ident)
        if dept is None:
            records = registers.get(f.register)
            if records is None:
                records = registers[f.register] = src.records(f.register)
            _, dept = who_acts(src, f, records.get(f.record, {}))
            dept = depts[ident] = dept or "未注明"
        on_time = _done_on_time(f) if judged else False
        for fig, start, cut in windows:
            flow = fig.flows[f.register]
            dflow = fig.by_dept.get(dept)
            if dflow is None:
                dflow = fig.by_dept[dept] = Flow()
            if judged and start <= done < cut:
                flow.on_time += on_time
                dflow.on_time += on_time
                flow.late += not on_time
                dflow.late += not on_time
            if due < cut and (done is None or done > cut):
                flow.overdue += 1
                dflow.overdue += 1


def _escalated_by(src: Source, cut: datetime) -> list[Finding]:
    """The complaint findings as they stood at ``cut``: the complaints received by then,
    judged at ``cut`` (a solution after it is not yet known). A complaint a week unresolved
    over a holiday is 重大 from that day on, not in the weeks before it (nor is an event
    whose 5th customer came later)."""
    if cut >= src.as_of:
        return src.findings("complaint")
    # The window's complaints suffice: it holds every complaint changed since before the
    # previous period or still waiting (an open finding), each with the rest of its 事件;
    # one closed and untouched before it cannot be open in either period.
    rows = {key: v for key, v in src.records("complaint").items()
            if (got := when(v.get("受理时间"))) is not None and got < cut}
    return complaint_findings(src.env(cut, "property"), rows)


def _escalations(src: Source, p: Period) -> list[Finding]:
    """Escalated events with a complaint open during the period (received before its end,
    and received in it or still unresolved at its start), as escalated by the period's end."""
    complaints = src.records("complaint")
    out = []
    for f in _escalated_by(src, min(p.end_dt, src.as_of)):
        if f.rule != "complaint.escalation":
            continue
        for c in f.values.get("complaints", []):
            got = when(c.get("受理时间"))
            solved = when(complaints.get(str(c.get("编号")), {}).get("解决时间"))
            if got is not None and got < min(p.end_dt, src.as_of) and (got >= p.start_dt or solved is None or solved >= p.start_dt):
                out.append(f)
                break
    return out


def _money(v: Any) -> Decimal:
    return dec(v) or ZERO


def _fees(src: Source, p: Period, cut: datetime) -> dict[str, Decimal]:
    inside = _within(p, cut)
    temp = sum((_money(v.get("实收金额")) for v in src.records("parking_temp").values()
                if inside(v.get("出场时间") or v.get("入场时间"))), ZERO)
    cards = sum((_money(v.get("实收金额")) for v in src.records("parking_card").values()
                 if inside(v.get("起租日期"))), ZERO)
    services = ZERO
    for v in src.records("special_service").values():
        if inside(v.get("完成时间")):
            services += service_amount(v)
    # Owed at the end of the period's last day: the fee due the next morning is the next
    # period's arrears (cut is midnight after the period, or the report's moment).
    env = src.env(cut - timedelta(minutes=1), "property")
    owed = ZERO
    # The accounts as they stood then: a payment entered after the period is not read back
    # into its closing arrears (nor into the previous period's, shown beside it).
    past = cut < src.as_of
    for v in src.ctx.ledger.values_at("fee_account", env.now).values():
        a = arrears(env, v)
        if a is not None:
            owed += _owed_then(a, v, src.as_of.date()) if past else a.amount
    return {"临时停车收入": fen(temp), "月卡收入": fen(cards), "特约服务收入": fen(services), "物业费欠费（期末）": fen(owed)}


def _owed_then(a: Any, v: dict[str, Any], today: date) -> Decimal:
    """Arrears at a past moment: a 欠费金额 of exactly the months owed at some later day (up
    to the report's) was typed after the moment — an account first entered later gives its
    first version — and the months begun since had not begun then. Any other amount is
    read as written."""
    monthly = (dec(v.get("建筑面积")) or ZERO) * (dec(v.get("单价")) or ZERO)
    later = months_begun(a.paid_to, today)
    if monthly > 0 and any(a.amount == fen(monthly * k) for k in range(a.months_owed + 1, later + 1)):
        return a.computed
    return a.amount


def service_amount(v: dict[str, Any]) -> Decimal:
    """金额 as written, else 数量 × 单价."""
    amount = dec(v.get("金额"))
    if amount is None:
        price = dec(v.get("单价"))
        amount = price * (dec(v.get("数量")) or Decimal(1)) if price is not None else ZERO
    return fen(amount)


def figures(src: Source, p: Period) -> Figures:
    return figures_for(src, [p])[0]


def figures_for(src: Source, periods: list[Period]) -> list[Figures]:
    """Each period's figures; the records and findings are gone through once for all."""
    out = []
    for p in periods:
        # Figures "at the end" of a period not over yet are those at the report's moment.
        cut = min(p.end_dt, src.as_of)
        out.append((Figures(p, by_day={d: [0, 0] for d in p.days()}), cut))
    _flows(src, out)
    for fig, cut in out:
        fig.escalations = _escalations(src, fig.period)
        fig.fees = _fees(src, fig.period, cut)
    return [fig for fig, _ in out]


def _pct(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _change(a: Any, b: Any) -> Any:
    return None if a is None or b is None else a - b


def summary_report(src: Source, period: Period, name: str, title: str, stem: str) -> Report:
    cur_word, prev_word = ("本周", "上周") if period.kind == "week" else ("本月", "上月")
    now, before = figures_for(src, [period, period.previous()])
    regs = list(src.settings.flows)

    rows = []
    for reg in regs:
        a, b = now.flows[reg], before.flows[reg]
        rows.append([src.title(reg), a.received, b.received, a.closed, b.closed, a.on_time, a.late,
                     a.rate, b.rate, a.overdue, b.overdue])
    ta, tb = now.total(), before.total()
    overview = Table(
        "概览", f"{title} {period.zh}",
        [Column("登记表", width=18), Column(f"{cur_word}受理", "int"), Column(f"{prev_word}受理", "int"),
         Column(f"{cur_word}办结", "int"), Column(f"{prev_word}办结", "int"), Column("按时完成", "int"),
         Column("超时完成", "int"), Column(f"{cur_word}按时率", "percent"), Column(f"{prev_word}按时率", "percent"),
         Column(f"{cur_word}末逾期", "int"), Column(f"{prev_word}末逾期", "int")],
        rows,
        total=["合计", ta.received, tb.received, ta.closed, tb.closed, ta.on_time, ta.late, ta.rate, tb.rate,
               ta.overdue, tb.overdue],
        note=(f"受理、办结按登记时间落在{cur_word}内计数；按时率 = 按时完成 ÷（按时 + 超时），"
              f"只计{cur_word}内完成的时限；期末逾期 = {cur_word}结束时（或制表时）已过时限仍未完成的事项。"),
    )
    trend = Table(
        "每日趋势", f"每日受理与办结 {period.zh}",
        [Column("日期", "date"), Column("星期", width=8), Column("受理", "int"), Column("办结", "int")],
        # Days after the report's moment are blank, not 0: the trend line stops at today.
        [[d, f"周{WEEKDAY_ZH[d.weekday()]}", *((r, c) if d <= src.as_of.date() else (None, None))]
         for d, (r, c) in sorted(now.by_day.items())],
        note="制表时尚未到来的日子留空。" if period.end > src.as_of.date() else "",
    )
    depts = sorted(set(now.by_dept) | set(before.by_dept))
    dept_rows = []
    for d in depts:
        a, b = now.by_dept.get(d, Flow()), before.by_dept.get(d, Flow())
        if a.on_time + a.late + a.overdue + b.on_time + b.late == 0:
            continue
        dept_rows.append([d, a.on_time, a.late, a.rate, b.rate, a.overdue])
    dept_rows.sort(key=lambda r: (r[3] is None, r[3] if r[3] is not None else 0, r[0]))
    by_dept = Table(
        "部门按时率", f"各部门按时率 {period.zh}",
        [Column("部门", width=14), Column("按时完成", "int"), Column("超时完成", "int"),
         Column(f"{cur_word}按时率", "percent"), Column(f"{prev_word}按时率", "percent"),
         Column("期末逾期", "int")],
        dept_rows, note="按时率最低的部门排在最前。",
    )
    esc_rows = []
    for f in now.escalations:
        cs = f.values.get("complaints", [])
        esc_rows.append([f.values.get("event") or f"投诉 {f.record}", f.values.get("level"), len(cs),
                         len({c.get("投诉人") for c in cs}), "；".join(f.values.get("reasons", [])),
                         "、".join(str(c.get("编号")) for c in cs)])
    escal = Table(
        "投诉升级", f"升级处理的投诉事件 {period.zh}",
        [Column("事件（或投诉）", width=18), Column("等级", width=8), Column("投诉数", "int"), Column("投诉人数", "int"),
         Column("升级原因", width=50), Column("投诉编号", width=30)],
        esc_rows, note=f"{cur_word}内受理或{cur_word}初仍未解决的投诉所在的升级事件；{prev_word} {len(before.escalations)} 起。",
    )
    fee_rows = [[k, now.fees[k], before.fees[k], now.fees[k] - before.fees[k]] for k in now.fees]
    fees = Table(
        "收费", f"收费情况 {period.zh}",
        [Column("项目", width=20), Column(cur_word, "money"), Column(prev_word, "money"), Column("变化", "money")],
        fee_rows, note=f"停车收入按出场时间（月卡按起租日期）、特约服务按完成时间计入；欠费为{cur_word}末的物业费欠费合计。",
    )
    overdue = [i for i in due_items(src, src.as_of.date()) if i["status"] == OVERDUE]
    # The same rows as the morning list, overdue only.
    detail = due_table(src, overdue, "逾期明细", f"制表时仍逾期的事项（{src.as_of:%Y-%m-%d %H:%M}）")

    charts = [
        Chart("每日趋势", "line", f"每日受理与办结（{period.name}）", "日期", ["受理", "办结"], "件数"),
        Chart("部门按时率", "bar", f"各部门按时率（{period.name}）", "部门", [f"{cur_word}按时率"], "按时率", percent=True),
    ]
    headline = [
        ("受理", str(ta.received), str(tb.received)),
        ("办结", str(ta.closed), str(tb.closed)),
        ("按时率", _pct(ta.rate), _pct(tb.rate)),
        ("期末逾期", str(ta.overdue), str(tb.overdue)),
        ("投诉升级事件", str(len(now.escalations)), str(len(before.escalations))),
        ("停车收入（元）", f"{now.fees['临时停车收入'] + now.fees['月卡收入']:,.2f}",
         f"{before.fees['临时停车收入'] + before.fees['月卡收入']:,.2f}"),
        ("特约服务收入（元）", f"{now.fees['特约服务收入']:,.2f}", f"{before.fees['特约服务收入']:,.2f}"),
        ("物业费欠费（元）", f"{now.fees['物业费欠费（期末）']:,.2f}", f"{before.fees['物业费欠费（期末）']:,.2f}"),
    ]
    notes = []
    worst = [r for r in dept_rows if r[3] is not None]
    if worst:
        notes.append(f"按时率最低的部门：{worst[0][0]}（{_pct(worst[0][3])}）。")
    for f in now.escalations[:3]:
        notes.append(f"升级{escalation_name(f)}：{'；'.join(f.values.get('reasons', []))}。")
    if overdue:
        top = overdue[0]
        notes.append(f"逾期最久：{src.title(top['finding'].register)} {top['finding'].record}"
                     f"（{top['dept'] or '未注明部门'}），{detail.rows[0][6]}。")
    return Report(name, title, period, src.as_of, stem,
                  [overview, trend, by_dept, escal, fees, detail], charts, headline, notes, word=True)


def weekly(src: Source, period: Period) -> Report:
    from .weekly_sheets import callbacks, complaint_classes, requests_list

    report = summary_report(src, period, "weekly", "周报", f"周报-{period.name}")
    # Seed 001: complaint statistics by level and nature, the week's callbacks, and the
    # requests and suggestions summed up on Friday.
    report.tables += [complaint_classes(src, period), callbacks(src, period), requests_list(src, period)]
    return report


def property_status(src: Source, period: Period) -> Report:
    return summary_report(src, period, "property_status", "物业管理状况月报", f"月报-物业管理状况-{period.name}")


__all__ = ["Figures", "figures", "figures_for", "weekly", "property_status", "service_amount"]
