"""Telegram handlers: thin glue between updates, the engine and ``bot.render``.

Every engine call is blocking CPU work and goes through ``asyncio.to_thread``
so that, with concurrent updates, twenty officials asking at once and an admin's
upload being indexed all progress together.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import time
import unicodedata
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from telegram import (
    Chat,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import render
from bot.render import followup as render_followup
from bot.render import reports, texts
from bot.render.citation import page_label
from bot.settings import BotSettings
from bot.telegram import cards, feedback, followup, inline, keyboards, reminders
from bot.telegram.access import addressed, command_target, is_admin, may_ask, strip_mention
from bot.telegram.keyboards import Citation, DocsPage, MoreSources, SourceFile, WholeSection, fingerprint
from bot.telegram.replies import keep_typing
from bot.ledger import Ledger
from bot.telegram.state import QuestionStore, upload_dir
from bot.telegram.uploads import Albums, PageProgress
from index import SUPPORTED_EXTENSIONS, Engine, EngineError, Hit, ReadError

logger = logging.getLogger(__name__)

UPLOAD_SUFFIXES = SUPPORTED_EXTENSIONS  # checked before downloading, so refused files cost nothing
# Photos sent as files (uncompressed, the better for OCR) are read like photos sent as photos.
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff")
CITATION_DEPTH = 20  # hits searched again to find the answer sentences of a cited passage
MAX_SEND_BYTES = 50 * 1024 * 1024  # Bot API limit for sendDocument uploads
MAX_PAGE_PICTURES = 3  # a passage rarely spans more; a longer one is better read in the original file

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


@dataclass(frozen=True)
class Services:
    """What handlers share, kept in ``application.bot_data``."""

    settings: BotSettings
    engine: Engine
    store: QuestionStore
    ledger: Ledger
    albums: Albums = dataclasses.field(default_factory=Albums)


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data["services"]


# --------------------------------------------------------------------------- plumbing


def _describe(update: Update) -> str:
    """What an update asked for, for the log: never the question itself (officials' text stays private)."""
    if update.callback_query is not None:
        data = update.callback_query.data or ""
        return f"button={data[:1] or '?'}"
    message = update.effective_message
    if message is None:
        return "other"
    if message.document is not None:
        return f"upload size={message.document.file_size}"
    if message.photo:
        return f"photo size={message.photo[-1].file_size} album={message.media_group_id is not None}"
    target = command_target(message) if message.text else None
    if target is not None:
        return f"command=/{target[0]}"
    return f"question_len={len(message.text or '')}"


def logged(handler: Handler) -> Handler:
    """One log line per update with its latency; an engine error becomes its Vietnamese message."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        started = time.perf_counter()
        outcome = "ok"
        try:
            await handler(update, context)
        except EngineError as exc:
            outcome = type(exc).__name__
            logger.warning("engine error in %s: %s", handler.__name__, exc)
            await _say(update, render.esc(exc.user_message))
        except BaseException:
            outcome = "error"
            raise
        finally:
            user = update.effective_user
            chat = update.effective_chat
            logger.info("update=%s user=%s chat=%s %s latency_ms=%.0f outcome=%s", update.update_id,
                        user.id if user else None, chat.id if chat else None, _describe(update),
                        (time.perf_counter() - started) * 1000, outcome)

    return wrapper


def _reply_parameters(update: Update) -> ReplyParameters | None:
    """In a group, answers quote what they answer; in a private chat that only adds clutter."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None or chat.type == Chat.PRIVATE:
        return None
    return ReplyParameters(message.message_id, allow_sending_without_reply=True)


async def _send(update: Update, context: ContextTypes.DEFAULT_TYPE, parts: Sequence[str],
                markup: InlineKeyboardMarkup | None = None) -> list[Message]:
    """Send HTML parts in order; the buttons go under the last one."""
    chat = update.effective_chat
    sent = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        sent.append(await context.bot.send_message(
            chat.id, part, parse_mode=ParseMode.HTML, reply_markup=markup if last else None,
            reply_parameters=_reply_parameters(update) if i == 0 else None,
        ))
    return sent


async def _say(update: Update, html_text: str) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    await chat.send_message(html_text, parse_mode=ParseMode.HTML, reply_parameters=_reply_parameters(update))


async def _replace(progress: Message, parts: Sequence[str], context: ContextTypes.DEFAULT_TYPE) -> None:
    """Turn a "working…" message into the result; what does not fit follows as new messages."""
    await progress.edit_text(parts[0], parse_mode=ParseMode.HTML)
    for part in parts[1:]:
        await context.bot.send_message(progress.chat_id, part, parse_mode=ParseMode.HTML)


# --------------------------------------------------------------------------- gate


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every handler: ignore what is not for us, refuse who may not ask."""
    settings = services(context).settings
    user = update.effective_user
    if update.inline_query is not None or update.chosen_inline_result is not None:
        return  # inline mode answers refusals itself, with a button in the result list
    if update.callback_query is not None:
        if not may_ask(settings, user.id if user else None):
            await update.callback_query.answer(texts.plain(texts.NOT_ALLOWED.format(user_id=user.id))[:200],
                                               show_alert=True)
            raise ApplicationHandlerStop
        return
    message = update.message
    if message is None or user is None:  # edits, channel posts, membership changes
        raise ApplicationHandlerStop
    if not addressed(message, context.bot.username, context.bot.id):
        logger.debug("update=%s ignored: group message not addressed to the bot", update.update_id)
        raise ApplicationHandlerStop
    if not may_ask(settings, user.id):
        logger.info("update=%s user=%s refused: not in ALLOWED_USER_IDS", update.update_id, user.id)
        await _say(update, texts.NOT_ALLOWED.format(user_id=user.id))
        raise ApplicationHandlerStop


# --------------------------------------------------------------------------- commands


@logged
async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _say(update, texts.START)


@logged
async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _say(update, texts.HELP)


TASKS_PREFIX = "/tasks "  # how an agency query is kept in the question store, apart from questions


@logged
async def on_tasks(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/tasks``: agencies with task counts; ``/tasks <cơ quan>``: that agency's tasks by deadline."""
    svc = services(context)
    agency = " ".join(context.args or []).strip()
    async with keep_typing(update.effective_chat):
        text, query_id, pages = await asyncio.to_thread(_tasks_view, svc, agency, 0)
    await _send(update, context, [text], keyboards.tasks_keyboard(query_id, 0, pages))


def _tasks_view(svc: Services, agency: str, page: int) -> tuple[str, int, int]:
    if not agency:
        text, pages = render.agencies_page(svc.engine.agencies(), page)
        return text, 0, pages
    query_id = svc.store.save(TASKS_PREFIX + agency)
    text, pages = render.tasks_page(agency, svc.engine.tasks(agency), page)
    return text, query_id, pages


async def _tasks_page(update: Update, context: ContextTypes.DEFAULT_TYPE, action: keyboards.TasksPage) -> None:
    svc = services(context)
    agency = ""
    if action.query_id:
        stored = await asyncio.to_thread(svc.store.get, action.query_id)
        if stored is None or not stored.startswith(TASKS_PREFIX):
            await _say(update, texts.STALE_QUESTION)
            return
        agency = stored[len(TASKS_PREFIX):]
    text, query_id, pages = await asyncio.to_thread(_tasks_view, svc, agency, action.page)
    page = min(max(action.page, 0), pages - 1)
    await _edit_page(update, text, keyboards.tasks_keyboard(query_id, page, pages))


async def _edit_page(update: Update, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Turn a paged list in place."""
    try:
        await update.callback_query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as exc:
        # A double tap asks for the page already shown; Telegram refuses an edit that changes nothing.
        if "not modified" not in str(exc).lower():
            raise


@logged
async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _say(update, texts.UNKNOWN_COMMAND)


@logged
async def on_docs(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    documents = await asyncio.to_thread(services(context).engine.documents)
    text, pages = render.docs_page(documents, 0)
    await _send(update, context, [text], keyboards.docs_keyboard(0, pages))


@logged
async def on_reindex(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    if not is_admin(svc.settings, update.effective_user.id):
        await _say(update, texts.ADMIN_ONLY_REINDEX)
        return
    progress = (await _send(update, context, [texts.REINDEX_STARTED]))[0]
    try:
        async with keep_typing(update.effective_chat, repeat=True):
            report = await asyncio.to_thread(svc.engine.build)
    except EngineError as exc:
        logger.warning("reindex failed: %s", exc)
        await _replace(progress, ["❌ " + render.esc(exc.user_message)], context)
        return
    logger.info("reindex: %d documents, %d passages, %d embedded, %d failed files in %.1f s",
                report.documents, report.chunks, report.embedded, len(report.failed), report.seconds)
    await _replace(progress, reports.build_report(report), context)


# --------------------------------------------------------------------------- questions


@logged
async def on_question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    question = strip_mention(update.message.text or "", context.bot.username)
    if not question:
        await _say(update, texts.EMPTY_QUESTION)
        return
    async with keep_typing(update.effective_chat):
        # One extra hit tells whether a "more sources" page exists.
        asked, answer = await followup.answer(update, context, question, render.PAGE_SIZE + 1)
        question_id = None if answer.no_answer else await asyncio.to_thread(svc.store.save, asked.question)
        answer_id = await followup.remember(context, update.effective_chat.id, asked, answer)
    markup = None
    if question_id is not None:
        markup = keyboards.answer_keyboard(answer, question_id, has_more=len(answer.hits) > render.PAGE_SIZE)
        extra = [b for b in (cards.card_button(answer.hits[0].document.doc_id),) if b is not None]
        markup = feedback.extend(markup, extra + feedback.vote_buttons(answer_id))
    parts = render.answer_messages(answer)
    if asked.previous is not None:
        assumed = await followup.assumed_document(context, asked, answer)
        parts = render_followup.with_note(render_followup.followup_note(asked.topic, assumed, asked.place_changed),
                                          parts)
    sent = await _send(update, context, parts, markup)
    await asyncio.to_thread(services(context).ledger.set_messages, answer_id, sent[0].message_id,
                            sent[-1].message_id)


# --------------------------------------------------------------------------- buttons


def _same_passage(hit: Hit | None, chunk_id: int, fp: str, doc_id: str) -> bool:
    """A rebuilt index may reuse a passage id for other text: check the text too."""
    return (hit is not None and hit.chunk.chunk_id == chunk_id and hit.document.doc_id == doc_id
            and fingerprint(hit.chunk.text) == fp)


@logged
async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    action = keyboards.decode(query.data)
    # Answer at once: Telegram shows a spinner on the button until then.
    await query.answer()
    match action:
        case DocsPage():
            await _docs_page(update, context, action.page)
        case keyboards.TasksPage():
            await _tasks_page(update, context, action)
        case MoreSources():
            await _more_sources(update, context, action)
        case WholeSection():
            await _whole_section(update, context, action)
        case Citation():
            await _citation(update, context, action)
        case SourceFile():
            await _source_file(update, context, action)
        case keyboards.PagePicture():
            await _page_picture(update, context, action)
        case _:
            await _say(update, texts.UNKNOWN_BUTTON)


async def _more_sources(update: Update, context: ContextTypes.DEFAULT_TYPE, action: MoreSources) -> None:
    svc = services(context)
    question = await asyncio.to_thread(svc.store.get, action.question_id)
    if question is None:
        await _say(update, texts.STALE_QUESTION)
        return
    async with keep_typing(update.effective_chat):
        answer = await asyncio.to_thread(svc.engine.ask, question, action.start + render.PAGE_SIZE + 1)
    has_more = len(answer.hits) > action.start + render.PAGE_SIZE
    markup = None if answer.no_answer else keyboards.sources_keyboard(answer, action.question_id, action.start,
                                                                      has_more)
    await _send(update, context, render.sources_messages(answer, action.start), markup)


async def _whole_section(update: Update, context: ContextTypes.DEFAULT_TYPE, action: WholeSection) -> None:
    engine = services(context).engine
    hit = await asyncio.to_thread(engine.passage, action.chunk_id)
    section = await asyncio.to_thread(engine.section, action.chunk_id) if hit is not None else None
    if section is None or not _same_passage(hit, action.chunk_id, action.fingerprint, action.doc_id):
        await _say(update, texts.STALE_PASSAGE)
        return
    await _send(update, context, render.section_messages(section.document, section.path, section.text))


async def _citation(update: Update, context: ContextTypes.DEFAULT_TYPE, action: Citation) -> None:
    svc = services(context)
    hit = await asyncio.to_thread(svc.engine.passage, action.chunk_id)
    if not _same_passage(hit, action.chunk_id, action.fingerprint, action.doc_id):
        await _say(update, texts.STALE_PASSAGE)
        return
    spans = ()
    question = await asyncio.to_thread(svc.store.get, action.question_id)
    if question is not None:
        # The answer sentences depend on the question: ask again and find the passage.
        answer = await asyncio.to_thread(svc.engine.ask, question, CITATION_DEPTH)
        for found, found_spans in zip(answer.hits, answer.answer_spans):
            if found.chunk.chunk_id == action.chunk_id:
                spans = found_spans
                break
    await _send(update, context, render.citation_messages(render.citation_line(hit, spans)))


async def _source_file(update: Update, context: ContextTypes.DEFAULT_TYPE, action: SourceFile) -> None:
    engine = services(context).engine
    path: Path | None = await asyncio.to_thread(engine.source_file, action.doc_id)
    document = await asyncio.to_thread(engine.document, action.doc_id) if path is not None else None
    if path is None or document is None:
        await _say(update, texts.NO_SOURCE_FILE)
        return
    if path.stat().st_size > MAX_SEND_BYTES:
        await _say(update, texts.SOURCE_FILE_TOO_BIG)
        return
    async with keep_typing(update.effective_chat, ChatAction.UPLOAD_DOCUMENT):
        data = await asyncio.to_thread(path.read_bytes)
        await context.bot.send_document(
            update.effective_chat.id, data, filename=path.name,
            caption=render.esc(render.shorten(render.document_header(document), 1000)),
            parse_mode=ParseMode.HTML, reply_parameters=_reply_parameters(update),
        )


async def _page_picture(update: Update, context: ContextTypes.DEFAULT_TYPE, action: keyboards.PagePicture) -> None:
    """The passage's place on each of its pages, lines outlined, to check the OCR against the scan."""
    engine = services(context).engine
    hit = await asyncio.to_thread(engine.passage, action.chunk_id)
    if not _same_passage(hit, action.chunk_id, action.fingerprint, action.doc_id):
        await _say(update, texts.STALE_PASSAGE)
        return
    sent = False
    async with keep_typing(update.effective_chat, ChatAction.UPLOAD_PHOTO):
        for page in hit.chunk.pages[:MAX_PAGE_PICTURES]:
            png = await asyncio.to_thread(engine.page_image, action.chunk_id, page)
            if png is None:
                continue
            caption = texts.PAGE_PHOTO_CAPTION.format(
                document=render.esc(render.shorten(render.document_header(hit.document), 600)),
                page=page_label([page]).capitalize())
            await context.bot.send_photo(update.effective_chat.id, png, caption=caption, parse_mode=ParseMode.HTML,
                                         reply_parameters=_reply_parameters(update))
            sent = True
    if not sent:
        await _say(update, texts.NO_PAGE_PHOTO)


async def _docs_page(update: Update, context: ContextTypes.DEFAULT_TYPE, page: int) -> None:
    documents = await asyncio.to_thread(services(context).engine.documents)
    text, pages = render.docs_page(documents, page)
    page = min(max(page, 0), pages - 1)
    await _edit_page(update, text, keyboards.docs_keyboard(page, pages))


# --------------------------------------------------------------------------- uploads


def _wants_replace(caption: str | None, bot_username: str) -> bool:
    text = unicodedata.normalize("NFC", strip_mention(caption or "", bot_username)).casefold()
    return text.startswith(texts.REPLACE_CAPTIONS)


@logged
async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    message = update.message
    if not is_admin(svc.settings, update.effective_user.id):
        await _say(update, texts.ADMIN_ONLY_UPLOAD)
        return
    document = message.document
    name = document.file_name or "van-ban"
    suffix = Path(name).suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        await _add_photos(update, context, [document], f"{Path(name).stem}.pdf", message.caption)
        return
    if suffix not in UPLOAD_SUFFIXES:
        await _say(update, texts.UPLOAD_UNSUPPORTED)
        return
    # Checked before downloading: the size is in the update, the bytes are not.
    if document.file_size is not None and document.file_size > svc.settings.max_upload_bytes:
        await _say(update, texts.UPLOAD_TOO_BIG.format(name=render.esc(name), size=document.file_size / 2**20,
                                                       limit=svc.settings.max_upload_mb))
        return
    replace = _wants_replace(message.caption, context.bot.username)
    progress = (await _send(update, context, [texts.UPLOAD_RECEIVED.format(name=render.esc(name))]))[0]
    try:
        telegram_file = await document.get_file()
    except BadRequest as exc:
        # The cloud Bot API lets bots download at most 20 MB, whatever MAX_UPLOAD_MB says.
        if "too big" in str(exc).lower():
            await _replace(progress, [texts.UPLOAD_TELEGRAM_LIMIT.format(name=render.esc(name))], context)
            return
        raise
    local = upload_dir(svc.settings.state_dir) / f"{uuid.uuid4().hex}{suffix}"
    try:
        await telegram_file.download_to_drive(local)
        started = time.perf_counter()
        pages = PageProgress(progress, name, asyncio.get_running_loop())
        try:
            async with keep_typing(update.effective_chat, repeat=True):
                saved, report = await asyncio.to_thread(svc.engine.add_file, local, name, replace, pages)
        finally:
            await pages.settle()
        seconds = time.perf_counter() - started
    except ReadError as exc:
        logger.info("upload refused (%s): %s", type(exc).__name__, exc)
        await _replace(progress, [texts.UPLOAD_FAILED.format(name=render.esc(name),
                                                             reason=render.esc(exc.user_message))], context)
        return
    except EngineError as exc:
        logger.warning("upload failed: %s", exc)
        await _replace(progress, ["❌ " + render.esc(exc.user_message)], context)
        return
    finally:
        local.unlink(missing_ok=True)
    logger.info("upload saved as %s (duplicate_of=%s, renamed=%s, replaced=%s) in %.1f s", saved.file,
                saved.duplicate_of, saved.renamed, saved.replaced, seconds)
    await _replace(progress, reports.upload_report(saved, report, seconds), context)


@logged
async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Photos of a paper document (one, or an album) become one PDF in the corpus, read like a scan."""
    svc = services(context)
    message = update.message
    collected = await svc.albums.collect(message)
    if collected is None:
        return  # a later photo of an album: the handler of its first photo takes them all
    photos, caption = collected
    if not is_admin(svc.settings, update.effective_user.id):
        await _say(update, texts.ADMIN_ONLY_UPLOAD)
        return
    await _add_photos(update, context, photos, None, caption)


def _photo_name(caption: str | None, bot_username: str) -> str:
    """The caption names the document ("Công văn 125 Sở Nội vụ"); without one, the time it was sent."""
    text = strip_mention(caption or "", bot_username).strip()
    if text and not _wants_replace(text, bot_username):
        return f"{text[:80]}.pdf"
    return f"anh-chup-{time.strftime('%Y%m%d-%H%M%S')}.pdf"


async def _add_photos(update: Update, context: ContextTypes.DEFAULT_TYPE, photos: Sequence,
                      name: str | None, caption: str | None) -> None:
    """Download the photos (PhotoSize or image Document), save them as one PDF and index it."""
    svc = services(context)
    name = name or _photo_name(caption, context.bot.username)
    too_big = [p.file_size for p in photos if p.file_size is not None and p.file_size > svc.settings.max_upload_bytes]
    if too_big:
        await _say(update, texts.PHOTO_TOO_BIG.format(size=too_big[0] / 2**20, limit=svc.settings.max_upload_mb))
        return
    replace = _wants_replace(caption, context.bot.username)
    progress = (await _send(update, context, [texts.PHOTO_RECEIVED.format(count=len(photos))]))[0]
    folder = upload_dir(svc.settings.state_dir)
    batch = uuid.uuid4().hex
    local: list[Path] = []
    try:
        for i, photo in enumerate(photos):
            telegram_file = await photo.get_file()
            suffix = Path(telegram_file.file_path or "").suffix.lower() or ".jpg"
            local.append(await telegram_file.download_to_drive(folder / f"{batch}-{i:02d}{suffix}"))
        started = time.perf_counter()
        pages = PageProgress(progress, name, asyncio.get_running_loop())
        try:
            async with keep_typing(update.effective_chat, repeat=True):
                saved, report = await asyncio.to_thread(svc.engine.add_photos, local, name, replace, pages)
        finally:
            await pages.settle()
        seconds = time.perf_counter() - started
    except ReadError as exc:
        logger.info("photo upload refused (%s): %s", type(exc).__name__, exc)
        await _replace(progress, [texts.PHOTO_NOT_READ.format(reason=render.esc(exc.user_message))], context)
        return
    except EngineError as exc:
        logger.warning("photo upload failed: %s", exc)
        await _replace(progress, ["❌ " + render.esc(exc.user_message)], context)
        return
    finally:
        for path in local:
            path.unlink(missing_ok=True)
    logger.info("%d photo(s) saved as %s (duplicate_of=%s) in %.1f s", len(photos), saved.file, saved.duplicate_of,
                seconds)
    await _replace(progress, reports.upload_report(saved, report, seconds), context)


# --------------------------------------------------------------------------- errors and wiring


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The one place unexpected errors end: logged with traceback, the official gets an apology."""
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("unhandled error (update=%s)", update_id, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await update.effective_chat.send_message(texts.APOLOGY)
        except TelegramError:
            logger.warning("could not send the apology for update %s", update_id)


def register(app: Application) -> None:
    new_message = filters.UpdateType.MESSAGE
    app.add_handler(TypeHandler(Update, gate), group=-1)
    app.add_handler(CommandHandler("start", on_start, filters=new_message))
    app.add_handler(CommandHandler("help", on_help, filters=new_message))
    app.add_handler(CommandHandler("docs", on_docs, filters=new_message))
    app.add_handler(CommandHandler("tasks", on_tasks, filters=new_message))
    app.add_handler(CommandHandler("reindex", on_reindex, filters=new_message))
    app.add_handler(CommandHandler("hanchot", logged(reminders.on_deadlines), filters=new_message))
    app.add_handler(CommandHandler("nhacviec", logged(reminders.on_subscribe), filters=new_message))
    app.add_handler(CommandHandler("huynhac", logged(reminders.on_unsubscribe), filters=new_message))
    app.add_handler(CommandHandler("thongke", logged(feedback.on_stats), filters=new_message))
    app.add_handler(CommandHandler("vanban", logged(cards.on_card_command), filters=new_message))
    app.add_handler(InlineQueryHandler(logged(inline.on_inline_query)))
    app.add_handler(ChosenInlineResultHandler(inline.on_chosen_result))
    app.add_handler(MessageHandler(new_message & filters.COMMAND, on_unknown_command))
    app.add_handler(MessageHandler(new_message & filters.TEXT & ~filters.COMMAND, on_question))
    app.add_handler(MessageHandler(new_message & filters.Document.ALL, on_document))
    app.add_handler(MessageHandler(new_message & filters.PHOTO, on_photo))
    app.add_handler(CallbackQueryHandler(logged(feedback.on_vote), pattern=feedback.PATTERN))
    app.add_handler(CallbackQueryHandler(logged(cards.on_card_button), pattern=cards.PATTERN))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_error_handler(on_error)
