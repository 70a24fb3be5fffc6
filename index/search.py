"""``python -m index.search``: ask the index from the shell (contract 2 of DESIGN.md).

    python -m index.search [--index DIR] [-k 5] [--json] QUESTION
    python -m index.search --batch < questions.jsonl   # {"id","q"} per line

Only parses arguments and prints; the engine does the work. No library module
imports this one, so the CLI can never pull the engine into an import circle.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path

from index.engine import Engine
from index.errors import EngineError
from index.rank.retrieve import RankingConfig
from index.settings import Settings, load_dotenv_file

logger = logging.getLogger(__name__)


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
