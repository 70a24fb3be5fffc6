"""Find the answering sentence inside each passage, and decide when there is no answer.

Answers are extractive: the bot bolds a sentence of the source, it never
writes one. Which sentence depends on what was asked: "ai/cơ quan nào" wants
an agency next to "chủ trì"/"giao"/"phối hợp", "khi nào/hạn" a date or
period, "bao nhiêu" a number, "văn bản nào" a document number.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from index.language.normalize import fold
from index.language.segment import bigrams, syllables
from index.rank.query import Query
from index.records import Span

_SENTENCE_BREAK = re.compile(r"\n+|(?<=[.!?…;])\s+(?=[\"“(\-–+•]?\s*[A-ZĐÀ-Ỹ0-9])")
_NUMBERING_ONLY = re.compile(r"\s*[-–+•]?\s*(?:[IVXL]+|\d{1,2}(?:\.\d{1,2})*|[a-zđ])[.)]")
_ABBREV_END = re.compile(r"(?:\b(?:TM|KT|TL|TUQ|Q|TS|ThS|PGS|GS|Tp|TP|V/v|St|Ng)\.)$")

_AGENCY = re.compile(
    r"\b(?:Sở|Phòng|Ban|Ủy ban|Uỷ ban|UBND|HĐND|Mặt trận|MTTQ|Đảng ủy|Đảng uỷ|Thị ủy|Tỉnh ủy|Huyện ủy|Thành ủy|"
    r"Hội|Đoàn|Trung tâm|Văn phòng|Công an|Trường|Đài|Báo|Bộ|Cục|Chi cục|Thanh tra|Ủy ban nhân dân)\b"
)
_AGENCY_CUE = re.compile(r"\b(chu tri|giao|phoi hop|co quan chu tri|don vi chu tri|trach nhiem|tham muu|thuc hien)\b")
_DATE = re.compile(
    r"\b(ngay \d{1,2}[/.-]\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|thang \d{1,2}|nam \d{4}|\d{4}|quy (i|ii|iii|iv|[1-4])\b|"
    r"dinh ky|hang nam|hang quy|hang thang|truoc ngay|thuong xuyen|6 thang|06 thang|cuoi nam|dau nam|thoi gian thuc hien)"
)
# A count or a share, not a section number, a date or a document number:
# "90%", "16 xã, phường", "5 - 8 cơ quan", "03 lớp", "hai lần".
_QUANTITY = re.compile(
    r"\d+(?:[.,]\d+)?\s*(?:%|phan tram)|"
    r"(?<![\d/.-])\d+(?:\s*-\s*\d+)?\s+(?:nguoi|co quan|don vi|xa|phuong|lop|lan|ho|ty|trieu|nghin|ha|km|dong|"
    r"hoc vien|dai bieu|mo hinh|to|cuoc|van ban|tai lieu|thon|ban|doan vien|hoi vien|dang vien|ngay|thang|nam|"
    r"huyen|tinh|truong|chi bo|dang bo|hoi nghi|dot)\b|"
    r"\b(?:mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi) (?:lan|nam|thang)\b"
)
_DOC_NUMBER = re.compile(r"\b\d{1,5}\s*[-/]\s*\d{0,4}/?[A-ZĐ]{1,}[\w\-/]*")
_PERSON = re.compile(r"^[A-ZĐÀ-Ỹ][\wÀ-ỹ]+(?:\s+[\wÀ-ỹ]+){1,4}$")
_RECIPIENT = re.compile(r"\b(kinh gui|noi nhan)\b")


def split_sentences(text: str) -> list[Span]:
    """Sentence spans of a passage: lines, then sentence ends followed by a capital."""
    spans: list[Span] = []
    start = 0
    for m in _SENTENCE_BREAK.finditer(text):
        before = text[start:m.start()]
        # "TM. ỦY BAN", "3.3. Tổ chức …", "II. NỘI DUNG": a dot that is not a sentence end.
        if "\n" not in m.group(0) and (_ABBREV_END.search(before) or _NUMBERING_ONLY.fullmatch(before)):
            continue
        _add(spans, text, start, m.start())
        start = m.end()
    _add(spans, text, start, len(text))
    return spans


def _add(spans: list[Span], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append(Span(start, end))


def kind_score(sentence: str, kinds: tuple[str, ...]) -> float:
    """How well a sentence has the shape of the expected answer (0–1)."""
    if not kinds:
        return 0.0
    f = fold(sentence)
    best = 0.0
    for kind in kinds:
        if kind == "agency":
            s = 0.5 * bool(_AGENCY.search(sentence)) + 0.5 * bool(_AGENCY_CUE.search(f))
        elif kind == "date":
            s = 1.0 if _DATE.search(f) else 0.0
        elif kind == "quantity":
            marker = re.match(r"\s*[-–+•]?\s*(?:\(?\d{1,2}(?:\.\d{1,2})*[.)]|[ivxl]+\.)\s*", f)
            s = 1.0 if _QUANTITY.search(f[marker.end():] if marker else f) else 0.0
        elif kind == "document":
            s = 1.0 if _DOC_NUMBER.search(sentence) else 0.0
        elif kind == "signer":
            s = 1.0 if _PERSON.match(sentence.strip()) and len(sentence) < 40 else 0.0
        elif kind == "recipient":
            s = 1.0 if _RECIPIENT.search(f) else 0.0
        else:
            s = 0.0
        best = max(best, s)
    return best


def sentence_scores(query: Query, text: str, spans: list[Span], idf: Callable[[str], float]) -> list[float]:
    """Question words each sentence contains, weighted by IDF, plus the answer-shape cue."""
    q_uni = set(query.content_syllables)
    q_bi = set(bigrams(syllables(query.canonical)))
    total = sum(idf(t) for t in q_uni) or 1.0
    scores = []
    for sp in spans:
        sent = text[sp.start:sp.end]
        syl = syllables(sent)
        uni = set(syl) & q_uni
        bi = set(bigrams(syl)) & q_bi
        overlap = (sum(idf(t) for t in uni) + 0.5 * sum(idf(t) for t in bi)) / total
        scores.append(overlap + 0.35 * kind_score(sent, query.kinds))
    return scores


def answer_spans(query: Query, text: str, idf: Callable[[str], float], max_spans: int = 2) -> tuple[Span, ...]:
    """The sentence(s) of a passage that answer the question, in reading order."""
    spans = split_sentences(text)
    if not spans:
        return ()
    scores = sentence_scores(query, text, spans, idf)
    best = max(range(len(spans)), key=lambda i: scores[i])
    chosen = [best]
    # A neighbour that scores almost as well belongs to the same answer
    # (a heading line followed by "- Cơ quan chủ trì thực hiện: …").
    for j in (best - 1, best + 1):
        if 0 <= j < len(spans) and len(chosen) < max_spans and scores[j] >= 0.8 * scores[best] > 0:
            chosen.append(j)
    return tuple(spans[i] for i in sorted(chosen))
