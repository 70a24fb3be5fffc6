"""A burst of questions through the real bot, PTB's rate limiter on: every one answered, little typing.

Sixty officials ask at the same moment (``python -m bot`` against the fake Bot
API, the production AIORateLimiter). Each must get the right answer, and the
"typing…" indicator must not eat Telegram's rate budget: at most one action per
question. How fast is ``make bench``'s business (tests/bench/bot_latency.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from index.settings import Settings
from tests.bot.harness import BotProcess, bot_env, copy_index, message_text
from tests.fake_telegram import FakeTelegramServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(400)]

CROWD = list(range(830000001, 830000061))
QUESTIONS = (
    ("Ai chủ trì khảo sát sự hài lòng của người dân ở Sa Pa?", "Sa Pa"),
    ("Quyết định 737/QĐ-UBND của UBND tỉnh Quảng Ngãi ban hành quy chế gì?", "Quảng Ngãi"),
    ("so noi vu duoc giao nhiem vu gi o Phu Tho", "Phú Thọ"),
)


@pytest.fixture(scope="module")
def bot(tg: FakeTelegramServer, corpus_settings: Settings, tmp_path_factory) -> Iterator[BotProcess]:
    root = tmp_path_factory.mktemp("bot-burst")
    settings = copy_index(corpus_settings, root)
    process = BotProcess(bot_env(settings, root / "state", tg), root / "bot.log").start(tg)
    yield process
    assert process.stop() == 0, process.log_text()[-3000:]


def test_a_burst_of_questions_is_all_answered_with_at_most_one_typing_each(bot: BotProcess,
                                                                          tg: FakeTelegramServer) -> None:
    since = tg.mark()
    for i, user in enumerate(CROWD):
        tg.send_text(QUESTIONS[i % len(QUESTIONS)][0], user_id=user)
    for i, user in enumerate(CROWD):
        reply = tg.wait_for("sendMessage", chat_id=user, since=since, timeout=300)[0]
        header = message_text(reply).splitlines()[0]
        assert header.startswith("📄") and QUESTIONS[i % len(QUESTIONS)][1] in header, message_text(reply)[:300]
    for user in CROWD:
        typing = tg.calls("sendChatAction", user, since=since)
        first_answer = tg.calls("sendMessage", user, since=since)[0]
        assert len(typing) <= 1, f"chat {user}: {len(typing)} typing actions for one question"
        assert all(t.time <= first_answer.time for t in typing)  # never "typing…" under an answer
