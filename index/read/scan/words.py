"""OCR words and the lines they make, split where a wide gap shows two columns.

Tesseract puts "BỘ TÀI CHÍNH" and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" on one
line when the two header blocks share a baseline; read across, the issuer
becomes "Bộ Tài chính Cộng hòa xã hội…". A gap of several word heights never
occurs inside a line of running text, so the line is cut there.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

# A gap wider than this many word heights splits a line into two columns.
COLUMN_GAP_HEIGHTS = 3.0


@dataclass(frozen=True)
class Word:
    """One word as tesseract read it; geometry in pixels of the OCR image, y growing downwards."""

    text: str
    conf: float  # 0-100, tesseract's confidence; -1 when it gave none
    left: float
    top: float
    right: float
    bottom: float
    line: tuple[int, int, int] = (0, 0, 0)  # tesseract's (block, paragraph, line)

    @property
    def height(self) -> float:
        return self.bottom - self.top


# The blanks left for the hand-written number and day follow these words; a
# gap after them (or before the printed "/CT-UBND") is a blank, not a column.
_BLANK_BEFORE = {"số", "số:", "số.", "ngày", "tháng", "năm"}


def _is_blank(before: Word, after: Word) -> bool:
    return before.text.lower() in _BLANK_BEFORE or before.text.lower().endswith(("ngày", "số:")) \
        or after.text.startswith("/")


def split_columns(words: Sequence[Word]) -> list[list[Word]]:
    """One tesseract line as one or more runs of words, cut at column-wide gaps."""
    if not words:
        return []
    ordered = sorted(words, key=lambda w: w.left)
    height = statistics.median(w.height for w in ordered) or 1.0
    runs: list[list[Word]] = [[ordered[0]]]
    for word in ordered[1:]:
        before = runs[-1][-1]
        if word.left - before.right > COLUMN_GAP_HEIGHTS * height and not _is_blank(before, word):
            runs.append([word])
        else:
            runs[-1].append(word)
    return runs


def group_lines(words: Sequence[Word]) -> list[list[Word]]:
    """Words grouped by tesseract line, each line cut at column gaps, in tesseract's order."""
    by_line: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        by_line.setdefault(word.line, []).append(word)
    out: list[list[Word]] = []
    for items in by_line.values():
        out.extend(split_columns(items))
    return out
