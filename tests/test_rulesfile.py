"""Rules files are parsed once per text: an edit is always seen, problems are always
reported as in a fresh process, and what a caller gets is its own."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from toolkit import rulesfile
from toolkit.registers import load_registers
from toolkit.rulesfile import RulesError, read_yaml


def _repair(folder: Path) -> Path:
    (folder / "registers").mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(ROOT / "rules" / "registers" / "repair.yaml", folder / "registers" / "repair.yaml"))


def _edit_keeping_size_and_time(path: Path, old: str, new: str) -> None:
    """Rewrite ``path`` with the same byte count and modification time, as an editor
    saving twice within one tick of the file system's clock would leave it."""
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text and len(old.encode()) == len(new.encode())
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def _refusal(folder: Path) -> str:
    with pytest.raises(RulesError) as exc:
        load_registers(folder)
    return str(exc.value)


def test_an_edit_with_the_same_size_and_time_gives_the_new_rules(tmp_path):
    path = _repair(tmp_path)
    assert load_registers(tmp_path)["repair"].column("紧急程度").default == "一般"
    _edit_keeping_size_and_time(path, "default: 一般", "default: 紧急")
    assert load_registers(tmp_path)["repair"].column("紧急程度").default == "紧急"


def test_a_typo_after_a_good_load_is_reported_as_in_a_fresh_process(tmp_path):
    path = _repair(tmp_path)
    typo = ("{name: 材料费, type: money", "{name: 材料费, type: monye")
    bad = path.read_text(encoding="utf-8").replace(*typo, 1)
    rulesfile._parse.cache_clear()
    (tmp_path / "fresh").mkdir()
    fresh_path = _repair(tmp_path / "fresh")
    fresh_path.write_text(bad, encoding="utf-8")
    fresh = _refusal(tmp_path / "fresh").replace(str(fresh_path), str(path))

    load_registers(tmp_path)
    _edit_keeping_size_and_time(path, *typo)
    assert _refusal(tmp_path) == fresh
    assert _refusal(tmp_path) == fresh  # and again, from the kept parse
    assert "columns[13].type" in fresh and "第" in fresh


def test_a_syntax_error_after_a_good_load_is_reported_each_time(tmp_path):
    path = _repair(tmp_path)
    load_registers(tmp_path)
    _edit_keeping_size_and_time(path, "{name: 紧急程度, type: enum", "{name: 紧急程度; type: enum")
    first = _refusal(tmp_path)
    assert f"{path} 第13行: YAML 格式错误" in first
    assert _refusal(tmp_path) == first


def test_the_same_text_in_two_workspaces_names_each_ones_own_file(tmp_path):
    one, two = _repair(tmp_path / "one"), _repair(tmp_path / "two")
    for path in (one, two):
        text = path.read_text(encoding="utf-8").replace("default: 一般", "default: 普通", 1)
        path.write_text(text, encoding="utf-8")
    first, second = _refusal(tmp_path / "one"), _refusal(tmp_path / "two")
    assert str(one) in first and str(two) not in first
    assert second == first.replace(str(one), str(two))


def test_what_a_caller_gets_is_its_own(tmp_path):
    path = _repair(tmp_path)
    data, _ = read_yaml(path)
    columns = len(data["columns"])
    data["columns"].clear()
    data["name"] = "changed"
    spec = load_registers(tmp_path)["repair"]
    spec.columns.clear()  # the model is frozen, its lists are not
    again = load_registers(tmp_path)["repair"]
    assert again.name == "repair" and len(again.columns) == columns
    assert read_yaml(path)[0]["name"] == "repair"


def test_a_date_that_does_not_exist_names_its_file_and_line(tmp_path):
    """2026-10-40 is date-shaped, so YAML reads it as a date, and no such day exists: the
    problem is reported on its line (it was a traceback from ``rules check``)."""
    from click.testing import CliRunner

    from toolkit.cli import main

    home = tmp_path / "ws"
    shutil.copytree(ROOT / "rules", home / "rules")
    shutil.copytree(ROOT / "templates", home / "templates")
    cal = home / "rules" / "calendar.yaml"
    cal.write_text("holidays:\n  - 2026-10-08\n  - 2026-10-40\n", encoding="utf-8")
    with pytest.raises(RulesError) as err:
        read_yaml(cal)
    assert err.value.problems == [f"{cal} 第3行: YAML 格式错误：“2026-10-40”不是有效的日期或时间"
                                  "（请按 2026-10-08 或 2026-10-08 09:00 的格式填写实有的日期）"]
    res = CliRunner().invoke(main, ["rules", "check", "--home", str(home)])
    assert res.exit_code == 2, res.output
    assert f"{cal} 第3行" in res.output and "2026-10-40" in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
