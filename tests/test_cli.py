"""The command line, invoked in-process with click's runner on a real workspace."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner
from conftest import REPAIR_HEADERS, repair_rows, write_xlsx

from toolkit.cli import main


def test_process_json_summary(home: Path):
    rows = repair_rows(2)
    rows[1][4] = "2026/13/40"
    src = write_xlsx(home / "inbox" / "报修.xlsx", {"s": [REPAIR_HEADERS, *rows]})
    res = CliRunner().invoke(main, ["process", str(src), "--home", str(home), "--now", "2026-11-24T09:00", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    f = out["files"][0]
    assert f["status"] == "partial"
    assert f["register"] == ["repair"]
    assert f["rows"] == {"total": 2, "valid": 1, "rejected": 1}
    err = f["errors"][0]
    assert (err["sheet"], err["row"], err["column"], err["cell"]) == ("s", 3, "报修时间", "E3")
    assert err["code"].startswith("date.") and err["message"]
    assert isinstance(f["findings"], list)
    assert any(p.endswith(".xlsx") for p in f["outputs"])
    assert "warnings" in out


def test_rules_check_names_file_line_and_entry(home: Path):
    bad = home / "rules" / "registers" / "repair.yaml"
    text = bad.read_text(encoding="utf-8").replace("type: money", "type: monee", 1)
    bad.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(main, ["rules", "check", "--home", str(home)])
    assert res.exit_code == 2
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "monee" in t)
    assert f"repair.yaml 第{line}行" in res.stderr
    assert "columns[" in res.stderr and ".type" in res.stderr


def test_process_refuses_to_start_on_bad_rules(home: Path):
    (home / "rules" / "registers" / "visit.yaml").write_text("name: visit\ncolumns: [", encoding="utf-8")
    src = write_xlsx(home / "inbox" / "x.xlsx", {"s": [REPAIR_HEADERS, *repair_rows(1)]})
    res = CliRunner().invoke(main, ["process", str(src), "--home", str(home)])
    assert res.exit_code == 2
    assert "visit.yaml" in res.stderr
    assert src.exists(), "nothing is touched when the rules are bad"


def test_a_database_that_cannot_be_reached_is_named_without_a_traceback(home: Path, monkeypatch):
    """A server that is not there (here: nothing listens on the port) stops the command
    with one line saying which database (its password hidden), why, and what to check;
    the file is left in the inbox."""
    monkeypatch.setenv("TOOLKIT_DATABASE_URL", "postgresql+psycopg://toolkit_app:secret@127.0.0.1:1/toolkit")
    from toolkit.site import write_site

    write_site(home, "A1", "A区", "某某物业")
    src = write_xlsx(home / "inbox" / "x.xlsx", {"s": [REPAIR_HEADERS, *repair_rows(1)]})
    res = CliRunner().invoke(main, ["process", str(src), "--home", str(home)])
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert "无法打开数据库 postgresql+psycopg://toolkit_app:***@127.0.0.1:1/toolkit，未开始处理" in res.stderr
    assert "secret" not in res.stderr and "Traceback" not in res.stderr
    assert "地址、端口、数据库名和角色" in res.stderr
    assert src.exists()
    for command in (["status"], ["db", "upgrade"], ["report", "weekly"]):  # each way a command opens the ledger
        res = CliRunner().invoke(main, [*command, "--home", str(home)])
        assert res.exit_code == 2, (command, res.output)
        assert res.stderr.startswith("无法打开数据库 postgresql+psycopg://toolkit_app:***@127.0.0.1:1/toolkit"), command


def test_a_ledger_folder_that_cannot_be_written_is_named(home: Path, monkeypatch):
    """SQLite: the ledger cannot be opened where the workspace says (here var/ is a
    file): the same one line, pointing at var/."""
    monkeypatch.delenv("TOOLKIT_DATABASE_URL", raising=False)
    (home / "var").mkdir(exist_ok=True)
    (home / "var" / "ledger.sqlite").mkdir()  # a folder where the ledger file should be
    src = write_xlsx(home / "inbox" / "x.xlsx", {"s": [REPAIR_HEADERS, *repair_rows(1)]})
    res = CliRunner().invoke(main, ["process", str(src), "--home", str(home)])
    assert res.exit_code == 2, res.output
    assert "无法打开数据库 sqlite:///" in res.stderr and "var/ 文件夹" in res.stderr
    assert src.exists()


def test_rules_check_passes_on_shipped_rules(home: Path):
    res = CliRunner().invoke(main, ["rules", "check", "--home", str(home)])
    assert res.exit_code == 0, res.stderr
    assert "报修登记表" in res.stdout


def test_status_counts(home: Path):
    write_xlsx(home / "inbox" / "a.xlsx", {"s": [REPAIR_HEADERS, *repair_rows(1)]})
    runner = CliRunner()
    runner.invoke(main, ["process", str(home / "inbox" / "a.xlsx"), "--home", str(home)])
    write_xlsx(home / "inbox" / "b.xlsx", {"s": [REPAIR_HEADERS, *repair_rows(1, 5)]})
    res = runner.invoke(main, ["status", "--home", str(home), "--json"])
    info = json.loads(res.stdout)
    assert info["waiting"] == ["b.xlsx"]
    assert info["files_by_status"] == {"accepted": 1}
    assert info["registers"] == {"repair": 1}


def test_init_creates_a_workspace_with_blank_registers(tmp_path: Path):
    target = tmp_path / "新工作区"
    res = CliRunner().invoke(main, ["init", str(target)])
    assert res.exit_code == 0, res.output
    assert (target / "rules" / "registers" / "repair.yaml").is_file()
    assert (target / "inbox").is_dir() and (target / "outbox").is_dir()
    blanks = sorted(p.name for p in (target / "空白登记表").glob("*.xlsx"))
    assert "报修登记表.xlsx" in blanks and len(blanks) >= 12
    # a blank register read back is recognised as its register, with no rows
    res = CliRunner().invoke(main, ["process", str(target / "空白登记表" / "报修登记表.xlsx"),
                                    "--home", str(target), "--json"])
    out = json.loads(res.stdout)
    assert out["files"][0]["register"] == ["repair"]
    assert out["files"][0]["rows"]["total"] == 0


def test_console_help_and_status_speak_chinese(home: Path):
    runner = CliRunner()
    for args in ([], ["process"], ["watch"], ["report"], ["status"], ["autostart"], ["rules", "check"]):
        res = runner.invoke(main, [*args, "--help"])
        assert res.exit_code == 0, res.output
        assert "用法：" in res.output and "显示本说明后退出" in res.output
        assert "Usage" not in res.output and "Show this message" not in res.output and "Options" not in res.output
    # A calendar year not yet published: the warning is said once, not "注意：注意：".
    # (A renovation's approval counts working days; a repair's callback is now same-day.)
    rows = [["编号", "房号", "业主", "申请日期"], ["ZX1", "1-101", "王五", "2031-11-24"]]
    src = write_xlsx(home / "inbox" / "装修.xlsx", {"s": rows})
    res = runner.invoke(main, ["process", str(src), "--home", str(home), "--now", "2031-11-24T16:00"])
    assert res.exit_code == 0, res.output
    assert "已接收 装修.xlsx：共 1 行，登记 1 行" in res.stdout
    assert "注意：2031年的法定节假日尚未收录" in res.stdout and "注意：注意：" not in res.stdout
    status = runner.invoke(main, ["status", "--home", str(home)])
    assert status.exit_code == 0, status.output
    assert "已处理文件：已接收 1 个" in status.output
    assert "登记表记录：装修登记表 1 条" in status.output
    assert "手动处理  完成" in status.output
    assert "process" not in status.output and "done" not in status.output


def test_report_help_names_every_packs_reports():
    # A car service desk looks for its reports in the help too, not only the property ones.
    from toolkit.packs import available

    res = CliRunner().invoke(main, ["report", "--help"])
    assert res.exit_code == 0, res.output
    packs = [p for p in available().values() if p.reports]
    assert {"property", "car", "dealer"} <= {p.name for p in packs}
    for pack in packs:
        section = res.output.split(f"报表名（{pack.title}）:", 1)[1].split("\n\n", 1)[0]
        for kind in pack.reports:
            assert re.search(rf"^  {kind.name} +{re.escape(kind.title)}$", section, re.M), (kind.name, section)
    # The workspace's default pack comes first.
    assert res.output.index("报表名（物业服务中心）") < res.output.index("报表名（汽车售后服务台）")


def test_the_program_ends_without_collecting_what_exit_releases(monkeypatch):
    # ``run`` is what ``python -m toolkit`` and the installed ``toolkit`` start: after the
    # command, everything alive goes to the permanent generation, so the interpreter's
    # exit does not walk it again (0.2 s after a 100,000-row file).
    import gc
    import importlib.metadata
    import sys

    from toolkit.cli import run

    scripts = {e.name: e.value for e in importlib.metadata.entry_points(group="console_scripts")}
    assert scripts["toolkit"] == "toolkit.cli:run"
    assert (Path(__file__).parents[1] / "toolkit" / "__main__.py").read_text().count("run()") == 1
    gc.unfreeze()
    monkeypatch.setattr(sys, "argv", ["toolkit", "--help"])
    try:
        try:
            run()
        except SystemExit as exc:
            assert exc.code == 0
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
