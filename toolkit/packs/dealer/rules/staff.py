"""Salespeople: report deadlines and fines, monthly pay, half-year rewards, counterfeit penalties.

Seed 003 第一篇 考核及奖罚规定: late 50 元, missing 200 元, falsified → recalled to 待岗;
pay = base × 70 % + base × 30 % × network completion + visit fund (500 元 a month in
the first half-year), fines taken from the visit fund; the reward is 4 ‰ of sales; a
counterfeit seller pays at least 伍万元, 80 % of it to the informer.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from toolkit.model import Finding
from toolkit.packs import State
from toolkit.ruleset.money import dec, fen, yuan
from toolkit.ruleset.timing import Env, add_months, as_date, fmt_date

from .common import code, month_add, month_of, month_text, pct, split_key, text, yes
from .jsb import (
    GONE,
    PROPOSED,
    _member_values,
    active_on,
    members_with_region,
    sales_findings,
    unknown_member,
)

CANCELS = ("jsb.cancel_share", "jsb.cancel_channel", "jsb.cancel_conduct")

# The reports each salesperson sends (seed 003 第一篇 主任职责2、考核3): the visit list
# weekly in the body's first half-year and monthly after; the sales statistics and the
# work summary monthly. (二级客户一览表 is sent once, when the network is surveyed.)
VISIT_LIST = "联销体成员走访一览表"
MONTHLY_REPORTS = ("二级客户进货统计表", "联销体工作总结")
# What a salesperson owes when nothing is logged (seed 003 操作程序 3, 5): the visit list
# weekly (monthly after the first half-year) and the monthly purchase list; the 工作总结
# is the 联销主任's, judged only where a row logs it.
SALES_REPORT = "二级客户进货统计表"

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})[-/年](\d{1,2})月?$")


@dataclass(frozen=True)
class Due:
    due: date  # 应报日期
    missing_after: date  # reported after this (or not at all by then) = 漏报
    weekly: bool
    moved_from: date | None = None  # the default due day, when it was not a working day


def _working(env: Env, d: date) -> date:
    """``d`` itself if a working day, else the next one (SPEC §5: a period ending on a
    holiday ends on the next working day, 民法典 第二百零三条)."""
    return d if env.cal.is_workday(d) else env.cal.next_workday(d)


def report_due(env: Env, period: str, given: date | None) -> Due | None:
    """When a report of ``period`` is due, and after when it counts as missing.

    Weekly (2026-W48): the configured weekday after the week; monthly (2026-11): the
    configured day of the next month; either moved to the next working day when it is
    not one (the National Day Monday 2026-10-05 → Thursday 10-08). Missing = not in by
    the next period's due date, moved the same way. An 应报日期 typed in the register
    stands as typed; its missing boundary is a week or a month after it (moved).
    """
    rd = env.settings.dealer.jsb.report_due
    p = period.strip().upper().replace(" ", "")
    if m := _WEEK.match(p):
        try:
            sunday = date.fromisocalendar(int(m[1]), int(m[2]), 7)
        except ValueError:
            return None
        weekly, default = True, sunday + timedelta(days=rd.weekly_weekday)
    elif m := _MONTH.match(p):
        y, mo = int(m[1]), int(m[2])
        if not 1 <= mo <= 12:
            return None
        weekly, default = False, add_months(date(y, mo, rd.monthly_day), 1)
    else:
        return None
    if given is not None:
        after = given + timedelta(days=7) if weekly else add_months(given, 1)
        return Due(given, _working(env, after), weekly)
    # the next period's report: the same weekday a week on, the same day a month on
    following = default + timedelta(days=7) if weekly else add_months(default, 1)
    due = _working(env, default)
    return Due(due, _working(env, following), weekly, default if due != default else None)


def _when(env: Env, due: Due) -> str:
    """"2026-10-08（2026-10-05 为法定节假日，顺延至下一个工作日）": why the day is not the usual one."""
    if not due.moved_from:
        return fmt_date(due.due) + " "
    kind = env.cal.day_off_kind(due.moved_from)
    return f"{fmt_date(due.due)}（{fmt_date(due.moved_from)} 为{kind}，顺延至下一个工作日）"


def log_findings(env: Env, state: State) -> list[Finding]:
    """Each row of 报表上报登记 judged on its own (``report_findings``), a salesperson's rows
    together: one 虚报 recalls them to 待岗, so only the first (by period) drafts a notice."""
    rows = state.get("jsb_report_log", {})
    recalls = _recall_rows(rows)
    out: list[Finding] = []
    for key, v in rows.items():
        out.extend(report_findings(env, key, v, recalls.get(split_key(key)[0])))
    out.extend(recall_finding(who, key, rows[key]) for who, key in sorted(recalls.items()))
    return out


def recall_finding(who: str, key: str, v: dict[str, Any]) -> Finding:
    """The salesperson's one 调回待岗通报, kept on the salesperson (记录 = 业务员) rather than
    on a row: an earlier period's 虚报 entered later rewrites the unsigned draft to cite it
    under the same number, and a signed notice stays the only one (seed 003: 虚报一次调回)."""
    _, report, period = (split_key(key) + ["", "", ""])[:3]
    return Finding(
        rule="jsb.recall", register="jsb_report_log", record=who, severity="info",
        message=(f"业务员{who}因《{report}》（{period}）虚报调回销售中心待岗，调回待岗通报一人一份，"
                 f"请大区审批签发"),
        values={"业务员": who, "报表": report, "期间": period, "核查人": v.get("核查人")},
        notice="jsb_recall",
    )


def _recall_rows(rows: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Each salesperson's recall: the key of their 虚报 row of the earliest period."""
    first: dict[str, tuple[date, str]] = {}
    for key, v in rows.items():
        if not yes(v.get("虚报")):
            continue
        who, _, period = (split_key(key) + ["", "", ""])[:3]
        at = (_period_start(period) or date.max, key)
        if who not in first or at < first[who]:
            first[who] = at
    return {who: key for who, (_, key) in first.items()}


def report_findings(env: Env, key: str, v: dict[str, Any], recall: str | None = None) -> list[Finding]:
    """One row of 报表上报登记: 虚报, late or missing. ``recall``: the key of the row that
    recalled this salesperson (a 虚报 of another row drafts no second notice)."""
    s = env.settings.dealer.jsb
    who, report, period = (split_key(key) + ["", "", ""])[:3]
    subject = f"业务员{who}的《{report}》（{period}）"
    base = {"业务员": who, "报表": report, "期间": period, "核查人": v.get("核查人")}
    out: list[Finding] = []
    if yes(v.get("虚报")):
        checked = f"{subject}经{text(v.get('核查人')) or '核查'}确认虚报"
        if recall is None or recall == key:
            message = f"{checked}，按规定调回销售中心待岗，通报已起草"
        else:
            _, was, when = (split_key(recall) + ["", "", ""])[:3]
            message = f"{checked}；该业务员已因《{was}》（{when}）虚报调回销售中心待岗，调回待岗通报不再另发"
        # The notice itself is the salesperson's (``recall_finding``), not this row's.
        out.append(Finding(
            rule="jsb.report_false", register="jsb_report_log", record=key, severity="error",
            message=message, values=base,
        ))
    due = report_due(env, period, as_date(v.get("应报日期")))
    if due is None:
        out.append(Finding(
            rule="jsb.report_period", register="jsb_report_log", record=key, severity="error",
            message=f"{subject}：期间“{period}”看不懂，周报写 2026-W48，月报写 2026-11；无法判断是否迟报",
            values=base,
        ))
        return out
    sent = as_date(v.get("实报日期"))
    values = {**base, "应报日期": due.due, "实报日期": sent, "漏报界限": due.missing_after, "计入日期": None}
    # "应于 2026-10-08 上报（10-05 为节假日，顺延）": staff see why the day is not the usual one.
    when = _when(env, due)
    if (sent is None and env.today > due.missing_after) or (sent is not None and sent > due.missing_after):
        out.append(Finding(
            rule="jsb.report_missing", register="jsb_report_log", record=key, severity="error",
            message=(f"{subject}应于 {when}上报，"
                     f"{'到 ' + fmt_date(due.missing_after) + ' 仍未上报' if sent is None else fmt_date(sent) + ' 才报，已过下期上报日'}，"
                     f"按漏报扣款 {yuan(s.report_missing_fine)} 元，计入{month_text(month_of(settled_missing(due)))}"),
            values={**values, "fine": fen(s.report_missing_fine), "kind": "漏报", "计入日期": settled_missing(due)},
        ))
    elif (sent is not None and sent > due.due) or (sent is None and env.today > due.due):
        late = (sent or env.today) - due.due
        out.append(Finding(
            rule="jsb.report_late", register="jsb_report_log", record=key,
            severity="warning", status="late" if sent else "overdue",
            message=(f"{subject}应于 {when}上报，"
                     f"{fmt_date(sent) + ' 上报，迟报 ' + str(late.days) + ' 天，按迟报扣款 ' + yuan(s.report_late_fine) + ' 元，计入' + month_text(month_of(sent)) if sent else _owed_text(env, due)}"),
            # Unsent, it may still be 50 or become 200: charged once settled, never before.
            values={**values, "fine": fen(s.report_late_fine), "kind": "迟报", "计入日期": sent},
        ))
    return out


def settled_missing(due: Due) -> date:
    """The day a report becomes 漏报: the day after its missing boundary."""
    return due.missing_after + timedelta(days=1)


def _owed_text(env: Env, due: Due) -> str:
    """What an overdue report will cost, and in which month it is charged."""
    s = env.settings.dealer.jsb
    return (f"至今未报：{fmt_date(due.missing_after)} 及以前补报按迟报扣 {yuan(s.report_late_fine)} 元，计入补报的月份；"
            f"过了该日仍未报按漏报扣 {yuan(s.report_missing_fine)} 元，计入"
            f"{month_text(month_of(settled_missing(due)))}；请业务员尽快补报")


def _canonical(period: str) -> str | None:
    """2026-w5, 2026W05 → 2026-W05; 2026年11月 → 2026-11 (None: not a period)."""
    p = period.strip().upper().replace(" ", "")
    if m := _WEEK.match(p):
        return f"{int(m[1]):04d}-W{int(m[2]):02d}"
    if m := _MONTH.match(p):
        return f"{int(m[1]):04d}-{int(m[2]):02d}"
    return None


def _period_start(period: str) -> date | None:
    p = _canonical(period)
    if p is None:
        return None
    try:
        return date.fromisocalendar(int(p[:4]), int(p[6:]), 1) if "W" in p else date.fromisoformat(p + "-01")
    except ValueError:
        return None


def period_month(period: str) -> str | None:
    """The month a report period belongs to: a week's by its Thursday (2026-W49 → 2026-12)."""
    p = _canonical(period)
    start = _period_start(period) if p else None
    if p is None or start is None:
        return None
    return month_of(_thursday(start) if "W" in p else start)


def _week_label(monday: date) -> str:
    y, w, _ = monday.isocalendar()
    return f"{y:04d}-W{w:02d}"


def salespeople(state: State) -> set[str]:
    """Who must send the reports: the 责任业务员 of 县级市场登记 (dealer.md 4.1: the
    salesperson answering for a county's members, whose visits and sales the reports give)."""
    return {text(c.get("责任业务员")) for c in state.get("jsb_county", {}).values() if text(c.get("责任业务员"))}


def _thursday(monday: date) -> date:
    """The day that places an ISO week in a month and a year (the week's Thursday)."""
    return monday + timedelta(days=3)


def first_seen(state: State, who: str) -> date | None:
    """The first period a salesperson's pay or report rows show them at work: a month's
    first day, or a week's Thursday (W49 of 2026, 11-30…12-06, is a December week)."""
    starts = [_period_start(split_key(k)[0]) for k, v in state.get("jsb_pay", {}).items()
              if text(v.get("业务员")) == who]
    for v in state.get("jsb_report_log", {}).values():
        if text(v.get("业务员")) == who and (p := _canonical(text(v.get("期间")))) and (d := _period_start(p)):
            starts.append(_thursday(d) if "W" in p else d)
    known = [d for d in starts if d is not None]
    return min(known) if known else None


def expected_periods(env: Env, start: date) -> list[tuple[str, str]]:
    """(报表, 期间) a salesperson present from ``start`` owes up to today: weeks whose Thursday
    is on or after it, months ending on or after it (nothing before the body's founding)."""
    s = env.settings.dealer.jsb
    if s.founded is not None:
        start = max(start, s.founded)
    initial_end = None if s.founded is None else add_months(s.founded.replace(day=1), s.initial_months)
    out: list[tuple[str, str]] = []
    monday = start - timedelta(days=start.weekday())
    if _thursday(monday) < start:
        monday += timedelta(days=7)
    while monday <= env.today and (initial_end is None or monday < initial_end):
        out.append((VISIT_LIST, _week_label(monday)))
        monday += timedelta(days=7)
    month = month_of(start)
    while date.fromisoformat(month + "-01") <= env.today:
        if initial_end is not None and date.fromisoformat(month + "-01") >= initial_end:
            out.append((VISIT_LIST, month))  # monthly after the first half-year
        out.append((SALES_REPORT, month))
        month = month_add(month, 1)
    return out


def _logged(state: State) -> set[tuple[str, str, str]]:
    """(业务员, 报表, 期间) of every row typed in 报表上报登记; a weekly visit list sent after
    the first half-year also stands for its month's (the week's Thursday decides the month)."""
    out: set[tuple[str, str, str]] = set()
    # A month's rows in 二级客户进货统计表 are that salesperson's purchase list, received.
    for v in state.get("jsb_sales", {}).values():
        if text(v.get("填报业务员")) and text(v.get("月份")):
            out.add((text(v.get("填报业务员")), SALES_REPORT, text(v.get("月份"))))
    for v in state.get("jsb_report_log", {}).values():
        who, report, period = text(v.get("业务员")), text(v.get("报表")), _canonical(text(v.get("期间")))
        if period is None:
            continue
        out.add((who, report, period))
        if "W" in period and (monday := _period_start(period)) is not None:
            out.add((who, report, month_of(_thursday(monday))))
    return out


def _recalled(state: State, who: str) -> date | None:
    """The start of the period of a salesperson's first report found false (虚报 = 是):
    recalled to the sales center (seed 003: 虚报一次调回销售中心待岗)."""
    starts = [_period_start(p) for v in state.get("jsb_report_log", {}).values()
              if text(v.get("业务员")) == who and yes(v.get("虚报")) and (p := _canonical(text(v.get("期间"))))]
    known = [d for d in starts if d is not None]
    return min(known) if known else None


def _after_recall(recalled: date | None, period: str) -> bool:
    """A period begun after the salesperson was recalled to 待岗 (the recall's own period is
    still owed): nothing is owed for it."""
    start = _period_start(period)
    return recalled is not None and start is not None and start > recalled


def unlogged_findings(env: Env, state: State) -> list[Finding]:
    """A report nobody logged is missing too (seed: 漏报一次扣 200 元): every report each
    salesperson owes since they are first seen, whose missing boundary has passed with no
    row in 报表上报登记, is 漏报, as a logged row never sent would be."""
    s = env.settings.dealer.jsb
    logged = _logged(state)
    out: list[Finding] = []
    for who in sorted(salespeople(state)):
        start = first_seen(state, who)
        if start is None:  # no pay or report row yet: when they started is not known
            continue
        recalled = _recalled(state, who)
        for report, period in expected_periods(env, start):
            if (who, report, period) in logged:
                continue
            if recalled is not None and (_period_start(period) or recalled) > recalled:
                continue  # recalled to 待岗 for a false report: owes nothing after it
            due = report_due(env, period, None)
            if due is None or env.today <= due.due:
                continue
            when = _when(env, due)
            if env.today <= due.missing_after:
                # Still in time for 迟报 rather than 漏报: said now, charged once settled.
                out.append(Finding(
                    rule="jsb.report_late", register="jsb_report_log", record=f"{who}|{report}|{period}",
                    severity="warning", status="overdue",
                    message=(f"业务员{who}的《{report}》（{period}）应于 {when}上报，报表上报登记中没有这一期，"
                             f"{_owed_text(env, due)}；已经上报的，请大区在报表上报登记中补登实报日期"),
                    values={"业务员": who, "报表": report, "期间": period, "核查人": None, "应报日期": due.due,
                            "实报日期": None, "漏报界限": due.missing_after, "fine": fen(s.report_late_fine),
                            "kind": "迟报", "unlogged": True, "计入日期": None},
                ))
                continue
            out.append(Finding(
                rule="jsb.report_missing", register="jsb_report_log", record=f"{who}|{report}|{period}",
                severity="error",
                message=(f"业务员{who}的《{report}》（{period}）应于 {when}上报，报表上报登记中没有这一期，"
                         f"到 {fmt_date(due.missing_after)} 仍未上报，按漏报扣款 {yuan(s.report_missing_fine)} 元，"
                         f"计入{month_text(month_of(settled_missing(due)))}；"
                         f"已经上报的，请大区在报表上报登记中补登实报日期"),
                values={"业务员": who, "报表": report, "期间": period, "核查人": None, "应报日期": due.due,
                        "实报日期": None, "漏报界限": due.missing_after, "fine": fen(s.report_missing_fine),
                        "kind": "漏报", "unlogged": True, "计入日期": settled_missing(due)},
            ))
    return out


def fines_by_month(env: Env, state: State) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(业务员, month the fine was settled) → its fines, logged or not.

    Seed 003: fines are taken 在下拨走访基金时直接扣除, out of the fund paid after the fault.
    A fine is settled when its amount can no longer change: 迟报 on the day the late report
    came in, 漏报 on the day after its missing boundary. A report still owed within its
    boundary is charged nothing yet (it may be 50 or 200), so a month's pay, once the month
    is over, never changes because a later boundary passed.
    """
    found = [f for key, v in state.get("jsb_report_log", {}).items() for f in report_findings(env, key, v)]
    out: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    recalled = {who: _recalled(state, who) for who in {text(f.values.get("业务员")) for f in found}}
    for f in [*found, *unlogged_findings(env, state)]:
        if _after_recall(recalled.get(text(f.values.get("业务员"))), text(f.values.get("期间"))):
            continue  # recalled to 待岗: a report of a later period is not owed, nor fined
        if "fine" in f.values and f.values.get("计入日期") is not None:
            out[(f.values["业务员"], month_of(f.values["计入日期"]))].append(
                {k: f.values.get(k) for k in ("报表", "期间", "应报日期", "实报日期", "漏报界限", "kind", "fine", "计入日期")})
    for fines in out.values():  # as they were due, logged or not: the notice's table reads in order
        fines.sort(key=lambda i: (i["应报日期"], str(i["报表"]), str(i["期间"])))
    return out


# --- pay ----------------------------------------------------------------------------------------


def in_initial_period(env: Env, month: str) -> bool:
    s = env.settings.dealer.jsb
    if s.founded is None:
        return True  # not told when the body was founded: still its first half-year
    start = date.fromisoformat(month + "-01")
    return start < add_months(s.founded.replace(day=1), s.initial_months)


def network(state: State, who: str, month: str) -> tuple[int, int]:
    """(counties of the salesperson, those with at least one member by the month's end)."""
    end = add_months(date.fromisoformat(month + "-01"), 1) - timedelta(days=1)
    counties = [c for c, v in state.get("jsb_county", {}).items() if text(v.get("责任业务员")) == who]
    covered = {text(m.get("县市")) for m in state.get("jsb_member", {}).values() if active_on(m, end)}
    return len(counties), sum(1 for c in counties if c in covered)


def region_of(state: State, who: str) -> str | None:
    """The 大区 of a salesperson's counties (the first, by name), to sign their notices."""
    regions = sorted(text(c.get("大区")) for c in state.get("jsb_county", {}).values()
                     if text(c.get("责任业务员")) == who and text(c.get("大区")))
    return regions[0] if regions else None


def pay_findings(env: Env, state: State) -> list[Finding]:
    s = env.settings.dealer.jsb
    fines = fines_by_month(env, state)
    by_person: dict[str, list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
    for key, v in state.get("jsb_pay", {}).items():
        month, who = split_key(key)[:2]
        by_person[who].append((month, key, v))
    out: list[Finding] = []
    for who, rows in by_person.items():
        carried = Decimal(0)
        previous: str | None = None
        for month, key, v in sorted(rows):
            # fines of the months since the previous pay row, up to this one: a month with
            # no pay row had nothing to take them from, so the next one does, and says so
            months = [(m, lst) for (p, m), lst in sorted(fines.items()) if p == who
                      and (previous is None or m > previous) and m <= month]
            items = [i for _, lst in months for i in lst]
            earlier = [_earlier(m, lst) for m, lst in months if m != month]
            previous = month
            base = dec(v.get("基本工资")) or Decimal(0)
            total_n, covered_n = network(state, who, month)
            total = int(dec(v.get("辖区县数")) or total_n)
            covered = int(dec(v.get("有成员县数")) if dec(v.get("有成员县数")) is not None else covered_n)
            rate = Decimal(covered) / Decimal(total) if total else Decimal(0)
            fund = s.visit_fund if in_initial_period(env, month) else Decimal(0)
            owed = carried + sum((i["fine"] for i in items), Decimal(0))
            # Fines come out of the visit fund; what the fund cannot cover waits for next
            # month's fund, and after the first half-year (no fund) comes out of pay.
            fixed = base * s.pay_fixed_share
            net_part = base * s.pay_network_share * rate
            # Pay is never negative: what a month's pay cannot cover waits for the next.
            deducted = min(owed, fund) if fund > 0 else min(owed, fen(fixed + net_part))
            carry_out = owed - deducted
            pay = fen(fixed + net_part + fund - deducted)  # rounded once, at the end
            values = {"月份": month, "业务员": who, "大区": region_of(state, who), "基本工资": fen(base),
                      "辖区县数": total, "有成员县数": covered,
                      "网络完善率": rate, "固定部分": fen(fixed), "考核部分": fen(net_part), "走访基金": fen(fund),
                      "上月结转罚款": fen(carried), "本月罚款": fen(owed - carried), "扣款": fen(deducted),
                      # where the money comes from: the fund while there is one, pay after
                      "扣自": "走访基金" if fund > 0 else "工资",
                      "结转说明": f"（含上月结转 {yuan(carried)} 元）" if carried else "",
                      "结转下月": fen(carry_out), "应发工资": pay, "fines": items, "补扣": earlier,
                      "fixed_share": s.pay_fixed_share, "network_share": s.pay_network_share, "rate_text": pct(rate, 1),
                      "late_fine": s.report_late_fine, "missing_fine": s.report_missing_fine}
            carried = carry_out
            formula = (f"{yuan(base)}×{pct(s.pay_fixed_share, 0)} + {yuan(base)}×{pct(s.pay_network_share, 0)}×"
                       f"{pct(rate, 1)}（{covered}/{total} 县） + 走访基金 {yuan(fund)} − 扣款 {yuan(deducted)} = {yuan(pay)} 元")
            out.append(Finding(rule="jsb.pay", register="jsb_pay", record=key, severity="info",
                               message=f"业务员{who}{month_text(month)}工资：{formula}", values=values))
            if total == 0:
                out.append(Finding(
                    rule="jsb.pay_network", register="jsb_pay", record=key, severity="warning",
                    message=(f"业务员{who}{month_text(month)}的辖区县数不知道（工资表未填，县级市场登记中也没有以其为责任业务员的县），"
                             f"网络完善率按 0 计；请填写辖区县数和有成员县数"),
                    values=values,
                ))
            given = dec(v.get("实发工资"))
            if given is not None and fen(given) != pay:
                out.append(Finding(
                    rule="jsb.pay_mismatch", register="jsb_pay", record=key, severity="warning",
                    message=f"业务员{who}{month_text(month)}实发工资填 {yuan(given)} 元，按考核办法应为 {formula}",
                    values={**values, "实发工资": fen(given)},
                ))
            if items or values["上月结转罚款"]:
                source = "从走访基金扣" if fund > 0 else "走访基金已停发（成立已满半年），从当月工资扣"
                out.append(Finding(
                    rule="jsb.fines", register="jsb_pay", record=key, severity="warning",
                    message=(f"业务员{who}{month_text(month)}报表迟报漏报 {len(items)} 次，罚款 {yuan(owed - values['上月结转罚款'])} 元"
                             f"{_earlier_text(earlier)}"
                             f"{'，加上月结转 ' + yuan(values['上月结转罚款']) + ' 元，共 ' + yuan(owed) + ' 元' if values['上月结转罚款'] else ''}，"
                             f"{source} {yuan(deducted)} 元{'，结转下月 ' + yuan(carry_out) + ' 元' if carry_out else ''}；扣款通知已起草"),
                    values=values, notice="jsb_fine",
                ))
    return out


def uncharged_findings(env: Env, state: State) -> list[Finding]:
    """Fines of a finished month that no pay row takes: the salesperson has no row in
    业务员工资考核表 for that month or any later one (a later row would charge them, as
    ``pay_findings`` does). Without this they would be owed for ever and said nowhere."""
    paid: dict[str, str] = {}
    for key in state.get("jsb_pay", {}):
        month, who = split_key(key)[:2]
        paid[who] = max(paid.get(who, month), month)
    this_month = month_of(env.today)
    out: list[Finding] = []
    for (who, month), items in sorted(fines_by_month(env, state).items()):
        if month >= this_month or month <= paid.get(who, ""):
            continue  # the month is still running, or a pay row of it or after charges them
        total = fen(sum((i["fine"] for i in items), Decimal(0)))
        listed = "、".join(f"《{i['报表']}》{i['期间']}{i['kind']}" for i in items)
        last = paid.get(who)
        since = f"最近一行是{month_text(last)}" if last else "一行也没有"
        out.append(Finding(
            rule="jsb.fines_uncharged", register="jsb_pay", record=f"{month}|{who}", severity="warning",
            message=(f"业务员{who}{month_text(month)}报表迟报漏报 {len(items)} 次，罚款 {yuan(total)} 元尚未扣"
                     f"（{listed}）：业务员工资考核表中没有其{month_text(month)}及以后的记录（{since}）；"
                     f"请销售中心登记其{month_text(month)}的工资考核，罚款随之扣除，联销主任核对"),
            values={"月份": month, "业务员": who, "大区": region_of(state, who), "次数": len(items), "金额": total,
                    "fines": items, "最近工资月份": last},
        ))
    return out


def _earlier(month: str, fines: list[dict[str, Any]]) -> dict[str, Any]:
    """Fines of a month the pay sheet has no row for (fines belong to the month they were
    settled in), charged with the next pay row: the month, the reports, the sum."""
    return {"月份": month, "次数": len(fines), "金额": fen(sum((i["fine"] for i in fines), Decimal(0))),
            "报表": "、".join(f"{i['报表']} {i['期间']}" for i in fines)}


def _earlier_text(earlier: list[dict[str, Any]]) -> str:
    """"（其中 2026年10月 2 次 100.00 元：…没有其记录，当月未能扣款，并入本月）" for the message."""
    if not earlier:
        return ""
    parts = "；".join(f"{month_text(e['月份'])} {e['次数']} 次 {yuan(e['金额'])} 元" for e in earlier)
    months = "、".join(month_text(e["月份"]) for e in earlier)
    return f"（其中 {parts}：{months}的业务员工资考核表中没有其记录，当月未能扣款，并入本月扣除）"


# --- half-year reward ---------------------------------------------------------------------------


def _permille(rate: Decimal) -> str:
    return f"{(rate * 1000).normalize():f}‰"


def half_of(month: str) -> str:
    return f"{month[:4]}-H{1 if int(month[5:7]) <= 6 else 2}"


def half_months(half: str) -> list[str]:
    y, h = half.split("-H")
    first = f"{y}-{'01' if h == '1' else '07'}"
    return [month_add(first, i) for i in range(6)]


def reward_findings(env: Env, state: State) -> list[Finding]:
    """Each finished half-year: every member still in the body gets 4 ‰ of its sales."""
    s = env.settings.dealer.jsb
    members = members_with_region(state)
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    named: dict[str, str] = {}  # member → the name its latest sales row gives (no member register kept)
    for key, v in sorted(state.get("jsb_sales", {}).items()):
        month, mid = split_key(key)[:2]
        mid = code(mid)
        sums[(half_of(month), mid)] += dec(v.get("销量")) or Decimal(0)
        counts[(half_of(month), mid)] += 1
        if text(v.get("经销商名称")):
            named[mid] = text(v.get("经销商名称"))
    out: list[Finding] = []
    current = half_of(month_of(env.today))
    # A cancellation drafted (the notice awaits the region) but not yet recorded as 已取消
    # in the member register: the member is on its way out, so no reward is drafted.
    cancelling = {f.values.get("成员编号"): f for f in [*sales_findings(env, state), *counterfeit_all(env, state)]
                  if f.rule in CANCELS}
    for (half, mid), total in sorted(sums.items()):
        m = members.get(mid) or ({"经销商名称": named[mid]} if mid in named else {})
        if half >= current or text(m.get("状态")) in GONE or total <= 0 or text(m.get("状态")) == PROPOSED:
            continue  # a reward is for the body's members: not one cancelled, nor one not yet joined
        if members and mid not in members:  # a number typed wrong (jsb.sales_unknown_member): no notice to nobody
            continue
        reward = fen(total * s.reward_rate)
        y, h = half.split("-H")
        label = f"{y}年{'上' if h == '1' else '下'}半年"
        if mid in cancelling:
            why = cancelling[mid]
            out.append(Finding(
                rule="jsb.reward_withheld", register="jsb_sales", record=f"{half}|{mid}", severity="warning",
                message=(f"成员 {mid}（{text(m.get('经销商名称'))}）{month_text(why.values.get('月份'))}已起草取消资格"
                         f"通知书，{label}奖励 {yuan(reward)} 元暂不发放；大区审批后在联销体成员登记中把状态改为“已取消”，"
                         f"若不取消则改回后重新提交"),
                values={"成员编号": mid, "经销商名称": m.get("经销商名称"), "半年": label, "reward": reward,
                        "cancel_rule": why.rule, "cancel_month": why.values.get("月份")},
            ))
            continue
        out.append(Finding(
            rule="jsb.reward", register="jsb_sales", record=f"{half}|{mid}", severity="info",
            message=(f"成员 {mid}（{text(m.get('经销商名称'))}）{label}销量 {yuan(total)} 元，"
                     f"按 {_permille(s.reward_rate)} 奖励 {yuan(reward)} 元，奖励通知已起草"),
            values={"成员编号": mid, "经销商名称": m.get("经销商名称"), "县市": m.get("县市"), "大区": m.get("大区"),
                    "半年": label,
                    "销量": fen(total), "月数": counts[(half, mid)], "rate": s.reward_rate, "reward": reward,
                    "rate_text": _permille(s.reward_rate)},
            notice="jsb_reward",
        ))
    return out


# --- counterfeit penalties --------------------------------------------------------------------------


def counterfeit_all(env: Env, state: State) -> list[Finding]:
    """Each penalty row, and the member it names: unknown → said; a member still in the body
    → its cancellation drafted (seed 运行章程: 不得销售假冒产品，否则联销体有权取消其资格),
    as a sales row marked 发现假冒 does."""
    members = members_with_region(state)
    out: list[Finding] = []
    for key, v in sorted(state.get("jsb_counterfeit", {}).items()):
        out.extend(counterfeit_findings(env, key, v))
        mid = code(v.get("成员编号"))
        if members and mid not in members:
            out.append(unknown_member("jsb_counterfeit", key, v, f"假冒伪劣处罚登记 {key}", "大区"))
            continue
        m = members.get(mid)
        if m is None or text(m.get("状态")) in GONE:  # nothing to name, or done already
            continue
        found = as_date(v.get("发现日期"))
        penalty = fen(dec(v.get("罚金")) or Decimal(0))
        act = f"销售假冒伪劣产品（处罚编号 {key}，罚金 {yuan(penalty)} 元）"
        out.append(Finding(
            rule="jsb.cancel_conduct", register="jsb_counterfeit", record=key, severity="error",
            message=(f"成员 {mid}（{text(m.get('经销商名称'))}）{fmt_date(found) if found else ''}查实{act}，"
                     f"按联销体运行章程应取消其成员资格并收回铜牌，取消通知书已起草，请大区审批"),
            values={**_member_values(mid, m), "reason": "conduct", "月份": month_of(found) if found else None,
                    "其他渠道进货额": None, "acts": [act], "处罚编号": key},
        ))
    return out


def cancel_findings(env: Env, state: State) -> list[Finding]:
    """One cancellation notice per member, whatever leads to it and in whatever order the
    registers are saved (seed 运行章程: the body cancels a membership, once): a counterfeit
    penalty, a sales row bought elsewhere or marked 低价/捆绑/假冒, three months below the
    share. Each cause stays a finding of its own row; this one gathers them on the member
    (记录 = 成员编号), and the draft nobody has signed yet takes a later cause under its number."""
    causes: dict[str, list[Finding]] = defaultdict(list)
    for f in [*sales_findings(env, state), *counterfeit_all(env, state)]:
        if f.rule in CANCELS:
            causes[code(f.values.get("成员编号"))].append(f)
    out: list[Finding] = []
    for mid, found in sorted(causes.items()):
        found.sort(key=lambda f: (text(f.values.get("月份")), f.register, f.record))
        listed = [_cause(f) for f in found]
        shares = [r for c in listed if c["reason"] == "share" for r in c["months"]]
        first = found[0].values
        out.append(Finding(
            rule="jsb.cancel", register="jsb_member", record=mid, severity="info",
            message=(f"成员 {mid}（{text(first.get('经销商名称'))}）应取消联销体成员资格，取消通知书（一个成员一份）列明 "
                     f"{len(listed)} 项原因：{'；'.join(c['text'] for c in listed)}；请大区审批签发后，"
                     f"在联销体成员登记中把状态改为“已取消”"),
            values={**{k: first.get(k) for k in ("成员编号", "经销商名称", "县市", "一级经销商", "负责人", "铜牌编号",
                                                 "大区")},
                    "causes": listed, "share_months": shares,
                    "标准": next((c["标准"] for c in listed if c["reason"] == "share"), None)},
            notice="jsb_cancel",
        ))
    return out


def _cause(f: Finding) -> dict[str, Any]:
    """One cause as the notice prints it: the month, what was found, where it is recorded."""
    v = f.values
    month = text(v.get("月份"))
    if v.get("reason") == "share":
        # printed in the notice's running text: no spaces around the figures
        said = f"截至{month_text(month)}连续{len(v.get('months') or [])}个月销量低于所在市场销量的{v.get('标准')}"
    else:
        said = f"{month_text(month) if month else ''}{'、'.join(v.get('acts') or [])}"
    return {"reason": v.get("reason"), "月份": month or None, "acts": list(v.get("acts") or []),
            "months": [dict(r) for r in v.get("months") or []], "标准": v.get("标准"), "处罚编号": v.get("处罚编号"),
            "text": said}


def counterfeit_findings(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    s = env.settings.dealer.jsb
    out: list[Finding] = []
    mid = code(v.get("成员编号"))
    penalty = dec(v.get("罚金")) or Decimal(0)
    subject = f"处罚 {key}（成员 {mid}）"
    if penalty < s.counterfeit_min_penalty:
        out.append(Finding(
            rule="jsb.counterfeit_penalty", register="jsb_counterfeit", record=key, severity="error",
            message=f"{subject}罚金 {yuan(penalty)} 元低于协议约定的最低 {yuan(s.counterfeit_min_penalty)} 元",
            values={"成员编号": mid, "罚金": fen(penalty), "minimum": s.counterfeit_min_penalty},
        ))
    expected = fen(penalty * s.informer_share)
    given = dec(v.get("举报奖励"))
    if text(v.get("举报人")) and (given is None or fen(given) != expected):
        out.append(Finding(
            rule="jsb.counterfeit_reward", register="jsb_counterfeit", record=key, severity="warning",
            message=(f"{subject}举报人{text(v.get('举报人'))}应得奖励 = 罚金 {yuan(penalty)} × "
                     f"{pct(s.informer_share, 0)} = {yuan(expected)} 元，登记为 "
                     f"{yuan(given) + ' 元' if given is not None else '空'}"),
            values={"成员编号": mid, "罚金": fen(penalty), "expected": expected, "举报奖励": given},
        ))
    if text(v.get("铜牌收回")) != "是":
        out.append(Finding(
            rule="jsb.counterfeit_plaque", register="jsb_counterfeit", record=key, severity="warning",
            message=f"{subject}销售假冒伪劣产品，铜牌应予收回，请业务员收回后在“铜牌收回”填“是”",
            values={"成员编号": mid},
        ))
    return out
