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
CUSTOMER_ASSISTANT = ("客户助理", "客服中心")

# Rules whose message tells a role to act that the register has no person column for, or
# that is not the register's own desk: (person, department), as the message names them.
RULE_ROLES: dict[str, tuple[str, str]] = {
    "move_out.blocked": GATE,  # 门岗不得放行 …
    "fee.paid_to_stale": CASHIER,  # 请收费员把“已缴至”改为 …
    "fee.amount_mismatch": CASHIER,  # 收费员核对欠费金额并改正台账
    "transfer.ledger_unsettled": CASHIER,  # 请收费员核对 … (the transfer desk waits)
    # Seed 001 装修 11: the customer assistant takes the contractor or owner through the
    # entry check and both sign the 进场装修确认表.
    "renovation.entry_check": CUSTOMER_ASSISTANT,
    # Seed 003 二次装修 5: the contractor's application goes to 客服部, which fixes the time
    # and brings 工程部 and 保安部 to inspect (seed 001 装修 16: the customer assistant calls them).
    "renovation.concealed_works": CUSTOMER_ASSISTANT,
    # A violation past its rectification date: checked on site by the department the
    # register answers to (工程部; the register names no person), whose head acts.
    "renovation.rectification": ("工程部主管", "工程部"),
    # Seed 001 报修: 工程部 hands the finished slip back to the customer centre, whose early
    # shift of that day calls the customer back: the daily list and the weekly department
    # rates charge an overdue callback there, not to the register's 工程部. Named here, by
    # rule, not in each finding's values: a big register has 100,000 callbacks to store.
    "repair.callback": ("早班客户助理", CUSTOMER_ASSISTANT[1]),
}
# A refused move-out before its moving day: who clears each missing step then (seed 001
# 放行 4–5: the cashier confirms the fees are paid, the customer assistant phones the owner).
MOVE_OUT_CLEARS: dict[str, tuple[str, str]] = {
    "fee_account": CASHIER, "arrears_cleared": CASHIER, "utilities_cleared": CASHIER,
    "owner_confirmation": CUSTOMER_ASSISTANT, "owner_identity": CUSTOMER_ASSISTANT,
    "confirmation_time": CUSTOMER_ASSISTANT,
}
# The register of each department's daily patrols, and who patrols for it.
PATROLS = "renovation_patrol"


def who_acts(src: Source, f: Finding, values: dict[str, Any]) -> tuple[str, str]:
    """(person, department) for ``f``; a finding's ``acting_role`` is the register's own desk,
    its ``acting_person`` the one who acts in the row's department (a register without a
    person column: the head of the department complained about)."""
    fixed = RULE_ROLES.get(f.rule)
    if fixed is not None:
        return fixed
    if f.rule == "renovation.patrol":
        return _patrollers(src, f)
    role = f.values.get("acting_role")
    if role:
        r = src.settings.responsible.get(f.register)
        return str(role), r.department if r is not None else ""
    person, dept = src.responsible(f.register, values)
    return person or str(f.values.get("acting_person") or ""), dept


def _patrollers(src: Source, f: Finding) -> tuple[str, str]:
    """Missed patrols of a site: the departments the message asks to patrol again, each
    named by who last patrolled the site for it (装修巡查记录), else by its head."""
    depts = [str(d) for d in f.values.get("departments") or []]
    last: dict[str, tuple[Any, str]] = {}
    for p in src.records(PATROLS).values():
        dept, person, day = p.get("巡查部门"), str(p.get("巡查人") or "").strip(), p.get("日期")
        if p.get("装修编号") != f.record or dept not in depts or not person or day is None:
            continue
        if dept not in last or day >= last[dept][0]:
            last[dept] = (day, person)
    people = [last[d][1] if d in last else f"{d}主管" for d in depts]
    return "、".join(people), "、".join(depts)


def move_out_ahead_who(f: Finding) -> tuple[str, str]:
    """(people, departments) who clear a refused move-out's missing steps before its day."""
    roles = [MOVE_OUT_CLEARS[m] for m in f.values.get("missing") or [] if m in MOVE_OUT_CLEARS] or [GATE]
    people = list(dict.fromkeys(p for p, _ in roles))
    depts = list(dict.fromkeys(d for _, d in roles))
    return "、".join(people), "、".join(depts)
