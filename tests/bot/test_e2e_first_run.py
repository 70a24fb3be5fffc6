"""A bot started before any index exists: it says so, and an admin's first upload builds the index."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from index.errors import IndexMissing
from index.settings import Settings
from tests.bot.harness import BotProcess, ask, bot_env, entity_texts, message_text, say
from tests.fake_telegram import FakeTelegramServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(300)]

ADMIN = 700002000
OFFICIAL = 700002001


@pytest.fixture(scope="module")
def bot(tg: FakeTelegramServer, corpus_settings: Settings, tmp_path_factory) -> Iterator[tuple[BotProcess, Settings]]:
    root = tmp_path_factory.mktemp("bot-first-run")
    (root / "corpus").mkdir()
    settings = replace(corpus_settings, corpus_dir=root / "corpus", index_dir=root / "index")
    process = BotProcess(bot_env(settings, root / "state", tg, ADMIN_USER_IDS=str(ADMIN)), root / "bot.log")
    process.start(tg)
    yield process, settings
    assert process.stop() == 0


def test_missing_index_is_explained_then_built_by_the_first_upload(bot, tg: FakeTelegramServer) -> None:
    process, settings = bot
    assert "no index in" in process.log_text()  # the operator is told at start

    reply = say(tg, "Ai chủ trì khảo sát sự hài lòng của người dân?", OFFICIAL, "chỉ mục")
    assert message_text(reply) == IndexMissing.user_message
    assert "Kho văn bản" not in message_text(say(tg, "/docs", OFFICIAL, "chỉ mục"))

    since = tg.mark()
    content = ("KẾ HOẠCH\nKhảo sát sự hài lòng của người dân năm 2025\n\n1. Tổ chức thực hiện\n"
               "Giao Văn phòng HĐND và UBND huyện chủ trì khảo sát sự hài lòng của người dân.\n")
    tg.send_document("ke-hoach-khao-sat.txt", content.encode("utf-8"), user_id=ADMIN)
    report = tg.wait_for("editMessageText", lambda c: c.ok, chat_id=ADMIN, since=since, timeout=120)[0]
    assert "Đã thêm «ke-hoach-khao-sat.txt»" in message_text(report)
    assert (settings.corpus_dir / "ke-hoach-khao-sat.txt").is_file()

    answer = ask(tg, "Ai chủ trì khảo sát sự hài lòng của người dân?", OFFICIAL)
    assert any("Giao Văn phòng HĐND và UBND huyện chủ trì" in q for q in entity_texts(answer[0], "blockquote"))
