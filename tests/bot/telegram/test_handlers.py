"""Handler plumbing that needs no Telegram server: the repeating typing indicator."""

from __future__ import annotations

import asyncio

import pytest

from bot.telegram import handlers


class RecordingChat:
    def __init__(self) -> None:
        self.actions: list[tuple[float, str]] = []

    async def send_action(self, action: str) -> bool:
        self.actions.append((asyncio.get_running_loop().time(), action))
        return True


def test_typing_is_shown_at_once_repeated_and_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handlers, "TYPING_EVERY", 0.05)
    chat = RecordingChat()

    async def scenario() -> int:
        async with handlers.keep_typing(chat):
            await asyncio.sleep(0)
            assert len(chat.actions) == 1  # as soon as the work yields
            await asyncio.sleep(0.23)
        done = len(chat.actions)
        await asyncio.sleep(0.15)
        return done

    done = asyncio.run(scenario())
    assert done >= 4 and {a for _, a in chat.actions} == {"typing"}
    assert len(chat.actions) == done  # nothing after the work ended
