"""Later stages of the pipeline (rules, documents) plug in as hooks.

A hook sees each file's valid records after validation and may add findings
(``evaluate``), write to the ledger inside the file's own transaction (``commit``) so
records and findings land together or not at all, and act after the commit
(``after_commit``: documents, which must never be issued for an uncommitted state).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from .model import FileResult, Record
from .workspace import Workspace


class Hook(Protocol):
    def evaluate(self, ctx: Any, result: FileResult, records: list[Record], now: datetime) -> Any: ...

    def commit(self, ctx: Any, conn: Any, result: FileResult, extra: Any, now: datetime) -> None: ...

    def after_commit(self, ctx: Any, result: FileResult, extra: Any, now: datetime) -> None: ...

    def warnings(self, ctx: Any) -> list[str]: ...


def load_hooks(ws: Workspace) -> list[Hook]:
    """The hooks for this workspace, each validating its own rules files on load."""
    from .documents.hook import DocumentsHook  # notices, numbering, dispatch register
    from .ruleset.hook import RulesHook  # deadlines, fees, escalations (rules/*.yaml, price list)

    # Order matters: documents are issued from the findings the rules hook just made.
    return [RulesHook.load(ws), DocumentsHook.load(ws)]
