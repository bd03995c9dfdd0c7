"""The club's monthly report: counts per branch, and one sheet per 支公司 with only its own members."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from toolkit.fields import mask_phone
from toolkit.packs.acting import action_of, is_action
from toolkit.reports.model import Column, Mark, Report, Table
from toolkit.reports.periods import Period
from toolkit.reports.source import Source, day
from toolkit.ruleset.money import dec

from ..rules.club import VIP, validity
from ..rules.common import text


def club_monthly(src: Source, period: Period) -> Report:
    c = src.rules.pack("dealer").settings.dealer.club
    env = src.env(src.as_of, "dealer")
    today = src.as_of.date()
    soon = today + timedelta(days=c.expiry_reminder_days)
    counts: dict[str, dict[str, object]] = defaultdict(lambda: defaultdict(int))
    sheets: dict[str, list[list[object]]] = defaultdict(list)
    for key, v in sorted(src.records("club_member").items()):
        branch = text(v.get("所属支公司")) or "未填支公司"
        val = validity(env, v)
        n = counts[branch]
        applied, approved = day(v.get("入会申请日期")), day(v.get("审批日期"))
        n["申请"] += bool(applied and period.start <= applied <= period.end)
        n["审批"] += bool(approved and period.start <= approved <= period.end)
        valid_to = val.new_valid_to or val.valid_to
        end = day(v.get("保险止期"))
        status = val.status
        if status == "有效":
            n["有效会员"] += 1
            # Policy ending within the window, or ended and in its 10-day grace (still valid,
            # still renewable into the membership): both are memberships about to end.
            if end is not None and end <= soon and not val.renewed:
                status = "即将到期"
                n["即将到期"] += 1
        elif status == "失效":
            n["已失效"] += 1
        vip = text(v.get("会员类型")) == VIP
        if vip and val.status == "有效":
            n["VIP会员"] += 1
            # What the cards owe (365 a year × the years paid) beside what was recorded: a
            # wrong fee (club.fee, 须处理事项) shows as a difference, not as income.
            years = int(dec(v.get("会费年数")) or 1)
            n["VIP会费应收"] = (n["VIP会费应收"] or Decimal(0)) + c.vip_fee_per_year * years
            n["VIP会费登记"] = (n["VIP会费登记"] or Decimal(0)) + (dec(v.get("会费")) or Decimal(0))
        sheets[branch].append([key, v.get("车牌号"), v.get("会员姓名"), mask_phone(v.get("联系电话")),
                               text(v.get("会员类型")) or "普通会员", v.get("保单号"), end, valid_to, status])
    keys = ("申请", "审批", "有效会员", "即将到期", "已失效", "VIP会员", "VIP会费应收", "VIP会费登记")
    sums = [sum((n[k] or 0 for n in counts.values()), Decimal(0) if k.startswith("VIP会费") else 0) for k in keys]
    summary = Table("汇总", f"俱乐部会员月报（{period.zh}）", [
        Column("支公司", width=14), Column("本月申请", "int"), Column("本月审批", "int"), Column("有效会员", "int"),
        Column(f"{c.expiry_reminder_days}天内到期", "int"), Column("已失效", "int"), Column("VIP会员", "int"),
        Column("VIP会费应收（元）", "money"), Column("VIP会费登记（元）", "money"), Column("会费核对", width=10)],
        [[b, n["申请"], n["审批"], n["有效会员"], n["即将到期"], n["已失效"], n["VIP会员"],
          n["VIP会费应收"] or Decimal(0), n["VIP会费登记"] or Decimal(0),
          "相符" if (n["VIP会费应收"] or Decimal(0)) == (n["VIP会费登记"] or Decimal(0)) else "不符"]
         for b, n in sorted(counts.items())],
        marks=[Mark("会费核对", "不符")],
        total=["合计", *sums, "相符" if sums[-2] == sums[-1] else "不符"] if counts else None,
        empty="俱乐部会员登记中还没有会员。",
        note=(f"会员资格有效期 = 保险止期 + {c.validity_extension_days} 天；VIP会费应收 = 年费 "
              f"{c.vip_fee_per_year:.0f} 元 × 会费年数，与登记的会费不符的见“须处理事项”。"))
    cols = [Column("会员卡号", width=14), Column("车牌号", width=12), Column("会员姓名", width=10),
            Column("联系电话", width=14), Column("会员类型", width=10), Column("保单号", width=20),
            Column("保险止期", "date"), Column("有效期至", "date"), Column("状态", width=10)]
    tables = [summary]
    # What the branches must put right (the return copies said it first): the managers' view.
    todo = [f for f in src.findings("club_member") if is_action(f)]
    if todo:
        records = src.records("club_member")
        tables.append(Table("须处理事项", "须处理事项（登记有误或须通知客户）", [
            Column("支公司", width=14), Column("会员卡号", width=14), Column("问题", width=14),
            Column("说明", width=60), Column("须处理", width=50)],
            [[text((records.get(f.record) or {}).get("所属支公司")) or "未填支公司", f.record,
              action_of(f).title, f.message, action_of(f).todo]
             for f in sorted(todo, key=lambda f: (f.record, f.rule))],
            note="改正后重新保存俱乐部会员登记到收件箱，此处即不再列出。"))
    for branch, rows in sorted(sheets.items()):
        tables.append(Table(branch[:31], f"{branch}会员名单", cols, rows,
                            marks=[Mark("状态", "已失效"), Mark("状态", "失效"), Mark("状态", "即将到期", "FFEB9C")],
                            note="本表只含本支公司的客户，请勿转发其他支公司。"))
    # The headline's 有效会员 is the 合计 row's: the first sheet shows it.
    return Report("club_monthly", "俱乐部会员月报", period, src.as_of, f"俱乐部会员月报-{period.label}", tables,
                  headline=[("有效会员", str(sums[2]), "")])
