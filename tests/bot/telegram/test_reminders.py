"""What a subscription is owed at a given moment: the Monday digest, the 7-day and 1-day notices."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.clock import TZ, Clock
from bot.ledger import Subscription
from bot.telegram.reminders import owed
from index import Deadline, Document, Task, TaskHit


def _hit(deadline: str, period: str | None = None, day: str | None = None) -> TaskHit:
    doc = Document(doc_id="d", file="a.md", type="Kế hoạch", issuer="Thị ủy Sa Pa")
    task = Task("d", ("III. NHIỆM VỤ",), "Tổ chức lớp bồi dưỡng", "Ban Dân vận Thị ủy", (),
                Deadline(deadline, day, period), chunk_id=1)
    return TaskHit(task, doc, None, "lead")


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


HITS = [_hit("Năm 2022, 2023", period="2022/2023"), _hit("hằng năm", period="yearly")]
SUB = Subscription(-100, "Ban Dân vận Thị ủy", _at("2022-12-24T07:29:00").timestamp())


def kinds(now: str) -> list[tuple[str, str]]:
    return [(o.kind, o.key) for o in owed(SUB, HITS, _at(now))]


def test_seven_day_notice_comes_at_half_past_seven() -> None:
    assert kinds("2022-12-24T07:29:59") == []
    assert kinds("2022-12-24T07:30:00") == [("d7", "ban dân vận thị ủy|2022-12-31")]


def test_one_day_notice_supersedes_the_seven_day_one_and_monday_brings_the_digest() -> None:
    assert kinds("2022-12-26T08:00:00") == [("digest", "ban dân vận thị ủy|2022-12-26"),
                                            ("d7", "ban dân vận thị ủy|2022-12-31")]
    assert kinds("2022-12-30T07:31:00") == [("digest", "ban dân vận thị ủy|2022-12-26"),
                                            ("d1", "ban dân vận thị ủy|2022-12-31")]
    [digest] = [o for o in owed(SUB, HITS, _at("2022-12-30T07:31:00")) if o.kind == "digest"]
    assert [i.hit.task.deadline.text for i in digest.items] == ["Năm 2022, 2023"]  # "hằng năm" has no day


def test_nothing_is_owed_after_the_deadline_or_before_subscribing() -> None:
    # Sunday 1/1/2023: the week's digest (of Monday 26/12) is still owed if unsent; no notice is.
    assert kinds("2023-01-01T09:00:00") == [("digest", "ban dân vận thị ủy|2022-12-26")]
    late = Subscription(-100, "Ban Dân vận Thị ủy", _at("2022-12-30T08:00:00").timestamp())
    assert [o.kind for o in owed(late, HITS, _at("2022-12-30T09:00:00"))] == []


def test_bot_today_sets_the_clock_which_then_runs_on() -> None:
    clock = Clock.from_setting("2021-06-01T07:29:50")
    now = clock.now()
    assert now.tzinfo is not None and now.date().isoformat() == "2021-06-01"
    assert 0 <= (now - _at("2021-06-01T07:29:50")).total_seconds() < 5
    assert Clock.from_setting("2021-06-01").today().isoformat() == "2021-06-01"


@pytest.mark.slow
def test_a_new_documents_tasks_join_the_reminders_after_a_build(fresh_settings, embedder, tmp_path) -> None:
    """The reminder check reads ``Engine.tasks`` each time: an upload's deadlines are owed at once."""
    from index.engine import Engine

    engine = Engine(fresh_settings, embedder=embedder)
    sub = Subscription(-100, "Phòng Văn hóa", _at("2022-12-01T08:00:00").timestamp())
    now = _at("2022-12-24T08:00:00")
    assert [o for o in owed(sub, engine.tasks(sub.agency), now) if o.kind != "digest"] == []
    plan = tmp_path / "ke-hoach-moi.md"
    plan.write_text(
        "UBND THỊ XÃ SA PA\n\nSố: 99/KH-UBND\n\nSa Pa, ngày 01 tháng 12 năm 2022\n\nKẾ HOẠCH\n\n"
        "Tổ chức ngày hội văn hóa các dân tộc\n\nI. TỔ CHỨC THỰC HIỆN\n\n"
        "1. Giao Phòng Văn hóa chủ trì tổ chức ngày hội văn hóa các dân tộc, hoàn thành trước ngày 31/12/2022.\n",
        encoding="utf-8")
    engine.add_file(plan, plan.name)
    [notice] = [o for o in owed(sub, engine.tasks(sub.agency), now) if o.kind != "digest"]
    assert notice.kind == "d7" and notice.key.endswith("|2022-12-31")
    assert "ngày hội văn hóa" in notice.items[0].hit.task.content
