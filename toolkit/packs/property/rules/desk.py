"""The service desk's small registers (seed 001 物品寄存, 雨伞, 报刊邮件, 来访, 接待, 入住):
storage, lending, mail, visitors, the calls-and-visits log and move-ins."""

from __future__ import annotations

from typing import Any

from toolkit.model import Finding
from toolkit.ruleset.money import dec, fen, yuan
from toolkit.ruleset.timing import Env, as_date, as_dt, fmt_date, fmt_dt, track

from ..history import historical


def _yes(v: Any) -> bool:
    return v == "是"


# ---- 物品寄存 ------------------------------------------------------------------------------


def refused_kinds(env: Env, item: str) -> list[str]:
    """The refused kinds whose words appear in the item's description."""
    return [k.kind for k in env.settings.sla.storage.refused_items if any(w in item for w in k.words)]


def storage_findings(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    sla = env.settings.sla.storage
    item = str(v.get("寄存物品") or "")
    subject = f"寄存 {key}（{v.get('寄存人') or ''}，{item}）"
    out: list[Finding] = []
    kinds = refused_kinds(env, item)
    if kinds:
        out.append(Finding(
            rule="storage.refused_items", register="storage", record=key, severity="warning",
            message=f"{subject}：{'、'.join(kinds)}不予寄存，请当值人员联系寄存人取回",
            values={"寄存物品": item, "kinds": kinds},
        ))
    taken = as_dt(v.get("取件时间"))
    if taken is not None and not _yes(v.get("取件证件核实")):
        out.append(Finding(
            rule="storage.pickup_id", register="storage", record=key, severity="warning",
            message=f"{subject}：{fmt_dt(taken)} 取件未登记有效证件（取件人 {v.get('取件人') or '未填'}）",
            values={"取件人": v.get("取件人"), "取件时间": taken},
        ))
    agreed = as_dt(v.get("预定取件时间"))
    if agreed is not None:
        out.append(track(env, "storage.pickup", "storage", key, subject, sla.pickup.label,
                         env.due(sla.pickup, agreed), taken, start=as_dt(v.get("寄存时间"))))
    return out


# ---- 物品借取 ------------------------------------------------------------------------------


def lending_findings(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    state = v.get("归还状态")
    if state not in ("损坏", "遗失"):
        return []
    item = str(v.get("借用物品") or "")
    price = dec(v.get("物品原价"))
    if price is None:
        price = env.settings.tariffs.lending.prices.get(item)
    paid = dec(v.get("赔偿金额"))
    subject = f"借取 {key}（{v.get('借用人') or ''}，{item}）{state}"
    if price is None:
        return [Finding(
            rule="lending.compensation", register="lending", record=key, severity="warning",
            message=f"{subject}：应按原价赔偿，但登记表未填物品原价，价目（tariffs.yaml lending.prices）中也没有“{item}”",
            values={"归还状态": state, "expected": None, "paid": paid, "difference": None},
        )]
    expected = fen(price)
    if paid is not None and fen(paid) == expected:
        return []
    diff = None if paid is None else fen(paid) - expected
    got = "未填赔偿金额" if paid is None else f"登记赔偿 {yuan(paid)} 元，相差 {yuan(diff)} 元"
    return [Finding(
        rule="lending.compensation", register="lending", record=key, severity="error",
        message=f"{subject}：应按原价 {yuan(expected)} 元赔偿，{got}；由当值人员确认后上报物业部更换",
        values={"归还状态": state, "expected": expected, "paid": paid, "difference": diff},
    )]


# ---- 邮件签收 ------------------------------------------------------------------------------


def mail_findings(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    sla = env.settings.sla.mail
    to, kind = v.get("收件人") or "", v.get("邮件类型") or ""
    subject = f"{kind}邮件 {key}（收件人 {to}）"
    out: list[Finding] = []
    taken = as_dt(v.get("领取时间"))
    collector = v.get("领取人")
    if taken is not None and not collector:
        out.append(Finding(
            rule="mail.collector", register="mail", record=key, severity="warning",
            message=f"{subject}：{fmt_dt(taken)} 已领取，但领取人未签字",
            values={"收件人": to, "领取人": None, "身份核实": v.get("身份核实")},
        ))
    elif collector and collector != to and not _yes(v.get("身份核实")):
        out.append(Finding(
            rule="mail.collector", register="mail", record=key, severity="warning",
            message=f"{subject}：领取人 {collector} 与收件人不一致，且未核实身份证",
            values={"收件人": to, "领取人": collector, "身份核实": v.get("身份核实")},
        ))
    received = as_dt(v.get("收到时间"))
    if kind in sla.important and received is not None:
        out.append(track(env, "mail.deliver", "mail", key, subject, sla.deliver.label,
                         env.due(sla.deliver, received), taken, start=received))
    return out


# ---- 来访人员 ------------------------------------------------------------------------------


def visitor_findings(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    if _yes(v.get("被访人确认")):
        return []
    when = as_dt(v.get("来访时间"))
    return [Finding(
        rule="visitor.confirmed", register="visitor", record=key, severity="warning",
        message=(f"来访人 {v.get('来访人') or ''}（{fmt_dt(when)}，被访 {v.get('被访房号') or ''}）："
                 "未登记被访人确认接见，确认后方可进入"),
        values={"来访人": v.get("来访人"), "被访房号": v.get("被访房号"), "被访人": v.get("被访人")},
    )]


# ---- 客户来电来访 --------------------------------------------------------------------------


def contact_findings(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    at = as_dt(v.get("时间"))
    subject = f"来电来访 {key}（{v.get('客户') or ''}，{fmt_dt(at)}）"
    out: list[Finding] = []
    if v.get("方式") == "来电" and not v.get("来电号码"):
        out.append(Finding(
            rule="contact.number", register="contact_log", record=key, severity="warning",
            message=f"{subject}：来电未按来电显示记录客户号码",
            values={"方式": "来电"},
        ))
    if _yes(v.get("重大紧急")) and at is not None:
        sla = env.settings.sla.contact
        out.append(track(env, "contact.report", "contact_log", key, f"{subject} 重大紧急事项", sla.report.label,
                         env.due(sla.report, at), as_dt(v.get("上报时间")), start=at))
    return out


# ---- 入住 ----------------------------------------------------------------------------------


def move_in_findings(env: Env, key: str, v: dict[str, Any]) -> list[Finding]:
    unit, who, kind = v.get("房号") or "", v.get("入住人") or "", v.get("客户类型") or ""
    moved = as_date(v.get("入住日期"))
    out: list[Finding] = []
    if kind == "租户":
        missing = [p for p in env.settings.sla.move_in.tenant_papers if not _yes(v.get(p))]
        if missing:
            out.append(Finding(
                rule="move_in.papers", register="move_in", record=key, severity="error",
                message=(f"房号 {unit} 租户 {who} 入住（{fmt_date(moved)}）：缺{'、'.join(missing)}"
                         "（租户入住须业主出具承诺书和租赁协议，租户填写信息表并签署安全责任书）"),
                values={"房号": unit, "入住人": who, "missing": missing},
            ))
    if moved is not None:
        out.append(Finding(
            rule="move_in.recorded", register="move_in", record=key, severity="info",
            message=f"房号 {unit} {kind} {who} 于 {fmt_date(moved)} 入住，向各部门发入住知会单",
            values={"房号": unit, "入住人": who, "客户类型": kind, "入住日期": moved,
                    "联系电话": v.get("入住联系电话"), "特别需求": v.get("特别需求")},
            notice=None if historical(env.today, moved) else "move_in_notice",
        ))
    return out


__all__ = ["contact_findings", "lending_findings", "mail_findings", "move_in_findings", "refused_kinds",
           "storage_findings", "visitor_findings"]
