"""Monthly reports that wait for the working day after their staff's deadline (``after_workday``).

The dealer's 二级客户进货统计月报 reads the members' monthly figures, due on the 5th at
17:30 and moved to the next working day when the 5th is a rest day or holiday
(``report_due.monthly_day``). Its run is the working day after that, at 09:00, worked out by
hand from China's 2026 calendar:

* November 2026: the 5th is a Thursday → Friday 11-06;
* October 2026: 10-05…10-07 are 国庆 holidays, the deadline moves to Thursday 10-08 → Friday 10-09;
* December 2026: the 5th is a Saturday, the deadline Monday 12-07 → Tuesday 12-08;
* September 2026: the 5th is a Saturday, the deadline Monday 09-07 → Tuesday 09-08.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from car_fixtures import init
from test_dealer_pipeline import fill, process
from test_key_corrections import MEMBERS, sales

from toolkit.packs.dealer import PACK
from toolkit.pipeline import open_context
from toolkit.reports import load_schedule
from toolkit.reports.catalog import moment, period_for_slot
from toolkit.reports.periods import parse_month
from toolkit.reports.settings import Job, ScheduleFile
from toolkit.rulesfile import RulesError
from toolkit.scheduler import history, latest_slot, make_tick, run_due
from toolkit.workcal import CalendarSettings, DayEntry, WorkCalendar
from toolkit.workspace import Workspace

MONTHLY = "二级客户进货统计月报"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _jsb_monthly() -> tuple[Job, object]:
    job = next(j for j in PACK.jobs if j.report == "jsb_monthly")
    kind = next(k for k in PACK.reports if k.name == "jsb_monthly")
    return job, kind


def test_the_dealer_monthly_runs_the_working_day_after_the_members_deadline():
    job, kind = _jsb_monthly()
    assert (job.day, job.after_workday, job.time) == (5, True, "09:00")
    assert latest_slot(job, at("2026-11-06T09:00")) == at("2026-11-06T09:00")
    assert latest_slot(job, at("2026-11-06T08:59")) == at("2026-10-09T09:00")
    # National Day: nothing on 10-06 or on the moved deadline 10-08; September's last run stands.
    assert latest_slot(job, at("2026-10-06T09:00")) == at("2026-09-08T09:00")
    assert latest_slot(job, at("2026-10-08T20:00")) == at("2026-09-08T09:00")
    assert latest_slot(job, at("2026-10-09T09:00")) == at("2026-10-09T09:00")
    # The 5th a Saturday: not Sunday 12-06, not Monday 12-07 (the deadline), Tuesday 12-08.
    assert latest_slot(job, at("2026-12-07T17:30")) == at("2026-11-06T09:00")
    assert latest_slot(job, at("2026-12-08T09:00")) == at("2026-12-08T09:00")
    assert period_for_slot(kind, at("2026-10-09T09:00"), job).label == "2026-09"
    # A month asked for by hand is pictured as of the moved run, as the schedule made it.
    schedule = ScheduleFile(jobs=[job])
    assert moment(kind, parse_month("2026-09"), schedule) == at("2026-10-09T09:00")
    assert moment(kind, parse_month("2026-11"), schedule) == at("2026-12-08T09:00")
    assert moment(kind, parse_month("2026-10"), schedule) == at("2026-11-06T09:00")


def test_the_workspace_calendar_moves_the_run_and_a_late_day_may_cross_the_month():
    """rules/calendar.yaml's own days count: a company holiday on Friday 11-06 moves
    October's run to Monday 11-09. A day-27 job whose 27th (Friday 11-27) and 30th are
    company holidays waits for Tuesday 12-01, and runs Wednesday 12-02 — still for
    November's run, so it reports October."""
    job, kind = _jsb_monthly()
    cal = WorkCalendar(CalendarSettings(holidays=[DayEntry(date=date(2026, 11, 6), name="公司活动")]))
    assert latest_slot(job, at("2026-11-08T12:00"), cal) == at("2026-10-09T09:00")
    assert latest_slot(job, at("2026-11-09T09:00"), cal) == at("2026-11-09T09:00")
    assert moment(kind, parse_month("2026-10"), ScheduleFile(jobs=[job]), cal) == at("2026-11-09T09:00")

    late = job.model_copy(update={"day": 27})
    cal = WorkCalendar(CalendarSettings(holidays=[DayEntry(date=date(2026, 11, 27), name="公司活动"),
                                                  DayEntry(date=date(2026, 11, 30), name="公司活动")]))
    assert latest_slot(late, at("2026-12-01T20:00"), cal) == at("2026-10-28T09:00")  # 10-27 Tue → 10-28
    slot = latest_slot(late, at("2026-12-02T09:00"), cal)
    assert slot == at("2026-12-02T09:00") and period_for_slot(kind, slot, late).label == "2026-10"
    assert latest_slot(late, at("2026-12-28T09:00"), cal) == at("2026-12-02T09:00")  # 12-28 Mon → 12-29
    assert moment(kind, parse_month("2026-10"), ScheduleFile(jobs=[late]), cal) == at("2026-12-02T09:00")


def test_a_job_without_it_keeps_its_day():
    job, kind = _jsb_monthly()
    plain = job.model_copy(update={"after_workday": False, "day": 6})
    assert latest_slot(plain, at("2026-10-06T09:00")) == at("2026-10-06T09:00")
    assert moment(kind, parse_month("2026-11"), ScheduleFile(jobs=[plain])) == at("2026-12-06T09:00")


BAD = """\
jobs:
  - {name: 二级客户进货统计月报, report: jsb_monthly, cadence: monthly, day: 5, time: "09:00", after_workday: 是}
  - {name: 联销体成员走访一览表, report: jsb_weekly, cadence: daily, time: "09:00", after_workday: true}
"""


def test_a_bad_after_workday_is_refused_with_file_and_line(tmp_path: Path):
    home = init(tmp_path / "dealer", "dealer")
    (home / "rules" / "schedule.yaml").write_text(BAD, encoding="utf-8")
    with pytest.raises(RulesError) as exc:
        load_schedule(home / "rules")
    text = "\n".join(exc.value.problems)
    assert "第2行 jobs[0].after_workday" in text and "请写 true" in text
    assert "第3行 jobs[1]" in text and "只用于每周、每月任务" in text


def _done(ctx, job: str) -> list[dict]:
    return [r for r in history(ctx) if r["job"] == job and r["status"] == "done"]


def test_run_due_makes_septembers_report_on_the_working_day_after_the_moved_deadline(tmp_path: Path):
    """A real dealer workspace through the watcher's run_due: the members' September figures
    come in on 10-08 (the moved deadline); the report made on 10-09 09:00 has them."""
    home = init(tmp_path / "dealer", "dealer")
    process(home, fill(home, "联销体成员登记", MEMBERS), "2026-09-01T09:00")
    ctx = open_context(Workspace(home))
    other = None
    try:
        run_due(ctx, at("2026-10-01T09:00"))  # first start: the baseline
        for now in ("2026-10-06T09:00", "2026-10-07T09:00", "2026-10-08T09:00"):
            assert MONTHLY not in {o.job for o in run_due(ctx, at(now))}, now
        assert not list(ctx.ws.reports.glob(f"{MONTHLY}*")) and not _done(ctx, MONTHLY)
        # The salesman saves September's figures on the deadline day, before 17:30.
        process(home, fill(home, "二级客户进货统计表", [sales("M005", month="2026-09", sold=8000),
                                                      sales("M006", month="2026-09")], "进货统计"),
                "2026-10-08T16:00")
        out = [o for o in run_due(ctx, at("2026-10-09T09:00")) if o.job == MONTHLY]
        assert [(o.slot, o.status) for o in out] == [(at("2026-10-09T09:00"), "done")]
        book = openpyxl.load_workbook(next(p for p in out[0].outputs if p.endswith(".xlsx")))
        rows = {r[0]: r for r in book["进货统计"].iter_rows(values_only=True) if r and str(r[0]).startswith("M0")}
        assert (rows["M005"][5], rows["M006"][5]) == (8000, 7500)  # 销量, as saved on 10-08
        run = next(r for r in ctx.ledger.runs(50) if r["kind"] == "schedule:jsb_monthly")
        assert run["summary"]["as_of"] == "2026-10-09T09:00:00"
        # A second watcher of the workspace, and this one's next tick, make nothing more.
        other = open_context(Workspace(home))
        assert MONTHLY not in {o.job for o in run_due(other, at("2026-10-09T09:05"))}
        make_tick(other)(at("2026-10-09T10:00"))
        assert MONTHLY not in {o.job for o in run_due(ctx, at("2026-10-09T18:00"))}
        assert [r["slot"] for r in _done(ctx, MONTHLY)] == [at("2026-10-09T09:00")]
    finally:
        if other is not None:
            other.close()
        ctx.close()


def test_a_broken_calendar_holds_only_the_jobs_that_follow_it(tmp_path: Path):
    """rules/calendar.yaml saved with a date that is none (“十月四十日”): the day-1 reports still
    run on 11-01; the 进货统计月报 and the two 走访一览表, whose days the calendar decides, wait,
    and are made once the file is put right (for their latest slots, as after a machine was
    off: 10-09; the week 10-19…10-25's on Tuesday 10-27; the monthly visit list is not made
    while the body is in its first half-year)."""
    home = init(tmp_path / "dealer", "dealer")
    ctx = open_context(Workspace(home))
    calendar = home / "rules" / "calendar.yaml"
    good = calendar.read_text(encoding="utf-8")
    try:
        run_due(ctx, at("2026-10-01T09:00"))  # first start: the baseline
        calendar.write_text("holidays:\n  - {date: 十月四十日, name: 公司活动}\n", encoding="utf-8")
        made = {o.job: o.status for o in run_due(ctx, at("2026-11-01T09:00"))}
        assert not {MONTHLY, "联销体成员走访一览表", "联销体成员走访一览表（月度）"} & set(made)
        assert made["俱乐部会员月报"] == made["合同收款月报"] == "done"
        calendar.write_text(good, encoding="utf-8")
        out = {o.job: (o.slot, o.status) for o in run_due(ctx, at("2026-11-01T09:05"))}
        assert out == {MONTHLY: (at("2026-10-09T09:00"), "done"),
                       "联销体成员走访一览表": (at("2026-10-27T09:00"), "done"),
                       "联销体成员走访一览表（月度）": (at("2026-10-09T09:00"), "skipped")}
    finally:
        ctx.close()
