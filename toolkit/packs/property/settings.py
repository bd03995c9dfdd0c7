"""The property pack's rule settings, read from ``rules/sla.yaml``, ``rules/tariffs.yaml`` and ``rules/escalation.yaml``.

Every figure the rules use lives in one of these files; a missing file or entry means
the SPEC default, an unknown key or a bad value is refused with file and line
(RulesError). The special-service price list is an Excel table (see ``pricelist``).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from pydantic import Field, field_validator

from toolkit.ruleset.settings import Deadline, Money
from toolkit.ruleset.settings import Strict as _Strict
from toolkit.ruleset.settings import deadline as _d

SLA_FILE = "sla.yaml"
TARIFFS_FILE = "tariffs.yaml"
ESCALATION_FILE = "escalation.yaml"

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class RepairSla(_Strict):
    arrival: Deadline = _d("calendar", 30, "minutes", "紧急报修到场")
    # Seed 003 3.4.4: arrive no later than the appointment (judged on 到场时间).
    appointment: Deadline = _d("calendar", 0, "minutes", "预约维修到场")
    # Stand-in when a sheet has no 到场时间 yet: completion within this grace of the appointment.
    appointment_grace: Deadline = _d("calendar", 30, "minutes", "预约维修完成")
    # Seed 001 报修 4: "当日…回访" — 23:59 of the day the repair was completed.
    callback: Deadline = _d("calendar", 0, "days", "维修回访", until="day_end")
    unfinished_cutoff: str = "17:00"  # repairs of the day not done by then go on the daily list

    @field_validator("unfinished_cutoff", mode="before")
    @classmethod
    def _hhmm(cls, v: Any) -> str:
        if not isinstance(v, str) or not _HHMM.match(v.strip()):
            raise ValueError('时间请写成带引号的 "HH:MM"，例如 "17:00"')
        return v.strip()


class ComplaintSla(_Strict):
    forward: Deadline = _d("calendar", 10, "minutes", "投诉转报")
    minor: Deadline = _d("business_hours", 4, "hours", "轻微投诉处理")
    # Seed 001 投诉 时效 "1日内" / "2日内": days on the clock, as the 15 days beside them; the
    # manual says 工作日 where it means working days (装修 "1个工作日内审批").
    important: Deadline = _d("calendar", 1, "days", "重要投诉处理")
    major_reply: Deadline = _d("calendar", 2, "days", "重大投诉答复")
    major_resolution: Deadline = _d("calendar", 15, "days", "重大投诉解决")
    callback: Deadline = _d("calendar", 1, "days", "投诉回访")
    # Seed 001 投诉 5.3: the result goes back to the customer the day the feedback arrives.
    reply: Deadline = _d("calendar", 0, "days", "投诉处理结果回复", until="day_end")


class RequestSla(_Strict):
    forward: Deadline = _d("calendar", 10, "minutes", "需求转报")
    reply: Deadline = _d("calendar", 1, "days", "需求答复")
    # Seed 001 回访 names opinions and suggestions but no time: the complaints' 1 day (default).
    callback: Deadline = _d("calendar", 1, "days", "需求建议回访")


def _names(v: list[str], what: str) -> list[str]:
    out = [str(n).strip() for n in v]
    if any(not n for n in out):
        raise ValueError(f"{what}不能为空")
    return out


class RenovationSla(_Strict):
    approval: Deadline = _d("workdays", 1, "days", "装修审批")
    refund_after_months: int = Field(default=3, ge=0)
    rectification_days: int = Field(default=3, ge=0)
    # Seed 001 装修 13–14, 003 3.2.4 4.2: each department patrols every site under way daily.
    patrol_departments: list[str] = Field(default_factory=lambda: ["客户服务中心", "工程部", "保安部"], min_length=1)
    patrol_min_per_day: int = Field(default=1, ge=1)  # "每日分别…不少于一次"
    patrol_look_back_days: int = Field(default=7, ge=1)  # days before today the daily list shows
    patrol_working_days_only: bool = True

    @field_validator("patrol_departments")
    @classmethod
    def _departments(cls, v: list[str]) -> list[str]:
        return _names(v, "巡查部门")


class ServiceSla(_Strict):
    callback: Deadline = _d("calendar", 24, "hours", "特约服务回访")
    # Seed 004 5.4.1 "按客户预约时间实施": on site (else done) by 预约时间 + 30 min (the repairs' grace).
    appointment: Deadline = _d("calendar", 30, "minutes", "特约服务按预约上门")


class PatrolSla(_Strict):
    """Seed 001 楼层巡检."""

    min_floors: int = Field(default=5, ge=1)  # "随机抽查5个楼层"
    forward: Deadline = _d("calendar", 30, "minutes", "巡检问题转报")  # "在30分钟内及时转报"
    # "不超过第2日到现场核实": by 23:59 of the day after the problem was found.
    verify: Deadline = _d("calendar", 1, "days", "巡检问题现场核实", until="day_end")
    min_per_day: int = Field(default=1, ge=1)  # "客户助理每日巡视楼宇不少于1次"
    # Who must patrol; empty: everyone with a patrol in the month of the day judged.
    assistants: list[str] = Field(default_factory=list)
    look_back_days: int = Field(default=7, ge=1)  # days before today the daily list shows
    working_days_only: bool = True  # "每日" read as working days (calendar.yaml)

    @field_validator("assistants")
    @classmethod
    def _assistants(cls, v: list[str]) -> list[str]:
        return _names(v, "客户助理姓名")


class SurveySla(_Strict):
    """Seed 001 满意度调查."""

    min_distribution: Decimal = Field(default=Decimal("0.60"), ge=0, le=1)  # "发放率不少于60%"


class CommunitySla(_Strict):
    """Seed 001 社区文化活动."""

    notice_days: int = Field(default=7, ge=0)  # "提前7天向业主公告"
    prepare_days_min: int = Field(default=7, ge=0)  # "提前7-30天筹备"
    prepare_days_max: int = Field(default=30, ge=0)
    important_estate: bool = False  # "重点项目平均每2月组织1次"
    min_per_year: int = Field(default=6, ge=1)


class KeysSla(_Strict):
    """Seed 001 钥匙委托管理: an internal loan comes back the same day (default)."""

    borrow_return: Deadline = _d("calendar", 0, "days", "钥匙借用归还", until="day_end")


class RefusedKind(_Strict):
    kind: str = Field(min_length=1)  # named in the finding
    words: list[str] = Field(min_length=1)  # any of them in 寄存物品 matches


def _refused() -> list[RefusedKind]:
    # Seed 001 物品寄存 2: the seven kinds not taken in.
    return [RefusedKind(kind=k, words=w) for k, w in (
        ("易腐食品", ["易腐", "食品", "生鲜", "蛋糕", "水果", "海鲜"]),
        ("重要文件", ["重要文件", "合同", "证件", "票据"]),
        ("现金", ["现金", "钱款"]),
        ("代金券", ["代金券", "购物卡", "购物券", "礼品卡"]),
        ("精密仪器", ["精密仪器", "仪器"]),
        ("易碎玻璃器皿", ["玻璃", "易碎", "瓷器"]),
        ("贵重物品", ["贵重", "首饰", "珠宝", "黄金", "手表"]),
    )]


class StorageSla(_Strict):
    """Seed 001 物品寄存: temporary storage only, seven kinds refused, pickup by the agreed time."""

    refused_items: list[RefusedKind] = Field(default_factory=_refused)
    # The seed stops at "如客户未能在预定时间": overdue pickups go on the daily list (default).
    pickup: Deadline = _d("calendar", 0, "minutes", "寄存物品取件")


class MailSla(_Strict):
    """Seed 001 报刊邮件: express and registered mail handed on at once (default: the same day)."""

    important: list[str] = Field(default_factory=lambda: ["快件", "挂号"])
    deliver: Deadline = _d("calendar", 0, "days", "快件挂号送交", until="day_end")


class ContactSla(_Strict):
    """Seed 001 接待: "重大、紧急、突发事件问题立即报告上级领导" — 立即 read as 10 minutes (default)."""

    report: Deadline = _d("calendar", 10, "minutes", "重大紧急事项上报")


class MoveInSla(_Strict):
    """Seed 001 入住 2 and 4: the papers a tenant's move-in needs."""

    tenant_papers: list[str] = Field(default_factory=lambda: ["业主承诺书", "租赁协议", "租户信息表", "安全责任书"])


class DispatchSla(_Strict):
    """Seed 001 节点15: "及时撤下过期通告", "单独向某个客户发文…请客户签收" (no figures)."""

    # A posted notice comes down by 23:59 of the day after its 有效期至 (default).
    take_down: Deadline = _d("calendar", 1, "days", "过期通知撤下", until="day_end")
    # A notice handed to one customer is signed for within a working day of its approval (default).
    receipt: Deadline = _d("workdays", 1, "days", "客户签收")


class MoveOutSla(_Strict):
    """Seed 001 放行 3.2 "频繁、非正常临时搬运单件物品出门，则引起注意" (no figure: default)."""

    frequent_count: int = Field(default=3, ge=2)
    frequent_days: int = Field(default=7, ge=1)


class ParkingSla(_Strict):
    expiry_reminder_days: int = Field(default=7, ge=0)


class Sla(_Strict):
    """``rules/sla.yaml``."""

    soon_minutes: int = Field(default=60, ge=0)  # "due soon" this long before a deadline
    repair: RepairSla = Field(default_factory=RepairSla)
    complaint: ComplaintSla = Field(default_factory=ComplaintSla)
    request: RequestSla = Field(default_factory=RequestSla)
    renovation: RenovationSla = Field(default_factory=RenovationSla)
    special_service: ServiceSla = Field(default_factory=ServiceSla)
    parking: ParkingSla = Field(default_factory=ParkingSla)
    patrol: PatrolSla = Field(default_factory=PatrolSla)
    survey: SurveySla = Field(default_factory=SurveySla)
    community: CommunitySla = Field(default_factory=CommunitySla)
    keys: KeysSla = Field(default_factory=KeysSla)
    storage: StorageSla = Field(default_factory=StorageSla)
    mail: MailSla = Field(default_factory=MailSla)
    contact: ContactSla = Field(default_factory=ContactSla)
    move_in: MoveInSla = Field(default_factory=MoveInSla)
    dispatch: DispatchSla = Field(default_factory=DispatchSla)
    move_out: MoveOutSla = Field(default_factory=MoveOutSla)


class TempParking(_Strict):
    base_hours: int = Field(default=2, ge=0)
    base_fee: Money = Field(default=Decimal("2"), ge=0)
    extra_per_hour: Money = Field(default=Decimal("1"), ge=0)
    daily_cap: Money = Field(default=Decimal("6"), ge=0)
    day_hours: int = Field(default=24, ge=1)



class MonthlyCard(_Strict):
    monthly_fee: Money = Field(default=Decimal("100"), ge=0)
    deposit: Money = Field(default=Decimal("50"), ge=0)



class Parking(_Strict):
    temporary: TempParking = Field(default_factory=TempParking)
    monthly_card: MonthlyCard = Field(default_factory=MonthlyCard)


class Arrears(_Strict):
    tiers: list[int] = Field(default_factory=lambda: [1, 30, 90], min_length=1)  # days overdue

    @field_validator("tiers")
    @classmethod
    def _ascending(cls, v: list[int]) -> list[int]:
        if any(d < 1 for d in v) or any(b <= a for a, b in zip(v, v[1:], strict=False)):
            raise ValueError("催缴档位（逾期天数）须为正整数且从小到大排列，例如 [1, 30, 90]")
        return v


class Handover(_Strict):
    prepaid_months: int = Field(default=6, ge=1)


class Transfer(_Strict):
    min_prepaid_months: int = Field(default=6, ge=1)  # seed 001 "收取新业主至少半年物管费用"


class Renovation(_Strict):
    fire_approval_area: Money = Field(default=Decimal("200"), ge=0)  # m², strictly more needs approval
    deposit_allowed: bool = True  # seed 001 装修 9 "如当地没有规定不允许收取"
    # Seed 003 3.2.1: the contractor's qualification "二级以上,含二级".
    accepted_qualifications: list[str] = Field(default_factory=lambda: ["一级", "二级"], min_length=1)



class Services(_Strict):
    price_list: str = "price_list.xlsx"  # file in rules/
    closest_items: int = Field(default=3, ge=1)
    # Seed 004 5.2.3: only an authorised person may raise or lower a listed price.
    authorised_approvers: list[str] = Field(default_factory=list)
    # Seed 004 5.2.1 "每年至少修订一次": the monthly report warns when 修订日期 is older.
    revision_months: int = Field(default=12, ge=1)

    @field_validator("authorised_approvers")
    @classmethod
    def _names(cls, v: list[str]) -> list[str]:
        out = [str(n).strip() for n in v]
        if any(not n for n in out):
            raise ValueError("有权审批人的姓名不能为空")
        return out


class Lending(_Strict):
    """Seed 001 雨伞: an item damaged or lost is paid at its original price; the price of an
    item the register leaves blank comes from here ({物品: 元})."""

    prices: dict[str, Money] = Field(default_factory=lambda: {"雨伞": Decimal("30")})


class Tariffs(_Strict):
    """``rules/tariffs.yaml``."""

    parking: Parking = Field(default_factory=Parking)
    arrears: Arrears = Field(default_factory=Arrears)
    handover: Handover = Field(default_factory=Handover)
    transfer: Transfer = Field(default_factory=Transfer)
    renovation: Renovation = Field(default_factory=Renovation)
    special_service: Services = Field(default_factory=Services)
    lending: Lending = Field(default_factory=Lending)


class Escalation(_Strict):
    """``rules/escalation.yaml``: when a complaint rises to 重大 whatever its row says."""

    distinct_customers: int = Field(default=5, ge=2)  # distinct 投诉人 on one 事件
    unresolved_days: int = Field(default=7, ge=1)  # effective complaint unresolved this long
    keywords: list[str] = Field(default_factory=lambda: ["大面积停电", "大面积停水", "电梯停运"])
    repeat_same_unit: int = Field(default=3, ge=2)  # same 房号 and 事件 this many times

    @field_validator("keywords")
    @classmethod
    def _non_empty(cls, v: list[str]) -> list[str]:
        out = [str(k).strip() for k in v]
        if any(not k for k in out):
            raise ValueError("关键词不能为空")
        return out
