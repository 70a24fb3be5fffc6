"""Tilted scans and photos are turned straight before OCR; straight ones are left alone."""

from __future__ import annotations

import pytest

from index.read import ocr
from index.read.scan.deskew import deskew, skew_angle

from .conftest import render_page

PARAGRAPHS = [("ỦY BAN NHÂN DÂN TỈNH LÀO CAI", True), ("CÔNG VĂN", True)] + [
    ("Thực hiện Kế hoạch số 15/KH-UBND ngày 10/01/2025 về chuyển đổi số, Ủy ban nhân dân tỉnh yêu cầu các cơ "
     "quan, đơn vị thực hiện một số nội dung sau đây, báo cáo kết quả trước ngày 30/6/2025.", False)] * 6


@pytest.fixture(scope="module")
def page():
    return render_page(PARAGRAPHS, dpi=200, noise=False)


@pytest.mark.parametrize("tilt", [2.5, -1.5, 4.0])
def test_a_tilted_page_is_turned_back(page, tilt: float):
    tilted = page.rotate(tilt, fillcolor=255)
    straight, angle = deskew(tilted)
    assert angle == pytest.approx(-tilt, abs=0.3)
    residual = skew_angle(straight)
    assert residual is not None and abs(residual[0]) < 0.3


def test_a_straight_page_is_left_as_it_is(page):
    same, angle = deskew(page)
    assert angle == 0.0 and same is page


def test_a_blank_page_is_left_as_it_is():
    from PIL import Image

    blank = Image.new("L", (800, 1100), 255)
    same, angle = deskew(blank)
    assert angle == 0.0 and same is blank


@pytest.mark.skipif(not ocr.available(), reason="tesseract with Vietnamese data (vie) is not installed")
def test_lines_of_a_tilted_scan_are_outlined_as_lines(page):
    """Read tilted, a line's box spans its slope (the "Ảnh trang gốc" outline covers three lines);
    straightened first, each box is one line of 13-point text high."""
    import statistics

    tilted = page.rotate(3.0, fillcolor=255, expand=False)
    lines = ocr._recognise(tilted, 200 / 72, 1)
    texts = [ln.text for ln in lines]
    assert any("ỦY BAN NHÂN DÂN TỈNH LÀO CAI" in t for t in texts), texts
    assert sum("báo cáo kết quả trước ngày" in t for t in texts) >= 4, texts
    assert statistics.median(ln.bottom - ln.top for ln in lines) < 20  # points; 35 when read tilted


def test_a_slight_tilt_is_left_to_tesseract(page):
    """Under a degree tesseract follows the lines itself; turning the page would only blur it."""
    slight = page.rotate(0.5, fillcolor=255)
    same, angle = deskew(slight)
    assert angle == 0.0 and same is slight
