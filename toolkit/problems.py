"""Chinese names of problem codes, as staff read them in the 问题清单 and the daily list.

Codes stay stable and English in the run summary (``process --json``); people see these.
"""

from __future__ import annotations

from collections import Counter

from .model import FileResult, Finding, is_advisory

_NAMES: dict[str, str] = {
    "cell.required": "必填项为空",
    "cell.blank": "单元格为空",
    "cell.error_value": "公式出错",
    "cell.formula_no_value": "公式没有计算结果",
    "date.ambiguous": "日期月日不明",
    "date.format": "日期格式不对",
    "date.invalid": "日期不存在",
    "date.no_day": "日期缺少日",
    "date.no_year": "日期缺少年份",
    "date.serial": "日期显示为数字",
    "date.time_only": "只有时间没有日期",
    "date.two_digit_year": "年份只有两位",
    "datetime.no_time": "缺少几点几分",
    "month.format": "月份格式不对",
    "period.format": "期间格式不对",
    "time.invalid": "时间格式不对",
    "time.has_date": "时间列带了日期",
    "enum.invalid": "不是可选值",
    "number.invalid": "不是数字",
    "number.negative": "数值为负",
    "number.not_integer": "不是整数",
    "money.invalid": "金额不是数字",
    "money.negative": "金额为负",
    "money.too_many_decimals": "金额超过两位小数",
    "area.invalid": "面积不是数字",
    "area.negative": "面积为负",
    "phone.invalid": "电话号码不对",
    "phone.no_area_code": "固定电话缺区号",
    "phone.several": "一格填了多个号码",
    "id_number.as_number": "身份证号被改成数字",
    "id_number.checksum": "身份证号校验位不对",
    "id_number.invalid": "身份证号不对",
    "id_number.old_format": "15 位旧身份证号",
    "uscc.checksum": "信用代码校验位不对",
    "uscc.invalid": "信用代码不对",
    "uscc.old_format": "旧营业执照注册号",
    "plate.invalid": "车牌号不对",
    "vin.invalid": "车架号不对",
    "vin.check_digit": "车架号校验位请核对",
    "row.not_before": "时间先后不对",
    "row.day_only": "只写了日期",
    "row.requires": "缺少应填项",
    "row.requires_any": "缺少应填项",
    "key.duplicate": "编号重复",
    "void.mark": "作废栏填法不对",
    "void.key": "作废行缺编号",
    "void.duplicate": "作废行与登记行同号",
    "dispatch.not_taken": "发文登记的改动未生效",
    "header.missing": "缺少必需的列",
    "header.duplicate": "列名重复",
    "header.ambiguous": "列名对应不明",
    "sheet.unrecognised": "无法识别的表",
    "csv.encoding": "文字编码无法识别",
    "csv.malformed": "CSV 格式有误",
    "csv.mixed_encoding": "文字编码混杂",
    "workbook.xml": "文件内部结构有误",
    "toolkit.reading": "读取出错",
}


STATUS_ZH = {
    "accepted": "已接收",
    "partial": "部分接收",
    "rejected": "已退回",
    "duplicate": "重复文件",
    "ignored": "已忽略",
    "busy": "他处处理中",
}


# What a finding's severity means to the person who acts, as the daily list says it.
SEVERITY_ZH = {"blocking": "暂停办理", "error": "错误", "warning": "提醒", "info": "提示"}


def findings_counts(findings: list[Finding]) -> str:
    """The findings of a file counted by severity, resolved ones apart:
    "错误 1 条、提醒 5 条、已解决 1 条、转为其他事项 2 条"."""
    from .packs import turned  # the packs module reads the rules: imported when counting

    gone = turned(findings)
    counts = Counter(("turned" if id(f) in gone else "resolved") if f.state == "resolved" else f.severity
                     for f in findings)
    names = {**SEVERITY_ZH, **{k: k for k in counts if k not in SEVERITY_ZH}, "resolved": "已解决",
             "turned": "转为其他事项"}
    return "、".join(f"{name} {counts[k]} 条" for k, name in names.items() if counts[k])


def outcome_line(result: FileResult, name: str) -> str:
    """One line on how a file went, for the console and the log."""
    r = result.rows
    if result.status == "rejected" and not result.registers and not r.total:
        # Nothing was read (no register, a file that cannot be opened): no row counts and
        # no "填写问题" — the reason follows on its own line and in the note.
        return f"{STATUS_ZH['rejected']} {name}：未能读取登记内容"
    parts = [f"共 {r.total} 行", f"登记 {r.valid} 行"]
    if r.voided:
        # Rows marked 作废 against records this save retired (a row voided before, or whose
        # number was never taken, retires nothing: said, so a mistyped number is seen).
        retired = sum(len(c.get("voided", ())) for c in result.changes.values())
        parts.append(f"作废 {r.voided} 行" if retired == r.voided else
                     f"作废 {r.voided} 行（本次撤销记录 {retired} 条，其余编号此前已作废或从未登记）")
    if r.rejected:
        parts.append(f"退回 {r.rejected} 行")
    advice = sum(1 for e in result.errors if is_advisory(e.code))
    if len(result.errors) > advice:
        parts.append(f"填写问题 {len(result.errors) - advice} 处")
    if advice:
        parts.append(f"请核对 {advice} 处")
    if result.actions:
        parts.append(f"须处理 {len(result.actions)} 项")
    if result.findings:
        parts.append(f"规则发现 {findings_counts(result.findings)}")
    fixed = [c for c in result.corrections if c.applied]
    if fixed:  # keys corrected: their old records retired (corrections.py)
        parts.append(f"更正编号 {len(fixed)} 处（{'；'.join(c.note for c in fixed)}）")
    # Rows the workbook's last save carried, deleted since: kept, and said (corrections.missing).
    parts += [m.note for m in result.missing]
    if result.again_of:  # the same bytes as an earlier file, taken again: say why
        parts.append(f"与第 {result.again_of['same_as']} 号文件内容相同，但该登记表此后已由第 "
                     f"{result.again_of['after']} 号文件改过，按重新保存处理")
    return f"{STATUS_ZH.get(result.status, result.status)} {name}：{'，'.join(parts)}"


def action_titles() -> dict[str, str]:
    """Each action code of the installed packs and its title (imports the packs)."""
    from .packs.acting import actions

    return {code: a.title for code, a in actions().items()}


def action_lists() -> dict[str, str]:
    """Each action code of the installed packs and the report that lists it again."""
    from .packs.acting import actions

    return {code: a.listed_in for code, a in actions().items() if a.listed_in}


def problem_name(code: str, titles: dict[str, str] | None = None) -> str:
    """What a problem code means in a few Chinese words (the code itself if unknown);
    ``titles``: the packs' action titles, when the caller has them already."""
    acts = action_titles() if titles is None else titles
    if code in acts:
        return acts[code]
    if code in _NAMES:
        return _NAMES[code]
    if code.startswith("file."):
        return "文件无法读取"
    return code
