"""``rules/schedule.yaml``: when each report runs, and the figures the reports judge by.

Validated like every rules file (pydantic + ``load_yaml_model``): an unknown key, a bad
time or a job naming an unknown report is a RulesError naming file, line and entry.
A missing file means the SPEC §7 defaults.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..ruleset.settings import Money
from ..rulesfile import RulesError, load_yaml_model, located_problem, read_yaml
from ..workcal import WorkCalendar

SCHEDULE_FILE = "schedule.yaml"
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
            "sunday": 6, "周一": 0, "周二": 1, "周三": 2, "周四": 3, "周五": 4, "周六": 5, "周日": 6}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Job(_Strict):
    """One scheduled run: ``report`` every day / week (``day``: weekday) / month (``day``: 1–28).

    ``after_workday`` (weekly or monthly): ``day`` is when staff hand in the period's lists
    (the weekday after the week, the day of the next month); the run waits for the working
    day after it, itself moved to the next working day when it is a rest day or holiday — a
    report that reads what staff hand in by a deadline that moves the same way.
    """

    name: str = Field(min_length=1)
    report: str = Field(pattern=r"^[a-z][a-z0-9_]*$")  # a report some enabled pack declares
    cadence: Literal["daily", "weekly", "monthly"]
    day: int | str | None = None
    time: str
    after_workday: bool = False

    @field_validator("time", mode="before")
    @classmethod
    def _hhmm(cls, v: Any) -> str:
        if not isinstance(v, str) or not _HHMM.match(v.strip()):
            raise ValueError('时间请写成带引号的 "HH:MM"，例如 "08:30"')
        return v.strip()

    @field_validator("after_workday", mode="before")
    @classmethod
    def _yes_no(cls, v: Any) -> bool:
        if not isinstance(v, bool):  # "是", 1 or "yes" in quotes would read as a guess
            raise ValueError("after_workday 请写 true（顺延到截止日后的下一个工作日）或 false")
        return v

    @model_validator(mode="after")
    def _day_fits(self) -> Job:
        if self.cadence == "daily" and self.day is not None:
            raise ValueError("每日任务不需要 day")
        if self.cadence == "weekly" and self.weekday is None:
            raise ValueError("每周任务的 day 须为星期，例如 friday 或 周五")
        if self.cadence == "monthly" and not (isinstance(self.day, int) and 1 <= self.day <= 28):
            raise ValueError("每月任务的 day 须为 1 到 28 之间的日期（每个月都有的日子）")
        if self.after_workday and self.cadence == "daily":
            raise ValueError("after_workday 只用于每周、每月任务：按工作日顺延的是每周、每月的截止日")
        return self

    def run_day(self, year: int, month: int, cal: WorkCalendar | None = None) -> date:
        """The day this monthly job runs for ``year``-``month``: ``day``, or with
        ``after_workday`` the working day after it (moved to a working day first, so
        2026-10-05 in the National Day holiday → 10-08 → 10-09). It may fall in the
        next month when a long holiday follows a late ``day``."""
        return self._after(date(year, month, int(self.day or 1)), cal)

    def week_run_day(self, week_start: date, cal: WorkCalendar | None = None) -> date:
        """The day this weekly job runs for the week beginning Monday ``week_start``: its
        weekday in the week after, or with ``after_workday`` the working day after that
        (moved first: the list due Monday 2026-10-05, in the National Day holiday, is due
        Thursday 10-08 and the report runs Friday 10-09)."""
        return self._after(week_start + timedelta(days=7 + (self.weekday or 0)), cal)

    def _after(self, d: date, cal: WorkCalendar | None) -> date:
        if not self.after_workday:
            return d
        cal = cal or WorkCalendar()
        due = d if cal.is_workday(d) else cal.next_workday(d)
        return cal.next_workday(due)

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
    # Column naming who acts while the person column is still blank (a phone message's
    # 被找人员 until someone writes 处理人).
    person_fallback: str | None = None
    department_column: str | None = None  # column holding the department
    department: str = ""  # fixed department when the row names none


class Flow(_Strict):
    """When a register's record counts as received and as closed (column names)."""

    received: str
    closed: str | None = None


class ReportSettings(_Strict):
    visit_min_person: int = Field(default=20, ge=0)  # customers seen a month per customer assistant (seed 001)
    visit_min_department: int = Field(default=10, ge=0)  # customers seen a month per department (seed 001)
    special_service_target: Money = Field(default=Decimal("0"), ge=0)  # monthly target, 元 (0 = none)
    roster_expired_days: int = Field(default=30, ge=0)  # roster also lists cards expired this recently
    # Per register; the packs' defaults (``Pack.flows``, ``Pack.responsible``) fill in the
    # registers this file does not name.
    flows: dict[str, Flow] = Field(default_factory=dict)
    responsible: dict[str, Responsible] = Field(default_factory=dict)


class ScheduleFile(_Strict):
    """The whole of ``rules/schedule.yaml``."""

    stale_claim_minutes: int = Field(default=60, ge=1)  # a slot this recent still runs on first start (no back-fill beyond)
    jobs: list[Job] = Field(default_factory=list)  # none given: the packs' default jobs
    reports: ReportSettings = Field(default_factory=ReportSettings)

    def job_for(self, report: str) -> Job | None:
        return next((j for j in self.jobs if j.report == report), None)


class PackJobs(_Strict):
    """A pack's own schedule file (``Pack.schedule_file``): its jobs only."""

    jobs: list[Job] = Field(default_factory=list)


# Parsed settings by the bytes they were parsed from: every report and every scheduler
# tick reads the schedule, and parsing YAML costs far more than comparing bytes.
_PARSED: dict[Path, tuple[tuple[bytes | None, ...], ScheduleFile]] = {}


def _bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def load_schedule(rules_dir: Path) -> ScheduleFile:
    """rules/schedule.yaml with every enabled pack's jobs and report defaults, validated.

    A missing file, or one without ``jobs``, means the packs' default jobs; a job naming
    a report no enabled pack declares is a RulesError naming file, line and entry.
    """
    from ..packs import PACKS_FILE, workspace_packs

    rules_dir = Path(rules_dir)
    packs = workspace_packs(rules_dir)
    files = [SCHEDULE_FILE, PACKS_FILE, *sorted({p.schedule_file for p in packs if p.schedule_file})]
    signature = tuple(_bytes(rules_dir / f) for f in files)
    hit = _PARSED.get(rules_dir)
    if hit is not None and hit[0] == signature:
        return hit[1]
    settings = _parse(rules_dir, packs)
    _PARSED[rules_dir] = (signature, settings)
    return settings


def _parse(rules_dir: Path, packs: list) -> ScheduleFile:
    main = rules_dir / SCHEDULE_FILE
    base = load_yaml_model(main, ScheduleFile) if main.exists() else ScheduleFile()
    jobs: list[tuple[Path, int, Job]] = []  # (file, index in it, job)
    main_jobs = "jobs" in base.model_fields_set
    if main_jobs:
        jobs += [(main, i, j) for i, j in enumerate(base.jobs)]
    for p in packs:
        own = rules_dir / p.schedule_file if p.schedule_file else None
        if own is not None and own != main and own.exists():
            jobs += [(own, i, j) for i, j in enumerate(load_yaml_model(own, PackJobs).jobs)]
        elif own is None or own == main and not main_jobs or not own.exists():
            jobs += [(main, -1, j) for j in p.jobs]  # the pack's defaults
    kinds = {k.name for p in packs for k in p.reports}
    seen: dict[str, int] = {}
    problems = []
    nodes: dict[Path, Any] = {}
    for n, (path, i, job) in enumerate(jobs):
        where = ("jobs", i, "name")
        if i >= 0 and path not in nodes:
            nodes[path] = read_yaml(path)[1]
        if job.name in seen:
            msg = f"任务名“{job.name}”与第 {seen[job.name] + 1} 个任务重复"
            problems.append(located_problem(path, nodes.get(path), where, msg) if i >= 0 else f"{path}: {msg}")
        seen[job.name] = n
        if job.report not in kinds:
            msg = f"没有名为 {job.report} 的报表（已启用的业务包提供：{'、'.join(sorted(kinds)) or '无'}）"
            problems.append(located_problem(path, nodes.get(path), ("jobs", i, "report"), msg))
    if problems:
        raise RulesError(problems)
    flows = {reg: f for p in packs for reg, f in p.flows.items()} | base.reports.flows
    responsible = {reg: r for p in packs for reg, r in p.responsible.items()} | base.reports.responsible
    reports = base.reports.model_copy(update={"flows": flows, "responsible": responsible})
    return base.model_copy(update={"jobs": [j for _, _, j in jobs], "reports": reports})
