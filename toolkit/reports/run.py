"""Producing a report: the one function the CLI and the schedule both call."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ..collector import gc_paused
from ..workcal import WorkCalendar, load_calendar
from .catalog import default_period, moment, report_kinds
from .model import Report
from .periods import Period
from .settings import ScheduleFile, load_schedule
from .source import Source

log = logging.getLogger("toolkit")
SINCE_MARGIN_DAYS = 7


class UnknownReport(ValueError):
    pass


def build_report(ctx: Any, name: str, now: datetime, period: Period | None = None,
                 schedule: ScheduleFile | None = None) -> tuple[Report, Source]:
    """The report as rows (no files written).

    Without ``period``: the one a scheduled run at ``now`` would report on (``default_period``), as of ``now``.
    With one: as of the moment the schedule produces it (or ``now``, if that is earlier),
    so a report made on demand for a past period equals the scheduled one.
    """
    kinds = report_kinds(ctx.ws.rules)
    kind = kinds.get(name)
    if kind is None:
        raise UnknownReport(f"没有名为 {name} 的报表（可用：{'、'.join(kinds)}）")
    schedule = schedule or load_schedule(ctx.ws.rules)
    if period is None:
        period, as_of = default_period(kind, now), now
    else:
        if period.kind != kind.period:
            raise ValueError(f"报表 {name} 按{ {'day': '日', 'week': '周', 'month': '月'}[kind.period]}出，"
                             f"请用 {'--date' if kind.period == 'day' else '--' + kind.period}")
        as_of = min(now, moment(kind, period, schedule, _calendar(ctx, name, schedule)))
    # Event records closed and untouched for a week before the window cannot change it.
    first = period.start_dt if kind.period == "day" else period.previous().start_dt
    src = Source(ctx, as_of, schedule, since=first - timedelta(days=SINCE_MARGIN_DAYS))
    return kind.build(src, period), src


def _calendar(ctx: Any, name: str, schedule: ScheduleFile) -> WorkCalendar | None:
    """The workspace's working days, read only when the report's job follows them (``after_workday``)."""
    job = schedule.job_for(name)
    return load_calendar(ctx.ws.rules) if job is not None and job.after_workday else None


def _statements(ctx: Any, report: Report, now: datetime) -> list[Path]:
    """Per-unit special-service statements (Word drafts, numbered, once per set of facts)."""
    from ..documents import issue_statement

    out = []
    for room, records in sorted(report.statements.items()):
        path = issue_statement(ctx.ws, ctx.ledger, room, report.period.start, records, now)
        if path is not None:
            out.append(path)
    return out


def _notices(ctx: Any, report: Report, now: datetime) -> list[Path]:
    from ..documents import issue_document

    out = []
    for n in report.notices:
        path = issue_document(ctx.ws, ctx.ledger, n["type"], n["register"], n["record"], n["values"], now)
        if path is not None:
            out.append(path)
    return out


def issuer(ws: Any) -> str:
    """The company and department a report is issued by (documents.yaml), for its footer."""
    from ..documents import documents_config

    config = documents_config(ws)
    return f"{config.company_full} {config.department}".strip()


def produce(ctx: Any, name: str, now: datetime, period: Period | None = None,
            schedule: ScheduleFile | None = None, *, kind: str = "report") -> Report:
    """Build the report, write its files into outbox/报表/ and record the run in the ledger."""
    run_id = ctx.ledger.start_run(kind, now)
    try:
        with gc_paused():
            # The source (every record read, every finding) is let go at once, before the
            # collector runs again: it would otherwise walk all of it.
            report = build_report(ctx, name, now, period, schedule)[0]
        # The writers (openpyxl, docxtpl) are loaded here: a process that only needs this
        # module's tables (a new ledger's schema) does not load them.
        from .xlsx import write_xlsx

        folder = ctx.ws.reports
        folder.mkdir(parents=True, exist_ok=True)
        with gc_paused():  # its rows are as many small objects as the figures were
            report.outputs.append(str(write_xlsx(report, folder / f"{report.stem}.xlsx")))
        if report.word:
            # docxtpl and python-docx: loaded only for a report with a Word summary
            from .word import write_docx

            report.outputs.append(str(write_docx(report, ctx.ws.templates, folder / f"{report.stem}.docx",
                                                 issuer(ctx.ws))))
        if report.statements:
            report.outputs += [str(p) for p in _statements(ctx, report, now)]
        if report.notices:
            report.outputs += [str(p) for p in _notices(ctx, report, now)]
    except Exception as exc:
        ctx.ledger.finish_run(run_id, "failed", {"report": name, "error": str(exc)}, now)
        raise
    ctx.ledger.finish_run(run_id, "done", report.to_dict(), now)
    log.info("报表 %s %s：%s", report.title, report.period.zh, "、".join(Path(p).name for p in report.outputs))
    return report
