"""``rules/documents.yaml``: the company, the number format and one entry per document type.

A new document type is a template in ``templates/`` plus an entry here; no code changes.
"""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..rulesfile import RulesError, load_yaml_model

_FIELDS = string.Formatter()


def _placeholders(text: str) -> list[str]:
    try:
        return [f for _, f, _, _ in _FIELDS.parse(text) if f]
    except ValueError as exc:
        raise ValueError(f"“{text}”不是有效的格式（{exc}）") from None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# How a document goes out (seed 001 节点15): posted on the notice board (taken down when
# it expires), handed to one customer (who signs for it in the dispatch register), signed
# by the parties on the document itself (an agreement, a release slip), or internal (a
# memo, a form between departments).
Delivery = Literal["张贴", "送达", "现场", "内部"]


class Variant(_Strict):
    """Overrides for findings whose values match ``when`` (e.g. arrears tier 3 → a memo)."""

    when: dict[str, Any]
    # Applies only once this many documents of the type, about the same record and matter,
    # were signed and sent before: a "second reminder" is titled so only after a first.
    sent_before: int | None = Field(default=None, ge=1)
    title: str | None = None
    recipient: str | None = None
    template: str | None = None
    department: str | None = None
    delivery: Delivery | None = None


class LinkedMoment(_Strict):
    """A moment another register holds that ends a trigger by design (the service visit a
    maintenance reminder asked for): a record of register ``source`` whose ``match`` column is the
    draft's record, with ``column`` one of ``among`` (when given), its ``at`` later than the
    day of the closed finding's ``after`` value (when given) and no later than it closed."""

    source: str = Field(pattern=r"^[a-z][a-z0-9_]*$")  # the register
    match: str
    at: str
    after: str | None = None
    column: str | None = None
    among: list[str] = Field(default_factory=list)


class DocumentType(_Strict):
    type: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    template: str  # file name in templates/
    trigger: str = Field(pattern=r"^(monthly|[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*)$")
    code: str = Field(min_length=1, max_length=4)  # 文号中的类别字，如 催
    # Who the document is addressed to: a format string over the finding's values, the
    # record key ({record}) and the settings ({manager_title}); parts joined by 、 whose
    # values are all empty are dropped ("{业主}、{装修公司}" → "张三" with no company).
    recipient: str
    department: str | None = None  # default: the top-level department
    full_personal_data: bool = False  # phone / ID numbers printed in full (default masked)
    # Which values are "the facts": a change in them issues a new document. Default: all
    # values except the top-level ``volatile`` ones (counters that grow every day).
    facts: list[str] | None = None
    volatile: list[str] = Field(default_factory=list)
    # Values the document cannot go without (a fee it states in figures and capitals):
    # while one is empty the document is not drafted and the finding says what it waits for.
    requires: list[str] = Field(default_factory=list)
    # A demand that no longer stands once its finding is resolved (an arrears reminder
    # for a bill since paid): its unsigned draft is voided then. Others (an agreement
    # whose finding closes when it is signed) stay, flagged in the dispatch register.
    void_when_resolved: bool = False
    # The record's values holding the moment its trigger ends by design (a booking's slot,
    # the car's delivery, the customer's answer): a draft whose finding closed at or after
    # that moment served its day, and the dispatch register's heading does not name it as
    # changed. Any other draft whose finding closed is named (its record changed). A moment
    # held by a linked record (the visit that closes a reminder) is a ``LinkedMoment``.
    lapses_with: list[str | LinkedMoment] = Field(default_factory=list)
    # One document per matter however its causes grow (a member's cancellation): a draft
    # nobody has signed is rewritten under its own number when what it prints changes,
    # instead of a new number voiding it; once signed, the facts decide as for any type.
    amend_draft: bool = False
    # A draft voided with its record (a row marked 作废) comes back under its own number,
    # its file out of 已作废, when the mark is cleared and its facts are the same (the
    # 委托书 the desk files); without it a new number is drafted, as for a new matter.
    restore_with_record: bool = False
    variants: list[Variant] = Field(default_factory=list)
    # The type whose signed documents about the same record this one names as sent before
    # (``earlier_text``); default its own: a report to the manager names the reminders
    # sent to the owner without being one of them (so never replacing one).
    earlier_type: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    delivery: Delivery = "送达"
    # 内容摘要 in the dispatch register: a format over the finding's values like recipient.
    summary: str | None = None
    # A posted notice's 有效期至: the value holding the date (活动日期), else this many days
    # after the issue date; staff may change it in the dispatch register.
    valid_until: str | None = None
    valid_days: int | None = Field(default=None, ge=0)

    @field_validator("template")
    @classmethod
    def _docx(cls, v: str) -> str:
        if "/" in v or "\\" in v or not v.endswith(".docx"):
            raise ValueError("template 应是 templates/ 目录中的 .docx 文件名")
        return v

    @field_validator("recipient")
    @classmethod
    def _recipient(cls, v: str) -> str:
        _placeholders(v)
        return v

    @field_validator("summary")
    @classmethod
    def _summary(cls, v: str | None) -> str | None:
        if v is not None:
            _placeholders(v)
        return v

    def missing(self, values: dict[str, Any]) -> list[str]:
        """The ``requires`` values that are empty in ``values`` (None or blank text)."""
        return [k for k in self.requires if values.get(k) is None or str(values.get(k)).strip() == ""]

    def pick(self, values: dict[str, Any], sent: int = 0) -> dict[str, Any]:
        """title, recipient, template, department after applying the first matching variant;
        ``sent``: how many documents of this type about the same matter went out before."""
        chosen: dict[str, Any] = {
            "title": self.title,
            "recipient": self.recipient,
            "template": self.template,
            "department": self.department,
            "delivery": self.delivery,
        }
        for v in self.variants:
            if v.sent_before is not None and sent < v.sent_before:
                continue
            if all(_same(values.get(k), want) for k, want in v.when.items()):
                chosen.update({k: getattr(v, k) for k in chosen if getattr(v, k) is not None})
                break
        return chosen


def _same(have: Any, want: Any) -> bool:
    return have == want or str(have) == str(want)


class DocumentsConfig(_Strict):
    company: str  # short name used in numbers: 某某物业
    company_full: str  # letterhead and signature: 某某物业服务有限公司
    department: str = "客户服务中心"
    manager_title: str = "项目经理"
    phone: str = ""
    number_format: str = "{company}〔{year}〕{code}字第{seq:03d}号"
    # Values that change every day without changing the matter (days overdue, minutes).
    volatile: list[str] = Field(
        default_factory=lambda: ["days_overdue", "days_left", "overdue_minutes"]
    )
    statement_excluded_categories: list[str] = Field(default_factory=lambda: ["打字复印类"])
    documents: list[DocumentType]

    @field_validator("number_format")
    @classmethod
    def _number(cls, v: str) -> str:
        names = set(_placeholders(v))
        unknown = names - {"company", "year", "code", "seq", "type"}
        if unknown:
            raise ValueError(f"文号格式含未知字段：{'、'.join(sorted(unknown))}")
        if "seq" not in names or "year" not in names:
            raise ValueError("文号格式必须包含 {year} 和 {seq}")
        if not names & {"code", "type"}:
            raise ValueError(
                "文号按文书类型分别编号，格式必须包含 {code}，否则不同类型的文号会重复"
            )
        try:
            v.format(company="X", year=2026, code="X", seq=1, type="x")
        except (ValueError, KeyError) as exc:
            raise ValueError(f"文号格式无法使用：{exc}") from None
        return v

    @model_validator(mode="after")
    def _unique(self) -> DocumentsConfig:
        for attr in ("type", "code"):
            seen = [getattr(d, attr) for d in self.documents]
            dupes = sorted({x for x in seen if seen.count(x) > 1})
            if dupes:
                raise ValueError(f"documents 中 {attr} 重复：{'、'.join(dupes)}")
        return self

    def unset(self) -> list[str]:
        """What a new workspace still has to fill in before its documents go out: the
        shipped placeholder company (某某…) and an empty phone, which notices invite the
        reader to call."""
        notes = [f"{key}（{what}）仍是示例“{value}”" for key, what, value in (
            ("company", "文号里的单位简称", self.company), ("company_full", "文书抬头和落款的单位全称", self.company_full))
            if value.startswith("某某")]
        if not self.phone.strip():
            notes.append("phone（文书上请客户来电的电话）未填")
        return notes

    def by_type(self, doc_type: str) -> DocumentType | None:
        return next((d for d in self.documents if d.type == doc_type), None)

    def number(self, doc_type: DocumentType, year: int, seq: int, prefix: str | None = None) -> str:
        """The 文号; ``prefix`` (the site's number prefix) stands where the company name does."""
        return self.number_format.format(
            company=prefix or self.company, year=year, code=doc_type.code, seq=seq, type=doc_type.type
        )


class PackDocuments(_Strict):
    """A pack's own documents file (``Pack.documents_file``): its document types only."""

    documents: list[DocumentType] = Field(default_factory=list)


# Settings a pack's document types gained after workspaces were made: a workspace's own
# copy of the pack's file that does not mention one takes the pack's built-in value for the
# same type (so a 委托书 voided by mistake comes back under its number there too); a
# setting the file does write, even the default, stands.
FROM_PACK = ("restore_with_record", "amend_draft", "facts", "void_when_resolved")
_built_in: dict[Path, dict[str, DocumentType]] = {}


def _with_pack_defaults(d: DocumentType, built_in: Path) -> DocumentType:
    """``d`` with the ``FROM_PACK`` settings its file leaves out taken from the pack's own file."""
    if built_in not in _built_in:
        _built_in[built_in] = ({t.type: t for t in load_yaml_model(built_in, PackDocuments).documents}
                               if built_in.is_file() else {})
    base = _built_in[built_in].get(d.type)
    if base is None:
        return d
    missing = {k: getattr(base, k) for k in FROM_PACK if k not in d.model_fields_set and k in base.model_fields_set}
    return d.model_copy(update=missing) if missing else d


def _with_pack_documents(rules_dir: Path, path: Path, config: DocumentsConfig) -> DocumentsConfig:
    """``documents.yaml``'s types plus those of each enabled pack's own documents file.

    Types and their one-character codes are unique across all of them: a clash names
    both files.
    """
    from ..packs import workspace_packs

    files = {p.documents_file: p.sources / "rules" / p.documents_file
             for p in workspace_packs(rules_dir) if p.documents_file}
    extra = [rules_dir / f for f in sorted(files) if (rules_dir / f) != path and (rules_dir / f).exists()]
    if not extra:
        return config
    docs = [(path, d) for d in config.documents]
    problems: list[str] = []
    for file in extra:
        try:
            docs += [(file, _with_pack_defaults(d, files[file.name]))
                     for d in load_yaml_model(file, PackDocuments).documents]
        except RulesError as exc:
            problems += exc.problems
    for attr, what in (("type", "类型"), ("code", "文号类别字")):
        seen: dict[str, Path] = {}
        for file, d in docs:
            value = getattr(d, attr)
            if value in seen:
                problems.append(f"{file}: 文书{what}“{value}”与 {seen[value]} 中的重复（各业务包的文书{what}须互不相同）")
            seen.setdefault(value, file)
    if problems:
        raise RulesError(problems)
    return config.model_copy(update={"documents": [d for _, d in docs]})


def load_documents_config(rules_dir: Path, templates_dir: Path | None = None) -> DocumentsConfig:
    """Load and check ``rules/documents.yaml`` and the enabled packs' documents files;
    a missing template file is a RulesError too."""
    path = rules_dir / "documents.yaml"
    config = _with_pack_documents(rules_dir, path, load_yaml_model(path, DocumentsConfig))
    if templates_dir is not None:
        problems = []
        for i, d in enumerate(config.documents):
            names = [d.template, *(v.template for v in d.variants if v.template)]
            for name in names:
                if not (templates_dir / name).is_file():
                    problems.append(
                        f"{path} documents[{i}].template: 找不到模板 {templates_dir / name}"
                    )
        if problems:
            raise RulesError(problems)
    return config


_JOIN = re.compile(r"、+")


def recipient_text(expr: str, names: dict[str, Any]) -> str:
    """Fill a recipient expression; parts separated by 、 that come out empty are dropped."""
    pieces = []
    for piece in expr.split("、"):
        fields = _placeholders(piece)
        filled = {f: _text(names.get(f)) for f in fields}
        if fields and not any(filled.values()):
            continue
        pieces.append(piece.format_map(filled).strip())
    return _JOIN.sub("、", "、".join(p for p in pieces if p))


def fill_text(expr: str, names: dict[str, Any]) -> str:
    """A format over values (内容摘要); a value that is missing or empty prints as nothing."""
    return expr.format_map({f: _text(names.get(f)) for f in _placeholders(expr)}).strip()


def _text(v: Any) -> str:
    from .formatting import display

    out = display(v)
    return "" if out is None else str(out)
