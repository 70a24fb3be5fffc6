"""How a scanned, hand-numbered, digitally signed document is named: what is unreadable is said, never guessed."""

from __future__ import annotations

from index.records import Document
from bot import render
from bot.render.citation import citation_line, document_header
from tests.bot.records import answer_of, hit, span_of

CHI_THI = Document(doc_id="bbbbbbbb-0", file="chi-thi.pdf", type="Chỉ thị", number="…/CT-UBND",
                   date="2024-09-11", date_source="signature", issuer="Ủy ban nhân dân tỉnh Lâm Đồng",
                   title="Về việc tăng cường công tác dân vận", signed_by="ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG",
                   signed_at="2024-09-11T19:14:21+07:00")
TEXT = "Giao Sở Nội vụ chủ trì, phối hợp với các cơ quan liên quan tổ chức thực hiện Chỉ thị này."


def test_header_says_the_number_is_handwritten_and_the_date_is_the_signing_day():
    assert document_header(CHI_THI) == (
        "Chỉ thị số …/CT-UBND (số viết tay – xem bản gốc) ký số ngày 11/09/2024 – UBND tỉnh Lâm Đồng")


def test_printed_date_is_written_as_before():
    doc = Document(doc_id="c-0", file="k.pdf", type="Kế hoạch", number="06/KH-UBND", date="2021-03-24",
                   date_source="printed", issuer="Ủy ban nhân dân tỉnh Phú Thọ")
    assert document_header(doc) == "Kế hoạch số 06/KH-UBND ngày 24/3/2021 – UBND tỉnh Phú Thọ"


def test_citation_line_names_the_unreadable_number_and_the_title():
    h = hit(CHI_THI, TEXT)
    line = citation_line(h, (span_of(TEXT, TEXT),))
    assert line.startswith("Theo Chỉ thị số …/CT-UBND (số viết tay – xem bản gốc) ký số ngày 11/09/2024 "
                           "“Về việc tăng cường công tác dân vận” của Ủy ban nhân dân tỉnh Lâm Đồng"), line
    assert "ngày 11/9/2024" not in line


def test_answer_message_shows_it():
    h = hit(CHI_THI, TEXT)
    messages = render.answer_messages(answer_of((h, (span_of(TEXT, TEXT),))))
    assert "Chỉ thị số …/CT-UBND (số viết tay – xem bản gốc) ký số ngày 11/09/2024" in messages[0]
