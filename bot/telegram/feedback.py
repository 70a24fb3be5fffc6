"""👍/👎 under each answer, and ``/thongke`` for admins.

A vote is stored with the answer it judges (question, passage ids) and a
salted hash of the voter (``Ledger.user_hash``), never the Telegram id. The
approved pairs become a question set with ``python -m bot.feedback --export``.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.render import stats as stats_render
from bot.telegram.access import is_admin
from bot.telegram.replies import features, reply

logger = logging.getLogger(__name__)

VOTE_PREFIX = "v:"
PATTERN = r"^v:\d+:[01]$"
THANKS_UP = "Cảm ơn anh/chị đã đánh giá 👍"
THANKS_DOWN = "Cảm ơn anh/chị, câu trả lời chưa tốt đã được ghi nhận 👎"
UNKNOWN = "Không còn lưu câu trả lời này."


def vote_data(answer_id: int, up: bool) -> str:
    data = f"{VOTE_PREFIX}{answer_id}:{int(up)}"
    assert len(data.encode()) <= 64
    return data


def vote_buttons(answer_id: int) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton("👍", callback_data=vote_data(answer_id, True)),
            InlineKeyboardButton("👎", callback_data=vote_data(answer_id, False))]


def extend(markup: InlineKeyboardMarkup | None, row: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    """The answer's own buttons with one more row under them."""
    rows = [list(r) for r in markup.inline_keyboard] if markup is not None else []
    return InlineKeyboardMarkup([*rows, row])


async def on_vote(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    _, answer_id, up = query.data.split(":")
    ok = await asyncio.to_thread(features(context).ledger.vote, int(answer_id), update.effective_user.id,
                                 up == "1")
    # The thanks is a toast on the button: the chat stays free of bookkeeping.
    await query.answer((THANKS_UP if up == "1" else THANKS_DOWN) if ok else UNKNOWN)


async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    fs = features(context)
    if not is_admin(fs.settings, update.effective_user.id):
        await reply(update, context, stats_render.ADMIN_ONLY)
        return

    def compose() -> list[str]:
        return stats_render.stats_messages(fs.ledger.stats(), fs.engine.passage)

    await reply(update, context, await asyncio.to_thread(compose))
