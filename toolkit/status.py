"""``toolkit status``: what is waiting, what ran last, how files turned out."""

from __future__ import annotations

from typing import Any

from .intake import inbox_files
from .ledger import Ledger
from .workspace import Workspace


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
        "last_runs": [
            {k: r.get(k) for k in ("id", "kind", "status", "started_at", "finished_at")}
            for r in ledger.runs(limit=10)
        ],
    }
