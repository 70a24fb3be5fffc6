"""What a question asks for, and whether a passage answers it: pure rules, no model, no index."""

from __future__ import annotations

import pytest

from index.language.normalize import fold
from index.rank.noanswer import answers_ask, has_shape, subject_share
from index.rank.query import parse_query
from index.records import Chunk
from index.understand.structure import CLOSING, PREAMBLE


def _idf(term: str) -> float:
    return 1.0


def _chunk(text: str, section: tuple[str, ...] = ("II. NỘI DUNG",)) -> Chunk:
    return Chunk(chunk_id=1, doc_id="d", section=section, text=text, start=0, end=len(text))


@pytest.mark.parametrize("question, kind, units", [
    ("Tỉnh Phú Thọ có bao nhiêu đảng viên?", "count", ("dang vien",)),
    ("Hòa Bình có bao nhiêu huyện?", "count", ("huyen",)),
    ("Mặt trận Tổ quốc thị xã Sa Pa cung cấp tài liệu tuyên truyền cho bao nhiêu xã, phường?", "count", ("xa",)),
    ("Bao nhiêu phần trăm lãnh đạo phải được bồi dưỡng kiến thức?", "count", ("%",)),
    ("Ty le hai long cua nguoi dan phai dat bao nhieu?", "count", ("%",)),
    ("Kinh phí thực hiện kế hoạch ở Sa Pa là bao nhiêu tỷ đồng?", "amount", ()),
    ("Mức lương cơ sở năm 2024 là bao nhiêu?", "amount", ()),
    ("Ở đồng bằng sông Cửu Long được giao tối đa bao nhiêu héc-ta đất?", "count", ("hec ta",)),
    ("Trong quý III phải sơ kết mấy năm thực hiện Chỉ thị 04-CT/TU?", "duration", ("nam",)),
    ("Thời hiệu khởi kiện là bao lâu?", "duration", ()),
    ("Hội nghị tổng kết tổ chức vào tháng mấy?", "date", ()),
    ("Trường Chính trị tỉnh Phú Thọ được thành lập năm nào?", "date", ()),
    ("so dien thoai cua phong noi vu thi xa sa pa", "phone", ()),
    ("ai la truong phong noi vu thi xa sa pa", "person", ()),
    ("Ai chủ trì khảo sát sự hài lòng của người dân?", "agency", ()),
    ("Ai ký Kế hoạch 06/KH-UBND-BDVTU?", "signer", ()),
    ("Công văn 113 gửi cho ai?", "recipient", ()),
    ("Trụ sở Mặt trận Tổ quốc thị xã Sa Pa ở đâu?", "place", ()),
    ("Nghị định nào của Chính phủ ban hành ngày 07/11/2018?", "document", ()),
    ("Phòng Tài chính kế hoạch thị xã Sa Pa có nhiệm vụ gì?", "open", ()),
])
def test_ask_kind_and_unit_with_and_without_diacritics(question, kind, units):
    for text in (question, fold(question)):
        ask = parse_query(text).ask
        assert (ask.kind, ask.units) == (kind, units), text


def test_subject_leaves_out_the_ask_words():
    ask = parse_query("Trường Chính trị tỉnh Phú Thọ được thành lập năm nào?").ask
    assert {"truong", "chinh", "tri", "phu", "tho", "thanh", "lap"} <= set(ask.subject)
    assert "nao" not in ask.subject and "thanh_lap" in ask.pairs
    assert not ask.names_document and parse_query("Kế hoạch 40 ban hành ngày nào?").ask.names_document


@pytest.mark.parametrize("question, sentence, expected", [
    ("Tỉnh Phú Thọ có bao nhiêu đảng viên?", "Cung cấp tài liệu cho 16 xã, phường.", False),
    ("Mặt trận Tổ quốc cung cấp tài liệu cho bao nhiêu xã, phường?", "Cung cấp tài liệu cho 16 xã, phường.", True),
    ("Hội đồng có mấy thành viên?", "Hội đồng gồm 13 thành viên.", True),
    ("Hòa Bình có bao nhiêu huyện?", "UBND các huyện, thành phố xây dựng kế hoạch.", False),
    ("Bao nhiêu phần trăm lãnh đạo được bồi dưỡng?", "100% lãnh đạo được bồi dưỡng.", True),
    ("Kinh phí là bao nhiêu tỷ đồng?", "3.5. Kinh phí: Phòng Tài chính tham mưu bố trí nguồn kinh phí.", False),
    ("Kinh phí là bao nhiêu?", "Tổng kinh phí 1,5 tỷ đồng.", True),
    ("Thời hiệu khởi kiện là bao lâu?", "Thời hiệu khởi kiện là 03 năm.", True),
    ("Hội nghị định kỳ bao lâu một lần?", "Định kỳ 6 tháng và cuối năm, tổ chức hội nghị.", True),
    ("Số điện thoại của Sở Nội vụ là gì?", "Sở Nội vụ chủ trì, phối hợp.", False),
    ("Số điện thoại của Sở Nội vụ là gì?", "Liên hệ Sở Nội vụ, điện thoại 0263.3822.456.", True),
    ("Ai là Giám đốc Sở Nội vụ?", "Giao Sở Nội vụ chủ trì theo dõi.", False),
    ("Ai là Giám đốc Sở Nội vụ?", "Ông Nguyễn Văn An, Giám đốc Sở Nội vụ.", True),
    ("Địa chỉ gửi góp ý ở đâu?", "Gửi về 499 Nguyễn Trãi, phường Thanh Liệt.", True),
    ("Chủ tịch UBND xã tiếp công dân vào thời gian nào?",
     "Chủ tịch UBND xã tiếp công dân vào sáng thứ Năm hằng tuần tại trụ sở.", True),
    ("Hội nghị khai mạc lúc mấy giờ?", "Hội nghị khai mạc lúc 14 giờ 30 tại hội trường.", True),
    ("Hội nghị tổng kết tổ chức vào ngày nào?", "Sở Nội vụ chủ trì tổ chức hội nghị tổng kết.", False),
])
def test_answer_shape_of_a_sentence(question, sentence, expected):
    assert has_shape(parse_query(question).ask, sentence) is expected


def test_header_and_signature_answer_only_questions_about_the_document():
    header = _chunk("Số: 06/KH-UBND-BDVTU\nPhú Thọ, ngày 24 tháng 3 năm 2021\nKẾ HOẠCH phối hợp", (PREAMBLE,))
    closing = _chunk("TRƯỞNG BAN\nNguyễn Thị Thanh Huyền\nNơi nhận:\n- Bộ Nội vụ,", (CLOSING,))
    context = "Kế hoạch số 06/KH-UBND-BDVTU ngày 24/3/2021 UBND tỉnh Phú Thọ Phú Thọ năm 2021"
    asks = {q: parse_query(q).ask for q in (
        "Kế hoạch 06/KH-UBND-BDVTU ban hành ngày nào?", "Ai ký Kế hoạch 06/KH-UBND-BDVTU?",
        "Tỉnh Phú Thọ có bao nhiêu đảng viên?", "Ban Dân vận Tỉnh ủy Phú Thọ có bao nhiêu cán bộ?",
        "Ai là Trưởng Ban Dân vận Tỉnh ủy Phú Thọ hiện nay?", "Trường Chính trị tỉnh Phú Thọ thành lập năm nào?")}
    answered = {q for q, ask in asks.items()
                if answers_ask(ask, header, context, _idf) or answers_ask(ask, closing, context, _idf)}
    assert answered == {"Kế hoạch 06/KH-UBND-BDVTU ban hành ngày nào?", "Ai ký Kế hoạch 06/KH-UBND-BDVTU?"}


def test_a_shaped_sentence_must_be_about_what_is_asked():
    chunk = _chunk("Phối hợp Trường Chính trị tỉnh tổ chức các lớp bồi dưỡng. Thời gian: năm 2021.")
    founded = parse_query("Trường Chính trị tỉnh Phú Thọ được thành lập năm nào?").ask
    classes = parse_query("Các lớp bồi dưỡng của Trường Chính trị tổ chức năm nào?").ask
    assert not answers_ask(founded, chunk, "Kế hoạch Phú Thọ", _idf)
    assert answers_ask(classes, _chunk("Trường Chính trị tỉnh tổ chức các lớp bồi dưỡng năm 2021."), "", _idf)
    assert subject_share(["a", "b", "a_b"], "a b", _idf) == 1.0
    assert subject_share(["a", "c"], "a b", _idf) == 0.5
