"""``python -m index.tasks [--index DIR] [--json] [--agency NAME]``: the assignments in the index.

Only parses arguments and prints; the engine does the work.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from index.engine import Engine
from index.errors import EngineError
from index.records import Chunk, Document, Task
from index.settings import Settings, load_dotenv_file


def task_json(task: Task, document: Document, chunk: Chunk | None) -> dict[str, object]:
    return {
        "doc_id": task.doc_id, "file": document.file, "type": document.type, "number": document.number,
        "date": document.date, "issuer": document.issuer, "locality": document.locality,
        "section": list(task.section), "content": task.content, "lead": task.lead, "partners": list(task.partners),
        "deadline": None if task.deadline is None else {"text": task.deadline.text, "date": task.deadline.date,
                                                          "period": task.deadline.period},
        "chunk_id": task.chunk_id, "passage": chunk.text if chunk else None,
    }


def main(argv: list[str] | None = None) -> int:
    load_dotenv_file()
    parser = argparse.ArgumentParser(prog="python -m index.tasks", description="Liệt kê nhiệm vụ được giao.")
    parser.add_argument("--index", help="thư mục chỉ mục")
    parser.add_argument("--agency", help="tên cơ quan (có thể gõ không dấu), ví dụ: phong noi vu")
    parser.add_argument("--json", action="store_true", help="in JSON")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.index:
        settings = replace(settings, index_dir=Path(args.index).expanduser().resolve())
    engine = Engine(settings)
    try:
        found = engine.tasks(args.agency)
    except EngineError as exc:
        print(exc.user_message, file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([task_json(t.task, t.document, t.chunk) for t in found], ensure_ascii=False, indent=2))
        return 0
    if not found:
        print("Không có nhiệm vụ nào" + (f" của “{args.agency}”." if args.agency else "."))
    for t in found:
        when = t.task.deadline.text if t.task.deadline else "không nêu thời hạn"
        print(f"- [{t.task.lead or '?'}] {t.task.content} — {when} ({t.document.type} {t.document.number or ''}, "
              f"{t.document.file})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
