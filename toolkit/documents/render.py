"""Filling a .docx template: compiled once per process, then rendered many times cheaply.

docxtpl's own ``render`` re-parses the template with python-docx on every call, which
is most of its cost. Here each template is read once (per path and mtime): every XML
part holding tags is prepared with docxtpl's ``patch_xml`` and compiled by Jinja, and
the other parts are kept as bytes. A render runs the compiled Jinja templates, applies
docxtpl's post-processing (line breaks and tabs in values) and zips the parts again.

Values are escaped (``autoescape``), control characters are dropped, ``None`` prints
empty, and template mistakes become a :class:`DocumentError` naming the template file,
the paragraph and the tag.

A picture placed in the template can be swapped at render time: its name in the document
(``pic:cNvPr`` name, or the name Word's selection pane shows) identifies it, and
``render(context, pictures={"chart.png": png})`` writes the new bytes over the media
part the placeholder shows. The placeholder's size on the page stays, so the new
picture should have the same format and proportions.
"""

from __future__ import annotations

import io
import posixpath
import re
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from .formatting import FILTERS, display

_TAGGED = re.compile(rb"\{\{|\{%")
_NS = {
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
_RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_PRECOMPRESSED = (".png", ".jpg", ".jpeg", ".gif")  # stored as they are: deflate gains nothing


class DocumentError(Exception):
    """A document could not be produced; the message is for staff (Chinese)."""


def _environment() -> SandboxedEnvironment:
    # Sandboxed: templates are edited by staff in Word; autoescape: values are staff text.
    env = SandboxedEnvironment(
        autoescape=True, undefined=StrictUndefined, finalize=display, keep_trailing_newline=True
    )
    env.filters.update(FILTERS)
    return env


ENV = _environment()


@dataclass
class _Part:
    template: Any  # jinja2.Template
    source: str  # the patched XML Jinja compiled, for error messages
    is_document: bool


@dataclass
class CompiledTemplate:
    path: Path
    members: list[tuple[zipfile.ZipInfo, bytes]]
    parts: dict[str, _Part]
    variables: set[str]
    static_zip: bytes = b""  # every part without tags or replaceable media, already compressed
    pictures: dict[str, set[str]] = field(default_factory=dict)  # picture name → media members

    def render(self, context: dict[str, Any], pictures: dict[str, bytes] | None = None) -> bytes:
        """The .docx bytes; ``pictures`` replaces named pictures' images ({name: bytes})."""
        unknown = sorted(set(pictures or ()) - set(self.pictures))
        if unknown:
            known = "、".join(sorted(self.pictures)) or "无"
            raise DocumentError(
                f"模板 {self.path.name} 中没有名为「{'、'.join(unknown)}」的图片（模板中可替换的图片：{known}），"
                "请在 Word 中检查占位图片的名称"
            )
        media = {m: blob for name, blob in (pictures or {}).items() for m in self.pictures[name]}
        rendered: dict[str, bytes] = {}
        for name, part in self.parts.items():
            try:
                xml = part.template.render(context)
            except TemplateError as exc:
                raise DocumentError(_describe(self.path, part, exc)) from exc
            xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
            xml = _TPL_HELPER.resolve_listing(xml)
            try:
                root = etree.fromstring(xml.encode("utf-8"))
            except etree.XMLSyntaxError as exc:  # a template that builds broken XML
                raise DocumentError(
                    f"模板 {self.path.name} 生成的文档结构有误（{exc}），请检查模板中的标签位置"
                ) from exc
            rendered[name] = etree.tostring(
                root, xml_declaration=True, encoding="UTF-8", standalone=True
            )
        # The untouched parts were compressed once, at compile time; append the rest.
        out = io.BytesIO(self.static_zip)
        out.seek(0, io.SEEK_END)
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            for info, blob in self.members:
                if info.filename in rendered:
                    z.writestr(_fresh(info), rendered[info.filename])
                elif info.filename in self.replaceable:
                    z.writestr(_fresh(info), media.get(info.filename, blob))
        return out.getvalue()

    @property
    def replaceable(self) -> set[str]:
        return {m for members in self.pictures.values() for m in members}


_TPL_HELPER = DocxTemplate(io.BytesIO())  # patch_xml/resolve_listing need no loaded document
_CACHE: dict[tuple[str, int, int], CompiledTemplate] = {}
_LOCK = threading.Lock()


def compile_template(path: Path) -> CompiledTemplate:
    """The compiled template for ``path``, from the cache unless the file changed."""
    path = Path(path)
    try:
        st = path.stat()
    except OSError:
        raise DocumentError(f"找不到模板文件 {path}") from None
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            return hit
    compiled = _compile(path)
    with _LOCK:
        for old in [k for k in _CACHE if k[0] == key[0]]:
            del _CACHE[old]
        _CACHE[key] = compiled
    return compiled


def _compile(path: Path) -> CompiledTemplate:
    try:
        with zipfile.ZipFile(path) as z:
            members = [(info, z.read(info.filename)) for info in z.infolist()]
    except (OSError, zipfile.BadZipFile) as exc:
        raise DocumentError(f"模板 {path.name} 不是有效的 Word 文件（{exc}）") from None
    parts: dict[str, _Part] = {}
    variables: set[str] = set()
    from jinja2 import meta

    for info, blob in members:
        name = info.filename
        if not name.startswith("word/") or not name.endswith(".xml") or not _TAGGED.search(blob):
            continue
        root = etree.fromstring(blob)
        source = _TPL_HELPER.patch_xml(etree.tostring(root, encoding="unicode"))
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", source)  # one paragraph per line, for errors
        try:
            template = ENV.from_string(source)
            variables |= meta.find_undeclared_variables(ENV.parse(source))
        except TemplateSyntaxError as exc:
            raise DocumentError(_describe(path, _Part(None, source, False), exc)) from None
        parts[name] = _Part(template, source, name == "word/document.xml")
    try:
        pictures = _named_pictures({info.filename: blob for info, blob in members})
    except etree.XMLSyntaxError as exc:
        raise DocumentError(f"模板 {path.name} 不是有效的 Word 文件（{exc}）") from None
    replaceable = {m for found in pictures.values() for m in found}
    static = io.BytesIO()
    with zipfile.ZipFile(static, "w", zipfile.ZIP_DEFLATED) as z:
        for info, blob in members:
            if info.filename not in parts and info.filename not in replaceable:
                z.writestr(_fresh(info), blob)
    return CompiledTemplate(path, members, parts, variables, static.getvalue(), pictures)


def _named_pictures(blobs: dict[str, bytes]) -> dict[str, set[str]]:
    """Each picture of the body by name → the media member(s) it shows.

    A picture is known by its ``pic:cNvPr`` name (the file name it was inserted from) and
    by its drawing's ``wp:docPr`` name (what Word's selection pane shows and renames).
    """
    doc, rels = blobs.get("word/document.xml"), blobs.get("word/_rels/document.xml.rels")
    if doc is None or rels is None or b"drawingml/2006/picture" not in doc:
        return {}
    targets = {}
    for rel in etree.fromstring(rels).iter(f"{_RELS_NS}Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") != "External":  # relative to word/, or absolute in the package
            targets[rel.get("Id")] = target[1:] if target.startswith("/") else posixpath.normpath(
                posixpath.join("word", target))
    found: dict[str, set[str]] = {}
    for frame in etree.fromstring(doc).xpath("//wp:inline | //wp:anchor", namespaces=_NS):
        embeds = frame.xpath(".//pic:blipFill/a:blip/@r:embed", namespaces=_NS)
        members = {targets[e] for e in embeds if targets.get(e) in blobs}
        for name in frame.xpath("wp:docPr/@name | .//pic:cNvPr/@name", namespaces=_NS):
            if name and members:
                found.setdefault(name, set()).update(members)
    return found


def _fresh(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    out = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    stored = info.filename.startswith("word/media/") and info.filename.lower().endswith(_PRECOMPRESSED)
    out.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    out.external_attr = info.external_attr
    return out


def _template_line(exc: BaseException) -> int | None:
    lineno = getattr(exc, "lineno", None)
    if lineno:
        return lineno
    tb = exc.__traceback__
    found = None
    while tb is not None:  # Jinja rewrites tracebacks so template frames carry template lines
        if tb.tb_frame.f_code.co_filename == "<template>":
            found = tb.tb_lineno
        tb = tb.tb_next
    return found


def _describe(path: Path, part: _Part, exc: TemplateError) -> str:
    line = _template_line(exc)
    where = ""
    if line:
        lines = part.source.splitlines()
        if 0 < line <= len(lines):
            text = re.sub(r"<[^>]+>", "", lines[line - 1]).strip()
            where = f"第{line}段「{text[:80]}」"
    kind = "语法错误" if isinstance(exc, TemplateSyntaxError) else "填写错误"
    detail = getattr(exc, "message", None) or str(exc)
    return f"模板 {path.name} {where}{kind}：{detail}"


def render_docx(path: Path, context: dict[str, Any]) -> bytes:
    """Render the template at ``path`` with ``context`` and return the .docx bytes."""
    return compile_template(path).render(context)


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()
