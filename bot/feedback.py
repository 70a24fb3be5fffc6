"""``python -m bot.feedback --export [--out FILE]``: the officials' approved answers as a question set.

Each answer with more 👍 than 👎 becomes ``{"id","q","file","key"}`` (the eval
format of DESIGN.md): the question as asked, the corpus file of the cited
passage and its answer sentence. ``python -m tests.bench --feedback FILE``
scores the index against it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.settings import BotSettings, ConfigError
from bot.ledger import DB_NAME, Ledger
from index import load_dotenv_file


def export_rows(ledger: Ledger) -> list[dict[str, str]]:
    return [{"id": f"feedback-{row.answer_id}", "q": row.question, "file": row.file, "key": row.key}
            for row in ledger.approved()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.feedback", description=__doc__.splitlines()[0])
    parser.add_argument("--export", action="store_true", help="write the approved question–passage pairs")
    parser.add_argument("--out", type=Path, help="JSONL file to write (default: standard output)")
    args = parser.parse_args(argv)
    if not args.export:
        parser.print_help()
        return 2
    load_dotenv_file()
    try:
        settings = BotSettings.from_env()
    except ConfigError as exc:
        print(f"Cấu hình không hợp lệ: {exc}", file=sys.stderr)
        return 2
    if not (settings.state_dir / DB_NAME).exists():
        print(f"Chưa có đánh giá nào trong {settings.state_dir}", file=sys.stderr)
        rows = []
    else:
        ledger = Ledger(settings.state_dir)
        try:
            rows = export_rows(ledger)
        finally:
            ledger.close()
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"{len(rows)} câu hỏi đã ghi vào {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
