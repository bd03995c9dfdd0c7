"""What the car desk's documents print: the 出厂通知单 of a diagnosis-only visit, the
追加维修项目确认单's new promise, the 委托书's blanks for the desk to fill; and the car
templates are the builder's output."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from car_fixtures import ORDER_HEAD, init, order, process
from conftest import write_xlsx

NOW = "2026-12-04T09:00"
TEMPLATES = Path(__file__).resolve().parents[1] / "toolkit" / "packs" / "car" / "workspace" / "templates"

HEAD = [*ORDER_HEAD, "诊断估价费", "随车物品"]


def _order(**kw: Any) -> list[Any]:
    """The shared fixture's order, with the two columns these documents print besides."""
    extra = {k: kw.pop(k, None) for k in ("诊断估价费", "随车物品")}
    return [*order(**kw), *extra.values()]


ORDERS = [
    HEAD,
    # Diagnosis only, no fee written: the exit slip asks for the fee on a line to fill in.
    _order(委托书号="WD01", 车牌号="京AD12345", 接车时间="2026-12-04 08:00", 预计完工时间="2026-12-04 09:00",
          维修项目="动力电池检测", 是否进厂="否", 进车间时间=None, 车间接车人=None),
    # Diagnosis only, 100 元 charged.
    _order(委托书号="WD02", 车牌号="京AD67890", 接车时间="2026-12-04 08:10", 预计完工时间="2026-12-04 09:00",
          是否进厂="否", 进车间时间=None, 车间接车人=None, 诊断估价费=100, 实收金额=100, 付款方式="现金"),
    # In the shop, promised 16:30; an extra item below.
    _order(委托书号="WD03", 车牌号="沪C88888", 接车时间="2026-12-04 08:30", 预计完工时间="2026-12-04 16:30",
          进车间时间="2026-12-04 08:40"),
]

EXTRA = [
    ["增项单号", "委托书号", "车间通知时间", "联系客户时间", "增项内容", "增项工时费", "增项备品费", "延长工期小时",
     "新预计完工时间", "客户答复", "客户签名", "转达车间时间"],
    # An hour more, agreed and signed: it moves WD03's promise to 17:30 and needs no slip.
    ["ZD00", "WD03", "2026-12-04 08:45", "2026-12-04 08:50", "更换刹车片", 80, 320, 1, None, "同意", "是", "2026-12-04 08:55"],
    # Half an hour more, no new time written, no reply yet.
    ["ZD01", "WD03", "2026-12-04 08:50", None, "更换空气滤芯", 50, 180, 0.5, None, None, None, None],
    # The customer could not be reached: still to decide, so a slip.
    ["ZD02", "WD03", "2026-12-04 08:55", None, "更换雨刮片", 20, 60, None, None, "未联系上", None, None],
]


@pytest.fixture(scope="module")
def drafts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = init(tmp_path_factory.mktemp("car") / "ws", "car")
    process(home, write_xlsx(home / "inbox" / "售后登记.xlsx", {"委托书": ORDERS, "追加项目": EXTRA}), NOW)
    return {p.stem.split("_", 1)[1]: _text(p.read_bytes()) for p in (home / "outbox" / "文书草稿").glob("*.docx")}


def _text(blob: bytes) -> str:
    import io

    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    return "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml))


def test_exit_slip_of_a_diagnosis_only_visit(drafts: dict[str, str]):
    text = drafts["出厂通知单_WD01"]
    assert "未在本店维修" in text and "动力电池检测" in text
    # Nothing was repaired: no guarantee, no pick-up voucher, no follow-up call, no
    # labour, parts or settlement lines printed as 0.00.
    for wrong in ("质量保证", "客户取车联", "回访", "工时费", "备品费", "结算金额", "0.00"):
        assert wrong not in text, wrong
    # No fee written: a line to fill in, and the customer is told the fee is due.
    assert "诊断估价费＿＿＿＿＿＿＿＿＿＿ 元" in text and "须交纳诊断估价费" in text
    paid = drafts["出厂通知单_WD02"]
    # 实收金额 100 in cash: the fee is received, the customer is not sent to pay it again.
    assert "诊断估价费 100.00 元已收" in paid and "交纳诊断估价费" not in paid
    assert "100.00 元（人民币壹佰元整）" in paid and "现金" in paid


def test_extra_item_slip_prints_the_promise_once_signed(drafts: dict[str, str]):
    # WD03 was promised 16:30; ZD00 (1 h, agreed and signed) already moved it to 17:30;
    # signing ZD01 (0.5 h) would move it to 18:00. The old promises appear nowhere.
    text = drafts["追加维修项目确认单_ZD01"]
    assert "新预计完工2026年12月4日 18:00" in text
    assert "16:30" not in text and "17:30" not in text
    # ZD02 adds no time: the promise stands at 17:30 (ZD00's).
    assert "新预计完工2026年12月4日 17:30" in drafts["追加维修项目确认单_ZD02"]
    # ZD00 was agreed and signed already: no slip to sign (car.md 3.3).
    assert "追加维修项目确认单_ZD00" not in drafts


def test_extra_item_slip_prints_the_promise_the_rule_passes():
    from toolkit.documents.context import document_context
    from toolkit.documents.render import render_docx
    from toolkit.documents.settings import DocumentsConfig

    values = {"车牌号": "沪C88888", "委托书号": "WD03", "增项内容": "更换空气滤芯", "增项工时费": 50, "增项备品费": 180,
              "total": 230, "延长工期小时": 0.5, "新预计完工时间": None, "客户答复": None,
              "车间通知时间": datetime(2026, 12, 4, 8, 50), "预计完工时间": datetime(2026, 12, 4, 16, 30),
              "promise": datetime(2026, 12, 4, 17, 0), "客户名称": "张伟"}
    config = DocumentsConfig(company="某某公司", company_full="某某有限公司", documents=[])
    context = document_context(config, number="某某公司〔2026〕追字第001号", title="追加维修项目确认单", recipient="张伟",
                               department="服务中心", issue_date=datetime(2026, 12, 4).date(), record="ZD01",
                               register="car_extra_item", values=values)
    text = _text(render_docx(TEMPLATES / "car_extra.docx", context))
    # 16:30 + 0.5 h = 17:00, as car.promise computes it.
    assert "新预计完工2026年12月4日 17:00" in text and "16:30" not in text


def test_order_leaves_blanks_for_the_desk(drafts: dict[str, str]):
    text = drafts["进厂维修委托书_WD03"]
    # 随车物品 left blank in the register: a line to fill in, not "无".
    assert "随车物品：无" not in text and "随车物品：＿＿＿＿" in text
    # The workshop signs for the car with the time of day (to ten minutes).
    assert "车间接车人：" in text and "时　　分" in text


def test_car_templates_are_the_builders_output(tmp_path: Path):
    from toolkit.packs.car import make_templates

    for built in make_templates.main(tmp_path):
        with zipfile.ZipFile(built) as made, zipfile.ZipFile(TEMPLATES / built.name) as shipped:
            assert made.namelist() == shipped.namelist(), built.name
            for name in made.namelist():
                assert made.read(name) == shipped.read(name), (
                    f"{built.name} 的 {name} 与 make_templates.py 的输出不一致，请重新运行它")


@pytest.mark.pdfs
def test_the_order_with_six_extra_items_prints_on_one_a4_page(tmp_path: Path):
    """Both parts (the desk's copy and the customer's pickup voucher, cut apart) on one
    sheet, with the usual most of extra items listed: LibreOffice's page count."""
    import shutil
    import subprocess
    from datetime import date
    from decimal import Decimal

    from conftest import HAVE_OFFICE

    from toolkit.documents.context import document_context
    from toolkit.documents.render import render_docx
    from toolkit.documents.settings import DocumentsConfig

    if not HAVE_OFFICE:
        pytest.skip("LibreOffice (soffice) and poppler-utils are not installed; .ci/run installs them")
    items = ["更换前刹车片", "更换空调滤芯", "更换火花塞（四缸）", "更换雨刮片", "四轮定位及动平衡", "更换蓄电池"]
    extras = [{"增项单号": f"ZD{i:02d}", "增项内容": item, "增项工时费": Decimal(120 + i), "增项备品费": Decimal(380),
               "合计": Decimal(500 + i), "新预计完工时间": None, "延长工期小时": "1.5" if i % 2 else None, "已签字": i % 3 > 0}
              for i, item in enumerate(items)]
    # The longest usual order: parts the customer brought (the no-guarantee lines), the
    # promise moved by a signed extra, the car's belongings written.
    values = {"车牌号": "沪C88888", "客户名称": "上海某某汽车租赁有限公司", "联系电话": "13812345678", "车型": "帕萨特",
              "里程数": 35210, "燃油表": "1/2", "接车时间": datetime(2026, 12, 4, 8, 30), "服务顾问": "王芳",
              "客户问题": "发动机冷启动异响，怠速抖动", "维修项目": "检查发动机，更换正时皮带", "工时费估价": Decimal(300),
              "备品费估价": Decimal(500), "估价合计": Decimal(800), "配件来源": "客户自购", "质量担保": "否",
              "旧件去向": "客户带走", "是否洗车": "是", "预计完工时间": datetime(2026, 12, 4, 16, 30), "钥匙编号": "K-018",
              "随车物品": "备胎、千斤顶、行车记录仪", "no_guarantee": True, "追加项目": extras,
              "promise": datetime(2026, 12, 4, 19, 30), "顺延": True}
    config = DocumentsConfig(company="某某公司", company_full="某某有限公司", documents=[])
    context = document_context(config, number="某某公司〔2026〕委字第001号", title="进厂维修委托书", recipient="上海某某汽车租赁有限公司",
                               department="服务中心", issue_date=date(2026, 12, 4), record="WD03",
                               register="car_work_order", values=values)
    docx = tmp_path / "委托书.docx"
    docx.write_bytes(render_docx(TEMPLATES / "car_order.docx", context))
    subprocess.run([shutil.which("soffice") or "soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
                   capture_output=True, check=True, timeout=120)
    info = subprocess.run(["pdfinfo", str(docx.with_suffix(".pdf"))], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in info, info
    text = subprocess.run(["pdftotext", str(docx.with_suffix(".pdf")), "-"], capture_output=True, text=True).stdout
    assert "客户取车联" in text and "更换蓄电池" in text  # nothing dropped: both parts, the sixth item
