"""Reply latency of the real bot through the fake Bot API, for ``make bench``.

Measures what an official waits: from the moment a question is queued at the
(fake) Telegram server to the moment the bot's first ``sendMessage`` of the
reply reaches it. That includes long polling, PTB, the engine's search and
rendering; Telegram's own network time is not included.

    from tests.bench.bot_latency import measure
    measure(Settings.from_env(), n_questions=30)
    # {"questions": 30, "p50_ms": …, "p95_ms": …, "burst_p50_ms": …, ...}

``python -m tests.bench.bot_latency`` runs it over ``CORPUS_DIR``/``INDEX_DIR``.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from index.settings import Settings
from tests.bot.harness import BotProcess, bot_env
from tests.fake_telegram import FakeTelegramServer

QUESTIONS = (
    "Ai chủ trì khảo sát sự hài lòng của người dân ở Sa Pa?",
    "Quyết định 737/QĐ-UBND của UBND tỉnh Quảng Ngãi ban hành quy chế gì?",
    "so noi vu duoc giao nhiem vu gi o Phu Tho",
    "Kế hoạch 06/KH-UBND-BDVTU giao Sở Nội vụ nhiệm vụ gì?",
    "Hòa Bình triển khai phong trào thi đua Dân vận khéo thế nào?",
    "Thành phố phối hợp tiếp công dân, đối thoại với Nhân dân ra sao?",
    "thoi gian to chuc hoi nghi danh gia ket qua phoi hop",
    "Giá vàng hôm nay bao nhiêu?",  # no answer: measured too
)
BURST = 10  # officials asking at the same moment
FIRST_USER = 790000001
# The large burst: a hundred questions from twenty officials at the same moment (five each),
# through PTB's AIORateLimiter as in production (Telegram allows ~30 messages/s overall).
BIG_BURST_QUESTIONS = 100
BIG_BURST_USERS = 20
BIG_BURST_FIRST_USER = 791000001


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _latency(tg: FakeTelegramServer, user: int, question: str, timeout: float = 60.0) -> float:
    """Milliseconds from queueing ``question`` to the first sendMessage to that user being recorded."""
    since = tg.mark()
    queued = time.time()
    tg.send_text(question, user_id=user)
    reply = tg.wait_for("sendMessage", chat_id=user, since=since, timeout=timeout)[0]
    return (reply.time - queued) * 1000


def _inline_latency(tg: FakeTelegramServer, user: int, question: str, timeout: float = 60.0) -> float:
    """Milliseconds from an inline query (``@bot question``) to the bot's answerInlineQuery."""
    since = tg.mark()
    queued = time.time()
    tg.send_inline_query(question, user)
    answered = tg.wait_for("answerInlineQuery", since=since, timeout=timeout)[0]
    return (answered.time - queued) * 1000


def measure(settings: Settings, n_questions: int = 30) -> dict[str, float]:
    """Start the fake server and ``python -m bot`` over ``settings``' index; time ``n_questions`` replies.

    Questions are sent one after another (each waits for its reply), then once
    more as a burst of ``BURST`` at the same moment from different officials.
    The index is only read; the bot's state goes to a temporary folder.
    """
    with tempfile.TemporaryDirectory(prefix="bot-bench-") as tmp, FakeTelegramServer() as tg:
        process = BotProcess(bot_env(settings, Path(tmp) / "state", tg, LOG_LEVEL="WARNING"), Path(tmp) / "bot.log")
        started = time.monotonic()
        process.start(tg)
        startup = time.monotonic() - started
        try:
            sequential = [_latency(tg, FIRST_USER + i, QUESTIONS[i % len(QUESTIONS)]) for i in range(n_questions)]
            inline = [_inline_latency(tg, FIRST_USER + i, QUESTIONS[i % len(QUESTIONS)])
                      for i in range(n_questions)]
            burst: list[float] = []
            lock = threading.Lock()

            def one(i: int) -> None:
                ms = _latency(tg, FIRST_USER + n_questions + i, QUESTIONS[i % len(QUESTIONS)])
                with lock:
                    burst.append(ms)

            threads = [threading.Thread(target=one, args=(i,)) for i in range(BURST)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            process.stop()
    return {
        "questions": n_questions,
        "p50_ms": round(statistics.median(sequential), 1),
        "p95_ms": round(_percentile(sequential, 0.95), 1),
        "max_ms": round(max(sequential), 1),
        "burst": BURST,
        "burst_p50_ms": round(statistics.median(burst), 1),
        "burst_p95_ms": round(_percentile(burst, 0.95), 1),
        "inline_p50_ms": round(statistics.median(inline), 1),
        "inline_p95_ms": round(_percentile(inline, 0.95), 1),
        "startup_s": round(startup, 1),
    }


def burst(tg: FakeTelegramServer, n_questions: int = BIG_BURST_QUESTIONS, n_users: int = BIG_BURST_USERS,
          first_user: int = BIG_BURST_FIRST_USER, timeout: float = 120.0) -> dict[str, float]:
    """Queue ``n_questions`` at once from ``n_users`` officials; time every answer from that moment.

    Each official's questions go to his own private chat, so an answer is the next
    ``sendMessage`` in that chat; a question without one by ``timeout`` is lost.
    The calls the bot made meanwhile are counted by method: the typing actions
    share Telegram's rate budget with the answers.
    """
    users = [first_user + i for i in range(n_users)]
    since = tg.mark()
    queued = time.time()
    for i in range(n_questions):
        tg.send_text(QUESTIONS[i % (len(QUESTIONS) - 1)], user_id=users[i % n_users])  # all answerable
    per_user = {u: n_questions // n_users + (1 if i < n_questions % n_users else 0) for i, u in enumerate(users)}
    deadline = time.monotonic() + timeout
    latencies: list[float] = []
    for user, expected in per_user.items():
        try:
            replies = tg.wait_for("sendMessage", chat_id=user, since=since, count=expected,
                                  timeout=max(0.1, deadline - time.monotonic()))
        except AssertionError:
            replies = tg.calls("sendMessage", user, since=since)
        latencies += [(r.time - queued) * 1000 for r in replies[:expected]]
    calls = [c for c in tg.calls(since=since) if str(c.params.get("chat_id")) in {str(u) for u in users}]
    typing = [c for c in calls if c.method == "sendChatAction"]
    per_question_typing = max((sum(1 for c in typing if str(c.params.get("chat_id")) == str(u)) / per_user[u]
                               for u in users), default=0.0)
    return {
        "questions": n_questions,
        "users": n_users,
        "answered": len(latencies),
        "lost": n_questions - len(latencies),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else float("nan"),
        "p95_ms": round(_percentile(latencies, 0.95), 1) if latencies else float("nan"),
        "max_ms": round(max(latencies), 1) if latencies else float("nan"),
        "calls": len(calls),
        "typing_actions": len(typing),
        "max_typing_per_question": round(per_question_typing, 2),
    }


def measure_burst(settings: Settings) -> dict[str, float]:
    """A fresh bot over ``settings``' index, one large burst (see :func:`burst`)."""
    with tempfile.TemporaryDirectory(prefix="bot-burst-") as tmp, FakeTelegramServer() as tg:
        process = BotProcess(bot_env(settings, Path(tmp) / "state", tg, LOG_LEVEL="WARNING"), Path(tmp) / "bot.log")
        process.start(tg)
        try:
            # One question first, so the burst measures answering, not the first question's warm-up.
            _latency(tg, BIG_BURST_FIRST_USER - 1, QUESTIONS[0])
            return burst(tg)
        finally:
            process.stop()


if __name__ == "__main__":
    if sys.argv[1:] == ["burst"]:
        print(json.dumps(measure_burst(Settings.from_env()), ensure_ascii=False))
    else:
        n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
        print(json.dumps(measure(Settings.from_env(), n), ensure_ascii=False))
