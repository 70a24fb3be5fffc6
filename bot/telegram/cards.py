"""Document cards: ``/vanban <số hiệu or words>`` and the 🗂 button on each answer's header."""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot import render
from bot.render import cards as cards_render
from bot.telegram.replies import features, reply

logger = logging.getLogger(__name__)

CARD_PREFIX = "y:"
TASKS_PREFIX = "k:"
PATTERN = r"^[yk]:"
MAX_CHOICES = 8
MAX_TASK_PAGES = 3


def _data(prefix: str, doc_id: str) -> str | None:
    data = prefix + doc_id
    return data if len(data.encode("utf-8")) <= 64 else None


def card_button(doc_id: str, text: str = "🗂 Thẻ văn bản") -> InlineKeyboardButton | None:
    data = _data(CARD_PREFIX, doc_id)
    return InlineKeyboardButton(text, callback_data=data) if data else None


def card_keyboard(doc_id: str, has_tasks: bool) -> InlineKeyboardMarkup | None:
    row = []
    file_data = "f:" + doc_id  # the existing "original file" button (keyboards.SourceFile)
    if len(file_data.encode("utf-8")) <= 64:
        row.append(InlineKeyboardButton("📎 Tệp gốc", callback_data=file_data))
    tasks = _data(TASKS_PREFIX, doc_id)
    if has_tasks and tasks:
        row.append(InlineKeyboardButton("📋 Nhiệm vụ", callback_data=tasks))
    return InlineKeyboardMarkup([row]) if row else None


async def show_card(update: Update, context: ContextTypes.DEFAULT_TYPE, doc_id: str) -> None:
    card = await asyncio.to_thread(features(context).engine.card, doc_id)
    if card is None:
        await reply(update, context, cards_render.STALE_DOCUMENT)
        return
    await reply(update, context, cards_render.card_messages(card), card_keyboard(doc_id, bool(card.tasks)))


async def on_card_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/vanban``: one match shows its card; several offer a button each."""
    query = " ".join(context.args or []).strip()
    if not query:
        await reply(update, context, cards_render.CARD_HOW_TO)
        return
    found = await asyncio.to_thread(features(context).engine.find_documents, query)
    if not found:
        await reply(update, context, cards_render.NO_DOCUMENT.format(query=render.esc(render.shorten(query, 80))))
        return
    if len(found) == 1:
        await show_card(update, context, found[0].doc_id)
        return
    rows = [[b] for b in (card_button(d.doc_id, render.shorten(render.document_header(d), 60))
                          for d in found[:MAX_CHOICES]) if b is not None]
    await reply(update, context, cards_render.choose_message(query, found), InlineKeyboardMarkup(rows))


async def on_card_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer()
    doc_id = query.data[2:]
    if query.data.startswith(CARD_PREFIX):
        await show_card(update, context, doc_id)
        return
    card = await asyncio.to_thread(features(context).engine.card, doc_id)
    if card is None:
        await reply(update, context, cards_render.STALE_DOCUMENT)
        return
    label = render.document_header(card.document)
    parts = []
    pages = 1
    page = 0
    while page < min(pages, MAX_TASK_PAGES):
        text, pages = render.tasks_page(label, list(card.tasks), page)
        parts.append(text)
        page += 1
    await reply(update, context, parts)
