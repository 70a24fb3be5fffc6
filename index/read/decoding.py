"""Bytes of a .txt/.md file to text, whatever the office's editor saved.

Besides UTF-8 and UTF-16 (Notepad's "Unicode"), Vietnamese files still come
in Windows-1258 and in the TCVN3/VNI font encodings. Guessing wrong gives
text that looks Vietnamese to no one and silently spoils search, so a file
that matches no encoding confidently is refused with a reason instead.
"""

from __future__ import annotations

import codecs
import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from index.errors import CorruptFile, EncodingError
from index.read import vietnamese

logger = logging.getLogger(__name__)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CONTROL_OK = {0x09, 0x0A, 0x0C, 0x0D, 0x1A}  # tab, newlines, form feed, DOS end-of-file


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # what was found, for the log: "utf-8", "cp1258", "TCVN3"...


def decode(data: bytes, path: Path) -> Decoded:
    """Decode a whole text file; raises EncodingError/CorruptFile rather than guess."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return Decoded(_strict(data[len(bom) :], encoding, path), encoding)
    utf16 = _utf16_without_bom(data)
    if utf16:
        return Decoded(_strict(data, utf16, path), utf16)
    if _looks_binary(data):
        raise CorruptFile(
            f"{path}: binary content (NUL/control bytes) in a text file",
            user_message="Tệp không phải văn bản thuần (có thể là tệp khác bị đổi đuôi thành .txt/.md).",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _legacy(data, path)
    # A UTF-8 file can still hold TCVN3/VNI text pasted from an old document;
    # the readers' shared post-processing converts it (see read_file).
    return Decoded(text, "utf-8")


def _strict(data: bytes, encoding: str, path: Path) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise EncodingError(
            f"{path}: invalid {encoding} at byte {exc.start}",
            user_message=(
                f"Tệp được đánh dấu là {encoding.upper()} nhưng có đoạn bị lỗi mã, không đọc được; "
                "hãy lưu lại tệp ở dạng Unicode (UTF-8)."
            ),
        ) from exc


def _utf16_without_bom(data: bytes) -> str | None:
    """Notepad and some exporters write UTF-16 without a BOM: ASCII shows as byte + NUL."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nul = even.count(0) / len(even)
    odd_nul = odd.count(0) / len(odd)
    # Vietnamese is mostly ASCII letters and spaces, so far more than a third of
    # the high bytes are NUL; binary files have NULs on both sides.
    if odd_nul > 0.3 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _looks_binary(data: bytes) -> bool:
    sample = data[:65536]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 0x20 and b not in _CONTROL_OK)
    return controls / len(sample) > 0.01


def _legacy(data: bytes, path: Path) -> Decoded:
    """Not UTF-8: try the encodings Vietnamese offices used and keep the one that reads as Vietnamese."""
    candidates = {
        # cp1258 composes tones with combining marks; NFC turns them into the
        # precomposed letters every other source uses.
        "cp1258": unicodedata.normalize("NFC", data.decode("cp1258", errors="replace")),
        "TCVN3": vietnamese.tcvn3_to_unicode(data.decode("latin-1")),
        "VNI": vietnamese.vni_to_unicode(data.decode("cp1252", errors="replace")),
    }
    scores = {name: vietnamese.score(text) for name, text in candidates.items()}
    ranked = sorted(scores, key=lambda name: scores[name].share, reverse=True)
    best, runner_up = ranked[0], ranked[1]
    best_score = scores[best]
    logger.debug("%s: encoding scores %s", path, {n: round(s.share, 2) for n, s in scores.items()})
    if (
        best_score.accented >= 1
        and best_score.share >= vietnamese.CONFIDENT
        and best_score.share - scores[runner_up].share >= 0.15
    ):
        return Decoded(candidates[best], best)
    # Almost-ASCII text (Vietnamese typed without marks, a few "©" or
    # dashes) reads the same in any single-byte code page.
    high = sum(1 for b in data if b >= 0x80)
    if best_score.accented == 0 or (high <= max(2, len(data) // 200) and best_score.accented <= 2):
        return Decoded(data.decode("cp1252", errors="replace"), "cp1252")
    names = {"cp1258": "Windows-1258", "TCVN3": "TCVN3 (ABC)", "VNI": "VNI"}
    guess = ""
    if best_score.share >= 0.5:
        guess = f" (có thể là bảng mã {names[best]} nhưng không chắc chắn)"
    raise EncodingError(
        f"{path}: no encoding fits (best {best} {best_score.share:.2f} of {best_score.accented} words)",
        user_message=(
            f"Không nhận ra bảng mã của tệp văn bản{guess}; hãy mở tệp, chuyển sang Unicode "
            "(ví dụ bằng Unikey) và lưu lại ở dạng Unicode (UTF-8)."
        ),
    )
