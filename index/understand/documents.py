"""Split a file into the official documents it holds.

Scans are often filed together: the Phú Thọ file holds Công văn 113 followed
by the Kế hoạch 06 it forwards. A new document starts where, after the first
one has had a body and a signature or recipient list, a new header appears
(a ``Số: …`` line, the national or Party motto, or a lone document-type title).
"""

from __future__ import annotations

import re

from index.language.normalize import fold
from index.records import Block
from index.understand.structure import header_end, is_all_caps, is_closing_start

_NUMBER_LINE = re.compile(r"^Số\s*[:.]?\s*\d", re.IGNORECASE)
_MOTTO = ("cong hoa xa hoi chu nghia viet nam", "dang cong san viet nam")
_TYPE_TITLES = (
    "KẾ HOẠCH", "CÔNG VĂN", "QUYẾT ĐỊNH", "CHỈ THỊ", "THÔNG BÁO", "BÁO CÁO", "NGHỊ QUYẾT",
    "CHƯƠNG TRÌNH", "HƯỚNG DẪN", "TỜ TRÌNH", "KẾT LUẬN", "QUY ĐỊNH", "ĐỀ ÁN", "THÔNG TƯ",
    "NGHỊ ĐỊNH", "QUY CHẾ", "LUẬT", "CÔNG ĐIỆN",
)
_ORG_WORDS = (
    "uy ban", "ubnd", "dang", "ban ", "so ", "phong", "huyen", "tinh", "thanh", "xa ", "bo ",
    "cuc", "truong", "hoi", "doan", "mat tran", "van phong", "quan ", "phuong", "thi uy", "chinh phu",
)
_MIN_BODY = 300


def _opens_document(text: str) -> bool:
    t = text.strip()
    if _NUMBER_LINE.match(t) and len(t) <= 80:
        return True
    f = fold(t)
    if any(f.startswith(m) for m in _MOTTO):
        return True
    return t.upper() == t and t in _TYPE_TITLES


def _header_like(text: str) -> bool:
    """Organisation, motto, number or place-and-date lines that sit above a new document."""
    t = text.strip()
    f = fold(t)
    if _opens_document(t) or re.search(r",\s*ngay\s+\d", f) or f.startswith("doc lap"):
        return True
    return is_all_caps(t) and len(t) <= 120 and any(w in f + " " for w in _ORG_WORDS)


def split_documents(blocks: list[Block]) -> list[list[Block]]:
    """The documents of one file, in order; a file with one document gives one list."""
    docs: list[list[Block]] = []
    start = 0
    body_chars, closed = 0, False
    body_from = header_end(blocks)
    for i, block in enumerate(blocks):
        if i > start and closed and body_chars >= _MIN_BODY and _opens_document(block.text):
            cut = i
            while cut - 1 > start and _header_like(blocks[cut - 1].text) and not is_closing_start(blocks[cut - 1]):
                cut -= 1
            docs.append(blocks[start:cut])
            start = cut
            body_chars, closed = 0, False
            body_from = cut + header_end(blocks[cut:])
            continue
        if i >= body_from:
            body_chars += len(block.text)
            if body_chars >= _MIN_BODY and is_closing_start(block):
                closed = True
    docs.append(blocks[start:])
    return [d for d in docs if d]
