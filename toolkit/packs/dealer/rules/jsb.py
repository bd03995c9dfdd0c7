"""联销体 (joint-sales body): membership, market shares, cancellations, counties, visits.

Seed 003 第一篇: a second-tier dealer becomes a member after signing the agreement not to
sell counterfeits; 1–2 members per county, a blank county gets three months to develop;
a member's sales at least 70 % of its market's, three calendar months running below →
cancellation; buying from another first-tier dealer, selling below the agreed price,
bundling or counterfeits → cancellation; the members together at least 80 % of the
first-tier dealer's sales; each member visited and called at least once a month.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from toolkit.model import Finding
from toolkit.packs import State
from toolkit.ruleset.money import dec, fen, yuan
from toolkit.ruleset.timing import Env, add_months, as_date, fmt_date

from .common import (
    by_code,
    code,
    month_add,
    month_of,
    month_text,
    months_between,
    pct,
    share,
    share_text,
    split_key,
    text,
    yes,
)

ACTIVE = "正式成员"
PROPOSED = "拟发展"
GONE = ("已取消", "已退出")


def _name(member: dict[str, Any] | None, mid: str) -> str:
    name = text((member or {}).get("经销商名称"))
    return f"成员 {mid}（{name}）" if name else f"成员 {mid} "


def _member_values(mid: str, m: dict[str, Any] | None) -> dict[str, Any]:
    m = m or {}
    return {"成员编号": mid, "经销商名称": m.get("经销商名称"), "县市": m.get("县市"),
            "一级经销商": m.get("一级经销商"), "负责人": m.get("负责人"), "铜牌编号": m.get("铜牌编号"),
            "大区": m.get("大区")}


def members_with_region(state: State) -> dict[str, dict[str, Any]]:
    """The member register by upper-case code, each with the 大区 of its county (县级市场登记):
    the notices are signed by that region (徐州大区), not by the word 大区."""
    counties = state.get("jsb_county", {})
    return {mid: {**m, "大区": counties.get(text(m.get("县市")), {}).get("大区")}
            for mid, m in by_code(state.get("jsb_member", {})).items()}


# --- membership: the agreement comes first ---------------------------------------------


def member_findings(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    """A proposed dealer (拟发展, or no agreement date yet) gets the agreement to sign."""
    status = text(v.get("状态")) or ACTIVE
    if status in GONE or as_date(v.get("协议签订日期")) is not None:
        return []
    s = env.settings.dealer.jsb
    return [Finding(
        rule="jsb.member_pending", register="jsb_member", record=key, severity="info",
        message=(f"{_name(v, key)}尚未签订《关于不销售假冒伪劣产品的协议》，已生成协议文本，"
                 f"签订后填写协议签订日期和入会日期，方可成为联销体成员"),
        values={**_member_values(key, v), "联系电话": v.get("联系电话"), "company": s.company,
                "plaque_text": s.plaque_text, "min_penalty": s.counterfeit_min_penalty,
                "informer_share": s.informer_share},
        notice="jsb_agreement",
    )]


# --- monthly sales: shares, runs below the line, conduct ----------------------------------


def sales_findings(env: Env, state: State) -> list[Finding]:
    s = env.settings.dealer.jsb
    members = members_with_region(state)
    rows: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)  # member → month → row
    for key, v in state.get("jsb_sales", {}).items():
        month, mid = split_key(key)[:2]
        rows[code(mid)][month] = v
    if not rows:
        return []
    last = max(m for by_month in rows.values() for m in by_month)
    counties = state.get("jsb_county", {})
    out: list[Finding] = []
    for mid in sorted(rows):
        member = members.get(mid)
        # A number the member register does not know (a typo makes a phantom member): said
        # once per row, and nothing else judged for it (no notice to nobody). A site that
        # keeps no member register at all is not flooded: only a loaded register is asked.
        if members and member is None:
            out.extend(_unknown(key_month, mid, v) for key_month, v in sorted(rows[mid].items()))
            continue
        if member is None:
            # No member register kept: the notices name the dealer as the sales rows do.
            named = [text(r.get("经销商名称")) for _, r in sorted(rows[mid].items()) if text(r.get("经销商名称"))]
            member = {"经销商名称": named[-1]} if named else None
        # The cancellation itself is done once recorded; the months before it are still judged.
        cancelled = text((member or {}).get("状态")) in GONE
        run: list[dict[str, Any]] = []
        for month in months_between(min(rows[mid]), last):
            v = rows[mid].get(month)
            key = f"{month}|{mid}"
            if not_yet(member, month_end(month)):
                # Not in the body that month (拟发展, or joined later): a dealer's purchases
                # may be recorded before it joins, but nothing is judged against a member
                # it was not (no cancellation, no run of months below the share).
                run = []
                continue
            gone = left_by(member, month_end(month))
            if v is None:
                if not gone:
                    # The county's salesperson sends its members' purchase list (seed 003
                    # 考核 3): named, so the monthly report says whose it is to send.
                    who = text(counties.get(text((member or {}).get("县市")), {}).get("责任业务员"))
                    out.append(closed_if_left(Finding(
                        rule="jsb.sales_missing", register="jsb_sales", record=key, severity="warning",
                        message=(f"{_name(member, mid)}缺少{month_text(month)}的进货统计，"
                                 f"{'请责任业务员' + who + '补报' if who else '县级市场登记中未登记其县的责任业务员，请大区安排补报'}；"
                                 f"缺报的月份中断“连续低于 {pct(s.min_share, 0)}”的计算"),
                        values={**_member_values(mid, member), "月份": month, "业务员": who},
                    ), member, env.today))
                run = []
                continue
            ratio = share(v.get("销量"), v.get("所在市场销量"))
            out.extend(_conduct(env, key, month, mid, member, v, cancelled))
            if ratio is None or ratio > 1:
                # No share, or one above 100 %: a member is part of its market, so its sales
                # cannot exceed it (a figure typed wrong). Neither month counts either way.
                if not gone:
                    wrong = _no_share if ratio is None else _over_market
                    out.append(closed_if_left(wrong(env, key, month, mid, member, v), member, env.today))
                run = []
                continue
            if ratio >= s.min_share:
                run = []
                continue
            shown = share_text(ratio, s.min_share)
            run.append({"月份": month, "销量": fen(dec(v.get("销量")) or Decimal(0)),
                        "所在市场销量": fen(dec(v.get("所在市场销量")) or Decimal(0)), "占比": ratio,
                        "占比文字": shown})
            out.append(closed_if_left(Finding(
                rule="jsb.share_low", register="jsb_sales", record=key, severity="warning",
                message=(f"{_name(member, mid)}{month_text(month)}销量 {yuan(dec(v.get('销量')))} 元，"
                         f"占所在市场销量 {yuan(dec(v.get('所在市场销量')))} 元的 {shown}，"
                         f"低于 {pct(s.min_share, 0)}（连续第 {len(run)} 个月）"),
                values={**_member_values(mid, member), "月份": month, "占比": ratio, "占比文字": shown,
                        "run": len(run)},
            ), member, env.today))
            if len(run) == s.below_months_to_cancel and not cancelled:
                out.append(Finding(
                    rule="jsb.cancel_share", register="jsb_sales", record=key, severity="error",
                    message=(f"{_name(member, mid)}连续 {len(run)} 个月销量低于所在市场销量的 "
                             f"{pct(s.min_share, 0)}（{'、'.join(month_text(r['月份']) + r['占比文字'] for r in run)}），"
                             f"应取消其联销体成员资格并收回铜牌，取消通知书已起草，请大区审批"),
                    values={**_member_values(mid, member), "reason": "share", "月份": month,
                            "months": [dict(r) for r in run], "min_share": s.min_share,
                            "标准": pct(s.min_share, 0)},
                ))
    return out


def unknown_member(register: str, key: str, v: dict[str, Any], what: str, who: str) -> Finding:
    """A visit or penalty row naming a member the member register lacks (as
    ``jsb.sales_unknown_member`` for sales): it counts for no member until corrected."""
    mid = text(v.get("成员编号"))
    rule = "jsb.visit_unknown_member" if register == "jsb_visit" else "jsb.counterfeit_unknown_member"
    return Finding(
        rule=rule, register=register, record=key, severity="warning",
        message=(f"{what}的成员编号 {mid} 在联销体成员登记中没有，这一行不计入任何成员；"
                 f"请{who}核对成员编号，新成员请大区先在联销体成员登记中登记"),
        values={"成员编号": mid, "业务员": v.get("业务员")},
    )


def _reporter(v: dict[str, Any]) -> str:
    """Who typed the row (填报业务员), or the 联销体 office when nobody is named."""
    who = text(v.get("填报业务员"))
    return f"填报业务员{who}" if who else "大区（填报业务员未填写）"


def _unknown(month: str, mid: str, v: dict[str, Any]) -> Finding:
    return Finding(
        rule="jsb.sales_unknown_member", register="jsb_sales", record=f"{month}|{mid}", severity="warning",
        message=(f"二级客户进货统计表{month_text(month)}的成员编号 {mid}（{text(v.get('经销商名称')) or '未填名称'}）"
                 f"在联销体成员登记中没有，这一行不计占比、不判断取消资格；请{_reporter(v)}核对成员编号，"
                 f"新成员请大区先在联销体成员登记中登记"),
        values={"成员编号": mid, "经销商名称": v.get("经销商名称"), "月份": month,
                "填报业务员": v.get("填报业务员"), "销量": dec(v.get("销量"))},
    )


def _no_share(env: Env, key: str, month: str, mid: str, member: dict[str, Any] | None,
              v: dict[str, Any]) -> Finding:
    """所在市场销量 0: no share can be worked out, so the month is not called normal."""
    s = env.settings.dealer.jsb
    return Finding(
        rule="jsb.share_unknown", register="jsb_sales", record=key, severity="warning",
        message=(f"{_name(member, mid)}{month_text(month)}所在市场销量为 {yuan(dec(v.get('所在市场销量')) or Decimal(0))} 元，"
                 f"无法计算占比，本月不能判断是否低于 {pct(s.min_share, 0)}（中断连续月数的计算）；"
                 f"请{_reporter(v)}核实并填写所在市场销量"),
        values={**_member_values(mid, member), "月份": month, "销量": dec(v.get("销量")),
                "所在市场销量": dec(v.get("所在市场销量")), "填报业务员": v.get("填报业务员")},
    )


def _over_market(env: Env, key: str, month: str, mid: str, member: dict[str, Any] | None,
                 v: dict[str, Any]) -> Finding:
    """销量 above 所在市场销量: the member's sales are part of its market's, so one of the two
    is typed wrong; the month is not judged (nor called normal) until it is corrected."""
    s = env.settings.dealer.jsb
    sold, market = dec(v.get("销量")) or Decimal(0), dec(v.get("所在市场销量")) or Decimal(0)
    return Finding(
        rule="jsb.share_over", register="jsb_sales", record=key, severity="warning",
        message=(f"{_name(member, mid)}{month_text(month)}销量 {yuan(sold)} 元大于所在市场销量 {yuan(market)} 元"
                 f"（成员销量是市场销量的一部分，不会超过它），两数必有一个填错；本月不计占比、不能判断是否低于 "
                 f"{pct(s.min_share, 0)}（中断连续月数的计算），一级经销商覆盖也不能据此算作达标；"
                 f"请{_reporter(v)}核对后改正"),
        values={**_member_values(mid, member), "月份": month, "销量": fen(sold), "所在市场销量": fen(market),
                "填报业务员": v.get("填报业务员")},
    )


CONDUCT = (("低于协商价销售", "低于联销体协商价格销售"), ("捆绑销售", "捆绑销售"),
           ("发现假冒", "销售假冒伪劣产品"))


def _conduct(env: Env, key: str, month: str, mid: str, member: dict[str, Any] | None,
             v: dict[str, Any], gone: bool) -> list[Finding]:
    """Buying elsewhere, underselling, bundling, counterfeits: one cause of cancellation per
    row (the member's one notice gathers its causes: ``staff.cancel_findings``)."""
    if gone:
        return []
    other = dec(v.get("其他渠道进货额"))
    acts = [words for col, words in CONDUCT if yes(v.get(col))]
    if other is not None and other > 0:
        acts.insert(0, f"从其他一级经销商处进货 {yuan(other)} 元")
    if not acts:
        return []
    only_channel = other is not None and other > 0 and len(acts) == 1
    return [Finding(
        rule="jsb.cancel_channel" if only_channel else "jsb.cancel_conduct",
        register="jsb_sales", record=key, severity="error",
        message=(f"{_name(member, mid)}{month_text(month)}{'、'.join(acts)}，"
                 f"按联销体运行章程应取消其成员资格并收回铜牌，取消通知书已起草，请大区审批"),
        values={**_member_values(mid, member), "reason": "channel" if only_channel else "conduct", "月份": month,
                "其他渠道进货额": fen(other) if other else None, "acts": acts},
    )]


# --- counties: 1–2 members each, blank markets -----------------------------------------------


def month_end(month: str) -> date:
    return add_months(date.fromisoformat(month + "-01"), 1) - timedelta(days=1)


def left_by(m: dict[str, Any] | None, day: date) -> bool:
    """Cancelled or withdrawn on or before ``day``. A 已取消 member was a member until its
    取消日期: the months before are judged as for any member (without a date: gone throughout)."""
    if text((m or {}).get("状态")) not in GONE:
        return False
    left = as_date((m or {}).get("取消日期"))
    return left is None or left <= day


def not_yet(m: dict[str, Any] | None, day: date) -> bool:
    """Not (yet) in the body on ``day``: 拟发展 (the agreement not signed), or 入会日期 later."""
    if m is None:
        return False
    joined = as_date(m.get("入会日期"))
    return text(m.get("状态")) == PROPOSED or (joined is not None and joined > day)


def active_on(m: dict[str, Any], day: date) -> bool:
    """A member on ``day``: joined by then (a member without 入会日期 counts as joined), and a
    正式成员, or cancelled/withdrawn only after that day."""
    status = text(m.get("状态")) or ACTIVE
    if status != ACTIVE and (status not in GONE or left_by(m, day)):
        return False
    joined = as_date(m.get("入会日期"))
    return joined is None or joined <= day


def closed_if_left(f: Finding, m: dict[str, Any] | None, today: date) -> Finding:
    """A finding about a member that has left the body by ``today`` asks nobody for anything
    any more (no visit to make up, no figure to chase): it is closed, and the reports keep
    it as the history of its month, saying why."""
    if not left_by(m, today):
        return f
    left = as_date((m or {}).get("取消日期"))
    how = "退出联销体" if text((m or {}).get("状态")) == "已退出" else "取消资格"
    f.status = "resolved"
    f.message += f"；该成员{'已于 ' + fmt_date(left) + ' ' if left else '已'}{how}，此项无需再处理"
    return f


def blank_since(county: str, members: Iterable[dict[str, Any]], typed: date | None, day: date) -> date | None:
    """The first day of a county's blank market as seen on ``day``: the day after its last
    member was cancelled or withdrew, unless the 空白起始日期 typed is later. A date typed
    before a member joined is stale once that member leaves; the register's 取消日期 already
    says when the market became blank, so nobody has to type it again."""
    left = [d for m in members if text(m.get("县市")) == county and left_by(m, day)
            and (d := as_date(m.get("取消日期"))) is not None]
    after = max(left) + timedelta(days=1) if left else None
    return max((d for d in (typed, after) if d is not None), default=None)


def county_findings(env: Env, state: State) -> list[Finding]:
    s = env.settings.dealer.jsb
    per: dict[str, list[str]] = defaultdict(list)
    for mid, m in state.get("jsb_member", {}).items():
        if active_on(m, env.today):
            per[text(m.get("县市"))].append(mid)
    out: list[Finding] = []
    for county, c in state.get("jsb_county", {}).items():
        ids = per.get(county, [])
        who = text(c.get("责任业务员"))
        base = {"县市": county, "责任业务员": who, "大区": c.get("大区"), "members": ids}
        if len(ids) > s.members_per_county.max:
            out.append(Finding(
                rule="jsb.county_members", register="jsb_county", record=county, severity="warning",
                message=(f"{county}有 {len(ids)} 家联销体成员（{'、'.join(ids)}），"
                         f"每县最多 {s.members_per_county.max} 家，请业务员{who}与大区核定"),
                values=base,
            ))
        if len(ids) >= s.members_per_county.min:
            continue
        if ids:  # some members, fewer than the minimum (a site that wants 2 a county)
            out.append(Finding(
                rule="jsb.county_few", register="jsb_county", record=county, severity="warning",
                message=(f"{county}只有 {len(ids)} 家联销体成员（{'、'.join(ids)}），"
                         f"每县至少 {s.members_per_county.min} 家，请业务员{who}继续发展成员"),
                values=base,
            ))
            continue
        start = blank_since(county, state.get("jsb_member", {}).values(), as_date(c.get("空白起始日期")), env.today)
        if start is None:
            out.append(Finding(
                rule="jsb.blank_market", register="jsb_county", record=county, severity="warning",
                message=f"{county}是空白市场（没有联销体成员），请业务员{who}填写空白起始日期，以便计算三个月开发期",
                values={**base, "开发期满": None},
            ))
            continue
        ends = add_months(start, s.blank_market_months)
        if env.today >= ends:
            out.append(Finding(
                rule="jsb.blank_market", register="jsb_county", record=county, severity="warning",
                message=(f"{county}自 {fmt_date(start)} 起没有联销体成员，{s.blank_market_months} 个月开发期"
                         f"已于 {fmt_date(ends - timedelta(days=1))} 期满，请业务员{who}尽快发展成员"),
                values={**base, "空白起始日期": start, "开发期满": ends - timedelta(days=1)},
            ))
    return out


# --- the first-tier dealer's share ------------------------------------------------------------


def coverage_findings(env: Env, state: State) -> list[Finding]:
    s = env.settings.dealer.jsb
    members = by_code(state.get("jsb_member", {}))
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for key, v in state.get("jsb_sales", {}).items():
        month, mid = split_key(key)[:2]
        if not_yet(members.get(code(mid)), month_end(month)):
            continue  # the 80 % is of the members' sales: a dealer not yet joined is not one
        primary = text(members.get(code(mid), {}).get("一级经销商"))
        totals[(month, primary)] += dec(v.get("销量")) or Decimal(0)
    out: list[Finding] = []
    for key, v in state.get("jsb_primary_sales", {}).items():
        month, primary = split_key(key)[:2]
        whole = dec(v.get("一级销量"))
        ratio = share(totals.get((month, primary), Decimal(0)), whole)
        if ratio is None or ratio >= s.primary_coverage:
            continue
        people = _primary_salespeople(state, primary)
        named = "、".join(f"{who}（{'、'.join(cs)}）" for who, cs in people.items())
        out.append(Finding(
            rule="jsb.primary_coverage", register="jsb_primary_sales", record=key, severity="warning",
            message=(f"{month_text(month)}{primary}的联销体成员合计销量 {yuan(totals.get((month, primary), Decimal(0)))} 元，"
                     f"只占其销量 {yuan(whole)} 元的 {share_text(ratio, s.primary_coverage)}，未达到 {pct(s.primary_coverage, 0)}；"
                     + (f"请业务员{named}在所辖县重新优选或增补成员"
                        f"（每县 {s.members_per_county.min}—{s.members_per_county.max} 家）" if named
                        else "县级市场登记中没有由其供货的县，请大区核定负责的业务员")),
            values={"月份": month, "一级经销商": primary, "成员销量": fen(totals.get((month, primary), Decimal(0))),
                    "一级销量": fen(whole), "占比": ratio, "业务员": list(people)},
        ))
    return out


def _primary_salespeople(state: State, primary: str) -> dict[str, list[str]]:
    """The salespeople who pick the members a first-tier dealer supplies (seed 003 操作程序
    2: each picks one or two per county), each with their counties: the counties that
    dealer supplies in 县级市场登记, and those of its members."""
    counties = state.get("jsb_county", {})
    served = {c for c, v in counties.items() if text(v.get("一级经销商")) == primary}
    served |= {text(m.get("县市")) for m in state.get("jsb_member", {}).values()
               if text(m.get("一级经销商")) == primary}
    people: dict[str, list[str]] = {}
    for county in sorted(served, key=lambda c: (text(counties.get(c, {}).get("责任业务员")) == "", c)):
        who = text(counties.get(county, {}).get("责任业务员"))
        if who:
            people.setdefault(who, []).append(county)
    return people


# --- visits and calls ---------------------------------------------------------------------------


def visit_findings(env: Env, state: State) -> list[Finding]:
    """Every 正式成员, every finished month since the visit register starts: at least one
    visit and one call (a month still running is not judged)."""
    s = env.settings.dealer.jsb
    visits = state.get("jsb_visit", {})
    members = by_code(state.get("jsb_member", {}))
    days = [as_date(v.get("日期")) for v in visits.values()]
    days = [d for d in days if d is not None]
    if not days:
        return []
    counties = state.get("jsb_county", {})
    done: dict[tuple[str, str, str], int] = defaultdict(int)
    out: list[Finding] = []
    for key, v in sorted(visits.items()):
        d = as_date(v.get("日期"))
        mid = code(v.get("成员编号"))
        if members and mid not in members:  # a typo would count for nobody and leave a member short
            what = f"联销体成员走访记录 {fmt_date(d) if d else ''} 业务员{text(v.get('业务员'))}的{text(v.get('方式')) or '走访'}"
            out.append(unknown_member("jsb_visit", key, v, what, f"业务员{text(v.get('业务员'))}"))
        elif d is not None:
            done[(month_of(d), mid, text(v.get("方式")) or "走访")] += 1
    for month in months_between(month_of(min(days)), month_add(month_of(env.today), -1)):
        end = month_end(month)
        for mid, m in sorted(members.items()):
            if not active_on(m, end):
                continue
            seen, calls = done[(month, mid, "走访")], done[(month, mid, "电话调度")]
            short = []
            if seen < s.visits_per_month:
                short.append(f"走访 {seen} 次（应至少 {s.visits_per_month} 次）")
            if calls < s.calls_per_month:
                short.append(f"电话调度 {calls} 次（应至少 {s.calls_per_month} 次）")
            if not short:
                continue
            who = text(counties.get(text(m.get("县市")), {}).get("责任业务员"))
            out.append(closed_if_left(Finding(
                rule="jsb.visit_shortfall", register="jsb_visit", record=f"{month}|{mid}", severity="warning",
                message=f"{_name(m, mid)}{month_text(month)}{'，'.join(short)}，责任业务员：{who or '未登记'}",
                values={**_member_values(mid, m), "月份": month, "走访": seen, "电话调度": calls, "业务员": who},
            ), m, env.today))
    return out
