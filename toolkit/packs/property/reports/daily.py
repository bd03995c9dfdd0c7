"""The two daily reports (SPEC §7): due today and overdue at 08:30; unfinished repairs at 17:00."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, time
from typing import Any

from toolkit.fields import mask_phone
from toolkit.model import Finding
from toolkit.packs.acting import action_of, actions, is_action
from toolkit.reports.model import Column, Mark, Report, Table
from toolkit.reports.periods import Period
from toolkit.reports.source import Source, day, when
from toolkit.ruleset.timing import after_cutoff, duration_text

from ..actions import ACTIONS, move_out_ahead
from ..rules.renovation import DEADLINE_LABELS
from .slips import refused_notes, revoked_slips
from .who import move_out_ahead_who, who_acts

ACTION_REGISTERS = ("move_out", "renovation", "special_service", "fee_account", "parking_temp", "handover")

# Registers whose findings carry deadlines staff act on.
DEADLINE_REGISTERS = ("repair", "complaint", "request", "special_service", "renovation",
                      "renovation_violation", "parking_card", "patrol", "key_custody",
                      "storage", "mail", "contact_log", "dispatch")
# Registers whose open findings (not deadlines, no notice of their own) someone must act on:
# a blocked release, a transfer short of its prepayment, a survey short of 60 % …
ISSUE_REGISTERS = ("move_out", "transfer", "survey", "community_event", "key_custody", "patrol", "complaint",
                   "renovation", "special_service", "storage", "lending", "mail", "visitor", "contact_log",
                   "move_in", "handover", "parking_card")
SEVERITY_ZH = {"blocking": "暂停办理", "error": "错误", "warning": "提醒"}
OVERDUE, TODAY = "已逾期", "今日到期"


OPEN_DEADLINE = frozenset({"pending", "due_soon", "overdue"})


def due_items(src: Source, today: Any) -> list[dict[str, Any]]:
    """Open deadlines that are overdue at ``as_of`` or fall due on ``today``, most overdue first."""
    keyed = []
    registers: dict[str, dict[str, dict[str, Any]]] = {}
    for f in src.findings(*DEADLINE_REGISTERS):
        due, status = f.due, f.status
        if due is None or status not in OPEN_DEADLINE:
            continue
        overdue = status == "overdue"
        if not overdue and due.date() != today:
            continue
        records = registers.get(f.register)
        if records is None:
            records = registers[f.register] = src.records(f.register)
        values = records.get(f.record, {})
        person, dept = who_acts(src, f, values)
        minutes = (f.overdue_minutes or 0) if overdue else 0
        item = {"finding": f, "status": OVERDUE if overdue else TODAY, "person": person, "dept": dept,
                "room": str(values.get("房号") or f.values.get("房号") or ""), "minutes": minutes}
        # The sort key made here, with the item's place last: equal keys keep their
        # order (as a stable sort would) and the items themselves are never compared.
        keyed.append((-minutes, due, f.register, f.record, len(keyed), item))
    keyed.sort()
    return [k[-1] for k in keyed]


def _label(f: Finding) -> str:
    """What is due: the deadline's label (违章整改, 投诉回访 …), not the record it is about."""
    label = f.values.get("deadline") or DEADLINE_LABELS.get(f.rule)
    return str(label or f.message.split("：", 1)[0])


def due_table(src: Source, items: list[dict[str, Any]], sheet: str, title: str) -> Table:
    # Tens of thousands of rows name a few registers and share many overdue times.
    titles: dict[str, str] = {}
    spans: dict[int, str] = {}
    rows = []
    for i in items:
        f, minutes = i["finding"], i["minutes"]
        name = titles.get(f.register)
        if name is None:
            name = titles[f.register] = src.title(f.register)
        span = ""
        if minutes:
            span = spans.get(minutes) or spans.setdefault(minutes, duration_text(minutes))
        rows.append([i["status"], name, f.record, i["room"], _label(f), f.due, span, i["person"], i["dept"],
                     f.message])
    return Table(
        sheet, title,
        [Column("状态", width=10), Column("登记表", width=14), Column("编号", width=14), Column("房号", width=10),
         Column("事项", width=22), Column("时限", "datetime"), Column("逾期时长", width=14),
         Column("负责人", width=10), Column("部门", width=12), Column("说明", width=50)],
        rows,
        marks=[Mark("状态", OVERDUE)],
        note="逾期最久的排在最前；今日到期为今天到期、尚未完成的事项。",
    )


def open_issues(src: Source, today: Any) -> Table:
    """Open findings without a deadline or a notice, worst first, naming who acts; and the
    signed release slips of rows since marked 作废 (no finding is left to say so)."""
    rows = revoked_slips(src, today)
    for f in src.findings(*ISSUE_REGISTERS):
        if (f.due is not None or f.notice or f.status != "open" or f.severity not in SEVERITY_ZH
                or is_action(f)):  # those are on the 须处理事项 sheet
            continue
        # A finding about a person or a day rather than a row (an assistant's missed patrols)
        # names who acts in its own values.
        values = src.records(f.register).get(f.record) or f.values
        person, dept = who_acts(src, f, values)
        rows.append([SEVERITY_ZH[f.severity], src.title(f.register), f.record,
                     str(values.get("房号") or f.values.get("房号") or ""), person, dept, f.message])
    order = list(SEVERITY_ZH.values())
    rows.sort(key=lambda r: (order.index(r[0]), r[1], r[2]))
    return Table(
        "待处理问题", "待处理问题（不予放行、缴费不足、发放率不足等）",
        [Column("类别", width=10), Column("登记表", width=14), Column("编号", width=16), Column("房号", width=10),
         Column("负责人", width=10), Column("部门", width=12), Column("说明", width=60)],
        rows, marks=[Mark("类别", "暂停办理")],
        note=("按规定须先处理、再办理的事项；处理后在登记表中补填相应栏目，下次提交后自动消除。"
              "已签发的放行条所依据的登记作废或现不予放行的，列至搬家日期后一周。"),
    )


# A refused move-out matters until a week after its date; older ones are history.
MOVE_OUT_DAYS = 7
# A parking charge off the tariff that was really taken cannot be "corrected" in the
# register: it is on the list for a week after the car left, for the 秩序部 to settle.
PARKING_DAYS = 7


def action_items(src: Source, today: Any) -> list[dict[str, Any]]:
    """Open findings someone must act on (refused move-outs, work without approval, prices
    off the list, wrong amounts), each with who acts and what to do."""
    items = []
    codes = actions()  # every action rule: is_action asks about each finding of these registers
    for f in src.findings(*{r for r in ACTION_REGISTERS}):
        if f.rule not in codes or not is_action(f):
            continue
        values = src.records(f.register).get(f.record, {})
        a, ahead = None, False
        if f.rule == "move_out.blocked":
            on = day(values.get("日期"))
            if on is None or (today - on).days > MOVE_OUT_DAYS:
                continue
            # Its day still ahead: listed now, for those who must clear it before then.
            ahead = on > today
            if ahead:
                a = move_out_ahead(f, on)
        if f.rule == "parking.temp_fee":
            left = day(values.get("出场时间") or f.values.get("出场时间"))
            if left is not None and (today - left).days > PARKING_DAYS:
                continue
        person, dept = move_out_ahead_who(f) if ahead else who_acts(src, f, values)
        a = a or action_of(f)
        items.append({"finding": f, "action": a, "person": person, "dept": dept,
                      "room": str(values.get("房号") or f.values.get("房号") or "")})
    items.sort(key=lambda i: (i["finding"].register, i["finding"].record, i["finding"].rule))
    # A refused move-out whose slip was signed before: the gate is told the slip's number.
    notes = refused_notes(src.ctx.ledger, [i["finding"] for i in items])
    for i in items:
        i["note"] = notes.get((i["finding"].register, i["finding"].record), "")
    return items


def _todo(item: dict[str, Any]) -> str:
    todo, note = item["action"].todo, item.get("note")
    return f"{todo.rstrip('。')}。{note}" if note else todo


def action_table(src: Source, items: list[dict[str, Any]]) -> Table:
    return Table(
        "须处理事项", "须处理事项（不予放行、未经审批、收费不符等）",
        [Column("问题", width=20), Column("登记表", width=14), Column("编号", width=14), Column("房号", width=10),
         Column("负责人", width=10), Column("部门", width=12), Column("须处理", width=44),
         Column("说明", width=60)],
        [[i["action"].title, src.title(i["finding"].register), i["finding"].record, i["room"], i["person"],
          i["dept"], _todo(i), i["finding"].message] for i in items],
        marks=[Mark("问题", ACTIONS["move_out.blocked"].title)],
        note="处理完毕后改正登记表并重新保存到收件箱，事项即从清单中消除。",
    )


def daily_due(src: Source, period: Period) -> Report:
    items = due_items(src, period.start)
    detail = due_table(src, items, "待办与逾期", f"待办与逾期清单 {period.zh}（截至 {src.as_of:%H:%M}）")
    actions = action_items(src, period.start)
    by_reg: dict[str, Counter] = defaultdict(Counter)
    by_person: dict[tuple[str, str], Counter] = defaultdict(Counter)
    longest: dict[tuple[str, str], int] = defaultdict(int)
    for i in items:
        reg = src.title(i["finding"].register)
        by_reg[reg][i["status"]] += 1
        who = (i["dept"] or "未注明", i["person"] or "—")
        by_person[who][i["status"]] += 1
        longest[who] = max(longest[who], i["minutes"])
    reg_rows = [[reg, c[OVERDUE], c[TODAY], c[OVERDUE] + c[TODAY]]
                for reg, c in sorted(by_reg.items(), key=lambda kv: (-kv[1][OVERDUE], kv[0]))]
    person_rows = [[d, p, c[OVERDUE], c[TODAY], duration_text(longest[(d, p)]) if longest[(d, p)] else ""]
                   for (d, p), c in sorted(by_person.items(), key=lambda kv: (-longest[kv[0]], kv[0]))]
    per_reg = Table("按登记表", "按登记表汇总", [Column("登记表", width=16), Column("已逾期", "int"),
                                         Column("今日到期", "int"), Column("合计", "int")], reg_rows,
                    total=["合计", sum(r[1] for r in reg_rows), sum(r[2] for r in reg_rows),
                           sum(r[3] for r in reg_rows)])
    per_person = Table("按负责人", "按部门与负责人汇总",
                       [Column("部门", width=12), Column("负责人", width=10), Column("已逾期", "int"),
                        Column("今日到期", "int"), Column("最长逾期", width=14)], person_rows)
    overdue = sum(1 for i in items if i["status"] == OVERDUE)
    issues = open_issues(src, period.start)
    return Report("daily_due", "待办与逾期日报", period, src.as_of, f"日报-待办与逾期-{period.name}",
                  [detail, action_table(src, actions), per_reg, per_person, issues],
                  headline=[("已逾期", str(overdue), ""), ("今日到期", str(len(items) - overdue), ""),
                            ("须处理事项", str(len(actions)), ""), ("待处理问题", str(len(issues.rows)), "")])


def unfinished_repairs(src: Source, period: Period) -> list[dict[str, Any]]:
    """Repairs on the day's list (reported before the cutoff, or after yesterday's) not done by the cutoff."""
    hhmm = src.rules.pack("property").settings.sla.repair.unfinished_cutoff
    cutoff = datetime.combine(period.start, time.fromisoformat(hhmm))
    out = []
    for key, v in src.records("repair").items():
        reported = when(v.get("报修时间"))
        if reported is None or after_cutoff(reported, hhmm) != cutoff:
            continue
        done = when(v.get("完成时间"))
        if done is not None and done <= cutoff:
            continue
        out.append({"key": key, "values": v, "reported": reported})
    out.sort(key=lambda r: (r["reported"], r["key"]))
    return out


def daily_repairs(src: Source, period: Period) -> Report:
    items = unfinished_repairs(src, period)
    hhmm = src.rules.pack("property").settings.sla.repair.unfinished_cutoff
    cutoff = datetime.combine(period.start, time.fromisoformat(hhmm))
    rows = []
    for r in items:
        v = r["values"]
        rows.append([r["key"], v.get("房号"), v.get("报修人"), mask_phone(v.get("联系电话")), r["reported"],
                     v.get("维修内容"), v.get("紧急程度") or "一般", when(v.get("预约时间")), v.get("接报人"),
                     duration_text(int((cutoff - r["reported"]).total_seconds() // 60))])
    urgent = sum(1 for r in rows if r[6] == "紧急")
    table = Table(
        "未完工报修", f"当日未完工报修 {period.zh} {hhmm}",
        [Column("单号", width=14), Column("房号", width=10), Column("报修人", width=10),
         Column("联系电话", width=14), Column("报修时间", "datetime"), Column("维修内容", width=36),
         Column("紧急程度", width=10), Column("预约时间", "datetime"), Column("接报人", width=10),
         Column("已等待", width=14)],
        rows, marks=[Mark("紧急程度", "紧急")],
        note=f"当日 {hhmm} 前报修（及前一日 {hhmm} 后报修）、截至 {hhmm} 仍未完成的报修，请部门主管跟进。",
    )
    return Report("daily_repairs", "未完工报修日报", period, src.as_of, f"日报-当日未完工报修-{period.name}",
                  [table], headline=[("未完工", str(len(rows)), ""), ("其中紧急", str(urgent), "")])
