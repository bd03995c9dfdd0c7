"""click's own words (Usage, Options, error lines) in Chinese.

click looks its messages up through ``gettext`` at the moment it prints them; with no
Chinese catalogue installed for it, this table stands in. Anything not in the table is
printed as click wrote it.
"""

from __future__ import annotations

import gettext

import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.types

WORDS = {
    "Usage:": "用法：",
    "Options:": "选项：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本说明后退出。",
    "Error: {message}": "出错：{message}",
    "Try '{command} {option}' for help.": "输入 '{command} {option}' 查看说明。",
    "Invalid value: {message}": "取值无效：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的取值无效：{message}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Missing command.": "缺少命令。",
    "Aborted!": "已中止。",
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "Did you mean {possibility}?": "是否想输入 {possibility}？",
    "(Possible options: {possibilities})": "（可用的选项：{possibilities}）",
    "{name} {filename!r} does not exist.": "{filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{filename!r} 是文件，这里需要文件夹。",
    "{name} {filename!r} is a directory.": "{filename!r} 是文件夹，这里需要文件。",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
}


def _zh(message: str) -> str:
    return WORDS.get(message, gettext.gettext(message))


def _nzh(singular: str, plural: str, n: int) -> str:
    chosen = singular if n == 1 else plural
    return WORDS.get(chosen, gettext.ngettext(singular, plural, n))


def install() -> None:
    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.types):
        if hasattr(module, "_"):
            module._ = _zh  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _nzh  # type: ignore[attr-defined]
