"""Hybrid retrieval over one published index version, and the search CLI.

Keyword (BM25 over folded terms and over segmented words) and dense (e5)
scores are fused; each leg can be run alone so ``make bench`` can measure it.

CLI (contract 2)::

    python -m index.search [--index DIR] [-k 5] [--json] QUESTION
    python -m index.search --batch < questions.jsonl   # {"id","q"} per line
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.fusion import max_normalise, top_k, weighted_sum
from index.keyword import load_fields
from index.query import Query
from index.records import Chunk, Document
from index.segment import number_terms
from index.store import DB_NAME, Database, Manifest
from index.vectors import VectorIndex

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RankingConfig:
    """Weights of the fused score; ``mode`` runs one leg alone for measurement."""

    mode: str = "hybrid"  # "hybrid" | "keyword" | "dense"
    w_terms: float = 1.0
    w_words: float = 0.15
    w_dense: float = 0.5
    dense_k: int = 100
    candidates: int = 40


@dataclass(frozen=True)
class Candidate:
    chunk_id: int
    score: float
    parts: dict[str, float] = field(default_factory=dict)


class Searcher:
    """Everything needed to rank passages of one index version, loaded once."""

    def __init__(self, folder: Path, embedder) -> None:
        self.folder = folder
        self.manifest = Manifest.read(folder)
        self.db = Database(folder / DB_NAME, readonly=True)
        self.vectors = VectorIndex.load(folder)
        self.fields = load_fields(folder)
        self.embedder = embedder
        self.documents: dict[str, Document] = {d.doc_id: d for d in self.db.documents()}
        # Document numbers as terms ("kh40", "40_kh_bdvtu-bcsdubnd"), to tell at once which
        # document a question names without scanning every document per question.
        self.doc_numbers: dict[str, set[str]] = {}
        self.docs_by_number: dict[str, set[str]] = {}
        for doc in self.documents.values():
            terms = set(number_terms(f"{doc.type or ''} số {doc.number}")) if doc.number else set()
            self.doc_numbers[doc.doc_id] = terms
            for t in terms:
                self.docs_by_number.setdefault(t, set()).add(doc.doc_id)
        self.tasks = self.db.tasks()
        self.references = self.db.references()
        self.refs_by_chunk: dict[int, list] = {}
        for ref in self.references:
            self.refs_by_chunk.setdefault(ref.chunk_id, []).append(ref)
        self.tasks_by_chunk: dict[int, list] = {}
        for task in self.tasks:
            self.tasks_by_chunk.setdefault(task.chunk_id, []).append(task)
        ids = self.fields["terms"].ids
        self.ids = ids
        self.row_of = {int(cid): row for row, cid in enumerate(ids)}
        self._doc_of_row: np.ndarray | None = None

    def close(self) -> None:
        self.db.close()

    def chunks(self, ids: list[int]) -> dict[int, Chunk]:
        return self.db.chunks(ids)

    def keyword_scores(self, query: Query) -> dict[str, np.ndarray]:
        parts = {"terms": self.fields["terms"].scores(list(query.terms))}
        if query.accented and "words" in self.fields:
            parts["words"] = self.fields["words"].scores(_segmenter().word_terms(query.canonical))
        return parts

    def nearest(self, query_vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Chunk ids and cosines of the ``k`` passages nearest to the question, nearest first."""
        return self.vectors.search(query_vector, k)

    def dense_scores(self, nearest: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """The nearest passages' cosines (others 0), aligned to rows."""
        out = np.zeros(len(self.ids), dtype=np.float32)
        for cid, sim in zip(*nearest):
            row = self.row_of.get(int(cid))
            if row is not None:
                out[row] = sim
        return out

    def retrieve(self, query: Query, config: RankingConfig = RankingConfig(),
                 nearest: tuple[np.ndarray, np.ndarray] | None = None) -> list[Candidate]:
        """Candidates best first, with each leg's contribution kept for reranking.

        ``nearest`` is the dense search already run for the question's embedding
        (of its diacritics-restored form when typed without marks): the engine
        also needs it for the no-answer decision, so it is searched once.
        """
        if not len(self.ids):
            return []
        parts: dict[str, np.ndarray] = {}
        if config.mode in ("hybrid", "keyword"):
            for name, scores in self.keyword_scores(query).items():
                parts[name] = max_normalise(scores)
        if config.mode in ("hybrid", "dense"):
            if nearest is None:
                nearest = self.nearest(self.embedder.embed_query(query.canonical), config.dense_k)
            parts["dense"] = _dense_normalise(self.dense_scores(nearest))
        weights = {"terms": config.w_terms, "words": config.w_words, "dense": config.w_dense}
        if config.mode == "dense":
            weights = {"dense": 1.0}
        if config.mode == "keyword":
            weights = {"terms": config.w_terms, "words": config.w_words}
        total = weighted_sum(parts, weights)
        rows = top_k(total, config.candidates)
        return [Candidate(int(self.ids[r]), float(total[r]), {n: float(p[r]) for n, p in parts.items()})
                for r in rows if total[r] > 0]


def _dense_normalise(sims: np.ndarray) -> np.ndarray:
    """Map the retrieved cosines onto [0, 1] within this query's top list.

    e5 cosines crowd into 0.75–0.9 for any Vietnamese text, so their spread,
    not their level, carries the signal.
    """
    nz = sims[sims > 0]
    if nz.size == 0:
        return sims
    lo, hi = float(nz.min()), float(nz.max())
    if hi - lo < 1e-6:
        return (sims > 0).astype(np.float32)
    out = (sims - lo) / (hi - lo)
    out[sims <= 0] = 0
    return out.astype(np.float32)


_SEGMENTER = None


def _segmenter():
    global _SEGMENTER
    if _SEGMENTER is None:
        from index.segment import Segmenter

        _SEGMENTER = Segmenter()
    return _SEGMENTER


# --------------------------------------------------------------------------- CLI
def hit_json(rank: int, hit, spans, corpus_text: str | None = None) -> dict[str, object]:
    c, d = hit.chunk, hit.document
    return {
        "rank": rank, "score": round(hit.score, 4), "doc_id": d.doc_id, "file": d.file, "type": d.type,
        "number": d.number, "date": d.date, "issuer": d.issuer, "title": d.title, "section": list(c.section),
        "text": c.text, "answer": [c.text[s.start:s.end] for s in spans],
    }


def answer_json(answer, qid: str | None = None) -> dict[str, object]:
    out: dict[str, object] = {}
    if qid is not None:
        out["id"] = qid
    out.update({
        "query": answer.question, "no_answer": answer.no_answer,
        "hits": [hit_json(i + 1, h, s) for i, (h, s) in enumerate(zip(answer.hits, answer.answer_spans))],
    })
    return out


def _print_text(answer) -> None:
    if answer.no_answer:
        print("Không tìm thấy đoạn văn trả lời câu hỏi này. Các đoạn gần nhất (chỉ để tham khảo):")
    for i, (hit, spans) in enumerate(zip(answer.hits, answer.answer_spans), start=1):
        d, c = hit.document, hit.chunk
        print(f"\n[{i}] {d.type or 'Văn bản'} {d.number or ''} ({d.file}) — điểm {hit.score:.3f}")
        print("    Mục: " + " › ".join(c.section))
        for s in spans:
            print("    » " + c.text[s.start:s.end])


def main(argv: list[str] | None = None) -> int:
    from index.engine import Engine
    from index.errors import EngineError
    from index.settings import Settings, load_dotenv_file

    load_dotenv_file()
    parser = argparse.ArgumentParser(prog="python -m index.search", description="Tra cứu chỉ mục văn bản.")
    parser.add_argument("question", nargs="*", help="câu hỏi")
    parser.add_argument("--index", help="thư mục chỉ mục (mặc định INDEX_DIR hoặc index/data)")
    parser.add_argument("-k", type=int, default=5, help="số đoạn trả về")
    parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    parser.add_argument("--batch", action="store_true", help='đọc JSONL {"id","q"} từ stdin, in một JSON mỗi dòng')
    parser.add_argument("--mode", choices=("hybrid", "keyword", "dense"), default="hybrid",
                        help="chỉ dùng một nhánh xếp hạng (để đo đạc)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")

    settings = Settings.from_env()
    if args.index:
        from dataclasses import replace

        settings = replace(settings, index_dir=Path(args.index).expanduser().resolve())
    engine = Engine(settings, ranking=RankingConfig(mode=args.mode))
    try:
        if args.batch:
            for line in sys.stdin:
                if not line.strip():
                    continue
                item = json.loads(line)
                answer = engine.ask(str(item["q"]), k=args.k)
                print(json.dumps(answer_json(answer, str(item.get("id", ""))), ensure_ascii=False), flush=True)
            return 0
        question = " ".join(args.question).strip()
        if not question:
            parser.error("cần một câu hỏi (hoặc --batch)")
        answer = engine.ask(question, k=args.k)
    except EngineError as exc:
        print(exc.user_message, file=sys.stderr)
        logger.debug("search failed", exc_info=True)
        return 2
    if args.json:
        print(json.dumps(answer_json(answer), ensure_ascii=False, indent=2))
    else:
        _print_text(answer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
