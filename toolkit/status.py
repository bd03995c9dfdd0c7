"""``toolkit status``: what is waiting, what ran last, how files turned out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import outbox
from .intake import inbox_files
from .ledger import Ledger
from .retries import load_state
from .workspace import Workspace

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
        "last_runs": [
            {k: r.get(k) for k in ("id", "kind", "status", "started_at", "finished_at")}
            for r in ledger.runs(limit=10)
        ],
    }
