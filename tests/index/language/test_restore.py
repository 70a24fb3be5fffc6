"""Diacritics restored from the corpus's own syllable bigrams."""

from __future__ import annotations

from index.language.restore import Restorer

TEXTS = [
    "Báo cáo kết quả thực hiện về Ủy ban nhân dân tỉnh trước ngày 20/5/2021 đối với báo cáo 6 tháng.",
    "Hạn nộp báo cáo năm là trước ngày 05/11/2021.",
    "Cơ quan chủ trì thực hiện: Phòng Nội vụ. Bảo đảm sự hài lòng của người dân.",
    "Ban Dân vận chủ trì, phối hợp với các cơ quan liên quan.",
]


def test_restores_questions_typed_without_marks():
    r = Restorer.learn(TEXTS)
    assert r.restore("han nop bao cao nam") == "hạn nộp báo cáo năm"
    assert r.restore("co quan chu tri khao sat su hai long") == "cơ quan chủ trì khao sat sự hài lòng"


def test_keeps_what_was_typed_with_marks_and_unknown_words(tmp_path):
    r = Restorer.learn(TEXTS)
    r.save(tmp_path)
    r2 = Restorer.load(tmp_path)
    assert r2.restore("Ai chủ trì? UBND 2021 xyz") == "Ai chủ trì? UBND 2021 xyz"
