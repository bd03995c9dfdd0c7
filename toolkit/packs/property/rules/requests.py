"""客户需求建议受理表 (SPEC §3.3): forward within 10 minutes, answer within 1 day or as promised;
called back after the answer (seed 001 回访)."""

from __future__ import annotations

from typing import Any

from toolkit.model import Finding
from toolkit.ruleset.timing import Env, as_dt, track

REGISTER = "request"
# Seed 001 (来电来访, 需求建议): the desk forwards what it cannot settle, and "客户助理负责回答
# 客户" — the answer and the callback are the desk's whichever department it was forwarded
# to (as a complaint's, rules/complaints.py DESK_ROLE).
DESK_ROLE = "客户助理"


def request_findings(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    taken = as_dt(v.get("受理时间"))
    if taken is None:
        return []
    sla = env.settings.sla.request
    subject = f"需求建议 {key}（{v.get('客户') or ''}）"
    replied = as_dt(v.get("回复时间"))
    out: list[Finding] = []
    forward_due = env.due(sla.forward, taken)
    # Answered on the spot (replied before the forwarding deadline) needs no forwarding.
    forwarded = replied if replied is not None and replied <= forward_due else as_dt(v.get("转报时间"))
    out.append(track(env, "request.forward", REGISTER, key, subject, sla.forward.label, forward_due,
                     forwarded, start=taken))
    promised = as_dt(v.get("承诺回复时间"))
    reply_due = promised if promised is not None else env.due(sla.reply, taken)
    label = "承诺时间答复" if promised is not None else sla.reply.label
    out.append(track(env, "request.reply", REGISTER, key, subject, label, reply_due, replied, start=taken))
    if replied is not None:
        out.append(track(env, "request.callback", REGISTER, key, subject, sla.callback.label,
                         env.due(sla.callback, replied), as_dt(v.get("回访时间")), start=replied))
    for f in out:
        f.values = {**f.values, "acting_role": DESK_ROLE}
    return out
