"""What lies on a page but is not the document's text: stamps, and hidden OCR layers of garbage.

An incoming-mail stamp ("UBND TỈNH LÂM ĐỒNG ĐẾN Số: 17026 Ngày: 23-10-2025
Chuyển: P.NC"), a certified-copy mark ("SAO Y"), the publisher's line
("Cơ quan phát hành: Văn phòng Chính phủ") and the digital-signature box
("Ký bởi: … Thời gian ký: …") would otherwise be cited as if the document
said them, and their handwritten numbers be read as the document's.

Some scanners also leave an invisible OCR layer of their own, often garbage
("so:f60tCNa-usND", "56:]+9-} /TB-LIBND"): long enough to pass for text, it
would replace the page's words. ``looks_garbled`` tells it apart from real
Vietnamese by the share of words that are Vietnamese syllables.
"""

from __future__ import annotations

import re

from index.language.normalize import fold
from index.read.vietnamese import is_syllable

# Labels of a signature box or stamp, each followed by a colon.
_LABEL = re.compile(
    r"^\s*(?:ký bởi|người ký|cơ quan(?: phát hành)?|chức vụ|thời gian ký|ngày ký|e-?mail|địa chỉ|date|reason|location)"
    r"\s*:",
    re.IGNORECASE,
)
_SIGNATURE_MARK = re.compile(
    r"ký bởi|thời gian ký|người ký\s*:|ngày ký\s*:|signature not verified|signature valid|digitally signed|signed by",
    re.IGNORECASE,
)
_EMAIL_ONLY = re.compile(r"^\s*\S+@\S+\.\S+\s*$")
_COPY = re.compile(r"^\s*sao\s+y\b", re.IGNORECASE)
_PUBLISHER = re.compile(r"cơ quan phát hành\s*:", re.IGNORECASE)
_TIME_PARTS = re.compile(r"^[\d\s:;/.+\-T]+$")  # "06/01/2026; 16:42:26; +07:00" left alone by a stamp


def is_signature_line(text: str) -> bool:
    """A line of the digital-signature box ("Ký bởi: …", "Thời gian ký: …", its e-mail)."""
    return bool(_LABEL.search(text) or _SIGNATURE_MARK.search(text) or _EMAIL_ONLY.match(text))


def is_incoming_stamp(text: str) -> bool:
    """The registry's stamp: "… ĐẾN Số: 101 Ngày: 05/9/25", "CÔNG VĂN ĐẾN", "Chuyển: P.NC", "Giờ 5 Ngày 04/5"."""
    t = text.strip()
    if len(t) > 90:
        return False
    f = fold(t)
    if re.search(r"\bcong van den\b", f) or re.match(r"^(?:so )?den\s*(?::|so\b|ngay\b|$)", f):
        return True
    if re.search(r"\bDẾN\b|\bĐẾN\b", t) and (re.search(r"\bsố\s*:", t, re.IGNORECASE) or re.search(r"\bngày\s*:", t, re.IGNORECASE)
                                           or t.endswith(("ĐẾN", "DẾN"))):
        return True
    if re.match(r"^(?:chuyển|lưu hồ sơ số)\s*:", t, re.IGNORECASE):
        return True
    return bool(re.match(r"^giờ\s*:?\s*\S{0,3}\s+ngày\s*:?", t, re.IGNORECASE))


def is_copy_mark(text: str) -> bool:
    return bool(_COPY.match(text))


def is_stamp_line(text: str, *, signature_page: bool) -> bool:
    """Stamp text, not the document's: dropped from passages (the signature is kept apart)."""
    t = text.strip()
    if is_incoming_stamp(t) or _PUBLISHER.search(t):
        return True
    if is_copy_mark(t) and len(t) <= 60:
        return True
    if signature_page and (is_signature_line(t) or (_TIME_PARTS.match(t) and len(t) >= 8)):
        return True
    return False


def looks_garbled(text: str) -> bool:
    """A text layer that is not Vietnamese: most of its words are neither syllables, numbers nor codes."""
    tokens = [t.strip(".,;:!?()[]\"'“”‘’-–") for t in text.split()]
    words = [t for t in tokens if any(c.isalpha() for c in t)]
    if len(words) < 20:
        return False
    good = 0
    for word in words:
        if is_syllable(word):
            good += 1
        elif word.isupper() and word.replace("Đ", "D").isalpha() and len(word) <= 10:
            good += 1  # abbreviations: UBND, PCI, BCA
        elif re.fullmatch(r"[A-ZĐ]{1,8}(?:[-/][A-ZĐ0-9]{1,10})+|[A-ZĐ]{1,6}\d{1,3}|\d+[/.-][\dA-ZĐa-z/.-]+", word):
            good += 1  # document codes and numbers: TB-UBND, PC04, 15/11/2025, 493/TB-UBND
    return good / len(words) < 0.6
