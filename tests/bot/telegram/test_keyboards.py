"""Callback data: within Telegram's 64 bytes, stable across restarts, unknown data refused."""

from __future__ import annotations

import pytest

from bot.telegram import keyboards
from bot.telegram.keyboards import Citation, DocsPage, MoreSources, SourceFile, WholeSection
from tests.bot.records import SA_PA, answer_of, hit, phu_tho_hit

BIG = 10**12  # a question store and an index far larger than any real one


@pytest.mark.parametrize("action", [
    MoreSources(BIG, 15),
    WholeSection(BIG, "0123abcd", "ffffffff-9999"),
    Citation(BIG, BIG, "0123abcd", "ffffffff-9999"),
    SourceFile("ffffffff-9999"),
    DocsPage(9999),
    WholeSection(3, "0123abcd", "odd:doc:id"),  # the doc id goes last, so it may hold ":"
])
def test_round_trip_within_64_bytes(action: keyboards.Action) -> None:
    data = keyboards.encode(action)
    assert len(data.encode("utf-8")) <= 64
    assert keyboards.decode(data) == action


def test_too_long_data_is_refused() -> None:
    with pytest.raises(ValueError):
        keyboards.encode(SourceFile("x" * 70))


@pytest.mark.parametrize("data", [None, "", "x", "z:1", "m:1", "m:a:b", "s:1:ab", "c:1:2:ab", "d:", "pick:1"])
def test_unknown_data_decodes_to_none(data: str | None) -> None:
    assert keyboards.decode(data) is None


def test_fingerprint_changes_with_the_text() -> None:
    assert keyboards.fingerprint("Giao Sở Nội vụ") != keyboards.fingerprint("Giao Sở Tư pháp")
    assert len(keyboards.fingerprint("x")) == 8


def _datas(markup) -> list[str]:
    return [b.callback_data for row in markup.inline_keyboard for b in row]


def test_answer_keyboard_has_the_four_buttons_and_one_per_other_source() -> None:
    top, spans = phu_tho_hit()
    others = [(hit(SA_PA, f"Đoạn {i}", chunk_id=100 + i), ()) for i in range(4)]
    markup = keyboards.answer_keyboard(answer_of((top, spans), *others), question_id=42, has_more=True)
    actions = [keyboards.decode(d) for d in _datas(markup)]
    fp = keyboards.fingerprint(top.chunk.text)
    assert actions[:4] == [MoreSources(42, 5), WholeSection(59, fp, top.document.doc_id),
                           Citation(42, 59, fp, top.document.doc_id), SourceFile(top.document.doc_id)]
    assert [a.chunk_id for a in actions[4:]] == [100, 101, 102, 103]  # sources 2–5
    assert all(len(d.encode()) <= 64 for d in _datas(markup))


def test_no_more_sources_button_on_the_last_page_and_no_buttons_without_answer() -> None:
    top, spans = phu_tho_hit()
    markup = keyboards.answer_keyboard(answer_of((top, spans)), question_id=1, has_more=False)
    assert not any(isinstance(keyboards.decode(d), MoreSources) for d in _datas(markup))
    assert keyboards.answer_keyboard(answer_of((top, spans), no_answer=True), 1, True) is None


def test_docs_keyboard() -> None:
    assert keyboards.docs_keyboard(0, 1) is None
    assert [keyboards.decode(d) for d in _datas(keyboards.docs_keyboard(1, 3))] == [DocsPage(0), DocsPage(2)]
