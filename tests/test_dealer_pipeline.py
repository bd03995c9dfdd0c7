"""The dealer pack as an office uses it: `toolkit init --pack dealer`, the blank registers
filled and saved into inbox/, processed, documents drafted, reports made; and recognition
of its sheets beside the property pack's."""

from __future__ import annotations

import json
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from car_fixtures import dealer_home, init  # noqa: F401 (dealer_home: the fixture "home")
from click.testing import CliRunner
from conftest import write_xlsx

from toolkit.blank import HEADER_ROW
from toolkit.cli import main
from toolkit.packs import available


def cli(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, list(args))
    return res.exit_code, res.stdout  # the JSON alone: warnings go to stderr


def fill(home: Path, title: str, rows: list[dict[str, Any]], name: str | None = None) -> Path:
    """Rows typed under the headers of the blank workbook `init` wrote, saved into inbox/."""
    wb = openpyxl.load_workbook(home / "空白登记表" / f"{title}.xlsx")
    ws = wb.active
    headers = [c.value for c in ws[HEADER_ROW]]  # under the title and the note on red headers
    for r in rows:
        ws.append([r.get(h) for h in headers])
    out = home / "inbox" / f"{name or title}.xlsx"
    wb.save(out)
    return out


def process(home: Path, path: Path, now: str) -> dict[str, Any]:
    code, out = cli("process", str(path), "--home", str(home), "--now", now, "--json")
    assert code == 0, out
    return json.loads(out)["files"][0]


def docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    import re

    return "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml))



def test_init_writes_every_dealer_register_blank(home: Path):
    titles = {p.stem for p in (home / "空白登记表").glob("*.xlsx")}
    assert titles >= {"县级市场登记", "联销体成员登记", "二级客户进货统计表", "一级经销商月销量", "联销体成员走访记录",
                      "报表上报登记", "业务员工资考核表", "假冒伪劣处罚登记", "俱乐部会员登记", "合同登记",
                      "合同收款登记", "顾问推进计划"}
    assert "客户拜访记录" not in titles  # no property registers in a dealer-only workspace


def test_each_blank_register_is_recognised_as_itself_beside_the_property_pack(tmp_path: Path):
    home = init(tmp_path / "both", "property", "dealer")
    dealer = available()["dealer"]
    import yaml

    blanks = tmp_path / "blanks"
    blanks.mkdir()
    for name in dealer.registers:
        title = yaml.safe_load((home / "rules" / "registers" / f"{name}.yaml").read_text(encoding="utf-8"))["title"]
        wb = openpyxl.load_workbook(home / "空白登记表" / f"{title}.xlsx")
        ws = wb.active
        ws.delete_rows(1)  # headers alone in row 1: nothing but the headers says which register
        wb.save(blanks / f"{name}.xlsx")
    # All in one run (each file is recognised on its own; one run saves a start-up each).
    code, text = cli("process", str(blanks), "--home", str(home), "--json")
    assert code == 0, text
    got = {Path(f["path"]).stem: f["register"] for f in json.loads(text)["files"]}
    assert got == {name: [name] for name in dealer.registers}


def test_dealer_visit_and_property_visit_do_not_tie(tmp_path: Path):
    """Both have 日期 and a person and a customer; 成员编号 and 方式 decide."""
    home = init(tmp_path / "both", "property", "dealer")
    jsb = write_xlsx(tmp_path / "走访.xlsx", {"走访": [["日期", "业务员", "成员编号", "方式", "销售情况"],
                                                    ["2026-11-10", "王强", "M01", "走访", "平稳"]]})
    prop = write_xlsx(tmp_path / "拜访.xlsx", {"拜访": [["日期", "拜访人", "部门", "客户", "房号", "方式", "意见"],
                                                     ["2026-11-10", "李红", "客服中心", "张三", "3-101", "上门", "无"]]})
    assert json.loads(cli("process", str(jsb), "--home", str(home), "--json")[1])["files"][0]["register"] == ["jsb_visit"]
    assert json.loads(cli("process", str(prop), "--home", str(home), "--json")[1])["files"][0]["register"] == ["visit"]


MEMBERS = [
    {"成员编号": "M01", "经销商名称": "丰县百汇商行", "县市": "丰县", "一级经销商": "徐州华联商贸", "负责人": "刘建国",
     "协议签订日期": date(2026, 3, 2), "入会日期": date(2026, 3, 5), "铜牌编号": "T-001", "状态": "正式成员"},
    {"成员编号": "M02", "经销商名称": "沛县永兴副食", "县市": "沛县", "一级经销商": "徐州华联商贸", "负责人": "张海",
     "协议签订日期": date(2026, 3, 2), "入会日期": date(2026, 3, 6), "铜牌编号": "T-002", "状态": "正式成员"},
]


def test_joint_sales_body_end_to_end(home: Path):
    process(home, fill(home, "联销体成员登记", MEMBERS), "2026-11-06T09:00")
    # M02: 09 69.00 %, 10 65.00 % → two months below, no notice yet.
    rows = [{"月份": m, "成员编号": "M02", "销量": s, "所在市场销量": 10000, "填报业务员": "王强"}
            for m, s in (("2026-09", 6900), ("2026-10", 6500))]
    rows += [{"月份": m, "成员编号": "M01", "销量": 7500, "所在市场销量": 10000} for m in ("2026-09", "2026-10")]
    result = process(home, fill(home, "二级客户进货统计表", rows, "进货10月"), "2026-11-06T09:00")
    assert result["rows"]["rejected"] == 0, result["errors"]
    assert not [f for f in result["findings"] if f["rule"] == "jsb.cancel_share"]
    # November at 69.50 %: the third month running → the cancellation notice, with the three months.
    rows.append({"月份": "2026-11", "成员编号": "M02", "销量": 6950, "所在市场销量": 10000})
    rows.append({"月份": "2026-11", "成员编号": "M01", "销量": 7200, "所在市场销量": 10000})
    result = process(home, fill(home, "二级客户进货统计表", rows, "进货11月"), "2026-12-06T09:00")
    cancels = [f for f in result["findings"] if f["rule"] == "jsb.cancel_share"]
    assert [f["record"] for f in cancels] == ["2026-11|M02"]
    drafts = list((home / "outbox" / "文书草稿").glob("*联销体成员资格取消通知书*.docx"))
    assert len(drafts) == 1 and "消字第001号" in drafts[0].name
    text = docx_text(drafts[0])
    assert "沛县永兴副食" in text and "69.00%" in text and "65.00%" in text and "69.50%" in text
    assert "T-002" in text
    assert "2026年9月" in text and "2026-09" not in text  # months as words
    # The dispatch register lists it.
    wb = openpyxl.load_workbook(home / "outbox" / "发文登记.xlsx")
    cells = [c for row in wb.active.iter_rows(values_only=True) for c in row if c]
    assert any("消字第001号" in str(c) for c in cells)
    code, out = cli("report", "jsb_monthly", "--home", str(home), "--now", "2026-12-06T10:00", "--json")
    assert code == 0, out
    made = json.loads(out)
    assert {"sheet": "进货统计", "rows": 2} in made["tables"]
    report = openpyxl.load_workbook(next(o for o in made["outputs"] if o.endswith(".xlsx")))
    matters = [r for r in report["需处理事项"].iter_rows(values_only=True) if r and r[1] == "2026-11|M02"]
    assert matters and matters[0][0] == "占比连续偏低"  # said in words, not the rule's code


def test_pay_of_the_seed_example_from_a_filled_sheet(home: Path):
    # 2000×70% + 2000×30%×(16/20) + 500 = 2380; 实发工资 written as 2380 → no mismatch.
    result = process(home, fill(home, "业务员工资考核表", [
        {"月份": "2026-08", "业务员": "王强", "基本工资": 2000, "辖区县数": 20, "有成员县数": 16, "实发工资": 2380},
        {"月份": "2026-08", "业务员": "李军", "基本工资": 2000, "辖区县数": 20, "有成员县数": 16, "实发工资": 2400}]),
        "2026-09-06T09:00")
    pay = {f["record"]: f for f in result["findings"] if f["rule"] == "jsb.pay"}
    assert "= 2,380.00 元" in pay["2026-08|王强"]["message"]
    mismatch = [f["record"] for f in result["findings"] if f["rule"] == "jsb.pay_mismatch"]
    assert mismatch == ["2026-08|李军"]


def test_club_and_contract_documents_end_to_end(home: Path):
    result = process(home, fill(home, "俱乐部会员登记", [
        {"会员卡号": "GL-0002", "车牌号": "苏C66666", "会员姓名": "吴刚", "所属支公司": "鼓楼支公司", "会员类型": "普通会员",
         "保单号": "PDAA2026002", "保险起期": date(2025, 11, 25), "保险止期": date(2026, 11, 24),
         "入会申请日期": date(2025, 11, 26), "续保日期": date(2026, 12, 4)}]), "2026-12-05T09:00")
    # 11-24 + 10 days = 12-04: renewed on the last valid day → automatic renewal.
    assert [f["rule"] for f in result["findings"]] == ["club.renewal"]
    renewal = next((home / "outbox" / "文书草稿").glob("*会员卡续发通知*.docx"))
    assert "2027年12月4日" in docx_text(renewal)  # new policy to 2027-11-24, + 10 days
    contract = {"合同编号": "GW-2026-001", "合同类型": "物业服务顾问协议", "甲方": "常州金城置业有限公司",
                "乙方": "江苏恒安物业顾问有限公司", "签订日期": date(2026, 3, 1), "委托费用": 120000, "违约金": 20000,
                "状态": "草拟"}
    process(home, fill(home, "合同登记", [contract]), "2026-11-30T09:00")
    first = next((home / "outbox" / "文书草稿").glob("*物业服务顾问协议书*.docx"))
    text = docx_text(first)
    assert "壹拾贰万元整" in text and "贰万元整" in text and "壹式陆份" in text and "各执叁份" in text
    assert "常州仲裁委员会" in text and "替代" not in text
    # Re-saved with a changed fee: a new version that names the one it replaces.
    process(home, fill(home, "合同登记", [{**contract, "委托费用": 150000}], "合同登记-改"), "2026-11-30T10:00")
    second = next((home / "outbox" / "文书草稿").glob("*顾字第002号*.docx"))
    text = docx_text(second)
    assert "壹拾伍万元整" in text and "替代" in text and "顾字第001号" in text
    result = process(home, fill(home, "合同收款登记", [
        {"合同编号": "GW-2026-001", "期次": 2, "应付日期": date(2026, 10, 30), "应付金额": 40000, "实付金额": 10000}]),
        "2026-11-28T09:00")
    (overdue,) = [f for f in result["findings"] if f["rule"] == "contract.overdue"]
    assert "29 天" in overdue["message"]  # day 29: a reminder, not yet a breach
    assert list((home / "outbox" / "文书草稿").glob("*付款提醒函*.docx"))
    assert not list((home / "outbox" / "文书草稿").glob("*违约通知书*.docx"))
    code, out = cli("report", "contract_monthly", "--home", str(home), "--now", "2026-11-30T10:00", "--json")
    assert code == 0, out


def test_club_report_gives_each_branch_only_its_own_customers(home: Path):
    cards = [{"会员卡号": f"{code}-{i}", "车牌号": f"苏C{code[0]}000{i}", "会员姓名": f"客户{code}{i}",
              "所属支公司": branch, "会员类型": "普通会员", "保单号": f"P{code}{i}", "保险止期": date(2027, 3, 1),
              "入会申请日期": date(2026, 11, 3)} for code, branch in (("GL", "鼓楼支公司"), ("YL", "云龙支公司"))
             for i in (1, 2)]
    cards.append({"会员卡号": "YL-9", "车牌号": "苏C99999", "会员姓名": "郑红", "所属支公司": "云龙支公司",
                  "会员类型": "VIP会员", "入会申请日期": date(2026, 11, 3), "发卡日期": date(2026, 11, 5), "会费": 365})
    process(home, fill(home, "俱乐部会员登记", cards), "2026-11-30T09:00")
    code, out = cli("report", "club_monthly", "--home", str(home), "--now", "2026-12-01T09:00", "--json")
    assert code == 0, out
    wb = openpyxl.load_workbook(next(o for o in json.loads(out)["outputs"] if o.endswith(".xlsx")))
    assert {"鼓楼支公司", "云龙支公司"} <= set(wb.sheetnames)
    for sheet, own in (("鼓楼支公司", "GL-"), ("云龙支公司", "YL-")):
        cards_in = [r[0] for r in wb[sheet].iter_rows(values_only=True) if r and str(r[0] or "").startswith(("GL-", "YL-"))]
        assert cards_in and all(c.startswith(own) for c in cards_in), (sheet, cards_in)
    summary = {r[0]: r for r in wb["汇总"].iter_rows(values_only=True) if r and r[0] in ("鼓楼支公司", "云龙支公司")}
    assert summary["云龙支公司"][7] == 365  # one VIP card, 365 元


def test_visit_list_weekly_in_the_first_half_year_then_monthly(home: Path):
    """Seed 003: the 走访一览表 goes in weekly in the body's first half-year, monthly after.
    Founded 2026-03-01 + 6 months → from 2026-09-01 on, monthly."""
    from datetime import datetime

    from toolkit.pipeline import open_context
    from toolkit.scheduler import run_due
    from toolkit.workspace import Workspace

    settings = home / "rules" / "dealer.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("founded: null", "founded: 2026-03-01"),
                        encoding="utf-8")
    process(home, fill(home, "联销体成员登记", MEMBERS), "2026-08-20T09:00")
    visits = [("2026-08-26", "M01", "走访"), ("2026-09-02", "M01", "电话调度"), ("2026-09-09", "M02", "走访"),
              ("2026-09-16", "M01", "走访"), ("2026-10-02", "M01", "走访")]
    process(home, fill(home, "联销体成员走访记录", [
        {"日期": d, "业务员": "王强", "成员编号": m, "方式": how, "销售情况": "正常"} for d, m, how in visits]),
        "2026-10-02T18:00")
    ctx = open_context(Workspace(home))
    try:
        def run(now: str) -> dict[str, tuple[str, list[str]]]:
            return {o.job: (o.status, o.outputs) for o in run_due(ctx, datetime.fromisoformat(now))}

        def rows(outputs: list[str], sheet: str) -> list[tuple]:
            wb = openpyxl.load_workbook(next(p for p in outputs if p.endswith(".xlsx")))
            return [r for r in wb[sheet].iter_rows(values_only=True) if r and r[2] in ("M01", "M02")]

        weekly, monthly = "联销体成员走访一览表", "联销体成员走访一览表（月度）"
        # Tuesday 09-01 09:00, the working day after the lists were due (Monday 17:30): the
        # week just ended, 08-24…08-30, inside the half-year: the weekly list, one visit.
        got = run("2026-09-01T09:00")
        assert got[weekly][0] == "done" and len(rows(got[weekly][1], "本周走访")) == 1
        # Tuesday 09-08: the week 08-31…09-06 began inside the half-year: still weekly (the
        # 09-02 call). August's monthly list (due Monday 09-07, the 5th being a Saturday)
        # is not made: August is inside the half-year.
        got = run("2026-09-08T09:00")
        assert got[weekly][0] == "done" and [r[4] for r in rows(got[weekly][1], "本周走访")] == ["电话调度"]
        assert got[monthly] == ("skipped", [])
        # Tuesday 09-15: the week 09-07…09-13 is past the half-year: no weekly list any more.
        assert run("2026-09-15T09:00")[weekly] == ("skipped", [])
        # September's monthly list is due 10-05, in the National Day holiday → 10-08; made
        # Friday 10-09: 09-02, 09-09, 09-16 (10-02 is October's); M02 was visited but never
        # called in September.
        got = run("2026-10-09T09:00")
        assert got[monthly][0] == "done"
        assert [(r[0], r[2], r[4]) for r in rows(got[monthly][1], "本月走访")] == [
            (datetime(2026, 9, 2), "M01", "电话调度"), (datetime(2026, 9, 9), "M02", "走访"),
            (datetime(2026, 9, 16), "M01", "走访")]
        wb = openpyxl.load_workbook(next(p for p in got[monthly][1] if p.endswith(".xlsx")))
        lacking = [r for r in wb["本月未走访"].iter_rows(values_only=True) if r and r[2] in ("M01", "M02")]
        assert [(r[0], r[2], r[7]) for r in lacking] == [("2026年9月", "M02", "电话调度")]
    finally:
        ctx.close()


def test_half_year_reward_withheld_while_a_cancellation_awaits(home: Path):
    """Filled as the office would: M02's third month below 70 % drafts its cancellation in
    January; the register still says 正式成员. Only M01 gets a 半年度奖励通知; the half-year
    sheet shows M02's reward held back."""
    process(home, fill(home, "联销体成员登记", MEMBERS), "2026-07-01T09:00")
    rows = [{"月份": f"2026-{m:02d}", "成员编号": "M01", "销量": 15000 if m == 12 else 10000,
             "所在市场销量": 12000, "填报业务员": "王强"} for m in range(7, 13)]
    rows += [{"月份": month, "成员编号": "M02", "销量": sold, "所在市场销量": 10000, "填报业务员": "王强"}
             for month, sold in (("2026-07", 8000), ("2026-08", 8000), ("2026-09", 8000),
                                 ("2026-10", 6900), ("2026-11", 6000), ("2026-12", 6999))]
    result = process(home, fill(home, "二级客户进货统计表", rows, "进货下半年"), "2027-01-06T09:00")
    assert result["rows"]["rejected"] == 0, result["errors"]
    drafts = [p.name for p in (home / "outbox" / "文书草稿").glob("*.docx")]
    assert [n for n in drafts if "成员资格取消通知书" in n and n.endswith("_M02.docx")]
    rewards = [n for n in drafts if "半年度奖励通知" in n]
    assert len(rewards) == 1 and "M01" in rewards[0], drafts
    code, out = cli("report", "jsb_half_year", "--home", str(home), "--now", "2027-01-10T10:00", "--json")
    assert code == 0, out
    made = json.loads(out)
    sheet = openpyxl.load_workbook(next(p for p in made["outputs"] if p.endswith(".xlsx")))["半年奖励"]
    got = {r[0]: r for r in sheet.iter_rows(values_only=True) if r and r[0] in ("M01", "M02")}
    # M01: 5 × 10,000 + 15,000 = 65,000 × 4 ‰ = 260.00; M02: 43,899, reward held back.
    assert got["M01"][9] == 65000 and got["M01"][10] == 260
    assert got["M02"][9] == 43899 and got["M02"][10] is None and got["M02"][12] == "取消待审批（奖励暂缓）"


def test_breach_letter_waits_for_its_contract_and_claims_no_reminder_never_sent(home: Path):
    # Installment 2 was due 11-02 and nothing was paid: 12-02 is day 30, the last day
    # the client may still pay; 12-03 is day 31, a breach (seed 000 第三篇 5(2)). The
    # payments register arrives first, before the contract is registered.
    result = process(home, fill(home, "合同收款登记", [
        {"合同编号": "GW-2026-003", "期次": 2, "应付日期": date(2026, 11, 2), "应付金额": 32000}]), "2026-12-03T10:00")
    (overdue,) = [f for f in result["findings"] if f["rule"] == "contract.overdue"]
    assert "已逾期 31 天" in overdue["message"] and "请先在合同登记中登记此合同" in overdue["message"]
    assert not list((home / "outbox" / "文书草稿").glob("*违约通知书*.docx"))  # no letter to nobody
    # Whoever keeps 合同登记 is told where they look: the payment sheet's return copy (on
    # 合同编号) and the monthly report, whose 甲方 says the register lacks the contract.
    [copy] = (home / "outbox" / "退回批注").glob("合同收款登记*.xlsx")
    sheet = openpyxl.load_workbook(copy)["合同收款登记"]
    header = [c.value for c in sheet[HEADER_ROW]]
    note = sheet.cell(HEADER_ROW + 1, header.index("合同编号") + 1).comment.text
    assert "合同登记中没有此合同，违约通知书无法起草" in note and "须处理：合同管理部先在合同登记中登记此合同" in note

    def contract_report(now: str) -> openpyxl.Workbook:
        code, out = cli("report", "contract_monthly", "--home", str(home), "--month", "2026-11", "--now", now, "--json")
        assert code == 0, out
        return openpyxl.load_workbook(next(o for o in json.loads(out)["outputs"] if o.endswith(".xlsx")))

    report = contract_report("2026-12-03T10:30")
    [row] = [r for r in report["应收款"].iter_rows(values_only=True) if r and r[0] == "GW-2026-003"]
    assert row[1] == "合同登记中无此编号" and row[8] == "逾期"  # as of the report's moment, 12-01 09:00: day 29
    assert [r[0] for r in report["合同事项"].iter_rows(values_only=True) if r and r[1] == "GW-2026-003|2"] == ["合同未登记"]
    # The contract as the office types it: 状态 履行中 and 合同类型 物业服务顾问 are read as
    # 生效 and 物业服务顾问协议 (no problem reported), and the letter follows.
    result = process(home, fill(home, "合同登记", [
        {"合同编号": "GW-2026-003", "合同类型": "物业服务顾问", "甲方": "徐州锦绣花园业主委员会", "乙方": "某某物业管理有限公司",
         "签订日期": date(2026, 8, 1), "委托费用": 96000, "违约金": 5000, "状态": "履行中"}]), "2026-12-03T11:00")
    assert result["errors"] == [], result["errors"]
    (letter,) = (home / "outbox" / "文书草稿").glob("*违约通知书*.docx")
    text = docx_text(letter)
    assert "徐州锦绣花园业主委员会" in text and "32,000.00元（人民币叁万贰仟元整）" in text
    assert "伍仟元整" in text  # the contract's 违约金 5,000
    assert "书面提醒" not in text  # the day-1 reminder was never sent: the letter does not claim it
    # Registered: the matter is settled and the report names the party.
    report = contract_report("2026-12-03T11:30")
    [row] = [r for r in report["应收款"].iter_rows(values_only=True) if r and r[0] == "GW-2026-003"]
    assert row[1] == "徐州锦绣花园业主委员会"
    assert not [r for r in report["合同事项"].iter_rows(values_only=True) if r and r[1] == "GW-2026-003|2"]


def test_vip_typed_as_staff_do_is_a_vip_membership(home: Path):
    result = process(home, fill(home, "俱乐部会员登记", [
        {"会员卡号": "VIP-0008", "车牌号": "苏C8M2K7", "会员姓名": "周建平", "所属支公司": "沛县支公司", "会员类型": "vip",
         "保单号": "PDAA2026003", "保险起期": date(2025, 12, 6), "保险止期": date(2026, 12, 5),
         "入会申请日期": date(2025, 12, 6), "会费": 365, "会费年数": 1}]), "2026-11-20T09:00")
    assert result["errors"] == []
    # A VIP paying 365 元 for one year is right (365 × 1): no fee finding.
    assert not [f for f in result["findings"] if f["rule"] == "club.fee"]


def test_club_corrections_reach_the_branch_and_the_monthly_report(home: Path):
    """What a branch typed wrong comes back to it on the return copy, on the cell, naming
    who acts, and stands on the club's monthly report until the register is put right."""
    base = {"所属支公司": "鼓楼支公司", "会员类型": "普通会员", "入会申请日期": date(2026, 3, 2)}
    cards = [
        {**base, "会员卡号": "GL-1", "车牌号": "苏C10001", "会员姓名": "周一", "保单号": "P1",
         "保险止期": date(2027, 3, 1)},
        {**base, "会员卡号": "GL-2", "车牌号": "苏C10001", "会员姓名": "周一", "保单号": "P2",  # the same car
         "保险止期": date(2027, 3, 1)},
        {**base, "会员卡号": "GL-3", "车牌号": "苏C10003", "会员姓名": "吴三", "保单号": "P3",
         "保险止期": date(2027, 3, 1), "会费": 100},  # ordinary members pay nothing
        {**base, "会员卡号": "GL-4", "车牌号": "苏C10004", "会员姓名": "郑四", "会员类型": "VIP会员",
         "发卡日期": date(2026, 3, 5), "会费年数": 2, "会费": 700},  # 365 × 2 = 730 by hand
        {**base, "会员卡号": "GL-5", "车牌号": "苏C10005", "会员姓名": "王五", "保单号": "P5",
         "保险止期": date(2026, 11, 10), "状态": "有效"},  # valid to 11-20, still marked 有效
    ]
    result = process(home, fill(home, "俱乐部会员登记", cards), "2026-11-30T09:00")
    acts = {(f["rule"], f["record"]) for f in result["findings"] if f["severity"] in ("warning", "error")}
    assert acts == {("club.one_car", "GL-2"), ("club.fee", "GL-3"), ("club.fee", "GL-4"), ("club.validity", "GL-5")}
    [copy] = (home / "outbox" / "退回批注").glob("俱乐部会员登记*.xlsx")
    wb = openpyxl.load_workbook(copy)
    listing = wb["问题清单"]
    assert listing["A2"].value.startswith("共 4 处须处理的事项（已列入俱乐部会员月报）")
    sheet = wb["俱乐部会员登记"]
    header = [c.value for c in sheet[HEADER_ROW]]

    def comment(card: str, column: str) -> str:
        row = next(r for r in sheet.iter_rows(min_row=HEADER_ROW + 1) if r[0].value == card)
        c = row[header.index(column)].comment
        return c.text if c else ""

    assert "730.00 元" in comment("GL-4", "会费") and "所属支公司经办人" in comment("GL-4", "会费")
    assert "不收取任何入会费用" in comment("GL-3", "会费")
    assert "注销" in comment("GL-2", "状态") and "GL-1" in comment("GL-2", "状态")
    assert "2026-11-20" in comment("GL-5", "状态")
    code, out = cli("report", "club_monthly", "--home", str(home), "--now", "2026-12-01T09:00", "--json")
    assert code == 0, out
    report = openpyxl.load_workbook(next(o for o in json.loads(out)["outputs"] if o.endswith(".xlsx")))
    todo = [r for r in report["须处理事项"].iter_rows(values_only=True) if r and str(r[1] or "").startswith("GL-")]
    assert sorted(r[1] for r in todo) == ["GL-2", "GL-3", "GL-4", "GL-5"]
    assert all(r[0] == "鼓楼支公司" and "所属支公司经办人" in r[4] for r in todo)
    # Put right and saved again: nothing left to do, on either.
    cards[1]["状态"] = "注销"
    cards[2]["会费"] = None
    cards[3]["会费"] = 730
    cards[4]["状态"] = "失效"
    result = process(home, fill(home, "俱乐部会员登记", cards, "俱乐部会员登记-改"), "2026-11-30T10:00")
    assert not [f for f in result["findings"] if f["severity"] in ("warning", "error") and f["state"] != "resolved"]
    code, out = cli("report", "club_monthly", "--home", str(home), "--now", "2026-12-01T09:30", "--json")
    report = openpyxl.load_workbook(next(o for o in json.loads(out)["outputs"] if o.endswith(".xlsx")))
    assert "须处理事项" not in report.sheetnames


def test_a_counterfeit_case_typed_off_the_agreement_goes_back_to_the_region(home: Path):
    process(home, fill(home, "联销体成员登记", MEMBERS), "2026-11-06T09:00")
    result = process(home, fill(home, "假冒伪劣处罚登记", [
        {"处罚编号": "F1", "成员编号": "M01", "发现日期": date(2026, 11, 2), "举报人": "赵敏", "罚金": 50000,
         "举报奖励": 40000, "铜牌收回": "是"},
        {"处罚编号": "F2", "成员编号": "M02", "发现日期": date(2026, 11, 2), "举报人": "钱伟", "罚金": 30000,
         "举报奖励": 30000}]), "2026-11-30T09:00")
    # Each case also drafts the member's cancellation (运行章程: 不得销售假冒产品 → 取消资格);
    # that is the region's to approve, not a register error: the return copy lists the 3 errors.
    assert {(f["rule"], f["record"]) for f in result["findings"] if f["severity"] in ("warning", "error")} == {
        ("jsb.counterfeit_penalty", "F2"), ("jsb.counterfeit_reward", "F2"), ("jsb.counterfeit_plaque", "F2"),
        ("jsb.cancel_conduct", "F1"), ("jsb.cancel_conduct", "F2")}
    [copy] = (home / "outbox" / "退回批注").glob("假冒伪劣处罚登记*.xlsx")
    wb = openpyxl.load_workbook(copy)
    assert wb["问题清单"]["A2"].value.startswith("共 3 处须处理的事项（已列入二级客户进货统计月报）")
    sheet = wb["假冒伪劣处罚登记"]
    header = [c.value for c in sheet[HEADER_ROW]]
    row = next(r for r in sheet.iter_rows(min_row=HEADER_ROW + 1) if r[0].value == "F2")
    marked = {col: row[header.index(col)].comment.text for col in ("罚金", "举报奖励", "铜牌收回")}
    assert "50,000.00 元" in marked["罚金"] and "大区" in marked["罚金"]
    assert "24,000.00" in marked["举报奖励"]  # 30,000 × 80 % by hand
    assert "业务员收回铜牌" in marked["铜牌收回"]
    assert row[header.index("成员编号")].comment is None
    code, out = cli("report", "jsb_monthly", "--home", str(home), "--now", "2026-12-06T10:00", "--json")
    assert code == 0, out
    report = openpyxl.load_workbook(next(o for o in json.loads(out)["outputs"] if o.endswith(".xlsx")))
    listed = [r for r in report["登记待改正"].iter_rows(values_only=True) if r and r[1] == "F2"]
    assert sorted(r[0] for r in listed) == ["举报奖励不符", "罚金低于约定", "铜牌未收回"]


# --- QA's findings on the 联销体 sheets, the half-year report and the club ------------------------------

TONGSHAN = [
    {"成员编号": m, "经销商名称": name, "县市": "铜山区", "一级经销商": "徐州金鼎商贸", "协议签订日期": date(2026, 3, 10),
     "入会日期": date(2026, 3, 10), "铜牌编号": f"TP-00{i}", "状态": "正式成员"}
    for i, (m, name) in enumerate((("M001", "铜山大彭副食批发部"), ("M002", "铜山利国食品商行"), ("M003", "铜山柳泉超市")), 1)]


def test_monthly_sales_sheet_says_what_it_cannot_judge(home: Path):
    """M001 69,996 of a 100,000 market in November: 69.996 %, below 70 % (the third month
    running) and shown so, never "70.00%". M002's market typed 0: no share, not 正常.
    M009 is not in the member register: the salesperson is asked to correct the number.
    铜山区 has three members, the maximum is two: 县级成员超过上限, not 不足."""
    process(home, fill(home, "县级市场登记", [{"县市": "铜山区", "大区": "苏北大区", "责任业务员": "张伟",
                                              "一级经销商": "徐州金鼎商贸"}]), "2026-11-06T09:00")
    process(home, fill(home, "联销体成员登记", TONGSHAN), "2026-11-06T09:00")
    rows = [{"月份": m, "成员编号": "M001", "销量": sold, "所在市场销量": 100000, "填报业务员": "张伟"}
            for m, sold in (("2026-09", 65000), ("2026-10", 68000), ("2026-11", 69996))]
    rows += [{"月份": "2026-11", "成员编号": "M002", "销量": 50000, "所在市场销量": 0, "填报业务员": "张伟"},
             {"月份": "2026-11", "成员编号": "M003", "销量": 80000, "所在市场销量": 100000, "填报业务员": "张伟"},
             {"月份": "2026-11", "成员编号": "M009", "经销商名称": "铜山某商行", "销量": 30000, "所在市场销量": 40000,
              "填报业务员": "张伟"}]
    result = process(home, fill(home, "二级客户进货统计表", rows), "2026-12-04T09:00")
    assert result["rows"]["rejected"] == 0, result["errors"]
    rules = {(f["rule"], f["record"]) for f in result["findings"]}
    assert {("jsb.sales_unknown_member", "2026-11|M009"), ("jsb.share_unknown", "2026-11|M002"),
            ("jsb.cancel_share", "2026-11|M001")} <= rules
    # The return copy marks the cells to correct.
    [copy] = (home / "outbox" / "退回批注").glob("二级客户进货统计表*.xlsx")
    sheet = openpyxl.load_workbook(copy)["二级客户进货统计表"]
    header = [c.value for c in sheet[HEADER_ROW]]

    def comment(member: str, column: str) -> str:
        row = next(r for r in sheet.iter_rows(min_row=HEADER_ROW + 1) if r[header.index("成员编号")].value == member)
        c = row[header.index(column)].comment
        return c.text if c else ""

    assert "联销体成员登记中没有" in comment("M009", "成员编号") and "填报业务员张伟" in comment("M009", "成员编号")
    assert "无法计算占比" in comment("M002", "所在市场销量")
    # The cancellation notice: the table's 占比 of November is 69.996 %.
    (notice,) = (home / "outbox" / "文书草稿").glob("*联销体成员资格取消通知书*M001*.docx")
    text = docx_text(notice)
    assert "69.996%" in text and "65.00%" in text and "68.00%" in text and "70.00%" not in text
    code, out = cli("report", "jsb_monthly", "--home", str(home), "--month", "2026-11", "--now", "2026-12-06T10:00",
                    "--json")
    assert code == 0, out
    report = openpyxl.load_workbook(next(o for o in json.loads(out)["outputs"] if o.endswith(".xlsx")))
    stats = {r[0]: r for r in report["进货统计"].iter_rows(values_only=True) if r and str(r[0]).startswith("M0")}
    assert stats["M001"][7:] == ("65.00%", "68.00%", "69.996%", "取消资格")
    assert stats["M002"][10] == "无法计算占比（所在市场销量为 0）"
    assert stats["M003"][9:] == ("80.00%", "正常")
    assert stats["M009"][10] == "成员登记中无此编号"
    matters = [r for r in report["需处理事项"].iter_rows(values_only=True) if r and r[1] == "铜山区"]
    assert [r[0] for r in matters] == ["县级成员超过上限"]
    fixes = {r[0] for r in report["登记待改正"].iter_rows(values_only=True) if r and str(r[1]).startswith("2026-11|")}
    assert fixes == {"成员编号不在登记中", "市场销量为0"}


def test_half_year_report_is_named_for_its_half(home: Path):
    """Asked for 2026-11, the report is 2026年下半年 so far (July–November), not the first
    half with nobody in it; asked for 2026-06, 2026年上半年. M01 sold 10,000 a month."""
    process(home, fill(home, "联销体成员登记", MEMBERS), "2026-07-01T09:00")
    rows = [{"月份": f"2026-{m:02d}", "成员编号": "M01", "销量": 10000, "所在市场销量": 12000, "填报业务员": "王强"}
            for m in range(4, 12)]
    rows.append({"月份": "2026-11", "成员编号": "M09", "销量": 5000, "所在市场销量": 6000, "填报业务员": "王强"})  # a typo
    process(home, fill(home, "二级客户进货统计表", rows), "2026-12-04T09:00")
    code, out = cli("report", "jsb_half_year", "--home", str(home), "--month", "2026-11", "--now", "2026-12-04T09:00")
    assert code == 0, out
    assert out.startswith("联销体半年考核 2026年下半年（截至2026年11月）"), out
    code, out = cli("report", "jsb_half_year", "--home", str(home), "--month", "2026-11", "--now", "2026-12-04T09:00",
                    "--json")
    made = json.loads(out)
    assert made["period"] == "2026-H2" and made["headline"][0]["value"] == "2"
    wb = openpyxl.load_workbook(next(p for p in made["outputs"] if p.endswith(".xlsx")))
    assert wb.properties.title == "联销体半年考核 2026年下半年"
    sheet = wb["半年奖励"]
    # July–November: 5 × 10,000 = 50,000 → 4 ‰ = 200.00 (so far)
    (m01,) = [r for r in sheet.iter_rows(values_only=True) if r and r[0] == "M01"]
    assert m01[3:10] == (10000, 10000, 10000, 10000, 10000, 50000, 200)
    (m09,) = [r for r in sheet.iter_rows(values_only=True) if r and r[0] == "M09"]
    assert m09[9] is None and m09[11] == "成员登记中无此编号"  # no reward for a number nobody registered
    assert any("2026年下半年" in str(c) and "尚未结束" in str(c) for r in sheet.iter_rows(values_only=True) for c in r)
    code, out = cli("report", "jsb_half_year", "--home", str(home), "--month", "2026-06", "--now", "2026-12-04T09:00",
                    "--json")
    made = json.loads(out)
    wb = openpyxl.load_workbook(next(p for p in made["outputs"] if p.endswith(".xlsx")))
    assert made["period"] == "2026-H1" and wb.properties.title == "联销体半年考核 2026年上半年"
    (m01,) = [r for r in wb["半年奖励"].iter_rows(values_only=True) if r and r[0] == "M01"]
    assert m01[3:11] == (None, None, None, 10000, 10000, 10000, 30000, 120)  # April–June: 30,000 × 4 ‰
    # Scheduled only when a half ends: the runs of 7-10 (June) and 1-10 (December).
    from toolkit.reports.periods import parse_month

    kind = next(k for k in available()["dealer"].reports if k.name == "jsb_half_year")
    assert [m for m in range(1, 13) if kind.runs(None, parse_month(f"2026-{m:02d}"))] == [6, 12]


def test_a_duplicate_card_gets_no_reminder_and_the_club_report_shows_the_fee_owed(home: Path):
    """C0004 is a second card for 苏C12345 (C0001's car): flagged 一车多卡, to be cancelled, and
    not reminded to renew, even when saved again alone. C0005 is a 2-year VIP card recorded
    at 700: 2 × 365 = 730 owed; the report shows both and 不符."""
    card = {"会员姓名": "张三", "车牌号": "苏C12345", "所属支公司": "铜山支公司", "会员类型": "普通会员",
            "入会申请日期": date(2025, 12, 21)}
    cards = [{**card, "会员卡号": "C0001", "保单号": "PDAA0001", "保险起期": date(2025, 12, 21), "保险止期": date(2026, 12, 20)},
             {**card, "会员卡号": "C0004", "保单号": "PDAA0004", "保险起期": date(2026, 1, 5), "保险止期": date(2027, 1, 4)},
             {"会员卡号": "C0005", "车牌号": "苏C66666", "会员姓名": "赵六", "所属支公司": "贾汪支公司", "会员类型": "VIP会员",
              "入会申请日期": date(2026, 11, 2), "审批日期": date(2026, 11, 3), "会费": 700, "会费年数": 2,
              "发卡日期": date(2026, 11, 5)}]
    # 12-05: both policies within 30 days of their end (12-20 − 30 = 11-20; 01-04 − 30 = 12-05).
    result = process(home, fill(home, "俱乐部会员登记", cards), "2026-12-05T09:00")
    assert result["rows"]["rejected"] == 0, result["errors"]
    found = {(f["rule"], f["record"]) for f in result["findings"]}
    assert ("club.one_car", "C0004") in found and ("club.fee", "C0005") in found
    assert [r for r, k in found if r == "club.expiry_reminder"] == ["club.expiry_reminder"]
    assert ("club.expiry_reminder", "C0001") in found
    drafts = lambda: sorted(p.name for p in (home / "outbox" / "文书草稿").glob("*会员资格到期提醒*.docx"))  # noqa: E731
    assert len(drafts()) == 1 and "C0001" in drafts()[0]
    # C0004 saved again alone (a phone number added): still judged beside C0001, no reminder.
    process(home, fill(home, "俱乐部会员登记", [{**cards[1], "联系电话": "13912345678"}], "俱乐部会员登记-C0004"),
            "2026-12-05T10:00")
    assert len(drafts()) == 1 and "C0001" in drafts()[0]
    code, out = cli("report", "club_monthly", "--home", str(home), "--month", "2026-11", "--now", "2026-12-05T11:00",
                    "--json")
    assert code == 0, out
    wb = openpyxl.load_workbook(next(o for o in json.loads(out)["outputs"] if o.endswith(".xlsx")))
    (jiawang,) = [r for r in wb["汇总"].iter_rows(values_only=True) if r and r[0] == "贾汪支公司"]
    assert jiawang[6:10] == (1, 730, 700, "不符")  # 1 VIP card: 2 × 365 owed, 700 recorded
    todo = [r for r in wb["须处理事项"].iter_rows(values_only=True) if r and r[1] == "C0005"]
    assert [r[2] for r in todo] == ["会费不符"]


def test_a_report_period_typed_without_its_year_is_corrected_not_left_behind(home: Path):
    """张伟's 工作总结 期间 typed "11月": the row is held back (a cell problem, not a record
    keyed "11月" whose finding no correction could ever clear). Corrected to 2026年11月 and
    saved again under the same name, the row is recorded as 2026-11 and the return copy
    moves to 已改正; "2026年第48周" is read as the week 2026-W48."""
    rows = [{"业务员": "张伟", "报表": "联销体工作总结", "期间": "11月", "实报日期": date(2026, 12, 4)},
            {"业务员": "张伟", "报表": "联销体成员走访一览表", "期间": "2026年第48周", "实报日期": date(2026, 11, 30)}]
    first = process(home, fill(home, "报表上报登记", rows, "报表上报"), "2026-12-04T09:00")
    assert first["status"] == "partial" and first["rows"] == {"total": 2, "valid": 1, "rejected": 1}
    [err] = first["errors"]
    assert err["code"] == "period.format" and err["column"] == "期间" and "2026年11月" in err["message"]
    assert first["changes"]["jsb_report_log"]["new"] == ["张伟|联销体成员走访一览表|2026-W48"]
    [copy] = (home / "outbox" / "退回批注").glob("报表上报*.xlsx")
    listing = [r for r in openpyxl.load_workbook(copy)["问题清单"].iter_rows(values_only=True) if r and r[0] == 1]
    assert listing[0][5] == "期间格式不对"
    rows[0]["期间"] = "2026年11月"
    again = process(home, fill(home, "报表上报登记", rows, "报表上报"), "2026-12-04T10:00")
    assert again["status"] == "accepted", again["errors"]
    assert again["changes"]["jsb_report_log"]["new"] == ["张伟|联销体工作总结|2026-11"]
    assert not list((home / "outbox" / "退回批注").glob("报表上报*.xlsx"))
    assert [p.name for p in (home / "outbox" / "退回批注" / "已改正").glob("报表上报*.xlsx")] == [copy.name]
    # No report of a period nobody can read is left in the ledger.
    assert not any(f["rule"] == "jsb.report_period" for f in first["findings"] + again["findings"])


def test_monthly_report_gives_each_first_tier_dealer_and_each_county(home: Path):
    """dealer.md 4.4: per 一级 the coverage against 80 %, per county the members and blank
    markets with the day of their development period. November 2026, by hand:
    徐州华联商贸: M01 7,500 + M02 6,950 = 14,450 of 18,000 = 80.28 % → 达标;
    徐州金鼎商贸: M03 4,000 of 6,000 = 66.67 % → below 80 %; 徐州新华副食 no member sold.
    丰县 1 member, 沛县 2 (M02, M03), 睢宁 blank since 10-10: 11-30 is day 52 of the three
    months that end 2027-01-09; 新沂 blank since 07-20: its period ended 10-19."""
    county = {"大区": "苏北大区", "责任业务员": "王强"}
    process(home, fill(home, "县级市场登记", [
        {**county, "县市": "丰县", "一级经销商": "徐州华联商贸"}, {**county, "县市": "沛县", "一级经销商": "徐州华联商贸"},
        {**county, "县市": "睢宁", "一级经销商": "徐州金鼎商贸", "空白起始日期": date(2026, 10, 10)},
        {**county, "县市": "新沂", "一级经销商": "徐州金鼎商贸", "空白起始日期": date(2026, 7, 20)}]), "2026-12-04T09:00")
    m03 = {**MEMBERS[1], "成员编号": "M03", "经销商名称": "沛县华丰超市", "一级经销商": "徐州金鼎商贸", "铜牌编号": "T-003"}
    process(home, fill(home, "联销体成员登记", [*MEMBERS, m03]), "2026-12-04T09:00")
    process(home, fill(home, "二级客户进货统计表", [
        {"月份": "2026-11", "成员编号": m, "销量": sold, "所在市场销量": market, "填报业务员": "王强"}
        for m, sold, market in (("M01", 7500, 10000), ("M02", 6950, 10000), ("M03", 4000, 5000))]),
        "2026-12-04T09:00")
    process(home, fill(home, "一级经销商月销量", [
        {"月份": "2026-11", "一级经销商": name, "一级销量": whole}
        for name, whole in (("徐州华联商贸", 18000), ("徐州金鼎商贸", 6000), ("徐州新华副食", 3000))]), "2026-12-04T09:00")
    code, out = cli("report", "jsb_monthly", "--home", str(home), "--month", "2026-11", "--now", "2026-12-06T10:00",
                    "--json")
    assert code == 0, out
    report = openpyxl.load_workbook(next(o for o in json.loads(out)["outputs"] if o.endswith(".xlsx")))
    primary = {r[0]: r[1:] for r in report["一级经销商"].iter_rows(values_only=True) if r and str(r[0]).startswith("徐州")}
    assert primary == {"徐州华联商贸": (2, 14450, 18000, "80.28%", "达标"),
                       "徐州金鼎商贸": (1, 4000, 6000, "66.67%", "未达到 80%"),
                       "徐州新华副食": (0, 0, 3000, "0.00%", "未达到 80%")}
    counties = {r[0]: r[1:7] for r in report["县级市场"].iter_rows(values_only=True)
                if r and r[0] in ("丰县", "沛县", "睢宁", "新沂")}
    assert counties == {
        "丰县": ("苏北大区", "王强", "徐州华联商贸", 1, "M01", "正常"),
        "沛县": ("苏北大区", "王强", "徐州华联商贸", 2, "M02、M03", "正常"),
        "睢宁": ("苏北大区", "王强", "徐州金鼎商贸", 0, None, "空白市场（开发期第 52 天，2027-01-09 期满）"),
        "新沂": ("苏北大区", "王强", "徐州金鼎商贸", 0, None, "空白市场（开发期已于 2026-10-19 期满）")}
    assert ("空白市场（县）", "2") in [(h["label"], h["value"]) for h in json.loads(out)["headline"]]


def test_a_county_left_by_its_last_member_gets_its_development_period_from_that_day(home: Path):
    """A county becomes a blank market the day after its last member is cancelled: the three
    months run from then, not from a 空白起始日期 typed before the member joined, and not left
    for the salesperson to type when the member register already says when. By hand:
    睢宁 typed blank since 2026-03-01, its member M05 cancelled 2026-11-20 → blank since 11-21,
    11-30 is day 10 of the period ending 2027-02-20; 丰县's only member M01 cancelled 11-05 →
    blank since 11-06, day 25, ending 2027-02-05. No blank-market warning for either in December."""
    county = {"大区": "苏北大区", "责任业务员": "王强", "一级经销商": "徐州华联商贸"}
    process(home, fill(home, "县级市场登记", [
        {**county, "县市": "丰县"}, {**county, "县市": "沛县"},
        {**county, "县市": "睢宁", "空白起始日期": date(2026, 3, 1)}]), "2026-12-04T09:00")
    gone = {"状态": "已取消", "取消原因": "连续三个月销量未达 70%"}
    m01 = {**MEMBERS[0], **gone, "取消日期": date(2026, 11, 5)}
    m05 = {**MEMBERS[1], "成员编号": "M05", "经销商名称": "睢宁广源超市", "县市": "睢宁", "铜牌编号": "T-005",
           "协议签订日期": date(2026, 5, 8), "入会日期": date(2026, 5, 10), **gone, "取消日期": date(2026, 11, 20)}
    result = process(home, fill(home, "联销体成员登记", [m01, MEMBERS[1], m05]), "2026-12-04T09:30")
    assert [f["record"] for f in result["findings"] if f["rule"] == "jsb.blank_market" and f["status"] != "resolved"] == []
    code, out = cli("report", "jsb_monthly", "--home", str(home), "--month", "2026-11", "--now", "2026-12-06T10:00",
                    "--json")
    assert code == 0, out
    report = openpyxl.load_workbook(next(o for o in json.loads(out)["outputs"] if o.endswith(".xlsx")))
    counties = {r[0]: (r[4], r[6], r[7]) for r in report["县级市场"].iter_rows(values_only=True)
                if r and r[0] in ("丰县", "沛县", "睢宁")}
    assert counties == {
        "丰县": (0, "空白市场（开发期第 25 天，2027-02-05 期满）", datetime(2026, 11, 6)),
        "沛县": (1, "正常", None),
        "睢宁": (0, "空白市场（开发期第 10 天，2027-02-20 期满）", datetime(2026, 11, 21))}
    assert [r[1] for r in report["需处理事项"].iter_rows(values_only=True) if r and r[0] == "空白市场"] == []


def test_a_dealer_typed_without_its_agreement_is_told_how_to_enter_it_as_proposed(home: Path):
    """A salesperson enters a dealer who has not signed yet: the refused row's comment says
    how to keep it (状态 拟发展, which drafts the agreement to sign), not only to type dates
    the dealer does not have yet; so typed, the agreement is drafted."""
    row = {**MEMBERS[0], "成员编号": "M07", "经销商名称": "睢宁广源超市", "县市": "睢宁", "协议签订日期": None,
           "入会日期": None, "状态": None, "铜牌编号": None}
    process(home, fill(home, "联销体成员登记", [row]), "2026-12-01T09:00")
    back = openpyxl.load_workbook(next((home / "outbox" / "退回批注").glob("联销体成员登记-问题批注-*.xlsx")))
    notes = [str(r[6]) for r in back["问题清单"].iter_rows(min_row=4, values_only=True) if r and r[5] and r[0] != "序号"]
    assert any("拟发展" in n and "协议" in n for n in notes), notes
    process(home, fill(home, "联销体成员登记", [{**row, "状态": "拟发展"}], "联销体成员登记-改"), "2026-12-01T10:00")
    assert list((home / "outbox" / "文书草稿").glob("*关于不销售假冒伪劣产品的协议_M07.docx"))
