"""The index on disk: one live SQLite database (WAL) and immutable segment files.

``INDEX_DIR/index.sqlite`` holds files, documents, passages with their terms,
tasks, references, the diacritics restorer's counts, the list of segment
files with their checksums, and the generation number. A build changes it in
one transaction: the segment files it adds are written and fsynced first, and
the commit that names them is what publishes the new generation. A build
killed at any moment therefore leaves the previous generation answering
(SQLite rolls the unfinished transaction back), and files no generation names
are collected by the next build. Readers keep a read transaction open, so each
Searcher sees one generation whatever a build commits meanwhile. FAISS ids
are passage rowids (never reused: AUTOINCREMENT).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from index.records import Box, Chunk, Deadline, Document, Reference, Task

logger = logging.getLogger(__name__)

# 2: passages carry their line boxes and an OCR flag; 3: documents their digital signature;
# 4: one live database with segment files (issue 13) instead of a version folder per build.
SCHEMA_VERSION = 4
DB_NAME = "index.sqlite"
SEGMENTS = "segments"
LEGACY = ("versions", "CURRENT")  # the folder-per-build layout of schema 3 and before

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
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
    boxes TEXT NOT NULL DEFAULT '[]', ocr INTEGER NOT NULL DEFAULT 0,
    segment INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, ordinal);
CREATE INDEX IF NOT EXISTS chunks_segment ON chunks(segment);
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
CREATE TABLE IF NOT EXISTS unigrams (word TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bigrams (pair TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS segments (
    segment INTEGER PRIMARY KEY, rows INTEGER NOT NULL, files TEXT NOT NULL,
    created INTEGER NOT NULL, dropped INTEGER
);
"""
_TABLES = ("meta", "files", "documents", "chunks", "tasks", "refs", "unigrams", "bigrams", "segments")

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

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        return cls(**json.loads(text))


@dataclass(frozen=True)
class FileRow:
    file: str
    sha256: str
    size: int
    status: str
    error: str | None


@dataclass(frozen=True)
class Segment:
    """One build's vectors and keyword postings: files ``seg-<n>.*`` and their (size, sha256)."""

    segment: int
    rows: int
    files: dict[str, tuple[int, str]]
    created: int
    dropped: int | None = None


def fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def db_path(index_dir: Path) -> Path:
    return index_dir / DB_NAME


def current_version(index_dir: Path) -> int | None:
    """The published generation (a build bumps it when it commits), or None when no index was ever built."""
    path = db_path(index_dir)
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return int(row[0]) if row else None


def is_legacy(index_dir: Path) -> bool:
    """An index of the folder-per-build layout (schema 3 and before), to be rebuilt in this one."""
    return any((index_dir / name).exists() for name in LEGACY)


class Database:
    """SQLite access to the live index database.

    ``snapshot=True`` (readers) opens a read transaction at once and keeps it:
    everything read through this connection belongs to one generation.
    Otherwise (the build) the connection is in autocommit mode and the build
    brackets its changes with :meth:`begin` and :meth:`commit`.
    """

    def __init__(self, path: Path, snapshot: bool = False) -> None:
        self.path = path
        self.conn = sqlite3.connect(path, timeout=60, check_same_thread=False, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        if snapshot:
            self.conn.execute("BEGIN")
            self.conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # the snapshot starts here
        else:
            self.conn.execute("PRAGMA synchronous=FULL")
            self.conn.executescript(_SCHEMA)
        self.conn.row_factory = sqlite3.Row

    def close(self) -> None:
        self.conn.close()

    def begin(self) -> None:
        """Start the build's one write transaction."""
        self.conn.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        """Publish the build: one atomic commit (fsynced: synchronous=FULL)."""
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def reset(self) -> None:
        """Empty every table (inside the build's transaction): a full rebuild or a schema change.

        The generation and the segment numbers go on counting: a reader must see
        a new generation, and a segment file name must never be reused (the old
        generation's files stay valid until the commit).
        """
        generation, last = self.generation(), self.next_segment() - 1
        for table in _TABLES:
            self.conn.execute(f"DROP TABLE IF EXISTS {table}")
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                self.conn.execute(statement)
        self.conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)",
                              [("generation", str(generation)), ("last_segment", str(last))])

    # meta ------------------------------------------------------------------
    def _meta(self, key: str) -> str | None:
        try:
            row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        except sqlite3.OperationalError:  # an empty database opened by a reader
            return None
        return row[0] if row else None

    def generation(self) -> int:
        value = self._meta("generation")
        return int(value) if value else 0

    def manifest(self) -> Manifest | None:
        value = self._meta("manifest")
        if value is None:
            return None
        try:
            return Manifest.from_json(value)
        except (TypeError, ValueError):
            return None

    def publish_generation(self, manifest: Manifest) -> int:
        """Write the manifest and bump the generation (still inside the transaction)."""
        gen = self.generation() + 1
        self.conn.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                              [("generation", str(gen)), ("manifest", manifest.to_json())])
        return gen

    # segments ----------------------------------------------------------------
    def segments(self, live: bool = True) -> list[Segment]:
        sql = "SELECT segment, rows, files, created, dropped FROM segments"
        rows = self.conn.execute(sql + (" WHERE dropped IS NULL" if live else "") + " ORDER BY segment")
        return [Segment(r[0], r[1], {k: (v[0], v[1]) for k, v in json.loads(r[2]).items()}, r[3], r[4])
                for r in rows]

    def next_segment(self) -> int:
        try:
            row = self.conn.execute("SELECT MAX(segment) FROM segments").fetchone()
        except sqlite3.OperationalError:  # a database of an older schema, about to be reset
            row = (0,)
        return max(int(row[0] or 0), int(self._meta("last_segment") or 0)) + 1

    def add_segment(self, seg: Segment, chunk_ids: list[int]) -> None:
        self.conn.execute("INSERT INTO segments(segment, rows, files, created) VALUES (?,?,?,?)",
                          (seg.segment, seg.rows, json.dumps({k: list(v) for k, v in seg.files.items()}),
                           seg.created))
        self.conn.executemany("UPDATE chunks SET segment=? WHERE chunk_id=?", ((seg.segment, c) for c in chunk_ids))

    def drop_segments(self, segments: Iterable[int], generation: int) -> None:
        self.conn.executemany("UPDATE segments SET dropped=? WHERE segment=?",
                              ((generation, s) for s in segments))

    def forget_segments(self, segments: Iterable[int]) -> None:
        self.conn.executemany("DELETE FROM segments WHERE segment=?", ((s,) for s in segments))

    def live_rows(self) -> dict[int, int]:
        """Live passages per segment (a segment's other rows were deleted since)."""
        return {r[0]: r[1] for r in self.conn.execute("SELECT segment, COUNT(*) FROM chunks GROUP BY segment")}

    def chunk_ids(self, segments: Iterable[int] | None = None) -> list[int]:
        if segments is None:
            return [r[0] for r in self.conn.execute("SELECT chunk_id FROM chunks ORDER BY chunk_id")]
        segs = list(segments)
        return [r[0] for r in self.conn.execute(
            f"SELECT chunk_id FROM chunks WHERE segment IN ({','.join('?' * len(segs))}) ORDER BY chunk_id", segs)]

    # diacritics restorer counts ------------------------------------------------
    def add_counts(self, unigrams: Counter, bigrams: Counter) -> None:
        """Add (or, with negative counts, subtract) syllable counts; counts at zero are removed."""
        for table, key, counts in (("unigrams", "word", unigrams), ("bigrams", "pair", bigrams)):
            items = [(k, v) for k, v in counts.items() if v]
            self.conn.executemany(
                f"INSERT INTO {table}({key}, n) VALUES (?, ?) ON CONFLICT({key}) DO UPDATE SET n = n + excluded.n",
                items)
            if any(v < 0 for _, v in items):
                self.conn.execute(f"DELETE FROM {table} WHERE n <= 0")

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        uni = {r[0]: r[1] for r in self.conn.execute("SELECT word, n FROM unigrams")}
        bi = {r[0]: r[1] for r in self.conn.execute("SELECT pair, n FROM bigrams")}
        return uni, bi

    def file_texts(self, file: str) -> list[str]:
        """The passages and titles of a file, whose counts leave the restorer with it."""
        out = [r[0] for r in self.conn.execute(
            "SELECT c.text FROM chunks c JOIN documents d ON d.doc_id = c.doc_id WHERE d.file=?", (file,))]
        out += [r[0] for r in self.conn.execute("SELECT title FROM documents WHERE file=? AND title IS NOT NULL",
                                                (file,))]
        return out

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

    def keyword_rows(self, segments: Iterable[int] | None = None) -> Iterator[tuple[int, str, str, str]]:
        """(chunk id, terms, words, embed key) of every passage, or of those of some segments."""
        sql = "SELECT chunk_id, terms, words, embed_key FROM chunks"
        if segments is None:
            yield from self.conn.execute(sql + " ORDER BY chunk_id")
            return
        segs = list(segments)
        yield from self.conn.execute(sql + f" WHERE segment IN ({','.join('?' * len(segs))}) ORDER BY chunk_id",
                                     segs)


_CHUNK_COLUMNS = 'chunk_id, doc_id, section, text, start, "end", boxes, ocr'


def _boxes_json(boxes: tuple[Box, ...]) -> str:
    """Compact rows ``[page, x0, top, x1, bottom, start, end]``; a tenth of a point is plenty for a crop."""
    return json.dumps([[b.page, round(b.x0, 1), round(b.top, 1), round(b.x1, 1), round(b.bottom, 1), b.start, b.end]
                       for b in boxes], separators=(",", ":"))


def _chunk(r: sqlite3.Row) -> Chunk:
    boxes = tuple(Box(*row) for row in json.loads(r["boxes"] or "[]"))
    return Chunk(chunk_id=r["chunk_id"], doc_id=r["doc_id"], section=tuple(json.loads(r["section"])),
                 text=r["text"], start=r["start"], end=r["end"], boxes=boxes, ocr=bool(r["ocr"]))
