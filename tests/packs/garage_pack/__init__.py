"""A tiny example pack (a garage front desk), used by the tests of the pack mechanism.

It shows every part of a declaration: two registers, a settings section in the shared
``sla.yaml``, one rule that declares what it reads, one report with a default job.
It is installed for the tests through the ``toolkit.packs`` entry point (see
tests/test_packs.py), the way a pack living outside this repository would be.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toolkit.packs import Pack, SettingsPart, per_record
from toolkit.reports.catalog import Kind
from toolkit.reports.model import Column, Report, Table
from toolkit.reports.settings import Job
from toolkit.ruleset.settings import Deadline, Strict, deadline
from toolkit.ruleset.timing import as_dt, track


class GarageSla(Strict):
    """``sla.yaml`` → ``garage:``."""

    promise: Deadline = deadline("calendar", 0, "minutes", "按时完工")
    reminder: Deadline = deadline("calendar", 12, "hours", "预约提醒", before="预约进厂时间")


def promise_findings(env: Any, key: str, v: dict[str, Any]) -> list[Any]:
    promised = as_dt(v.get("预计完工时间"))
    if promised is None:
        return []
    spec = env.settings.sla.promise
    return [track(env, "garage.promise", "garage_order", key, f"委托书 {key}（{v.get('车牌号')}）",
                  spec.label, env.due(spec, promised), as_dt(v.get("完工时间")), start=as_dt(v.get("接车时间")))]


def garage_daily(src: Any, period: Any) -> Report:
    late = [f for f in src.findings("garage_order") if f.status in ("overdue", "late")]
    rows = [[f.record, f.message] for f in late]
    table = Table("超时", "未按时完工的委托书", [Column("委托书号", width=14), Column("情况", width=60)], rows)
    return Report("garage_daily", "维修日报", period, src.as_of, f"维修日报-{period.label}", [table],
                  headline=[("超时", str(len(rows)), "")])


PACK = Pack(
    name="garage",
    title="汽车维修前台（示例）",
    sources=Path(__file__).resolve().parent / "workspace",
    registers=("garage_vehicle", "garage_order"),
    settings=(SettingsPart("sla", "sla.yaml", GarageSla, section="garage"),),
    rules=(per_record("garage.promise", "garage_order", promise_findings),),
    documents_file="garage_documents.yaml",
    reports=(Kind("garage_daily", "维修日报", "day", garage_daily),),
    jobs=(Job(name="维修日报", report="garage_daily", cadence="daily", time="08:00"),),
    event_registers=("garage_order",),
)
