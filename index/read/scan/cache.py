"""OCR results by file content, so a scan is recognised once.

An upload is read twice (the check that it can be read, then the build) and
a rebuild after a pipeline change reads every file again; OCR is by far the
slowest step (seconds a page). Pages are kept by (hash of the file's bytes,
page, OCR settings), in memory for this process and, once a folder is given
(``use_directory``: the engine's index folder, beside ``embeddings.sqlite``),
in an SQLite file that every build of that index shares.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
from collections import OrderedDict
from dataclasses import asdict
from pathlib import Path

from index.read.lines import Line

logger = logging.getLogger(__name__)

CACHE_NAME = "ocr.sqlite"
_MEMORY_PAGES = 400

_lock = threading.Lock()
_memory: OrderedDict[str, list[Line]] = OrderedDict()
_directory: Path | None = None


def use_directory(directory: Path | None) -> None:
    """Keep OCR results in ``directory/ocr.sqlite`` too (None: memory only)."""
    global _directory
    with _lock:
        _directory = Path(directory) if directory is not None else None


def file_key(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _connect(directory: Path) -> sqlite3.Connection:
    directory.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(directory / CACHE_NAME, timeout=60)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE IF NOT EXISTS pages (key TEXT PRIMARY KEY, lines TEXT NOT NULL)")
    return conn


def _key(file: str, page: int, settings: str) -> str:
    return f"{file}:{page}:{settings}"


def get(file: str, page: int, settings: str) -> list[Line] | None:
    key = _key(file, page, settings)
    with _lock:
        if key in _memory:
            _memory.move_to_end(key)
            return _memory[key]
        directory = _directory
    if directory is None:
        return None
    try:
        conn = _connect(directory)
        try:
            row = conn.execute("SELECT lines FROM pages WHERE key = ?", (key,)).fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        logger.warning("OCR cache in %s not readable: %s", directory, exc)
        return None
    if row is None:
        return None
    lines = [Line(**item) for item in json.loads(row[0])]
    _remember(key, lines)
    return lines


def put(file: str, page: int, settings: str, lines: list[Line]) -> None:
    key = _key(file, page, settings)
    _remember(key, lines)
    with _lock:
        directory = _directory
    if directory is None:
        return
    try:
        conn = _connect(directory)
        try:
            conn.execute("INSERT OR REPLACE INTO pages(key, lines) VALUES (?, ?)",
                         (key, json.dumps([asdict(ln) for ln in lines], ensure_ascii=False)))
            conn.commit()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        logger.warning("OCR cache in %s not writable: %s", directory, exc)


def _remember(key: str, lines: list[Line]) -> None:
    with _lock:
        _memory[key] = lines
        _memory.move_to_end(key)
        while len(_memory) > _MEMORY_PAGES:
            _memory.popitem(last=False)


def clear_memory() -> None:
    with _lock:
        _memory.clear()
