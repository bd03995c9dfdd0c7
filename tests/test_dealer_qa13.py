"""Dealer pack, QA round 13: no letter for a party that has ended. A contract the register
marks 终止 or 解除 gets no 付款提醒函 or 违约通知书 whether or not its end date is typed; what
is still owed goes to 财务部, and the return copy asks 合同管理员 for the missing date.
Registers filled as staff fill them, processed with the CLI, the .xlsx opened with openpyxl,
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from car_fixtures import dealer_home  # noqa: F401 (the fixture "home")
from test_dealer_pipeline import fill, process
from test_dealer_qa5 import rows_of
from test_dealer_qa10 import CONTRACT, report

from toolkit.blank import HEADER_ROW

BOTH = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)



def _comment(copy: Path, sheet: str, key: str, column: str) -> str | None:
    ws = openpyxl.load_workbook(copy)[sheet]
    header = [c.value for c in ws[HEADER_ROW]]
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        if row[0].value == key:
            c = row[header.index(column)].comment
            return c.text if c else None
    raise AssertionError(f"{key} not on the return copy")


@BOTH
def test_an_undated_ended_contract_gets_no_letter_and_its_debt_goes_to_finance(home: Path):
    """GW-2026-004 is marked 终止 with neither 解除日期 nor 委托期限止. Its instalment 1
    (40,000, due Tue 10-20) is unpaid: on 11-30 it is 41 days late (11-30 − 10-20), past
    the 30 days of a breach. No 违约通知书 saying 我方有权解除合同 is drafted — the
    contract has ended; the 40,000 is still owed and 财务部 collects it. The return copy
    of 合同登记 marks 解除日期 and names 合同管理员, who fills it."""
    ended = {**CONTRACT, "合同编号": "GW-2026-004", "甲方": "徐州铜山置业有限公司", "状态": "终止"}
    process(home, fill(home, "合同登记", [CONTRACT, ended]), "2026-11-30T09:00")
    found = process(home, fill(home, "合同收款登记", [
        {"合同编号": "GW-2026-004", "期次": 1, "应付日期": date(2026, 10, 20), "应付金额": 40000}]),
        "2026-11-30T09:00")
    (owed,) = [f for f in found["findings"] if f["rule"] == "contract.overdue"]
    assert "已逾期 41 天" in owed["message"] and "欠付 40,000.00 元" in owed["message"]
    assert "财务部" in owed["message"] and "已起草" not in owed["message"]
    drafts = home / "outbox" / "文书草稿"
    assert not list(drafts.glob("*违约通知书*.docx")) and not list(drafts.glob("*付款提醒函*.docx"))
    [copy] = (home / "outbox" / "退回批注").glob("合同登记*.xlsx")
    note = _comment(copy, "合同登记", "GW-2026-004", "解除日期")
    assert note is not None and "合同管理员" in note and "解除日期" in note
    assert _comment(copy, "合同登记", "GW-2026-001", "解除日期") is None  # the running one is not asked
    _, book = report(home, "contract_monthly", "2026-12-01T09:00", "--month", "2026-11")
    rows = rows_of(book, "应收款")
    [row] = [r for r in rows if r[0] == "GW-2026-004"]
    assert row[6] == 40000 and row[8] == "违约" and row[9] == "合同已终止，不发函；欠款由财务部追收"
    matters = rows_of(book, "合同事项")
    assert any(r[1] == "GW-2026-004" and "解除日期" in str(r[2]) for r in matters)


@BOTH
def test_a_contract_marked_terminated_without_its_day_gets_no_letter(home: Path):
    """GW-2026-001 was registered 生效; 合同管理员 then saves it as 解除 with the written
    notice of 11-10 but no 解除日期. Instalment 2 (30,000 of 40,000 unpaid, due Tue 10-20)
    is 41 days late on 11-30: no 违约通知书 is drafted for a contract the office says it has
    ended — 财务部 collects the 30,000 — and the return copy asks for 解除日期."""
    process(home, fill(home, "合同登记", [CONTRACT]), "2026-11-01T09:00")
    process(home, fill(home, "合同登记", [{**CONTRACT, "状态": "解除", "书面通知日期": date(2026, 11, 10)}]),
            "2026-11-30T09:00")
    found = process(home, fill(home, "合同收款登记", [
        {"合同编号": "GW-2026-001", "期次": 2, "应付日期": date(2026, 10, 20), "应付金额": 40000, "实付金额": 10000}]),
        "2026-11-30T09:00")
    (owed,) = [f for f in found["findings"] if f["rule"] == "contract.overdue"]
    assert "已逾期 41 天" in owed["message"] and "欠付 30,000.00 元" in owed["message"]
    assert "财务部" in owed["message"] and "已起草" not in owed["message"]
    assert not list((home / "outbox" / "文书草稿").glob("*违约通知书*.docx"))
    copies = sorted((home / "outbox" / "退回批注").glob("合同登记*.xlsx"))
    note = _comment(copies[-1], "合同登记", "GW-2026-001", "解除日期")
    assert note is not None and "合同管理员" in note


def _card(no: str, plate: str, **changes: object) -> dict[str, object]:
    return {"会员卡号": no, "车牌号": plate, "会员姓名": "吴刚", "所属支公司": "鼓楼支公司", "会员类型": "普通会员",
            "保单号": f"PDAA{no}", "保险起期": date(2025, 11, 25), "保险止期": date(2026, 11, 24),
            "入会申请日期": date(2025, 11, 26), **changes}


@BOTH
def test_a_cancelled_card_is_not_reissued_on_renewal(home: Path):
    """Policy to 11-24, valid to 12-04 (+ 10 days); the customer renews on 12-01, in time.
    GL-0002 stands: its 会员卡续发通知 is drafted, valid to 2027-12-04. GL-0003 was 注销
    (handed back) and GL-0005 is a second valid card of GL-0002's car, to be cancelled
    (club.one_car): neither gets a notice reissuing it."""
    found = process(home, fill(home, "俱乐部会员登记", [
        _card("GL-0002", "苏C66666", 续保日期=date(2026, 12, 1)),
        _card("GL-0003", "苏C77777", 续保日期=date(2026, 12, 1), 状态="注销"),
        _card("GL-0005", "苏C66666", 续保日期=date(2026, 12, 1))]), "2026-12-02T09:00")
    renewed = sorted(f["record"] for f in found["findings"] if f["rule"] == "club.renewal")
    assert renewed == ["GL-0002"]
    drafts = sorted(p.name for p in (home / "outbox" / "文书草稿").glob("*会员卡续发通知*.docx"))
    assert len(drafts) == 1, drafts
