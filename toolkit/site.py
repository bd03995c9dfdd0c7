"""A workspace's site: which service center (or shop) it is, in a database several share.

``site.yaml`` in the workspace, written by ``toolkit init --site-code … --site-name …``::

    code: A                      # short id, stored on every row of this site
    name: 某某物业A区服务中心     # shown on reports, status and the dispatch register
    number_prefix: 某某物业A区    # starts each document number: 某某物业A区〔2026〕催字第001号

A workspace without ``site.yaml`` is the single site ``main`` (SQLite, one center); a
workspace on a shared database must name its site, or two workspaces would mix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .rulesfile import RulesError

SITE_FILE = "site.yaml"
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


@dataclass(frozen=True)
class Site:
    code: str
    name: str
    number_prefix: str | None = None  # None: the company short name of documents.yaml

    @property
    def configured(self) -> bool:
        return self.code != DEFAULT.code or self.name != DEFAULT.name


DEFAULT = Site("main", "本服务中心")


def check_code(code: str) -> str:
    code = (code or "").strip()
    if not CODE.match(code):
        raise ValueError(f"站点代码“{code}”不可用：请用 1–40 个英文字母、数字、-、_ 或 .（如 A、north-1）")
    return code


def load_site(home: Path) -> Site:
    path = home / SITE_FILE
    if not path.exists():
        return DEFAULT
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RulesError([f"{SITE_FILE}：无法读取（{exc}）"]) from None
    if not isinstance(data, dict):
        raise RulesError([f"{SITE_FILE}：应为“代码/名称”等键值，例如 code: A"])
    problems = []
    try:
        code = check_code(str(data.get("code") or ""))
    except ValueError as exc:
        problems.append(f"{SITE_FILE} 第 code 项：{exc}")
        code = ""
    name = str(data.get("name") or "").strip()
    if not name:
        problems.append(f"{SITE_FILE} 第 name 项：请填写站点名称，如“某某物业A区服务中心”")
    prefix = data.get("number_prefix")
    if problems:
        raise RulesError(problems)
    return Site(code, name, str(prefix).strip() if prefix else None)


def write_site(home: Path, code: str, name: str, number_prefix: str | None = None) -> Path:
    from . import atomic

    lines = [
        "# 本工作区所属站点（多个站点共用一个数据库时，各站点代码必须不同）",
        f"code: {yaml.safe_dump(check_code(code), allow_unicode=True).splitlines()[0]}",
        f"name: {yaml.safe_dump(name.strip(), allow_unicode=True).splitlines()[0]}",
    ]
    if number_prefix:
        lines.append(f"number_prefix: {yaml.safe_dump(number_prefix.strip(), allow_unicode=True).splitlines()[0]}")
    path = home / SITE_FILE
    atomic.write_text(path, "\n".join(lines) + "\n")
    return path
