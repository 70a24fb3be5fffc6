"""OCR of scanned PDF pages with tesseract's Vietnamese model.

pytesseract finds and checks the tesseract binary (and honours its
``tesseract_cmd`` setting); the recognition itself is one subprocess per
page, started here so it can run with ``OMP_THREAD_LIMIT=1``: tesseract's
own OpenMP threads make a page 4x slower on a 2-core server, while one
single-threaded process per core keeps a page around a second.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import subprocess
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache

import pypdfium2 as pdfium
import pytesseract

from index.errors import CorruptFile, OcrUnavailable
from index.read.lines import Line

logger = logging.getLogger(__name__)

LANG = "vie"
DPI = 300
# Very large pages (A3 annexes, posters) are rendered smaller to bound memory and time.
MAX_PIXELS = 40_000_000
PAGE_TIMEOUT_S = 180


@lru_cache(maxsize=1)
def _problem() -> str | None:
    """Why OCR cannot run, or None. Checked once per process: it spawns tesseract twice."""
    try:
        version = pytesseract.get_tesseract_version()
        languages = pytesseract.get_languages(config="")
    except (pytesseract.TesseractNotFoundError, OSError, RuntimeError) as exc:
        return f"tesseract not found ({exc})"
    if LANG not in languages:
        return f"tesseract {version} has no '{LANG}' language data (installed: {', '.join(languages)})"
    return None


def available() -> bool:
    return _problem() is None


def ensure_available() -> None:
    problem = _problem()
    if problem:
        raise OcrUnavailable(problem)


def _render(page: pdfium.PdfPage) -> tuple[bytes, float]:
    """The page as an 8-bit grey PGM (no compression cost) and the pixels-per-point scale."""
    scale = DPI / 72
    width, height = page.get_size()
    if width * height * scale * scale > MAX_PIXELS:
        scale = (MAX_PIXELS / (width * height)) ** 0.5
    image = page.render(scale=scale, grayscale=True).to_pil().convert("L")
    buffer = io.BytesIO()
    image.save(buffer, format="PPM")
    return buffer.getvalue(), scale


def _recognise(image: bytes, scale: float, page_number: int) -> list[Line]:
    dpi = str(round(scale * 72))
    command = [
        pytesseract.pytesseract.tesseract_cmd,
        "stdin",
        "stdout",
        "-l",
        LANG,
        "--psm",
        "3",
        "--dpi",
        dpi,
        "tsv",
    ]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(
            command, input=image, capture_output=True, timeout=PAGE_TIMEOUT_S, env=env, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise CorruptFile(
            f"OCR of page {page_number} timed out after {PAGE_TIMEOUT_S}s",
            user_message=f"Không nhận dạng được chữ ở trang {page_number} của bản quét (quá thời gian); "
            "hãy gửi bản quét rõ hơn hoặc bản có lớp chữ.",
        ) from exc
    if done.returncode != 0:
        raise CorruptFile(
            f"tesseract failed on page {page_number}: {done.stderr.decode('utf-8', 'replace').strip()[:300]}",
            user_message=f"Không nhận dạng được chữ ở trang {page_number} của bản quét; "
            "hãy gửi bản quét rõ hơn hoặc bản có lớp chữ.",
        )
    return parse_tsv(done.stdout.decode("utf-8", "replace"), scale)


# Specks on a scan come back as stray "_", "|" or "~" glued to words, or as
# a lone "." or "," between words. Real stops and commas are glued to the
# word before them, so a lone one is a speck; dashes alone are real ("kinh
# tế - xã hội", "- Cơ quan") unless tesseract itself doubts them.
_SPECKS = "_|~¦`´"
_LONE_SPECKS = set(".,;:'`‘’\"")
_MIN_PUNCT_CONF = 40.0


def _clean_word(text: str, conf: float) -> str:
    word = text.strip().strip(_SPECKS)
    if word and not any(c.isalnum() for c in word):
        if set(word) <= _LONE_SPECKS or conf < _MIN_PUNCT_CONF:
            return ""
    return word


def parse_tsv(tsv: str, scale: float = 1.0) -> list[Line]:
    """Tesseract's word table to lines (geometry in points); its text blocks become regions.

    Tesseract's own paragraph numbers are not used: they split wrapped
    paragraphs too often; the line rules in ``lines`` do better.
    """
    words: dict[tuple[int, int, int], list[tuple[str, float, float, float, float]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5":
            continue
        try:
            conf = float(row.get("conf") or -1)
        except ValueError:
            conf = -1.0
        text = _clean_word(row.get("text") or "", conf)
        if not text:
            continue
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        left, top = int(row["left"]) / scale, int(row["top"]) / scale
        right, bottom = left + int(row["width"]) / scale, top + int(row["height"]) / scale
        words.setdefault(key, []).append((text, left, right, top, bottom))
    lines = []
    for (block, _, _), items in words.items():
        lines.append(
            Line(
                text=" ".join(t for t, *_ in items),
                x0=min(i[1] for i in items),
                x1=max(i[2] for i in items),
                top=min(i[3] for i in items),
                bottom=max(i[4] for i in items),
                region=block,
            )
        )
    return lines


def ocr_pages(document: pdfium.PdfDocument, indices: Sequence[int]) -> dict[int, list[Line]]:
    """OCR the given 0-based pages, one tesseract process per core.

    Pages are rendered here, in the calling thread (PDFium is not
    thread-safe), and at most two per worker wait in memory.
    """
    ensure_available()
    workers = max(1, min(len(indices), os.cpu_count() or 1, 4))
    results: dict[int, list[Line]] = {}
    pending: deque[tuple[int, Future[list[Line]]]] = deque()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ocr") as pool:
        for index in indices:
            page = document[index]
            try:
                image, scale = _render(page)
            finally:
                page.close()
            pending.append((index, pool.submit(_recognise, image, scale, index + 1)))
            while len(pending) >= 2 * workers:
                done_index, future = pending.popleft()
                results[done_index] = future.result()
        while pending:
            done_index, future = pending.popleft()
            results[done_index] = future.result()
    return results
