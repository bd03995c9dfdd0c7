"""Round 14d of the car desk: rules close to the seed but not the seed.

Seed 000 第五篇 工作标准 15: a complaint the desk cannot settle on the spot gets an apology
and a stated time for the next answer, and that answer is owed by then. Seed 002 第7条 and
000 第五篇 11: an extra repair the customer agrees to is written with its price before the
customer signs for it again.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
from car_fixtures import as_json, cli, findings, init, process
from conftest import write_xlsx

COMPLAINT_HEAD = ["投诉单号", "受理时间", "客户名称", "车牌号", "投诉方式", "投诉内容", "当场答复", "约定答复时间", "答复时间",
                  "处理结果", "责任人"]


def _daily(home: Path, now: str) -> openpyxl.Workbook:
    code, out = cli("report", "car_daily", "--date", now[:10], "--home", str(home), "--now", now, "--json")
    assert code == 0, out
    return openpyxl.load_workbook(next(o for o in as_json(out)["outputs"] if o.endswith(".xlsx")))


def test_a_promised_complaint_reply_is_tracked_when_on_the_spot_is_left_blank(tmp_path: Path):
    """Seed 000 第五篇 15: what cannot be answered at once gets a stated time for the next
    answer. TS7 was taken Mon 2027-03-01 10:00 and 王芳 promised the customer an answer by
    Tue 03-02 17:00, leaving 当场答复 blank: a time promised is a reply not made on the spot.
    Nobody answered; on Wed 03-03 09:00 the reply is 16 h (960 min) overdue, on the daily
    list's 逾期事项 under 王芳. TS8 (当场答复 blank, nothing promised) owes nothing."""
    home = init(tmp_path / "car", "car")
    rows = [COMPLAINT_HEAD,
            ["TS7", "2027-03-01 10:00", "马力", "京H10001", "电话", "维修后仍有异响", None, "2027-03-02 17:00", None, None,
             "王芳"],
            ["TS8", "2027-03-01 11:00", "牛犇", "京H20002", "上门", "休息区太冷", None, None, None, "已调高空调", "刘洋"]]
    process(home, write_xlsx(home / "inbox" / "投诉.xlsx", {"售后客户投诉": rows}), "2027-03-01T18:00")
    got = {f.record: f for f in findings(home, datetime(2027, 3, 3, 9, 0)) if f.rule == "car.complaint_reply"}
    assert set(got) == {"TS7"}
    assert got["TS7"].status == "overdue" and got["TS7"].overdue_minutes == 960
    overdue = [r for r in _daily(home, "2027-03-03T09:00")["逾期事项"].iter_rows(values_only=True) if r and r[1] == "TS7"]
    assert len(overdue) == 1 and overdue[0][4] == "王芳"
