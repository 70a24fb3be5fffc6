"""Running the real ``python -m bot`` as a subprocess against the fake Bot API.

Shared by the end-to-end tests and by ``tests/bench/bot_latency.py``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from index.settings import ROOT, Settings
from tests.fake_telegram import Call, FakeTelegramServer

READY_TIMEOUT = 300.0  # model loading takes minutes on a loaded 2-core machine


def copy_index(settings: Settings, dest: Path) -> Settings:
    """A private copy of a corpus and its built index, for a bot that may change them."""
    shutil.copytree(settings.corpus_dir, dest / "corpus")
    shutil.copytree(settings.index_dir, dest / "index", ignore=shutil.ignore_patterns("build.lock"))
    return replace(settings, corpus_dir=dest / "corpus", index_dir=dest / "index")


def bot_env(settings: Settings, state_dir: Path, tg: FakeTelegramServer | None = None, **extra: str) -> dict[str, str]:
    """The environment of a bot subprocess: every variable the bot reads is set, so a developer's
    ``.env`` (loaded without overriding) cannot leak into a test."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TELEGRAM_") and k not in ("ADMIN_USER_IDS", "ALLOWED_USER_IDS")}
    env.update({
        "TELEGRAM_BOT_TOKEN": tg.token if tg else "",
        "TELEGRAM_BASE_URL": tg.base_url if tg else "",
        "TELEGRAM_BASE_FILE_URL": tg.base_file_url if tg else "",
        "CORPUS_DIR": str(settings.corpus_dir),
        "INDEX_DIR": str(settings.index_dir),
        "MODEL_CACHE_DIR": str(settings.model_cache_dir),
        "BOT_STATE_DIR": str(state_dir),
        "ADMIN_USER_IDS": "",
        "ALLOWED_USER_IDS": "",
        "MAX_UPLOAD_MB": "20",
        "LOG_LEVEL": "INFO",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "PYTHONUNBUFFERED": "1",
    })
    if settings.embedding_model:
        env["EMBEDDING_MODEL"] = settings.embedding_model
    env.update(extra)
    return env


class BotProcess:
    """``python -m bot`` as a subprocess, its stdout and stderr captured in one log file."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, tg: FakeTelegramServer) -> BotProcess:
        """Start and wait until the bot polls (after loading model and index)."""
        since = tg.mark()
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + READY_TIMEOUT
        # deleteWebhook comes right before the first getUpdates, after post_init (commands, warm-up):
        # waiting for it makes sure the poll seen next is this process's, not a previous one's.
        while not tg.calls("deleteWebhook", since=since):
            if self.proc.poll() is not None:
                raise AssertionError(f"bot exited with {self.proc.returncode}:\n{self.log_text()[-5000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"bot not ready after {READY_TIMEOUT}s:\n{self.log_text()[-5000:]}")
            time.sleep(0.2)
        tg.wait_for_polling(timeout=30)
        return self

    def stop(self, timeout: float = 30.0) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            raise AssertionError(f"bot did not stop on SIGTERM:\n{self.log_text()[-3000:]}")

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""


# --------------------------------------------------------------------------- reading replies


def message_text(call: Call) -> str:
    """The text as the user sees it (tags applied, entities decoded)."""
    return call.result["text"] if call.ok else ""


def entity_texts(call: Call, kind: str) -> list[str]:
    result = call.result or {}
    text = result.get("text") or result.get("caption") or ""
    utf16 = text.encode("utf-16-le")
    entities = result.get("entities") or result.get("caption_entities") or []
    return [utf16[2 * e["offset"]: 2 * (e["offset"] + e["length"])].decode("utf-16-le")
            for e in entities if e["type"] == kind]


def bold_inside_quote(call: Call) -> list[str]:
    """Bold runs that lie inside a blockquote: the marked answer sentence."""
    result = call.result or {}
    entities = result.get("entities") or []
    quotes = [e for e in entities if e["type"] in ("blockquote", "expandable_blockquote")]
    text = result.get("text", "").encode("utf-16-le")
    return [text[2 * e["offset"]: 2 * (e["offset"] + e["length"])].decode("utf-16-le") for e in entities
            if e["type"] == "bold" and any(q["offset"] <= e["offset"] and e["offset"] + e["length"]
                                           <= q["offset"] + q["length"] for q in quotes)]


def buttons(call: Call) -> dict[str, str]:
    """Button text -> callback data on a sent message."""
    rows = ((call.result or {}).get("reply_markup") or {}).get("inline_keyboard") or []
    return {b["text"]: b["callback_data"] for row in rows for b in row if "callback_data" in b}


def button(call: Call, label_start: str) -> str:
    found = [data for text, data in buttons(call).items() if text.startswith(label_start)]
    assert found, f"no button starting with {label_start!r}: {buttons(call)}"
    return found[0]


def has_buttons(call: Call) -> bool:
    return bool(buttons(call))


def wait_reply(tg: FakeTelegramServer, chat_id: int, since: int, done: Callable[[Call], bool] = has_buttons,
               timeout: float = 60.0) -> list[Call]:
    """Every sendMessage of one reply in a chat, up to the message for which ``done`` holds."""
    tg.wait_for("sendMessage", lambda c: c.ok and done(c), chat_id=chat_id, since=since, timeout=timeout)
    calls = tg.calls("sendMessage", chat_id, since=since)
    assert all(c.ok for c in calls), "\n".join(f"{c.description}: {c.text}" for c in calls if not c.ok)
    last = next(i for i, c in enumerate(calls) if done(c))
    return calls[: last + 1]


def ask(tg: FakeTelegramServer, text: str, user_id: int, **kwargs: Any) -> list[Call]:
    """Send a question in a private chat and wait for the whole answer (the message with buttons)."""
    since = tg.mark()
    tg.send_text(text, user_id=user_id, **kwargs)
    return wait_reply(tg, kwargs.get("chat_id") or user_id, since)


def say(tg: FakeTelegramServer, text: str, user_id: int, contains: str, **kwargs: Any) -> Call:
    """Send a message and wait for the bot's reply containing ``contains``."""
    since = tg.mark()
    tg.send_text(text, user_id=user_id, **kwargs)
    chat = kwargs.get("chat_id") or user_id
    return tg.wait_for("sendMessage", lambda c: c.ok and contains in message_text(c), chat_id=chat,
                       since=since)[-1]


def press(tg: FakeTelegramServer, data: str, message: Call, user_id: int, method: str = "sendMessage",
          done: Callable[[Call], bool] | None = None, timeout: float = 60.0) -> list[Call]:
    """Press a button and return the bot's calls of ``method`` it caused (after answerCallbackQuery)."""
    since = tg.mark()
    tg.send_callback(data, message, user_id=user_id)
    chat = message.result["chat"]["id"]
    tg.wait_for("answerCallbackQuery", since=since, timeout=timeout)
    tg.wait_for(method, lambda c: c.ok and (done is None or done(c)), chat_id=chat, since=since, timeout=timeout)
    return tg.calls(method, chat, since=since)
