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
from .settings import Job, ReportSettings, ScheduleFile, load_schedule

# Producing a report pulls in the Word and Excel writers; a pack declaring its reports,
# or a file being processed, should not pay for them (PEP 562 lazy names).
_RUN = ("UnknownReport", "build_report", "produce")


def __getattr__(name: str):
    if name in _RUN:
        from . import run

        return getattr(run, name)
    raise AttributeError(name)


__all__ = [
    "Chart", "Kind", "Column", "Job", "Mark", "Period", "Report", "ReportSettings", "ScheduleFile",
    "Table", "UnknownReport", "build_report", "day_of", "load_schedule", "moment", "month_of",
    "parse_day", "parse_month", "parse_week", "period_for_slot", "produce", "report_kinds", "week_of",
]
