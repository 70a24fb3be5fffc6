"""Terminal mode: ``python -m bot`` without a token answers on stdin/stdout."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from bot import terminal
from bot.render import texts
from bot.settings import BotSettings
from index.errors import IndexMissing
from index.settings import ROOT, Settings
from tests.bot.harness import bot_env


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.timeout(180)
def test_terminal_answers_a_piped_question_and_exits_on_eof(corpus_settings: Settings, tmp_path) -> None:
    env = bot_env(corpus_settings, tmp_path / "state")  # no token: terminal mode
    stdin = "Ai chủ trì khảo sát sự hài lòng của người dân ở Sa Pa?\n/docs\n"
    done = subprocess.run([sys.executable, "-m", "bot"], cwd=ROOT, env=env, input=stdin.encode(),
                          capture_output=True, timeout=150, check=False)
    out = done.stdout.decode()
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    answer = out.split("Nguồn khác:")[0]
    assert "Kế hoạch – Thị ủy Sa Pa" in answer
    assert "Cơ quan chủ trì thực hiện: Phòng Nội vụ" in answer
    assert "«" in answer and "»" in answer  # the answer sentence is marked
    assert 'Trích dẫn: Theo Kế hoạch “' in answer and "của Thị ủy Sa Pa, mục III.3.3" in answer
    assert "Kho văn bản: 6 văn bản" in out
    assert "<b>" not in out and "<blockquote>" not in out


def _run(engine, lines: str) -> str:
    out = io.StringIO()
    assert terminal.run(BotSettings.from_env({}), stdin=io.StringIO(lines), stdout=out, engine=engine) == 0
    return out.getvalue()


@pytest.mark.slow
def test_exit_word_stops_before_the_next_line(engine) -> None:
    out = _run(engine, "Sở Nội vụ Quảng Ngãi dự toán kinh phí gửi sở nào thẩm định?\n\n/help\nthoát\n"
                       "Ai ký kế hoạch của thị ủy Sa Pa?\n")
    assert "gửi Sở Tài chính thẩm định" in out and "«" in out
    assert "Hướng dẫn sử dụng" in out
    assert "Thào A Sinh" not in out  # the line after "thoát" is never answered


@pytest.mark.slow
def test_missing_index_is_reported_to_the_user(embedder, tmp_path) -> None:
    from dataclasses import replace

    from index import Engine

    empty = Engine(replace(Settings.from_env({}), index_dir=tmp_path / "khong-co-chi-muc"), embedder=embedder)
    out = _run(empty, "Sở Nội vụ được giao gì?\n")
    assert out.count(IndexMissing.user_message) == 2  # at start and for the question


@pytest.mark.slow
def test_commands_in_the_terminal(engine) -> None:
    out = _run(engine, "/docs\n/tasks\n/tasks phòng nội vụ\n/không-có\n")
    assert "Kho văn bản: 6 văn bản" in out
    assert "Cơ quan được giao nhiệm vụ" in out and "Phòng Nội vụ (Sa Pa)" in out
    assert "Nhiệm vụ của «phòng nội vụ»" in out and "Chủ trì: Phòng Nội vụ" in out and "[Phối hợp]" in out
    assert "Tổ chức khảo sát, đánh giá sự hài lòng" in out and "Thời hạn: Thực hiện hàng năm" in out
    assert texts.plain(texts.UNKNOWN_COMMAND) in out
    assert "<b>" not in out
