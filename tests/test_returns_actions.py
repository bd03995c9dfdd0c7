"""Findings someone must act on reach the return copy and the daily list; return copies
saved back are read as registers and settle the earlier copies. Real files throughout."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from pathlib import Path

import openpyxl
from conftest import wait_until, write_xlsx

from toolkit.annotate import HEADER_ROW, ISSUES_TITLE
from toolkit.pipeline import open_context, process_paths
from toolkit.reports import parse_day, produce
from toolkit.workspace import Workspace

NOW = datetime(2026, 11, 26, 17, 30)
MORNING = datetime(2026, 11, 27, 8, 30)
SERVICE_HEADERS = ["单号", "受理时间", "受理人", "房号", "客户", "服务项目", "类别", "数量", "单价", "金额",
                   "预约时间", "完成时间", "验收结果", "回访时间", "回访结果", "审批人"]
FEE_HEADERS = ["房号", "业主", "联系电话", "建筑面积", "单价", "已缴至", "欠费金额"]
MOVE_HEADERS = ["编号", "房号", "携带人", "身份", "物品", "日期", "业主核实"]
RENO_HEADERS = ["编号", "房号", "业主", "联系电话", "装修公司", "统一社会信用代码", "申请日期", "建筑面积", "消防审批",
                "审批日期", "装修押金", "清运费", "出入证数量", "开工日期"]


def service_rows() -> list[list]:
    t = datetime(2026, 11, 26, 9, 0)
    return [
        # on the list, right price and amount: nothing to do
        ["TY-01", t, "周敏", "1-101", "王建国", "更换水龙头", "供水设备维修类", 1, 20, 20],
        # not on the price list
        ["TY-02", t, "周敏", "2-301", "张伟", "安装智能马桶盖", None, 1, 60, 60],
        # 40 against the list's 50 per time, nobody approved
        ["TY-03", t, "周敏", "1-102", "李秀英", "疏通下水道", "供水设备维修类", 1, 40, 40],
        # 2 × 30 = 60, registered as 30
        ["TY-04", t, "周敏", "3-502", "刘芳", "更换门锁", "家庭物品维修类", 2, 30, 30],
    ]


def issue_list(path: Path) -> list[list]:
    ws = openpyxl.load_workbook(path)[ISSUES_TITLE]
    return [list(r) for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]


def return_copy(outputs: list[str]) -> Path:
    found = [Path(p) for p in outputs if "问题批注" in p]
    assert len(found) == 1, outputs
    return found[0]


def sheet_rows(path: Path, sheet: str) -> list[list]:
    ws = openpyxl.load_workbook(path)[sheet]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_service_problems_reach_the_return_copy_and_the_daily_list(ctx, tmp_path: Path):
    src = write_xlsx(tmp_path / "特约服务.xlsx", {"特约服务": [SERVICE_HEADERS, *service_rows()]})
    f = process_paths(ctx, [src], NOW).files[0]
    # Every row is taken: these are findings for people, not bad cells.
    assert f.status == "accepted" and f.rows.valid == 4 and not f.errors
    copy = return_copy(f.outputs)
    wb = openpyxl.load_workbook(copy)
    data = wb["特约服务"]
    # The cell each finding concerns is marked, with the reason and who acts, in Chinese.
    assert "不在价目表中" in data["F3"].comment.text and "受理人改为价目表中的项目名称" in data["F3"].comment.text
    assert "与价目表 50.00 元/次 不符" in data["I4"].comment.text and "审批人" in data["I4"].comment.text
    assert "60.00 元，登记为 30.00 元" in data["J5"].comment.text
    assert data["F2"].comment is None and data["I2"].comment is None
    rows = issue_list(copy)
    assert [(r[4], r[5]) for r in rows] == [("F3", "服务项目不在价目表"), ("I4", "单价不符且无人审批"),
                                           ("J5", "金额算错")]
    heading = wb[ISSUES_TITLE]["A2"].value
    assert "3 处须处理的事项" in heading and "待办与逾期日报" in heading

    # The next morning's list (a daily list shows the picture at 08:30 of its day).
    report = produce(ctx, "daily_due", MORNING, parse_day("2026-11-27"))
    xlsx = next(Path(p) for p in report.outputs if p.endswith(".xlsx"))
    table = sheet_rows(xlsx, "须处理事项")
    header_at = next(i for i, r in enumerate(table) if r[0] == "问题")
    header, body = table[header_at], [r for r in table[header_at + 1:] if r[0]]
    got = {(r[header.index("编号")], r[header.index("问题")], r[header.index("负责人")], r[header.index("部门")])
           for r in body}
    assert got == {("TY-02", "服务项目不在价目表", "周敏", "客服中心"),
                   ("TY-03", "单价不符且无人审批", "周敏", "客服中心"),
                   ("TY-04", "金额算错", "周敏", "客服中心")}
    assert ("须处理事项", "3", "") in report.headline
    # Long reasons wrap, and their rows are tall enough to show them whole when printed.
    ws = openpyxl.load_workbook(xlsx)["须处理事项"]
    first = header_at + 2  # 1-based row of the first item
    assert ws.cell(first, header.index("说明") + 1).alignment.wrap_text
    assert (ws.row_dimensions[first].height or 0) >= 30


def test_refused_move_out_and_renovation_without_fire_approval(ctx, tmp_path: Path):
    fee = write_xlsx(tmp_path / "物业费.xlsx", {"物业费": [
        FEE_HEADERS, ["1-102", "李秀英", "13800138002", 120, 2.8, date(2026, 8, 31), 1008]]})
    process_paths(ctx, [fee], NOW)
    # Seed 001 放行 4: only a 搬家迁出 must settle the fees first; a 临时携带 has no fee check.
    move = write_xlsx(tmp_path / "放行.xlsx", {"放行": [
        [*MOVE_HEADERS, "出门性质"], ["FX-01", "1-102", "李秀英", "业主", "旧沙发", date(2026, 11, 26), None, "搬家迁出"],
        ["FX-02", "1-102", "王小明", "租户", "电脑", date(2026, 11, 26), None, "临时携带"]]})
    f = process_paths(ctx, [move], NOW).files[0]
    data = openpyxl.load_workbook(return_copy(f.outputs))["放行"]
    assert "不予放行" in data["B2"].comment.text and "欠 1,008.00 元" in data["B2"].comment.text
    assert "水电气" in data["B2"].comment.text
    assert "门岗不得放行" in data["B2"].comment.text and "结清欠费" in data["B2"].comment.text
    # The tenant's release waits for the owner's call: marked on the 业主核实 cell.
    assert "业主尚未电话核实" in data["G3"].comment.text and "请联系业主核实" in data["G3"].comment.text

    reno = write_xlsx(tmp_path / "装修.xlsx", {"装修": [
        RENO_HEADERS, ["ZX-31", "3-502", "刘芳", "13900139003", "安居装饰", None, date(2026, 11, 10), 210, "否",
                       date(2026, 11, 12), 3000, 800, 3, date(2026, 11, 20)]]})
    g = process_paths(ctx, [reno], NOW).files[0]
    cell = openpyxl.load_workbook(return_copy(g.outputs))["装修"]["I2"]
    assert "未经消防审批" in cell.comment.text and "装修管理员立即通知停工" in cell.comment.text
    # Work stopped for want of fire approval gets no 装修管理服务协议 (no number spent on it).
    assert not [p for p in g.outputs if "装修管理服务协议" in p or "装字" in p]
    assert not list((ctx.ws.outbox).rglob("*装修管理服务协议*"))

    # The next morning's list (a daily list shows the picture at 08:30 of its day).
    report = produce(ctx, "daily_due", MORNING, parse_day("2026-11-27"))
    xlsx = next(Path(p) for p in report.outputs if p.endswith(".xlsx"))
    flat = [" ".join(str(v) for v in r if v is not None) for r in sheet_rows(xlsx, "须处理事项")]
    assert any("不予放行" in r and "FX-01" in r and "秩序部" in r for r in flat)
    assert any("未经消防审批开工" in r and "ZX-31" in r and "工程部" in r for r in flat)
    # A week later the refused move-outs are history; the renovation still waits.
    later = produce(ctx, "daily_due", datetime(2026, 12, 10, 8, 30), parse_day("2026-12-10"))
    flat = [" ".join(str(v) for v in r if v is not None)
            for r in sheet_rows(next(Path(p) for p in later.outputs if p.endswith(".xlsx")), "须处理事项")]
    assert not any("FX-01" in r for r in flat) and any("ZX-31" in r for r in flat)


def test_return_copy_saved_back_is_read_as_the_register_and_settles_the_copy(ctx, home: Path, tmp_path: Path):
    rows = service_rows()
    src = write_xlsx(tmp_path / "特约服务.xlsx", {"特约服务": [SERVICE_HEADERS, *rows]})
    first = return_copy(process_paths(ctx, [src], NOW).files[0].outputs)

    # The clerk fixes two of three in the return copy itself and saves it into inbox/.
    wb = openpyxl.load_workbook(first)
    ws = wb["特约服务"]
    ws["F3"] = "安装浴霸"
    ws["G3"] = "供电设备维修类"
    ws["I3"], ws["J3"] = 80, 80
    ws["J5"] = 60
    again = home / "inbox" / first.name
    wb.save(again)
    f = process_paths(ctx, [again], NOW).files[0]
    assert f.registers == ["special_service"] and not f.errors  # no "unknown register" for 问题清单
    second = return_copy(f.outputs)
    assert second != first and "-问题批注-" in second.name and second.name.count("问题批注") == 1
    assert [r[4] for r in issue_list(second)] == ["I4"]
    assert not first.exists() and (ctx.ws.returns / "旧版" / first.name).exists()
    data = openpyxl.load_workbook(second)["特约服务"]
    assert data["F3"].comment is None and data["J5"].comment is None  # last round's marks are gone
    assert ctx.ledger.record("special_service", "TY-02")["values"]["服务项目"] == "安装浴霸"

    # The last one fixed: fully accepted, the copy is resolved and nothing is left behind.
    # Only an approver named in tariffs.yaml may change a listed price (seed 004 5.2.3).
    tariffs = home / "rules" / "tariffs.yaml"
    tariffs.write_text(tariffs.read_text(encoding="utf-8").replace(
        "authorised_approvers: []", "authorised_approvers: [李经理]"), encoding="utf-8")
    wb = openpyxl.load_workbook(second)
    wb["特约服务"]["P4"] = "李经理"
    last = home / "inbox" / second.name
    wb.save(last)
    fresh = open_context(Workspace(home))  # the rules as now saved
    try:
        g = process_paths(fresh, [last], NOW).files[0]
    finally:
        fresh.close()
    assert g.status == "accepted" and not g.errors and not g.actions
    assert not [p for p in g.outputs if "问题批注" in p]
    assert sorted(p.name for p in ctx.ws.returns.glob("*.xlsx")) == []
    assert (ctx.ws.returns / "已改正" / second.name).exists()


def test_a_bad_optional_cell_is_blank_in_the_ledger_and_marked(ctx, tmp_path: Path):
    rows = service_rows()[:1]
    rows[0][7] = "两个"  # 数量 is optional (default 1): kept blank, not 1, not the row lost
    f = process_paths(ctx, [write_xlsx(tmp_path / "s.xlsx", {"s": [SERVICE_HEADERS, *rows]})], NOW).files[0]
    assert f.status == "partial" and f.rows.valid == 1 and f.rows.rejected == 0
    assert ctx.ledger.record("special_service", "TY-01")["values"]["数量"] is None
    cell = openpyxl.load_workbook(return_copy(f.outputs))["s"]["H2"]
    assert "本行已登记，此格暂按空白处理" in cell.comment.text


def test_arrears_amount_that_disagrees_with_the_tariff_is_flagged(ctx, tmp_path: Path):
    # 3-502: paid to 10-31, on 11-26 one month owed; 210 m² × 3.20 × 1 = 672.00, registered 700.
    fee = write_xlsx(tmp_path / "物业费.xlsx", {"物业费": [
        FEE_HEADERS, ["3-502", "刘芳", "13900139003", 210, 3.2, date(2026, 10, 31), 700],
        ["1-102", "李秀英", "13800138002", 120, 2.8, date(2026, 8, 31), 1008]]})  # 120 × 2.8 × 3 = 1008
    f = process_paths(ctx, [fee], NOW).files[0]
    mismatch = [x for x in f.findings if x.rule == "fee.amount_mismatch"]
    assert [x.record for x in mismatch] == ["3-502"]
    assert "700.00 元" in mismatch[0].message and "672.00 元" in mismatch[0].message
    cell = openpyxl.load_workbook(return_copy(f.outputs))["物业费"]["G2"]
    assert "与 欠费 1 个月 × 面积 210 m² × 单价 3.20 元 = 672.00 元不符" in cell.comment.text
    assert "收费员核对欠费金额" in cell.comment.text


# --- refusals judged again when the fee accounts arrive -------------------------------------


def _moves(path: Path) -> Path:
    return write_xlsx(path, {"放行": [
        [*MOVE_HEADERS, "出门性质", "核实时间", "水电气结清"],
        # Moving out (only that needs the fee accounts), utilities settled.
        # 1-102 owes 1,008.00 (paid to 08-31): refused whatever comes later
        ["FX-01", "1-102", "李秀英", "业主", "旧沙发", date(2026, 11, 26), None, "搬家迁出", None, "是"],
        # 1-101 is paid to 12-31, the owner called: refused only while the accounts lack it
        ["FX-02", "1-101", "王小明", "家属", "旧家具", date(2026, 11, 26), "是", "搬家迁出",
         datetime(2026, 11, 26, 8, 50), "是"]]})


def _accounts(path: Path, paid_to: date = date(2026, 12, 31)) -> Path:
    return write_xlsx(path, {"物业费": [
        FEE_HEADERS, ["1-101", "王建国", "13800138001", 89.5, 2.8, paid_to, None],
        ["1-102", "李秀英", "13800138002", 120, 2.8, date(2026, 8, 31), 1008]]})


def _marked(path: Path) -> dict[str, str]:
    ws = openpyxl.load_workbook(path)["放行"]
    return {c.coordinate: c.comment.text for row in ws.iter_rows(min_row=2) for c in row
            if c.comment and "不予放行" in c.comment.text}


def _daily_refusals(ctx) -> set[str]:
    report = produce(ctx, "daily_due", MORNING, parse_day("2026-11-27"))
    xlsx = next(Path(p) for p in report.outputs if p.endswith(".xlsx"))
    rows = sheet_rows(xlsx, "须处理事项")
    return {str(v) for r in rows if r and r[0] == "不予放行" for v in r if str(v).startswith("FX-")}


def test_refusal_lifted_by_fee_accounts_of_the_same_batch(ctx, tmp_path: Path):
    """放行 taken before 物业费台账 in one batch: the return copy ends with the final verdict."""
    summary = process_paths(ctx, [_moves(tmp_path / "放行登记.xlsx"), _accounts(tmp_path / "物业费台账.xlsx")], NOW)
    move, fee = summary.files
    copy = ctx.ws.returns / Path(return_copy(move.outputs)).name
    # FX-02 (row 3) was refused while the accounts lacked 1-101; after them only FX-01 (row 2) is.
    marked = _marked(copy)
    assert list(marked) == ["B2"] and "欠 1,008.00 元" in marked["B2"]
    assert "重新判定" in openpyxl.load_workbook(copy)[ISSUES_TITLE]["A1"].value
    assert [r[4] for r in issue_list(copy)] == ["B2"]
    # The release slip for FX-02 is issued, and the next morning's list names FX-01 only.
    assert any("物品放行条_FX-02" in p for p in fee.outputs + summary.outputs)
    assert _daily_refusals(ctx) == {"FX-01"}


def test_refusal_lifted_and_raised_through_the_watcher(ctx, home: Path, tmp_path: Path):
    """Files arriving seconds apart through the watcher: the refusal is judged again."""
    import threading
    import time as clock

    from toolkit.watch import watch

    stop = threading.Event()
    t = threading.Thread(target=watch, args=(ctx,), kwargs={"stop": stop, "settle": 0.3, "now": NOW},
                         daemon=True)
    t.start()

    wait = partial(wait_until, timeout=60.0, step=0.1)

    try:
        _moves(home / "inbox" / "放行登记.xlsx")
        assert wait(lambda: len(list(ctx.ws.returns.glob("放行登记-问题批注-*.xlsx"))) == 1)
        copy = next(ctx.ws.returns.glob("放行登记-问题批注-*.xlsx"))
        assert wait(lambda: set(_marked(copy)) == {"B2", "B3"})  # both refused for now
        clock.sleep(2)
        _accounts(home / "inbox" / "物业费台账.xlsx")
        assert wait(lambda: ctx.ledger.record("fee_account", "1-101") is not None)
        assert wait(lambda: set(_marked(copy)) == {"B2"}), _marked(copy)
        assert wait(lambda: any("物品放行条_FX-02" in p.name for p in ctx.ws.drafts.glob("*.docx")))
        assert _daily_refusals(ctx) == {"FX-01"}

        # Then 1-102 pays (its refusal lifts too) while 1-101 turns out paid only to 10-31:
        # the copy now marks FX-02 alone, for arrears this time.
        clock.sleep(1)
        write_xlsx(home / "inbox" / "物业费台账-更新.xlsx", {"物业费": [
            FEE_HEADERS, ["1-101", "王建国", "13800138001", 89.5, 2.8, date(2026, 10, 31), None],
            ["1-102", "李秀英", "13800138002", 120, 2.8, date(2026, 12, 31), 0]]})
        assert wait(lambda: set(_marked(copy)) == {"B3"}), _marked(copy)
        # 1-101 owes November: 89.5 m² × 2.80 × 1 month = 250.60
        assert "250.60" in _marked(copy)["B3"]
        assert _daily_refusals(ctx) == {"FX-02"}
    finally:
        stop.set()
        t.join(timeout=30)
    assert not t.is_alive()


def test_copy_with_nothing_left_is_settled(ctx, tmp_path: Path):
    move = process_paths(ctx, [_moves(tmp_path / "放行登记.xlsx")], NOW).files[0]
    copy = ctx.ws.returns / Path(return_copy(move.outputs)).name
    assert set(_marked(copy)) == {"B2", "B3"}
    # Accounts with both units settled: nothing is left to refuse; the copy is resolved.
    process_paths(ctx, [write_xlsx(tmp_path / "物业费台账.xlsx", {"物业费": [
        FEE_HEADERS, ["1-101", "王建国", "13800138001", 89.5, 2.8, date(2026, 12, 31), None],
        ["1-102", "李秀英", "13800138002", 120, 2.8, date(2026, 12, 31), 0]]})], NOW)
    assert not copy.exists() and (ctx.ws.returns / "已改正" / copy.name).exists()
    assert _daily_refusals(ctx) == set()


def test_correction_settles_by_what_it_covers_not_by_name(ctx, home: Path, tmp_path: Path):
    # Day 1: 特约服务.xlsx with TY-02…TY-04 needing action.
    first = return_copy(process_paths(ctx, [write_xlsx(tmp_path / "d1" / "特约服务.xlsx",
                                                       {"特约服务": [SERVICE_HEADERS, *service_rows()]})],
                                      NOW).files[0].outputs)
    # Day 2: another day's services saved under the same name, all correct: not a correction.
    t = datetime(2026, 11, 27, 9, 0)
    other = write_xlsx(tmp_path / "d2" / "特约服务.xlsx", {"特约服务": [
        SERVICE_HEADERS, ["TY-11", t, "周敏", "1-101", "王建国", "更换水龙头", "供水设备维修类", 1, 20, 20]]})
    g = process_paths(ctx, [other], NOW).files[0]
    assert g.status == "accepted" and not g.errors and not g.actions
    assert first.exists(), "another day's file under the same name settled the copy"
    # A correction under a new name, holding the same records, each now right: settles it.
    # Only an approver named in tariffs.yaml may change a listed price (seed 004 5.2.3).
    tariffs = home / "rules" / "tariffs.yaml"
    tariffs.write_text(tariffs.read_text(encoding="utf-8").replace(
        "authorised_approvers: []", "authorised_approvers: [李经理]"), encoding="utf-8")
    rows = [r + [None] * (len(SERVICE_HEADERS) - len(r)) for r in service_rows()]
    rows[1][5:7] = ["安装浴霸", "供电设备维修类"]  # on the price list: 80 元
    rows[1][8:10] = [80, 80]
    rows[2][SERVICE_HEADERS.index("审批人")] = "李经理"  # 40 against the list's 50, now approved
    rows[3][9] = 60  # 2 × 30
    fixed = write_xlsx(tmp_path / "d1" / "特约服务-改正.xlsx", {"特约服务": [SERVICE_HEADERS, *rows]})
    fresh = open_context(Workspace(home))  # the rules as now saved
    try:
        h = process_paths(fresh, [fixed], NOW).files[0]
    finally:
        fresh.close()
    assert h.status == "accepted" and not h.errors and not h.actions, (h.errors, h.actions)
    assert not first.exists() and (ctx.ws.returns / "已改正" / first.name).exists()


def test_a_stated_owner_the_handover_register_contradicts_is_marked(ctx, tmp_path: Path):
    """QA: 身份 业主 was taken on trust. The handover register names 孙丽 as the owner of
    1-0103: a carrier 赵强 written as 业主 is not released; the 身份 cell says why and
    what the desk does, and the next morning's list names it for the 秩序部."""
    handover = write_xlsx(tmp_path / "交房.xlsx", {"交房": [
        ["房号", "业主", "身份证号", "建筑面积", "物业费单价", "交房日期"],
        ["1-0103", "孙丽", "11010519491231002X", 100, 2.5, date(2026, 6, 1)]]})
    assert process_paths(ctx, [handover], NOW).files[0].status == "accepted"
    move = write_xlsx(tmp_path / "放行.xlsx", {"放行": [
        MOVE_HEADERS, ["FX-11", "1-0103", "赵强", "业主", "行李箱", date(2026, 11, 26), None],
        ["FX-12", "1-0103", "孙丽", "业主", "电视机", date(2026, 11, 26), None]]})
    f = process_paths(ctx, [move], NOW).files[0]
    assert [(a.cell, a.code) for a in f.actions] == [("D2", "move_out.blocked")]
    note = openpyxl.load_workbook(return_copy(f.outputs))["放行"]["D2"].comment.text
    assert "登记的业主是 孙丽" in note and "门岗不得放行" in note and "电话向登记的业主核实" in note
    assert any("物品放行条_FX-12" in p for p in f.outputs)
    report = produce(ctx, "daily_due", MORNING, parse_day("2026-11-27"))
    xlsx = next(Path(p) for p in report.outputs if p.endswith(".xlsx"))
    flat = [" ".join(str(v) for v in r if v is not None) for r in sheet_rows(xlsx, "须处理事项")]
    assert any("FX-11" in r and "秩序部" in r and "孙丽" in r for r in flat)


def test_a_refusal_saved_back_is_judged_again_with_the_payment_beside_it(ctx, home: Path, tmp_path: Path):
    """QA: the clerk saved the refused move-out's return copy back into inbox/ together with
    the fee accounts showing the payment; the release slip was drafted but the copy the
    save-back made still said 不予放行. Both orders: the copy first in one batch, and the
    copy a run before the payment."""
    fee = write_xlsx(tmp_path / "物业费台账.xlsx", {"物业费": [
        FEE_HEADERS, ["1-102", "李秀英", "13800138002", 120, 2.8, date(2026, 8, 31), 1008]]})
    process_paths(ctx, [fee], NOW)
    move = write_xlsx(tmp_path / "放行登记.xlsx", {"放行": [
        [*MOVE_HEADERS, "出门性质", "核实时间", "水电气结清"],
        ["FX-01", "1-102", "李秀英", "业主", "旧沙发", date(2026, 11, 26), None, "搬家迁出", None, "是"]]})
    first = return_copy(process_paths(ctx, [move], NOW).files[0].outputs)

    def paid(name: str, phone: str = "13800138002") -> Path:
        return write_xlsx(home / "inbox" / name, {"物业费": [
            FEE_HEADERS, ["1-102", "李秀英", phone, 120, 2.8, date(2026, 12, 31), 0]]})

    # Order 1: the return copy (saved back unchanged) and the payment in one batch.
    back = home / "inbox" / first.name
    back.write_bytes(first.read_bytes())
    done = process_paths(ctx, [back, paid("物业费台账-已缴.xlsx")], datetime(2026, 11, 26, 18, 0))
    assert any("物品放行条_FX-01" in p.name for p in ctx.ws.drafts.glob("*.docx"))
    assert sorted(ctx.ws.returns.glob("*.xlsx")) == [], [p.name for p in ctx.ws.returns.glob("*.xlsx")]
    second = return_copy(done.files[0].outputs)
    assert (ctx.ws.returns / "已改正" / Path(second).name).exists()
    assert _daily_refusals(ctx) == set()

    # Order 2: arrears again (1-102 paid only to 08-31), refused, the copy saved back,
    # then the payment a run later.
    owing = write_xlsx(tmp_path / "物业费台账-欠.xlsx", {"物业费": [
        FEE_HEADERS, ["1-102", "李秀英", "13800138012", 120, 2.8, date(2026, 8, 31), 1008]]})
    assert process_paths(ctx, [owing], datetime(2026, 11, 26, 19, 0)).files[0].status == "accepted"
    again = return_copy(process_paths(ctx, [write_xlsx(tmp_path / "放行登记2.xlsx", {"放行": [
        [*MOVE_HEADERS, "出门性质", "核实时间", "水电气结清"],
        ["FX-01", "1-102", "李秀英", "业主", "旧沙发", date(2026, 11, 26), None, "搬家迁出", None, "否"]]})],
        datetime(2026, 11, 26, 19, 5)).files[0].outputs)
    wb = openpyxl.load_workbook(again)
    wb["放行"]["J2"] = "是"  # the utilities settled at the cashier: corrected in the copy
    back = home / "inbox" / again.name
    wb.save(back)
    third = return_copy(process_paths(ctx, [back], datetime(2026, 11, 26, 19, 10)).files[0].outputs)
    assert set(_marked(third)) == {"B2"}  # still owes the property fee
    process_paths(ctx, [paid("物业费台账-已缴2.xlsx", "13800138022")], datetime(2026, 11, 26, 19, 15))
    assert sorted(ctx.ws.returns.glob("*.xlsx")) == [], [p.name for p in ctx.ws.returns.glob("*.xlsx")]
    assert (ctx.ws.returns / "已改正" / Path(third).name).exists()
    assert _daily_refusals(ctx) == set()
