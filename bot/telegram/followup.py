"""Follow-up questions: a reply to one of the bot's answers, or a short question soon after one.

"hạn khi nào?", "ai phối hợp?", "còn ở Phú Thọ thì sao?" say little on their
own; read with the chat's previous question (``Engine.follow_up``) and its
document first (``Engine.ask(context_doc_id=…)``) they are answerable. A new
full question — more than a few words or naming a document number — starts
afresh, even when it replies to an answer.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass

from telegram import Update
from telegram.ext import ContextTypes

from bot.ledger import AnswerRow
from bot.telegram.replies import features
from index import Answer

SHORT_WORDS = 6  # "còn ở Phú Thọ thì sao?" is six words; a full question is longer
WINDOW_SECONDS = 15 * 60  # a short question this soon after an answer continues it
_NUMBER = re.compile(r"\d+\s*/\s*[A-ZĐa-zđ]")  # a document number: the question names its own document


@dataclass(frozen=True)
class Asked:
    """What to ask the engine, and the context it came from (``previous`` None: a fresh question)."""

    typed: str
    question: str
    topic: str
    context_doc_id: str | None = None
    previous: AnswerRow | None = None
    place_changed: bool = False
    require: tuple[str, ...] = ()
    replied: bool = False  # a reply to the bot's answer, not just a short question soon after


def is_short(text: str) -> bool:
    return len(text.split()) <= SHORT_WORDS and not _NUMBER.search(text)


async def resolve(update: Update, context: ContextTypes.DEFAULT_TYPE, typed: str) -> Asked:
    """The question in context: a reply to an answer, or a short question within the window."""
    fs = features(context)
    chat_id = update.effective_chat.id
    message = update.effective_message
    previous = None
    replied = message.reply_to_message if message is not None else None
    is_reply = replied is not None and replied.from_user is not None and replied.from_user.id == context.bot.id
    if not is_short(typed):
        pass  # a new full question starts afresh, even as a reply
    elif is_reply:
        previous = await asyncio.to_thread(fs.ledger.answer_for_message, chat_id, replied.message_id)
    else:
        last = await asyncio.to_thread(fs.ledger.last_answer, chat_id)
        if last is not None and time.time() - last.asked_at <= WINDOW_SECONDS:
            previous = last
    if previous is None or previous.no_answer:
        return Asked(typed=typed, question=typed, topic=typed)
    follow = await asyncio.to_thread(fs.engine.follow_up, previous.topic, typed)
    return Asked(typed=typed, question=follow.question, topic=previous.topic,
                 context_doc_id=None if follow.place_changed else previous.doc_id, previous=previous,
                 place_changed=follow.place_changed, require=follow.own_terms, replied=is_reply)


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE, typed: str, k: int) -> tuple[Asked, Answer]:
    """Ask the engine, in the previous question's context when this is a follow-up.

    A short question that is not a reply and says more than what it asks for
    is first asked on its own: when the documents answer it as it stands
    ("Quyết định 737 là gì?"), it is a new question, not a follow-up. "hạn
    khi nào?" says nothing else and always follows up.
    """
    engine = features(context).engine
    asked = await resolve(update, context, typed)
    if asked.previous is not None and not asked.replied and asked.require:
        alone = await asyncio.to_thread(engine.ask, typed, k)
        if not alone.no_answer:
            return Asked(typed=typed, question=typed, topic=typed), alone
    found = await asyncio.to_thread(engine.ask, asked.question, k, asked.context_doc_id, asked.require)
    return asked, found


async def remember(context: ContextTypes.DEFAULT_TYPE, chat_id: int, asked: Asked, answer: Answer) -> int:
    """Keep the answer for follow-ups, votes and /thongke; returns its id for the vote buttons."""
    fs = features(context)
    top = answer.hits[0] if answer.hits and not answer.no_answer else None
    key = None
    if top is not None:
        # The exported question set checks that ``key`` lies inside the passage text as stored:
        # the source's own characters, one line of the answer sentence.
        spans = answer.answer_spans[0]
        raw = top.chunk.text[spans[0].start:spans[0].end] if spans else top.chunk.text
        key = max(raw.splitlines() or [raw], key=len).strip()[:200] or None
    # A follow-up that the documents answer becomes the topic's new anchor only through its topic:
    # the chain keeps reading "ai phối hợp?" against the full question it started from.
    return await asyncio.to_thread(
        fs.ledger.record_answer, chat_id, asked.question, asked.topic,
        top.document.doc_id if top else None,
        tuple(h.chunk.chunk_id for h in answer.hits[:5]) if top else (),
        top.document.file if top else None, key, top is None, fs.clock.today().isoformat())


async def assumed_document(context: ContextTypes.DEFAULT_TYPE, asked: Asked, answer: Answer):
    """The document the follow-up was read in, for the note above the answer."""
    if asked.context_doc_id is None:
        return answer.hits[0].document if answer.hits and not answer.no_answer else None
    return await asyncio.to_thread(features(context).engine.document, asked.context_doc_id)
