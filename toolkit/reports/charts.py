"""The chart image for the Word summary (matplotlib, drawn off-screen, CJK font)."""

from __future__ import annotations

import io
from functools import lru_cache

from .model import Report

# Tried in order; the first one installed draws the Chinese labels.
CJK_FONTS = ["Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "Microsoft YaHei", "SimHei",
             "WenQuanYi Zen Hei", "PingFang SC"]


@lru_cache(maxsize=1)
def _font() -> str | None:
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in CJK_FONTS if n in names), None)


def chart_png(report: Report) -> bytes | None:
    """Daily received/closed bars of the period (the trend table), or None when absent."""
    try:
        trend = report.table("每日趋势")
    except StopIteration:
        return None
    try:
        from matplotlib.figure import Figure
    except ImportError:  # the Word summary still goes out, without its chart
        return None
    font = _font()
    rc = {"family": "sans-serif", "sans-serif": [font]} if font else {}
    labels = [f"{r[0]:%m-%d}\n{r[1]}" if len(trend.rows) <= 7 else f"{r[0]:%d}" for r in trend.rows]
    received = [r[2] for r in trend.rows]
    closed = [r[3] for r in trend.rows]
    fig = Figure(figsize=(6.2, 2.5), dpi=150)
    ax = fig.add_subplot()
    xs = range(len(labels))
    w = 0.38
    kw = {"fontfamily": rc["sans-serif"][0]} if rc else {}
    ax.bar([x - w / 2 for x in xs], received, w, label="受理", color="#1F4E78")
    ax.bar([x + w / 2 for x in xs], closed, w, label="办结", color="#70AD47")
    ax.set_xticks(list(xs), labels, fontsize=8, **kw)
    ax.tick_params(axis="y", labelsize=8)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_ylabel("件数", fontsize=8, **kw)
    ax.legend(prop={"family": kw["fontfamily"], "size": 8} if kw else {"size": 8}, frameon=False, ncols=2,
              loc="upper right")
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
