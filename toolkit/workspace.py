"""Where a workspace's folders and database are.

The repository root is itself a workspace; ``--home DIR`` or ``TOOLKIT_HOME`` points
every command at another one (e.g. a shared folder).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .site import Site, load_site


@dataclass(frozen=True)
class Workspace:
    home: Path

    @classmethod
    def resolve(cls, home: str | os.PathLike[str] | None = None) -> Workspace:
        chosen = home or os.environ.get("TOOLKIT_HOME") or Path.cwd()
        return cls(Path(chosen).expanduser().resolve())

    @property
    def inbox(self) -> Path:
        return self.home / "inbox"

    @property
    def outbox(self) -> Path:
        return self.home / "outbox"

    @property
    def rules(self) -> Path:
        return self.home / "rules"

    @property
    def templates(self) -> Path:
        return self.home / "templates"

    @property
    def var(self) -> Path:
        """Machine state: ledger, archive of originals, logs, locks. Not for staff."""
        return self.home / "var"

    @property
    def archive(self) -> Path:
        return self.var / "archive"

    @property
    def log_file(self) -> Path:
        return self.var / "toolkit.log"

    @property
    def site(self) -> Site:
        """The site this workspace belongs to (site.yaml; ``main`` without one)."""
        return load_site(self.home)

    @property
    def db_url(self) -> str:
        url = os.environ.get("TOOLKIT_DATABASE_URL")
        if url:
            return url
        return f"sqlite:///{self.var / 'ledger.sqlite'}"

    # Where each kind of output goes inside outbox/.
    @property
    def returns(self) -> Path:
        """Annotated copies of staff workbooks (问题批注)."""
        return self.outbox / "退回批注"

    @property
    def drafts(self) -> Path:
        return self.outbox / "文书草稿"

    @property
    def approved(self) -> Path:
        return self.outbox / "已审批文书"

    @property
    def reports(self) -> Path:
        return self.outbox / "报表"

    @property
    def runs(self) -> Path:
        return self.var / "runs"

    def ensure(self) -> None:
        for p in (self.inbox, self.outbox, self.var, self.archive, self.runs):
            p.mkdir(parents=True, exist_ok=True)
