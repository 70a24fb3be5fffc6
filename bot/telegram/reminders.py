"""Deadlines: ``/hanchot``, and reminders with PTB's JobQueue: ``/nhacviec``, ``/huynhac``.

A repeating job (every ``BOT_REMINDER_EVERY`` seconds) works out from the
clock what each subscription is owed: the Monday 7:30 digest of the current
week and the 7-day and 1-day notices (at 7:30) of each deadline, and sends
what the ledger has not recorded as sent. Working from "what is owed now"
rather than from timers set in memory is what makes restarts safe: a notice
whose moment passed while the bot was down is sent at the next check, and a
notice already sent is never sent again. Tasks are read from the engine at
each check, so documents added by a build join the reminders at once.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.clock import TZ
from bot.render import deadlines as deadlines_render
from bot.render.citation import esc, shorten
from bot.ledger import Subscription, agency_key
from bot.telegram.replies import features, reply, send_parts

logger = logging.getLogger(__name__)

AT = time(7, 30)  # digests and notices go out at 7:30 Asia/Ho_Chi_Minh, before the working day
NOTICE_DAYS = (1, 7)  # checked nearest first: once the 1-day moment has passed, the 7-day one is moot
JOB_NAME = "reminders"


@dataclass(frozen=True)
class Owed:
    """One message a subscription is owed now."""

    kind: str  # "digest", "d7", "d1"
    key: str  # with ``kind`` and the chat, what the ledger records as sent
    items: tuple[deadlines_render.DueTask, ...]


def owed(sub: Subscription, hits, now: datetime) -> list[Owed]:
    """What ``sub`` should have received by ``now`` (the ledger then filters what it did receive)."""
    today = now.date()
    since = datetime.fromtimestamp(sub.created_at, TZ)
    key = agency_key(sub.agency)
    out = []
    monday = today - timedelta(days=today.weekday())
    moment = datetime.combine(monday, AT, TZ)
    if since < moment <= now:
        items = tuple(deadlines_render.due_tasks(hits, today))
        out.append(Owed("digest", f"{key}|{monday.isoformat()}", items))
    by_day: dict[date, list[deadlines_render.DueTask]] = {}
    for item in deadlines_render.due_tasks(hits, today, ahead=max(NOTICE_DAYS), behind=0):
        by_day.setdefault(item.due, []).append(item)
    for due, items in sorted(by_day.items()):
        for days in NOTICE_DAYS:
            moment = datetime.combine(due - timedelta(days=days), AT, TZ)
            if since < moment <= now:
                out.append(Owed(f"d{days}", f"{key}|{due.isoformat()}", tuple(items)))
                break
    return out


def _messages(sub: Subscription, item: Owed, today: date) -> list[str]:
    if item.kind == "digest":
        return deadlines_render.digest_messages(sub.agency, item.items, today)
    return deadlines_render.reminder_messages(sub.agency, item.items, today)


async def check(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The repeating job: send every owed message not sent yet, then record it."""
    fs = features(context)
    now = fs.clock.now()
    subs = await asyncio.to_thread(fs.ledger.subscriptions)
    for sub in subs:
        hits = await asyncio.to_thread(fs.engine.tasks, sub.agency)
        for item in owed(sub, hits, now):
            if await asyncio.to_thread(fs.ledger.was_sent, sub.chat_id, item.kind, item.key):
                continue
            try:
                await send_parts(context, sub.chat_id, _messages(sub, item, now.date()))
            except TelegramError as exc:
                # Left for the next check: a network error must not lose the reminder.
                logger.warning("reminder %s for chat %s not sent: %s", item.kind, sub.chat_id, exc)
                continue
            await asyncio.to_thread(fs.ledger.mark_sent, sub.chat_id, item.kind, item.key)
            logger.info("reminder sent: chat=%s kind=%s tasks=%d", sub.chat_id, item.kind, len(item.items))


def schedule(app: Application) -> None:
    """Start the repeating check (PTB's JobQueue, i.e. APScheduler) once the bot runs."""
    every = app.bot_data["features"].settings.reminder_every
    app.job_queue.run_repeating(check, interval=every, first=min(every, 5.0), name=JOB_NAME,
                                job_kwargs={"max_instances": 1, "coalesce": True})


async def on_deadlines(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/hanchot [cơ quan]``: due in the next 30 days and overdue by up to 90, by date."""
    fs = features(context)
    agency = " ".join(context.args or []).strip() or None
    hits = await asyncio.to_thread(fs.engine.tasks, agency)
    today = fs.clock.today()
    await reply(update, context, deadlines_render.deadlines_messages(
        agency, deadlines_render.due_tasks(hits, today), today))


async def on_subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/nhacviec <cơ quan>`` subscribes the chat; ``/nhacviec`` lists its subscriptions."""
    fs = features(context)
    chat_id = update.effective_chat.id
    agency = " ".join(context.args or []).strip()
    if not agency:
        subs = await asyncio.to_thread(fs.ledger.subscriptions, chat_id)
        await reply(update, context, deadlines_render.subscriptions_message([s.agency for s in subs]))
        return
    hits = await asyncio.to_thread(fs.engine.tasks, agency)
    if not hits:
        await reply(update, context, deadlines_render.NO_AGENCY_TASKS.format(agency=esc(shorten(agency, 80))))
        return
    new = await asyncio.to_thread(fs.ledger.subscribe, chat_id, agency, fs.clock.timestamp())
    today = fs.clock.today()
    await reply(update, context, deadlines_render.subscribed_message(
        agency, new, deadlines_render.due_tasks(hits, today), today))


async def on_unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/huynhac [cơ quan]``: cancel one subscription of the chat, or all of them."""
    agency = " ".join(context.args or []).strip() or None
    gone = await asyncio.to_thread(features(context).ledger.unsubscribe, update.effective_chat.id, agency)
    await reply(update, context, deadlines_render.unsubscribed_message(gone, agency))
