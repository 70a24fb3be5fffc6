"""Composing what the official reads: cited answers, lists and reports, as Telegram HTML or terminal text.

Pure functions of the engine's records (no I/O, no Telegram), so the Telegram
front-end and the terminal show the same citations. The names below are the
room's public face; the modules hold them by job.
"""

from bot.render.answer import (
    PAGE_SIZE,
    answer_messages,
    citation_messages,
    plain_answer,
    section_messages,
    sources_messages,
)
from bot.render.citation import (
    answer_sentences,
    citation_line,
    document_header,
    esc,
    marked_passage_html,
    marked_passage_plain,
    section_label,
    section_number,
    section_reference,
    short_issuer,
    shorten,
)
from bot.render.lists import agencies_page, docs_page, plain_docs, tasks_page

__all__ = [
    "PAGE_SIZE", "agencies_page", "answer_messages", "answer_sentences", "citation_line", "citation_messages",
    "docs_page", "document_header", "esc", "marked_passage_html", "marked_passage_plain", "plain_answer",
    "plain_docs", "section_label", "section_messages", "section_number", "section_reference", "short_issuer",
    "shorten", "sources_messages", "tasks_page",
]
