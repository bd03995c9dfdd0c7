"""社区文化活动登记 (seed 001 社区文化活动): announced 7 days ahead, prepared 7–30 days
ahead, and on an important estate about one every two months (six a calendar year)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from toolkit.model import Finding
from toolkit.ruleset.timing import Env, as_date, fmt_date

from ..history import historical

REGISTER = "community_event"


def event_findings(env: Env, state: dict[str, dict[str, dict[str, Any]]]) -> list[Finding]:
    cfg = env.settings.sla.community
    rows = state.get(REGISTER, {})
    out: list[Finding] = []
    for key, v in rows.items():
        day = as_date(v.get("活动日期"))
        if day is None:
            continue
        subject = f"社区活动 {key}（{v.get('活动名称') or ''}，{fmt_date(day)}）"
        latest_notice = day - timedelta(days=cfg.notice_days)
        notice = as_date(v.get("公告日期"))
        if notice is not None:
            # The announcement itself (社区文化活动公告), posted on 公告日期.
            out.append(Finding(
                rule="event.planned", register=REGISTER, record=key, severity="info",
                message=f"{subject}：{fmt_date(notice)} 张贴活动公告",
                values={"活动名称": v.get("活动名称"), "活动日期": day, "地点": v.get("地点"),
                        "报名方式": v.get("报名方式"), "公告日期": notice},
                notice=None if historical(env.today, notice) else "event_notice",
            ))
        if notice is None and env.today >= latest_notice or notice is not None and notice > latest_notice:
            got = "尚未公告" if notice is None else f"公告日期 {fmt_date(notice)}"
            out.append(Finding(
                rule="event.notice", register=REGISTER, record=key, severity="warning",
                message=f"{subject}：须提前 {cfg.notice_days} 天（{fmt_date(latest_notice)} 前）向业主公告，{got}",
                values={"公告日期": notice, "latest": latest_notice},
            ))
        early, late = day - timedelta(days=cfg.prepare_days_max), day - timedelta(days=cfg.prepare_days_min)
        prep = as_date(v.get("筹备开始日期"))
        if prep is None and env.today >= late or prep is not None and not (early <= prep <= late):
            got = "未填筹备开始日期" if prep is None else f"筹备开始日期 {fmt_date(prep)}"
            out.append(Finding(
                rule="event.preparation", register=REGISTER, record=key, severity="warning",
                message=(f"{subject}：须提前 {cfg.prepare_days_min}–{cfg.prepare_days_max} 天"
                         f"（{fmt_date(early)} 至 {fmt_date(late)}）开始筹备，{got}"),
                values={"筹备开始日期": prep, "opens": early, "closes": late},
            ))
    if cfg.important_estate:
        # Judged for each calendar year that has ended, from the first event recorded on.
        per_year = Counter(d.year for d in (as_date(v.get("活动日期")) for v in rows.values()) if d)
        for year in range(min(per_year, default=env.today.year), env.today.year):
            if per_year[year] < cfg.min_per_year:
                out.append(Finding(
                    rule="event.frequency", register=REGISTER, record=str(year), severity="warning",
                    message=(f"{year}年只组织社区文化活动 {per_year[year]} 次，重点项目平均每 2 个月 1 次"
                             f"（全年不少于 {cfg.min_per_year} 次）"),
                    values={"year": year, "count": per_year[year], "min": cfg.min_per_year, "ended": date(year, 12, 31)},
                ))
    return out
