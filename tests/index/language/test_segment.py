"""Keyword terms: the same question typed any way gives the same terms."""

from __future__ import annotations

from index.language.normalize import canonical, fold
from index.language.segment import Segmenter, abbreviation_terms, date_terms, keyword_terms, number_terms


def test_diacritics_and_old_tone_placement_fold_to_the_same_terms():
    typed = ["Ủy ban nhân dân tỉnh Hòa Bình", "Uỷ ban nhân dân tỉnh Hoà Bình", "uy ban nhan dan tinh hoa binh",
             "U\u0309y ban nhân dân tỉnh Ho\u0300a Bình"]  # the last one is NFD
    assert len({tuple(keyword_terms(t)) for t in typed}) == 1


def test_canonical_moves_old_tone_marks_and_keeps_length():
    assert canonical("Uỷ ban, hoà bình, thuỷ lợi") == "Ủy ban, hòa bình, thủy lợi"
    assert fold("Đảng ủy Khối") == "dang uy khoi"


def test_document_numbers_match_however_written():
    assert "ct5" in number_terms("Chỉ thị 05-CT/TW của Bộ Chính trị")
    assert "ct5" in number_terms("chi thi so 5 ve hoc tap")
    assert "kh40" in number_terms("Số 40 KH/BDVTU-BCSDUBND") and "kh40" in number_terms("Kế hoạch 40")
    assert set(number_terms("Nghị định số 149/2018/NĐ-CP")) & set(number_terms("nghi dinh 149/2018/ND-CP"))


def test_dates_in_words_and_digits_match():
    assert date_terms("ngày 11 tháng 01 năm 2021") == date_terms("ngày 11/01/2021") == ["d2021-01-11"]


def test_abbreviations_expand_in_capitals_only_when_ambiguous():
    assert "uy" in abbreviation_terms("UBND tỉnh") and "uy" in abbreviation_terms("ubnd tinh")
    assert abbreviation_terms("05-CT/TU") and not abbreviation_terms("tu duy")


def test_underthesea_words():
    words = Segmenter().word_terms("Giao Sở Nội vụ chủ trì, phối hợp với các cơ quan liên quan")
    assert "chủ_trì" in words and "phối_hợp" in words
