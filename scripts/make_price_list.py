"""Write rules/price_list.xlsx, the special-service price list managers edit (SPEC §3.6).

Run: python scripts/make_price_list.py [OUTPUT]. Prices are for labour only; materials
are charged at cost on top (a note on the sheet says so).
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
from openpyxl.styles import Font, PatternFill

HEADERS = ["类别", "服务项目", "单位", "单价", "备注"]
# Seed 004 5.2.1: the list is revised at least once a year; the monthly report warns
# 12 months after this date, and a new date issues a new 收费标准公示.
REVISED = date(2026, 1, 1)

ITEMS: list[tuple[str, str, str, str, str]] = [
    ("供电设备维修类", "更换开关插座面板", "个", "20.00", "不含材料"),
    ("供电设备维修类", "更换灯泡灯管", "个", "10.00", "不含材料"),
    ("供电设备维修类", "安装吸顶灯", "盏", "30.00", ""),
    ("供电设备维修类", "更换空气开关", "个", "30.00", "不含材料"),
    ("供电设备维修类", "更换漏电保护器", "个", "40.00", "不含材料"),
    ("供电设备维修类", "检修线路短路", "次", "50.00", ""),
    ("供电设备维修类", "安装浴霸", "台", "80.00", ""),
    ("供电设备维修类", "安装排气扇", "台", "40.00", ""),
    ("供水设备维修类", "更换水龙头", "个", "20.00", "不含材料"),
    ("供水设备维修类", "更换角阀", "个", "15.00", "不含材料"),
    ("供水设备维修类", "更换进水软管", "根", "10.00", "不含材料"),
    ("供水设备维修类", "更换马桶水箱配件", "套", "30.00", "不含材料"),
    ("供水设备维修类", "疏通下水道", "次", "50.00", ""),
    ("供水设备维修类", "疏通马桶", "次", "50.00", ""),
    ("供水设备维修类", "检修水管漏水", "次", "40.00", ""),
    ("供水设备维修类", "安装热水器", "台", "80.00", ""),
    ("家庭物品维修类", "更换门锁", "把", "30.00", "不含材料"),
    ("家庭物品维修类", "修理门窗合页", "个", "15.00", ""),
    ("家庭物品维修类", "安装窗帘轨道", "米", "10.00", ""),
    ("家庭物品维修类", "安装晾衣架", "套", "50.00", ""),
    ("家庭物品维修类", "更换纱窗", "扇", "30.00", "不含材料"),
    ("家庭物品维修类", "修理家具", "次", "40.00", ""),
    ("打字复印类", "黑白打印A4", "页", "0.50", "现场结清"),
    ("打字复印类", "彩色打印A4", "页", "2.00", "现场结清"),
    ("打字复印类", "复印A4", "页", "0.30", "现场结清"),
    ("打字复印类", "复印A3", "页", "0.60", "现场结清"),
    ("打字复印类", "扫描", "页", "0.50", "现场结清"),
    ("打字复印类", "传真", "页", "1.00", "现场结清"),
]


def write_price_list(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "特约服务价目表"
    ws.append(["修订日期", REVISED, None, None, "每年至少修订一次；修订后改此日期"])
    ws.cell(1, 1).font = Font(bold=True)
    ws.cell(1, 2).number_format = "yyyy-mm-dd"
    ws.append(HEADERS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for cat, item, unit, price, note in ITEMS:
        ws.append([cat, item, unit, float(Decimal(price)), note or None])
        ws.cell(ws.max_row, 4).number_format = "0.00"
    for col, width in zip("ABCDE", (16, 20, 8, 10, 14), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A3"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "rules" / "price_list.xlsx"
    print(write_price_list(out))
