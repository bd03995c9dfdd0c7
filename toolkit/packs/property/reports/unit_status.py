"""月度物业动态信息表 (seed 001 节点22): every unit's status from the month's census.

The census (register ``unit_status``) is made by the 30th of each month (February: its
last day); on the 3rd the table of the month just ended goes to the project manager to
sign, with a copy each for 保安部 and the 收费员. Units known from the fee accounts,
handovers or an earlier census but not surveyed this month are listed, so are census
rows dated after the 30th.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter, defaultdict
from datetime import date
from typing import Any

from toolkit.fields import fold
from toolkit.reports.model import Column, Mark, Report, Table
from toolkit.reports.periods import Period
from toolkit.reports.source import Source, day

STATUSES = ("住家户", "办公户", "租户", "空置", "正在装修", "未接房")
CENSUS_DAY = 30


def census_deadline(month_start: date) -> date:
    """The 30th of the month, or its last day when shorter (February)."""
    last = calendar.monthrange(month_start.year, month_start.month)[1]
    return month_start.replace(day=min(CENSUS_DAY, last))


def _latest(rows: dict[str, dict[str, Any]], start: date, end: date) -> dict[str, dict[str, Any]]:
    """Each unit's last census row dated within start..end."""
    out: dict[str, dict[str, Any]] = {}
    for v in rows.values():
        when, unit = day(v.get("普查日期")), str(v.get("房号") or "").strip()
        if not unit or when is None or not (start <= when <= end):
            continue
        if unit not in out or when >= day(out[unit].get("普查日期")):  # type: ignore[operator]
            out[unit] = v
    return out


# What staff write after a building's number: 1栋, 1号楼, 1#楼, 1幢, A座.
_BUILDING_SUFFIX = re.compile(r"(?:#|号)?(?:栋|楼|幢|座)?$")


def building_id(text: Any) -> str:
    """One building however it is typed: folded like every identifier (full-width ２ is 2),
    spaces dropped, the word for building taken off (1栋, 1号楼 and 1#楼 are 1), leading
    zeros of a number dropped (01 is 1). Blank stays blank."""
    loose = "".join(fold(str(text or "")).split())
    loose = _BUILDING_SUFFIX.sub("", loose) or loose
    return str(int(loose)) if loose.isdigit() else loose


def _building(unit: str, v: dict[str, Any] | None) -> str:
    given = building_id((v or {}).get("楼栋"))
    if given:
        return given
    # Blank: the building is 房号's head (1-0101, 3-1-502).
    return (building_id(unit.split("-")[0]) if "-" in unit else "") or "未分栋"


def unit_status(src: Source, period: Period) -> Report:
    census = src.records("unit_status")
    now = _latest(census, period.start, period.end)
    prev_period = period.previous()
    before = _latest(census, prev_period.start, prev_period.end)
    deadline = census_deadline(period.start)
    known = ({str(v.get("房号") or "").strip() for reg in ("fee_account", "handover") for v in src.records(reg).values()}
             | {str(v.get("房号") or "").strip() for v in census.values()
                if (day(v.get("普查日期")) or date.max) <= period.end}) - {""}

    counts: dict[str, Counter[str]] = defaultdict(Counter)
    changed: Counter[str] = Counter()
    detail, late = [], []
    for unit in sorted(now):
        v = now[unit]
        b = _building(unit, v)
        counts[b][v.get("状态")] += 1
        was = (before.get(unit) or {}).get("状态")
        change = "" if was is None or was == v.get("状态") else f"{was} → {v.get('状态')}"
        if change:
            changed[b] += 1
        when = day(v.get("普查日期"))
        if when and when > deadline:
            late.append(unit)
        detail.append([unit, b, v.get("单元"), v.get("状态"), was, change or ("新登记" if was is None else ""),
                       when, v.get("普查人"), "超过普查日" if when and when > deadline else "", v.get("备注")])
    missing = sorted(known - set(now))
    for unit in missing:
        counts[_building(unit, before.get(unit))]  # the building appears even with no census

    rows = []
    for b in sorted(counts):
        c = counts[b]
        rows.append([b, *(c[s] for s in STATUSES), sum(c.values()), changed[b],
                     sum(1 for u in missing if _building(u, before.get(u)) == b)])
    total = ["合计", *(sum(counts[b][s] for b in counts) for s in STATUSES),
             len(now), sum(changed.values()), len(missing)]
    month = f"{period.start.year}年{period.start.month}月"
    table = Table(
        "动态信息表", f"月度物业动态信息表 {month}",
        [Column("楼栋", width=10), *(Column(s, "int") for s in STATUSES), Column("已普查户数", "int"),
         Column("较上月变化", "int"), Column("未普查户数", "int")],
        rows, total=total,
        note=(f"按每户在 {month} 最后一次普查的状态计数（普查应于 {deadline:%m-%d} 前完成）。"
              "项目经理签阅后抄报保安部一份、收费员一份。"),
    )
    details = Table(
        "分户明细", f"分户状态 {month}",
        [Column("房号", width=10), Column("楼栋", width=8), Column("单元", width=6), Column("本月状态", width=10),
         Column("上月状态", width=10), Column("变化", width=18), Column("普查日期", "date"), Column("普查人", width=10),
         Column("提示", width=12), Column("备注", width=20)],
        detail, marks=[Mark("提示", "超过普查日", "FFEB9C")],
    )
    gaps = Table(
        "未普查", f"本月未普查的房屋 {month}（请责任人补查）",
        [Column("房号", width=10), Column("楼栋", width=8), Column("上月状态", width=10)],
        [[u, _building(u, before.get(u)), (before.get(u) or {}).get("状态")] for u in missing],
        note="房号来自物业费台账、交房登记表和以往的普查。",
    )
    notes = [f"{month}共普查 {len(now)} 户，其中 {sum(changed.values())} 户状态较上月有变化。"]
    if missing:
        notes.append(f"有 {len(missing)} 户本月未普查：{'、'.join(missing[:10])}{'等' if len(missing) > 10 else ''}。")
    if late:
        notes.append(f"有 {len(late)} 户普查日期晚于 {deadline:%m-%d}。")
    notes.append("本表经项目经理签阅后，抄报保安部一份、收费员一份。")
    head = [("已普查", str(len(now)), str(len(before))), ("未普查", str(len(missing)), ""),
            *((s, str(sum(counts[b][s] for b in counts)), str(sum(1 for v in before.values() if v.get("状态") == s)))
              for s in STATUSES)]
    return Report("unit_status", "月度物业动态信息表", period, src.as_of, f"月度物业动态信息表-{period.label}",
                  [table, details, gaps], headline=head, notes=notes, word=True)
