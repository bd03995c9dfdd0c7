"""交房日报 (seed 001 交房 9, 房屋交接汇总报表): on each day units are handed over, at
18:00, the units handed over that day with their area and prepaid fees, the units the
owner did not accept with the reason, and the running totals since handovers began.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from toolkit.fields import mask_phone
from toolkit.reports.model import Column, Mark, Report, Table
from toolkit.reports.periods import Period
from toolkit.reports.source import Source, day
from toolkit.ruleset.money import dec, fen

NOT_ACCEPTED = "未接收"
NO_REASON = "（未登记原因）"


def accepted(v: dict[str, Any]) -> bool:
    return v.get("接收状态") != NOT_ACCEPTED


def handovers_on(ctx: Any, period: Period) -> bool:
    """Whether the schedule makes the day's report: some unit handed over (or refused) that day."""
    return any(day(r["values"].get("交房日期")) == period.start for r in ctx.ledger.records("handover"))


def handover_daily(src: Source, period: Period) -> Report:
    rows = src.records("handover")
    # The prepaid amount and period are the rule's own figures (handover.prepayment).
    prepaid = {f.record: f.values for f in src.findings("handover") if f.rule == "handover.prepayment"}
    on = {k: v for k, v in rows.items() if day(v.get("交房日期")) == period.start}
    upto = {k: v for k, v in rows.items() if (d := day(v.get("交房日期"))) is not None and d <= period.start}

    done, refused = [], []
    for key in sorted(on):
        v = on[key]
        if not accepted(v):
            reason = str(v.get("未接收原因") or "").strip() or NO_REASON
            refused.append([key, v.get("业主"), mask_phone(v.get("联系电话")), reason])
            continue
        p = prepaid.get(key, {})
        span = (f"{p['period_start']:%Y-%m-%d} 至 {p['period_end']:%Y-%m-%d}"
                if p.get("period_start") and p.get("period_end") else "")
        done.append([key, v.get("业主"), dec(v.get("建筑面积")), dec(v.get("物业费单价")), p.get("预收月数"),
                     p.get("amount"), span, v.get("钥匙已领") or "", v.get("文件签收") or "",
                     v.get("安全责任书") or "", mask_phone(v.get("紧急联系电话"))])
    area_today = fen(sum((r[2] or Decimal(0) for r in done), Decimal(0)))
    money_today = fen(sum((r[5] or Decimal(0) for r in done), Decimal(0)))
    handed = Table(
        "当日交房", f"当日交房明细 {period.zh}",
        [Column("房号", width=10), Column("业主", width=10), Column("建筑面积", "money"), Column("单价", "money"),
         Column("预收月数", "int"), Column("预收金额", "money"), Column("预收期间", width=26),
         Column("钥匙已领", width=8), Column("文件签收", width=8), Column("安全责任书", width=10),
         Column("紧急联系电话", width=14)],
        done, total=["合计", f"{len(done)} 套", area_today, None, None, money_today, "", "", "", "", ""],
        note="预收金额 = 建筑面积 × 物业费单价 × 预收月数，期间自交房之日起算。",
    )
    not_taken = Table(
        "未接收", f"当日未接收房屋 {period.zh}",
        [Column("房号", width=10), Column("业主", width=10), Column("联系电话", width=14),
         Column("未接收原因", width=40)],
        refused, marks=[Mark("未接收原因", NO_REASON)],
        note="未接收的房屋须在交房登记表“未接收原因”登记原因，由客服中心跟进整改后再约交房。",
    )
    ok_all = [(k, v) for k, v in upto.items() if accepted(v)]
    area_all = fen(sum((dec(v.get("建筑面积")) or Decimal(0) for _, v in ok_all), Decimal(0)))
    money_all = fen(sum((prepaid.get(k, {}).get("amount") or Decimal(0) for k, _ in ok_all), Decimal(0)))
    refused_all = sum(1 for v in upto.values() if not accepted(v))
    totals = Table(
        "累计", f"交房累计（截至 {period.start:%Y-%m-%d}）",
        [Column("项目", width=16), Column("当日", "money"), Column("累计", "money")],
        [["已接收（套）", len(done), len(ok_all)], ["建筑面积（㎡）", area_today, area_all],
         ["预收物业费（元）", money_today, money_all], ["未接收（套）", len(refused), refused_all]],
        note="累计为交房日期不晚于当日的全部登记；未接收按登记表当前状态计（后来接收的计入已接收）。",
    )
    return Report("handover_daily", "交房日报", period, src.as_of, f"日报-交房-{period.name}",
                  [handed, not_taken, totals],
                  headline=[("当日交房", str(len(done)), ""), ("当日未接收", str(len(refused)), ""),
                            ("累计交房", str(len(ok_all)), "")])
