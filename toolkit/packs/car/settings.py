"""The car pack's settings: ``sla.yaml`` → ``car:`` and ``tariffs.yaml`` → ``car:``.

Every figure of the car desk's rules is here; *seed* figures come from the service
manuals, the others are defaults a site may change (docs/findings.md, "Car desk").
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from toolkit.ruleset.settings import Deadline, Money, Strict, Window, deadline

SLA_FILE = "sla.yaml"
TARIFFS_FILE = "tariffs.yaml"


def _window(**kw: object) -> object:
    return Field(default_factory=lambda: Window(**kw))


class CarSla(Strict):
    """``sla.yaml`` → ``car:``."""

    # seed: 要于当日内通知车间主管
    workshop_notice: Deadline = deadline("calendar", 0, "days", "当日通知车间", until="day_end")
    # seed: 提前半天或一天 → the latest allowed moment, half a day before
    appointment_reminder: Deadline = deadline("calendar", 12, "hours", "预约提醒", before="预约进厂时间")
    # default: an appointment not kept this long after its time is a no-show
    no_show_grace: Deadline = deadline("calendar", 30, "minutes", "预约到店")
    appointment_window_months: int = Field(default=1, ge=1)  # seed: 预约登记表一个月内登记车辆
    progress_check: Window = _window(clock="calendar", label="维修进度查询", **{"from": "0.70", "to": "0.80"})
    extra_contact: Deadline = deadline("calendar", 15, "minutes", "增项联系客户")  # default for 立即
    followup: Window = _window(clock="calendar", label="出厂跟踪回访", unit="days", opens=2, closes=7,
                               whole_days=True)  # seed: 出厂二天至一周之内
    maintenance_reminder_days: int = Field(default=7, ge=0)  # default
    message_callback: Deadline = deadline("business_hours", 2, "hours", "留言回电")  # default
    estimate_tolerance_percent: Decimal = Field(default=Decimal(10), ge=0)  # default: 合理范围
    outstanding_days: int = Field(default=7, ge=0)  # default: 欠收 this old is listed in the daily list
    repeat_repair_days: int = Field(default=30, ge=1)  # default: 一次修复率, back within this many days


class Deposit(Strict):
    high_value_parts: Money = Field(default=Decimal(1000), ge=0)  # default: 价值较高
    min_ratio: Decimal = Field(default=Decimal("0.5"), gt=0, le=1)  # seed: 不少于原价的二分之一


class CarTariffs(Strict):
    """``tariffs.yaml`` → ``car:``."""

    appointment_deposit: Deposit = Field(default_factory=Deposit)
    # seed: 工时费享有折扣 (no rate) → off until a site sets a rate such as 0.1
    appointment_labour_discount: Decimal | None = Field(default=None, gt=0, lt=1)
    order_fine: Money = Field(default=Decimal(5), ge=0)  # seed: 每份委托书 5 元
    diagnosis_fee: Money | None = None  # seed gives no amount
    safety_points: dict[str, int] = Field(default_factory=lambda: {
        "不会正确使用消防设备和器材": 10,
        "不参加安全学习培训活动": 20,
        "未履行四防安全职责": 20,
        "未经允许驾驶维修车辆": 50,
        "发生三违事件或失职造成重大事故隐患": 100,
    })
