"""Assignment extraction measured against a hand-made gold table, and who/when answer quality.

Gold: ``tests/data/eval/tasks_gold.jsonl`` lists every task of the Sa Pa and
Quảng Ngãi plans (so precision is measured on those two) and a sample of the
others (counted in recall). A predicted task matches a gold one when the
lead agency is the same (after folding and expanding abbreviations, one name
containing the other) and the gold content phrase is inside its content.
"""

from __future__ import annotations

import json
from pathlib import Path

from index.language.normalize import fold
from index.parse import parse_file
from index.records import Task
from index.settings import ROOT
from index.tasks.agencies import agency_key

GOLD = ROOT / "tests" / "data" / "eval" / "tasks_gold.jsonl"
COMPLETE = ("sa-pa-2021-2025-kh-tang-cuong-dan-van.md", "quang-ngai-2021-kh40-phoi-hop-dan-van.md")


def same_agency(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    ka, kb = agency_key(a), agency_key(b)
    return bool(ka and kb) and (ka in kb or kb in ka)


def matches(task: Task, gold: dict) -> bool:
    return same_agency(task.lead, gold["lead"]) and fold(gold["content"]) in fold(task.content)


def deadline_right(task: Task, gold: dict) -> bool:
    """Every deadline field the gold states (``period``, ``date``) is what was extracted.

    Only stated fields are compared, and a missing deadline is never right:
    comparing ``None`` with ``None`` would score a task whose gold has only a
    date as right whenever neither side has a period.
    """
    if task.deadline is None:
        return False
    stated = [key for key in ("period", "date") if gold.get(key) is not None]
    return bool(stated) and all(getattr(task.deadline, key) == gold[key] for key in stated)


def extraction_scores(corpus: Path, gold_path: Path = GOLD) -> dict[str, float]:
    gold = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    predicted: dict[str, list[Task]] = {}
    for name in sorted({g["file"] for g in gold}):
        predicted[name] = [t for pd in parse_file(corpus / name, name) for t in pd.tasks]
    found = sum(any(matches(t, g) for t in predicted[g["file"]]) for g in gold)
    complete_pred = [t for name in COMPLETE for t in predicted[name]]
    complete_gold = [g for g in gold if g["file"] in COMPLETE]
    correct = sum(any(matches(t, g) for g in complete_gold if g["file"] == _file_of(t, predicted))
                  for t in complete_pred)
    deadlines = [g for g in gold if "period" in g or "date" in g]
    right_deadline = 0
    for g in deadlines:
        for t in predicted[g["file"]]:
            if matches(t, g) and deadline_right(t, g):
                right_deadline += 1
                break
    partners = [g for g in gold if g.get("partners")]
    right_partners = sum(
        any(matches(t, g) and all(any(same_agency(p, q) for q in t.partners) for p in g["partners"])
            for t in predicted[g["file"]])
        for g in partners)
    return {
        "gold tasks": len(gold), "recall": found / len(gold),
        "precision (Sa Pa + Quảng Ngãi)": correct / len(complete_pred) if complete_pred else None,
        "deadline normalised right": right_deadline / len(deadlines) if deadlines else None,
        "partners right": right_partners / len(partners) if partners else None,
    }


def _file_of(task: Task, predicted: dict[str, list[Task]]) -> str:
    return next(name for name, tasks in predicted.items() if task in tasks)


def tasks_table(settings, embedder) -> str:
    from index.engine import Engine
    from index.rank.query import parse_query
    from tests.bench.quality import is_right, load_questions

    scores = extraction_scores(settings.corpus_dir)
    lines = ["### Assignments (tasks) extraction", "", "| measure | value |", "|---|---|"]
    lines += [f"| {k} | {v:.2f} |" if isinstance(v, float) else f"| {k} | {'—' if v is None else v} |"
              for k, v in scores.items()]
    engine = Engine(settings, embedder=embedder)
    eval_dir = ROOT / "tests" / "data" / "eval"
    questions = [q for f in ("questions.jsonl", "extra_questions.jsonl") for q in load_questions(eval_dir / f)
                 if q.get("expect") != "no_answer" and {"agency", "date"} & set(parse_query(q["q"]).kinds)]
    # A refused question is a miss: the official sees no passage.
    hits = sum(bool(a.hits) and not a.no_answer and is_right(a, 0, q)
               for q in questions for a in [engine.ask(q["q"])])
    lines.append(f"| who/when questions, hit@1 (fused) | {hits}/{len(questions)} = {hits / max(len(questions), 1):.2f} |")
    return "\n".join(lines)
