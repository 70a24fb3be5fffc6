"""Unicode and Vietnamese spelling normalisation for matching, never for display.

Officials type without diacritics, documents use old tone placement (``Uỷ``,
``hoà``) or NFD, and all of these must match each other. Stored passages stay
exactly as in the source; only the text used for matching goes through here.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WORD = re.compile(r"\w+", re.UNICODE)
_COMBINING_TONES = re.compile(r"[\u0300-\u036f]")

# Vietnamese letters with a diacritic that NFD leaves as a base letter + marks,
# except đ/Đ which has no decomposition.
_D_MAP = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=200_000)
def _canonical_syllable(word: str) -> str:
    from underthesea.pipeline.text_normalize import token_normalize

    # underthesea's table maps old tone placement to the modern one (Uỷ -> Ủy);
    # it skips tokens longer than 6 characters, which no such syllable is.
    return token_normalize(word)


def canonical(text: str) -> str:
    """NFC with modern tone placement (``Uỷ ban`` -> ``Ủy ban``, ``hoà`` -> ``hòa``).

    Lengths are preserved after NFC, so offsets into the NFC text stay valid.
    """
    text = nfc(text)
    return _WORD.sub(lambda m: _canonical_syllable(m.group(0)), text)


def fold(text: str) -> str:
    """Lower-case and strip every diacritic: ``Ủy ban`` -> ``uy ban``."""
    text = unicodedata.normalize("NFD", text.translate(_D_MAP))
    return nfc(_COMBINING_TONES.sub("", text)).lower()


def has_diacritics(text: str) -> bool:
    """True when the text carries Vietnamese marks (typed with a Vietnamese keyboard)."""
    return fold(text) != text.lower()


def diacritic_ratio(text: str) -> float:
    """Share of words that carry a mark; near zero for questions typed without them."""
    words = _WORD.findall(text)
    if not words:
        return 0.0
    marked = sum(1 for w in words if fold(w) != w.lower())
    return marked / len(words)


def words(text: str) -> list[str]:
    return _WORD.findall(text)
