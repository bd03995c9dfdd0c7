"""售后周报 on its schedule: Monday 09:00, for the week just ended (Monday to Sunday), as
car.md 3.4 sets it. A car desk works weekends, so the week's report waits for Sunday's cars."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
from car_fixtures import ORDER_HEAD, init, order, process
from conftest import write_xlsx

from toolkit.packs.car import PACK
from toolkit.pipeline import open_context
from toolkit.reports.catalog import default_period, moment, period_for_slot
from toolkit.reports.periods import parse_week
from toolkit.reports.settings import ScheduleFile
from toolkit.scheduler import latest_slot, run_due
from toolkit.workspace import Workspace


def _weekly():
    job = next(j for j in PACK.jobs if j.report == "car_weekly")
    kind = next(k for k in PACK.reports if k.name == "car_weekly")
    return job, kind


def test_the_weekly_job_is_monday_morning_for_the_week_before():
    job, kind = _weekly()
    assert (job.weekday, job.time) == (0, "09:00")
    # Sunday evening 2027-03-07: the last run was Monday 03-01 09:00, for 2027-W08.
    slot = latest_slot(job, datetime(2027, 3, 7, 20, 0))
    assert slot == datetime(2027, 3, 1, 9, 0) and period_for_slot(kind, slot).label == "2027-W08"
    monday = latest_slot(job, datetime(2027, 3, 8, 9, 0))
    assert period_for_slot(kind, monday).label == "2027-W09"  # 03-01 to 03-07
    # A week asked for by hand is pictured as the Monday run would picture it.
    assert moment(kind, parse_week("2027-W09"), ScheduleFile(jobs=[job])) == datetime(2027, 3, 8, 9, 0)
    assert default_period(kind, datetime(2027, 3, 10, 15, 0)).label == "2027-W09"


def test_monday_run_counts_sundays_cars(tmp_path: Path):
    home = init(tmp_path / "car", "car")
    orders = [ORDER_HEAD,
              order(委托书号="WW01", 车牌号="京M10001", 接车时间="2027-03-03 09:00", 进车间时间="2027-03-03 09:10",
                    预计完工时间="2027-03-03 16:00", 完工时间="2027-03-03 15:00"),
              # Sunday: a 4S desk is open at the weekend.
              order(委托书号="WW02", 车牌号="京M20002", 接车时间="2027-03-07 10:00", 进车间时间="2027-03-07 10:10",
                    预计完工时间="2027-03-07 16:00", 完工时间="2027-03-07 15:00")]
    process(home, write_xlsx(home / "inbox" / "本周委托书.xlsx", {"委托书": orders}), "2027-03-07T17:00")
    ctx = open_context(Workspace(home))
    try:
        run_due(ctx, datetime(2027, 3, 7, 18, 0))  # first start, Sunday evening: nothing weekly is due
        assert not list(ctx.ws.reports.glob("售后周报-*"))
        out = [o for o in run_due(ctx, datetime(2027, 3, 8, 9, 0)) if o.job == "售后周报"]
        assert [(o.slot, o.status) for o in out] == [(datetime(2027, 3, 8, 9, 0), "done")]
        made = sorted(p.name for p in ctx.ws.reports.glob("售后周报-*"))
        assert made == ["售后周报-2027-W09.docx", "售后周报-2027-W09.xlsx"]
        wb = openpyxl.load_workbook(ctx.ws.reports / "售后周报-2027-W09.xlsx")
        kpi = {r[0]: r[1:] for r in wb["概况"].iter_rows(values_only=True) if r and r[0]}
        assert kpi["进厂台次"][0] == 2  # Wednesday's and Sunday's
    finally:
        ctx.close()
