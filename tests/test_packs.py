"""Packs: discovery, `toolkit init --pack`, rules check across packs, recognition across
packs, and the core naming no pack.

A second pack (``tests/packs/garage_pack``, a small garage desk) is installed the way a
pack from outside this repository is: a distribution with a ``toolkit.packs`` entry point
on ``sys.path``.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT, write_xlsx

from toolkit import packs
from toolkit.cli import main
from toolkit.packs import read_pack_names, rules_touched_by, workspace_packs

PACKS_DIR = Path(__file__).resolve().parent / "packs"
PROPERTY = packs.available()["property"]
DISPATCH_TITLE = yaml.safe_load((ROOT / "rules" / "registers" / "dispatch.yaml").read_text(encoding="utf-8"))["title"]


@pytest.fixture
def garage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[packs.Pack]:
    site = tmp_path_factory.mktemp("site")
    dist = site / "garage_pack-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: garage-pack\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[toolkit.packs]\ngarage = garage_pack:PACK\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(PACKS_DIR))
        mp.syspath_prepend(str(site))
        found = packs.refresh()
        yield found["garage"]
    packs.refresh()


def cli(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, list(args))
    return res.exit_code, res.output


# --- discovery ---------------------------------------------------------------------


def test_property_pack_is_found_by_convention_and_is_the_default(tmp_path: Path):
    assert PROPERTY.title == "物业服务中心"
    assert read_pack_names(tmp_path) == ["property"]  # no rules/packs.yaml: the default
    # The repository root is the property workspace: its sources are those very files.
    assert PROPERTY.sources == ROOT
    for name in PROPERTY.registers:
        assert (ROOT / "rules" / "registers" / f"{name}.yaml").is_file(), name
    for name in PROPERTY.templates:
        assert (ROOT / "templates" / name).is_file(), name
    # Every register the root workspace holds is the property pack's or the core's.
    shipped = {p.stem for p in (ROOT / "rules" / "registers").glob("*.yaml")}
    assert shipped - set(PROPERTY.registers) == {"dispatch"}


def test_entry_point_pack_is_found(garage: packs.Pack):
    assert set(packs.available()) >= {"property", "garage"}
    assert garage.registers == ("garage_vehicle", "garage_order")


def test_rules_declare_what_they_read():
    by_name = {r.name: r for r in PROPERTY.rules}
    # A move-out reads the fee accounts (arrears) and the handover register (who the owner is).
    assert by_name["move_out"].reads == ("move_out", "fee_account", "handover")
    # A change to a fee account reruns the rules reading fee accounts, and only those.
    touched = {r.name for _, r in rules_touched_by([PROPERTY], [("fee_account", "1-101")])}
    assert touched == {"fee_account", "move_out", "transfer"}  # a transfer reads the old owner's account
    touched = {r.name for _, r in rules_touched_by([PROPERTY], [("renovation_violation", "W1")])}
    assert touched == {"renovation", "renovation_violation"}


def test_unknown_pack_is_refused_in_chinese(tmp_path: Path):
    home = tmp_path / "ws"
    assert cli("init", str(home))[0] == 0
    (home / "rules" / "packs.yaml").write_text("packs: [property, boat]\n", encoding="utf-8")
    code, out = cli("rules", "check", "--home", str(home))
    assert code == 2
    assert "不认识的业务包：boat" in out and "packs.yaml" in out
    code, out = cli("init", str(tmp_path / "other"), "--pack", "boat")
    assert code == 2 and "不认识的业务包：boat" in out


# --- init --------------------------------------------------------------------------


def test_init_without_pack_is_property_as_before(tmp_path: Path):
    home = tmp_path / "ws"
    code, out = cli("init", str(home))
    assert code == 0, out
    assert read_pack_names(home / "rules") == ["property"]
    assert yaml.safe_load((home / "rules" / "packs.yaml").read_text(encoding="utf-8")) == {"packs": ["property"]}
    for name in PROPERTY.registers:
        assert (home / "rules" / "registers" / f"{name}.yaml").is_file()
    for rel in PROPERTY.rules_files:
        assert (home / "rules" / rel).read_bytes() == (ROOT / "rules" / rel).read_bytes()


def test_init_one_other_pack_writes_only_its_files(tmp_path: Path, garage: packs.Pack):
    home = tmp_path / "garage"
    code, out = cli("init", str(home), "--pack", "garage")
    assert code == 0, out
    assert "业务包：garage" in out  # the console speaks Chinese
    registers = sorted(p.stem for p in (home / "rules" / "registers").glob("*.yaml"))
    assert registers == ["dispatch", "garage_order", "garage_vehicle"]  # dispatch: the core's
    assert not (home / "rules" / "tariffs.yaml").exists()
    # The garage pack ships no notices: only the report engine's Word summary template.
    assert [p.name for p in home.glob("templates/*.docx")] == ["weekly_summary.docx"]
    blanks = {p.name for p in (home / "空白登记表").glob("*.xlsx")}
    assert blanks == {"维修委托书.xlsx", "车辆档案.xlsx", f"{DISPATCH_TITLE}.xlsx"}
    assert "garage:" in (home / "rules" / "sla.yaml").read_text(encoding="utf-8")
    code, out = cli("rules", "check", "--home", str(home))
    assert code == 0, out
    assert "garage（汽车维修前台（示例））" in out and "property" not in out


def test_init_several_packs(tmp_path: Path, garage: packs.Pack):
    home = tmp_path / "both"
    code, out = cli("init", str(home), "--pack", "property", "--pack", "garage")
    assert code == 0, out
    assert read_pack_names(home / "rules") == ["property", "garage"]
    regs = {p.stem for p in (home / "rules" / "registers").glob("*.yaml")}
    assert regs >= {"repair", "parking_card", "garage_order", "garage_vehicle", "dispatch"}
    # sla.yaml is the property pack's file with the garage section appended after it.
    sla = yaml.safe_load((home / "rules" / "sla.yaml").read_text(encoding="utf-8"))
    assert sla["repair"]["arrival"]["amount"] == 30 and sla["garage"]["promise"]["label"] == "按时完工"
    code, out = cli("rules", "check", "--home", str(home))
    assert code == 0, out
    assert "property（物业服务中心）" in out and "garage（汽车维修前台（示例））" in out


def test_adding_a_pack_keeps_the_workspace_edits(tmp_path: Path, garage: packs.Pack):
    home = tmp_path / "ws"
    assert cli("init", str(home))[0] == 0
    sla = home / "rules" / "sla.yaml"
    edited = sla.read_text(encoding="utf-8").replace("amount: 30", "amount: 45", 1)
    sla.write_text(edited, encoding="utf-8")
    repair = home / "rules" / "registers" / "repair.yaml"
    repair.write_text(repair.read_text(encoding="utf-8") + "# 本项目自己的说明\n", encoding="utf-8")
    custom_repair = repair.read_bytes()

    code, out = cli("init", str(home), "--pack", "garage")
    assert code == 0, out
    assert read_pack_names(home / "rules") == ["property", "garage"]
    assert repair.read_bytes() == custom_repair
    text = sla.read_text(encoding="utf-8")
    assert text.startswith(edited.rstrip("\n"))  # the manager's file, untouched, then the section
    assert yaml.safe_load(text)["garage"]["reminder"]["before"] == "预约进厂时间"
    assert (home / "rules" / "registers" / "garage_order.yaml").is_file()
    # Run again: nothing more is appended, the edit stays.
    cli("init", str(home), "--pack", "garage")
    assert sla.read_text(encoding="utf-8") == text
    from toolkit.ruleset import load_ruleset

    rules = load_ruleset(home / "rules")
    assert rules.pack("property").settings.sla.repair.arrival.amount == 45
    assert rules.pack("garage").settings.sla.promise.label == "按时完工"


# --- rules check across packs ------------------------------------------------------


def test_rules_check_names_problems_of_every_pack(tmp_path: Path, garage: packs.Pack):
    home = tmp_path / "both"
    assert cli("init", str(home), "--pack", "property", "--pack", "garage")[0] == 0
    sla = home / "rules" / "sla.yaml"
    text = sla.read_text(encoding="utf-8")
    text = text.replace("garage:\n  promise: {clock: calendar, amount: 0,", "garage:\n  promise: {clock: calendar, amount: -5,")
    text = text.replace("soon_minutes: 60", "soon_minutes: 六十")
    sla.write_text(text, encoding="utf-8")
    (home / "rules" / "registers" / "garage_vehicle.yaml").unlink()
    code, out = cli("rules", "check", "--home", str(home))
    assert code == 2
    assert "garage.promise.amount: 不能小于 0" in out  # the garage section, with its line
    assert "soon_minutes: 应为整数" in out  # the property pack's part of the same file
    assert "业务包 garage（汽车维修前台（示例））的登记表 garage_vehicle 没有定义文件" in out


def test_document_codes_are_unique_across_packs(tmp_path: Path, garage: packs.Pack):
    home = tmp_path / "both"
    assert cli("init", str(home), "--pack", "property", "--pack", "garage")[0] == 0
    (home / "rules" / "garage_documents.yaml").write_text(
        "documents:\n  - {type: garage_note, title: 完工通知, template: release_slip.docx,"
        " trigger: garage.promise, code: 诉, recipient: '{record}'}\n", encoding="utf-8")
    code, out = cli("rules", "check", "--home", str(home))
    assert code == 2
    assert "文书文号类别字“诉”与" in out and "garage_documents.yaml" in out and "documents.yaml" in out


def test_schedule_job_for_a_report_of_a_pack_not_enabled(tmp_path: Path):
    home = tmp_path / "ws"
    assert cli("init", str(home))[0] == 0
    schedule = home / "rules" / "schedule.yaml"
    schedule.write_text(schedule.read_text(encoding="utf-8").replace(
        "report: daily_repairs", "report: garage_daily"), encoding="utf-8")
    code, out = cli("rules", "check", "--home", str(home))
    assert code == 2
    assert "没有名为 garage_daily 的报表" in out and "schedule.yaml 第" in out


# --- recognition across packs ----------------------------------------------------------


def test_a_sheet_two_registers_claim_alike_is_refused(tmp_path: Path, garage: packs.Pack):
    home = tmp_path / "both"
    assert cli("init", str(home), "--pack", "property", "--pack", "garage")[0] == 0
    # 车牌号, 车主, 联系电话, 车型 head both 停车月卡登记表 and 车辆档案: nothing tells them apart.
    shared = write_xlsx(tmp_path / "车辆.xlsx", {"车辆": [["车牌号", "车主", "联系电话", "车型"],
                                                     ["京A12345", "张三", "13812345678", "轿车"]]})
    code, out = cli("process", str(shared), "--home", str(home), "--json")
    result = json.loads(out)["files"][0]
    assert result["status"] == "rejected" and result["register"] == []
    (err,) = [e for e in result["errors"] if e["code"] == "header.ambiguous"]
    assert "停车月卡登记表" in err["message"] and "车辆档案" in err["message"]
    assert "卡号" in err["message"]  # what would tell them apart
    # With a header only the card register has, it is the card register.
    card = write_xlsx(tmp_path / "月卡.xlsx", {"月卡": [
        ["卡号", "车牌号", "车主", "联系电话", "车型", "起租日期", "到期日期"],
        ["K001", "京A12345", "张三", "13812345678", "轿车", "2026-11-01", "2026-11-30"]]})
    result = json.loads(cli("process", str(card), "--home", str(home), "--json")[1])["files"][0]
    assert result["register"] == ["parking_card"] and result["status"] == "accepted"
    # In a property-only workspace the first sheet is no longer ambiguous.
    alone = tmp_path / "alone"
    assert cli("init", str(alone))[0] == 0
    result = json.loads(cli("process", str(shared), "--home", str(alone), "--json")[1])["files"][0]
    assert not any(e["code"] == "header.ambiguous" for e in result["errors"])


def test_other_pack_end_to_end(tmp_path: Path, garage: packs.Pack):
    """A garage sheet: time_required refuses a bare date, a VIN check digit only warns,
    the pack's rule judges the rest, its report runs and its job is scheduled."""
    home = tmp_path / "garage"
    assert cli("init", str(home), "--pack", "garage")[0] == 0
    sheet = write_xlsx(home / "inbox" / "委托书.xlsx", {"委托书": [
        ["委托书号", "车牌号", "接车时间", "预计完工时间", "完工时间", "车架号"],
        ["W1", "京A12345", "2026-11-23 09:00", "2026-11-23 17:00", "2026-11-23 18:30", "LSVAM4185C2184847"],
        ["W2", "京B54321", "2026-11-23", "2026-11-23 17:00", None, None],
        ["W3", "京C11111", "2026-11-23 10:00", "2026-11-24 12:00", None, "LSVAM4187C2184847"],
    ]})
    code, out = cli("process", str(sheet), "--home", str(home), "--now", "2026-11-23T20:00", "--json")
    assert code == 0, out
    result = json.loads(out)["files"][0]
    assert result["register"] == ["garage_order"]
    assert result["rows"] == {"total": 3, "valid": 2, "rejected": 1}
    codes = {(e["row"], e["code"]) for e in result["errors"]}
    assert (3, "datetime.no_time") in codes  # W2: a bare date where a time is required
    assert (2, "vin.check_digit") in codes  # W1 kept, its VIN marked
    rules = {(f["rule"], f["record"], f["status"]) for f in result["findings"]}
    # W1 done 18:30 against 17:00: late by 90 minutes; W3 promised tomorrow: pending.
    assert ("garage.promise", "W1", "late") in rules and ("garage.promise", "W3", "pending") in rules
    code, out = cli("report", "garage_daily", "--home", str(home), "--now", "2026-11-23T20:00", "--json")
    assert code == 0, out
    made = json.loads(out)
    assert made["title"] == "维修日报" and any(o.endswith(".xlsx") for o in made["outputs"])
    from toolkit.reports import load_schedule

    assert [j.report for j in load_schedule(home / "rules").jobs] == ["garage_daily"]
    assert [p.name for p in workspace_packs(home / "rules")] == ["garage"]


# --- the core names no pack ----------------------------------------------------------------


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            out += [base] + [f"{base}.{a.name}" for a in node.names]
    return out


def test_core_imports_no_pack():
    toolkit = ROOT / "toolkit"
    pack_dirs = {p for p in (toolkit / "packs").iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert pack_dirs, "no pack found"
    names = {p.name for p in pack_dirs}
    offenders = []
    for path in toolkit.rglob("*.py"):
        if any(d in path.parents for d in pack_dirs):
            continue
        for imp in _imports(path):
            parts = imp.replace("..", ".").strip(".").split(".")
            if any(n in parts for n in names) and "packs" in imp:
                offenders.append(f"{path.relative_to(ROOT)}: {imp}")
    assert offenders == []


def test_packs_import_no_other_pack():
    toolkit = ROOT / "toolkit"
    for pack_dir in (toolkit / "packs").iterdir():
        if not (pack_dir / "__init__.py").exists():
            continue
        others = {p.name for p in (toolkit / "packs").iterdir() if p.is_dir()} - {pack_dir.name, "__pycache__"}
        for path in pack_dir.rglob("*.py"):
            for imp in _imports(path):
                assert not any(f"packs.{o}" in imp for o in others), f"{path}: {imp}"


def test_core_holds_no_pack_actions():
    """What stops work until someone acts is a pack's business: the core only places it.

    The property pack's codes (move_out.blocked, renovation.fire_approval …) reach the core
    through ``Pack.actions``; no core module spells one of them.
    """
    from toolkit.packs import available
    from toolkit.packs.acting import actions

    toolkit = ROOT / "toolkit"
    assert not (toolkit / "ruleset" / "actions.py").exists()
    assert not (toolkit / "ruleset" / "history.py").exists()
    codes = {code for p in available().values() for code in p.actions}
    assert {"move_out.blocked", "renovation.fire_approval", "service.amount"} <= codes
    assert set(actions()) >= codes
    pack_dirs = [toolkit / "packs" / p for p in available() if (toolkit / "packs" / p).is_dir()]
    offenders = []
    for path in toolkit.rglob("*.py"):
        if any(d in path.parents for d in pack_dirs):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in codes:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value}")
    assert offenders == []
