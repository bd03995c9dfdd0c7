"""Benchmark: the weekly summary over a year of registers (50,000 records).

    python scripts/bench_reports.py [--records 50000]

Fills a fresh workspace's ledger with a year of records (straight into the ledger, as
the pipeline would leave them), then times, side by side in one run:

* report — ``toolkit.reports.produce(ctx, "weekly", …)``: loading the ledger, the rules'
  evaluation, the figures, the styled workbook with charts and the Word summary;
* openpyxl — openpyxl alone writing the same cells (write-only, values only) to a file.

Each side runs five times, alternating, and the medians are compared (the machine may
be busy with other work). The target is report ≤ 2 × openpyxl.
"""

from __future__ import annotations

import argparse
import gc
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402

from toolkit.model import Record  # noqa: E402
from toolkit.pipeline import open_context  # noqa: E402
from toolkit.reports import build_report, parse_week, produce  # noqa: E402
from toolkit.reports.word import write_docx  # noqa: E402
from toolkit.reports.xlsx import write_xlsx  # noqa: E402
from toolkit.workspace import Workspace  # noqa: E402

START = datetime(2025, 12, 1, 8, 0)
DEPTS = ["工程部", "客服中心", "秩序部", "保洁部"]
ITEMS = [("更换水龙头", "供水设备维修类", 20), ("疏通下水道", "供水设备维修类", 50), ("安装吸顶灯", "供电设备维修类", 30),
         ("更换门锁", "家庭物品维修类", 30), ("黑白打印A4", "打字复印类", Decimal("0.5"))]


def _when(rng: random.Random, i: int, n: int) -> datetime:
    # Spread evenly over the year, within working hours.
    day = START + timedelta(days=365 * i // n)
    return day.replace(hour=8 + rng.randrange(9), minute=rng.randrange(60))


def make_records(n: int, seed: int = 7) -> list[Record]:
    rng = random.Random(seed)
    out: list[Record] = []
    shares = {"repair": 0.4, "complaint": 0.1, "request": 0.1, "special_service": 0.16, "parking_temp": 0.2,
              "visit": 0.04}
    for reg, share in shares.items():
        k = int(n * share)
        for i in range(k):
            t = _when(rng, i, k)
            done = t + timedelta(hours=rng.choice([1, 2, 5, 30])) if rng.random() > 0.03 else None
            room = f"{rng.randrange(1, 20)}-{rng.randrange(1, 30):02d}01"
            if reg == "repair":
                v = {"单号": f"BX{i:06d}", "房号": room, "报修人": "业主", "联系电话": "13812345678", "报修时间": t,
                     "维修内容": "水管漏水", "紧急程度": "紧急" if i % 10 == 0 else "一般", "接报人": f"工{i % 7}",
                     "完成时间": done, "回访时间": done + timedelta(hours=20) if done else None}
            elif reg == "complaint":
                v = {"编号": f"TS{i:06d}", "受理时间": t, "投诉人": f"客户{i % 900}", "房号": room,
                     "投诉内容": "噪音扰民", "事件": f"事件{i % 400}" if i % 3 == 0 else None,
                     "被投诉部门": DEPTS[i % 4], "性质": "有效", "等级": "轻微", "转报时间": t + timedelta(minutes=5),
                     "解决时间": done, "回访时间": done + timedelta(hours=3) if done else None}
            elif reg == "request":
                v = {"编号": f"XQ{i:06d}", "受理时间": t, "客户": f"客户{i % 900}", "房号": room, "内容": "咨询",
                     "转报部门": DEPTS[i % 4], "转报时间": t + timedelta(minutes=5), "回复时间": done}
            elif reg == "special_service":
                item, cat, price = ITEMS[i % len(ITEMS)]
                v = {"单号": f"TF{i:06d}", "受理时间": t, "受理人": f"助理{i % 9}", "房号": room, "客户": "业主",
                     "服务项目": item, "类别": cat, "数量": 1, "单价": Decimal(price), "金额": Decimal(price),
                     "完成时间": done, "回访时间": done + timedelta(hours=5) if done else None}
            elif reg == "parking_temp":
                v = {"车牌号": f"川A{i % 99999:05d}", "入场时间": t, "出场时间": t + timedelta(hours=1),
                     "实收金额": Decimal(2)}
            else:
                v = {"日期": t.date(), "拜访人": f"助理{i % 9}", "部门": DEPTS[i % 4], "客户": f"客户{i}",
                     "方式": "上门"}
            key = (v.get("单号") or v.get("编号") or f"{v.get('车牌号', '')}|{t.isoformat()}"
                   if reg != "visit" else f"{v['日期']}|{v['拜访人']}|{v['客户']}")
            out.append(Record(reg, str(key), v, "bench", i + 2))
    return out


def _first_time(rec: Record) -> datetime:
    times = [v for v in rec.values.values() if isinstance(v, datetime)]
    return min(times) if times else datetime.combine(rec.values["日期"], datetime.min.time())


def load_weekly(ctx, recs: list[Record]) -> None:
    """Store the records as a year of weekly saves would (one file per week, in order), then
    let the rules engine record its findings, as the pipeline does after each file."""
    from toolkit.ruleset import evaluate_workspace

    weeks: dict[datetime, list[Record]] = {}
    for r in recs:
        t = _first_time(r)
        monday = (t - timedelta(days=t.weekday())).replace(hour=0, minute=0)
        weeks.setdefault(monday, []).append(r)
    for i, (monday, batch) in enumerate(sorted(weeks.items())):
        saved = monday + timedelta(days=7, hours=-4)  # Sunday evening
        fid = ctx.ledger.claim_file(f"{i:064d}", f"week{i}.xlsx", 0, "", saved)
        ctx.ledger.complete_file(fid, "accepted", {}, batch, saved)
    evaluate_workspace(ctx, START + timedelta(days=366))


RUNS = 5


def openpyxl_alone(report, path: Path) -> float:
    """openpyxl writing the same cells, values only, nothing else."""
    t0 = time.perf_counter()
    wb = Workbook(write_only=True)
    for table in report.tables:
        ws = wb.create_sheet(table.sheet)
        ws.append([table.title])
        ws.append([table.note])
        ws.append([c.title for c in table.columns])
        for row in table.rows:
            ws.append(row)
        if table.total:
            ws.append(table.total)
    wb.save(path)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=50_000)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    try:
        home = tmp / "ws"
        for name in ("rules", "templates"):
            shutil.copytree(ROOT / name, home / name)
        ctx = open_context(Workspace(home))
        recs = make_records(args.records)
        load_weekly(ctx, recs)
        n_records = len(recs)
        del recs  # generated input, not part of either side: let it go before timing
        gc.collect()
        week = parse_week("2026-W47")
        now = datetime(2026, 12, 1)
        produce(ctx, "weekly", now, week)  # warm-up: templates, fonts, imports
        reports, plains = [], []
        for i in range(RUNS):  # alternating, so a busy moment hits both sides alike
            t0 = time.perf_counter()
            report = produce(ctx, "weekly", now, week)
            reports.append(time.perf_counter() - t0)
            plains.append(openpyxl_alone(report, tmp / f"plain{i}.xlsx"))
        # The parts, timed again one by one.
        figures, xlsx, docx = [], [], []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            again, _ = build_report(ctx, "weekly", now, week)
            figures.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            write_xlsx(again, tmp / "styled.xlsx")
            xlsx.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            write_docx(again, ctx.ws.templates, tmp / "summary.docx")
            docx.append(time.perf_counter() - t0)
        cells = sum((len(t.rows) + 3 + (1 if t.total else 0)) * len(t.columns) for t in report.tables)
        ctx.close()
        t_report, t_plain = statistics.median(reports), statistics.median(plains)
        t_xlsx = statistics.median(xlsx)
        print(f"records: {n_records:,}; report cells: {cells:,}; median of {RUNS} runs each")
        print(f"weekly report, end to end (ledger → figures → xlsx + docx): {t_report:.3f} s")
        print(f"  figures from the ledger (read, rules, counts):            {statistics.median(figures):.3f} s")
        print(f"  styled workbook with charts:                              {t_xlsx:.3f} s")
        print(f"  Word summary with chart image:                            {statistics.median(docx):.3f} s")
        print(f"openpyxl alone, same cells (values only):                   {t_plain:.3f} s")
        print(f"  runs: report {', '.join(f'{t:.3f}' for t in reports)}; openpyxl {', '.join(f'{t:.3f}' for t in plains)}")
        ratio = t_report / t_plain
        print(f"ratio end to end: {ratio:.2f}× (target ≤ 2×: {'met' if ratio <= 2 else 'NOT met'}); "
              f"workbook writing alone: {t_xlsx / t_plain:.2f}×")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
