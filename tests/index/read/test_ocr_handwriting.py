"""Hand-filled header slots keep their digits only when OCR can vouch for them; OCR runs once per file."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.read import ocr, read_file
from index.read.scan import cache
from index.read.scan.handwriting import mark_unreadable
from index.read.scan.words import Word, split_columns

from .conftest import PdfWriter, render_page

needs_ocr = pytest.mark.skipif(not ocr.available(), reason="tesseract with Vietnamese data (vie) is not installed")

PAGE = (2480, 3508)  # A4 at 300 dpi


def _line(*words: tuple[str, float], top: float = 400, left: float = 300) -> list[Word]:
    out, x = [], left
    for text, conf in words:
        out.append(Word(text, conf, x, top, x + 30 * len(text), top + 40, (3, 1, 1)))
        x += 30 * len(text) + 25
    return out


def _texts(lines: list[list[Word]]) -> list[str]:
    return [" ".join(w.text for w in line) for line in lines]


def test_handwritten_number_read_wrong_with_confidence_is_not_kept():
    """Real case: "2191" written by hand, read "2/91" at 89%: the slot becomes "…", the printed code stays."""
    line = _line(("Số:", 74), ("2/91", 89), ("/CT-CS", 84))
    assert _texts(mark_unreadable([line], *PAGE[::-1], reread=lambda box: ["2/91", "2/91"])) == ["Số: … /CT-CS"]


def test_confident_number_that_reads_differently_alone_is_not_kept():
    line = _line(("Số:", 95), ("44", 93), ("/CT-UBND", 96))
    assert _texts(mark_unreadable([line], *PAGE[::-1], reread=lambda box: ["44", "11"])) == ["Số: … /CT-UBND"]


def test_printed_number_read_the_same_every_time_is_kept():
    line = _line(("Số:", 96), ("62/TTr-STP", 95))
    assert _texts(mark_unreadable([line], *PAGE[::-1], reread=lambda box: ["62/TTr-STP", "62/TTr-STP"])) == [
        "Số: 62/TTr-STP"]


def test_handwritten_day_is_unreadable_but_month_and_year_stay():
    line = _line(("Hà", 96), ("Nội,", 95), ("ngày", 96), ("0Ÿ", 95), ("tháng", 93), ("4", 92), ("năm", 97),
                 ("2026", 96), left=1200)
    fixed = mark_unreadable([line], *PAGE[::-1], reread=lambda box: ["2026", "2026"] if box[0] > 2000 else ["4", "4"])
    assert _texts(fixed) == ["Hà Nội, ngày … tháng 4 năm 2026"]


def test_body_lines_below_the_header_are_left_alone():
    line = _line(("Số:", 50), ("15", 40), ("/BC", 40), top=3000)
    assert _texts(mark_unreadable([line], *PAGE[::-1], reread=None)) == ["Số: 15 /BC"]


def test_column_gap_splits_a_line_but_a_blank_for_the_number_does_not():
    merged = _line(("BỘ", 97), ("TÀI", 96), ("CHÍNH", 96)) + _line(("CỘNG", 90), ("HÒA", 97), left=1048)
    assert [[w.text for w in run] for run in split_columns(merged)] == [["BỘ", "TÀI", "CHÍNH"], ["CỘNG", "HÒA"]]
    blank = _line(("Số:", 90)) + _line(("/CT-UBND", 90), left=700)
    assert len(split_columns(blank)) == 1


@needs_ocr
def test_a_scan_is_recognised_once_with_progress(tmp_path: Path, monkeypatch):
    """The upload check and the build read the same bytes: the second read takes the cached OCR."""
    image = render_page([("KẾ HOẠCH", True), ("Giao Sở Nội vụ chủ trì, phối hợp với các cơ quan liên quan.", False)])
    writer = PdfWriter().new_page(image=image)
    writer.new_page(image=image)
    path = writer.save(tmp_path / "ban-quet.pdf")
    cache.use_directory(tmp_path / "index")
    try:
        seen: list[tuple[int, int]] = []
        first = read_file(path, progress=lambda done, total: seen.append((done, total)))
        assert seen[-1] == (2, 2) and len(seen) == 2
        cache.clear_memory()  # a new process: only the index folder remembers

        def no_tesseract(*args, **kwargs):
            raise AssertionError("tesseract ran again")

        monkeypatch.setattr(ocr, "_recognise", no_tesseract)
        copy = tmp_path / "ban-quet-gui-lai.pdf"
        copy.write_bytes(path.read_bytes())
        again = read_file(copy)
        assert [b.text for b in again] == [b.text for b in first]
        assert any("Giao Sở Nội vụ chủ trì" in b.text for b in again)
    finally:
        cache.use_directory(None)


def test_glued_date_words_and_misread_label_are_still_checked():
    """ "ngày44tháng" read as one word, "Só:" for "Số:": the hand-written slots are still not trusted."""
    date = _line(("Hà", 96), ("Nội,", 95), ("ngày44tháng", 90), ("năm", 97), ("2026", 96), left=1200)
    number = _line(("Só:đÓ6", 80), ("/KH-TCTLNTW-C04", 90))
    fixed = mark_unreadable([number, date], *PAGE[::-1], reread=lambda box: ["2026", "2026"])
    assert _texts(fixed) == ["Só: … /KH-TCTLNTW-C04", "Hà Nội, ngày … tháng … năm 2026"]


def test_the_issuing_body_sở_is_not_taken_for_the_number_label():
    """ "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG" opens with "Sở", which OCR also gives for "Số" without its colon."""
    from index.read.scan.handwriting import opens_number_line

    assert not opens_number_line(_line(("SỞ", 95), ("NÔNG", 95), ("NGHIỆP", 95), ("VÀ", 95), ("MÔI", 95)))
    assert not opens_number_line(_line(("Sở", 95), ("Tư", 95), ("pháp", 95)))
    assert opens_number_line(_line(("Số:", 95), ("…", -1), ("/SNNMT-CCQLĐĐ", 95)))
    assert opens_number_line(_line(("Sô", 80), ("/UBND-VX", 95)))
    assert opens_number_line(_line(("Số", 80), ("245/UBND-NC", 95)))
