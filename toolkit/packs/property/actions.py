"""The property findings that stop work until someone acts, and who acts on them.

A refused move-out, renovation started without fire approval, papers not signed at
handover, an item not on the price list, a price off the list without an approver, a
wrong amount or parking charge, a refused unit whose reason is not registered (see
``toolkit.packs.acting``).
"""

from __future__ import annotations

from datetime import date

from toolkit.model import Finding
from toolkit.packs.acting import Action

# Who acts on a move-out block depends on what is missing.
_MOVE_OUT_STEPS = {
    "fee_account": "财务部在物业费台账中登记该房号后重新提交放行登记",
    "arrears_cleared": "请业主结清欠费，收费员更新物业费台账后重新提交",
    "utilities_cleared": "请业主到收费处结清水电气费用，结清后“水电气结清”填“是”并重新提交",
    "owner_confirmation": "请联系业主核实，核实后“业主核实”填“是”并重新提交",
    "owner_identity": ("携带人不是台账登记的业主：请电话向登记的业主核实同意，“业主核实”填“是”并记录核实时间；"
                       "身份或携带人填错的，改正后重新提交"),
    "confirmation_time": "在“核实时间”填写去电核实的时间后重新提交",
}
# The cell a move-out block is marked on, when one step alone is missing.
_MOVE_OUT_COLUMN = {"owner_confirmation": "业主核实", "owner_identity": "身份", "confirmation_time": "核实时间",
                    "utilities_cleared": "水电气结清"}

# Papers not signed at handover (seed 001 交房 4 and 8): the cell of each, and the clerk's to-do.
_PAPER_STEPS = {
    "安全责任书": "客服中心经办人请业主签署《安全责任制书》，签好后把“安全责任书”改为“是”",
    "文件签收": "客服中心经办人请业主在文件签收表上签字，签好后把“文件签收”改为“是”",
}

DAILY = "待办与逾期日报"  # where the property's actions are listed again, every morning

ACTIONS: dict[str, Action] = {
    "move_out.blocked": Action("move_out.blocked", "不予放行", "房号", "", DAILY),
    "renovation.fire_approval": Action(
        "renovation.fire_approval", "未经消防审批开工", "消防审批",
        "装修管理员立即通知停工，补办消防审批并在“消防审批”填“是”后方可复工", DAILY),
    "service.unknown_item": Action(
        "service.unknown_item", "服务项目不在价目表", "服务项目",
        "受理人改为价目表中的项目名称，或报主管将该项目列入价目表", DAILY),
    "service.price_unapproved": Action(
        "service.price_unapproved", "单价不符且无人审批", "单价",
        "受理人按价目表改正单价，或由主管审批并在“审批人”一栏填写姓名", DAILY),
    "service.amount": Action(
        "service.amount", "金额算错", "金额", "受理人核对数量和单价，改正金额", DAILY),
    # SPEC §3.5: a temporary-parking charge off the tariff. The car has left: the gate's
    # cashier checks the entry, a real under/over-charge goes to the 秩序部 supervisor.
    "parking.temp_fee": Action(
        "parking.temp_fee", "临时停车收费不符", "实收金额",
        "门岗当班收费员核对该车次的收费，登记有误的按实际收取改正“实收金额”；"
        "确属少收或多收的报秩序部主管处理", DAILY),
    "fee.paid_to_stale": Action(
        "fee.paid_to_stale", "已缴至未更新", "已缴至",
        "收费员把“已缴至”改为业主实际缴费至的日期；欠费金额 0 只表示当时已结清，"
        "已缴至不改，以后的欠费无法提醒", DAILY),
    # Seed 001 交房 9: a refused unit has its reason registered; the desk asks the owner.
    "handover.not_accepted": Action(
        "handover.not_accepted", "未接收未登记原因", "未接收原因",
        "客服中心经办人向业主问明不接收的原因，填入“未接收原因”后重新保存交房登记表", DAILY),
    "handover.papers": Action("handover.papers", "交房文件未签", "文件签收", "", DAILY),
    "fee.amount_mismatch": Action(
        "fee.amount_mismatch", "欠费金额不符", "欠费金额",
        "收费员核对欠费金额并改正台账（催缴通知书按台账金额开具）", DAILY),
}


def action_of(f: Finding) -> Action:
    """The action for an action finding, with the move-out's (and the handover papers')
    column and to-do filled in."""
    a = ACTIONS[f.rule]
    if f.rule == "handover.papers":
        return _papers(a, f)
    if f.rule != "move_out.blocked":
        return a
    missing = list(f.values.get("missing") or [])
    column = _MOVE_OUT_COLUMN.get(missing[0], "房号") if len(missing) == 1 else "房号"
    todo = "门岗不得放行。" + "；".join(_MOVE_OUT_STEPS[m] for m in missing if m in _MOVE_OUT_STEPS)
    return Action(a.code, a.title, column, todo, a.listed_in)


def move_out_ahead(f: Finding, on: date) -> Action:
    """A refused move-out whose moving day is still ahead: what must be done before then,
    by whoever clears each step (the gate only holds the goods on the day)."""
    a = action_of(f)
    steps = "；".join(_MOVE_OUT_STEPS[m] for m in f.values.get("missing") or [] if m in _MOVE_OUT_STEPS)
    todo = f"搬家日期为 {on:%Y-%m-%d}，须在此前办妥：{steps}；办妥前门岗不得放行。"
    return Action(a.code, a.title, a.column, todo, a.listed_in)


def _papers(a: Action, f: Finding) -> Action:
    """The cell of the paper not signed (the first, when both: the note names both)."""
    missing = [m for m in f.values.get("missing") or [] if m in _PAPER_STEPS] or ["文件签收"]
    todo = "；".join(_PAPER_STEPS[m] for m in missing) + "，重新保存交房登记表"
    return Action(a.code, a.title, missing[0], todo, a.listed_in)
