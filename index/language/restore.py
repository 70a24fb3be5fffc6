"""Put diacritics back on a question typed without them, using the corpus's own words.

The e5 model reads "han nop bao cao" as a different language from "hạn nộp
báo cáo". Each folded syllable has few accented forms in the corpus; the most
likely sequence under the corpus's syllable bigrams (Viterbi, interpolated
with unigrams) is almost always the one the official meant.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from index.language.normalize import canonical, fold

RESTORE_NAME = "restore.json"
_WORD = re.compile(r"\w+", re.UNICODE)
_LAMBDA = 0.8


def _syllables(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(canonical(text))]


def count(texts: Iterable[str], sign: int = 1) -> tuple[Counter[str], Counter[str]]:
    """Syllable unigram and bigram counts of some texts (``sign=-1``: to subtract them).

    The index keeps these counts and a build adds those of new passages and
    subtracts those of removed ones, so the vocabulary never has to be learnt
    again from every stored passage.
    """
    uni: Counter[str] = Counter()
    bi: Counter[str] = Counter()
    for text in texts:
        syl = _syllables(text)
        uni.update(syl)
        bi.update(f"{a} {b}" for a, b in zip(syl, syl[1:]))
    if sign < 0:
        uni = Counter({k: -v for k, v in uni.items()})
        bi = Counter({k: -v for k, v in bi.items()})
    return uni, bi


class Restorer:
    """Syllable unigram and bigram counts of the corpus, and the Viterbi decoder over them."""

    def __init__(self, unigrams: dict[str, int], bigrams: dict[str, int]) -> None:
        self.unigrams = unigrams
        self.bigrams = bigrams
        self.total = sum(unigrams.values()) or 1
        self.forms: dict[str, list[str]] = {}
        for w in unigrams:
            self.forms.setdefault(fold(w), []).append(w)

    @classmethod
    def learn(cls, texts: Iterable[str]) -> Restorer:
        return cls.from_counts(*count(texts))

    @classmethod
    def from_counts(cls, unigrams: dict[str, int], bigrams: dict[str, int]) -> Restorer:
        """The restorer of the corpus's counts; bigrams seen once are dropped in a large corpus (noise, memory)."""
        big = len(bigrams) >= 200_000
        return cls(dict(unigrams), {k: v for k, v in bigrams.items() if v > 1 or not big})

    def save(self, folder: Path) -> None:
        (folder / RESTORE_NAME).write_text(json.dumps({"unigrams": self.unigrams, "bigrams": self.bigrams},
                                                      ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Restorer:
        data = json.loads((folder / RESTORE_NAME).read_text(encoding="utf-8"))
        return cls(data["unigrams"], data["bigrams"])

    def _logp(self, prev: str | None, word: str) -> float:
        p_uni = (self.unigrams.get(word, 0) + 0.1) / (self.total + 0.1 * len(self.unigrams))
        if prev is None:
            return math.log(p_uni)
        p_bi = self.bigrams.get(f"{prev} {word}", 0) / self.unigrams.get(prev, 1) if prev in self.unigrams else 0.0
        return math.log(_LAMBDA * p_bi + (1 - _LAMBDA) * p_uni)

    def restore(self, text: str) -> str:
        """``han nop bao cao 6 thang`` -> ``hạn nộp báo cáo 6 tháng`` (case of the input kept)."""
        tokens = list(_WORD.finditer(text))
        if not tokens:
            return text
        folded = [fold(m.group(0)) for m in tokens]
        options = [self.forms.get(f) or [f] for f in folded]
        # Viterbi over the accented forms of each syllable.
        best: list[dict[str, tuple[float, str | None]]] = []
        for i, opts in enumerate(options):
            layer: dict[str, tuple[float, str | None]] = {}
            for w in opts:
                if i == 0:
                    layer[w] = (self._logp(None, w), None)
                else:
                    layer[w] = max(((score + self._logp(prev, w), prev) for prev, (score, _) in best[-1].items()),
                                   key=lambda x: x[0])
            best.append(layer)
        word = max(best[-1], key=lambda w: best[-1][w][0])
        chosen = [word]
        for i in range(len(best) - 1, 0, -1):
            word = best[i][word][1]
            chosen.append(word)
        chosen.reverse()
        out, pos = [], 0
        for m, w in zip(tokens, chosen):
            out.append(text[pos:m.start()])
            original = m.group(0)
            # Only words typed without marks are rewritten; "UBND", "2021" stay.
            if fold(original) == original.lower() and any(c.isalpha() for c in original):
                w = w.upper() if original.isupper() and len(original) > 1 else (
                    w[:1].upper() + w[1:] if original[:1].isupper() else w)
                out.append(w)
            else:
                out.append(original)
            pos = m.end()
        out.append(text[pos:])
        return "".join(out)
