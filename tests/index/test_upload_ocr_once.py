"""An uploaded scan is recognised once: the upload check and the build share the OCR.

An admin waits for a long scan to be read; reading it twice (once to check
the file, once to index it) would double that wait. The pages recognised by
tesseract are counted at the one function that runs it on a page.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from index.build import build_index
from index.engine import Engine
from index.read import ocr
from index.read.scan import cache
from index.settings import Settings
from tests.index.read.conftest import PdfWriter, render_page

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not ocr.available(), reason="tesseract with Vietnamese (vie) is not installed"),
]

PAGE_1 = [
    ("ỦY BAN NHÂN DÂN TỈNH LÀO CAI", True),
    ("Số: 245/UBND-NC", False),
    ("V/v triển khai số hóa hồ sơ lưu trữ", False),
    ("1. Sở Nội vụ chủ trì hướng dẫn các cơ quan số hóa hồ sơ lưu trữ, hoàn thành trước ngày 30/6/2025.", False),
]
PAGE_2 = [
    ("2. Sở Tài chính bố trí kinh phí thực hiện số hóa hồ sơ trong dự toán ngân sách năm 2025.", False),
    ("Nơi nhận:", False), ("- Như trên;", False), ("- Lưu: VT.", False),
]


@pytest.fixture
def recognised(monkeypatch) -> list[int]:
    """Page numbers tesseract was run on (the real recognition, counted)."""
    pages: list[int] = []
    real = ocr._recognise

    def counting(image, scale, page_number):
        pages.append(page_number)
        return real(image, scale, page_number)

    monkeypatch.setattr(ocr, "_recognise", counting)
    return pages


def test_upload_check_and_build_recognise_each_page_once(tmp_path: Path, embedder, recognised: list[int]):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ghi-chu.md").write_text("# Ghi chú\n\nSở Nội vụ tổng hợp báo cáo hằng quý.\n", encoding="utf-8")
    settings = replace(Settings.from_env(), corpus_dir=corpus, index_dir=tmp_path / "index")
    build_index(settings, embedder=embedder)
    scan = PdfWriter().new_page(image=render_page(PAGE_1)).new_page(image=render_page(PAGE_2))
    upload = scan.save(tmp_path / "upload.pdf")
    cache.clear_memory()

    seen: list[tuple[int, int]] = []
    engine = Engine(settings, embedder=embedder)
    saved, report = engine.add_file(upload, "cong-van-quet.pdf", progress=lambda done, total: seen.append((done, total)))

    assert report is not None and not report.failed
    assert sorted(recognised) == [1, 2], "each page is recognised once across the check and the build"
    assert seen[-1] == (2, 2), "the admin is told how far the recognition is"
    answer = engine.ask("Sở Tài chính bố trí kinh phí số hóa hồ sơ")
    assert answer.hits and answer.hits[0].document.file == saved.file

    # After a restart (no pages in memory) a full rebuild still reads the pages from INDEX_DIR/ocr.sqlite.
    cache.clear_memory()
    build_index(settings, embedder=embedder, full=True)
    assert sorted(recognised) == [1, 2]
