"""Turning one raw cell value into a typed value for one column type.

Readers hand over what the file holds: ``str``, ``int``, ``float``, ``bool``,
``datetime``, ``date``, ``time``, ``None``, :class:`~toolkit.model.ErrorValue` or
:class:`~toolkit.model.NoCachedValue`. Every parser here either returns a typed value
or raises :class:`FieldProblem` with a stable English ``code`` and a Simplified Chinese
``message`` that quotes what was found and says what is expected.

Decisions that SPEC §2 leaves open (each is tested in ``tests/test_fields.py``):

* Ambiguous day/month orders (``11/12/2026``) and two-digit years are refused, never guessed.
* A bare number in a date column (``46349`` typed as text, or a number-formatted cell)
  is refused: it is an Excel serial the staff member never sees as a date.
* A date without a time in a datetime column becomes that day at 00:00; the validator
  replaces the time from the column's ``time_column`` when one is declared.
  :func:`split_datetime` tells whether a time was written at all.
* Money: Chinese capital amounts (``壹佰贰拾叁元整``, ``壹仟元零伍角``) are accepted (the
  same form the toolkit prints, and the banks'); negative amounts and more than two decimals are refused.
* Numbers (int, decimal, money, area) in registers are never negative.
* Datetimes are naive local time (Asia/Shanghai); nothing here converts time zones.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, ValidationError

from .model import ErrorValue, NoCachedValue
from .registers import ColumnSpec


class FieldProblem(ValueError):
    """A cell value that does not fit its column; ``message`` is for office staff."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


# --- text ----------------------------------------------------------------------

# Characters removed from every text value: C0/C1 controls (but TAB and LF are handled
# separately), zero-width characters, bidi overrides/isolates and the soft hyphen.
_DROP = {c: None for c in range(0x00, 0x20) if c not in (0x09, 0x0A, 0x0D)}
_DROP.update({c: None for c in range(0x7F, 0xA0)})
_DROP.update({c: None for c in (0x00AD, 0x061C, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E,
                                0x200F, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF)})
_DROP.update({c: None for c in range(0x202A, 0x202F)})  # LRE RLE PDF LRO RLO
_DROP.update({c: None for c in range(0x2066, 0x206A)})  # LRI RLI FSI PDI
_DROP[0x09] = " "  # a tab inside a cell is a typing accident, not layout
_TEXT_TABLE = str.maketrans(_DROP)


def clean_text(value: Any) -> str | None:
    """Free text as typed, with controls and invisible characters removed, stripped.

    Chinese punctuation (，（）：) and full-width characters are kept as the clerk typed
    them; comparisons fold them (:func:`fold`). Line breaks inside a cell are kept (as
    ``\\n``) because staff use Alt+Enter in descriptions; tabs become spaces. Blank text
    becomes ``None``.
    """
    if value is None:
        return None
    s = value if isinstance(value, str) else _scalar_text(value)
    if s.isascii() and s.isprintable():  # the common case: nothing to translate
        s = s.strip()
        return s or None
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = s.translate(_TEXT_TABLE).strip()
    return s or None


def fold(text: str) -> str:
    """The loose form of text for comparing and for identifiers: NFKC (３-１０１ → 3-101,
    ，→ ,), so two spellings of one room or one event are one."""
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text).translate(_TEXT_TABLE).strip()


def _scalar_text(value: Any) -> str:
    """How a non-text cell reads as text (a room number typed as a number, a date)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes" if not value.second else "seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def _shown(value: Any) -> str:
    """The value as quoted in a message: what the staff member typed, shortened."""
    s = value if isinstance(value, str) else _scalar_text(value)
    s = s.strip().translate(_TEXT_TABLE)
    return s if len(s) <= 40 else s[:40] + "…"


def _text(value: Any) -> str:
    """Cleaned text of a value already known to be non-blank."""
    s = clean_text(value)
    if s is None:  # callers check blanks first; this is only a guard
        raise FieldProblem("cell.blank", "单元格是空的")
    return fold(s)  # numbers, dates, codes: full-width digits read as digits


# --- cells that carry no value -------------------------------------------------


def _check_cell(value: Any) -> None:
    """Refuse spreadsheet errors and formulas saved without a result."""
    if isinstance(value, ErrorValue):
        raise FieldProblem(
            "cell.error_value",
            f"单元格是公式错误 {value.text}，请修正公式或直接填写数值",
        )
    if isinstance(value, NoCachedValue):
        shown = f"（{value.formula}）" if value.formula else ""
        raise FieldProblem(
            "cell.formula_no_value",
            f"单元格是公式{shown}，但文件里没有保存计算结果，请在 Excel 中打开并保存一次",
        )


# --- dates and times -------------------------------------------------------------

_EXCEL_EPOCH = datetime(1899, 12, 30)
_MIN_YEAR, _MAX_YEAR = 1900, 2100

_TIME_PART = (
    r"(?P<ampm>上午|早上|凌晨|中午|下午|晚上)?\s*(?:"
    r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?"
    r"|(?P<ch>\d{1,2})\s*[时点]\s*(?:(?P<half>半)|(?P<cmi>\d{1,2})\s*分?(?:\s*(?P<cs>\d{1,2})\s*秒)?)?"
    r")"
)
_DATE_PART = (
    r"(?:(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
    r"|(?P<cy>\d{4})\s*年\s*(?P<cm>\d{1,2})\s*月\s*(?P<cd>\d{1,2})\s*[日号]?"
    r"|(?P<ky>\d{4})(?P<km>\d{2})(?P<kd>\d{2}))"
)
_DATE_RE = re.compile(_DATE_PART + r"$")
_DATETIME_RE = re.compile(_DATE_PART + r"(?:(?:\s*T\s*|\s+|(?<=[日号]))" + _TIME_PART + r")?$")
_TIME_RE = re.compile(_TIME_PART + r"$")
# Day and month before the year: 11/12/2026, 12-11-26, 3.4.2026.
_YEAR_LAST_RE = re.compile(r"(\d{1,2})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{2}|\d{4})(?:\s.*)?$")
# Two-digit year first: 26-11-23, 26/11/23, 26年11月23日.
_SHORT_YEAR_RE = re.compile(r"(\d{2})\s*(?:([-/.])\s*\d{1,2}\s*\2|年\s*\d{1,2}\s*月)\s*\d{1,2}")
_SERIAL_RE = re.compile(r"\d{5}(?:\.\d+)?$")
_NO_YEAR_RE = re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]?")
_YEAR_MONTH_RE = re.compile(r"\d{4}\s*(?:[-/.]|年)\s*\d{1,2}\s*月?$")


def _round_second(dt: datetime) -> datetime:
    """Drop float noise from Excel datetimes (14:29:59.9997 is 14:30:00)."""
    if dt.microsecond:
        dt = dt.replace(microsecond=0) + (timedelta(seconds=1) if dt.microsecond >= 500_000 else timedelta(0))
    return dt


def _serial_date(serial: float) -> datetime:
    return _round_second(_EXCEL_EPOCH + timedelta(days=serial))


def _serial_problem(value: Any, serial: float) -> FieldProblem:
    try:
        meant = _serial_date(serial)
    except OverflowError:
        meant = None
    hint = ""
    if meant is not None and _MIN_YEAR <= meant.year <= _MAX_YEAR:
        shown = meant.strftime("%Y-%m-%d %H:%M") if meant.time() != time(0) else meant.date().isoformat()
        hint = f"（对应 {shown}）"
    return FieldProblem(
        "date.serial",
        f"“{_shown(value)}”看起来是 Excel 日期序号{hint}，请把单元格设为日期格式，"
        f"或写成 2026-11-23 这样的日期",
    )


def _make_date(value: Any, y: int, m: int, d: int) -> date:
    if not _MIN_YEAR <= y <= _MAX_YEAR:
        raise FieldProblem("date.invalid", f"“{_shown(value)}”的年份 {y} 不合理，请检查日期")
    try:
        return date(y, m, d)
    except ValueError:
        if 1 <= m <= 12:
            why = f"{y}年{m}月没有{d}日"
        else:
            why = f"没有{m}月"
        raise FieldProblem("date.invalid", f"“{_shown(value)}”不是有效日期（{why}），请检查日期") from None


def _make_time(value: Any, h: int, mi: int, s: int, ampm: str | None = None) -> time:
    if ampm in ("下午", "晚上") and h < 12:
        h += 12
    elif ampm == "中午" and h < 11:
        h += 12
    if not (0 <= h <= 23 and 0 <= mi <= 59 and 0 <= s <= 59):
        raise FieldProblem("time.invalid", f"“{_shown(value)}”不是有效时间，请写成 14:30 这样的格式")
    return time(h, mi, s)


def _time_from_match(value: Any, m: re.Match[str]) -> time:
    if m.group("h") is not None:
        h, mi, s = int(m.group("h")), int(m.group("mi")), int(m.group("s") or 0)
    else:
        h, s = int(m.group("ch")), int(m.group("cs") or 0)
        mi = 30 if m.group("half") else int(m.group("cmi") or 0)
    return _make_time(value, h, mi, s, m.group("ampm"))


def _has_time(m: re.Match[str]) -> bool:
    return m.group("h") is not None or m.group("ch") is not None


def _date_from_match(value: Any, m: re.Match[str]) -> date:
    if m.group("y"):
        y, mo, d = m.group("y", "m", "d")
    elif m.group("cy"):
        y, mo, d = m.group("cy", "cm", "cd")
    else:
        y, mo, d = m.group("ky", "km", "kd")
    return _make_date(value, int(y), int(mo), int(d))


def _unrecognised_date(value: Any, s: str, want_time: bool) -> FieldProblem:
    """Explain why a text is not a date we accept, most specific reason first."""
    example = "2026-11-23 14:30" if want_time else "2026-11-23"
    m = _YEAR_LAST_RE.match(s)
    if m:
        a, b, year = int(m.group(1)), int(m.group(3)), m.group(4)
        if len(year) == 4 and a <= 12 and b <= 12 and a != b:
            return FieldProblem(
                "date.ambiguous",
                f"“{_shown(value)}”无法确定是{a}月{b}日还是{b}月{a}日，"
                f"请写成 {year}-{a:02d}-{b:02d} 这样的格式（年-月-日）",
            )
        if len(year) == 4 and ((a <= 12) != (b <= 12) or a == b):
            # Only one order makes a date, but the order itself is a habit we do not
            # accept: the same staff member's 11/12 would be silently misread.
            mo, d = (a, b) if a <= 12 else (b, a)
            return FieldProblem(
                "date.format",
                f"“{_shown(value)}”不是年-月-日的顺序，请写成 {year}-{mo:02d}-{d:02d} 这样的格式",
            )
        return FieldProblem(
            "date.ambiguous",
            f"“{_shown(value)}”无法确定年、月、日的顺序，请写成 {example} 这样的格式（年-月-日）",
        )
    if _SHORT_YEAR_RE.match(s):
        return FieldProblem(
            "date.two_digit_year",
            f"“{_shown(value)}”的年份只有两位，请写四位年份，如 {example}",
        )
    if _SERIAL_RE.match(s):
        return _serial_problem(value, float(s))
    if _NO_YEAR_RE.match(s):
        return FieldProblem("date.no_year", f"“{_shown(value)}”没有年份，请写成 {example} 这样的格式")
    if _YEAR_MONTH_RE.match(s):
        return FieldProblem("date.no_day", f"“{_shown(value)}”没有写到日，请写完整日期，如 {example}")
    return FieldProblem("date.format", f"“{_shown(value)}”不是可识别的日期，请写成 {example} 这样的格式")


def split_datetime(value: Any, want_time: bool = True) -> tuple[date, time | None]:
    """Read a date with an optional time; the time is ``None`` when none was written.

    The validator uses this to let a separate time column (``time_column``) supply the
    time of day for a date-only cell. ``want_time``: the column's example in a message
    shows a time of day (a date column's shows only the date).
    """
    _check_cell(value)
    if isinstance(value, datetime):
        value = _round_second(value)
        # Excel has no date-only type: a cell at exactly midnight is taken as date-only.
        return value.date(), (value.time() if value.time() != time(0) else None)
    if isinstance(value, date):
        return value, None
    if isinstance(value, time):
        example = "2026-11-23 14:30" if want_time else "2026-11-23"
        raise FieldProblem("date.time_only", f"“{_shown(value)}”只有时间没有日期，请写成 {example}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise _serial_problem(value, float(value))
    if not isinstance(value, str):
        raise FieldProblem("date.format", f"“{_shown(value)}”不是日期，请写成 2026-11-23 这样的格式")
    s = _text(value)
    m = _DATETIME_RE.match(s)
    if m is None:
        raise _unrecognised_date(value, s, want_time)
    d = _date_from_match(value, m)
    if not _has_time(m):
        return d, None
    return d, _time_from_match(value, m)


def parse_date(value: Any) -> date:
    """A calendar date. A time written with it is dropped (the column wants the day)."""
    if type(value) is datetime:  # fast path: Excel date cells
        return _round_second(value).date()
    if type(value) is date:
        return value
    if isinstance(value, str):
        s = _text(value)
        m = _DATE_RE.match(s)
        if m is not None:
            return _date_from_match(value, m)
    return split_datetime(value, want_time=False)[0]


def parse_datetime(value: Any) -> datetime:
    """A naive local datetime; a date without a time is that day at 00:00."""
    if type(value) is datetime:
        return _round_second(value)
    d, t = split_datetime(value)
    return datetime.combine(d, t or time(0))


def parse_time(value: Any) -> time:
    """A time of day: ``14:30``, ``14:30:00``, ``14时30分``, ``下午2点半``, Excel time cells."""
    _check_cell(value)
    if isinstance(value, time):
        return value.replace(microsecond=0)
    if isinstance(value, datetime):
        # Time-formatted cells sometimes come back as 1899-12-30 14:30; keep the time.
        return _round_second(value).time()
    if isinstance(value, timedelta):
        if timedelta(0) <= value < timedelta(days=1):
            return (datetime.min + value).time().replace(microsecond=0)
    elif isinstance(value, float) and 0 <= value < 1:
        # An Excel time stored as a fraction of a day in a number-formatted cell.
        return _round_second(_EXCEL_EPOCH + timedelta(days=value)).time()
    elif isinstance(value, str):
        s = _text(value)
        m = _TIME_RE.match(s)
        if m:
            return _time_from_match(value, m)
        if _DATETIME_RE.match(s) or _DATE_RE.match(s):
            raise FieldProblem("time.has_date", f"“{_shown(value)}”带有日期，这一列只填时间，如 14:30")
    raise FieldProblem("time.invalid", f"“{_shown(value)}”不是可识别的时间，请写成 14:30 这样的格式")


def combine_date_time(d: date, t: time) -> datetime:
    """Join a date column and its separate time column (e.g. 报修日期 + 时间)."""
    if isinstance(d, datetime):
        d = d.date()
    return datetime.combine(d, t)


# --- numbers -----------------------------------------------------------------------

_CENT = Decimal("0.01")
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_GROUPED_RE = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")
_SPACES_RE = re.compile(r"\s+")
_MONEY_PREFIXES = ("人民币", "RMB", "CNY", "¥")
_MONEY_SUFFIXES = ("元整", "元正", "元", "圆")
_AREA_SUFFIXES = ("平方米", "平方", "平米", "m2", "㎡", "sqm")
_MINUS = str.maketrans({"−": "-", "–": "-", "—": "-"})


def _number_text(s: str) -> str | None:
    """A plain number from text with spaces and thousands separators taken out.

    Returns ``None`` when the text is not a number at all. A comma that is not a
    correct thousands separator (``1,5``) is refused: it may be a decimal comma.
    """
    s = _SPACES_RE.sub("", s).translate(_MINUS)
    if _NUMBER_RE.match(s):
        return s
    if "," in s and _GROUPED_RE.match(s):
        return s.replace(",", "")
    return None


def _float_decimal(value: float) -> Decimal:
    """A float cell as the decimal the staff member typed (no binary noise).

    ``repr`` gives the shortest text that round-trips, so 2.35 stays 2.35; a computed
    0.1+0.2 (0.30000000000000004) is snapped to 0.3 when the noise is below 1e-9.
    """
    d = Decimal(repr(value))
    if d.as_tuple().exponent < -9:  # type: ignore[operator]
        snapped = Decimal(repr(round(value, 9))).normalize()
        if abs(float(snapped) - value) < 1e-9 * max(1.0, abs(value)):
            return snapped
    return d


def _to_decimal(value: Any, kind: str, what: str, strip: Callable[[str], str] | None = None) -> Decimal:
    """Shared number reading for int/decimal/money/area; ``kind`` prefixes the error code."""
    _check_cell(value)
    if isinstance(value, bool):
        raise FieldProblem(f"{kind}.invalid", f"“{_shown(value)}”不是{what}，请填写数字")
    if isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise FieldProblem(f"{kind}.invalid", f"“{_shown(value)}”不是{what}，请填写数字")
        d = _float_decimal(value)
    elif isinstance(value, Decimal):
        d = value
    elif isinstance(value, str):
        s = _text(value)
        if strip is not None:
            s = strip(s)
        n = _number_text(s)
        if n is None:
            raise FieldProblem(f"{kind}.invalid", f"“{_shown(value)}”不是{what}，请填写数字，如 1234.50")
        try:
            d = Decimal(n)
        except InvalidOperation:
            raise FieldProblem(f"{kind}.invalid", f"“{_shown(value)}”不是{what}，请填写数字") from None
    else:
        raise FieldProblem(f"{kind}.invalid", f"“{_shown(value)}”不是{what}，请填写数字")
    if d < 0:
        raise FieldProblem(f"{kind}.negative", f"“{_shown(value)}”是负数，{what}不能为负")
    return d + 0  # normalises -0 to 0


def parse_int(value: Any) -> int:
    """A whole non-negative number (``3``, ``３``, ``3.0``, ``1,200``)."""
    if type(value) is int:
        if value < 0:
            raise FieldProblem("number.negative", f"“{value}”是负数，这里不能为负")
        return value
    d = _to_decimal(value, "number", "数量")
    if d != d.to_integral_value():
        raise FieldProblem("number.not_integer", f"“{_shown(value)}”不是整数，请填写整数")
    return int(d)


def parse_decimal(value: Any) -> Decimal:
    """A non-negative decimal kept with the places written (unit prices like 2.35)."""
    return _to_decimal(value, "number", "数值")


# Chinese amounts: 壹佰贰拾叁元整, 人民币壹仟零伍元伍角, 一百二十三元.
_CN_DIGITS = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖貳參陸兩"
_CN_DIGIT_VALUE = {c: v for v, group in enumerate((
    "零〇", "一壹", "二两贰貳兩", "三叁參", "四肆", "五伍", "六陆陸", "七柒", "八捌", "九玖",
)) for c in group}
_CN_AMOUNT_RE = re.compile(
    rf"(?:人民币)?(?P<int>[{_CN_DIGITS}十拾百佰千仟万萬亿億]+)?\s*(?:[元圆])?"
    # Banks write 零 after 元 when the last digit of the yuan is 0: 壹仟元零伍角 (1,000.50).
    rf"(?:零?(?P<jiao>[{_CN_DIGITS}])角)?(?:零?(?P<fen>[{_CN_DIGITS}])分)?[整正]?$"
)
_CN_CHARS = set(_CN_DIGITS + "十拾百佰千仟万萬亿億")


def _chinese_amount(s: str) -> Decimal | None:
    """Read a Chinese amount in words, or ``None`` when the text is not one."""
    if not any(c in _CN_CHARS for c in s):
        return None
    m = _CN_AMOUNT_RE.match(s)
    if m is None or not (m.group("int") or m.group("jiao") or m.group("fen")):
        return None
    whole = Decimal(0)
    if m.group("int"):
        import cn2an  # slow to import (0.2 s of every start): only for an amount in words

        try:
            whole = Decimal(int(cn2an.cn2an(m.group("int"), "normal")))
        except (ValueError, KeyError, TypeError):
            return None
    jiao = _CN_DIGIT_VALUE[m.group("jiao")] if m.group("jiao") else 0
    fen = _CN_DIGIT_VALUE[m.group("fen")] if m.group("fen") else 0
    return whole + Decimal(jiao) / 10 + Decimal(fen) / 100


def _strip_currency(s: str) -> str:
    for p in _MONEY_PREFIXES:
        if s.startswith(p):
            s = s[len(p):].lstrip()
            break
    for suffix in _MONEY_SUFFIXES:
        if s.endswith(suffix):
            s = s[: -len(suffix)].rstrip()
            break
    if s.startswith("-¥") or s.startswith("¥-"):  # "-¥5" is still a negative amount
        s = "-" + s[2:]
    return s


def parse_money(value: Any) -> Decimal:
    """An amount in yuan as ``Decimal`` with exactly two places.

    Accepts ``1,234.50``, ``¥80``, ``80元``, ``人民币80元``, full-width digits, numeric
    cells and Chinese capital amounts. Refuses negatives and fractions of a fen.
    """
    if type(value) is int and value >= 0:  # fast path
        return Decimal(value).quantize(_CENT)
    if isinstance(value, str):
        s = clean_text(value)
        if s is not None and not s[0].isdigit():
            amount = _chinese_amount(s)
            if amount is not None:
                return amount.quantize(_CENT)
    d = _to_decimal(value, "money", "金额", _strip_currency)
    q = d.quantize(_CENT, rounding=ROUND_HALF_UP)
    if q != d:
        raise FieldProblem(
            "money.too_many_decimals",
            f"“{_shown(value)}”超过两位小数，金额请精确到分（如 {q}）",
        )
    return q


def _strip_area(s: str) -> str:
    low = s.lower()
    for suffix in _AREA_SUFFIXES:
        if low.endswith(suffix):
            return s[: -len(suffix)].rstrip()
    return s


def parse_area(value: Any) -> Decimal:
    """A floor area in m² (``120㎡``, ``120m2``, ``120 m²``, ``120平方米``)."""
    return _to_decimal(value, "area", "面积", _strip_area)


# --- identifiers -------------------------------------------------------------------

_PHONE_JUNK = str.maketrans({c: None for c in " -()./_\u00a0"})
_MOBILE_RE = re.compile(r"1[3-9]\d{9}$")
_MOBILES_RE = re.compile(r"(?:1[3-9][0-9]{9})+")  # mobiles one after another (ASCII text)
_LANDLINE_RE = re.compile(r"0\d{9,11}$")
_SEVERAL_PHONES_RE = re.compile(r"[,;/、，；]|\d{7,}\D+\d{7,}")


def _phone_digits(value: Any) -> str:
    """Digits of a phone cell with spaces, dashes, brackets and +86/0086 removed."""
    _check_cell(value)
    if isinstance(value, bool):
        raise FieldProblem("phone.invalid", f"“{_shown(value)}”不是电话号码")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    s = text = _text(value)
    if _SEVERAL_PHONES_RE.search(s):
        raise FieldProblem("phone.several", f"“{_shown(value)}”像是多个号码，每格只填一个电话号码")
    s = s.translate(_PHONE_JUNK)
    if s.startswith("+86"):
        s = s[3:]
    elif s.startswith("0086"):
        s = s[4:]
    elif s.startswith("86") and len(s) == 13:
        s = s[2:]
    if s.startswith("+"):
        raise FieldProblem("phone.invalid", f"“{_shown(value)}”不是中国大陆的电话号码")
    # +86 10 1234 5678 (international form of a landline) drops the trunk 0.
    if text.startswith(("+86", "0086")) and s[:1] != "0" and not _MOBILE_RE.match(s):
        s = "0" + s
    return s


def parse_mobile(value: Any) -> str:
    """A mainland mobile number: 11 digits starting with 1, returned bare."""
    s = _phone_digits(value)
    if _MOBILE_RE.match(s):
        return s
    raise FieldProblem(
        "phone.invalid",
        f"“{_shown(value)}”不是有效的手机号，手机号是以 1 开头的 11 位数字，如 13812345678",
    )


def _landline(s: str) -> str | None:
    """``0755-12345678`` from the digits of a landline with area code, or ``None``."""
    if not _LANDLINE_RE.match(s):
        return None
    # Three-digit area codes (010 Beijing, 02x) are the big cities; the rest have four.
    area_len = 3 if s.startswith(("010", "02")) else 4
    area, local = s[:area_len], s[area_len:]
    if len(local) not in (7, 8) or local[0] == "0":
        return None
    return f"{area}-{local}"


# An extension after a landline: 0755-8888 6666 转 801, 分机 801, ext. 801, -801.
_EXTENSION_RE = re.compile(r"^(?P<line>.*?\d)\s*(?:转|分机|ext\.?|x|#)\s*(?P<ext>\d{1,6})$", re.I)
_DASHED_EXTENSION_RE = re.compile(r"^(?P<line>0\d{2,3}-\s*\d{3,4}\s*\d{4})\s*-\s*(?P<ext>\d{1,6})$")
EXTENSION_WORD = " 转 "


def _extension(value: Any) -> tuple[Any, str | None]:
    """(the number without its extension, the extension digits) of a phone cell."""
    if not isinstance(value, str):
        return value, None
    s = unicodedata.normalize("NFKC", value).strip()
    m = _EXTENSION_RE.match(s) or _DASHED_EXTENSION_RE.match(s)
    if m is None:
        return value, None
    return m.group("line"), m.group("ext")


def parse_phone(value: Any) -> str:
    """A mobile (``13812345678``), a landline with area code (``0755-12345678``), or a
    landline with an extension (``0755-88886666 转 801``)."""
    if type(value) is str and len(value) == 11 and _MOBILE_RE.match(value):
        return value  # fast path
    line, ext = _extension(value)
    if ext is not None:
        landline = _landline(_phone_digits(line))
        if landline:
            return f"{landline}{EXTENSION_WORD}{ext}"
        raise FieldProblem(
            "phone.invalid",
            f"“{_shown(value)}”不是有效的分机号码，请写成 0755-88886666 转 801（区号-总机 转 分机）",
        )
    s = _phone_digits(value)
    if _MOBILE_RE.match(s):
        return s
    landline = _landline(s)
    if landline:
        return landline
    if s.isdigit() and s[0] == "1" and 7 <= len(s) <= 12 and len(s) != 11:
        # Starts like a mobile but has the wrong length: a digit dropped or doubled.
        raise FieldProblem("phone.invalid", f"“{_shown(value)}”有{len(s)}位数字，手机号应为11位，请核对")
    if s.isdigit() and len(s) in (7, 8) and s[0] != "0":
        raise FieldProblem("phone.no_area_code", f"“{_shown(value)}”缺少区号，固定电话请写成 0755-12345678")
    raise FieldProblem(
        "phone.invalid",
        f"“{_shown(value)}”不是有效的电话号码，请填写 11 位手机号或带区号的固定电话（如 0755-12345678）",
    )


_ID_JUNK = str.maketrans({c: None for c in " -"})


def parse_id_number(value: Any) -> str:
    """An 18-character resident ID with a valid GB 11643 check character (X upper-case).

    The birth date must exist; the area code is not looked up, since the published
    list lags behind administrative changes and old codes stay valid on old cards.
    """
    _check_cell(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # An ID typed into a number cell loses digits past 15 (Excel's precision).
        raise FieldProblem(
            "id_number.as_number",
            f"“{_shown(value)}”是数字格式，身份证号超过 15 位会被 Excel 改掉，请把单元格设为文本后重新填写",
        )
    s = _text(value).translate(_ID_JUNK).upper()
    if len(s) == 15 and s.isdigit():
        raise FieldProblem("id_number.old_format", f"“{_shown(value)}”是 15 位旧身份证号，请填写 18 位身份证号")
    if len(s) != 18 or not s[:17].isdigit() or not (s[17].isdigit() or s[17] == "X"):
        raise FieldProblem(
            "id_number.invalid",
            f"“{_shown(value)}”不是有效的身份证号，应为 18 位，前 17 位是数字，最后一位是数字或 X",
        )
    if ric.calc_check_digit(s) != s[17]:
        raise FieldProblem("id_number.checksum", f"“{_shown(value)}”的校验位不对，请核对身份证号是否抄错")
    try:
        born = date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1900:
        raise FieldProblem("id_number.invalid", f"“{_shown(value)}”中的出生日期不存在，请核对身份证号")
    return s


def parse_uscc(value: Any) -> str:
    """An 18-character unified social credit code with a valid check character."""
    _check_cell(value)
    s = _text(value).translate(_ID_JUNK).upper()
    if len(s) == 15 and s.isdigit():
        raise FieldProblem(
            "uscc.old_format",
            f"“{_shown(value)}”是旧的 15 位营业执照注册号，请填写 18 位统一社会信用代码",
        )
    try:
        return uscc.validate(s)
    except ValidationError as exc:
        if isinstance(exc, InvalidChecksum):
            raise FieldProblem(
                "uscc.checksum", f"“{_shown(value)}”的校验位不对，请核对统一社会信用代码是否抄错"
            ) from None
        raise FieldProblem(
            "uscc.invalid",
            f"“{_shown(value)}”不是有效的统一社会信用代码，应为 18 位数字和大写字母",
        ) from None


_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_JUNK = str.maketrans({c: None for c in " ·•∙・.-_\u00a0"})
_PLATE_RE = re.compile(
    rf"[{_PROVINCES}][A-Z](?:[A-HJ-NP-Z0-9]{{5}}|[DF][A-HJ-NP-Z0-9][0-9]{{4}}|[0-9]{{5}}[DF]"
    rf"|[A-HJ-NP-Z0-9]{{4}}[挂学警港澳])$"
)


def parse_plate(value: Any) -> str:
    """A car plate: province + letter + 5 characters, or 6 for new-energy plates.

    Spaces and the middle dot are removed and letters upper-cased: ``粤B·D12345`` →
    ``粤BD12345``. New-energy plates carry D or F first (small cars) or last (large).
    """
    _check_cell(value)
    s = _text(value).translate(_PLATE_JUNK).upper()
    if _PLATE_RE.match(s):
        return s
    raise FieldProblem(
        "plate.invalid",
        f"“{_shown(value)}”不是有效的车牌号，应为省份简称 + 字母 + 5 位（新能源 6 位），如 京A12345、粤BD12345",
    )


# --- vehicle identification number (GB 16735) ---------------------------------------

_VIN_JUNK = str.maketrans({c: None for c in " -_.·\u00a0"})
_VIN_RE = re.compile(r"[A-HJ-NPR-Z0-9]{17}$")  # no I, O or Q
# GB 16735 (= ISO 3779 / FMVSS 115): letters' values and each position's weight.
_VIN_VALUES = {**{str(d): d for d in range(10)},
               **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
               **dict(zip("JKLMN", range(1, 6), strict=True)), "P": 7, "R": 9,
               **dict(zip("STUVWXYZ", range(2, 10), strict=True))}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin_check_digit(vin: str) -> str:
    """The check digit position 9 should hold: Σ value × weight mod 11, 10 written X."""
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True))
    r = total % 11
    return "X" if r == 10 else str(r)


def parse_vin(value: Any) -> str:
    """17 characters, digits and capital letters except I, O, Q; spaces and dashes dropped.

    The check digit is not judged here: imported cars may not carry one, so a wrong one
    is a warning (:func:`cell_warnings`), never a refused row.
    """
    _check_cell(value)
    s = _text(value).translate(_VIN_JUNK).upper()
    if _VIN_RE.match(s):
        return s
    hint = "（不能含字母 I、O、Q）" if len(s) == 17 and set(s) & set("IOQ") else ""
    raise FieldProblem(
        "vin.invalid",
        f"“{_shown(value)}”不是有效的车架号（VIN），应为 17 位数字和大写字母{hint}，如 LSVAM4187C2184847",
    )


# --- month -----------------------------------------------------------------------------

_MONTH_RE = re.compile(r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:月份?)?$")


def parse_month(value: Any) -> str:
    """A calendar month as ``YYYY-MM``: 2026-11, 2026年11月, 2026/11, or a date cell's month."""
    _check_cell(value)
    if isinstance(value, (date, datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    s = _text(value)
    m = _MONTH_RE.match(s)
    if m is not None and 1 <= int(m.group(2)) <= 12:
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
    raise FieldProblem("month.format", f"“{_shown(value)}”不是可识别的月份，请写成 2026-11 或 2026年11月")


# 2026-W48, 2026W48, 2026年第48周, 2026年48周 (a bare 2026年11 is a month).
_WEEK_RE = re.compile(r"(\d{4})\s*(?:-?\s*W\s*(\d{1,2})|年\s*第?\s*(\d{1,2})\s*周)$", re.IGNORECASE)


def parse_period(value: Any) -> str:
    """A report's period: a week as ``YYYY-Www`` (2026-W48, 2026W48, 2026年第48周) or a
    month as ``YYYY-MM`` (2026-11, 2026年11月, or a date cell: Excel turns a typed 2026-11
    into 2026-11-01). Which of the two a report needs is the rules' to judge."""
    _check_cell(value)
    if not isinstance(value, (date, datetime)):
        m = _WEEK_RE.match(_text(value))
        if m is not None:
            year, week = int(m.group(1)), int(m.group(2) or m.group(3))
            try:
                date.fromisocalendar(year, week, 1)
            except ValueError:
                raise FieldProblem("period.format", f"“{_shown(value)}”：{year}年没有第{week}周") from None
            return f"{year:04d}-W{week:02d}"
    try:
        return parse_month(value)
    except FieldProblem:
        raise FieldProblem(
            "period.format",
            f"“{_shown(value)}”不是可识别的期间：周报写 2026-W48 或 2026年第48周，月报写 2026-11 或 2026年11月",
        ) from None


def month_start(month: str) -> date:
    """``"2026-11"`` → 2026-11-01 (month arithmetic: ruleset.timing.add_months)."""
    year, mon = month.split("-")
    return date(int(year), int(mon), 1)


WARNED_TYPES = frozenset({"vin"})  # column types whose accepted values may carry a warning


def cell_warnings(column: ColumnSpec, value: Any) -> list[tuple[str, str]]:
    """(code, message) of things worth a look in a value that is nevertheless accepted
    (their codes are ``model.ADVISORY_CODES``)."""
    if column.type == "vin" and isinstance(value, str) and len(value) == 17:
        want = vin_check_digit(value)
        if value[8] != want:
            return [("vin.check_digit",
                     f"车架号“{value}”第 9 位校验位应为 {want}，现在是 {value[8]}。"
                     "请核对是否抄错；进口车可能没有校验位，核对无误可不改。")]
    return []


def parse_enum(value: Any, choices: list[str], aliases: dict[str, str] | None = None) -> str:
    """One of ``choices`` (or what ``aliases`` maps to one); spaces inside and around are
    ignored, case too."""
    _check_cell(value)
    s = _text(value)
    if s in choices:
        return s
    compact = _SPACES_RE.sub("", s)
    for choice in choices:
        if compact == choice or compact.casefold() == choice.casefold():
            return choice
    for alias, choice in (aliases or {}).items():
        if compact.casefold() == _SPACES_RE.sub("", alias).casefold():
            return choice
    raise FieldProblem(
        "enum.invalid",
        f"“{_shown(value)}”不是可选值，请填写：{'、'.join(choices)}",
    )


# --- masking ---------------------------------------------------------------------


def mask_phone(s: str | None) -> str | None:
    """``13812345678`` → ``138****5678``; ``0755-12345678`` → ``0755-****5678``."""
    if not s:
        return s
    if EXTENSION_WORD in s:  # the switchboard is masked; an extension is no secret
        line, _, ext = s.partition(EXTENSION_WORD)
        return f"{mask_phone(line)}{EXTENSION_WORD}{ext}"
    if "-" in s:
        area, _, local = s.partition("-")
        return f"{area}-{'*' * max(len(local) - 4, 0)}{local[-4:]}"
    if len(s) <= 7:
        return "*" * max(len(s) - 4, 0) + s[-4:] if len(s) > 4 else "*" * len(s)
    return s[:3] + "*" * (len(s) - 7) + s[-4:]


def mask_id(s: str | None) -> str | None:
    """``510104199001011234`` → ``510***********1234`` (first 3 and last 4 kept)."""
    if not s:
        return s
    if len(s) <= 7:
        return "*" * len(s)
    return s[:3] + "*" * (len(s) - 7) + s[-4:]


# --- dispatch --------------------------------------------------------------------


def _enum(value: Any, column: ColumnSpec) -> str:
    if isinstance(value, bool) and "是" in column.choices and "否" in column.choices:
        return "是" if value else "否"
    return parse_enum(value, column.choices, column.choice_aliases)


def _text_column(value: Any, column: ColumnSpec) -> str | None:
    _check_cell(value)
    return clean_text(value)


def _plain(fn: Callable[[Any], Any]) -> Callable[[Any, ColumnSpec], Any]:
    def parse(value: Any, column: ColumnSpec) -> Any:
        return fn(value)

    parse.__name__ = fn.__name__
    parse.__doc__ = fn.__doc__
    return parse


def _datetime(value: Any, column: ColumnSpec) -> datetime:
    if column.time_required and not column.time_column:
        d, t = split_datetime(value)
        if t is None:
            raise FieldProblem(
                "datetime.no_time",
                f"“{column.name}”须写明几点几分，如 {d.isoformat()} 14:30；只写日期“{_shown(value)}”不能当作 0 点",
            )
        return datetime.combine(d, t)
    return parse_datetime(value)


PARSERS: dict[str, Callable[[Any, ColumnSpec], Any]] = {
    "text": _text_column,
    "int": _plain(parse_int),
    "decimal": _plain(parse_decimal),
    "money": _plain(parse_money),
    "area": _plain(parse_area),
    "date": _plain(parse_date),
    "datetime": _datetime,
    "time": _plain(parse_time),
    "phone": _plain(parse_phone),
    "mobile": _plain(parse_mobile),
    "id_number": _plain(parse_id_number),
    "uscc": _plain(parse_uscc),
    "plate": _plain(parse_plate),
    "vin": _plain(parse_vin),
    "month": _plain(parse_month),
    "period": _plain(parse_period),
    "enum": _enum,
}


def parse_to_themselves(values: set[Any], column: ColumnSpec, types: set[type] | None = None) -> bool:
    """True when ``parse_value(v, column)`` is ``v`` itself for every one of ``values``
    (a test at C speed over the whole set: a sufficient one, not a necessary one).

    Plain ASCII text with no space and no control character is what clean_text leaves
    as it is; a mobile number of such text is what parse_phone keeps. A key column of
    100,000 distinct ids is then taken as it is instead of cleaned cell by cell.
    ``types``: the values' types when the caller has them.
    """
    if column.type in ("datetime", "date"):
        return _dates_to_themselves(values, column, types)
    if column.type not in ("text", "phone") or not values or "" in values:
        return False
    if (types if types is not None else set(map(type, values))) != {str}:
        return False
    joined = "".join(values)
    if not (joined.isascii() and joined.isprintable()) or " " in joined:
        return False
    if column.type == "phone":
        # Each of 11 characters, so the joined text splits into them: one match of all.
        return set(map(len, values)) == {11} and _MOBILES_RE.fullmatch(joined) is not None
    return True


def _dates_to_themselves(values: set[Any], column: ColumnSpec, types: set[type] | None) -> bool:
    if not values:
        return False
    kinds = types if types is not None else set(map(type, values))
    if kinds != {date if column.type == "date" else datetime}:
        return False
    return len(unchanged_by_parsing(values, column)) == len(values)


def unchanged_by_parsing(values: set[Any], column: ColumnSpec) -> set[Any]:
    """The ones of ``values`` that ``parse_value`` gives back as they are (not always all
    of them): datetime cells of whole seconds in a datetime column and date cells in a
    date column (what Excel's date cells hold), text as :func:`parse_to_themselves` says."""
    if column.type == "datetime":
        if column.time_required and not column.time_column:
            return set()
        return {v for v in values if v.__class__ is datetime and not v.microsecond}
    if column.type == "date":
        return {v for v in values if v.__class__ is date}
    filled = values - {None}
    return filled if parse_to_themselves(filled, column) else set()


def is_blank(value: Any) -> bool:
    """True for an empty cell: ``None`` or text with nothing visible in it."""
    if value is None:
        return True
    if isinstance(value, str):
        return clean_text(value) is None
    return False


def parse_value(value: Any, column: ColumnSpec) -> Any:
    """Typed value of one cell for ``column``; a blank cell gives the column default or None.

    Whether a blank cell is allowed is for the validator (``column.required``) to say.
    Text is cleaned once here, so messages quote the cleaned text (full-width digits
    already folded); the validator keeps the raw value in ``CellError.value``.
    """
    if type(value) is str:
        value = clean_text(value)
        if value is not None and column.type == "text":
            return value  # the commonest cell of all: plain text
    if value is None:
        if column.default is None:
            return None
        value = column.default
    return PARSERS[column.type](value, column)
