"""A multi-week workspace built from code: real register workbooks, processed through the pipeline.

Three saves, as staff make them (every register re-saved with its rows so far):

* 2026-11-22 20:00 — week 47 (11-16 … 11-22): repairs, complaints, special services, parking,
  fee accounts, renovation permit and violation;
* 2026-11-27 16:30 — week 48 up to Friday afternoon (callbacks filled in, new rows);
* 2026-11-30 20:00 — the weekend: a repair reported Friday after 17:00, a special service
  finished on Saturday, and November's customer visits.

The figures the tests expect are worked out by hand in ``tests/test_reports.py`` from
the rows below; change a row here and the reasoning there must change with it.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl

from toolkit.pipeline import Context, process_paths

SAVES = (datetime(2026, 11, 22, 20, 0), datetime(2026, 11, 27, 16, 30), datetime(2026, 11, 30, 20, 0))


def dt(text: str) -> datetime:
    return datetime.fromisoformat(f"2026-{text}")


def d(text: str) -> date:
    return date.fromisoformat(f"2026-{text}")


REPAIR = ["单号", "房号", "报修人", "联系电话", "报修时间", "维修内容", "紧急程度", "预约时间", "接报人",
          "完成时间", "是否有偿", "材料费", "人工费", "回访时间", "回访结果"]


def repairs(save: int) -> list[list[Any]]:
    rows = [
        ["BX101", "1-0101", "陈女士", "13812345678", dt("11-16 09:00"), "卫生间水龙头漏水", "一般", None, "李工",
         dt("11-16 15:00"), "否", None, None, dt("11-17 10:00"), "满意"],
        ["BX102", "1-0102", "黄先生", "13812340000", dt("11-18 10:00"), "厨房水管爆裂", "紧急", None, "王工",
         dt("11-18 11:00"), "否", None, None, dt("11-24 09:00") if save >= 1 else None, None],
        ["BX103", "2-0201", "刘先生", "13900001111", dt("11-19 16:00"), "更换卫生间角阀", "一般", dt("11-20 10:00"),
         "李工", dt("11-20 10:20"), "是", 50, 30, dt("11-23 09:00") if save >= 1 else None, None],
    ]
    if save >= 1:
        rows += [
            ["BX201", "3-0301", "周女士", "13700002222", dt("11-23 09:00"), "客厅插座无电", "一般", None, "李工",
             dt("11-23 11:00"), "否", None, None, dt("11-24 09:00"), "满意"],
            ["BX202", "3-0302", "吴先生", "13600003333", dt("11-25 14:00"), "电器冒烟跳闸", "紧急", None, "王工",
             dt("11-25 14:20"), "否", None, None, None, None],
            ["BX203", "3-0303", "孙女士", "13500005555", dt("11-27 10:00"), "阳台门关不上", "一般", None, "赵工",
             None, None, None, None, None, None],
            ["BX204", "3-0304", "钱先生", "13400006666", dt("11-26 15:00"), "马桶水箱不止水", "一般",
             dt("11-26 16:00"), "赵工", dt("11-26 17:30"), "是", None, 40, None, None],
            # Staff text that looks like a formula must reach every report as text.
            ["BX205", "3-0305", "李女士", "13300007777", dt("11-27 11:00"), "=1+1 厨房漏水", "一般", None, "赵工",
             None, None, None, None, None, None],
        ]
    if save >= 2:
        rows.append(["BX206", "4-0401", "郑先生", "13500004444", dt("11-27 17:30"), "门禁卡失灵", "一般", None,
                     "王工", None, None, None, None, None, None])
    return rows


COMPLAINT = ["编号", "受理时间", "投诉人", "房号", "联系电话", "投诉内容", "事件", "被投诉部门", "性质", "等级",
             "转报时间", "回复时间", "解决时间", "回访时间", "处理结果", "状态"]


def complaints(save: int) -> list[list[Any]]:
    rows = [["TS101", dt("11-17 09:00"), "陈女士", "1-0101", "13812345678", "楼道灯不亮", None, "工程部", "有效",
             "轻微", dt("11-17 09:05"), None, dt("11-17 11:00"), dt("11-17 15:00"), "已更换灯管", None]]
    if save >= 1:
        rows += [
            ["TS201", dt("11-24 10:00"), "刘先生", "2-0201", "13900001111", "2号楼电梯停运两小时", "2号楼电梯",
             "工程部", "有效", "轻微", dt("11-24 10:30"), None, None, None, None, None],
            ["TS202", dt("11-26 14:00"), "周女士", "3-0301", "13700002222", "维修人员态度差", None, "客服中心",
             "有效", "轻微", dt("11-26 14:05"), None, dt("11-26 16:00"), None, "已道歉", None],
        ]
    return rows


SERVICE = ["单号", "受理时间", "受理人", "房号", "客户", "服务项目", "类别", "数量", "单价", "金额", "预约时间",
           "完成时间", "验收结果", "回访时间", "回访结果", "审批人"]


def services(save: int) -> list[list[Any]]:
    rows = [
        ["TF101", dt("11-03 09:00"), "小王", "1-0101", "陈女士", "更换水龙头", "供水设备维修类", 2, 20, 40, None,
         dt("11-03 11:00"), "合格", dt("11-03 15:00"), "满意", None],
        ["TF102", dt("11-10 10:00"), "小王", "1-0101", "陈女士", "疏通下水道", "供水设备维修类", 1, 50, 50, None,
         dt("11-10 12:00"), "合格", dt("11-11 09:00"), "满意", None],
        ["TF103", dt("11-18 14:00"), "小李", "2-0201", "刘先生", "安装吸顶灯", "供电设备维修类", 2, 30, 60, None,
         dt("11-19 10:00"), "合格", dt("11-19 16:00"), "满意", None],
    ]
    if save >= 1:
        rows += [
            ["TF104", dt("11-24 09:00"), "小李", "2-0201", "刘先生", "黑白打印A4", "打字复印类", 20, 0.5, 10, None,
             dt("11-24 09:10"), None, None, None, None],
            ["TF105", dt("11-25 15:00"), "小王", "3-0301", "周女士", "更换门锁", "家庭物品维修类", 1, 30, 30, None,
             dt("11-26 10:00"), "合格", dt("11-26 15:00"), "满意", None],
            ["TF106", dt("11-27 10:00"), "小李", "3-0302", "吴先生", "安装浴霸", "供电设备维修类", 1, 80, 80, None,
             dt("11-28 14:00") if save >= 2 else None, None, dt("11-29 10:00") if save >= 2 else None, None, None],
        ]
    return rows


CARD = ["卡号", "车主", "房号", "联系电话", "车牌号", "车型", "起租日期", "到期日期", "实收金额", "押金"]


def cards(save: int) -> list[list[Any]]:
    rows = [
        ["PK01", "陈女士", "1-0101", "13812345678", "川A12345", "轿车", d("06-01"), d("12-31"), 700, 50],
        ["PK02", "刘先生", "2-0201", "13900001111", "川A54321", "SUV", d("10-28"), d("11-27"), 100, 50],
        ["PK03", "周女士", "3-0301", "13700002222", "川B11111", "轿车", d("08-23"), d("11-23"), 300, 50],
        ["PK04", "吴先生", "3-0302", "13600003333", "川A99999", "轿车", d("09-10"), d("11-10"), 200, 50],
        ["PK05", "郑先生", "4-0401", "13500004444", "川AD12345", "新能源", d("11-20"), date(2027, 2, 19), 300, 50],
        ["PK06", "王先生", "4-0402", "13500008888", "川A66666", "轿车", d("05-01"), d("07-31"), 300, 50],
    ]
    if save >= 1:
        rows.append(["PK07", "冯女士", "4-0403", "13500009999", "川A77777", "轿车", d("11-25"), d("12-24"), 100, 50])
    return rows


TEMP = ["车牌号", "入场时间", "出场时间", "实收金额"]


def temp_parking(save: int) -> list[list[Any]]:
    rows = [["川C11111", dt("11-17 08:00"), dt("11-17 11:30"), 4],
            ["川C22222", dt("11-21 09:00"), dt("11-21 10:00"), 2]]
    if save >= 1:
        rows += [["川C33333", dt("11-24 08:00"), dt("11-24 18:00"), 6],
                 ["川C44444", dt("11-25 10:00"), dt("11-25 11:00"), 2],
                 ["川C55555", dt("11-27 09:00"), dt("11-27 12:10"), 3]]
    return rows


FEES = ["房号", "业主", "联系电话", "建筑面积", "单价", "已缴至", "欠费金额"]


def fee_accounts(save: int) -> list[list[Any]]:
    return [["1-0101", "陈女士", "13812345678", 100, 2.5, d("12-31"), None],
            ["2-0201", "刘先生", "13900001111", 120, 2.0, d("09-30"), None],
            ["3-0301", "周女士", "13700002222", 90, 2.0, d("10-31"), 360],
            ["4-0401", "郑先生", "13500004444", 80, 3.0, d("10-24"), None]]


PERMIT = ["编号", "房号", "业主", "联系电话", "装修公司", "统一社会信用代码", "申请日期", "建筑面积", "消防审批",
          "审批日期", "装修押金", "清运费", "出入证数量", "开工日期", "竣工验收日期", "应扣水电费", "押金退还日期"]
VIOLATION = ["编号", "房号", "日期", "违章内容", "严重程度", "违约金", "整改期限"]


def permits(save: int) -> list[list[Any]]:
    return [["RN001", "2-0201", "刘先生", "13900001111", "好家装饰", None, d("07-01"), 120, "否", d("07-02"), 2000,
             300, 2, d("07-05"), d("08-20"), 150, None]]


def violations(save: int) -> list[list[Any]]:
    return [["RV001", "2-0201", d("07-20"), "擅自拆改承重墙", "严重", 500, None]]


VISIT = ["日期", "拜访人", "部门", "客户", "房号", "方式", "意见"]


def visits(save: int) -> list[list[Any]]:
    rows = []
    # 小王 (客服部) 21 visits, 小李 (客服部) 5, 老张 (工程部) 8 — one a day each, November.
    for who, dept, n in (("小王", "客服部", 21), ("小李", "客服部", 5), ("老张", "工程部", 8)):
        for i in range(n):
            rows.append([d(f"11-{i + 2:02d}"), who, dept, f"客户{i + 1}", None, "上门", None])
    return rows


# (file name, header, rows by save, first save it appears in)
REGISTERS = [
    ("报修登记表.xlsx", REPAIR, repairs, 0),
    ("投诉登记表.xlsx", COMPLAINT, complaints, 0),
    ("特约服务登记表.xlsx", SERVICE, services, 0),
    ("停车月卡登记表.xlsx", CARD, cards, 0),
    ("临时停车记录.xlsx", TEMP, temp_parking, 0),
    ("物业费台账.xlsx", FEES, fee_accounts, 0),
    ("装修登记表.xlsx", PERMIT, permits, 0),
    ("装修违章记录.xlsx", VIOLATION, violations, 0),
    ("客户拜访记录.xlsx", VISIT, visits, 2),
]


def write_register(path: Path, title: str, header: list[str], rows: list[list[Any]]) -> Path:
    """A register as staff keep it: a title row, the header, the rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    ws.append([title])
    ws.append(header)
    for row in rows:
        ws.append(row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # typed by a person, not a formula
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def build(ctx: Context, scratch: Path, saves: int = 3) -> list[Any]:
    """Write and process the first ``saves`` saves; returns the run summaries."""
    out = []
    for i, now in enumerate(SAVES[:saves]):
        folder = scratch / f"save{i + 1}"
        paths = [write_register(folder / name, Path(name).stem, header, make(i))
                 for name, header, make, first in REGISTERS if i >= first]
        out.append(process_paths(ctx, paths, now))
    return out


def built_workspace(home: Path, root: Path) -> Context:
    """A workspace at ``home`` with the repository's rules and templates (from ``root``)
    and the three saves processed; every file must be accepted (or a duplicate: a
    register re-saved unchanged within the same second has the same bytes)."""
    import shutil

    from toolkit.pipeline import open_context
    from toolkit.workspace import Workspace

    for name in ("rules", "templates"):
        shutil.copytree(root / name, home / name)
    ctx = open_context(Workspace(home))
    runs = build(ctx, home.parent / "scratch")
    assert all(f.status in ("accepted", "duplicate") for s in runs for f in s.files), [
        (f.path, f.status, f.errors) for s in runs for f in s.files]
    return ctx


if __name__ == "__main__":  # build a workspace to look at: python tests/fixtures_multiweek.py DIR
    import sys

    from toolkit.pipeline import open_context
    from toolkit.setup_workspace import init_workspace
    from toolkit.workspace import Workspace

    home = Path(sys.argv[1])
    init_workspace(home)
    c = open_context(Workspace(home.resolve()))
    try:
        for s in build(c, home / "var" / "fixture"):
            print(s.run_id, [(Path(f.path).name, f.status, f.rows.valid) for f in s.files])
    finally:
        c.close()
