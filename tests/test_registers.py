"""Register declarations: the twelve first-pack registers of SPEC §3, and bad rules files."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from toolkit.fields import parse_value
from toolkit.registers import RegisterSpec, load_registers
from toolkit.rulesfile import RulesError

ROOT = Path(__file__).resolve().parents[1]

# Standard headers in SPEC order; "*" marks a required column (copied from SPEC §3).
SPEC_COLUMNS = {
    "repair": "单号* 房号* 报修人 联系电话 报修时间* 维修内容* 紧急程度 预约时间 接报人 领单时间 到场时间 完成时间 是否有偿 "
              "材料费 人工费 回访时间 回访结果",
    "complaint": "编号* 受理时间* 投诉人* 房号 联系电话 投诉内容* 事件 被投诉部门 性质 等级 客户要求期限 转报时间 "
                 "反馈时间 回复时间 解决时间 回访时间 回访结果 处理结果 超时审批人 状态",
    "request": "编号* 受理时间* 客户* 房号 联系电话 内容* 承诺回复时间 转报部门 转报时间 回复时间 回访时间 回访结果 状态",
    "renovation": "编号* 房号* 业主* 联系电话 装修公司 统一社会信用代码 申请日期* 建筑面积 消防审批 资质等级 结构改动 煤气改动 报批 "
                  "审批日期 装修押金 清运费 出入证数量 入场确认日期 开工日期 隐蔽工程验收日期 竣工验收日期 应扣水电费 公共设施损坏赔偿 "
                  "退还申请人 业主同意退还 押金退还日期",
    "renovation_violation": "编号* 房号* 日期* 违章内容* 严重程度 违约金 整改期限",
    "parking_card": "卡号* 车主* 房号 联系电话 车牌号* 车型 起租日期* 到期日期* 实收金额 押金 办理日期 身份 退卡日期 押金退还",
    "parking_temp": "车牌号* 入场时间* 出场时间* 实收金额",
    "special_service": "单号* 受理时间* 受理人* 房号* 客户 服务项目* 类别 数量 单价 金额 预约时间 完成时间 "
                       "验收结果 回访时间 回访结果 审批人 返工次数 损坏赔偿",
    "fee_account": "房号* 业主* 联系电话 建筑面积* 单价* 已缴至* 欠费金额",
    "handover": "房号* 业主* 身份证号* 联系电话 建筑面积* 物业费单价* 交房日期* 预收月数 接收状态 未接收原因 钥匙已领 "
                "文件签收 紧急联系电话 安全责任书",
    "move_out": "编号* 房号* 携带人* 身份 出门性质 物品 日期* 业主核实 核实时间 水电气结清",
    "visit": "日期* 拜访人* 部门* 客户* 房号 方式 意见",
}

KEYS = {
    "repair": ["单号"], "complaint": ["编号"], "request": ["编号"], "renovation": ["编号"],
    "renovation_violation": ["编号"], "parking_card": ["卡号"], "parking_temp": ["车牌号", "入场时间"],
    "special_service": ["单号"], "fee_account": ["房号"], "handover": ["房号"], "move_out": ["编号"],
    "visit": ["日期", "拜访人", "客户"],
}

TYPES = {
    "money": {
        "repair": ["材料费", "人工费"],
        "renovation": ["装修押金", "清运费", "应扣水电费"],
        "renovation_violation": ["违约金"],
        "parking_card": ["实收金额", "押金"],
        "parking_temp": ["实收金额"],
        "special_service": ["单价", "金额"],
        "fee_account": ["欠费金额"],
    },
    "area": {"renovation": ["建筑面积"], "fee_account": ["建筑面积"], "handover": ["建筑面积"]},
    "decimal": {"fee_account": ["单价"], "handover": ["物业费单价"]},
    "int": {"renovation": ["出入证数量"], "special_service": ["数量"], "handover": ["预收月数"]},
    "date": {
        "renovation": ["申请日期", "审批日期", "开工日期", "竣工验收日期", "押金退还日期"],
        "renovation_violation": ["日期", "整改期限"],
        "parking_card": ["起租日期", "到期日期"],
        "fee_account": ["已缴至"],
        "handover": ["交房日期"],
        "move_out": ["日期"],
        "visit": ["日期"],
    },
    "datetime": {
        "repair": ["报修时间", "预约时间", "领单时间", "到场时间", "完成时间", "回访时间"],
        "complaint": ["受理时间", "客户要求期限", "转报时间", "反馈时间", "回复时间", "解决时间", "回访时间"],
        "move_out": ["核实时间"],
        "request": ["受理时间", "承诺回复时间", "转报时间", "回复时间"],
        "parking_temp": ["入场时间", "出场时间"],
        "special_service": ["受理时间", "预约时间", "完成时间", "回访时间"],
    },
    "plate": {"parking_card": ["车牌号"], "parking_temp": ["车牌号"]},
    "uscc": {"renovation": ["统一社会信用代码"]},
    "id_number": {"handover": ["身份证号"]},
}

ENUMS = {
    ("repair", "紧急程度"): ["紧急", "一般"],
    ("repair", "是否有偿"): ["是", "否"],
    ("repair", "回访结果"): ["满意", "基本满意", "不满意"],
    ("complaint", "性质"): ["有效", "无效"],
    ("complaint", "等级"): ["重大", "重要", "轻微"],
    ("complaint", "状态"): ["待处理", "处理中", "已解决", "已回访"],
    ("renovation", "消防审批"): ["是", "否"],
    ("renovation", "资质等级"): ["一级", "二级", "三级", "无"],
    ("renovation_violation", "严重程度"): ["轻微", "严重"],
    ("move_out", "身份"): ["业主", "租户", "家属", "保姆", "公司职员", "其他"],
    ("move_out", "出门性质"): ["搬家迁出", "临时携带"],
    ("handover", "接收状态"): ["已接收", "未接收"],
    ("parking_card", "身份"): ["业主", "租户", "非住户"],
    ("move_out", "业主核实"): ["是", "否"],
    ("move_out", "水电气结清"): ["是", "否"],
}

DEFAULTS = {("repair", "紧急程度"): "一般", ("special_service", "数量"): 1, ("handover", "预收月数"): 6,
            ("handover", "接收状态"): "已接收",
            ("move_out", "出门性质"): "临时携带"}

# not_before checks SPEC §3 names explicitly: (register, later column, earlier column).
NOT_BEFORE = {
    ("repair", "完成时间", "报修时间"),
    ("complaint", "解决时间", "受理时间"),
    ("complaint", "回复时间", "受理时间"),
    ("request", "回复时间", "受理时间"),
    ("renovation", "竣工验收日期", "开工日期"),
    ("renovation_violation", "整改期限", "日期"),
    ("parking_card", "到期日期", "起租日期"),
    ("parking_temp", "出场时间", "入场时间"),
    ("special_service", "完成时间", "受理时间"),
}


@pytest.fixture(scope="module")
def registers() -> dict[str, RegisterSpec]:
    return load_registers(ROOT / "rules")


# Registers the seeds add beyond SPEC §3 (tests/test_property_registers.py checks them).
SEED_REGISTERS = {"unit_status", "patrol", "transfer", "survey", "community_event", "key_custody",
                  "renovation_patrol", "storage", "lending", "mail", "visitor", "contact_log", "move_in",
                  "account_manager"}


def test_all_registers_load(registers):
    # the twelve first-pack registers, the seeds' registers, and the dispatch register
    # managers send back approved
    assert set(registers) == set(SPEC_COLUMNS) | SEED_REGISTERS | {"dispatch"}


# Optional columns after SPEC §3's, each for a reason the SPEC leaves open: a violation's
# rectification deadline could never be met without a column saying it was done.
EXTRA_COLUMNS = {"renovation_violation": ["整改完成日期"]}


@pytest.mark.parametrize("name", sorted(SPEC_COLUMNS))
def test_columns_and_required_match_spec(registers, name):
    spec = registers[name]
    words = SPEC_COLUMNS[name].split()
    assert [c.name for c in spec.columns] == [w.rstrip("*") for w in words] + EXTRA_COLUMNS.get(name, [])
    assert spec.required == [w.rstrip("*") for w in words if w.endswith("*")]


@pytest.mark.parametrize("name", sorted(KEYS))
def test_key_columns_exist_and_are_required(registers, name):
    spec = registers[name]
    assert spec.key_columns == KEYS[name]
    for k in spec.key_columns:
        assert spec.column(k).required, f"{name}: key column {k} must be required"


@pytest.mark.parametrize("type_", sorted(TYPES))
def test_column_types(registers, type_):
    for name, columns in TYPES[type_].items():
        for c in columns:
            assert registers[name].column(c).type == type_, (name, c)


def test_every_phone_column_is_typed_and_has_the_usual_aliases(registers):
    for spec in registers.values():
        for c in spec.columns:
            if c.name == "联系电话":
                assert c.type == "phone"
                assert {"电话", "手机", "手机号"} <= set(c.aliases), spec.name


def test_common_aliases(registers):
    for spec in registers.values():
        if "房号" in [c.name for c in spec.columns]:
            assert "房间号" in spec.column("房号").aliases, spec.name
        if "车牌号" in [c.name for c in spec.columns]:
            assert "车牌" in spec.column("车牌号").aliases, spec.name
    assert "身份证号码" in registers["handover"].column("身份证号").aliases
    uscc_aliases = registers["renovation"].column("统一社会信用代码").aliases
    assert {"信用代码", "营业执照号"} <= set(uscc_aliases)


def test_enums(registers):
    for (name, column), choices in ENUMS.items():
        c = registers[name].column(column)
        assert c.type == "enum" and c.choices == choices, (name, column)


def test_defaults_parse_to_typed_values(registers):
    for (name, column), expected in DEFAULTS.items():
        assert parse_value(None, registers[name].column(column)) == expected
    for spec in registers.values():  # every declared default must itself be valid
        for c in spec.columns:
            if c.default is not None:
                parse_value(c.default, c)


def test_row_checks(registers):
    declared = {
        (name, rc.column, rc.other)
        for name, spec in registers.items()
        for rc in spec.row_checks
        if rc.check == "not_before"
    }
    assert NOT_BEFORE <= declared
    for name, later, earlier in declared:  # only dates and times can be compared
        spec = registers[name]
        assert spec.column(later).type in ("date", "datetime"), (name, later)
        assert spec.column(earlier).type in ("date", "datetime"), (name, earlier)
    paid = [rc for rc in registers["repair"].row_checks if rc.check == "requires_any"]
    assert len(paid) == 1
    assert paid[0].when.column == "是否有偿" and paid[0].when.equals == "是"
    assert paid[0].columns == ["材料费", "人工费"]


def _score(headers: list[str], spec: RegisterSpec) -> int:
    known = {h for c in spec.columns for h in c.headers}
    return sum(1 for h in headers if h in known)


@pytest.mark.parametrize("name", sorted(SPEC_COLUMNS))
def test_registers_are_told_apart_by_their_headers(registers, name):
    """A sheet with a register's headers matches that register more than any other.

    Checked for the full standard header row and for a sheet with only the required
    columns, so 装修违章记录 is not read as 装修登记表, 临时停车 as 月卡, 需求 as 投诉.
    """
    spec = registers[name]
    for headers in ([c.name for c in spec.columns], spec.required):
        own = _score(headers, spec)
        assert own >= min(spec.min_matches, len(spec.required))
        for other_name, other in registers.items():
            if other_name != name:
                assert _score(headers, other) < own, (name, other_name, headers)


# --- bad rules files ---------------------------------------------------------------


def _copy_register(tmp_path: Path, name: str, edit=None) -> Path:
    folder = tmp_path / "registers"
    folder.mkdir(exist_ok=True)
    target = folder / f"{name}.yaml"
    shutil.copy(ROOT / "rules" / "registers" / f"{name}.yaml", target)
    if edit:
        old, new = edit
        text = target.read_text(encoding="utf-8")
        assert old in text
        target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def _line_of(path: Path, needle: str) -> int:
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return no
    raise AssertionError(needle)


def _refused(tmp_path: Path) -> str:
    with pytest.raises(RulesError) as exc:
        load_registers(tmp_path)
    return str(exc.value)


def test_a_type_typo_names_file_line_and_entry(tmp_path):
    path = _copy_register(tmp_path, "repair", ("{name: 材料费, type: money", "{name: 材料费, type: monye"))
    _copy_register(tmp_path, "complaint")  # a good file alongside does not hide the bad one
    message = _refused(tmp_path)
    assert str(path) in message
    assert f"第{_line_of(path, 'monye')}行" in message
    assert "columns[13].type" in message  # 材料费 is the 14th column of repair.yaml


def test_an_unknown_key_names_file_line_and_entry(tmp_path):
    path = _copy_register(tmp_path, "visit", ("{name: 部门, required: true", "{name: 部门, requried: true"))
    message = _refused(tmp_path)
    assert str(path) in message
    assert f"第{_line_of(path, 'requried')}行" in message
    assert "columns[2].requried" in message


def test_a_default_outside_the_choices_is_refused(tmp_path):
    path = _copy_register(tmp_path, "repair", ("default: 一般", "default: 普通"))
    message = _refused(tmp_path)
    assert str(path) in message and "普通" in message
    assert f"第{_line_of(path, '普通')}行" in message and "columns[6]" in message


def test_a_bad_row_check_kind_names_its_entry(tmp_path):
    path = _copy_register(tmp_path, "parking_temp", ("check: not_before", "check: not_befor"))
    message = _refused(tmp_path)
    assert str(path) in message
    assert f"第{_line_of(path, 'not_befor')}行" in message and "row_checks[0]" in message


def test_a_row_check_naming_a_missing_column_is_refused(tmp_path):
    path = _copy_register(tmp_path, "parking_temp", ("other: 入场时间", "other: 进场日期"))
    message = _refused(tmp_path)
    assert str(path) in message
    assert re.search(r"第\d+行", message)
    assert "row_checks" in message and "进场日期" in message


def test_a_row_check_naming_a_missing_column_points_at_its_line(tmp_path):
    path = _copy_register(tmp_path, "parking_temp", ("other: 入场时间", "other: 进场日期"))
    message = _refused(tmp_path)
    assert f"第{_line_of(path, '进场日期')}行" in message and "row_checks[0]" in message


def test_an_alias_claimed_by_two_columns_is_refused(tmp_path):
    path = _copy_register(tmp_path, "request", ("aliases: [转交部门]", "aliases: [转交时间]"))
    message = _refused(tmp_path)
    assert str(path) in message and "转交时间" in message


def test_a_file_named_differently_from_its_register_is_refused(tmp_path):
    path = _copy_register(tmp_path, "visit")
    path.rename(path.with_name("visits.yaml"))
    message = _refused(tmp_path)
    assert "visits.yaml" in message and "visit" in message


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = _copy_register(tmp_path, "handover", ("{name: 业主, required: true", "{name: 业主, required: true,,"))
    message = _refused(tmp_path)
    assert str(path) in message and re.search(r"第\d+行", message)


def test_overlong_cells_are_never_taken_for_headers(registers):
    """A cell longer than any header (a pasted text, a hostile file's huge shared string)
    is skipped without normalising it, so a sheet of such cells costs almost nothing."""
    from toolkit.headers import HEADER_MAX_CHARS, find_header, header_key
    from toolkit.model import RawSheet

    assert header_key("联系电话：") == "联系电话"
    assert header_key("联系电话" + " " * HEADER_MAX_CHARS) == ""
    huge = "单号" * 500_000
    sheet = RawSheet("Sheet1", [(r, [huge] * 8) for r in range(1, 31)])
    assert find_header(sheet, registers) is None
