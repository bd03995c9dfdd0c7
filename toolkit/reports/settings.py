"""``rules/schedule.yaml``: when each report runs, and the figures the reports judge by.

Validated like every rules file (pydantic + ``load_yaml_model``): an unknown key, a bad
time or a job naming an unknown report is a RulesError naming file, line and entry.
A missing file means the SPEC §7 defaults.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..ruleset.settings import Money
from ..rulesfile import RulesError, load_yaml_model, located_problem, read_yaml

SCHEDULE_FILE = "schedule.yaml"
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
            "sunday": 6, "周一": 0, "周二": 1, "周三": 2, "周四": 3, "周五": 4, "周六": 5, "周日": 6}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Job(_Strict):
    """One scheduled run: ``report`` every day / week (``day``: weekday) / month (``day``: 1–28)."""

    name: str = Field(min_length=1)
    report: Literal["daily_due", "daily_repairs", "weekly", "parking_roster", "monthly", "property_status"]
    cadence: Literal["daily", "weekly", "monthly"]
    day: int | str | None = None
    time: str

    @field_validator("time", mode="before")
    @classmethod
    def _hhmm(cls, v: Any) -> str:
        if not isinstance(v, str) or not _HHMM.match(v.strip()):
            raise ValueError('时间请写成带引号的 "HH:MM"，例如 "08:30"')
        return v.strip()

    @model_validator(mode="after")
    def _day_fits(self) -> Job:
        if self.cadence == "daily" and self.day is not None:
            raise ValueError("每日任务不需要 day")
        if self.cadence == "weekly" and self.weekday is None:
            raise ValueError("每周任务的 day 须为星期，例如 friday 或 周五")
        if self.cadence == "monthly" and not (isinstance(self.day, int) and 1 <= self.day <= 28):
            raise ValueError("每月任务的 day 须为 1 到 28 之间的日期（每个月都有的日子）")
        return self

    @property
    def weekday(self) -> int | None:
        return WEEKDAYS.get(str(self.day).strip().lower()) if self.day is not None else None

    @property
    def hour_minute(self) -> tuple[int, int]:
        h, m = self.time.split(":")
        return int(h), int(m)


class Responsible(_Strict):
    """Who answers for a register's records: a person column and a department (column or fixed)."""

    person: str | None = None  # column holding the person
    department_column: str | None = None  # column holding the department
    department: str = ""  # fixed department when the row names none


class Flow(_Strict):
    """When a register's record counts as received and as closed (column names)."""

    received: str
    closed: str | None = None


def _flows() -> dict[str, Flow]:
    return {
        "repair": Flow(received="报修时间", closed="完成时间"),
        "complaint": Flow(received="受理时间", closed="解决时间"),
        "request": Flow(received="受理时间", closed="回复时间"),
        "special_service": Flow(received="受理时间", closed="完成时间"),
        "renovation": Flow(received="申请日期", closed="审批日期"),
    }


def _responsible() -> dict[str, Responsible]:
    return {
        "repair": Responsible(person="接报人", department="工程部"),
        "complaint": Responsible(department_column="被投诉部门", department="客服中心"),
        "request": Responsible(department_column="转报部门", department="客服中心"),
        "special_service": Responsible(person="受理人", department="客服中心"),
        "renovation": Responsible(department="工程部"),
        "renovation_violation": Responsible(department="工程部"),
        "parking_card": Responsible(department="秩序部"),
        "parking_temp": Responsible(department="秩序部"),
        "fee_account": Responsible(department="财务部"),
        "handover": Responsible(department="客服中心"),
        "move_out": Responsible(department="秩序部"),
    }


class ReportSettings(_Strict):
    visit_min_person: int = Field(default=20, ge=0)  # visits a month per customer assistant
    visit_min_department: int = Field(default=10, ge=0)  # visits a month per department
    special_service_target: Money = Field(default=Decimal("0"), ge=0)  # monthly target, 元 (0 = none)
    roster_expired_days: int = Field(default=30, ge=0)  # roster also lists cards expired this recently
    flows: dict[str, Flow] = Field(default_factory=_flows)
    responsible: dict[str, Responsible] = Field(default_factory=_responsible)


def _jobs() -> list[Job]:
    return [
        Job(name="待办与逾期日报", report="daily_due", cadence="daily", time="08:30"),
        Job(name="未完工报修日报", report="daily_repairs", cadence="daily", time="17:00"),
        Job(name="周报", report="weekly", cadence="weekly", day="friday", time="17:00"),
        Job(name="停车月卡名单", report="parking_roster", cadence="weekly", day="monday", time="08:30"),
        Job(name="特约服务与收费月报", report="monthly", cadence="monthly", day=1, time="08:30"),
        Job(name="物业管理状况月报", report="property_status", cadence="monthly", day=3, time="08:30"),
    ]


class ScheduleFile(_Strict):
    """The whole of ``rules/schedule.yaml``."""

    stale_claim_minutes: int = Field(default=60, ge=1)  # a slot this recent still runs on first start (no back-fill beyond)
    jobs: list[Job] = Field(default_factory=_jobs)
    reports: ReportSettings = Field(default_factory=ReportSettings)

    def job_for(self, report: str) -> Job | None:
        return next((j for j in self.jobs if j.report == report), None)


# Parsed settings by file, with the bytes they were parsed from: every report and every
# scheduler tick reads the file, and parsing YAML costs far more than comparing bytes.
_PARSED: dict[Path, tuple[bytes, ScheduleFile]] = {}


def load_schedule(rules_dir: Path) -> ScheduleFile:
    """Read and validate rules/schedule.yaml (defaults when absent); RulesError on any problem."""
    path = Path(rules_dir) / SCHEDULE_FILE
    if not path.exists():
        return ScheduleFile()
    try:
        raw = path.read_bytes()
    except OSError:
        raw = None  # read_yaml below reports it
    hit = _PARSED.get(path)
    if raw is not None and hit is not None and hit[0] == raw:
        return hit[1]
    settings = _parse(path)
    if raw is not None:
        _PARSED[path] = (raw, settings)
    return settings


def _parse(path: Path) -> ScheduleFile:
    settings = load_yaml_model(path, ScheduleFile)
    seen: dict[str, int] = {}
    _, node = read_yaml(path)
    problems = []
    for i, job in enumerate(settings.jobs):
        if job.name in seen:
            problems.append(located_problem(path, node, ("jobs", i, "name"),
                                            f"任务名“{job.name}”与第 {seen[job.name] + 1} 个任务重复"))
        seen[job.name] = i
    if problems:
        raise RulesError(problems)
    return settings
