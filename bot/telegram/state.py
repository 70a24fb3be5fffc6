"""The bot's own persistent state: questions behind "more sources" buttons.

A question does not fit in 64 bytes of callback data, so the button carries a
row id and the question is kept here, in SQLite under ``BOT_STATE_DIR``
(never in the index folder, which builds replace), so the button still works
after the bot restarts.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

DB_NAME = "bot.sqlite3"
UPLOADS = "uploads"  # files being downloaded from Telegram before the engine checks them
KEEP_DAYS = 180  # a button older than this answers "ask again"


def upload_dir(state_dir: Path) -> Path:
    folder = state_dir / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def clear_uploads(state_dir: Path) -> int:
    """Delete downloads left by a bot that stopped mid-upload; returns how many."""
    folder = state_dir / UPLOADS
    if not folder.is_dir():
        return 0
    count = 0
    for leftover in folder.iterdir():
        if leftover.is_file():
            leftover.unlink(missing_ok=True)
            count += 1
    return count


class QuestionStore:
    """Question text by id; the same text always gets the same id."""

    def __init__(self, state_dir: Path) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self.path = state_dir / DB_NAME
        self._lock = threading.Lock()
        # Used from worker threads (asyncio.to_thread); the lock serialises them.
        self._conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        with self._lock, self._conn:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS questions ("
                " id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE, last_used REAL NOT NULL)"
            )

    def save(self, question: str) -> int:
        """The id of ``question``, stored if new."""
        now = time.time()
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO questions(text, last_used) VALUES (?, ?) "
                "ON CONFLICT(text) DO UPDATE SET last_used = excluded.last_used",
                (question, now),
            )
            row = self._conn.execute("SELECT id FROM questions WHERE text = ?", (question,)).fetchone()
        return int(row[0])

    def get(self, question_id: int) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT text FROM questions WHERE id = ?", (question_id,)).fetchone()
        return row[0] if row else None

    def prune(self, keep_days: float = KEEP_DAYS) -> int:
        """Forget questions not asked for ``keep_days``; returns how many."""
        with self._lock, self._conn:
            cur = self._conn.execute("DELETE FROM questions WHERE last_used < ?",
                                     (time.time() - keep_days * 86400,))
        return cur.rowcount

    def close(self) -> None:
        with self._lock:
            self._conn.close()
