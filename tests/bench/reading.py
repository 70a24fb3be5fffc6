"""Speed rows for reading files, for ``make bench`` (the tests assert behaviour only, never time).

- OCR of a two-page scan (the scan of ``tests/index/read/test_pdf.py``'s
  ``test_scanned_pages_are_ocred``; its former ``< 20 s`` check lives here now);
- a pathological file: 2 MB of Markdown made of one repeated line, read and
  indexed incrementally next to one plan with the model already loaded (it
  once took 303 s and made 3,585 identical passages).

    from tests.bench.reading import reading_rows
    reading_rows(embedder, rows)  # appends (measure, value) rows
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from index.settings import ROOT, Settings

SCAN_PAGE = [
    ("KẾ HOẠCH", True),
    ("Phối hợp thực hiện công tác dân vận năm 2021", True),
    ("I. MỤC ĐÍCH, YÊU CẦU", True),
    (("1. Tiếp tục nâng cao chất lượng, hiệu quả công tác dân vận chính quyền; đẩy mạnh thực hiện dân chủ, "
      "tăng cường sự phối hợp giữa các cấp trong giải quyết các công việc và thực thi công vụ."), False),
    (("2. Xây dựng đội ngũ cán bộ, công chức, viên chức gần dân, hiểu dân, có trách nhiệm với dân, tuyên "
      "truyền vận động và giải quyết kịp thời, hiệu quả ý kiến, nguyện vọng chính đáng của nhân dân."), False),
    ("- Cơ quan chủ trì thực hiện: Ban Dân vận Thị ủy.", False),
    ("- Thời gian thực hiện: Năm 2022, 2023.", False),
]
REPEATED_LINE = "Ủy ban nhân dân tỉnh giao Sở Văn hóa chủ trì tổ chức Hội thi cán bộ dân vận khéo cấp tỉnh."


def ocr_row(work: Path) -> tuple[str, str]:
    from index.read import ocr, read_file
    from tests.index.read.conftest import PdfWriter, render_page

    if not ocr.available():
        return ("OCR: 2 scanned pages (tesseract, vie)", "skipped: tesseract with vie not installed")
    image = render_page(SCAN_PAGE)
    path = PdfWriter().new_page(image=image).new_page(image=image).save(work / "ban-quet.pdf")
    t = time.perf_counter()
    blocks = read_file(path)
    return ("OCR: 2 scanned pages (tesseract, vie, one process per core)",
            f"{time.perf_counter() - t:.1f} s, {len(blocks)} paragraphs")


def pathological_row(embedder, work: Path) -> tuple[str, str]:
    from index.build import build_index

    settings = replace(Settings.from_env(), corpus_dir=work / "corpus", index_dir=work / "index")
    settings.corpus_dir.mkdir()
    shutil.copy(ROOT / "corpus" / "sa-pa-2021-2025-kh-tang-cuong-dan-van.md", settings.corpus_dir)
    build_index(settings, embedder=embedder)
    line = REPEATED_LINE + "\n"
    (settings.corpus_dir / "lap-lai.md").write_text(
        "# KẾ HOẠCH\n\n" + line * (2 * 2**20 // len(line.encode()) + 1), encoding="utf-8")
    t = time.perf_counter()
    report = build_index(settings, embedder=embedder)
    seconds = time.perf_counter() - t
    passages = sum(n for f in report.files if f.file == "lap-lai.md" for _, n in f.documents)
    return ("pathological: 2 MB Markdown of one repeated line, indexed (incremental, model loaded)",
            f"{seconds:.1f} s, {passages} passages, {report.embedded} embedded")


def reading_rows(embedder, rows: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-reading-") as tmp:
        work = Path(tmp)
        rows.append(ocr_row(work))
        rows.append(pathological_row(embedder, work))


if __name__ == "__main__":
    from index.store.embed import load_embedder

    out: list[tuple[str, str]] = []
    reading_rows(load_embedder(Settings.from_env()), out)
    print("| measure | value |\n|---|---|")
    for name, value in out:
        print(f"| {name} | {value} |")
