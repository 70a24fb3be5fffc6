"""Sending HTML replies for the feature handlers, and what they share in ``bot_data``.

The feature modules (inline, reminders, follow-ups, feedback, cards) are
imported by ``handlers``; they reach the engine and the ledger through
``bot_data["features"]`` instead of importing ``handlers``, so no module
imports another in a circle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import Chat, InlineKeyboardMarkup, Message, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.clock import Clock
from bot.settings import BotSettings
from bot.ledger import Ledger
from index import Engine

FEATURES = "features"


@dataclass(frozen=True)
class Features:
    settings: BotSettings
    engine: Engine
    ledger: Ledger
    clock: Clock


def features(context: ContextTypes.DEFAULT_TYPE) -> Features:
    return context.application.bot_data[FEATURES]


def reply_parameters(update: Update) -> ReplyParameters | None:
    """In a group a reply quotes what it answers; in a private chat that is clutter."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None or chat.type == Chat.PRIVATE or update.callback_query is not None:
        return None
    return ReplyParameters(message.message_id, allow_sending_without_reply=True)


async def send_parts(context: ContextTypes.DEFAULT_TYPE, chat_id: int, parts: Sequence[str],
                     markup: InlineKeyboardMarkup | None = None,
                     reply: ReplyParameters | None = None) -> list[Message]:
    """HTML parts in order; the buttons go under the last one, the reply quote on the first."""
    sent = []
    for i, part in enumerate(parts):
        sent.append(await context.bot.send_message(
            chat_id, part, parse_mode=ParseMode.HTML, reply_markup=markup if i == len(parts) - 1 else None,
            reply_parameters=reply if i == 0 else None))
    return sent


async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE, parts: Sequence[str] | str,
                markup: InlineKeyboardMarkup | None = None) -> list[Message]:
    parts = [parts] if isinstance(parts, str) else list(parts)
    return await send_parts(context, update.effective_chat.id, parts, markup, reply_parameters(update))
