"""What a template sees: the finding's values (personal data masked) and the document facts.

A document states only what the ledger holds: ``earlier_text`` and ``earlier_count`` name
the earlier documents of the same kind about the same matter that were signed and sent,
so a second reminder says "已于…书面提醒" only when the first one really went out.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from ..codec import decode
from .formatting import cn_date, mask_personal
from .settings import DocumentsConfig
from .tables import APPROVED, documents

# The fact that ties earlier documents to the same matter: a reminder about arrears
# since 2026-08-31 is not one about arrears paid off in spring.
SAME_MATTER = ("已缴至",)
_TIMES = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十"}


def earlier_sent(conn: Connection, site: str, doc_type: str, register: str, record: str,
                 values: dict[str, Any]) -> list[dict[str, Any]]:
    """Signed documents of this site, type, record and matter, oldest first."""
    rows = conn.execute(
        select(documents.c.number, documents.c.values_json, documents.c.approved_on, documents.c.issued_on)
        .where(documents.c.site == site, documents.c.doc_type == doc_type, documents.c.register == register,
               documents.c.record == record, documents.c.status == APPROVED)
        .order_by(documents.c.id)
    ).all()
    out = []
    for r in rows:
        then = decode(r.values_json)
        if any(k in values and then.get(k) != values.get(k) for k in SAME_MATTER):
            continue
        out.append({"number": r.number, "date": r.approved_on or r.issued_on})
    return out


def replaced_signed(conn: Connection, site: str, supersedes: str | None) -> dict[str, Any] | None:
    """The signed document this one replaces (number, signer, date), or None."""
    if not supersedes:
        return None
    old = conn.execute(
        select(documents.c.number, documents.c.status, documents.c.approved_by, documents.c.approved_on)
        .where(documents.c.site == site, documents.c.number == supersedes)
    ).first()
    if old is None or old.status != APPROVED:
        return None  # a draft replaced was never sent: nothing to take back
    return {"number": old.number, "by": old.approved_by or "", "date": old.approved_on}


def document_history(conn: Connection, site: str, doc_type: str, register: str, record: str,
                     values: dict[str, Any], supersedes: str | None) -> dict[str, Any]:
    """What the ledger says happened before this document: ``earlier`` and ``replaces``."""
    return {"earlier": earlier_sent(conn, site, doc_type, register, record, values),
            "replaces": replaced_signed(conn, site, supersedes)}


def document_context(
    config: DocumentsConfig,
    *,
    number: str,
    title: str,
    recipient: str,
    department: str,
    issue_date: date,
    record: str,
    register: str,
    values: dict[str, Any],
    full_personal_data: bool = False,
    earlier: list[dict[str, Any]] | None = None,
    replaces: dict[str, Any] | None = None,
    site: str = "",
    supersedes: str | None = None,
) -> dict[str, Any]:
    """The render context: values under their own names, plus ``record``, ``register``,
    ``doc`` and the earlier documents actually sent (``earlier``, ``earlier_text``)."""
    shown = mask_personal(dict(values), full_personal_data)
    doc = {
        "number": number,
        "title": title,
        "recipient": recipient,
        "department": department,
        "issue_date": issue_date,
        "company": config.company,
        "company_full": config.company_full,
        "manager_title": config.manager_title,
        "phone": config.phone,
        "site": site,
        "supersedes": supersedes or "",  # the number this document replaces, if any
    }
    earlier = earlier or []
    return {
        **shown, "values": shown, "record": record, "register": register, "doc": doc,
        "earlier": earlier,
        "earlier_count": len(earlier),
        "earlier_count_zh": _TIMES.get(len(earlier), str(len(earlier))),
        "earlier_text": "、".join(f"{cn_date(e['date'])}（{e['number']}）" for e in earlier),
        "replaces": replaces,
    }
