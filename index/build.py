"""Incremental build of the index from the corpus folder.

Only new or changed files are read and embedded; removed files leave the
index; a file that cannot be read is reported (in Vietnamese) and the rest of
the corpus is still indexed. The new version is published atomically.

Crash testing. A build names its phases to an optional ``on_phase`` callback:
"read" (the first changed file is read and stored), "embed" (the first batch of
vectors is committed to the embeddings cache), "write" (vectors and keyword
files written, no manifest yet), "swap" (the version folder has its final name,
``CURRENT`` not yet switched) and "collect" (``CURRENT`` switched, old versions
being removed). ``build_index.py`` passes :func:`kill_at` of the variable
``BUILD_KILL_AT`` (testing only), which SIGKILLs the process at that phase.
Killing from inside is the robust way to hit a phase: a signal sent by the test
when a phase is logged races the build, and "swap" lasts microseconds; a
SIGKILL (not an exception, nor ``sys.exit``) runs no ``finally`` and no cleanup,
exactly like the OOM killer or a power cut.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import signal
import sqlite3
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.errors import BuildInProgress, ReadError
from index.language.restore import Restorer
from index.language.segment import Segmenter, keyword_terms
from index.parse import ParsedDocument, parse_file
from index.read.scan import cache as ocr_cache
from index.records import BuildReport, FileReport
from index.settings import Settings
from index.store.database import (
    DB_NAME,
    SCHEMA_VERSION,
    Database,
    FileRow,
    Manifest,
    collect_garbage,
    current_version,
    new_version,
    publish,
)
from index.store.keyword import KeywordField, save_fields
from index.store.vectors import CACHE_NAME, EmbeddingCache, VectorIndex, embed_key
from index.understand.chunk import ChunkingParams
from index.understand.context import context_text

logger = logging.getLogger(__name__)

# Bump when reading, structuring or term extraction changes, so that an
# incremental build re-reads every file instead of mixing old and new passages.
PIPELINE_VERSION = 4
LOCK_NAME = "build.lock"
EMBED_BATCH = 16

Progress = Callable[[int, int], None]
PhaseHook = Callable[[str], None]
PHASES = ("read", "embed", "write", "swap", "collect")


def kill_at(phase: str | None) -> PhaseHook | None:
    """A phase hook that SIGKILLs this process at ``phase`` (for crash tests); None for no phase."""
    if not phase:
        return None
    if phase not in PHASES:
        raise ValueError(f"unknown build phase {phase!r}; one of {', '.join(PHASES)}")

    def hook(name: str) -> None:
        if name == phase:
            logger.warning("killing the build at phase %s (BUILD_KILL_AT)", name)
            for handler in logging.getLogger().handlers:
                handler.flush()
            os.kill(os.getpid(), signal.SIGKILL)

    return hook


@dataclass(frozen=True)
class CorpusFile:
    file: str  # path relative to the corpus, with "/" separators
    path: Path
    size: int
    sha256: str


def scan_corpus(corpus_dir: Path) -> dict[str, CorpusFile]:
    """Every file of the corpus except hidden and Office lock files (``~$…``)."""
    out: dict[str, CorpusFile] = {}
    if not corpus_dir.exists():
        return out
    for path in sorted(corpus_dir.rglob("*")):
        rel = path.relative_to(corpus_dir)
        if not path.is_file() or any(p.startswith((".", "~$")) for p in rel.parts):
            continue
        data = path.read_bytes()
        out[rel.as_posix()] = CorpusFile(rel.as_posix(), path, len(data), hashlib.sha256(data).hexdigest())
    return out


@contextmanager
def build_lock(index_dir: Path, wait: bool = False):
    """One build at a time per index folder (the bot and the CLI may both try)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK_NAME, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as exc:
            raise BuildInProgress(f"another build holds {index_dir / LOCK_NAME}") from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def build_index(settings: Settings, *, full: bool = False, embedder=None, show_progress: bool = False,
                params: ChunkingParams = ChunkingParams(), wait: bool = False,
                on_phase: PhaseHook | None = None) -> BuildReport:
    """Bring the index in ``settings.index_dir`` up to date with ``settings.corpus_dir``.

    ``on_phase`` is called with each phase name as the build reaches it (see the module docstring).
    """
    from index.store.embed import load_embedder

    started = time.monotonic()
    index_dir = settings.index_dir
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    with build_lock(index_dir, wait=wait):
        ocr_cache.use_directory(index_dir)
        collect_garbage(index_dir)
        embedder = embedder or load_embedder(settings)
        prev = current_version(index_dir)
        manifest_now = {"schema_version": SCHEMA_VERSION, "model": embedder.model_id,
                        "chunking": params.as_dict(), "pipeline": PIPELINE_VERSION}
        reuse = prev is not None and not full and _same_build(Manifest.read(prev), manifest_now)
        corpus = scan_corpus(settings.corpus_dir)
        prev_files = _previous_files(prev) if reuse else {}

        changed = [f for f, cf in corpus.items()
                   if f not in prev_files or prev_files[f].sha256 != cf.sha256 or prev_files[f].status == "failed"]
        removed = [f for f in prev_files if f not in corpus]
        if reuse and not changed and not removed:
            return _report(settings, embedder, prev, started, 0,
                           [FileReport(f, "unchanged") for f in corpus])

        staging = new_version(index_dir)
        try:
            report = _build_version(settings, embedder, prev if reuse else None, staging, corpus, changed,
                                    removed, params, manifest_now, show_progress, started,
                                    on_phase or _no_phase)
        except BaseException:
            # Leave no half-written version behind; CURRENT still names the old one.
            import shutil

            shutil.rmtree(staging, ignore_errors=True)
            raise
        return report


def _no_phase(name: str) -> None:
    return None


def _same_build(manifest: Manifest, now: dict[str, object]) -> bool:
    return (manifest.schema_version == now["schema_version"] and manifest.model == now["model"]
            and manifest.chunking == now["chunking"] and manifest.extra.get("pipeline") == now["pipeline"])


def _previous_files(prev: Path) -> dict[str, FileRow]:
    db = Database(prev / DB_NAME, readonly=True)
    try:
        return db.files()
    finally:
        db.close()


def _build_version(settings: Settings, embedder, prev: Path | None, staging: Path, corpus: dict[str, CorpusFile],
                   changed: list[str], removed: list[str], params: ChunkingParams,
                   manifest_now: dict[str, object], show_progress: bool, started: float,
                   on_phase: PhaseHook) -> BuildReport:
    if prev is not None:
        _copy_database(prev / DB_NAME, staging / DB_NAME)
    db = Database(staging / DB_NAME)
    segmenter = Segmenter()
    reports: dict[str, FileReport] = {f: FileReport(f, "unchanged") for f in corpus if f not in changed}
    dropped_ids: list[int] = []
    pending: dict[int, str] = {}  # chunk id -> text to embed, for new passages

    for f in removed:
        dropped_ids += db.remove_file(f)
        reports[f] = FileReport(f, "removed")
        logger.info("removed from index: %s", f)

    for f in _progress(changed, show_progress, "Đọc tệp"):
        cf = corpus[f]
        dropped_ids += db.remove_file(f)
        try:
            parsed = parse_file(cf.path, f, params)
        except ReadError as exc:
            logger.warning("cannot read %s: %s", f, exc)
            db.put_file(FileRow(f, cf.sha256, cf.size, "failed", exc.user_message))
            reports[f] = FileReport(f, "failed", exc.user_message)
            continue
        except Exception:  # a bug on one odd file must not stop the whole corpus
            logger.exception("unexpected error reading %s", f)
            message = "Lỗi không mong đợi khi đọc tệp; quản trị viên xem nhật ký để biết chi tiết."
            db.put_file(FileRow(f, cf.sha256, cf.size, "failed", message))
            reports[f] = FileReport(f, "failed", message)
            continue
        docs = []
        for ordinal, pd in enumerate(parsed):
            ids = _store_document(db, pd, ordinal, embedder.model_id, segmenter, pending)
            docs.append((pd.document, len(ids)))
        db.put_file(FileRow(f, cf.sha256, cf.size, "indexed", None))
        reports[f] = FileReport(f, "indexed", None, tuple(docs))
        on_phase("read")
    db.commit()

    embedded = _write_vectors(settings, embedder, prev, staging, db, dropped_ids, pending, show_progress,
                              on_phase)
    fields = _keyword_fields(db)
    save_fields(staging, fields)
    Restorer.learn(db.texts()).save(staging)
    on_phase("write")
    documents, chunks = len(db.documents()), db.chunk_count()
    db.close()
    Manifest(schema_version=SCHEMA_VERSION, model=embedder.model_id, dim=embedder.dim, chunking=params.as_dict(),
             created=time.time(), documents=documents, chunks=chunks,
             extra={"pipeline": manifest_now["pipeline"], "keyword_fields": [f.name for f in fields]}).write(staging)
    final = publish(settings.index_dir, staging, on_phase=on_phase)
    ordered = [reports[f] for f in sorted(reports)]
    return _report(settings, embedder, final, started, embedded, ordered)


def _copy_database(src: Path, dst: Path) -> None:
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    target = sqlite3.connect(dst)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def _store_document(db: Database, pd: ParsedDocument, ordinal: int, model_id: str, segmenter: Segmenter,
                    pending: dict[int, str]) -> list[int]:
    db.add_document(pd.document, ordinal, pd.text)
    embed_texts, terms, words = [], [], []
    for c in pd.chunks:
        context = context_text(pd.document, c.section)
        embed_texts.append(f"{context}\n{c.text}")
        terms.append(keyword_terms(f"{context}\n{c.text}"))
        words.append(segmenter.word_terms(f"{context}\n{c.text}"))
    keys = [embed_key(model_id, t) for t in embed_texts]
    ids = db.add_chunks(pd.chunks, keys, terms, words)
    for cid, text in zip(ids, embed_texts):
        pending[cid] = text
    _store_extractions(db, pd, ids)
    return ids


def _store_extractions(db: Database, pd: ParsedDocument, ids: list[int]) -> None:
    """Tasks and references point at passages by position; give them the stored ids."""
    import json

    by_pos = {i: cid for i, cid in enumerate(ids)}
    for t in pd.tasks:
        cid = by_pos.get(t.chunk_id) if t.chunk_id is not None else None
        db.conn.execute(
            "INSERT INTO tasks(doc_id, chunk_id, section, content, lead, partners, deadline_text, deadline_date, "
            "deadline_period) VALUES (?,?,?,?,?,?,?,?,?)",
            (t.doc_id, cid, json.dumps(list(t.section), ensure_ascii=False), t.content, t.lead,
             json.dumps(list(t.partners), ensure_ascii=False), t.deadline.text if t.deadline else None,
             t.deadline.date if t.deadline else None, t.deadline.period if t.deadline else None))
    for r in pd.references:
        cid = by_pos.get(r.chunk_id) if r.chunk_id is not None else None
        db.conn.execute(
            "INSERT INTO refs(doc_id, chunk_id, type, number, date, issuer, subject, text) VALUES (?,?,?,?,?,?,?,?)",
            (r.doc_id, cid, r.type, r.number, r.date, r.issuer, r.subject, r.text))


def _write_vectors(settings: Settings, embedder, prev: Path | None, staging: Path, db: Database,
                   dropped_ids: list[int], pending: dict[int, str], show_progress: bool,
                   on_phase: PhaseHook = _no_phase) -> int:
    """FAISS for the new version: the previous vectors minus dropped passages plus new ones."""
    cache = EmbeddingCache(settings.index_dir / CACHE_NAME)
    try:
        all_keys = dict(db.embed_keys())
        new_ids = sorted(pending)
        new_keys = [all_keys[i] for i in new_ids]
        cached = cache.get(new_keys)
        missing = [(i, k) for i, k in zip(new_ids, new_keys) if k not in cached]
        embedded = 0
        batches = [missing[i:i + EMBED_BATCH] for i in range(0, len(missing), EMBED_BATCH)]
        for batch in _progress(batches, show_progress, "Nhúng đoạn văn"):
            vectors = embedder.embed_passages([pending[i] for i, _ in batch])
            # Committed batch by batch: a killed build resumes from here.
            cache.put(zip((k for _, k in batch), vectors))
            cached.update({k: v for (_, k), v in zip(batch, vectors)})
            embedded += len(batch)
            on_phase("embed")

        if prev is not None:
            index = VectorIndex.load(prev)
            if dropped_ids:
                index._index.remove_ids(np.asarray(dropped_ids, dtype=np.int64))
        else:
            index = VectorIndex.build(np.zeros(0, dtype=np.int64), np.zeros((0, embedder.dim)), embedder.dim)
        if new_ids:
            vecs = np.vstack([cached[k] for k in new_keys]).astype(np.float32)
            index._index.add_with_ids(vecs, np.asarray(new_ids, dtype=np.int64))
        index.save(staging)
        if prev is None:
            cache.keep_only(set(all_keys.values()))
        return embedded
    finally:
        cache.close()


def _keyword_fields(db: Database) -> list[KeywordField]:
    ids, terms, words = [], [], []
    for cid, t, w in db.keyword_rows():
        ids.append(cid)
        terms.append(t.split())
        words.append(w.split())
    return [KeywordField.build("terms", ids, terms), KeywordField.build("words", ids, words)]


def _progress(items: list, enabled: bool, desc: str):
    if not enabled or not items:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, file=sys.stderr, leave=False)


def _report(settings: Settings, embedder, version: Path | None, started: float, embedded: int,
            files: list[FileReport]) -> BuildReport:
    documents = chunks = 0
    if version is not None:
        manifest = Manifest.read(version)
        documents, chunks = manifest.documents, manifest.chunks
    if version is not None:
        files = _with_documents(version, files)
    return BuildReport(index_dir=str(settings.index_dir), model=embedder.model_id, documents=documents,
                       chunks=chunks, embedded=embedded, seconds=round(time.monotonic() - started, 3),
                       files=tuple(files))


def _with_documents(version: Path, files: list[FileReport]) -> list[FileReport]:
    """Unchanged files still list their documents, so a report always shows the whole corpus."""
    db = Database(version / DB_NAME, readonly=True)
    try:
        docs = db.documents()
        counts = db.chunk_counts()
        failed = {f: r for f, r in db.files().items() if r.status == "failed"}
    finally:
        db.close()
    by_file: dict[str, list] = {}
    for d in docs:
        by_file.setdefault(d.file, []).append((d, counts.get(d.doc_id, 0)))
    return [f if f.status != "unchanged" else
            FileReport(f.file, f.status, failed[f.file].error if f.file in failed else None,
                       tuple(by_file.get(f.file, ()))) for f in files]
