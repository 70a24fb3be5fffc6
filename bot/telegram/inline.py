"""Inline mode: ``@bot câu hỏi`` in any chat offers up to five citations to insert.

Only allowed users get results (the others see a button saying so); a
refused or empty query offers a hint, never a passage. Results are cached
by Telegram for ``CACHE_SECONDS`` per user (``is_personal``: access differs
from one user to the next).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging

from telegram import InlineQueryResultArticle, InlineQueryResultsButton, InputTextMessageContent, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.render import inline as inline_render
from bot.telegram.access import may_ask
from bot.telegram.replies import features

logger = logging.getLogger(__name__)

CACHE_SECONDS = 30  # the index changes rarely; a retyped query within this is answered by Telegram itself
MAX_QUERY = 256  # Telegram's own limit on inline query text


def _article(result_id: str, item: inline_render.InlineItem) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id=result_id[:64], title=item.title, description=item.description,
        input_message_content=InputTextMessageContent(item.html, parse_mode=ParseMode.HTML))


def result_id(chunk_id: int, text: str) -> str:
    """``<chunk id>-<8 hex of the text>``: unique in one answer and far below 64 bytes."""
    return f"{chunk_id}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:8]}"


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    fs = features(context)
    if not may_ask(fs.settings, query.from_user.id):
        await query.answer([], cache_time=0, is_personal=True,
                           button=InlineQueryResultsButton(inline_render.NOT_ALLOWED_TEXT, start_parameter="access"))
        return
    text = " ".join(query.query.split())[:MAX_QUERY]
    if not text:
        await query.answer([_article("hint", inline_render.hint_item(context.bot.username))],
                           cache_time=CACHE_SECONDS, is_personal=True)
        return
    answer = await asyncio.to_thread(fs.engine.ask, text, inline_render.MAX_RESULTS)
    items = inline_render.inline_items(answer)
    if items:
        results = [_article(result_id(hit.chunk.chunk_id, hit.chunk.text), item)
                   for hit, item in zip(answer.hits, items)]
    else:
        results = [_article("not-found", inline_render.not_found_item(text))]
    logger.info("inline query answered: %d results (no_answer=%s)", len(items), answer.no_answer)
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=True)


async def on_chosen_result(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Only logged: which citation was inserted (needs /setinlinefeedback with BotFather)."""
    chosen = update.chosen_inline_result
    logger.info("inline result chosen: %s", chosen.result_id)
