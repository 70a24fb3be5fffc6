"""How a document is named, and what a passage is about beyond its own words.

Shared by the build (the context line is indexed with every passage), the
no-answer decision (it must see the same context) and the front-ends (the
label heads every citation).
"""

from __future__ import annotations

from index.language.normalize import canonical
from index.records import Document
from index.understand.structure import PREAMBLE


def document_label(doc: Document) -> str:
    """How officials name a document: ``Kế hoạch số 06/KH-UBND-BDVTU ngày 24/3/2021``."""
    parts = [doc.type or "Văn bản"]
    if doc.number:
        parts.append(f"số {doc.number}")
    if doc.date:
        y, m, d = doc.date.split("-")
        parts.append(f"ngày {int(d)}/{int(m)}/{y}")
    return " ".join(parts)


def context_text(doc: Document, section: tuple[str, ...]) -> str:
    """What a passage is about beyond its own words: its document and section.

    Indexed with the passage (never shown as part of it) so that a passage
    about "Phòng Nội vụ" in the Sa Pa plan is found by "Sa Pa" and one under
    "3.3. Tổ chức khảo sát…" by the survey it belongs to.
    """
    parts = [document_label(doc)]
    if doc.issuer:
        parts.append(doc.issuer)
    if doc.locality and doc.locality not in (doc.issuer or ""):
        parts.append(doc.locality)
    if doc.date:
        parts.append(f"năm {doc.date[:4]}")
    if doc.title:
        parts.append(doc.title)
    path = [s for s in section if s != PREAMBLE]
    return canonical(". ".join(parts) + ("\n" + " > ".join(path) if path else ""))
