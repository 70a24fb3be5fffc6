"""What the bot must remember beyond one update: answers given, votes, reminder subscriptions, what was sent.

One SQLite file under ``BOT_STATE_DIR`` (beside the question store, never in
the index folder that builds replace), so that after a restart a reply to an
old answer is still a follow-up, a 👎 still counts, and no reminder is lost or
sent twice. User ids are never stored: votes and answers carry a salted hash
of the user (a private chat's id is its user's id), so the export and
``/thongke`` cannot name who asked or voted; only reminder subscriptions keep
the chat id they are sent to.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

DB_NAME = "features.sqlite3"


def agency_key(agency: str) -> str:
    """How two spellings of one agency subscription compare: NFC, case and spaces folded."""
    return " ".join(unicodedata.normalize("NFC", agency).casefold().split())


@dataclass(frozen=True)
class AnswerRow:
    """One question the bot answered (or refused) in a chat."""

    answer_id: int
    chat: str  # hash of the chat id: a private chat's id is its user's id
    message_id: int | None  # the bot's first and last message of the reply
    last_message_id: int | None
    question: str  # as asked of the engine (a follow-up with its context)
    topic: str  # the full question a chain of follow-ups started from
    doc_id: str | None  # the top source's document; None when refused
    chunk_ids: tuple[int, ...]
    file: str | None  # corpus file of the top source, for the exported question set
    key: str | None  # the answer sentence of the top source, the export's expected text
    no_answer: bool
    asked_at: float


@dataclass(frozen=True)
class Subscription:
    chat_id: int
    agency: str
    created_at: float  # epoch seconds on the bot's clock: moments before it are not reminded of


@dataclass(frozen=True)
class DayCount:
    day: str  # ISO date
    questions: int
    not_found: int


@dataclass(frozen=True)
class Stats:
    days: tuple[DayCount, ...]
    questions: int
    not_found: int
    votes: int
    down: int
    latest_down: tuple[AnswerRow, ...]


class Ledger:
    """Thread-safe (handlers run engine work in threads); one connection, one lock."""

    def __init__(self, state_dir: Path) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self.path = state_dir / DB_NAME
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        with self._lock, self._conn:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.executescript(
                "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
                "CREATE TABLE IF NOT EXISTS answers ("
                " id INTEGER PRIMARY KEY, chat TEXT NOT NULL, message_id INTEGER, last_message_id INTEGER,"
                " question TEXT NOT NULL, topic TEXT NOT NULL,"
                " doc_id TEXT, chunk_ids TEXT NOT NULL, file TEXT, key TEXT, no_answer INTEGER NOT NULL,"
                " asked_at REAL NOT NULL, day TEXT NOT NULL);"
                "CREATE INDEX IF NOT EXISTS answers_chat ON answers(chat, message_id);"
                "CREATE TABLE IF NOT EXISTS votes ("
                " answer_id INTEGER NOT NULL, user_hash TEXT NOT NULL, vote INTEGER NOT NULL, at REAL NOT NULL,"
                " PRIMARY KEY (answer_id, user_hash));"
                "CREATE TABLE IF NOT EXISTS subscriptions ("
                " chat_id INTEGER NOT NULL, agency_key TEXT NOT NULL, agency TEXT NOT NULL, created_at REAL NOT NULL,"
                " PRIMARY KEY (chat_id, agency_key));"
                "CREATE TABLE IF NOT EXISTS sent ("
                " chat_id INTEGER NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, sent_at REAL NOT NULL,"
                " PRIMARY KEY (chat_id, kind, key));"
            )
            row = self._conn.execute("SELECT value FROM meta WHERE name = 'salt'").fetchone()
            if row is None:
                self._salt = secrets.token_hex(16)
                self._conn.execute("INSERT INTO meta(name, value) VALUES ('salt', ?)", (self._salt,))
            else:
                self._salt = row[0]

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def user_hash(self, user_id: int) -> str:
        """A stable pseudonym: the same official's two votes on one answer count once."""
        return hashlib.sha256(f"{self._salt}:{user_id}".encode()).hexdigest()[:32]

    # ------------------------------------------------------------------ answers

    def record_answer(self, chat_id: int, question: str, topic: str, doc_id: str | None,
                      chunk_ids: tuple[int, ...], file: str | None, key: str | None, no_answer: bool, day: str,
                      asked_at: float | None = None) -> int:
        with self._lock, self._conn:
            cur = self._conn.execute(
                "INSERT INTO answers(chat, question, topic, doc_id, chunk_ids, file, key, no_answer, asked_at,"
                " day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (self.user_hash(chat_id), question, topic, doc_id, json.dumps(list(chunk_ids)), file, key, int(no_answer),
                 time.time() if asked_at is None else asked_at, day))
        return int(cur.lastrowid)

    def set_messages(self, answer_id: int, first: int, last: int) -> None:
        """The reply's messages: a reply to any of them follows up on this answer."""
        with self._lock, self._conn:
            self._conn.execute("UPDATE answers SET message_id = ?, last_message_id = ? WHERE id = ?",
                               (first, last, answer_id))

    def answer(self, answer_id: int) -> AnswerRow | None:
        return self._one("SELECT * FROM answers WHERE id = ?", (answer_id,))

    def answer_for_message(self, chat_id: int, message_id: int) -> AnswerRow | None:
        return self._one("SELECT * FROM answers WHERE chat = ? AND message_id <= ? AND last_message_id >= ?"
                         " ORDER BY id DESC LIMIT 1", (self.user_hash(chat_id), message_id, message_id))

    def last_answer(self, chat_id: int) -> AnswerRow | None:
        """The chat's latest answered question (refusals are no context to follow up on)."""
        return self._one("SELECT * FROM answers WHERE chat = ? AND no_answer = 0 ORDER BY id DESC LIMIT 1",
                         (self.user_hash(chat_id),))

    def _one(self, sql: str, args: tuple) -> AnswerRow | None:
        with self._lock:
            cur = self._conn.execute(sql, args)
            row = cur.fetchone()
            names = [d[0] for d in cur.description] if row else []
        return _answer_row(dict(zip(names, row))) if row else None

    # ------------------------------------------------------------------ votes

    def vote(self, answer_id: int, user_id: int, up: bool) -> bool:
        """Record (or change) a vote; False when the answer is unknown."""
        if self.answer(answer_id) is None:
            return False
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO votes(answer_id, user_hash, vote, at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(answer_id, user_hash) DO UPDATE SET vote = excluded.vote, at = excluded.at",
                (answer_id, self.user_hash(user_id), 1 if up else -1, time.time()))
        return True

    def stats(self, days: int = 7, latest: int = 5) -> Stats:
        with self._lock:
            per_day = self._conn.execute(
                "SELECT day, COUNT(*), SUM(no_answer) FROM answers GROUP BY day ORDER BY day DESC LIMIT ?",
                (days,)).fetchall()
            questions, not_found = self._conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(no_answer), 0) FROM answers").fetchone()
            votes, down = self._conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(vote < 0), 0) FROM votes").fetchone()
            ids = [r[0] for r in self._conn.execute(
                "SELECT answer_id FROM votes WHERE vote < 0 GROUP BY answer_id ORDER BY MAX(at) DESC LIMIT ?",
                (latest,))]
        rows = tuple(r for r in (self.answer(i) for i in ids) if r is not None)
        return Stats(days=tuple(DayCount(d, n, int(nf or 0)) for d, n, nf in per_day), questions=questions,
                     not_found=int(not_found), votes=votes, down=int(down), latest_down=rows)

    def approved(self) -> list[AnswerRow]:
        """Answers with more 👍 than 👎 and an expected text: the pairs worth a question set."""
        with self._lock:
            ids = [r[0] for r in self._conn.execute(
                "SELECT answer_id FROM votes GROUP BY answer_id HAVING SUM(vote) > 0 ORDER BY answer_id")]
        rows = [self.answer(i) for i in ids]
        return [r for r in rows if r is not None and not r.no_answer and r.file and r.key]

    # ------------------------------------------------------------------ reminders

    def subscribe(self, chat_id: int, agency: str, now: float) -> bool:
        """False when the chat already follows that agency (its start time is kept)."""
        with self._lock, self._conn:
            cur = self._conn.execute(
                "INSERT OR IGNORE INTO subscriptions(chat_id, agency_key, agency, created_at) VALUES (?, ?, ?, ?)",
                (chat_id, agency_key(agency), agency.strip(), now))
        return cur.rowcount > 0

    def unsubscribe(self, chat_id: int, agency: str | None = None) -> list[str]:
        """Cancel one agency, or all of the chat's; returns the agencies cancelled."""
        gone = [s.agency for s in self.subscriptions(chat_id)
                if agency is None or agency_key(s.agency) == agency_key(agency)]
        with self._lock, self._conn:
            if agency is None:
                self._conn.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,))
            else:
                self._conn.execute("DELETE FROM subscriptions WHERE chat_id = ? AND agency_key = ?",
                                   (chat_id, agency_key(agency)))
        return gone

    def subscriptions(self, chat_id: int | None = None) -> list[Subscription]:
        sql = "SELECT chat_id, agency, created_at FROM subscriptions"
        args: tuple = ()
        if chat_id is not None:
            sql += " WHERE chat_id = ?"
            args = (chat_id,)
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY chat_id, created_at", args).fetchall()
        return [Subscription(int(c), a, float(t)) for c, a, t in rows]

    def was_sent(self, chat_id: int, kind: str, key: str) -> bool:
        with self._lock:
            return self._conn.execute("SELECT 1 FROM sent WHERE chat_id = ? AND kind = ? AND key = ?",
                                      (chat_id, kind, key)).fetchone() is not None

    def mark_sent(self, chat_id: int, kind: str, key: str) -> None:
        with self._lock, self._conn:
            self._conn.execute("INSERT OR IGNORE INTO sent(chat_id, kind, key, sent_at) VALUES (?, ?, ?, ?)",
                               (chat_id, kind, key, time.time()))


def _answer_row(r: dict) -> AnswerRow:
    return AnswerRow(answer_id=int(r["id"]), chat=r["chat"], message_id=r["message_id"],
                     last_message_id=r["last_message_id"], question=r["question"], topic=r["topic"], doc_id=r["doc_id"], chunk_ids=tuple(json.loads(r["chunk_ids"])),
                     file=r["file"], key=r["key"], no_answer=bool(r["no_answer"]), asked_at=float(r["asked_at"]))
