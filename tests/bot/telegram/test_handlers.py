"""The typing indicator: after a short wait, at most once per question, never while answers queue.

No wall-clock assertions: delays are set to 0 or to far beyond the test, the chat
signals an event when it has seen enough actions, and "stopped" is checked by the
indicator task having finished. The busy case uses PTB's real rate limiter with
requests held inside it.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.telegram import replies as typing_budget
from bot.telegram.replies import CountingRateLimiter, keep_typing

HANG_GUARD_S = 30.0  # only against a hang; the assertions never depend on it


class RecordingChat:
    def __init__(self, enough: int = 1, bot: object | None = None) -> None:
        self.actions: list[str] = []
        self.enough = enough
        self.seen_enough = asyncio.Event()
        self._bot = bot

    def get_bot(self) -> object:
        if self._bot is None:
            raise RuntimeError("not bound to a bot")
        return self._bot

    async def send_action(self, action: str) -> bool:
        self.actions.append(action)
        if len(self.actions) >= self.enough:
            self.seen_enough.set()
        return True


class BotWithLimiter:
    def __init__(self, limiter: CountingRateLimiter) -> None:
        self.rate_limiter = limiter


def _no_stray_tasks() -> set[asyncio.Task]:
    return asyncio.all_tasks() - {asyncio.current_task()}


def test_a_quick_answer_shows_no_typing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(typing_budget, "TYPING_DELAY", HANG_GUARD_S * 10)

    async def scenario() -> tuple[list[str], set[asyncio.Task]]:
        chat = RecordingChat()
        async with keep_typing(chat):
            await asyncio.sleep(0)
        return chat.actions, _no_stray_tasks()

    actions, others = asyncio.run(scenario())
    assert actions == [] and not others


def test_a_question_shows_typing_once_however_long_it_takes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(typing_budget, "TYPING_DELAY", 0.0)
    monkeypatch.setattr(typing_budget, "TYPING_EVERY", 0.0)

    async def scenario() -> tuple[list[str], set[asyncio.Task]]:
        chat = RecordingChat()
        async with keep_typing(chat):
            await asyncio.wait_for(chat.seen_enough.wait(), HANG_GUARD_S)
            for _ in range(20):  # a repeating indicator would have sent more by now
                await asyncio.sleep(0)
        return chat.actions, _no_stray_tasks()

    actions, others = asyncio.run(scenario())
    assert actions == ["typing"] and not others


def test_a_long_job_repeats_it_and_stops_with_the_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(typing_budget, "TYPING_DELAY", 0.0)
    monkeypatch.setattr(typing_budget, "TYPING_EVERY", 0.01)

    async def scenario() -> tuple[list[str], int, set[asyncio.Task]]:
        chat = RecordingChat(enough=3)
        async with keep_typing(chat, "upload_document", repeat=True):
            await asyncio.wait_for(chat.seen_enough.wait(), HANG_GUARD_S)
        done = len(chat.actions)
        for _ in range(5):
            await asyncio.sleep(0)
        return chat.actions, done, _no_stray_tasks()

    actions, done, others = asyncio.run(scenario())
    assert done >= 3 and set(actions) == {"upload_document"}
    assert not others, "the typing repeater outlived the work"
    assert len(actions) == done  # nothing after the work ended


def test_no_typing_while_requests_queue_in_the_rate_limiter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(typing_budget, "TYPING_DELAY", 0.0)

    async def scenario() -> tuple[list[str], list[str], int]:
        limiter = CountingRateLimiter(max_retries=0)
        await limiter.initialize()
        release = asyncio.Event()
        entered = 0

        async def held_request(*args, **kwargs) -> dict:
            nonlocal entered
            entered += 1
            await release.wait()
            return {}

        held = [asyncio.create_task(limiter.process_request(held_request, (), {}, "sendMessage",
                                                            {"chat_id": 1000 + i}, None))
                for i in range(typing_budget.BUSY_AT)]
        while entered < len(held):
            await asyncio.sleep(0)
        busy_chat = RecordingChat(bot=BotWithLimiter(limiter))
        async with keep_typing(busy_chat):
            for _ in range(20):
                await asyncio.sleep(0)
        busy_pending = limiter.pending
        release.set()
        await asyncio.gather(*held)
        quiet_chat = RecordingChat(bot=BotWithLimiter(limiter))
        async with keep_typing(quiet_chat):
            await asyncio.wait_for(quiet_chat.seen_enough.wait(), HANG_GUARD_S)
        await limiter.shutdown()
        return busy_chat.actions, quiet_chat.actions, busy_pending

    busy, quiet, pending = asyncio.run(scenario())
    assert pending == typing_budget.BUSY_AT
    assert busy == [] and quiet == ["typing"]


def test_no_typing_while_many_questions_are_being_answered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(typing_budget, "TYPING_DELAY", 0.0)

    async def scenario() -> list[int]:
        chats = [RecordingChat() for _ in range(typing_budget.BUSY_AT + 5)]
        release = asyncio.Event()

        async def question(chat: RecordingChat) -> None:
            async with keep_typing(chat):
                await release.wait()

        tasks = [asyncio.create_task(question(c)) for c in chats]
        for _ in range(50):
            await asyncio.sleep(0)
        release.set()
        await asyncio.gather(*tasks)
        return [len(c.actions) for c in chats]

    counts = asyncio.run(scenario())
    assert all(n <= 1 for n in counts)
    assert sum(counts) < typing_budget.BUSY_AT  # the crowd's answers get the budget, not the indicator
