"""``toolkit status``: what is waiting, what ran last, how files turned out, in Chinese."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .intake import inbox_files
from .ledger import Ledger
from .problems import STATUS_ZH
from .workspace import Workspace

RUN_KINDS = {"process": "手动处理", "watch": "收件箱处理", "report": "生成报表"}
RUN_STATUS = {"done": "完成", "failed": "失败", "running": "进行中"}


def _titles(ws: Workspace) -> dict[str, str]:
    """Register names → titles (登记表 names); empty when the rules cannot be read."""
    from .registers import load_registers
    from .rulesfile import RulesError

    try:
        return {name: spec.title for name, spec in load_registers(ws.rules).items()}
    except (RulesError, OSError):
        return {}


def _report_titles() -> dict[str, str]:
    from .reports.catalog import REPORTS

    return {name: kind.title for name, kind in REPORTS.items()}


def run_kind(kind: str) -> str:
    if kind.startswith("schedule:"):
        name = kind.split(":", 1)[1]
        return f"定时报表 {_report_titles().get(name, name)}"
    return RUN_KINDS.get(kind, kind)


def _count(folder: Any, pattern: str) -> int:
    return sum(1 for _ in folder.glob(pattern)) if folder.is_dir() else 0


def workspace_status(ws: Workspace, ledger: Ledger) -> dict[str, Any]:
    waiting = inbox_files(ws.inbox) if ws.inbox.is_dir() else []
    site = ws.site
    return {
        "site": {"code": site.code, "name": site.name},
        "home": str(ws.home),
        "waiting": [str(p.relative_to(ws.inbox)) for p in waiting],
        "files_by_status": ledger.file_counts(),
        "unfinished": [f["name"] for f in ledger.pending_files()],
        "registers": ledger.registers_seen(),
        "returns_open": _count(ws.returns, "*.xlsx"),
        "drafts_unsigned": _count(ws.drafts, "*.docx"),
        "last_runs": [
            {k: r.get(k) for k in ("id", "kind", "status", "started_at", "finished_at")}
            for r in ledger.runs(limit=10)
        ],
    }


def status_lines(ws: Workspace, info: dict[str, Any]) -> list[str]:
    """``info`` as staff read it."""
    titles = _titles(ws)
    out = [f"站点：{info['site']['name']}（{info['site']['code']}）", f"工作区：{info['home']}",
           f"收件箱待处理：{len(info['waiting'])} 个文件"]
    out += [f"    {name}" for name in info["waiting"][:20]]
    if len(info["waiting"]) > 20:
        out.append(f"    ……另有 {len(info['waiting']) - 20} 个")
    counts = info["files_by_status"]
    shown = "，".join(f"{STATUS_ZH.get(k, '处理中' if k == 'processing' else k)} {v} 个" for k, v in counts.items())
    out.append("已处理文件：" + (shown or "无"))
    if info["unfinished"]:
        out.append(f"未处理完（下次运行时继续）：{'、'.join(info['unfinished'])}")
    out.append(f"待改正的退回批注：{info['returns_open']} 份（outbox/退回批注/）")
    out.append(f"待签发的文书草稿：{info['drafts_unsigned']} 份（outbox/文书草稿/，在发文登记.xlsx 中签发）")
    regs = "，".join(f"{titles.get(k, k)} {v} 条" for k, v in info["registers"].items())
    out.append("登记表记录：" + (regs or "无"))
    if info["last_runs"]:
        out.append("最近运行：")
    for r in info["last_runs"]:
        at = r["started_at"]
        when = at.strftime("%Y-%m-%d %H:%M") if isinstance(at, datetime) else str(at or "")
        out.append(f"    第 {r['id']} 次  {when}  {run_kind(r['kind'])}  {RUN_STATUS.get(r['status'], r['status'])}")
    return out
