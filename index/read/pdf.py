"""PDF: the text layer page by page, OCR for the pages that have none.

Signed Vietnamese documents are usually scans: the only text layer is the
digital-signature stamp ("Ký bởi: …", "Thời gian ký: …"), about 180
characters that would otherwise pass for a page of text. Pages are judged
one by one because a typed plan often ends with a scanned signature page
or annex.
"""

from __future__ import annotations

import ctypes
import logging
import re
from dataclasses import dataclass, replace
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from index.errors import CorruptFile, OcrUnavailable, ProtectedFile
from index.read import lines as layout
from index.read import ocr
from index.read.lines import Line
from index.read.scan import cache, signatures, stamps
from index.read.scan.header import reorder_header
from index.records import Block, Signature

logger = logging.getLogger(__name__)

# Fewer visible characters than this and the page is treated as a scan.
MIN_TEXT_CHARS = 100
# A gap wider than this many font sizes splits a line (two columns of the
# header table: "ỦY BAN NHÂN DÂN …   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").
_COLUMN_GAP_EM = 2.5

_STAMP_MARK = re.compile(
    r"ký bởi|thời gian ký|signature not verified|signature valid|digitally signed|signed by", re.IGNORECASE
)
# Stamp labels are followed by a colon; "Cơ quan chủ trì thực hiện" is not a stamp.
_STAMP_LINE = re.compile(
    r"^\s*(?:ký bởi|người ký|cơ quan|chức vụ|thời gian ký|ngày ký|e-?mail|date|reason|location)\s*:"
    r"|^\s*\S+@\S+\.\S+\s*$",
    re.IGNORECASE,
)
_BOLD_NAME = re.compile(r"bold|black|heavy|demi|semibold", re.IGNORECASE)


@dataclass(frozen=True)
class _Page:
    lines: list[Line]
    chars: int  # visible characters of the text layer once stamp lines are removed
    needs_ocr: bool
    width: float = 0.0
    height: float = 0.0
    signatures: tuple[Signature, ...] = ()


def _unreadable_share(lines: list[Line]) -> float:
    """Share of characters a broken font mapping left unreadable (private-use glyph codes, U+FFFD)."""
    chars = [c for ln in lines for c in ln.text if not c.isspace()]
    if not chars:
        return 0.0
    bad = sum(1 for c in chars if c == "\ufffd" or "\ue000" <= c <= "\uf8ff" or ord(c) < 0x20)
    return bad / len(chars)


def _needs_ocr(page: pdfium.PdfPage, lines: list[Line], chars: int) -> bool:
    """A scan: (almost) no text layer, one whose font gives no Unicode, or a hidden OCR layer of garbage."""
    if chars >= MIN_TEXT_CHARS and _unreadable_share(lines) < 0.2:
        if not stamps.looks_garbled(" ".join(ln.text for ln in lines)):
            return False
        if _has_image(page):
            logger.info("text layer looks like garbage (a scanner's hidden OCR layer): reading the page by OCR")
            return True
        return False
    return _has_image(page)


def _is_stamp_page(lines: list[Line]) -> bool:
    return any(_STAMP_MARK.search(ln.text) for ln in lines)


def _without_stamp(lines: list[Line]) -> list[Line]:
    """Drop the signature stamp's, the registry's and the copy's lines; they are not the document's words."""
    signature_page = _is_stamp_page(lines)
    dropped = [stamps.is_stamp_line(ln.text, signature_page=signature_page)
               or signature_page and bool(_STAMP_LINE.search(ln.text) or _STAMP_MARK.search(ln.text)) for ln in lines]
    for i, line in enumerate(lines):
        if dropped[i] and re.match(r"^\s*(?:CÔNG VĂN\s+)?(?:ĐẾN|DẾN)\b", line.text):
            # "UBND TỈNH LÂM ĐỒNG" / "ĐẾN Số: 1614 …": the registry's name heads its stamp, just above it.
            above = next((j for j in range(i - 1, -1, -1) if _stacked(lines[j], line)), None)
            if above is not None and len(lines[above].text) <= 45 and lines[above].text.upper() == lines[above].text:
                dropped[above] = True
    return [ln for ln, drop in zip(lines, dropped) if not drop]


def _stacked(upper: Line, lower: Line) -> bool:
    """``upper`` sits right above ``lower`` and over the same columns (one stamp, two lines)."""
    if None in (upper.x0, upper.x1, upper.top, upper.bottom, lower.x0, lower.x1, lower.top):
        return False
    height = max(upper.bottom - upper.top, 1.0)
    overlap = min(upper.x1, lower.x1) - max(upper.x0, lower.x0)
    width = min(upper.x1 - upper.x0, lower.x1 - lower.x0)
    return 0 <= lower.top - upper.bottom <= 1.5 * height and overlap >= 0.4 * max(width, 1.0)


def _stamp_signature(lines: list[Line]) -> Signature | None:
    """The signature stamp of a page (text layer or OCR), before its lines are dropped."""
    texts = [ln.text for ln in lines]
    if not any(_STAMP_MARK.search(t) or stamps.is_copy_mark(t) for t in texts):
        return None
    kept = [t for t in texts if _STAMP_MARK.search(t) or _STAMP_LINE.search(t) or stamps.is_signature_line(t)
            or stamps.is_copy_mark(t) or stamps.is_stamp_line(t, signature_page=True)]
    return signatures.from_stamp(kept)


class _FontCache:
    """Bold or not, per text object: asking per character would be slow and say the same."""

    def __init__(self) -> None:
        self._bold: dict[int, bool] = {}

    def bold(self, textpage: pdfium.PdfTextPage, index: int) -> bool:
        obj = pdfium_c.FPDFText_GetTextObject(textpage.raw, index)
        key = ctypes.cast(obj, ctypes.c_void_p).value or 0
        if key not in self._bold:
            self._bold[key] = self._lookup(obj, textpage, index)
        return self._bold[key]

    @staticmethod
    def _lookup(obj: object, textpage: pdfium.PdfTextPage, index: int) -> bool:
        if pdfium_c.FPDFText_GetFontWeight(textpage.raw, index) >= 600:
            return True
        if not obj:
            return False
        font = pdfium_c.FPDFTextObj_GetFont(obj)
        if not font:
            return False
        size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
        if size <= 0:
            return False
        buffer = ctypes.create_string_buffer(size)
        pdfium_c.FPDFFont_GetBaseFontName(font, buffer, size)
        return bool(_BOLD_NAME.search(buffer.value.decode("utf-8", "replace")))


@dataclass(frozen=True)
class _Glyph:
    char: str
    bold: bool
    box: tuple[float, float, float, float] | None  # left, bottom, right, top; None for spaces


def _to_line(glyphs: list[_Glyph], page_height: float) -> Line | None:
    text = "".join(g.char for g in glyphs)
    if not text.strip():
        return None
    boxes = [g.box for g in glyphs if g.box]
    shown = [g.bold for g in glyphs if g.char.strip()]
    return Line(
        text=text,
        bold=bool(shown) and all(shown),
        x0=min(b[0] for b in boxes) if boxes else None,
        x1=max(b[2] for b in boxes) if boxes else None,
        # PDF y grows upwards; Line wants distance from the top.
        top=page_height - max(b[3] for b in boxes) if boxes else None,
        bottom=page_height - min(b[1] for b in boxes) if boxes else None,
    )


def _glyph_runs(textpage: pdfium.PdfTextPage):
    """The characters of the text layer, one list per line, split where a wide gap shows two columns."""
    fonts = _FontCache()
    run: list[_Glyph] = []
    last_right: float | None = None
    last_size = 10.0
    for index in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(textpage.raw, index)
        char = chr(code) if code else ""
        if char in ("\r", "\n"):  # PDFium's line ends
            yield run
            run, last_right = [], None
            continue
        if not char or char == "\ufffe":
            continue
        if char == "\x02":
            # PDFium's mark for a hyphen at a line end. Vietnamese words are
            # not hyphenated, so it is a real dash: "NĐ-" + "CP" -> "NĐ-CP".
            char = "-"
        if pdfium_c.FPDFText_IsGenerated(textpage.raw, index) == 1 or not char.strip():
            run.append(_Glyph(" ", True, None))
            continue
        left, bottom, right, top = textpage.get_charbox(index)
        size = pdfium_c.FPDFText_GetFontSize(textpage.raw, index) or last_size
        if last_right is not None and left - last_right > _COLUMN_GAP_EM * size:
            yield run
            run = []
        run.append(_Glyph(char, fonts.bold(textpage, index), (left, bottom, right, top)))
        last_right, last_size = right, size
    yield run


def _text_lines(page: pdfium.PdfPage) -> list[Line]:
    textpage = page.get_textpage()
    try:
        height = page.get_height()
        lines = (_to_line(run, height) for run in _glyph_runs(textpage))
        return [line for line in lines if line is not None]
    finally:
        textpage.close()


def _has_image(page: pdfium.PdfPage) -> bool:
    return any(True for _ in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=3))


def _open(path: Path) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise ProtectedFile(f"{path}: PDF needs a password to open") from exc
        if exc.err_code == pdfium_c.FPDF_ERR_SECURITY:
            raise ProtectedFile(f"{path}: PDF uses an unsupported security handler") from exc
        raise CorruptFile(f"{path}: cannot open PDF: {exc}") from exc


def read(path: Path, progress: ocr.Progress | None = None) -> list[Block]:
    """Blocks of a PDF; ``progress(done, total)`` is called as scanned pages are recognised."""
    document = _open(path)
    try:
        pages: list[_Page] = []
        for index in range(len(document)):
            page = document[index]
            try:
                raw = _text_lines(page)
                stamp = _stamp_signature(raw)
                lines = _without_stamp(raw)
                chars = sum(len(ln.text.replace(" ", "")) for ln in lines)
                width, height = page.get_size()
                pages.append(_Page(lines, chars, _needs_ocr(page, lines, chars), width, height,
                                   (stamp,) if stamp else ()))
            finally:
                page.close()
        scans = [i for i, p in enumerate(pages) if p.needs_ocr]
        if scans:
            pages = _with_ocr(path, document, pages, scans, progress)
        page_lines = [reorder_header(p.lines, p.width, p.height) for p in pages]
        blocks = layout.document_blocks(page_lines)
        return _with_signatures(blocks, path, pages)
    finally:
        document.close()


def _with_signatures(blocks: list[Block], path: Path, pages: list[_Page]) -> list[Block]:
    """Every block carries the signatures of its page: the stamp's and the PDF dictionary's."""
    by_page = {i + 1: list(p.signatures) for i, p in enumerate(pages)}
    for index, signature in signatures.from_pdf(path):
        by_page.setdefault((index or 0) + 1, []).append(signature)
    if not any(by_page.values()):
        return blocks
    return [replace(b, signatures=tuple(by_page.get(b.page or 1, ()))) if by_page.get(b.page or 1) else b
            for b in blocks]


def _with_ocr(
    path: Path, document: pdfium.PdfDocument, pages: list[_Page], scans: list[int],
    progress: ocr.Progress | None = None,
) -> list[_Page]:
    if not ocr.available():
        # A short typed page (a signature page with a seal image) is still
        # usable; a page with no readable text would silently go missing.
        unreadable = [i + 1 for i in scans if pages[i].chars == 0 or _unreadable_share(pages[i].lines) >= 0.2]
        if unreadable:
            raise OcrUnavailable(
                f"{path}: pages {unreadable} have no readable text layer and tesseract (vie) is not installed"
            )
        short = [i + 1 for i in scans]
        logger.warning("%s: tesseract unavailable, keeping the short text layer of pages %s", path, short)
        return pages
    logger.info("%s: OCR of %d scanned page(s) of %d", path, len(scans), len(pages))
    out = list(pages)
    for index, lines in ocr.ocr_pages(document, scans, key=cache.file_key(path), progress=progress).items():
        # The stamp drawn on the page is read back by OCR too.
        stamp = None if pages[index].signatures else _stamp_signature(lines)
        out[index] = replace(pages[index], lines=_without_stamp(lines),
                             signatures=pages[index].signatures + ((stamp,) if stamp else ()))
    return out
