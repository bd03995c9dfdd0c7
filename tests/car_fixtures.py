"""Car desk registers filled the way a service advisor fills them (shared by the car tests).

Times are typed the usual ways (2026/11/23 16:25, 2026年11月23日 16:00, datetime cells,
2026-11-23 9:00), with a few mistakes: a 接车时间 with no time of day, a phone number
too short. Monday 2026-11-23 is the working day most rows are about.
"""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import write_xlsx

from toolkit.cli import main

CUSTOMER = [
    ["车牌号", "客户名称", "联系电话", "地址", "车型", "车种", "车架号", "首次来厂日期", "建档日期", "保养周期月数",
     "下次保养日期", "服务顾问"],
    ["京A12345", "张伟", "13812345678", "朝阳区建国路1号", "帕萨特", "轿车", None, "2026-05-20", "2026-05-20", 6,
     None, "王芳"],
    # Filed two days after the first visit: late by 2 days.
    ["京B54321", "李娜", "13912345678", None, "途观", "SUV", None, "2026/11/20", "2026/11/22", None, None, "王芳"],
    # Next service 2026-11-28, within 7 days of 2026-11-23: a reminder.
    ["京C11111", "北京某某物流有限公司", "010-65001234", None, "宝来", "轿车", None, "2026-05-28", "2026-05-28",
     None, "2026-11-28", "赵强"],
]

APPOINTMENT = [
    ["预约单号", "登记时间", "受理人", "车牌号", "客户名称", "联系电话", "车型", "预约进厂时间", "预约项目", "需备配件",
     "配件原价", "定金", "客户签名", "通知车间时间", "车间接收人", "提醒时间", "到店时间", "状态"],
    # 1,234.57 × ½ = 617.285 → 617.29 rounded up to the fen; 617.28 paid: short by 0.01.
    ["YY001", "2026-11-20 09:30", "刘洋", "京A12345", "张伟", "13812345678", "帕萨特", "2026-11-23 09:00",
     "更换正时皮带", "正时皮带套件", "1,234.57", "617.28", "是", "2026-11-20 17:00", "陈工", "2026-11-22 15:00",
     "2026-11-23 08:55", "已到店"],
    # Workshop told next morning 08:30: due 2026-11-20 23:59, late by 8 h 31 min = 511 minutes.
    ["YY002", datetime(2026, 11, 20, 10, 0), "刘洋", "京B54321", "李娜", "13912345678", "途观",
     datetime(2026, 11, 23, 14, 0), "保养", None, None, None, "是", datetime(2026, 11, 21, 8, 30), "陈工",
     datetime(2026, 11, 22, 10, 0), datetime(2026, 11, 23, 14, 5), "已到店"],
    # Reminder due 2026-11-22 22:00 (12 h before 10:00); made 11-23 08:00: late by 600 minutes.
    ["YY003", "2026年11月21日 11:00", "刘洋", "京D22222", "周杰", "13700001111", "朗逸", "2026年11月23日 10:00",
     "更换刹车片", "刹车片", "1000", "500", "否", "2026年11月21日 11:20", "陈工", "2026年11月23日 08:00", None, None],
    # Not come by 14:30 (30 minutes' grace after 14:00): a no-show by 20:00.
    ["YY004", "2026-11-22 16:00", "刘洋", "京E33333", "吴敏", "13600002222", "速腾", "2026-11-23 14:00",
     "空调检查", None, None, None, "是", "2026-11-22 16:30", "陈工", None, None, None],
    # Booked 2026-10-10: a car arriving 2026-11-23 is past the one-month window (ends 11-10).
    ["YY005", "2026-10-10 10:00", "刘洋", "京F44444", "郑爽", "13500003333", "高尔夫", "2026-10-15 09:00",
     "保养", None, None, None, "是", "2026-10-10 11:00", "陈工", "2026-10-14 16:00", None, "已取消"],
]

ORDER_HEAD = ["委托书号", "车牌号", "客户名称", "联系电话", "车型", "里程数", "燃油表", "接车时间", "服务顾问",
              "是否预约", "预约单号", "在店等候", "客户问题", "维修项目", "维修类别", "工时费估价", "备品费估价",
              "估价合计", "配件来源", "质量担保", "旧件去向", "是否洗车", "预计完工时间", "客户签名", "问诊表签名",
              "随车物品签名", "进车间时间", "车间接车人", "进度查询时间", "关怀时间", "完工时间", "质检员", "交车时间",
              "工时费", "备品费", "折扣金额", "折扣审批人", "结算金额", "实收金额", "付款方式", "是否进厂", "回访时间",
              "建议下次保养日期"]


def order(**kw: Any) -> list[Any]:
    """A complete, signed order received Monday 09:00 unless told otherwise."""
    base = {"车牌号": "京A12345", "客户名称": "张伟", "联系电话": "13812345678", "车型": "帕萨特", "里程数": 35210,
            "燃油表": "1/2", "接车时间": "2026-11-23 09:00", "服务顾问": "王芳", "是否预约": "否", "在店等候": "否",
            "客户问题": "发动机异响", "维修项目": "检查发动机", "维修类别": "一般维修", "工时费估价": 300,
            "备品费估价": 500, "估价合计": 800, "配件来源": "正厂件", "质量担保": "是", "旧件去向": "客户带走",
            "是否洗车": "是", "预计完工时间": "2026-11-23 16:00", "客户签名": "是", "问诊表签名": "是",
            "随车物品签名": "是", "进车间时间": "2026-11-23 09:10", "车间接车人": "陈工"}
    base.update(kw)
    return [base.get(h) for h in ORDER_HEAD]


ORDERS = [
    ORDER_HEAD,
    # Promised 16:00, finished 16:25: late by 25 minutes. Picked up Monday 17:00: follow-up
    # window Wednesday 11-25 00:00 to Monday 11-30 23:59.
    order(委托书号="WT001", 是否预约="是", 预约单号="YY001", 完工时间="2026-11-23 16:25", 质检员="孙工",
          交车时间="2026/11/23 17:00", 工时费=300, 备品费=520, 结算金额=820, 实收金额=820, 付款方式="刷卡",
          进度查询时间="2026-11-23 14:00"),
    # Promised 15:00 + extra item accepted and signed (+1.5 h) = 16:30; finished 16:20: on time.
    order(委托书号="WT002", 车牌号="京B54321", 客户名称="李娜", 预计完工时间="2026年11月23日 15:00",
          完工时间="2026年11月23日 16:20", 进度查询时间="2026-11-23 13:00"),
    # Extra accepted but not signed: the promise stays 14:00; finished 17:00: late by 180 minutes.
    order(委托书号="WT003", 车牌号="京C11111", 客户名称="北京某某物流有限公司", 联系电话="010-65001234",
          预计完工时间="2026-11-23 14:00", 完工时间="2026-11-23 17:00", 进度查询时间="2026-11-23 12:00"),
    # A 2-hour job: in the workshop 09:00, promised 11:00 → check between 10:24 (70 %) and 10:36 (80 %).
    order(委托书号="WT004", 车牌号="京D22222", 客户名称="周杰", 进车间时间="2026-11-23 09:00",
          预计完工时间="2026-11-23 11:00", 进度查询时间="2026-11-23 10:30", 完工时间="2026-11-23 10:55"),
    # Same shape, checked 10:40: 4 minutes after the window closed.
    order(委托书号="WT005", 车牌号="京D22222", 客户名称="周杰", 进车间时间="2026-11-23 09:00",
          预计完工时间="2026-11-23 11:00", 进度查询时间="2026-11-23 10:40", 完工时间="2026-11-23 10:58"),
    # Three faulty orders by 王芳 in November: 3 × 5 元 = 15.00 元 (WT007 has two gaps, one fine).
    order(委托书号="WT006", 接车时间="2026-11-10 09:00", 预计完工时间="2026-11-10 16:00", 客户签名="否",
          完工时间="2026-11-10 15:00"),
    order(委托书号="WT007", 接车时间="2026-11-11 09:00", 预计完工时间="2026-11-11 16:00", 旧件去向=None, 是否洗车=None,
          完工时间="2026-11-11 15:00"),
    order(委托书号="WT008", 接车时间="2026-11-12 09:00", 预计完工时间="2026-11-12 16:00", 工时费估价=None,
          备品费估价=None, 估价合计=None, 完工时间="2026-11-12 15:00"),
    # Appointment YY005 was booked 2026-10-10: past the one-month window.
    order(委托书号="WT009", 车牌号="京F44444", 客户名称="郑爽", 是否预约="是", 预约单号="YY005",
          接车时间="2026-11-23 10:00", 预计完工时间="2026-11-24 12:00", 进车间时间="2026-11-23 10:10"),
    # Customer-supplied parts: the 委托书 and 出厂通知单 print the no-guarantee clause.
    order(委托书号="WT011", 车牌号="京G55555", 客户名称="钱多多", 配件来源="客户自购", 质量担保="否",
          接车时间="2026-11-23 13:00", 预计完工时间="2026-11-23 17:00", 进车间时间="2026-11-23 13:10",
          完工时间="2026-11-23 16:30", 质检员="孙工", 交车时间="2026-11-23 17:10", 工时费="200", 备品费=None,
          估价合计=200, 工时费估价=200, 备品费估价=0, 结算金额=200, 实收金额=150, 付款方式="现金"),
    # A mistake: 接车时间 with no time of day (the row is refused, the rest kept).
    order(委托书号="WT010", 接车时间="2026-11-23", 预计完工时间="2026-11-23 12:00"),
]

EXTRA = [
    ["增项单号", "委托书号", "车间通知时间", "联系客户时间", "增项内容", "增项工时费", "增项备品费", "延长工期小时",
     "新预计完工时间", "客户答复", "客户签名", "转达车间时间", "车间受话人"],
    # Told 11:00, customer called 11:10: within 15 minutes.
    ["ZX001", "WT002", "2026-11-23 11:00", "2026-11-23 11:10", "更换前刹车片", 120, 380, 1.5, None, "同意", "是",
     "2026-11-23 11:20", "陈工"],
    # Told 10:00, called 10:40: 25 minutes after the 10:15 limit; accepted but not signed.
    ["ZX002", "WT003", "2026-11-23 10:00", "2026-11-23 10:40", "更换空调滤芯", 50, 80, None, "2026-11-23 18:00",
     "同意", "否", "2026-11-23 10:50", "陈工"],
]

SAFETY = [
    ["考核日期", "员工", "岗位", "违规项", "扣分", "检查人", "说明"],
    ["2026-11-15", "王芳", "服务顾问", "未经允许驾驶维修车辆", None, "安全员", "试车未经允许"],
    ["2026-11-16", "刘洋", "服务顾问", "不参加安全学习培训活动", 10, "安全员", None],
]


def car_workbook(path: Path) -> Path:
    return write_xlsx(path, {"客户档案": CUSTOMER, "预约登记": APPOINTMENT, "委托书": ORDERS, "追加项目": EXTRA,
                             "安全考核": SAFETY})


def cli(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, list(args))
    return res.exit_code, res.output


def process(home: Path, path: Path, now: str) -> dict[str, Any]:
    code, out = cli("process", str(path), "--home", str(home), "--now", now, "--json")
    assert code == 0, out
    return as_json(out)


def as_json(out: str) -> Any:
    """The JSON a command printed (after any warning lines the log wrote first)."""
    return json.loads(out[out.index("\n{") + 1:] if not out.startswith("{") else out)


def findings(home: Path, now: datetime) -> list[Any]:
    """Every finding of the workspace's rules over its ledger at ``now``."""
    from toolkit.pipeline import open_context
    from toolkit.ruleset.hook import load_state, rules_hook
    from toolkit.workspace import Workspace

    ctx = open_context(Workspace(home))
    try:
        return rules_hook(ctx).run(load_state(ctx.ledger), now)
    finally:
        ctx.close()


_INITIALISED: dict[tuple[str, ...], Path] = {}


def init(home: Path, *packs: str) -> Path:
    """`toolkit init --pack …` at ``home``, with a site of its own on a shared PostgreSQL ledger.

    The command writes the same rules, templates and blank registers wherever it runs, so
    a new workspace is a copy of one this process made with the same packs (the blank
    workbooks alone took 0.2-0.5 s a time). Adding packs to an existing workspace runs
    the command on it.
    """
    pack_args = [a for name in packs for a in ("--pack", name)]
    if home.exists():
        code, out = cli("init", str(home), *pack_args, *site_args(home))
        assert code == 0, out
        return home
    if packs not in _INITIALISED:
        folder = Path(tempfile.mkdtemp(prefix="toolkit-init-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        code, out = cli("init", str(folder / "ws"), *pack_args)
        assert code == 0, out
        _INITIALISED[packs] = folder / "ws"
    shutil.copytree(_INITIALISED[packs], home, copy_function=shutil.copy)
    site = site_args(home)
    if site:
        from toolkit.site import write_site

        write_site(home.resolve(), site[1], site[3])
    return home


def site_args(home: Path) -> list[str]:
    """`init` options for a workspace of its own on a shared PostgreSQL ledger (none on SQLite):
    each workspace a test makes gets its own site, so workspaces in one test stay apart."""
    import hashlib
    import os

    if not os.environ.get("TOOLKIT_DATABASE_URL"):
        return []
    code = "S" + hashlib.sha1(str(home).encode()).hexdigest()[:8]
    return ["--site-code", code, "--site-name", f"测试{code}"]


# --- a week in December (QA's reproduction, cut down): Friday 2026-12-04 09:00 -----------
# Thu 12-03 and Fri 12-04 are working days; business hours 08:30–12:00, 13:30–17:30.

WEEK_NOW = "2026-12-04T09:00"


def _rows(head: list[str], *rows: dict[str, Any]) -> list[list[Any]]:
    return [head, *[[r.get(h) for h in head] for r in rows]]


def _appt(**kw: Any) -> dict[str, Any]:
    base = {"受理人": "赵敏", "车牌号": "京A12345", "客户名称": "张伟", "联系电话": "13812345678", "车型": "瑞虎8",
            "预约项目": "保养", "客户签名": "是"}
    return {**base, **kw}


WEEK_APPOINTMENTS = _rows(
    APPOINTMENT[0],
    # Slot Fri 14:00: 12 h before is 02:00 → the close before it, Thu 12-03 17:30; never reminded.
    _appt(预约单号="YA1", 登记时间="2026-12-01 10:00", 预约进厂时间="2026-12-04 14:00", 通知车间时间="2026-12-01 11:00"),
    # Slot Thu 14:00 → reminder by Wed 12-02 17:30; nobody reminded, nobody told the workshop, 爽约.
    _appt(预约单号="YA2", 登记时间="2026-12-01 16:00", 预约进厂时间="2026-12-03 14:00", 状态="爽约", 客户签名="否"),
    # Slot Fri 08:30 → reminder by Thu 17:30 (20:30 is after hours); not reminded but came at 08:25.
    _appt(预约单号="YA3", 登记时间="2026-12-01 09:00", 预约进厂时间="2026-12-04 08:30", 通知车间时间="2026-12-01 09:30",
          到店时间="2026-12-04 08:25", 状态="已到店"),
    # Booked exactly 12 h ahead, after Thursday's close: the booking is the reminder.
    _appt(预约单号="YA4", 登记时间="2026-12-03 20:30", 预约进厂时间="2026-12-04 08:30", 通知车间时间="2026-12-03 20:40"),
    # 1,234.57 × ½ = 617.285 → 617.29 at least; 617.28 paid: 0.01 short.
    _appt(预约单号="YA5", 登记时间="2026-12-03 10:00", 预约进厂时间="2026-12-07 09:30", 通知车间时间="2026-12-03 10:30",
          需备配件="刹车片", 配件原价="1234.57", 定金="617.28"),
)

WEEK_CUSTOMERS = [
    CUSTOMER[0],
    # First visit written 11-30, filed 12-02 — but WA3 received this car on 11-25.
    ["京B67890", "王芳", "13987654321", None, "艾瑞泽5", "轿车", None, "2026-11-30", "2026-12-02", None, None, "王磊"],
]

WEEK_ORDERS = [
    ORDER_HEAD,
    # 09:00 → 11:00: check between 10:24 (70 %) and 10:36 (80 %); finished 10:30, inside it.
    order(委托书号="WA1", 接车时间="2026-12-03 09:00", 进车间时间="2026-12-03 09:00", 预计完工时间="2026-12-03 11:00",
          完工时间="2026-12-03 10:30"),
    # Same window, never checked, finished 10:50: 14 minutes after 10:36.
    order(委托书号="WA2", 接车时间="2026-12-03 09:00", 进车间时间="2026-12-03 09:00", 预计完工时间="2026-12-03 11:00",
          完工时间="2026-12-03 10:50"),
    order(委托书号="WA3", 车牌号="京B67890", 客户名称="王芳", 接车时间="2026-11-25 10:00", 进车间时间="2026-11-25 10:00",
          预计完工时间="2026-11-25 11:00", 进度查询时间="2026-11-25 10:45", 完工时间="2026-11-25 10:50"),
    # 300 + 450 = 750, written 800.
    order(委托书号="WA4", 接车时间="2026-12-03 13:00", 进车间时间="2026-12-03 13:00", 预计完工时间="2026-12-03 17:00",
          进度查询时间="2026-12-03 15:50", 完工时间="2026-12-03 16:00", 工时费估价=300, 备品费估价=450, 估价合计=800),
]

WEEK_EXTRAS = [
    EXTRA[0],
    # Agreed on the phone, not signed.
    ["ZA1", "WA4", "2026-12-03 14:00", "2026-12-03 14:05", "更换刹车油", 100, 200, 1, None, "同意", "否",
     "2026-12-03 14:10", "陈工"],
]

WEEK_SAFETY = [
    SAFETY[0],
    ["2026-12-02", "王磊", "服务顾问", "不参加安全学习培训活动", 10, "安全员", None],  # the table says 20
    ["2026-12-03", "刘洋", "服务顾问", "未经允许驾驶维修车辆", None, "安全员", None],  # blank: 50 from the table
]

WEEK_MESSAGES = [
    ["留言编号", "来电时间", "来电人", "联系电话", "被找人员", "基本需求", "回电时间", "处理人"],
    # No 处理人 yet: 李明, whom the caller asked for, calls back (by 12:00, 2 business hours).
    ["LA1", "2026-12-03 10:00", "马先生", "13812340000", "李明", "问保养价格", None, None],
]


def week_workbook(path: Path) -> Path:
    return write_xlsx(path, {"客户档案": WEEK_CUSTOMERS, "预约登记": WEEK_APPOINTMENTS, "委托书": WEEK_ORDERS,
                             "追加项目": WEEK_EXTRAS, "安全考核": WEEK_SAFETY, "来电留言": WEEK_MESSAGES})


@pytest.fixture(name="home")
def dealer_home(tmp_path: Path, database: str) -> Path:
    """A dealer workspace (``toolkit init --pack dealer``) on the test's database: the
    ``home`` of the dealer test modules, which import it."""
    return init(tmp_path / "dealer", "dealer")
