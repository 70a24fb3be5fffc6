"""Tests of the fake Bot API server, driven by the real python-telegram-bot over HTTP.

They double as examples for the bot's end-to-end tests: :class:`PollingBot` runs a PTB
``Application`` in its own thread and event loop, so the test body stays synchronous
and can use ``FakeTelegramServer.wait_for``.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest
from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, Conflict, EndPointNotFound, InvalidToken
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

try:  # the repository root on sys.path (python -m pytest, editable install)
    from tests import fake_telegram
except ImportError:  # pytest's "prepend" import mode puts tests/ itself on sys.path
    import fake_telegram  # type: ignore[no-redef]

FakeTelegramServer = fake_telegram.FakeTelegramServer
Call = fake_telegram.Call
USER = fake_telegram.DEFAULT_USER_ID
GROUP = fake_telegram.DEFAULT_GROUP_ID

pytestmark = pytest.mark.timeout(60)
T = TypeVar("T")


# --------------------------------------------------------------------------- fixtures and helpers


@pytest.fixture
def tg() -> Iterator[FakeTelegramServer]:
    with FakeTelegramServer() as server:
        yield server
        assert not server.errors, f"the fake server itself failed: {server.errors!r}"


def run_with_bot(
    tg: FakeTelegramServer, scenario: Callable[[Bot], Awaitable[T]], token: str | None = None
) -> T:
    """Run ``scenario(bot)`` with a plain PTB Bot pointed at the fake server."""

    async def main() -> T:
        bot = Bot(token or tg.token, base_url=tg.base_url, base_file_url=tg.base_file_url)
        async with bot:
            return await scenario(bot)

    return asyncio.run(main())


def build_app(tg: FakeTelegramServer) -> Application:
    """A tiny bot: echo in HTML, /start, /menu with a button, and a document downloader."""
    app = Application.builder().token(tg.token).base_url(tg.base_url).base_file_url(tg.base_file_url).build()
    app.bot_data["errors"] = []

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_chat.send_chat_action(ChatAction.TYPING)
        await update.message.reply_html("<b>echo</b> " + html.escape(update.message.text))

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text("start ok")

    async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Một", callback_data="pick:1")]])
        await update.message.reply_text("Chọn:", reply_markup=keyboard)

    async def picked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer("Đã chọn")
        await query.edit_message_text(f"Bạn chọn {query.data}")

    async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            data = await (await update.message.document.get_file()).download_as_bytearray()
        except BadRequest as exc:
            await update.message.reply_text(f"error={exc.message}")
            return
        await update.message.reply_text(f"size={len(data)}")

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        app.bot_data["errors"].append(context.error)

    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(CallbackQueryHandler(picked))
    app.add_handler(MessageHandler(filters.Document.ALL, document))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_error_handler(on_error)
    return app


class PollingBot:
    """Runs a PTB Application (start + long polling) in a thread with its own event loop."""

    def __init__(self, app: Application) -> None:
        self.app = app
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), name="ptb-bot", daemon=True)

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            async with self.app:
                await self.app.start()
                await self.app.updater.start_polling(poll_interval=0, timeout=dtm.timedelta(seconds=10))
                self._ready.set()
                await self._stop.wait()
                await self.app.updater.stop()
                await self.app.stop()
        except BaseException as exc:
            self._failure = exc
            raise
        finally:
            self._ready.set()

    def __enter__(self) -> PollingBot:
        self._thread.start()
        assert self._ready.wait(20), "the bot did not start"
        if self._failure:
            raise self._failure
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(20)
        assert not self._thread.is_alive(), "the bot did not stop"

    @property
    def errors(self) -> list[BaseException]:
        return self.app.bot_data["errors"]


@pytest.fixture
def bot(tg: FakeTelegramServer) -> Iterator[PollingBot]:
    with PollingBot(build_app(tg)) as running:
        tg.wait_for_polling()
        yield running
    assert not running.errors, f"handler errors: {running.errors!r}"


def ok_reply(tg: FakeTelegramServer, text_prefix: str = "", chat_id: int = USER) -> Call:
    """The first successful sendMessage in ``chat_id`` whose text starts with ``text_prefix``."""
    return tg.wait_for("sendMessage", lambda c: c.ok and c.text.startswith(text_prefix), chat_id=chat_id)[0]


def raw_request(tg: FakeTelegramServer, path: str, data: bytes | None = None,
                content_type: str | None = None) -> tuple[int, dict[str, Any]]:
    """A hand-made HTTP request (no proxy), for body encodings PTB does not use."""
    request = urllib.request.Request(f"http://127.0.0.1:{tg.port}{path}", data=data)
    if content_type:
        request.add_header("Content-Type", content_type)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


# --------------------------------------------------------------------------- the bot, end to end


def test_echo_reply_is_html_after_a_chat_action(tg: FakeTelegramServer, bot: PollingBot) -> None:
    tg.send_text("Xin chào <bạn> & anh")

    reply = ok_reply(tg)
    assert reply.params["text"] == "<b>echo</b> Xin chào &lt;bạn&gt; &amp; anh"
    assert reply.params["parse_mode"] == "HTML"
    assert reply.result["text"] == "echo Xin chào <bạn> & anh"
    assert reply.result["entities"] == [{"offset": 0, "length": 4, "type": "bold"}]
    action = tg.wait_for("sendChatAction", chat_id=USER)[0]
    assert action.params["action"] == "typing"
    methods = [c.method for c in tg.calls() if c.method != "getUpdates"]
    assert methods.index("sendChatAction") < methods.index("sendMessage")
    assert tg.calls("getMe") and tg.calls("deleteWebhook")


def test_commands_work_in_private_chats_and_groups(tg: FakeTelegramServer, bot: PollingBot) -> None:
    update = tg.send_text("/start")
    assert update["message"]["entities"] == [{"offset": 0, "length": 6, "type": "bot_command"}]
    ok_reply(tg, "start ok")

    group = tg.send_text(f"/start@{tg.bot_username}", chat_type="supergroup")
    assert group["message"]["chat"]["type"] == "supergroup"
    ok_reply(tg, "start ok", chat_id=GROUP)


def test_callback_query_is_answered_and_edits_the_message(tg: FakeTelegramServer, bot: PollingBot) -> None:
    tg.send_text("/menu")
    menu = ok_reply(tg, "Chọn:")
    assert menu.result["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "pick:1"

    update = tg.send_callback("pick:1", menu)
    assert update["callback_query"]["message"]["message_id"] == menu.result["message_id"]

    answer = tg.wait_for("answerCallbackQuery")[0]
    assert answer.ok and answer.params["callback_query_id"] == update["callback_query"]["id"]
    edit = tg.wait_for("editMessageText")[0]
    assert edit.ok and edit.params["text"] == "Bạn chọn pick:1"
    current = tg.message(USER, menu.result["message_id"])
    assert current["text"] == "Bạn chọn pick:1" and "reply_markup" not in current  # the edit dropped it
    with pytest.raises(ValueError, match="no button"):
        tg.send_callback("pick:1", menu)


def test_document_is_downloaded_through_get_file(tg: FakeTelegramServer, bot: PollingBot) -> None:
    content = bytes(range(256)) * 1000
    update = tg.send_document("cong_van.pdf", content, caption="Xem giúp")
    assert update["message"]["document"]["mime_type"] == "application/pdf"
    assert update["message"]["document"]["file_size"] == len(content)

    ok_reply(tg, f"size={len(content)}")
    assert tg.wait_for("getFile")[0].ok
    assert tg.wait_for(fake_telegram.DOWNLOAD_METHOD)[0].ok


def test_documents_over_20_mb_cannot_be_fetched(tg: FakeTelegramServer, bot: PollingBot) -> None:
    tg.send_document("ho_so.zip", file_size=25 * 1024 * 1024)

    ok_reply(tg, "error=File is too big")
    assert tg.calls("getFile")[0].description == "Bad Request: file is too big"
    assert not tg.calls(fake_telegram.DOWNLOAD_METHOD)


# --------------------------------------------------------------------------- Bot API behaviour


def test_send_document_upload_is_stored_and_downloadable(tg: FakeTelegramServer) -> None:
    async def scenario(bot: Bot) -> tuple[Any, bytearray]:
        message = await bot.send_document(USER, b"noi dung", filename="bao_cao.txt",
                                          caption="<b>Báo cáo</b>", parse_mode="HTML")
        data = await (await bot.get_file(message.document.file_id)).download_as_bytearray()
        return message, data

    message, data = run_with_bot(tg, scenario)
    call = tg.calls("sendDocument")[0]
    assert call.files["document"] == ("bao_cao.txt", b"noi dung")
    assert message.document.file_name == "bao_cao.txt" and message.document.file_size == 8
    assert message.document.mime_type == "text/plain" and message.caption == "Báo cáo"
    assert data == b"noi dung"


def expect_bad_request(tg: FakeTelegramServer, call: Callable[[Bot], Awaitable[Any]]) -> str:
    """Run one Bot call that must fail with BadRequest; return PTB's message."""

    async def scenario(bot: Bot) -> str:
        with pytest.raises(BadRequest) as caught:
            await call(bot)
        return caught.value.message

    return run_with_bot(tg, scenario)


def test_messages_longer_than_4096_characters_are_refused(tg: FakeTelegramServer) -> None:
    fits = ["a" * 4096, "ệ" * 4096, "<b>" + "a" * 4096 + "</b>", "&amp;" * 4096, " " + "a" * 4096 + "\n"]

    async def send_all(bot: Bot) -> None:
        for text in fits:
            await bot.send_message(USER, text, parse_mode="HTML")

    run_with_bot(tg, send_all)
    for text in ["a" * 4097, "&amp;" * 4097]:
        message = expect_bad_request(tg, lambda bot, t=text: bot.send_message(USER, t, parse_mode="HTML"))
        assert message == "Message is too long"

    async def edit_too_long(bot: Bot) -> None:
        sent = await bot.send_message(USER, "ngắn")
        with pytest.raises(BadRequest, match="Message_too_long"):  # the edit wording differs
            await bot.edit_message_text("a" * 4097, USER, sent.message_id)

    run_with_bot(tg, edit_too_long)


@pytest.mark.parametrize(
    "markup",
    [
        "<b>đậm",
        "<b>đậm</i>",
        "đóng</b>",
        "a < b",
        "dòng<br>dòng",
        "AT&T",
        "1 > 0",
        "<span>ẩn</span>",
        "<a href=https://x.vn>liên kết</a>",
        "<div>khối</div>",
    ],
)
def test_malformed_html_is_refused(tg: FakeTelegramServer, markup: str) -> None:
    message = expect_bad_request(tg, lambda bot: bot.send_message(USER, markup, parse_mode="HTML"))
    assert message.startswith("Can't parse entities: ")


def test_well_formed_html_is_accepted_and_parsed_into_entities(tg: FakeTelegramServer) -> None:
    markups = [
        "<b>a</b> <strong>b</strong> <i>c</i> <em>d</em> <u>e</u> <ins>f</ins>",
        "<s>g</s> <strike>h</strike> <del>i</del>",
        '<span class="tg-spoiler">s</span> <tg-spoiler>t</tg-spoiler> <B>hoa</B>',
        '&lt;số&gt; &amp; &quot;trích&quot; &#39; &#x27; &#x1F600;',
        '<a href="https://x.vn/?a=1&amp;b=2">liên kết</a> <code>mã</code>',
        '<pre><code class="language-python">x = 1</code></pre>',
        "<blockquote>trích</blockquote><blockquote expandable>dài</blockquote>",
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
    ]

    async def send_all(bot: Bot) -> list[Any]:
        return [await bot.send_message(USER, markup, parse_mode="HTML") for markup in markups]

    messages = run_with_bot(tg, send_all)
    assert messages[3].text == "<số> & \"trích\" ' ' 😀"
    link = messages[4].entities[0]
    assert (link.type, link.url, link.length) == ("text_link", "https://x.vn/?a=1&b=2", 8)
    pre = messages[5].entities[0]
    assert (pre.type, pre.language, messages[5].text) == ("pre", "python", "x = 1")
    assert [e.type for e in messages[6].entities] == ["blockquote", "expandable_blockquote"]


def test_empty_text_is_refused(tg: FakeTelegramServer) -> None:
    for text, parse_mode in [("", None), ("   \n", None), ("<b> </b>", "HTML")]:
        message = expect_bad_request(
            tg, lambda bot, t=text, p=parse_mode: bot.send_message(USER, t, parse_mode=p)
        )
        assert message == "Message text is empty"


def test_callback_data_over_64_bytes_is_refused(tg: FakeTelegramServer) -> None:
    def keyboard(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("Nút", callback_data=data)]])

    run_with_bot(tg, lambda bot: bot.send_message(USER, "ok", reply_markup=keyboard("x" * 64)))
    for data in ["x" * 65, "ắ" * 22]:  # 22 Vietnamese characters are 66 bytes
        message = expect_bad_request(
            tg, lambda bot, d=data: bot.send_message(USER, "x", reply_markup=keyboard(d))
        )
        assert message == "Button_data_invalid"  # PTB capitalises "BUTTON_DATA_INVALID"


def test_edits_and_deletes_of_unknown_or_unchanged_messages_fail(tg: FakeTelegramServer) -> None:
    user_message = tg.send_text("tin của người dùng")["message"]["message_id"]

    async def scenario(bot: Bot) -> list[str]:
        sent = await bot.send_message(USER, "<b>gốc</b>", parse_mode="HTML")
        failures = []
        attempts = [
            bot.edit_message_text("mới", USER, 999),
            bot.edit_message_text("<b>gốc</b>", USER, sent.message_id, parse_mode="HTML"),
            bot.edit_message_text("mới", USER, user_message),
            bot.edit_message_reply_markup(USER, sent.message_id),
            bot.delete_message(USER, 999),
        ]
        for attempt in attempts:
            with pytest.raises(BadRequest) as caught:
                await attempt
            failures.append(caught.value.message)
        await bot.edit_message_text("mới", USER, sent.message_id)
        assert await bot.delete_message(USER, sent.message_id)
        return failures

    failures = run_with_bot(tg, scenario)
    assert failures[0] == "Message to edit not found"
    assert failures[1].startswith("Message is not modified")
    assert failures[2] == "Message can't be edited"
    assert failures[3].startswith("Message is not modified")
    assert failures[4] == "Message to delete not found"
    assert [m["message_id"] for m in tg.chat_messages(USER)] == [user_message]


def test_wrong_token_and_unknown_methods(tg: FakeTelegramServer) -> None:
    async def wrong_token(bot: Bot) -> None:
        raise AssertionError("initialize must fail")

    with pytest.raises(InvalidToken):
        run_with_bot(tg, wrong_token, token="999:wrong")
    with pytest.raises(EndPointNotFound):
        run_with_bot(tg, lambda bot: bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": USER}))
    refused = tg.calls("getMe")[0]
    assert (refused.status, refused.description) == (401, "Unauthorized")
    assert tg.calls("sendTelepathy")[0].status == 404


def test_commands_are_recorded_and_validated(tg: FakeTelegramServer) -> None:
    commands = [BotCommand("start", "Bắt đầu"), BotCommand("tim", "Tìm văn bản")]

    async def scenario(bot: Bot) -> tuple[Any, ...]:
        await bot.set_my_commands(commands)
        return await bot.get_my_commands()

    assert run_with_bot(tg, scenario) == tuple(commands)
    assert tg.commands() == [{"command": "start", "description": "Bắt đầu"},
                             {"command": "tim", "description": "Tìm văn bản"}]
    message = expect_bad_request(tg, lambda bot: bot.set_my_commands([BotCommand("Tìm", "x")]))
    assert message == "Bot_command_invalid"


# --------------------------------------------------------------------------- long polling


def test_long_poll_returns_as_soon_as_an_update_is_injected(tg: FakeTelegramServer) -> None:
    async def scenario(bot: Bot) -> tuple[list[Any], dict[str, Any]]:
        # A poll that would otherwise hold for an hour: that it answers at all shows the update woke it.
        poll = asyncio.create_task(bot.get_updates(timeout=3600))
        await tg.wait_for_polling_async(10)
        update = tg.send_text("ping")
        updates = await asyncio.wait_for(poll, 30)  # a hang guard, far below the poll's own timeout
        return list(updates), update

    updates, injected = run_with_bot(tg, scenario)
    assert [u.update_id for u in updates] == [injected["update_id"]]
    assert updates[0].message.text == "ping"


def test_long_poll_honours_timeout(tg: FakeTelegramServer) -> None:
    async def scenario(bot: Bot) -> tuple[tuple[Any, ...], float]:
        started = time.monotonic()
        updates = await bot.get_updates(timeout=1)
        return updates, time.monotonic() - started

    updates, elapsed = run_with_bot(tg, scenario)
    # Only the lower bound: a slow machine can make the poll longer, never shorter than asked.
    assert updates == () and elapsed >= 0.9


def test_offset_confirms_and_limit_and_allowed_updates_filter(tg: FakeTelegramServer) -> None:
    ids = [tg.send_text(f"tin {n}")["update_id"] for n in range(3)]

    async def scenario(bot: Bot) -> list[list[int]]:
        seen = [await bot.get_updates(timeout=0), await bot.get_updates(offset=ids[1], timeout=0),
                await bot.get_updates(timeout=0, limit=1),
                await bot.get_updates(timeout=0, allowed_updates=["callback_query"])]
        return [[u.update_id for u in batch] for batch in seen]

    assert run_with_bot(tg, scenario) == [ids, ids[1:], ids[1:2], []]
    assert [u["update_id"] for u in tg.pending_updates()] == ids[1:]


def test_a_second_poller_terminates_the_first_with_conflict(tg: FakeTelegramServer) -> None:
    """Two bot instances polling at once: Telegram ends the older poll with 409 Conflict."""

    async def scenario(bot: Bot) -> tuple[Any, ...]:
        first = asyncio.create_task(bot.get_updates(timeout=10))
        await tg.wait_for_polling_async(10)
        async with Bot(tg.token, base_url=tg.base_url) as other_instance:
            second = await other_instance.get_updates(timeout=0)
        with pytest.raises(Conflict):
            await asyncio.wait_for(first, 5)
        return second

    assert run_with_bot(tg, scenario) == ()


def test_delete_webhook_can_drop_pending_updates(tg: FakeTelegramServer) -> None:
    tg.send_text("cũ")
    run_with_bot(tg, lambda bot: bot.delete_webhook(drop_pending_updates=True))
    assert tg.pending_updates() == []


# --------------------------------------------------------------------------- parsing and helpers


def test_form_and_json_bodies_are_decoded(tg: FakeTelegramServer) -> None:
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    form = urllib.parse.urlencode({"chat_id": USER, "text": "123", "reply_markup": json.dumps(markup),
                                   "disable_notification": "true"}).encode()
    status, body = raw_request(tg, f"/bot{tg.token}/sendmessage", form, "application/x-www-form-urlencoded")
    assert status == 200 and body["result"]["reply_markup"] == markup
    status, body = raw_request(tg, f"/bot{tg.token}/sendMessage",
                               json.dumps({"chat_id": USER, "text": "456"}).encode(), "application/json")
    assert status == 200 and body["result"]["text"] == "456"
    status, body = raw_request(tg, f"/bot{tg.token}/getMe")
    assert status == 200 and body["result"]["username"] == tg.bot_username and body["result"]["is_bot"]

    form_call, json_call = tg.calls("sendMessage")
    assert form_call.params == {
        "chat_id": USER, "text": "123", "reply_markup": markup, "disable_notification": True,
    }
    assert json_call.params == {"chat_id": USER, "text": "456"}


def test_error_answers_have_the_bot_api_shape(tg: FakeTelegramServer) -> None:
    status, body = raw_request(tg, f"/bot{tg.token}/sendMessage",
                               json.dumps({"chat_id": USER, "text": "a" * 5000}).encode(), "application/json")
    expected = {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}
    assert (status, body) == (400, expected)


def test_update_builders_produce_realistic_updates(tg: FakeTelegramServer) -> None:
    first = tg.send_text("Câu hỏi", user_id=42, first_name="Bình", username=None)
    second = tg.send_text(f"@{tg.bot_username} tra cứu", user_id=42, chat_type="group",
                          reply_to_message_id=None)
    reply = tg.send_text("trả lời", user_id=42, reply_to_message_id=first["message"]["message_id"])

    assert second["update_id"] == first["update_id"] + 1
    message = first["message"]
    assert message["from"] == {"id": 42, "is_bot": False, "first_name": "Bình", "last_name": "Nguyễn",
                               "language_code": "vi"}
    assert message["chat"] == {"id": 42, "type": "private", "first_name": "Bình", "last_name": "Nguyễn"}
    assert second["message"]["chat"]["type"] == "group" and second["message"]["chat"]["id"] < 0
    assert second["message"]["entities"] == [{"offset": 0, "length": 19, "type": "mention"}]
    assert reply["message"]["message_id"] == message["message_id"] + 1
    assert reply["message"]["reply_to_message"]["text"] == "Câu hỏi"
    assert "entities" not in tg.send_text("/tìm công văn")["message"]  # not an ASCII command
    with pytest.raises(ValueError):
        tg.send_text("x", user_id=1, chat_id=2)


def test_wait_for_timeout_dumps_the_calls(tg: FakeTelegramServer) -> None:
    expect_bad_request(tg, lambda bot: bot.send_message(USER, "<b>không đóng", parse_mode="HTML"))
    with pytest.raises(AssertionError) as caught:
        tg.wait_for("sendMessage", lambda c: c.ok, timeout=0.2)
    dump = str(caught.value)
    assert "getMe" in dump and "can't parse entities" in dump and "<b>không đóng" in dump
    assert tg.token not in dump


def test_the_server_never_logs_the_token(tg: FakeTelegramServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    run_with_bot(tg, lambda bot: bot.send_message(USER, "xin chào"))
    raw_request(tg, "/botWRONG/getMe")
    own = [r for r in caplog.records if r.name.startswith((fake_telegram.__name__, "aiohttp"))]
    assert all(tg.token not in r.getMessage() for r in own)
    assert not any(r.name == "aiohttp.access" for r in caplog.records)


# --------------------------------------------------------------------------- inline mode and photos


def _article(result_id: str, text: str, title: str = "Kế hoạch 06") -> Any:
    from telegram import InlineQueryResultArticle, InputTextMessageContent

    return InlineQueryResultArticle(result_id, title, InputTextMessageContent(text, parse_mode="HTML"))


def test_inline_query_answer_is_validated_and_parsed(tg: FakeTelegramServer) -> None:
    query_id = tg.send_inline_query("ai chủ trì", USER)

    async def answer(bot: Bot) -> None:
        await bot.answer_inline_query(query_id, [_article("12-abcd", "<b>Theo</b> Kế hoạch")], cache_time=30,
                                      is_personal=True)

    run_with_bot(tg, answer)
    given = tg.inline_answer(query_id)
    assert given["cache_time"] == 30 and given["is_personal"]
    assert given["results"][0]["text"] == "Theo Kế hoạch"
    assert given["results"][0]["entities"] == [{"type": "bold", "offset": 0, "length": 4}]
    # Answered once only, as Telegram: a second answer is refused.
    assert "query is too old" in expect_bad_request(
        tg, lambda bot: bot.answer_inline_query(query_id, [_article("1", "x")])).lower()


@pytest.mark.parametrize("results, error", [
    ([_article(str(i), "x") for i in range(51)], "Results_too_much"),
    ([_article("x" * 65, "x")], "Result_id_invalid"),
    ([_article("1", "x"), _article("1", "y")], "Result_id_duplicate"),
    ([_article("1", "<b>x")], "Can't parse entities"),
    ([_article("1", "a" * 4097)], "Message_too_long"),
])
def test_inline_query_answers_beyond_telegram_limits_are_refused(tg: FakeTelegramServer, results: list,
                                                                  error: str) -> None:
    query_id = tg.send_inline_query("q", USER)
    message = expect_bad_request(tg, lambda bot: bot.answer_inline_query(query_id, results))
    assert error.lower() in message.lower()


def _png(width: int = 40, height: int = 30) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_send_photo_is_stored_with_its_caption(tg: FakeTelegramServer) -> None:
    async def scenario(bot: Bot) -> Any:
        return await bot.send_photo(USER, _png(), caption="<i>Trang 2</i>", parse_mode="HTML")

    message = run_with_bot(tg, scenario)
    assert message.photo and message.caption == "Trang 2"
    assert "too long" in expect_bad_request(
        tg, lambda bot: bot.send_photo(USER, _png(), caption="a" * 1025)).lower()
