"""The no-answer rules that read a question's wording: bodies it names, counts, what the sentence itself must say."""

from __future__ import annotations

from index.rank.ask import Ask
from index.rank.noanswer import answers_ask, bodies_named, has_shape, missing_body
from index.records import Chunk


def test_bodies_are_cut_at_their_locality_and_verb():
    assert bodies_named("Sở Y tế tỉnh Hòa Bình được giao nhiệm vụ gì?") == ["so y te"]
    assert bodies_named("Bộ Chỉ huy Quân sự tỉnh Phú Thọ phối hợp thế nào?") == ["bo chi huy quan su"]
    assert bodies_named("Sở Nội vụ Quảng Ngãi dự toán kinh phí gửi sở nào?") == ["so noi vu"]
    assert bodies_named("Đài Phát thanh và Truyền hình thành phố ở đâu?") == ["dai phat thanh"]


def test_words_that_only_look_like_bodies_are_not_bodies():
    # "cơ sở", "trụ sở", "trường hợp", "số", and "báo" restored from "bao nhieu".
    assert bodies_named("Trường hợp nào cơ sở phải báo cáo? Trụ sở ở đâu? Số cán bộ là bao nhiêu?") == []
    assert bodies_named("báo nhiều xã, phường") == []


def test_a_body_the_passage_never_mentions_is_missing():
    question = "Sở Y tế tỉnh Hòa Bình được giao nhiệm vụ gì?"
    assert missing_body(question, "Mặt trận Tổ quốc và các tổ chức chính trị - xã hội tham gia giám sát") == "so y te"
    assert missing_body(question, "Giao Sở Y tế chủ trì tuyên truyền phòng, chống dịch") is None


def test_mot_so_is_not_a_count():
    ask = Ask(kind="count", units=("mo hinh",))
    assert not has_shape(ask, "chọn một số mô hình có tính khả thi cao")
    assert has_shape(ask, "xây dựng 12 mô hình dân vận khéo")
    assert has_shape(ask, "xây dựng hai mô hình dân vận khéo")


def test_a_percentage_is_not_money():
    ask = Ask(kind="amount")
    assert not has_shape(ask, "100% lãnh đạo được bồi dưỡng kiến thức")
    assert has_shape(ask, "kinh phí 250 triệu đồng")


def _chunk(text: str) -> Chunk:
    return Chunk(chunk_id=1, doc_id="d", section=("II. Nội dung",), text=text, start=0, end=len(text))


def test_what_the_context_does_not_say_must_be_in_the_sentence():
    # "ngày thành lập Đảng ủy Khối…": the document is the Đảng ủy Khối's own letter, so its
    # name is given by the context; a sentence with some other date does not say when it was founded.
    ask = Ask(kind="date", subject=("thanh", "lap", "dang", "uy", "khoi"))
    context = "Công văn của Đảng ủy Khối các cơ quan tỉnh Phú Thọ"
    idf = lambda term: 1.0  # noqa: E731
    other = _chunk("Thực hiện Nghị định số 04/2015/NĐ-CP ngày 09/01/2015 của Chính phủ.")
    founded = _chunk("Đảng ủy Khối được thành lập ngày 15/3/1995.")
    assert not answers_ask(ask, other, context, idf)
    assert answers_ask(ask, founded, context, idf)
