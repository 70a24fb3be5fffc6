"""Deciding that the corpus does not answer a question.

A wrong citation is worse than "không tìm thấy". e5 cosines alone do not
separate answerable from unanswerable questions (every Vietnamese text scores
0.8–0.9). How much of the question's vocabulary the best passages contain
does, once Vietnamese words are counted as syllable pairs: "kết hôn" shares
the syllables of "kết quả" and "hơn", not the word. So the main signal is the
BM25 score of the best passages over the question's informative syllables and
syllable pairs, divided by their summed IDF (``fusion.coverage``); pairs the
corpus never uses count in full against it. The engine adds the cosine of the
nearest passage, centred and weighted, which rescues paraphrased questions
(laws asked in citizens' words) without letting in lookalike ones.
"""

from __future__ import annotations

from index.language.normalize import fold
from index.rank.fusion import coverage
from index.rank.query import Query
from index.rank.retrieve import Searcher
from index.understand.context import context_text
from index.understand.places import provinces_named


def question_terms(query: Query) -> list[str]:
    return list(dict.fromkeys([*query.content_syllables, *query.content_bigrams, *query.numbers]))


def answerability(searcher: Searcher, query: Query, chunk_ids: list[int]) -> float:
    """Best share of the question's IDF mass found in one of ``chunk_ids`` (0–1)."""
    field = searcher.fields["terms"]
    terms = question_terms(query)
    if not terms:
        return 0.0
    idf_sum = sum(field.idf(t) for t in terms)
    scores = field.scores(terms)
    rows = [searcher.row_of[c] for c in chunk_ids if c in searcher.row_of]
    return max((coverage(float(scores[r]), idf_sum) for r in rows), default=0.0)


def missing_place(searcher: Searcher, query: Query, chunk_ids: list[int]) -> str | None:
    """A province the question names that none of the evidence passages (or their documents) is about.

    "Ai là Chủ tịch UBND tỉnh Bắc Ninh?" matches plenty of words in a corpus
    of other provinces' plans; the place it names is what rules them out.
    """
    places = provinces_named(query.canonical)
    if not places:
        return None
    chunks = searcher.chunks(chunk_ids)
    seen = " ".join(
        fold(c.text + " " + context_text(searcher.documents[c.doc_id], c.section)) for c in chunks.values()
    )
    for place in places:
        if fold(place) not in seen:
            return place
    return None
