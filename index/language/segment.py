"""Terms for the keyword index: folded syllables, syllable bigrams, words, numbers.

Officials type without diacritics and with abbreviations (``ubnd``,
``HĐND``), and ask for documents by number (``Chỉ thị 33/CT-TTg``,
``Kế hoạch 40``) or date (``ngày 11/01/2021``). Each of these gets terms of its
own so that the same question typed any of these ways finds the same passage.
underthesea's word segmentation gives a separate, accented field: it helps
questions typed with diacritics and must not hurt those typed without.
"""

from __future__ import annotations

import re
import threading

from index.language.normalize import canonical, fold
from index.understand.dates import IN_WORDS, STANDALONE, iso_date

_SYLLABLE = re.compile(r"[a-z0-9]+")
# 05-CT/TW, 06/KH-UBND-BDVTU, 149/2018/NĐ-CP, 113 - CV/ĐUK, 40 KH/BDVTU-BCSDUBND
_DOC_NUMBER = re.compile(
    r"(?<![\w/])(\d{1,5})(?:\s*[-–]\s*|\s*/\s*|\s+)((?:\d{4}/)?[A-ZĐ][A-Za-zĐđ&]*(?:[-/][A-Za-zĐđ0-9&]+)*)"
)
_TYPE_BEFORE_NUMBER = re.compile(
    r"\b(ke hoach|chi thi|quyet dinh|nghi quyet|ket luan|cong van|nghi dinh|thong tu|thong bao|bao cao|"
    r"chuong trinh|de an|quy dinh|huong dan|to trinh|quy che|luat|cong dien)\s+(?:so\s+)?(\d{1,5})\b"
)
_TYPE_CODE = {
    "ke hoach": "kh", "chi thi": "ct", "quyet dinh": "qd", "nghi quyet": "nq", "ket luan": "kl",
    "cong van": "cv", "nghi dinh": "nd", "thong tu": "tt", "thong bao": "tb", "bao cao": "bc",
    "chuong trinh": "ctr", "de an": "da", "quy dinh": "qd", "huong dan": "hd", "to trinh": "ttr",
    "quy che": "qc", "luat": "qh", "cong dien": "cd",
}

# Abbreviations of Vietnamese administrative writing, expanded into the words
# they stand for. Short ones are ambiguous with ordinary syllables (``tu`` is
# also tư/tự/từ), so they are expanded only when written in capitals.
_ABBREVIATIONS_ANY_CASE = {
    "ubnd": "uy ban nhan dan", "hdnd": "hoi dong nhan dan", "mttq": "mat tran to quoc",
    "mttqvn": "mat tran to quoc viet nam", "cbccvc": "can bo cong chuc vien chuc",
    "ccvc": "cong chuc vien chuc", "bdvtu": "ban dan van tinh uy", "dvcq": "dan van chinh quyen",
    "cchc": "cai cach hanh chinh", "tthc": "thu tuc hanh chinh", "ctxh": "chinh tri xa hoi",
    "ktxh": "kinh te xa hoi", "qcdc": "quy che dan chu", "bcsd": "ban can su dang",
    "bcsdubnd": "ban can su dang uy ban nhan dan", "duk": "dang uy khoi", "ubmttq": "uy ban mat tran to quoc",
    "ttg": "thu tuong", "ntm": "nong thon moi", "antt": "an ninh trat tu", "bchqs": "ban chi huy quan su",
    "tp": "thanh pho", "tx": "thi xa",
}
_ABBREVIATIONS_CAPS = {
    "TW": "trung uong", "TU": "tinh uy", "HU": "huyen uy", "BTV": "ban thuong vu", "BCH": "ban chap hanh",
    "BCĐ": "ban chi dao", "BDV": "ban dan van", "CP": "chinh phu", "QH": "quoc hoi", "CT": "chi thi",
    "KH": "ke hoach", "QĐ": "quyet dinh", "NQ": "nghi quyet", "KL": "ket luan", "CV": "cong van",
    "NĐ": "nghi dinh", "TB": "thong bao", "BC": "bao cao", "HD": "huong dan", "CTr": "chuong trinh",
    "ĐA": "de an", "QC": "quy che", "VP": "van phong", "KT": "ky thay", "TM": "thay mat",
    "BTC": "ban to chuc", "UB": "uy ban", "CT-XH": "chinh tri xa hoi", "KT-XH": "kinh te xa hoi",
    "QP-AN": "quoc phong an ninh", "ĐU": "dang uy", "PCT": "pho chu tich",
    "T/M": "thay mat", "K/T": "ky thay",
}
_CAPS_TOKEN = re.compile(r"(?<![\w])(?:[TK]/[MT]|[A-ZĐ]{1,3}[a-z]?(?:-[A-ZĐ]{1,3})?)(?![\w])")


def syllables(text: str) -> list[str]:
    """Folded syllables: ``Ủy ban nhân dân`` -> ``uy ban nhan dan``."""
    return _SYLLABLE.findall(fold(text))


def number_terms(text: str) -> list[str]:
    """Terms for document numbers: ``Chỉ thị 05-CT/TW`` -> ``05-ct/tw``, ``ct5``."""
    terms = []
    for m in _DOC_NUMBER.finditer(canonical(text)):
        num = str(int(m.group(1)))
        rest = fold(m.group(2)).replace("–", "-")
        terms.append(f"{num}/{rest}".replace("/", "_"))
        code = re.split(r"[-/]", rest.split("/", 1)[-1] if re.match(r"\d{4}/", rest) else rest)[0]
        if code:
            terms.append(f"{code}{num}")
    for m in _TYPE_BEFORE_NUMBER.finditer(fold(text)):
        terms.append(f"{_TYPE_CODE[m.group(1)]}{int(m.group(2))}")
    return list(dict.fromkeys(terms))


def date_terms(text: str) -> list[str]:
    """``ngày 11 tháng 01 năm 2021`` and ``11/01/2021`` both give ``d2021-01-11``."""
    folded = fold(text)
    out = []
    for m in list(IN_WORDS.finditer(folded)) + list(STANDALONE.finditer(folded)):
        day = iso_date(*m.groups())
        if day:
            out.append(f"d{day}")
    return out


def abbreviation_terms(text: str) -> list[str]:
    """Expansions of administrative abbreviations: ``UBND`` -> ``uy ban nhan dan``."""
    out: list[str] = []
    for token in _SYLLABLE.findall(fold(text)):
        exp = _ABBREVIATIONS_ANY_CASE.get(token)
        if exp:
            out.extend(exp.split())
    for m in _CAPS_TOKEN.finditer(text):
        exp = _ABBREVIATIONS_CAPS.get(m.group(0))
        if exp:
            out.extend(exp.split())
    return out


def bigrams(tokens: list[str]) -> list[str]:
    return [f"{a}_{b}" for a, b in zip(tokens, tokens[1:])]


def keyword_terms(text: str) -> list[str]:
    """All folded terms of a text, for the main keyword field."""
    syl = syllables(text)
    expansions = abbreviation_terms(text)
    return syl + bigrams(syl) + expansions + number_terms(text) + date_terms(text)


class Segmenter:
    """underthesea word segmentation behind one small, thread-safe interface."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def segment(self, text: str) -> list[str]:
        """Accented, lower-cased words joined by ``_``: ``chủ_trì``, ``sở_nội_vụ``."""
        from underthesea import word_tokenize

        with self._lock:
            words = word_tokenize(canonical(text))
        return [w.lower().replace(" ", "_") for w in words if any(c.isalpha() for c in w)]

    def word_terms(self, text: str) -> list[str]:
        """Multi-syllable words only; single syllables are already in the folded field."""
        return [w for w in self.segment(text) if "_" in w]
