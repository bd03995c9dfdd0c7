"""Who answers for a finding on the property reports: the row's person and department,
unless the finding names the role that acts (a complaint's forwarding, reply and callback
are the desk's, whatever 被投诉部门 the row names; a refused move-out is the gate's; a
paid-to date to correct is the cashier's, whichever register showed it)."""

from __future__ import annotations

from typing import Any

from toolkit.model import Finding
from toolkit.reports.source import Source

GATE = ("门岗", "秩序部")
CASHIER = ("收费员", "财务部")  # keeps 物业费台账 (the register's own department)

# Rules whose message tells a role to act that the register has no person column for, or
# that is not the register's own desk: (person, department), as the message names them.
RULE_ROLES: dict[str, tuple[str, str]] = {
    "move_out.blocked": GATE,  # 门岗不得放行 …
    "fee.paid_to_stale": CASHIER,  # 请收费员把“已缴至”改为 …
    "transfer.ledger_unsettled": CASHIER,  # 请收费员核对 … (the transfer desk waits)
}


def who_acts(src: Source, f: Finding, values: dict[str, Any]) -> tuple[str, str]:
    """(person, department) for ``f``; a finding's ``acting_role`` is the register's own desk,
    its ``acting_person`` the one who acts in the row's department (a register without a
    person column: the head of the department complained about)."""
    fixed = RULE_ROLES.get(f.rule)
    if fixed is not None:
        return fixed
    role = f.values.get("acting_role")
    if role:
        r = src.settings.responsible.get(f.register)
        return str(role), r.department if r is not None else ""
    person, dept = src.responsible(f.register, values)
    return person or str(f.values.get("acting_person") or ""), dept
