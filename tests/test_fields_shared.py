"""Field types the packs share: vin, month, and datetime columns that demand a time."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from toolkit.fields import (
    FieldProblem,
    cell_warnings,
    month_start,
    parse_month,
    parse_value,
    parse_vin,
    vin_check_digit,
)
from toolkit.registers import ColumnSpec


def test_vin_check_digit_worked_by_hand():
    # 1M8GDM9AXKP042788 (the standard's own example). Values × weights 8 7 6 5 4 3 2 10 0 9 8 7 6 5 4 3 2:
    # 1·8 + M4·7 + 8·6 + G7·5 + D4·4 + M4·3 + 9·2 + A1·10 + X·0 + K2·9 + P7·8 + 0·7 + 4·6 + 2·5 + 7·4 + 8·3 + 8·2
    # = 8+28+48+35+16+12+18+10+0+18+56+0+24+10+28+24+16 = 351; 351 mod 11 = 10 → "X".
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"
    # LSVAM4187C2184847: L3·8 + S2·7 + V5·6 + A1·5 + M4·4 + 4·3 + 1·2 + 8·10 + 7·0 + C3·9 + 2·8 + 1·7
    # + 8·6 + 4·5 + 8·4 + 4·3 + 7·2 = 24+14+30+5+16+12+2+80+0+27+16+7+48+20+32+12+14 = 359;
    # 359 mod 11 = 7 → "7", which is its 9th character.
    assert vin_check_digit("LSVAM4187C2184847") == "7"


def test_vin_is_normalised_and_shape_checked():
    assert parse_vin(" lsvam4187c2184847 ") == "LSVAM4187C2184847"
    assert parse_vin("LSVAM-4187-C2184847") == "LSVAM4187C2184847"
    with pytest.raises(FieldProblem, match="17 位"):
        parse_vin("LSVAM4187C218484")  # 16 characters
    with pytest.raises(FieldProblem, match="不能含字母 I、O、Q"):
        parse_vin("LSVAM4187C21848IO")


def test_wrong_vin_check_digit_is_a_warning_not_an_error():
    col = ColumnSpec(name="车架号", type="vin")
    # Position 9 changed from 7 to 5: the value is still accepted …
    assert parse_value("LSVAM4185C2184847", col) == "LSVAM4185C2184847"
    # … and the warning names the digit it should be.
    (code, message), = cell_warnings(col, "LSVAM4185C2184847")
    assert code == "vin.check_digit" and "应为 7" in message and "现在是 5" in message
    assert cell_warnings(col, "LSVAM4187C2184847") == []


@pytest.mark.parametrize("text", ["2026-11", "2026年11月", "2026/11", "2026年11月份", "2026.11", " 2026 - 11 "])
def test_month_forms(text):
    assert parse_month(text) == "2026-11"


def test_month_from_a_date_cell_and_padding():
    assert parse_month(datetime(2026, 3, 15, 9, 0)) == "2026-03"
    assert parse_month(date(2026, 3, 1)) == "2026-03"
    assert parse_month("2026/1") == "2026-01"
    assert month_start("2026-11") == date(2026, 11, 1)


@pytest.mark.parametrize("text", ["11月", "2026-13", "2026-11-05", "二〇二六年十一月", "26/11"])
def test_month_refused(text):
    with pytest.raises(FieldProblem, match="2026-11 或 2026年11月"):
        parse_month(text)


def test_time_required_refuses_a_bare_date():
    col = ColumnSpec(name="进车间时间", type="datetime", time_required=True)
    assert parse_value("2026-11-23 14:30", col) == datetime(2026, 11, 23, 14, 30)
    assert parse_value(datetime(2026, 11, 23, 14, 30), col) == datetime(2026, 11, 23, 14, 30)
    with pytest.raises(FieldProblem, match="须写明几点几分") as info:
        parse_value("2026-11-23", col)
    assert info.value.code == "datetime.no_time"
    with pytest.raises(FieldProblem, match="须写明几点几分"):
        parse_value(date(2026, 11, 23), col)
    # Without the flag a bare date is that day at 00:00, as before.
    plain = ColumnSpec(name="进车间时间", type="datetime")
    assert parse_value("2026-11-23", plain) == datetime(2026, 11, 23, 0, 0)


def test_time_required_only_on_datetime_columns():
    with pytest.raises(ValueError, match="time_required 只能用于 datetime"):
        ColumnSpec(name="日期", type="date", time_required=True)
