"""``make bench``: answer quality and speed, printed as tables.

    python -m tests.bench [--skip-laws] [--skip-bot] [--skip-realdocs] [--skip-backends] [--skip-scale]
                          [--scale-copies 1,10] [--rebuild-laws]
    python -m tests.bench --only-realdocs [--reuse-ocr]

Quality: hit@1/3/5 and MRR@10 of each ranking leg (dense, keyword, fused) on
the shared question set and on our own extra set, as typed and with the
diacritics removed, plus no-answer precision and recall. Speed: model load,
build from scratch and incremental, query latency p50/p95, peak memory; the
same on the 28-law corpus; reply latency through the fake Bot API server, one at a
time and in a burst of 100 questions from 20 officials; the embedding backends
(torch fp32 against int8 ONNX: speed and cosine, ``tests/bench/embedding.py``);
the scale table (the laws replicated, ``tests/bench/scale.py``).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

from index.settings import ROOT, Settings  # noqa: E402
from tests.bench.quality import load_questions, nearmiss_table, percentile, quality_table  # noqa: E402

WORK = ROOT / "var" / "bench"
SHARED = ROOT.parent / "shared"
EVAL = ROOT / "tests" / "data" / "eval"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def _questions() -> Path:
    shared = SHARED / "eval" / "questions.jsonl"
    return shared if shared.exists() else EVAL / "questions.jsonl"


# The fusion weights, the rerank bonuses and the no-answer thresholds were fitted on these sets
# (there is no held-out split of them): their rows measure fit, not generalisation.
TUNED = " — tuned on (weights and no-answer threshold fitted on this set)"


def _nearmiss_sets(corpus: str) -> list[tuple[str, list[dict]]]:
    """Near-miss questions of one corpus: the set the no-answer rules were fitted on, and the held-out one."""
    sets = []
    for label, name in (("tuned on", "nearmiss_tuned.jsonl"), ("held out", "nearmiss_heldout.jsonl")):
        path = EVAL / name
        if path.exists():
            sets.append((label, [q for q in load_questions(path) if q.get("corpus") == corpus]))
    return sets


def bench_corpus(embedder, rows: list[tuple[str, str]]) -> Settings:
    from index.build import build_index
    from index.engine import Engine

    root = WORK / "corpus"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(ROOT / "corpus", root / "corpus")
    settings = replace(Settings.from_env(), corpus_dir=root / "corpus", index_dir=root / "index")

    t = time.perf_counter()
    report = build_index(settings, embedder=embedder)
    rows.append(("corpus: build from scratch (6 documents)", f"{time.perf_counter() - t:.1f} s, "
                 f"{report.chunks} passages, {report.embedded} embedded"))
    t = time.perf_counter()
    report = build_index(settings, embedder=embedder)
    rows.append(("corpus: incremental build, nothing changed", f"{time.perf_counter() - t:.2f} s, "
                 f"{report.embedded} embedded"))
    path = settings.corpus_dir / "sa-pa-2021-2025-kh-tang-cuong-dan-van.md"
    path.write_text(path.read_text(encoding="utf-8").replace("5 - 8 cơ quan", "6 - 9 cơ quan"), encoding="utf-8")
    t = time.perf_counter()
    report = build_index(settings, embedder=embedder)
    rows.append(("corpus: incremental build, one file edited", f"{time.perf_counter() - t:.2f} s, "
                 f"{report.embedded} embedded"))
    rows.append(("corpus: index size on disk", f"{_size_mb(settings.index_dir):.1f} MB"))

    engine = Engine(settings, embedder=embedder)
    engine.warm_up()
    latencies: list[float] = []
    for path, title in ((_questions(), "Shared question set (../shared/eval/questions.jsonl)" + TUNED),
                        (EVAL / "extra_questions.jsonl",
                         ("Our extra set (paraphrases, 15 unanswerable questions)" + TUNED))):
        table, lat = quality_table(engine, load_questions(path), title)
        print(table, "\n", flush=True)
        latencies += lat
    print(nearmiss_table(engine, _nearmiss_sets("plans"),
                         "Near misses on the seed plans (facts the plans do not contain; fused, should be refused)"),
          "\n", flush=True)
    rows.append(("corpus: query latency p50 / p95 (fused, model loaded)",
                 f"{percentile(latencies, 50):.0f} / {percentile(latencies, 95):.0f} ms"))
    rows.append(("peak memory after corpus phase (RSS)", f"{_rss_mb():.0f} MB"))
    return settings


def bench_laws(embedder, rows: list[tuple[str, str]], rebuild: bool) -> None:
    from index.build import build_index
    from index.engine import Engine, has_index

    laws = Path(os.environ.get("BENCH_LAWS_DIR", SHARED / "bench" / "laws"))
    if not laws.is_dir():
        rows.append(("laws corpus", f"skipped: {laws} not found"))
        return
    settings = replace(Settings.from_env(), corpus_dir=laws, index_dir=WORK / "laws-index")
    record = WORK / "laws-build.json"
    if rebuild or not record.exists() or not has_index(settings):
        shutil.rmtree(settings.index_dir, ignore_errors=True)
        t = time.perf_counter()
        report = build_index(settings, embedder=embedder, show_progress=sys.stderr.isatty())
        seconds = time.perf_counter() - t
        record.write_text(json.dumps({"seconds": seconds, "chunks": report.chunks, "documents": report.documents,
                                      "embedded": report.embedded, "when": time.strftime("%Y-%m-%d %H:%M")}))
    data = json.loads(record.read_text())
    rows.append(("laws: build from scratch (28 laws)",
                 f"{data['seconds'] / 60:.1f} min, {data['chunks']} passages "
                 f"({data['embedded'] / data['seconds']:.1f} passages/s; measured {data['when']})"))
    t = time.perf_counter()
    build_index(settings, embedder=embedder)
    rows.append(("laws: incremental build, nothing changed", f"{time.perf_counter() - t:.1f} s"))
    rows.append(("laws: index size on disk", f"{_size_mb(settings.index_dir):.0f} MB"))

    engine = Engine(settings, embedder=embedder)
    engine.warm_up()
    qfile = EVAL / "laws_questions.jsonl"
    if qfile.exists():
        table, latencies = quality_table(engine, load_questions(qfile), "Laws corpus (our question set)" + TUNED)
        print(table, "\n", flush=True)
        print(nearmiss_table(engine, _nearmiss_sets("laws"),
                             "Near misses on the laws (facts the laws do not contain; fused, should be refused)"),
              "\n", flush=True)
    else:
        latencies = []
        for title in ["Quyền và nghĩa vụ của khách du lịch", "Thời hạn sử dụng đất", "Độ tuổi kết hôn"] * 10:
            t = time.perf_counter()
            engine.ask(title)
            latencies.append((time.perf_counter() - t) * 1000)
    rows.append(("laws: query latency p50 / p95 (fused)",
                 f"{percentile(latencies, 50):.0f} / {percentile(latencies, 95):.0f} ms"))
    rows.append(("peak memory after laws phase (RSS)", f"{_rss_mb():.0f} MB"))


def bench_feedback(settings: Settings, embedder, path: Path) -> None:
    """Score the officials' approved question–passage pairs (👍 in Telegram) on the corpus index."""
    from index.engine import Engine

    table, _ = quality_table(Engine(settings, embedder=embedder), load_questions(path),
                             f"Feedback question set ({path.name}, approved in Telegram)")
    print(table, "\n", flush=True)


def bench_bot(settings: Settings, rows: list[tuple[str, str]]) -> None:
    try:
        from tests.bench.bot_latency import measure
    except ImportError as exc:
        rows.append(("bot reply latency", f"skipped ({exc})"))
        return
    result = measure(settings)
    rows.append(("bot: reply latency p50 / p95 through the fake Bot API, one at a time",
                 f"{result['p50_ms']:.0f} / {result['p95_ms']:.0f} ms ({result['questions']} questions)"))
    rows.append((f"bot: reply latency p50 / p95, {result['burst']} officials asking at once",
                 f"{result['burst_p50_ms']:.0f} / {result['burst_p95_ms']:.0f} ms"))
    rows.append(("bot: inline query (@bot câu hỏi) to answerInlineQuery, p50 / p95",
                 f"{result['inline_p50_ms']:.0f} / {result['inline_p95_ms']:.0f} ms"))
    rows.append(("bot: start-up until polling (model + index load)", f"{result['startup_s']:.1f} s"))
    from tests.bench.bot_latency import measure_burst

    b = measure_burst(settings)
    rows.append((f"bot: burst of {b['questions']} questions from {b['users']} officials at once (rate limiter on), "
                 "p50 / p95 / max to the answer",
                 f"{b['p50_ms']:.0f} / {b['p95_ms']:.0f} / {b['max_ms']:.0f} ms; {b['lost']} lost; "
                 f"{b['calls']} calls, {b['typing_actions']} typing (≤ {b['max_typing_per_question']:g} per question)"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument("--skip-laws", action="store_true")
    parser.add_argument("--skip-bot", action="store_true")
    parser.add_argument("--skip-realdocs", action="store_true",
                        help="skip the real scanned files of ../shared/realdocs (metadata, OCR CER, questions)")
    parser.add_argument("--only-realdocs", action="store_true",
                        help="only the real files' leg (metadata, OCR CER and speed, questions)")
    parser.add_argument("--reuse-ocr", action="store_true",
                        help="real files: take the pages recognised before from var/bench/realdocs-ocr (no OCR speed)")
    parser.add_argument("--skip-backends", action="store_true",
                        help="skip the embedding backends table (loads both the torch and the ONNX model)")
    parser.add_argument("--skip-scale", action="store_true", help="skip the scale table (laws replicated)")
    parser.add_argument("--scale-copies", default="1",
                        help="copies of the laws for the scale table: 1 ≈ 10^4 passages, 10 ≈ 10^5")
    parser.add_argument("--rebuild-laws", action="store_true", help="rebuild the laws index from scratch")
    parser.add_argument("--feedback", type=Path, metavar="FILE",
                        help="also score a question set exported by `python -m bot.feedback --export`")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    WORK.mkdir(parents=True, exist_ok=True)

    from index.store.embed import load_embedder

    rows: list[tuple[str, str]] = []
    t = time.perf_counter()
    embedder = load_embedder(Settings.from_env())
    rows.append((f"model load (e5-small, {embedder.backend} backend, CPU)", f"{time.perf_counter() - t:.1f} s"))
    import faiss

    rows.append(("faiss-cpu SIMD level (one dynamic-dispatch build)", faiss.SIMDConfig.get_level_name()))
    t = time.perf_counter()
    embedder.embed_query("khởi động")
    vectors_t = time.perf_counter()
    sample = ["Cơ quan chủ trì thực hiện: Phòng Nội vụ. " * 12] * 32
    embedder.embed_passages(sample)
    rows.append(("embedding speed, ~500-character passages", f"{32 / (time.perf_counter() - vectors_t):.1f} passages/s"))
    if args.only_realdocs:
        from tests.bench.realdocs import bench_realdocs

        bench_realdocs(embedder, rows, reuse_ocr=args.reuse_ocr)
        _print_rows(rows)
        return 0

    settings = bench_corpus(embedder, rows)
    from tests.bench.reading import reading_rows  # OCR and a pathological file (former test timings)

    reading_rows(embedder, rows)
    if args.feedback:
        bench_feedback(settings, embedder, args.feedback)
    if not args.skip_laws:
        bench_laws(embedder, rows, args.rebuild_laws)
    if not args.skip_realdocs:
        from tests.bench.realdocs import bench_realdocs

        bench_realdocs(embedder, rows, reuse_ocr=args.reuse_ocr)
    if not args.skip_bot:
        bench_bot(settings, rows)
    if not args.skip_backends:
        from tests.bench.embedding import backends_table

        print(backends_table(Settings.from_env()), "\n", flush=True)
    try:
        from tests.bench.tasks import tasks_table

        print(tasks_table(settings, embedder), "\n")
    except ImportError:
        pass

    if not args.skip_scale:
        from tests.bench.scale import main as scale_main

        scale_main(["--copies", args.scale_copies])
        print()
    _print_rows(rows)
    return 0


def _print_rows(rows: list[tuple[str, str]]) -> None:
    print("### Speed and size\n\n| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    sys.exit(main())
