"""Decide what a file really is, and refuse dangerous ones before any reader runs.

Readers pick a format by extension and some of them die outright on hostile input
(python-calamine aborts the whole process on a zip bomb), so every input passes
through here first: format by magic bytes, encryption, zip bombs, XML entities.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from toolkit.model import UnreadableFile

# Limits for zip-based workbooks (xlsx/xlsm/ods).
MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024  # all members together, declared and actual
MAX_RATIO = 250  # per member, for members large enough to matter (legit sheets reach ~120:1)
RATIO_MIN_SIZE = 8 * 1024 * 1024
MAX_MEMBERS = 10_000
MAX_ROW_COUNT = 1_048_576
MAX_FILE_SIZE = 300 * 1024 * 1024  # any input file
CHUNK = 4 * 1024 * 1024  # inflated bytes per scan step: fewer passes per sheet, little memory

# Staff-facing advice reused in several messages.
RESAVE = "请用 Excel 或 WPS 打开后另存为 .xlsx，再放入收件箱"
# A Word or PowerPoint file cannot be saved again as a register: it was put in by mistake.
NOT_A_REGISTER = (
    "收件箱只收登记表，这个文件可能是放错了，不必再放入；"
    "登记表是“空白登记表”文件夹里的 .xlsx 表格，填好后保存到收件箱"
)
# Extensions of Word (and WPS 文字) files: whatever is wrong with such a file, it is no register.
WORD_EXTENSIONS = frozenset({".doc", ".docx", ".docm", ".dot", ".dotx", ".dotm", ".wps"})

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"

_LOCK_RE = re.compile(r"^(~\$|\.~lock\.)")
_TEMP_RE = re.compile(r"^~(WRL|WRD|DF)[0-9A-F]{0,8}.*\.tmp$", re.IGNORECASE)


# --- files to skip -------------------------------------------------------------


def is_lock_file(path: Path) -> bool:
    """Excel/WPS owner files (~$x.xlsx) and LibreOffice lock files (.~lock.x#)."""
    return bool(_LOCK_RE.match(path.name))


def is_ignorable(path: Path) -> bool:
    """True for lock, temp and hidden files that staff never meant to submit."""
    name = path.name
    if not name or is_lock_file(path):
        return True
    # Hidden files, incl. .DS_Store, ._x (macOS) and sync markers. A name starting with
    # ".." is no such convention (e.g. a path typed as a name): it is a file to process.
    if name.startswith(".") and not name.startswith(".."):
        return True
    lower = name.lower()
    if lower.endswith((".tmp", ".temp", ".crdownload", ".part", ".partial")):
        return True
    if _TEMP_RE.match(name) or name in ("Thumbs.db", "desktop.ini"):
        return True
    return name.startswith("~") and lower.endswith(".tmp")


# --- format sniffing -------------------------------------------------------------


def _refuse(code: str, message: str) -> UnreadableFile:
    return UnreadableFile(code, message)


ENCRYPTED = (
    "文件设置了打开密码，无法读取。请在 Excel 或 WPS 中取消密码（文件 → 信息 → 保护工作簿 → "
    "用密码进行加密，清空密码）后另存，再放入收件箱"
)


def _encrypted() -> UnreadableFile:
    return _refuse(
        "file.encrypted",
        ENCRYPTED,
    )


def sniff_format(path: Path) -> str:
    """Return 'xlsx', 'ods', 'xls', 'csv', 'html' or 'docx' judged by content.

    Raises UnreadableFile for empty, encrypted, unknown or non-spreadsheet files.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(64 * 1024)
    except OSError as exc:
        raise _refuse("file.unreadable", f"无法打开文件（{exc.strerror or exc}），请确认文件没有被占用后重试") from None
    if size == 0 or not head:
        raise _refuse("file.empty", "文件是空的（0 字节），可能复制或同步没有完成；请重新保存后再放入收件箱")
    if size > MAX_FILE_SIZE:
        raise _refuse("file.too_large", f"文件过大（{size // (1024 * 1024)} MB），超出处理上限；请拆分后再放入收件箱")
    if head.startswith(ZIP_MAGICS):
        return _sniff_zip(path)
    if head.startswith(OLE_MAGIC):
        return _sniff_ole(path)
    if _is_bare_biff(head):
        raise _refuse("file.old_excel", f"这是 Excel 4.0 或更早版本的表格格式，本系统无法读取；{RESAVE}")
    return _sniff_text(head)


def _is_bare_biff(head: bytes) -> bool:
    """BIFF2-BIFF4 workbooks stored without an OLE2 container."""
    if len(head) < 4:
        return False
    rtype, length = struct.unpack_from("<HH", head)
    return rtype in (0x0009, 0x0209, 0x0409, 0x0809) and 4 <= length <= 20


_BINARY_MAGICS = {
    b"%PDF": "PDF 文件",
    b"\x89PNG": "图片",
    b"\xff\xd8\xff": "图片",
    b"GIF8": "图片",
    b"Rar!": "RAR 压缩包",
    b"7z\xbc\xaf": "7z 压缩包",
    b"\x1f\x8b": "gzip 压缩包",
    b"{\\rtf": "RTF 文档",
}


def _sniff_text(head: bytes) -> str:
    for magic, what in _BINARY_MAGICS.items():
        if head.startswith(magic):
            raise _refuse("file.not_spreadsheet", f"这是{what}，不是表格文件；{NOT_A_REGISTER}")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "csv"  # UTF-16 text with BOM
    if _looks_binary(head):
        raise _refuse("file.not_spreadsheet", f"无法识别文件格式，它不是 Excel、WPS 或 CSV 表格；{RESAVE}")
    text = head[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in text and b"<html" not in text:
            raise _refuse(
                "file.xml_spreadsheet",
                f"这是 Excel 2003 XML 表格（.xml），本系统不读取这种格式；{RESAVE}",
            )
        if any(tag in text for tag in (b"<html", b"<!doctype html", b"<table", b"<meta", b"<body")):
            return "html"
        raise _refuse("file.not_spreadsheet", f"这是 XML 或网页类文本，不是表格文件；{RESAVE}")
    return "csv"


def _looks_binary(head: bytes) -> bool:
    """Many control bytes (other than TAB/CR/LF/ESC/FF) mean it is not text."""
    sample = head[:8192]
    controls = sum(1 for b in sample if b < 0x20 and b not in (9, 10, 12, 13, 27))
    return controls > max(2, len(sample) // 10)


# --- zip packages ----------------------------------------------------------------


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error):
        raise _refuse(
            "file.corrupt",
            "文件已损坏或不完整（可能复制还没结束）；请等复制完成，或用 Excel 打开后重新保存，再放入收件箱",
        ) from None


def _read_small(zf: zipfile.ZipFile, name: str, limit: int = 256 * 1024) -> bytes:
    """Read at most `limit` bytes of a member; broken members read as b''."""
    try:
        with zf.open(name) as fh:
            return fh.read(limit)
    # zipfile raises NotImplementedError for compression methods it cannot inflate
    # (e.g. deflate64 from some zip tools) and RuntimeError for encrypted members.
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError,
            NotImplementedError, zlib.error, KeyError):
        return b""


def _sniff_zip(path: Path) -> str:
    with _open_zip(path) as zf:
        names = zf.namelist()
        lower = {n.lower(): n for n in names}
        if "mimetype" in lower:
            mime = _read_small(zf, lower["mimetype"], 200).strip()
            if mime.startswith(ODS_MIME):
                manifest = _read_small(zf, lower.get("meta-inf/manifest.xml", ""), 1024 * 1024)
                if b"encryption-data" in manifest:
                    raise _encrypted()
                return "ods"
            raise _refuse("file.not_spreadsheet", f"这是 OpenDocument 文字或演示文档，不是表格；{NOT_A_REGISTER}")
        types = _read_small(zf, lower.get("[content_types].xml", ""), 1024 * 1024).lower()
        if b"spreadsheetml" in types or b"ms-excel" in types:
            return "xlsx"
        if b"wordprocessingml" in types or "word/document.xml" in lower:
            return "docx"
        if b"presentationml" in types:
            raise _refuse("file.not_spreadsheet", f"这是 PowerPoint 演示文稿，不是表格；{NOT_A_REGISTER}")
        if any(n.endswith("workbook.xml") for n in lower):
            return "xlsx"
    raise _refuse("file.not_spreadsheet", f"这是一个压缩包（zip），里面没有 Excel 工作簿；{RESAVE}")


@dataclass
class PartScan:
    """What one streamed XML part of a package contains (cheap byte-level flags).

    The bounds let the caller refuse to hand calamine a sheet whose used range would
    make it allocate a huge dense grid (it aborts the process when that fails).
    """

    name: str
    size: int = 0
    has_error_cells: bool = False
    has_formulas: bool = False
    has_merges: bool = False
    has_x005f: bool = False
    utf16: bool = False
    in_prolog: bool = True
    prefix: bytes = b""  # namespace prefix of the root element, e.g. b"x:"
    max_row_ref: int = 0  # exact maximum over <row r="N"> and every cell reference's row
    rows_without_ref: int = 0
    cells_without_ref: int = 0
    wide_cols: int = 0  # 702 if two-letter columns seen; the exact maximum from three letters
    odd_refs: bool = False

    def area_bound(self) -> int:
        """An upper bound of the dense grid a reader would allocate for this sheet."""
        if self.odd_refs:
            return MAX_ROW_COUNT * 16_384
        rows = self.max_row_ref + self.rows_without_ref
        cols = max(26, self.wide_cols, min(16_384, self.cells_without_ref))
        return max(rows, 1) * cols


@dataclass
class ZipScan:
    """The result of check_zip: every XML part, verified by actually inflating it."""

    parts: dict[str, PartScan] = field(default_factory=dict)
    total: int = 0


_DANGER = [
    s.encode(enc) for s in ("<!DOCTYPE", "<!ENTITY") for enc in ("ascii", "utf-16-le", "utf-16-be")
]
# Patterns start with a literal so re's fast literal search does the work. The loose ones
# match any attribute ending in "r"/"t", which can only make the bounds more conservative.
_DANGER_UTF8 = (b"<!DOCTYPE", b"<!ENTITY")
_DANGER_UTF16 = [m.decode().encode(enc) for m in _DANGER_UTF8 for enc in ("utf-16-le", "utf-16-be")]
_ROOT_RE = re.compile(rb"<([A-Za-z_][\w.-]*:)?[A-Za-z_]")
_ERROR_RE = re.compile(rb"t=[\"']e[\"']")
_WIDE_RE = re.compile(rb"r=[\"']([A-Za-z]{2,})\d")  # two letters: column 27 or more
_ODD_REF_RE = re.compile(rb"r(?:\s=|=\s)")
_X005F_RE = re.compile(rb"_x005[Ff]_")
_CELL_ROW_RES = {d: re.compile(rb"r=[\"'][A-Za-z]{1,3}(\d{%d,})" % d) for d in range(1, 12)}
_CELL_ROW_HEAD = rb"r=[\"'][A-Za-z]{1,3}"


def _above_re(bound: int) -> re.Pattern[bytes]:
    """A pattern matching a cell reference whose row, as written, is above ``bound``
    (or has more digits than it, leading zeros included: those are looked at exactly).

    A number of as many digits is above ``bound`` when it agrees with it up to some
    digit and is larger there: one alternative per digit.
    """
    text = str(bound)
    k = len(text)
    alts = [rb"\d{%d,}" % (k + 1)]
    for i, ch in enumerate(text):
        if ch != "9":
            alts.append(text[:i].encode() + b"[%d-9]" % (int(ch) + 1) + rb"\d{%d}(?!\d)" % (k - i - 1))
    return re.compile(_CELL_ROW_HEAD + b"(?:" + b"|".join(alts) + b")")


_ABOVE: dict[int, re.Pattern[bytes]] = {}


class _TagPatterns:
    """Element patterns for one namespace prefix (b"" or e.g. b"x:")."""

    def __init__(self, prefix: bytes):
        p = re.escape(prefix)
        self.formula = re.compile(b"<" + p + rb"f[\s>/]")
        # Both row patterns in one pass: group 1 holds the digits of <row r="N">, and is
        # empty for a row without a reference (the old row_noref pattern, verbatim).
        self.rows = re.compile(b"<" + p + rb"row(?: r=\"(\d+)\"|(?! r=\"\d)[\s>/])")
        self.row_noref = re.compile(b"<" + p + rb"row(?! r=\"\d)[\s>/]")
        self.cell_noref = re.compile(b"<" + p + rb"c(?! r=\"[A-Za-z])[\s>/]")


_PATTERNS: dict[bytes, _TagPatterns] = {}


def _patterns(prefix: bytes) -> _TagPatterns:
    if prefix not in _PATTERNS:
        _PATTERNS[prefix] = _TagPatterns(prefix)
    return _PATTERNS[prefix]


def _above_trie(text: str) -> bytes:
    """A pattern for the start of a digit run above int(text) when it has len(text) digits:
    larger at some digit after agreeing with ``text`` up to it (one nested group per digit,
    so a run is given up on at its first smaller digit)."""
    k = len(text)

    def level(i: int) -> bytes | None:
        if i == k:
            return None
        digit, rest = int(text[i]), k - 1 - i
        alts = []
        if digit < 9:
            alts.append(b"[%d-9]" % (digit + 1) + (rb"\d{%d}" % rest if rest else b""))
        deeper = level(i + 1)
        if deeper is not None:
            alts.append(text[i].encode() + deeper)
        return b"(?:" + b"|".join(alts) + b")" if len(alts) > 1 else (alts[0] if alts else None)

    trie = level(0)
    return (trie + b"|" if trie else b"") + rb"\d{%d}" % (k + 1)


def _refs_gate(bound: int, letters: int) -> re.Pattern[bytes]:
    """One pattern that finds, in a single pass, everything the exact reference patterns
    (_ODD_REF_RE, _WIDE_RE, _above_re(bound)) could find, and maybe a little more:

    - "r" then whitespace and "=", or "r=" then whitespace (exactly _ODD_REF_RE);
    - r="/r=' then more than ``letters`` letters (``letters`` is 1 until two-letter columns
      were seen, then 2): every _WIDE_RE match that could raise wide_cols (once three-letter
      columns were seen, 3, and the caller runs _WIDE_RE on every chunk);
    - r="/r=' then 1..letters letters then a row above ``bound``: a digit run whose first
      len(bound) digits are larger, or that has more digits (_above_re with 1..3 letters
      either has more letters, found above, or is found here).

    A match only sends the chunk to the exact patterns, so finding more costs time, never
    a different result; finding less is what the tests compare against the exact patterns.
    """
    head = rb"[A-Za-z]" if letters == 1 else rb"[A-Za-z]{1,%d}+" % letters
    return re.compile(
        rb"r(?:\s=|=(?:\s|[\"']" + head + rb"(?:[A-Za-z]|" + _above_trie(str(bound)) + rb")))")


_GATES: dict[tuple[int, int], re.Pattern[bytes]] = {}


_XML_SUFFIXES = (".xml", ".rels", ".vml")
_OVERLAP = 64  # bytes kept between chunks so markers split across them are found


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


def check_zip(path: Path) -> None:
    """Refuse zip bombs and XML entity declarations (raises UnreadableFile)."""
    scan_zip(path)


def scan_zip(path: Path) -> ZipScan:
    """check_zip, returning what the streaming pass learnt about each XML part.

    Declared sizes are checked first (cheap), then every XML part is inflated in a
    streaming way under a hard cap, so a member that lies about its size is caught.
    """
    with _open_zip(path) as zf:
        infos = zf.infolist()
        _check_declared(infos)
        scan = ZipScan()
        for info in infos:
            if info.is_dir() or not info.filename.lower().endswith(_XML_SUFFIXES):
                continue
            part = _stream_part(zf, info, MAX_TOTAL_UNCOMPRESSED - scan.total)
            scan.total += part.size
            scan.parts[info.filename] = part
        return scan


def _bomb(detail: str) -> UnreadableFile:
    return _refuse(
        "file.zip_bomb",
        f"文件解压后异常巨大（{detail}），可能是恶意文件或已损坏，已拒绝读取；"
        f"如确是登记表，{RESAVE}",
    )


def _check_declared(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_MEMBERS:
        raise _bomb(f"包含 {len(infos)} 个内部文件")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise _encrypted()
        total += info.file_size
        if total > MAX_TOTAL_UNCOMPRESSED:
            raise _bomb(f"超过 {MAX_TOTAL_UNCOMPRESSED // (1024 * 1024)} MB")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_SIZE and ratio > MAX_RATIO:
            raise _bomb(f"压缩比 {ratio:.0f}:1")
        # Deflate never grows data by more than a little: a larger compressed size
        # means the declared uncompressed size is a lie.
        if info.compress_type == zipfile.ZIP_DEFLATED and (
            info.compress_size > info.file_size + info.file_size // 100 + 1024
        ):
            raise _bomb("声明的大小与实际不符")


def _stream_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> PartScan:
    """Inflate one member chunk by chunk, never holding it whole, under a hard cap."""
    part = PartScan(info.filename)
    tail = b""
    try:
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(CHUNK)
                if not chunk:
                    break
                part.size += len(chunk)
                if part.size > budget or part.size > info.file_size:
                    raise _bomb("实际解压大小超出声明或上限")
                _scan_chunk(part, tail + chunk, len(tail))
                tail = chunk[-_OVERLAP:]
    except UnreadableFile:
        raise
    except RuntimeError:  # zipfile: member is encrypted
        raise _encrypted() from None
    # NotImplementedError: a compression method zipfile cannot inflate — unreadable here.
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, zlib.error):
        raise _refuse(
            "file.corrupt",
            f"文件内部数据损坏（{info.filename}），可能复制还没结束；请用 Excel 打开后重新保存，再放入收件箱",
        ) from None
    return part


def _scan_chunk(part: PartScan, data: bytes, overlap: int) -> None:
    """Update the part's flags from one chunk (data starts with `overlap` old bytes).

    Only C-speed searches here: this runs over every byte of every sheet. Each flag and
    bound is exactly what its own pattern gives over `data` (counts: over the new bytes);
    cheaper tests only decide when a pattern cannot match and need not run:
    - a marker that needs a byte absent from the chunk (one memchr) cannot be there;
    - without any "'" the error-cell pattern can only match its double-quoted form;
    - one pass (_refs_gate) finds every place the reference patterns could use.
    """
    if not part.size - len(data) + overlap:  # first chunk: note the encoding
        part.utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]
    _check_entities(part, data)
    if part.utf16:
        part.odd_refs = True  # byte patterns below do not apply: treat as unbounded
        return
    if not part.has_error_cells:
        part.has_error_cells = (
            b't="e"' in data if b"'" not in data else _ERROR_RE.search(data) is not None)
    pats = _patterns(part.prefix)
    if not part.has_formulas and b"f" in data and pats.formula.search(data):
        part.has_formulas = True
    if not part.has_merges and b"g" in data and b"mergeCell" in data:
        part.has_merges = True
    if not part.has_x005f and b"_" in data and _X005F_RE.search(data):
        part.has_x005f = True
    _scan_bounds(part, pats, data, overlap)


def _check_entities(part: PartScan, data: bytes) -> None:
    """DOCTYPE can only come before the root element, so only the prolog is searched."""
    if part.utf16:
        found = any(m in data for m in _DANGER_UTF16)
    elif part.in_prolog:
        root = _ROOT_RE.search(data)
        head = data if root is None else data[: root.start()]
        part.in_prolog = root is None
        if root is not None and root.group(1):
            part.prefix = root.group(1)
        found = any(m in head for m in _DANGER_UTF8)
    else:
        return
    if found:
        raise _refuse(
            "file.xml_entities",
            "文件内部含有 XML 实体声明（DOCTYPE/ENTITY），这类文件可能被用来攻击系统，已拒绝读取；"
            f"{RESAVE}",
        )


def _max_number(digits: list[bytes]) -> int:
    """Largest of many digit strings, compared as bytes (C speed) within the longest length.

    Leading zeros make a string longer, not larger ("0000001" < "99"): when the largest of
    the longest strings starts with one, every string is converted (rare, hostile files).
    """
    longest = max(map(len, digits))
    if min(map(len, digits)) == longest:
        top = max(digits)
    else:
        top = max(d for d in digits if len(d) == longest)
    if top[:1] == b"0":
        return max(map(int, digits))
    return int(top)


def _scan_bounds(part: PartScan, pats: _TagPatterns, data: bytes, overlap: int) -> None:
    """Track the used range exactly enough to bound calamine's dense grid."""
    rows = pats.rows.findall(data)
    noref = rows.count(b"")
    refs = [r for r in rows if r] if noref else rows
    if refs:
        part.max_row_ref = max(part.max_row_ref, _max_number(refs))
    if noref:  # rows without a reference count in the new bytes only, not the overlap
        end = overlap + len(part.prefix) + 16  # holds any such match starting in the overlap
        seen = sum(1 for m in pats.row_noref.finditer(data, 0, end) if m.start() < overlap)
        part.rows_without_ref += noref - seen
    part.cells_without_ref += len(pats.cell_noref.findall(data, overlap))
    letters = 1 if part.wide_cols < 702 else 2 if part.wide_cols == 702 else 3
    if part.max_row_ref < 10**10:
        key = (part.max_row_ref, letters)
        gate = _GATES.get(key)
        if gate is None:
            if len(_GATES) >= 64:
                _GATES.clear()
            gate = _GATES[key] = _refs_gate(part.max_row_ref, letters)
        if not gate.search(data) and letters < 3:
            return
    _exact_refs(part, data)


def _exact_refs(part: PartScan, data: bytes) -> None:
    """The reference patterns themselves: odd spacing, cells above the largest row, wide columns."""
    if not part.odd_refs and _ODD_REF_RE.search(data):
        part.odd_refs = True  # "r = ..." spacing defeats the patterns below: trust nothing
    # A sheet's cells sit in rows no lower than their <row r>: one search for a cell
    # above the largest row so far (no list of every cell's row), and only when there is
    # one, every cell row with as many digits or more (fewer cannot raise the maximum).
    digits = min(max(len(str(part.max_row_ref)), 1), 11)
    above = _ABOVE.get(part.max_row_ref)
    if above is None and digits < 11:
        if len(_ABOVE) >= 64:
            _ABOVE.clear()
        above = _ABOVE[part.max_row_ref] = _above_re(part.max_row_ref)
    if above is None or above.search(data):
        cell_rows = _CELL_ROW_RES[digits].findall(data)
        if cell_rows:
            part.max_row_ref = max(part.max_row_ref, _max_number(cell_rows))
    for letters in _WIDE_RE.findall(data):
        part.wide_cols = max(part.wide_cols, 702 if len(letters) == 2 else _col_index(letters))


# --- OLE2 (legacy .xls, encrypted OOXML) --------------------------------------------


class _OleError(Exception):
    pass


def _sniff_ole(path: Path) -> str:
    data = path.read_bytes()
    try:
        entries = _ole_directory(data)
    except (_OleError, struct.error, IndexError, ValueError, OverflowError):
        # A damaged container: let the (isolated) reader decide, it knows more variants.
        return "xls"
    names = {name.lower(): (start, size) for name, start, size in entries}
    if "encryptioninfo" in names or "encryptedpackage" in names:
        raise _encrypted()
    book = names.get("workbook") or names.get("book")
    if book is not None:
        try:
            stream = _ole_stream_head(data, entries, *book)
        except (_OleError, struct.error, IndexError, ValueError, OverflowError):
            return "xls"
        if _biff_has_filepass(stream):
            raise _encrypted()
        return "xls"
    if "worddocument" in names:
        raise _refuse("file.not_spreadsheet", f"这是 Word 文档（.doc），不是 Excel 表格；{NOT_A_REGISTER}")
    if "powerpoint document" in names:
        raise _refuse("file.not_spreadsheet", f"这是 PowerPoint 演示文稿，不是 Excel 表格；{NOT_A_REGISTER}")
    raise _refuse("file.not_spreadsheet", f"这是一个 Office 复合文档，但里面没有 Excel 工作表；{RESAVE}")


def _ole_directory(data: bytes) -> list[tuple[str, int, int]]:
    """Parse a compound file's directory: (name, start sector, size) per entry."""
    if len(data) < 512:
        raise _OleError("short")
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    if shift not in (9, 12):
        raise _OleError("sector size")
    ssz = 1 << shift
    fat = _ole_fat(data, ssz)
    dir_start = struct.unpack_from("<I", data, 0x30)[0]
    directory = _ole_chain_bytes(data, fat, dir_start, ssz, limit=4 * 1024 * 1024)
    entries = []
    for off in range(0, len(directory) - 127, 128):
        name_len = struct.unpack_from("<H", directory, off + 64)[0]
        kind = directory[off + 66]
        if kind not in (1, 2, 5) or not 2 <= name_len <= 64:
            continue
        name = directory[off: off + name_len - 2].decode("utf-16-le", "replace")
        start, size = struct.unpack_from("<IQ", directory, off + 116)
        if ssz == 512:
            size &= 0xFFFFFFFF
        entries.append((name, start, size))
    return entries


def _ole_fat(data: bytes, ssz: int) -> list[int]:
    n_fat, _, _, _, _, _, difat_start, n_difat = struct.unpack_from("<8I", data, 0x2C)
    sectors = list(struct.unpack_from("<109I", data, 0x4C))
    seen = 0
    while difat_start < 0xFFFFFFFA and seen < 1000:
        off = (difat_start + 1) * ssz
        if off + ssz > len(data):
            break
        words = struct.unpack_from(f"<{ssz // 4}I", data, off)
        sectors.extend(words[:-1])
        difat_start = words[-1]
        seen += 1
    fat: list[int] = []
    for sect in sectors[: max(n_fat, 0) or len(sectors)]:
        if sect >= 0xFFFFFFFA:
            continue
        off = (sect + 1) * ssz
        if off + ssz > len(data):
            raise _OleError("fat sector out of range")
        fat.extend(struct.unpack_from(f"<{ssz // 4}I", data, off))
    return fat


def _ole_chain(fat: list[int], start: int, max_steps: int) -> list[int]:
    chain, seen = [], set()
    sect = start
    while sect < 0xFFFFFFFA and len(chain) < max_steps:
        if sect in seen or sect >= len(fat):
            raise _OleError("bad chain")
        seen.add(sect)
        chain.append(sect)
        sect = fat[sect]
    return chain


def _ole_chain_bytes(data: bytes, fat: list[int], start: int, ssz: int, limit: int) -> bytes:
    out = bytearray()
    for sect in _ole_chain(fat, start, limit // ssz + 1):
        off = (sect + 1) * ssz
        out += data[off: off + ssz]
        if len(out) >= limit:
            break
    return bytes(out)


def _ole_stream_head(data: bytes, entries, start: int, size: int, want: int = 8192) -> bytes:
    """The first bytes of a stream, from the regular or the mini stream."""
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    ssz = 1 << shift
    fat = _ole_fat(data, ssz)
    cutoff = struct.unpack_from("<I", data, 0x38)[0] or 4096
    want = min(want, size)
    if size >= cutoff:
        return _ole_chain_bytes(data, fat, start, ssz, want)[:want]
    root_start = next((s for n, s, _ in entries if n.lower() == "root entry"), None)
    if root_start is None:
        raise _OleError("no root")
    mini_stream = _ole_chain_bytes(data, fat, root_start, ssz, 64 * 1024 * 1024)
    minifat_start = struct.unpack_from("<I", data, 0x3C)[0]
    minifat_raw = _ole_chain_bytes(data, fat, minifat_start, ssz, 16 * 1024 * 1024)
    minifat = list(struct.unpack_from(f"<{len(minifat_raw) // 4}I", minifat_raw))
    out = bytearray()
    for sect in _ole_chain(minifat, start, want // 64 + 1):
        out += mini_stream[sect * 64: sect * 64 + 64]
    return bytes(out[:want])


def _biff_has_filepass(stream: bytes) -> bool:
    """Walk the first BIFF records of the globals substream looking for FILEPASS."""
    pos = 0
    for _ in range(64):
        if pos + 4 > len(stream):
            return False
        rtype, length = struct.unpack_from("<HH", stream, pos)
        if rtype == 0x002F:
            return True
        if rtype == 0x000A and pos:  # EOF of the globals
            return False
        pos += 4 + length
    return False


def part_path(base: str, target: str) -> str:
    """Resolve a relationship target against the part that refers to it."""
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = []
    for piece in (str(PurePosixPath(base).parent) + "/" + target).split("/"):
        if piece in ("", "."):
            continue
        if piece == "..":
            if parts:
                parts.pop()
        else:
            parts.append(piece)
    return "/".join(parts)
