"""Sending HTML replies, the "typing…" indicator, and what the feature handlers share in ``bot_data``.

The feature modules (inline, reminders, follow-ups, feedback, cards) are
imported by ``handlers``; they reach the engine and the ledger through
``bot_data["features"]`` instead of importing ``handlers``, so no module
imports another in a circle.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from telegram import Chat, InlineKeyboardMarkup, Message, ReplyParameters, Update
from telegram.constants import ChatAction, ParseMode
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, ContextTypes

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


# --------------------------------------------------------------------------- typing
#
# The "typing…" indicator, spent only where Telegram's rate budget allows: answers go first.
#
# Telegram allows a bot about 30 requests per second in all, and every
# ``sendChatAction`` takes one of them. A hundred officials asking at once used to
# cost three hundred requests (two typing actions per question, then the answer),
# and the typing actions, sent first, pushed most answers back by seconds. Now:
#
# - the action waits ``TYPING_DELAY``: an answer ready by then needs no indicator;
# - it is skipped while the bot is busy (``BUSY_AT`` requests waiting in the rate
#   limiter plus other questions still being worked on): each of those will need
#   the budget for its answer;
# - a question shows it at most once; only long jobs (uploads, re-indexing) repeat it.

TYPING_DELAY = 1.0  # seconds; an answer ready within this is sent without "typing…"
TYPING_EVERY = 4.0  # long jobs: Telegram shows "typing…" for about 5 s after each action
BUSY_AT = 10  # requests queued in the limiter plus other questions in progress


class CountingRateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter, also counting the requests waiting in it or on their way to Telegram."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pending = 0

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):  # type: ignore[override]
        self.pending += 1
        try:
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        finally:
            self.pending -= 1


class _Work:
    """Questions and jobs inside ``keep_typing`` right now (one event loop: a plain counter)."""

    active = 0


def budget_allows(chat: Any) -> bool:
    """Whether one more request now would not hold back an answer someone is waiting for."""
    get_bot = getattr(chat, "get_bot", None)
    limiter = None
    with contextlib.suppress(RuntimeError):  # a chat object not bound to a bot
        limiter = getattr(get_bot(), "rate_limiter", None) if get_bot else None
    queued = limiter.pending if isinstance(limiter, CountingRateLimiter) else 0
    return queued + (_Work.active - 1) < BUSY_AT


@contextlib.asynccontextmanager
async def keep_typing(chat: Any, action: str = ChatAction.TYPING, *, repeat: bool = False) -> AsyncIterator[None]:
    """Show ``action`` once the work inside has taken ``TYPING_DELAY``, if the budget allows.

    With ``repeat`` (long jobs) it is shown again every ``TYPING_EVERY`` seconds, each
    time only if the budget allows. An action already on its way is let finish, never
    cancelled: arriving after the reply, it would show "typing…" under an answer
    that is already there.
    """
    stop = asyncio.Event()

    async def show() -> None:
        delay = TYPING_DELAY
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
                return
            if budget_allows(chat):
                with contextlib.suppress(TelegramError):
                    await chat.send_action(action)
            if not repeat:
                return
            delay = TYPING_EVERY

    _Work.active += 1
    task = asyncio.create_task(show())
    try:
        yield
    finally:
        _Work.active -= 1
        stop.set()
        await task
