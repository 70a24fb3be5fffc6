"""The same assistant in a terminal: a question per line, the cited answer as plain text.

For operators without a bot token (and for trying the engine out): the reply
has the same parts as in Telegram, with the answer sentence between «…» and a
ready citation line, since there are no buttons.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from bot import render
from bot.render import reports, texts
from bot.settings import BotSettings
from bot.warmup import warm_up
from index import Engine, EngineError

logger = logging.getLogger(__name__)

EXIT_WORDS = {"thoát", "thoat", "exit", "quit"}


def respond(engine: Engine, line: str) -> str:
    """The plain-text reply to one line typed by the operator."""
    command = line.split()[0].lower() if line.startswith("/") else None
    if command in ("/start", "/help"):
        return texts.plain(texts.HELP)
    if command == "/docs":
        return render.plain_docs(engine.documents())
    if command == "/tasks":
        agency = line[len("/tasks"):].strip()
        if not agency:
            agencies = engine.agencies()
            pages = render.agencies_page(agencies, 0)[1]
            return "\n\n".join(texts.plain(render.agencies_page(agencies, page)[0]) for page in range(pages))
        hits = engine.tasks(agency)
        pages = [render.tasks_page(agency, hits, page) for page in range(render.tasks_page(agency, hits, 0)[1])]
        return "\n\n".join(texts.plain(text) for text, _ in pages)
    if command == "/reindex":
        return "\n".join(texts.plain(part) for part in reports.build_report(engine.build()))
    if command is not None:
        return texts.plain(texts.UNKNOWN_COMMAND)
    return render.plain_answer(engine.ask(line, render.PAGE_SIZE))


def run(settings: BotSettings, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout,
        engine: Engine | None = None) -> int:
    """Read questions until EOF or "thoát"; exit status 0."""
    engine = engine or Engine(settings.index)
    interactive = stdin.isatty()
    print("Trợ lý tra cứu văn bản – chế độ dòng lệnh. Đang nạp mô hình và chỉ mục…", file=stdout, flush=True)
    problem = warm_up(engine)
    if problem:
        print(problem, file=stdout)
    print("Gõ câu hỏi rồi nhấn Enter; /docs: danh sách văn bản, /help: hướng dẫn, «thoát» để kết thúc.",
          file=stdout, flush=True)
    while True:
        if interactive:
            stdout.write("\n❓ ")
            stdout.flush()
        try:
            line = stdin.readline()
        except KeyboardInterrupt:  # Ctrl+C at the prompt ends the session like "thoát"
            break
        if not line:
            break
        line = line.strip()
        if not line:
            continue
        if line.casefold() in EXIT_WORDS:
            break
        try:
            reply = respond(engine, line)
        except EngineError as exc:
            logger.warning("engine error: %s", exc)
            reply = exc.user_message
        print(reply + "\n", file=stdout, flush=True)
    return 0
