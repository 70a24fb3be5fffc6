"""Passages from a scan say so and say where they are: "trang 2" and the OCR mark."""

from __future__ import annotations

from dataclasses import replace

from bot import render
from bot.render import texts
from index.records import Box
from tests.bot.records import answer_of, phu_tho_hit
from tests.fake_telegram import parse_html

BOXES = (Box(2, 70, 400, 520, 414, 0, 40), Box(3, 70, 60, 300, 74, 41, 80))


def _scanned(pages=BOXES, ocr=True):
    top, spans = phu_tho_hit()
    return replace(top, chunk=replace(top.chunk, boxes=pages, ocr=ocr)), spans


def test_answer_shows_the_pages_and_the_ocr_mark() -> None:
    top, spans = _scanned()
    [message] = render.answer_messages(answer_of((top, spans)))
    text, _ = parse_html(message)
    assert "· trang 2–3" in text.splitlines()[2]  # on the section line
    assert texts.OCR_MARK in text


def test_typed_pdf_passage_shows_its_page_without_the_ocr_mark() -> None:
    top, spans = _scanned(pages=BOXES[:1], ocr=False)
    text, _ = parse_html(render.answer_messages(answer_of((top, spans)))[0])
    assert "· trang 2" in text and "trang 2–" not in text
    assert texts.OCR_MARK not in text


def test_compact_sources_name_page_and_ocr() -> None:
    top, spans = phu_tho_hit()
    other, other_spans = _scanned(pages=BOXES[1:])
    text, _ = parse_html(render.answer_messages(answer_of((top, spans), (other, other_spans)))[0])
    assert "trang 3 · OCR" in text.split("Nguồn khác:")[1]


def test_citation_line_carries_page_and_ocr_warning() -> None:
    top, spans = _scanned()
    line = render.citation_line(top, spans)
    assert ", trang 2–3: \"" in line
    assert line.endswith("(văn bản quét, nhận dạng OCR – đối chiếu bản gốc)")
    plain_top, _ = phu_tho_hit()
    assert "OCR" not in render.citation_line(plain_top, spans) and "trang" not in render.citation_line(plain_top, spans)


def test_plain_answer_says_page_and_ocr() -> None:
    top, spans = _scanned()
    plain = render.plain_answer(answer_of((top, spans)))
    assert "Trang 2–3" in plain and texts.OCR_MARK in plain
