"""Answer quality on a question set: hit@k and MRR per ranking leg, no-answer precision/recall."""

from __future__ import annotations

import json
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from index.engine import Engine
from index.language.normalize import fold
from index.rank.retrieve import RankingConfig
from index.records import Answer

MODES = {
    "dense": RankingConfig(mode="dense"),
    "keyword": RankingConfig(mode="keyword"),
    "hybrid": RankingConfig(),
}


def load_questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


def is_right(answer: Answer, rank: int, q: dict) -> bool:
    """Contract 5: ``key`` (NFC, case-insensitive) inside the hit's text, and the file matches."""
    hit = answer.hits[rank]
    return _norm(q["key"]) in _norm(hit.chunk.text) and (q["file"] in ("any", None) or hit.document.file == q["file"])


@dataclass
class Scores:
    n: int = 0
    hit1: int = 0
    hit3: int = 0
    hit5: int = 0
    rr: float = 0.0
    negatives: int = 0
    refused_negatives: int = 0
    refused_positives: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def row(self) -> dict[str, float | None]:
        """Rates over the questions they are about; ``None`` when there is nothing to count."""
        n = self.n
        refused = self.refused_negatives + self.refused_positives
        return {
            "hit@1": self.hit1 / n if n else None, "hit@3": self.hit3 / n if n else None,
            "hit@5": self.hit5 / n if n else None, "MRR@10": self.rr / n if n else None,
            # Precision is over refusals: with none there is no precision to speak of.
            "no-ans P": self.refused_negatives / refused if refused else None,
            "no-ans R": self.refused_negatives / self.negatives if self.negatives else None,
            "refused answerable": self.refused_positives,
        }


def cell(value: float | None) -> str:
    """A rate for the tables: two decimals, or "—" when there was nothing to count."""
    return "—" if value is None else f"{value:.2f}"


def evaluate(engine: Engine, questions: list[dict], mode: str, fold_questions: bool) -> Scores:
    engine.ranking = MODES[mode]
    scores = Scores()
    for q in questions:
        text = fold(q["q"]) if fold_questions else q["q"]
        started = time.perf_counter()
        answer = engine.ask(text, k=10)
        scores.latencies_ms.append((time.perf_counter() - started) * 1000)
        if q.get("expect") == "no_answer":
            scores.negatives += 1
            scores.refused_negatives += answer.no_answer
            if not answer.no_answer:
                scores.failures.append(f"{q['id']}:answered")
            continue
        scores.n += 1
        scores.refused_positives += answer.no_answer
        # A refused question shows the official no passage: it is a miss at every rank.
        rank = None if answer.no_answer else next(
            (i + 1 for i in range(len(answer.hits)) if is_right(answer, i, q)), None)
        scores.hit1 += rank == 1
        scores.hit3 += bool(rank and rank <= 3)
        scores.hit5 += bool(rank and rank <= 5)
        scores.rr += 1 / rank if rank else 0.0
        if rank != 1:
            scores.failures.append(f"{q['id']}:{rank or '-'}")
        if answer.no_answer:
            scores.failures.append(f"{q['id']}:refused")
    engine.ranking = RankingConfig()
    return scores


def quality_table(engine: Engine, questions: list[dict], title: str) -> tuple[str, list[float]]:
    """Markdown table over the legs × (as typed, without diacritics); returns hybrid latencies."""
    lines = [f"### {title}", "",
             "| leg | questions | hit@1 | hit@3 | hit@5 | MRR@10 | no-answer P | no-answer R | answerable refused |",
             "|---|---|---|---|---|---|---|---|---|"]
    latencies: list[float] = []
    failures: list[str] = []
    for mode in MODES:
        for folded in (False, True):
            s = evaluate(engine, questions, mode, folded)
            r = s.row()
            label = "without diacritics" if folded else "as typed"
            lines.append(f"| {mode} | {label} | {cell(r['hit@1'])} | {cell(r['hit@3'])} | {cell(r['hit@5'])} | "
                         f"{cell(r['MRR@10'])} | {cell(r['no-ans P'])} | {cell(r['no-ans R'])} | "
                         f"{r['refused answerable']} |")
            if mode == "hybrid":
                latencies += s.latencies_ms
                failures += [f"{label}: {f}" for f in s.failures]
    if failures:
        lines += ["", "Hybrid misses (id:rank): " + ", ".join(failures)]
    return "\n".join(lines), latencies


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def nearmiss_table(engine: Engine, sets: list[tuple[str, list[dict]]], title: str) -> str:
    """Share of near-miss questions refused (fused leg), one row per set and spelling.

    ``sets`` are (label, questions) pairs, e.g. ("tuned on", …), ("held out", …):
    the no-answer rules were fitted on the first and never looked at on the second.
    """
    lines = [f"### {title}", "", "| near-miss set | questions | refused (as typed) | refused (without diacritics) |",
             "|---|---|---|---|"]
    missed: list[str] = []
    for label, questions in sets:
        rates = []
        for folded in (False, True):
            s = evaluate(engine, questions, "hybrid", folded)
            rates.append(cell(s.row()["no-ans R"]))
            if label.startswith("tuned"):
                missed += [f"{'unaccented ' if folded else ''}{f.split(':')[0]}" for f in s.failures]
        lines.append(f"| {label} | {len(questions)} | {rates[0]} | {rates[1]} |")
    if missed:
        lines += ["", "Answered near misses of the tuned set: " + ", ".join(missed)]
    return "\n".join(lines)
