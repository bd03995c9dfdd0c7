"""Rendering every template from realistic finding values, read back with python-docx."""

from __future__ import annotations

import io
import re
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document

from toolkit.documents.context import document_context
from toolkit.documents.formatting import mask_id, mask_phone, money, rmb_upper
from toolkit.documents.render import DocumentError, clear_cache, compile_template, render_docx
from toolkit.documents.settings import load_documents_config, recipient_text
from toolkit.model import Finding

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 10, 9, 9, 30)


def sample_findings() -> dict[str, Finding]:
    """One realistic finding per notice type, built by hand from docs/findings.md."""
    d = Decimal
    return {
        "complaint_escalation": Finding(
            rule="complaint.escalation",
            register="complaint",
            record="3栋电梯停运",
            severity="error",
            message="投诉升级为重大",
            notice="complaint_escalation",
            values={
                "level": "重大",
                "event": "3栋电梯停运",
                "reasons": ["同一事件有5位不同客户投诉", "投诉内容涉及电梯停运"],
                "complaints": [
                    {
                        "编号": f"TS-2026-{100 + i}",
                        "受理时间": datetime(2026, 10, 7, 9 + i, 15),
                        "投诉人": name,
                        "房号": f"3-{i + 1}-1{i}02",
                        "投诉内容": "3栋2号电梯停运超过一天，老人上下楼困难",
                        "被投诉部门": "工程部",
                        "等级": "重大",
                        "deadlines": [
                            {
                                "name": "转报",
                                "due": datetime(2026, 10, 7, 9 + i, 25),
                                "status": "met",
                                "overdue_minutes": 0,
                            },
                            {
                                "name": "回复",
                                "due": datetime(2026, 10, 9, 9 + i, 15),
                                "status": "overdue" if i < 2 else "due_soon",
                                "overdue_minutes": 135 if i < 2 else 0,
                            },
                            {
                                "name": "解决",
                                "due": datetime(2026, 10, 22, 9 + i, 15),
                                "status": "pending",
                                "overdue_minutes": 0,
                            },
                        ],
                    }
                    for i, name in enumerate(["王建国", "李秀英", "张伟", "刘洋", "陈静"])
                ],
            },
        ),
        "rectification_notice": Finding(
            rule="renovation.rectification",
            register="renovation_violation",
            record="WZ-2026-031",
            severity="warning",
            message="严重违章",
            notice="rectification_notice",
            values={
                "房号": "5-2-1801",
                "日期": date(2026, 10, 8),
                "违章内容": "擅自拆除卫生间与卧室之间的承重墙体",
                "违约金": d("2000.00"),
                "整改期限": date(2026, 10, 11),
                "业主": "赵丽华",
                "装修公司": "成都美居装饰工程有限公司",
            },
        ),
        "deposit_refund": Finding(
            rule="renovation.deposit_refund",
            register="renovation",
            record="ZX-2026-007",
            severity="info",
            message="押金可退",
            notice="deposit_refund",
            values={
                "房号": "2-1-603",
                "业主": "孙志强",
                "装修公司": "蓉城家装有限公司",
                "竣工验收日期": date(2026, 7, 8),
                "refund_due": date(2026, 10, 8),
                "deposit": d("3000.00"),
                "penalties": [
                    {
                        "编号": "WZ-2026-011",
                        "日期": date(2026, 5, 12),
                        "违章内容": "中午休息时间使用电锤施工",
                        "违约金": d("200.00"),
                    },
                    {
                        "编号": "WZ-2026-019",
                        "日期": date(2026, 6, 3),
                        "违章内容": "建筑垃圾堆放在消防通道",
                        "违约金": d("500.00"),
                    },
                ],
                "penalty_total": d("700.00"),
                "utilities": d("385.50"),
                "refund": d("1914.50"),
                "owed": False,
            },
        ),
        "payment_reminder": Finding(
            rule="fee.arrears",
            register="fee_account",
            record="1-1-1201",
            severity="warning",
            message="欠费",
            notice="payment_reminder",
            values={
                "tier": 1,
                "reminder_tier": 1,
                "days_overdue": 9,
                "已缴至": date(2026, 9, 30),
                "months_owed": 1,
                "amount": d("1414.50"),
                "业主": "周晓梅",
                "建筑面积": d("115.00"),
                "单价": d("2.30"),
            },
        ),
        # The manager's report at the last tier: 115 × 2.30 × 4 months = 1,058.00.
        "arrears_report": Finding(
            rule="fee.arrears_report",
            register="fee_account",
            record="1-1-1201",
            severity="info",
            message="报项目经理",
            notice="arrears_report",
            values={
                "tier": 3,
                "reminder_tier": 2,
                "days_overdue": 99,
                "已缴至": date(2026, 6, 30),
                "months_owed": 4,
                "amount": d("1058.00"),
                "业主": "周晓梅",
                "建筑面积": d("115.00"),
                "单价": d("2.30"),
            },
        ),
        "parking_expiry": Finding(
            rule="parking.card_expiry",
            register="parking_card",
            record="YK-0088",
            severity="info",
            message="月卡将到期",
            notice="parking_expiry",
            values={
                "卡号": "YK-0088",
                "车主": "吴刚",
                "房号": "4-3-502",
                "车牌号": "川A12345",
                "到期日期": date(2026, 10, 14),
                "days_left": 5,
                "monthly_fee": d("100.00"),
            },
        ),
        "release_slip": Finding(
            rule="move_out.released",
            register="move_out",
            record="FX-2026-042",
            severity="info",
            message="可放行",
            notice="release_slip",
            values={
                "房号": "6-1-301",
                "携带人": "郑小龙",
                "身份": "租户",
                "物品": "双人床1张、冰箱1台、纸箱6个",
                "日期": date(2026, 10, 9),
                "业主核实": "是",
            },
        ),
        "handover_payment": Finding(
            rule="handover.prepayment",
            register="handover",
            record="8-2-2003",
            severity="info",
            message="交房预收",
            notice="handover_payment",
            values={
                "业主": "黄明",
                "建筑面积": d("89.60"),
                "物业费单价": d("2.50"),
                "预收月数": 6,
                "amount": d("1344.00"),
                "period_start": date(2026, 10, 9),
                "period_end": date(2027, 4, 8),
            },
        ),
        "renovation_agreement": Finding(
            rule="renovation.approved",
            register="renovation",
            record="ZX-2026-015",
            severity="info",
            message="装修已审批",
            notice="renovation_agreement",
            values={
                "房号": "7-1-2201",
                "业主": "林芳",
                "装修公司": "成都美居装饰工程有限公司",
                "统一社会信用代码": "91510100MA61R8XK3C",
                "建筑面积": d("236.00"),
                "审批日期": date(2026, 10, 9),
                "装修押金": d("3000.00"),
                "清运费": d("600.00"),
                "出入证数量": 4,
                "消防审批": "是",
            },
        ),
        "renovation_entry_notice": Finding(
            rule="renovation.started",
            register="renovation",
            record="ZX-2026-015",
            severity="info",
            message="装修已开工",
            notice="renovation_entry_notice",
            values={
                "房号": "7-1-2201",
                "业主": "林芳",
                "联系电话": "13812345678",
                "装修公司": "成都美居装饰工程有限公司",
                "开工日期": date(2026, 10, 12),
                "出入证数量": 4,
                "消防审批": "是",
                "审批日期": date(2026, 10, 9),
                "结构改动": None,
                "煤气改动": "否",
            },
        ),
        "move_in_notice": Finding(
            rule="move_in.recorded",
            register="move_in",
            record="2-1-0301|2026-10-09",
            severity="info",
            message="入住",
            notice="move_in_notice",
            values={
                "房号": "2-1-0301",
                "入住人": "赵立新",
                "客户类型": "租户",
                "入住日期": date(2026, 10, 9),
                "联系电话": "13912345678",
                "特别需求": "家有老人，需无障碍通道",
            },
        ),
        # 240 ÷ 400 = 60.00 %; 200 ÷ 240 = 83.33 %; 170 ÷ 200 = 85.00 %
        "survey_notice": Finding(
            rule="survey.closed",
            register="survey",
            record="DC-2026-2",
            severity="info",
            message="调查结果",
            notice="survey_notice",
            values={
                "调查编号": "DC-2026-2", "开始日期": date(2026, 9, 14), "结束日期": date(2026, 9, 25),
                "总户数": 400, "发放户数": 240, "回收份数": 200, "满意份数": 170,
                "share": d("0.6000"), "returned": d("0.8333"), "satisfaction": d("0.8500"),
                "share_text": "60.00%", "returned_text": "83.33%", "satisfaction_text": "85.00%",
                "整改措施": "地下车库照明不足：10月底前更换全部灯管；电梯按键失灵：已报维保单位更换。",
                "结果公告日期": date(2026, 10, 9),
            },
        ),
        "event_notice": Finding(
            rule="event.planned",
            register="community_event",
            record="HD-2026-05",
            severity="info",
            message="活动公告",
            notice="event_notice",
            values={
                "活动名称": "重阳节敬老茶话会", "活动日期": date(2026, 10, 29), "地点": "会所二楼多功能厅",
                "报名方式": "10月25日前到客户服务中心前台或拨打服务电话报名", "公告日期": date(2026, 10, 9),
            },
        ),
        "service_order": Finding(
            rule="service.accepted",
            register="special_service",
            record="TY-1001",
            severity="info",
            message="特约服务已受理",
            notice="service_order",
            values={
                "房号": "3-0502", "客户": "周强", "服务项目": "安装浴霸", "类别": "供电设备维修类", "单位": "台",
                "list_price": d("80.00"), "数量": 1, "单价": d("80.00"), "预约时间": datetime(2026, 10, 9, 14, 0),
                "受理时间": datetime(2026, 10, 9, 9, 0), "受理人": "刘敏",
            },
        ),
        "service_unsatisfied": Finding(
            rule="service.unsatisfied",
            register="special_service",
            record="TY-1001",
            severity="warning",
            message="回访不满意",
            notice="service_unsatisfied",
            values={
                "房号": "3-0502", "客户": "周强", "服务项目": "安装浴霸", "受理人": "刘敏",
                "完成时间": datetime(2026, 10, 9, 15, 10), "验收结果": "返工后合格",
                "回访时间": datetime(2026, 10, 10, 10, 0), "回访结果": "不满意", "返工次数": 2, "损坏赔偿": d("120.00"),
            },
        ),
        "transfer_payment": Finding(
            rule="transfer.payment",
            register="transfer",
            record="1-0101|2026-10-09",
            severity="info",
            message="转让预缴",
            notice="transfer_payment",
            values={
                "房号": "1-0101", "原业主": "王五", "新业主": "赵六", "建筑面积": d("89.50"), "物业费单价": d("2.35"),
                "months": 6, "expected": d("1261.95"), "paid": None, "period_start": date(2026, 10, 9),
                "period_end": date(2027, 4, 8),
            },
        ),
    }


def sample_services() -> list[dict]:
    return [
        {
            "单号": f"TY-10{i:02d}",
            "受理时间": datetime(2026, 9, 3 + i, 10, 0),
            "完成时间": datetime(2026, 9, 3 + i, 15, 0),
            "房号": "1-1-1201",
            "客户": "周晓梅",
            "服务项目": item,
            "类别": cat,
            "数量": qty,
            "单价": Decimal(price),
            "金额": Decimal(price) * qty,
        }
        for i, (item, cat, qty, price) in enumerate(
            [
                ("更换水龙头", "供水设备维修类", 1, "30.00"),
                ("更换插座面板", "供电设备维修类", 3, "15.00"),
                ("疏通下水道", "供水设备维修类", 1, "80.00"),
                ("复印身份证", "打字复印类", 2, "0.50"),
            ]
        )
    ]


def render_sample(
    doc_type: str,
    finding: Finding,
    *,
    number: str = "某某物业〔2026〕催字第015号",
    templates: Path = ROOT / "templates",
    full: bool = False,
    earlier: list[dict] | None = None,
) -> bytes:
    config = load_documents_config(ROOT / "rules", templates)
    t = config.by_type(doc_type)
    chosen = t.pick(finding.values, len(earlier or []))
    names = {**finding.values, "record": finding.record, "manager_title": config.manager_title}
    ctx = document_context(
        config,
        number=number,
        title=chosen["title"],
        recipient=recipient_text(chosen["recipient"], names),
        department=config.department,
        issue_date=NOW.date(),
        record=finding.record,
        register=finding.register,
        values=finding.values,
        full_personal_data=full,
        earlier=earlier,
    )
    return render_docx(templates / chosen["template"], ctx)


def doc_text(blob: bytes) -> str:
    """All text of a .docx: paragraphs, then every table cell, one per line."""
    doc = Document(io.BytesIO(blob))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            seen = set()
            for cell in row.cells:
                if id(cell._tc) not in seen:
                    seen.add(id(cell._tc))
                    lines.append(cell.text)
    return "\n".join(lines)


# --- formatting helpers ---------------------------------------------------------------


def test_amounts_in_figures_and_capitals():
    assert money(Decimal("1414.5")) == "1,414.50"
    assert money(Decimal("1234567.891")) == "1,234,567.89"
    # capitals worked out by hand
    assert rmb_upper(Decimal("1414.50")) == "人民币壹仟肆佰壹拾肆元伍角"
    assert rmb_upper(Decimal("1200")) == "人民币壹仟贰佰元整"
    assert rmb_upper(Decimal("1001.00")) == "人民币壹仟零壹元整"
    assert rmb_upper(Decimal("0")) == "人民币零元整"
    assert rmb_upper(Decimal("-385.50")) == "人民币负叁佰捌拾伍元伍角"
    assert rmb_upper(Decimal("1914.50")) == "人民币壹仟玖佰壹拾肆元伍角"
    assert rmb_upper(None) == ""


def test_masking():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("028-85551234") == "028-****1234"
    assert mask_id("510104199001011234") == "510***********1234"


def test_recipient_drops_empty_parts():
    assert recipient_text("{业主}、{装修公司}", {"业主": "张三", "装修公司": ""}) == "张三"
    assert (
        recipient_text("{业主}、{装修公司}", {"业主": "张三", "装修公司": "某装饰"})
        == "张三、某装饰"
    )
    assert recipient_text("{manager_title}", {"manager_title": "项目经理"}) == "项目经理"


# --- every template -------------------------------------------------------------------


def test_every_configured_template_renders():
    config = load_documents_config(ROOT / "rules", ROOT / "templates")
    samples = sample_findings()
    for t in config.documents:
        if t.trigger == "monthly":
            continue
        assert t.type in samples, t.type
        text = doc_text(render_sample(t.type, samples[t.type]))
        assert "某某物业〔2026〕催字第015号" in text
        assert "{{" not in text and "{%" not in text
        assert "某某物业服务有限公司" in text


def test_payment_reminder_fields():
    f = sample_findings()["payment_reminder"]
    text = doc_text(render_sample("payment_reminder", f))
    assert "1-1-1201业主周晓梅：" in text
    assert "1,414.50元（人民币壹仟肆佰壹拾肆元伍角）" in text
    assert "已缴至2026年9月30日" in text
    assert "已逾期9天" in text
    lines = text.splitlines()
    assert "2026年10月9日" in lines  # the date line of the signature block
    assert "催缴通知书" in lines


def test_payment_reminder_tiers_have_their_own_wording():
    f = sample_findings()["payment_reminder"]
    texts = {}
    for tier in (1, 2):
        f.values["tier"] = f.values["reminder_tier"] = tier
        texts[tier] = doc_text(render_sample("payment_reminder", f))
    assert "请您在方便时" in texts[1]
    # No first reminder went out: the tier-2 reminder is not titled the second.
    assert "催缴通知书" in texts[2].splitlines() and "第二次" not in texts[2]
    # The last tier is the manager's report, a document type of its own.
    report = doc_text(render_sample("arrears_report", sample_findings()["arrears_report"]))
    assert "项目经理：" in report and "欠费情况报告" in report.splitlines() and "请批示" in report
    assert "缴费地点" not in report and "1,058.00元（人民币壹仟零伍拾捌元整）" in report
    assert all("缴费地点" in t and "请批示" not in t for t in texts.values())
    # Without an earlier reminder signed and sent, no document claims one.
    assert "书面提醒" not in texts[2] and "已于" not in texts[2]
    assert "书面催缴（" not in report and "此前尚未发出书面催缴通知" in report


def test_payment_reminder_names_the_reminders_actually_sent():
    f = sample_findings()["payment_reminder"]
    first = {"number": "某某物业〔2026〕催字第007号", "date": date(2026, 9, 2)}
    second = {"number": "某某物业〔2026〕催字第011号", "date": date(2026, 9, 20)}
    f.values["tier"] = f.values["reminder_tier"] = 2
    text = doc_text(render_sample("payment_reminder", f, earlier=[first]))
    assert "我中心已于2026年9月2日（某某物业〔2026〕催字第007号）书面提醒您缴纳物业服务费" in text
    assert "催缴通知书（第二次）" in text.splitlines()
    report = sample_findings()["arrears_report"]
    text = doc_text(render_sample("arrears_report", report, earlier=[first, second]))
    assert "经两次书面催缴（2026年9月2日（某某物业〔2026〕催字第007号）、2026年9月20日（某某物业〔2026〕催字第011号））仍未缴纳" in text
    text = doc_text(render_sample("arrears_report", report, earlier=[first]))
    assert "经书面催缴（2026年9月2日（某某物业〔2026〕催字第007号））仍未缴纳" in text and "两次" not in text


def test_escalation_of_a_complaint_without_event_names_the_complaint():
    f = sample_findings()["complaint_escalation"]
    f.values["event"] = None
    c = f.values["complaints"][0]
    text = doc_text(render_sample("complaint_escalation", f))
    assert "“”" not in text
    assert f"现将投诉 {c['编号']}（{c['投诉人']}：" in text


def test_deposit_refund_table_and_owed_amount():
    f = sample_findings()["deposit_refund"]
    text = doc_text(render_sample("deposit_refund", f))
    for expected in (
        "3,000.00",
        "-200.00",
        "-500.00",
        "-385.50",
        "中午休息时间使用电锤施工",
        "应退还您押金1,914.50元（人民币壹仟玖佰壹拾肆元伍角）",
        "应退金额",
        "2026年7月8日",
    ):
        assert expected in text, expected
    f.values.update(refund=Decimal("-585.50"), owed=True, deposit=Decimal("500.00"))
    text = doc_text(render_sample("deposit_refund", f))
    assert "尚需补缴585.50元（人民币伍佰捌拾伍元伍角）" in text
    assert "尚欠金额" in text and "应退还" not in text


def test_complaint_escalation_lists_every_complaint_and_overdue():
    f = sample_findings()["complaint_escalation"]
    blob = render_sample("complaint_escalation", f)
    text = doc_text(blob)
    for i in range(5):
        assert f"TS-2026-{100 + i}" in text
    assert "TS-2026-100\n回复\n2026年10月9日 09:15\n已超时2小时15分钟" in text
    assert "TS-2026-102\n回复\n2026年10月9日 11:15\n即将到期" in text
    assert "TS-2026-100（王建国）回复已超时2小时15分钟，时限2026年10月9日 09:15。" in text
    assert "项目经理：" in text
    # header row repeats on every page, rows never split
    doc = Document(io.BytesIO(blob))
    table = doc.tables[1]
    assert len(table.rows) == 1 + 15  # header + 5 complaints × 3 deadlines
    assert (
        table.rows[0]._tr.trPr.find(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader"
        )
        is not None
    )
    assert all(
        r._tr.trPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}cantSplit")
        is not None
        for r in table.rows
    )


def test_escalation_memo_never_says_no_deadline_was_missed_above_one_done_late():
    # QA: 诉字第001号 said "各项处理时限均未超时" while its own table showed 投诉转报 超时完成
    # 5 分钟. A deadline met late is listed with the ones still open past their time.
    from toolkit.documents.formatting import overdue_items

    due = datetime(2026, 12, 4, 9, 15)
    complaints = [{"编号": "TS-1204-01", "投诉人": "王建国", "deadlines": [
        {"name": "投诉转报", "due": due, "status": "late", "overdue_minutes": 5},
        {"name": "回复", "due": datetime(2026, 12, 8, 17, 30), "status": "pending"}]}]
    assert overdue_items(complaints) == ["TS-1204-01（王建国）投诉转报超时5分钟完成，时限2026年12月4日 09:15。"]
    f = sample_findings()["complaint_escalation"]
    for c in f.values["complaints"]:
        c["deadlines"] = [{**d, "status": "met"} for d in c["deadlines"]]
    f.values["complaints"][1]["deadlines"][0].update(status="late", overdue_minutes=5)
    text = doc_text(render_sample("complaint_escalation", f))
    assert "均未超时" not in text and "超时5分钟完成" in text


def test_register_text_prints_with_chinese_punctuation():
    from toolkit.documents.formatting import chinese_punctuation
    from toolkit.fields import clean_text as register_text

    typed = "3栋2号电梯停运，老人下楼困难（已报维保）：请尽快处理！"
    stored = register_text(typed)  # the ledger keeps free text as typed
    assert stored == typed
    f = sample_findings()["complaint_escalation"]
    f.values["complaints"][0]["投诉内容"] = stored
    assert typed in doc_text(render_sample("complaint_escalation", f))
    # Text typed with ASCII marks beside Chinese still prints with Chinese marks.
    f.values["complaints"][0]["投诉内容"] = "3栋2号电梯停运,老人下楼困难(已报维保):请尽快处理!"
    assert typed in doc_text(render_sample("complaint_escalation", f))
    # Marks between digits or Latin letters are left alone.
    assert chinese_punctuation("应收1,200.00元, 09:30 到场 (A区)") == "应收1,200.00元， 09:30 到场 （A区）"
    assert chinese_punctuation("Room (A), ok") == "Room (A), ok"
    assert chinese_punctuation("稍等...") == "稍等…"


def test_release_slip_has_two_parts_and_cut_line():
    text = doc_text(render_sample("release_slip", sample_findings()["release_slip"]))
    assert "物品放行条（存档联）" in text and "物品放行条（出门联）" in text
    assert "沿此线剪开" in text
    assert text.count("双人床1张、冰箱1台、纸箱6个") == 2


def test_other_templates_key_fields():
    s = sample_findings()
    text = doc_text(render_sample("rectification_notice", s["rectification_notice"]))
    assert "赵丽华、成都美居装饰工程有限公司：" in text
    assert "2,000.00元（人民币贰仟元整）" in text and "2026年10月11日前整改完毕" in text
    text = doc_text(render_sample("parking_expiry", s["parking_expiry"]))
    assert "2026年10月14日到期，距今还有5天" in text and "100.00元/月" in text
    text = doc_text(render_sample("handover_payment", s["handover_payment"]))
    assert "1,344.00元（人民币壹仟叁佰肆拾肆元整）" in text
    assert "2026年10月9日至2027年4月8日" in text
    text = doc_text(render_sample("renovation_agreement", s["renovation_agreement"]))
    assert "91510100MA61R8XK3C" in text and "3,000.00元" in text and "本工程已取得消防审批" in text


def test_personal_data_masked_unless_allowed():
    f = sample_findings()["release_slip"]
    f.values["携带人"] = "郑小龙 13812345678"  # text fields stay as typed
    f.values["联系电话"] = "13812345678"
    f.values["身份证号"] = "510104199001011234"
    from toolkit.documents.context import document_context as ctx_of

    config = load_documents_config(ROOT / "rules")
    masked = ctx_of(
        config,
        number="N",
        title="T",
        recipient="R",
        department="D",
        issue_date=NOW.date(),
        record="r",
        register="move_out",
        values=f.values,
    )
    assert masked["联系电话"] == "138****5678" and masked["身份证号"] == "510***********1234"
    full = ctx_of(
        config,
        number="N",
        title="T",
        recipient="R",
        department="D",
        issue_date=NOW.date(),
        record="r",
        register="move_out",
        values=f.values,
        full_personal_data=True,
    )
    assert full["联系电话"] == "13812345678"


# --- hostile values ---------------------------------------------------------------------


def test_hostile_values_appear_literally():
    f = sample_findings()["rectification_notice"]
    hostile = "<b>&amp; {{ 7*7 }} {% for x in y %} </w:t> ]]> \x00\x07\x1b\x0c 结束"
    f.values.update(违章内容=hostile, 业主="A&B<公司>", 装修公司="")
    blob = render_sample("rectification_notice", f)
    text = doc_text(blob)
    assert "<b>&amp; {{ 7*7 }} {% for x in y %} </w:t> ]]>  结束" in text
    assert "49" not in text
    assert "A&B<公司>：" in text  # empty company dropped from the addressee


def test_very_long_and_empty_optional_values():
    f = sample_findings()["renovation_agreement"]
    f.values.update(装修公司="", 统一社会信用代码=None, 清运费=None, 消防审批="", 业主="很长" * 400)
    text = doc_text(render_sample("renovation_agreement", f))
    assert "（业主自行装修）" in text
    assert "建筑面积超过200平方米的单元，须取得消防部门审批后方可开工" in text
    assert "None" not in text
    assert "很长" * 400 in text
    f = sample_findings()["complaint_escalation"]
    f.values["complaints"][0]["投诉内容"] = "第一行\n第二行\t制表"
    f.values["complaints"][1]["房号"] = None
    text = doc_text(render_sample("complaint_escalation", f))
    assert "第一行\n第二行\t制表" in text


def test_template_error_names_file_and_tag(tmp_path):
    from docx import Document as New

    doc = New()
    doc.add_paragraph("开头")
    doc.add_paragraph("金额：{{ amount|money }} 客户：{{ 客户名称 }}")
    bad = tmp_path / "bad.docx"
    doc.save(bad)
    with pytest.raises(DocumentError) as err:
        render_docx(bad, {"amount": Decimal("1"), "doc": {}})
    assert "bad.docx" in str(err.value) and "客户名称" in str(err.value) and "第" in str(err.value)
    doc = New()
    doc.add_paragraph("{% if x %}没有结束")
    broken = tmp_path / "broken.docx"
    doc.save(broken)
    with pytest.raises(DocumentError) as err:
        compile_template(broken)
    assert "broken.docx" in str(err.value) and "语法错误" in str(err.value)


def test_compiled_once_and_fast(tmp_path):
    clear_cache()
    path = ROOT / "templates" / "complaint_escalation.docx"
    first = compile_template(path)
    assert compile_template(path) is first  # cached by path + mtime
    f = sample_findings()["payment_reminder"]
    config = load_documents_config(ROOT / "rules")
    template = ROOT / "templates" / "payment_reminder.docx"
    contexts = []
    for i in range(100):
        values = dict(f.values, amount=Decimal(1000 + i))
        contexts.append(
            document_context(
                config,
                number=f"某某物业〔2026〕催字第{i + 1:03d}号",
                title="催缴通知书",
                recipient="业主",
                department="客户服务中心",
                issue_date=NOW.date(),
                record=f.record,
                register=f.register,
                values=values,
            )
        )
    render_docx(template, contexts[0])
    start = time.process_time()  # processor time: a busy machine must not fail it
    blobs = [render_docx(template, ctx) for ctx in contexts]
    per_notice_ms = (time.process_time() - start) * 1000 / len(contexts)
    print(f"\nrender: {per_notice_ms:.1f} ms per notice")
    assert per_notice_ms < 25
    assert "某某物业〔2026〕催字第100号" in doc_text(blobs[-1]) and "1,099.00" in doc_text(
        blobs[-1]
    )
    # a changed template file is compiled again
    copy = tmp_path / "t.docx"
    copy.write_bytes(path.read_bytes())
    a = compile_template(copy)
    copy.write_bytes(path.read_bytes() + b"")
    import os

    os.utime(copy, ns=(1, 10**18))
    assert compile_template(copy) is not a


def test_templates_are_built_by_the_script(tmp_path):
    import subprocess
    import sys
    import zipfile

    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_templates.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "complaint_escalation.docx" in out.stdout
    built = sorted(tmp_path.glob("*.docx"))
    assert len(built) >= 9
    for b in built:
        p = ROOT / "templates" / b.name
        # Part by part, uncompressed: the compressed bytes depend on the zlib at hand.
        with zipfile.ZipFile(b) as made, zipfile.ZipFile(p) as shipped:
            assert made.namelist() == shipped.namelist(), p.name
            for name in made.namelist():
                assert made.read(name) == shipped.read(name), (
                    f"{p.name} 的 {name} 与脚本输出不一致，请重新运行 make_templates.py"
                )


def test_fonts_set_on_runs():
    blob = render_sample("payment_reminder", sample_findings()["payment_reminder"])
    import zipfile

    xml = zipfile.ZipFile(io.BytesIO(blob)).read("word/document.xml").decode()
    assert re.search(r'w:eastAsia="SimSun"', xml)
    assert 'w:eastAsia="zh-CN"' in xml


# --- named pictures replaced at render time -------------------------------------------


def _png(colour: str, size: tuple[int, int] = (60, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def _picture_template(tmp_path: Path) -> tuple[Path, bytes]:
    """A real template: one tag and one picture inserted from a file named logo.png."""
    from docx.shared import Cm

    original = _png("white")
    (tmp_path / "logo.png").write_bytes(original)
    doc = Document()
    doc.add_paragraph("{{ name }}")
    doc.add_paragraph().add_run().add_picture(str(tmp_path / "logo.png"), width=Cm(4))
    path = tmp_path / "pictured.docx"
    doc.save(path)
    return path, original


def test_named_picture_replaced(tmp_path):
    import zipfile

    path, original = _picture_template(tmp_path)
    compiled = compile_template(path)
    assert "logo.png" in compiled.pictures  # the name it was inserted under (pic:cNvPr)
    red = _png("red")
    blob = compiled.render({"name": "张三"}, pictures={"logo.png": red})
    doc = Document(io.BytesIO(blob))
    assert doc.paragraphs[0].text == "张三"
    rid = doc.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    assert doc.part.related_parts[rid].blob == red
    assert doc.inline_shapes[0].width == 4 * 360000  # the placeholder's size on the page stays
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        names = z.namelist()
        media = [i for i in z.infolist() if i.filename.startswith("word/media/")]
        assert z.testzip() is None
    assert len(names) == len(set(names))  # written once, not beside the original
    assert [i.compress_type for i in media] == [zipfile.ZIP_STORED]
    # The drawing's own name (Word's selection pane) finds it too.
    frame_name = doc.inline_shapes[0]._inline.docPr.get("name")
    again = Document(io.BytesIO(compiled.render({"name": "x"}, pictures={frame_name: red})))
    assert again.part.related_parts[rid].blob == red
    # Without replacements the template's own image stays; the next render is not affected.
    plain = Document(io.BytesIO(compiled.render({"name": "李四"})))
    assert plain.part.related_parts[rid].blob == original


def test_unknown_picture_name_is_a_chinese_error(tmp_path):
    path, _ = _picture_template(tmp_path)
    with pytest.raises(DocumentError) as err:
        compile_template(path).render({"name": "x"}, pictures={"chart.png": _png("red")})
    message = str(err.value)
    assert "pictured.docx" in message and "没有名为「chart.png」的图片" in message
    assert "logo.png" in message  # and the names it does have
    no_pictures = ROOT / "templates" / "payment_reminder.docx"
    with pytest.raises(DocumentError, match="payment_reminder.docx 中没有名为「chart.png」的图片"):
        compile_template(no_pictures).render({}, pictures={"chart.png": b""})
