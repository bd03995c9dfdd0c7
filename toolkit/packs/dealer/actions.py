"""The dealer findings the person who saved the register must put right, and how.

A card fee that breaks the club's rules, a second valid card for one car, a card
still marked 有效 past its validity or after a renewal too late, a counterfeit fine or
reward off the agreement, a plaque not recalled, a report period nobody can read, a sales
row, a visit or a counterfeit penalty for a member number the member register does not
know, a sales row with a market of 0 or sales above its market, pay
that disagrees with the formula, a contract marked 解除 without the written notice, a
contract marked 解除 or 终止 without the day it ended, a payment overdue on a contract 合同登记 lacks:
each goes back on the return copy of the workbook it came from, on the cell to
correct (see ``toolkit.packs.acting``). The monthly reports named in each list them
again for the managers.
"""

from __future__ import annotations

from toolkit.packs.acting import Action

CLUB = "俱乐部会员月报"
JSB = "二级客户进货统计月报"
CONTRACTS = "合同收款月报"

ACTIONS: dict[str, Action] = {
    "club.fee": Action(
        "club.fee", "会费不符", "会费",
        "所属支公司经办人核对会员类型和会费：普通会员不收取任何费用，已收的退还客户；"
        "VIP会员按年费 × 会费年数收取，改正“会费”", CLUB),
    "club.one_car": Action(
        "club.one_car", "一车多卡", "状态",
        "所属支公司经办人核实该车已有的会员卡，将重复办理的这张卡“状态”改为“注销”并收回", CLUB),
    "club.validity": Action(
        "club.validity", "会员资格已过期", "状态",
        "所属支公司经办人将“状态”改为“失效”；客户已在有效期内续保的，补填“续保日期”", CLUB),
    "club.lapsed": Action(
        "club.lapsed", "续保晚于有效期", "状态",
        "所属支公司经办人通知客户重新申请入会，并将“状态”改为“失效”", CLUB),
    "jsb.counterfeit_penalty": Action(
        "jsb.counterfeit_penalty", "罚金低于约定", "罚金",
        "大区按《关于不销售假冒伪劣产品的协议》改正罚金（不得低于约定的最低罚金）", JSB),
    "jsb.counterfeit_reward": Action(
        "jsb.counterfeit_reward", "举报奖励不符", "举报奖励", "大区按罚金的约定比例改正举报奖励", JSB),
    "jsb.counterfeit_plaque": Action(
        "jsb.counterfeit_plaque", "铜牌未收回", "铜牌收回", "业务员收回铜牌后在“铜牌收回”填“是”", JSB),
    "jsb.report_period": Action(
        "jsb.report_period", "期间看不懂", "期间", "填报业务员改写期间：周报写 2026-W48，月报写 2026-11", JSB),
    "jsb.sales_unknown_member": Action(
        "jsb.sales_unknown_member", "成员编号不在登记中", "成员编号",
        "填报业务员核对成员编号，改为联销体成员登记中的编号；确是新成员的，由大区先在联销体成员登记中登记", JSB),
    "jsb.visit_unknown_member": Action(
        "jsb.visit_unknown_member", "成员编号不在登记中", "成员编号",
        "走访的业务员核对成员编号，改为联销体成员登记中的编号；确是新成员的，由大区先在联销体成员登记中登记", JSB),
    "jsb.counterfeit_unknown_member": Action(
        "jsb.counterfeit_unknown_member", "成员编号不在登记中", "成员编号",
        "大区核对被处罚成员的编号，改为联销体成员登记中的编号；未入会的经销商不在此登记", JSB),
    "jsb.share_unknown": Action(
        "jsb.share_unknown", "市场销量为0", "所在市场销量",
        "填报业务员核实该成员所在市场的销量并填写（不能为 0），否则无法计算占比", JSB),
    "jsb.share_over": Action(
        "jsb.share_over", "销量大于市场销量", "销量",
        "填报业务员核对该成员的销量和所在市场销量（成员销量不会超过市场销量），改正填错的一个", JSB),
    "jsb.pay_mismatch": Action(
        "jsb.pay_mismatch", "实发工资不符", "实发工资", "销售中心按考核办法核对并改正实发工资", JSB),
    "jsb.pay_network": Action(
        "jsb.pay_network", "辖区县数不知道", "辖区县数",
        "销售中心在工资表填写辖区县数，或在县级市场登记中填写该业务员负责的县", JSB),
    "contract.unregistered": Action(
        "contract.unregistered", "合同未登记", "合同编号",
        "合同管理部先在合同登记中登记此合同（甲方、违约金等），付款提醒函或违约通知书登记后起草；编号填错的改正编号",
        CONTRACTS),
    "contract.termination": Action(
        "contract.termination", "解除未书面通知", "书面通知日期",
        "合同管理员确认已书面通知对方后补填“书面通知日期”；尚未通知的，先发书面通知", CONTRACTS),
    "contract.end_date": Action(
        "contract.end_date", "结束日期未登记", "解除日期",
        "合同管理员按解除通知或终止协议补填“解除日期”（合同结束之日）；在此之前不再发催款函，欠款由财务部追收",
        CONTRACTS),
}
