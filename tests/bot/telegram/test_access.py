"""When a group message is meant for the bot, and who may ask."""

from __future__ import annotations

import datetime as dtm

import pytest
from telegram import Chat, Message, MessageEntity, User

from bot.settings import BotSettings
from bot.telegram.access import addressed, is_admin, may_ask, strip_mention

BOT = User(123456, "Trợ lý", is_bot=True, username="tro_ly_van_ban_bot")
OFFICIAL = User(7, "An", is_bot=False)
GROUP = Chat(-100, Chat.SUPERGROUP)


def _message(text: str, chat: Chat = GROUP, entities: list[MessageEntity] | None = None,
             reply_to: Message | None = None) -> Message:
    return Message(1, dtm.datetime.now(dtm.UTC), chat, from_user=OFFICIAL, text=text,
                   entities=entities, reply_to_message=reply_to)


def _entity(kind: str, text: str, part: str) -> MessageEntity:
    offset = len(text[: text.index(part)].encode("utf-16-le")) // 2
    return MessageEntity(kind, offset, len(part.encode("utf-16-le")) // 2)


@pytest.mark.parametrize("text, kind, part, expected", [
    ("Ai chủ trì?", None, None, False),
    ("@tro_ly_van_ban_bot ai chủ trì?", "mention", "@tro_ly_van_ban_bot", True),
    ("ai chủ trì @Tro_Ly_Van_Ban_Bot", "mention", "@Tro_Ly_Van_Ban_Bot", True),
    ("@some_other_bot ai chủ trì?", "mention", "@some_other_bot", False),
    ("/docs", "bot_command", "/docs", True),
    ("/docs@tro_ly_van_ban_bot", "bot_command", "/docs@tro_ly_van_ban_bot", True),
    ("/docs@some_other_bot", "bot_command", "/docs@some_other_bot", False),
])
def test_group_messages(text: str, kind: str | None, part: str | None, expected: bool) -> None:
    entities = [_entity(kind, text, part)] if kind else None
    assert addressed(_message(text, entities=entities), BOT.username, BOT.id) is expected


def test_reply_to_the_bot_is_addressed_reply_to_someone_else_is_not() -> None:
    to_bot = Message(5, dtm.datetime.now(dtm.UTC), GROUP, from_user=BOT, text="Trả lời")
    to_person = Message(6, dtm.datetime.now(dtm.UTC), GROUP, from_user=OFFICIAL, text="Ý kiến")
    assert addressed(_message("thêm nguồn?", reply_to=to_bot), BOT.username, BOT.id)
    assert not addressed(_message("đồng ý", reply_to=to_person), BOT.username, BOT.id)


def test_private_chat_is_always_addressed() -> None:
    assert addressed(_message("Ai chủ trì?", chat=Chat(7, Chat.PRIVATE)), BOT.username, BOT.id)


def test_strip_mention() -> None:
    assert strip_mention("@tro_ly_van_ban_bot, ai chủ trì khảo sát?", "tro_ly_van_ban_bot") == "ai chủ trì khảo sát?"
    assert strip_mention("ai chủ trì  @TRO_LY_VAN_BAN_BOT", "tro_ly_van_ban_bot") == "ai chủ trì"
    assert strip_mention("email a@tro_ly_van_ban_bot.vn", "tro_ly_van_ban_bot") == "email a@tro_ly_van_ban_bot.vn"


def test_access_lists(tmp_path) -> None:
    open_bot = BotSettings.from_env({"ADMIN_USER_IDS": "1"})
    closed = BotSettings.from_env({"ADMIN_USER_IDS": "1", "ALLOWED_USER_IDS": "2"})
    assert may_ask(open_bot, 99) and is_admin(open_bot, 1) and not is_admin(open_bot, 99)
    assert may_ask(closed, 1) and may_ask(closed, 2) and not may_ask(closed, 99)
