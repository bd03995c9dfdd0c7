"""Monday's parking card roster for the garage (SPEC §3.5, §7): valid cards, expiring ones marked."""

from __future__ import annotations

from toolkit.fields import mask_phone
from toolkit.reports.model import Column, Mark, Report, Table
from toolkit.reports.periods import Period
from toolkit.reports.source import Source, day

EXPIRING, TODAY, NOT_STARTED, VALID = "即将到期", "今日到期", "未开始", "有效"


def parking_roster(src: Source, period: Period) -> Report:
    today = src.as_of.date()
    soon = src.rules.pack("property").settings.sla.parking.expiry_reminder_days
    current, expired = [], []
    for key, v in src.records("parking_card").items():
        start, end = day(v.get("起租日期")), day(v.get("到期日期"))
        if end is None:
            continue
        left = (end - today).days
        base = [key, v.get("车牌号"), v.get("车主"), v.get("房号"), mask_phone(v.get("联系电话")), v.get("车型"),
                start, end]
        if left >= 0:
            status = (NOT_STARTED if start and start > today else TODAY if left == 0
                      else EXPIRING if left <= soon else VALID)
            current.append(base + [left, status])
        elif -left <= src.settings.roster_expired_days:
            expired.append(base + [-left])
    current.sort(key=lambda r: (str(r[1] or ""), r[0]))
    expired.sort(key=lambda r: (r[8], str(r[1] or "")))
    cols = [Column("卡号", width=12), Column("车牌号", width=12), Column("车主", width=10), Column("房号", width=10),
            Column("联系电话", width=14), Column("车型", width=10), Column("起租日期", "date"),
            Column("到期日期", "date")]
    roster = Table("月卡名单", f"停车月卡名单（{today:%Y-%m-%d}）", cols + [Column("剩余天数", "int"),
                                                                     Column("状态", width=10)],
                   current, marks=[Mark("状态", TODAY), Mark("状态", EXPIRING, "FFEB9C")],
                   note=f"按车牌号排序；{soon} 天内到期的标黄，今日到期的标红。")
    gone = Table("近期过期", f"近 {src.settings.roster_expired_days} 天内已过期的月卡（请勿放行按月卡计费）",
                 cols + [Column("已过期天数", "int")], expired)
    expiring = sum(1 for r in current if r[9] in (EXPIRING, TODAY))
    return Report("parking_roster", "停车月卡名单", period, src.as_of, f"停车月卡名单-{today.isoformat()}",
                  [roster, gone], headline=[("有效月卡", str(len(current)), ""), ("即将到期", str(expiring), ""),
                                            ("近期过期", str(len(expired)), "")])
