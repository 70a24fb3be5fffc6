"""A refused near miss may show the closest passage, marked as not answering; never as the answer."""

from __future__ import annotations

from dataclasses import replace

from bot import render
from bot.render import texts
from tests.bot.records import answer_of, phu_tho_hit


def test_related_passage_is_marked_and_never_cited() -> None:
    h, spans = phu_tho_hit()
    answer = replace(answer_of((h, spans), no_answer=True), related=True)
    messages = render.answer_messages(answer)
    assert len(messages) == 1
    html = messages[0]
    assert html.startswith(texts.NO_ANSWER) and texts.RELATED_ONLY in html
    assert html.index(texts.RELATED_ONLY) < html.index("Sở Nội vụ")
    assert "<blockquote>" not in html and "<b>Giao Sở Nội vụ" not in html  # not quoted, not bolded
    plain = render.plain_answer(answer)
    assert texts.RELATED_ONLY in plain and "Trích dẫn:" not in plain


def test_refusal_without_a_related_passage_shows_none() -> None:
    h, spans = phu_tho_hit()
    assert render.answer_messages(answer_of((h, spans), no_answer=True)) == [texts.NO_ANSWER]
