"""Loading YAML rule files into pydantic models, with errors that name file, line and entry.

Every file under ``rules/`` goes through :func:`load_yaml_model`, so a typo in any of
them is reported the same way: ``rules/registers/repair.yaml 第12行 columns[3].type: …``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


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
    """Parse a YAML file; syntax errors become a RulesError naming the line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise RulesError([f"{path}: 不是 UTF-8 编码的文本文件"]) from None
    except OSError as exc:
        raise RulesError([f"{path}: 无法读取（{exc.strerror}）"]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" 第{mark.line + 1}行" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise RulesError([f"{path}{where}: YAML 格式错误：{problem}"]) from None
    return data, node


def located_problem(path: Path, node: yaml.Node | None, loc: tuple[Any, ...], msg: str) -> str:
    """``file 第N行 entry: message`` for a problem found after loading."""
    target = _node_at(node, loc)
    where = f" 第{target.start_mark.line + 1}行" if target is not None else ""
    return f"{path}{where} {_loc_text(loc)}: {msg}"


def validation_problems(path: Path, node: yaml.Node | None, exc: ValidationError) -> list[str]:
    return [located_problem(path, node, tuple(e["loc"]), e["msg"]) for e in exc.errors()]


def load_yaml_model(path: Path, model: type[M]) -> M:
    data, node = read_yaml(path)
    if data is None:
        data = {}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RulesError(validation_problems(path, node, exc)) from None
