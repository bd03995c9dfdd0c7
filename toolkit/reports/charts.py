"""The chart image for the Word summary: daily received/closed bars, drawn with Pillow.

Pillow draws the few bars, ticks and labels in a few milliseconds, where a plotting
library spends a tenth of a second laying out text. Chinese labels need a CJK font:
the first of the known files (or what fontconfig names) is used.
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

from .model import Report

# Tried in order; the first one present draws the Chinese labels.
CJK_FONT_FILES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
]
CJK_FAMILIES = ["Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimHei", "WenQuanYi Zen Hei",
                "PingFang SC"]

WIDTH, HEIGHT = 930, 375  # 6.2 × 2.5 inches at 150 dpi
RECEIVED, CLOSED = "#1F4E78", "#70AD47"
INK, GRID, AXIS = "#333333", "#DDDDDD", "#000000"
FONT_PX = 17  # 8 pt at 150 dpi


def _fc_match(family: str) -> str | None:
    if shutil.which("fc-match") is None:
        return None
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}", f"{family}:lang=zh-cn"], capture_output=True,
                             text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    # fc-match always answers with something; only a CJK family will do.
    return out if out and any(k in out.lower() for k in ("cjk", "han", "wqy", "yahei", "simhei", "pingfang",
                                                            "heiti", "msyh")) else None


@lru_cache(maxsize=1)
def font_file() -> str | None:
    """A font file with Chinese glyphs, or None."""
    for path in CJK_FONT_FILES:
        if Path(path).exists():
            return path
    for family in CJK_FAMILIES:
        found = _fc_match(family)
        if found:
            return found
    return None


@lru_cache(maxsize=4)
def _font(size: int) -> Any:
    from PIL import ImageFont

    path = font_file()
    if path is not None:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            pass
    # Without a CJK font the digits still read; the Chinese words would not.
    return ImageFont.load_default(size)


def _ticks(top: int) -> tuple[int, int]:
    """(step, axis top): whole-number ticks 1/2/5 × 10ⁿ, at most seven of them."""
    top = max(top, 1)
    raw = top / 6
    mag = 10 ** max(0, math.floor(math.log10(raw))) if raw >= 1 else 1
    step = next(s * mag for s in (1, 2, 5, 10) if s * mag >= raw)
    return step, step * math.ceil(top / step)


def _text_size(draw: Any, text: str, font: Any) -> tuple[int, int]:
    left, top, right, bottom = draw.multiline_textbbox((0, 0), text, font=font, spacing=2)
    return right - left, bottom - top


def chart_png(report: Report) -> bytes | None:
    """Daily received/closed bars of the period (the trend table), or None when absent."""
    try:
        trend = report.table("每日趋势")
    except StopIteration:
        return None
    try:
        from PIL import Image, ImageDraw
    except ImportError:  # the Word summary still goes out, without its chart
        return None
    rows = trend.rows
    labels = [f"{r[0]:%m-%d}\n{r[1]}" if len(rows) <= 7 else f"{r[0]:%d}" for r in rows]
    received = [int(r[2] or 0) for r in rows]
    closed = [int(r[3] or 0) for r in rows]
    font = _font(FONT_PX)
    img = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(img)

    step, top = _ticks(max(received + closed, default=0))
    tick_labels = [str(v) for v in range(0, top + 1, step)]
    label_w = max(_text_size(draw, t, font)[0] for t in tick_labels)
    x_label_h = max((_text_size(draw, t, font)[1] for t in labels), default=0)
    legend_h = FONT_PX + 10
    left = 14 + FONT_PX + 10 + label_w + 8  # y title, tick labels, tick marks
    right, top_px = WIDTH - 14, 12 + legend_h
    bottom = HEIGHT - 12 - x_label_h - 10
    plot_h = bottom - top_px

    def y_of(v: float) -> float:
        return bottom - v / top * plot_h

    # Grid lines and y ticks, behind the bars.
    for v, text in zip(range(0, top + 1, step), tick_labels, strict=True):
        y = round(y_of(v))
        if v:
            draw.line([(left, y), (right, y)], fill=GRID, width=1)
        draw.line([(left - 5, y), (left, y)], fill=AXIS, width=1)
        w, h = _text_size(draw, text, font)
        draw.text((left - 8 - w, y), text, font=font, fill=INK, anchor="lm")

    n = max(len(rows), 1)
    slot = (right - left) / n
    bar = slot * 0.38  # two bars of 0.38 of a slot, side by side
    for i, (a, b, text) in enumerate(zip(received, closed, labels, strict=True)):
        mid = left + slot * (i + 0.5)
        for x0, v, colour in ((mid - bar, a, RECEIVED), (mid, b, CLOSED)):
            if v:
                draw.rectangle([round(x0), round(y_of(v)), round(x0 + bar) - 1, bottom], fill=colour)
        draw.line([(mid, bottom), (mid, bottom + 5)], fill=AXIS, width=1)
        draw.multiline_text((mid, bottom + 8), text, font=font, fill=INK, anchor="ma", align="center",
                            spacing=2)
    draw.line([(left, top_px), (left, bottom)], fill=AXIS, width=1)
    draw.line([(left, bottom), (right, bottom)], fill=AXIS, width=1)

    # The y title, turned a quarter.
    tw, th = _text_size(draw, "件数", font)
    title = Image.new("RGB", (tw + 4, th + 8), "white")
    ImageDraw.Draw(title).text((2, 0), "件数", font=font, fill=INK)
    title = title.rotate(90, expand=True)
    img.paste(title, (14, round((top_px + bottom - title.height) / 2)))

    # Legend, top right: a swatch and a word per series.
    x = right
    for word, colour in (("办结", CLOSED), ("受理", RECEIVED)):
        w, _ = _text_size(draw, word, font)
        x -= w
        draw.text((x, 12 + legend_h / 2), word, font=font, fill=INK, anchor="lm")
        x -= 8 + 24
        draw.rectangle([x, 12 + legend_h / 2 - 6, x + 24, 12 + legend_h / 2 + 6], fill=colour)
        x -= 18

    out = io.BytesIO()
    img.save(out, format="PNG", compress_level=1)  # flat colours: fast and still small
    return out.getvalue()
