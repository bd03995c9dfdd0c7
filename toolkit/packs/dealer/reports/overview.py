"""The headline of a dealer report as the workbook's first sheet (概要).

The figures are the report's own headline (the JSON and the command's summary show the
same), so the workbook a manager opens cannot say other than what the run printed.
Counts and amounts go to their own columns, so each carries its number format and its
unit in the header.
"""

from __future__ import annotations

from decimal import Decimal

from toolkit.reports.model import Column, Table

MONEY = "（元）"


def overview(title: str, headline: list[tuple[str, str, str]], explain: dict[str, str], note: str = "") -> Table:
    """One row per headline figure: 项目, 数量 or 金额（元）, 说明. ``explain`` gives each
    label its line of 说明; ``{before}`` in it is the figure of the period before."""
    rows = []
    for label, now, before in headline:
        money = label.endswith(MONEY)
        value = Decimal(now.replace(",", "")) if money else int(now)
        rows.append([label, None if money else value, value if money else None,
                     explain.get(label, "").format(before=before)])
    return Table("概要", title, [Column("项目", width=26), Column("数量", "int"), Column("金额（元）", "money"),
                                 Column("说明", width=96)], rows, note=note)
