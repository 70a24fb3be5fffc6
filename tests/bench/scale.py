"""The scale table of ``make bench``: the laws replicated to ~10^4 and ~10^5 passages.

    python -m tests.bench.scale [--copies 1,10]     # also run by ``python -m tests.bench`` (--skip-scale)

Each copy of ``../shared/bench/laws`` lies in its own folder with a distinct
last line, so every copy is a distinct document (its own file, SHA-256 and
doc id). Only the last passage of each copy differs, so the copies' other
passages have the same text to embed and the embeddings cache gives their
vectors again: the table says how many passages were embedded. Every build
is a whole ``build_index.py`` process (model load included), as an operator
runs it; the document added and removed is compared with indexing it alone
into an empty index. Queries run in a process of their own holding the
Engine, whose peak RSS is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from index.settings import ROOT

WORK = ROOT / "var" / "bench" / "scale"
LAWS = Path(os.environ.get("BENCH_LAWS_DIR", ROOT.parent / "shared" / "bench" / "laws"))
ADDED = ROOT / "corpus" / "phu-tho-2021-cv113-kh06-dan-van.md"  # one plan (few passages), added and removed
QUESTIONS = ROOT / "tests" / "data" / "eval" / "laws_questions.jsonl"

_QUERY_PROCESS = r"""
import json, resource, sys, time
from dataclasses import replace
from pathlib import Path
from index.engine import Engine
from index.settings import Settings
settings = replace(Settings.from_env(), index_dir=Path(sys.argv[1]))
t = time.perf_counter()
engine = Engine(settings)
engine.warm_up()
load = time.perf_counter() - t
questions = [json.loads(l)["q"] for l in open(sys.argv[2], encoding="utf-8") if l.strip()]
lat = []
for q in questions * 2:
    t = time.perf_counter()
    engine.ask(q)
    lat.append((time.perf_counter() - t) * 1000)
lat.sort()
print(json.dumps({"p50": lat[len(lat) // 2], "p95": lat[int(len(lat) * 0.95)], "queries": len(lat), "load_s": load,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def _build(corpus: Path, index: Path) -> tuple[float, dict, str]:
    env = {**os.environ, "CORPUS_DIR": str(corpus), "INDEX_DIR": str(index), "LOG_LEVEL": "INFO",
           "HF_HUB_OFFLINE": "1"}
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "build_index.py", "--json"], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=False)
    seconds = time.perf_counter() - t
    if done.returncode not in (0, 1):
        raise RuntimeError(f"build failed ({done.returncode}): {done.stderr[-2000:]}")
    stages = re.findall(r"build stages \(s\): (.*)", done.stderr)
    model = re.findall(r"ready in ([\d.]+) s", done.stderr)
    profile = f"model load {model[-1] if model else '?'}, {stages[-1] if stages else ''}"
    return seconds, json.loads(done.stdout), profile


def _laws(max_kb: int | None) -> list[Path]:
    """All the laws, or the smallest ones up to ``max_kb`` (a smaller corpus when embedding is slow)."""
    laws = sorted(LAWS.glob("*.md"), key=lambda p: (p.stat().st_size, p.name))
    if max_kb is None:
        return laws
    out, total = [], 0
    for law in laws:
        total += law.stat().st_size
        if total > max_kb * 1024:
            break
        out.append(law)
    return out


def _replicate(root: Path, copies: int, max_kb: int | None = None) -> Path:
    corpus = root / "corpus"
    shutil.rmtree(root, ignore_errors=True)
    for i in range(copies):
        folder = corpus / f"ban-{i + 1:03d}"
        folder.mkdir(parents=True)
        for law in _laws(max_kb):
            text = law.read_text(encoding="utf-8").rstrip()
            (folder / law.name).write_text(f"{text}\n\nBản số {i + 1} dùng để đo quy mô chỉ mục.\n", encoding="utf-8")
    return corpus


def scale_rows(copies: int, max_kb: int | None = None) -> tuple[list[tuple[str, str]], list[str]]:
    """Rows of the scale table for ``copies`` copies of the laws, and the profile lines of each build."""
    root = WORK / f"x{copies}" if max_kb is None else WORK / f"x{copies}-{max_kb}kb"
    corpus = _replicate(root, copies, max_kb)
    index = root / "index"
    rows: list[tuple[str, str]] = []
    profiles: list[str] = []
    seconds, report, profile = _build(corpus, index)
    n = report["chunks"]
    laws = len(_laws(max_kb))
    label = f"{n:,} passages ({copies} × {laws} laws)"
    rows.append((f"{label}: build from scratch", f"{seconds:.0f} s, {report['embedded']:,} embedded "
                 f"({n - report['embedded']:,} vectors reused from the cache)"))
    profiles.append(f"{label}, from scratch: {profile}")

    alone_corpus = root / "alone" / "corpus"
    alone_corpus.mkdir(parents=True)
    shutil.copy(ADDED, alone_corpus / ADDED.name)
    alone_s, alone, profile = _build(alone_corpus, root / "alone" / "index")
    profiles.append(f"{ADDED.name} alone: {profile}")

    shutil.copy(ADDED, corpus / ADDED.name)
    add_s, added, profile = _build(corpus, index)
    profiles.append(f"{label}, adding {ADDED.name}: {profile}")
    rows.append((f"{label}: add one document ({alone['chunks']} passages)",
                 f"{add_s:.1f} s vs {alone_s:.1f} s indexing it alone into an empty index "
                 f"(ratio {add_s / alone_s:.2f}; {added['embedded']} embedded)"))
    (corpus / ADDED.name).unlink()
    remove_s, _, profile = _build(corpus, index)
    profiles.append(f"{label}, removing it: {profile}")
    rows.append((f"{label}: remove that document", f"{remove_s:.1f} s (ratio {remove_s / alone_s:.2f} "
                                                   "to indexing it alone)"))
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", _QUERY_PROCESS, str(index), str(QUESTIONS)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    q = json.loads(done.stdout.strip().splitlines()[-1])
    rows.append((f"{label}: query p50 / p95 (fused, query encoding included, flat FAISS)",
                 f"{q['p50']:.0f} / {q['p95']:.0f} ms ({q['queries']} questions)"))
    rows.append((f"{label}: Engine process RSS after the questions; index load", f"{q['rss_mb']:.0f} MB; "
                 f"{q['load_s']:.1f} s"))
    rows.append((f"{label}: index size on disk", f"{_size_mb(index):.0f} MB"))
    return rows, profiles


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.scale")
    parser.add_argument("--copies", default="1", help="comma-separated copies of the laws (1 ≈ 10^4, 10 ≈ 10^5)")
    parser.add_argument("--max-kb", type=int, help="only the smallest laws, up to this many KB per copy")
    args = parser.parse_args(argv)
    load = os.getloadavg()
    print(f"### Scale (load average {load[0]:.1f} on {os.cpu_count()} cores at start)\n\n"
          "| measure | value |\n|---|---|", flush=True)
    profiles = []
    for copies in (int(c) for c in args.copies.split(",")):
        rows, prof = scale_rows(copies, args.max_kb)
        profiles += prof
        for name, value in rows:
            print(f"| {name} | {value} |", flush=True)
    print("\nBuild profile (seconds per stage):\n")
    for line in profiles:
        print(f"- {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
