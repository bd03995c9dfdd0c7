"""The car findings the person who saved the register must put right on their own sheet.

A total that is not labour plus parts (the estimate's or the settlement's), a deposit short of half the parts' price, a
discount nobody approved, an extra item agreed but not signed or not priced, a guarantee promised on
parts the customer brought, safety points off the table, a claim that does not fit the
委托书 it cites: each goes back on the return copy of the workbook it came from, on the cell to
correct (see ``toolkit.packs.acting``), and the daily to-do list shows it again under
待纠正. An incomplete 委托书 is not one of them: it is fined as it was handed over, and
filling in the gaps afterwards would not undo that.
"""

from __future__ import annotations

from toolkit.model import Finding
from toolkit.packs.acting import Action
from toolkit.ruleset.money import dec, yuan

DAILY = "售后待办日报"

ACTIONS: dict[str, Action] = {
    "car.estimate_sum": Action(
        "car.estimate_sum", "估价合计算错", "估价合计",
        "服务顾问核对工时费估价和备品费估价，改正估价合计（向客户报的价以改正后的合计为准）", DAILY),
    "car.appointment_deposit": Action(
        "car.appointment_deposit", "定金不足", "定金",
        "受理人请客户补交定金（不少于配件原价的二分之一），收齐后改正“定金”", DAILY),
    "car.discount_approval": Action(
        "car.discount_approval", "折扣未经审批", "折扣审批人",
        "结算员请业务主管审批折扣，并在“折扣审批人”填写审批人姓名；主管不同意的，改正折扣金额和结算金额；"
        "审批后才出具出厂通知单", DAILY),
    "car.settlement_sum": Action(
        "car.settlement_sum", "结算金额算错", "结算金额",
        "结算员核对工时费、备品费和折扣金额，改正结算金额（或写错的那一项）；改正后才出具出厂通知单", DAILY),
    "car.extra_signed": Action(
        "car.extra_signed", "增项未再次签字", "客户签名",
        "服务顾问请客户在委托书上对追加项目再次签字确认后，“客户签名”填“是”；签字前完工时间不顺延", DAILY),
    "car.extra_quote": Action(
        "car.extra_quote", "增项未报价", "增项工时费",
        "服务顾问向车间问明追加项目的工时费和备品费，填入“增项工时费”“增项备品费”（不收费的填 0），"
        "并向客户说明价格", DAILY),
    "car.parts_guarantee": Action(
        "car.parts_guarantee", "自购件不作担保", "质量担保",
        "服务顾问向客户说明：客户自购或副厂配件所涉及部位的技术质量不作担保，把“质量担保”改为“否”", DAILY),
    "car.claim_order": Action(
        "car.claim_order", "索赔委托书不存在", "委托书号",
        "服务顾问核对委托书号，改为这辆车进厂时开具的委托书号；委托书漏登的，先补登委托书", DAILY),
    "car.claim_car": Action(
        "car.claim_car", "索赔车辆与委托书不符", "车牌号",
        "服务顾问核对车牌号和委托书号：索赔的车辆须是委托书上的车辆，改正写错的一处", DAILY),
    "car.claim_kind": Action(
        "car.claim_kind", "委托书不是索赔维修", "委托书号",
        "服务顾问核对：索赔须对应维修类别为“索赔”的委托书；委托书号写错的改正委托书号，"
        "委托书的维修类别登记错的在委托书登记中改为“索赔”", DAILY),
    "car.claim_date": Action(
        "car.claim_date", "索赔早于进厂", "申请日期",
        "服务顾问核对申请日期和委托书号：车辆进厂接车后才能申请索赔，改正写错的一处", DAILY),
    "car.safety_points": Action(
        "car.safety_points", "扣分不符", "扣分", "检查人按安全考核标准改正扣分", DAILY),
}


def action_of(f: Finding) -> Action:
    """The action for a car action finding, with the figures to put in the cell."""
    a = ACTIONS[f.rule]
    if f.rule == "car.appointment_deposit":
        short, least = dec(f.values.get("short")), dec(f.values.get("最低定金"))
        todo = (f"受理人请客户补交定金 {yuan(short)} 元（最低定金 {yuan(least)} 元），收齐后把“定金”改为实收金额"
                if short is not None and least is not None else a.todo)
        return Action(a.code, a.title, a.column, todo, a.listed_in)
    if f.rule == "car.parts_guarantee" and f.values.get("配件来源"):
        return Action(a.code, a.title, a.column,
                      f"服务顾问向客户说明：{f.values['配件来源']}配件所涉及部位的技术质量不作担保，"
                      "把“质量担保”改为“否”", a.listed_in)
    if f.rule == "car.settlement_sum" and f.values.get("expected") is not None:
        return Action(a.code, a.title, a.column,
                      f"结算员核对工时费、备品费和折扣金额：按登记应结算 {yuan(dec(f.values['expected']))} 元，"
                      "改正结算金额（或写错的那一项）；改正后才出具出厂通知单", a.listed_in)
    if f.rule == "car.claim_order" and f.values.get("voided"):
        return Action(a.code, "索赔委托书已作废", a.column,
                      f"服务顾问核对：委托书 {f.values.get('委托书号')} 已作废，把委托书号改为这辆车有效的委托书号；"
                      "作废标错了的，请在委托书登记中清除该行的作废标记", a.listed_in)
    if f.rule == "car.safety_points" and f.values.get("points") is not None:
        return Action(a.code, a.title, a.column,
                      f"检查人按安全考核标准把扣分改为 {f.values['points']} 分", a.listed_in)
    return a

