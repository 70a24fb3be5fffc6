"""Who may use the bot, and when a group message is meant for it.

In a group the bot must stay quiet unless it is addressed: mentioned by
@username, replied to, or given a command (``/cmd`` or ``/cmd@thisbot``;
``/cmd@otherbot`` belongs to another bot in the same group).
"""

from __future__ import annotations

import re

from telegram import Chat, Message, MessageEntity

from bot.settings import BotSettings


def is_admin(settings: BotSettings, user_id: int | None) -> bool:
    return user_id is not None and user_id in settings.admin_ids


def may_ask(settings: BotSettings, user_id: int | None) -> bool:
    """An empty ALLOWED_USER_IDS lets anyone ask; admins always may."""
    if user_id is None:
        return False
    return not settings.allowed_ids or user_id in settings.allowed_ids or is_admin(settings, user_id)


def _text_and_entities(message: Message) -> tuple[str, dict[MessageEntity, str]]:
    if message.text is not None:
        return message.text, message.parse_entities()
    if message.caption is not None:
        return message.caption, message.parse_caption_entities()
    return "", {}


def command_target(message: Message) -> tuple[str, str | None] | None:
    """``(command, bot name or None)`` when the message starts with a command."""
    _, entities = _text_and_entities(message)
    for entity, value in entities.items():
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            command, _, name = value[1:].partition("@")
            return command.lower(), (name or None)
    return None


def addressed(message: Message, bot_username: str, bot_id: int) -> bool:
    """Whether the bot should react to this message at all."""
    if message.chat.type == Chat.PRIVATE:
        return True
    if message.chat.type not in (Chat.GROUP, Chat.SUPERGROUP):
        return False
    target = command_target(message)
    if target is not None:
        return target[1] is None or target[1].lower() == bot_username.lower()
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return True
    _, entities = _text_and_entities(message)
    for entity, value in entities.items():
        if entity.type == MessageEntity.MENTION and value[1:].lower() == bot_username.lower():
            return True
        if entity.type == MessageEntity.TEXT_MENTION and entity.user is not None and entity.user.id == bot_id:
            return True
    return False


def strip_mention(text: str, bot_username: str) -> str:
    """The question without ``@thisbot`` and the punctuation that joined it to the question."""
    if bot_username:
        text = re.sub(rf"(?<![\w@])@{re.escape(bot_username)}(?!\w)", " ", text, flags=re.IGNORECASE)
    text = " ".join(text.split())
    return text.strip(" ,:;-–").strip()
