"""Signed 物品放行条 that no longer stand: the 放行登记 row they were issued for was since
marked 作废, or the move-out is now refused (arrears found after the slip was signed, the
carrier no longer the owner). The signed slip is paper in someone's hand; nothing in the
ledger can take it back, so the daily list names it for 秩序部 (who keep the gate) and the
manager until a week after its moving day, and the refused row's return copy names it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select

from toolkit.codec import decode
from toolkit.documents.tables import APPROVED, documents, ensure_tables
from toolkit.ledger import VOID_SUFFIX
from toolkit.model import Finding
from toolkit.packs.acting import is_action
from toolkit.reports.source import Source, day

from .who import GATE

REGISTER = "move_out"
REFUSED = "move_out.blocked"
# As a refused move-out (daily.MOVE_OUT_DAYS): a slip is of use on the days around its date.
SHOWN_DAYS = 7


def _signed(ledger: Any, records: Iterable[str] | None = None) -> list[Any]:
    """The signed, unreplaced documents issued for 放行登记 rows (the release slips);
    only those of ``records`` when given."""
    d = documents
    ensure_tables(ledger.engine)
    where = [d.c.site == ledger.site, d.c.register == REGISTER, d.c.status == APPROVED, d.c.superseded_by.is_(None)]
    if records is not None:
        where.append(d.c.record.in_(sorted(set(records))))
    with ledger.engine.connect() as conn:
        return conn.execute(select(d.c.number, d.c.title, d.c.record, d.c.values_json).where(*where)
                            .order_by(d.c.id)).all()


def _gate(dept: str) -> str:
    return f"{dept or '秩序部'}请立即通知门岗不得凭此条放行，并收回放行条交项目经理注销。"


def refused_notes(ledger: Any, findings: list[Finding]) -> dict[tuple[str, str], str]:
    """For the return copy's marks: each refused move-out whose slip was signed before the
    refusal, the words that withdraw the slip (``Pack.action_notes``)."""
    refused = {f.record for f in findings if f.rule == REFUSED}
    if not refused:
        return {}
    out: dict[tuple[str, str], list[str]] = {}
    for s in _signed(ledger, refused):
        out.setdefault((REGISTER, s.record), []).append(s.number)
    return {key: f"已签发的物品放行条 {'、'.join(numbers)} 不再有效，{_gate('秩序部')}"
            for key, numbers in out.items()}


def revoked_slips(src: Source, today: date) -> list[list[Any]]:
    """待处理问题 rows for signed slips whose row is now 作废 (and not entered again), or
    whose move-out is now refused."""
    signed = _signed(src.ctx.ledger)
    if not signed:
        return []
    voided = {key.rsplit("#", 1)[0] for key in src.ctx.ledger.values(REGISTER + VOID_SUFFIX)}
    live = src.by_keys(REGISTER, [s.record for s in signed])
    refused = {f.record: f for f in src.findings(REGISTER) if f.rule == REFUSED and is_action(f)}
    person, dept = GATE  # the gate takes a slip back that no longer holds
    rows = []
    for s in signed:
        values = decode(s.values_json)
        if s.record in live and s.record in refused:
            values = live[s.record]
            why = "；".join(refused[s.record].values.get("reasons") or [])
            text = f"放行登记 {s.record} 现不予放行（{why}）" if why else f"放行登记 {s.record} 现不予放行"
        elif s.record in voided and s.record not in live:
            text = f"放行登记 {s.record} 已作废"
        else:
            continue
        on = day(values.get("日期"))
        if on is not None and (today - on).days > SHOWN_DAYS:
            continue
        rows.append(["暂停办理", src.title(REGISTER), s.record, str(values.get("房号") or ""), person, dept,
                     f"{s.title} {s.number} 已签发，但{text}，该放行条不再有效：{_gate(dept)}"])
    return rows
