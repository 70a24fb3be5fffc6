"""Query parsing, rerank and no-answer on a three-document corpus, with exact expected passage ids.

The documents are tiny plans written for the test (real build, real model),
so every expected id is known: the passage that holds a phrase.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from index.language.normalize import fold
from index.rank.query import parse_query
from index.rank.rerank import rerank
from index.rank.retrieve import Candidate
from index.settings import Settings
from index.understand.structure import CLOSING

pytestmark = pytest.mark.slow

SA_PA = """THỊ ỦY SA PA

Số 12-KH/TU

Sa Pa, ngày 05 tháng 01 năm 2022

KẾ HOẠCH

tăng cường công tác dân vận năm 2022

I. NHIỆM VỤ

1. Tổ chức khảo sát sự hài lòng của người dân

- Cơ quan chủ trì thực hiện: Phòng Nội vụ.
- Thời gian thực hiện: hằng năm.

2. Xây dựng tài liệu tuyên truyền

Mặt trận Tổ quốc thị xã xây dựng tài liệu tuyên truyền và cung cấp tài liệu cho 16 xã, phường.

3. Kinh phí

Phòng Tài chính - Kế hoạch tham mưu bố trí nguồn kinh phí thực hiện kế hoạch.

T/M BAN THƯỜNG VỤ
PHÓ BÍ THƯ

Thào A Sinh
"""

HOA_BINH = """ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH

Số: 30/KH-UBND

Hòa Bình, ngày 20 tháng 01 năm 2021

KẾ HOẠCH

Thực hiện công tác dân vận chính quyền năm 2021

I. TỔ CHỨC THỰC HIỆN

1. Các sở, ban, ngành, Ủy ban nhân dân các huyện báo cáo kết quả thực hiện về Sở Nội vụ \
trước ngày 20/5/2021 đối với báo cáo 6 tháng.

2. Giao Sở Nội vụ chủ trì, phối hợp với các cơ quan liên quan theo dõi, đôn đốc việc thực hiện Kế hoạch này.

KT. CHỦ TỊCH
PHÓ CHỦ TỊCH

Đình Công Sứ
"""

QUANG_NGAI = """UBND TỈNH QUẢNG NGÃI

Số 40 KH/BDVTU-BCSDUBND

Quảng Ngãi, ngày 11 tháng 01 năm 2021

KẾ HOẠCH phối hợp thực hiện công tác dân vận năm 2021

I. NỘI DUNG PHỐI HỢP

1. Phối hợp tổ chức hội nghị đối thoại giữa người đứng đầu cấp ủy, chính quyền với Nhân dân.

2. Hội nghị tổng kết năm về thực hiện Kế hoạch phối hợp được tổ chức vào tháng 12/2021.

T/M BAN CÁN SỰ ĐẢNG UBND TỈNH

Võ Phiên
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory, embedder):
    """A built index of the three plans, its engine, and the id of the passage holding each phrase."""
    from index.build import build_index
    from index.engine import Engine

    root = tmp_path_factory.mktemp("small-corpus")
    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in (("sa-pa.md", SA_PA), ("hoa-binh.md", HOA_BINH), ("quang-ngai.md", QUANG_NGAI)):
        (corpus / name).write_text(text, encoding="utf-8")
    settings = replace(Settings.from_env(), corpus_dir=corpus, index_dir=root / "index")
    report = build_index(settings, embedder=embedder)
    assert not report.failed, report.failed
    engine = Engine(settings, embedder=embedder)
    searcher = engine._current()
    chunks = [c for doc_id in searcher.documents for c in searcher.db.chunks_of(doc_id)]

    def id_of(phrase: str) -> int:
        found = [c.chunk_id for c in chunks if phrase in c.text]
        assert len(found) == 1, (phrase, found)
        return found[0]

    return engine, searcher, id_of


def _top(engine, question: str) -> tuple[int, bool]:
    answer = engine.ask(question)
    return answer.hits[0].chunk.chunk_id, answer.no_answer


def test_query_names_exactly_its_document(small):
    _, searcher, id_of = small
    sa_pa = searcher.chunks([id_of("16 xã, phường")])[id_of("16 xã, phường")].doc_id
    for text in ("Kế hoạch 12-KH/TU giao ai khảo sát?", "ke hoach 12-kh/tu giao ai khao sat"):
        query = parse_query(text)
        named = {d for t in query.numbers for d in searcher.docs_by_number.get(t, ())}
        assert named == {sa_pa}, (text, query.numbers)


def test_rerank_brings_the_signature_block_for_who_signed(small):
    _, searcher, id_of = small
    query = parse_query("Ai ký Kế hoạch 12-KH/TU?")
    ids = sorted(c.chunk_id for d in searcher.documents for c in searcher.db.chunks_of(d))
    flat = [Candidate(cid, 1.0) for cid in ids]
    result = rerank(searcher, query, flat, searcher.fields["terms"].idf)
    top = result.ranked[0][0].chunk_id
    assert top == id_of("Thào A Sinh") and result.part == CLOSING


@pytest.mark.parametrize("folded", [False, True])
def test_answerable_questions_cite_the_expected_passage(small, folded):
    engine, _, id_of = small
    cases = {
        "Ai chủ trì khảo sát sự hài lòng của người dân ở Sa Pa?": "Cơ quan chủ trì thực hiện: Phòng Nội vụ",
        "Mặt trận Tổ quốc Sa Pa cung cấp tài liệu tuyên truyền cho bao nhiêu xã, phường?": "16 xã, phường",
        "Hạn báo cáo 6 tháng về công tác dân vận chính quyền của Hòa Bình là ngày nào?":
            "trước ngày 20/5/2021",
        "Hội nghị tổng kết năm kế hoạch phối hợp Quảng Ngãi tổ chức vào tháng mấy?": "tháng 12/2021",
        "Ai ký Kế hoạch 30/KH-UBND của Hòa Bình?": "Đình Công Sứ",
    }
    for question, phrase in cases.items():
        text = fold(question) if folded else question
        assert _top(engine, text) == (id_of(phrase), False), text


@pytest.mark.parametrize("folded", [False, True])
def test_near_misses_are_refused(small, folded):
    engine, _, _ = small
    for question in ("Thị xã Sa Pa có bao nhiêu đảng viên?", "Hòa Bình có bao nhiêu huyện?",
                     "Kinh phí thực hiện kế hoạch dân vận ở Sa Pa là bao nhiêu tỷ đồng?",
                     "Số điện thoại của Sở Nội vụ tỉnh Hòa Bình là gì?",
                     "Ai là Giám đốc Sở Nội vụ tỉnh Hòa Bình?"):
        text = fold(question) if folded else question
        answer = engine.ask(text)
        assert answer.no_answer, (text, answer.hits[0].chunk.text[:80] if answer.hits else None)
