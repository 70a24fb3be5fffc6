"""End-to-end fixtures: one fake Bot API server per test module.

Starting the bot costs model + index loading (~10 s), so each test module
shares one bot process (and one fake server) and gives every test its own
user ids, so that tests never read each other's replies. Helpers are in
``tests/bot/harness.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fake_telegram import FakeTelegramServer


@pytest.fixture(scope="module")
def tg() -> Iterator[FakeTelegramServer]:
    with FakeTelegramServer() as server:
        yield server
        assert not server.errors, f"the fake server itself failed: {server.errors!r}"
