"""Who signed a document digitally and when, and when that may stand for its date.

The reader hands over every signature found on a document's pages (the stamp
text and the PDF's signature dictionary). The signing day replaces the printed
date only when the printed day is unreadable (written by hand), the signature
is the issuer's own (not a certified copy, "SAO Y", made days later, nor a
portal that republished the file) and it falls in the printed month and year;
the document then says ``date_source="signature"`` and the bot writes
"ký số ngày 11/09/2024" rather than passing it off as the printed date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.language.normalize import fold
from index.records import Block, Signature

_ABBREVIATIONS = {"ubnd": "uy ban nhan dan", "hdnd": "hoi dong nhan dan", "mttq": "mat tran to quoc",
                  "tw": "trung uong"}


@dataclass(frozen=True)
class Signed:
    signed_by: str | None = None
    organisation: str | None = None
    signed_at: str | None = None
    copy_only: bool = False


def signed(blocks: Sequence[Block]) -> Signed:
    """The document's own signature: the earliest one that is not a copy's, its signer named where any says."""
    seen: list[Signature] = []
    for block in blocks:
        for signature in block.signatures:
            if signature not in seen:
                seen.append(signature)
    if not seen:
        return Signed()
    originals = [s for s in seen if not s.copy]
    pool = originals or seen
    timed = sorted((s for s in pool if s.signed_at), key=lambda s: s.signed_at)
    named = [s for s in pool if s.signed_by]
    # The stamp on the page names the signer as printed; prefer it to the dictionary's.
    named.sort(key=lambda s: (s.source != "stamp", s.signed_at or ""))
    organisation = next((s.organisation for s in pool if s.organisation), None)
    return Signed(signed_by=named[0].signed_by if named else organisation, organisation=organisation,
                  signed_at=timed[0].signed_at if timed and originals else None, copy_only=not originals)


def _words(text: str) -> str:
    return " ".join(_ABBREVIATIONS.get(w, w) for w in re.findall(r"[a-z0-9]+", fold(text)))


def same_body(a: str | None, b: str | None) -> bool:
    """ "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG" and "UBND tỉnh Lâm Đồng" are one body; "Cổng TTĐT" is not the ministry."""
    if not a or not b:
        return False
    wa, wb = _words(a), _words(b)
    if len(wa) < 5 or len(wb) < 5:
        return False
    return wa in wb or wb in wa


def date_from_signature(signed_: Signed, printed: tuple[str, str, str] | None, issuer: str | None) -> str | None:
    """The signing day as the document's date, under the conditions above; None otherwise."""
    if not signed_.signed_at or signed_.copy_only or printed is None:
        return None
    if not (same_body(signed_.signed_by, issuer) or same_body(signed_.organisation, issuer)):
        return None
    day, month, year = printed
    y, m, d = signed_.signed_at[:10].split("-")
    if year != "…" and int(year) != int(y):
        return None
    if month == "…" and year == "…":
        return None
    if month != "…" and int(month) != int(m):
        return None
    if day != "…" and int(day) != int(d):
        return None
    return f"{y}-{m}-{d}"
