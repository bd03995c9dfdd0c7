"""Cell parsers: every form SPEC §2 accepts, the hostile corpus, and what is refused."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import CORPUS
from stdnum.cn import uscc

from toolkit.fields import (
    PARSERS,
    FieldProblem,
    clean_text,
    combine_date_time,
    fold,
    mask_id,
    mask_phone,
    parse_area,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_enum,
    parse_id_number,
    parse_int,
    parse_mobile,
    parse_money,
    parse_phone,
    parse_plate,
    parse_time,
    parse_uscc,
    parse_value,
    split_datetime,
)
from toolkit.model import ErrorValue, NoCachedValue
from toolkit.registers import ColumnSpec, load_registers
from toolkit.validate import IDENTIFIERS

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = CORPUS / "hostile" / "numbers-and-dates-as-text.xlsx"


def problem(fn, value) -> FieldProblem:
    with pytest.raises(FieldProblem) as exc:
        fn(value)
    return exc.value


def col(type_: str, **kw) -> ColumnSpec:
    return ColumnSpec(name="列", type=type_, **kw)


# --- text ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("  门锁坏了  ", "门锁坏了"),
        ("１-１-１０６", "１-１-１０６"),  # kept as typed; identifiers fold in validation
        ("漏水，急（3楼）", "漏水，急（3楼）"),  # Chinese punctuation kept as typed
        ("\u3000王先生\u3000", "王先生"),  # ideographic spaces strip
        ("第一行\r\n第二行", "第一行\n第二行"),  # line breaks inside a cell are kept
        ("A\tB", "A B"),  # tabs become spaces
        ("门\u200b锁\ufeff坏", "门锁坏"),  # zero-width characters go
        ("\u202eabc\u202c", "abc"),  # bidi overrides go
        ("a\x00b\x01c\x1fd\x7fe\x85f", "abcdef"),  # C0 and C1 controls go
        ("", None),
        ("   ", None),
        ("\u200b", None),
        (None, None),
        (1101, "1101"),  # a room number typed as a number
        (1101.0, "1101"),
        (3.5, "3.5"),
        (datetime(2026, 11, 23), "2026-11-23"),
        (datetime(2026, 11, 23, 14, 30), "2026-11-23 14:30"),
    ],
)
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


def test_text_column_refuses_error_and_uncached_formula():
    assert problem(lambda v: parse_value(v, col("text")), ErrorValue("#N/A")).code == "cell.error_value"
    assert problem(lambda v: parse_value(v, col("text")), NoCachedValue("=A1")).code == "cell.formula_no_value"


# --- dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["2026-11-23", "2026/11/23", "2026.11.23", "2026年11月23日", "2026年11月23号",
     "２０２６年１１月２３日", "２０２６－１１－２３", "20261123", " 2026-11-23 ",
     datetime(2026, 11, 23), datetime(2026, 11, 23, 14, 30), date(2026, 11, 23),
     "2026-11-23 14:30"],  # a time written into a date column is dropped
)
def test_date_accepted(raw):
    assert parse_date(raw) == date(2026, 11, 23)


def test_date_single_digit_month_and_day():
    assert parse_date("2026-1-5") == date(2026, 1, 5)
    assert parse_date("2026年1月5日") == date(2026, 1, 5)


@pytest.mark.parametrize(
    "raw, code",
    [
        ("11/12/2026", "date.ambiguous"),
        ("12/11/2026", "date.ambiguous"),
        ("11-12-2026", "date.ambiguous"),
        ("12/11/26", "date.ambiguous"),
        ("26-11-23", "date.ambiguous"),
        ("13/11/2026", "date.format"),  # only one reading, but day-first order is refused
        ("11/11/2026", "date.format"),
        ("26年11月23日", "date.two_digit_year"),
        ("2026-02-30", "date.invalid"),
        ("2026-13-01", "date.invalid"),
        ("2025年2月29日", "date.invalid"),
        ("0226-11-23", "date.invalid"),
        ("11月23日", "date.no_year"),
        ("2026-11", "date.no_day"),
        ("2026年11月", "date.no_day"),
        ("46349", "date.serial"),
        (46349, "date.serial"),
        (46349.5, "date.serial"),
        ("下周一", "date.format"),
        ("2026-11/23", "date.format"),
        (time(14, 30), "date.time_only"),
        (True, "date.format"),
        (ErrorValue("#VALUE!"), "cell.error_value"),
        (NoCachedValue("=TODAY()"), "cell.formula_no_value"),
    ],
)
def test_date_refused(raw, code):
    assert problem(parse_date, raw).code == code


def test_date_messages_quote_value_and_show_the_expected_form():
    p = problem(parse_date, "11/12/2026")
    assert p.message == "“11/12/2026”无法确定是11月12日还是12月11日，请写成 2026-11-12 这样的格式（年-月-日）"
    p = problem(parse_date, "2026-02-30")
    assert "“2026-02-30”" in p.message and "2026年2月没有30日" in p.message
    p = problem(parse_date, "46349")
    assert "“46349”" in p.message and "Excel 日期序号" in p.message and "2026-11-23" in p.message
    assert "设为日期格式" in p.message
    assert isinstance(p, ValueError)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2026-11-23 14:30", datetime(2026, 11, 23, 14, 30)),
        ("2026-11-23 14:30:15", datetime(2026, 11, 23, 14, 30, 15)),
        ("2026-11-23T14:30:00", datetime(2026, 11, 23, 14, 30)),
        ("2026/11/23 9:05", datetime(2026, 11, 23, 9, 5)),
        ("2026.11.23 14:30", datetime(2026, 11, 23, 14, 30)),
        ("2026年11月23日 14:30", datetime(2026, 11, 23, 14, 30)),
        ("2026年11月23日14:30", datetime(2026, 11, 23, 14, 30)),
        ("2026年11月23日 14时30分", datetime(2026, 11, 23, 14, 30)),
        ("2026年11月23日14时", datetime(2026, 11, 23, 14, 0)),
        ("2026年11月23日 下午2点半", datetime(2026, 11, 23, 14, 30)),
        ("２０２６年１１月２３日\u3000９：３０", datetime(2026, 11, 23, 9, 30)),  # full-width colon, ideographic space
        ("２０２６－１１－２３　１４：３０", datetime(2026, 11, 23, 14, 30)),
        # Excel datetime cells, with float noise rounded to the second.
        (datetime(2026, 11, 23, 14, 30), datetime(2026, 11, 23, 14, 30)),
        (datetime(2026, 11, 23, 14, 29, 59, 999_600), datetime(2026, 11, 23, 14, 30)),
        # Date only: that day at 00:00 (a time_column may supply the time later).
        ("2026-11-23", datetime(2026, 11, 23)),
        ("2026年11月23日", datetime(2026, 11, 23)),
        (date(2026, 11, 23), datetime(2026, 11, 23)),
    ],
)
def test_datetime_accepted(raw, expected):
    got = parse_datetime(raw)
    assert got == expected and type(got) is datetime and got.tzinfo is None


@pytest.mark.parametrize(
    "raw, code",
    [
        ("2026-11-23 25:00", "time.invalid"),
        ("2026-11-23 14:60", "time.invalid"),
        ("2026-11-23 14:3000", "date.format"),
        ("2026-11-2314:30", "date.format"),
        ("11/12/2026 14:30", "date.ambiguous"),
        ("46349.6", "date.serial"),
        (time(9, 30), "date.time_only"),
    ],
)
def test_datetime_refused(raw, code):
    assert problem(parse_datetime, raw).code == code


def test_split_datetime_tells_whether_a_time_was_written():
    assert split_datetime("2026-11-23") == (date(2026, 11, 23), None)
    assert split_datetime("2026-11-23 14:30") == (date(2026, 11, 23), time(14, 30))
    assert split_datetime(datetime(2026, 11, 23)) == (date(2026, 11, 23), None)
    assert split_datetime(datetime(2026, 11, 23, 8, 0)) == (date(2026, 11, 23), time(8, 0))


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("14:30", time(14, 30)),
        ("9:05", time(9, 5)),
        ("14:30:00", time(14, 30)),
        ("14:30:15", time(14, 30, 15)),
        ("１４：３０", time(14, 30)),
        ("14时30分", time(14, 30)),
        ("14时", time(14, 0)),
        ("9点半", time(9, 30)),
        ("下午2点", time(14, 0)),
        ("上午9:30", time(9, 30)),
        ("晚上8点15分", time(20, 15)),
        (time(14, 30), time(14, 30)),
        (datetime(1899, 12, 30, 14, 30), time(14, 30)),  # a time cell read with Excel's epoch
        (timedelta(hours=14, minutes=30), time(14, 30)),
        (0.5, time(12, 0)),  # a fraction of a day in a number cell
    ],
)
def test_time_accepted(raw, expected):
    assert parse_time(raw) == expected


@pytest.mark.parametrize(
    "raw, code",
    [("24:00", "time.invalid"), ("14:61", "time.invalid"), ("下午", "time.invalid"),
     ("2026-11-23 14:30", "time.has_date"), (1430, "time.invalid"), ("1430", "time.invalid")],
)
def test_time_refused(raw, code):
    assert problem(parse_time, raw).code == code


def test_combine_date_time():
    assert combine_date_time(date(2026, 11, 23), time(14, 30)) == datetime(2026, 11, 23, 14, 30)
    assert combine_date_time(datetime(2026, 11, 23), time(8, 0)) == datetime(2026, 11, 23, 8, 0)


# --- money, area, numbers -----------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("１２３", "123.00"),
        ("1,234.50", "1234.50"),
        ("12,345,678.9", "12345678.90"),
        ("¥80", "80.00"),
        ("￥80", "80.00"),
        ("¥ 1,200", "1200.00"),
        ("80元", "80.00"),
        ("80.5 元", "80.50"),
        ("人民币80元", "80.00"),
        ("RMB 80", "80.00"),
        (" 45 ", "45.00"),
        ("0", "0.00"),
        ("0.1", "0.10"),
        ("123.450", "123.45"),  # a trailing zero is not a third decimal
        (".5", "0.50"),
        (80, "80.00"),
        (80.5, "80.50"),
        (0.1 + 0.2, "0.30"),  # a formula's binary noise
        (1234.56, "1234.56"),
        (Decimal("12.3"), "12.30"),
        # Chinese amounts in words, as printed on receipts and in our own notices.
        ("壹佰贰拾叁元整", "123.00"),
        ("人民币壹仟贰佰元整", "1200.00"),
        ("壹仟零伍元伍角", "1005.50"),
        ("壹佰元零柒分", "100.07"),
        # 零 between 元 and 角 (the yuan end in 0): the bank form of 1,000.50 and 100,000.50.
        ("壹仟元零伍角", "1000.50"),
        ("壹拾万元零伍角", "100000.50"),
        ("壹仟元零伍角贰分", "1000.52"),
        ("叁拾元伍角陆分", "30.56"),
        ("一百二十三元", "123.00"),
        ("零元整", "0.00"),
    ],
)
def test_money_accepted(raw, expected):
    got = parse_money(raw)
    assert got == Decimal(expected) and str(got) == expected


@pytest.mark.parametrize(
    "raw, code",
    [
        ("123.456", "money.too_many_decimals"),
        (123.456, "money.too_many_decimals"),
        ("0.001", "money.too_many_decimals"),
        ("-5", "money.negative"),
        (-5, "money.negative"),
        ("-¥5", "money.negative"),
        ("¥-5", "money.negative"),
        ("abc", "money.invalid"),
        ("1,5", "money.invalid"),  # a decimal comma or a typo: not a thousands separator
        ("12,34.5", "money.invalid"),
        ("1.2.3", "money.invalid"),
        ("约100元", "money.invalid"),
        ("一百元左右", "money.invalid"),
        ("壹佰贰拾叁美元", "money.invalid"),
        (True, "money.invalid"),
        (float("nan"), "money.invalid"),
        (ErrorValue("#DIV/0!"), "cell.error_value"),
        (NoCachedValue("=H2*2"), "cell.formula_no_value"),
    ],
)
def test_money_refused(raw, code):
    assert problem(parse_money, raw).code == code


def test_money_messages():
    p = problem(parse_money, "123.456")
    assert "“123.456”" in p.message and "两位小数" in p.message and "123.46" in p.message
    assert "负" in problem(parse_money, "-5").message
    p = problem(parse_money, ErrorValue("#DIV/0!"))
    assert p.message.startswith("单元格是公式错误 #DIV/0!")
    p = problem(parse_money, NoCachedValue("=H2*2"))
    assert "没有保存计算结果" in p.message and "在 Excel 中打开并保存一次" in p.message


@pytest.mark.parametrize(
    "raw, expected",
    [("120㎡", "120"), ("120m2", "120"), ("120M2", "120"), ("120 m²", "120"), ("120平方米", "120"),
     ("89.56平米", "89.56"), ("１２０．５", "120.5"), ("1,020.35", "1020.35"), (89.56, "89.56"), (120, "120")],
)
def test_area_accepted(raw, expected):
    assert parse_area(raw) == Decimal(expected)


@pytest.mark.parametrize("raw, code", [("大约120", "area.invalid"), ("-3", "area.negative"), ("120亩", "area.invalid")])
def test_area_refused(raw, code):
    assert problem(parse_area, raw).code == code


@pytest.mark.parametrize("raw, expected", [("3", 3), ("３", 3), (3, 3), (3.0, 3), ("3.0", 3), ("1,200", 1200), (" 6 ", 6)])
def test_int_accepted(raw, expected):
    got = parse_int(raw)
    assert got == expected and type(got) is int


@pytest.mark.parametrize(
    "raw, code",
    [("3.5", "number.not_integer"), (3.5, "number.not_integer"), ("-1", "number.negative"),
     (-1, "number.negative"), ("三张", "number.invalid"), (True, "number.invalid")],
)
def test_int_refused(raw, code):
    assert problem(parse_int, raw).code == code


def test_decimal_keeps_places_for_unit_prices():
    assert parse_decimal("2.35") == Decimal("2.35")
    assert parse_decimal("1.875") == Decimal("1.875")
    assert parse_decimal(2.35) == Decimal("2.35")
    assert parse_decimal("２.３５") == Decimal("2.35")
    assert problem(parse_decimal, "2,35").code == "number.invalid"
    assert problem(parse_decimal, "-2.35").code == "number.negative"


# --- phones ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        (13812345678, "13812345678"),
        (13812345678.0, "13812345678"),
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
        ("(010)12345678", "010-12345678"),
        ("021 6123 4567", "021-61234567"),
        ("0755-1234567", "0755-1234567"),
        ("0755-12345678", "0755-12345678"),
        ("(0755) 8888 6666", "0755-88886666"),
        ("+86 10 12345678", "010-12345678"),
        ("+86 755 8888 6666", "0755-88886666"),
        # Landlines with an extension, as clerks write them.
        ("0755-8888 6666 转 801", "0755-88886666 转 801"),
        ("0755-88886666转801", "0755-88886666 转 801"),
        ("0755-88886666-801", "0755-88886666 转 801"),
        ("010-12345678 分机 23", "010-12345678 转 23"),
        ("0755-88886666 ext. 801", "0755-88886666 转 801"),
        ("０７５５－８８８８６６６６转８０１", "0755-88886666 转 801"),
    ],
)
def test_phone_accepted(raw, expected):
    assert parse_phone(raw) == expected


@pytest.mark.parametrize(
    "raw, code",
    [
        ("1381234567", "phone.invalid"),  # 10 digits
        ("138123456789", "phone.invalid"),  # 12 digits
        ("12812345678", "phone.invalid"),  # no mobile range starts 12
        ("23812345678", "phone.invalid"),
        ("88886666", "phone.no_area_code"),
        ("13812345678/13987654321", "phone.several"),
        ("13812345678、13987654321", "phone.several"),
        ("+1 415 555 0100", "phone.invalid"),
        ("无", "phone.invalid"),
        (True, "phone.invalid"),
        ("13812345678 转 801", "phone.invalid"),  # a mobile has no extension
        ("88886666 转 801", "phone.invalid"),  # no area code
    ],
)
def test_phone_refused(raw, code):
    assert problem(parse_phone, raw).code == code


def test_mobile_only_takes_mobiles():
    assert parse_mobile("+86 138 1234 5678") == "13812345678"
    p = problem(parse_mobile, "010-12345678")
    assert p.code == "phone.invalid" and "手机号" in p.message


def test_extension_mask_keeps_the_extension():
    assert mask_phone("0755-88886666 转 801") == "0755-****6666 转 801"


def test_masks():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0755-12345678") == "0755-****5678"
    assert mask_phone("010-1234567") == "010-***4567"
    assert mask_phone(None) is None and mask_phone("") == ""
    assert mask_id("510104199001011234") == "510***********1234"
    assert mask_id("11010519491231002X") == "110***********002X"
    assert mask_id(None) is None


# --- identity numbers ----------------------------------------------------------------------

_GB11643_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def gb11643_check(first17: str) -> str:
    """The check character by the standard's own table, written out independently."""
    total = sum(int(d) * w for d, w in zip(first17, _GB11643_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def test_hand_computed_check_characters():
    assert gb11643_check("11010519491231002") == "X"  # the standard's published example
    first17 = "51010419900307123"
    assert parse_id_number(first17 + gb11643_check(first17)) == first17 + gb11643_check(first17)
    first17 = "44030519851120008"
    assert parse_id_number(first17 + gb11643_check(first17)) == first17 + gb11643_check(first17)


@pytest.mark.parametrize(
    "raw, expected",
    [("11010519491231002X", "11010519491231002X"), ("11010519491231002x", "11010519491231002X"),
     (" 110105 19491231 002X ", "11010519491231002X"), ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X")],
)
def test_id_number_accepted(raw, expected):
    assert parse_id_number(raw) == expected


@pytest.mark.parametrize(
    "raw, code",
    [
        ("110105194912310021", "id_number.checksum"),
        ("11010519491231002Y", "id_number.invalid"),
        ("1101051949123100", "id_number.invalid"),
        ("110105491231002", "id_number.old_format"),
        # A valid check character on a birth date that does not exist (1949-02-30).
        ("11010519490230002" + gb11643_check("11010519490230002"), "id_number.invalid"),
        (110105194912310020, "id_number.as_number"),
        (1.1010519491231e17, "id_number.as_number"),
    ],
)
def test_id_number_refused(raw, code):
    assert problem(parse_id_number, raw).code == code


def test_id_checksum_message():
    p = problem(parse_id_number, "110105194912310021")
    assert p.message == "“110105194912310021”的校验位不对，请核对身份证号是否抄错"


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc_check(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def test_uscc_accepted():
    assert uscc_check("91110000600037341") == "L"
    assert uscc.is_valid("91110000600037341L")
    assert parse_uscc("91110000600037341L") == "91110000600037341L"
    assert parse_uscc("91110000600037341l") == "91110000600037341L"
    assert parse_uscc(" 9111 0000 6000 3734 1L ") == "91110000600037341L"
    assert parse_uscc("91310000775785552L") == "91310000775785552L"


@pytest.mark.parametrize(
    "raw, code",
    [("91110000600037341A", "uscc.checksum"), ("9111000060003734", "uscc.invalid"),
     ("110108000000016", "uscc.old_format"), ("营业执照", "uscc.invalid")],
)
def test_uscc_refused(raw, code):
    assert problem(parse_uscc, raw).code == code


# --- plates and enums ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("京A12345", "京A12345"),
        ("京a12345", "京A12345"),
        ("京A·12345", "京A12345"),
        ("粤B 8X9K7", "粤B8X9K7"),
        ("粤B D12345", "粤BD12345"),  # new-energy, small car
        ("粤B·D12345", "粤BD12345"),
        ("粤BF1234 5", "粤BF12345"),
        ("粤B12345D", "粤B12345D"),  # new-energy, large vehicle
        ("京Ａ１２３４５", "京A12345"),
        ("粤B1234学", "粤B1234学"),
    ],
)
def test_plate_accepted(raw, expected):
    assert parse_plate(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["京A1234", "京A1234567", "AB12345", "京12345", "京AI2345", "京A1O345", "粤BA12345", "无牌", "X京A12345"],
)
def test_plate_refused(raw):
    p = problem(parse_plate, raw)
    assert p.code == "plate.invalid" and f"“{raw}”" in p.message


def test_enum():
    choices = ["紧急", "一般"]
    assert parse_enum(" 紧急 ", choices) == "紧急"
    assert parse_enum("紧 急", choices) == "紧急"
    p = problem(lambda v: parse_enum(v, choices), "很急")
    assert p.code == "enum.invalid" and p.message == "“很急”不是可选值，请填写：紧急、一般"
    yes_no = col("enum", choices=["是", "否"])
    assert parse_value(True, yes_no) == "是" and parse_value(False, yes_no) == "否"


# --- dispatch ----------------------------------------------------------------------------


def test_every_field_type_has_a_parser():
    from typing import get_args

    from toolkit.registers import FieldType

    assert set(PARSERS) == set(get_args(FieldType))


def test_blank_cells_take_the_default_or_none():
    assert parse_value(None, col("enum", choices=["紧急", "一般"], default="一般")) == "一般"
    assert parse_value("  ", col("int", default="1")) == 1
    assert parse_value("", col("int", default="6")) == 6
    assert parse_value(None, col("money")) is None
    assert parse_value("\u200b", col("date")) is None
    assert parse_value(None, col("text")) is None


@pytest.mark.parametrize("type_", ["text", "int", "decimal", "money", "area", "date", "datetime", "time",
                                   "phone", "mobile", "id_number", "uscc", "plate"])
def test_every_type_refuses_error_cells(type_):
    assert problem(lambda v: parse_value(v, col(type_)), ErrorValue("#REF!")).code == "cell.error_value"
    assert problem(lambda v: parse_value(v, col(type_)), NoCachedValue()).code == "cell.formula_no_value"


def test_parse_value_dispatches():
    assert parse_value("１-１-１０６", col("text")) == "１-１-１０６"  # free text as typed
    assert parse_value("2026/11/23", col("date")) == date(2026, 11, 23)
    assert parse_value("¥80", col("money")) == Decimal("80.00")
    assert parse_value("粤B·D12345", col("plate")) == "粤BD12345"


# --- the hostile corpus ------------------------------------------------------------------

class Refused(str):
    """An expected error code, as opposed to an expected text value."""


# What each cell of numbers-and-dates-as-text.xlsx must become (a value, or an error code).
HOSTILE_EXPECTED = {
    "BX-6": {"房号": "1-1-106", "联系电话": "13800000000", "报修时间": datetime(2026, 11, 20, 14, 30),
             "是否有偿": "是", "材料费": Decimal("123.00"), "人工费": Decimal("50.00")},
    "BX-7": {"房号": "1-1-107", "联系电话": "13800000000", "报修时间": Refused("date.ambiguous"),
             "是否有偿": "否", "材料费": None, "人工费": None},
    "BX-8": {"联系电话": "13800000000", "报修时间": datetime(2026, 11, 20),
             "材料费": Decimal("1234.50"), "人工费": Decimal("80.00")},
    "BX-9": {"联系电话": "13800000000", "报修时间": datetime(2026, 11, 23),
             "材料费": Decimal("45.00"), "人工费": Decimal("80.00")},
    "BX-10": {"报修时间": datetime(2026, 11, 23, 9, 30), "材料费": Decimal("123.00"), "人工费": Decimal("0.10")},
    "BX-11": {"报修时间": datetime(2026, 11, 23), "材料费": Refused("money.too_many_decimals"), "人工费": Refused("money.negative")},
    "BX-12": {"报修时间": Refused("date.serial"), "材料费": None, "人工费": None},
}


def test_hostile_numbers_and_dates_as_text():
    repair = load_registers(ROOT / "rules")["repair"]
    wb = openpyxl.load_workbook(HOSTILE, read_only=True)
    try:
        rows = list(wb.active.iter_rows(values_only=True))
    finally:
        wb.close()
    header = list(rows[0])
    seen = set()
    for raw in rows[1:]:
        cells = dict(zip(header, raw, strict=False))
        key = parse_value(cells["单号"], repair.column("单号"))
        seen.add(key)
        for name, expected in HOSTILE_EXPECTED[key].items():
            column = repair.column(name)
            if isinstance(expected, Refused):
                with pytest.raises(FieldProblem) as exc:
                    parse_value(cells[name], column)
                assert exc.value.code == expected, (key, name, cells[name])
            else:
                value = parse_value(cells[name], column)
                if name in IDENTIFIERS:  # validation folds identifiers: １-１-１０６ is room 1-1-106
                    value = fold(value)
                assert value == expected, (key, name, cells[name])
    assert seen == set(HOSTILE_EXPECTED)


def test_choice_aliases_read_what_staff_type_as_the_choice():
    from pydantic import ValidationError

    from toolkit.registers import ColumnSpec

    col = ColumnSpec(name="会员类型", type="enum", choices=["普通会员", "VIP会员"], choice_aliases={"VIP": "VIP会员"})
    assert parse_value(" vip ", col) == "VIP会员" and parse_value("VIP会员", col) == "VIP会员"
    with pytest.raises(FieldProblem):
        parse_value("金卡", col)
    # An alias that points outside the choices is a rules-file mistake, said in Chinese.
    with pytest.raises(ValidationError, match="choice_aliases 指向不在 choices 中的值：金卡→金卡会员"):
        ColumnSpec(name="会员类型", type="enum", choices=["普通会员", "VIP会员"], choice_aliases={"金卡": "金卡会员"})


@pytest.mark.parametrize("kind", ["text", "phone", "date", "enum"])
def test_values_said_to_parse_to_themselves_do(kind: str):
    """parse_to_themselves is a shortcut for a whole column: whenever it says yes, each
    value parsed alone is that very value; it says yes to plain ids and mobiles."""
    from toolkit.fields import parse_to_themselves, parse_value

    col = ColumnSpec(name="列", type=kind, choices=["一般", "紧急"] if kind == "enum" else [])
    samples = [
        {"BX0000001", "BX0000002", "A-1"}, {"13800000000", "13912345678"}, {"13800000000", "0755-88886666"},
        {"138000000001", "13800000000"}, {"1380000000", "13800000000"}, {"12800000000"}, {"BX 1"},
        {" BX1"}, {"BX1 "}, {"ＢＸ1"}, {"BX1\t"}, {"BX\x001"}, {"BX1", ""}, {"BX1", None}, {"BX1", 5}, set(),
        {"一般"}, {"2026-11-01"}, {"1380000000013800000000"}, {"13800000000\n"},
    ]
    said_yes = 0
    for values in samples:
        if parse_to_themselves(values, col):
            said_yes += 1
            assert all(parse_value(v, col) is v for v in values), values
    # text: the ids, the two mobiles, mobile and landline, the 12- and the 10-digit
    # ones, 128…, 2026-11-01 and the 22 digits (8); phone: only the two mobiles.
    assert said_yes == {"text": 8, "phone": 1, "date": 0, "enum": 0}[kind]


def test_a_column_of_ids_and_mobiles_is_taken_as_it_is():
    from toolkit.fields import parse_to_themselves

    ids = {f"BX{i:07d}" for i in range(1000)}
    mobiles = {f"138{i:08d}" for i in range(1000)}
    assert parse_to_themselves(ids, ColumnSpec(name="单号", type="text"))
    assert parse_to_themselves(mobiles, ColumnSpec(name="电话", type="phone"))
    assert not parse_to_themselves(mobiles | {"0755-88886666"}, ColumnSpec(name="电话", type="phone"))
    assert not parse_to_themselves(ids, ColumnSpec(name="电话", type="phone"))


def test_datetime_and_date_cells_that_parse_to_themselves_do():
    """Excel's date cells in a date or datetime column are taken as they are (a column of
    100,000 of them is not parsed cell by cell); a fraction of a second, a bare date in a
    datetime column or a column that wants a time written are parsed."""
    from toolkit.fields import parse_to_themselves, parse_value, unchanged_by_parsing

    plain = datetime(2026, 11, 1, 8, 0)
    values = {plain, datetime(2026, 11, 1, 8, 0, 0, 999_700), date(2026, 11, 3), None, "2026-11-01 08:00"}
    col = ColumnSpec(name="报修时间", type="datetime")
    assert unchanged_by_parsing(values, col) == {plain}
    assert parse_value(plain, col) is plain
    assert parse_to_themselves({plain}, col) and not parse_to_themselves(values - {None}, col)
    assert unchanged_by_parsing(values, ColumnSpec(name="时间", type="datetime", time_required=True)) == set()
    day = ColumnSpec(name="日期", type="date")
    assert unchanged_by_parsing(values, day) == {date(2026, 11, 3)}
    assert parse_value(date(2026, 11, 3), day) == date(2026, 11, 3)
    assert parse_to_themselves({date(2026, 11, 3)}, day) and not parse_to_themselves({plain}, day)
