from __future__ import annotations

import os
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from index.errors import CorruptFile, OcrUnavailable, ProtectedFile
from index.language.normalize import fold
from index.read import lines as layout
from index.read import ocr, pdf, read_file
from index.read.lines import Line

from .conftest import DATA, PdfWriter, render_page

needs_ocr = pytest.mark.skipif(
    not ocr.available(), reason="tesseract with Vietnamese data (vie) is not installed"
)

BODY = [
    # (x, text) lines of a justified plan page, 12 pt on 16 pt leading.
    (102, "Căn cứ Chương trình số 08-CTr/UBND-BDVTU ngày 24/3/2021 về phối hợp thực"),
    (72, "hiện công tác dân vận giữa Ủy ban nhân dân tỉnh và Ban Dân vận Tỉnh ủy giai đoạn"),
    (72, "2021-2025, xây dựng kế hoạch với những nội dung sau:"),
]
ITEM = [
    (102, "1. Tiếp tục thực hiện có hiệu quả các quy định về dân chủ trong hoạt động của"),
    (72, "cơ quan hành chính, phát triển kinh tế - xã hội theo Nghị định số 04/2015/NĐ-"),
    (72, "CP ngày 09/01/2015 của Chính phủ; nâng cao chất lượng công tác dân vận của các"),
    (72, "cơ quan, đơn vị trên địa bàn tỉnh trong năm 2021."),
]


def _text_pdf(path: Path) -> Path:
    writer = PdfWriter().new_page()
    # The header table's two columns share a baseline.
    writer.text(72, 50, "ỦY BAN NHÂN DÂN", 12, bold=True).text(
        300, 50, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, bold=True
    )
    writer.text(72, 66, "TỈNH PHÚ THỌ", 12, bold=True).text(
        330, 66, "Độc lập - Tự do - Hạnh phúc", 12, bold=True
    )
    writer.text(250, 110, "KẾ HOẠCH", 14, bold=True)
    y = 140
    for x, text in BODY:
        writer.text(x, y, text)
        y += 16
    y += 8
    writer.text(72, y, "I. MỤC ĐÍCH, YÊU CẦU", 12, bold=True)
    y += 24
    for x, text in ITEM:
        writer.text(x, y, text)
        y += 16
    writer.text(290, 810, "1")
    writer.new_page()
    writer.text(280, 40, "- 2 -")
    writer.text(102, 80, "- Cơ quan chủ trì thực hiện: Ban Dân vận Tỉnh ủy.")
    writer.text(102, 96, "- Thời gian thực hiện: Quý II năm 2021.")
    writer.text(270, 810, "Trang 2")
    return writer.save(path)


@pytest.fixture(scope="module")
def text_blocks(tmp_path_factory) -> list:
    path = _text_pdf(tmp_path_factory.mktemp("pdf") / "ke-hoach.pdf")
    return read_file(path)


def test_text_pdf_paragraphs_are_rebuilt(text_blocks):
    # The header's two blocks are read one after the other, the issuer's first (Nghị định 30/2020 layout).
    assert [b.text for b in text_blocks] == [
        "ỦY BAN NHÂN DÂN",
        "TỈNH PHÚ THỌ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "KẾ HOẠCH",
        " ".join(text for _, text in BODY),
        "I. MỤC ĐÍCH, YÊU CẦU",
        "1. Tiếp tục thực hiện có hiệu quả các quy định về dân chủ trong hoạt động của cơ quan hành chính, "
        "phát triển kinh tế - xã hội theo Nghị định số 04/2015/NĐ-CP ngày 09/01/2015 của Chính phủ; "
        "nâng cao chất lượng công tác dân vận của các cơ quan, đơn vị trên địa bàn tỉnh trong năm 2021.",
        "- Cơ quan chủ trì thực hiện: Ban Dân vận Tỉnh ủy.",
        "- Thời gian thực hiện: Quý II năm 2021.",
    ]


def test_text_pdf_pages_bold_and_breaks(text_blocks):
    assert [b.page for b in text_blocks] == [1] * 8 + [2, 2]
    assert [b.page_break_before for b in text_blocks] == [False] * 8 + [True, False]
    assert [b.bold for b in text_blocks] == [True] * 5 + [False, True, False, False, False]
    assert all(b.kind == "paragraph" and b.heading_level is None for b in text_blocks)


def test_real_text_pdf_is_not_ocred(tmp_path: Path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a typed PDF must not be OCR'd")

    monkeypatch.setattr(ocr, "ocr_pages", refuse)
    assert read_file(_text_pdf(tmp_path / "typed.pdf"))


SCAN = [
    ("KẾ HOẠCH", True),
    ("Phối hợp thực hiện công tác dân vận năm 2021", True),
    ("I. MỤC ĐÍCH, YÊU CẦU", True),
    (
        "1. Tiếp tục nâng cao chất lượng, hiệu quả công tác dân vận chính quyền; đẩy mạnh thực hiện dân chủ, "
        "tăng cường sự phối hợp giữa các cấp trong giải quyết các công việc và thực thi công vụ.",
        False,
    ),
    (
        "2. Xây dựng đội ngũ cán bộ, công chức, viên chức gần dân, hiểu dân, có trách nhiệm với dân, tuyên "
        "truyền vận động và giải quyết kịp thời, hiệu quả ý kiến, nguyện vọng chính đáng của nhân dân.",
        False,
    ),
    ("- Cơ quan chủ trì thực hiện: Ban Dân vận Thị ủy.", False),
    ("- Thời gian thực hiện: Năm 2022, 2023.", False),
]
STAMP = [
    "Ký bởi: Ủy ban Nhân dân tỉnh Quảng Ngãi",
    "Email: ubnd@quangngai.gov.vn",
    "Cơ quan: Tỉnh Quảng Ngãi",
    "Thời gian ký: 11.01.2021 15:30:12 +07:00",
]


@pytest.fixture(scope="module")
def scan_pdf(tmp_path_factory) -> Path:
    """Page 1: a scan carrying only a signature stamp as text. Page 2: a bare scan."""
    image = render_page(SCAN)
    writer = PdfWriter().new_page(image=image)
    for i, line in enumerate(STAMP):
        writer.text(380, 24 + 9 * i, line, 7)
    writer.new_page(image=image)
    return writer.save(tmp_path_factory.mktemp("scan") / "ban-quet.pdf")


def _word_recall(expected: str, got: str) -> float:
    words = fold(expected).split()
    found = set(fold(got).split())
    return sum(w in found for w in words) / len(words)


@needs_ocr
def test_scanned_pages_are_ocred(scan_pdf: Path, monkeypatch):
    calls: list[list[int]] = []
    original = ocr.ocr_pages
    monkeypatch.setattr(
        ocr, "ocr_pages", lambda doc, pages, **kw: calls.append(list(pages)) or original(doc, pages, **kw)
    )
    blocks = read_file(scan_pdf)
    # The stamp-only text layer did not pass for a page of text.
    assert calls == [[0, 1]]
    expected = " ".join(text for text, _ in SCAN)
    for page in (1, 2):
        text = " ".join(b.text for b in blocks if b.page == page)
        assert _word_recall(expected, text) >= 0.9, text
    texts = [b.text for b in blocks if b.page == 1]
    assert any("kịp thời, hiệu quả ý kiến, nguyện vọng chính đáng" in t for t in texts), texts
    assert "- Cơ quan chủ trì thực hiện: Ban Dân vận Thị ủy." in texts
    assert not any("Ký bởi" in b.text or "@" in b.text for b in blocks)
    assert [b.page_break_before for b in blocks].count(True) == 1


def test_scan_without_tesseract_is_refused(scan_pdf: Path, monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(OcrUnavailable) as caught:
        read_file(scan_pdf)
    assert "tesseract" in caught.value.user_message


def test_short_typed_page_with_an_image_keeps_its_text_without_tesseract(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: False)
    from PIL import Image

    writer = PdfWriter().new_page(image=Image.new("L", (200, 200), 255))
    writer.text(300, 100, "KT. CHỦ TỊCH", 12, bold=True).text(300, 116, "PHÓ CHỦ TỊCH", 12, bold=True)
    blocks = read_file(writer.save(tmp_path / "trang-ky.pdf"))
    assert [b.text for b in blocks] == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]


def test_password_protected_pdf():
    with pytest.raises(ProtectedFile) as caught:
        read_file(DATA / "pdf" / "mat-khau.pdf")
    assert "mật khẩu" in caught.value.user_message


def test_pdf_locked_only_against_printing_is_read():
    blocks = read_file(DATA / "pdf" / "chi-khoa-quyen.pdf")
    assert blocks[0].text == "KE HOACH BAO MAT - tai lieu kiem tra trinh doc PDF."


def test_broken_pdf(tmp_path: Path):
    path = tmp_path / "hong.pdf"
    path.write_bytes(b"%PDF-1.7\n" + os.urandom(2000))
    with pytest.raises(CorruptFile) as caught:
        read_file(path)
    assert caught.value.user_message


# --- the shared line logic, without a PDF -------------------------------------


@pytest.mark.parametrize("text", ["2", "- 3 -", "– 12 –", "Trang 4", "trang 4/10", "Page 7", "3/12"])
def test_page_numbers(text: str):
    assert layout.is_page_number(text)


@pytest.mark.parametrize("text", ["1.", "Điều 2", "- Cơ quan chủ trì", "Quý II/2021", "12/2021"])
def test_not_page_numbers(text: str):
    assert not layout.is_page_number(text)


def test_joining_rules_without_geometry():
    lines = [
        Line("Tổ chức vận động nhân dân tham gia phát triển kinh tế"),
        Line("- xã hội, đảm bảo quốc phòng, an ninh;"),
        Line("- Cơ quan phối hợp: Sở Nội vụ,"),
        Line("Sở Tài chính."),
        Line("a) Nội dung thứ nhất"),
        Line("QUYẾT ĐỊNH"),
        Line("Điều 1. Ban hành kèm theo"),
        Line("Quyết định này Kế hoạch."),
    ]
    assert [b.text for b in layout.page_blocks(lines, 1)] == [
        "Tổ chức vận động nhân dân tham gia phát triển kinh tế - xã hội, đảm bảo quốc phòng, an ninh;",
        "- Cơ quan phối hợp: Sở Nội vụ, Sở Tài chính.",
        "a) Nội dung thứ nhất",
        "QUYẾT ĐỊNH",
        "Điều 1. Ban hành kèm theo Quyết định này Kế hoạch.",
    ]


def test_ocr_regions_separate_blocks():
    tsv = (
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
        "5\t1\t1\t1\t1\t1\t100\t100\t80\t20\t95\tỦY\n"
        "5\t1\t1\t1\t1\t2\t190\t100\t80\t20\t95\tBAN\n"
        "5\t1\t2\t1\t1\t1\t600\t100\t80\t20\t95\tSố\n"
        "5\t1\t2\t1\t1\t2\t690\t100\t80\t20\t95\t06\n"
    )
    lines = ocr.parse_tsv(tsv, scale=2.0)
    assert [(ln.text, ln.x0, ln.region) for ln in lines] == [("ỦY BAN", 50.0, 1), ("Số 06", 300.0, 2)]
    assert [b.text for b in layout.page_blocks(lines)] == ["ỦY BAN", "Số 06"]


def test_minimum_text_threshold_is_documented():
    assert pdf.MIN_TEXT_CHARS == 100


# --- a PDF written by an office suite -------------------------------------------

OFFICE_PDF = DATA / "pdf" / "sa-pa-libreoffice.pdf"  # the Sa Pa plan, justified, page numbers in the footer
CORPUS_MD = Path(__file__).resolve().parents[3] / "corpus" / "sa-pa-2021-2025-kh-tang-cuong-dan-van.md"


def test_office_pdf_gives_back_the_paragraphs():
    source = [b.text for b in read_file(CORPUS_MD)]
    blocks = read_file(OFFICE_PDF)
    texts = {b.text for b in blocks}
    # Only the two paragraphs that run across a page end come out in two parts.
    assert sum(t in texts for t in source) >= len(source) - 2
    assert not any(layout.is_page_number(b.text) for b in blocks)
    assert [b.page for b in blocks if b.page_break_before] == [2, 3, 4, 5, 6]
    section = next(b for b in blocks if b.text == "III. NHIỆM VỤ VÀ GIẢI PHÁP")
    assert section.bold
    assert "- Cơ quan chủ trì thực hiện: Ban Dân vận Thị ủy." in texts


@needs_ocr
def test_dense_scanned_page_accuracy(tmp_path: Path):
    """Page 3 of the office PDF printed and scanned (200 dpi, slight skew, blur, specks)."""
    import random

    from PIL import ImageFilter

    source = pdfium.PdfDocument(str(OFFICE_PDF))
    image = source[2].render(scale=200 / 72, grayscale=True).to_pil().convert("L")
    image = image.rotate(0.4, fillcolor=255).filter(ImageFilter.GaussianBlur(0.5))
    rng, pixels = random.Random(3), image.load()
    for _ in range(image.size[0] * image.size[1] // 5000):
        pixels[rng.randrange(image.size[0]), rng.randrange(image.size[1])] = 0
    scan = PdfWriter().new_page(image=image).save(tmp_path / "trang-quet.pdf")
    truth = " ".join(b.text for b in read_file(OFFICE_PDF) if b.page == 3)
    blocks = read_file(scan)
    assert _word_recall(truth, " ".join(b.text for b in blocks)) >= 0.97
    texts = [b.text for b in blocks]
    assert "3. Một số hoạt động cụ thể" in texts
    # Paragraphs are rebuilt, not one block per scanned line (the page has 40 lines).
    assert 8 <= len(blocks) <= 16  # OCR speed is a bench row (tests/bench/reading.py), not a test


def test_text_layer_without_unicode_is_treated_as_a_scan(tmp_path: Path, monkeypatch):
    # Fonts without a Unicode map come out as U+FFFD or private-use codes: as useless as no text.
    from PIL import Image

    calls: list[list[int]] = []
    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(
        ocr, "ocr_pages", lambda doc, pages, **kw: calls.append(list(pages)) or {0: [Line("Đã nhận dạng.")]}
    )
    writer = PdfWriter().new_page(image=Image.new("L", (100, 100), 255))
    for i in range(8):
        writer.text(72, 100 + 16 * i, "\ufffd\ufffd\ufffd \ufffd\ufffd a\ufffd\ufffd " * 3)
    path = writer.save(tmp_path / "font-loi.pdf")
    layer = pdf._text_lines(pdfium.PdfDocument(str(path))[0])
    assert sum(len(ln.text) for ln in layer) > pdf.MIN_TEXT_CHARS  # there is a text layer…
    blocks = read_file(path)
    assert calls == [[0]]
    assert [b.text for b in blocks] == ["Đã nhận dạng."]
