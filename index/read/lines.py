"""Paragraphs rebuilt from the lines of a laid-out page (PDF text layer or OCR).

A PDF knows only lines; the section tree and the citations need the
paragraphs back. Vietnamese plans make that tractable: a new paragraph
starts after a sentence end, at a numbering marker ("1.", "a)", "- "), on an
all-caps line (headers, titles), or where the layout shows it (indented
first line, short last line, extra vertical space).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace

from index.records import Block, Box


@dataclass(frozen=True)
class Line:
    """One line of a page. Geometry is in page units, y growing downwards; None if unknown."""

    text: str
    bold: bool = False
    x0: float | None = None
    x1: float | None = None
    top: float | None = None
    bottom: float | None = None
    region: object = None  # OCR block/paragraph id: a change is a new block
    ocr: bool = False  # read by OCR (lines with an OCR ``region`` count as OCR too)
    conf: float | None = None  # OCR: the mean confidence of the line's words (0-100)


_SPACES = re.compile(r"[ \t\u00a0]+")
# ";" is left out: plans chain clauses with it inside one paragraph, and
# list items ending in ";" are split by their "- " marker anyway.
_SENTENCE_END = re.compile(r"(?:[.!?:…]|\./\.)[\"”’»)\]]*$")
# Markers that open a new item ("1.", "1.2", "(3)", "a)", "II.", "Điều 5").
_MARKER = re.compile(
    r"""^(?:
        \(\d{1,3}\)\s
      | \d{1,3}(?:\.\d{1,3})*[.)]\s
      | \d{1,3}(?:\.\d{1,3})+\s
      | [a-zđ][.)]\s
      | [IVXLC]{1,7}[.)]\s
      | (?:Điều|Chương|Mục|Phần)\s+[\dIVXLC]+
    )""",
    re.VERBOSE,
)
# Bullets count only before a capital, digit or quote: "kinh tế\n- xã hội"
# is a compound word wrapped at its dash, not a list item.
_BULLET = re.compile(r"^[-–—+•●▪◦○*]\s*(\S)")
_PAGE_NUMBER = re.compile(
    r"^(?:[-–—]\s*)?\d{1,4}(?:\s*[-–—])?$|^(?:trang|page|tr\.)\s*\d{1,4}(?:\s*(?:/|trên|of)\s*\d{1,4})?$",
    re.IGNORECASE,
)
_PAGE_OF = re.compile(r"^(\d{1,3})\s*/\s*(\d{1,3})$")  # "3/12", but not a date like "12/2021"


def clean(text: str) -> str:
    """Collapse the runs of spaces a text layer or OCR puts between words."""
    return _SPACES.sub(" ", text).strip()


def is_page_number(text: str) -> bool:
    text = text.strip()
    page_of = _PAGE_OF.match(text)
    if page_of:
        return int(page_of.group(1)) <= int(page_of.group(2))
    return bool(_PAGE_NUMBER.match(text))


def _starts_item(text: str) -> bool:
    if _MARKER.match(text):
        return True
    bullet = _BULLET.match(text)
    if bullet is None:
        return False
    return bullet.group(1).isupper() or bullet.group(1) in '0123456789"“('


def _all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


_Box = tuple[float, float, float, float]  # x0, x1, top, bottom


def _box(line: Line) -> _Box | None:
    if line.x0 is None or line.x1 is None or line.top is None or line.bottom is None:
        return None
    return line.x0, line.x1, line.top, line.bottom


@dataclass(frozen=True)
class _Layout:
    left: float
    right: float
    line_height: float
    gap: float  # usual space between two lines of one paragraph

    @classmethod
    def of(cls, lines: Sequence[Line]) -> _Layout | None:
        boxes = [box for box in map(_box, lines) if box]
        if len(boxes) < 2:
            return None
        lefts = sorted(b[0] for b in boxes)
        rights = sorted(b[1] for b in boxes)
        gaps = [b[2] - a[3] for a, b in zip(boxes, boxes[1:]) if b[2] > a[3]]
        return cls(
            left=lefts[len(lefts) // 10],
            right=rights[(len(rights) * 9) // 10],
            line_height=max(statistics.median(b[3] - b[2] for b in boxes), 1.0),
            gap=statistics.median(gaps) if gaps else 0.0,
        )


def _geometry_break(prev: Line, line: Line, layout: _Layout | None) -> bool:
    before, after = _box(prev), _box(line)
    if layout is None or before is None or after is None:
        return False
    prev_x0, prev_x1, prev_top, prev_bottom = before
    x0, _, top, _ = after
    height = layout.line_height
    if top < prev_top - 0.5 * height or x0 > prev_x1:
        return True  # back up the page or beside the previous line: another column
    if top - prev_bottom > layout.gap + 0.6 * height:
        return True  # extra space between paragraphs
    width = layout.right - layout.left
    if prev_x1 < layout.right - 0.15 * width:
        return True  # the previous line stopped short: it ended its paragraph
    # An indented first line after a full line opens a paragraph.
    return x0 - prev_x0 > 0.8 * height


def _continues(prev: Line, line: Line, layout: _Layout | None) -> bool:
    if prev.region != line.region or prev.bold != line.bold:
        return False
    if _SENTENCE_END.search(prev.text) or _starts_item(line.text):
        return False
    if _all_caps(prev.text) or _all_caps(line.text):
        return False
    return not _geometry_break(prev, line, layout)


def _join(left: str, right: str) -> str:
    if left.endswith(("\u00ad", "\x02")):  # soft hyphen: one word broken by the layout
        return left[:-1] + right
    # "Nghị định số 04/2015/NĐ-" + "CP": Vietnamese words are not hyphenated
    # at line ends, so a hyphen glued to a word is part of a number or name.
    if left.endswith("-") and len(left) > 1 and left[-2].isalnum() and right[:1].isalnum():
        return left + right
    return f"{left} {right}"


def _drop_page_numbers(lines: list[Line]) -> list[Line]:
    """Page numbers sit in the first or last lines of a page ("2", "- 3 -", "Trang 4")."""
    edge = set(range(min(2, len(lines)))) | set(range(max(0, len(lines) - 2), len(lines)))
    return [ln for i, ln in enumerate(lines) if not (i in edge and is_page_number(ln.text))]


def page_blocks(lines: Sequence[Line], page: int | None = None) -> list[Block]:
    """Blocks of one page, in reading order."""
    cleaned = [replace(ln, text=clean(ln.text)) for ln in lines]
    kept = _drop_page_numbers([ln for ln in cleaned if ln.text])
    layout = _Layout.of(kept)
    groups: list[list[Line]] = []
    for line in kept:
        if groups and _continues(groups[-1][-1], line, layout):
            groups[-1].append(line)
        else:
            groups.append([line])
    blocks = []
    for group in groups:
        text = group[0].text
        spans = [(0, len(text))]
        for line in group[1:]:
            text = _join(text, line.text)
            spans.append((len(text) - len(line.text), len(text)))
        # Soft hyphens left inside a line are invisible in the source.
        text, spans = _without_soft_hyphens(text, spans)
        blocks.append(Block(text=text, bold=all(ln.bold for ln in group), page=page,
                            boxes=_line_boxes(group, spans, page),
                            ocr=any(ln.ocr or ln.region is not None for ln in group)))
    return blocks


def _without_soft_hyphens(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """Drop soft hyphens and keep each line's character range pointing at the same words."""
    if "\u00ad" not in text and "\x02" not in text:
        return text, spans
    kept, shift = [], []  # shift[i]: characters removed before position i
    removed = 0
    for char in text:
        shift.append(removed)
        if char in "\u00ad\x02":
            removed += 1
        else:
            kept.append(char)
    shift.append(removed)
    return "".join(kept), [(a - shift[a], b - shift[b]) for a, b in spans]


def _line_boxes(group: Sequence[Line], spans: Sequence[tuple[int, int]], page: int | None) -> tuple[Box, ...]:
    """Each line's box with its character range in the block text; lines without geometry are left out."""
    if page is None:
        return ()
    out = []
    for line, (start, end) in zip(group, spans):
        box = _box(line)
        if box is not None:
            x0, x1, top, bottom = box
            out.append(Box(page=page, x0=x0, top=top, x1=x1, bottom=bottom, start=start, end=end))
    return tuple(out)


def document_blocks(pages: Sequence[Sequence[Line]]) -> list[Block]:
    """Blocks of a whole document; the first block after each page boundary is flagged."""
    out: list[Block] = []
    for number, lines in enumerate(pages, start=1):
        blocks = page_blocks(lines, number)
        if blocks and out:
            blocks[0] = replace(blocks[0], page_break_before=True)
        out.extend(blocks)
    return out
