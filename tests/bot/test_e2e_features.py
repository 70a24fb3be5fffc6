"""Issue 11 end to end: inline mode, deadlines and reminders, follow-ups, feedback, document cards.

One bot process serves the module with its clock set by ``BOT_TODAY`` to
2022-12-24 07:29:40 (Asia/Ho_Chi_Minh), seven days before the Sa Pa plan's
"Năm 2022, 2023" tasks fall due (31/12/2022), and checks reminders every
second. The first test subscribes a group before 7:30, so the 7-day notice
comes a few seconds later; the last test restarts the bot on 2022-12-30
07:31 — the 1-day notice's moment passed while it was down — and checks
that it comes once, and that nothing already sent comes again.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from index.settings import ROOT, Settings
from tests.bench.quality import evaluate, load_questions
from tests.bot.harness import (
    BotProcess,
    ask,
    bot_env,
    button,
    buttons,
    copy_index,
    entity_texts,
    message_text,
    press,
    say,
)
from tests.fake_telegram import Call, FakeTelegramServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(400)]

ADMIN = 710000900
OUTSIDER = 710000555
ALLOWED = list(range(710000001, 710000100))
GROUP = -1001700000011  # the meeting group that follows "Ban Dân vận Thị ủy"
AGENCY = "Ban Dân vận Thị ủy"
SA_PA_Q = "Ai chủ trì khảo sát sự hài lòng của người dân ở Sa Pa?"
REFUSED_Q = "Giá vàng hôm nay bao nhiêu?"
START = "2022-12-24T07:29:40"
RESTART = "2022-12-30T07:31:00"


@dataclass
class RunningBot:
    process: BotProcess
    settings: Settings
    env: dict[str, str]
    root: Path


@pytest.fixture(scope="module")
def bot(tg: FakeTelegramServer, corpus_settings: Settings, tmp_path_factory) -> Iterator[RunningBot]:
    root = tmp_path_factory.mktemp("bot-features")
    settings = copy_index(corpus_settings, root)
    env = bot_env(settings, root / "state", tg, ADMIN_USER_IDS=str(ADMIN),
                  ALLOWED_USER_IDS=",".join(map(str, ALLOWED)), BOT_TODAY=START, BOT_REMINDER_EVERY="1",
                  PYTHONPATH=str(ROOT))
    process = BotProcess(env, root / "bot.log").start(tg)
    running = RunningBot(process, settings, env, root)
    yield running
    assert running.process.stop() == 0, running.process.log_text()[-3000:]


def group_say(tg: FakeTelegramServer, text: str, user: int, contains: str) -> Call:
    return say(tg, text, user, contains, chat_id=GROUP, chat_type="supergroup")


def reminders(tg: FakeTelegramServer, head: str) -> list[Call]:
    return [c for c in tg.calls("sendMessage", GROUP) if c.ok and message_text(c).startswith(head)]


# --------------------------------------------------------------------------- reminders, part 1 (before 7:30)


def test_subscribing_a_group_brings_the_seven_day_notice(bot: RunningBot, tg: FakeTelegramServer) -> None:
    reply = group_say(tg, f"/nhacviec {AGENCY}", 710000001, "Đã đăng ký nhắc việc")
    assert "31/12/2022" in message_text(reply)
    tg.wait_for("sendMessage", lambda c: message_text(c).startswith("🔔 Nhắc hạn chót"), chat_id=GROUP,
                timeout=90)
    [notice] = reminders(tg, "🔔 Nhắc hạn chót")
    text = message_text(notice)
    assert "31/12/2022 (còn 7 ngày)" in text and "của Thị ủy Sa Pa, mục III.3.1" in text and "Theo Kế hoạch “" in text
    listed = group_say(tg, "/nhacviec", 710000001, "Nhắc việc đã đăng ký")
    assert AGENCY in message_text(listed)


# --------------------------------------------------------------------------- commands


def test_new_commands_are_in_the_menu_and_help(bot: RunningBot, tg: FakeTelegramServer) -> None:
    registered = {c["command"]: c["description"] for c in tg.commands()}
    assert {"hanchot", "nhacviec", "huynhac", "thongke", "vanban"} <= set(registered)
    assert "Hạn chót" in registered["hanchot"] and "quản trị" in registered["thongke"]
    help_ = message_text(say(tg, "/help", 710000002, "Hướng dẫn sử dụng"))
    for command in ("/hanchot", "/nhacviec", "/huynhac", "/vanban", "/thongke", "@tên_bot"):
        assert command in help_


def test_deadlines_list_the_coming_month_with_citations(bot: RunningBot, tg: FakeTelegramServer) -> None:
    text = message_text(say(tg, "/hanchot", 710000003, "Hạn chót"))
    assert "ngày 24/12/2022" in text and "31/12/2022 · còn 7 ngày" in text
    assert "” của Thị ủy Sa Pa, mục III.3.2" in text and "Theo Kế hoạch “" in text
    # "hằng năm"/"thường xuyên" tasks are no deadlines; 20/5/2021 is overdue by more than 90 days.
    assert "20/5/2021" not in text and "Thực hiện hàng năm" not in text
    partner = message_text(say(tg, "/hanchot phòng nội vụ", 710000003, "«phòng nội vụ»"))
    assert "31/12/2022 · còn 7 ngày · [Phối hợp]" in partner  # a partner in the Sa Pa tasks
    none = message_text(say(tg, "/hanchot sở y tế", 710000003, "Không có nhiệm vụ"))
    assert "«sở y tế»" in none


# --------------------------------------------------------------------------- inline mode


def test_inline_query_offers_citations_within_telegram_limits(bot: RunningBot, tg: FakeTelegramServer) -> None:
    query_id = tg.send_inline_query(SA_PA_Q, 710000004)
    answer = tg.inline_answer(query_id)
    results = answer["results"]
    assert 1 <= len(results) <= 5 and answer["is_personal"] and 0 < answer["cache_time"] <= 300
    assert all(len(r["id"].encode()) <= 64 for r in results)
    top = results[0]
    assert top["title"].startswith("Kế hoạch – Thị ủy Sa Pa · mục III.3.3")
    assert "Phòng Nội vụ" in top["description"]
    assert top["text"].startswith("📄 Kế hoạch – Thị ủy Sa Pa\n📌 Mục: III.")
    bold = [e for e in top["entities"] if e["type"] == "bold"]
    quotes = [e for e in top["entities"] if e["type"] == "blockquote"]
    assert quotes and any(q["offset"] <= b["offset"] < q["offset"] + q["length"] for b in bold for q in quotes)
    assert "Theo Kế hoạch “" in top["text"] and "” của Thị ủy Sa Pa, mục III.3.3: " in top["text"]


def test_inline_query_never_offers_a_passage_for_a_refused_question(bot: RunningBot,
                                                                    tg: FakeTelegramServer) -> None:
    refused = tg.inline_answer(tg.send_inline_query(REFUSED_Q, 710000005))["results"]
    assert [r["id"] for r in refused] == ["not-found"]
    assert "Không tìm thấy" in refused[0]["text"] and "📄" not in refused[0]["text"]
    empty = tg.inline_answer(tg.send_inline_query("", 710000005))["results"]
    assert [r["id"] for r in empty] == ["hint"] and "@tro_ly_van_ban_bot" in empty[0]["text"]
    outsider = tg.inline_answer(tg.send_inline_query(SA_PA_Q, OUTSIDER))
    assert outsider["results"] == [] and "quyền" in outsider["button"]["text"]


# --------------------------------------------------------------------------- follow-ups


def test_reply_to_an_answer_is_read_in_its_context(bot: RunningBot, tg: FakeTelegramServer) -> None:
    user = 710000006
    first = ask(tg, SA_PA_Q, user)
    assert not message_text(first[0]).startswith("↪️")
    since = tg.mark()
    tg.send_text("ai phối hợp?", user_id=user, reply_to_message_id=first[-1].result["message_id"])
    follow = tg.wait_for("sendMessage", lambda c: c.ok and bool(buttons(c)), chat_id=user, since=since)[0]
    text = message_text(follow)
    assert text.startswith("↪️ Hiểu là câu hỏi tiếp theo của «Ai chủ trì khảo sát")
    assert "theo văn bản: Kế hoạch – Thị ủy Sa Pa" in text
    # The Sa Pa survey passage again, whose partner line answers it (the engine marks the lead's line
    # as the answer sentence for "ai phối hợp", as it does for the question asked in full).
    assert any("Cơ quan, đơn vị phối hợp thực hiện: Ban Dân vận Thị ủy" in q for q in entity_texts(follow, "blockquote"))
    # A short question soon after, without replying, continues too.
    soon = ask(tg, "hạn khi nào?", user)
    assert message_text(soon[0]).startswith("↪️") and "Thời gian thực hiện" in message_text(soon[0])
    # A new full question starts afresh.
    fresh = ask(tg, "Kế hoạch 06/KH-UBND-BDVTU giao Sở Nội vụ nhiệm vụ gì?", user)
    assert not message_text(fresh[0]).startswith("↪️")
    assert message_text(fresh[0]).startswith("📄 Kế hoạch số 06/KH-UBND-BDVTU")


# --------------------------------------------------------------------------- feedback


def test_votes_are_counted_and_exported_as_a_scorable_question_set(bot: RunningBot, tg: FakeTelegramServer,
                                                                   engine) -> None:
    user = 710000007
    answer = ask(tg, SA_PA_Q, user)
    labels = buttons(answer[-1])
    assert {"👍", "👎", "🗂 Thẻ văn bản"} <= set(labels)
    assert all(len(d.encode()) <= 64 for d in labels.values())
    since = tg.mark()
    tg.send_callback(labels["👍"], answer[-1], user_id=user)
    tg.wait_for("answerCallbackQuery", since=since)
    refused = say(tg, REFUSED_Q, user, "Không tìm thấy")
    assert not buttons(refused)  # no passage, nothing to vote on
    other = ask(tg, "Quyết định 737/QĐ-UBND của UBND tỉnh Quảng Ngãi ban hành quy chế gì?", user)
    since = tg.mark()
    tg.send_callback(button(other[-1], "👎"), other[-1], user_id=user)
    tg.wait_for("answerCallbackQuery", since=since)

    refused_stats = message_text(say(tg, "/thongke", user, "quản trị viên"))
    assert "Thống kê" not in refused_stats
    stats = message_text(say(tg, "/thongke", ADMIN, "Thống kê sử dụng"))
    assert "Không tìm thấy câu trả lời:" in stats and "👎: " in stats and "24/12/2022:" in stats
    assert "Quyết định 737/QĐ-UBND" in stats.split("bị đánh giá 👎 gần nhất")[1]

    out = bot.root / "feedback.jsonl"
    done = subprocess.run([sys.executable, "-m", "bot.feedback", "--export", "--out", str(out)], cwd=ROOT,
                          env=bot.env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows and {"id", "q", "file", "key"} <= set(rows[0])
    assert any(r["q"] == SA_PA_Q and r["file"] == "sa-pa-2021-2025-kh-tang-cuong-dan-van.md" for r in rows)
    assert all("737" not in r["q"] for r in rows)  # the 👎 answer is not approved
    assert "710000007" not in (bot.root / "state" / "features.sqlite3").read_bytes().decode("latin-1")
    scores = evaluate(engine, load_questions(out), "hybrid", False).row()
    assert scores["hit@1"] == 1.0


# --------------------------------------------------------------------------- document cards


def test_document_card_by_number_and_from_an_answer(bot: RunningBot, tg: FakeTelegramServer) -> None:
    user = 710000008
    card = say(tg, "/vanban 06/KH-UBND-BDVTU", user, "🗂")
    text = message_text(card)
    for part in ("Số hiệu: 06/KH-UBND-BDVTU", "Ngày ban hành: 24/3/2021", "Người ký: Nguyễn Thị Thanh Huyền",
                 "III. TỔ CHỨC THỰC HIỆN", "Nhiệm vụ được giao: 13", "Chỉ thị số 18-CT/TW"):
        assert part in text
    assert {"📎 Tệp gốc", "📋 Nhiệm vụ"} <= set(buttons(card))
    tasks = press(tg, button(card, "📋 Nhiệm vụ"), card, user, done=lambda c: "Nhiệm vụ của" in c.text)
    assert "Sở Nội vụ tỉnh" in " ".join(message_text(c) for c in tasks)
    answer = ask(tg, SA_PA_Q, user)
    [shown] = press(tg, button(answer[-1], "🗂"), answer[-1], user, done=lambda c: c.text.startswith("🗂"))
    assert message_text(shown).startswith("🗂 Kế hoạch – Thị ủy Sa Pa")
    several = say(tg, "/vanban dân vận", user, "văn bản khớp")
    assert len(buttons(several)) >= 2
    assert "Không tìm thấy văn bản" in message_text(say(tg, "/vanban 999/XYZ", user, "Không tìm thấy"))


# --------------------------------------------------------------------------- reminders, part 2 (restart)


def test_after_a_restart_no_reminder_is_lost_and_none_is_sent_twice(bot: RunningBot,
                                                                     tg: FakeTelegramServer) -> None:
    assert len(reminders(tg, "🔔 Nhắc hạn chót")) == 1
    assert bot.process.stop() == 0
    since = tg.mark()
    env = {**bot.env, "BOT_TODAY": RESTART}
    bot.process = BotProcess(env, bot.root / "bot-restarted.log").start(tg)
    # The 1-day notice's moment (30/12 7:30) passed while the bot was down: it comes now, once.
    tg.wait_for("sendMessage", lambda c: "(ngày mai)" in message_text(c), chat_id=GROUP, since=since,
                timeout=90)
    tg.wait_for("sendMessage", lambda c: message_text(c).startswith("🗓 Nhắc việc tuần"), chat_id=GROUP,
                since=since, timeout=30)
    time.sleep(4)  # several more checks
    after = [c for c in tg.calls("sendMessage", GROUP, since=since) if c.ok]
    notices = [c for c in after if message_text(c).startswith("🔔 Nhắc hạn chót")]
    assert len(notices) == 1 and "31/12/2022 (ngày mai)" in message_text(notices[0])
    assert len([c for c in after if message_text(c).startswith("🗓 Nhắc việc tuần")]) == 1
    assert len(reminders(tg, "🔔 Nhắc hạn chót")) == 2  # the 7-day one was not sent again
    cancelled = group_say(tg, "/huynhac", 710000001, "Đã hủy nhắc việc")
    assert AGENCY in message_text(cancelled)
