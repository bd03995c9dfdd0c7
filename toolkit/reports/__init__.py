"""Reports (SPEC §7): daily, weekly and monthly, as Excel workbooks and Word summaries.

* :func:`produce` — build a report, write it to outbox/报表/, record the run
* :func:`build_report` — the same report as rows, no files
* :func:`report_kinds` — the reports the workspace's packs declare (``Pack.reports``)
* :func:`load_schedule` — rules/schedule.yaml (jobs and the reports' settings)

Each report is a plain function from ledger data (records, and the rules' findings at
the report's moment) to tables of rows; ``xlsx`` and ``word`` write them.
"""

from .catalog import Kind, moment, period_for_slot, report_kinds
from .model import Chart, Column, Mark, Report, Table
from .periods import Period, day_of, month_of, parse_day, parse_month, parse_week, week_of
from .run import UnknownReport, build_report, produce
from .settings import Job, ReportSettings, ScheduleFile, load_schedule

__all__ = [
    "Chart", "Kind", "Column", "Job", "Mark", "Period", "Report", "ReportSettings", "ScheduleFile",
    "Table", "UnknownReport", "build_report", "day_of", "load_schedule", "moment", "month_of",
    "parse_day", "parse_month", "parse_week", "period_for_slot", "produce", "report_kinds", "week_of",
]
