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
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from index.errors import CorruptFile, OcrUnavailable, ProtectedFile
from index.read import lines as layout
from index.read import ocr
from index.read.lines import Line
from index.records import Block

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


def _unreadable_share(lines: list[Line]) -> float:
    """Share of characters a broken font mapping left unreadable (private-use glyph codes, U+FFFD)."""
    chars = [c for ln in lines for c in ln.text if not c.isspace()]
    if not chars:
        return 0.0
    bad = sum(1 for c in chars if c == "\ufffd" or "\ue000" <= c <= "\uf8ff" or ord(c) < 0x20)
    return bad / len(chars)


def _needs_ocr(page: pdfium.PdfPage, lines: list[Line], chars: int) -> bool:
    """A scan: (almost) no text layer, or one whose font gives no Unicode, over an image."""
    if chars >= MIN_TEXT_CHARS and _unreadable_share(lines) < 0.2:
        return False
    return _has_image(page)


def _is_stamp_page(lines: list[Line]) -> bool:
    return any(_STAMP_MARK.search(ln.text) for ln in lines)


def _without_stamp(lines: list[Line]) -> list[Line]:
    """Drop the signature stamp's lines; they are not the document's words."""
    if not _is_stamp_page(lines):
        return lines
    return [ln for ln in lines if not (_STAMP_LINE.search(ln.text) or _STAMP_MARK.search(ln.text))]


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


def read(path: Path) -> list[Block]:
    document = _open(path)
    try:
        pages: list[_Page] = []
        for index in range(len(document)):
            page = document[index]
            try:
                lines = _without_stamp(_text_lines(page))
                chars = sum(len(ln.text.replace(" ", "")) for ln in lines)
                pages.append(_Page(lines, chars, _needs_ocr(page, lines, chars)))
            finally:
                page.close()
        scans = [i for i, p in enumerate(pages) if p.needs_ocr]
        page_lines = [p.lines for p in pages]
        if scans:
            page_lines = _with_ocr(path, document, pages, scans)
        return layout.document_blocks(page_lines)
    finally:
        document.close()


def _with_ocr(
    path: Path, document: pdfium.PdfDocument, pages: list[_Page], scans: list[int]
) -> list[list[Line]]:
    page_lines = [p.lines for p in pages]
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
        return page_lines
    logger.info("%s: OCR of %d scanned page(s) of %d", path, len(scans), len(pages))
    for index, lines in ocr.ocr_pages(document, scans).items():
        # The stamp drawn on the page is read back by OCR too.
        page_lines[index] = _without_stamp(lines)
    return page_lines
