"""The "🖼 Ảnh trang gốc" button: under answers whose top passage lies on a PDF page, and only there."""

from __future__ import annotations

from dataclasses import replace

from bot.telegram import keyboards
from bot.telegram.keyboards import PagePicture
from index.records import Box
from tests.bot.records import PHU_THO, answer_of, phu_tho_hit

BOXES = (Box(2, 70, 400, 520, 414, 0, 40),)


def _scanned():
    top, spans = phu_tho_hit()
    return replace(top, chunk=replace(top.chunk, boxes=BOXES, ocr=True)), spans


def test_picture_button_only_for_passages_on_a_page() -> None:
    top, spans = _scanned()
    markup = keyboards.answer_keyboard(answer_of((top, spans)), question_id=7, has_more=False)
    actions = [keyboards.decode(b.callback_data) for row in markup.inline_keyboard for b in row]
    assert PagePicture(top.chunk.chunk_id, keyboards.fingerprint(top.chunk.text), PHU_THO.doc_id) in actions
    labels = [b.text for row in markup.inline_keyboard for b in row]
    assert "🖼 Ảnh trang gốc" in labels
    plain_top, plain_spans = phu_tho_hit()
    markup = keyboards.answer_keyboard(answer_of((plain_top, plain_spans)), question_id=7, has_more=False)
    assert not any(isinstance(keyboards.decode(b.callback_data), PagePicture)
                   for row in markup.inline_keyboard for b in row)


def test_picture_action_round_trip() -> None:
    action = PagePicture(10**12, "0123abcd", "ffffffff-9999")
    data = keyboards.encode(action)
    assert len(data.encode()) <= 64 and keyboards.decode(data) == action
    assert keyboards.decode("p:1:ab") is None
