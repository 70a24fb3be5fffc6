"""A fake Telegram Bot API server for end-to-end tests.

The real python-telegram-bot stack talks to it over TCP on 127.0.0.1, so the
whole request path (serialisation, multipart uploads, long polling, error
mapping to ``telegram.error.*``) is exercised; only Telegram itself is fake.
The server enforces the Bot API limits that a bot most often breaks (4096
characters, HTML markup, 64-byte callback data, 20 MB downloads, edits of
unknown or unchanged messages), so those bugs fail tests instead of production.

Typical use from a synchronous pytest test (the bot runs in its own thread or
process)::

    from tests.fake_telegram import FakeTelegramServer   # or: from fake_telegram import ...

    with FakeTelegramServer() as tg:
        app = (Application.builder().token(tg.token)
               .base_url(tg.base_url).base_file_url(tg.base_file_url).build())
        ...                                   # start the bot polling (thread / subprocess)
        tg.wait_for_polling()                 # bot is in getUpdates: injected updates are seen
        tg.send_text("/start")
        reply = tg.wait_for("sendMessage", lambda c: c.ok)[0]
        assert reply.params["parse_mode"] == "HTML"

        tg.send_callback("pick:1", reply)     # press a button of that message
        tg.wait_for("answerCallbackQuery")

        tg.send_document("cong_van.pdf", b"%PDF-1.4 ...")       # bot can getFile + download it
        tg.send_document("huge.pdf", file_size=30 * 1024 * 1024) # getFile -> "file is too big"
        tg.send_photo(jpeg_bytes)                                # a photo (PhotoSize list, getFile works)
        tg.send_album([jpeg1, jpeg2])                            # one media_group_id, one message each

For a bot running in the *same* event loop as the test, use
``await tg.wait_for_async(...)`` (``wait_for`` would block the loop).
A subprocess bot (``python -m bot``) gets ``tg.base_url`` / ``tg.base_file_url`` /
``tg.token`` through its environment.

Notes for test authors:

* ``deleteWebhook(drop_pending_updates=True)`` really drops queued updates, as on
  Telegram. Inject updates after ``wait_for_polling()`` if the bot drops them.
* Updates stay queued until the bot confirms them with a higher ``offset``.
* ``strict_html=True`` (default) is stricter than Telegram: a bare ``&`` that is not
  an entity and a bare ``>`` are rejected, although Telegram tolerates them. Text
  that forgets ``html.escape`` then fails on every message, not only on the ones
  that happen to contain ``<``.
* Every request is recorded as a :class:`Call`, including failed ones (``call.ok``),
  ``getUpdates`` and file downloads (pseudo-method ``"downloadFile"``).
* The server never logs the token, and has no aiohttp access log. python-telegram-bot
  and httpx, however, log request URLs (which contain the token) at INFO/DEBUG level.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import logging
import mimetypes
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = [
    "BOT_ID",
    "BOT_USERNAME",
    "DEFAULT_TOKEN",
    "DEFAULT_GROUP_ID",
    "DEFAULT_USER_ID",
    "DOWNLOAD_METHOD",
    "MAX_DOWNLOAD_SIZE",
    "MAX_MESSAGE_LENGTH",
    "ApiError",
    "Call",
    "FakeTelegramServer",
    "format_calls",
    "parse_html",
]

_LOGGER = logging.getLogger(__name__)

BOT_ID = 123456
DEFAULT_TOKEN = f"{BOT_ID}:TEST-fake-token-not-real"
BOT_USERNAME = "tro_ly_van_ban_bot"
BOT_FIRST_NAME = "Trợ lý văn bản"
DEFAULT_USER_ID = 700000001
DEFAULT_GROUP_ID = -1001987654321

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024  # getFile refuses bigger files
MAX_UPLOAD_SIZE = 50 * 1024 * 1024  # sendDocument refuses bigger uploads
MAX_PHOTO_SIZE = 10 * 1024 * 1024  # sendPhoto refuses bigger photos
MAX_PHOTO_SIDES = 10000  # sendPhoto: width + height at most this
MAX_PHOTO_RATIO = 20  # sendPhoto: the longer side at most 20 times the shorter
MAX_INLINE_RESULTS = 50
MAX_INLINE_RESULT_ID_BYTES = 64
_INLINE_RESULT_TYPES = frozenset({"article", "photo", "gif", "mpeg4_gif", "video", "audio", "voice", "document",
                                  "location", "venue", "contact", "game", "sticker"})

DOWNLOAD_METHOD = "downloadFile"  # pseudo-method recorded for GET /file/bot<TOKEN>/<path>

_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a content and reply markup of the current message"
)
_QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
    }
)
# Update types Telegram leaves out when allowed_updates is empty or never set.
_OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Form fields that are plain strings even when they look like JSON ("123", "true").
_STRING_FIELDS = frozenset(
    {
        "text", "caption", "parse_mode", "callback_query_id", "inline_query_id", "file_id",
        "inline_message_id", "action", "url", "title", "description", "short_description", "name",
        "language_code", "emoji", "custom_emoji_id", "business_connection_id", "message_effect_id",
        "secret_token", "ip_address", "question", "explanation", "address", "first_name", "last_name",
    }
)
_INLINE_BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)
_MIME_BY_SUFFIX = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".txt": "text/plain",
    ".zip": "application/zip",
}


class ApiError(Exception):
    """A Bot API error answer; raised by the method handlers, turned into JSON by the dispatcher."""

    def __init__(self, description: str, error_code: int = 400, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.description = description
        self.error_code = error_code
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass(frozen=True)
class Call:
    """One HTTP request the bot made, with the answer the fake server gave."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]]
    time: float
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response.get("ok"))

    @property
    def result(self) -> Any:
        """The ``result`` of a successful call (a Message dict for sendMessage), else None."""
        return self.response.get("result")

    @property
    def description(self) -> str | None:
        """The error description of a failed call."""
        return self.response.get("description")

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")

    @property
    def text(self) -> str | None:
        return self.params.get("text")


# --------------------------------------------------------------------------- text helpers


def _utf16_len(text: str) -> int:
    """Telegram entity offsets and lengths are counted in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


_ENTITY_RE = re.compile(r"&(?:#[xX]([0-9a-fA-F]+)|#([0-9]+)|([a-zA-Z]+));?")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _decode_html_entity(markup: str, pos: int) -> tuple[str, int] | None:
    """Decode the entity at ``pos`` like Telegram: only lt/gt/amp/quot and numeric ones."""
    match = _ENTITY_RE.match(markup, pos)
    if not match:
        return None
    hex_digits, dec_digits, name = match.groups()
    if name is not None:
        char = _NAMED_ENTITIES.get(name)
        return (char, match.end()) if char else None
    code = int(hex_digits, 16) if hex_digits is not None else int(dec_digits)
    if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    utf16_offset: int
    byte_offset: int


_ALLOWED_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
     "code", "pre", "blockquote", "tg-emoji"}
)
_SIMPLE_ENTITY_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "tg-spoiler": "spoiler",
    "span": "spoiler", "code": "code",
}
_UNQUOTED_VALUE_RE = re.compile(r"[A-Za-z0-9.\-]*")


class _HtmlParser:
    """Telegram's HTML parse mode (after tdlib's parse_html), producing text and entities.

    Error texts follow Telegram's so that a bot matching on "can't parse entities"
    behaves as in production.
    """

    def __init__(self, markup: str, strict: bool):
        self.markup = markup
        self.strict = strict
        self.pos = 0
        self.text: list[str] = []
        self.utf16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def fail(self, message: str) -> None:
        raise ApiError(f"Bad Request: can't parse entities: {message}")

    def byte_offset(self, pos: int) -> int:
        return len(self.markup[:pos].encode("utf-8"))

    def at_end(self) -> bool:
        return self.pos >= len(self.markup)

    def skip_spaces(self) -> None:
        while not self.at_end() and self.markup[self.pos].isspace():
            self.pos += 1

    def emit(self, chars: str) -> None:
        self.text.append(chars)
        self.utf16 += _utf16_len(chars)

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        while not self.at_end():
            char = self.markup[self.pos]
            if char == "&":
                self.ampersand()
            elif char == "<":
                self.tag()
            elif char == ">" and self.strict:
                self.fail(f'Character ">" is reserved and must be escaped as "&gt;" '
                          f"at byte offset {self.byte_offset(self.pos)}")
            else:
                self.emit(char)
                self.pos += 1
        if self.stack:
            self.fail(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')
        return "".join(self.text), sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))

    def ampersand(self) -> None:
        decoded = _decode_html_entity(self.markup, self.pos)
        if decoded is None:
            if self.strict:
                self.fail(f'Character "&" is reserved and must be escaped as "&amp;" '
                          f"at byte offset {self.byte_offset(self.pos)}")
            self.emit("&")
            self.pos += 1
            return
        char, self.pos = decoded
        self.emit(char)

    def tag(self) -> None:
        start = self.pos
        self.pos += 1
        if not self.at_end() and self.markup[self.pos] == "/":
            self.end_tag(start)
        else:
            self.start_tag(start)

    def read_name(self) -> str:
        begin = self.pos
        while not self.at_end() and not self.markup[self.pos].isspace() and self.markup[self.pos] != ">":
            self.pos += 1
        return self.markup[begin:self.pos].lower()

    def start_tag(self, start: int) -> None:
        name = self.read_name()
        if self.at_end():
            self.fail(f"Unclosed start tag at byte offset {self.byte_offset(start)}")
        if name not in _ALLOWED_TAGS:
            self.fail(f'Unsupported start tag "{name}" at byte offset {self.byte_offset(start)}')
        attrs = self.attributes(name, start)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            self.fail(f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(start)}')
        self.stack.append(_OpenTag(name, attrs, self.utf16, self.byte_offset(start)))

    def attributes(self, tag: str, start: int) -> dict[str, str]:
        attrs: dict[str, str] = {}
        while True:
            self.skip_spaces()
            if self.at_end():
                self.fail(f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(start)}')
            if self.markup[self.pos] == ">":
                self.pos += 1
                return attrs
            begin = self.pos
            while not self.at_end() and not self.markup[self.pos].isspace() \
                    and self.markup[self.pos] not in "=>/\"'":
                self.pos += 1
            attr = self.markup[begin:self.pos].lower()
            if not attr:
                self.fail(f'Empty attribute name in the tag "{tag}" at byte offset {self.byte_offset(start)}')
            self.skip_spaces()
            if self.at_end() or self.markup[self.pos] != "=":
                attrs[attr] = ""  # boolean attribute, e.g. <blockquote expandable>
                continue
            self.pos += 1
            self.skip_spaces()
            if self.at_end():
                self.fail(f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(start)}')
            attrs[attr] = self.attribute_value(start)

    def attribute_value(self, start: int) -> str:
        quote = self.markup[self.pos]
        if quote not in "\"'":
            match = _UNQUOTED_VALUE_RE.match(self.markup, self.pos)
            assert match is not None
            self.pos = match.end()
            if self.at_end() or not (self.markup[self.pos].isspace() or self.markup[self.pos] == ">"):
                self.fail(f"Unexpected end of name token at byte offset {self.byte_offset(self.pos)}")
            return match.group(0).lower()
        self.pos += 1
        value: list[str] = []
        while not self.at_end() and self.markup[self.pos] != quote:
            decoded = _decode_html_entity(self.markup, self.pos) if self.markup[self.pos] == "&" else None
            if decoded:
                value.append(decoded[0])
                self.pos = decoded[1]
            else:
                value.append(self.markup[self.pos])
                self.pos += 1
        if self.at_end():
            self.fail(f"Unclosed start tag at byte offset {self.byte_offset(start)}")
        self.pos += 1
        return "".join(value)

    def end_tag(self, start: int) -> None:
        if not self.stack:
            self.fail(f"Unexpected end tag at byte offset {self.byte_offset(start)}")
        self.pos += 1  # the "/"
        name = self.read_name()
        self.skip_spaces()
        if self.at_end() or self.markup[self.pos] != ">":
            self.fail(f"Unclosed end tag at byte offset {self.byte_offset(start)}")
        self.pos += 1
        top = self.stack[-1]
        if name and name != top.name:
            self.fail(f'Unmatched end tag at byte offset {self.byte_offset(start)}, '
                      f'expected "</{top.name}>", found "</{name}>"')
        self.stack.pop()
        self.close_entity(top)

    def close_entity(self, tag: _OpenTag) -> None:
        length = self.utf16 - tag.utf16_offset
        if tag.name == "tg-emoji" and not tag.attrs.get("emoji-id", "").isdigit():
            self.fail("Invalid custom emoji identifier specified")
        if length <= 0:
            return
        entity: dict[str, Any] = {"offset": tag.utf16_offset, "length": length}
        if tag.name in _SIMPLE_ENTITY_TYPES:
            entity["type"] = _SIMPLE_ENTITY_TYPES[tag.name]
        elif tag.name == "a":
            url = tag.attrs.get("href") or self.inner_text(tag)
            if not _looks_like_url(url):
                return  # Telegram silently drops links it cannot use
            entity.update(type="text_link", url=url)
        elif tag.name == "pre":
            entity["type"] = "pre"
            self.merge_code_into_pre(entity)
        elif tag.name == "blockquote":
            entity["type"] = "expandable_blockquote" if "expandable" in tag.attrs else "blockquote"
        elif tag.name == "tg-emoji":
            entity.update(type="custom_emoji", custom_emoji_id=tag.attrs["emoji-id"])
        if tag.name == "code" and tag.attrs.get("class", "").startswith("language-"):
            entity["language"] = tag.attrs["class"].removeprefix("language-")
        self.entities.append(entity)

    def inner_text(self, tag: _OpenTag) -> str:
        text = "".join(self.text)
        units = text.encode("utf-16-le")[tag.utf16_offset * 2:]
        return units.decode("utf-16-le", errors="replace")

    def merge_code_into_pre(self, pre: dict[str, Any]) -> None:
        """<pre><code class="language-x">...</code></pre> is one pre entity with a language."""
        for index, other in enumerate(self.entities):
            same_span = (other["offset"], other["length"]) == (pre["offset"], pre["length"])
            if other["type"] == "code" and same_span:
                if "language" in other:
                    pre["language"] = other["language"]
                del self.entities[index]
                return


def _looks_like_url(url: str) -> bool:
    if not url or any(char.isspace() for char in url):
        return False
    scheme, sep, _ = url.partition("://")
    return not sep or scheme.lower() in {"http", "https", "tg", "ton"}


def _strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram trims leading and trailing whitespace; entities are shifted and clipped."""
    stripped = text.strip()
    if not stripped:
        return "", []
    shift = _utf16_len(text[: len(text) - len(text.lstrip())])
    total = _utf16_len(stripped)
    kept = []
    for entity in entities:
        begin = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > begin:
            kept.append({**entity, "offset": begin, "length": end - begin})
    return stripped, kept


def parse_html(markup: str, *, strict: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML markup into ``(text, entities)``; raise :class:`ApiError` if invalid.

    The text is trimmed like Telegram does; entity offsets are in UTF-16 units.
    """
    text, entities = _HtmlParser(markup, strict).parse()
    return _strip_text(text, entities)


def _parse_formatted(
    text: Any, parse_mode: Any, entities: Any, *, strict: bool
) -> tuple[str, list[dict[str, Any]]]:
    """Apply a ``parse_mode`` the way sendMessage/editMessageText/captions do."""
    raw = "" if text is None else str(text)
    mode = str(parse_mode).lower() if parse_mode else ""
    if mode == "html":
        return parse_html(raw, strict=strict)
    if mode in {"markdown", "markdownv2"}:
        return _strip_text(raw, [])  # not validated by this fake (see module docstring)
    if mode:
        raise ApiError("Bad Request: unsupported parse_mode")
    given = entities if isinstance(entities, list) else []
    return _strip_text(raw, [e for e in given if isinstance(e, dict)])


# --------------------------------------------------------------------------- reply markup


def _validate_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Check a reply_markup like Telegram; return it parsed (None when absent)."""
    if markup is None or markup == "":
        return None
    if isinstance(markup, str):
        try:
            markup = json.loads(markup)
        except ValueError:
            raise ApiError("Bad Request: can't parse reply keyboard markup JSON object") from None
    if not isinstance(markup, dict):
        raise ApiError("Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise ApiError(
                'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array'
            )
        for row in rows:
            for button in row:
                _validate_inline_button(button)
    return markup


def _validate_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise ApiError(
            "Bad Request: can't parse inline keyboard button: Field \"text\" must be of type String"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise ApiError("Bad Request: BUTTON_DATA_INVALID")
    elif "url" in button:
        if not isinstance(button["url"], str) or not _looks_like_url(button["url"]):
            raise ApiError(
                f"Bad Request: inline keyboard button URL '{button['url']}' is invalid: Wrong HTTP URL"
            )
    elif not any(key in button for key in _INLINE_BUTTON_ACTIONS):
        raise ApiError(
            "Bad Request: can't parse inline keyboard button: "
            "Text buttons are unallowed in the inline keyboard"
        )


def _inline_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """Only inline keyboards are attached to the sent Message object."""
    return markup if markup and "inline_keyboard" in markup else None


def _callback_datas(message: dict[str, Any]) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [b["callback_data"] for row in rows for b in row if "callback_data" in b]


# --------------------------------------------------------------------------- request parsing


def _decode_form_value(name: str, value: str) -> Any:
    """PTB sends non-string parameters JSON-encoded inside forms (ints, bools, reply_markup...)."""
    if name in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


async def _read_params(
    request: web.Request,
) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]], dict[str, str]]:
    """Parameters from the query string and a JSON, urlencoded or multipart body.

    Returns ``(params, files, mime types of the files)``.
    """
    params: dict[str, Any] = {k: _decode_form_value(k, v) for k, v in request.query.items()}
    files: dict[str, tuple[str, bytes]] = {}
    mimes: dict[str, str] = {}
    if request.method != "POST" or not request.body_exists:
        return params, files, mimes
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise ApiError("Bad Request: can't parse JSON object") from None
        if not isinstance(body, dict):
            raise ApiError("Bad Request: JSON object expected")
        params.update(body)
        return params, files, mimes
    form = await request.post()
    for name, value in form.items():
        if isinstance(value, web.FileField):
            files[name] = (value.filename, value.file.read())
            mimes[name] = value.content_type
        else:
            params[name] = _decode_form_value(name, str(value))
    return params, files, mimes


def _int_param(params: dict[str, Any], name: str, default: int | None = None) -> int | None:
    value = params.get(name, default)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(f"Bad Request: invalid {name} specified") from None


def _truncate(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe_call(index: int, call: Call, start: float) -> str:
    parts = [f"#{index} +{call.time - start:.3f}s {call.method}"]
    for key in ("chat_id", "message_id", "action", "parse_mode", "callback_query_id", "file_id", "file_path"):
        if key in call.params:
            parts.append(f"{key}={call.params[key]!r}")
    for key in ("text", "caption"):
        if key in call.params:
            parts.append(f"{key}={_truncate(str(call.params[key]))!r}")
    if "reply_markup" in call.params:
        parts.append(f"reply_markup={_truncate(json.dumps(call.params['reply_markup'], ensure_ascii=False))}")
    for name, (filename, content) in call.files.items():
        parts.append(f"file {name}={filename!r} ({len(content)} bytes)")
    parts.append("-> ok" if call.ok else f"-> {call.status} {call.description}")
    return " ".join(parts)


def format_calls(calls: Iterable[Call]) -> str:
    """A readable dump of recorded calls; getUpdates calls are only counted."""
    calls = list(calls)
    if not calls:
        return "  (no calls recorded)"
    start = calls[0].time
    lines = [_describe_call(i, c, start) for i, c in enumerate(calls) if c.method != "getUpdates"]
    polls = sum(1 for c in calls if c.method == "getUpdates")
    lines.append(f"(+ {polls} getUpdates calls)")
    return "\n".join("  " + line for line in lines)


# --------------------------------------------------------------------------- stored files


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_name: str
    mime_type: str
    file_size: int
    content: bytes | None
    file_path: str

    def document(self) -> dict[str, Any]:
        return {
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
        }


def _guess_mime(file_name: str) -> str:
    suffix = ("." + file_name.rsplit(".", 1)[-1].lower()) if "." in file_name else ""
    return _MIME_BY_SUFFIX.get(suffix) or mimetypes.guess_type(file_name)[0] or "application/octet-stream"


# --------------------------------------------------------------------------- the server


class FakeTelegramServer:
    """A Bot API server on 127.0.0.1 running in a background thread with its own event loop.

    All state is guarded by one lock, so test threads and the server loop can use it
    concurrently. Use as a context manager or call :meth:`start` / :meth:`stop`.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = BOT_USERNAME,
        bot_first_name: str = BOT_FIRST_NAME,
        strict_html: bool = True,
    ) -> None:
        self.token = token
        self.strict_html = strict_html
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else BOT_ID
        self.bot_user: dict[str, Any] = {
            "id": bot_id, "is_bot": True, "first_name": bot_first_name, "username": bot_username,
        }
        self.port: int | None = None
        self.errors: list[BaseException] = []  # bugs of this fake server, see _dispatch

        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._calls: list[Call] = []
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(800000001)
        self._allowed_updates: set[str] | None = None
        self._chats: dict[int, dict[str, Any]] = {}
        self._messages: dict[int, dict[int, dict[str, Any]]] = {}
        self._last_message_id: dict[int, int] = {}
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._callback_queries: dict[str, bool] = {}  # id -> answered
        self._inline_queries: dict[str, dict[str, Any] | None] = {}  # id -> the answer (None: unanswered)
        self._commands: dict[str, list[dict[str, Any]]] = {}
        self._injected_errors: dict[str, list[ApiError]] = {}
        self._poll_generation = 0
        self._waiting_polls = 0
        self._stopping = False

        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._poll_events: set[asyncio.Event] = set()  # only touched in the server loop
        self._methods: dict[str, tuple[str, Callable[..., Any]]] = {
            name.lower(): (name, handler) for name, handler in self._method_table().items()
        }

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder.base_url``: requests go to ``<base_url><TOKEN>/<method>``."""
        return f"http://127.0.0.1:{self._require_port()}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder.base_file_url``."""
        return f"http://127.0.0.1:{self._require_port()}/file/bot"

    @property
    def bot_username(self) -> str:
        return self.bot_user["username"]

    def _require_port(self) -> int:
        if self.port is None:
            raise RuntimeError("FakeTelegramServer is not started")
        return self.port

    def __enter__(self) -> FakeTelegramServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self, timeout: float = 10.0) -> FakeTelegramServer:
        """Bind a free port on 127.0.0.1 and serve from a daemon thread."""
        if self._thread is not None:
            raise RuntimeError("FakeTelegramServer already started")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._stopping = False
        self._loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._serve, args=(sock, ready, failure), name="fake-telegram", daemon=True
        )
        self._thread.start()
        if not ready.wait(timeout) or failure:
            self.stop()
            raise RuntimeError(f"FakeTelegramServer failed to start: {failure!r}")
        _LOGGER.debug("fake Telegram Bot API listening on 127.0.0.1:%s", self.port)
        return self

    def _serve(self, sock: socket.socket, ready: threading.Event, failure: list[BaseException]) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._start_site(sock))
        except BaseException as exc:  # noqa: BLE001 - reported to start()
            failure.append(exc)
            ready.set()
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _start_site(self, sock: socket.socket) -> None:
        app = web.Application(client_max_size=MAX_UPLOAD_SIZE + 10 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # No access log: request paths contain the token. Handler cancellation ends the
        # long polls of clients that went away (a stopped bot).
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    def stop(self, timeout: float = 10.0) -> None:
        """Release pending long polls, close the server and join its thread. Idempotent."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        with self._lock:
            self._stopping = True
        if not loop.is_closed() and loop.is_running():
            future = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
            try:
                future.result(timeout)
            finally:
                loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        self._thread = None
        self._loop = None

    async def _shutdown(self) -> None:
        self._wake_pollers()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ------------------------------------------------------------------ recorded calls

    def calls(
        self, method: str | None = None, chat_id: int | str | None = None, *, since: int = 0
    ) -> list[Call]:
        """Recorded calls (in completion order), optionally filtered; ``since`` is a :meth:`mark`."""
        with self._lock:
            selected = self._calls[since:]
        return [c for c in selected if self._matches(c, method, chat_id)]

    @staticmethod
    def _matches(call: Call, method: str | None, chat_id: int | str | None) -> bool:
        if method is not None and call.method.lower() != method.lower():
            return False
        return chat_id is None or str(call.params.get("chat_id")) == str(chat_id)

    def mark(self) -> int:
        """A position in the call log, for ``calls(since=...)`` / ``wait_for(since=...)``."""
        with self._lock:
            return len(self._calls)

    def clear(self) -> None:
        """Forget recorded calls (chats, messages, files and queued updates are kept)."""
        with self._lock:
            self._calls.clear()

    def wait_for(
        self,
        method: str | None,
        predicate: Callable[[Call], bool] | None = None,
        count: int = 1,
        timeout: float = 30.0,
        *,
        chat_id: int | str | None = None,
        since: int = 0,
    ) -> list[Call]:
        """Block until ``count`` matching calls are recorded; return all matching calls.

        Raises AssertionError with a dump of every recorded call on timeout, so a failing
        end-to-end test shows what the bot did instead.
        """
        deadline = time.monotonic() + timeout

        def matching() -> list[Call]:
            return [c for c in self.calls(method, chat_id, since=since) if predicate is None or predicate(c)]

        with self._changed:
            while True:
                found = matching()
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
            dump = format_calls(self._calls)
        raise AssertionError(
            f"timed out after {timeout}s waiting for {count} {method or 'any'} call(s)"
            f"{' in chat ' + str(chat_id) if chat_id is not None else ''}"
            f"{' matching the predicate' if predicate else ''}; got {len(found)}. Recorded calls:\n{dump}"
        )

    async def wait_for_async(self, method: str | None, predicate: Callable[[Call], bool] | None = None,
                             count: int = 1, timeout: float = 30.0, *, chat_id: int | str | None = None,
                             since: int = 0) -> list[Call]:
        """:meth:`wait_for` for code running in an event loop (does not block the loop)."""
        return await asyncio.to_thread(self.wait_for, method, predicate, count, timeout,
                                       chat_id=chat_id, since=since)

    def wait_for_polling(self, timeout: float = 30.0) -> None:
        """Block until a getUpdates long poll is waiting, i.e. the bot has started polling."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._waiting_polls == 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    dump = format_calls(self._calls)
                    raise AssertionError(f"no getUpdates long poll within {timeout}s. Calls:\n{dump}")
                self._changed.wait(remaining)

    async def wait_for_polling_async(self, timeout: float = 30.0) -> None:
        """:meth:`wait_for_polling` for code running in an event loop."""
        await asyncio.to_thread(self.wait_for_polling, timeout)

    def dump(self) -> str:
        """All recorded calls, formatted for a failure message."""
        with self._lock:
            return format_calls(self._calls)

    def fail_next(self, method: str, description: str = "Internal Server Error", error_code: int = 500,
                  *, times: int = 1, retry_after: int | None = None) -> None:
        """Make the next ``times`` calls of ``method`` fail, e.g. to test retries or flood waits.

        ``retry_after`` answers 429 "Too Many Requests: retry after N" (PTB raises RetryAfter).
        """
        if retry_after is not None:
            error = ApiError(
                f"Too Many Requests: retry after {retry_after}", 429, {"retry_after": retry_after}
            )
        else:
            error = ApiError(description, error_code)
        with self._lock:
            self._injected_errors.setdefault(method.lower(), []).extend([error] * times)

    # ------------------------------------------------------------------ chat state

    def chat_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Current state of a chat (after edits and deletions), oldest first."""
        with self._lock:
            messages = sorted(self._messages.get(chat_id, {}).values(), key=lambda m: m["message_id"])
            return copy.deepcopy(messages)

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        with self._lock:
            found = self._messages.get(chat_id, {}).get(message_id)
            return copy.deepcopy(found)

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by the bot (through a higher getUpdates offset)."""
        with self._lock:
            return copy.deepcopy(self._updates)

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[dict[str, Any]]:
        """Commands registered with setMyCommands for a scope (default scope when None)."""
        with self._lock:
            return copy.deepcopy(self._commands.get(self._commands_key(scope, language_code), []))

    # ------------------------------------------------------------------ update builders

    def user(self, user_id: int = DEFAULT_USER_ID, first_name: str = "An", username: str | None = "nguyen_an",
             last_name: str | None = "Nguyễn", language_code: str | None = "vi") -> dict[str, Any]:
        """A realistic ``User`` object for an official talking to the bot."""
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        return user

    def _chat_for(self, user: dict[str, Any], chat_id: int | None, chat_type: str,
                  chat_title: str | None) -> dict[str, Any]:
        if chat_type == "private":
            if chat_id is not None and chat_id != user["id"]:
                raise ValueError("a private chat's id is the user's id")
            chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
            chat.update({k: user[k] for k in ("last_name", "username") if k in user})
        elif chat_type in {"group", "supergroup"}:
            if chat_id is None:
                chat_id = DEFAULT_GROUP_ID if chat_type == "supergroup" else -987654321
            if chat_id >= 0:
                raise ValueError("group chat ids are negative")
            chat = {"id": chat_id, "type": chat_type, "title": chat_title or "Văn phòng UBND xã"}
        else:
            raise ValueError(f"unsupported chat_type {chat_type!r}")
        with self._lock:
            self._chats[chat["id"]] = chat
        return dict(chat)

    def _new_message_id(self, chat_id: int) -> int:
        with self._lock:
            self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
            return self._last_message_id[chat_id]

    def _user_message(self, user: dict[str, Any], chat: dict[str, Any],
                      reply_to_message_id: int | None) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self._new_message_id(chat["id"]),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
        }
        if reply_to_message_id is not None:
            replied = self._stored_message(chat["id"], reply_to_message_id)
            if replied is None:
                raise ValueError(f"message {reply_to_message_id} does not exist in chat {chat['id']}")
            message["reply_to_message"] = replied
        return message

    def _stored_message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """A copy fit for embedding (reply_to_message / callback message): one level deep."""
        with self._lock:
            found = self._messages.get(chat_id, {}).get(message_id)
            if found is None:
                return None
            embedded = copy.deepcopy(found)
        embedded.pop("reply_to_message", None)
        return embedded

    def _remember(self, message: dict[str, Any]) -> None:
        with self._lock:
            chat_messages = self._messages.setdefault(message["chat"]["id"], {})
            chat_messages[message["message_id"]] = copy.deepcopy(message)

    def enqueue_update(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (``update_id`` is added) and wake the bot's long poll."""
        with self._changed:
            update = {"update_id": next(self._update_ids), **copy.deepcopy(payload)}
            self._updates.append(update)
            self._changed.notify_all()
        self._wake_pollers_threadsafe()
        return copy.deepcopy(update)

    def send_text(
        self,
        text: str,
        user_id: int = DEFAULT_USER_ID,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "An",
        username: str | None = "nguyen_an",
        reply_to_message_id: int | None = None,
        entities: list[dict[str, Any]] | None = None,
        *,
        last_name: str | None = "Nguyễn",
        chat_title: str | None = None,
    ) -> dict[str, Any]:
        """A user writes ``text``. Commands and @mentions get their entities as Telegram adds them."""
        user = self.user(user_id, first_name, username, last_name)
        chat = self._chat_for(user, chat_id, chat_type, chat_title)
        message = self._user_message(user, chat, reply_to_message_id)
        message["text"] = text
        found = _text_entities(text) if entities is None else entities
        if found:
            message["entities"] = found
        self._remember(message)
        return self.enqueue_update({"message": message})

    def send_callback(
        self,
        data: str,
        message: Call | int,
        user_id: int = DEFAULT_USER_ID,
        chat_id: int | None = None,
        *,
        first_name: str = "An",
        username: str | None = "nguyen_an",
        check_button: bool = True,
    ) -> dict[str, Any]:
        """The user presses the inline button ``data`` on a bot message.

        ``message`` is the recorded sendMessage/editMessageText Call, or a message_id (in
        ``chat_id``, default the user's private chat). The update carries the message as it
        is *now* (after edits). With ``check_button`` the button must exist on it.
        """
        target_chat, message_id = self._callback_target(message, user_id, chat_id)
        current = self._stored_message(target_chat, message_id)
        if current is None:
            raise ValueError(f"message {message_id} does not exist (anymore) in chat {target_chat}")
        if check_button and data not in _callback_datas(current):
            raise ValueError(f"no button with callback_data {data!r} on message {message_id}: "
                             f"{_callback_datas(current)}")
        query_id = str(secrets.randbits(62))
        with self._lock:
            self._callback_queries[query_id] = False
        query = {
            "id": query_id,
            "from": self.user(user_id, first_name, username),
            "message": current,
            "chat_instance": str(-(abs(target_chat) * 7919 % 10**18)),
            "data": data,
        }
        return self.enqueue_update({"callback_query": query})

    def _callback_target(self, message: Call | int, user_id: int, chat_id: int | None) -> tuple[int, int]:
        if isinstance(message, Call):
            result = message.result
            if not isinstance(result, dict) or "message_id" not in result:
                raise ValueError(f"{message.method} call has no message result: {message.response}")
            return result["chat"]["id"], result["message_id"]
        return (user_id if chat_id is None else chat_id), message

    def send_document(
        self,
        file_name: str,
        content: bytes | None = None,
        user_id: int = DEFAULT_USER_ID,
        chat_id: int | None = None,
        mime_type: str | None = None,
        caption: str | None = None,
        *,
        file_size: int | None = None,
        chat_type: str = "private",
        first_name: str = "An",
        username: str | None = "nguyen_an",
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        """The user sends a file. getFile + download then return ``content``.

        Pass ``file_size`` without ``content`` to simulate a big file without the bytes;
        above 20 MB getFile answers "file is too big", as Telegram does.
        """
        if content is None and file_size is None:
            raise ValueError("give content or file_size")
        size = len(content) if file_size is None else file_size
        stored = self._store_file(file_name, mime_type or _guess_mime(file_name), size, content)
        user = self.user(user_id, first_name, username)
        chat = self._chat_for(user, chat_id, chat_type, None)
        message = self._user_message(user, chat, reply_to_message_id)
        message["document"] = stored.document()
        if caption:
            message["caption"] = caption
            found = _text_entities(caption)
            if found:
                message["caption_entities"] = found
        self._remember(message)
        return self.enqueue_update({"message": message})

    def send_photo(
        self,
        content: bytes,
        user_id: int = DEFAULT_USER_ID,
        chat_id: int | None = None,
        caption: str | None = None,
        *,
        media_group_id: str | None = None,
        chat_type: str = "private",
        first_name: str = "An",
        username: str | None = "nguyen_an",
    ) -> dict[str, Any]:
        """The user sends a photo: the message carries its sizes (a thumbnail and the photo, largest last).

        Telegram recompresses photos to JPEG; the largest size here is ``content`` itself.
        """
        user = self.user(user_id, first_name, username)
        chat = self._chat_for(user, chat_id, chat_type, None)
        message = self._user_message(user, chat, None)
        message["photo"] = self._photo_sizes(content)
        if media_group_id:
            message["media_group_id"] = media_group_id
        if caption:
            message["caption"] = caption
        self._remember(message)
        return self.enqueue_update({"message": message})

    def send_album(self, contents: list[bytes], user_id: int = DEFAULT_USER_ID, caption: str | None = None,
                   **kwargs: Any) -> list[dict[str, Any]]:
        """Several photos sent together: one message each, sharing a ``media_group_id`` (caption on the first)."""
        group = str(secrets.randbits(60))
        return [self.send_photo(content, user_id, caption=caption if i == 0 else None, media_group_id=group,
                                **kwargs) for i, content in enumerate(contents)]

    def _photo_sizes(self, content: bytes) -> list[dict[str, Any]]:
        width, height = _image_size(content)
        sizes = []
        if max(width, height) > 320:  # Telegram always adds a small preview
            thumb = _thumbnail(content)
            t_width, t_height = _image_size(thumb)
            stored = self._store_file("thumb.jpg", "image/jpeg", len(thumb), thumb, folder="photos")
            sizes.append(self._photo_size(stored, t_width, t_height))
        stored = self._store_file("photo.jpg", "image/jpeg", len(content), content, folder="photos")
        sizes.append(self._photo_size(stored, width, height))
        return sizes

    @staticmethod
    def _photo_size(stored: _StoredFile, width: int, height: int) -> dict[str, Any]:
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_size": stored.file_size,
                "width": width, "height": height}

    def _store_file(self, file_name: str, mime_type: str, size: int, content: bytes | None,
                    folder: str = "documents") -> _StoredFile:
        number = next(self._file_counter)
        suffix = ("." + file_name.rsplit(".", 1)[-1]) if "." in file_name else ""
        stored = _StoredFile(
            file_id="BQACAgUAAxkBAAI" + secrets.token_urlsafe(48)[:56],
            file_unique_id="AgAD" + secrets.token_urlsafe(9)[:12],
            file_name=file_name,
            mime_type=mime_type,
            file_size=size,
            content=content,
            file_path=f"{folder}/file_{number}{suffix}",
        )
        with self._lock:
            self._files[stored.file_id] = stored
            self._files_by_path[stored.file_path] = stored
        return stored

    def send_inline_query(self, query: str, user_id: int = DEFAULT_USER_ID, *, chat_type: str = "supergroup",
                          offset: str = "", first_name: str = "An", username: str | None = "nguyen_an") -> str:
        """The user types ``@bot query`` in a chat; returns the inline query id (see :meth:`inline_answer`)."""
        if len(query) > 256:
            raise ValueError("Telegram cuts inline queries at 256 characters")
        query_id = str(secrets.randbits(62))
        with self._lock:
            self._inline_queries[query_id] = None
        self.enqueue_update({"inline_query": {
            "id": query_id, "from": self.user(user_id, first_name, username), "query": query,
            "offset": offset, "chat_type": chat_type}})
        return query_id

    def send_chosen_inline_result(self, result_id: str, query: str, user_id: int = DEFAULT_USER_ID) -> None:
        """The user picked a result (delivered only with inline feedback switched on at BotFather)."""
        self.enqueue_update({"chosen_inline_result": {
            "result_id": result_id, "from": self.user(user_id), "query": query}})

    def inline_answer(self, query_id: str, timeout: float = 60.0) -> dict[str, Any]:
        """The bot's answer to an inline query, once given: ``results`` with each message's parsed
        ``text`` and ``entities`` (as the chat it is sent to would show it), ``cache_time``, ``button``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._inline_queries.get(query_id) is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"inline query {query_id} not answered in {timeout}s:\n{self.dump()}")
                self._changed.wait(min(left, 0.5))
            return copy.deepcopy(self._inline_queries[query_id])

    # ------------------------------------------------------------------ HTTP layer

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/file/bot"):
            return self._download(request, path.removeprefix("/file/bot"))
        if path.startswith("/bot"):
            token, _, method = path.removeprefix("/bot").partition("/")
            return await self._dispatch(request, token, method)
        return web.json_response(ApiError("Not Found", 404).payload(), status=404)

    async def _dispatch(self, request: web.Request, token: str, method: str) -> web.Response:
        started = time.time()
        params: dict[str, Any] = {}
        files: dict[str, tuple[str, bytes]] = {}
        name = method
        try:
            params, files, mimes = await _read_params(request)
            if token != self.token:
                raise ApiError("Unauthorized", 401)
            entry = self._methods.get(method.lower())
            if entry is None:
                raise ApiError("Not Found", 404)
            name, handler = entry
            self._raise_injected_error(name)
            if name == "getUpdates":
                result = await self._get_updates(params)
            elif name == "sendDocument":
                result = self._send_document(params, files, mimes)
            elif name == "sendPhoto":
                result = self._send_photo(params, files, mimes)
            else:
                result = handler(params)
            status, body = 200, {"ok": True, "result": result}
        except ApiError as error:
            status, body = error.error_code, error.payload()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug of the fake must not look like a network error
            _LOGGER.exception("fake Telegram server failed on %s", name)
            self.errors.append(exc)
            status, body = 500, ApiError(f"Internal Server Error: {exc!r}", 500).payload()
        self._record(Call(name, params, files, started, status, body))
        return web.json_response(body, status=status)

    def _raise_injected_error(self, method: str) -> None:
        with self._lock:
            queued = self._injected_errors.get(method.lower())
            if queued:
                raise queued.pop(0)

    def _record(self, call: Call) -> None:
        with self._changed:
            self._calls.append(call)
            self._changed.notify_all()

    def _download(self, request: web.Request, rest: str) -> web.Response:
        token, _, file_path = rest.partition("/")
        with self._lock:
            stored = self._files_by_path.get(file_path)
        if token != self.token:
            status, error = 401, ApiError("Unauthorized", 401)
        elif stored is None or stored.content is None or stored.file_size > MAX_DOWNLOAD_SIZE:
            status, error = 404, ApiError("Not Found", 404)
        else:
            self._record(Call(DOWNLOAD_METHOD, {"file_path": file_path}, {}, time.time(), 200,
                              {"ok": True, "result": {"file_size": len(stored.content)}}))
            return web.Response(body=stored.content, content_type="application/octet-stream")
        self._record(
            Call(DOWNLOAD_METHOD, {"file_path": file_path}, {}, time.time(), status, error.payload())
        )
        return web.json_response(error.payload(), status=status)

    # ------------------------------------------------------------------ long polling

    def _wake_pollers_threadsafe(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(self._wake_pollers)
            except RuntimeError:  # loop closed between the check and the call
                pass

    def _wake_pollers(self) -> None:
        for event in list(self._poll_events):
            event.set()

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Long polling: answer at once if updates are queued, else wait up to ``timeout``."""
        offset = _int_param(params, "offset", 0) or 0
        limit = min(max(_int_param(params, "limit", 100) or 100, 1), 100)
        try:
            timeout = max(float(params.get("timeout") or 0), 0.0)
        except (TypeError, ValueError):
            raise ApiError("Bad Request: invalid timeout specified") from None
        with self._lock:
            self._poll_generation += 1
            generation = self._poll_generation
            self._confirm(offset)
            if isinstance(params.get("allowed_updates"), list):
                self._allowed_updates = set(params["allowed_updates"]) or None
        self._wake_pollers()  # an older poll still waiting is now terminated with 409
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        event = asyncio.Event()
        self._poll_events.add(event)
        waiting = False
        try:
            while True:
                event.clear()
                with self._changed:
                    if generation != self._poll_generation:
                        raise ApiError(_CONFLICT, 409)
                    batch = self._deliverable(limit)
                    if batch or self._stopping:
                        return batch
                    if not waiting:
                        waiting = True
                        self._waiting_polls += 1
                        self._changed.notify_all()
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return []
                try:
                    await asyncio.wait_for(event.wait(), remaining)
                except TimeoutError:
                    pass
        finally:
            self._poll_events.discard(event)
            if waiting:
                with self._lock:
                    self._waiting_polls -= 1

    def _confirm(self, offset: int) -> None:
        """``offset`` confirms (forgets) every earlier update; a negative one keeps the last -offset."""
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

    def _deliverable(self, limit: int) -> list[dict[str, Any]]:
        allowed = self._allowed_updates

        def wanted(update: dict[str, Any]) -> bool:
            kind = next((k for k in update if k != "update_id"), "")
            return kind in allowed if allowed else kind not in _OPT_IN_UPDATE_TYPES

        return copy.deepcopy([u for u in self._updates if wanted(u)][:limit])

    # ------------------------------------------------------------------ Bot API methods

    def _method_table(self) -> dict[str, Callable[..., Any]]:
        return {
            "getMe": self._get_me,
            "logOut": lambda p: True,
            "close": lambda p: True,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getUpdates": lambda p: None,  # async, special-cased in _dispatch
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setMyDescription": lambda p: True,
            "setMyShortDescription": lambda p: True,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "sendChatAction": self._send_chat_action,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": lambda p: None,  # needs the files, special-cased in _dispatch
            "sendPhoto": lambda p: None,  # needs the files, special-cased in _dispatch
            "getFile": self._get_file,
            "answerInlineQuery": self._answer_inline_query,
        }

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates") in (True, "true", "True", 1):
            with self._lock:
                self._updates.clear()
        return True

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            pending = len(self._updates)
        return {"url": "", "has_custom_certificate": False, "pending_update_count": pending}

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> str:
        if isinstance(scope, str):
            scope = json.loads(scope) if scope else None
        return json.dumps(scope or {"type": "default"}, sort_keys=True) + "|" + str(language_code or "")

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if isinstance(commands, str):
            commands = json.loads(commands)
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError("Bad Request: commands must be an array of at most 100 BotCommand")
        for command in commands:
            name = command.get("command", "") if isinstance(command, dict) else ""
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise ApiError("Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise ApiError("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        with self._lock:
            self._commands[self._commands_key(params.get("scope"), params.get("language_code"))] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands(params.get("scope"), params.get("language_code") or "")

    def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        with self._lock:
            self._commands.pop(self._commands_key(params.get("scope"), params.get("language_code")), None)
        return True

    def _chat(self, params: dict[str, Any]) -> dict[str, Any]:
        """The chat a bot addresses; unknown numeric ids get a plausible chat object."""
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise ApiError("Bad Request: chat_id is empty")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            raise ApiError("Bad Request: chat not found") from None
        with self._lock:
            known = self._chats.get(chat_id)
        if known:
            return dict(known)
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "User"}
        return {"id": chat_id, "type": "supergroup" if str(chat_id).startswith("-100") else "group",
                "title": "Group"}

    def _bot_message(self, params: dict[str, Any], chat: dict[str, Any]) -> dict[str, Any]:
        """The common part of a Message the bot sends, including the replied message."""
        reply = params.get("reply_parameters")
        if isinstance(reply, str):
            reply = json.loads(reply)
        reply_to = (reply or {}).get("message_id") if isinstance(reply, dict) else None
        reply_to = params.get("reply_to_message_id", reply_to)
        allow_missing = bool(params.get("allow_sending_without_reply")) or (
            isinstance(reply, dict) and bool(reply.get("allow_sending_without_reply"))
        )
        replied = None
        if reply_to is not None:
            replied = self._stored_message(chat["id"], int(reply_to))
            if replied is None and not allow_missing:
                raise ApiError("Bad Request: message to be replied not found")
        message: dict[str, Any] = {
            "message_id": self._new_message_id(chat["id"]),
            "from": dict(self.bot_user),
            "chat": chat,
            "date": int(time.time()),
        }
        if replied is not None:
            message["reply_to_message"] = replied
        return message

    def _message_text(self, params: dict[str, Any], too_long: str) -> tuple[str, list[dict[str, Any]]]:
        if params.get("text") in (None, ""):
            raise ApiError("Bad Request: message text is empty")
        text, entities = _parse_formatted(params["text"], params.get("parse_mode"), params.get("entities"),
                                          strict=self.strict_html)
        if not text:
            raise ApiError("Bad Request: message text is empty")
        if len(text) > MAX_MESSAGE_LENGTH:
            raise ApiError(too_long)
        return text, entities

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        text, entities = self._message_text(params, "Bad Request: message is too long")
        markup = _inline_markup(_validate_reply_markup(params.get("reply_markup")))
        message = self._bot_message(params, chat)
        message["text"] = text
        if entities:
            message["entities"] = entities
        if markup:
            message["reply_markup"] = markup
        self._remember(message)
        return message

    def _editable_message(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("inline_message_id"):
            raise ApiError("Bad Request: MESSAGE_ID_INVALID")  # inline mode is not simulated
        chat = self._chat(params)
        message_id = _int_param(params, "message_id")
        with self._lock:
            stored = self._messages.get(chat["id"], {}).get(message_id) if message_id is not None else None
            if stored is None:
                raise ApiError("Bad Request: message to edit not found")
            if stored["from"].get("id") != self.bot_user["id"]:
                raise ApiError("Bad Request: message can't be edited")
            return stored

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        # Telegram words the same limit differently for edits.
        text, entities = self._message_text(params, "Bad Request: MESSAGE_TOO_LONG")
        markup = _inline_markup(_validate_reply_markup(params.get("reply_markup")))
        with self._lock:
            stored = self._editable_message(params)
            if "text" not in stored:
                raise ApiError("Bad Request: there is no text in the message to edit")
            unchanged = (stored["text"], stored.get("entities", []), stored.get("reply_markup")) == (
                text, entities, markup)
            if unchanged:
                raise ApiError(_NOT_MODIFIED)
            stored["text"] = text
            self._set_optional(stored, "entities", entities)
            self._set_optional(stored, "reply_markup", markup)  # an edit without markup drops the keyboard
            stored["edit_date"] = int(time.time())
            return copy.deepcopy(stored)

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        markup = _inline_markup(_validate_reply_markup(params.get("reply_markup")))
        with self._lock:
            stored = self._editable_message(params)
            if stored.get("reply_markup") == markup:
                raise ApiError(_NOT_MODIFIED)
            self._set_optional(stored, "reply_markup", markup)
            stored["edit_date"] = int(time.time())
            return copy.deepcopy(stored)

    @staticmethod
    def _set_optional(target: dict[str, Any], key: str, value: Any) -> None:
        if value:
            target[key] = value
        else:
            target.pop(key, None)

    def _delete_message(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params)
        message_id = _int_param(params, "message_id")
        with self._lock:
            if self._messages.get(chat["id"], {}).pop(message_id, None) is None:  # type: ignore[arg-type]
                raise ApiError("Bad Request: message to delete not found")
        return True

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        self._chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise ApiError("Bad Request: wrong parameter action in request")
        return True

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if len(str(params.get("text") or "")) > MAX_CALLBACK_ANSWER_LENGTH:
            raise ApiError("Bad Request: MESSAGE_TOO_LONG")
        with self._lock:
            if self._callback_queries.get(query_id, True):  # unknown or already answered
                raise ApiError(_QUERY_INVALID)
            self._callback_queries[query_id] = True
        return True

    def _answer_inline_query(self, params: dict[str, Any]) -> bool:
        """Validated as Telegram does: known query answered once, ≤ 50 results, ids of 1–64 bytes and
        unique, each article with a title and a message whose HTML parses and fits 4096 characters."""
        query_id = str(params.get("inline_query_id", ""))
        results = params.get("results")
        if isinstance(results, str):
            results = json.loads(results)
        if not isinstance(results, list):
            raise ApiError("Bad Request: can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise ApiError("Bad Request: RESULTS_TOO_MUCH")
        seen: set[str] = set()
        parsed = []
        for result in results:
            rid = result.get("id") if isinstance(result, dict) else None
            if not isinstance(rid, str) or not 1 <= len(rid.encode("utf-8")) <= MAX_INLINE_RESULT_ID_BYTES:
                raise ApiError("Bad Request: RESULT_ID_INVALID")
            if rid in seen:
                raise ApiError("Bad Request: RESULT_ID_DUPLICATE")
            seen.add(rid)
            if result.get("type") not in _INLINE_RESULT_TYPES:
                raise ApiError("Bad Request: RESULT_TYPE_INVALID")
            entry = {"id": rid, "type": result["type"], "title": result.get("title"),
                     "description": result.get("description")}
            if result["type"] == "article":
                if not str(result.get("title") or "").strip():
                    raise ApiError("Bad Request: RESULT_TITLE_EMPTY")
                content = result.get("input_message_content")
                if not isinstance(content, dict) or not str(content.get("message_text") or "").strip():
                    raise ApiError("Bad Request: MESSAGE_EMPTY")
                text, entities = _parse_formatted(content["message_text"], content.get("parse_mode"),
                                                  content.get("entities"), strict=self.strict_html)
                if not text:
                    raise ApiError("Bad Request: MESSAGE_EMPTY")
                if len(text) > MAX_MESSAGE_LENGTH:
                    raise ApiError("Bad Request: MESSAGE_TOO_LONG")
                entry.update(text=text, entities=entities, parse_mode=content.get("parse_mode"))
            if "reply_markup" in result:
                entry["reply_markup"] = _validate_reply_markup(result["reply_markup"])
            parsed.append(entry)
        button = params.get("button")
        if isinstance(button, str):
            button = json.loads(button) if button else None
        if button is not None and not (isinstance(button, dict) and str(button.get("text") or "").strip()):
            raise ApiError("Bad Request: BUTTON_TEXT_INVALID")
        try:
            cache_time = int(params.get("cache_time", 300))
        except (TypeError, ValueError):
            raise ApiError("Bad Request: wrong parameter cache_time") from None
        with self._changed:
            if query_id not in self._inline_queries or self._inline_queries[query_id] is not None:
                raise ApiError(_QUERY_INVALID)
            self._inline_queries[query_id] = {
                "results": parsed, "cache_time": cache_time, "button": button,
                "is_personal": params.get("is_personal") in (True, "true", "True", 1)}
            self._changed.notify_all()
        return True

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            stored = self._files.get(str(params.get("file_id", "")))
        if stored is None:
            raise ApiError("Bad Request: wrong file_id or the file is temporarily unavailable")
        if stored.file_size > MAX_DOWNLOAD_SIZE:
            raise ApiError("Bad Request: file is too big")
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "file_size": stored.file_size, "file_path": stored.file_path}

    def _send_document(self, params: dict[str, Any], files: dict[str, tuple[str, bytes]],
                       mimes: dict[str, str]) -> dict[str, Any]:
        chat = self._chat(params)
        stored = self._document_input(params, files, mimes)
        caption, caption_entities = _parse_formatted(params.get("caption"), params.get("parse_mode"),
                                                     params.get("caption_entities"), strict=self.strict_html)
        if len(caption) > MAX_CAPTION_LENGTH:
            raise ApiError("Bad Request: message caption is too long")
        markup = _inline_markup(_validate_reply_markup(params.get("reply_markup")))
        message = self._bot_message(params, chat)
        message["document"] = stored.document()
        if caption:
            message["caption"] = caption
        if caption_entities:
            message["caption_entities"] = caption_entities
        if markup:
            message["reply_markup"] = markup
        self._remember(message)
        return message

    def _send_photo(self, params: dict[str, Any], files: dict[str, tuple[str, bytes]],
                    mimes: dict[str, str]) -> dict[str, Any]:
        """sendPhoto as Telegram checks it: a photo present and decodable, within size and shape, caption ≤ 1024."""
        chat = self._chat(params)
        reference = params.get("photo")
        part = "photo"
        if isinstance(reference, str) and reference.startswith("attach://"):
            part = reference.removeprefix("attach://")
        if part in files:
            _, content = files[part]
            if not content:
                raise ApiError("Bad Request: file must be non-empty")
            if len(content) > MAX_PHOTO_SIZE:
                raise ApiError("Request Entity Too Large", 413)
            try:
                width, height = _image_size(content)
            except ValueError:
                raise ApiError("Bad Request: IMAGE_PROCESS_FAILED") from None
            if width + height > MAX_PHOTO_SIDES or max(width, height) > MAX_PHOTO_RATIO * min(width, height):
                raise ApiError("Bad Request: PHOTO_INVALID_DIMENSIONS")
            sizes = self._photo_sizes(content)
        elif isinstance(reference, str) and reference:
            with self._lock:
                known = self._files.get(reference)
            if known is None or known.content is None:
                raise ApiError("Bad Request: wrong file identifier/HTTP URL specified")
            sizes = self._photo_sizes(known.content)
        else:
            raise ApiError("Bad Request: there is no photo in the request")
        caption, caption_entities = _parse_formatted(params.get("caption"), params.get("parse_mode"),
                                                     params.get("caption_entities"), strict=self.strict_html)
        if len(caption) > MAX_CAPTION_LENGTH:
            raise ApiError("Bad Request: message caption is too long")
        markup = _inline_markup(_validate_reply_markup(params.get("reply_markup")))
        message = self._bot_message(params, chat)
        message["photo"] = sizes
        if caption:
            message["caption"] = caption
        if caption_entities:
            message["caption_entities"] = caption_entities
        if markup:
            message["reply_markup"] = markup
        self._remember(message)
        return message

    def photo_content(self, call: Call) -> bytes:
        """The bytes of the largest size of a photo the bot sent (a sendPhoto call)."""
        file_id = call.result["photo"][-1]["file_id"]
        with self._lock:
            stored = self._files[file_id]
        assert stored.content is not None
        return stored.content

    def _document_input(self, params: dict[str, Any], files: dict[str, tuple[str, bytes]],
                        mimes: dict[str, str]) -> _StoredFile:
        """An uploaded part (``document`` or ``attach://name``) or the file_id of a known file."""
        reference = params.get("document")
        part = "document"
        if isinstance(reference, str) and reference.startswith("attach://"):
            part = reference.removeprefix("attach://")
        if part in files:
            file_name, content = files[part]
            if not content:
                raise ApiError("Bad Request: file must be non-empty")
            if len(content) > MAX_UPLOAD_SIZE:
                raise ApiError("Request Entity Too Large", 413)
            mime = mimes.get(part) or _guess_mime(file_name)
            if mime == "application/octet-stream":
                mime = _guess_mime(file_name)
            return self._store_file(file_name or "document", mime, len(content), content)
        if isinstance(reference, str) and reference:
            with self._lock:
                known = self._files.get(reference)
            if known is None:
                raise ApiError("Bad Request: wrong file identifier/HTTP URL specified")
            return known
        raise ApiError("Bad Request: there is no document in the request")


# --------------------------------------------------------------------------- images


def _image_size(content: bytes) -> tuple[int, int]:
    """Width and height of an image; ValueError when it is not one Telegram could process."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            return image.size
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValueError(f"not an image: {exc}") from exc


def _thumbnail(content: bytes) -> bytes:
    import io

    from PIL import Image

    with Image.open(io.BytesIO(content)) as image:
        image = image.convert("RGB")
        image.thumbnail((320, 320))
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=70)
        return out.getvalue()


# --------------------------------------------------------------------------- entities of user text

_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION_RE = re.compile(r"(?<![\w@/])@[A-Za-z0-9_]{5,32}")


def _ends_token(text: str, end: int) -> bool:
    """A command or mention must not run on into a word: "/tìm" is no command at all."""
    return end >= len(text) or not (text[end].isalnum() or text[end] in "_/@")


def _text_entities(text: str) -> list[dict[str, Any]]:
    """The bot_command and mention entities Telegram attaches to a user's message."""
    found: list[tuple[str, int, int]] = []
    for match in _COMMAND_RE.finditer(text):
        if _ends_token(text, match.end()):
            found.append(("bot_command", match.start(), match.end()))
    for match in _MENTION_RE.finditer(text):
        inside_command = any(start <= match.start() < end for _, start, end in found)
        if _ends_token(text, match.end()) and not inside_command:
            found.append(("mention", match.start(), match.end()))
    return [
        {"offset": _utf16_len(text[:start]), "length": _utf16_len(text[start:end]), "type": kind}
        for kind, start, end in sorted(found, key=lambda e: e[1])
    ]
