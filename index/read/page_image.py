"""A picture of a passage's place on its PDF page, to check an OCR reading against the scan.

OCR misreads ("câu" for "cầu", "g1ao"); an official about to cite a passage
read from a scan needs to see the original lines. The page is rendered with
PDFium (the same renderer the OCR used, so boxes in points line up), cropped
to the passage's lines with a margin, and the lines are outlined.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from pathlib import Path

import pypdfium2 as pdfium
from PIL import ImageDraw

from index.records import Box

logger = logging.getLogger(__name__)

DPI = 150  # sharp enough to read handwriting on a phone, small enough for Telegram's photo limits
MARGIN_PT = 18.0  # a little context around the passage: the line above, the left edge of the column
MAX_SIDE = 2560  # Telegram's sendPhoto: width + height at most 10000, ratio at most 20
OUTLINE = (220, 30, 30)


def page_image(pdf: Path, boxes: Sequence[Box], page: int | None = None) -> bytes | None:
    """PNG of ``page`` (default: the first page of ``boxes``) cropped to the boxes on it, lines outlined.

    Returns None when the file cannot be opened or the page does not exist;
    without boxes on that page the whole page is shown.
    """
    if page is None:
        if not boxes:
            return None
        page = min(b.page for b in boxes)
    on_page = [b for b in boxes if b.page == page]
    try:
        document = pdfium.PdfDocument(str(pdf))
    except (pdfium.PdfiumError, OSError) as exc:
        logger.warning("%s: cannot open for a page picture: %s", pdf, exc)
        return None
    try:
        if not 1 <= page <= len(document):
            return None
        pdf_page = document[page - 1]
        try:
            width, height = pdf_page.get_size()
            left, top, right, bottom = _crop(on_page, width, height)
            scale = min(DPI / 72, MAX_SIDE / max(right - left, bottom - top, 1.0))
            image = pdf_page.render(scale=scale, crop=(left, height - bottom, width - right, top)).to_pil()
        finally:
            pdf_page.close()
    finally:
        document.close()
    image = image.convert("RGB")
    draw = ImageDraw.Draw(image)
    pad = 2.0
    for b in on_page:
        draw.rectangle(
            [(b.x0 - pad - left) * scale, (b.top - pad - top) * scale,
             (b.x1 + pad - left) * scale, (b.bottom + pad - top) * scale],
            outline=OUTLINE, width=max(2, round(scale)),
        )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _crop(boxes: Sequence[Box], width: float, height: float) -> tuple[float, float, float, float]:
    """Left, top, right, bottom of the region to show, in points from the top-left corner.

    The crop spans the full text width (a passage's short last line would
    otherwise give a narrow strip without its context), and the passage's
    lines in height, with a margin.
    """
    if not boxes:
        return 0.0, 0.0, width, height
    left = max(0.0, min(b.x0 for b in boxes) - MARGIN_PT)
    right = min(width, max(b.x1 for b in boxes) + MARGIN_PT)
    top = max(0.0, min(b.top for b in boxes) - MARGIN_PT)
    bottom = min(height, max(b.bottom for b in boxes) + MARGIN_PT)
    if right - left < 1 or bottom - top < 1:
        return 0.0, 0.0, width, height
    return left, top, right, bottom
