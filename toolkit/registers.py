"""Register declarations: what a register's columns are, read from ``rules/registers/*.yaml``.

A register is data. Adding one is adding a YAML file; the reader, validator, ledger,
blank workbook and annotated copy all work from the declaration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .rulesfile import RulesError, load_yaml_model, located_problem, read_yaml

FieldType = Literal[
    "text",  # free text, NFKC-normalised, control characters removed
    "int",  # whole number
    "decimal",  # number with decimals
    "money",  # Decimal, two places; accepts ¥, 元, thousands separators
    "area",  # Decimal m², accepts ㎡ / m2 / 平方米
    "date",
    "datetime",  # may take its time of day from a separate time column
    "time",
    "phone",  # mobile or landline
    "mobile",
    "id_number",  # resident ID (GB 11643 checksum)
    "uscc",  # unified social credit code
    "plate",  # car licence plate
    "vin",  # vehicle identification number (GB 16735); a wrong check digit is a warning
    "month",  # a calendar month: 2026-11, 2026年11月, 2026/11 → "2026-11"
    "period",  # a report's week or month: 2026-W48, 2026年第48周 → "2026-W48"; 2026年11月 → "2026-11"
    "enum",  # one of `choices`
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(Strict):
    column: str
    equals: str


class ColumnSpec(Strict):
    name: str
    type: FieldType = "text"
    required: bool = False
    aliases: list[str] = Field(default_factory=list)
    choices: list[str] = Field(default_factory=list)
    # What staff commonly type for a choice (VIP → VIP会员): read as that choice.
    choice_aliases: dict[str, str] = Field(default_factory=dict)
    default: str | None = None
    # A datetime column may take its time from a separate column (e.g. 报修时间 + 时间).
    time_column: str | None = None
    # A datetime column whose cells must carry a time: a bare date is an error, not 00:00.
    time_required: bool = False
    # Merged cells in data rows are filled from their top-left cell only where allowed.
    fill_merged: bool = False
    width: int | None = None  # column width in the blank workbook
    description: str | None = None  # shown as the header's comment in the blank workbook
    # Rows meeting this condition have no use for the column (a diagnosis-only 委托书
    # promises no completion time): a cell there that cannot be read is left blank
    # without a mark on the return copy.
    unused_when: Condition | None = None

    @model_validator(mode="after")
    def _enum_has_choices(self) -> ColumnSpec:
        if self.type == "enum" and not self.choices:
            raise ValueError(f"列“{self.name}”的类型是 enum，必须给出 choices")
        if self.default is not None and self.choices and self.default not in self.choices:
            raise ValueError(f"列“{self.name}”的默认值“{self.default}”不在 choices 中")
        wrong = [f"{k}→{v}" for k, v in self.choice_aliases.items() if v not in self.choices]
        if wrong:
            raise ValueError(f"列“{self.name}”的 choice_aliases 指向不在 choices 中的值：{'、'.join(wrong)}")
        if self.time_required and self.type != "datetime":
            raise ValueError(f"列“{self.name}”：time_required 只能用于 datetime 类型的列")
        return self

    @property
    def headers(self) -> list[str]:
        return [self.name, *self.aliases]


class RowCheck(Strict):
    """A check across cells of one row.

    * ``not_before``: ``column`` may not be earlier than ``other``.
    * ``requires_any``: when ``when`` holds, at least one of ``columns`` is filled.
    * ``requires``: when ``when`` holds, every one of ``columns`` is filled.
    """

    check: Literal["not_before", "requires_any", "requires"]
    column: str | None = None
    other: str | None = None
    columns: list[str] = Field(default_factory=list)
    when: Condition | None = None
    message: str | None = None  # staff-facing override
    # not_before: who writes the hour when ``column`` holds only the day of ``other``
    who: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> RowCheck:
        if self.check == "not_before" and not (self.column and self.other):
            raise ValueError("not_before 需要 column 和 other")
        if self.check in ("requires_any", "requires") and not self.columns:
            raise ValueError(f"{self.check} 需要 columns")
        return self


class RegisterSpec(Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    key: str | list[str]
    sheet_title: str | None = None  # title row written in the blank workbook
    columns: list[ColumnSpec]
    row_checks: list[RowCheck] = Field(default_factory=list)
    # Headers that, when found together, make a sheet unmistakably this register.
    min_matches: int = 3

    def problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Cross-field problems with the location of the entry at fault.

        Kept out of pydantic's model validator so each problem can name its own line.
        """
        out: list[tuple[tuple[str | int, ...], str]] = []
        names = [c.name for c in self.columns]
        for i, col in enumerate(self.columns):
            if names.index(col.name) != i:
                out.append((("columns", i, "name"), f"列名“{col.name}”重复"))
        seen: dict[str, str] = {}
        for i, col in enumerate(self.columns):
            for h in col.headers:
                if h in seen and seen[h] != col.name:
                    out.append((("columns", i, "aliases"), f"表头“{h}”同时属于列“{seen[h]}”和“{col.name}”"))
                seen[h] = col.name
            if col.unused_when and col.unused_when.column not in names:
                out.append((("columns", i, "unused_when", "column"), f"引用了不存在的列“{col.unused_when.column}”"))
            if col.time_column and col.time_column not in names:
                out.append((("columns", i, "time_column"), f"time_column“{col.time_column}”不在 columns 中"))
        for k in self.key_columns:
            if k not in names:
                out.append((("key",), f"主键列“{k}”不在 columns 中"))
        for i, rc in enumerate(self.row_checks):
            refs = [("column", rc.column), ("other", rc.other)]
            refs += [(("columns", j), c) for j, c in enumerate(rc.columns)]
            if rc.when:
                refs.append((("when", "column"), rc.when.column))
            for where, ref in refs:
                if ref and ref not in names:
                    loc = ("row_checks", i, *(where if isinstance(where, tuple) else (where,)))
                    out.append((loc, f"引用了不存在的列“{ref}”"))
        return out

    @property
    def key_columns(self) -> list[str]:
        return [self.key] if isinstance(self.key, str) else list(self.key)

    def column(self, name: str) -> ColumnSpec:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


def load_registers(rules_dir: Path) -> dict[str, RegisterSpec]:
    """Load every ``rules/registers/*.yaml``; all problems are gathered into one RulesError."""
    folder = rules_dir / "registers"
    specs: dict[str, RegisterSpec] = {}
    problems: list[str] = []
    if not folder.is_dir():
        raise RulesError([f"{folder}: 缺少登记表定义目录"])
    for path in sorted(folder.glob("*.yaml")):
        try:
            spec = load_yaml_model(path, RegisterSpec)
        except RulesError as exc:
            problems.extend(exc.problems)
            continue
        found = spec.problems()
        if found:
            _, node = read_yaml(path)
            problems.extend(located_problem(path, node, loc, msg) for loc, msg in found)
            continue
        if spec.name != path.stem:
            problems.append(f"{path} name: 登记表名“{spec.name}”应与文件名“{path.stem}”一致")
        elif spec.name in specs:
            problems.append(f"{path} name: 登记表“{spec.name}”重复定义")
        else:
            specs[spec.name] = spec
    if problems:
        raise RulesError(problems)
    if not specs:
        raise RulesError([f"{folder}: 没有任何登记表定义（*.yaml）"])
    return specs
