"""The bot end to end for officials: the real ``python -m bot`` against the fake Bot API.

One bot process serves the whole module (over a private copy of the corpus
index); every test talks from its own user ids so replies never mix.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.render import texts
from index.settings import Settings
from tests.bot.harness import (
    BotProcess,
    ask,
    bold_inside_quote,
    bot_env,
    button,
    buttons,
    copy_index,
    entity_texts,
    message_text,
    press,
    say,
    wait_reply,
)
from tests.fake_telegram import DEFAULT_USER_ID, Call, FakeTelegramServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(300)]

ADMIN = 700000900
OUTSIDER = 700000555  # not in ALLOWED_USER_IDS
CROWD = list(range(800000101, 800000121))  # twenty officials asking at once
ALLOWED = [DEFAULT_USER_ID, *range(700000001, 700000100), *CROWD]


@dataclass(frozen=True)
class Expect:
    question: str
    header_start: str  # what the header line starts with: type, number, date
    place: str  # the issuer's locality, also in the header
    passage: str  # words of the cited passage


SA_PA = Expect("Ai chủ trì khảo sát sự hài lòng của người dân ở Sa Pa?", "📄 Kế hoạch – ", "Thị ủy Sa Pa",
               "Cơ quan chủ trì thực hiện: Phòng Nội vụ")
SA_PA_NO_DIACRITICS = Expect("ai chu tri khao sat su hai long cua nguoi dan o sa pa", "📄 Kế hoạch – ",
                             "Thị ủy Sa Pa", "Cơ quan chủ trì thực hiện: Phòng Nội vụ")
QUANG_NGAI = Expect("Quyết định 737/QĐ-UBND của UBND tỉnh Quảng Ngãi ban hành quy chế gì?",
                    "📄 Kế hoạch số 40 KH/BDVTU-BCSDUBND ngày 11/1/2021 – ", "Quảng Ngãi",
                    "Quy chế thực hiện dân chủ trong công tác thu hồi đất")
PHU_THO = Expect("so noi vu duoc giao nhiem vu gi o Phu Tho", "📄 Kế hoạch số 06/KH-UBND-BDVTU ngày 24/3/2021 – ",
                 "Phú Thọ", "Giao Sở Nội vụ tỉnh theo dõi")


@dataclass
class RunningBot:
    process: BotProcess
    settings: Settings


@pytest.fixture(scope="module")
def bot(tg: FakeTelegramServer, corpus_settings: Settings, tmp_path_factory) -> Iterator[RunningBot]:
    root = tmp_path_factory.mktemp("bot-officials")
    settings = copy_index(corpus_settings, root)
    env = bot_env(settings, root / "state", tg, ADMIN_USER_IDS=str(ADMIN),
                  ALLOWED_USER_IDS=",".join(map(str, ALLOWED)), LOG_LEVEL="DEBUG")
    process = BotProcess(env, root / "bot.log").start(tg)
    yield RunningBot(process, settings)
    assert process.stop() == 0, process.log_text()[-3000:]


def assert_cites(calls: list[Call], expect: Expect) -> None:
    """The first message names the right document and quotes the right passage with the answer in bold."""
    first = message_text(calls[0])
    header = first.splitlines()[0]
    assert header.startswith(expect.header_start), first[:500]
    assert expect.place in header
    quotes = entity_texts(calls[0], "blockquote") + entity_texts(calls[0], "expandable_blockquote")
    assert any(expect.passage in q for q in quotes), quotes
    bold = bold_inside_quote(calls[0])
    assert bold and all(any(b in q for q in quotes) for b in bold)
    assert all(c.params.get("parse_mode") == "HTML" for c in calls)


def corpus_listing(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------- commands


def test_commands_are_registered_in_vietnamese(bot: RunningBot, tg: FakeTelegramServer) -> None:
    registered = {c["command"]: c["description"] for c in tg.commands()}
    assert {"start", "help", "docs", "tasks", "reindex"} <= set(registered)
    assert "văn bản" in registered["docs"] and "quản trị" in registered["reindex"]


def test_start_and_help_give_examples(bot: RunningBot, tg: FakeTelegramServer) -> None:
    start = say(tg, "/start", 700000001, "Xin chào")
    assert texts.EXAMPLE_QUESTIONS[0] in message_text(start)
    help_ = say(tg, "/help", 700000001, "Hướng dẫn sử dụng")
    for command in ("/docs", "/tasks", "/reindex", "thay thế"):
        assert command in message_text(help_)


# --------------------------------------------------------------------------- questions


@pytest.mark.parametrize("expect, user", [(SA_PA, 700000002), (QUANG_NGAI, 700000003),
                                          (SA_PA_NO_DIACRITICS, 700000004), (PHU_THO, 700000005)])
def test_question_cites_the_right_document_and_passage(bot: RunningBot, tg: FakeTelegramServer, expect: Expect,
                                                       user: int) -> None:
    since = tg.mark()
    calls = ask(tg, expect.question, user)
    assert_cites(calls, expect)
    assert "Nguồn khác:" in message_text(calls[-1])
    labels = set(buttons(calls[-1]))
    assert {"📖 Toàn văn mục", "📝 Trích dẫn", "📎 Tệp gốc"} <= labels
    # "typing" is shown at most once, only when the answer takes a while, and never after it.
    typing = tg.calls("sendChatAction", user, since=since)
    assert len(typing) <= 1 and all(t.params["action"] == "typing" and t.time <= calls[0].time for t in typing)


def test_no_answer_says_so_and_suggests_what_to_try(bot: RunningBot, tg: FakeTelegramServer) -> None:
    reply = say(tg, "Giá vàng hôm nay bao nhiêu?", 700000006, "Không tìm thấy")
    text = message_text(reply)
    assert "/docs" in text and "số hiệu" in text and "từ khóa" in text
    assert not entity_texts(reply, "blockquote") and not buttons(reply)


# --------------------------------------------------------------------------- buttons


def test_more_sources_button_shows_the_next_page(bot: RunningBot, tg: FakeTelegramServer) -> None:
    user = 700000007
    answer = ask(tg, SA_PA.question, user)
    page = press(tg, button(answer[-1], "📚 Thêm nguồn"), answer[-1], user, done=lambda c: "Nguồn 6–" in c.text)
    text = message_text(page[-1])
    ranks = [int(n) for n in re.findall(r"^(\d+)\. (?:Kế hoạch|Công văn)", text, re.MULTILINE)]
    assert ranks and ranks == list(range(6, 6 + len(ranks)))
    assert SA_PA.question in text
    assert all(len(c.result["text"]) <= 4096 for c in page)


def test_whole_section_button_splits_a_long_section(bot: RunningBot, tg: FakeTelegramServer, engine) -> None:
    user = 700000008
    answer = ask(tg, QUANG_NGAI.question, user)
    data = button(answer[-1], "📖 Toàn văn mục")
    chunk_id = int(data.split(":")[1])
    section = engine.section(chunk_id)
    assert len(section.text) > 4096  # "II. Nội dung phối hợp" of the Quảng Ngãi plan
    tail = " ".join(section.text.split())[-60:]
    parts = press(tg, data, answer[-1], user,
                  done=lambda c: tail in " ".join(c.result["text"].split()))
    assert len(parts) >= 2
    assert all(c.ok and len(c.result["text"]) <= 4096 for c in parts)
    assert parts[0].result["text"].startswith(QUANG_NGAI.header_start)
    shown = " ".join(" ".join(c.result["text"].split()) for c in parts)
    assert " ".join(section.text.split())[:2000] in shown
    assert any(QUANG_NGAI.passage in c.result["text"] for c in parts)


def test_citation_button_gives_a_copyable_line(bot: RunningBot, tg: FakeTelegramServer) -> None:
    user = 700000009
    answer = ask(tg, QUANG_NGAI.question, user)
    [reply] = press(tg, button(answer[-1], "📝 Trích dẫn"), answer[-1], user)
    [line] = entity_texts(reply, "code")
    assert line.startswith("Theo Kế hoạch số 40 KH/BDVTU-BCSDUBND ngày 11/1/2021 của ")
    assert "Quảng Ngãi, mục II" in line
    assert line.endswith('"') and 'Quy chế thực hiện dân chủ trong công tác thu hồi đất' in line.split(": \"", 1)[1]


def test_original_file_button_sends_the_file(bot: RunningBot, tg: FakeTelegramServer) -> None:
    user = 700000010
    answer = ask(tg, SA_PA.question, user)
    [sent] = press(tg, button(answer[-1], "📎 Tệp gốc"), answer[-1], user, method="sendDocument")
    name, content = sent.files["document"]
    original = bot.settings.corpus_dir / "sa-pa-2021-2025-kh-tang-cuong-dan-van.md"
    assert name == original.name and content == original.read_bytes()
    assert "Thị ủy Sa Pa" in sent.result["caption"]


# --------------------------------------------------------------------------- other commands


def test_docs_lists_every_document(bot: RunningBot, tg: FakeTelegramServer) -> None:
    reply = say(tg, "/docs", 700000011, "Kho văn bản")
    text = message_text(reply)
    assert "6 văn bản" in text
    for label in ("Kế hoạch số 06/KH-UBND-BDVTU ngày 24/3/2021", "Công văn số 113-CV/ĐUK ngày 16/4/2021",
                  "Kế hoạch số 40 KH/BDVTU-BCSDUBND ngày 11/1/2021", "Thị ủy Sa Pa", "Hòa Bình"):
        assert label in text


def test_tasks_lists_agencies_then_an_agencys_tasks_by_deadline(bot: RunningBot, tg: FakeTelegramServer) -> None:
    listing = say(tg, "/tasks", 700000012, "Cơ quan được giao nhiệm vụ")
    assert "nhiệm vụ" in message_text(listing) and "/tasks" in message_text(listing)

    reply = say(tg, "/tasks phong noi vu", 700000012, "Nhiệm vụ của")
    text = message_text(reply)
    survey = text.index("Tổ chức khảo sát, đánh giá sự hài lòng")
    assert "Chủ trì: Phòng Nội vụ" in text[survey:] and "Thời hạn: Thực hiện hàng năm" in text[survey:]
    assert "Thị ủy Sa Pa, mục III.3.3" in text
    assert "Sở Nội vụ tỉnh" not in text  # the Phú Thọ department is another agency

    reply = say(tg, "/tasks Sở Nội vụ Quảng Ngãi", 700000012, "Nhiệm vụ của")
    text = message_text(reply)
    assert "gửi Sở Tài chính thẩm định" in text and "Phú Thọ" not in text and "Sa Pa" not in text


def test_tasks_pages_with_buttons(bot: RunningBot, tg: FakeTelegramServer) -> None:
    reply = say(tg, "/tasks ủy ban nhân dân tỉnh", 700000014, "Nhiệm vụ của")
    assert "(trang 1/" in message_text(reply)
    edited = press(tg, button(reply, "Trang sau"), reply, 700000014, method="editMessageText")
    assert "(trang 2/" in message_text(edited[-1])


# --------------------------------------------------------------------------- groups


def test_group_answers_only_when_addressed(bot: RunningBot, tg: FakeTelegramServer) -> None:
    group, user = -1002000000001, 700000013
    in_group = {"chat_id": group, "chat_type": "supergroup"}
    since = tg.mark()
    tg.send_text(SA_PA.question, user_id=user, **in_group)  # colleagues talking: not for the bot
    tg.send_text("/docs@some_other_bot", user_id=user, **in_group)
    mention = tg.send_text(f"@{tg.bot_username} {QUANG_NGAI.question}", user_id=user, **in_group)
    answer = wait_reply(tg, group, since)
    assert_cites(answer, QUANG_NGAI)
    assert answer[0].params["reply_parameters"]["message_id"] == mention["message"]["message_id"]
    time.sleep(1.5)  # give an (unwanted) answer to the ignored messages time to show up
    assert tg.calls("sendMessage", group, since=since) == answer

    since = tg.mark()
    tg.send_text(SA_PA.question, user_id=user, reply_to_message_id=answer[-1].result["message_id"], **in_group)
    assert_cites(wait_reply(tg, group, since), SA_PA)

    docs = say(tg, f"/docs@{tg.bot_username}", user, "Kho văn bản", **in_group)
    assert "6 văn bản" in message_text(docs)
    assert "Kho văn bản" in message_text(say(tg, "/docs", user, "Kho văn bản", **in_group))


# --------------------------------------------------------------------------- access


def test_allowed_user_ids_limit_who_may_ask(bot: RunningBot, tg: FakeTelegramServer) -> None:
    since = tg.mark()
    refusal = say(tg, SA_PA.question, OUTSIDER, "chưa được cấp quyền")
    assert str(OUTSIDER) in message_text(refusal)
    assert len(tg.calls("sendMessage", OUTSIDER, since=since)) == 1
    assert_cites(ask(tg, SA_PA.question, ADMIN), SA_PA)  # admins always may, listed or not


def test_non_admin_cannot_upload_or_reindex(bot: RunningBot, tg: FakeTelegramServer) -> None:
    user = 700000014
    before = corpus_listing(bot.settings.corpus_dir)
    since = tg.mark()
    tg.send_document("ke-hoach-moi.md", "# KẾ HOẠCH\n\n1. Giao Sở Tài chính.\n".encode(), user_id=user)
    refusal = tg.wait_for("sendMessage", lambda c: c.ok, chat_id=user, since=since)[0]
    assert "chỉ quản trị viên" in message_text(refusal)
    assert not tg.calls("getFile", since=since)
    refusal = say(tg, "/reindex", user, "chỉ quản trị viên")
    assert "Đang cập nhật" not in message_text(refusal)
    assert corpus_listing(bot.settings.corpus_dir) == before


# --------------------------------------------------------------------------- load


def test_twenty_officials_asking_at_once_all_get_the_right_answer(bot: RunningBot, tg: FakeTelegramServer) -> None:
    bank = [SA_PA, QUANG_NGAI, PHU_THO, SA_PA_NO_DIACRITICS]
    since = tg.mark()
    start = threading.Barrier(len(CROWD))

    def send(user: int, expect: Expect) -> None:
        start.wait()
        tg.send_text(expect.question, user_id=user)

    threads = [threading.Thread(target=send, args=(u, bank[i % len(bank)])) for i, u in enumerate(CROWD)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, user in enumerate(CROWD):
        assert_cites(wait_reply(tg, user, since, timeout=90), bank[i % len(bank)])


# --------------------------------------------------------------------------- errors and logs (keep last)


def test_unexpected_error_is_logged_and_the_official_gets_an_apology(bot: RunningBot,
                                                                      tg: FakeTelegramServer) -> None:
    user = 700000015
    tg.fail_next("sendMessage", "Internal Server Error", 500)  # the answer itself cannot be sent
    apology = say(tg, SA_PA.question, user, "Xin lỗi")
    assert message_text(apology) == texts.APOLOGY
    deadline = time.monotonic() + 10
    while "unhandled error" not in bot.process.log_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    log = bot.process.log_text()
    assert "ERROR bot.telegram.handlers: unhandled error" in log
    assert "Traceback (most recent call last)" in log.split("unhandled error", 1)[1]
    assert_cites(ask(tg, SA_PA.question, user), SA_PA)  # and the next question is answered as usual



def test_logs_never_contain_the_token(bot: RunningBot, tg: FakeTelegramServer) -> None:
    log = bot.process.log_text()
    assert "DEBUG" in log and "latency_ms=" in log  # DEBUG output really was captured
    assert tg.token not in log
    assert tg.token.split(":", 1)[1] not in log
    ours = [line for line in log.splitlines() if " bot.telegram.handlers:" in line]
    assert ours and not any("khảo sát" in line or "Quảng Ngãi" in line for line in ours)
