"""The two blocks of an administrative header, read one after the other.

Nghị định 30/2020 lays out every header the same way: on the left the parent
body, the issuing body, "Số: …" and the "V/v" line; on the right the national
motto and "<địa danh>, ngày … tháng … năm …". Read across, line by line, they
mix ("ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"). Once lines are cut
at the column gap (OCR words, text-layer glyphs), the header lines are put in
reading order: the whole left block, then the whole right block, then the rest.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence

from index.language.normalize import fold
from index.read.lines import Line

_MOTTOS = ("cong hoa xa hoi chu nghia", "doc lap", "dang cong san viet nam")
# The header is within the top part of the page; the type and title follow it across the middle.
_HEADER_SHARE = 0.45


def _is_motto(text: str) -> bool:
    f = fold(text)
    return any(m in f for m in _MOTTOS)


def _is_place_date(text: str) -> bool:
    f = fold(text)
    return bool(re.search(r",?\s*ngay\b.*\bthang\b", f)) and len(f) < 80


def reorder_header(lines: Sequence[Line], page_width: float, page_height: float) -> list[Line]:
    """Left-block lines, then right-block lines, then everything after the header; other pages unchanged."""
    lines = list(lines)
    placed = [ln for ln in lines if ln.x0 is not None and ln.x1 is not None and ln.top is not None
              and ln.bottom is not None]
    if len(placed) < 3 or page_width <= 0:
        return lines
    middle = page_width / 2
    right_marks = [ln for ln in placed if ln.top < _HEADER_SHARE * page_height and (ln.x0 + ln.x1) / 2 > middle * 0.9
                   and (_is_motto(ln.text) or _is_place_date(ln.text))]
    if not any(_is_motto(ln.text) for ln in right_marks):
        return lines
    line_height = max(statistics.median(ln.bottom - ln.top for ln in placed), 1.0)
    bottom = max(ln.bottom for ln in right_marks)
    head: list[Line] = []
    for ln in placed:
        if ln.top <= bottom:
            head.append(ln)
        elif ln.top <= bottom + 5 * line_height and ln.x1 < middle:
            head.append(ln)  # the rest of the left block: a "V/v" summary on two or three lines
    if len(head) < 3:
        return lines
    left = [ln for ln in head if (ln.x0 + ln.x1) / 2 < middle and ln not in right_marks]
    right = [ln for ln in head if ln not in left]
    if not left or not right:
        return lines
    ids = {id(ln) for ln in head}
    rest = [ln for ln in lines if id(ln) not in ids]
    return sorted(left, key=lambda ln: ln.top) + sorted(right, key=lambda ln: ln.top) + rest
