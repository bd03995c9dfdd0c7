"""The car desk's rules on registers filled as a service advisor fills them; every figure
checked against the hand computation written beside it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from car_fixtures import car_workbook, cli, findings, process

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
    # YY001: slot 11-23 09:00 → remind by 11-22 21:00; reminded 15:00 → met.
    assert ("car.appointment_reminder", "YY001") not in found
    # YY004: slot 11-23 14:00 → remind by 11-23 02:00; never reminded → overdue.
    f = found[("car.appointment_reminder", "YY004")]
    assert f.status == "overdue" and f.due == datetime(2026, 11, 23, 2, 0)
    # YY003: slot 11-23 10:00 → by 11-22 22:00; reminded 11-23 08:00 → 600 minutes late.
    f = found[("car.appointment_reminder", "YY003")]
    assert f.status == "late" and f.overdue_minutes == 600
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
