"""How a source is named and quoted: document header, section reference, marked passage, citation line.

Pure functions of the engine's records, shared by Telegram and the terminal,
so every rule an official relies on (the right header, the exact passage, the
answer sentence marked, the copy-ready "Theo …" line) is unit-tested directly.
Document text always goes through ``html.escape``: a passage containing ``<``
or ``&`` would otherwise make Telegram refuse the whole message.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace

from index import Document, Hit, Span, document_label
from index import section_label as index_section_label

SHORT_TITLE = 60  # a section title this short is named in the citation line
MAX_QUOTE = 1500  # a citation line stays one copyable message

_UBND = re.compile(r"[UỦ][ỷỶyY]\s+ban\s+nhân\s+dân", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-+•*–]\s+)")
# Numbering at the start of a section title: "III.", "3.3.", "2)", "a)", "(1)".
_NUMBERING = re.compile(
    r"^\s*(?:(?P<roman>[IVXLC]{1,6})\s*[.)]"
    r"|(?P<dotted>\d{1,2}(?:\.\d{1,2}){1,4})\.?"
    r"|(?P<arabic>\d{1,2})\s*[.)]"
    r"|(?P<letter>[a-zđ])\s*\)"
    r"|\((?P<paren>\d{1,2}|[a-zđ])\))\s*"
)


def esc(text: str | None) -> str:
    return html.escape(text or "", quote=False)


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + "…"


# --------------------------------------------------------------------------- naming a source


def short_issuer(issuer: str | None) -> str | None:
    """The issuer as officials write it in a heading: "Ủy ban nhân dân" becomes "UBND"."""
    if not issuer:
        return None
    return _UBND.sub("UBND", unicodedata.normalize("NFC", issuer))


HANDWRITTEN_NUMBER = "số viết tay – xem bản gốc"


def source_label(doc: Document) -> str:
    """The document's name, saying which parts were not printed and read.

    A number whose digits were written by hand and could not be read is shown
    as it is printed, ``Chỉ thị số …/CT-UBND (số viết tay – xem bản gốc)``; a
    date taken from the digital signature because the printed day is
    handwritten is written ``ký số ngày 11/09/2024``, never as the printed date.
    """
    signed_date = doc.date if doc.date_source == "signature" else None
    label = document_label(replace(doc, date=None) if signed_date else doc)
    if doc.number and doc.number.startswith("…"):
        label += f" ({HANDWRITTEN_NUMBER})"
    if signed_date:
        y, m, d = signed_date.split("-")
        label += f" ký số ngày {d}/{m}/{y}"
    return label


def document_header(doc: Document) -> str:
    """``Kế hoạch số 06/KH-UBND-BDVTU ngày 24/3/2021 – UBND tỉnh Phú Thọ``; unknown parts left out."""
    label = source_label(doc)
    issuer = short_issuer(doc.issuer)
    return f"{label} – {issuer}" if issuer else label


def section_label(path: Sequence[str]) -> str:
    return " › ".join(path)


def section_number(path: Sequence[str]) -> str | None:
    """The numbering chain officials cite ("III.3.3", "Điều 5"), from the engine's own reading of it."""
    return index_section_label(tuple(path))


def section_title(title: str) -> str:
    """A section title without its numbering."""
    m = _NUMBERING.match(title)
    return title[m.end():].strip() if m else title.strip()


def section_reference(path: Sequence[str]) -> str | None:
    """How the minutes name a section: ``III.1 (Ủy ban nhân dân tỉnh)``, the title only when short."""
    number = section_number(path)
    if number is None:
        return None
    title = section_title(path[-1]) if path else ""
    if title and len(title) <= SHORT_TITLE and not title.endswith("…") and _NUMBERING.match(path[-1]):
        return f"{number} ({title})"
    return number


def page_label(pages: Sequence[int]) -> str | None:
    """``trang 2``, ``trang 2–3``: where the passage is in the original, for checking a scan."""
    if not pages:
        return None
    first, last = min(pages), max(pages)
    return f"trang {first}" if first == last else f"trang {first}–{last}"


OCR_NOTE = "văn bản quét, nhận dạng OCR – đối chiếu bản gốc"


# --------------------------------------------------------------------------- answer sentences


def merged_spans(text: str, spans: Sequence[Span]) -> list[Span]:
    """Spans sorted, clipped to the text and merged where they overlap."""
    out: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, s.end)):
        start, end = max(0, s.start), min(len(text), s.end)
        if end <= start:
            continue
        if out and start <= out[-1].end:
            out[-1] = Span(out[-1].start, max(out[-1].end, end))
        else:
            out.append(Span(start, end))
    return out


def answer_sentences(text: str, spans: Sequence[Span]) -> list[str]:
    """The marked sentences, each as written (a leading list dash dropped)."""
    out = []
    for s in merged_spans(text, spans):
        sentence = " ".join(_BULLET.sub("", text[s.start:s.end]).split())
        if sentence:
            out.append(sentence)
    return out


def marked_passage_html(text: str, spans: Sequence[Span]) -> str:
    """The passage, escaped, with the answer sentences in ``<b>``."""
    out, pos = [], 0
    for s in merged_spans(text, spans):
        out.append(esc(text[pos:s.start]))
        out.append(f"<b>{esc(text[s.start:s.end])}</b>")
        pos = s.end
    out.append(esc(text[pos:]))
    return "".join(out)


def marked_passage_plain(text: str, spans: Sequence[Span]) -> str:
    """The passage with the answer sentences between «…», for the terminal."""
    out, pos = [], 0
    for s in merged_spans(text, spans):
        out.append(text[pos:s.start])
        out.append(f"«{text[s.start:s.end]}»")
        pos = s.end
    out.append(text[pos:])
    return "".join(out)


def _quote(text: str, spans: Sequence[Span]) -> str:
    sentences = answer_sentences(text, spans)
    quote = " … ".join(sentences) if sentences else " ".join(text.split())
    return shorten(quote, MAX_QUOTE)


def citation_line(hit: Hit, spans: Sequence[Span]) -> str:
    """``Theo Kế hoạch số … ngày … của …, mục …: "…"`` for the minutes of a meeting.

    Without answer sentences the whole passage is quoted: a longer quote is
    better than a sentence the engine did not choose.
    """
    doc = hit.document
    source = source_label(doc)
    if (not doc.number or doc.number.startswith("…")) and doc.title:
        source += f" “{' '.join(doc.title.split())}”"
    line = f"Theo {source}"
    if doc.issuer:
        line += f" của {' '.join(doc.issuer.split())}"
    ref = section_reference(hit.chunk.section)
    if ref:
        line += f", mục {ref}"
    page = page_label(hit.chunk.pages)
    if page:
        line += f", {page}"
    line = f'{line}: "{_quote(hit.chunk.text, spans)}"'
    # An OCR reading may hold misread words: the minutes must say it was not checked by the bot.
    return f"{line} ({OCR_NOTE})" if hit.chunk.ocr else line
