"""Documents a document cites: "Chỉ thị số 16/CT-TTg ngày 16/5/2016 của Thủ tướng Chính phủ về …".

"Văn bản nào quy định …", "Chỉ thị nào của Thủ tướng về …" are among the most
frequent questions; they are answered from these citations, each tied to the
passage that makes it.
"""

from __future__ import annotations

import re

from index.language.normalize import canonical, fold
from index.records import Chunk, Document, Reference
from index.tasks.deadlines import normalise

_TYPES = (
    "Chương trình hành động", "Chương trình phối hợp", "Kế hoạch phối hợp", "Chỉ thị", "Nghị quyết", "Kết luận",
    "Quyết định", "Quy định", "Kế hoạch", "Công văn", "Chương trình", "Nghị định", "Thông tư liên tịch", "Thông tư",
    "Hướng dẫn", "Thông báo", "Đề án", "Quy chế", "Công điện", "Pháp lệnh", "Bộ luật", "Luật",
)
_TYPE_RE = "|".join(re.escape(t) for t in _TYPES)
_NUMBER = r"(?:số\s*:?\s*)?(\d{1,5}(?:\s*[-/]\s*[\w.&]+)+)"
_DATE = r"(?:\s*,?\s*ngày\s+(\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}))?"
_ISSUER = (r"(?:\s*(?:của|do)\s+((?:(?!\s+(?:về|V/v|về việc|thực hiện|ban hành|và\s+(?:" + _TYPE_RE + r")))"
           r"[^,;.:“\"(])+(?:\s*\([^)]*\))?))?")
_SUBJECT = r"(?:\s*,?\s*(?:về việc|về|V/v)\s+(“[^”]+”|\"[^\"]+\"|[^;.]+))?"
_CITATION = re.compile(rf"\b({_TYPE_RE})\s+{_NUMBER}{_DATE}{_ISSUER}{_SUBJECT}")
# Citations nest ("Kết luận số 43-KL/TW … về tiếp tục thực hiện Nghị quyết số 25-NQ/TW …"),
# so every place a type word meets a number is tried as the start of one.
_START = re.compile(rf"\b(?:{_TYPE_RE})\s+(?:số\s*:?\s*)?\d")
_LAW_BY_NAME = re.compile(r"\b(Luật|Bộ luật)\s+((?:[A-ZĐÀ-Ỹ][\wÀ-ỹ]*)(?:\s+[\wÀ-ỹ]+){0,8}?)(?=\s*(?:\(|,|;|\.|$| và | năm ))")


def extract_references(document: Document, chunks: list[Chunk]) -> list[Reference]:
    """Citations found in the document's passages; ``chunk_id`` is the passage's index in ``chunks``."""
    refs: list[Reference] = []
    seen: set[tuple[str, str]] = set()
    own = fold(document.number or "")
    for i, chunk in enumerate(chunks):
        text = canonical(chunk.text)
        for start in _START.finditer(text):
            m = _CITATION.match(text, start.start())
            if m is None:
                continue
            type_, number = m.group(1), re.sub(r"\s*([-/])\s*", r"\1", m.group(2)).rstrip(".,")
            if own and fold(number) == own:
                continue  # the document naming itself
            key = (type_, fold(number))
            if key in seen:
                continue
            seen.add(key)
            date = normalise("ngày " + m.group(3)).date if m.group(3) else None
            issuer = _clean(m.group(4))
            subject = _clean(m.group(5))
            refs.append(Reference(doc_id=document.doc_id, type=type_, number=number, date=date, issuer=issuer,
                                  subject=subject, text=_clean(m.group(0)) or m.group(0), chunk_id=i))
        for m in _LAW_BY_NAME.finditer(text):
            name = m.group(2).strip()
            key = (m.group(1), fold(name))
            if key in seen or re.match(r"^(này|số)\b", name):
                continue
            seen.add(key)
            refs.append(Reference(doc_id=document.doc_id, type=m.group(1), number=None, date=None, issuer=None,
                                  subject=name, text=m.group(0).strip(), chunk_id=i))
    return refs


def _clean(text: str | None) -> str | None:
    if not text:
        return None
    t = " ".join(text.split()).strip(" ,;:“”\"")
    return t or None


def reference_score(ref: Reference, query_syllables: set[str], query_folded: str) -> float:
    """How well a citation answers "which document …": type, issuer and subject words asked for."""
    score = 0.0
    if fold(ref.type) in query_folded:
        score += 1.0
    words = set(fold(" ".join(filter(None, [ref.issuer, ref.subject, ref.text]))).split())
    overlap = query_syllables & words
    score += len(overlap) / max(len(query_syllables), 1) * 2
    return score
