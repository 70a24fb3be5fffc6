"""Helpers for admins' uploads: photo albums gathered into one document, OCR progress shown as it goes.

Telegram delivers an album as one message per photo, sharing a
``media_group_id`` and arriving within about a second; nothing marks the
last one, so the album is complete once no new photo came for a moment.
The OCR of a long scan runs minutes in the engine's worker thread; its
progress is posted back to the bot's event loop, which alone may talk to
Telegram.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import time
from dataclasses import dataclass, field

from telegram import Message, PhotoSize
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.render import esc, texts

logger = logging.getLogger(__name__)

ALBUM_WAIT = 2.0  # seconds without a new photo of the album before it is taken as complete
PROGRESS_EVERY = 3.0  # seconds between two edits of the progress message (Telegram limits edits)


@dataclass
class _Album:
    photos: dict[int, PhotoSize] = field(default_factory=dict)  # message id -> largest size
    caption: str | None = None
    last: float = 0.0


class Albums:
    """Gathers the photos of one album; the handler of its first photo gets them all, in order."""

    def __init__(self, wait: float = ALBUM_WAIT) -> None:
        self.wait = wait
        self._open: dict[tuple[int, str], _Album] = {}

    async def collect(self, message: Message) -> tuple[list[PhotoSize], str | None] | None:
        """All photos of the album ``message`` belongs to, and its caption; None for its later photos.

        Only ever called on the event loop, so the open albums need no lock.
        """
        photo = message.photo[-1]  # Telegram lists the sizes smallest first
        if message.media_group_id is None:
            return [photo], message.caption
        key = (message.chat_id, message.media_group_id)
        album = self._open.get(key)
        if album is not None:
            album.photos[message.message_id] = photo
            album.caption = album.caption or message.caption
            album.last = time.monotonic()
            return None
        album = self._open[key] = _Album({message.message_id: photo}, message.caption, time.monotonic())
        try:
            while (left := album.last + self.wait - time.monotonic()) > 0:
                await asyncio.sleep(left)
        finally:
            del self._open[key]
        return [album.photos[i] for i in sorted(album.photos)], album.caption


class PageProgress:
    """``progress(done, total)`` for the engine: edits the admin's "working…" message, at most every few seconds.

    Called from the worker thread running the engine; each edit is scheduled
    on the bot's loop with ``run_coroutine_threadsafe`` and never waited for
    there, so the OCR is not slowed by Telegram. ``settle`` waits for the
    edits still on their way, so none lands after the final report.
    """

    def __init__(self, message: Message, name: str, loop: asyncio.AbstractEventLoop,
                 every: float = PROGRESS_EVERY) -> None:
        self.message = message
        self.name = name
        self.every = every
        self._loop = loop
        self._last = float("-inf")
        self._pending: list[concurrent.futures.Future] = []

    def __call__(self, done: int, total: int) -> None:
        if total <= 1:
            return  # one page: the "working…" message says enough
        now = time.monotonic()
        if done < total and now - self._last < self.every:
            return
        self._last = now
        if done < total:
            text = texts.OCR_PROGRESS.format(name=esc(self.name), done=min(done + 1, total), total=total)
        else:
            text = texts.OCR_DONE.format(name=esc(self.name), total=total)
        self._pending.append(asyncio.run_coroutine_threadsafe(self._edit(text), self._loop))

    async def _edit(self, text: str) -> None:
        # A progress line that could not be shown is no reason to fail the upload.
        with contextlib.suppress(TelegramError):
            await self.message.edit_text(text, parse_mode=ParseMode.HTML)

    async def settle(self) -> None:
        if self._pending:
            await asyncio.gather(*(asyncio.wrap_future(f) for f in self._pending), return_exceptions=True)
            self._pending.clear()
