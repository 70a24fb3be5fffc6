"""The "embedding backends" table of ``make bench``: torch fp32 against the int8 ONNX export.

Both backends of the default e5-small model encode the same passages (paragraphs of
``corpus/`` and a sample of the shared laws, as indexed: up to 1,500 characters) and
the same questions; the table gives passages per second, query-encoding time and the
cosine between the two backends' vectors, text by text.

    python -m tests.bench.embedding   # the table alone
"""

from __future__ import annotations

import statistics
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from index.settings import ROOT, Settings

LAWS = ROOT.parent / "shared" / "bench" / "laws"
QUERIES = (
    "Ai chủ trì khảo sát sự hài lòng của người dân ở Sa Pa?",
    "han nop bao cao 6 thang ve cong tac dan van chinh quyen",
    "Kế hoạch 06/KH-UBND-BDVTU giao Sở Nội vụ nhiệm vụ gì?",
    "Người lao động được nghỉ hằng năm bao nhiêu ngày?",
    "thoi han khieu nai quyet dinh hanh chinh la bao lau",
)


def sample_passages(per_plan: int = 30, per_law: int = 5) -> list[str]:
    """Plan paragraphs first, then every seventh paragraph of each law, ~200 texts in all."""
    def paragraphs(path: Path, n: int, step: int) -> list[str]:
        parts = [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if len(p.strip()) > 80]
        return [p[:1500] for p in parts[::step][:n]]

    texts: list[str] = []
    for path in sorted((ROOT / "corpus").glob("*.md")):
        texts += paragraphs(path, per_plan, 1)
    for path in sorted(LAWS.glob("*.md")) if LAWS.is_dir() else []:
        texts += paragraphs(path, per_law, 7)
    return texts


def _measure(embedder, passages: list[str]) -> tuple[np.ndarray, np.ndarray, float, float]:
    embedder.embed_passages(passages[:16])  # warm-up: first-call allocations are not encoding
    started = time.perf_counter()
    vectors = embedder.embed_passages(passages)
    per_second = len(passages) / (time.perf_counter() - started)
    times, queries = [], []
    for _ in range(4):
        for q in QUERIES:
            t = time.perf_counter()
            queries.append(embedder.embed_query(q))
            times.append((time.perf_counter() - t) * 1000)
    return vectors, np.stack(queries[: len(QUERIES)]), per_second, statistics.median(times)


def backends_table(settings: Settings) -> str:
    """Markdown table: one row per backend; cosines are to the torch vectors of the same texts."""
    from index.store.embed import load_embedder

    passages = sample_passages()
    results = {}
    for backend in ("torch", "onnx"):
        started = time.perf_counter()
        embedder = load_embedder(replace(settings, embedding_model=None, embedding_backend=backend))
        load_s = time.perf_counter() - started
        results[backend] = (embedder.backend, load_s, *_measure(embedder, passages))
        del embedder
    reference_p, reference_q = results["torch"][2], results["torch"][3]
    lines = [f"### Embedding backends (default e5-small; {len(passages)} passages of corpus/ and the laws, "
             f"{len(QUERIES)} questions)\n",
             "| backend | load | passages/s | query encoding (median) | cosine to torch, passages min / mean "
             "| questions min |", "|---|---|---|---|---|---|"]
    for name, (used, load_s, vectors, queries, per_second, query_ms) in results.items():
        cos_p = np.sum(vectors * reference_p, axis=1)
        cos_q = np.sum(queries * reference_q, axis=1)
        label = name if used == name else f"{name} (fell back to {used})"
        lines.append(f"| {label} | {load_s:.1f} s | {per_second:.1f} | {query_ms:.1f} ms | "
                     f"{cos_p.min():.4f} / {cos_p.mean():.4f} | {cos_q.min():.4f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(backends_table(Settings.from_env()))
