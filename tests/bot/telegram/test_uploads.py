"""An album arrives as one message per photo: it is gathered into one upload, in order."""

from __future__ import annotations

import asyncio
import datetime as dt

from telegram import Chat, Message, PhotoSize

from bot.telegram.uploads import Albums

CHAT = Chat(700005000, Chat.PRIVATE)


def _photo(message_id: int, group: str | None, caption: str | None = None) -> Message:
    sizes = (PhotoSize(f"thumb{message_id}", f"ut{message_id}", 90, 120),
             PhotoSize(f"big{message_id}", f"ub{message_id}", 1200, 1600))
    return Message(message_id, dt.datetime.now(dt.timezone.utc), CHAT, photo=sizes, media_group_id=group,
                   caption=caption)


def test_album_is_gathered_by_its_first_photo_in_message_order():
    async def scenario():
        albums = Albums(wait=0.3)
        first = asyncio.create_task(albums.collect(_photo(11, "g1")))
        await asyncio.sleep(0.1)
        later = [await albums.collect(_photo(13, "g1")), await albums.collect(_photo(12, "g1", "Công văn 125"))]
        other = await albums.collect(_photo(20, None))
        return await first, later, other

    (photos, caption), later, other = asyncio.run(scenario())
    assert [p.file_id for p in photos] == ["big11", "big12", "big13"]  # the largest size, in page order
    assert caption == "Công văn 125"
    assert later == [None, None]  # their photos went to the first one's upload
    assert other == ([_photo(20, None).photo[-1]], None)  # a single photo is an upload at once


def test_two_albums_stay_apart():
    async def scenario():
        albums = Albums(wait=0.2)
        a = asyncio.create_task(albums.collect(_photo(1, "a")))
        b = asyncio.create_task(albums.collect(_photo(2, "b")))
        await asyncio.sleep(0.05)
        await albums.collect(_photo(3, "a"))
        return await a, await b

    (a, _), (b, _) = asyncio.run(scenario())
    assert [p.file_id for p in a] == ["big1", "big3"] and [p.file_id for p in b] == ["big2"]
