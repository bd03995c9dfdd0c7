"""The car desk's rules on registers filled as a service advisor fills them; every figure
checked against the hand computation written beside it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from car_fixtures import WEEK_NOW, car_workbook, cli, findings, process, week_workbook

NOW = datetime(2026, 11, 23, 20, 0)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TOOLKIT_PDF", "off")  # Word files only: these tests look at the rules
        yield _desk(tmp_path_factory)


def _desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("car") / "ws"
    assert cli("init", str(home), "--pack", "car")[0] == 0
    result = process(home, car_workbook(home / "inbox" / "售后登记.xlsx"), NOW.isoformat())
    (f,) = result["files"]
    assert sorted(f["register"]) == ["car_appointment", "car_customer", "car_extra_item", "car_safety",
                                      "car_work_order"]
    codes = {(e["sheet"], e["code"]) for e in f["errors"]}
    assert ("委托书", "datetime.no_time") in codes  # WT010: 接车时间 typed without a time
    return home


@pytest.fixture(scope="module")
def found(desk: Path) -> dict[tuple[str, str], object]:
    return {(f.rule, f.record): f for f in findings(desk, NOW)}


def test_promise_late_by_minutes_and_moved_only_by_signed_extras(found):
    # WT001: promised 16:00, finished 16:25 → 25 minutes late.
    f = found[("car.promise", "WT001")]
    assert f.status == "late" and f.overdue_minutes == 25
    # WT002: 15:00 + 1.5 h of an accepted, signed extra = 16:30 ≥ 16:20 → on time.
    f = found[("car.promise", "WT002")]
    assert f.status == "met" and f.due == datetime(2026, 11, 23, 16, 30)
    # WT003: the extra's 18:00 is not signed, so 14:00 stands; 17:00 − 14:00 = 180 minutes.
    f = found[("car.promise", "WT003")]
    assert f.status == "late" and f.overdue_minutes == 180 and f.due == datetime(2026, 11, 23, 14, 0)
    assert found[("car.extra_signed", "ZX002")].severity == "error"


def test_deposit_short_by_one_fen(found):
    # 1,234.57 × ½ = 617.285 → the least deposit rounds up to 617.29; 617.28 paid → 0.01 short.
    f = found[("car.appointment_deposit", "YY001")]
    assert f.values["最低定金"] == Decimal("617.29") and f.values["short"] == Decimal("0.01")
    assert "少收 0.01 元" in f.message
    # YY003: 1,000 × ½ = 500.00, 500 paid → nothing.
    assert ("car.appointment_deposit", "YY003") not in found


def test_workshop_told_same_day_and_reminder_half_a_day_ahead(found):
    assert ("car.workshop_notice", "YY001") not in found  # met: nothing to act on
    # YY002: booked 11-20 10:00 → due 11-20 23:59; told 11-21 08:30 → 8 h 31 min = 511 minutes late.
    f = found[("car.workshop_notice", "YY002")]
    assert f.status == "late" and f.overdue_minutes == 511
    # YY001: slot Mon 11-23 09:00; 12 h before is Sun 21:00, a day off → the close before
    # it, Fri 11-20 17:30; booked that Friday → the booking is the reminder.
    assert ("car.appointment_reminder", "YY001") not in found
    # YY003 and YY004 were booked over the weekend for Monday, after Fri 17:30: none needed.
    assert ("car.appointment_reminder", "YY003") not in found
    assert ("car.appointment_reminder", "YY004") not in found
    assert ("car.appointment_signed", "YY003") in found


def test_no_show_after_thirty_minutes(found):
    # YY004: slot 14:00, grace to 14:30, no arrival by 20:00.
    f = found[("car.no_show", "YY004")]
    assert f.due == datetime(2026, 11, 23, 14, 30)
    assert ("car.no_show", "YY001") not in found and ("car.no_show", "YY005") not in found  # came / cancelled


def test_progress_check_window_of_a_two_hour_job(found):
    # 09:00 → 11:00 is 120 minutes: 70 % = 84 min → 10:24, 80 % = 96 min → 10:36.
    # WT005 checked 10:40: 4 minutes after 10:36.
    f = found[("car.progress_check", "WT005")]
    assert (f.values["opens"], f.values["closes"]) == (datetime(2026, 11, 23, 10, 24), datetime(2026, 11, 23, 10, 36))
    assert f.status == "late" and f.overdue_minutes == 4
    assert ("car.progress_check", "WT004") not in found  # checked 10:30, inside the window


def test_followup_window_of_a_monday_pickup(found):
    assert date(2026, 11, 23).weekday() == 0  # a Monday
    # Picked up Monday 11-23 17:00: day 2 is Wednesday 11-25 00:00, one week is Monday 11-30 23:59.
    f = found[("car.followup", "WT001")]
    assert f.values["opens"] == datetime(2026, 11, 25, 0, 0)
    assert f.values["closes"] == datetime(2026, 11, 30, 23, 59)
    assert f.status == "pending"


def test_one_fine_per_faulty_order(found):
    for key, gaps in (("WT006", ["无客户签名"]), ("WT007", ["未写旧件去向", "未写是否洗车"]), ("WT008", ["维修项目未报价"])):
        f = found[("car.order_incomplete", key)]
        assert f.values["missing"] == gaps and f.values["fine"] == Decimal("5.00")
    assert ("car.order_incomplete", "WT001") not in found


def test_monthly_fine_notice_per_service_advisor(desk: Path):
    # On 12-01, November's notice for 王芳: WT006, WT007, WT008 → 3 × 5.00 = 15.00 元;
    # her safety row (未经允许驾驶维修车辆, blank points) counts 50 from the table.
    got = {f.record: f for f in findings(desk, datetime(2026, 12, 1, 9, 0)) if f.rule == "car.fine_notice"}
    f = got["王芳@2026-11"]
    assert [o["委托书号"] for o in f.values["orders"]] == ["WT006", "WT007", "WT008"]
    assert f.values["total"] == Decimal("15.00") and f.values["safety_points"] == 50
    assert got["刘洋@2026-11"].values["count"] == 0  # only a safety deduction


def test_extra_item_contacted_at_once(found):
    assert ("car.extra_contact", "ZX001") not in found  # called 11:10, within 11:15
    # ZX002: told 10:00 → call by 10:15; called 10:40 → 25 minutes late.
    f = found[("car.extra_contact", "ZX002")]
    assert f.status == "late" and f.overdue_minutes == 25


def test_customer_file_and_maintenance_reminder(found):
    f = found[("car.file_same_day", "京B54321")]
    assert f.values["days_late"] == 2  # 11-20 → 11-22
    # 京C11111: next service 11-28, reminder from 11-21 (7 days before).
    f = found[("car.maintenance_due", "京C11111")]
    assert f.values["next_date"] == date(2026, 11, 28) and f.notice == "car_maintenance"
    # 京D22222 has orders but no file, and the day is over at 20:00? No: 23:59 — not yet.
    assert ("car.file_missing", "WT004") not in found


def test_appointment_window_of_one_month(found):
    # YY005 booked 2026-10-10 → window to 2026-11-10; received 2026-11-23.
    assert ("car.appointment_window", "WT009") in found
    assert ("car.appointment_window", "WT001") not in found


def test_safety_points_from_the_table(found):
    assert found[("car.safety_points", "2026-11-15|王芳|未经允许驾驶维修车辆")].values["points"] == 50


# --- QA's week: Friday 2026-12-04 09:00 ------------------------------------------------


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], object]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TOOLKIT_PDF", "off")
        home = tmp_path_factory.mktemp("car-week") / "ws"
        assert cli("init", str(home), "--pack", "car")[0] == 0
        process(home, week_workbook(home / "inbox" / "一周登记.xlsx"), WEEK_NOW)
        return {(f.rule, f.record): f for f in findings(home, datetime.fromisoformat(WEEK_NOW))}


def test_finished_job_closes_its_progress_check(week):
    # WA1: 09:00 → 11:00, window 10:24–10:36; finished 10:30 unchecked: nothing was left to ask.
    assert ("car.progress_check", "WA1") not in week
    # WA2: finished 10:50, never checked: a missed check, closed (late 10:36 → 10:50 = 14 min), not overdue.
    f = week[("car.progress_check", "WA2")]
    assert f.status == "late" and f.overdue_minutes == 14
    assert "未做" in f.message and "2026-12-03 10:50 完工" in f.message


def test_reminder_due_in_working_hours_and_closed_by_the_visit(week):
    # YA1: slot Fri 12-04 14:00; 14:00 − 12 h = 02:00 → the close before it, Thu 12-03 17:30.
    # Not reminded at Fri 09:00: 17:30 → 09:00 = 15 h 30 min = 930 minutes overdue.
    f = week[("car.appointment_reminder", "YA1")]
    assert f.due == datetime(2026, 12, 3, 17, 30) and f.status == "overdue" and f.overdue_minutes == 930
    # YA2 (爽约): reminder due Wed 12-02 17:30, closed by the slot Thu 14:00: 20 h 30 min = 1,230 min late.
    f = week[("car.appointment_reminder", "YA2")]
    assert f.status == "late" and f.overdue_minutes == 1230 and "此项不再需要办理" in f.message
    # Its workshop notice, due 12-01 23:59, closed at the slot: 1 + 1,440 + 840 = 2,281 minutes.
    f = week[("car.workshop_notice", "YA2")]
    assert f.status == "late" and f.overdue_minutes == 2281
    # YA3 came at 08:25 Fri; reminder due Thu 17:30 (20:30 is after hours): 14 h 55 min = 895 min late.
    f = week[("car.appointment_reminder", "YA3")]
    assert f.status == "late" and f.overdue_minutes == 895 and "客户已于 2026-12-04 08:25 到店" in f.message
    # YA4: booked Thu 20:30, exactly 12 h before the slot and after the reminder's 17:30: none needed.
    assert ("car.appointment_reminder", "YA4") not in week
    assert not any(f.status == "overdue" for (rule, key), f in week.items()
                   if key in ("YA2", "YA3", "YA4") and rule != "car.no_show")


def test_file_dated_after_an_earlier_order_is_late(week):
    # 京B67890: WA3 received it 11-25 though the file says first visit 11-30; filed 12-02:
    # 11-25 → 12-02 = 7 days late (not 2).
    f = week[("car.file_same_day", "京B67890")]
    assert f.values["days_late"] == 7 and f.values["委托书号"] == "WA3"
    assert "委托书 WA3 于 2026-11-25 已接车" in f.message
