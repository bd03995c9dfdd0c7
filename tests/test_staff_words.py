"""What staff read about a bad cell is Chinese: the problem's name in the 问题清单, the
header comment of every column type, and the example a message asks them to follow."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import openpyxl
import pytest
from car_fixtures import init
from click.testing import CliRunner
from conftest import write_xlsx

from toolkit import blank, problems, registers
from toolkit.cli import main
from toolkit.fields import FieldProblem, parse_date, parse_datetime

# A problem code as validation writes it ("date.format", "vin.check_digit").
CODE = re.compile(r"^[a-z_]+\.[a-z_]+$")
TOOLKIT = Path(__file__).parents[1] / "toolkit"


def _codes_in_source() -> set[str]:
    """Every cell, row, sheet and file problem code written as a literal in the toolkit's
    own modules, and the number readers' ``{kind}.invalid`` / ``{kind}.negative``."""
    prefixes = {t for t in typing.get_args(registers.FieldType)} | {
        "cell", "datetime", "number", "row", "key", "header", "sheet", "csv", "workbook"}
    found: set[str] = set()
    for path in TOOLKIT.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for code in re.findall(r'"([a-z_]+\.[a-z_]+)"', text):
            if code.split(".")[0] in prefixes:
                found.add(code)
        for kind in re.findall(r'_to_decimal\(value, "([a-z_]+)"', text):
            found |= {f"{kind}.invalid", f"{kind}.negative"}
    return found


def test_every_problem_code_has_a_chinese_name():
    codes = _codes_in_source()
    # The scan finds the codes the QA run saw raw in a 问题清单, and the old ones.
    assert {"month.format", "datetime.no_time", "vin.check_digit", "date.format", "money.invalid"} <= codes
    unnamed = sorted(c for c in codes if problems.problem_name(c, titles={}) == c)
    assert unnamed == []


def test_every_column_type_has_a_hint_for_the_header_comment():
    types = typing.get_args(registers.FieldType)
    assert set(types) <= set(blank.TYPE_HINTS), set(types) - set(blank.TYPE_HINTS)
    for t in types:
        col = registers.ColumnSpec(name="列", type=t, choices=["甲"] if t == "enum" else [])
        last = blank.header_comment(col).splitlines()[1]
        assert not last.isascii(), (t, last)


@pytest.mark.parametrize("typed", ["上周三", "12月3日", "3:00", "2026年11月"])
def test_a_date_column_asks_for_a_date_and_a_datetime_column_for_a_time(typed: str):
    with pytest.raises(FieldProblem) as as_date:
        parse_date(typed)
    assert "2026-11-23" in as_date.value.message and "14:30" not in as_date.value.message
    with pytest.raises(FieldProblem) as as_datetime:
        parse_datetime(typed)
    assert "14:30" in as_datetime.value.message or "2026-11-23" in as_datetime.value.message


def test_return_copy_names_month_and_vin_problems_in_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # A dealer's 月份 written "11月" and a car file's VIN with a wrong check digit: both
    # reached the 问题清单 as "month.format" and "vin.check_digit", and the header comments
    # of those columns ended in "month" and "vin".
    monkeypatch.setenv("TOOLKIT_PDF", "off")
    home = init(tmp_path / "ws", "dealer", "car")
    wb = openpyxl.load_workbook(home / "空白登记表" / "二级客户进货统计表.xlsx")
    ws = wb.active
    headers = [c.value for c in ws[blank.HEADER_ROW]]
    month_col = headers.index("月份") + 1
    comment = ws.cell(blank.HEADER_ROW, month_col).comment.text
    assert "月份，例如 2026-11" in comment and not comment.rstrip().endswith("month")
    row = {"月份": "11月", "成员编号": "M001", "销量": 1000, "所在市场销量": 2000}
    ws.append([row.get(h) for h in headers])
    sales = home / "inbox" / "进货统计.xlsx"
    wb.save(sales)
    cars = write_xlsx(home / "inbox" / "档案.xlsx", {"客户档案": [
        ["车牌号", "客户名称", "联系电话", "车型", "车架号", "首次来厂日期", "建档日期", "服务顾问"],
        ["京A12345", "张伟", "13812345678", "帕萨特", None, "上周三", "2026-11-20", "王芳"],
        # LSVAM4187C2184847 is valid (its 9th character, the check digit, is 7); with the
        # last character 8 the check digit works out to 9 (GB 16735 weights), not 7.
        ["京B54321", "李娜", "13912345678", "途观", "LSVAM4187C2184848", "2026-11-20", "2026-11-20", "王芳"],
    ]})
    for src in (sales, cars):
        res = CliRunner().invoke(main, ["process", str(src), "--home", str(home), "--now", "2026-12-04T09:00"])
        assert res.exit_code == 0, res.output
    copies = sorted((home / "outbox" / "退回批注").glob("*.xlsx"))
    assert len(copies) == 2, copies
    texts = []
    for copy in copies:
        listing = openpyxl.load_workbook(copy)["问题清单"]
        texts += [str(c.value) for r in listing.iter_rows() for c in r if c.value is not None]
    assert [t for t in texts if CODE.match(t.strip())] == []
    assert "月份格式不对" in texts and "车架号校验位请核对" in texts
    assert any("上周三" in t and "2026-11-23 这样" in t for t in texts)
    assert not any("上周三" in t and "14:30" in t for t in texts)


def test_init_and_rules_check_remind_what_documents_yaml_still_lacks(tmp_path: Path):
    # A new workspace's documents carry the example company 某某有限公司 and invite the
    # customer to call a phone that is not there: init and rules check say so, until filled.
    home = tmp_path / "desk"
    res = CliRunner().invoke(main, ["init", str(home), "--pack", "car"])
    assert res.exit_code == 0, res.output
    assert "company_full（文书抬头和落款的单位全称）仍是示例“某某有限公司”" in res.output
    assert "phone（文书上请客户来电的电话）未填" in res.output
    path = home / "rules" / "documents.yaml"
    text = path.read_text(encoding="utf-8")
    text = (text.replace("company: 某某公司", "company: 东环汽修")
            .replace("company_full: 某某有限公司", "company_full: 徐州东环汽车维修有限公司")
            .replace('phone: ""', 'phone: "0516-83001234"'))
    path.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(main, ["rules", "check", "--home", str(home)])
    assert res.exit_code == 0, res.output
    assert "规则检查通过" in res.output and "提醒" not in res.output
