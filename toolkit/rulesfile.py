"""Loading YAML rule files into pydantic models, with errors that name file, line and entry.

Every file under ``rules/`` goes through :func:`load_yaml_model`, so a typo in any of
them is reported the same way: ``rules/registers/repair.yaml 第12行 columns[3].type: …``.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)
# libyaml's parser when PyYAML was built with it (the wheels are): every process reads
# the whole rules folder on start, and the pure-Python parser takes several times longer.
_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BASE_LOADER):  # type: ignore[misc, valid-type]
    """The safe loader, whose date-shaped values that are no date (2026-10-40) are a
    problem on their line, not a crash of the loading."""


def _timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        raise yaml.constructor.ConstructorError(
            None, None, f"“{node.value}”不是有效的日期或时间（请按 2026-10-08 或 2026-10-08 09:00 的格式填写实有的日期）",
            node.start_mark) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_LOADER = _Loader

# Parsed files by their text: a context, a report, a schedule tick each read the rules
# folder again, and parsing takes about ten times as long as reading the bytes and
# copying the result. Keyed on the text itself (the parse depends on nothing else, not
# on the path or the modification time), so an edit is seen at once, and workspaces
# with the same files share one parse. Failures are not kept (lru_cache keeps no
# exception): parsed, and reported, each time.
_PARSED_MAX = 256  # texts kept, about 60 kB each: a watcher's rules edited day after day


class RulesError(Exception):
    """One or more problems in the rules folder; ``problems`` are ready to print."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _node_at(node: yaml.Node | None, loc: tuple[Any, ...]) -> yaml.Node | None:
    """Follow a pydantic error location through the composed YAML tree."""
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = None
            for k, v in node.value:
                if str(k.value) == str(part):
                    nxt = v
                    break
            if nxt is None:
                return node
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return node
            node = node.value[part]
        else:
            return node
    return node


def _loc_text(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(整个文件)"


def read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """Parse a YAML file; syntax errors become a RulesError naming the line.

    The data are the caller's own (a copy of the kept parse); the node tree is shared
    and only read (it locates problems).
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise RulesError([f"{path}: 不是 UTF-8 编码的文本文件"]) from None
    except OSError as exc:
        raise RulesError([f"{path}: 无法读取（{exc.strerror}）"]) from None
    try:
        data, node = _parse(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" 第{mark.line + 1}行" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise RulesError([f"{path}{where}: YAML 格式错误：{problem}"]) from None
    # deepcopy keeps what YAML shares (anchors) shared; models may keep parts of the data.
    return copy.deepcopy(data), node


@lru_cache(maxsize=_PARSED_MAX)
def _parse(text: str) -> tuple[Any, yaml.Node | None]:
    # Parsed once: the data is built from the composed tree, which locates errors.
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return data, node


def located_problem(path: Path, node: yaml.Node | None, loc: tuple[Any, ...], msg: str) -> str:
    """``file 第N行 entry: message`` for a problem found after loading."""
    target = _node_at(node, loc)
    where = f" 第{target.start_mark.line + 1}行" if target is not None else ""
    return f"{path}{where} {_loc_text(loc)}: {msg}"


def _shown(value: Any) -> str:
    text = str(value)
    return f"“{text if len(text) <= 40 else text[:40] + '…'}”"


def _expected(ctx: dict[str, Any]) -> str:
    # pydantic writes the choices as "'daily', 'weekly' or 'monthly'"
    return str(ctx.get("expected", "")).replace("' or '", "、").replace("', '", "、").replace("'", "")


# pydantic's error types, said the way a manager editing rules/ reads them; {input} is the
# value written, {expected} the allowed choices, other fields come from the error's context.
_ZH = {
    "missing": "缺少这一项，请补上",
    "extra_forbidden": "不认识这一项（是否拼写有误？可用的项见文件开头的说明）",
    "literal_error": "只能填 {expected} 之一，现在是{input}",
    "int_parsing": "应为整数，现在是{input}",
    "float_parsing": "应为数字，现在是{input}",
    "decimal_parsing": "应为金额或数字，现在是{input}",
    "bool_parsing": "应为 true 或 false，现在是{input}",
    "string_type": "应为文字，现在是{input}",
    "string_too_short": "不能为空",
    "too_short": "至少要有 {min_length} 项",
    "greater_than": "应大于 {gt}，现在是{input}",
    "greater_than_equal": "不能小于 {ge}，现在是{input}",
    "less_than": "应小于 {lt}，现在是{input}",
    "less_than_equal": "不能大于 {le}，现在是{input}",
    "dict_type": "应为一组“名称: 值”的设置",
    "list_type": "应为列表（每项一行，以“- ”开头，或写成 [a, b]）",
    "date_parsing": "日期应写成 2026-11-23，现在是{input}",
    "time_parsing": '时间应写成带引号的 "08:30"，现在是{input}',
}
# Error types that mean the same to the reader as one above.
_ALIKE = {
    "enum": "literal_error", "int_type": "int_parsing", "int_from_float": "int_parsing",
    "float_type": "float_parsing", "decimal_type": "decimal_parsing", "bool_type": "bool_parsing",
    "model_type": "dict_type", "model_attributes_type": "dict_type",
    "date_from_datetime_parsing": "date_parsing", "date_type": "date_parsing", "time_type": "time_parsing",
}


def zh_message(error: Any) -> str:
    """A pydantic error in Chinese; our own validators' messages are Chinese already."""
    kind = error.get("type", "")
    msg = str(error.get("msg", ""))
    if kind in ("value_error", "assertion_error"):
        return msg.split(", ", 1)[1] if msg.startswith(("Value error, ", "Assertion failed, ")) else msg
    template = _ZH.get(_ALIKE.get(kind, kind))
    if template is None:
        return msg
    ctx = error.get("ctx") or {}
    try:
        return template.format(**{**ctx, "expected": _expected(ctx), "input": _shown(error.get("input"))})
    except (KeyError, IndexError, ValueError):
        return msg


def validation_problems(path: Path, node: yaml.Node | None, exc: ValidationError) -> list[str]:
    return [located_problem(path, node, tuple(e["loc"]), zh_message(e)) for e in exc.errors()]


def load_yaml_model(path: Path, model: type[M]) -> M:
    data, node = read_yaml(path)
    if data is None:
        data = {}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RulesError(validation_problems(path, node, exc)) from None
