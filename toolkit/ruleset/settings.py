"""Rule settings: the shapes every pack uses, and reading each pack's settings files.

Every figure a rule uses lives in a settings file in ``rules/`` (``sla.yaml``,
``tariffs.yaml`` …), validated by the pydantic model its pack declares
(``packs.SettingsPart``); a missing file or entry means the default, an unknown key or
a bad value is refused with file and line (RulesError).

Deadline shapes (``Deadline`` and ``Window``):

* ``amount`` ``unit`` after a start, on a ``clock`` (calendar, workdays, business_hours);
* ``until: day_end`` — then to 23:59 of the day reached ("当日内": amount 0, unit days);
* ``before: <anchor>`` — due ``amount`` ``unit`` *before* an anchor (a reminder);
* ``Window`` — done between two points after a start (``opens``..``closes``), or, with
  ``from``/``to`` as fractions, between two shares of an interval (70 %–80 % of a job).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from ..rulesfile import RulesError, load_yaml_model, read_yaml, validation_problems
from ..workcal import CLOCK_UNITS, Clock, Unit

if TYPE_CHECKING:
    from ..packs import Pack


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_Strict = Strict


def _unit_fits(clock: str, unit: str) -> None:
    if unit not in CLOCK_UNITS[clock]:
        allowed = "、".join(sorted(CLOCK_UNITS[clock]))
        raise ValueError(f"时钟 {clock} 不能使用单位 {unit}（可用：{allowed}）")


class Deadline(Strict):
    """One deadline: ``amount`` ``unit`` on ``clock`` (see workcal.due).

    ``until: day_end``: the deadline is 23:59 of the day that point falls on.
    ``before``: the anchor column the span is counted back from (``Env.due_before``).
    """

    clock: Clock
    amount: int = Field(ge=0)
    unit: Unit
    label: str = Field(min_length=1)  # name shown to staff
    until: Literal["day_end"] | None = None
    before: str | None = None

    @model_validator(mode="after")
    def _unit_fits_clock(self) -> Deadline:
        _unit_fits(self.clock, self.unit)
        if self.before is not None and self.until is not None:
            raise ValueError("before 与 until 不能同时使用")
        return self


class Window(Strict):
    """A stretch of time in which something should be done.

    After a start: ``opens`` and ``closes`` ``unit`` on ``clock``; with ``whole_days``
    (unit days) it opens at 00:00 of its first day and closes at 23:59 of its last
    ("出厂二天至一周之内"). As shares of an interval: ``from``/``to`` between 0 and 1
    (a progress check at 70 %–80 % of the time promised).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    clock: Clock = "calendar"
    label: str = Field(min_length=1)
    unit: Unit | None = None
    opens: int | None = Field(default=None, ge=0)
    closes: int | None = Field(default=None, ge=0)
    whole_days: bool = False
    share_from: Decimal | None = Field(default=None, alias="from", ge=0, le=1)
    share_to: Decimal | None = Field(default=None, alias="to", ge=0, le=1)

    @model_validator(mode="after")
    def _shape(self) -> Window:
        spans = self.opens is not None or self.closes is not None
        shares = self.share_from is not None or self.share_to is not None
        if spans == shares:
            raise ValueError("时间窗须写 opens/closes/unit（起点之后多久）或 from/to（区间的比例），二者取一")
        if spans:
            if self.opens is None or self.closes is None or self.unit is None:
                raise ValueError("时间窗须同时写 opens、closes 和 unit")
            if self.closes < self.opens:
                raise ValueError("closes 不能早于 opens")
            _unit_fits(self.clock, self.unit)
            if self.whole_days and self.unit != "days":
                raise ValueError("whole_days 只能与 unit: days 一起使用")
        else:
            if self.share_from is None or self.share_to is None:
                raise ValueError("比例时间窗须同时写 from 和 to")
            if self.share_to < self.share_from:
                raise ValueError("to 不能小于 from")
            if self.clock == "workdays":
                raise ValueError("比例时间窗只能用 calendar 或 business_hours 时钟")
        return self

    @property
    def is_fraction(self) -> bool:
        return self.share_from is not None


def deadline(clock: str, amount: int, unit: str, label: str, **more: Any) -> Any:
    """A settings field defaulting to this deadline."""
    return Field(default_factory=lambda: Deadline(clock=clock, amount=amount, unit=unit, label=label, **more))


def _money(v: Any) -> Any:
    # YAML reads 2.35 as a float; go through its text so 2.35 stays 2.35, never 2.3500000001.
    if isinstance(v, bool):
        raise ValueError("金额应为数字")
    if isinstance(v, float):
        return Decimal(repr(v))
    return v


Money = Annotated[Decimal, BeforeValidator(_money)]


class Settings(SimpleNamespace):
    """One pack's settings: ``settings.<attr>`` for each of its ``SettingsPart``s."""


def _section(path: Path, section: str, model: type[BaseModel], data: Any) -> Any:
    if not isinstance(data, dict) or data.get(section) is None:
        return model()
    try:
        return model.model_validate(data[section])
    except ValidationError as exc:
        _, node = read_yaml(path)
        shifted = [{**e, "loc": (section, *e["loc"])} for e in exc.errors()]
        raise RulesError(validation_problems(path, node, _Shifted(shifted))) from None


class _Shifted:
    """A ValidationError's errors with their locations moved under a section."""

    def __init__(self, errors: list[dict[str, Any]]):
        self._errors = errors

    def errors(self) -> list[dict[str, Any]]:
        return self._errors


def load_pack_settings(rules_dir: Path, packs: list[Pack]) -> dict[str, Settings]:
    """Each pack's settings, by pack name; RulesError names every problem of every file.

    A file may be owned whole by one pack and carry other packs' sections as top-level
    keys: the owner's model is validated without those keys.
    """
    problems: list[str] = []
    sections: dict[str, set[str]] = {}
    for p in packs:
        for part in p.settings:
            if part.section:
                sections.setdefault(part.file, set()).add(part.section)
    raw: dict[str, Any] = {}
    out: dict[str, Settings] = {}
    for p in packs:
        values: dict[str, Any] = {}
        for part in p.settings:
            path = Path(rules_dir) / part.file
            try:
                if not path.exists():
                    values[part.attr] = part.model()
                elif part.section:
                    if part.file not in raw:
                        raw[part.file] = read_yaml(path)[0]
                    values[part.attr] = _section(path, part.section, part.model, raw[part.file])
                else:
                    values[part.attr] = _whole(path, part.model, sections.get(part.file, set()))
            except RulesError as exc:
                problems.extend(exc.problems)
        out[p.name] = Settings(**values)
    if problems:
        raise RulesError(problems)
    return out


def _whole(path: Path, model: type[BaseModel], others: set[str]) -> Any:
    if not others:
        return load_yaml_model(path, model)
    data, node = read_yaml(path)
    data = {k: v for k, v in (data or {}).items() if k not in others} if isinstance(data, dict) else data
    try:
        return model.model_validate(data or {})
    except ValidationError as exc:
        raise RulesError(validation_problems(path, node, exc)) from None


__all__ = ["Deadline", "Money", "Settings", "Strict", "Window", "deadline", "load_pack_settings"]
