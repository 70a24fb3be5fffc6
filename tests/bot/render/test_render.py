"""Rendering answers, sections, citations and the document list (pure functions, no model)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot import render
from bot.render import texts
from index.records import Span
from tests.bot.records import (
    NO_METADATA,
    PHU_THO,
    PHU_THO_ANSWER,
    PHU_THO_TEXT,
    SA_PA,
    answer_of,
    hit,
    phu_tho_hit,
    span_of,
)
from tests.fake_telegram import parse_html


def _entities_text(markup: str, kind: str) -> list[str]:
    text, entities = parse_html(markup)
    utf16 = text.encode("utf-16-le")
    return [utf16[2 * e["offset"]: 2 * (e["offset"] + e["length"])].decode("utf-16-le")
            for e in entities if e["type"] == kind]


# --------------------------------------------------------------------------- naming a source


def test_header_names_type_number_date_and_issuer_abbreviated() -> None:
    assert render.document_header(PHU_THO) == "Kế hoạch số 06/KH-UBND-BDVTU ngày 24/3/2021 – UBND tỉnh Phú Thọ"


def test_header_leaves_out_what_is_unknown() -> None:
    assert render.document_header(SA_PA) == "Kế hoạch – Thị ủy Sa Pa"
    assert render.document_header(replace(PHU_THO, issuer=None)) == "Kế hoạch số 06/KH-UBND-BDVTU ngày 24/3/2021"
    assert "None" not in render.document_header(NO_METADATA)


@pytest.mark.parametrize("issuer, short", [
    ("Ủy ban nhân dân tỉnh Phú Thọ", "UBND tỉnh Phú Thọ"),
    ("Uỷ ban nhân dân huyện Bảo Thắng", "UBND huyện Bảo Thắng"),  # old tone placement
    ("ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "UBND TỈNH QUẢNG NGÃI"),
    ("Ban Cán sự đảng Ủy ban nhân dân tỉnh", "Ban Cán sự đảng UBND tỉnh"),
    ("Thị ủy Sa Pa", "Thị ủy Sa Pa"),
])
def test_short_issuer(issuer: str, short: str) -> None:
    assert render.short_issuer(issuer) == short


@pytest.mark.parametrize("path, number", [
    (("III. TỔ CHỨC THỰC HIỆN", "1. Ủy ban nhân dân tỉnh"), "III.1"),
    (("III. NHIỆM VỤ", "3. Một số hoạt động cụ thể", "3.3. Tổ chức khảo sát"), "III.3.3"),
    (("III. NHIỆM VỤ", "3. Hoạt động", "3.3. Khảo sát", "3.3.3. Báo cáo"), "III.3.3.3"),
    (("II. NỘI DUNG", "2. Phối hợp", "a) Tuyên truyền"), "II.2.a"),
    (("IV. Tổ chức thực hiện",), "IV"),
    (("Phần mở đầu",), None),
    (("Chữ ký và nơi nhận",), None),
])
def test_section_number(path: tuple[str, ...], number: str | None) -> None:
    assert render.section_number(path) == number


def test_section_reference_names_short_titles_only() -> None:
    assert render.section_reference(("III. TỔ CHỨC THỰC HIỆN", "1. Ủy ban nhân dân tỉnh")) == \
        "III.1 (Ủy ban nhân dân tỉnh)"
    long_title = "3.3. Tổ chức khảo sát, đánh giá sự hài lòng của người dân đối với các cơ quan hành chính…"
    assert render.section_reference(("III. NHIỆM VỤ", "3. Hoạt động", long_title)) == "III.3.3"


# --------------------------------------------------------------------------- citation line


def test_citation_line_for_the_minutes() -> None:
    h, spans = phu_tho_hit()
    assert render.citation_line(h, spans) == (
        "Theo Kế hoạch số 06/KH-UBND-BDVTU ngày 24/3/2021 của Ủy ban nhân dân tỉnh Phú Thọ, "
        f'mục III.1 (Ủy ban nhân dân tỉnh): "{PHU_THO_ANSWER}"'
    )


def test_citation_without_number_names_the_title_and_drops_list_dashes() -> None:
    text = "3.3. Tổ chức khảo sát\n- Cơ quan chủ trì thực hiện: Phòng Nội vụ.\n- Thời gian: hằng năm."
    h = hit(SA_PA, text, ("III. NHIỆM VỤ", "3. Hoạt động", "3.3. Tổ chức khảo sát"))
    line = render.citation_line(h, (span_of(text, "- Cơ quan chủ trì thực hiện: Phòng Nội vụ."),))
    assert line == ('Theo Kế hoạch “tăng cường công tác dân vận giai đoạn 2021 - 2025” của Thị ủy Sa Pa, '
                    'mục III.3.3 (Tổ chức khảo sát): "Cơ quan chủ trì thực hiện: Phòng Nội vụ."')


def test_citation_without_answer_sentences_quotes_the_passage() -> None:
    h, _ = phu_tho_hit()
    line = render.citation_line(h, ())
    assert line.endswith('"' + " ".join(PHU_THO_TEXT.split()) + '"')


def test_citation_message_is_copyable_code() -> None:
    h, spans = phu_tho_hit()
    [message] = render.citation_messages(render.citation_line(h, spans))
    assert _entities_text(message, "code") == [render.citation_line(h, spans)]


# --------------------------------------------------------------------------- answers


def test_answer_has_header_section_and_bold_sentence_inside_the_quote() -> None:
    [message] = render.answer_messages(answer_of(phu_tho_hit()))
    text, entities = parse_html(message)
    assert text.startswith("📄 Kế hoạch số 06/KH-UBND-BDVTU ngày 24/3/2021 – UBND tỉnh Phú Thọ")
    assert "Mục: III. TỔ CHỨC THỰC HIỆN › 1. Ủy ban nhân dân tỉnh" in text
    [quote] = [e for e in entities if e["type"] == "blockquote"]
    bold_inside = [e for e in entities if e["type"] == "bold"
                   and quote["offset"] <= e["offset"] < quote["offset"] + quote["length"]]
    assert _entities_text(message, "blockquote") == [PHU_THO_TEXT]
    assert len(bold_inside) == 1
    assert PHU_THO_ANSWER in _entities_text(message, "bold")


def test_next_sources_are_compact() -> None:
    other_text = "- Phối hợp với Mặt trận Tổ quốc tỉnh. " + "Nội dung dài. " * 60
    other = hit(SA_PA, other_text, ("II. MỤC TIÊU", "2. Mục tiêu cụ thể"), chunk_id=7)
    [message] = render.answer_messages(
        answer_of(phu_tho_hit(), (other, (span_of(other_text, "Nội dung dài. " * 40),))))
    text, _ = parse_html(message)
    assert "2. Kế hoạch – Thị ủy Sa Pa · mục II.2 (Mục tiêu cụ thể)" in text
    compact = text.split("Nguồn khác:")[1]
    assert len(compact) < 320  # the answer sentence is shortened
    assert compact.rstrip().endswith("…”")


def test_document_text_is_escaped() -> None:
    text = "Chỉ tiêu: tỷ lệ hài lòng <90% & >70%; *không* dùng <b>thẻ</b>."
    h = hit(PHU_THO, text)
    [message] = render.answer_messages(answer_of((h, (Span(0, len(text)),))))
    assert "<90%" not in message and "&lt;b&gt;thẻ&lt;/b&gt;" in message
    assert text in parse_html(message)[0]


def test_no_answer_never_shows_a_passage() -> None:
    h, spans = phu_tho_hit()
    messages = render.answer_messages(answer_of((h, spans), no_answer=True))
    assert messages == [texts.NO_ANSWER]
    assert "Sở Nội vụ" not in messages[0] and "/docs" in messages[0]


def test_long_passage_is_split_within_limits() -> None:
    text = "\n".join(f"- Nhiệm vụ {i}: " + "triển khai thực hiện kế hoạch & báo cáo <định kỳ>. " * 8
                     for i in range(40))
    h = hit(PHU_THO, text)
    messages = render.answer_messages(answer_of((h, (span_of(text, "- Nhiệm vụ 7: "),))))
    assert len(messages) >= 3
    for message in messages:
        assert len(message) <= 4096
        parse_html(message)
    assert all("blockquote" in m for m in messages)


def test_whole_section_over_several_messages() -> None:
    text = "\n".join(f"{i}. Nội dung phối hợp số {i}: " + "tuyên truyền, vận động nhân dân. " * 20
                     for i in range(1, 30))
    messages = render.section_messages(PHU_THO, ("II. NỘI DUNG PHỐI HỢP",), text)
    assert len(messages) >= 4
    for message in messages:
        assert len(message) <= 4096
        _, entities = parse_html(message)
        assert any(e["type"] == "expandable_blockquote" or e["type"] == "blockquote" for e in entities)
    joined = " ".join(parse_html(m)[0] for m in messages)
    assert " ".join(text.split()) in " ".join(joined.split())


def test_more_sources_page_numbers_from_the_given_rank() -> None:
    pairs = [(hit(SA_PA, f"Đoạn {i}. Câu trả lời {i}.", chunk_id=i), (Span(0, 8),)) for i in range(12)]
    [message] = render.sources_messages(answer_of(*pairs), 5)
    text, _ = parse_html(message)
    assert "Nguồn 6–10" in text and "6. Kế hoạch – Thị ủy Sa Pa" in text and "11." not in text
    assert render.sources_messages(answer_of(*pairs), 15) == [texts.NO_MORE_SOURCES]


# --------------------------------------------------------------------------- documents


def test_docs_pages_stay_short_however_long_the_titles() -> None:
    docs = [replace(PHU_THO, doc_id=f"d-{i}", title="Kế hoạch " + "rất dài " * 300, issuer="Sở " * 300)
            for i in range(25)]
    pages = [render.docs_page(docs, p) for p in range(3)]
    assert [n for _, n in pages] == [3, 3, 3]
    for text, _ in pages:
        assert len(text) <= 4096
        parse_html(text)
    assert "21. " in pages[2][0] and "(trang 3/3)" in pages[2][0]
    assert render.docs_page(docs, 99)[0] == pages[2][0]  # a stale page number shows the last page


def test_docs_lists_type_number_date_issuer() -> None:
    text, pages = render.docs_page([PHU_THO, SA_PA], 0)
    assert pages == 1
    plain, _ = parse_html(text)
    assert "1. Kế hoạch số 06/KH-UBND-BDVTU ngày 24/3/2021 – UBND tỉnh Phú Thọ" in plain
    assert "2. Kế hoạch – Thị ủy Sa Pa" in plain


# --------------------------------------------------------------------------- terminal


def test_plain_answer_marks_the_sentence_and_gives_the_citation() -> None:
    out = render.plain_answer(answer_of(phu_tho_hit()))
    assert out.splitlines()[0] == "Kế hoạch số 06/KH-UBND-BDVTU ngày 24/3/2021 – UBND tỉnh Phú Thọ"
    assert f"«{PHU_THO_ANSWER}»" in out
    assert 'Trích dẫn: Theo Kế hoạch số 06/KH-UBND-BDVTU' in out
    assert "<" not in out


def test_plain_texts_have_no_markup() -> None:
    for markup in (texts.HELP, texts.START, texts.NO_ANSWER, texts.NO_TASKS, texts.TASKS_HOW_TO):
        parse_html(markup)
        assert "<" not in texts.plain(markup)
