"""The dealer findings the person who saved the register must put right, and how.

A card fee that breaks the club's rules, a second valid card for one car, a card
still marked 有效 past its validity or after a renewal too late, a contract marked
解除 without the written notice: each goes back on the return copy of the workbook
it came from, on the cell to correct (see ``toolkit.packs.acting``). The club's and
the contracts' monthly reports list them again for the managers.
"""

from __future__ import annotations

from toolkit.packs.acting import Action

CLUB = "俱乐部会员月报"
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
    "contract.termination": Action(
        "contract.termination", "解除未书面通知", "书面通知日期",
        "合同管理员确认已书面通知对方后补填“书面通知日期”；尚未通知的，先发书面通知", CONTRACTS),
}
