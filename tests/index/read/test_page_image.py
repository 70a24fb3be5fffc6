"""Where a passage is on the page, and the picture an official checks an OCR reading against."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from index.parse import parse_file
from index.read import ocr
from index.read.lines import Line, page_blocks
from index.read.page_image import DPI, MARGIN_PT, page_image
from tests.index.read.conftest import PdfWriter, render_page

needs_ocr = pytest.mark.skipif(not ocr.available(), reason="tesseract with Vietnamese (vie) is not installed")

BODY = [
    "1. Sở Nội vụ chủ trì, phối hợp với các sở, ngành rà soát, cập nhật hồ sơ cán bộ, công chức",
    "trên hệ thống cơ sở dữ liệu của tỉnh, hoàn thành trước ngày 30/6/2025.",
    "2. Sở Tài chính bố trí kinh phí thực hiện các nhiệm vụ của Kế hoạch này theo quy định",
    "của pháp luật về ngân sách nhà nước.",
]


def _red_pixels(png: bytes) -> int:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return sum(1 for r, g, b in image.getdata() if r > 180 and g < 80 and b < 80)


def test_block_lines_keep_their_boxes_and_text_ranges():
    lines = [Line("Sở Nội vụ chủ trì rà soát hồ sơ cán bộ, công chức", x0=70, x1=520, top=100, bottom=114),
             Line("trên hệ thống cơ sở dữ liệu của tỉnh.", x0=70, x1=300, top=118, bottom=132),
             Line("2. Sở Tài chính bố trí kinh phí.", x0=70, x1=280, top=140, bottom=154, region=3)]
    first, second = page_blocks(lines, page=4)
    assert [first.text[b.start:b.end] for b in first.boxes] == [lines[0].text, lines[1].text]
    assert [(b.page, b.top, b.bottom) for b in first.boxes] == [(4, 100, 114), (4, 118, 132)]
    # Only lines that came from tesseract (they carry its block id) make an OCR block.
    assert not first.ocr and second.ocr


@pytest.fixture(scope="module")
def text_pdf(tmp_path_factory) -> Path:
    writer = PdfWriter().new_page()
    writer.text(70, 60, "KẾ HOẠCH", 13, bold=True)
    writer.text(70, 80, "Cập nhật cơ sở dữ liệu cán bộ, công chức năm 2025", 12)
    for i, line in enumerate(BODY):
        writer.text(70, 400 + 18 * i, line, 11)
    return writer.save(tmp_path_factory.mktemp("pdf") / "ke-hoach.pdf")


def test_text_pdf_passage_knows_its_page_and_lines(text_pdf: Path):
    chunks = [c for d in parse_file(text_pdf, text_pdf.name) for c in d.chunks]
    chunk = next(c for c in chunks if "Sở Tài chính bố trí kinh phí" in c.text)
    assert chunk.pages == (1,) and not chunk.ocr
    finance = [b for b in chunk.boxes if "Sở Tài chính" in chunk.text[b.start:b.end]]
    assert len(finance) == 1
    # Written 18 pt apart from y = 400 (top-left origin): line 3 of the body sits near 400 + 36.
    assert 425 <= finance[0].top <= 440 and finance[0].x0 == pytest.approx(70, abs=2)

    png = page_image(text_pdf, chunk.boxes)
    assert png is not None and png.startswith(b"\x89PNG")
    image = Image.open(io.BytesIO(png))
    # Cropped to the lines with a margin, not the whole A4 page (595 x 842 pt).
    tops = [b.top for b in chunk.boxes]
    expected_height = (max(b.bottom for b in chunk.boxes) - min(tops) + 2 * MARGIN_PT) * DPI / 72
    assert image.height == pytest.approx(expected_height, rel=0.1)
    assert image.height < 0.7 * 842 * DPI / 72 and image.width > 300
    assert _red_pixels(png) > 200  # the lines are outlined


LONG_1 = ("1. Sở Nội vụ chủ trì, phối hợp với các sở, ngành rà soát, cập nhật hồ sơ cán bộ, công chức trên hệ "
          "thống cơ sở dữ liệu của tỉnh; hướng dẫn các cơ quan, đơn vị chuẩn hóa thông tin, bổ sung các trường "
          "dữ liệu còn thiếu và kiểm tra, đối chiếu với hồ sơ giấy đang lưu trữ tại cơ quan, hoàn thành trước "
          "ngày 30/6/2025.")
LONG_2 = ("2. Sở Tài chính bố trí kinh phí thực hiện các nhiệm vụ của Kế hoạch này theo quy định của pháp luật "
          "về ngân sách nhà nước; hướng dẫn các cơ quan, đơn vị lập dự toán, thanh toán và quyết toán kinh phí "
          "số hóa hồ sơ, bảo đảm đúng chế độ, tiết kiệm và hiệu quả trong năm 2025.")


@needs_ocr
def test_scanned_passage_is_marked_as_ocr_and_located(tmp_path: Path):
    page_1 = [("KẾ HOẠCH", True), ("Cập nhật cơ sở dữ liệu cán bộ năm 2025", False), (LONG_1, False)]
    writer = PdfWriter().new_page(image=render_page(page_1)).new_page(image=render_page([(LONG_2, False)]))
    pdf = writer.save(tmp_path / "ban-quet.pdf")
    chunks = [c for d in parse_file(pdf, pdf.name) for c in d.chunks]
    assert chunks and all(c.ocr for c in chunks)
    seen = [(c.pages, c.text[:80]) for c in chunks]
    first = next((c for c in chunks if "Sở Nội vụ chủ trì" in c.text), None)
    second = next((c for c in chunks if "Sở Tài chính" in c.text), None)
    assert first is not None and second is not None, seen
    assert first.pages == (1,) and second.pages == (2,), seen
    # render_page starts at 0.9 inch (65 pt) and writes 13 pt lines 19.5 pt apart: item 1 is lines 3 to 7.
    assert all(90 < b.top < 250 for b in first.boxes if "Sở Nội vụ" in first.text[b.start:b.end] or b.start > 0)
    png = page_image(pdf, first.boxes)
    assert png is not None and _red_pixels(png) > 200
    assert page_image(pdf, first.boxes, page=9) is None


def test_missing_file_gives_no_picture(tmp_path: Path):
    from index.records import Box

    assert page_image(tmp_path / "khong-co.pdf", (Box(1, 0, 0, 10, 10),)) is None
    assert page_image(tmp_path / "khong-co.pdf", ()) is None
