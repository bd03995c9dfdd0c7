"""How values look in a Chinese document: amounts, capitals, dates, masked personal data.

These are the template filters. Templates never compute a figure; they only choose how
a value the rules already computed is printed.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")

# XML 1.0 forbids most C0 controls; python-docx raises on them. Tabs and newlines are
# kept: docxtpl turns them into Word tabs and line breaks.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def clean_text(value: Any) -> str:
    """Text safe for a Word run: control characters dropped, line ends unified."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL.sub("", text)


# Chinese characters and Chinese punctuation: what makes a neighbouring mark Chinese.
_HAN = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff5e"
_MARKS = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？"}
_MARK_AFTER_HAN = re.compile(f"(?<=[{_HAN}])[,:;!?]")
_MARK_BEFORE_HAN = re.compile(f"(?<![0-9A-Za-z])[,:;!?](?=[{_HAN}])")
_BRACKETS = re.compile(r"\(([^()]*)\)")
_HAN_CHAR = re.compile(f"[{_HAN}]")
_DOTS_AFTER_HAN = re.compile(f"(?<=[{_HAN}])(?:\\.{{6}}|\\.{{3}})")


def chinese_punctuation(text: str) -> str:
    """ASCII marks beside Chinese text as the Chinese marks: 漏水,急(3楼) → 漏水，急（3楼）.

    The ledger keeps register text NFKC-folded (so ３-１０１ and 3-101 are one room), which
    turns ，（）：；！？… into their ASCII forms; a notice should print them as Chinese.
    Marks between digits or Latin letters (1,200  09:30  (A)) stay as they are.
    """
    if text.isascii():
        return text
    text = _MARK_AFTER_HAN.sub(lambda m: _MARKS[m.group()], text)
    text = _MARK_BEFORE_HAN.sub(lambda m: _MARKS[m.group()], text)
    text = _DOTS_AFTER_HAN.sub(lambda m: "……" if len(m.group()) == 6 else "…", text)

    def bracket(m: re.Match[str]) -> str:
        before = text[m.start() - 1] if m.start() else ""
        if _HAN_CHAR.search(m.group(1)) or (before and _HAN_CHAR.match(before)):
            return f"（{m.group(1)}）"
        return m.group()

    return _BRACKETS.sub(bracket, text)


def to_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        d = value
    else:
        try:
            d = Decimal(str(value).replace(",", "").replace("¥", "").replace("元", "").strip())
        except InvalidOperation:
            return None
    return d.quantize(CENT, rounding=ROUND_HALF_UP)


def money(value: Any) -> str:
    """1414.5 → '1,414.50'; empty stays empty."""
    d = to_decimal(value)
    return "" if d is None else f"{d:,.2f}"


def rmb_upper(value: Any) -> str:
    """1414.50 → '人民币壹仟肆佰壹拾肆元伍角'; 1200 → '人民币壹仟贰佰元整'.

    A negative amount reads '人民币负…'; templates that state an amount owed print
    the absolute value with their own wording instead.
    """
    d = to_decimal(value)
    if d is None:
        return ""
    import cn2an  # slow to import (0.2 s of every start): only when an amount is written out

    words = cn2an.an2cn(format(abs(d), "f"), "rmb")
    return "人民币" + ("负" if d < 0 else "") + words


def abs_amount(value: Any) -> Decimal | None:
    d = to_decimal(value)
    return None if d is None else abs(d)


def cn_date(value: Any) -> str:
    """date or datetime → '2026年10月9日'."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime | date):
        return f"{value.year}年{value.month}月{value.day}日"
    return clean_text(value)


def cn_datetime(value: Any) -> str:
    """datetime → '2026年10月9日 14:30'; a plain date prints as a date."""
    if isinstance(value, datetime):
        return f"{cn_date(value)} {value:%H:%M}"
    return cn_date(value)


def cn_month(value: Any) -> str:
    """'2026-10' or a date → '2026年10月'."""
    if isinstance(value, datetime | date):
        return f"{value.year}年{value.month}月"
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", str(value or ""))
    return f"{m.group(1)}年{int(m.group(2))}月" if m else clean_text(value)


def duration(minutes: Any) -> str:
    """Overdue minutes → '1天2小时5分钟' (the largest units only)."""
    try:
        total = int(minutes)
    except (TypeError, ValueError):
        return ""
    if total <= 0:
        return ""
    days, rest = divmod(total, 1440)
    hours, mins = divmod(rest, 60)
    parts = [
        f"{days}天" if days else "",
        f"{hours}小时" if hours else "",
        f"{mins}分钟" if mins and not days else "",
    ]
    return "".join(parts) or "不足1分钟"


def mask_phone(value: Any) -> str:
    """13812345678 → '138****5678'; a landline keeps its area code and last four digits."""
    text = clean_text(value).strip()
    digits = [i for i, c in enumerate(text) if c.isdigit()]
    if len(digits) < 7:
        return text
    keep = set(digits[:3] + digits[-4:])
    if "-" in text:  # landline: keep the area code whole
        keep |= {i for i in digits if i < text.index("-")}
    return "".join(c if (i in keep or not c.isdigit()) else "*" for i, c in enumerate(text))


def mask_id(value: Any) -> str:
    """510104199001011234 → '510***********1234'."""
    text = clean_text(value).strip()
    if len(text) < 8:
        return text
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


PHONE_KEYS = {"联系电话", "电话", "手机", "手机号", "联系方式"}
ID_KEYS = {"身份证号", "身份证", "身份证号码", "证件号码"}


def mask_personal(value: Any, full: bool) -> Any:
    """Mask phone and ID numbers found under their usual names, at any depth."""
    if full:
        return value
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in PHONE_KEYS and v not in (None, ""):
                out[k] = mask_phone(v)
            elif k in ID_KEYS and v not in (None, ""):
                out[k] = mask_id(v)
            else:
                out[k] = mask_personal(v, full)
        return out
    if isinstance(value, list | tuple):
        return [mask_personal(v, full) for v in value]
    return value


def display(value: Any) -> Any:
    """How a bare ``{{ value }}`` prints: the Jinja ``finalize`` hook (runs before escaping)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, datetime):
        return cn_datetime(value) if value.time() != time(0) else cn_date(value)
    if isinstance(value, date):
        return cn_date(value)
    if isinstance(value, str):
        return chinese_punctuation(clean_text(value))
    return value


STATUS_WORDS = {
    "met": "已按时完成",
    "late": "超时完成",
    "pending": "未到期",
    "due_soon": "即将到期",
    "overdue": "已超时",
    "open": "待处理",
    "resolved": "已解决",
}


def deadline_lines(deadlines: Any) -> str:
    """A complaint's deadlines, one per line: '回复：10月9日 17:30 已超时2小时'."""
    lines = []
    for d in deadlines or []:
        due = d.get("due")
        when = (
            f"{due.month}月{due.day}日 {due:%H:%M}" if isinstance(due, datetime) else cn_date(due)
        )
        status = STATUS_WORDS.get(d.get("status") or "", clean_text(d.get("status")))
        late = duration(d.get("overdue_minutes")) if d.get("status") in ("overdue", "late") else ""
        lines.append(f"{clean_text(d.get('name'))}：{when} {status}{late}".strip())
    return "\n".join(lines)


def overdue_items(complaints: Any) -> list[str]:
    """Every deadline of a list of complaints that is past (still open) or was met late,
    as one sentence each: a memo saying none was missed must not sit above a table
    showing one done late."""
    out = []
    for c in complaints or []:
        for d in c.get("deadlines") or []:
            status = d.get("status")
            if status not in ("overdue", "late"):
                continue
            due = d.get("due")
            when = f"{cn_date(due)} {due:%H:%M}" if isinstance(due, datetime) else cn_date(due)
            late = duration(d.get("overdue_minutes"))
            what = (f"已超时{late}" if late else "已超时") if status == "overdue" else f"超时{late}完成"
            out.append(f"{clean_text(c.get('编号'))}（{clean_text(c.get('投诉人'))}）{clean_text(d.get('name'))}"
                       f"{what}，时限{when}。")
    return out


FILTERS = {
    "money": money,
    "rmb": rmb_upper,
    "abs": abs_amount,
    "cn_date": cn_date,
    "cn_datetime": cn_datetime,
    "cn_month": cn_month,
    "duration": duration,
    "hm": lambda v: f"{v:%H:%M}" if isinstance(v, datetime) else "",
    "mask_phone": mask_phone,
    "mask_id": mask_id,
    "deadlines": deadline_lines,
    "overdue": overdue_items,
    "status_word": lambda s: STATUS_WORDS.get(s or "", clean_text(s)),
}
