"""The service desk's registers (seed 001 物品寄存, 雨伞, 报刊邮件, 来访, 接待, 入住), with
figures worked out by hand, and their way to the daily list and the 入住知会单 through the
pipeline on both databases."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D
from pathlib import Path

from conftest import write_xlsx
from docx import Document
from rules_helpers import dt, pick, rules_of, run

from toolkit.pipeline import process_paths
from toolkit.reports import build_report, parse_day

# ---- 物品寄存 ----------------------------------------------------------------------------


def storage(**v):
    base = {"寄存编号": "JC1", "寄存时间": dt("2026-11-23T10:00"), "寄存人": "张三", "寄存物品": "行李箱",
            "预定取件时间": dt("2026-11-23T18:00"), "经办人": "小王"}
    return {"storage": {"JC1": {**base, **v}}}


def test_the_seven_refused_kinds_are_named():
    assert "storage.refused_items" not in rules_of(run(storage(), "2026-11-23T12:00"))
    # 蛋糕 is a perishable food, 合同 an important document: two of the seed's seven kinds.
    f = pick(run(storage(寄存物品="一盒蛋糕和购房合同"), "2026-11-23T12:00"), "storage.refused_items")
    assert f.values["kinds"] == ["易腐食品", "重要文件"]
    for item, kind in (("现金2000元", "现金"), ("超市代金券", "代金券"), ("精密仪器一台", "精密仪器"),
                       ("玻璃花瓶", "易碎玻璃器皿"), ("金银首饰", "贵重物品")):
        assert pick(run(storage(寄存物品=item), "2026-11-23T12:00"), "storage.refused_items").values["kinds"] == [kind]


def test_pickup_overdue_after_the_agreed_time():
    # Agreed 11-23 18:00, not collected at 11-24 08:30 → overdue 14 h 30 min = 870 min.
    f = pick(run(storage(), "2026-11-24T08:30"), "storage.pickup")
    assert (f.due, f.status, f.overdue_minutes) == (dt("2026-11-23T18:00"), "overdue", 870)
    # Collected 18:20 with ID → 20 minutes late, no ID finding.
    f = pick(run(storage(取件时间=dt("2026-11-23T18:20"), 取件人="张三", 取件证件核实="是"), "2026-11-24T08:30"),
             "storage.pickup")
    assert (f.status, f.overdue_minutes) == ("late", 20)
    # Collected without the ID entered → finding.
    assert pick(run(storage(取件时间=dt("2026-11-23T17:00"), 取件人="张三"), "2026-11-24T08:30"), "storage.pickup_id")


# ---- 物品借取 ----------------------------------------------------------------------------


def lending(**v):
    base = {"借取编号": "JY1", "借出时间": dt("2026-11-23T09:10"), "借用人": "李四", "借用物品": "雨伞"}
    return {"lending": {"JY1": {**base, **v}}}


def test_lost_umbrella_paid_at_its_original_price():
    # Returned whole → nothing.
    assert run(lending(归还状态="完好", 归还时间=dt("2026-11-23T17:00")), "2026-11-24T08:30") == []
    # Lost, 物品原价 blank → tariffs.yaml lending.prices 雨伞 30.00; paid 25 → 25 − 30 = −5.00.
    f = pick(run(lending(归还状态="遗失", 赔偿金额=D("25")), "2026-11-24T08:30"), "lending.compensation")
    assert (f.values["expected"], f.values["difference"], f.severity) == (D("30.00"), D("-5.00"), "error")
    # Damaged, 物品原价 45 in the row wins over the setting; 45 paid → nothing.
    assert run(lending(归还状态="损坏", 物品原价=D("45"), 赔偿金额=D("45")), "2026-11-24T08:30") == []
    # No price anywhere → asked for the price.
    f = pick(run(lending(借用物品="折叠椅", 归还状态="遗失"), "2026-11-24T08:30"), "lending.compensation")
    assert f.values["expected"] is None and "未填物品原价" in f.message


# ---- 邮件签收 ----------------------------------------------------------------------------


def mail(**v):
    base = {"邮件编号": "YJ1", "收到时间": dt("2026-11-23T10:00"), "邮件类型": "挂号", "收件人": "张三",
            "房号": "1-0101"}
    return {"mail": {"YJ1": {**base, **v}}}


def test_collector_is_the_addressee_or_shows_id():
    took = dict(领取时间=dt("2026-11-23T15:00"))
    assert "mail.collector" not in rules_of(run(mail(**took, 领取人="张三"), "2026-11-24T08:30"))
    f = pick(run(mail(**took, 领取人="李四"), "2026-11-24T08:30"), "mail.collector")
    assert f.values["领取人"] == "李四"
    assert "mail.collector" not in rules_of(run(mail(**took, 领取人="李四", 身份核实="是"), "2026-11-24T08:30"))
    assert "未签字" in pick(run(mail(**took), "2026-11-24T08:30"), "mail.collector").message


def test_registered_mail_uncollected_by_the_end_of_the_day():
    # Received 11-23 10:00 → handed on by 11-23 23:59; still there 11-24 08:30 → 8 h 31 min = 511 min.
    f = pick(run(mail(), "2026-11-24T08:30"), "mail.deliver")
    assert (f.due, f.status, f.overdue_minutes) == (dt("2026-11-23T23:59"), "overdue", 511)
    # A plain letter has no such deadline.
    assert "mail.deliver" not in rules_of(run(mail(邮件类型="平信"), "2026-11-24T08:30"))


# ---- 来访、来电来访 ----------------------------------------------------------------------


def test_visitor_let_in_only_after_the_occupant_agrees():
    row = {"来访时间": dt("2026-11-23T10:00"), "来访人": "王五", "被访房号": "1-0101", "被访人": "张三"}
    f = pick(run({"visitor": {"k": row}}, "2026-11-23T12:00"), "visitor.confirmed")
    assert f.values["被访房号"] == "1-0101"
    assert run({"visitor": {"k": {**row, "被访人确认": "是"}}}, "2026-11-23T12:00") == []


def contact(**v):
    base = {"记录编号": "LD1", "时间": dt("2026-11-23T14:00"), "方式": "来电", "客户": "张三",
            "来电号码": "13812345678", "反映内容": "地下车库进水", "重大紧急": "是", "接待人": "小王"}
    return {"contact_log": {"LD1": {**base, **v}}}


def test_urgent_matter_reported_within_ten_minutes():
    # 14:00 + 10 min = 14:10; reported 14:11 → 1 minute late; 14:10 → met.
    f = pick(run(contact(上报时间=dt("2026-11-23T14:11")), "2026-11-23T15:00"), "contact.report")
    assert (f.due, f.status, f.overdue_minutes) == (dt("2026-11-23T14:10"), "late", 1)
    assert pick(run(contact(上报时间=dt("2026-11-23T14:10")), "2026-11-23T15:00"), "contact.report").status == "met"
    assert "contact.report" not in rules_of(run(contact(重大紧急="否"), "2026-11-23T15:00"))
    # A call without the caller's number.
    assert pick(run(contact(来电号码=None, 重大紧急="否"), "2026-11-23T15:00"), "contact.number")


# ---- 入住 --------------------------------------------------------------------------------


def move_in(**v):
    base = {"房号": "2-0301", "入住日期": date(2026, 11, 23), "入住人": "赵六", "客户类型": "租户",
            "业主承诺书": "是", "租赁协议": "否"}
    return {"move_in": {"2-0301|2026-11-23": {**base, **v}}}


def test_tenant_brings_the_owners_papers_and_signs():
    f = pick(run(move_in(), "2026-11-23T12:00"), "move_in.papers")
    assert f.values["missing"] == ["租赁协议", "租户信息表", "安全责任书"]
    full = dict(租赁协议="是", 租户信息表="是", 安全责任书="是")
    assert "move_in.papers" not in rules_of(run(move_in(**full), "2026-11-23T12:00"))
    assert "move_in.papers" not in rules_of(run(move_in(客户类型="业主", 业主承诺书=None, 租赁协议=None),
                                                "2026-11-23T12:00"))
    # Every move-in asks for the 入住知会单; one older than 30 days does not.
    assert pick(run(move_in(**full), "2026-11-23T12:00"), "move_in.recorded").notice == "move_in_notice"
    assert pick(run(move_in(**full), "2027-01-05T12:00"), "move_in.recorded").notice is None


# ---- through the pipeline ----------------------------------------------------------------


def test_desk_registers_reach_the_daily_list_and_the_move_in_notice(ctx, tmp_path: Path):
    store = [["寄存编号", "寄存时间", "寄存人", "房号", "寄存物品", "预定取件时间", "经办人"],
             ["JC001", datetime(2026, 11, 23, 10, 0), "张三", "1-101", "现金和行李箱", datetime(2026, 11, 23, 18, 0), "小王"]]
    post = [["邮件编号", "收到时间", "邮件类型", "收件人", "房号", "经办人"],
            ["YJ001", datetime(2026, 11, 23, 10, 0), "快件", "李四", "1-102", "小王"]]
    moves = [["房号", "入住日期", "入住人", "客户类型", "入住联系电话", "业主承诺书", "租赁协议", "租户信息表", "安全责任书", "特别需求"],
             ["2-301", date(2026, 11, 23), "赵六", "租户", "13812345678", "是", "是", "是", "否", "老人同住，需无障碍通道"]]
    done = process_paths(ctx, [write_xlsx(tmp_path / "desk.xlsx", {"寄存": store, "邮件": post, "入住": moves})],
                         datetime(2026, 11, 24, 8, 0))
    assert done.files[0].status == "accepted", done.files[0].message
    report, _ = build_report(ctx, "daily_due", datetime(2026, 11, 24, 8, 30), parse_day("2026-11-24"))
    due = {(r[1], r[2]): r for r in report.table("待办与逾期").rows}
    # Pickup agreed 11-23 18:00 → at 08:30 overdue 14 h 30 min; the 快件 due 11-23 23:59 → 8 h 31 min.
    assert due[("物品寄存登记", "JC001")][6] == "14小时30分钟" and due[("物品寄存登记", "JC001")][7] == "小王"
    assert due[("邮件签收登记", "YJ001")][6] == "8小时31分钟"
    issues = {(r[1], r[2]): r for r in report.table("待处理问题").rows}
    assert "现金不予寄存" in issues[("物品寄存登记", "JC001")][6]
    assert "缺安全责任书" in issues[("客户入住记录", "2-301|2026-11-23")][6]
    drafts = sorted(ctx.ws.drafts.glob("*入住知会单*.docx"))
    assert len(drafts) == 1 and "住字第001号" in drafts[0].name
    doc = Document(drafts[0])
    text = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    assert "各部门：" in text and "2-301的租户赵六于2026年11月23日入住" in text
    assert "老人同住，需无障碍通道" in text and "138****5678" in text
