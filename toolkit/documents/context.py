"""What a template sees: the finding's values (personal data masked) and the document facts."""

from __future__ import annotations

from datetime import date
from typing import Any

from .formatting import mask_personal
from .settings import DocumentsConfig


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
    site: str = "",
    supersedes: str | None = None,
) -> dict[str, Any]:
    """The render context: values under their own names, plus ``record``, ``register`` and ``doc``."""
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
    return {**shown, "values": shown, "record": record, "register": register, "doc": doc}
