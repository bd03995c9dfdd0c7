"""The streaming zip scan gives exactly what one plain pattern per flag and bound gives.

safety._scan_chunk skips patterns that cannot match and folds several into one pass; the
reference here runs every pattern over every chunk, as the scan first did. Both must agree
on hand-made and randomised sheet XML, cut into chunks of many sizes.
"""

from __future__ import annotations

import random
import re
import zipfile
from pathlib import Path

import pytest

from toolkit import safety

OVERLAP = 64
_ERROR = re.compile(rb"t=[\"']e[\"']")
_WIDE = re.compile(rb"r=[\"']([A-Za-z]{2,})\d")
_ODD = re.compile(rb"r(?:\s=|=\s)")
_X005F = re.compile(rb"_x005[Ff]_")
_CELL_ROWS = re.compile(rb"r=[\"'][A-Za-z]{1,3}(\d+)")


def reference_scan(xml: bytes, chunk: int) -> dict:
    """Every pattern over every chunk (data = 64 old bytes + the chunk; counts: new bytes)."""
    part = safety.PartScan("ref")
    tail = b""
    for start in range(0, len(xml), chunk):
        new = xml[start:start + chunk]
        data = tail + new
        part.size += len(new)
        if start == 0:
            part.utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]
        safety._check_entities(part, data)
        tail = new[-OVERLAP:]
        if part.utf16:
            part.odd_refs = True
            continue
        p = re.escape(part.prefix)
        part.has_error_cells |= bool(_ERROR.search(data))
        part.has_formulas |= bool(re.search(b"<" + p + rb"f[\s>/]", data))
        part.has_merges |= b"mergeCell" in data
        part.has_x005f |= bool(_X005F.search(data))
        part.odd_refs |= bool(_ODD.search(data))
        rows = [int(d) for d in re.findall(b"<" + p + rb"row r=\"(\d+)\"", data)]
        part.max_row_ref = max([part.max_row_ref, *rows])
        # Every cell row, as a number: the largest row cannot depend on how it is found.
        cells = [int(d) for d in _CELL_ROWS.findall(data)]
        part.max_row_ref = max([part.max_row_ref, *cells])
        part.rows_without_ref += len(re.findall(b"<" + p + rb"row(?! r=\"\d)[\s>/]", new))
        part.cells_without_ref += len(re.findall(b"<" + p + rb"c(?! r=\"[A-Za-z])[\s>/]", new))
        for letters in _WIDE.findall(data):
            part.wide_cols = max(part.wide_cols, 702 if len(letters) == 2 else safety._col_index(letters))
    return vars(part) | {"name": None}


def scanned(tmp_path: Path, xml: bytes) -> dict:
    path = tmp_path / "s.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", xml)
    return vars(safety.scan_zip(path).parts["xl/worksheets/sheet1.xml"]) | {"name": None}


def same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, xml: bytes, chunks=(23, 64, 97, 1 << 20)) -> None:
    for chunk in chunks:
        monkeypatch.setattr(safety, "CHUNK", chunk)
        assert scanned(tmp_path, xml) == reference_scan(xml, chunk), (chunk, xml)


# Pieces of sheet XML, ordinary and odd, that the flags and bounds are about.
_CELLS = [
    '<c r="{col}{row}"><v>1</v></c>', "<c r='{col}{row}'><v>1</v></c>", '<c r="{col}{row}" t="e"><v>#N/A</v></c>',
    "<c r=\"{col}{row}\" t='e'/>", '<c r="{col}{row}"><f>A1+1</f></c>', '<c r="{col}{row}"><f/></c>',
    '<c r="{col}{row}" t="inlineStr"><is><t>a = b _x005F_x0001_ f g \' {col}{row}</t></is></c>',
    '<c><v>2</v></c>', '<c s="1" r="{col}{row}"/>', '<c  r="{col}{row}"/>', '<c r ="{col}{row}"/>',
    '<c r= "{col}{row}"/>', '<c\tr="{col}{row}"/>', '<c r="{col}0{row}"/>', '<c r="{col}000{row}"/>',
    '<c r="5"/>', '<c r=""/>', '<cfRule/>', '<col min="1"/>', '<c/>', '<c>',
    '<c r="{col}{row}" t="inlineStr"><is><t>mergeCell</t></is></c>', '<x r="{col}{big}"/>',
]
_ROWS = ['<row r="{row}">', "<row r='{row}'>", '<row>', '<row r="0{row}">', '<row  r="{row}">',
         '<row r="{row}" spans="1:3">', '<row r="x">', '<rowBreaks/>', '<row r="{big}">', '<row/>']
_COLS = ["A", "B", "Z", "AA", "AZ", "AAA", "XFD", "ABCD", "a", "zz"]


def random_sheet(rng: random.Random, prefix: str = "") -> bytes:
    out = [f'<?xml version="1.0"?><{prefix}worksheet xmlns="x"><{prefix}sheetData>']
    row = rng.choice([1, 9, 10, 99, 100, 950, 99_999, 100_000, 1_048_576])
    for _ in range(rng.randint(1, 60)):
        row += rng.choice([0, 1, 1, 1, 2, 11, -3, 900])
        row = max(row, 0)
        out.append(rng.choice(_ROWS).format(row=row, big=row * rng.choice([1, 10, 1000])))
        for _ in range(rng.randint(0, 6)):
            near = max(row + rng.choice([0, 0, 0, -1, 1, 9, 100, 99_999]), 0)
            out.append(rng.choice(_CELLS).format(col=rng.choice(_COLS), row=near, big=near * 1000))
        out.append("</row>")
    out.append(f"</{prefix}sheetData></{prefix}worksheet>")
    xml = "".join(out)
    if prefix:
        xml = xml.replace("<c", f"<{prefix}c").replace("<row", f"<{prefix}row").replace("<f", f"<{prefix}f")
        xml = xml.replace("</c", f"</{prefix}c").replace("</row", f"</{prefix}row").replace("</f", f"</{prefix}f")
    return xml.encode()


@pytest.mark.parametrize("seed", range(40))
def test_scan_matches_every_pattern_run_everywhere(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(4):
        same(tmp_path, monkeypatch, random_sheet(rng, rng.choice(["", "", "x:"])), chunks=(rng.randint(17, 200), 1 << 20))


@pytest.mark.parametrize("xml", [
    # Each case is a way the old single-purpose patterns and the folded pass could part.
    b'<worksheet><sheetData><row r="7"><c r="A7"/><c r="A8"/></row></sheetData></worksheet>',  # cell below its row
    b'<worksheet><sheetData><row r="99"><c r="A100"/></row></sheetData></worksheet>',  # one more digit
    b'<worksheet><sheetData><row r="51800"><c r="B51801"/><c r="C51799"/></row></sheetData></worksheet>',
    b'<worksheet><sheetData><row r="51800"><c r="AB51800"/></row></sheetData></worksheet>',  # two letters
    b'<worksheet><sheetData><row r="5"><c r="AB5"/><c r="ABC6"/><c r="AB7"/></row></sheetData></worksheet>',
    b'<worksheet><sheetData><row r="5"><c r="ABCD5"/></row></sheetData></worksheet>',  # four letters
    b'<worksheet><sheetData><row r="5"><c r="AAA5"/><c r="AB6"/><c r="A7"/><c r="XFD8"/></row></sheetData></worksheet>',
    b'<worksheet><sheetData><row r="5"><c r=\'E9\'/></row></sheetData></worksheet>',  # single quotes
    b'<worksheet><sheetData><row r="5"><c r\t="E9"/></row></sheetData></worksheet>',  # odd spacing
    b'<worksheet><sheetData><row r="5"><c r=\n"E9"/></row></sheetData></worksheet>',
    b'<worksheet><sheetData><row r="5"><c r="E9" t=\'e\'/></row></sheetData></worksheet>',
    b'<worksheet><sheetData><row r="5"><c r="E9" t="e\'/></row></sheetData></worksheet>',
    b'<worksheet><sheetData><row r="0000000001"/><row r="1048576"><c/><c/></row></sheetData></worksheet>',
    b'<worksheet><sheetData><row r="9"><c r="A0000000001"/><c r="A98765"/></row></sheetData></worksheet>',
    b'<x:worksheet xmlns:x="x"><x:sheetData><x:row r="3"><x:c r="A4"><x:f>1</x:f></x:c></x:row>'
    b'<x:row><x:c/></x:row></x:sheetData></x:worksheet>',
    b'<worksheet><sheetData><row r="12345678901"><c r="A12345678902"/></row></sheetData></worksheet>',
    b'<worksheet><sheetData><row r="1"><c r="A1"><is><t>_x005f_</t></is></c></row>'
    b'<mergeCells><mergeCell ref="A1:B2"/></mergeCells></sheetData></worksheet>',
])
def test_hand_made_sheets_scan_as_every_pattern_would(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, xml: bytes) -> None:
    same(tmp_path, monkeypatch, xml, chunks=(5, 11, 23, 37, 64, 1 << 20))


def test_leading_zeros_do_not_hide_the_largest_row(tmp_path: Path) -> None:
    # calamine puts the cells without a reference in row 1,048,576: the bound must know.
    xml = (b'<worksheet><sheetData><row r="0000000001"><c><v>1</v></c></row>'
           b'<row r="1048576"><c><v>1</v></c><c><v>2</v></c></row></sheetData></worksheet>')
    part = scanned(tmp_path, xml)
    assert part["max_row_ref"] == 1_048_576
    assert safety._max_number([b"0009", b"99", b"7"]) == 99
    assert safety._max_number([b"120", b"99", b"0121"]) == 121


@pytest.mark.parametrize("bound", [0, 1, 8, 9, 10, 19, 99, 100, 909, 51_800, 99_999, 100_002, 1_048_576])
def test_refs_gate_finds_every_row_above_the_bound(bound: int) -> None:
    for letters in (1, 2, 3):
        gate = safety._refs_gate(bound, letters)
        above = safety._above_re(bound)
        for n in {*range(0, 200), *range(max(bound - 150, 0), bound + 150), 10 * bound, 10 * bound + 9}:
            for text in (b"%d" % n, b"0%d" % n, b"00%d" % n):
                for col in (b"A", b"z", b"AB", b"XFD"[:letters]):
                    ref = b'<c r="' + col + text + b'"/>'
                    if above.search(ref) or (len(col) > letters and _WIDE.search(ref)):
                        assert gate.search(ref), (bound, letters, ref)
