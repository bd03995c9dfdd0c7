"""联销体 reports: the weekly visit list, the monthly sales statistics with pay, the half-year rewards."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from toolkit.packs.acting import action_of, is_action
from toolkit.reports.model import Column, Mark, Report, Table
from toolkit.reports.periods import Period
from toolkit.reports.source import Source, day
from toolkit.ruleset.money import dec, fen
from toolkit.ruleset.timing import add_months, fmt_date

from ..rules.common import (
    by_code,
    code,
    month_add,
    month_of,
    month_text,
    pct,
    share,
    share_text,
    split_key,
    text,
    yes,
)
from ..rules.jsb import GONE, PROPOSED, active_on, blank_since, left_by, month_end, not_yet
from ..rules.staff import CANCELS, half_months, half_of, period_month
from .overview import overview


def _name(members: dict[str, dict[str, Any]], mid: str) -> str:
    return text(members.get(mid, {}).get("经销商名称"))


def jsb_weekly(src: Source, period: Period) -> Report:
    """The weekly visit list of the first half-year (seed 003: 每周一次上报大区)."""
    return _visits(src, period, "jsb_weekly", "本周")


def jsb_visits_monthly(src: Source, period: Period) -> Report:
    """The same list once a month after the first half-year (seed 003: 超过半年，每月汇总一次)."""
    return _visits(src, period, "jsb_visits_monthly", "本月")


# Where the list goes (seed 003: weekly to 销售中心 in the first half-year, monthly after).
_SENT = {"本周": "联销体成立半年内，本表每周汇总报销售中心。", "本月": "联销体成立半年后，本表每月汇总报销售中心。"}


def _visits(src: Source, period: Period, name: str, this: str) -> Report:
    members = by_code(src.records("jsb_member"))
    counties = src.records("jsb_county")
    rows = []
    for v in src.records("jsb_visit").values():
        d = day(v.get("日期"))
        if d is None or not period.start <= d <= period.end:
            continue
        mid = code(v.get("成员编号"))
        rows.append([d, v.get("业务员"), mid, _name(members, mid), v.get("方式"), v.get("销售情况"), v.get("资金情况"),
                     v.get("市场价位"), v.get("经验"), v.get("不足及改进"), v.get("意见建议")])
    rows.sort(key=lambda r: (str(r[1] or ""), r[0], r[2]))
    visits = Table(f"{this}走访", f"联销体成员走访一览表（{period.zh}）", [
        Column("日期", "date"), Column("业务员", width=10), Column("成员编号", width=12), Column("经销商名称", width=20),
        Column("方式", width=10), Column("销售情况", width=20), Column("资金情况", width=16), Column("市场价位", width=16),
        Column("经验", width=20), Column("不足及改进", width=20), Column("意见建议", width=20)], rows,
        note=f"日期在{this}内的走访和电话调度记录，按业务员排列。每个成员每月至少走访一次、电话调度一次，"
             "业务员每次走访后在联销体成员走访记录中写明销售、资金、市场价位、经验、不足和意见；"
             f"本月尚缺的成员见“本月未走访”。{_SENT[this]}",
        empty=f"{this}没有走访或电话调度记录。")
    # Members with no visit or no call in the month the week ends in, so far; a week across
    # a month's end also gives the month it closed (this is the last list with its days).
    months = sorted({month_of(period.start), month_of(period.end)})
    todo = [row for month in months for row in _pending(src, members, counties, month, period.end)]
    ended, running = months[:-1], months[-1]
    closed = [r for r in todo if r[0] != month_text(running)]
    title = (f"{month_text(ended[0])}（已结束）和{month_text(running)}至今" if ended else f"{month_text(running)}至今")
    pending = Table("本月未走访", f"{title}尚未走访或电话调度的成员", [
        Column("月份", width=10), Column("责任业务员", width=10), Column("成员编号", width=12),
        Column("经销商名称", width=20), Column("县市", width=10), Column("走访次数", "int"), Column("电话调度次数", "int"),
        Column("尚缺", width=14)], todo,
        note="每个成员每月至少走访一次、电话调度一次；月底前补齐。"
             + (f"{month_text(ended[0])}已结束，未补齐的计入走访不足，列入二级客户进货统计月报。" if ended else ""),
        empty=f"{title}所有成员均已走访并电话调度。")
    headline = [(f"{this}走访记录", str(len(rows)), "")]
    explain = {f"{this}走访记录": f"{this}走访和电话调度的记录条数，明细见“{this}走访”"}
    if ended:
        headline.append((f"{month_text(ended[0])}未补齐", str(len(closed)), ""))
        explain[headline[-1][0]] = f"{month_text(ended[0])}已结束仍缺走访或电话调度的成员，计入走访不足"
    headline.append(("本月尚缺", str(len(todo) - len(closed)), ""))
    explain["本月尚缺"] = f"{month_text(running)}至今仍缺走访或电话调度的成员，月底前补齐，明细见“本月未走访”"
    head = overview(f"联销体成员走访一览表（{period.zh}）", headline, explain,
                    note=f"按 {src.as_of:%Y-%m-%d %H:%M} 的走访记录统计。")
    return Report(name, "联销体成员走访一览表", period, src.as_of, f"联销体成员走访一览表-{period.label}",
                  [head, visits, pending], headline=headline)


def _pending(src: Source, members: dict[str, dict[str, Any]], counties: dict[str, Any], month: str,
             until: date) -> list[list[Any]]:
    """The members of ``month`` (at its end, or at ``until`` if sooner) short of a visit or a
    call among the visits of that month up to ``until``."""
    upto = min(until, month_end(month))
    seen: dict[tuple[str, str], int] = defaultdict(int)
    for v in src.records("jsb_visit").values():
        d = day(v.get("日期"))
        if d is not None and month_of(d) == month and d <= upto:
            seen[(code(v.get("成员编号")), text(v.get("方式")) or "走访")] += 1
    todo = []
    for mid, m in sorted(members.items()):
        if not active_on(m, upto):
            continue
        visits_n, calls_n = seen[(mid, "走访")], seen[(mid, "电话调度")]
        if visits_n and calls_n:
            continue
        who = text(counties.get(text(m.get("县市")), {}).get("责任业务员"))
        todo.append([month_text(month), who, mid, m.get("经销商名称"), m.get("县市"), visits_n, calls_n,
                     "走访、电话调度" if not visits_n and not calls_n else "走访" if not visits_n else "电话调度"])
    return todo


# What each finding of the monthly lists is about, in the staff's words.
MATTERS = {
    "jsb.cancel_share": "占比连续偏低", "jsb.cancel_channel": "从其他渠道进货", "jsb.cancel_conduct": "违规经营",
    "jsb.sales_missing": "进货数据缺报", "jsb.primary_coverage": "一级经销商覆盖不足",
    "jsb.county_members": "县级成员超过上限", "jsb.county_few": "县级成员不足", "jsb.blank_market": "空白市场", "jsb.visit_shortfall": "走访不足", "jsb.report_late": "报表迟报",
    "jsb.report_missing": "报表漏报", "jsb.report_false": "报表虚报", "jsb.fines_uncharged": "罚款未扣",
}


# A member's sales above its whole market's: a figure typed wrong (jsb.share_over).
OVER = "销量大于所在市场销量（请核对）"
NOT_YET = "尚未入会（不考核）"
WRONG_SALES = "成员销量有误，待核对"


def jsb_monthly(src: Source, period: Period) -> Report:
    s = src.rules.pack("dealer").settings.dealer.jsb
    month = period.label
    members = by_code(src.records("jsb_member"))
    sales = src.records("jsb_sales")
    by: dict[tuple[str, str], dict[str, Any]] = {(split_key(k)[0], code(split_key(k)[1])): v for k, v in sales.items()}
    findings = src.findings("jsb_sales", "jsb_county", "jsb_primary_sales", "jsb_visit", "jsb_report_log", "jsb_pay",
                            "jsb_counterfeit")
    cancelled = {f.values.get("成员编号"): f.rule for f in findings
                 if f.rule.startswith("jsb.cancel") and f.values.get("月份") == month}
    runs = {f.values.get("成员编号"): f.values.get("run") for f in findings
            if f.rule == "jsb.share_low" and f.values.get("月份") == month}
    # A cause of this month whose cancellation has been carried out since: the rules no
    # longer draft it (the member is gone), but the month's report still says it.
    done = {mid: members[mid] for (m, mid), v in by.items() if m == month and mid not in cancelled
            and _cancelled_since(members.get(mid), period.end) and _cause_in_row(v, runs.get(mid), s)}
    cancelled.update({mid: "done" for mid in done})
    months3 = [month_add(month, -2), month_add(month, -1), month]
    rows = []
    for (m, mid), v in sorted(by.items(), key=lambda kv: kv[0][1]):
        if m != month:
            continue
        shares = [share(by.get((x, mid), {}).get("销量"), by.get((x, mid), {}).get("所在市场销量")) for x in months3]
        if left_by(members.get(mid), period.end):  # recorded as gone by the month's end: done
            state = _gone_text(members[mid])
        elif not_yet(members.get(mid), period.end):
            state = NOT_YET
        elif mid in done:
            state = f"取消资格（{fmt_date(day(done[mid].get('取消日期')))} {text(done[mid].get('状态'))}）"
        elif mid in cancelled:
            state = "取消资格"
        elif members and mid not in members:
            state = "成员登记中无此编号"
        elif mid in runs:
            state = f"连续 {runs[mid]} 个月低于 {pct(s.min_share, 0)}"
        elif shares[-1] is None:
            state = "无法计算占比（所在市场销量为 0）"
        elif shares[-1] > 1:
            state = OVER
        else:
            state = "正常"
        # Shown as text, to three decimals where two would round onto 70 % (69.996 %).
        rows.append([mid, v.get("经销商名称") or _name(members, mid), members.get(mid, {}).get("县市"),
                     dec(v.get("进货额")), dec(v.get("其他渠道进货额")), dec(v.get("销量")), dec(v.get("所在市场销量")),
                     *[share_text(x, s.min_share) for x in shares], state])
    stats = Table("进货统计", f"二级客户进货统计表（{period.zh}）", [
        Column("成员编号", width=12), Column("经销商名称", width=20), Column("县市", width=10),
        Column("进货额（元）", "money"), Column("其他渠道进货额（元）", "money"), Column("销量（元）", "money"),
        Column("所在市场销量（元）", "money"),
        *[Column(f"{month_text(x)}占比", width=12) for x in months3], Column("情况", width=24)], rows,
        marks=[Mark("情况", "取消资格"), Mark("情况", "成员登记中无此编号", "FFEB9C"),
               Mark("情况", "无法计算占比（所在市场销量为 0）", "FFEB9C"), Mark("情况", OVER, "FFEB9C")],
        note=(f"占比 = 成员销量 ÷ 所在市场销量，标准 {pct(s.min_share, 0)}（按未四舍五入的数比较，接近标准时显示三位小数）；"
              f"连续 {s.below_months_to_cancel} 个月低于标准即取消资格。"),
        empty="本月没有进货统计记录：请业务员填报二级客户进货统计表并保存到收件箱。")

    # What someone must still do: a finding closed since (its member has left the body) is
    # no one's task. The report of its own month, made as of then, keeps it as history.
    open_ = [f for f in findings if f.status != "resolved"]

    def table(sheet: str, title: str, rules: tuple[str, ...], note: str, empty: str) -> Table:
        hits = [f for f in open_ if f.rule in rules and _this_months(f, month)]
        return Table(sheet, title, [Column("事项", width=16), Column("记录", width=18), Column("情况", width=90)],
                     [[MATTERS.get(f.rule, f.rule), f.record, f.message] for f in hits], note=note, empty=empty)

    problems = table("需处理事项", f"{period.zh}联销体需处理事项", (
        "jsb.cancel_share", "jsb.cancel_channel", "jsb.cancel_conduct", "jsb.sales_missing", "jsb.primary_coverage",
        "jsb.county_members", "jsb.county_few", "jsb.blank_market", "jsb.visit_shortfall"), "取消资格的通知书草稿在 outbox 文书草稿中，由大区审批。",
        "本月没有需处理的事项。")
    reports_t = table("报表与罚款", "迟报、漏报与虚报", ("jsb.report_late", "jsb.report_missing", "jsb.report_false",
                                                        "jsb.fines_uncharged"),
                      f"迟报一次扣 {s.report_late_fine:.0f} 元，漏报一次扣 {s.report_missing_fine:.0f} 元（不再另扣迟报），"
                      "虚报调回销售中心待岗；罚款纳入奖励基金。罚款计入其确定的月份：迟报按实际上报日期，"
                      "漏报按漏报界限届满的次日，尚未上报、未到界限的暂不扣，已扣的月份不再变动。“罚款未扣”：该月及以后没有工资考核记录，"
                      "罚款无处扣除，请销售中心补登工资考核表。", "本月没有迟报、漏报、虚报，也没有未扣的罚款。")
    _fine_column(reports_t, [f for f in open_ if f.rule in ("jsb.report_late", "jsb.report_missing", "jsb.report_false",
                                                            "jsb.fines_uncharged") and _this_months(f, month)], month,
                 [f for f in findings if f.rule == "jsb.pay" and f.values.get("月份") == month])
    # What a register says wrong (the return copies said it first, on the cell).
    fix = [f for f in findings if is_action(f)]
    fixes = Table("登记待改正", "登记有误、须改正的事项", [
        Column("问题", width=14), Column("记录", width=18), Column("情况", width=70), Column("须处理", width=50)],
        [[action_of(f).title, f.record, f.message, action_of(f).todo] for f in sorted(fix, key=lambda f: (f.rule, f.record))],
        note="改正后重新保存该登记表到收件箱，此处即不再列出。")
    pay_rows = []
    for f in findings:
        if f.rule != "jsb.pay" or f.values.get("月份") != month:
            continue
        v = f.values
        pay_rows.append([v["业务员"], v["基本工资"], v["固定部分"], v["辖区县数"], v["有成员县数"],
                         float(v["网络完善率"]), v["考核部分"], v["走访基金"], v["上月结转罚款"], v["本月罚款"], v["扣款"],
                         v["结转下月"], v["应发工资"]])
    pay = Table("工资考核", f"业务员工资考核表（{period.zh}）", [
        Column("业务员", width=10), Column("基本工资", "money"), Column(f"固定部分（×{pct(s.pay_fixed_share, 0)}）", "money"),
        Column("辖区县数", "int"), Column("有成员县数", "int"), Column("网络完善率", "percent"),
        Column(f"考核部分（×{pct(s.pay_network_share, 0)}×完善率）", "money"), Column("走访基金", "money"),
        Column("上月结转罚款", "money"), Column("本月罚款", "money"), Column("扣款", "money"), Column("结转下月", "money"),
        Column("应发工资", "money")], pay_rows,
        note=(f"金额单位：元。应发工资 = 基本工资×{pct(s.pay_fixed_share, 0)} + 基本工资×{pct(s.pay_network_share, 0)}×网络完善率 + 走访基金 − 扣款；"
              "网络完善率 = 有成员县数 ÷ 辖区县数；成立初期半年内罚款从走访基金扣，不足部分结转下月，"
              "成立满半年后（不再发走访基金）从工资扣。"),
        total=_pay_total(pay_rows), empty="本月没有工资考核记录：请销售中心填报业务员工资考核表。")
    fines = sum((f.values["扣款"] for f in findings if f.rule == "jsb.pay" and f.values.get("月份") == month), Decimal(0))
    uncharged = sum((f.values["金额"] for f in open_ if f.rule == "jsb.fines_uncharged"), Decimal(0))
    primaries = _primary_table(src, period, members, by)
    counties = _county_table(src, period)
    blank = sum(1 for r in counties.rows if str(r[6]).startswith("空白市场"))
    headline = [("联销体成员（月末）", str(_members_at(members, period.end)),
                 str(_members_at(members, period.start - timedelta(days=1)))),
                *_member_moves(members, period),
                ("取消资格（本月考核提出）", str(len(cancelled)), ""),
                ("空白市场（县）", str(blank), ""),
                ("罚款计入奖励基金（元）", f"{fen(fines):,.2f}", ""),
                ("罚款未扣（元）", f"{fen(uncharged):,.2f}", "")]
    title = "二级客户进货统计月报"
    head = overview(f"{title}（{period.zh}）", headline, MONTHLY_EXPLAINED,
                    note=f"按 {src.as_of:%Y-%m-%d %H:%M} 的登记统计；各项明细见后面各表。")
    return Report("jsb_monthly", title, period, src.as_of, f"{title}-{period.label}",
                  [head, stats, primaries, counties, problems, reports_t, pay, *([fixes] if fix else [])],
                  headline=headline)


# What each figure of the monthly headline counts, and where its rows are.
MONTHLY_EXPLAINED = {
    "联销体成员（月末）": "上月末 {before} 家；月末已入会、尚未取消或退出的成员，各县明细见“县级市场”",
    "本月入会": "入会日期在本月的成员",
    "取消资格（本月已办理）": "取消日期在本月、成员登记已改为“已取消”的成员",
    "本月退出": "取消日期在本月、成员登记已改为“已退出”的成员",
    "取消资格（本月考核提出）": "按本月进货统计应取消资格的成员，见“进货统计”和“需处理事项”；取消通知书草稿由大区审批",
    "空白市场（县）": "月末没有成员的县，见“县级市场”",
    "罚款计入奖励基金（元）": "本月各业务员工资考核的扣款合计，见“工资考核”",
    "罚款未扣（元）": "没有工资考核记录可扣的罚款，见“报表与罚款”；请销售中心补登工资考核表",
}


def _fine_column(table: Table, hits: list[Any], month: str, pays: list[Any]) -> None:
    """The fines of ``month`` as a column of their own, with their 合计: each fine settled in
    the month, and the fines of earlier months no pay row could take that this month's pay
    takes (补扣), so the 合计 is the pay table's 本月罚款 plus what no pay row takes. The
    罚款未扣 row repeats a sum of fines listed above it: no figure of its own here."""
    fines = [fen(dec(f.values.get("fine")) or Decimal(0)) if f.rule in ("jsb.report_late", "jsb.report_missing")
             and (settled := day(f.values.get("计入日期"))) is not None and month_of(settled) == month else None
             for f in hits]
    table.columns.append(Column("本月计入罚款（元）", "money"))
    for row, fine in zip(table.rows, fines, strict=True):
        row.append(fine)
    for f in sorted(pays, key=lambda f: f.record):
        who = f.values["业务员"]
        for e in f.values.get("补扣") or []:
            amount = fen(dec(e["金额"]) or Decimal(0))
            table.rows.append(["以前月份罚款补扣", f"{e['月份']}|{who}",
                               f"业务员{who}{month_text(e['月份'])}的工资考核表中没有记录，当月未能扣除的罚款 {e['次数']} 次"
                               f"（{e['报表']}）共 {amount:,.2f} 元，并入{month_text(month)}扣除", amount])
            fines.append(amount)
    charged = [x for x in fines if x is not None]
    if charged:
        table.total = ["合计", None, f"计入本月的罚款 {len(charged)} 笔：有本月工资考核记录的，即“工资考核”的本月罚款；"
                                     "其余列为罚款未扣", sum(charged, Decimal(0))]


PAY_MONEY = (1, 2, 6, 7, 8, 9, 10, 11, 12)  # the pay table's columns in 元: their 合计


def _pay_total(rows: list[list[Any]]) -> list[Any] | None:
    """The pay table's 合计 row: its 扣款 is the headline's 罚款计入奖励基金."""
    if not rows:
        return None
    total: list[Any] = ["合计"] + [None] * (len(rows[0]) - 1)
    for i in PAY_MONEY:
        total[i] = fen(sum((dec(r[i]) or Decimal(0) for r in rows), Decimal(0)))
    return total


def _member_moves(members: dict[str, dict[str, Any]], period: Period) -> list[tuple[str, str, str]]:
    """Who joined, was cancelled or withdrew in the month: the members at its end are those
    at the last one's plus the first, less the others. A cancellation is counted in the
    month it was carried out (取消日期); the month whose figures caused it counts it under
    取消资格（本月考核提出）, as its rows say."""
    before, end = period.start - timedelta(days=1), period.end
    joined = sum(1 for m in members.values() if active_on(m, end) and not active_on(m, before))
    left = [text(m.get("状态")) for m in members.values() if active_on(m, before) and not active_on(m, end)]
    withdrawn = sum(1 for st in left if st == "已退出")
    return [("本月入会", str(joined), ""), ("取消资格（本月已办理）", str(len(left) - withdrawn), ""),
            ("本月退出", str(withdrawn), "")]


def _cancelled_since(m: dict[str, Any] | None, end: date) -> bool:
    """Recorded as 已取消 with a date after ``end``: a member then, cancelled since."""
    left = day((m or {}).get("取消日期"))
    return text((m or {}).get("状态")) == "已取消" and left is not None and left > end


def _cause_in_row(v: dict[str, Any], run: Any, s: Any) -> bool:
    """What makes the rules draft a cancellation from a sales row (jsb.cancel_*): bought from
    another 一级, sold below price, bundled, counterfeit, or the third month below the share."""
    other = dec(v.get("其他渠道进货额"))
    return bool((other is not None and other > 0) or any(yes(v.get(c)) for c in ("低于协商价销售", "捆绑销售", "发现假冒"))
                or (run is not None and int(run) == s.below_months_to_cancel))


def _gone_text(m: dict[str, Any]) -> str:
    """已取消（2026-10-12）: a member recorded as gone, and since when."""
    left = day(m.get("取消日期"))
    return f"{text(m.get('状态'))}（{fmt_date(left)}）" if left else text(m.get("状态"))


def _this_months(f: Any, month: str) -> bool:
    """A fine settled in another month is that month's (its pay row charged it), so the list
    of a month adds up to its pay table; a matter with no month of charge (a report still
    owed, a false report, fines no pay row takes) is listed while open."""
    settled = day(f.values.get("计入日期"))
    if f.rule == "jsb.report_false":  # the month of the period found false
        return period_month(text(f.values.get("期间"))) in (None, month)
    return settled is None or month_of(settled) == month


def _members_at(members: dict[str, dict[str, Any]], day: date) -> int:
    """The body's members on ``day`` (seed 003: a 联销体成员 is a dealer in the body, not a
    sales row): joined by then and not cancelled or withdrawn by then, as the county
    table counts them; a sales row of a number the register lacks is nobody's."""
    return sum(1 for m in members.values() if active_on(m, day))


def _primary_table(src: Source, period: Period, members: dict[str, dict[str, Any]],
                   by: dict[tuple[str, str], dict[str, Any]]) -> Table:
    """Per 一级经销商: its members' sales of the month against its own (seed 003 成员确认资格:
    所选的二级经销商的总销量必须达到一级经销商销量的 80%), as ``jsb.primary_coverage`` counts:
    every sales row of the month, under the 一级 the member register gives its member."""
    s = src.rules.pack("dealer").settings.dealer.jsb
    month = period.label
    sold: dict[str, Decimal] = defaultdict(Decimal)
    count: dict[str, int] = defaultdict(int)
    wrong: set[str] = set()  # a member's sales above its market: the sum is not to be trusted
    for (m, mid), v in by.items():
        primary = text(members.get(mid, {}).get("一级经销商"))
        if m == month and primary and not not_yet(members.get(mid), period.end):
            sold[primary] += dec(v.get("销量")) or Decimal(0)
            count[primary] += 1
            if (ratio := share(v.get("销量"), v.get("所在市场销量"))) is not None and ratio > 1:
                wrong.add(primary)
    whole = {split_key(k)[1]: dec(v.get("一级销量")) for k, v in src.records("jsb_primary_sales").items()
             if split_key(k)[0] == month}
    rows = []
    for primary in sorted(set(sold) | set(whole)):
        ratio = share(sold.get(primary, Decimal(0)), whole.get(primary))
        state = ("一级销量未登记" if whole.get(primary) is None else "无法计算（一级销量为 0）" if ratio is None
                 else f"未达到 {pct(s.primary_coverage, 0)}" if ratio < s.primary_coverage
                 else WRONG_SALES if primary in wrong else "达标")
        rows.append([primary, count.get(primary, 0), fen(sold.get(primary, Decimal(0))),
                     fen(whole[primary]) if whole.get(primary) is not None else None,
                     share_text(ratio, s.primary_coverage), state])
    return Table("一级经销商", f"一级经销商覆盖情况（{period.zh}）", [
        Column("一级经销商", width=20), Column("有进货统计的成员", "int"), Column("成员合计销量（元）", "money"),
        Column("一级销量（元）", "money"), Column("成员销量占比", width=12), Column("情况", width=22)], rows,
        marks=[Mark("情况", f"未达到 {pct(s.primary_coverage, 0)}"), Mark("情况", "一级销量未登记", "FFEB9C"),
               Mark("情况", WRONG_SALES, "FFEB9C")],
        note=(f"成员合计销量 ÷ 一级经销商当月销量，标准 {pct(s.primary_coverage, 0)}；成员按联销体成员登记的"
              f"一级经销商归属；一级销量取自一级经销商月销量登记。"),
        empty="本月既没有成员进货统计，也没有一级经销商月销量登记。")


def _county_table(src: Source, period: Period) -> Table:
    """Per county (县级市场登记): the members at the month's end, and a blank market's day of
    its development period (seed 003 主任职责 4: 每一县级要有一个成员，空白市场三个月开发期)."""
    s = src.rules.pack("dealer").settings.dealer.jsb
    end = period.end
    per: dict[str, list[str]] = defaultdict(list)
    members = by_code(src.records("jsb_member"))
    for mid, m in sorted(members.items()):
        if active_on(m, end):
            per[text(m.get("县市"))].append(mid)
    rows = []
    for county, c in sorted(src.records("jsb_county").items()):
        ids = per.get(county, [])
        typed = day(c.get("空白起始日期"))
        start = typed if ids else blank_since(county, members.values(), typed, end)
        rows.append([county, c.get("大区"), c.get("责任业务员"), c.get("一级经销商"), len(ids), "、".join(ids),
                     _county_state(len(ids), start, end, s), start])
    return Table("县级市场", f"县级市场成员情况（截至{month_text(period.label)}末）", [
        Column("县市", width=10), Column("大区", width=10), Column("责任业务员", width=10), Column("一级经销商", width=18),
        Column("成员数", "int"), Column("成员编号", width=18), Column("情况", width=36), Column("空白起始日期", "date")],
        rows, marks=[Mark("情况", "超过上限", "FFEB9C")],
        note=(f"成员数按月末仍在联销体的成员计；每县 {s.members_per_county.min}—{s.members_per_county.max} 家；"
              f"没有成员的县为空白市场，自空白起始日期起给予 {s.blank_market_months} 个月开发期（起始日为第 1 天）；"
              "最后一家成员取消或退出的，自其取消日期的次日起算。"),
        empty="县级市场登记中还没有县市：请大区填报县级市场登记，才能核对每县成员数和空白市场。")


def _county_state(n: int, start: date | None, end: date, s: Any) -> str:
    if n > s.members_per_county.max:
        return "超过上限"
    if n >= s.members_per_county.min:
        return "正常"
    if n:
        return f"成员不足（至少 {s.members_per_county.min} 家）"
    if start is None:
        return "空白市场（空白起始日期未填）"
    expires = add_months(start, s.blank_market_months) - timedelta(days=1)
    if end > expires:
        return f"空白市场（开发期已于 {fmt_date(expires)} 期满）"
    return f"空白市场（开发期第 {(end - start).days + 1} 天，{fmt_date(expires)} 期满）"


@dataclass(frozen=True)
class HalfYear(Period):
    """A half-year, named as staff say it (2026年下半年), up to the month asked for."""

    half: str = ""  # 2026-H2
    upto: str = ""  # the last month reported (2026-11): the half's last unless it is still running

    @property
    def full(self) -> bool:
        return self.upto == half_months(self.half)[-1]

    @property
    def label(self) -> str:
        return self.half

    @property
    def name(self) -> str:
        y, h = self.half.split("-H")
        return f"{y}年{'上' if h == '1' else '下'}半年"

    @property
    def zh(self) -> str:
        return self.name if self.full else f"{self.name}（截至{month_text(self.upto)}）"


def half_year_of(period: Period) -> HalfYear:
    """The half-year holding the month asked for (a report for 2026-11 is 2026年下半年 so far)."""
    upto = month_of(period.end)
    half = half_of(upto)
    first = date.fromisoformat(half_months(half)[0] + "-01")
    return HalfYear("month", first, period.end, half=half, upto=upto)


def _half_total(rows: list[list[Any]], months: int) -> list[Any]:
    """The half-year table's 合计: each month's sales, the half's, and the rewards paid; a
    month nobody reported stays blank, as its cells are (0 would read as nothing sold)."""
    total: list[Any] = ["合计", None, None]
    for i in range(3, 3 + months + 2):
        given = [dec(r[i]) for r in rows if r[i] is not None]
        total.append(fen(sum(given, Decimal(0))) if given else None)
    return [*total, None, None]


def jsb_half_year(src: Source, period: Period) -> Report:
    s = src.rules.pack("dealer").settings.dealer.jsb
    hy = half_year_of(period)
    months = [m for m in half_months(hy.half) if m <= hy.upto]
    members = by_code(src.records("jsb_member"))
    totals: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for key, v in src.records("jsb_sales").items():
        m, mid = split_key(key)[:2]
        if m in months:
            totals[code(mid)][m] = dec(v.get("销量")) or Decimal(0)
    # A cancellation drafted but not yet recorded in the member register: no reward for now.
    cancelling = {f.values.get("成员编号") for f in src.findings("jsb_sales", "jsb_counterfeit") if f.rule in CANCELS}
    rows = []
    for mid in sorted(totals):
        total = sum(totals[mid].values(), Decimal(0))
        unknown = bool(members) and mid not in members  # a number typed wrong: no reward to nobody
        state = "成员登记中无此编号" if unknown else text(members.get(mid, {}).get("状态")) or "正式成员"
        held = mid in cancelling and state not in GONE
        proposed = state == PROPOSED  # not in the body: no reward
        gone = state in GONE or unknown or proposed
        rows.append([mid, _name(members, mid), members.get(mid, {}).get("县市"),
                     *[totals[mid].get(m) for m in months], total,
                     None if held or gone else fen(total * s.reward_rate), None,
                     "取消待审批（奖励暂缓）" if held else f"{state}（不发奖励）" if proposed else state])
    running = "" if hy.full else (f"{hy.name}尚未结束：本表只到{month_text(hy.upto)}，奖励按已报销量估算，"
                                  f"以半年结束后的报表为准。")
    table = Table("半年奖励", f"联销体成员{hy.zh}销量与奖励", [
        Column("成员编号", width=12), Column("经销商名称", width=20), Column("县市", width=10),
        *[Column(month_text(m), "money") for m in months], Column("半年销量", "money"),
        Column(f"奖励（{(s.reward_rate * 1000).normalize():f}‰，元）", "money"), Column("百分考核得分", "int"),
        Column("状态", width=20)], rows, marks=[Mark("状态", "已取消"), Mark("状态", "取消待审批（奖励暂缓）"),
                                                Mark("状态", "成员登记中无此编号", "FFEB9C")],
        total=_half_total(rows, len(months)) if rows else None, empty=f"{hy.zh}没有进货统计记录。",
        note=(running + "销量、奖励单位：元。奖励 = 半年销量 × 奖励比例；《百分考核表》原件未给出评分办法，得分一栏由大区填写。"
              "已取消资格的成员和尚未入会（拟发展）的经销商不发奖励；已起草取消通知书、尚未在成员登记中改为“已取消”的，奖励暂缓。"))
    # The body's members at the half's end (so far), beside those it began with: not the
    # sales rows, which list dealers since cancelled and numbers nobody registered.
    rewards = sum((r[-3] for r in rows if r[-3] is not None), Decimal(0))
    headline = [("联销体成员（期末）", str(_members_at(members, hy.end)),
                 str(_members_at(members, hy.start - timedelta(days=1)))),
                ("奖励合计（元）", f"{rewards:,.2f}", "")]
    head = overview(f"联销体半年考核（{hy.zh}）", headline, {
        "联销体成员（期末）": "期初 {before} 家；" + ("期末" if hy.full else f"{month_text(hy.upto)}末")
                       + "已入会、尚未取消或退出的成员",
        "奖励合计（元）": "“半年奖励”中应发奖励之和" + ("" if hy.full else "（按已报销量估算）")}, note=running)
    return Report("jsb_half_year", "联销体半年考核", hy, src.as_of, f"联销体半年考核-{hy.half}", [head, table],
                  headline=headline)
