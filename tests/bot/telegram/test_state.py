"""The question store behind "more sources" buttons survives a restart."""

from __future__ import annotations

import sqlite3
import time

from bot.telegram.state import DB_NAME, QuestionStore, clear_uploads, upload_dir


def test_same_question_same_id_and_survives_reopening(tmp_path) -> None:
    store = QuestionStore(tmp_path / "state")
    a = store.save("Ai chủ trì khảo sát?")
    b = store.save("Quyết định 737 ban hành gì?")
    assert store.save("Ai chủ trì khảo sát?") == a != b
    store.close()
    reopened = QuestionStore(tmp_path / "state")
    assert reopened.get(a) == "Ai chủ trì khảo sát?"
    assert reopened.get(b) == "Quyết định 737 ban hành gì?"
    assert reopened.get(b + 1000) is None
    reopened.close()


def test_prune_forgets_old_questions_only(tmp_path) -> None:
    store = QuestionStore(tmp_path)
    old, new = store.save("cũ"), store.save("mới")
    with sqlite3.connect(tmp_path / DB_NAME) as conn:
        conn.execute("UPDATE questions SET last_used = ? WHERE id = ?", (time.time() - 400 * 86400, old))
    assert store.prune(keep_days=180) == 1
    assert store.get(old) is None and store.get(new) == "mới"
    store.close()


def test_unfinished_downloads_are_cleared(tmp_path) -> None:
    (upload_dir(tmp_path) / "a.docx").write_bytes(b"half")
    assert clear_uploads(tmp_path) == 1
    assert list(upload_dir(tmp_path).iterdir()) == []
    assert clear_uploads(tmp_path / "nowhere") == 0
