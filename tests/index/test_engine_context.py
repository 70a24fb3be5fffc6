"""Engine additions of issue 11: follow-ups in a document's context, document cards, finding documents."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

SA_PA_Q = "Ai chủ trì khảo sát sự hài lòng của người dân ở Sa Pa?"


def _doc(engine, file_start: str) -> str:
    return next(d.doc_id for d in engine.documents() if d.file.startswith(file_start))


def test_context_doc_puts_that_documents_passages_first(engine) -> None:
    sa_pa, [phu_tho] = _doc(engine, "sa-pa"), [d.doc_id for d in engine.find_documents("06/KH-UBND-BDVTU")]
    assert engine.ask("ai phối hợp tổ chức hội nghị?", 5).hits[0].document.doc_id != phu_tho
    pinned = engine.ask("ai phối hợp tổ chức hội nghị?", 5, context_doc_id=phu_tho)
    assert pinned.hits[0].document.doc_id == phu_tho
    assert {h.chunk.chunk_id for h in pinned.hits} <= {h.chunk.chunk_id for h in engine.ask(
        "ai phối hợp tổ chức hội nghị?", 50).hits}
    # The context never turns a refused question into an answer.
    assert engine.ask("Giá vàng hôm nay bao nhiêu?", 5, context_doc_id=sa_pa).no_answer


def test_follow_up_carries_the_question_and_swaps_a_named_place(engine) -> None:
    same = engine.follow_up(SA_PA_Q, "hạn khi nào?")
    # What the previous question asked for ("ai chủ trì") gives way to what the follow-up asks.
    assert not same.place_changed and same.question == "hạn khi nào? khảo sát sự hài lòng của người dân ở Sa Pa?"
    other = engine.follow_up(SA_PA_Q, "còn ở Phú Thọ thì sao?")
    assert other.place_changed and "Sa Pa" not in other.question and "Phú Thọ" in other.question
    answer = engine.ask(same.question, 5, context_doc_id=_doc(engine, "sa-pa"))
    assert not answer.no_answer and "Thời gian thực hiện" in answer.hits[0].chunk.text
    # The follow-up's own words must be in the answer: no carried-over passage for an unrelated question.
    gold = engine.follow_up(SA_PA_Q, "Giá vàng hôm nay bao nhiêu?")
    assert {"gia", "vang"} <= set(gold.own_terms)
    assert engine.ask(gold.question, 5, _doc(engine, "sa-pa"), gold.own_terms).no_answer
    partners = engine.follow_up(SA_PA_Q, "ai phối hợp?")
    assert not engine.ask(partners.question, 5, _doc(engine, "sa-pa"), partners.own_terms).no_answer


def test_card_and_find_documents(engine) -> None:
    [doc] = engine.find_documents("kh 06/KH-UBND-BDVTU")
    card = engine.card(doc.doc_id)
    assert card.document.number == "06/KH-UBND-BDVTU"
    assert "III. TỔ CHỨC THỰC HIỆN" in card.sections and len(card.tasks) == 13
    assert any("18-CT/TW" in r.text for r in card.references)
    assert len(engine.find_documents("dân vận")) >= 3 and engine.find_documents("999/XYZ hộ chiếu") == []
    assert engine.card("no-such-doc") is None
