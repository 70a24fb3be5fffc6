"""What a question asks for, read before searching.

The same question may arrive with diacritics, without them, or with old tone
placement; it may name a document by number or date, a place, a year; and its
wording tells which kind of sentence answers it (an agency, a date, a number,
a document, a signer).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.language.normalize import canonical, diacritic_ratio, fold
from index.language.segment import abbreviation_terms, bigrams, date_terms, number_terms, syllables
from index.rank.ask import Ask, read_ask

# Question words carry no content; matching them only adds noise.
_STOP = {
    "ai", "gi", "nao", "dau", "khi", "bao", "nhieu", "may", "sao", "the", "la", "co", "khong", "duoc", "nhung",
    "cac", "cua", "cho", "voi", "ve", "va", "hay", "hoac", "o", "tai", "trong", "theo", "de", "thi", "ma",
    "nay", "do", "ra", "vao", "len", "phai", "can", "se", "da", "dang", "mot", "lam", "lau", "lan",
}

ANSWER_KINDS = ("agency", "date", "quantity", "document", "signer", "recipient")

_KIND_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("signer", re.compile(r"\b(ai ky|nguoi ky|ky ten|ky thay|thay mat .* ky|ky .* thay mat|do ai ky)\b")),
    ("recipient", re.compile(r"\b(gui (cho )?ai|gui (cho )?(co quan|don vi) nao|kinh gui|noi nhan)\b")),
    ("document", re.compile(
        r"\b((chi thi|quyet dinh|nghi dinh|nghi quyet|ket luan|cong van|ke hoach|van ban|chuong trinh|de an|"
        r"thong tu|quy dinh|luat) (nao|so may|gi)|theo (van ban|quyet dinh|chi thi) nao|can cu (vao )?(dau|gi|"
        r"van ban nao))\b")),
    ("date", re.compile(
        r"\b(khi nao|bao gio|luc nao|thoi gian|thoi han|han (chot|nop|cuoi)?|ngay nao|nam nao|thang nao|"
        r"quy nao|dinh ky|truoc ngay|ban hanh ngay|bao lau)\b")),
    ("quantity", re.compile(r"\b(bao nhieu|may|ty le|phan tram|so luong|muc)\b")),
    ("agency", re.compile(
        r"\b(ai|co quan nao|don vi nao|so nao|ban nao|phong nao|chu tri|phoi hop (voi )?(ai|nao)|"
        r"giao (cho )?(ai|nao)|trach nhiem|phu trach)\b")),
]


@dataclass(frozen=True)
class Query:
    text: str  # as typed
    canonical: str  # NFC, modern tone placement
    accented: bool  # typed with diacritics
    terms: tuple[str, ...]  # folded syllables without question words, bigrams, numbers, dates
    content_syllables: tuple[str, ...]
    content_bigrams: tuple[str, ...]  # adjacent syllables, neither a question word: "ket_hon", "ho_chieu"
    numbers: tuple[str, ...]
    dates: tuple[str, ...]
    kinds: tuple[str, ...]  # expected answer kinds, most specific first
    ask: Ask = Ask("open")  # the fact asked for and what about, for the no-answer decision


def answer_cues(text: str) -> list[str]:
    """The folded phrases that say what a question asks for ("ai", "chu tri", "khi nao", "bao nhieu")."""
    folded = fold(canonical(text.strip()))
    return [m.group(0) for _, pattern in _KIND_PATTERNS for m in pattern.finditer(folded)]


def parse_query(text: str) -> Query:
    canon = canonical(text.strip())
    folded = fold(canon)
    syl = syllables(canon)
    content = [s for s in syl if s not in _STOP]
    numbers = tuple(number_terms(canon))
    dates = tuple(date_terms(canon))
    terms = content + bigrams(syl) + abbreviation_terms(canon) + list(numbers) + list(dates)
    kinds = tuple(k for k, p in _KIND_PATTERNS if p.search(folded))
    content_bi = [f"{a}_{b}" for a, b in zip(syl, syl[1:]) if a not in _STOP and b not in _STOP]
    return Query(text=text, canonical=canon, accented=diacritic_ratio(canon) >= 0.2, terms=tuple(terms),
                 content_syllables=tuple(dict.fromkeys(content)), content_bigrams=tuple(dict.fromkeys(content_bi)),
                 numbers=numbers, dates=dates, kinds=kinds,
                 ask=read_ask(folded, kinds, numbers, tuple(dict.fromkeys(content))))
