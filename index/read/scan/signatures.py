"""Digital signatures: the stamp printed on the page and the PDF's own signature dictionary.

A scan signed by an office carries "Ký bởi: ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG /
Cơ quan: … / Thời gian ký: 13/11/2025 15:53:50" in its text layer (or drawn on
the page, then read by OCR), and the PDF holds a signature dictionary with
the signing time (``/M``) and, in Vietnamese e-office systems, the signer in
``/Name`` or ``/Reason`` ("SỞ NỘI VỤ<snv@…> đã ký lên văn bản này!"). pypdf
reads the dictionary; verifying the certificate chain is not needed to say
who signed when.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path

from index.records import Signature
from index.read.scan.stamps import is_copy_mark

logger = logging.getLogger(__name__)

_FIELD = re.compile(
    r"(ký bởi|người ký|cơ quan|thời gian ký|ngày ký)\s*:\s*(.*?)(?=\s*(?:ký bởi|người ký|cơ quan|thời gian ký|ngày ký|"
    r"e-?mail|địa chỉ|chức vụ)\s*:|$)",
    re.IGNORECASE | re.DOTALL,
)
_DATETIME = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
    r"|(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?:[\s;,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)
_ZONE = re.compile(r"([+-]\d{2}):?(\d{2})")


def parse_time(text: str) -> str | None:
    """ISO 8601 of a stamp's time: "13-11-2025 14:01:26 +07:00", "2025-10-01T17:08:18+07:00", "08.04.2026"."""
    m = _DATETIME.search(text)
    if not m:
        return None
    if m.group(1):
        y, mo, d, hh, mm, ss = m.group(1, 2, 3, 4, 5, 6)
    else:
        d, mo, y, hh, mm, ss = m.group(7, 8, 9, 10, 11, 12)
    if not (1 <= int(d) <= 31 and 1 <= int(mo) <= 12 and 1990 <= int(y) <= 2100):
        return None
    out = f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"
    if hh is not None:
        out += f"T{int(hh):02d}:{mm}:{ss or '00'}"
        zone = _ZONE.search(text[m.end():m.end() + 12])
        if zone:
            out += f"{zone.group(1)}:{zone.group(2)}"
    return out


def _clean_name(text: str) -> str | None:
    text = re.sub(r"<[^>]*>", "", text)
    text = re.sub(r"\s*(?:đã ký lên văn bản này!?|ký số xác thực|ký số bản sao văn bản điện tử!?)\s*$", "", text,
                  flags=re.IGNORECASE)
    text = " ".join(text.split()).strip(" .;,:")
    return text or None


def from_stamp(lines: Sequence[str]) -> Signature | None:
    """The signature of one page's stamp lines; None when they hold no signing time nor signer."""
    text = "\n".join(lines)
    fields: dict[str, str] = {}
    for m in _FIELD.finditer(text):
        key = m.group(1).lower()
        value = " ".join(m.group(2).split())
        if value and key not in fields:
            fields[key] = value
    signed_at = parse_time(fields.get("thời gian ký") or fields.get("ngày ký") or "")
    copy = any(is_copy_mark(line) for line in lines)
    if copy and signed_at is None:
        # "SAO Y; CÔNG AN TỈNH LÂM ĐỒNG; 06/01/2026; 16:42:26; +07:00": a copy stamp without labels.
        signed_at = parse_time(text)
    signed_by = _clean_name(fields.get("ký bởi") or fields.get("người ký") or "")
    organisation = _clean_name(fields.get("cơ quan") or "")
    if signed_by is None and organisation is None and signed_at is None:
        return None
    if signed_by is None and copy:
        after = re.sub(r"^\s*sao\s+y\s*[;:,]?\s*", "", next(ln for ln in lines if is_copy_mark(ln)), flags=re.IGNORECASE)
        signed_by = _clean_name(re.split(r"[;]|thời gian ký|\d", after, maxsplit=1, flags=re.IGNORECASE)[0])
    return Signature(signed_by=signed_by, organisation=organisation, signed_at=signed_at, source="stamp", copy=copy)


def _pdf_time(value: str) -> str | None:
    """``D:20260106164220+07'00'`` as ISO 8601."""
    m = re.match(r"D:(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?([+-Z])?(\d{2})?'?(\d{2})?", value or "")
    if not m:
        return None
    y, mo, d, hh, mm, ss, sign, zh, zm = m.groups()
    out = f"{y}-{mo}-{d}"
    if hh:
        out += f"T{hh}:{mm or '00'}:{ss or '00'}"
        if sign in ("+", "-") and zh:
            out += f"{sign}{zh}:{zm or '00'}"
    return out


def from_pdf(path: Path) -> list[tuple[int | None, Signature]]:
    """The signature dictionaries of a PDF, with the 0-based page of their widget when known."""
    try:
        import pypdf
    except ImportError:  # pragma: no cover - pypdf is a dependency; a missing one costs the signer only
        return []
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    out: list[tuple[int | None, Signature]] = []
    try:
        reader = pypdf.PdfReader(str(path))
        pages = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages) if page.indirect_reference}
        for page_index, page in enumerate(reader.pages):
            for annot in page.get("/Annots") or []:
                widget = annot.get_object()
                if widget.get("/FT") != "/Sig" and widget.get("/Parent", {}).get("/FT") != "/Sig":
                    continue
                value = widget.get("/V") or widget.get("/Parent", {}).get("/V")
                if value is None:
                    continue
                value = value.get_object()
                reason = str(value.get("/Reason") or "")
                name = _clean_name(str(value.get("/Name") or "")) or (
                    _clean_name(reason) if "đã ký" in reason or "<" in reason else None)
                page_ref = widget.get("/P")
                where = pages.get(page_ref.idnum, page_index) if hasattr(page_ref, "idnum") else page_index
                out.append((where, Signature(
                    signed_by=name, organisation=None, signed_at=_pdf_time(str(value.get("/M") or "")),
                    source="pdf", copy="bản sao" in reason.lower(),
                )))
    except Exception as exc:  # noqa: BLE001 - a broken signature dictionary costs the signature, not the file
        logger.info("%s: signature dictionary not read: %s", path, exc)
    return out
