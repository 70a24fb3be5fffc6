"""Rerank cues for real documents: what the question asks beyond naming its document, and which part it wants."""

from __future__ import annotations

from index.language.segment import syllables
from index.rank.query import parse_query
from index.rank.rerank import residual_fit, wanted_part
from index.understand.structure import PREAMBLE

HEADER = ("THÔNG BÁO Kết luận của đồng chí Nguyễn Ngọc Phúc, Phó Chủ tịch UBND tỉnh tại buổi làm việc nghe báo cáo "
          "giải pháp nâng cao các chỉ số PAR INDEX, PAPI, SIPAS, PCI")
OPENING = ("Ngày 07/11/2025, đồng chí Nguyễn Ngọc Phúc, Phó Chủ tịch UBND tỉnh đã chủ trì buổi làm việc nghe báo cáo "
           "giải pháp nâng cao các chỉ số PAR INDEX, PAPI, SIPAS, PCI.")
ITEM = ("7. Giao Thanh tra tỉnh chủ trì, phối hợp với các cơ quan có liên quan tổ chức thanh tra công tác phòng "
        "chống tham nhũng trong giải quyết thủ tục hành chính.")


def _idf(term: str) -> float:
    return 1.0


def test_the_passage_holding_what_is_asked_beats_one_repeating_the_documents_name():
    query = parse_query("Theo kết luận của PCT Nguyễn Ngọc Phúc về các chỉ số PAR INDEX, PAPI, cơ quan nào chủ trì "
                        "thanh tra chống tham nhũng?")
    naming = set(syllables(HEADER))
    assert residual_fit(query, ITEM, naming, _idf) > residual_fit(query, OPENING, naming, _idf) + 0.3
    # Without the header's words set aside, the opening paragraph holds as much of the question.
    assert residual_fit(query, OPENING, set(), _idf) >= residual_fit(query, ITEM, set(), _idf) - 0.1


def test_a_question_made_only_of_the_documents_name_has_no_residual():
    query = parse_query("các chỉ số PAR INDEX, PAPI, SIPAS")
    assert residual_fit(query, ITEM, set(syllables(HEADER)), _idf) == 0.0


def test_asking_a_documents_number_wants_its_header():
    assert wanted_part(parse_query("Công văn góp ý của Sở NN&MT về Ban vận động có số hiệu là gì?"), False) == PREAMBLE
    assert wanted_part(parse_query("Sở Tư pháp có bao nhiêu công chứng viên?"), False) is None


def test_asking_to_have_a_document_signed_is_not_asking_who_signed():
    assert "signer" not in parse_query("Văn bản nào đề nghị UBND tỉnh ký ban hành báo cáo tổng kết?").kinds
    assert "signer" in parse_query("Tờ trình của Sở Tư pháp do ai ký?").kinds
    assert "signer" in parse_query("Ai ký ban hành Quyết định 932?").kinds
