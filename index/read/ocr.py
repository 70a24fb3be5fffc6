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
import re
import subprocess
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache

import pypdfium2 as pdfium
import pytesseract
from PIL import Image

from index.errors import CorruptFile, OcrUnavailable
from index.read.lines import Line
from index.read.scan import cache, handwriting
from index.read.scan.deskew import deskew
from index.read.scan.words import Word, group_lines

logger = logging.getLogger(__name__)

LANG = "vie"
DPI = 300
# Very large pages (A3 annexes, posters) are rendered smaller to bound memory and time.
MAX_PIXELS = 40_000_000
PAGE_TIMEOUT_S = 180
PSM = "3"  # automatic page segmentation: headers in two blocks, tables, signature boxes
# Part of the OCR cache key: change it when anything above changes what OCR returns.
SETTINGS = f"{LANG}-{DPI}-psm{PSM}-v5"


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


def _render(page: pdfium.PdfPage) -> tuple[Image.Image, float]:
    """The page as an 8-bit grey image and the pixels-per-point scale."""
    scale = DPI / 72
    width, height = page.get_size()
    if width * height * scale * scale > MAX_PIXELS:
        scale = (MAX_PIXELS / (width * height)) ** 0.5
    return page.render(scale=scale, grayscale=True).to_pil().convert("L"), scale


def _pnm(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PPM")  # no compression cost
    return buffer.getvalue()


def _tesseract(image: Image.Image, args: list[str], page_number: int, output: str = "tsv") -> str:
    command = [pytesseract.pytesseract.tesseract_cmd, "stdin", "stdout", "-l", LANG, *args]
    if output:
        command.append(output)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(
            command, input=_pnm(image), capture_output=True, timeout=PAGE_TIMEOUT_S, env=env, check=False
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
    return done.stdout.decode("utf-8", "replace")


def _rotation(image: Image.Image, page_number: int) -> int:
    """Degrees to turn the page upright, from tesseract's orientation detection (0 if unsure)."""
    command = [pytesseract.pytesseract.tesseract_cmd, "stdin", "stdout", "--psm", "0"]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(command, input=_pnm(image), capture_output=True, timeout=60, env=env, check=False)
    except subprocess.TimeoutExpired:
        return 0
    text = done.stdout.decode("utf-8", "replace")
    rotate = re.search(r"Rotate:\s*(\d+)", text)
    confidence = re.search(r"Orientation confidence:\s*([\d.]+)", text)
    if not rotate or not confidence or float(confidence.group(1)) < 2.0:
        return 0
    return int(rotate.group(1)) % 360


def _reread(image: Image.Image, box: tuple[float, float, float, float]) -> list[str]:
    """The crop of one header slot read again alone, at full and at half resolution."""
    left, top, right, bottom = box
    height = max(bottom - top, 10.0)
    crop = image.crop((max(0, int(left - height)), max(0, int(top - 0.4 * height)),
                       min(image.width, int(right + height)), min(image.height, int(bottom + 0.4 * height))))
    readings = []
    for factor in (1.0, 0.5):
        part = crop if factor == 1.0 else crop.resize((max(1, int(crop.width * factor)),
                                                       max(1, int(crop.height * factor))))
        try:
            readings.append(_tesseract(part, ["--psm", "7"], 0, output="").strip())
        except CorruptFile:
            return []
    return readings


def _recognise(image: Image.Image, scale: float, page_number: int) -> list[Line]:
    args = ["--psm", PSM, "--dpi", str(round(scale * 72))]
    # A tilted scan or photo is turned straight first (Leptonica); a straight one is left as it is.
    image, angle = deskew(image)
    if angle:
        logger.info("page %d is tilted by %.1f degrees, straightening it", page_number, -angle)
    words = parse_words(_tesseract(image, args, page_number))
    confident = [w for w in words if w.conf >= 60]
    if len(confident) < 0.5 * max(len(words), 1) or len(confident) < 10:
        # A page scanned sideways or upside down reads as noise: turn it and read again.
        degrees = _rotation(image, page_number)
        if degrees:
            logger.info("page %d is rotated by %d degrees, turning it", page_number, degrees)
            image = image.rotate(-degrees, expand=True)
            words = parse_words(_tesseract(image, args, page_number))
    word_lines = _recover_number_line(image, group_lines(words), args, page_number)
    word_lines = handwriting.mark_unreadable(word_lines, image.height, image.width,
                                             lambda box: _reread(image, box))
    return lines_from_words(word_lines, scale)


def _recover_number_line(image: Image.Image, word_lines: list[list[Word]], args: list[str],
                         page_number: int) -> list[list[Word]]:
    """Read the header again alone when the page's "Số:" line lost its printed code.

    Around hand-written digits tesseract's page layout sometimes drops the
    whole "2191 /CT-CS" as a picture; the header read on its own keeps it.
    """
    limit = handwriting.HEADER_SHARE * image.height
    at = next((i for i, line in enumerate(word_lines) if line and line[0].top < limit
               and handwriting.opens_number_line(line)), None)
    if at is None or handwriting.has_code(word_lines[at]):
        return word_lines
    top = word_lines[at][0]
    crop = image.crop((0, 0, image.width, int(limit)))
    again = group_lines(parse_words(_tesseract(crop, args, page_number)))
    match = next((line for line in again if line and handwriting.opens_number_line(line)
                  and abs(line[0].top - top.top) < 2 * top.height and handwriting.has_code(line)), None)
    if match is None:
        return word_lines
    return word_lines[:at] + [match] + word_lines[at + 1:]


# Specks on a scan come back as stray "_", "|" or "~" glued to words, or as
# a lone "." or "," between words. Real stops and commas are glued to the
# word before them, so a lone one is a speck; dashes alone are real ("kinh
# tế - xã hội", "- Cơ quan") unless tesseract itself doubts them.
_SPECKS = "_|~¦`´"
_LONE_SPECKS = set(".,;:'`‘’\"")
_MIN_PUNCT_CONF = 40.0
# Words tesseract barely believes that are no letters or digits at all: seal and signature strokes.
_MIN_NOISE_CONF = 30.0


def _clean_word(text: str, conf: float) -> str:
    word = text.strip().strip(_SPECKS)
    if word and not any(c.isalnum() for c in word):
        if set(word) <= _LONE_SPECKS or conf < _MIN_PUNCT_CONF:
            return ""
    return word


def _is_noise(word: str, conf: float) -> bool:
    """A seal, a signature or a speck read as letters: very low confidence and no real word shape."""
    if conf >= _MIN_NOISE_CONF or conf < 0:
        return False
    letters = sum(c.isalpha() for c in word)
    return letters < 0.6 * len(word) or len(word) <= 2


def parse_words(tsv: str) -> list[Word]:
    """Tesseract's word table (level 5 rows), specks dropped; geometry in pixels."""
    words: list[Word] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5":
            continue
        try:
            conf = float(row.get("conf") or -1)
        except ValueError:
            conf = -1.0
        text = _clean_word(row.get("text") or "", conf)
        if not text or _is_noise(text, conf):
            continue
        left, top = int(row["left"]), int(row["top"])
        words.append(Word(text, conf, left, top, left + int(row["width"]), top + int(row["height"]),
                          (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))))
    return words


def lines_from_words(word_lines: Sequence[Sequence[Word]], scale: float = 1.0) -> list[Line]:
    """Lines in points; tesseract's text blocks become regions (a column run is a block of its own).

    Tesseract's own paragraph numbers are not used: they split wrapped
    paragraphs too often; the line rules in ``lines`` do better.
    """
    lines = []
    runs: dict[tuple[int, int, int], int] = {}
    for items in word_lines:
        if items:
            runs[items[0].line] = runs.get(items[0].line, 0) + 1
    ordinal: dict[tuple[int, int, int], int] = {}
    for items in word_lines:
        if not items:
            continue
        confs = [w.conf for w in items if w.conf >= 0]
        block = items[0].line[0]
        column = ordinal.get(items[0].line, 0)
        ordinal[items[0].line] = column + 1
        lines.append(
            Line(
                text=" ".join(w.text for w in items),
                x0=min(w.left for w in items) / scale,
                x1=max(w.right for w in items) / scale,
                top=min(w.top for w in items) / scale,
                bottom=max(w.bottom for w in items) / scale,
                # Two columns cut out of one tesseract block must not be joined into one paragraph.
                region=block if runs[items[0].line] == 1 else f"{block}.{column}",
                ocr=True,
                conf=round(sum(confs) / len(confs), 1) if confs else None,
            )
        )
    return lines


def parse_tsv(tsv: str, scale: float = 1.0) -> list[Line]:
    """Tesseract's word table to lines in points, cut at column gaps (no handwriting check)."""
    return lines_from_words(group_lines(parse_words(tsv)), scale)


Progress = Callable[[int, int], None]


def ocr_pages(document: pdfium.PdfDocument, indices: Sequence[int], *, key: str | None = None,
              progress: Progress | None = None) -> dict[int, list[Line]]:
    """OCR the given 0-based pages, one tesseract process per core; ``progress(done, total)`` after each page.

    Pages are rendered here, in the calling thread (PDFium is not
    thread-safe), and at most two per worker wait in memory. With a ``key``
    (the file's content hash) pages read before come from the cache.
    """
    ensure_available()
    results: dict[int, list[Line]] = {}
    todo = []
    for index in indices:
        cached = cache.get(key, index, SETTINGS) if key else None
        if cached is not None:
            results[index] = cached
        else:
            todo.append(index)
    total = len(indices)
    if progress and results:
        progress(len(results), total)
    workers = max(1, min(len(todo), os.cpu_count() or 1, 4))
    pending: deque[tuple[int, Future[list[Line]]]] = deque()

    def collect() -> None:
        done_index, future = pending.popleft()
        results[done_index] = future.result()
        if key:
            cache.put(key, done_index, SETTINGS, results[done_index])
        if progress:
            progress(len(results), total)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ocr") as pool:
        for index in todo:
            page = document[index]
            try:
                image, scale = _render(page)
            finally:
                page.close()
            pending.append((index, pool.submit(_recognise, image, scale, index + 1)))
            while len(pending) >= 2 * workers:
                collect()
        while pending:
            collect()
    return results
