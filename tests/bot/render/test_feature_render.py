"""Pure rendering of issue 11's replies: deadlines, inline results, cards, follow-up notes."""

from __future__ import annotations

from datetime import date

from bot.render import deadlines, followup, inline
from bot.render.html_split import visible_text
from index import Answer, Chunk, Deadline, Document, Hit, Span, Task, TaskHit

DOC = Document(doc_id="d", file="a.md", type="Kế hoạch", number="06/KH-UBND", date="2021-03-24",
               issuer="Ủy ban nhân dân tỉnh Phú Thọ")


def _hit(text: str, chunk_id: int = 1) -> Hit:
    return Hit(Chunk(chunk_id, "d", ("III. TỔ CHỨC", "1. Sở Nội vụ"), text, 0, len(text)), DOC, 1.0)


def test_deadlines_mark_overdue_ones_and_cite_the_plan() -> None:
    def task(text: str, day: str) -> TaskHit:
        return TaskHit(Task("d", ("III. TỔ CHỨC", "2. Nhiệm vụ"), text, "Sở Nội vụ", (), Deadline(text, day)),
                       DOC, None)

    hits = [task("Báo cáo quý", "2024-06-30"), task("Báo cáo cũ", "2024-01-01"), task("Sơ kết", "2024-07-20")]
    items = deadlines.due_tasks(hits, date(2024, 7, 5))
    assert [i.hit.task.content for i in items] == ["Báo cáo quý", "Sơ kết"]  # overdue by > 90 days left out
    [text] = deadlines.deadlines_messages(None, items, date(2024, 7, 5))
    shown = visible_text(text)
    assert "quá hạn 5 ngày" in shown and "còn 15 ngày" in shown and "1 quá hạn" in shown
    assert shown.index("30/6/2024") < shown.index("20/7/2024")
    assert "Theo Kế hoạch số 06/KH-UBND ngày 24/3/2021 của Ủy ban nhân dân tỉnh Phú Thọ, mục III.2" in shown


def test_inline_items_fit_telegram_and_refusals_offer_nothing() -> None:
    long_text = "Giao Sở Nội vụ chủ trì. " + "Nội dung rất dài. " * 400
    answer = Answer("ai chủ trì", (_hit(long_text), _hit("Phối hợp: Sở Tư pháp.", 2)),
                    ((Span(0, 23),), ()), no_answer=False)
    items = inline.inline_items(answer)
    assert len(items) == 2 and all(len(visible_text(i.html)) <= 4096 for i in items)
    assert items[0].description == "Giao Sở Nội vụ chủ trì."
    assert "<b>Giao Sở Nội vụ chủ trì.</b>" in items[0].html and "Theo Kế hoạch số 06/KH-UBND" in items[0].html
    refused = Answer("giá vàng", (_hit("Giao Sở Nội vụ chủ trì."),), ((),), no_answer=True)
    assert inline.inline_items(refused) == []


def test_followup_note_names_the_document_assumed() -> None:
    note = followup.followup_note("Ai chủ trì?", DOC, place_changed=False)
    assert "Ai chủ trì?" in note and "Kế hoạch số 06/KH-UBND ngày 24/3/2021" in note
    parts = followup.with_note(note, ["a" * 4090])
    assert len(parts) == 2 and parts[0] == note
