"""Inline buttons and their callback data.

Telegram keeps a button's ``callback_data`` (at most 64 bytes) on the message
for as long as the chat exists, long after the bot process that sent it has
restarted, so the data names stable things: passage and document ids plus a
fingerprint of the passage text (a rebuilt index may give an id to another
passage), and for "more sources" the id of the question in ``bot.state``.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render import PAGE_SIZE
from index import Answer, Hit

logger = logging.getLogger(__name__)

MAX_CALLBACK_BYTES = 64


def fingerprint(text: str) -> str:
    """8 hex digits of the passage text: tells a still-valid id from a reused one."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class MoreSources:
    question_id: int
    start: int  # rank (0-based) of the first source on the page


@dataclass(frozen=True)
class WholeSection:
    chunk_id: int
    fingerprint: str
    doc_id: str


@dataclass(frozen=True)
class Citation:
    question_id: int
    chunk_id: int
    fingerprint: str
    doc_id: str


@dataclass(frozen=True)
class SourceFile:
    doc_id: str


@dataclass(frozen=True)
class PagePicture:
    """The picture of a passage's place on its PDF page, to check an OCR reading."""

    chunk_id: int
    fingerprint: str
    doc_id: str


@dataclass(frozen=True)
class DocsPage:
    page: int


@dataclass(frozen=True)
class TasksPage:
    query_id: int  # the agency typed after /tasks, kept in bot.state; 0 = the list of agencies
    page: int


Action = MoreSources | WholeSection | Citation | SourceFile | DocsPage | TasksPage | PagePicture


def encode(action: Action) -> str:
    """Callback data for an action; raises ValueError beyond Telegram's 64 bytes.

    The doc id goes last so that it may contain the separator.
    """
    match action:
        case MoreSources(q, start):
            data = f"m:{q}:{start}"
        case WholeSection(chunk_id, fp, doc_id):
            data = f"s:{chunk_id}:{fp}:{doc_id}"
        case Citation(q, chunk_id, fp, doc_id):
            data = f"c:{q}:{chunk_id}:{fp}:{doc_id}"
        case SourceFile(doc_id):
            data = f"f:{doc_id}"
        case PagePicture(chunk_id, fp, doc_id):
            data = f"p:{chunk_id}:{fp}:{doc_id}"
        case DocsPage(page):
            data = f"d:{page}"
        case TasksPage(q, page):
            data = f"t:{q}:{page}"
        case _:
            raise TypeError(f"not a button action: {action!r}")
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def decode(data: str | None) -> Action | None:
    """The action behind callback data, or None for data this bot never wrote."""
    if not data or len(data) < 3 or data[1] != ":":
        return None
    kind, rest = data[0], data[2:]
    try:
        if kind == "m":
            q, start = rest.split(":")
            return MoreSources(int(q), int(start))
        if kind == "s":
            chunk_id, fp, doc_id = rest.split(":", 2)
            return WholeSection(int(chunk_id), fp, doc_id) if doc_id else None
        if kind == "c":
            q, chunk_id, fp, doc_id = rest.split(":", 3)
            return Citation(int(q), int(chunk_id), fp, doc_id) if doc_id else None
        if kind == "f":
            return SourceFile(rest)
        if kind == "p":
            chunk_id, fp, doc_id = rest.split(":", 2)
            return PagePicture(int(chunk_id), fp, doc_id) if doc_id else None
        if kind == "d":
            return DocsPage(int(rest))
        if kind == "t":
            q, page = rest.split(":")
            return TasksPage(int(q), int(page))
    except ValueError:
        return None
    return None


def _button(text: str, action: Action) -> InlineKeyboardButton | None:
    try:
        return InlineKeyboardButton(text, callback_data=encode(action))
    except ValueError:
        # An odd doc id too long for Telegram: the reply goes out without that button.
        logger.warning("button %r left out: callback data too long", text)
        return None


def _rows(*rows: Sequence[InlineKeyboardButton | None]) -> InlineKeyboardMarkup | None:
    kept = [[b for b in row if b is not None] for row in rows]
    kept = [row for row in kept if row]
    return InlineKeyboardMarkup(kept) if kept else None


def _section_button(text: str, hit: Hit) -> InlineKeyboardButton | None:
    return _button(text, WholeSection(hit.chunk.chunk_id, fingerprint(hit.chunk.text), hit.document.doc_id))


def answer_keyboard(answer: Answer, question_id: int, has_more: bool) -> InlineKeyboardMarkup | None:
    """Buttons under an answer: more sources, whole section, citation line, original file, page picture.

    A last row opens the whole section of each of the other sources listed.
    """
    if answer.no_answer or not answer.hits:
        return None
    top = answer.hits[0]
    first = [
        _button("📚 Thêm nguồn", MoreSources(question_id, PAGE_SIZE)) if has_more else None,
        _section_button("📖 Toàn văn mục", top),
    ]
    second = [
        _button("📝 Trích dẫn", Citation(question_id, top.chunk.chunk_id, fingerprint(top.chunk.text),
                                         top.document.doc_id)),
        _button("📎 Tệp gốc", SourceFile(top.document.doc_id)),
    ]
    # A passage from a PDF page: its picture lets the official check an OCR reading before citing it.
    picture = [_button("🖼 Ảnh trang gốc", PagePicture(top.chunk.chunk_id, fingerprint(top.chunk.text),
                                                       top.document.doc_id))] if top.chunk.boxes else []
    others = [_section_button(f"Mục nguồn {rank}", hit)
              for rank, hit in enumerate(answer.hits[1:PAGE_SIZE], start=2)]
    return _rows(first, second, picture, others[:2], others[2:])


def sources_keyboard(answer: Answer, question_id: int, start: int, has_more: bool
                     ) -> InlineKeyboardMarkup | None:
    """Under a further page of sources: the whole section of each, and the next page."""
    page = answer.hits[start:start + PAGE_SIZE]
    sections = [_section_button(f"Mục nguồn {rank}", hit) for rank, hit in enumerate(page, start=start + 1)]
    more = [_button("📚 Thêm nguồn", MoreSources(question_id, start + PAGE_SIZE))] if has_more else []
    return _rows(sections[:3], sections[3:], more)


def docs_keyboard(page: int, pages: int) -> InlineKeyboardMarkup | None:
    if pages <= 1:
        return None
    row = []
    if page > 0:
        row.append(_button("◀ Trang trước", DocsPage(page - 1)))
    if page < pages - 1:
        row.append(_button("Trang sau ▶", DocsPage(page + 1)))
    return _rows(row)


def tasks_keyboard(query_id: int, page: int, pages: int) -> InlineKeyboardMarkup | None:
    if pages <= 1:
        return None
    row = []
    if page > 0:
        row.append(_button("◀ Trang trước", TasksPage(query_id, page - 1)))
    if page < pages - 1:
        row.append(_button("Trang sau ▶", TasksPage(query_id, page + 1)))
    return _rows(row)
