"""QA's December week at the car desk (2026-12-21 → 2027-01-04), cut down to the rows
behind each defect found: a booking kept by the 委托书 citing it, the faults that go back
on the return copy, who is named for a correction or an overdue item, an extra item agreed
but not yet signed, the monthly notices and a maintenance reminder while the car is in for
another job. Mon 12-21 to Wed 12-23 are working days; business hours 08:30–12:00, 13:30–17:30.
"""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from car_fixtures import (
    APPOINTMENT,
    CUSTOMER,
    EXTRA,
    ORDER_HEAD,
    as_json,
    cli,
    findings,
    init,
    order,
    process,
)
from conftest import write_xlsx

NOW = "2026-12-23T20:00"  # Wednesday evening


def _rows(head: list[str], *rows: dict[str, Any]) -> list[list[Any]]:
    return [head, *[[r.get(h) for h in head] for r in rows]]


def _appt(**kw: Any) -> dict[str, Any]:
    base = {"登记时间": "2026-12-21 11:00", "受理人": "小周", "客户名称": "王建国", "联系电话": "13800138000",
            "车型": "帕萨特", "预约进厂时间": "2026-12-23 14:00", "预约项目": "常规保养", "客户签名": "是",
            "通知车间时间": "2026-12-21 15:00", "车间接收人": "老陈", "状态": "已预约"}
    return {**base, **kw}


APPOINTMENTS = _rows(
    APPOINTMENT[0],
    # 到店时间 left blank; WQ1 cites it, received Wed 14:05.
    _appt(预约单号="YQ1", 车牌号="浙A12345"),
    # WQ2 cites it but for another car: not this customer's visit.
    _appt(预约单号="YQ2", 车牌号="浙A55555", 客户名称="赵六"),
)

ORDERS = [
    ORDER_HEAD,
    order(委托书号="WQ1", 车牌号="浙A12345", 客户名称="王建国", 服务顾问="张伟", 是否预约="是", 预约单号="YQ1",
          接车时间="2026-12-23 14:05", 进车间时间="2026-12-23 14:20", 预计完工时间="2026-12-23 16:30"),
    order(委托书号="WQ2", 车牌号="浙B00000", 客户名称="钱七", 服务顾问="张伟", 是否预约="是", 预约单号="YQ2",
          接车时间="2026-12-23 14:10", 进车间时间="2026-12-23 14:20", 预计完工时间="2026-12-23 16:30"),
    # Row 4: customer-supplied parts with 质量担保 是, and no customer signature (a 5-元 fault).
    order(委托书号="WQ3", 车牌号="浙A55555", 客户名称="赵六", 服务顾问="李娜", 配件来源="客户自购", 质量担保="是",
          客户签名="否", 接车时间="2026-12-21 10:40", 进车间时间="2026-12-21 11:00", 预计完工时间="2026-12-22 17:00"),
    # 赵敏's only order, complete: nothing to notify in January.
    order(委托书号="WQ4", 车牌号="浙A3C210", 客户名称="孙丽", 服务顾问="赵敏", 接车时间="2026-12-21 09:10",
          进车间时间="2026-12-21 09:30", 预计完工时间="2026-12-21 12:00"),
]

EXTRAS = [
    EXTRA[0],
    # Agreed on the phone at 15:05, not signed yet, so not yet handed to the workshop.
    ["ZQ1", "WQ1", "2026-12-23 15:00", "2026-12-23 15:05", "更换刹车油", 50, "180元", 1, None, "同意", None, None,
     None],
]

SAFETY = [
    ["考核日期", "员工", "岗位", "违规项", "扣分", "检查人", "说明"],
    # The table says 50: 检查人 安全员老黄 corrects the 20 he wrote.
    ["2026-12-21", "李娜", "服务顾问", "未经允许驾驶维修车辆", 20, "安全员老黄", None],
    ["2026-12-21", "王强", "机修工", "不参加安全学习培训活动", None, "安全员老黄", None],
    ["2026-12-21", "张伟", "服务顾问", "不会正确使用消防设备和器材", 10, "安全员老黄", None],
]

MESSAGES = [
    ["留言编号", "来电时间", "来电人", "联系电话", "被找人员", "基本需求", "最佳回电时间", "回电时间", "处理人"],
    # Nobody asked for, nobody handling it: call back by Mon 11:00, still not done Wed.
    ["LQ2", "2026-12-21 09:00", "吴女士", "15100002222", None, "想预约周三喷漆", "2026-12-21 11:00", None, None],
]

COMPLAINTS = [
    ["投诉单号", "受理时间", "客户名称", "投诉方式", "投诉内容", "当场答复", "约定答复时间", "责任人"],
    # Promised an answer by Wed 17:00, no 责任人, not answered at 20:00.
    ["TQ3", "2026-12-21 16:30", "赵六", "电话", "配件价格比外面贵", "否", "2026-12-23 17:00", None],
]


def _workbook(path: Path) -> Path:
    return write_xlsx(path, {"预约登记": APPOINTMENTS, "委托书": ORDERS, "追加项目": EXTRAS, "安全考核": SAFETY,
                             "来电留言": MESSAGES, "售后客户投诉": COMPLAINTS})


@pytest.fixture
def desk(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    home = init(tmp_path / "car", "car")
    got = process(home, _workbook(home / "inbox" / "十二月登记.xlsx"), NOW)["files"][0]
    return home, got


def _docx_text(path: Path) -> str:
    import re

    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    return "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml))


def _daily(home: Path) -> openpyxl.Workbook:
    code, out = cli("report", "car_daily", "--date", "2026-12-24", "--home", str(home), "--now", "2026-12-24T08:00",
                    "--json")
    assert code == 0, out
    return openpyxl.load_workbook(next(o for o in as_json(out)["outputs"] if o.endswith(".xlsx")))


def test_an_order_citing_the_booking_is_the_arrival(desk):
    home, _ = desk
    found = {(f.rule, f.record): f for f in findings(home, datetime.fromisoformat(NOW))}
    # YQ1: slot Wed 14:00, grace to 14:30; WQ1 (citing YQ1, same car) received 14:05: no 爽约.
    assert ("car.no_show", "YQ1") not in found
    # Its reminder: 14:00 − 12 h = 02:00 → the close before it, Tue 12-22 17:30; never made,
    # closed by the visit at 14:05: 17:30 → 14:05 = 20 h 35 min = 1,235 minutes late, not overdue.
    f = found[("car.appointment_reminder", "YQ1")]
    assert f.status == "late" and f.overdue_minutes == 1235 and "客户已于 2026-12-23 14:05 到店" in f.message
    # YQ2: WQ2 cites it for another car (浙B00000, booked 浙A55555): still a no-show from 14:30.
    assert found[("car.no_show", "YQ2")].due == datetime(2026, 12, 23, 14, 30)


def test_customer_parts_guarantee_goes_back_on_the_order(desk):
    home, got = desk
    marked = {(a["sheet"], a["code"]): a for a in got["actions"]}
    # WQ3 is the 委托书 sheet's 4th row; 质量担保 is column T of ORDER_HEAD.
    a = marked[("委托书", "car.parts_guarantee")]
    assert a["row"] == 4 and a["column"] == "质量担保" and "服务顾问向客户说明：客户自购配件" in a["message"]
    assert ("委托书", "car.order_incomplete") not in marked  # fined as handed over, not corrected
    copy = next(Path(o) for o in got["outputs"] if "退回批注" in o)
    assert openpyxl.load_workbook(copy)["委托书"]["T4"].comment is not None
    # The daily 待纠正 names 李娜, the 服务顾问, for both of WQ3's faults.
    rows = [r for r in _daily(home)["待纠正"].iter_rows(values_only=True) if r and r[1] == "WQ3"]
    assert {r[3] for r in rows} == {"李娜"} and len(rows) >= 2


def test_the_inspector_corrects_safety_points(desk):
    home, got = desk
    a = next(a for a in got["actions"] if a["code"] == "car.safety_points")
    assert "检查人按安全考核标准把扣分改为 50 分" in a["message"]
    daily = _daily(home)
    fixes = {r[1]: r for r in daily["待纠正"].iter_rows(values_only=True) if r and str(r[1]).startswith("2026-12-21|")}
    # 李娜 drove a car under repair: 50 points, 20 written; 安全员老黄 corrects it, not 李娜.
    assert fixes["2026-12-21|李娜|未经允许驾驶维修车辆"][3] == "安全员老黄"


def test_overdue_items_with_nobody_named_fall_to_the_desk(desk):
    home, _ = desk
    daily = _daily(home)
    overdue = {r[1]: r for r in daily["逾期事项"].iter_rows(values_only=True) if r and r[1] in ("LQ2", "TQ3")}
    # LQ2: call back by Mon 11:00, nobody named; TQ3: answer by Wed 17:00, no 责任人 — the
    # 业务部 answers for both registers (Pack.responsible), so someone is named.
    assert overdue["LQ2"][4] == "业务部" and overdue["TQ3"][4] == "业务部"


def test_extra_agreed_on_the_phone_waits_for_the_signature(desk):
    home, got = desk
    # ZQ1: 同意, 客户签名 and 转达车间时间 blank: accepted, not sent back as a missing cell.
    assert not [e for e in got["errors"] if e["sheet"] == "追加项目"]
    assert ("追加项目", "car.extra_signed", "客户签名") in {(a["sheet"], a["code"], a["column"]) for a in got["actions"]}
    assert list((home / "outbox" / "文书草稿").glob("*追加维修项目确认单_ZQ1.docx"))
    # Signed but never handed to the workshop: still a missing 转达车间时间.
    signed = write_xlsx(home / "inbox" / "增项.xlsx", {"追加项目": [
        EXTRA[0], ["ZQ2", "WQ1", "2026-12-23 16:00", "2026-12-23 16:05", "更换雨刮", 0, 80, None, None, "同意", "是",
                   None, None]]})
    again = process(home, signed, NOW)["files"][0]
    assert [(e["column"], e["code"]) for e in again["errors"]] == [("转达车间时间", "row.requires")]


def test_monthly_notices_fit_what_each_person_has(desk):
    home, _ = desk
    late = write_xlsx(home / "inbox" / "补登.xlsx", {"安全考核": [SAFETY[0], [
        "2027-01-04", "赵敏", "服务顾问", "未履行四防安全职责", 20, "安全员老黄", None]]})
    process(home, late, "2027-01-04T09:00")
    drafts = home / "outbox" / "文书草稿"
    # 李娜: WQ3 without the customer's signature, 1 × 5.00 元; 50 points for driving.
    (li,) = drafts.glob("*差字*李娜@2026-12.docx")
    text = _docx_text(li)
    assert "委托书差错通报" in text and "WQ3" in text and "5.00" in text and "50" in text
    assert "委托书填写规定" in text and "请遵守安全标准" in text
    # 张伟 opened WQ1 and WQ2, both complete; 10 points for the extinguisher.
    (zhang,) = drafts.glob("*差字*张伟@2026-12.docx")
    text = _docx_text(zhang)
    assert "安全考核扣分通报" in text and "开具的进厂维修委托书 2 份，未发现差错" in text
    assert "委托书填写规定" not in text and "罚款（元）" not in text
    # 王强, a mechanic, opens no 委托书: his 20 points alone, no word on orders.
    (wang,) = drafts.glob("*差字*王强@2026-12.docx")
    text = _docx_text(wang)
    assert "机修工王强在安全考核中被扣分" in text and "委托书" not in text.replace("委托书差错", "")
    # 赵敏's December: one complete order, no deduction (hers is January's): no notice.
    assert not list(drafts.glob("*差字*赵敏*.docx"))


def test_maintenance_reminder_not_reissued_for_a_visit_for_another_job(tmp_path: Path):
    home = init(tmp_path / "car", "car")
    head = CUSTOMER[0] + ["下次保养里程"]
    # Filed Mon 12-21 with its next service 12-26 (within 7 days: a reminder at once).
    customer = ["浙A6B789", "李红", "13912345678", None, "卡罗拉", "轿车", None, "2026-12-18", "2026-12-21", None,
                "2026-12-26", "李娜", 30000]
    quote = order(委托书号="WR1", 车牌号="浙A6B789", 客户名称="李红", 服务顾问="李娜", 里程数=29500, 是否进厂="否",
                  接车时间="2026-12-21 14:00", 预计完工时间="2026-12-21 15:00", 进车间时间=None, 车间接车人=None)
    brakes = order(委托书号="WR2", 车牌号="浙A6B789", 客户名称="李红", 服务顾问="李娜", 里程数=29620, 维修类别="一般维修",
                   接车时间="2026-12-23 09:10", 进车间时间="2026-12-23 09:30", 预计完工时间="2026-12-23 16:00")
    first = write_xlsx(home / "inbox" / "档案.xlsx", {"客户档案": [head, customer], "委托书": [ORDER_HEAD, quote]})
    process(home, first, "2026-12-21T15:00")
    # Wed: the car is back for brakes (29,620 km). The due date, 12-26, is the same; the
    # reminder prints the visit the file was made at (12-21, 29,500 km), so nothing on it
    # changes and it keeps its number.
    second = write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": [ORDER_HEAD, quote, brakes]})
    process(home, second, "2026-12-23T10:00")
    drafts = home / "outbox" / "文书草稿"
    reminders = sorted(p.name for p in drafts.rglob("*保养提醒*.docx"))
    assert reminders == ["某某公司〔2026〕保字第001号_保养提醒_浙A6B789.docx"]
    f = next(f for f in findings(home, datetime(2026, 12, 23, 10, 0)) if f.rule == "car.maintenance_due")
    assert (str(f.values["last_date"]), f.values["last_km"], f.values["next_km"]) == ("2026-12-21", 29500, 30000)
