"""Word documents from findings: numbered drafts, a dispatch register, approvals, PDFs.

* :func:`issue_documents` / :func:`issue_statement` — write drafts into outbox/文书草稿/
* :func:`apply_approvals` — the manager's sign-off from the dispatch register
* :func:`wait_for_pdfs` — let background PDF conversions finish (before exit)
* :func:`render_docx` — fill one template (compiled once per process)
"""

from typing import TYPE_CHECKING, Any

from .dispatch import apply_approvals, document_rows, sent_documents, write_register
from .issue import documents_config, issue_document, issue_documents, issue_statement
from .numbering import allocate
from .pdf import wait_for_pdfs
from .pdf import warnings as pdf_warnings
from .settings import DocumentsConfig, load_documents_config

if TYPE_CHECKING:
    from .render import DocumentError, render_docx


def __getattr__(name: str) -> Any:
    # The renderer (docxtpl, Jinja, lxml) is imported on first use: most processes
    # that load this package issue no document.
    if name in ("DocumentError", "render_docx"):
        from . import render

        value = getattr(render, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DocumentError",
    "DocumentsConfig",
    "allocate",
    "apply_approvals",
    "document_rows",
    "documents_config",
    "issue_documents",
    "issue_statement",
    "issue_document",
    "load_documents_config",
    "pdf_warnings",
    "render_docx",
    "sent_documents",
    "wait_for_pdfs",
    "write_register",
]
