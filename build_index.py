"""Build or update the index of the corpus (contract 1 of DESIGN.md).

    python build_index.py [--corpus DIR] [--index DIR] [--full] [--json]

Incremental by default. Exit 0: index up to date; 1: up to date but some files
failed (listed with a Vietnamese reason); 2: nothing built.

Testing only: ``BUILD_KILL_AT=read|embed|write|commit|collect`` makes the build
SIGKILL itself at that phase (``index.build.kill_at``; the crash tests use it).
"""

from __future__ import annotations

import os

# numpy's BLAS and torch otherwise fight over the two cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

from index.errors import EngineError  # noqa: E402
from index.records import BuildReport  # noqa: E402
from index.settings import Settings, load_dotenv_file  # noqa: E402

logger = logging.getLogger("build_index")


def report_json(report: BuildReport) -> dict[str, object]:
    return {
        "index_dir": report.index_dir, "model": report.model, "documents": report.documents,
        "chunks": report.chunks, "embedded": report.embedded, "seconds": report.seconds,
        "files": [
            {"file": f.file, "status": f.status, "error": f.error,
             "documents": [{"doc_id": d.doc_id, "type": d.type, "number": d.number, "date": d.date,
                            "issuer": d.issuer, "title": d.title, "chunks": n} for d, n in f.documents]}
            for f in report.files
        ],
    }


def _summary(report: BuildReport) -> str:
    counts: dict[str, int] = {}
    for f in report.files:
        counts[f.status] = counts.get(f.status, 0) + 1
    names = {"indexed": "đã lập chỉ mục", "unchanged": "không đổi", "removed": "đã gỡ", "failed": "lỗi"}
    parts = ", ".join(f"{n} tệp {names[s]}" for s, n in counts.items())
    lines = [f"Chỉ mục: {report.documents} văn bản, {report.chunks} đoạn; nhúng mới {report.embedded} đoạn "
             f"trong {report.seconds:.1f} giây ({parts or 'không có tệp'})."]
    for f in report.failed:
        lines.append(f"  - {f.file}: {f.error}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    load_dotenv_file()
    parser = argparse.ArgumentParser(description="Xây dựng hoặc cập nhật chỉ mục văn bản.")
    parser.add_argument("--corpus", help="thư mục văn bản (mặc định CORPUS_DIR hoặc corpus/)")
    parser.add_argument("--index", help="thư mục chỉ mục (mặc định INDEX_DIR hoặc index/data)")
    parser.add_argument("--full", action="store_true", help="xây dựng lại toàn bộ")
    parser.add_argument("--json", action="store_true", help="in báo cáo JSON trên stdout")
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO").upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)

    settings = Settings.from_env()
    if args.corpus:
        settings = replace(settings, corpus_dir=Path(args.corpus).expanduser().resolve())
    if args.index:
        settings = replace(settings, index_dir=Path(args.index).expanduser().resolve())
    if not settings.corpus_dir.is_dir():
        print(f"Không tìm thấy thư mục văn bản: {settings.corpus_dir}", file=sys.stderr)
        return 2

    from index.build import build_index, kill_at

    try:
        on_phase = kill_at(os.environ.get("BUILD_KILL_AT"))
    except ValueError as exc:
        print(f"BUILD_KILL_AT không hợp lệ: {exc}", file=sys.stderr)
        return 2
    try:
        report = build_index(settings, full=args.full, show_progress=sys.stderr.isatty() and not args.json,
                             on_phase=on_phase)
    except EngineError as exc:
        logger.error("build failed: %s", exc)
        print(exc.user_message, file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report_json(report), ensure_ascii=False))
    else:
        print(_summary(report))
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
