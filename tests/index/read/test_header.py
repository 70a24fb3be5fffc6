"""Scanned headers: two blocks side by side, numbers and days written in by hand.

Generated pages show the layout rules on a page whose content is visible
here; the cropped real pages (``tests/data/realdocs/``) are what offices send.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from index.read import ocr, read_file
from index.understand.clean import clean_blocks
from index.understand.metadata import extract

from .conftest import DATA, DEJAVU, PdfWriter

needs_ocr = pytest.mark.skipif(not ocr.available(), reason="tesseract with Vietnamese data (vie) is not installed")

DPI = 200
BODY = [
    "Thực hiện Kế hoạch số 06/KH-UBND ngày 24/3/2021 của Ủy ban",
    "nhân dân tỉnh, Ủy ban nhân dân tỉnh yêu cầu thực hiện tốt các",
    "nội dung sau: Giao Sở Nội vụ chủ trì thực hiện Chỉ thị này.",
]


def _handwritten(draw, x: int, y: int, digits: str, height: int, seed: int) -> None:
    """Digits drawn as wobbly pen strokes, the way an office fills in the blank after signing."""
    rng = random.Random(seed)
    for digit in digits:
        jitter = lambda: rng.randint(-3, 3)  # noqa: E731
        if digit == "1":
            strokes = [[(x + 10, y + 12), (x + 22, y)], [(x + 22, y), (x + 12 + jitter(), y + height)]]
        else:  # a loop and a tail: any digit a hand may make
            strokes = [[(x, y + 10), (x + 18, y), (x + 26, y + 14), (x + 6, y + height), (x + 30, y + height)]]
        for stroke in strokes:
            points = [(px + jitter(), py + jitter()) for px, py in stroke]
            draw.line(points, fill=40, width=4, joint="curve")
        x += 30 + rng.randint(0, 6)


def header_scan(path: Path) -> Path:
    """A Chỉ thị page: left block (issuer, "Số: __ /CT-UBND"), right block (motto, place and date), hand-filled."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    width, height = int(8.27 * DPI), int(11.69 * DPI)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    size = int(13 / 72 * DPI)
    regular = ImageFont.truetype(str(DEJAVU / "DejaVuSans.ttf"), size)
    bold = ImageFont.truetype(str(DEJAVU / "DejaVuSans-Bold.ttf"), size)
    left, right = int(0.8 * DPI), int(3.9 * DPI)
    rows = [
        (("ỦY BAN NHÂN DÂN", regular), ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold)),
        (("TỈNH LÂM ĐỒNG", bold), ("Độc lập - Tự do - Hạnh phúc", bold)),
    ]
    y = int(0.7 * DPI)
    for (ltext, lfont), (rtext, rfont) in rows:
        draw.text((left + 60, y), ltext, font=lfont, fill=0)
        draw.text((right, y), rtext, font=rfont, fill=0)
        y += int(size * 1.6)
    y += int(size * 0.8)
    draw.text((left, y), "Số:", font=regular, fill=0)
    draw.text((left + 200, y), "/CT-UBND", font=regular, fill=0)
    _handwritten(draw, left + 110, y - 6, "11", size + 10, seed=3)
    draw.text((right + 40, y), "Lâm Đồng, ngày", font=regular, fill=0)
    draw.text((right + 420, y), "tháng 9 năm 2024", font=regular, fill=0)
    _handwritten(draw, right + 345, y - 6, "11", size + 10, seed=5)
    y += int(size * 3)
    draw.text((int(3.6 * DPI), y), "CHỈ THỊ", font=bold, fill=0)
    y += int(size * 1.6)
    draw.text((int(1.9 * DPI), y), "Về việc tăng cường công tác dân vận chính quyền", font=bold, fill=0)
    y += int(size * 3)
    for text in BODY:
        draw.text((left, y), text, font=regular, fill=0)
        y += int(size * 1.6)
    image = image.filter(ImageFilter.GaussianBlur(0.4))
    return PdfWriter().new_page(image=image).save(path)


@needs_ocr
def test_two_column_header_gives_the_issuer_and_never_a_guessed_number(tmp_path: Path):
    blocks = clean_blocks(read_file(header_scan(tmp_path / "chi-thi.pdf")))
    doc = extract(blocks, doc_id="x-0", file="chi-thi.pdf")
    assert doc.issuer == "Ủy ban nhân dân tỉnh Lâm Đồng"
    assert doc.type == "Chỉ thị"
    # The hand-written "11" is either read right or left unreadable, never another number.
    assert doc.number in ("…/CT-UBND", "11/CT-UBND"), doc.number
    assert doc.date in (None, "2024-09-11"), doc.date
    texts = [b.text for b in blocks]
    # The left block is read before the motto, not across it.
    assert texts.index(next(t for t in texts if t.lower().startswith("số"))) < texts.index(
        next(t for t in texts if "CỘNG HÒA" in t.upper())), texts


@needs_ocr
def test_real_scanned_header_with_handwritten_number_and_day():
    """Công văn 2191/CT-CS (Bộ Tài chính – Cục Thuế): "2191" and "08" are written by hand."""
    path = DATA / "realdocs" / "cong-van-2191-dau-trang.pdf"
    blocks = clean_blocks(read_file(path))
    doc = extract(blocks, doc_id="x-0", file=path.name)
    assert doc.issuer == "Cục Thuế"
    assert doc.type == "Công văn"
    assert doc.number in (None, "…/CT-CS", "2191/CT-CS"), doc.number
    assert doc.date in (None, "2026-04-08"), doc.date
    assert not any("cộng hòa" in (doc.issuer or "").lower() for _ in [0])
    assert doc.title and doc.title.startswith("chính sách thu"), doc.title


@needs_ocr
@pytest.mark.parametrize("name, number, issuer", [
    ("to-trinh-anh-chup.pdf", "416/TTr-CAT(PC04)", "Công an tỉnh Lâm Đồng"),  # a phone photo of the paper
    ("to-trinh-289-quet.pdf", "289/TTr-CAT-PC06", "Công an tỉnh Lâm Đồng"),  # colour scan, red seal, blue ink
])
def test_real_scans_never_state_a_wrong_number(name: str, number: str, issuer: str):
    path = DATA / "realdocs" / name
    doc = extract(clean_blocks(read_file(path)), doc_id="x-0", file=name)
    printed = number.split("/", 1)[1]
    if doc.number is not None:
        assert doc.number in (number, f"…/{printed}"), doc.number
    assert doc.type == "Tờ trình"
    assert doc.issuer is None or doc.issuer.lower() == issuer.lower(), doc.issuer
