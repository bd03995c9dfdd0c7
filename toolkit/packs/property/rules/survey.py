"""满意度调查登记 (seed 001 满意度调查): announced beforehand, handed to at least 60 % of
households, one survey each half-year."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from toolkit.model import Finding
from toolkit.ruleset.timing import Env, as_date, fmt_date

from ..history import historical

REGISTER = "survey"


def half_year(d: date) -> str:
    return f"{d.year}-H{1 if d.month <= 6 else 2}"


def _half_after(label: str) -> str:
    year, h = int(label[:4]), label[-1]
    return f"{year}-H2" if h == "1" else f"{year + 1}-H1"


def _half_end(label: str) -> date:
    year, h = int(label[:4]), label[-1]
    return date(year, 6, 30) if h == "1" else date(year, 12, 31)


def distribution(v: dict[str, Any]) -> Decimal | None:
    total, handed = v.get("总户数"), v.get("发放户数")
    if not total or handed is None:
        return None
    return (Decimal(int(handed)) / Decimal(int(total))).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def ratio(part: Any, whole: Any) -> Decimal | None:
    if not whole or part is None:
        return None
    return (Decimal(int(part)) / Decimal(int(whole))).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _pct(share: Decimal | None) -> str:
    return "—" if share is None else f"{share:.2%}"


def _closed(env: Env, key: str, v: dict[str, Any]) -> Finding | None:
    """The result notice (满意度调查结果公告), once 结果公告日期 is set."""
    posted = as_date(v.get("结果公告日期"))
    if posted is None:
        return None
    share = distribution(v)
    returned = ratio(v.get("回收份数"), v.get("发放户数"))
    satisfied = ratio(v.get("满意份数"), v.get("回收份数"))
    return Finding(
        rule="survey.closed", register=REGISTER, record=key, severity="info",
        message=(f"满意度调查 {key}：发放率 {_pct(share)}，回收率 {_pct(returned)}，满意率 {_pct(satisfied)}，"
                 f"{fmt_date(posted)} 公告结果"),
        values={"调查编号": key, "开始日期": as_date(v.get("开始日期")), "结束日期": as_date(v.get("结束日期")),
                "总户数": v.get("总户数"), "发放户数": v.get("发放户数"), "回收份数": v.get("回收份数"),
                "满意份数": v.get("满意份数"), "share": share, "returned": returned, "satisfaction": satisfied,
                "share_text": _pct(share), "returned_text": _pct(returned), "satisfaction_text": _pct(satisfied),
                "整改措施": v.get("整改措施"), "结果公告日期": posted},
        notice=None if historical(env.today, posted) else "survey_notice",
    )


def survey_findings(env: Env, state: dict[str, dict[str, dict[str, Any]]]) -> list[Finding]:
    sla = env.settings.sla.survey
    rows = state.get(REGISTER, {})
    out: list[Finding] = []
    for key, v in rows.items():
        subject = f"满意度调查 {key}"
        closed = _closed(env, key, v)
        if closed is not None:
            out.append(closed)
        share = distribution(v)
        if share is not None and share < sla.min_distribution:
            out.append(Finding(
                rule="survey.coverage", register=REGISTER, record=key, severity="warning",
                message=(f"{subject}：发放 {v.get('发放户数')} 户 ÷ 总户数 {v.get('总户数')} 户 = {share:.2%}，"
                         f"发放率不得低于 {sla.min_distribution:.0%}"),
                values={"总户数": v.get("总户数"), "发放户数": v.get("发放户数"), "share": share,
                        "min_share": sla.min_distribution},
            ))
        start, notice = as_date(v.get("开始日期")), as_date(v.get("公告日期"))
        if start is not None and (notice is None or notice >= start):
            when = "未填公告日期" if notice is None else f"公告日期 {fmt_date(notice)} 不早于开始日期 {fmt_date(start)}"
            out.append(Finding(
                rule="survey.notice", register=REGISTER, record=key, severity="warning",
                message=f"{subject}：调查前须先贴出公告，{when}",
                values={"公告日期": notice, "开始日期": start},
            ))
    # One survey each half-year (the half-year appraisal), from the first one recorded on:
    # every half-year that has ended without a survey is a finding keyed by the half-year.
    halves = sorted({half_year(d) for d in (as_date(v.get("开始日期")) for v in rows.values()) if d})
    if halves:
        label = halves[0]
        while _half_end(label) < env.today:
            if label not in halves:
                out.append(Finding(
                    rule="survey.cadence", register=REGISTER, record=label, severity="warning",
                    message=f"{label[:4]}年{'上' if label.endswith('1') else '下'}半年没有开展满意度调查（每半年须调查一次）",
                    values={"half_year": label, "ended": _half_end(label)},
                ))
            label = _half_after(label)
    return out
