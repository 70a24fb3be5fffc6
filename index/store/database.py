"""The index on disk: versioned folders with SQLite, FAISS and keyword files.

Each build writes a complete new version folder and then switches the
``CURRENT`` pointer with one atomic rename, so a reader sees the old index or
the new one, never a half-written one, even when a build is killed. SQLite
holds documents, passages and their keyword terms; FAISS ids are SQLite rowids.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from index.records import Box, Chunk, Deadline, Document, Reference, Task

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 3  # 2: passages carry their line boxes and an OCR flag; 3: documents their digital signature
DB_NAME = "index.sqlite"
MANIFEST = "manifest.json"
POINTER = "CURRENT"
VERSIONS = "versions"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    file TEXT PRIMARY KEY, sha256 TEXT NOT NULL, size INTEGER NOT NULL,
    status TEXT NOT NULL, error TEXT
);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, file TEXT NOT NULL, ordinal INTEGER NOT NULL,
    type TEXT, number TEXT, date TEXT, issuer TEXT, title TEXT, signer TEXT, locality TEXT, place TEXT,
    signed_by TEXT, signed_at TEXT, date_source TEXT,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_file ON documents(file);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id INTEGER PRIMARY KEY AUTOINCREMENT, doc_id TEXT NOT NULL, ordinal INTEGER NOT NULL,
    section TEXT NOT NULL, text TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    embed_key TEXT NOT NULL, terms TEXT NOT NULL, words TEXT NOT NULL,
    boxes TEXT NOT NULL DEFAULT '[]', ocr INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, ordinal);
CREATE TABLE IF NOT EXISTS tasks (
    task_id INTEGER PRIMARY KEY AUTOINCREMENT, doc_id TEXT NOT NULL, chunk_id INTEGER,
    section TEXT NOT NULL, content TEXT NOT NULL, lead TEXT, partners TEXT NOT NULL,
    deadline_text TEXT, deadline_date TEXT, deadline_period TEXT
);
CREATE INDEX IF NOT EXISTS tasks_doc ON tasks(doc_id);
CREATE TABLE IF NOT EXISTS refs (
    ref_id INTEGER PRIMARY KEY AUTOINCREMENT, doc_id TEXT NOT NULL, chunk_id INTEGER,
    type TEXT NOT NULL, number TEXT, date TEXT, issuer TEXT, subject TEXT, text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS refs_doc ON refs(doc_id);
"""

_DOC_FIELDS = ("doc_id", "file", "type", "number", "date", "issuer", "title", "signer", "locality", "place",
               "signed_by", "signed_at", "date_source")


@dataclass(frozen=True)
class Manifest:
    """What an index was built with; search refuses an index built with another model."""

    schema_version: int
    model: str
    dim: int
    chunking: dict[str, int]
    created: float
    documents: int = 0
    chunks: int = 0
    extra: dict[str, object] = field(default_factory=dict)

    def write(self, folder: Path) -> None:
        _write_atomic(folder / MANIFEST, json.dumps(asdict(self), ensure_ascii=False, indent=2).encode())

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return cls(**data)


@dataclass(frozen=True)
class FileRow:
    file: str
    sha256: str
    size: int
    status: str
    error: str | None


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def current_version(index_dir: Path) -> Path | None:
    """The published version folder, or None when no index was ever built."""
    try:
        name = (index_dir / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    folder = index_dir / VERSIONS / name
    return folder if (folder / MANIFEST).exists() else None


def new_version(index_dir: Path) -> Path:
    """A fresh, unpublished folder to build the next version in."""
    (index_dir / VERSIONS).mkdir(parents=True, exist_ok=True)
    name = time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
    folder = index_dir / VERSIONS / f".tmp-{name}"
    folder.mkdir()
    return folder


def publish(index_dir: Path, staging: Path, on_phase: Callable[[str], None] | None = None) -> Path:
    """Make a fully written staging folder the current version, atomically.

    ``on_phase`` is told "swap" (version folder final, ``CURRENT`` not yet switched) and,
    through :func:`collect_garbage`, "collect"; the crash tests kill the build there.
    """
    for p in staging.iterdir():
        if p.is_file():
            with open(p, "rb") as fh:
                os.fsync(fh.fileno())
    _fsync_dir(staging)
    final = staging.with_name(staging.name.removeprefix(".tmp-"))
    os.rename(staging, final)
    _fsync_dir(final.parent)
    if on_phase is not None:
        on_phase("swap")
    _write_atomic(index_dir / POINTER, final.name.encode())
    _fsync_dir(index_dir)
    collect_garbage(index_dir, on_phase=on_phase)
    return final


def collect_garbage(index_dir: Path, keep: int = 2, on_phase: Callable[[str], None] | None = None) -> None:
    """Remove unfinished builds and all but the newest ``keep`` versions (readers may hold the previous one).

    ``on_phase("collect")`` is called after the first folder is removed (see :func:`publish`).
    """
    root = index_dir / VERSIONS
    if not root.exists():
        return
    current = current_version(index_dir)
    done = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".tmp-")),
                  key=lambda p: p.name, reverse=True)
    keepers = {p for p in done[:keep]} | ({current} if current else set())
    for p in root.iterdir():
        if p in keepers:
            continue
        if p.name.startswith(".tmp-") and _is_live_tmp(p):
            continue
        shutil.rmtree(p, ignore_errors=True)
        if on_phase is not None:
            on_phase("collect")
            on_phase = None


def _is_live_tmp(folder: Path) -> bool:
    """A staging folder of a build that is still running (its pid is alive)."""
    try:
        pid = int(folder.name.split("-")[3])
    except (IndexError, ValueError):
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


class Database:
    """SQLite access for one version folder."""

    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = path
        if readonly:
            self.conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        else:
            self.conn = sqlite3.connect(path, check_same_thread=False)
            self.conn.executescript(_SCHEMA)
        self.conn.row_factory = sqlite3.Row

    def close(self) -> None:
        self.conn.close()

    def commit(self) -> None:
        self.conn.commit()

    # files -----------------------------------------------------------------
    def files(self) -> dict[str, FileRow]:
        rows = self.conn.execute("SELECT file, sha256, size, status, error FROM files").fetchall()
        return {r["file"]: FileRow(**dict(r)) for r in rows}

    def put_file(self, row: FileRow) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO files(file, sha256, size, status, error) VALUES (?,?,?,?,?)",
            (row.file, row.sha256, row.size, row.status, row.error),
        )

    def remove_file(self, file: str) -> list[int]:
        """Forget a file and everything read from it; returns the removed chunk ids."""
        doc_ids = [r[0] for r in self.conn.execute("SELECT doc_id FROM documents WHERE file=?", (file,))]
        removed: list[int] = []
        for doc_id in doc_ids:
            removed += [r[0] for r in self.conn.execute("SELECT chunk_id FROM chunks WHERE doc_id=?", (doc_id,))]
            for table in ("chunks", "tasks", "refs", "documents"):
                self.conn.execute(f"DELETE FROM {table} WHERE doc_id=?", (doc_id,))
        self.conn.execute("DELETE FROM files WHERE file=?", (file,))
        return removed

    # documents and chunks ----------------------------------------------------
    def add_document(self, doc: Document, ordinal: int, text: str) -> None:
        values = [getattr(doc, f) for f in _DOC_FIELDS]
        self.conn.execute(
            f"INSERT INTO documents({', '.join(_DOC_FIELDS)}, ordinal, text) VALUES ({', '.join('?' * len(values))}, ?, ?)",
            (*values, ordinal, text),
        )

    def add_chunks(self, chunks: Iterable[Chunk], embed_keys: list[str], terms: list[list[str]],
                   words: list[list[str]]) -> list[int]:
        ids = []
        for i, (c, key, t, w) in enumerate(zip(chunks, embed_keys, terms, words)):
            cur = self.conn.execute(
                'INSERT INTO chunks(doc_id, ordinal, section, text, start, "end", embed_key, terms, words, '
                "boxes, ocr) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (c.doc_id, i, json.dumps(list(c.section), ensure_ascii=False), c.text, c.start, c.end, key,
                 " ".join(t), " ".join(w), _boxes_json(c.boxes), int(c.ocr)),
            )
            ids.append(int(cur.lastrowid))
        return ids

    def documents(self) -> list[Document]:
        rows = self.conn.execute(f"SELECT {', '.join(_DOC_FIELDS)} FROM documents ORDER BY file, ordinal")
        return [Document(**dict(r)) for r in rows]

    def document_text(self, doc_id: str) -> str | None:
        row = self.conn.execute("SELECT text FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return row[0] if row else None

    def first_passage_text(self, doc_id: str) -> str:
        """The text of a document's first passage: its header (issuer, number, type, title)."""
        row = self.conn.execute("SELECT text FROM chunks WHERE doc_id=? ORDER BY ordinal LIMIT 1", (doc_id,)).fetchone()
        return row[0] if row else ""

    def chunk_count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])

    def chunk_counts(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self.conn.execute("SELECT doc_id, COUNT(*) FROM chunks GROUP BY doc_id")}

    def chunks(self, ids: Iterable[int]) -> dict[int, Chunk]:
        ids = list(ids)
        out: dict[int, Chunk] = {}
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            rows = self.conn.execute(
                f'SELECT {_CHUNK_COLUMNS} FROM chunks WHERE chunk_id IN '
                f"({','.join('?' * len(part))})", part)
            for r in rows:
                out[r["chunk_id"]] = _chunk(r)
        return out

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        rows = self.conn.execute(
            f"SELECT {_CHUNK_COLUMNS} FROM chunks WHERE doc_id=? ORDER BY ordinal",
            (doc_id,))
        return [_chunk(r) for r in rows]

    def embed_keys(self) -> Iterator[tuple[int, str]]:
        yield from self.conn.execute("SELECT chunk_id, embed_key FROM chunks ORDER BY chunk_id")

    def texts(self) -> Iterator[str]:
        """Every passage and document title, for the diacritics restorer's vocabulary."""
        for (t,) in self.conn.execute("SELECT text FROM chunks"):
            yield t
        for (t,) in self.conn.execute("SELECT title FROM documents WHERE title IS NOT NULL"):
            yield t

    def tasks(self) -> list[Task]:
        rows = self.conn.execute(
            "SELECT doc_id, chunk_id, section, content, lead, partners, deadline_text, deadline_date, deadline_period "
            "FROM tasks ORDER BY task_id")
        return [Task(doc_id=r["doc_id"], section=tuple(json.loads(r["section"])), content=r["content"], lead=r["lead"],
                     partners=tuple(json.loads(r["partners"])),
                     deadline=Deadline(r["deadline_text"], r["deadline_date"], r["deadline_period"])
                     if r["deadline_text"] else None, chunk_id=r["chunk_id"]) for r in rows]

    def references(self) -> list[Reference]:
        rows = self.conn.execute(
            "SELECT doc_id, chunk_id, type, number, date, issuer, subject, text FROM refs ORDER BY ref_id")
        return [Reference(doc_id=r["doc_id"], type=r["type"], number=r["number"], date=r["date"],
                          issuer=r["issuer"], subject=r["subject"], text=r["text"], chunk_id=r["chunk_id"])
                for r in rows]

    def keyword_rows(self) -> Iterator[tuple[int, str, str]]:
        yield from self.conn.execute("SELECT chunk_id, terms, words FROM chunks ORDER BY chunk_id")


_CHUNK_COLUMNS = 'chunk_id, doc_id, section, text, start, "end", boxes, ocr'


def _boxes_json(boxes: tuple[Box, ...]) -> str:
    """Compact rows ``[page, x0, top, x1, bottom, start, end]``; a tenth of a point is plenty for a crop."""
    return json.dumps([[b.page, round(b.x0, 1), round(b.top, 1), round(b.x1, 1), round(b.bottom, 1), b.start, b.end]
                       for b in boxes], separators=(",", ":"))


def _chunk(r: sqlite3.Row) -> Chunk:
    boxes = tuple(Box(*row) for row in json.loads(r["boxes"] or "[]"))
    return Chunk(chunk_id=r["chunk_id"], doc_id=r["doc_id"], section=tuple(json.loads(r["section"])),
                 text=r["text"], start=r["start"], end=r["end"], boxes=boxes, ocr=bool(r["ocr"]))
