"""Plain values passed between the stages of the pipeline.

Every stage takes and returns these; none of them knows about openpyxl cells,
SQL rows or Word documents.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

# --- what a reader hands over -------------------------------------------------


@dataclass(frozen=True)
class ErrorValue:
    """A cell holding a spreadsheet error such as ``#DIV/0!``."""

    text: str

    def __str__(self) -> str:  # what the cell shows in Excel
        return self.text


@dataclass(frozen=True)
class NoCachedValue:
    """A formula cell saved without a computed value (e.g. written by a script)."""

    formula: str = ""

    def __str__(self) -> str:  # what staff typed into the cell
        return self.formula if not self.formula or self.formula.startswith("=") else f"={self.formula}"


@dataclass
class RawSheet:
    """One sheet as read from a file: values only, with their true positions.

    ``rows`` holds ``(sheet_row_number, values)`` pairs; row numbers are 1-based as
    staff see them in Excel, values are indexed by 0-based column. Empty rows may be
    left out. ``merged`` lists merged ranges as ``(min_row, min_col, max_row, max_col)``,
    1-based, where the reader knows them.
    """

    name: str
    rows: list[tuple[int, list[Any]]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)


@dataclass
class Workbook:
    """A whole input file after reading: its sheets and how it was read."""

    path: str
    format: str  # xlsx, xls, ods, csv
    sheets: list[RawSheet]
    notes: list[str] = field(default_factory=list)  # e.g. "read as GBK", "renamed .xls"


class UnreadableFile(Exception):
    """A file that cannot be taken as a workbook, with a reason staff can read."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


# --- what validation and rules produce ---------------------------------------


# Codes of advice on a value that was accepted (fields.cell_warnings: a VIN's check
# digit). Shown on the return copy, to check rather than correct, they hold no file back:
# a file whose only problems are these is accepted, and saving it again settles its copy.
ADVISORY_CODES = frozenset({"vin.check_digit"})


def is_advisory(code: str | None) -> bool:
    return code in ADVISORY_CODES


@dataclass(frozen=True)
class CellError:
    """One problem in one cell (or row, or sheet) of an input file."""

    sheet: str
    row: int | None
    column: str | None
    cell: str | None
    code: str
    message: str
    value: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Record:
    """A valid row: its register, key, typed values and where it came from (slots: a
    100,000-row register makes as many)."""

    register: str
    key: str
    values: dict[str, Any]
    sheet: str
    row: int
    # Column name → 0-based column index in the sheet, so a finding can mark its cell.
    columns: dict[str, int] = field(default_factory=dict, repr=False, compare=False)


# A finding's value (a date) withdrawing the unsigned drafts its rule's documents
# (``void_when_resolved`` types) have for its record dated on or after it, while the
# finding stays open: a demand whose ground ended that day (a contract marked 解除).
WITHDRAW_DRAFTS_FROM = "withdraw_drafts_from"
# A notice finding's flag: its documents are for an event already past when its record
# came back from a 作废 mark (the car gone meanwhile), so none is drafted anew; a draft
# voided with the record for the same facts is restored under its own number.
RESTORE_ONLY = "restore_only"
# A notice finding's flag: the record it is about stands, but what its documents serve was
# marked 作废 (the 委托书 an extra item's slip belongs to): its unsigned drafts are withdrawn
# as a 作废 row's are, and come back the same way should the flag go.
DRAFTS_WITHDRAWN = "drafts_withdrawn"


@dataclass
class Finding:
    """What a rule says about a record: a deadline, a fee, an escalation, a block."""

    rule: str
    register: str
    record: str
    severity: str  # info, warning, error, blocking
    message: str
    status: str = "open"  # met, pending, due_soon, overdue, open, resolved
    due: datetime | None = None
    overdue_minutes: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    notice: str | None = None  # document type this finding asks for, if any
    state: str = "new"  # new, ongoing, resolved (set by the ledger)
    # When the clock alone may change what the rule says about this record (a no-show
    # once the grace time passes): the record is judged again then, with no file.
    # Deadlines (``due``) are judged again anyway; not a fact of the case.
    wake: datetime | None = None
    # Set by the ledger: an ongoing finding whose stored wake time has come. Its facts are
    # as before, but what its unsigned document prints may have moved with the clock (the
    # months owed on the 1st), so it goes to the documents as a new one would.
    woken: bool = False

    def fingerprint_facts(self) -> dict[str, Any]:
        """The facts whose change makes an issued finding new again."""
        return {"severity": self.severity, "due": self.due, "values": self.values}

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "register": self.register,
            "record": self.record,
            "severity": self.severity,
            "status": self.status,
            "state": self.state,
            "due": self.due.isoformat() if self.due else None,
            "overdue": self.overdue_minutes is not None and self.overdue_minutes > 0,
            "overdue_minutes": self.overdue_minutes,
            "values": jsonable(self.values),
            "notice": self.notice,
            "message": self.message,
        }


@dataclass
class RowCounts:
    total: int = 0
    valid: int = 0
    rejected: int = 0
    voided: int = 0  # rows marked 作废 that retire a record (voids.py)


@dataclass
class FileResult:
    path: str
    status: str  # accepted, partial, rejected, duplicate, ignored, busy (another process has it)
    registers: list[str] = field(default_factory=list)
    rows: RowCounts = field(default_factory=RowCounts)
    errors: list[CellError] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # Findings about this file's rows that someone must act on, placed on their cells;
    # they go into the return copy beside the errors but do not hold any row back.
    actions: list[CellError] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    message: str | None = None
    changes: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    sha256: str | None = None
    # Records whose key this file corrects (corrections.Correction), found before the
    # hooks; ``applied`` once the commit retired the old record.
    corrections: list[Any] = field(default_factory=list)
    # Rows marked 作废 whose key was read (voids.Voided): the records they retire.
    voided: list[Any] = field(default_factory=list)
    # Bytes taken before and taken again because their workbook was saved since with
    # other contents ({"same_as": file id, "after": file id}; pipeline._process_bytes).
    again_of: dict[str, int] | None = None
    # Rows an earlier save of this workbook carried and this one lacks, by register
    # (corrections.Missing): their records stay, the person who saved is told.
    missing: list[Any] = field(default_factory=list)
    # Keys of the rows held back, by register (None: a sheet of it refused whole).
    held: dict[str, set[str] | None] = field(default_factory=dict, repr=False, compare=False)
    # The ledger's rows of this file's keys (corrections.Stored), read once before the
    # hooks and shared with the rules; let go once they have judged.
    stored: Any = field(default=None, repr=False, compare=False)

    def to_dict(self, limit: int | None = None) -> dict[str, Any]:
        """The file's summary; ``limit`` caps the error and finding lists (with totals kept)
        for what is stored, so a 100,000-row register does not store 100,000 findings twice."""
        errors = self.errors if limit is None else self.errors[:limit]
        findings = self.findings if limit is None else self.findings[:limit]
        return {
            "path": self.path,
            "status": self.status,
            "register": self.registers,
            "rows": _rows(self.rows),
            "errors_total": len(self.errors),
            "findings_total": len(self.findings),
            "errors": [e.to_dict() for e in errors],
            "findings": [f.to_dict() for f in findings],
            "actions": [a.to_dict() for a in self.actions],
            "outputs": self.outputs,
            "message": self.message,
            "changes": self.changes,
            "sha256": self.sha256,
            **({"again_of": self.again_of} if self.again_of else {}),
            **({"missing": [m.to_dict() for m in self.missing]} if self.missing else {}),
        }


def _rows(rows: RowCounts) -> dict[str, int]:
    """The row counts; ``voided`` only where a row was marked 作废 (most files have none)."""
    out = asdict(rows)
    if not out["voided"]:
        del out["voided"]
    return out


@dataclass
class RunSummary:
    now: datetime
    files: list[FileResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    run_id: int | None = None

    def to_dict(self, limit: int | None = None) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "now": self.now.isoformat(),
            "files": [f.to_dict(limit) for f in self.files],
            "outputs": self.outputs,
            "warnings": self.warnings,
        }


def jsonable(value: Any) -> Any:
    """Turn Decimals, dates and nested containers into JSON-friendly values."""
    t = type(value)
    if t is str or t is int or t is bool or value is None:  # most values: as they are
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return int(value.total_seconds() // 60)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (ErrorValue, NoCachedValue)):
        return str(value)
    return value
