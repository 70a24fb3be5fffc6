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


def _glyph_runs(textpage: pdfium.PdfTextPage, first: int = 0, last: int | None = None):
    """The characters ``first``…``last`` of the text layer, one list per line, split where a wide gap shows two columns."""
    fonts = _FontCache()
    run: list[_Glyph] = []
    last_right: float | None = None
    last_size = 10.0
    for index in range(first, textpage.count_chars() if last is None else last):
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


def _insert_added(runs: list[list[_Glyph]], added: list[list[_Glyph]]) -> tuple[list[list[_Glyph]], set[int]]:
    """Glyphs stamped in by annotations (an e-office number or day) put into the printed line they sit on.

    Returns the runs and the indices of the runs that took such glyphs (or are such glyphs alone).
    """
    touched: set[int] = set()
    runs = [list(r) for r in runs]
    for piece in added:
        boxes = [g.box for g in piece if g.box]
        if not boxes:
            continue
        left, bottom, right, top = min(b[0] for b in boxes), min(b[1] for b in boxes), \
            max(b[2] for b in boxes), max(b[3] for b in boxes)
        height = max(top - bottom, 1.0)
        target = None
        for k, run in enumerate(runs):
            rb = [g.box for g in run if g.box]
            if not rb:
                continue
            r_bottom, r_top = min(b[1] for b in rb), max(b[3] for b in rb)
            r_left, r_right = min(b[0] for b in rb), max(b[2] for b in rb)
            overlap = min(top, r_top) - max(bottom, r_bottom)
            if overlap >= 0.5 * min(height, max(r_top - r_bottom, 1.0)) \
                    and r_left - _COLUMN_GAP_EM * height <= (left + right) / 2 <= r_right + _COLUMN_GAP_EM * height:
                target = k
                break
        glyphs = [g for g in piece if g.box or g.char == " "]
        if target is None:
            runs.append(glyphs)
            touched.add(len(runs) - 1)
            continue
        run = runs[target]
        at = next((i for i, g in enumerate(run) if g.box and g.box[0] >= left), len(run))
        space = _Glyph(" ", True, None)
        runs[target] = run[:at] + [space, *glyphs, space] + run[at:]
        touched.add(target)
    return runs, touched


def _text_lines(page: pdfium.PdfPage, printed_chars: int | None = None) -> list[Line]:
    """The page's lines; characters after ``printed_chars`` (flattened annotations) go where they are drawn."""
    textpage = page.get_textpage()
    try:
        height = page.get_height()
        runs = list(_glyph_runs(textpage, 0, printed_chars))
        touched: set[int] = set()
        if printed_chars is not None and textpage.count_chars() > printed_chars:
            runs, touched = _insert_added(runs, list(_glyph_runs(textpage, printed_chars)))
        lines, joined = [], []
        for k, run in enumerate(runs):
            line = _to_line(run, height)
            if line is not None:
                if k in touched:
                    joined.append(len(lines))
                lines.append(line)
        return _join_same_line(lines, set(joined)) if joined else lines
    finally:
        textpage.close()


def _join_same_line(lines: list[Line], added: set[int]) -> list[Line]:
    """Pieces of one printed line that the text layer gives apart, joined in reading order.

    E-office systems stamp the number and the day into a signed file as
    signature fields ("Số: 4186 /SNNMT-…", "ngày 09"): once their appearance is
    flattened into the page, their text comes last in the stream, not where it
    is printed. Pieces on the same band of the page whose gap is narrower than
    a column gap are one line; wider gaps stay apart (two columns).
    """
    placed = [i for i, ln in enumerate(lines) if None not in (ln.x0, ln.x1, ln.top, ln.bottom)]
    bands: list[list[int]] = []
    for i in sorted(placed, key=lambda k: lines[k].top):
        line = lines[i]
        for band in bands:
            first = lines[band[0]]
            overlap = min(first.bottom, line.bottom) - max(first.top, line.top)
            if overlap >= 0.5 * max(min(line.bottom - line.top, first.bottom - first.top), 1.0):
                band.append(i)
                break
        else:
            bands.append([i])
    groups: dict[int, list[int]] = {}  # the piece whose place the joined line takes -> its pieces, left to right
    for band in bands:
        if not added & set(band):
            continue  # only a line an annotation wrote into is joined; the rest of the layout is as read
        run: list[int] = []
        for i in sorted(band, key=lambda k: lines[k].x0):
            if run:
                last = lines[run[-1]]
                height = max(min(last.bottom - last.top, lines[i].bottom - lines[i].top), 1.0)
                if lines[i].x0 - last.x1 > _COLUMN_GAP_EM * height:
                    groups[min(run)] = run
                    run = []
            run.append(i)
        groups[min(run)] = run
    members_of = {k for run in groups.values() for k in run}
    out = []
    for i, line in enumerate(lines):
        if i not in members_of:
            out.append(line)
        elif i in groups:
            pieces = [lines[k] for k in groups[i]]
            if len(pieces) == 1:
                out.append(line)
                continue
            out.append(replace(pieces[0], text=" ".join(p.text.strip() for p in pieces),
                               x1=max(p.x1 for p in pieces), top=min(p.top for p in pieces),
                               bottom=max(p.bottom for p in pieces), bold=all(p.bold for p in pieces)))
    return out


def _flattened(document: pdfium.PdfDocument, index: int) -> tuple[pdfium.PdfPage, int | None]:
    """Page ``index`` with its annotations' appearances (signature fields, e-office stamps) made page content.

    Also returns how many characters the page had before (None if nothing was
    flattened): PDFium appends the flattened text after the printed text.
    """
    page = document[index]
    textpage = page.get_textpage()
    printed = textpage.count_chars()
    textpage.close()
    if pdfium_c.FPDFPage_Flatten(page.raw, pdfium_c.FLAT_NORMALDISPLAY) != pdfium_c.FLATTEN_SUCCESS:
        return page, None
    page.close()
    return document[index], printed  # PDFium wants the page loaded again to see the flattened content


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
                read = _read_page(page)
            finally:
                page.close()
            if not read.needs_ocr:
                # A typed page: the e-office fields' text (number, day) is flattened into it. A scan is
                # never flattened: the stamps' pictures would be drawn over the header it is read from.
                page, printed = _flattened(document, index)
                try:
                    if printed is not None:
                        read = replace(_read_page(page, printed), needs_ocr=False)
                finally:
                    page.close()
            pages.append(read)
        scans = [i for i, p in enumerate(pages) if p.needs_ocr]
        if scans:
            pages = _with_ocr(path, document, pages, scans, progress)
        page_lines = [reorder_header(p.lines, p.width, p.height) for p in pages]
        blocks = layout.document_blocks(page_lines)
        return _with_signatures(blocks, path, pages)
    finally:
        document.close()


def _read_page(page: pdfium.PdfPage, printed: int | None = None) -> _Page:
    """One page's text layer without its stamps, its signature stamp, and whether it is a scan."""
    raw = _text_lines(page, printed)
    stamp = _stamp_signature(raw)
    lines = _without_stamp(raw)
    chars = sum(len(ln.text.replace(" ", "")) for ln in lines)
    width, height = page.get_size()
    return _Page(lines, chars, _needs_ocr(page, lines, chars), width, height, (stamp,) if stamp else ())


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
