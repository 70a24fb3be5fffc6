"""Handler plumbing that needs no Telegram server: the repeating typing indicator.

No wall-clock assertions: the chat signals an event when it has seen enough
actions, and "stopped" is checked by the repeater task having finished.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.telegram import handlers

HANG_GUARD_S = 30.0  # only against a hang; the assertions never depend on it


class RecordingChat:
    def __init__(self, enough: int) -> None:
        self.actions: list[str] = []
        self.enough = enough
        self.seen_enough = asyncio.Event()

    async def send_action(self, action: str) -> bool:
        self.actions.append(action)
        if len(self.actions) >= self.enough:
            self.seen_enough.set()
        return True


def test_typing_is_shown_at_once_repeated_and_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handlers, "TYPING_EVERY", 0.01)

    async def scenario() -> tuple[list[str], int, set[asyncio.Task]]:
        chat = RecordingChat(enough=3)
        async with handlers.keep_typing(chat):
            await asyncio.sleep(0)
            assert chat.actions == ["typing"]  # as soon as the work yields
            await asyncio.wait_for(chat.seen_enough.wait(), HANG_GUARD_S)  # repeated while working
        done = len(chat.actions)
        for _ in range(5):  # let any stray repeater run, if one were left behind
            await asyncio.sleep(0)
        others = asyncio.all_tasks() - {asyncio.current_task()}
        return chat.actions, done, others

    actions, done, others = asyncio.run(scenario())
    assert done >= 3 and set(actions) == {"typing"}
    assert not others, "the typing repeater outlived the work"
    assert len(actions) == done  # nothing after the work ended
