"""The dealer pack's settings: ``rules/dealer.yaml`` (联销体, 俱乐部, 合同, 顾问推进计划).

Every figure the dealer rules use is here; a missing entry means the seed's figure (or
the documented default), an unknown key or a bad value is refused with file and line.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from toolkit.ruleset.settings import Money, Strict

DEALER_FILE = "dealer.yaml"


class CountyMembers(Strict):
    min: int = Field(default=1, ge=0)  # seed：每个县至少一家
    max: int = Field(default=2, ge=1)  # seed：每县设 1—2 家


class ReportDue(Strict):
    """When a report is due: weekly ones on a weekday after the week, monthly ones on a day
    of the next month (the seed says only 每周 / 每月)."""

    weekly_weekday: int = Field(default=1, ge=1, le=7)  # 1 = 星期一（上一周的走访一览表）
    monthly_day: int = Field(default=5, ge=1, le=28)  # 次月 5 日（上一月的进货统计表、工作总结）


class Jsb(Strict):
    company: str = "徐州维维食品饮料有限公司"  # seed：协议乙方
    founded: date | None = None  # 联销体成立日期；不填时视为仍在成立初期（发走访基金）
    initial_months: int = Field(default=6, ge=0)  # seed：成立初期（时间半年）
    members_per_county: CountyMembers = Field(default_factory=CountyMembers)
    blank_market_months: int = Field(default=3, ge=0)  # seed：空白市场三个月的开发期
    min_share: Decimal = Decimal("0.70")  # seed：不低于其所在市场销量的 70%
    below_months_to_cancel: int = Field(default=3, ge=1)  # seed：连续三个月不能达到
    primary_coverage: Decimal = Decimal("0.80")  # seed：成员总销量达到一级经销商销量的 80%
    visits_per_month: int = Field(default=1, ge=0)  # seed：每月至少走访一次
    calls_per_month: int = Field(default=1, ge=0)  # seed：每月至少电话调度一次
    visit_fund: Money = Decimal(500)  # seed：每个业务员每月 500 元
    pay_fixed_share: Decimal = Decimal("0.70")  # seed：2000×70%
    pay_network_share: Decimal = Decimal("0.30")  # seed：网络建设考核占工资分配的 30%
    report_late_fine: Money = Decimal(50)  # seed：迟报一次扣 50 元
    report_missing_fine: Money = Decimal(200)  # seed：漏报一次扣 200 元
    report_due: ReportDue = Field(default_factory=ReportDue)
    reward_rate: Decimal = Decimal("0.004")  # seed：以销售量的 4‰ 作奖励
    counterfeit_min_penalty: Money = Decimal(50000)  # seed：最低伍万元
    informer_share: Decimal = Decimal("0.80")  # seed：罚金的 80% 奖励举报人
    plaque_text: str = "维维系列产品指定销售点"  # seed（协议用语）

    @model_validator(mode="after")
    def _shares(self) -> Jsb:
        for name in ("min_share", "primary_coverage", "pay_fixed_share", "pay_network_share", "informer_share"):
            if not Decimal(0) <= getattr(self, name) <= Decimal(1):
                raise ValueError(f"{name} 应在 0 到 1 之间（70% 写 0.70）")
        if self.members_per_county.min > self.members_per_county.max:
            raise ValueError("members_per_county 的 min 不能大于 max")
        return self


class Club(Strict):
    validity_extension_days: int = Field(default=10, ge=0)  # seed：保险期限顺延 10 日
    vip_fee_per_year: Money = Decimal(365)  # seed：365 元/年
    expiry_reminder_days: int = Field(default=30, ge=0)  # default
    policy_months: int = Field(default=12, ge=1)  # 续保后新保单的期限（默认一年）


class ContractSettings(Strict):
    tiers: list[int] = Field(default_factory=lambda: [1, 30])  # 1：付款提醒（default）；30：逾期满 30 天、次日起违约（seed）
    arbitration: str = "常州仲裁委员会"  # seed
    copies: int = Field(default=6, ge=1)  # seed：壹式陆份
    copies_each: int = Field(default=3, ge=1)  # seed：双方各执叁份

    @model_validator(mode="after")
    def _tiers(self) -> ContractSettings:
        if len(self.tiers) != 2 or not 0 < self.tiers[0] < self.tiers[1]:
            raise ValueError("tiers 写两个递增的天数：[提醒, 违约]，例如 [1, 30]")
        return self


PhaseName = Literal["前期阶段", "建立管理文件系统", "中期现场执行情况跟踪", "管理评估与持续改进"]


class Phase(Strict):
    name: PhaseName
    months: int = Field(ge=0)
    # Runs inside another phase (same start) instead of after the one before it.
    within: PhaseName | None = None


def _phases() -> list[Phase]:
    return [
        Phase(name="前期阶段", months=4),
        Phase(name="建立管理文件系统", months=4, within="前期阶段"),
        Phase(name="中期现场执行情况跟踪", months=2),
        Phase(name="管理评估与持续改进", months=2),
    ]


class Dealer(Strict):
    """``rules/dealer.yaml``."""

    jsb: Jsb = Field(default_factory=Jsb)
    club: Club = Field(default_factory=Club)
    contract: ContractSettings = Field(default_factory=ContractSettings)
    consulting_phases: list[Phase] = Field(default_factory=_phases)
