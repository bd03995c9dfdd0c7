"""The ``toolkit`` command: parses arguments, calls one library function, prints the result."""

from __future__ import annotations

import functools
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from .clock import local_now, parse_now
from .logs import setup_logging
from .rulesfile import RulesError
from .workspace import Workspace

STATUS_ZH = {
    "accepted": "已接收",
    "partial": "部分接收",
    "rejected": "已退回",
    "duplicate": "重复文件",
    "ignored": "已忽略",
    "busy": "他处处理中",
}


def common(fn):
    """Every command takes --home and --now."""

    @click.option("--home", type=click.Path(file_okay=False), default=None,
                  help="Workspace folder (default: $TOOLKIT_HOME or the current folder).")
    @click.option("--now", "now_text", default=None, metavar="ISO",
                  help="Pretend the time is this (Asia/Shanghai), e.g. 2026-11-23T14:30.")
    @functools.wraps(fn)
    def wrapper(home: str | None, now_text: str | None, **kwargs: Any):
        try:
            now = parse_now(now_text)
        except ValueError:
            raise click.BadParameter(f"not an ISO date-time: {now_text!r}", param_hint="--now") from None
        return fn(Workspace.resolve(home), now, **kwargs)

    return wrapper


def _open(ws: Workspace, register: bool = True):
    from sqlalchemy.exc import DBAPIError

    from .pipeline import open_context
    from .schema import SchemaOutOfDate

    try:
        return open_context(ws, register=register)
    except RulesError as exc:
        click.echo("规则文件有误，未开始处理：", err=True)
        for p in exc.problems:
            click.echo(f"  {p}", err=True)
        sys.exit(2)
    except SchemaOutOfDate as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    except DBAPIError as exc:
        if "permission denied" not in str(exc.orig):
            raise
        # e.g. the head office's read-only role used for processing files
        click.echo(f"数据库角色没有写入权限，未开始处理（{str(exc.orig).splitlines()[0]}）；"
                   "只读角色只能用于 report --all-sites。", err=True)
        sys.exit(2)


@click.group()
def main() -> None:
    """Register intake, rules, notices and reports for a property service center."""


@main.command()
@click.argument("directory", type=click.Path(file_okay=False), default=".")
@click.option("--pack", "packs", multiple=True, metavar="NAME",
              help="Pack to run (repeatable); added to an existing workspace's packs. Default: property.")
@click.option("--site-code", default=None, metavar="CODE",
              help="This site's short id (letters, digits, - _ .), unique among sites sharing a database.")
@click.option("--site-name", default=None, metavar="NAME", help="This site's name, e.g. 某某物业A区服务中心.")
@click.option("--number-prefix", default=None, metavar="TEXT",
              help="Start of this site's document numbers, e.g. 某某物业A区 (default: the company name).")
def init(directory: str, packs: tuple[str, ...], site_code: str | None, site_name: str | None,
         number_prefix: str | None) -> None:
    """Create a workspace (or add packs to one) with the packs' rules, templates and blank registers."""
    from .packs import read_pack_names
    from .setup_workspace import init_workspace
    from .site import check_code, write_site

    if (site_code is None) != (site_name is None):
        raise click.UsageError("--site-code 与 --site-name 需一起给出")
    if site_code is not None:
        try:
            check_code(site_code)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--site-code") from None
    try:
        written = init_workspace(Path(directory), list(packs))
    except RulesError as exc:
        _rules_problems(exc)
    if site_code is not None:
        written.append(write_site(Path(directory).resolve(), site_code, site_name or "", number_prefix))
        click.echo(f"site {site_code}（{site_name}）")
    running = "、".join(read_pack_names(Path(directory).resolve() / "rules"))
    click.echo(f"workspace ready at {Path(directory).resolve()} ({len(written)} files written; packs: {running})")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@common
def process(ws: Workspace, now: datetime | None, paths: tuple[str, ...], as_json: bool) -> None:
    """Run files (or folders) through the pipeline now."""
    from .pipeline import process_paths

    setup_logging(ws, quiet=as_json)
    ctx = _open(ws)
    try:
        summary = process_paths(ctx, [Path(p) for p in paths], now or local_now())
        from .documents import wait_for_pdfs
        from .documents.pdf import take_warnings

        wait_for_pdfs(timeout=300)  # PDFs convert in the background; let them land first
        summary.warnings.extend(take_warnings())
    finally:
        ctx.close()
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
        return
    for f in summary.files:
        click.echo(f"{STATUS_ZH.get(f.status, f.status)}  {f.path}  "
                   f"行 {f.rows.total} / 有效 {f.rows.valid} / 退回 {f.rows.rejected}  "
                   f"问题 {len(f.errors)}  提示 {len(f.findings)}")
        if f.message:
            click.echo(f"    {f.message}")
        for out in f.outputs:
            click.echo(f"    → {out}")
    for w in summary.warnings:
        click.echo(f"注意：{w}")


@main.command()
@click.option("--poll", type=float, default=None, metavar="SECONDS",
              help="Poll the folder (for network shares) instead of native events.")
@click.option("--settle", type=float, default=None, metavar="SECONDS",
              help="Quiet seconds before a saved file is taken (default 1; grows with its size).")
@common
def watch(ws: Workspace, now: datetime | None, poll: float | None, settle: float | None) -> None:
    """Watch inbox/ and process every file saved into it, until Ctrl-C."""
    from .scheduler import make_tick
    from .watch import watch as run_watch

    setup_logging(ws)
    ctx = _open(ws)
    try:
        try:
            tick = make_tick(ctx)
        except RulesError as exc:
            _rules_problems(exc)
        options = {"settle": settle} if settle else {}
        run_watch(ctx, poll=poll, now=now, tick=tick, **options)
    finally:
        ctx.close()


def _rules_problems(exc: RulesError) -> None:
    click.echo("规则文件有误：", err=True)
    for p in exc.problems:
        click.echo(f"  {p}", err=True)
    sys.exit(2)


@main.command()
@click.argument("name")
@click.option("--date", "day", default=None, metavar="YYYY-MM-DD", help="Day of a daily report.")
@click.option("--week", default=None, metavar="YYYY-Www", help="ISO week, e.g. 2026-W48.")
@click.option("--month", default=None, metavar="YYYY-MM", help="Month, e.g. 2026-11.")
@click.option("--json", "as_json", is_flag=True, help="Print what was produced as JSON.")
@click.option("--all-sites", "all_sites", is_flag=True,
              help="Head office: weekly/monthly across every site of the database (reads only).")
@common
def report(ws: Workspace, now: datetime | None, name: str, day: str | None, week: str | None,
           month: str | None, as_json: bool, all_sites: bool) -> None:
    """Produce a report now: daily_due, daily_repairs, weekly, parking_roster, monthly, property_status."""
    from .reports import UnknownReport, parse_day, parse_month, parse_week, produce

    chosen = [(f, v) for f, v in ((parse_day, day), (parse_week, week), (parse_month, month)) if v]
    if len(chosen) > 1:
        raise click.UsageError("--date、--week、--month 只能用一个")
    try:
        period = chosen[0][0](chosen[0][1]) if chosen else None
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    setup_logging(ws, quiet=as_json)
    ctx = _open(ws, register=not all_sites)
    try:
        if all_sites:
            from .reports.sites import produce_all_sites

            result = produce_all_sites(ctx, name, now or local_now(), period)
        else:
            result = produce(ctx, name, now or local_now(), period)
    except RulesError as exc:
        _rules_problems(exc)
    except (UnknownReport, ValueError) as exc:
        raise click.UsageError(str(exc)) from None
    finally:
        ctx.close()
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{result.title} {result.period.label}（截至 {result.as_of:%Y-%m-%d %H:%M}）")
    for label, value, before in result.headline:
        click.echo(f"    {label}：{value}" + (f"（上期 {before}）" if before else ""))
    for out in result.outputs:
        click.echo(f"    → {out}")


@main.group()
def rules() -> None:
    """Work with the rules folder."""


@rules.command("check")
@common
def rules_check(ws: Workspace, now: datetime | None) -> None:  # noqa: ARG001
    """Validate every file in rules/; exit 2 and name each problem if any."""
    from .packs import workspace_packs
    from .plugins import load_hooks
    from .registers import load_registers

    problems: list[str] = []
    specs: dict = {}
    packs: list = []
    try:
        packs = workspace_packs(ws.rules)
    except RulesError as exc:
        problems += exc.problems
    try:
        specs = load_registers(ws.rules)
    except RulesError as exc:
        problems += exc.problems
    for pack in packs:
        for name in pack.registers:
            if specs and name not in specs:
                problems.append(f"{ws.rules / 'registers' / (name + '.yaml')}: 业务包 {pack.name}（{pack.title}）"
                                f"的登记表 {name} 没有定义文件（可运行 toolkit init 补上）")
    try:
        load_hooks(ws)
    except RulesError as exc:
        problems += exc.problems
    try:
        from .reports import load_schedule

        load_schedule(ws.rules)
    except RulesError as exc:
        problems += exc.problems
    if problems:
        click.echo("规则文件有误：", err=True)
        for p in problems:
            click.echo(f"  {p}", err=True)
        sys.exit(2)
    names = "、".join(f"{p.name}（{p.title}）" for p in packs)
    click.echo(f"规则检查通过：业务包 {names}；{len(specs)} 个登记表（{'、'.join(s.title for s in specs.values())}）")


@main.command()
@click.option("--json", "as_json", is_flag=True)
@common
def status(ws: Workspace, now: datetime | None, as_json: bool) -> None:  # noqa: ARG001
    """Files waiting, last runs, counts by outcome."""
    from .status import workspace_status

    ws.ensure()
    ledger = _ledger(ws)
    try:
        info = workspace_status(ws, ledger)
    finally:
        ledger.close()
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2, default=str))
        return
    click.echo(f"站点：{info['site']['name']}（{info['site']['code']}）")
    click.echo(f"工作区：{info['home']}")
    click.echo(f"收件箱待处理：{len(info['waiting'])} 个文件")
    for name in info["waiting"][:20]:
        click.echo(f"    {name}")
    counts = info["files_by_status"]
    click.echo("已处理文件：" + ("，".join(f"{STATUS_ZH.get(k, k)} {v}" for k, v in counts.items()) or "无"))
    if info["unfinished"]:
        click.echo(f"未完成（将在下次运行时继续）：{'、'.join(info['unfinished'])}")
    for r in info["set_aside"]:
        state = "已搁置" if r["set_aside"] else "稍后重试"
        click.echo(f"处理失败（{state}，已试 {r['attempts']} 次）：{r['name']} —— {r['reason']}")
    for r in info["rejected"][:10]:
        click.echo(f"未能处理：{r['name']} —— {r['reason']}（说明见 outbox/退回批注/）")
    pending = info["outputs_pending"]
    click.echo(f"待写出的输出：{len(pending)} 项" if pending else "待写出的输出：无")
    for o in pending[:20]:
        why = f"，原因：{o['reason']}，{o['next_try_in_s']} 秒后重试" if o["reason"] else ""
        click.echo(f"    {o['kind_zh']} {o['target']}（已试 {o['attempts']} 次{why}）")
    click.echo("登记表记录：" + ("，".join(f"{k} {v}" for k, v in info["registers"].items()) or "无"))
    for r in info["last_runs"]:
        click.echo(f"    运行 #{r['id']} {r['kind']} {r['status']} {r['started_at']}")


def _ledger(ws: Workspace, check_schema: bool = True):
    """The workspace's ledger, opened as its site; schema problems end the command with a message."""
    from .ledger import Ledger
    from .schema import SchemaOutOfDate

    try:
        site = ws.site
    except RulesError as exc:
        _rules_problems(exc)
    try:
        return Ledger(ws.db_url, site.code, check_schema=check_schema)
    except SchemaOutOfDate as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)


@main.group()
def db() -> None:
    """The ledger database: schema versions and roles."""


@db.command("upgrade")
@common
def db_upgrade(ws: Workspace, now: datetime | None) -> None:  # noqa: ARG001
    """Bring the database's schema to this version (run as the role that owns the schema)."""
    from .schema import upgrade

    ledger = _ledger(ws, check_schema=False)
    try:
        before, after = upgrade(ledger)
    finally:
        ledger.close()
    if before == after:
        click.echo(f"数据库结构已是最新版本 {after}")
    else:
        click.echo(f"数据库结构已升级：{before or '空'} → {after}")


@db.command("grants")
@click.option("--app", "app_role", required=True, metavar="ROLE", help="Role of watch/process/report (reads and writes rows).")
@click.option("--reader", "reader_role", default=None, metavar="ROLE", help="Head-office role that only reads (--all-sites).")
@click.option("--apply", "apply_now", is_flag=True, help="Run the statements now (as the schema's owner).")
@common
def db_grants(ws: Workspace, now: datetime | None, app_role: str, reader_role: str | None,  # noqa: ARG001
              apply_now: bool) -> None:
    """Print (or run) the PostgreSQL grants for the day-to-day and head-office roles."""
    from .schema import grant_statements

    statements = grant_statements(app_role, reader_role)
    if not apply_now:
        click.echo("\n".join(s + ";" for s in statements))
        return
    ledger = _ledger(ws, check_schema=False)
    try:
        from sqlalchemy import text

        with ledger.transaction() as conn:
            for s in statements:
                conn.execute(text(s))
    finally:
        ledger.close()
    click.echo(f"已授权：{app_role}（读写数据）" + (f"，{reader_role}（只读）" if reader_role else ""))


if __name__ == "__main__":
    main()
