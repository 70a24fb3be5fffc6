"""The Telegram application: built from settings, handlers registered, engine warmed up."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.ext import Application, Defaults

from bot.clock import Clock
from bot.render import texts
from bot.settings import BotSettings
from bot.telegram import handlers, reminders
from bot.ledger import Ledger
from bot.telegram.replies import FEATURES, CountingRateLimiter, Features
from bot.telegram.state import QuestionStore, clear_uploads
from bot.warmup import warm_up
from index import Engine

logger = logging.getLogger(__name__)


def build_application(settings: BotSettings, engine: Engine | None = None) -> Application:
    """A PTB Application polling the Bot API at ``settings.base_url`` (Telegram's by default)."""
    if not settings.token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    engine = engine or Engine(settings.index)
    store = QuestionStore(settings.state_dir)
    builder = (
        Application.builder()
        .token(settings.token)
        # Questions are answered while an upload is being indexed, and twenty
        # officials asking at once do not queue behind each other.
        .concurrent_updates(True)
        # Passages quote laws and portals; a preview card of some URL in the text is noise.
        .defaults(Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True)))
        # Telegram limits messages per chat and per second; PTB's limiter waits
        # (and retries a flood-wait once) instead of failing a long reply halfway.
        # It also counts what waits in it, so "typing…" is skipped when answers queue.
        .rate_limiter(CountingRateLimiter(max_retries=1))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if settings.base_url:
        builder = builder.base_url(settings.base_url)
    if settings.base_file_url:
        builder = builder.base_file_url(settings.base_file_url)
    app = builder.build()
    ledger = Ledger(settings.state_dir)
    app.bot_data["services"] = handlers.Services(settings=settings, engine=engine, store=store, ledger=ledger)
    app.bot_data[FEATURES] = Features(settings=settings, engine=engine, ledger=ledger,
                                      clock=Clock.from_setting(settings.today))
    handlers.register(app)
    reminders.schedule(app)
    return app


async def _post_init(app: Application) -> None:
    await app.bot.set_my_commands([BotCommand(name, description) for name, description in texts.COMMANDS])
    svc: handlers.Services = app.bot_data["services"]
    pruned = await asyncio.to_thread(svc.store.prune)
    leftovers = await asyncio.to_thread(clear_uploads, svc.settings.state_dir)
    if pruned or leftovers:
        logger.info("forgot %d old questions, deleted %d unfinished downloads", pruned, leftovers)
    await asyncio.to_thread(warm_up, svc.engine)
    # BOT_TODAY counts from the moment the bot is ready, not from a start-up of unknown length.
    app.bot_data[FEATURES] = replace(app.bot_data[FEATURES], clock=Clock.from_setting(svc.settings.today))
    logger.info("bot @%s ready, polling for updates", app.bot.username)


async def _post_shutdown(app: Application) -> None:
    app.bot_data["services"].store.close()
    app.bot_data["services"].ledger.close()


def run(settings: BotSettings) -> None:
    """Poll until SIGINT/SIGTERM. Updates sent while the bot was down are answered, not dropped."""
    app = build_application(settings)
    # bootstrap_retries=-1: if Telegram (or the network) is down when the bot starts,
    # keep retrying instead of exiting, so a reboot of the office server heals itself.
    app.run_polling(allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY,
                                     Update.CHOSEN_INLINE_RESULT], drop_pending_updates=False,
                    bootstrap_retries=-1)
