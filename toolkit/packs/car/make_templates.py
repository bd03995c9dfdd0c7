"""Build the car pack's Word templates into ``workspace/templates`` (output is committed).

    python -m toolkit.packs.car.make_templates [OUTPUT_DIR]

Laid out with the same helpers as the property templates (scripts/make_templates.py):
company letterhead with the document number, title, addressee, tables, signatures.
The tags are the finding values of each trigger rule (rules/*.py) and ``doc.*``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
OUT = Path(__file__).resolve().parent / "workspace" / "templates"
sys.path.insert(0, str(ROOT / "scripts"))  # scripts/ is not a package
import pack_templates as P  # noqa: E402  (what the packs' builders share)

M = P.helpers()
C, L, R = M.C, M.L, M.R
HALF = P.HALF


BLANK = "＿" * 10  # a line printed for staff to fill in by hand


def _timed_sign_line(doc, label: str) -> None:
    """A signature blank like ``sign_lines`` whose date has the hour and minute too (the
    workshop's receipt of the car is timed to ten minutes, seed 002)."""
    widths = [3.0, 4.6, 1.6, 6.4]
    table = M._fixed_table(doc, 4, widths)
    M._no_borders(table)
    row = table.add_row()
    row.height = M.Cm(1.0)
    for i, (cell, text) in enumerate(zip(row.cells, [label, "", "时间：", "　　年　　月　　日　　时　　分"], strict=True)):
        M._cell_props(cell, widths[i], valign="bottom")
        M._fill(cell, text, R if i in (0, 2) else L)
    M._underline_cell(row.cells[1])


# The completion time the order promises now: moved by the extra items the customer
# agreed to and signed for (``promise``, as car.promise judges it).
PROMISE = "{{ promise or 预计完工时间 }}"


def _order_head(doc, part: str) -> None:
    M.para(doc, "{{ doc.company_full }}", align=C, size=13, bold=True, color=M.RED)
    M.para(doc, f"进厂维修委托书（{part}）", align=C, size=15, bold=True, east=M.HEI)
    M.para(doc, "委托书号：{{ record }}　　文号：{{ doc.number }}", align=R, size=M.TABLE_PT, after=2)


def _pickup_part(doc) -> None:
    """The customer's part: what was agreed, and the voucher to collect the car with."""
    _order_head(doc, "客户取车联")
    P.pairs(doc, [
        ["客户名称", "{{ 客户名称 }}", "车牌号", "{{ 车牌号 }}"],
        ["接车时间", "{{ 接车时间 }}", "服务顾问", "{{ 服务顾问 }}"],
        ["维修项目", ">{{ 维修项目 }}"],
        ["估价合计", "{% if 估价合计 %}{{ 估价合计|money }} 元{% else %}—{% endif %}", "预计完工", PROMISE],
    ], height_cm=0.65)
    M.para(doc, "{%p if 追加项目 %}")
    M.para(doc, "另有追加维修项目 {{ 追加项目|length }} 项（{% for x in 追加项目 %}{{ x.增项内容 }}"
           "{% if x.合计 %} {{ x.合计|money }} 元{% endif %}{% if not loop.last %}；{% endif %}{% endfor %}）。",
           size=M.TABLE_PT, before=2)
    M.para(doc, "{%p endif %}")
    M.para(doc, "本联由客户保存，取车时凭此联提车，请妥善保管。"
           "{% if no_guarantee %}本车使用{{ 配件来源 }}配件，所涉及部位的技术质量本厂不作担保。{% endif %}",
           size=9, before=4)


def _order_part(doc, part: str, note: str) -> None:
    _order_head(doc, part)
    P.pairs(doc, [
        ["客户名称", "{{ 客户名称 }}", "联系电话", "{{ 联系电话 }}"],
        ["车牌号", "{{ 车牌号 }}", "车型", "{{ 车型 or '—' }}"],
        ["进厂里程", "{{ 里程数 }} 公里", "燃油表", "{{ 燃油表 or '—' }}"],
        ["接车时间", "{{ 接车时间 }}", "服务顾问", "{{ 服务顾问 }}"],
        ["客户问题", ">{{ 客户问题 or '—' }}"],
        ["维修项目", ">{{ 维修项目 }}"],
        ["工时费估价", "{{ 工时费估价|money or '—' }}", "备品费估价", "{{ 备品费估价|money or '—' }}"],
        ["估价合计", ">{% if 估价合计 %}{{ 估价合计|money }} 元（{{ 估价合计|rmb }}）{% else %}—{% endif %}"],
        ["配件来源", "{{ 配件来源 or '—' }}", "旧件去向", "{{ 旧件去向 or '—' }}"],
        ["是否洗车", "{{ 是否洗车 or '—' }}", "钥匙编号", "{{ 钥匙编号 or '—' }}"],
        ["预计完工", ">" + PROMISE + "{% if 顺延 %}（原定 {{ 预计完工时间 }}，因客户签字同意的追加项目顺延）{% endif %}"],
    ], height_cm=0.62)
    # The extra items the customer agreed to (seed: written on the 委托书, the contract):
    # one not yet signed for is signed on this copy, and moves the promise only then.
    M.para(doc, "{%p if 追加项目 %}")
    M.para(doc, "追加维修项目（客户已同意）：", size=10, bold=True, before=4)
    M.list_table(doc, [("增项单号", 2.0, C), ("增项内容", 3.8, L), ("工时费", 1.7, R), ("备品费", 1.7, R),
                       ("合计", 1.8, R), ("工期", 2.6, L), ("客户签字", 2.0, C)],
                 "x in 追加项目",
                 ["{{ x.增项单号 }}", "{{ x.增项内容 }}", "{{ x.增项工时费|money or '—' }}",
                  "{{ x.增项备品费|money or '—' }}", "{{ x.合计|money or '—' }}",
                  "{% if x.新预计完工时间 %}完工改为 {{ x.新预计完工时间 }}{% elif x.延长工期小时 %}"
                  "顺延 {{ x.延长工期小时 }} 小时{% else %}不影响工期{% endif %}",
                  "{{ '已签字' if x.已签字 else '待签字' }}"])
    M.para(doc, "{%p endif %}")
    M.para(doc, note, size=9, before=4)


def _compact(doc) -> None:
    """Both parts of the 委托书 on one A4 sheet with the extra items listed (up to about six,
    the usual most): narrower top and bottom margins, single-spaced lines, lower rows. The
    text and its size stay as on the other documents."""
    sec = doc.sections[0]
    sec.top_margin, sec.bottom_margin, sec.footer_distance = M.Cm(1.3), M.Cm(1.2), M.Cm(0.6)
    for p in doc.paragraphs:
        p.paragraph_format.line_spacing = 1.0
    for table in doc.tables:
        for row in table.rows:
            if row.height is not None:  # the signature lines keep room to sign
                row.height = M.Cm(0.8) if row.height > M.Cm(0.7) else M.Cm(0.55)
            for cell in row.cells:
                for p in cell.paragraphs:
                    fmt = p.paragraph_format
                    fmt.line_spacing, fmt.space_before, fmt.space_after = 1.0, M.Pt(1), M.Pt(1)


def car_order():
    doc = M.new_document("进厂维修委托书")
    _order_part(doc, "存档联", "以上项目和费用经客户确认。{% if 追加项目 %}追加项目标“待签字”的，请客户在下方签字确认后，"
                "完工时间方按其顺延。{% endif %}")
    M.para(doc, "{%p if no_guarantee %}")
    M.para(doc, "提示：本车使用{{ 配件来源 }}配件，按规定本厂对所涉及部位的技术质量不作担保，已向客户说明。",
           size=10, bold=True, before=2)
    M.para(doc, "{%p endif %}")
    # A blank 随车物品 is not "none": the line is left for the desk to fill in with the customer.
    M.para(doc, f"随车物品：{{% if 随车物品 %}}{{{{ 随车物品 }}}}{{% else %}}{BLANK * 2}{{% endif %}}", size=10, before=2)
    M.sign_lines(doc, ["客户签名："])
    _timed_sign_line(doc, "车间接车人：")
    M.para(doc, "车间接车时间请精确到十分钟。", size=9, after=4)
    M.para(doc, "- - - - - - - - - - - - - - - - - - - - - 沿此线剪开 - - - - - - - - - - - - - - - - - - - - -",
           align=C, size=9, color=M.RGBColor(0x80, 0x80, 0x80), after=4, keep_next=True)
    _pickup_part(doc)
    _compact(doc)
    return doc


def car_appointment_slip():
    doc = P.notice("预约确认单")
    M.body(doc, "感谢您预约本店的维修服务。您的预约已登记，内容如下，请核对：")
    M.spacer(doc, 4)
    P.pairs(doc, [
        ["预约单号", "{{ record }}", "登记时间", "{{ 登记时间 }}"],
        ["车牌号", "{{ 车牌号 }}", "车型", "{{ 车型 or '—' }}"],
        ["联系电话", "{{ 联系电话 }}", "受理人", "{{ 受理人 }}"],
        ["预约进厂", ">{{ 预约进厂时间 }}"],
        ["预约项目", ">{{ 预约项目 }}"],
        ["需备配件", ">{{ 需备配件 or '无' }}"],
        ["配件原价", "{% if 配件原价 %}{{ 配件原价|money }} 元{% else %}—{% endif %}",
         "已交定金", "{% if 定金 %}{{ 定金|money }} 元{% else %}—{% endif %}"],
    ], height_cm=0.8)
    M.spacer(doc, 4)
    M.para(doc, "{%p if 最低定金 %}")
    M.body(doc, "所需配件价值较高，按规定须预交定金，金额不少于配件原价的二分之一，即",
           ("{{ 最低定金|money }} 元（{{ 最低定金|rmb }}）", {"bold": True}), "。")
    M.para(doc, "{%p endif %}")
    M.body(doc, "我们将为您预留工位，并会在预约时间前半天至一天与您电话确认。预约客户到店由预约人员专门接待；"
           "如需改期或取消，请提前来电。{% if doc.phone %}服务电话：{{ doc.phone }}。{% endif %}")
    M.signature(doc)
    M.spacer(doc, 6)
    M.sign_lines(doc, ["客户确认签名："])
    return doc


# The completion time if the customer agrees: ``promise``, computed by the rule the way
# car.promise moves the order's promise. Without it (an order with no promised time),
# only what is certain is printed (never the old promise as the new one).
NEW_PROMISE = ("{% if promise is defined and promise %}{{ promise }}"
               "{% elif 新预计完工时间 %}{{ 新预计完工时间 }}"
               "{% elif 延长工期小时 %}原定完工时间顺延 {{ 延长工期小时 }} 小时"
               "{% else %}按原定完工时间{% endif %}")


def car_extra():
    doc = P.notice("追加维修项目确认单")
    M.body(doc, "您的车辆（{{ 车牌号 }}，委托书号 {{ 委托书号 }}）在维修中，车间发现需要追加以下项目，"
           "请您确认是否同意：")
    M.spacer(doc, 4)
    P.pairs(doc, [
        ["增项单号", "{{ record }}", "车间提出", "{{ 车间通知时间 }}"],
        ["追加项目", ">{{ 增项内容 }}"],
        ["工时费", "{{ 增项工时费|money or '0.00' }} 元", "备品费", "{{ 增项备品费|money or '0.00' }} 元"],
        ["合计", ">{{ total|money }} 元（{{ total|rmb }}）"],
        ["工期延长", "{% if 延长工期小时 %}{{ 延长工期小时 }} 小时{% else %}不延长{% endif %}",
         "新预计完工", NEW_PROMISE],
    ], height_cm=0.8)
    M.spacer(doc, 4)
    M.body(doc, "同意追加的，请在下方签字；原定完工时间只有在您签字确认后才按上表顺延。"
           "不同意追加的，我们将按原委托书项目完工交车。")
    M.spacer(doc, 6)
    M.sign_lines(doc, ["同意／不同意：", "客户签名：", "服务顾问："])
    return doc


def car_release():
    doc = P.notice("出厂通知单")
    M.para(doc, "{%p if 是否进厂 == '否' %}")
    _diagnosis_release(doc)
    M.para(doc, "{%p else %}")
    _repair_release(doc)
    M.para(doc, "{%p endif %}")
    M.signature(doc)
    M.spacer(doc, 6)
    M.sign_lines(doc, ["客户提车签名："])
    return doc


def _diagnosis_release(doc) -> None:
    """The customer leaves without the repair (seed 000 §5(2)): an exit slip, with the
    diagnosis or estimate fee to pay when one was made; no guarantee, no pick-up voucher."""
    M.body(doc, "您的车辆（{{ 车牌号 }}，委托书号 {{ record }}）本次在本店做了检查诊断和维修估价，未在本店维修。"
           "{% if 诊断估价费 and not 诊断费待收 %}诊断估价费 {{ 诊断估价费|money }} 元已收，请办理出厂手续。"
           "{% elif 诊断估价费 %}请到收银处交纳诊断估价费 {{ 诊断费待收|money }} 元，办理出厂手续。"
           "{% else %}请到收银处办理出厂手续；做了诊断或估价的，须交纳诊断估价费。{% endif %}")
    M.spacer(doc, 4)
    P.pairs(doc, [
        ["车牌号", "{{ 车牌号 }}", "车型", "{{ 车型 or '—' }}"],
        ["服务顾问", "{{ 服务顾问 }}", "接车时间", "{{ 接车时间 or '—' }}"],
        ["检查项目", ">{{ 维修项目 or '—' }}"],
        ["诊断估价费", "{% if 诊断估价费 %}{{ 诊断估价费|money }} 元（{{ 诊断估价费|rmb }}）"
                     f"{{% else %}}{BLANK} 元{{% endif %}}",
         "付款方式", f"{{{{ 付款方式 or '{BLANK[:5]}' }}}}"],
    ], height_cm=0.8)
    M.spacer(doc, 4)
    M.body(doc, "请与服务顾问一起清点随车物品、查看车辆外观后出厂。感谢您的信任，欢迎您随时再来。")


def _repair_release(doc) -> None:
    # Only a check written in the register is claimed (seed 002: 质检 before delivery).
    M.body(doc, "您的车辆（{{ 车牌号 }}，委托书号 {{ record }}）已维修完工{% if 质检员 %}并经质量检验{% endif %}，结算如下：")
    M.spacer(doc, 4)
    P.pairs(doc, [
        ["车牌号", "{{ 车牌号 }}", "车型", "{{ 车型 or '—' }}"],
        ["服务顾问", "{{ 服务顾问 }}", "完工时间", "{{ 完工时间 or '—' }}"],
        ["工时费", "{{ 工时费|money or '0.00' }} 元", "备品费", "{{ 备品费|money or '0.00' }} 元"],
        ["折扣", "{% if 折扣金额 %}{{ 折扣金额|money }} 元{% else %}—{% endif %}",
         "折扣审批", "{{ 折扣审批人 or '—' }}"],
        ["诊断估价费", "{% if 诊断估价费 %}{{ 诊断估价费|money }} 元{% else %}—{% endif %}",
         "付款方式", "{{ 付款方式 or '—' }}"],
        ["结算金额", ">{% if 结算金额 %}{{ 结算金额|money }} 元（{{ 结算金额|rmb }}）{% else %}—{% endif %}"],
        ["实收金额", "{{ 实收金额|money or '0.00' }} 元", "欠收", "{% if 欠收 %}{{ 欠收|money }} 元{% else %}无{% endif %}"],
        ["旧件去向", ">{{ 旧件去向 or '—' }}"],
        # A row of its own: a date and a mileage do not fit half a row (they wrapped).
        ["下次保养", ">{% if 建议下次保养日期 %}{{ 建议下次保养日期 }}{% endif %}"
         "{% if 建议下次保养里程 %} 或行驶至 {{ 建议下次保养里程 }} 公里{% endif %}"
         "{% if 建议下次保养日期 and 建议下次保养里程 %}，以先到者为准{% endif %}"
         "{% if not 建议下次保养日期 and not 建议下次保养里程 %}—{% endif %}"],
    ], height_cm=0.8)
    M.spacer(doc, 4)
    M.para(doc, "{%p if no_guarantee %}")
    M.body(doc, "本次使用{{ 配件来源 }}配件，所涉及部位的技术质量本厂不作担保。")
    M.para(doc, "{%p else %}")
    M.body(doc, "本次维修按本店质量保证规定提供质量保证，详见随单交付的质量保证书。")
    M.para(doc, "{%p endif %}")
    M.body(doc, "请凭本通知单、维修委托书客户取车联及结算单提车，并与服务顾问一起清点随车工具和物品、查看车辆外观。"
           "我们将在您提车后二天至一周内电话回访。")


def car_maintenance():
    doc = P.notice("保养提醒")
    # Drafted after the date (the file saved late): the date is past, not the next one.
    M.body(doc, "您的爱车（{{ 车牌号 }}{% if 车型 %}，{{ 车型 }}{% endif %}）按保养周期，"
           "{% if overdue %}应于{% else %}下次保养日期为{% endif %}",
           ("{{ next_date }}", {"bold": True}),
           "{% if overdue %}保养{% endif %}"
           "{% if next_km %}，或行驶至 {{ next_km }} 公里，以先到者为准{% endif %}"
           "{% if overdue %}。该日期已过，请尽早来厂保养{% endif %}。")
    M.spacer(doc, 4)
    P.pairs(doc, [
        ["车牌号", "{{ 车牌号 }}", "车型", "{{ 车型 or '—' }}"],
        ["上次进厂", "{{ last_date or '—' }}", "当时里程", "{% if last_km %}{{ last_km }} 公里{% else %}—{% endif %}"],
        ["下次保养", "{{ next_date }}{% if overdue %}（已到期）{% endif %}", "保养里程", "{% if next_km %}{{ next_km }} 公里{% else %}—{% endif %}"],
    ], height_cm=0.8)
    M.spacer(doc, 4)
    # A discount only at the rate tariffs.yaml sets (none by default: the seed gives none).
    M.body(doc, "按时保养可以延长车辆使用寿命、减少故障。欢迎提前来电预约：预约客户有专人接待、预留工位"
           "{% if discount %}，工时费优惠 {{ discount }}{% endif %}。"
           "{% if doc.phone %}预约电话：{{ doc.phone }}。{% endif %}")
    M.signature(doc)
    return doc


def car_fine_notice():
    # Titled 委托书差错通报, or 安全考核扣分通报 with safety deductions alone (a variant in
    # car_documents.yaml): each part printed only when the person has something in it.
    doc = P.notice("委托书差错通报")
    M.para(doc, "{%p if count %}")
    M.body(doc, "{{ month|cn_month }}，服务顾问", ("{{ 服务顾问 }}", {"bold": True}),
           "开具的进厂维修委托书中，有 {{ count }} 份无客户签名或有漏项。按规定每份罚款 {{ fine|money }} 元，"
           "合计 ", ("{{ total|money }} 元（{{ total|rmb }}）", {"bold": True}), "。明细如下：")
    M.spacer(doc, 4)
    M.list_table(doc, [("委托书号", 2.8, C), ("接车日期", 3.8, C), ("车牌号", 2.4, C), ("差错", 4.2, L),
                       ("罚款（元）", 2.4, R)],
                 "o in orders",
                 ["{{ o.委托书号 }}", "{{ o.日期 }}", "{{ o.车牌号 }}", "{{ o.missing }}", "{{ o.fine|money }}"],
                 after_rows=[["合计", "<", "<", "{{ count }} 份", "{{ total|money }}"]], total_rows=1)
    M.spacer(doc, 4)
    M.para(doc, "{%p elif opened %}")
    # A service advisor whose orders were all complete: said once, no empty table.
    M.body(doc, "{{ month|cn_month }}，服务顾问", ("{{ 服务顾问 }}", {"bold": True}),
           "开具的进厂维修委托书 {{ opened }} 份，未发现差错。")
    M.para(doc, "{%p else %}")
    # Someone who opens no 委托书 (a mechanic): the safety deductions alone.
    M.body(doc, "{{ month|cn_month }}，{{ 岗位 }}", ("{{ 服务顾问 }}", {"bold": True}), "在安全考核中被扣分。")
    M.para(doc, "{%p endif %}")
    M.para(doc, "{%p if safety %}")
    # The notice is for last month and dated in this one: “本月” would name the wrong month.
    M.body(doc, "{{ month|cn_month }}安全考核扣分：")
    M.list_table(doc, [("日期", 3.8, C), ("违规项", 9.8, L), ("扣分", 2.0, R)], "s in safety",
                 ["{{ s.日期 }}", "{{ s.违规项 }}", "{{ s.points }}"],
                 after_rows=[["合计", "<", "{{ safety_points }}"]], total_rows=1)
    M.para(doc, "{%p endif %}")
    M.para(doc, "{%p if count %}")
    M.body(doc, "请按《委托书填写规定》逐项填写委托书：详细记录客户提出的问题，项目报价，写明旧件去向、是否洗车和预计完工时间，"
           "确认无误后请客户签名。")
    M.para(doc, "{%p endif %}")
    M.para(doc, "{%p if safety %}")
    # seed 002 安全标准 2.1–2.4
    M.body(doc, "请遵守安全标准：每天参加班前会，落实安全操作规程，未经允许不准驾驶维修车辆，参加安全培训、活动和应急演练。")
    M.para(doc, "{%p endif %}")
    M.signature(doc)
    return doc


TEMPLATES = {
    "car_appointment_slip": car_appointment_slip,
    "car_order": car_order,
    "car_extra": car_extra,
    "car_release": car_release,
    "car_maintenance": car_maintenance,
    "car_fine_notice": car_fine_notice,
}


def main(out_dir: Path | None = None) -> list[Path]:
    return P.write_all(TEMPLATES, out_dir or OUT)


if __name__ == "__main__":
    P.run(TEMPLATES, OUT)
