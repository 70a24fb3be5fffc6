"""Recognising Vietnamese text and undoing the pre-Unicode font encodings.

Offices typed for decades with TCVN3 (ABC, the ``.VnTime`` fonts) and VNI
fonts: the file stores Western (cp1252) bytes that only look Vietnamese
through the font. Read as Unicode they come out as ``Céng hoµ`` or
``Coäng hoøa``. The only reliable way to tell which decoding is right is to
ask which one produces real Vietnamese syllables, so this module carries a
compact syllable validator and the two standard conversion tables.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# --- Syllable validator -------------------------------------------------------

# Combining tone marks: huyền, sắc, ngã, hỏi, nặng. Breve, circumflex and horn
# belong to the letter and stay.
_TONES = {"\u0300": "grave", "\u0301": "acute", "\u0303": "tilde", "\u0309": "hook", "\u0323": "dot"}

_ONSET = r"(?:ngh|ng|gh|gi|kh|ch|nh|ph|th|tr|qu|[bcdđghklmnprstvx])?"

# Rhymes without tone. Open and glide-final rhymes are listed; closed rhymes
# are nucleus + final consonant below. Slightly permissive on purpose: the
# validator separates real text from mojibake, it is not a spelling checker.
_OPEN_RHYMES = (
    "a ai ao au ay âu ây e eo ê êu i ia iu iêu o oa oai oao oay oe oeo oi ô ôi ơ ơi "
    "u ua uây uê ui uôi uơ uy uya uyu ư ưa ưi ưu ươi ươu y yêu"
).split()
_CLOSED = {
    "a": "c ch m n ng nh p t",
    "ă": "c m n ng p t",
    "â": "c m n ng p t",
    "e": "c m n ng p t",
    "ê": "ch m n ng nh p t",
    "i": "ch m n nh p t",
    "o": "c m n ng p t",
    "oo": "c ng",
    "ô": "c m n ng p t",
    "ơ": "m n p t",
    "u": "c m n ng p t",
    "ư": "c m n ng t",
    "iê": "c m n ng p t",
    "yê": "m n ng t",
    "uô": "c m n ng t",
    "ươ": "c m n ng p t",
    "oa": "c ch m n ng nh p t",
    "oă": "c m n ng t",
    "oe": "m n t",
    "uâ": "n ng t",
    "uê": "ch n nh",
    "uy": "ch n nh p t",
    "uyê": "n t",
}
_STOP_FINALS = ("c", "ch", "p", "t")


def _rhymes() -> frozenset[str]:
    closed = {nucleus + coda for nucleus, codas in _CLOSED.items() for coda in codas.split()}
    return frozenset(_OPEN_RHYMES) | closed


_RHYMES = _rhymes()
_SYLLABLE = re.compile(rf"^({_ONSET})([aăâeêioôơuưy]+[cghmnpt]*)$")


@lru_cache(maxsize=100_000)
def is_syllable(token: str) -> bool:
    """True for one Vietnamese syllable in any case and tone placement (``Uỷ``, ``ủy``)."""
    decomposed = unicodedata.normalize("NFD", token.lower())
    tones = [c for c in decomposed if c in _TONES]
    if len(tones) > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    match = _SYLLABLE.match(base)
    if not match:
        return False
    onset, rhyme = match.groups()
    # "gi" swallows the i of the rhyme: "giếng" = gi + (i)êng.
    if rhyme not in _RHYMES and not (onset == "gi" and "i" + rhyme in _RHYMES):
        return False
    # Syllables closed by a stop (-c, -ch, -p, -t) only take sắc or nặng.
    if tones and rhyme.endswith(_STOP_FINALS) and _TONES[tones[0]] not in ("acute", "dot"):
        return False
    return True


_SPLIT = re.compile(r"[\s\-/–—]+")
# Punctuation that may cling to a word without being part of it.
_EDGE_PUNCT = "".join(chr(c) for c in range(0x21, 0x30)) + ":;<=>?@[\\]^_`{|}~“”‘’«»…•"


@dataclass(frozen=True)
class Score:
    """How Vietnamese a text looks: the share of its accented words that are syllables."""

    valid: int
    accented: int  # words that carry at least one non-ASCII character

    @property
    def share(self) -> float:
        return self.valid / self.accented if self.accented else 0.0


def score(text: str) -> Score:
    """Only words with a non-ASCII character count: plain ASCII reads the same in every encoding."""
    valid = accented = 0
    for raw in _SPLIT.split(unicodedata.normalize("NFC", text)):
        word = raw.strip(_EDGE_PUNCT)
        if not word or word.isascii():
            continue
        accented += 1
        if is_syllable(word):
            valid += 1
    return Score(valid, accented)


# --- TCVN3 (ABC) -------------------------------------------------------------

# TCVN 5712:1993 VN3, the ".VnTime" fonts: lower-case letters with every tone
# plus the seven bare capitals. Capitals with tones do not exist; offices used
# the separate ".VnTimeH" capitals font, which shows the lower-case codes as
# capitals (handled in ``tcvn3_to_unicode``).
_TCVN3 = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}  # fmt: skip
_TCVN3_TABLE = {chr(byte): char for byte, char in _TCVN3.items()}
_TCVN3_INVERSE = {char: chr(byte) for byte, char in _TCVN3.items()}
_ASCII_LETTERS = re.compile(r"[A-Za-z]")


def tcvn3_to_unicode(text: str) -> str:
    """Convert text whose characters are TCVN3 bytes read as Latin-1/cp1252."""
    lines = []
    for line in text.split("\n"):
        converted = "".join(_TCVN3_TABLE.get(c, c) for c in line)
        letters = _ASCII_LETTERS.findall(line)
        # A line typed in the ".VnTimeH" capitals font stores its accented
        # letters with lower-case codes ("CéNG HOµ"): every plain letter is a
        # capital, so the accented ones were meant as capitals too.
        if converted != line and len(letters) >= 3 and all(c.isupper() for c in letters):
            converted = converted.upper()
        lines.append(converted)
    return "\n".join(lines)


def unicode_to_tcvn3(text: str) -> str:
    """Inverse mapping (lower-case and bare capitals only); used to build test samples."""
    return "".join(_TCVN3_INVERSE.get(c, c) for c in unicodedata.normalize("NFC", text))


# --- VNI ---------------------------------------------------------------------

# VNI-Windows stores a base letter followed by a mark byte (cp1252 codes):
# "Coäng hoøa" = C + o + ä(dot+circumflex) + ng, h + o + ø(grave) + a.
_VNI_TONE = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_VNI_CIRCUMFLEX = {"â": "", "á": "\u0301", "à": "\u0300", "å": "\u0309", "ã": "\u0303", "ä": "\u0323"}
_VNI_BREVE = {"ê": "", "é": "\u0301", "è": "\u0300", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}
# Letters that are a single byte in VNI: ơ ư đ and the i/ỵ family.
_VNI_SINGLE = {
    "ô": "ơ", "ö": "ư", "ñ": "đ", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ",
    "Ô": "Ơ", "Ö": "Ư", "Ñ": "Đ", "Í": "Í", "Ì": "Ì", "Æ": "Ỉ", "Ó": "Ĩ", "Ò": "Ị", "Î": "Ỵ",
}  # fmt: skip


def _vni_pair(base: str, mark: str) -> str | None:
    lower_mark = mark.lower()
    lower_base = base.lower()
    if lower_base in "aeo" and lower_mark in _VNI_CIRCUMFLEX:
        composed = base + "\u0302" + _VNI_CIRCUMFLEX[lower_mark]
    elif lower_base == "a" and lower_mark in _VNI_BREVE:
        composed = base + "\u0306" + _VNI_BREVE[lower_mark]
    elif lower_mark in _VNI_TONE and (lower_base in "aeiouy" or lower_base in "ôö"):
        letter = _VNI_SINGLE.get(base, base)
        composed = letter + _VNI_TONE[lower_mark]
    else:
        return None
    return unicodedata.normalize("NFC", composed)


def vni_to_unicode(text: str) -> str:
    """Convert text whose characters are VNI-Windows bytes read as cp1252."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if i + 1 < len(text):
            pair = _vni_pair(char, text[i + 1])
            if pair is not None:
                out.append(pair)
                i += 2
                continue
        out.append(_VNI_SINGLE.get(char, char))
        i += 1
    return "".join(out)


@lru_cache(maxsize=1)
def _vni_inverse() -> dict[str, str]:
    # Single-byte letters first: VNI writes í and ỵ as one byte, not i + mark.
    table = {char: vni for vni, char in _VNI_SINGLE.items()}
    marks = list(_VNI_TONE) + list(_VNI_CIRCUMFLEX) + list(_VNI_BREVE)
    for base in "aeiouyôö":
        for mark in marks:
            for b, m in ((base, mark), (base.upper(), mark.upper())):
                pair = _vni_pair(b, m)
                if pair is not None:
                    table.setdefault(pair, b + m)
    return table


def unicode_to_vni(text: str) -> str:
    """Inverse mapping; used to build test samples and to check the table round-trips."""
    table = _vni_inverse()
    return "".join(table.get(c, c) for c in unicodedata.normalize("NFC", text))


# --- Choosing ---------------------------------------------------------------

LEGACY_CONVERTERS = {"TCVN3": tcvn3_to_unicode, "VNI": vni_to_unicode}

# A decoding is trusted when this share of its accented words are syllables,
# and only if it reads that much better than the text as it is.
CONFIDENT = 0.8
GAIN = 0.2
# The encoding is decided on the distinct lines of the first part of a text: a
# font encoding is the same all through a file, and converting a 2 MB file
# character by character twice took seconds for nothing.
SAMPLE_CHARS = 200_000


def _sample(text: str) -> str:
    lines = dict.fromkeys(line.strip() for line in text.splitlines())
    out, size = [], 0
    for line in lines:
        if line:
            out.append(line)
            size += len(line) + 1
            if size >= SAMPLE_CHARS:
                break
    return "\n".join(out)


def detect_legacy(text: str) -> str | None:
    """Name of the legacy font encoding the text is written in, or None if it reads fine as is.

    Used on text that was already decoded (a UTF-8 file, a Word document, a
    PDF text layer) but still carries TCVN3/VNI codes from the old fonts.
    """
    text = _sample(text)
    original = score(text)
    # No conversion can gain the 0.2 it needs over a text that already reads this well.
    if original.accented < 3 or original.share > 1.0 - GAIN:
        return None
    best_name, best = None, original
    for name, convert in LEGACY_CONVERTERS.items():
        candidate = score(convert(text))
        if candidate.share > best.share:
            best_name, best = name, candidate
    if best_name and best.share >= CONFIDENT and best.share - original.share >= GAIN:
        return best_name
    return None


def repair_legacy(texts: list[str]) -> list[str]:
    """Convert the texts of one document written in TCVN3/VNI fonts, leaving Unicode ones alone.

    The encoding is decided on the whole document (short lines alone are too
    ambiguous), then each text is converted only if that does not make it read
    worse: documents often mix a Unicode body with a header typed in ``.VnTime``.
    """
    name = detect_legacy("\n".join(texts))
    if name is None:
        return texts
    convert = LEGACY_CONVERTERS[name]
    repaired = []
    for text in texts:
        converted = convert(text)
        if converted != text and score(converted).share >= score(text).share:
            repaired.append(converted)
        else:
            repaired.append(text)
    return repaired
