"""The number and the day of a scanned document: kept only when OCR can vouch for every digit.

Offices print "Số:      /CT-UBND" and "ngày      tháng 9 năm 2024" and write the
digits in by hand after signing. Tesseract reads handwriting with confidence
and wrongly ("11" as "44", "2191" as "2/91" at 88%), and a wrong number read
out in a meeting is worse than none. So the slots of the header that are
filled by hand (the number before "/CT-UBND", the day, month and year of the
date line) keep their digits only when

* every word of the slot has the shape of the field (1-5 digits for a number,
  a real day, month or year) and a confidence of at least ``MIN_CONF``, and
* the slot's crop read again on its own, at two resolutions, gives the same
  digits (printed digits read the same every time; handwriting does not).

Otherwise the slot becomes "…": the printed rest ("…/CT-UBND", "tháng 9 năm
2024") stays, and the metadata shows the number as unreadable instead of
guessing it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from index.language.normalize import fold
from index.read.scan.words import Word

UNREADABLE = "…"
MIN_CONF = 90.0
# The header (both blocks, the type and the title) sits in the top part of a page.
HEADER_SHARE = 0.45

Reread = Callable[[tuple[float, float, float, float]], list[str]]

# "Số:" as OCR reads it: "Số:", "Só:", "Sô:" all fold to "so:".
_SO = re.compile(r"^s[oóòỏõọôốồổỗộơớờởỡợ]\s*[:.]?$", re.IGNORECASE)
_SO_GLUED = re.compile(r"^(s[oóòỏõọôốồổỗộơớờởỡợ]\s*[:.])(.+)$", re.IGNORECASE)
_SLASH_CODE = re.compile(r"[/][A-Za-zĐđ]")
_SEPARATORS = {"-", "–", "—"}


def mark_unreadable(lines: list[list[Word]], page_height: float, page_width: float,
                    reread: Reread | None) -> list[list[Word]]:
    """The lines with the hand-filled header slots that OCR cannot vouch for replaced by "…"."""
    out = []
    number_done = date_done = False
    for line in lines:
        if not line or line[0].top > HEADER_SHARE * page_height:
            out.append(line)
            continue
        if not number_done and line[0].left < 0.5 * page_width:
            fixed = _number_line(line, reread)
            if fixed is not None:
                number_done = True
                out.append(fixed)
                continue
        if not date_done:
            fixed = _date_line(line, reread)
            if fixed is not None:
                date_done = True
                out.append(fixed)
                continue
        out.append(line)
    return out


def is_number_label(text: str) -> bool:
    """ "Số:" (or "Số:2191" read as one word) opening a header line."""
    glued = _SO_GLUED.match(text)
    return bool(_SO.match(text) or (glued and re.match(r"^[\w/…]", glued.group(2))))


def opens_number_line(line: Sequence[Word]) -> bool:
    """The line starts with the "Số:" label, not with the issuing body "SỞ NÔNG NGHIỆP…" or "Sở Tư pháp".

    OCR drops the colon of "Số:" often enough that the label is matched
    without it; a label without a colon followed by a word of letters is the
    word "Sở" opening a body's name.
    """
    if not line or not is_number_label(line[0].text):
        return False
    first = line[0].text.rstrip()
    if _SO.match(first) and not first.endswith((":", ".")) and len(line) > 1:
        following = line[1].text
        return not (following.isalpha() and len(following) >= 2)
    return True


def has_code(line: Sequence[Word]) -> bool:
    """The line holds the printed "/CT-UBND" part of a number."""
    return any(_SLASH_CODE.search(w.text) for w in line)


def _union(words: Sequence[Word]) -> tuple[float, float, float, float]:
    return (min(w.left for w in words), min(w.top for w in words),
            max(w.right for w in words), max(w.bottom for w in words))


def _vouched(words: Sequence[Word], text: str, shape: re.Pattern[str], reread: Reread | None) -> bool:
    """Every digit of the slot is confident, has the field's shape and reads the same twice more."""
    if not words or not shape.fullmatch(text) or any(w.conf < MIN_CONF for w in words):
        return False
    if reread is None:
        return False
    readings = reread(_union(words))
    digits = re.sub(r"\D", "", text)
    return bool(readings) and all(re.sub(r"\D", "", r) == digits for r in readings)


def _unreadable_word(words: Sequence[Word], near: Word) -> Word:
    if words:
        left, top, right, bottom = _union(words)
    else:
        left, top, right, bottom = near.right, near.top, near.right + near.height, near.bottom
    return Word(UNREADABLE, -1.0, left, top, right, bottom, near.line)


def _number_line(line: list[Word], reread: Reread | None) -> list[Word] | None:
    """ "Số: 2191 /CT-CS": the words between "Số:" and the printed "/CT-CS"; None if not a number line."""
    first = line[0]
    words = list(line)
    glued = _SO_GLUED.match(first.text)
    if _SO.match(first.text):
        head, rest = first, words[1:]
    elif glued and not _SO.match(first.text) and re.match(r"^[\w/…]", glued.group(2)):
        # "Số:2191" read as one word: split it at the label.
        head = replace(first, text=glued.group(1))
        rest = [replace(first, text=glued.group(2))] + words[1:]
    else:
        return None
    code_at = next((i for i, w in enumerate(rest) if _SLASH_CODE.search(w.text)), None)
    if code_at is None:
        return None
    code = rest[code_at]
    cut = _SLASH_CODE.search(code.text).start()
    code_head, code_tail = code.text[:cut], code.text[cut:]
    slot = [w for w in rest[:code_at] if w.text not in _SEPARATORS]
    separators = [w for w in rest[:code_at] if w.text in _SEPARATORS]
    slot_text = "".join(w.text for w in slot)
    slot_words = list(slot)
    if code_head and not re.search(r"[A-Za-zĐđ]", code_head):
        slot_text += code_head
        slot_words.append(code)
        code_head = ""
    elif code_head:
        # "Số 40 KH/BDVTU": letters before the slash are printed, the digits are the words before.
        code_tail = code.text
    if _vouched(slot_words, slot_text, re.compile(r"\d{1,5}"), reread):
        return line
    marker = _unreadable_word(slot_words, head)
    tail = replace(code, text=code_tail)
    return [head, marker, *separators, tail, *rest[code_at + 1:]]


_GLUED_DATE = re.compile(r"^(ngày|tháng|năm)(.+?)(tháng|năm)?$", re.IGNORECASE)


def _unglued(line: list[Word]) -> list[Word]:
    """ "ngày44tháng" read as one word: the label, the slot and the next label apart (boxes shared)."""
    out: list[Word] = []
    for word in line:
        m = _GLUED_DATE.match(word.text)
        if m and m.group(2) and not m.group(2).isalpha():
            out += [replace(word, text=part) for part in m.groups() if part]
        else:
            out.append(word)
    return out


_SHAPES = {"day": re.compile(r"0?[1-9]|[12]\d|3[01]"), "month": re.compile(r"0?[1-9]|1[0-2]"),
           "year": re.compile(r"(19|20)\d\d")}


def _date_line(line: list[Word], reread: Reread | None) -> list[Word] | None:
    """ "Hà Nội, ngày 08 tháng 4 năm 2026": each of day, month, year kept only when vouched for."""
    line = _unglued(line)
    folded = [fold(w.text).strip(".,;:") for w in line]
    try:
        at_day = folded.index("ngay")
        at_month = folded.index("thang", at_day + 1)
        at_year = folded.index("nam", at_month + 1)
    except ValueError:
        return None
    if at_day > 6:
        return None
    slots = {"day": line[at_day + 1:at_month], "month": line[at_month + 1:at_year],
             "year": line[at_year + 1:at_year + 2]}
    out: list[Word] = list(line[:at_day + 1])
    for name, anchor_at in (("day", at_day), ("month", at_month), ("year", at_year)):
        words = slots[name]
        text = "".join(w.text for w in words).rstrip(".,;")
        if not _vouched(words, text, _SHAPES[name], reread):
            words = [_unreadable_word(words, line[anchor_at])]
        out.extend(words)
        if name == "day":
            out.append(line[at_month])
        elif name == "month":
            out.append(line[at_year])
    out.extend(line[at_year + 2:])
    return out
