"""Section tree of a document, built from its numbering.

Markdown heading levels in converted plans do not match the numbering
(``##### 1.`` next to ``## **2.**``), and .docx/.pdf have no levels at all, so
the tree comes from the numbers themselves: ``Phần`` > ``Chương`` > ``Mục`` >
``Điều`` > ``I.`` > ``1.`` > ``1.1.`` > ``1.1.1.`` > ``a)`` > ``(1)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.language.normalize import fold
from index.records import Block, Section

PREAMBLE = "Phần mở đầu"
CLOSING = "Chữ ký và nơi nhận"
MAX_TITLE = 120

_ROMAN = "IVXLC"
_ORDINALS = ("nhất", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười")  # "Phần thứ hai"
# Tesseract reads a serif "II" as "H" and "III" as "HI"/"Ill"; after "I." such a token is the next numeral.
_OCR_ROMAN = re.compile(r"^(H|Il|lI|ll|HI|Hl|HIL|HL|Ill|IIl|lII|lll)\s*[.,]?\s+(?=[^\W\d_])")
_OCR_ROMAN_VALUE = {"H": "II", "Il": "II", "lI": "II", "ll": "II"}
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("part", re.compile(r"^(?:PHẦN|Phần)\s+(?:THỨ\s+|thứ\s+)?([IVXLC]+|\d+|[^\W\d_]+)\b[.:]?\s*")),
    ("chapter", re.compile(r"^(?:CHƯƠNG|Chương)\s+([IVXLC]+|\d+)\b[.:]?\s*")),
    ("subsection", re.compile(r"^(?:MỤC|Mục)\s+(\d+)\b[.:]?\s*")),
    ("article", re.compile(r"^Điều\s+(\d+[a-z]?)\s*[.:]\s*")),
    ("roman", re.compile(r"^([IVXL]{1,6})\s*[.)]\s*(?=\S)")),
    ("dotted", re.compile(r"^(\d{1,2}(?:\.\d{1,2}){1,4})\.?\s+(?=\S)")),
    ("arabic", re.compile(r"^(\d{1,2})\s*[.)]\s+(?=\S)")),
    ("letter", re.compile(r"^([a-zđ])\s*\)\s*(?=\S)")),
    ("paren", re.compile(r"^\((\d{1,2}|[a-zđ])\)\s*(?=\S)")),
]
_BASE_RANK = {"part": 0, "chapter": 1, "subsection": 2, "article": 3, "roman": 4, "arabic": 5,
              "letter": 12, "paren": 13}

_ROLE_LINE = re.compile(
    r"^(?:T/?M\.?|K/?T\.?|TL\.|TUQ\.|Q\.|THAY MẶT|KÝ THAY)\s|"
    r"^(?:PHÓ\s+)?(?:CHỦ TỊCH|TRƯỞNG BAN|BÍ THƯ|GIÁM ĐỐC|CHÁNH VĂN PHÒNG|THỦ TRƯỞNG|TRƯỞNG PHÒNG|BỘ TRƯỞNG|"
    r"THỦ TƯỚNG|CHỦ NHIỆM|TỔNG GIÁM ĐỐC|CỤC TRƯỞNG|VIỆN TRƯỞNG|HIỆU TRƯỞNG)\b",
)


@dataclass(frozen=True)
class Marker:
    """The numbering at the start of a block, e.g. ``III.`` or ``3.4.1.``."""

    kind: str
    label: str
    rank: int
    end: int  # where the title text starts


def marker_of(text: str) -> Marker | None:
    """The numbering marker a block starts with, if any."""
    text = text.lstrip()
    for kind, pattern in _PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        label = m.group(1)
        if kind == "roman" and not _valid_roman(label):
            continue
        if kind == "part" and not (label.isdigit() or set(label) <= set(_ROMAN) or label.isupper() or label.istitle()
                                   or label in _ORDINALS):
            continue
        rank = _BASE_RANK.get(kind, 0) if kind != "dotted" else 5 + label.count(".")
        return Marker(kind=kind, label=label, rank=rank, end=m.end())
    return None


def ocr_roman(text: str, expected: str) -> Marker | None:
    """A Roman numeral misread by OCR (``H.`` for ``II.``), accepted only where the numbering expects it."""
    m = _OCR_ROMAN.match(text.lstrip())
    if m is None:
        return None
    value = _OCR_ROMAN_VALUE.get(m.group(1), "III")
    return Marker(kind="roman", label=expected, rank=_BASE_RANK["roman"], end=m.end()) if value == expected else None


def _valid_roman(s: str) -> bool:
    return bool(re.fullmatch(r"X{0,3}(IX|IV|V?I{0,3})", s)) and s != ""


def is_all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def is_heading(block: Block, marker: Marker) -> bool:
    """A numbered block that titles what follows, rather than a numbered paragraph of text."""
    if marker.kind in ("part", "chapter", "subsection", "article"):
        return True
    text = block.text.strip()
    if block.kind == "heading" or block.bold or is_all_caps(text[marker.end:]):
        return True
    return len(text) <= 160 and not text.endswith((".", ";", "./.", ","))


def is_role_line(text: str) -> bool:
    """A signature role line such as ``TM. ỦY BAN NHÂN DÂN`` or ``KT. CHỦ TỊCH``."""
    t = text.strip()
    return len(t) <= 80 and bool(_ROLE_LINE.match(t)) and is_all_caps(t)


def is_closing_start(block: Block) -> bool:
    """Where the signature and recipient list begin."""
    t = block.text.strip()
    return fold(t).startswith("noi nhan") or is_role_line(t) or any(
        fold(cell.strip()).startswith("noi nhan") or is_role_line(cell) for cell in t.split(" | ")
    ) and block.kind == "row"


def header_end(blocks: list[Block]) -> int:
    """Index of the first body block: the first numbered heading or running paragraph."""
    limit = min(len(blocks), 30)
    for i in range(limit):
        text = blocks[i].text.strip()
        m = marker_of(text)
        if m and m.kind not in ("paren", "letter"):
            return i
        if len(text) >= 200 and not is_all_caps(text):
            return i
    return min(limit, len(blocks))


_ANNEX = ("phu luc", "de cuong", "danh sach", "bieu mau", "mau so", "du thao")


def is_annex_title(block: Block) -> bool:
    """The title of an attachment after the signature: ``PHỤ LỤC``, ``ĐỀ CƯƠNG``, ``DANH SÁCH`` …"""
    t = block.text.strip()
    return len(t) <= 200 and is_all_caps(t.split("(")[0]) and fold(t).startswith(_ANNEX)


def annex_start(blocks: list[Block], closing: int) -> int:
    """Index of the first attachment title after the signature part (``len(blocks)`` if none)."""
    return next((i for i in range(closing + 1, len(blocks)) if is_annex_title(blocks[i])), len(blocks))


def closing_start(blocks: list[Block], body_start: int) -> int:
    """Index where the signature/recipients part begins (``len(blocks)`` if none)."""
    floor = max(body_start + 1, int(len(blocks) * 0.5))
    for i in range(floor, len(blocks)):
        if is_closing_start(blocks[i]):
            # Numbered headings after it mean it was not the end after all, unless an attachment
            # (a Phụ lục, the Đề cương a Công văn sends) begins first.
            rest = blocks[i + 1:annex_start(blocks, i)]
            if not any((m := marker_of(b.text)) and is_heading(b, m) and m.rank <= 5 for b in rest):
                return i
    return len(blocks)


def title_of(text: str) -> str:
    """A section title short enough for a citation path."""
    t = " ".join(text.split())
    if len(t) <= MAX_TITLE:
        return t
    cut = t.rfind(" ", 0, MAX_TITLE)
    return t[: cut if cut > 40 else MAX_TITLE].rstrip(",;:") + "…"


def item_title(text: str) -> str:
    """The title of a numbered paragraph: its lead up to a colon ("1. Về nội dung"), else its first words."""
    t = " ".join(text.split())
    colon = t.find(":")
    if 0 < colon <= 100:
        return t[:colon].rstrip()
    return title_of(t)


def build_sections(blocks: list[Block]) -> list[Section]:
    """Group a document's blocks into sections, each knowing its path of headings."""
    offsets, pos = [], 0
    for b in blocks:
        offsets.append(pos)
        pos += len(b.text) + 1
    body = header_end(blocks)
    closing = closing_start(blocks, body)
    annex = annex_start(blocks, closing) if closing < len(blocks) else len(blocks)

    sections: list[Section] = []
    current: list[Block] = []
    current_start = 0
    current_path: tuple[str, ...] = (PREAMBLE,)
    current_heading = False
    stack: list[tuple[int, str]] = []
    last_roman: str | None = None

    def flush() -> None:
        if current:
            sections.append(Section(path=current_path, blocks=tuple(current), start=current_start,
                                    heading=current_heading))

    for i, block in enumerate(blocks):
        if i == closing:
            flush()
            current, current_start, current_path, current_heading = [], offsets[i], (CLOSING,), False
        if i >= annex and is_annex_title(block):
            # An attachment is not the signature block: its own numbering starts again under its title.
            flush()
            title = block.text
            if i + 1 < len(blocks) and is_all_caps(blocks[i + 1].text) and marker_of(blocks[i + 1].text) is None:
                title += " " + blocks[i + 1].text
            stack = [(-1, title_of(title))]
            current, current_start, current_path, current_heading = [], offsets[i], (stack[0][1],), True
        marker = marker_of(block.text) if body <= i < closing or i > annex else None
        if marker is None and block.ocr and body <= i and last_roman in ("I", "II"):
            marker = ocr_roman(block.text, "II" if last_roman == "I" else "III")
        if marker is not None and marker.kind == "roman":
            last_roman = marker.label
        if marker is not None:
            while stack and stack[-1][0] >= marker.rank:
                stack.pop()
            heading = is_heading(block, marker)
            if heading or not stack:
                # Công văn, Tờ trình and Chỉ thị number their requests ("1. Về nội dung: …", "2. Giao Công
                # an tỉnh chủ trì …") under no heading at all: the item's own number is then the only
                # section an official can cite, so a numbered paragraph at the top opens a section too.
                stack.append((marker.rank, title_of(block.text) if heading else item_title(block.text)))
                flush()
                current, current_start, current_heading = [], offsets[i], heading
                current_path = tuple(t for _, t in stack)
            elif current_path != (tuple(t for _, t in stack) or (PREAMBLE,)):
                # A numbered paragraph closes deeper siblings: "3. …" after "2. Ban Dân vận".
                flush()
                current, current_start, current_heading = [], offsets[i], False
                current_path = tuple(t for _, t in stack) or (PREAMBLE,)
        if not current:
            current_start = offsets[i]
        current.append(block)
    flush()
    return sections


def section_label(path: tuple[str, ...]) -> str | None:
    """The numbering chain of a section path, as officials cite it.

    "III. …" > "3. …" > "3.3. …" gives ``III.3.3`` (a dotted number already
    carries its parents); in a law the article is what is cited: ``Điều 5``.
    """
    labels: list[str] = []
    for title in path:
        m = marker_of(title)
        if m is None:
            continue
        if m.kind == "article":
            return f"Điều {m.label}"
        if m.kind in ("part", "chapter", "subsection"):
            continue
        while labels and m.label.startswith(labels[-1] + "."):
            labels.pop()
        labels.append(m.label)
    return ".".join(labels) or None
