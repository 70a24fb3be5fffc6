"""The engine's public face: ask a question, list documents, fetch passages, rebuild.

Front-ends (the Telegram bot, the terminal, the search CLI) use only this
class. It follows the published index: when a build publishes a new version,
the next call switches to it, so questions keep being answered during a
rebuild and pick up new documents as soon as it finishes.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from index.answer import answer_spans, kind_score
from index.corpus import SavedFile, add_file
from index.errors import IndexMissing, ModelMismatch
from index.fusion import coverage
from index.query import Query, parse_query
from index.records import Answer, BuildReport, Chunk, Document, Hit, Span
from index.restore import Restorer
from index.search import Candidate, RankingConfig, Searcher
from index.settings import Settings
from index.store import current_version

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnswerConfig:
    """How candidates become an answer; calibrated with ``make bench``."""

    rerank_depth: int = 20
    w_kind: float = 0.25  # boost for a passage whose best sentence has the expected answer shape
    min_coverage: float = 0.3  # below this share of the question's IDF mass: no answer


@dataclass(frozen=True)
class SectionText:
    document: Document
    path: tuple[str, ...]
    text: str
    chunk_ids: tuple[int, ...]


class Engine:
    """Answers questions from the index in ``settings.index_dir``."""

    def __init__(self, settings: Settings, embedder=None, ranking: RankingConfig = RankingConfig(),
                 answering: AnswerConfig = AnswerConfig()) -> None:
        self.settings = settings
        self.ranking = ranking
        self.answering = answering
        self._embedder = embedder
        self._lock = threading.RLock()
        self._searcher: Searcher | None = None
        self._restorer: Restorer | None = None

    # ------------------------------------------------------------------ loading
    @property
    def embedder(self):
        with self._lock:
            if self._embedder is None:
                from index.embed import load_embedder

                self._embedder = load_embedder(self.settings)
            return self._embedder

    def _current(self) -> Searcher:
        folder = current_version(self.settings.index_dir)
        if folder is None:
            raise IndexMissing(f"no index in {self.settings.index_dir}")
        with self._lock:
            if self._searcher is None or self._searcher.folder != folder:
                searcher = Searcher(folder, self.embedder)
                if searcher.manifest.model != self.embedder.model_id:
                    searcher.close()
                    raise ModelMismatch(
                        f"index built with {searcher.manifest.model!r}, configured model is {self.embedder.model_id!r}")
                old, self._searcher = self._searcher, searcher
                self._restorer = Restorer.load(folder)
                logger.info("loaded index version %s (%d documents, %d passages)", folder.name,
                            len(searcher.documents), len(searcher.ids))
                # The old version's files may be deleted by the next build; readers
                # in flight keep their own reference, so closing here is safe.
                if old is not None:
                    old.close()
            return self._searcher

    def warm_up(self) -> None:
        """Load model and index now, so the first question is not slow."""
        self._current()
        self.embedder.embed_query("khởi động")

    # ----------------------------------------------------------------- questions
    def ask(self, question: str, k: int = 5) -> Answer:
        """The best passages for a question, each with its answering sentences marked."""
        searcher = self._current()
        query = parse_query(question)
        if not query.content_syllables and not query.numbers:
            return Answer(question=question, hits=(), answer_spans=(), no_answer=True)
        dense_text = query.canonical if query.accented else self._restorer.restore(query.canonical)
        candidates = searcher.retrieve(query, self.ranking, dense_text=dense_text)
        if not candidates:
            return Answer(question=question, hits=(), answer_spans=(), no_answer=True)
        idf = searcher.fields["terms"].idf
        ranked = self._rerank(searcher, query, candidates, idf)[:k]
        chunks = searcher.chunks([c.chunk_id for c, _ in ranked])
        hits, spans = [], []
        for cand, sp in ranked:
            chunk = chunks[cand.chunk_id]
            hits.append(Hit(chunk=chunk, document=searcher.documents[chunk.doc_id], score=cand.score))
            spans.append(sp)
        no_answer = self._coverage(searcher, query, [c.chunk_id for c, _ in ranked[:3]]) < self.answering.min_coverage
        return Answer(question=question, hits=tuple(hits), answer_spans=tuple(spans), no_answer=no_answer)

    def _rerank(self, searcher: Searcher, query: Query, candidates: list[Candidate], idf
                ) -> list[tuple[Candidate, tuple[Span, ...]]]:
        depth = candidates[: self.answering.rerank_depth]
        chunks = searcher.chunks([c.chunk_id for c in depth])
        scored = []
        for cand in depth:
            text = chunks[cand.chunk_id].text
            spans = answer_spans(query, text, idf)
            cue = max((kind_score(text[s.start:s.end], query.kinds) for s in spans), default=0.0)
            scored.append((replace(cand, score=cand.score + self.answering.w_kind * cue), spans))
        scored.sort(key=lambda x: -x[0].score)
        return scored

    def _coverage(self, searcher: Searcher, query: Query, chunk_ids: list[int]) -> float:
        """Best share of the question's informative words found in the top passages."""
        field = searcher.fields["terms"]
        terms = list(dict.fromkeys(query.content_syllables + query.numbers))
        if not terms:
            return 0.0
        scores = field.scores(terms)
        idf_sum = sum(field.idf(t) for t in terms)
        rows = [searcher.row_of[c] for c in chunk_ids if c in searcher.row_of]
        return max((coverage(float(scores[r]), idf_sum) for r in rows), default=0.0)

    # ----------------------------------------------------------------- browsing
    def documents(self) -> list[Document]:
        return sorted(self._current().documents.values(), key=lambda d: (d.file, d.doc_id))

    def document(self, doc_id: str) -> Document | None:
        return self._current().documents.get(doc_id)

    def passage(self, chunk_id: int) -> Hit | None:
        searcher = self._current()
        chunk = searcher.chunks([chunk_id]).get(chunk_id)
        if chunk is None:
            return None
        return Hit(chunk=chunk, document=searcher.documents[chunk.doc_id], score=0.0)

    def section(self, chunk_id: int) -> SectionText | None:
        """The whole section a passage belongs to, as the source wrote it."""
        searcher = self._current()
        chunk = searcher.chunks([chunk_id]).get(chunk_id)
        if chunk is None:
            return None
        doc_text = searcher.db.document_text(chunk.doc_id) or ""
        same = [c for c in searcher.db.chunks_of(chunk.doc_id) if c.section[: len(chunk.section)] == chunk.section]
        start, end = min(c.start for c in same), max(c.end for c in same)
        return SectionText(document=searcher.documents[chunk.doc_id], path=chunk.section,
                           text=doc_text[start:end], chunk_ids=tuple(c.chunk_id for c in same))

    def source_file(self, doc_id: str) -> Path | None:
        doc = self.document(doc_id)
        if doc is None:
            return None
        path = self.settings.corpus_dir / doc.file
        return path if path.is_file() else None

    # ------------------------------------------------------------------- builds
    def build(self, full: bool = False, show_progress: bool = False, wait: bool = True) -> BuildReport:
        """Rebuild from the corpus (incrementally unless ``full``) and switch to the result.

        With ``wait`` a build already running elsewhere is waited for instead of
        refused, so an admin's upload is never left out of the index.
        """
        from index.build import build_index

        report = build_index(self.settings, full=full, embedder=self.embedder, show_progress=show_progress,
                             wait=wait)
        try:
            self._current()
        except IndexMissing:
            pass
        return report

    def add_file(self, source: Path, name: str, replace: bool = False) -> tuple[SavedFile, BuildReport | None]:
        """Check an uploaded file, save it into the corpus and index it.

        Raises ``ReadError`` with the corpus and index unchanged when it cannot be read.
        """
        known: dict[str, str] = {}
        try:
            known = {row.sha256: f for f, row in self._current().db.files().items() if row.status == "indexed"}
        except IndexMissing:
            pass
        saved = add_file(self.settings.corpus_dir, source, name, replace=replace, known=known)
        if saved.duplicate_of is not None:
            return saved, None
        return saved, self.build()


def has_index(settings: Settings) -> bool:
    return current_version(settings.index_dir) is not None


__all__ = ["Engine", "AnswerConfig", "SectionText", "has_index", "Chunk"]
