"""Signed 物品放行条 that no longer stand: the 放行登记 row they were issued for was since
marked 作废. The signed slip is paper in someone's hand; nothing in the ledger can take it
back, so the daily list names it for 秩序部 (who keep the gate) and the manager until a
week after its moving day."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from toolkit.codec import decode
from toolkit.documents.tables import APPROVED, documents, ensure_tables
from toolkit.ledger import VOID_SUFFIX
from toolkit.reports.source import Source, day

REGISTER = "move_out"
# As a refused move-out (daily.MOVE_OUT_DAYS): a slip is of use on the days around its date.
SHOWN_DAYS = 7


def _signed(src: Source) -> list[Any]:
    """The signed, unreplaced documents issued for 放行登记 rows (the release slips)."""
    ledger, d = src.ctx.ledger, documents
    ensure_tables(ledger.engine)
    with ledger.engine.connect() as conn:
        return conn.execute(select(d.c.number, d.c.title, d.c.record, d.c.values_json).where(
            d.c.site == ledger.site, d.c.register == REGISTER, d.c.status == APPROVED,
            d.c.superseded_by.is_(None)).order_by(d.c.id)).all()


def revoked_slips(src: Source, today: date) -> list[list[Any]]:
    """待处理问题 rows for signed slips whose row is now 作废 (and not entered again)."""
    signed = _signed(src)
    if not signed:
        return []
    voided = {key.rsplit("#", 1)[0] for key in src.ctx.ledger.values(REGISTER + VOID_SUFFIX)}
    live = src.by_keys(REGISTER, [s.record for s in signed])
    person, dept = src.responsible(REGISTER, {})
    rows = []
    for s in signed:
        if s.record not in voided or s.record in live:
            continue
        values = decode(s.values_json)
        on = day(values.get("日期"))
        if on is not None and (today - on).days > SHOWN_DAYS:
            continue
        rows.append(["暂停办理", src.title(REGISTER), s.record, str(values.get("房号") or ""), person, dept,
                     f"{s.title} {s.number} 已签发，但放行登记 {s.record} 已作废，该放行条不再有效："
                     f"{dept or '秩序部'}请立即通知门岗不得凭此条放行，并收回放行条交项目经理注销。"])
    return rows
