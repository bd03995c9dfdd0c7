"""The one-page Word summary for managers: headline figures against the period before,
one chart image and a few sentences, filled into ``templates/weekly_summary.docx``.

The template is a docxtpl template (built by ``scripts/make_report_templates.py``, the
tags it may use are listed there), compiled once per process by the documents module;
its placeholder picture ``chart.png`` is replaced by the chart drawn for the report.

A workspace without the template, or with the layout-only template of earlier versions
(no tags in its body: ``toolkit init`` never overwrites a file), gets the shipped one
and a warning in the log, so the summary still goes out.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from .. import atomic
from ..documents.render import CompiledTemplate, DocumentError, compile_template
from ..xlsxsafe import clean_text
from .charts import chart_png
from .model import Report

TEMPLATE = "weekly_summary.docx"
CHART = "chart.png"  # the placeholder picture's name in the template
MAX_NOTES = 4
_NUMBER = re.compile(r"^-?[\d,]+(\.\d+)?%?$")

log = logging.getLogger("toolkit")


def change_text(now: str, before: str) -> str:
    """'+3', '-1,200.00', '+2.5个百分点', '持平' — blank when either side is not a figure."""
    if not (_NUMBER.match(now) and _NUMBER.match(before)):
        return ""
    pct = now.endswith("%")
    a, b = (float(x.rstrip("%").replace(",", "")) for x in (now, before))
    d = a - b
    decimals = max(len(x.rstrip("%").partition(".")[2]) for x in (now, before))
    if round(d, decimals) == 0:
        return "持平"  # "+0.00" reads as a change
    text = f"{d:+,.{decimals}f}"
    return f"{text}个百分点" if pct else text


def _text(s: Any) -> str:
    return clean_text(str(s))


def summary_context(report: Report, issuer: str = "") -> dict[str, Any]:
    """The values the template's tags name (see scripts/make_report_templates.py).

    ``issuer``: who issues the summary (documents.yaml's company_full and department),
    printed in the footer; the template itself names no company."""
    week = report.period.kind == "week"
    try:
        # The table the chart is drawn from, without the period its title repeats.
        chart_title = report.table("每日趋势").title.split(" ", 1)[0]
    except StopIteration:
        chart_title = ""
    return {
        "issuer": _text(issuer),
        "chart_title": _text(chart_title),
        "title": _text(report.title),
        "period": _text(report.period.zh),
        "start": f"{report.period.start:%Y-%m-%d}",
        "end": f"{report.period.end:%Y-%m-%d}",
        "made": f"{report.as_of:%Y-%m-%d %H:%M}",
        "now_label": "本周" if week else "本月",
        "before_label": "上周" if week else "上月",
        "headline": [
            {"label": _text(label), "now": _text(now), "before": _text(before),
             "change": change_text(str(now), str(before))}
            for label, now, before in report.headline
        ],
        "notes": [_text(note) for note in report.notes[:MAX_NOTES]],
        "stem": _text(report.stem),
        "chart": False,
    }


def _shipped() -> Path:
    from ..setup_workspace import SHIPPED

    return SHIPPED / "templates" / TEMPLATE


def _template(template: Path | None) -> CompiledTemplate:
    """The compiled summary template; the shipped one when the workspace's is missing or old."""
    if template is not None and template.exists():
        compiled = compile_template(template)
        if "word/document.xml" in compiled.parts:
            return compiled
        reason = f"模板 {template} 是旧版（正文没有填写标签）"
    else:
        reason = f"找不到模板 {template}" if template is not None else "没有指定模板"
    shipped = _shipped()
    if not shipped.exists() or (template is not None and shipped.resolve() == template.resolve()):
        raise DocumentError(f"{reason}，无法生成 Word 摘要；请运行 scripts/make_report_templates.py 重新生成")
    log.warning("%s：Word 摘要改用程序自带的模板 %s；请把它复制到工作区的 templates/ 以便修改版式", reason, shipped)
    return compile_template(shipped)


def build_docx(report: Report, template: Path | None, issuer: str = "") -> bytes:
    compiled = _template(template)
    context = summary_context(report, issuer)
    png = chart_png(report)
    # Without Pillow (or without the trend table) there is no chart: the template leaves
    # out its heading and the placeholder picture ({%p if chart %}).
    context["chart"] = png is not None
    return compiled.render(context, pictures={CHART: png} if png is not None else None)


def write_docx(report: Report, templates: Path, path: Path, issuer: str = "") -> Path:
    return atomic.write_bytes(path, build_docx(report, templates / TEMPLATE, issuer))
