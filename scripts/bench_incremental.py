"""Benchmark: the cost of a file against the size of the ledger (not a test).

    python scripts/bench_incremental.py [--records 1000000] [--small 20000] [--pg-url URL]

For each database (SQLite; PostgreSQL too when ``--pg-url`` or ``TOOLKIT_TEST_PG_URL``
names a server whose role may create databases), ledgers of ``--small`` and
``--records`` property records are generated straight into the ledger's tables (a year
of repairs, complaints, requests, services, parking stays and visits, plus an estate's
standing registers: 2,000 fee accounts, move-outs, cards, permits, violations, handovers;
findings stored for the last 60 days and the standing registers, as the rules left them;
the rules' column index built). Then, each timed wall and CPU (this process; the
PostgreSQL server's CPU is not in it):

* a 3-row repair file through ``process_paths`` (the whole pipeline) into an empty ledger,
  the small ledger and the big one — the median of three files;
* in the big ledger: the fee-account register (2,000 units) saved, then re-saved whole
  with one row changed (its move-outs judged again); the schedule's sweep with no file (deadlines come due); the
  daily to-do list (待办与逾期日报) and the weekly report, produced as the schedule does.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 12, 1, 10, 0)  # a Tuesday morning
START = NOW - timedelta(days=365)
UNITS = [f"{b}-{f:02d}{r:02d}" for b in range(1, 11) for f in range(1, 21) for r in range(1, 11)]  # 2,000
DEPTS = ["工程部", "客服中心", "秩序部", "保洁部"]
ITEMS = [("更换水龙头", "供水设备维修类", 20), ("疏通下水道", "供水设备维修类", 50), ("安装吸顶灯", "供电设备维修类", 30),
         ("更换门锁", "家庭物品维修类", 30)]
EVENT_SHARES = {"repair": 0.4, "complaint": 0.1, "request": 0.1, "special_service": 0.16, "parking_temp": 0.2,
                "visit": 0.04}
BATCH = 20_000
RECENT = timedelta(days=60)  # findings stored for records this recent (older ones are long closed)


# --- the ledger --------------------------------------------------------------------------


def _event(reg: str, i: int, k: int, rng: random.Random) -> tuple[str, dict[str, Any]]:
    t = (START + timedelta(days=365 * i / k)).replace(hour=8 + rng.randrange(9), minute=rng.randrange(60))
    # Anything older than two weeks is long finished; a few recent ones are still open.
    done = None if t > NOW - timedelta(days=14) and rng.random() < 0.05 else t + timedelta(hours=rng.choice([1, 2, 5]))
    room = rng.choice(UNITS)
    if reg == "repair":
        return f"BX{i:07d}", {"单号": f"BX{i:07d}", "房号": room, "报修人": "业主", "联系电话": "13812345678",
                              "报修时间": t, "维修内容": "水管漏水", "紧急程度": "紧急" if i % 10 == 0 else "一般",
                              "接报人": f"工{i % 7}", "完成时间": done,
                              "回访时间": done + timedelta(hours=20) if done else None}
    if reg == "complaint":
        return f"TS{i:07d}", {"编号": f"TS{i:07d}", "受理时间": t, "投诉人": f"客户{i % 900}", "房号": room,
                              "投诉内容": "噪音扰民", "事件": f"事件{i // 30}" if i % 3 == 0 else None,
                              "被投诉部门": DEPTS[i % 4], "性质": "有效", "等级": "轻微",
                              "转报时间": t + timedelta(minutes=5), "解决时间": done,
                              "回访时间": done + timedelta(hours=3) if done else None}
    if reg == "request":
        return f"XQ{i:07d}", {"编号": f"XQ{i:07d}", "受理时间": t, "客户": f"客户{i % 900}", "房号": room,
                              "内容": "咨询", "转报部门": DEPTS[i % 4], "转报时间": t + timedelta(minutes=5),
                              "回复时间": done}
    if reg == "special_service":
        item, cat, price = ITEMS[i % len(ITEMS)]
        return f"TF{i:07d}", {"单号": f"TF{i:07d}", "受理时间": t, "受理人": f"助理{i % 9}", "房号": room,
                              "客户": "业主", "服务项目": item, "类别": cat, "数量": 1, "单价": Decimal(price),
                              "金额": Decimal(price), "完成时间": done,
                              "回访时间": done + timedelta(hours=5) if done else None}
    if reg == "parking_temp":
        plate = f"川A{i % 99999:05d}"
        return f"{plate}|{t.isoformat()}", {"车牌号": plate, "入场时间": t, "出场时间": t + timedelta(hours=1),
                                            "实收金额": Decimal(2)}
    v = {"日期": t.date(), "拜访人": f"助理{i % 9}", "部门": DEPTS[i % 4], "客户": f"客户{i}", "方式": "上门"}
    return f"{v['日期']}|{v['拜访人']}|{v['客户']}", v


def _standing(rng: random.Random) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for n, unit in enumerate(UNITS):
        paid = date(2026, 12, 31) if n % 20 else date(2026, 8, 31)  # one unit in twenty owes
        yield "fee_account", unit, {"房号": unit, "业主": f"业主{n}", "联系电话": "13812345678",
                                    "建筑面积": Decimal("88.5"), "单价": Decimal("2.35"), "已缴至": paid}
        yield "handover", unit, {"房号": unit, "业主": f"业主{n}", "联系电话": "13812345678",
                                 "建筑面积": Decimal("88.5"), "物业费单价": Decimal("2.35"),
                                 "交房日期": date(2024, 1, 1) + timedelta(days=n % 300), "预收月数": 6}
    for i in range(3000):
        unit = rng.choice(UNITS)
        yield "move_out", f"FX{i:05d}", {"编号": f"FX{i:05d}", "房号": unit, "携带人": "业主", "身份": "业主",
                                          "物品": "家具", "日期": (NOW - timedelta(days=i % 300)).date()}
    for i in range(1500):
        start = date(2026, 1, 1) + timedelta(days=i % 330)
        yield "parking_card", f"YK{i:05d}", {"卡号": f"YK{i:05d}", "车主": f"业主{i}", "房号": UNITS[i],
                                              "车牌号": f"川B{i:05d}", "起租日期": start,
                                              "到期日期": start + timedelta(days=364), "实收金额": None}
    for i in range(1000):
        applied = (NOW - timedelta(days=i % 360)).date()
        yield "renovation", f"ZX{i:05d}", {"编号": f"ZX{i:05d}", "房号": UNITS[i * 2], "业主": f"业主{i}",
                                            "申请日期": applied, "审批日期": applied + timedelta(days=2),
                                            "建筑面积": Decimal("88.5"), "消防审批": "是",
                                            "装修押金": Decimal(2000), "竣工验收日期": applied + timedelta(days=60)}
    for i in range(500):
        yield "renovation_violation", f"WZ{i:05d}", {"编号": f"WZ{i:05d}", "房号": UNITS[i * 4],
                                                     "日期": (NOW - timedelta(days=i % 300)).date(),
                                                     "违章内容": "擅自改动承重墙", "严重程度": "一般",
                                                     "违约金": Decimal(200)}


def _bulk_insert() -> Callable[[Any, Any, list[dict[str, Any]]], None]:
    """The ledger's own bulk path (executemany through the driver, COPY on PostgreSQL)
    where there is one; else the same done here."""
    try:
        from toolkit.bulk import insert_many
        return insert_many
    except ImportError:
        pass

    def insert_many(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        names = list(rows[0])
        raw = conn.connection.driver_connection
        if conn.dialect.name == "postgresql":
            cols = ", ".join(f'"{n}"' for n in names)
            with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({cols}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row([r[n] for n in names])
            return
        def conv(v: Any) -> Any:  # as SQLAlchemy stores a DateTime in SQLite
            return v.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(v, datetime) else v
        sql = f'INSERT INTO {table.name} ({", ".join(chr(34) + n + chr(34) for n in names)}) VALUES ({", ".join("?" * len(names))})'
        raw.executemany(sql, [[conv(r[n]) for n in names] for r in rows])

    return insert_many


def _saved(v: dict[str, Any]) -> datetime:
    """When staff saved the record last: its latest time (a register is saved as it fills in)."""
    times = [x for x in v.values() if isinstance(x, datetime)]
    if times:
        return min(max(times), NOW - timedelta(hours=1))
    days = [x for x in v.values() if isinstance(x, date)]
    return min(datetime.combine(max(days), datetime.min.time()), NOW - timedelta(hours=1)) if days else START


def generate(ctx: Any, n: int, seed: int = 7) -> dict[str, float]:
    """``n`` records straight into the ledger's tables, their recent findings, the term index."""

    from toolkit.codec import encode
    from toolkit.ledger import records
    from toolkit.ruleset import evaluate_all, store, terms
    from toolkit.ruleset.hook import rules_hook
    from toolkit.ruleset.incremental import term_columns
    from toolkit.ruleset.timing import OPEN_STATUSES
    from toolkit.workcal import WorkCalendar

    rng = random.Random(seed)
    led = ctx.ledger
    hook = rules_hook(ctx)
    rules = [r for p in hook.ruleset.packs for r in p.rules]
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    standing: dict[str, dict[str, dict[str, Any]]] = {}
    for reg, key, v in _standing(rng):
        standing.setdefault(reg, {})[key] = v
    events = max(0, n - sum(len(v) for v in standing.values()))
    recent: dict[str, dict[str, dict[str, Any]]] = {}

    def rows() -> Iterator[tuple[str, str, dict[str, Any]]]:
        for reg, got in standing.items():
            for key, v in got.items():
                yield reg, key, v
        for reg, share in EVENT_SHARES.items():
            k = int(events * share)
            for i in range(k):
                key, v = _event(reg, i, k, rng)
                if _saved(v) >= NOW - RECENT:
                    recent.setdefault(reg, {})[key] = v
                yield reg, key, v

    insert_many = _bulk_insert()
    batch: list[dict[str, Any]] = []
    count = 0
    with led.transaction() as conn:
        for reg, key, v in rows():
            saved = _saved(v)
            batch.append({"site": led.site, "register": reg, "key": key, "values_json": encode(v), "version": 1,
                          "first_seen": saved, "updated_at": saved, "last_file_id": None})
            if len(batch) >= BATCH:
                insert_many(conn, records, batch)
                count += len(batch)
                batch = []
        if batch:
            insert_many(conn, records, batch)
            count += len(batch)
    times["records"] = time.perf_counter() - t0

    # The findings the rules left: standing registers whole, event records of the last 60 days.
    t0 = time.perf_counter()
    state = {**standing, **recent}
    found = evaluate_all(state, hook.ruleset, WorkCalendar(hook.calendar), NOW - timedelta(hours=1),
                         only=[r.name for r in rules])
    seen: set[tuple[str, str, str]] = set()
    plan: dict[str, list] = {"insert": [], "update": [], "close": []}
    for f in found:
        ident = (f.rule, f.register, f.record)
        if ident not in seen:
            seen.add(ident)
            plan["insert"].append((f, store.facts_hash(f), f.status in OPEN_STATUSES))
    at = NOW - timedelta(hours=1)
    with led.transaction() as conn:
        rows = [{"site": led.site, "rule": f.rule, "register": f.register, "record": f.record,
                 **store._row(f, h, is_open, at), "first_seen": at, "updated_at": at, "resolved_at": None}
                for f, h, is_open in plan["insert"]]
        for i in range(0, len(rows), BATCH):
            insert_many(conn, store.rule_findings, rows[i:i + BATCH])
    times["findings"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    terms.ensure(led, term_columns(hook.ruleset.packs))
    if not led.is_sqlite:  # the planner's statistics, as autovacuum keeps them on a ledger that grew
        from sqlalchemy import text

        with led.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    times["index"] = time.perf_counter() - t0
    times["count"] = count
    times["stored_findings"] = len(plan["insert"])
    return times


# --- what is timed -----------------------------------------------------------------------


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - w0, time.process_time() - c0, out


REPAIR = ["单号", "房号", "报修人", "联系电话", "报修时间", "维修内容", "紧急程度", "预约时间", "接报人",
          "完成时间", "是否有偿", "材料费", "人工费", "回访时间", "回访结果"]
FEE = ["房号", "业主", "联系电话", "建筑面积", "单价", "已缴至", "欠费金额"]


def _xlsx(path: Path, title: str, header: list[str], rows: list[list[Any]]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(title)
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def three_rows(tmp: Path, n: int) -> Path:
    t = NOW - timedelta(minutes=30)
    rows = [[f"NEW{n:03d}{i}", UNITS[i], "张先生", "13812345678", t, "灯不亮", "一般", None, "李四",
             None, "否", None, None, None, None] for i in range(3)]
    return _xlsx(tmp / f"报修{n}.xlsx", "报修登记", REPAIR, rows)


def fee_register(tmp: Path, changed: bool) -> Path:
    """The estate's fee register as the cashier saves it; ``changed``: one unit that owed
    has paid up to November (its move-outs are judged again)."""
    rows = []
    for n, unit in enumerate(UNITS):
        paid = date(2026, 12, 31) if n % 20 else date(2026, 8, 31)
        if changed and n == 40:
            paid = date(2026, 11, 30)
        rows.append([unit, f"业主{n}", "13812345678", 88.5, 2.35, paid, None])
    return _xlsx(tmp / f"物业费台账{'-2' if changed else ''}.xlsx", "物业费台账", FEE, rows)


def process(ctx: Any, path: Path, now: datetime) -> tuple[float, float, float]:
    """(wall, cpu, rules' own wall) of one file through the whole pipeline."""
    from toolkit.pipeline import process_paths
    from toolkit.ruleset.hook import rules_hook

    hook = rules_hook(ctx)
    spent = [0.0]
    original = hook.evaluate

    def evaluate(*a: Any, **kw: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return original(*a, **kw)
        finally:
            spent[0] += time.perf_counter() - t0

    hook.evaluate = evaluate  # type: ignore[method-assign]
    try:
        wall, cpu, summary = timed(lambda: process_paths(ctx, [path], now))
    finally:
        hook.evaluate = original  # type: ignore[method-assign]
    assert summary.files[0].status in ("accepted", "partial"), summary.files[0].status
    return wall, cpu, spent[0]


def workspace(tmp: Path, name: str, pg_admin: str | None) -> Any:
    from benchmark import fresh_workspace, pg_home  # the other benchmark's workspace and database

    from toolkit.pipeline import open_context
    from toolkit.workspace import Workspace

    home = fresh_workspace(tmp / name)
    if pg_admin:
        os.environ["TOOLKIT_DATABASE_URL"] = pg_home(home, pg_admin, name)
    else:
        os.environ.pop("TOOLKIT_DATABASE_URL", None)
    return open_context(Workspace(home))


def drop_pg(pg_admin: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    eng = create_engine(pg_admin, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS tk_bench_{name}_{os.getpid()} WITH (FORCE)"))
    eng.dispose()


# What each run measured, for a side-by-side table (scripts/benchmark.py):
# {figure: {database: (wall, cpu)}}.
FIGURES: dict[str, dict[str, tuple[float, float]]] = {}


def show(label: str, wall: float, cpu: float, extra: str = "", *, key: str | None = None,
         db: str | None = None) -> None:
    print(f"  {label:<52} {wall:7.3f} s wall {cpu:7.3f} s CPU{extra}", flush=True)
    if key and db:
        FIGURES.setdefault(key, {})[db] = (wall, cpu)


def three_files(ctx: Any, tmp: Path, base: int) -> tuple[float, float, float]:
    runs = [process(ctx, three_rows(tmp, base + i), NOW + timedelta(minutes=i)) for i in range(3)]
    return tuple(statistics.median(r[i] for r in runs) for i in range(3))  # type: ignore[return-value]


def bench(db: str, pg_admin: str | None, sizes: tuple[int, int], tmp: Path) -> None:
    from toolkit.reports.catalog import period_for_slot, report_kinds
    from toolkit.reports.run import produce
    from toolkit.reports.settings import load_schedule
    from toolkit.ruleset.hook import sweep

    print(f"[{db}]", flush=True)
    empty = workspace(tmp, f"{db}_empty", pg_admin)
    three_files(empty, tmp, 900)  # warm up: imports, templates, first clock sweep
    w0, c0, r0 = three_files(empty, tmp, 0)
    show("3-row file into an empty ledger", w0, c0, f"  (rules {r0:.3f} s)", key="3 rows, empty ledger", db=db)
    empty.close()
    for n in sizes:
        ctx = workspace(tmp, f"{db}_{n}", pg_admin)
        c0 = time.process_time()
        g = generate(ctx, n)
        print(f"  ledger of {g['count']:,} records generated: {g['records']:.1f} s records, "
              f"{g['findings']:.1f} s findings ({g['stored_findings']:,} stored), {g['index']:.1f} s index "
              f"(wall; {time.process_time() - c0:.1f} s CPU)", flush=True)
        w, c, _ = timed(lambda ctx=ctx: sweep(ctx, NOW, clock=True))
        show(f"daily clock sweep (no file) at {n:,}", w, c, key=f"daily clock sweep at {n:,}", db=db)
        w, c, r = three_files(ctx, tmp, 100 + n % 97)
        show(f"3-row file into {g['count']:,} records", w, c, f"  (rules {r:.3f} s; × {w / w0:.1f} the empty ledger)",
             key=f"3 rows into {n:,} records", db=db)
        if n == max(sizes):
            w, c, r = process(ctx, fee_register(tmp, False), NOW + timedelta(minutes=20))
            show(f"fee register ({len(UNITS):,} rows) saved (reminders drafted)", w, c, f"  (rules {r:.3f} s)")
            w, c, r = process(ctx, fee_register(tmp, True), NOW + timedelta(minutes=25))
            show(f"fee register ({len(UNITS):,} rows) re-saved, one row changed", w, c,
                 f"  (rules {r:.3f} s; target < 1 s)", key=f"one row changed, {n:,} records", db=db)
            w, c, _ = timed(lambda ctx=ctx: sweep(ctx, NOW + timedelta(hours=3)))
            show("schedule's sweep, 3 hours later, no file", w, c, key=f"due sweep, {n:,} records", db=db)
            schedule = load_schedule(ctx.ws.rules)
            kinds = report_kinds(ctx.ws.rules)
            for name, slot in (("daily_due", NOW.replace(hour=8, minute=30)),
                               ("weekly", datetime(2026, 12, 4, 17, 0))):
                period = period_for_slot(kinds[name], slot)
                w, c, _ = timed(lambda ctx=ctx, name=name, slot=slot, period=period, schedule=schedule:
                                produce(ctx, name, slot, period, schedule, kind=f"bench:{name}"))
                show(f"{kinds[name].title} at {g['count']:,} records", w, c, "  (target < 5 s)",
                     key=f"{name} report, {n:,} records", db=db)
        ctx.close()
        if pg_admin:
            drop_pg(pg_admin, f"{db}_{n}")
    if pg_admin:
        drop_pg(pg_admin, f"{db}_empty")


def main(argv: list[str] | None = None) -> None:
    # Word files only while measuring; set here, not on import: a test that imports this
    # module for its ledger must not switch PDFs off for every later test of its process.
    os.environ.setdefault("TOOLKIT_PDF", "off")
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--small", type=int, default=20_000)
    ap.add_argument("--pg-url", default=os.environ.get("TOOLKIT_TEST_PG_URL"),
                    help="a PostgreSQL server whose role may create databases (default: TOOLKIT_TEST_PG_URL)")
    ap.add_argument("--sqlite-only", action="store_true")
    ap.add_argument("--pg-only", action="store_true")
    args = ap.parse_args(argv)
    print("cost of a file against the size of the ledger (targets: 3 rows < 0.1 s at 20,000 records, "
          "< 0.2 s at 1,000,000; one changed row of a re-saved register < 1 s)", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench-incremental-"))
    try:
        sizes = (args.small, args.records)
        if not args.pg_only:
            bench("sqlite", None, sizes, tmp)
        if args.pg_url and not args.sqlite_only:
            bench("postgresql", args.pg_url, sizes, tmp)
        elif not args.sqlite_only:
            print("[postgresql] skipped: no server (--pg-url or TOOLKIT_TEST_PG_URL)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
