"""Build the dealer pack's Word templates in ``workspace/templates/`` (output is committed).

    python -m toolkit.packs.dealer.make_templates [OUTPUT_DIR]

Laid out with the same helpers as the property templates (scripts/make_templates.py):
company name, number line with a red rule, title, addressee, body, tables, signature.
The tags (docxtpl/Jinja) are the only contract with the rule code: the finding's values
under their own names, ``record`` and ``doc.*``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
OUT = Path(__file__).resolve().parent / "workspace" / "templates"
sys.path.insert(0, str(ROOT / "scripts"))  # scripts/ is not a package
import pack_templates as P  # noqa: E402  (what the packs' builders share)

T = P.helpers()
C, L, R = T.C, T.L, T.R


# Dealer notices are signed by the region that issues them (徐州大区, from 县级市场登记), not
# by the department's generic name: "…有限公司大区" read as a typo. Unknown region: the company.
SIGNED = "{{ doc.company_full }}{% if 大区 is defined and 大区 %}{{ 大区 }}{% endif %}"
# A contract's letters and the agreement itself are the contract's own party's (乙方, our
# side), which need not be the workspace's company; a contract naming none: the company.
PARTY = "{% if 乙方 is defined and 乙方 %}{{ 乙方 }}{% else %}{{ doc.company_full }}{% endif %}"


def clause(doc, *parts, last: bool = False) -> None:
    """An agreement clause, a little tighter than a notice's body; the last one keeps with
    the signature block, which never stands alone on a page."""
    T.para(doc, *parts, indent=True, line=1.3, keep_next=last)


def supersedes_line(doc) -> None:
    T.para(doc, "{%p if doc.supersedes %}")
    T.para(doc, "（本件替代{{ doc.supersedes }}，原件作废）", align=T.WD_ALIGN_PARAGRAPH.CENTER, size=T.TABLE_PT, after=6)
    T.para(doc, "{%p endif %}")


def jsb_agreement():
    doc = T.new_document("关于不销售假冒伪劣产品的协议")
    T.letterhead(doc)
    P.pairs(doc, [
        ["甲方", ">{{ 经销商名称 }}（二级经销商，成员编号{{ 成员编号 }}）"],
        ["负责人", "{{ 负责人 }}", "电话", "{{ 联系电话 }}"],
        ["乙方", ">{{ company }}"],
        ["所在县市", "{{ 县市 }}", "一级经销商", "{{ 一级经销商 }}"],
    ])
    T.spacer(doc, 6)
    clause(doc, "为规范经营行为、理顺销售渠道，防止假冒伪劣产品损害乙方品牌和双方利益，"
                "甲乙双方经协商一致，订立本协议，共同遵守。")
    T.heading(doc, "第一条　指定销售点")
    clause(doc, "甲方作为乙方产品的指定销售点，乙方向甲方颁发“{{ plaque_text }}”铜牌。铜牌归乙方所有，甲方不得转借。")
    T.heading(doc, "第二条　不销售假冒伪劣产品")
    clause(doc, "甲方经销乙方系列产品期间，不得销售任何假冒伪劣产品。一经查实，甲方向乙方缴纳罚金，金额不低于",
           ("{{ min_penalty|money }}元（{{ min_penalty|rmb }}）", {"bold": True}),
           "，并依法承担相应的法律责任；乙方有权收回铜牌，取消甲方的指定销售点和联销体成员资格。")
    T.heading(doc, "第三条　举报奖励")
    clause(doc, "乙方将所收罚金的{{ (informer_share * 100)|int }}%奖励给举报人，并为举报人保密。")
    T.heading(doc, "第四条　其他")
    clause(doc, "本协议未尽事宜由双方另行协商，可签订补充协议。本协议一式两份，甲乙双方各执一份，"
                "自双方签字（盖章）之日起生效；甲方签订本协议后方可成为联销体成员。", last=True)
    T.para(doc, "", after=6, keep_next=True)
    T.party_signatures(doc, ["甲方（盖章）：\n委托人：\n电话：", "乙方（盖章）：\n委托人：\n电话："])
    return doc


def jsb_cancel():
    doc = P.notice("联销体成员资格取消通知书")
    # One notice per member: every cause found, in month order (a counterfeit penalty and a
    # sales row bought elsewhere are two causes of one cancellation, never two notices).
    T.body(doc, "经核查，贵单位（成员编号{{ 成员编号 }}，{{ 县市 }}）作为二级经销商联销体成员，"
                "有以下违反联销体运行章程的情形：")
    T.para(doc, "{%p for c in causes %}")
    T.body(doc, "{{ loop.index }}. {{ c.text }}；")
    T.para(doc, "{%p endfor %}")
    T.para(doc, "{%p if share_months %}")
    T.body(doc, "按联销体运行章程，成员每月销量应不低于所在市场销量的{{ 标准 }}，连续三个月达不到即取消资格。"
                "未达到标准的月份明细如下：")
    T.list_table(doc, [("月份", 3.4, C), ("成员销量（元）", 4.0, R), ("所在市场销量（元）", 4.4, R), ("占比", 3.8, C)],
                 "r in share_months", ["{{ r.月份|cn_month }}", "{{ r.销量|money }}", "{{ r.所在市场销量|money }}",
                                       "{{ r.占比文字 }}"])
    T.para(doc, "{%p endif %}")
    T.body(doc, "根据联销体运行章程，决定自本通知签发之日起取消贵单位的联销体成员资格，"
                "请在接到通知后十日内将“指定销售点”铜牌（编号{{ 铜牌编号 or '—' }}）交还{{ 一级经销商 }}或大区。", before=6)
    T.body(doc, "如对上述事实有异议，请在接到通知后七日内向大区书面说明。")
    T.signature(doc, SIGNED)
    return doc


def jsb_fine():
    doc = P.notice("报表迟报漏报扣款通知")
    T.body(doc, "根据业务员考核及奖罚规定，报表迟报一次扣{{ late_fine|money }}元，漏报一次扣{{ missing_fine|money }}元，"
                "虚报调回销售中心待岗。经核对，{{ 月份|cn_month }}确定应扣款的报表{% if 补扣 %}"
                "（含以前月份未能扣除的，见表后说明）{% endif %}如下：")
    # 4.2 cm: 联销体成员走访一览表 (10 characters, 3.7 cm) on one line at 五号 (it wrapped at
    # 3.4); 3.35 cm: "2026年11月10日" (2.9 cm) on one line (it wraps at 3.2); 2.1 cm: 2026-W53
    # (it breaks at the hyphen at 1.9)
    T.list_table(doc, [("报表", 4.2, L), ("期间", 2.1, C), ("应报日期", 3.35, C), ("实报日期", 3.35, C),
                       ("情形", 1.2, C), ("扣款\n(元)", 1.4, R)],
                 "f in fines", ["{{ f.报表 }}", "{{ f.期间 }}", "{{ f.应报日期 }}", "{{ f.实报日期 or '尚未上报' }}",
                                "{{ f.kind }}", "{{ f.fine|money }}"])
    # A fine belongs to the month it was settled in (late: the day sent; missing: the day
    # after the boundary), so a month's pay never changes later: said, with each boundary.
    T.body(doc, "罚款计入其确定的月份：迟报按实际上报的日期，漏报按漏报界限届满的次日"
                "{% for f in fines if f.kind == '漏报' %}（{{ f.报表 }} {{ f.期间 }}的漏报界限为{{ f.漏报界限 }}）{% endfor %}；"
                "逾期尚未上报、未到漏报界限的报表，待补报或界限届满后再扣，已扣款的月份不再变动。", before=4)
    # A month without a pay row could not take its fines, so this one does: each such month
    # said, so the figure can be checked.
    T.para(doc, "{%p for b in 补扣 %}")
    T.body(doc, "上表中属于{{ b.月份|cn_month }}的 {{ b.次数 }} 次罚款共 {{ b.金额|money }} 元（{{ b.报表 }}）："
                "{{ b.月份|cn_month }}的工资考核表中没有你的记录，当月未能扣款，并入本月扣除。", before=4)
    T.para(doc, "{%p endfor %}")
    T.spacer(doc, 4)
    P.pairs(doc, [
        ["本月罚款", "{{ 本月罚款|money }}元", "上月结转", "{{ 上月结转罚款|money }}元"],
        ["本月走访基金", "{{ 走访基金|money }}元", "本月扣款", "{{ 扣款|money }}元（{{ 扣款|rmb }}）"],
        ["结转下月", ">{{ 结转下月|money }}元{% if 结转下月 > 0 %}（{% if 扣自 is defined and 扣自 == '工资' %}当月工资不足扣除的部分"
                     "{% else %}走访基金不足部分{% endif %}，下月继续扣除）{% endif %}"],
    ], [2.8, 4.4, 2.4, 6.0])  # 本月走访基金 on one line
    # After the first half-year there is no fund: the fines come out of pay (dealer.md default).
    T.body(doc, "{% if 扣自 is defined and 扣自 == '工资' %}联销体成立已满半年，不再下拨走访基金，罚款从当月工资中扣除{% else %}"
                "罚款在下拨走访基金时直接扣除{% endif %}，全部纳入联销体奖励基金，由大区支配并报销售中心备案。"
                "请今后认真填写、按时上报各种报表。", before=6)
    T.signature(doc, SIGNED)
    return doc


def jsb_recall():
    doc = P.notice("业务员调回待岗通报")
    T.body(doc, "经{{ 核查人 or '大区' }}核查，业务员{{ 业务员 }}上报的《{{ 报表 }}》（{{ 期间|cn_month }}）存在虚报情况。")
    T.body(doc, "各种报表是销售中心掌握二级网络和联销体运行情况的依据，必须如实填写。"
                "根据业务员考核及奖罚规定，决定将业务员{{ 业务员 }}调回销售中心待岗，其所辖市场由大区另行安排人员接管。")
    T.body(doc, "望各业务员引以为戒，认真、如实、按时填报各种报表。")
    T.signature(doc, SIGNED)
    return doc


def jsb_reward():
    doc = P.notice("半年度奖励通知")
    T.body(doc, "感谢贵单位对联销体工作的支持。根据联销体考核办法，按成员销售量的{{ rate_text }}给予奖励。"
                "贵单位{{ 半年 }}的奖励如下：")
    P.pairs(doc, [
        ["成员编号", "{{ 成员编号 }}", "所在县市", "{{ 县市 }}"],
        ["统计期间", "{{ 半年 }}（{{ 月数 }}个月有数据）", "销售量", "{{ 销量|money }}元"],
        ["奖励比例", "{{ rate_text }}", "奖励金额", "{{ reward|money }}元"],
        ["大写", ">{{ reward|rmb }}"],
    ])
    T.body(doc, "奖励由大区统一发放，请凭本通知与业务员联系办理。", before=6)
    T.signature(doc, SIGNED)
    return doc


def consulting_agreement():
    doc = T.new_document("物业服务顾问协议书")
    T.letterhead(doc, company=PARTY)
    supersedes_line(doc)
    P.pairs(doc, [
        ["甲方（委托方）", ">{{ 甲方 }}"],
        ["地址", ">{{ 甲方地址 }}"],
        ["电话", "{{ 甲方电话 }}", "传真", "{{ 甲方传真 }}"],
        ["乙方（受托方）", ">{{ 乙方 }}"],
        ["地址", ">{{ 乙方地址 }}"],
        ["电话", "{{ 乙方电话 }}", "传真", "{{ 乙方传真 }}"],
        ["执照编号", ">{{ 执照编号 }}"],  # the seed's and the register's name for it
    ], [3.0, 5.0, 2.6, 5.0])
    T.spacer(doc, 6)
    # The terms are seed 000 第三篇's, said in our words: termination only with the other
    # side's written consent, 违约金 only for 甲方 paying 30 days late, arbitration on
    # either side's application, in force once signed and sealed by both.
    T.body(doc, "甲方就{{ 项目名称 or '其物业' }}（以下简称该项目）的物业服务委托乙方担任顾问。"
                "甲乙双方依照国家有关法律法规和《物业管理条例》，遵循平等、互利、自愿的原则，"
                "经友好协商，订立本合同。")
    T.heading(doc, "第一条　双方共识")
    T.body(doc, "（一）甲方将该项目的咨询顾问工作全部委托给乙方。乙方具备接受此项委托的资格，"
                "其资格真实可信{% if 执照编号 %}（执照编号：{{ 执照编号 }}）{% endif %}。")
    T.body(doc, "（二）乙方以对甲方负责为总原则，尽心尽力为甲方提供本合同第三条所列的顾问服务。")
    T.heading(doc, "第二条　委托期限")
    T.body(doc, "{% if 委托期限止 %}自{{ 签订日期 }}起至{{ 委托期限止 }}止。{% else %}自签订本合同之日起至该项目终止。{% endif %}")
    T.heading(doc, "第三条　委托内容")
    T.body(doc, "{% if 顾问模式 %}顾问方式：{{ 顾问模式 }}。{% endif %}"
                "甲方委托乙方的工作：{{ 委托内容 or '见本合同附件' }}。")
    T.heading(doc, "第四条　委托费用")
    T.body(doc, "顾问费用为", ("{{ 委托费用|money }}元（{{ 委托费用|rmb }}）", {"bold": True}),
           "，支付方式：{{ 付款方式 or '由双方另行约定' }}。")
    T.heading(doc, "第五条　违约责任")
    T.body(doc, "（一）本合同签订后，双方均应认真履行。未经对方书面同意，任何一方都不得擅自解除本合同。"
                "一方擅自解除本合同，或有使对方无法正常履行本合同的行为，经对方书面通知后仍未纠正的，"
                "对方可以解除本合同。")
    T.body(doc, "（二）甲方未按本合同约定向乙方支付委托服务费用，逾期满三十日仍未支付的，视为甲方违约，"
                "乙方可以解除本合同，甲方须向乙方支付违约金",
           ("{{ 违约金|money }}元（{{ 违约金|rmb }}）", {"bold": True}), "。")
    T.heading(doc, "第六条　争议解决")
    T.body(doc, "双方因履行本合同发生的争议，先由双方协商解决；协商不成的，任何一方均可向{{ 仲裁机构 }}申请仲裁。")
    T.heading(doc, "第七条　合同效力")
    T.body(doc, "（一）本合同壹式{{ copies_text }}份，双方各执{{ copies_each_text }}份，各份具有同等法律效力。")
    T.body(doc, "（二）本合同由双方合法代表签字并加盖双方公章后生效。")
    T.body(doc, "（三）履行本合同过程中如有未尽事宜，双方协商一致后可以订立补充协议，补充协议与本合同具有同等法律效力。")
    T.heading(doc, "第八条　其他")
    T.body(doc, "双方对本合同各条款均已充分了解。未尽事宜经双方协商一致的，可以形成书面意见，作为本合同的附件。")
    T.body(doc, "合同编号：{{ record }}　　签订日期：{{ 签订日期 }}")
    T.spacer(doc, 12)
    T.party_signatures(doc, ["甲方（盖章）：\n代表人：{{ 甲方代表人 }}\n签于：",
                             "乙方（盖章）：\n代表人：{{ 乙方代表人 }}\n签于："])
    return doc


def contract_overdue():
    doc = P.notice("付款提醒函", company=PARTY)
    T.para(doc, "{%p if tier == 1 %}")
    T.body(doc, "贵方与我方{% if 签订日期 %}于{{ 签订日期 }}{% endif %}签订的合同（编号{{ 合同编号 }}）第{{ 期次 }}期款项应于{{ 应付日期 }}{% if 顺延至 %}（适逢{{ 顺延原因 or '休息日' }}，顺延至{{ 顺延至 }}）{% endif %}支付，"
                "截至{{ doc.issue_date }}已逾期{{ days_overdue }}天，尚欠",
           ("{{ 欠付金额|money }}元（{{ 欠付金额|rmb }}）", {"bold": True}),
           "。请贵方尽快安排付款；如已支付，请将付款凭证告知我方，并请忽略本函。")
    T.para(doc, "{%p else %}")
    T.body(doc, "贵方与我方{% if 签订日期 %}于{{ 签订日期 }}{% endif %}签订的合同（编号{{ 合同编号 }}）第{{ 期次 }}期款项应于{{ 应付日期 }}{% if 顺延至 %}（适逢{{ 顺延原因 or '休息日' }}，顺延至{{ 顺延至 }}）{% endif %}支付，"
                "{% if earlier_count %}我方已于{{ earlier_text }}书面提醒，{% endif %}"
                "截至{{ doc.issue_date }}已逾期{{ days_overdue }}天，仍欠",
           ("{{ 欠付金额|money }}元（{{ 欠付金额|rmb }}）", {"bold": True}), "。")
    # 第五条第（二）款 is the consulting agreement's 30-day clause (seed 000 第三篇 5(2)); a
    # contract of another type was not written on that form.
    T.body(doc, "按合同{% if 合同类型 is defined and 合同类型 == '物业服务顾问协议' %}第五条第（二）款{% else %}约定{% endif %}，"
                "逾期{{ breach_days }}日仍未支付视同违约。现正式通知：贵方已构成违约，"
                "我方有权解除合同，并要求贵方支付违约金",
           ("{% if 违约金 %}{{ 违约金|money }}元（{{ 违约金|rmb }}）{% else %}（按合同约定）{% endif %}", {"bold": True}),
           "。请贵方在接到本通知后七日内付清欠款，否则我方将书面通知解除合同，并保留依法追究的权利。")
    T.para(doc, "{%p endif %}")
    T.spacer(doc, 4)
    P.pairs(doc, [
        ["合同编号", "{{ 合同编号 }}", "期次", "第{{ 期次 }}期"],
        ["应付日期", "{{ 应付日期 }}{% if 顺延至 %}（顺延至{{ 顺延至 }}）{% endif %}", "逾期天数", "{{ days_overdue }}天"],
        ["应付金额", "{{ 应付金额|money }}元", "已付金额", "{{ 实付金额|money }}元"],
        ["欠付金额", ">{{ 欠付金额|money }}元（{{ 欠付金额|rmb }}）"],
    ])
    T.signature(doc, PARTY + "{{ doc.department }}")
    return doc


def club_renewal():
    doc = P.notice("会员卡续发通知")
    T.body(doc, "感谢您对俱乐部的信任！您已于{{ 续保日期 }}在会员资格有效期内续保，会员资格自动延续，"
                "新的有效期至{{ 新有效期至 }}。我们将为您重新发放会员卡和会员手册，请到{{ 所属支公司 }}领取。")
    P.pairs(doc, [
        ["会员卡号", "{{ 会员卡号 }}", "车牌号", "{{ 车牌号 }}"],
        ["会员类型", "{{ 会员类型 }}", "所属支公司", "{{ 所属支公司 }}"],
        ["原有效期至", "{{ 有效期至 }}", "新有效期至", "{{ 新有效期至 }}"],
    ])
    T.body(doc, "会员卡限本车使用，一车一卡。如有疑问，请与所属支公司联系。", before=6)
    T.signature(doc)
    return doc


def club_expiry():
    doc = P.notice("会员资格到期提醒")
    T.body(doc, "您好！您的车辆（{{ 车牌号 }}）保险将于{{ 保险止期 }}到期，俱乐部会员资格随保险顺延至{{ 有效期至 }}。"
                "在{{ 有效期至 }}之前续保，会员资格自动延续，无需重新申请；逾期未续保，会员资格失效，需重新申请入会。")
    P.pairs(doc, [
        ["会员卡号", "{{ 会员卡号 }}", "车牌号", "{{ 车牌号 }}"],
        ["保单号", "{{ 保单号 }}", "所属支公司", "{{ 所属支公司 }}"],
        ["保险止期", "{{ 保险止期 }}", "会员资格有效期至", "{{ 有效期至 }}"],
    ])
    # Renewal is at the branch (seed 003 第六条); the club's rules offer no house call.
    T.body(doc, "续保请到{{ 所属支公司 }}办理；如有疑问，请与{{ 所属支公司 }}联系。", before=6)
    T.signature(doc)
    return doc


TEMPLATES = {
    "jsb_agreement": jsb_agreement,
    "jsb_cancel": jsb_cancel,
    "jsb_fine": jsb_fine,
    "jsb_recall": jsb_recall,
    "jsb_reward": jsb_reward,
    "consulting_agreement": consulting_agreement,
    "contract_overdue": contract_overdue,
    "club_renewal": club_renewal,
    "club_expiry": club_expiry,
}


def main(out_dir: Path | None = None) -> list[Path]:
    return P.write_all(TEMPLATES, out_dir or OUT)


if __name__ == "__main__":
    P.run(TEMPLATES, OUT)
