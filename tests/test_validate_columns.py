"""Column-wise validation gives exactly what the row-by-row pydantic path gives.

For every register of every pack, a real .xlsx (openpyxl) holds made-up rows
(``ledger_maker``) with bad cells mixed in: text in number and date columns, required
cells left blank or only spaces, full-width digits, impossible dates, a duplicate key,
a merged cell over a column that fills merged cells. The file is read as the pipeline
reads it, and both paths must give the same records (values, keys, rows) and the same
errors, in the same order.
"""

from __future__ import annotations

import random
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from ledger_maker import Maker

from toolkit.headers import find_header
from toolkit.reading import read_workbook
from toolkit.registers import load_registers
from toolkit.setup_workspace import init_workspace
from toolkit.validate import validate_sheet

PACKS = ["property", "car", "dealer"]

BAD = {  # by column type: what a clerk might type that cannot be read
    "int": ["三个", "12.5.1", "  "],
    "decimal": ["约80", "１２O"],
    "money": ["八十元整多", "12..5", "-"],
    "area": ["大约", "八十平"],
    "date": ["2026-02-30", "上周", "13/45/2026"],
    "datetime": ["明天下午", "2026-13-01 10:00", "2026-11-05"],
    "time": ["下午晚些", "25:61"],
    "phone": ["12345", "电话"],
    "mobile": ["1381234", "座机"],
    "id_number": ["110105194912310022", "abc"],
    "uscc": ["123"],
    "plate": ["京", "ABC"],
    "vin": ["LSVAM4180C2184840", "123"],
    "month": ["13月", "2026-14"],
    "period": ["11月", "2026-W54", "下周"],
    "enum": ["其他的", "?"],
    "text": ["  ", "\t", "３－１０１", "Ａ栋　"],
}


def _spoiled(maker: Maker, spec, rows: list[list], rng: random.Random) -> list[list]:
    out = [list(r) for r in rows]
    for r in out:
        for i, col in enumerate(spec.columns):
            if rng.random() < 0.08:
                r[i] = rng.choice(BAD.get(col.type, BAD["text"]))
            elif rng.random() < 0.03:
                r[i] = None
    if len(out) > 3:
        out.append(list(out[2]))  # a duplicate key
    # Values of every type in a text column, and a datetime at midnight.
    out.append([datetime(2026, 11, 5) if c.type == "datetime" else date(2026, 11, 5) if c.type == "date"
                else 12.0 if c.type != "text" else 3101 for c in spec.columns])
    return out


@pytest.mark.parametrize("pack", PACKS)
def test_columnwise_and_rowwise_give_identical_results(tmp_path: Path, pack: str):
    home = tmp_path / pack
    init_workspace(home, [pack])
    specs = load_registers(home / "rules")
    rng = random.Random(14)
    compared = 0
    for name, spec in sorted(specs.items()):
        maker = Maker(seed=len(name))
        rows = _spoiled(maker, spec, maker.rows(spec, 120), rng)
        path = tmp_path / f"{name}.xlsx"
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = spec.title[:31]
        ws.append([f"{spec.title} 登记表"])
        ws.append([c.name for c in spec.columns])
        for r in rows:
            ws.append(r)
        fill = next((i for i, c in enumerate(spec.columns) if c.fill_merged), None)
        if fill is not None:  # a merged block over a column that fills merged cells
            letter = openpyxl.utils.get_column_letter(fill + 1)
            ws.merge_cells(f"{letter}5:{letter}8")
        wb.save(path)
        book = read_workbook(path)
        sheet = book.sheets[0]
        match = find_header(sheet, specs)
        assert match is not None and match.spec.name == name, name
        fast = validate_sheet(sheet, match)
        slow = validate_sheet(sheet, match, columnwise=False)
        assert [(r.register, r.key, r.values, r.sheet, r.row) for r in fast.records] == \
            [(r.register, r.key, r.values, r.sheet, r.row) for r in slow.records], name
        assert [e.to_dict() for e in fast.errors] == [e.to_dict() for e in slow.errors], name
        assert (fast.total, fast.rejected_rows) == (slow.total, slow.rejected_rows), name
        assert slow.errors and slow.records, f"{name}: the file has both good rows and bad cells"
        # Typed values of the same type on both paths (a Decimal is not a float, 12.50 not 12.5).
        for a, b in zip(fast.records, slow.records, strict=True):
            assert [(type(v), str(v)) for v in a.values.values()] == [(type(v), str(v)) for v in b.values.values()]
        compared += 1
    assert compared == len(specs) >= 3


def test_time_columns_composite_keys_and_mixed_cells(tmp_path: Path):
    """What no shipped register has yet: a date joined to its time column, a two-column
    key, a conditional row check, and cells that are equal without being the same cell
    (1, 1.0, True in one column) — the column path gives what the row path gives, and
    the values worked out by hand."""
    from datetime import time

    from toolkit.headers import HeaderMatch
    from toolkit.registers import RegisterSpec

    spec = RegisterSpec.model_validate({
        "name": "visit", "title": "来访登记", "key": ["编号", "日期"],
        "columns": [
            {"name": "编号", "required": True},
            {"name": "日期", "type": "datetime", "required": True, "time_column": "时间"},
            {"name": "时间", "type": "time"},
            {"name": "离开", "type": "datetime"},
            {"name": "人数", "type": "int"},
            {"name": "备注"},
            {"name": "收费", "type": "enum", "choices": ["是", "否"]},
            {"name": "金额", "type": "money"},
        ],
        "row_checks": [
            {"check": "not_before", "column": "离开", "other": "日期"},
            {"check": "requires", "columns": ["金额"], "when": {"column": "收费", "equals": "是"}},
        ],
    })
    d = date(2026, 11, 5)
    rows = [
        ["A1", d, time(14, 30), datetime(2026, 11, 5, 15, 0), 1, True, "否", None],  # 日期 = 11-05 14:30
        ["A2", datetime(2026, 11, 5), time(9, 0), None, 1.0, 1, "是", "12.50"],      # midnight + 09:00
        ["A3", datetime(2026, 11, 5, 8, 0), time(9, 0), None, True, 1.0, "是", None],  # 金额 missing
        ["A4", d, None, datetime(2026, 11, 4, 23, 0), 2, "1", "否", None],            # leaves before 00:00
        ["A1", d, time(14, 30), None, 3, None, "否", None],                          # same key as row 3
        ["A5", "明天", None, None, "三", None, "否", None],                            # unreadable date
    ]
    path = tmp_path / "来访.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([c.name for c in spec.columns])
    for r in rows:
        ws.append(r)
    wb.save(path)
    sheet = read_workbook(path).sheets[0]
    match = HeaderMatch(spec, 1, {c.name: i for i, c in enumerate(spec.columns)}, [])
    fast = validate_sheet(sheet, match)
    slow = validate_sheet(sheet, match, columnwise=False)
    assert [(r.key, r.values, r.row) for r in fast.records] == [(r.key, r.values, r.row) for r in slow.records]
    assert [e.to_dict() for e in fast.errors] == [e.to_dict() for e in slow.errors]
    assert (fast.total, fast.rejected_rows) == (slow.total, slow.rejected_rows) == (6, 4)
    by_row = {r.row: r for r in fast.records}
    assert sorted(by_row) == [2, 3]
    assert by_row[2].key == "A1|2026-11-05 14:30:00" and by_row[2].values["日期"] == datetime(2026, 11, 5, 14, 30)
    assert by_row[3].values["日期"] == datetime(2026, 11, 5, 9, 0)  # midnight takes the time column's 09:00
    assert by_row[3].values["金额"] == Decimal("12.50")
    codes = {(e.row, e.code) for e in fast.errors}
    assert (4, "row.requires") in codes  # 收费 是 without 金额
    assert (5, "row.not_before") in codes  # 23:00 on the 4th is before the 5th 00:00
    assert (6, "key.duplicate") in codes
    assert any(row == 7 for row, _ in codes)
