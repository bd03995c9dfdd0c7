"""Speed benchmark (not a test): throughput as a ratio against the raw libraries.

    python3 dev.py bench [--rows 100000]

1. Intake: a register of N rows through read + validate + ledger (the whole
   ``process`` pipeline, in a child process so its peak memory can be read), against
   openpyxl's read-only mode just reading the same file, side by side in one run.
2. Watch latency: a file saved into a watched folder (native observer) until its
   records are in the ledger.
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
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bench_intake(args.rows, tmp)
        bench_watch(tmp)
    print(f"benchmark process peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
