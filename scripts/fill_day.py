#!/usr/bin/env python3
"""One realistic day at a property service center, for trying the toolkit as staff would.

    python scripts/fill_day.py WORKSPACE [--day 2026-11-26]

Fills the workspace's blank registers (空白登记表/) the way the clerks fill them —
typed text with Chinese punctuation, a landline with an extension, a mistyped cell or
two — and saves each into ``inbox/``. Then ``toolkit process inbox/`` and the reports
show what the toolkit makes of that day.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

import openpyxl


def at(day: date, hhmm: str, days: int = 0) -> datetime:
    return datetime.combine(day + timedelta(days=days), time.fromisoformat(hhmm))


def rows_for(day: date) -> dict[str, list[list[object]]]:
    """Rows per blank register (file stem), in the columns of the blank register. Case
    numbers carry the day (BX-1126-01), so filling two days gives two days of cases."""
    d = day
    return {
        "物业费台账": [
            # 房号, 业主, 联系电话, 建筑面积, 单价, 已缴至, 欠费金额
            ["1-101", "王建国", "13800138001", 89.5, 2.8, date(2026, 12, 31), None],
            ["1-102", "李秀英", "13800138002", 120, 2.8, date(2026, 8, 31), 1008],
            ["2-301", "张伟", "0755-8888 6666 转 801", 95, 2.8, date(2026, 3, 31), None],
            ["3-502", "刘芳", "13900139003", 210, 3.2, date(2026, 10, 31), 700],
        ],
        "报修登记表": [
            # 单号, 房号, 报修人, 联系电话, 报修时间, 维修内容, 紧急程度, 预约时间, 接报人, 完成时间,
            # 是否有偿, 材料费, 人工费, 回访时间, 回访结果
            [f"BX-{d:%m%d}-01", "1-101", "王建国", "13800138001", at(d, "08:40"), "厨房水龙头漏水，（急）", "一般",
             at(d, "10:00"), "陈静", at(d, "11:20"), "是", 35, 20, None, None],
            [f"BX-{d:%m%d}-02", "2-301", "张伟", "0755-8888 6666 转 801", at(d, "09:15"), "卫生间下水道堵塞", "紧急",
             None, "陈静", None, None, None, None, None, None],
            [f"BX-{d - timedelta(days=1):%m%d}-07", "3-502", "刘芳", "13900139003", at(d, "16:30", -1), "客厅吊灯不亮，开关无反应", "",
             at(d, "09:30"), "赵磊", None, None, None, None, None, None],
            [f"BX-{d:%m%d}-03", "1-102", "李秀英", "13800138002", at(d, "10:05"), "阳台推拉门滑轨变形", "一般",
             None, "陈静", at(d, "15:40"), "是", "待定", 30, None, None],
        ],
        "投诉登记表": [
            # 编号, 受理时间, 投诉人, 房号, 联系电话, 投诉内容, 事件, 被投诉部门, 性质, 等级,
            # 转报时间, 回复时间, 解决时间, 回访时间, 处理结果, 状态
            [f"TS-{d:%m%d}-01", at(d, "09:05"), "刘芳", "3-502", "13900139003", "电梯连续两天停运，老人上下楼困难（3号楼）",
             None, "工程部", "有效", "重大", at(d, "09:20"), None, None, None, None, "处理中"],
            [f"TS-{d:%m%d}-02", at(d, "11:30"), "王建国", "1-101", "13800138001", "夜间施工噪音，影响休息",
             "1号楼夜间施工", "秩序部", "有效", "轻微", at(d, "11:45"), at(d, "13:10"), None, None,
             "已联系施工方，22:00后停工", "处理中"],
        ],
        "特约服务登记表": [
            # 单号, 受理时间, 受理人, 房号, 客户, 服务项目, 类别, 数量, 单价, 金额, 预约时间, 完成时间,
            # 验收结果, 回访时间, 回访结果, 审批人
            [f"TY-{d:%m%d}-01", at(d, "08:50"), "周敏", "1-101", "王建国", "更换水龙头", "供水设备维修类", 1, 20, 20,
             at(d, "10:00"), at(d, "11:00"), "合格", None, None, None],
            [f"TY-{d:%m%d}-02", at(d, "09:40"), "周敏", "2-301", "张伟", "安装智能马桶盖", "", 1, 60, 60,
             None, None, None, None, None, None],
            [f"TY-{d:%m%d}-03", at(d, "10:20"), "周敏", "1-102", "李秀英", "疏通下水道", "供水设备维修类", 1, 40, 40,
             None, at(d, "14:00"), "合格", None, None, None],
            [f"TY-{d:%m%d}-04", at(d, "13:10"), "周敏", "3-502", "刘芳", "更换门锁", "家庭物品维修类", 2, 30, 30,
             None, at(d, "15:00"), "合格", None, None, None],
        ],
        "装修登记表": [
            # 编号, 房号, 业主, 联系电话, 装修公司, 统一社会信用代码, 申请日期, 建筑面积, 消防审批, 审批日期,
            # 装修押金, 清运费, 出入证数量, 开工日期, 竣工验收日期, 应扣水电费, 押金退还日期
            ["ZX-2026-031", "3-502", "刘芳", "13900139003", "深圳市安居装饰工程有限公司", "91440300MA5F8XY13B",
             date(2026, 11, 10), 210, "否", date(2026, 11, 12), 3000, 800, 3, date(2026, 11, 20), None, None, None],
            ["ZX-2026-032", "1-102", "李秀英", "13800138002", "深圳市美居装饰有限公司", "91440300MA5G2AB410",
             date(2026, 11, 24), 120, None, date(2026, 11, 25), 2000, 500, 2, None, None, None, None],
        ],
        "放行登记": [
            # 编号, 房号, 携带人, 身份, 出门性质, 物品, 日期, 业主核实, 核实时间, 水电气结清
            [f"FX-{d:%m%d}-01", "1-102", "李秀英", "业主", "搬家迁出", "旧沙发一套、床垫一张", d, None, None, "是"],
            [f"FX-{d:%m%d}-02", "1-101", "王小明", "家属", "搬家迁出", "旧家具一批", d, "是", at(d, "08:50"), "是"],
            [f"FX-{d:%m%d}-03", "2-301", "张伟", "业主", "临时携带", "电脑主机一台", d, None, None, None],
        ],
        "停车月卡登记表": [
            # 卡号, 车主, 房号, 联系电话, 车牌号, 车型, 起租日期, 到期日期, 实收金额, 押金
            ["YK-0088", "张伟", "2-301", "13700137004", "粤B·12345", "小型车", date(2026, 9, 1),
             date(2026, 11, 30), 300, 50],
        ],
    }


# The columns of each register"s rows above, in their order (from the comment above each).
COLUMNS = {
    "物业费台账": ["房号", "业主", "联系电话", "建筑面积", "单价", "已缴至", "欠费金额"],
    "报修登记表": ["单号", "房号", "报修人", "联系电话", "报修时间", "维修内容", "紧急程度", "预约时间", "接报人", "完成时间", "是否有偿", "材料费", "人工费", "回访时间", "回访结果"],
    "投诉登记表": ["编号", "受理时间", "投诉人", "房号", "联系电话", "投诉内容", "事件", "被投诉部门", "性质", "等级", "转报时间", "回复时间", "解决时间", "回访时间", "处理结果", "状态"],
    "特约服务登记表": ["单号", "受理时间", "受理人", "房号", "客户", "服务项目", "类别", "数量", "单价", "金额", "预约时间", "完成时间", "验收结果", "回访时间", "回访结果", "审批人"],
    "装修登记表": ["编号", "房号", "业主", "联系电话", "装修公司", "统一社会信用代码", "申请日期", "建筑面积", "消防审批", "审批日期", "装修押金", "清运费", "出入证数量", "开工日期", "竣工验收日期", "应扣水电费", "押金退还日期"],
    "放行登记": ["编号", "房号", "携带人", "身份", "出门性质", "物品", "日期", "业主核实", "核实时间", "水电气结清"],
    "停车月卡登记表": ["卡号", "车主", "房号", "联系电话", "车牌号", "车型", "起租日期", "到期日期", "实收金额", "押金"],
}


def fill(home: Path, day: date) -> list[Path]:
    blank = home / "空白登记表"
    inbox = home / "inbox"
    written = []
    for stem, rows in rows_for(day).items():
        src = blank / f"{stem}.xlsx"
        wb = openpyxl.load_workbook(src)
        ws = wb.worksheets[0]
        header_row = next(r for r in range(1, 6) if ws.cell(r, 1).value and ws.cell(r, 2).value)
        # Each value goes under its header (the comment above each row list names them), so
        # columns a register gains later do not shift the values.
        at_col = {ws.cell(header_row, c).value: c for c in range(1, ws.max_column + 1)}
        names = COLUMNS[stem]
        for i, row in enumerate(rows, header_row + 1):
            for name, value in zip(names, row, strict=True):
                if value is not None:
                    cell = ws.cell(i, at_col[name], value)
                    if isinstance(value, datetime):
                        cell.number_format = "yyyy-mm-dd hh:mm"
                    elif isinstance(value, date):
                        cell.number_format = "yyyy-mm-dd"
        dest = inbox / f"{stem}-{day:%m%d}.xlsx"
        wb.save(dest)
        written.append(dest)
    return written


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("home", type=Path)
    ap.add_argument("--day", type=date.fromisoformat, default=date(2026, 11, 26))
    args = ap.parse_args(argv)
    for p in fill(args.home, args.day):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
