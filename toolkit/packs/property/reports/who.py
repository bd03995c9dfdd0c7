"""Who answers for a finding on the property reports: the row's person and department,
unless the finding names the role that acts (a complaint's forwarding, reply and callback
are the desk's, whatever 被投诉部门 the row names)."""

from __future__ import annotations

from typing import Any

from toolkit.model import Finding
from toolkit.reports.source import Source


def who_acts(src: Source, f: Finding, values: dict[str, Any]) -> tuple[str, str]:
    """(person, department) for ``f``; a finding's ``acting_role`` is the register's own desk,
    its ``acting_person`` the one who acts in the row's department (a register without a
    person column: the head of the department complained about)."""
    role = f.values.get("acting_role")
    if role:
        r = src.settings.responsible.get(f.register)
        return str(role), r.department if r is not None else ""
    person, dept = src.responsible(f.register, values)
    return person or str(f.values.get("acting_person") or ""), dept
