"""Second-stage ranking: what the question says about the document and the answer.

First-stage retrieval scores passages one by one. Officials' questions also
name the document ("Kế hoạch 40", "ở Sa Pa", "năm 2023") and the part of it
they want (who signed it: the signature block; when it was issued or to whom:
the header). This stage favours passages of the documents the question names
and brings in those parts, then rewards passages whose best sentence has the
shape of the expected answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from index.language.normalize import fold
from index.language.segment import number_terms, syllables
from index.rank.answer import answer_spans, kind_score, split_sentences
from index.rank.query import Query
from index.rank.retrieve import Candidate, Searcher
from index.records import Chunk, Document, Reference, Span, Task
from index.understand.context import context_text
from index.understand.references import reference_score
from index.understand.structure import CLOSING, PREAMBLE

_YEAR = re.compile(r"\b(19|20)\d{2}\b")
_ISSUE_WORDS = re.compile(r"\b(ban hanh|ky|phat hanh|so hieu|ngay nao|ngay thang)\b")
# "… có số hiệu là gì?", "mang số mấy": the document's own number, printed in its header.
_NUMBER_ASKED = re.compile(r"\b(so hieu|so ky hieu|mang so|so may|so bao nhieu)\b")


@dataclass(frozen=True)
class RerankConfig:
    depth: int = 20
    w_kind: float = 0.25  # the best sentence has the expected answer shape
    w_meta: float = 0.35  # the question names this passage's document
    w_part: float = 0.5  # the passage is the part of the document the question asks for
    w_reference: float = 0.3  # "which document": the passage cites a document of the asked type, issuer, subject
    w_task: float = 0.2  # "who/when": the passage holds an assignment about what is asked
    # OCR passages: the passage holds what the question says beyond naming its document (residual_fit)
    w_residual: float = 0.45  # 0.6 lifts a passage past the no-answer check on a realdocs near miss
    docs_for_parts: int = 2
    references_injected: int = 3


def metadata_match(query: Query, doc: Document, doc_numbers: set[str] | None = None) -> float:
    """How clearly the question names this document: number, place, year (0–1)."""
    score = 0.0
    folded = " " + fold(query.canonical) + " "
    if doc_numbers is None:
        doc_numbers = set(number_terms(f"{doc.type or ''} số {doc.number}")) if doc.number else set()
    if set(query.numbers) & doc_numbers:
        score += 1.0
    for place in {doc.locality, doc.place} - {None}:
        if f" {fold(place)} " in folded:
            score += 0.5
            break
    years = {m.group(0) for m in _YEAR.finditer(query.canonical)}
    if years and ((doc.date and doc.date[:4] in years) or any(y in (doc.title or "") for y in years)):
        score += 0.3
    return min(score, 1.0)


def residual_fit(query: Query, chunk_text: str, document_words: set[str], idf) -> float:
    """Share of the question's IDF mass beyond its document's name that the passage itself holds (0–1).

    The question's words that name the document ("Kết luận … về các chỉ số
    PAR INDEX, PAPI": its title, issuer, type, as its header and context line
    say them) are shared by all its passages in spirit, yet the header and the
    opening paragraph repeat them and win on them alone. What is left of the
    question ("cơ quan nào chủ trì thanh tra … tham nhũng") says which passage
    answers. On a scan the title is often not read into the metadata, so the
    header passage's own words count as naming the document too. Syllable
    pairs count, so scattered syllables weigh less than the phrase. Used on
    passages read by OCR: a scanned Công văn has no headings to tell its
    parts apart, and its title is often not read into the metadata.
    """
    uni = [t for t in query.content_syllables if t not in document_words]
    pairs = [t for t in query.content_bigrams if not set(t.split("_")) <= document_words]
    total = sum(idf(t) for t in uni) + sum(idf(t) for t in pairs)
    if total <= 0:
        return 0.0
    syl = syllables(chunk_text)
    have_uni, have_pairs = set(syl), {f"{a}_{b}" for a, b in zip(syl, syl[1:])}
    held = sum(idf(t) for t in uni if t in have_uni) + sum(idf(t) for t in pairs if t in have_pairs)
    return held / total


def wanted_part(query: Query, named_document: bool) -> str | None:
    """The part of a document the question is about, if it is a fixed part."""
    if "signer" in query.kinds:
        return CLOSING
    if "recipient" in query.kinds:
        return PREAMBLE
    if named_document and "date" in query.kinds and _ISSUE_WORDS.search(fold(query.canonical)):
        return PREAMBLE
    if _NUMBER_ASKED.search(fold(query.canonical)) and "quantity" not in query.kinds:
        return PREAMBLE
    return None


@dataclass(frozen=True)
class Reranked:
    ranked: list[tuple[Candidate, tuple[Span, ...]]]  # best first, with answering sentence spans
    part: str | None  # the document part asked for (signature block, header), if any
    chunks: dict[int, Chunk]  # every ranked passage, already read, so the caller need not read it again


def _best_references(searcher: Searcher, query: Query, chunk_ids: set[int]) -> dict[int, tuple[float, Reference]]:
    """Best citation score per candidate passage for a "which document" question."""
    q_syl = set(query.content_syllables) - {"chi", "thi", "quyet", "dinh", "nghi", "van", "ban", "so", "nao"}
    folded = fold(query.canonical)
    best: dict[int, tuple[float, Reference]] = {}
    for ref in (r for cid in chunk_ids for r in searcher.refs_by_chunk.get(cid, ())):
        score = reference_score(ref, q_syl, folded)
        # Between two equally fitting directives, the newer one is the one in force.
        if ref.date:
            score += int(ref.date[:4]) / 100_000
        if score > best.get(ref.chunk_id, (0.0, None))[0]:
            best[ref.chunk_id] = (score, ref)
    return best


def _task_fit(searcher: Searcher, query: Query, chunk_id: int) -> tuple[float, Task | None]:
    """For "who/when" questions: how much of the question an assignment in this passage is about."""
    if not {"agency", "date"} & set(query.kinds):
        return 0.0, None
    q = set(query.content_syllables)
    best, best_task = 0.0, None
    for task in searcher.tasks_by_chunk.get(chunk_id, ()):
        if "agency" in query.kinds and not task.lead or "date" in query.kinds and not task.deadline:
            continue
        words = set(syllables(task.content + " " + " ".join(task.section[-1:])))
        fit = len(q & words) / max(len(q), 1)
        if fit > best:
            best, best_task = fit, task
    return (best, best_task) if best >= 0.3 else (0.0, None)


def _span_containing(text: str, needle: str) -> tuple[Span, ...] | None:
    """The sentence of ``text`` that contains ``needle`` (as written or folded)."""
    if not needle:
        return None
    pos = text.find(needle)
    if pos < 0:
        pos = fold(text).find(fold(needle))
    if pos < 0:
        return None
    for span in split_sentences(text):
        if span.start <= pos < span.end:
            return (span,)
    return None


def rerank(searcher: Searcher, query: Query, candidates: list[Candidate], idf,
           config: RerankConfig = RerankConfig()) -> Reranked:
    """Candidates re-scored and re-ordered, each with its answering sentence spans."""
    depth = list(candidates[: config.depth])
    if not depth:
        return Reranked([], None, {})
    chunks = searcher.chunks([c.chunk_id for c in depth])
    named_docs = {d for t in query.numbers for d in searcher.docs_by_number.get(t, ())}
    cache: dict[str, float] = {}

    def meta(doc_id: str) -> float:
        if doc_id not in cache:
            cache[doc_id] = metadata_match(query, searcher.documents[doc_id], searcher.doc_numbers.get(doc_id))
        return cache[doc_id]

    doc_best: dict[str, float] = {}
    for c in depth:
        doc_id = chunks[c.chunk_id].doc_id
        doc_best[doc_id] = max(doc_best.get(doc_id, 0.0), c.score + config.w_meta * meta(doc_id))

    named = bool(named_docs)
    part = wanted_part(query, named)
    if part is not None:
        top_docs = sorted(doc_best, key=lambda d: -doc_best[d])[: config.docs_for_parts]
        present = {c.chunk_id for c in depth}
        for doc_id in top_docs:
            base = doc_best[doc_id] - config.w_meta * meta(doc_id)
            for chunk in searcher.db.chunks_of(doc_id):
                if chunk.section[:1] != (part,):
                    continue
                if chunk.chunk_id not in present:
                    depth.append(Candidate(chunk.chunk_id, base))
                    chunks[chunk.chunk_id] = chunk
                    present.add(chunk.chunk_id)
                else:
                    # A signature block already among the candidates on few words of its own ranks as
                    # its document does, like one brought in: its document was what the question named.
                    depth = [replace(c, score=max(c.score, base)) if c.chunk_id == chunk.chunk_id else c
                             for c in depth]

    ref_scores: dict[int, tuple[float, Reference]] = {}
    if "document" in query.kinds:
        ref_scores = _best_references(searcher, query, {c.chunk_id for c in candidates})
        present = {c.chunk_id for c in depth}
        for cid, _ in sorted(ref_scores.items(), key=lambda kv: -kv[1][0])[: config.references_injected]:
            if cid not in present:
                chunk = searcher.chunks([cid])[cid]
                chunks[cid] = chunk
                base = doc_best.get(chunk.doc_id, min(c.score for c in depth))
                depth.append(Candidate(cid, base - config.w_meta * meta(chunk.doc_id)))

    doc_words: dict[str, set[str]] = {}
    # Which passage of the documents the question is about, not which document: a passage of another
    # document that shares the leftover words must not overtake them on those words alone.
    residual_docs = set(sorted(doc_best, key=lambda d: -doc_best[d])[: config.docs_for_parts])
    scored = []
    for cand in depth:
        chunk = chunks[cand.chunk_id]
        spans = answer_spans(query, chunk.text, idf)
        cue = max((kind_score(chunk.text[s.start:s.end], query.kinds) for s in spans), default=0.0)
        bonus = config.w_kind * cue + config.w_meta * meta(chunk.doc_id)
        if config.w_residual and part is None and chunk.ocr and chunk.doc_id in residual_docs:
            if chunk.doc_id not in doc_words:
                doc_words[chunk.doc_id] = set(syllables(context_text(searcher.documents[chunk.doc_id], ()) + " "
                                                        + searcher.db.first_passage_text(chunk.doc_id)))
            bonus += config.w_residual * residual_fit(query, chunk.text, doc_words[chunk.doc_id], idf)
        if part is not None and chunk.section[:1] == (part,):
            bonus += config.w_part
        if cand.chunk_id in ref_scores:
            score, ref = ref_scores[cand.chunk_id]
            bonus += config.w_reference * min(score / 3.0, 1.0)
            spans = _span_containing(chunk.text, ref.number or ref.subject or "") or spans
        task_fit, task = _task_fit(searcher, query, cand.chunk_id)
        if task is not None:
            bonus += config.w_task * task_fit
            anchor = task.lead if "agency" in query.kinds else (task.deadline.text if task.deadline else "")
            spans = _span_containing(chunk.text, anchor or "") or spans
        scored.append((replace(cand, score=cand.score + bonus), spans))
    scored.sort(key=lambda x: -x[0].score)
    return Reranked(scored, part, chunks)
