"""``toolkit status``: what is waiting, what ran last, how files turned out, in Chinese."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from . import outbox
from .intake import inbox_files
from .ledger import Ledger
from .problems import STATUS_ZH
from .retries import load_state
from .workspace import Workspace

RUN_KINDS = {"process": "手动处理", "watch": "收件箱处理", "report": "生成报表"}
RUN_STATUS = {"done": "完成", "failed": "失败", "running": "进行中"}


def _titles(ws: Workspace) -> dict[str, str]:
    """Register names → titles (登记表 names); empty when the rules cannot be read."""
    from .registers import load_registers
    from .rulesfile import RulesError

    try:
        return {name: spec.title for name, spec in load_registers(ws.rules).items()}
    except (RulesError, OSError, TypeError):
        return {}


def _report_titles(ws: Workspace) -> dict[str, str]:
    """Report names → titles of the workspace's packs; empty when they cannot be read."""
    try:
        from .reports.catalog import report_kinds

        return {name: kind.title for name, kind in report_kinds(ws.rules).items()}
    except Exception:  # noqa: BLE001 - status must show whatever it can
        return {}


def run_kind(kind: str, titles: dict[str, str] | None = None) -> str:
    if kind.startswith("schedule:"):
        name = kind.split(":", 1)[1]
        return f"定时报表 {(titles or {}).get(name, name)}"
    return RUN_KINDS.get(kind, kind)


def _count(folder: Any, pattern: str) -> int:
    return sum(1 for _ in folder.glob(pattern)) if folder.is_dir() else 0


KIND_ZH = {
    "return_copy": "退回批注",
    "note": "未能处理说明",
    "document": "文书",
    "number": "文书（已占文号）",
    "pdf": "PDF",
    "register": "发文登记",
    "approvals": "签批",
}


def _not_processed(ledger: Ledger, limit: int = 20) -> list[dict[str, Any]]:
    """Recent files the toolkit could not take (unreadable, no register recognised)."""
    out = []
    for f in ledger.files(limit=200):
        if f["status"] == "rejected":
            summary = f["summary"] or {}
            out.append({"name": f["name"], "reason": summary.get("message") or "没有有效记录。",
                        "at": f["finished_at"]})
        if len(out) >= limit:
            break
    return out


def workspace_status(ws: Workspace, ledger: Ledger) -> dict[str, Any]:
    waiting = inbox_files(ws.inbox) if ws.inbox.is_dir() else []
    site = ws.site
    return {
        "site": {"code": site.code, "name": site.name},
        "home": str(ws.home),
        "waiting": [str(p.relative_to(ws.inbox)) for p in waiting],
        "files_by_status": ledger.file_counts(),
        "unfinished": [f["name"] for f in ledger.pending_files()],
        "set_aside": [
            {"name": str(Path(r["path"]).name), "attempts": r["attempts"], "reason": r["reason"],
             "set_aside": r["set_aside"]}
            for r in load_state(ws.var)
        ],
        "rejected": _not_processed(ledger),
        "outputs_pending": [{**o, "kind_zh": KIND_ZH.get(o["kind"], o["kind"])} for o in outbox.pending(ledger)],
        "outputs": outbox.counts(ledger),
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
    for r in info["set_aside"]:
        state = "已搁置" if r["set_aside"] else "稍后重试"
        out.append(f"处理失败（{state}，已试 {r['attempts']} 次）：{r['name']} —— {r['reason']}")
    for r in info["rejected"][:10]:
        out.append(f"未能处理：{r['name']} —— {r['reason']}（说明见 outbox/退回批注/）")
    pending = info["outputs_pending"]
    out.append(f"待写出的输出：{len(pending)} 项" if pending else "待写出的输出：无")
    for o in pending[:20]:
        why = f"，原因：{o['reason']}，{o['next_try_in_s']} 秒后重试" if o["reason"] else ""
        out.append(f"    {o['kind_zh']} {o['target']}（已试 {o['attempts']} 次{why}）")
    out.append(f"待改正的退回批注：{info['returns_open']} 份（outbox/退回批注/）")
    out.append(f"待签发的文书草稿：{info['drafts_unsigned']} 份（outbox/文书草稿/，在发文登记.xlsx 中签发）")
    regs = "，".join(f"{titles.get(k, k)} {v} 条" for k, v in info["registers"].items())
    out.append("登记表记录：" + (regs or "无"))
    if info["last_runs"]:
        out.append("最近运行：")
    reports = _report_titles(ws) if any(r["kind"].startswith("schedule:") for r in info["last_runs"]) else {}
    for r in info["last_runs"]:
        at = r["started_at"]
        when = at.strftime("%Y-%m-%d %H:%M") if isinstance(at, datetime) else str(at or "")
        out.append(f"    第 {r['id']} 次  {when}  {run_kind(r['kind'], reports)}  {RUN_STATUS.get(r['status'], r['status'])}")
    return out
