"""The month-end report (SPEC §3.1, §3.4, §3.6, §3.10, §7).

Special-service ledger and per-unit totals (the statements themselves are issued as
Word documents by ``toolkit.documents.issue_statement``), repair fees receivable, visit
KPIs, deposit refunds due, and the special-service target against what was achieved.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

from toolkit.packs.acting import is_action
from toolkit.reports.model import Chart, Column, Mark, Report, Table
from toolkit.reports.periods import Period
from toolkit.reports.source import Source, day, when
from toolkit.ruleset.money import dec, fen
from toolkit.ruleset.timing import add_months

from .summary import ZERO, service_amount

BILLED, ON_SPOT, NOT_DONE, HELD = "月结", "现场收费", "未完成", "待更正"
# A row whose item, price or amount is flagged (the desk must correct it) is not billed:
# the statement is signed and sent to the owner, and must not carry a figure known wrong.
FLAGGED = frozenset({"service.amount", "service.price_unapproved", "service.unknown_item"})
SHORT, OK = "未达标", "达标"


def _excluded(src: Source) -> list[str]:
    try:
        from toolkit.documents import documents_config

        return list(documents_config(src.ctx.ws).statement_excluded_categories)
    except Exception:  # documents not configured: the SPEC's own exclusion
        return ["打字复印类"]


def _services(src: Source, p: Period) -> tuple[Table, Table, dict[str, list[dict[str, Any]]], Decimal]:
    excluded = set(_excluded(src))
    flagged = {f.record for f in src.findings("special_service") if f.rule in FLAGGED and is_action(f)}
    rows, per_room, statements = [], defaultdict(lambda: [0, ZERO, ""]), defaultdict(list)
    achieved = ZERO
    for key, v in src.records("special_service").items():
        got, done = when(v.get("受理时间")), when(v.get("完成时间"))
        if not (p.contains(got) or p.contains(done)):
            continue
        amount = service_amount(v)
        if not p.contains(done):
            how = NOT_DONE
        elif v.get("类别") in excluded:
            how = ON_SPOT
        else:
            how = HELD if key in flagged else BILLED
        if p.contains(done):
            achieved += amount
        rows.append([key, got, v.get("受理人"), v.get("房号"), v.get("客户"), v.get("服务项目"), v.get("类别"),
                     dec(v.get("数量")) or 1, dec(v.get("单价")), amount, done, how])
        if how == BILLED:
            room = str(v.get("房号"))
            per_room[room][0] += 1
            per_room[room][1] += amount
            per_room[room][2] = per_room[room][2] or (v.get("客户") or "")
            statements[room].append(v)
    rows.sort(key=lambda r: (r[1], r[0]))
    ledger = Table(
        "特约服务台账", f"特约服务台账 {p.zh}",
        [Column("单号", width=14), Column("受理时间", "datetime"), Column("受理人", width=10),
         Column("房号", width=10), Column("客户", width=10), Column("服务项目", width=20), Column("类别", width=14),
         Column("数量", "int"), Column("单价", "money"), Column("金额", "money"), Column("完成时间", "datetime"),
         Column("结算方式", width=10)],
        rows, marks=[Mark("结算方式", NOT_DONE, "FFEB9C"), Mark("结算方式", HELD)],
        total=["合计", None, None, None, None, None, None, None, None,
               fen(sum((r[9] for r in rows if r[11] != NOT_DONE), ZERO)), None, None],
        note=(f"本月受理或完成的特约服务；{'、'.join(sorted(excluded))}现场收费，不进月结单；未完成的不计金额合计；"
              "待更正的（服务项目、单价或金额有误，见待办与逾期日报“须处理事项”）暂不进月结单，"
              "受理人改正登记表后重新生成本月报即补出月结单。"),
    )
    room_rows = [[room, c, n, fen(total)] for room, (n, total, c) in sorted(per_room.items())]
    rooms = Table("分户结算", f"特约服务分户结算 {p.zh}（随物业费收取）",
                  [Column("房号", width=10), Column("客户", width=10), Column("项数", "int"), Column("金额", "money")],
                  room_rows, total=["合计", None, sum(r[2] for r in room_rows),
                                    fen(sum((r[3] for r in room_rows), ZERO))],
                  note="每户的月结单（Word）在 文书草稿 文件夹。")
    return ledger, rooms, dict(statements), fen(achieved)


def _repair_fees(src: Source, p: Period) -> Table:
    rows = []
    for key, v in src.records("repair").items():
        done = when(v.get("完成时间"))
        if v.get("是否有偿") != "是" or not p.contains(done):
            continue
        material, labour = fen(dec(v.get("材料费")) or ZERO), fen(dec(v.get("人工费")) or ZERO)
        rows.append([v.get("房号"), key, v.get("报修人"), done, v.get("维修内容"), material, labour,
                     material + labour])
    rows.sort(key=lambda r: (str(r[0]), r[3]))
    return Table("维修费应收", f"有偿维修费应收 {p.zh}",
                 [Column("房号", width=10), Column("单号", width=14), Column("报修人", width=10),
                  Column("完成时间", "datetime"), Column("维修内容", width=30), Column("材料费", "money"),
                  Column("人工费", "money"), Column("合计", "money")],
                 rows, total=["合计", None, None, None, None, fen(sum((r[5] for r in rows), ZERO)),
                              fen(sum((r[6] for r in rows), ZERO)), fen(sum((r[7] for r in rows), ZERO))],
                 note="是否有偿为“是”、本月完成的报修，按房号排列。")


def _customer(v: dict[str, Any]) -> tuple[str, str]:
    """One customer however often seen: the name and the unit (two 陈女士 in two units are two)."""
    return (" ".join(str(v.get("客户") or "").split()), " ".join(str(v.get("房号") or "").split()))


def _visits(src: Source, p: Period) -> tuple[Table, Table]:
    # Seed 001 客户访问: "每月访问客户不少于…人" — customers seen, not rows written: the same
    # customer called on twice, or by two people of one department, counts once.
    people: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    depts: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for v in src.records("visit").values():
        if p.contains(day(v.get("日期"))):
            people[(str(v.get("部门") or ""), str(v.get("拜访人") or ""))].add(_customer(v))
            depts[str(v.get("部门") or "")].add(_customer(v))
    need_p, need_d = src.settings.visit_min_person, src.settings.visit_min_department
    person_rows = [[d, who, len(seen), need_p, SHORT if len(seen) < need_p else OK]
                   for (d, who), seen in sorted(people.items(), key=lambda kv: (len(kv[1]), kv[0]))]
    dept_rows = [[d, len(seen), need_d, SHORT if len(seen) < need_d else OK]
                 for d, seen in sorted(depts.items(), key=lambda kv: (len(kv[1]), kv[0]))]
    person = Table("拜访考核-人员", f"客户拜访考核（人员）{p.zh}",
                   [Column("部门", width=12), Column("拜访人", width=10), Column("拜访客户数", "int"),
                    Column("要求", "int"), Column("结果", width=10)],
                   person_rows, marks=[Mark("结果", SHORT)],
                   note=(f"每位客户助理每月至少拜访 {need_p} 位客户（同一客户多次拜访只计 1 位）；"
                         "本月没有任何拜访记录的人员不在表中，请部门负责人另行核对。"))
    dept = Table("拜访考核-部门", f"客户拜访考核（部门）{p.zh}",
                 [Column("部门", width=14), Column("拜访客户数", "int"), Column("要求", "int"),
                  Column("结果", width=10)],
                 dept_rows, marks=[Mark("结果", SHORT)],
                 note=f"每个部门每月至少拜访 {need_d} 位客户（本部门多人拜访同一客户只计 1 位）。")
    return person, dept


def _refunds(src: Source) -> Table:
    today = src.as_of.date()
    horizon = add_months(today.replace(day=1), 1) - timedelta(days=1)  # through this month's end
    rows = []
    for f in src.findings("renovation", "renovation_violation"):
        if f.rule != "renovation.deposit_refund" or f.status in ("met", "late"):
            continue
        v = f.values
        due = day(v.get("refund_due"))
        if due is None or due > horizon:
            continue
        rows.append([f.record, v.get("房号"), v.get("业主"), v.get("装修公司"), day(v.get("竣工验收日期")), due,
                     "已到期" if due <= today else "本月到期", v.get("deposit"), v.get("penalty_total"),
                     v.get("utilities"), v.get("damage"), v.get("refund"), "业主尚欠" if v.get("owed") else ""])
    rows.sort(key=lambda r: (r[5], r[0]))
    return Table("押金退还", f"装修押金应退清单（截至 {horizon:%Y-%m-%d}）",
                 [Column("编号", width=12), Column("房号", width=10), Column("业主", width=10),
                  Column("装修公司", width=18), Column("竣工验收日期", "date"), Column("应退日期", "date"),
                  Column("状态", width=10), Column("押金", "money"), Column("违约金", "money"),
                  Column("应扣水电费", "money"), Column("公共设施损坏赔偿", "money", width=12),
                  Column("应退金额", "money"), Column("备注", width=10)],
                 rows, marks=[Mark("状态", "已到期")],
                 note=("应退金额 = 装修押金 − 违约金 − 应扣水电费 − 公共设施损坏赔偿；为负数时为业主尚欠金额。"
                       "押金退还日期已填的不再列出。"))


def _card_deposits(src: Source) -> Table:
    """Parking cards handed back whose IC card deposit is not (fully) refunded (seed 001 停车 6)."""
    rows = []
    for f in src.findings("parking_card"):
        if f.rule != "parking.deposit_refund" or f.status != "open":
            continue
        v = f.values
        paid = v.get("paid")
        rows.append([f.record, v.get("车主"), v.get("房号"), day(v.get("退卡日期")), v.get("expected"), paid,
                     fen(v.get("expected") - (paid or 0))])
    rows.sort(key=lambda r: (r[3], r[0]))
    return Table("停车卡押金", "已退卡未退还的停车 IC 卡押金",
                 [Column("卡号", width=12), Column("车主", width=10), Column("房号", width=10),
                  Column("退卡日期", "date"), Column("应退押金", "money"), Column("已退", "money"),
                  Column("未退金额", "money")],
                 rows, note="收银员退还押金后在停车月卡登记表“押金退还”登记实退金额，即从清单中消除。")


STALE, FRESH = "须修订", "有效"


def _price_list(src: Source, period: Period) -> tuple[Table, dict[str, Any] | None]:
    """The price list's age (seed 004 5.2.1: revised at least once a year) and its public
    board (特约服务项目及收费标准公示), issued again whenever the list changes."""
    rules = src.rules.pack("property")
    prices, months = rules.prices, rules.settings.tariffs.special_service.revision_months
    end = period.end
    revised = prices.revised
    if revised is None:
        age, verdict = None, f"{STALE}：价目表未填修订日期，请填写并报项目经理"
    else:
        age = (end.year - revised.year) * 12 + end.month - revised.month - (end.day < revised.day)
        verdict = (f"{STALE}：已 {age} 个月未修订（每年至少修订一次），请客服中心报区域公司修订"
                   if age >= months else FRESH)
    table = Table("价目表", f"特约服务价目表修订情况（截至 {end:%Y-%m-%d}）",
                  [Column("修订日期", "date"), Column("距今月数", "int"), Column("要求", width=16),
                   Column("结论", width=50)],
                  [[revised, age, f"{months} 个月内修订", verdict]],
                  marks=[] if verdict == FRESH else [Mark("结论", verdict)],
                  note="特约服务价目表的修订日期写在表头上方；价目表修订后自动出新的收费标准公示。")
    if revised is None:
        return table, None
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for it in prices.items:
        groups[it.category].append({"服务项目": it.item, "单位": it.unit, "单价": it.price})
    values = {"修订日期": revised, "count": len(prices.items),
              "categories": [{"类别": c, "lines": lines} for c, lines in groups.items()]}
    return table, {"type": "price_board", "register": "special_service", "record": "特约服务价目表",
                   "values": values}


def monthly(src: Source, period: Period) -> Report:
    ledger, rooms, statements, achieved = _services(src, period)
    person, dept = _visits(src, period)
    target = src.settings.special_service_target
    if target > 0:
        rate = (achieved / target).quantize(Decimal("0.0001"))
        verdict = f"低于目标，差 {fen(target - achieved):,.2f} 元" if achieved < target else "已完成目标"
    else:
        rate, verdict = None, "未设月度目标（rules/schedule.yaml reports.special_service_target）"
    goal = Table("目标完成", f"特约服务月度目标 {period.zh}",
                 [Column("项目", width=16), Column("月度目标", "money"), Column("实际完成", "money"),
                  Column("完成率", "percent"), Column("结论", width=36)],
                 [["特约服务收入", target, achieved, rate, verdict]],
                 marks=[Mark("结论", verdict)] if achieved < target else [],
                 note="实际完成为本月完成的全部特约服务金额（含现场收费项目）。")
    notes = [f"特约服务收入 {achieved:,.2f} 元，{verdict}。"]
    held = [r[0] for r in ledger.rows if r[11] == HELD]
    if held:
        notes.append(f"特约服务 {'、'.join(held)} 的项目、单价或金额待受理人更正，暂未列入月结单。")
    short_p = sum(1 for r in person.rows if r[4] == SHORT)
    short_d = [r[0] for r in dept.rows if r[3] == SHORT]
    if short_p:
        notes.append(f"拜访未达标人员 {short_p} 人。")
    if short_d:
        notes.append(f"拜访未达标部门：{'、'.join(short_d)}。")
    refunds = _refunds(src)
    cards = _card_deposits(src)
    prices, board = _price_list(src, period)
    if prices.rows[0][3] != FRESH:
        notes.append(f"特约服务价目表{prices.rows[0][3]}。")
    tables = [goal, ledger, rooms, _repair_fees(src, period), person, dept, refunds, prices, cards]
    chart = Chart("拜访考核-部门", "bar", f"各部门拜访客户数（{period.name}）", "部门", ["拜访客户数", "要求"], "人数")
    return Report("monthly", "特约服务与收费月报", period, src.as_of, f"月报-特约服务与收费-{period.name}",
                  tables, [chart],
                  headline=[("特约服务收入（元）", f"{achieved:,.2f}", ""), ("月结户数", str(len(rooms.rows)), ""),
                            ("拜访未达标人员", str(short_p), ""), ("押金应退笔数", str(len(refunds.rows)), ""),
                            ("停车卡押金未退", str(len(cards.rows)), "")],
                  notes=notes, statements=statements, notices=[board] if board else [])
