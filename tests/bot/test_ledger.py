"""The features' ledger: answers, votes, subscriptions and sent reminders survive a restart."""

from __future__ import annotations

import sqlite3

from bot.ledger import DB_NAME, Ledger


def test_votes_are_kept_per_hashed_user_and_never_name_them(tmp_path) -> None:
    ledger = Ledger(tmp_path)
    good = ledger.record_answer(424242, "Ai chủ trì?", "Ai chủ trì?", "d1", (5, 6), "a.md", "Phòng Nội vụ",
                                False, "2022-12-24")
    bad = ledger.record_answer(424242, "Hạn nộp?", "Hạn nộp?", "d2", (7,), "b.md", "ngày 20/5", False, "2022-12-24")
    missing = ledger.record_answer(424242, "Giá vàng?", "Giá vàng?", None, (), None, None, True, "2022-12-25")
    assert ledger.vote(good, 424242, True) and ledger.vote(good, 515151, True)
    assert ledger.vote(bad, 424242, True) and ledger.vote(bad, 424242, False)  # changed: counts once, as 👎
    assert not ledger.vote(9999, 424242, True)
    stats = ledger.stats()
    assert (stats.questions, stats.not_found, stats.votes, stats.down) == (3, 1, 3, 1)
    assert [d.day for d in stats.days] == ["2022-12-25", "2022-12-24"]
    assert [r.answer_id for r in stats.latest_down] == [bad]
    assert [r.answer_id for r in ledger.approved()] == [good] and missing not in [r.answer_id for r in ledger.approved()]
    ledger.close()
    raw = (tmp_path / DB_NAME).read_bytes()
    assert b"424242" not in raw and b"515151" not in raw
    with sqlite3.connect(tmp_path / DB_NAME) as conn:
        assert all("424242" not in str(row) for row in conn.execute("SELECT * FROM votes"))
        assert all("424242" not in str(row) for row in conn.execute("SELECT * FROM answers"))


def test_follow_up_context_by_reply_or_last_answer_survives_reopening(tmp_path) -> None:
    ledger = Ledger(tmp_path)
    first = ledger.record_answer(-100, "Ai chủ trì?", "Ai chủ trì?", "d1", (5,), "a.md", "x", False, "2022-12-24")
    ledger.set_messages(first, 10, 12)
    ledger.record_answer(-100, "Giá vàng?", "Giá vàng?", None, (), None, None, True, "2022-12-24")
    ledger.close()
    again = Ledger(tmp_path)
    assert again.answer_for_message(-100, 11).answer_id == first
    assert again.answer_for_message(-100, 13) is None and again.answer_for_message(-200, 11) is None
    assert again.last_answer(-100).answer_id == first  # a refusal is no context
    again.close()


def test_subscriptions_and_sent_reminders_survive_reopening(tmp_path) -> None:
    ledger = Ledger(tmp_path)
    assert ledger.subscribe(-100, "Ban Dân vận Thị ủy", 1000.0)
    assert not ledger.subscribe(-100, "  ban dân vận  thị ủy ", 2000.0)  # same agency, start time kept
    assert ledger.subscribe(-100, "Phòng Nội vụ", 1500.0)
    ledger.mark_sent(-100, "d7", "ban dân vận thị ủy|2022-12-31")
    ledger.close()
    again = Ledger(tmp_path)
    assert [(s.agency, s.created_at) for s in again.subscriptions(-100)] == [("Ban Dân vận Thị ủy", 1000.0),
                                                                             ("Phòng Nội vụ", 1500.0)]
    assert again.was_sent(-100, "d7", "ban dân vận thị ủy|2022-12-31")
    assert not again.was_sent(-100, "d1", "ban dân vận thị ủy|2022-12-31")
    assert again.unsubscribe(-100, "phòng nội vụ") == ["Phòng Nội vụ"]
    assert again.unsubscribe(-100) == ["Ban Dân vận Thị ủy"] and again.subscriptions() == []
    again.close()
