"""Head office: one report across every site sharing the database (``--all-sites``).

Each site's report is built exactly as that site's own (same code, same moment) from a
ledger view scoped to the site; the workbook has a first sheet with every site's
headline figures and their totals, then one sheet per site with its overview. Nothing
is written to the database, so a role that may only read every site can make it.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .catalog import report_kinds
from .model import Column, Report, Table
from .periods import Period
from .run import UnknownReport, build_report, gc_paused
from .settings import ScheduleFile, load_schedule
from .xlsx import write_xlsx

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _figure(text: str) -> tuple[Any, str]:
    """A headline figure as a number and its column kind ("85.0%" → 0.85 percent)."""
    t = (text or "").replace(",", "").strip()
    try:
        if t.endswith("%"):
            return Decimal(t[:-1]) / 100, "percent"
        if "." in t:
            return Decimal(t), "money"
        return int(t), "int"
    except (InvalidOperation, ValueError):
        return (text or None), "text"


def _sheet_name(name: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub("", name)[:28] or "站点"
    out, n = base, 2
    while out in used:
        out, n = f"{base[:26]}-{n}", n + 1
    used.add(out)
    return out


def build_all_sites(ctx: Any, name: str, now: datetime, period: Period | None = None,
                    schedule: ScheduleFile | None = None) -> tuple[Report, list[tuple[dict, Report]]]:
    """The across-sites report and each site's own, as rows (no files written)."""
    across = [k.name for k in report_kinds(ctx.ws.rules).values() if k.across_sites]
    if name not in across:
        raise UnknownReport(f"--all-sites 只用于 {'、'.join(across)}")
    schedule = schedule or load_schedule(ctx.ws.rules)
    per_site: list[tuple[dict, Report]] = []
    for site in ctx.ledger.sites():
        view = dataclasses.replace(ctx, ledger=ctx.ledger.for_site(site["code"]))
        report, _ = build_report(view, name, now, period, schedule)
        per_site.append((site, report))
    if not per_site:
        raise ValueError("数据库中还没有任何站点的数据")
    first = per_site[0][1]
    labels = [label for label, _, _ in first.headline]
    kinds: dict[str, str] = {}
    rows = []
    for site, report in per_site:
        values = {label: _figure(now_) for label, now_, _ in report.headline}
        for label, (_, kind) in values.items():
            kinds.setdefault(label, kind)
        rows.append([site["name"], site["code"], *(values.get(label, (None, ""))[0] for label in labels)])
    total: list[Any] = ["合计", f"{len(rows)} 个站点"]
    for i, label in enumerate(labels, start=2):
        nums = [r[i] for r in rows if isinstance(r[i], int | Decimal)]
        total.append(sum(nums) if kinds.get(label) in ("int", "money") and nums else None)
    summary = Table(
        "各站点汇总", f"{first.title}（全部站点）{first.period.zh}",
        [Column("站点", width=22), Column("代码", width=10),
         *(Column(label, kinds.get(label, "text") if kinds.get(label) != "text" else "text") for label in labels)],
        rows, total=total,
        note="每个站点的数字与该站点自己的报表相同；比率不相加，合计行留空。",
    )
    tables = [summary]
    used = {summary.sheet}
    for site, report in per_site:
        main = report.tables[0]
        tables.append(dataclasses.replace(
            main, sheet=_sheet_name(site["name"], used), title=f"{site['name']} {main.title}",
            marks=list(main.marks),
        ))
    combined = Report(name, f"{first.title}（全部站点）", first.period, first.as_of,
                      f"{first.stem}-全部站点", tables,
                      headline=[(label, str(t) if t is not None else "", "") for label, t in zip(labels, total[2:], strict=True)])
    return combined, per_site


def produce_all_sites(ctx: Any, name: str, now: datetime, period: Period | None = None,
                      schedule: ScheduleFile | None = None) -> Report:
    """Write the across-sites workbook into outbox/报表/ of the head-office workspace."""
    with gc_paused():
        report, _ = build_all_sites(ctx, name, now, period, schedule)
    folder = ctx.ws.reports
    folder.mkdir(parents=True, exist_ok=True)
    report.outputs.append(str(write_xlsx(report, folder / f"{report.stem}.xlsx")))
    return report
