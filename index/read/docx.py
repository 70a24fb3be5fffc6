"""Word 2007+ (.docx): body paragraphs and tables in document order.

The XML is walked directly (python-docx opens the package and gives the
styles) because what matters here sits below python-docx's API: Word
numbering labels that are not in the text, merged table cells that
python-docx repeats, text boxes and tracked changes.
"""

from __future__ import annotations

import logging
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from lxml import etree

from index.errors import CorruptFile, ProtectedFile
from index.read.docx_numbering import Numbering
from index.records import Block, BlockKind

logger = logging.getLogger(__name__)

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_HEADING_NAME = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)
_FALSE = ("0", "false", "off", "none")

# Run containers whose runs are shown: hyperlinks, tracked insertions, fields, content controls.
_RUN_CONTAINERS = {
    qn(tag)
    for tag in (
        "w:hyperlink",
        "w:ins",
        "w:smartTag",
        "w:customXml",
        "w:fldSimple",
        "w:sdt",
        "w:sdtContent",
        "w:moveTo",
        "w:dir",
        "w:bdo",
    )
}
# Deleted or moved-away text is not part of the document any more.
_SKIPPED = {qn(t) for t in ("w:del", "w:moveFrom", "w:pPr", "w:rPr")}


def _on(element: etree._Element | None) -> bool | None:
    """Value of a toggle property such as <w:b/> or <w:b w:val="0"/>; None when absent."""
    if element is None:
        return None
    return element.get(qn("w:val"), "1").lower() not in _FALSE


@dataclass
class _Styles:
    """Style lookups with basedOn inheritance, cached per style id."""

    elements: dict[str, etree._Element]
    default_paragraph: str | None
    default_bold: bool
    _bold: dict[str, bool | None] = field(default_factory=dict)

    @classmethod
    def load(cls, document: DocxDocument) -> _Styles:
        root = document.styles.element
        elements = {s.get(qn("w:styleId")): s for s in root.findall(qn("w:style"))}
        default = next(
            (
                s.get(qn("w:styleId"))
                for s in root.findall(qn("w:style"))
                if s.get(qn("w:type")) == "paragraph" and s.get(qn("w:default")) in ("1", "true")
            ),
            None,
        )
        defaults = root.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:b')}")
        return cls(elements, default, bool(_on(defaults)))

    def chain(self, style_id: str | None) -> list[etree._Element]:
        out: list[etree._Element] = []
        seen: set[str] = set()
        while style_id and style_id not in seen and style_id in self.elements:
            seen.add(style_id)
            style = self.elements[style_id]
            out.append(style)
            style_id = _val_of(style.find(qn("w:basedOn")))
        return out

    def bold(self, style_id: str | None) -> bool | None:
        if not style_id:
            return None
        if style_id not in self._bold:
            value = None
            for style in self.chain(style_id):
                value = _on(style.find(f"{qn('w:rPr')}/{qn('w:b')}"))
                if value is not None:
                    break
            self._bold[style_id] = value
        return self._bold[style_id]

    def heading_level(self, style_id: str | None) -> int | None:
        # Built-in heading styles are stored with their English name ("heading 1")
        # whatever the language of Word; custom styles based on them count too.
        for style in self.chain(style_id):
            name = _val_of(style.find(qn("w:name"))) or ""
            match = _HEADING_NAME.match(name) or _HEADING_NAME.match(style.get(qn("w:styleId"), ""))
            if match:
                return int(match.group(1))
        return None

    def num_pr(self, style_id: str | None) -> tuple[str | None, int | None]:
        for style in self.chain(style_id):
            num_pr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            if num_pr is not None:
                num_id = _val_of(num_pr.find(qn("w:numId")))
                ilvl = _val_of(num_pr.find(qn("w:ilvl")))
                return num_id, int(ilvl) if ilvl and ilvl.isdigit() else None
        return None, None


def _val_of(element: etree._Element | None) -> str | None:
    return None if element is None else element.get(qn("w:val"))


@dataclass
class _Segment:
    """Text of one visual line of a paragraph (paragraphs split at manual line breaks)."""

    parts: list[tuple[str, bool]] = field(default_factory=list)
    page_break_before: bool = False

    def text(self) -> str:
        return "".join(t for t, _ in self.parts).strip()

    def bold(self) -> bool:
        shown = [b for t, b in self.parts if t.strip()]
        return bool(shown) and all(shown)


class _Walker:
    def __init__(self, document: DocxDocument) -> None:
        self.styles = _Styles.load(document)
        self.numbering = Numbering.from_document(document)
        self.blocks: list[Block] = []
        self.pending_break = False

    # -- body ---------------------------------------------------------------

    def body(self, container: etree._Element) -> None:
        for child in container:
            tag = child.tag
            if tag == qn("w:p"):
                self.paragraph(child)
            elif tag == qn("w:tbl"):
                self.table(child)
            elif tag in (qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")):
                self.body(child)

    def emit(self, block: Block, page_break: bool = False) -> None:
        if page_break or self.pending_break:
            block = replace(block, page_break_before=True)
        self.pending_break = False
        self.blocks.append(block)

    def paragraph(self, p: etree._Element) -> None:
        style_id = _val_of(p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")) or self.styles.default_paragraph
        if _on(p.find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}")) and self.blocks:
            self.pending_break = True
        segments, boxes = self.paragraph_segments(p, style_id)
        label = self.list_label(p, style_id)
        heading = self.styles.heading_level(style_id)
        first = True
        for segment in segments:
            text = segment.text()
            if first and label and text:
                text = f"{label} {text}"
            if text:
                kind: BlockKind = "heading" if heading else "paragraph"
                self.emit(
                    Block(text, kind, segment.bold(), heading),
                    segment.page_break_before and bool(self.blocks),
                )
                first = False
            elif segment.page_break_before and self.blocks:
                self.pending_break = True
        # Text boxes (often the header block or a stamp) follow their anchor paragraph.
        for box in boxes:
            self.body(box)

    def paragraph_segments(
        self, p: etree._Element, style_id: str | None
    ) -> tuple[list[_Segment], list[etree._Element]]:
        para_bold = self.styles.bold(style_id)
        segments = [_Segment()]
        boxes: list[etree._Element] = []
        for run in self.runs(p):
            if run.tag == qn("w:r"):
                self.run(run, para_bold, segments, boxes)
        return segments, boxes

    def runs(self, element: etree._Element) -> Iterator[etree._Element]:
        for child in element:
            if child.tag in _SKIPPED:
                continue
            if child.tag == qn("w:r"):
                yield child
            elif child.tag in _RUN_CONTAINERS:
                yield from self.runs(child)

    def run_bold(self, run: etree._Element, para_bold: bool | None) -> bool:
        rpr = run.find(qn("w:rPr"))
        if rpr is not None:
            direct = _on(rpr.find(qn("w:b")))
            if direct is not None:
                return direct
            char_style = self.styles.bold(_val_of(rpr.find(qn("w:rStyle"))))
            if char_style is not None:
                return char_style
        if para_bold is not None:
            return para_bold
        return self.styles.default_bold

    def run(
        self,
        run: etree._Element,
        para_bold: bool | None,
        segments: list[_Segment],
        boxes: list[etree._Element],
    ) -> None:
        rpr = run.find(qn("w:rPr"))
        if rpr is not None and _on(rpr.find(qn("w:vanish"))):
            return  # hidden text is not shown to the reader
        bold = self.run_bold(run, para_bold)
        for child in run:
            tag = child.tag
            if tag == qn("w:t"):
                segments[-1].parts.append((child.text or "", bold))
            elif tag == qn("w:tab") or tag == qn("w:ptab"):
                segments[-1].parts.append(("\t", bold))
            elif tag == qn("w:noBreakHyphen"):
                # Word's non-breaking hyphen, used in numbers like "NĐ-CP"; a plain
                # hyphen keeps such numbers matchable.
                segments[-1].parts.append(("-", bold))
            elif tag in (qn("w:br"), qn("w:cr")):
                page = child.get(qn("w:type")) == "page"
                segments.append(_Segment(page_break_before=page))
            elif tag == qn("w:lastRenderedPageBreak"):
                if not segments[-1].text():
                    segments[-1].page_break_before = True
            elif tag in (qn("w:drawing"), qn("w:pict"), _mc("AlternateContent")):
                boxes.extend(self.text_boxes(child))

    @staticmethod
    def text_boxes(element: etree._Element) -> list[etree._Element]:
        # mc:AlternateContent holds the same box twice (DrawingML choice and a
        # VML fallback); only the first is read.
        found: list[etree._Element] = []
        for box in element.iter(qn("w:txbxContent")):
            ancestor = box.getparent()
            fallback = False
            while ancestor is not None and ancestor is not element.getparent():
                if ancestor.tag == _MC_FALLBACK:
                    fallback = True
                    break
                ancestor = ancestor.getparent()
            if not fallback and not any(box in f.iter() for f in found):
                found.append(box)
        return found

    def list_label(self, p: etree._Element, style_id: str | None) -> str | None:
        num_pr = p.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        num_id = ilvl = None
        if num_pr is not None:
            num_id = _val_of(num_pr.find(qn("w:numId")))
            level = _val_of(num_pr.find(qn("w:ilvl")))
            ilvl = int(level) if level and level.isdigit() else None
        if num_id is None:
            num_id, style_ilvl = self.styles.num_pr(style_id)
            ilvl = ilvl if ilvl is not None else style_ilvl
            if num_id is None and style_id in self.numbering.style_levels:
                num_id, ilvl = self.numbering.style_levels[style_id]
        if not num_id or num_id == "0":
            return None
        if ilvl is None and style_id in self.numbering.style_levels:
            ilvl = self.numbering.style_levels[style_id][1]
        return self.numbering.label(num_id, ilvl or 0)

    # -- tables ---------------------------------------------------------------

    def table(self, tbl: etree._Element) -> None:
        for tr in self.children(tbl, "w:tr"):
            cells: list[tuple[str, bool]] = []
            for tc in self.children(tr, "w:tc"):
                tc_pr = tc.find(qn("w:tcPr"))
                if tc_pr is not None:
                    # Legacy horizontal merge: the continuing cells are not separate columns.
                    if _val_of(tc_pr.find(qn("w:hMerge"))) == "continue":
                        continue
                    v_merge = tc_pr.find(qn("w:vMerge"))
                    if v_merge is not None and v_merge.get(qn("w:val"), "continue") != "restart":
                        # A vertically merged cell shows its text once, in its first
                        # row; later rows keep an empty column so positions still line up.
                        cells.append(("", False))
                        continue
                cells.append(self.cell(tc))
            if not any(text for text, _ in cells):
                continue
            text = " | ".join(text for text, _ in cells).strip()
            bold = all(b for t, b in cells if t)
            self.emit(Block(text, "row", bold))

    @staticmethod
    def children(element: etree._Element, tag: str) -> Iterator[etree._Element]:
        for child in element:
            if child.tag == qn(tag):
                yield child
            elif child.tag in (qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")):
                yield from _Walker.children(child, tag)

    def cell(self, tc: etree._Element) -> tuple[str, bool]:
        """All paragraphs (and nested tables) of a cell on one line, joined by spaces."""
        saved = self.blocks, self.pending_break
        self.blocks, self.pending_break = [], False
        try:
            self.body(tc)
            inner = self.blocks
        finally:
            self.blocks, self.pending_break = saved
        # A nested table flattens into the cell; its " | " would fake extra columns.
        texts = [b.text.replace(" | ", " ") if b.kind == "row" else b.text for b in inner]
        text = " ".join(t for t in texts if t)
        return text, bool(inner) and all(b.bold for b in inner)


def _mc(name: str) -> str:
    return "{http://schemas.openxmlformats.org/markup-compatibility/2006}" + name


def _check_container(path: Path) -> None:
    """Raise unless ``path`` is a zip package (a misnamed .doc was routed to the .doc reader already)."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if head == _CFB_MAGIC:
        data = path.read_bytes()
        # An encrypted OOXML file is an OLE compound file holding the
        # "EncryptionInfo" and "EncryptedPackage" streams (names in UTF-16).
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            raise ProtectedFile(f"{path}: password-protected Word document (encrypted OLE package)")
        raise CorruptFile(f"{path}: OLE compound file without a Word document")
    if not zipfile.is_zipfile(path):
        raise CorruptFile(f"{path}: not a zip package (truncated or not a .docx)")


def read(path: Path) -> list[Block]:
    _check_container(path)
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError, EOFError, OSError) as exc:
        raise CorruptFile(f"{path}: cannot open as .docx: {type(exc).__name__}: {exc}") from exc
    walker = _Walker(document)
    walker.body(document.element.body)
    return walker.blocks
