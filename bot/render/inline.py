"""Inline-mode results: what ``@bot câu hỏi`` offers in any chat, and the message each one sends.

The sent message is a self-contained citation (the chat it lands in never saw
the question): document header, section, the passage with the answer in
bold, and the "Theo …" line. Titles and descriptions are plain text, as
Telegram shows them in the result list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.render.citation import (
    answer_sentences,
    citation_line,
    document_header,
    esc,
    marked_passage_html,
    section_label,
    section_reference,
    shorten,
)
from bot.render.html_split import MAX_MESSAGE, visible_text
from index import Answer, Hit, Span

MAX_RESULTS = 5
TITLE_CHARS = 100
DESCRIPTION_CHARS = 200

HINT_TITLE = "Gõ câu hỏi về văn bản để trích dẫn"
HINT_DESCRIPTION = "Ví dụ: ai chủ trì khảo sát sự hài lòng ở Sa Pa? Ghi rõ cơ quan, địa phương hoặc số hiệu."
NOT_FOUND_TITLE = "Không tìm thấy đoạn văn bản trả lời câu hỏi này"
NOT_FOUND_DESCRIPTION = "Thử ghi số hiệu văn bản, tên cơ quan hoặc địa phương."
HINT_HTML = (
    "Tôi là trợ lý tra cứu văn bản. Gõ <i>@{bot} câu hỏi</i> trong bất kỳ cuộc trò chuyện nào để chèn "
    "đoạn trích dẫn nguyên văn, ví dụ <i>@{bot} ai chủ trì khảo sát sự hài lòng ở Sa Pa</i>."
)
NOT_FOUND_HTML = (
    "Không tìm thấy đoạn văn bản nào trả lời câu hỏi «{question}» trong kho văn bản. "
    "Có thể thử ghi số hiệu văn bản, tên cơ quan hoặc địa phương."
)
NOT_ALLOWED_TEXT = "Chưa được cấp quyền dùng trợ lý"


@dataclass(frozen=True)
class InlineItem:
    """One result in the list: ``html`` is the message it sends."""

    title: str
    description: str
    html: str


def citation_html(hit: Hit, spans: Sequence[Span]) -> str:
    """The message a chosen result sends, within Telegram's 4096 characters."""
    head = f"📄 <b>{esc(document_header(hit.document))}</b>"
    if hit.chunk.section:
        head += f"\n📌 Mục: {esc(section_label(hit.chunk.section))}"
    tail = f"\n\n<i>{esc(citation_line(hit, spans))}</i>"
    full = f"{head}\n<blockquote>{marked_passage_html(hit.chunk.text, spans)}</blockquote>{tail}"
    if len(visible_text(full)) <= MAX_MESSAGE:
        return full
    # A long passage: its answer sentences alone, then a shortened citation line.
    said = " … ".join(answer_sentences(hit.chunk.text, spans)) or hit.chunk.text
    budget = MAX_MESSAGE - len(visible_text(head)) - 40
    quote = f"<b>{esc(shorten(said, budget // 2))}</b>"
    return f"{head}\n<blockquote>{quote}</blockquote>\n\n<i>{esc(shorten(citation_line(hit, spans), budget // 2))}</i>"


def inline_items(answer: Answer) -> list[InlineItem]:
    """Up to five citations for an answered question; none for a refused one."""
    if answer.no_answer:
        return []
    items = []
    for hit, spans in list(zip(answer.hits, answer.answer_spans))[:MAX_RESULTS]:
        ref = section_reference(hit.chunk.section)
        title = document_header(hit.document) + (f" · mục {ref}" if ref else "")
        said = " … ".join(answer_sentences(hit.chunk.text, spans)) or hit.chunk.text
        items.append(InlineItem(shorten(title, TITLE_CHARS), shorten(said, DESCRIPTION_CHARS),
                                citation_html(hit, spans)))
    return items


def hint_item(bot_username: str) -> InlineItem:
    return InlineItem(HINT_TITLE, HINT_DESCRIPTION, HINT_HTML.format(bot=esc(bot_username)))


def not_found_item(question: str) -> InlineItem:
    return InlineItem(NOT_FOUND_TITLE, NOT_FOUND_DESCRIPTION,
                      NOT_FOUND_HTML.format(question=esc(shorten(question, 200))))
