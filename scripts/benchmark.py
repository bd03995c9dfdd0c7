"""Speed benchmark (not a test): throughput as a ratio against the raw libraries.

    python3 dev.py bench [--rows 100000]

1. Intake: a register of N rows through read + validate + ledger (the whole
   ``process`` pipeline, in a child process so its peak memory can be read), against
   openpyxl's read-only mode just reading the same file, side by side in one run.
2. The car pack's 进厂维修委托书 register against the repair register, same row count
   (``--car-rows``, default 20,000; documents are written as Word files only).
3. Watch latency: a file saved into a watched folder (native observer) until its
   records are in the ledger.
4. The cost of a file against the size of the ledger (``bench_incremental.py``): a
   3-row file into 20,000 and 1,000,000 records, a re-saved register with one row
   changed, the schedule's sweep and the daily/weekly reports, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
HEADERS = ["单号", "房号", "报修人", "联系电话", "报修时间", "维修内容", "紧急程度", "预约时间",
           "接报人", "完成时间", "是否有偿", "材料费", "人工费", "回访时间", "回访结果"]


def make_register(path: Path, rows: int) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("报修登记")
    ws.append(["某某物业服务中心 报修登记表"])
    ws.append(HEADERS)
    base = datetime(2026, 11, 1, 8, 0)
    for i in range(rows):
        t = base + timedelta(minutes=7 * i % 40000)
        paid = i % 5 == 0
        ws.append([f"BX{i:07d}", f"{i % 30 + 1}-{i % 18 + 1:02d}{i % 4 + 1:02d}", "张先生",
                   f"138{i:08d}"[:11], t, "卫生间下水不畅", "紧急" if i % 9 == 0 else "一般", None,
                   "李四", t + timedelta(hours=3), "是" if paid else "否",
                   "35.00" if paid else None, 20 if paid else None, None, None])
    wb.save(path)


def raw_openpyxl(path: Path) -> float:
    t0 = time.perf_counter()
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    n = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            n += sum(1 for v in row if v is not None)
    wb.close()
    return time.perf_counter() - t0


CHILD = r"""
import json, resource, sys, time
from datetime import datetime
from pathlib import Path
from toolkit.pipeline import open_context, process_paths
from toolkit.workspace import Workspace
home, src = Path(sys.argv[1]), Path(sys.argv[2])
t0 = time.perf_counter()
ctx = open_context(Workspace(home))
summary = process_paths(ctx, [src], datetime(2026, 11, 24, 9, 0))
took = time.perf_counter() - t0
f = summary.files[0]
print(json.dumps({"seconds": took, "status": f.status, "rows": f.rows.total, "valid": f.rows.valid,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def fresh_workspace(tmp: Path) -> Path:
    home = tmp / "ws"
    for name in ("rules", "templates"):
        shutil.copytree(ROOT / name, home / name)
    (home / "inbox").mkdir()
    (home / "outbox").mkdir()
    return home


def bench_intake(rows: int, tmp: Path) -> None:
    src = tmp / "报修登记表.xlsx"
    print(f"writing a {rows:,}-row register …", flush=True)
    make_register(src, rows)
    home = fresh_workspace(tmp)
    raw = raw_openpyxl(src)
    out = subprocess.run([sys.executable, "-c", CHILD, str(home), str(src)],
                         capture_output=True, text=True, check=True)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    ratio = res["seconds"] / raw
    print(f"openpyxl read-only, read only:      {raw:7.2f} s  ({rows / raw:,.0f} rows/s)")
    print(f"toolkit read+validate+rules+ledger: {res['seconds']:7.2f} s  ({rows / res['seconds']:,.0f} rows/s)"
          f"  status={res['status']} valid={res['valid']:,}")
    print(f"ratio toolkit / openpyxl:           {ratio:7.2f}  (target ≤ 3.0)")
    print(f"toolkit peak memory:                {res['peak_mb']:7.0f} MB (target < 1024)")


CAR_HEADERS = ["委托书号", "车牌号", "客户名称", "联系电话", "车型", "里程数", "接车时间", "服务顾问", "是否预约",
               "客户问题", "维修项目", "维修类别", "估价合计", "旧件去向", "是否洗车", "预计完工时间", "客户签名",
               "问诊表签名", "随车物品签名", "进车间时间", "车间接车人", "进度查询时间", "完工时间", "质检员",
               "交车时间", "工时费", "备品费", "结算金额", "实收金额", "付款方式", "回访时间"]


def make_car_register(path: Path, rows: int) -> None:
    """A 进厂维修委托书 register: every fifth order unsigned, every seventh finished late."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("委托书")
    ws.append(CAR_HEADERS)
    base = datetime(2026, 11, 1, 8, 0)
    for i in range(rows):
        # Every time ends in 5 minutes: none falls on 00:00, which would read as a bare date.
        # Three weeks of past orders (processed on 11-24): no document is due for any of them.
        t = base + timedelta(minutes=5 + 10 * (i % 3000))
        promise = t + timedelta(hours=4)
        done = promise + timedelta(minutes=30 if i % 7 == 0 else -20)
        ws.append([f"WT{i:07d}", f"京A{i % 100000:05d}", "张伟", f"138{i:08d}"[:11], "帕萨特", 30000 + i,
                   t, f"顾问{i % 6}", "否", "发动机异响", "检查发动机", "一般维修", "800.00", "客户带走", "是",
                   promise, "否" if i % 5 == 0 else "是", "是", "是", t + timedelta(minutes=10), "陈工",
                   t + timedelta(hours=3), done, "孙工", done + timedelta(hours=1), "300.00", "500.00",
                   "800.00", "800.00", "刷卡", done + timedelta(days=3)])
    wb.save(path)


def bench_car(rows: int, tmp: Path) -> None:
    """The car pack's 委托书 register beside the repair register, the same number of rows."""
    from toolkit.setup_workspace import init_workspace

    results = {}
    for name, make, setup in (("报修登记（物业）", make_register, fresh_workspace),
                              ("进厂维修委托书（汽车）", make_car_register,
                               lambda d: (init_workspace(d / "ws", ["car"]), d / "ws")[1])):
        d = tmp / f"cmp{len(results)}"
        d.mkdir()
        src = d / "register.xlsx"
        make(src, rows)
        home = setup(d)
        out = subprocess.run([sys.executable, "-c", CHILD, str(home), str(src)],
                             capture_output=True, text=True, check=True)
        res = json.loads(out.stdout.strip().splitlines()[-1])
        results[name] = res
        print(f"{name:<14} {rows:,} rows: {res['seconds']:6.2f} s  ({rows / res['seconds']:,.0f} rows/s)"
              f"  status={res['status']} valid={res['valid']:,}  peak {res['peak_mb']:.0f} MB", flush=True)


def bench_watch(tmp: Path) -> None:
    from toolkit.pipeline import open_context
    from toolkit.watch import watch
    from toolkit.workspace import Workspace

    home = fresh_workspace(tmp / "w")
    ctx = open_context(Workspace(home))
    stop = threading.Event()
    t = threading.Thread(target=watch, args=(ctx,), kwargs={"stop": stop}, daemon=True)
    t.start()
    time.sleep(1.0)
    times = []
    for i in range(3):
        target = home / "inbox" / f"报修{i}.xlsx"
        tmpf = home / "inbox" / f".~part{i}"
        make_register(tmpf, 50 + i)  # each file differs, so none is a duplicate
        t0 = time.monotonic()
        tmpf.replace(target)
        while target.exists() and time.monotonic() - t0 < 30:
            time.sleep(0.01)
        times.append(time.monotonic() - t0)
    stop.set()
    t.join(10)
    ctx.close()
    print("watch latency (native observer), save complete → processed: "
          + ", ".join(f"{x:.2f} s" for x in times) + "  (target ≤ 2 s)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--car-rows", type=int, default=20_000, help="rows of the car/repair comparison (0: skip)")
    ap.add_argument("--only-car", action="store_true", help="run only the car/repair comparison")
    ap.add_argument("--ledger-records", type=int, default=1_000_000,
                    help="records of the big ledger in the cost-of-a-file benchmark (0: skip it)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        if args.car_rows:
            bench_car(args.car_rows, tmp)
        if args.only_car:
            return
        bench_intake(args.rows, tmp)
        bench_watch(tmp)
    if args.ledger_records:
        import bench_incremental  # the cost of a file against the ledger's size (scripts/)

        bench_incremental.main(["--records", str(args.ledger_records)])
    print(f"benchmark process peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
