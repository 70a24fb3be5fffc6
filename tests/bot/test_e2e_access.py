"""Who may do what, end to end: the real ``python -m bot`` against the fake Bot API.

``ALLOWED_USER_IDS`` is set: an outsider (not in it) gets a Vietnamese refusal
to every question, command and button press, and nothing of the documents
leaks into it; a listed official who is not an admin may ask but cannot
upload (a document or a photo) nor ``/reindex``: nothing is downloaded, saved
or indexed. "Nothing else happened" is checked against the fake server's call
log after a later reply in the same chat (a sentinel), not after a sleep.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.render import texts
from index.settings import Settings
from index.store.database import current_version
from tests.bot.harness import BotProcess, ask, bot_env, buttons, copy_index, entity_texts, message_text, say
from tests.fake_telegram import Call, FakeTelegramServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(300)]

ADMIN = 700003000
MEMBER = 700003001  # in ALLOWED_USER_IDS, not an admin
OUTSIDER = 700003999  # in neither list
GROUP = -1002000003000
IN_GROUP = {"chat_id": GROUP, "chat_type": "supergroup"}

QUESTION = "Ai chủ trì khảo sát sự hài lòng của người dân ở Sa Pa?"
PASSAGE = "Cơ quan chủ trì thực hiện: Phòng Nội vụ"
SA_PA_FILE = "sa-pa-2021-2025-kh-tang-cuong-dan-van.md"
REFUSED = "chưa được cấp quyền"  # texts.NOT_ALLOWED
# What a refusal must never show: passages, document numbers, the list of documents or agencies.
SECRETS = ("Phòng Nội vụ", "Sở Nội vụ", "06/KH-UBND-BDVTU", "113-CV/ĐUK", "Kho văn bản", "Thị ủy Sa Pa", "Sa Pa")


@dataclass
class RunningBot:
    process: BotProcess
    settings: Settings


@pytest.fixture(scope="module")
def bot(tg: FakeTelegramServer, corpus_settings: Settings, tmp_path_factory) -> Iterator[RunningBot]:
    root = tmp_path_factory.mktemp("bot-access")
    settings = copy_index(corpus_settings, root)
    env = bot_env(settings, root / "state", tg, ADMIN_USER_IDS=str(ADMIN), ALLOWED_USER_IDS=str(MEMBER))
    process = BotProcess(env, root / "bot.log").start(tg)
    yield RunningBot(process, settings)
    assert process.stop() == 0, process.log_text()[-3000:]


def listing(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_refusal_reveals_nothing(call: Call, marker: str = REFUSED) -> None:
    text = message_text(call)
    assert marker in text, text
    assert any(c in text for c in "ăâđêôơưạảấầẩậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")  # Vietnamese
    assert not [s for s in SECRETS if s in text], text
    assert not entity_texts(call, "blockquote") and not buttons(call), text


def sentinel(tg: FakeTelegramServer, user: int, **kwargs) -> Call:
    """A later exchange in the same chat: once it is answered, anything the earlier updates caused is in the log."""
    return say(tg, "/help", user, "/docs", **kwargs)


# --------------------------------------------------------------------------- outsiders


def test_outsider_question_is_refused_without_a_passage(bot: RunningBot, tg: FakeTelegramServer) -> None:
    for question in (QUESTION, "ai chu tri khao sat su hai long cua nguoi dan o sa pa"):
        since = tg.mark()
        refusal = say(tg, question, OUTSIDER, REFUSED)
        assert_refusal_reveals_nothing(refusal)
        assert str(OUTSIDER) in message_text(refusal)  # what the admin needs to grant access
        assert not tg.calls("sendDocument", since=since)
        assert len(tg.calls("sendMessage", OUTSIDER, since=since)) == 1


@pytest.mark.parametrize("command", ["/docs", "/tasks", "/tasks phòng nội vụ", "/reindex", "/start"])
def test_outsider_commands_are_refused(bot: RunningBot, tg: FakeTelegramServer, command: str) -> None:
    version = current_version(bot.settings.index_dir)
    since = tg.mark()
    assert_refusal_reveals_nothing(say(tg, command, OUTSIDER, REFUSED))
    assert len(tg.calls("sendMessage", OUTSIDER, since=since)) == 1
    assert current_version(bot.settings.index_dir) == version  # /reindex did not run


def test_outsider_cannot_press_the_buttons_of_an_answer(bot: RunningBot, tg: FakeTelegramServer) -> None:
    # A listed official asks in a group; an outsider in the same group presses every button under the answer.
    since = tg.mark()
    tg.send_text(f"@{tg.bot_username} {QUESTION}", user_id=MEMBER, **IN_GROUP)
    answer = tg.wait_for("sendMessage", lambda c: c.ok and bool(buttons(c)), chat_id=GROUP, since=since)[-1]
    assert PASSAGE in " ".join(entity_texts(answer, "blockquote"))
    pressed = dict(buttons(answer))
    doc_button = next(d for d in pressed.values() if d.startswith("f:"))
    forged = {"forged docs page": "d:1", "forged file": doc_button, "forged tasks page": "t:0:0"}
    assert len(pressed) >= 3, pressed

    since = tg.mark()
    for data in pressed.values():
        tg.send_callback(data, answer, user_id=OUTSIDER, chat_id=GROUP)
    for data in forged.values():
        tg.send_callback(data, answer, user_id=OUTSIDER, chat_id=GROUP, check_button=False)
    answered = tg.wait_for("answerCallbackQuery", since=since, count=len(pressed) + len(forged))
    for call in answered:
        assert call.params.get("show_alert") in (True, "true", "True"), call.params
        assert REFUSED in call.params.get("text", ""), call.params
        assert not [s for s in SECRETS if s in call.params.get("text", "")]

    # The member's own press still works; by the time it is answered, the outsider's presses (queued
    # before it) have had their effect, and the only content that reached the group is the member's.
    citation = next(d for d in pressed.values() if d.startswith("c:"))
    before_member = tg.mark()
    tg.send_callback(citation, answer, user_id=MEMBER, chat_id=GROUP)
    reply = tg.wait_for("sendMessage", lambda c: c.ok, chat_id=GROUP, since=before_member)[-1]
    assert "\nTheo " in message_text(reply) and PASSAGE in message_text(reply), message_text(reply)
    content = [c for c in tg.calls(chat_id=GROUP, since=since)
               if c.method in ("sendMessage", "sendDocument", "sendPhoto", "editMessageText", "editMessageReplyMarkup")]
    assert [c.text for c in content] == [reply.text], [(c.method, c.text) for c in content]


def test_outsider_upload_is_refused_and_not_downloaded(bot: RunningBot, tg: FakeTelegramServer) -> None:
    corpus, version = listing(bot.settings.corpus_dir), current_version(bot.settings.index_dir)
    since = tg.mark()
    tg.send_document("ke-hoach-ngoai.md", "# KẾ HOẠCH\n\n1. Giao Sở Tài chính chủ trì.\n".encode(),
                     user_id=OUTSIDER)
    assert_refusal_reveals_nothing(tg.wait_for("sendMessage", lambda c: c.ok, chat_id=OUTSIDER, since=since)[0])
    sentinel(tg, MEMBER)
    assert not tg.calls("getFile", since=since)
    assert listing(bot.settings.corpus_dir) == corpus and current_version(bot.settings.index_dir) == version


# --------------------------------------------------------------------------- listed officials, not admins


def test_member_may_ask_but_not_upload_replace_or_reindex(bot: RunningBot, tg: FakeTelegramServer) -> None:
    answer = ask(tg, QUESTION, MEMBER)
    assert PASSAGE in " ".join(entity_texts(answer[0], "blockquote"))

    corpus, version = listing(bot.settings.corpus_dir), current_version(bot.settings.index_dir)
    since = tg.mark()
    # A file named like one in the corpus, captioned "thay thế": the replace path must be closed too.
    tg.send_document(SA_PA_FILE, "# KẾ HOẠCH GIẢ\n\n1. Giao Phòng Tài chính chủ trì.\n".encode(), user_id=MEMBER,
                     caption="thay thế")
    refusal = tg.wait_for("sendMessage", lambda c: c.ok, chat_id=MEMBER, since=since)[0]
    assert texts.plain(texts.ADMIN_ONLY_UPLOAD) == message_text(refusal)
    photo = _jpeg()
    since_photo = tg.mark()
    tg.send_photo(photo, user_id=MEMBER, caption="Kế hoạch mới")
    refusal = tg.wait_for("sendMessage", lambda c: c.ok, chat_id=MEMBER, since=since_photo)[0]
    assert "chỉ quản trị viên" in message_text(refusal)
    reindex = say(tg, "/reindex", MEMBER, "chỉ quản trị viên")
    assert "Đang cập nhật" not in message_text(reindex)
    sentinel(tg, MEMBER)
    assert not tg.calls("getFile", since=since)
    assert listing(bot.settings.corpus_dir) == corpus
    assert current_version(bot.settings.index_dir) == version
    answer = ask(tg, QUESTION, MEMBER)  # the corpus file was not replaced behind the scenes
    assert PASSAGE in " ".join(entity_texts(answer[0], "blockquote"))


def _jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (640, 900), 255).save(buffer, format="JPEG")
    return buffer.getvalue()
