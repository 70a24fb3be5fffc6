"""Incremental build of the index from the corpus folder.

Only new or changed files are read and embedded; removed files leave the
index; a file that cannot be read is reported (in Vietnamese) and the rest of
the corpus is still indexed. A build writes only what changed: the new
passages' rows, one new segment (their vectors and keyword postings,
:mod:`index.store.segments`), the restorer's count deltas and the deletions,
and publishes all of it with one SQLite commit.

Crash testing. A build names its phases to an optional ``on_phase`` callback:
"read" (the first changed file is read and stored, uncommitted), "embed" (the
first batch of vectors is committed to the embeddings cache), "write" (the
new segment files written and fsynced, no commit names them yet), "commit"
(every row of the new generation written, just before the COMMIT) and
"collect" (committed; files no generation needs are about to be removed).
``build_index.py`` passes :func:`kill_at` of the variable ``BUILD_KILL_AT``
(testing only), which SIGKILLs the process at that phase. Killing from inside
is the robust way to hit a phase: a signal sent by the test when a phase is
logged races the build; a SIGKILL (not an exception, nor ``sys.exit``) runs
no ``finally`` and no cleanup, exactly like the OOM killer or a power cut.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import signal
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.errors import BuildInProgress, ReadError
from index.language.restore import count
from index.language.segment import Segmenter, keyword_terms
from index.parse import ParsedDocument, parse_file
from index.read.scan import cache as ocr_cache
from index.records import BuildReport, FileReport
from index.settings import Settings
from index.store import segments
from index.store.database import LEGACY, SCHEMA_VERSION, Database, FileRow, Manifest, db_path, is_legacy
from index.store.vectors import CACHE_NAME, EmbeddingCache, embed_key
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
PHASES = ("read", "embed", "write", "commit", "collect")
PARALLEL_MIN_FILES = 3  # fewer changed files are read in this process: starting workers costs more


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
    on_phase = on_phase or _no_phase
    with build_lock(index_dir, wait=wait):
        ocr_cache.use_directory(index_dir)
        legacy = is_legacy(index_dir)
        db = Database(db_path(index_dir))
        try:
            segments.collect_garbage(index_dir, db)
            embedder = embedder or load_embedder(settings)
            now = {"schema_version": SCHEMA_VERSION, "model": embedder.model_id,
                   "chunking": params.as_dict(), "pipeline": PIPELINE_VERSION}
            old = db.manifest()
            reset = full or legacy or old is None or not _same_build(old, now)
            if legacy:
                logger.warning("index in %s has the old layout (a folder per build, schema 3 or before): "
                               "rebuilding it as one live database (schema %d); cached embeddings are reused",
                               index_dir, SCHEMA_VERSION)
            elif reset and old is not None and not full:
                logger.warning("index was built with another schema, model, chunking or pipeline: rebuilding it")
            corpus = scan_corpus(settings.corpus_dir)
            prev_files = {} if reset else db.files()
            changed = [f for f, cf in corpus.items()
                       if f not in prev_files or prev_files[f].sha256 != cf.sha256
                       or prev_files[f].status == "failed"]
            removed = [f for f in prev_files if f not in corpus]
            broken = [] if reset else segments.damaged(index_dir, db.segments())
            for seg, why in broken:
                logger.error("damaged index segment %d (%s): rebuilding it from the database and the "
                             "embeddings cache", seg.segment, why)
            if not reset and not changed and not removed and not broken:
                return _report(settings, embedder, db, started, 0, [FileReport(f, "unchanged") for f in corpus])
            db.begin()
            try:
                return _build(settings, embedder, db, reset, corpus, changed, removed,
                              [s.segment for s, _ in broken], params, now, show_progress, started, on_phase)
            except BaseException:
                db.rollback()  # nothing of this build is published; its files are collected next time
                raise
        finally:
            db.close()


def _no_phase(name: str) -> None:
    return None


def _same_build(manifest: Manifest, now: dict[str, object]) -> bool:
    return (manifest.schema_version == now["schema_version"] and manifest.model == now["model"]
            and manifest.chunking == now["chunking"] and manifest.extra.get("pipeline") == now["pipeline"])


def _build(settings: Settings, embedder, db: Database, reset: bool, corpus: dict[str, CorpusFile],
           changed: list[str], removed: list[str], broken: list[int], params: ChunkingParams,
           now: dict[str, object], show_progress: bool, started: float, on_phase: PhaseHook) -> BuildReport:
    index_dir = settings.index_dir
    generation = db.generation() + 1
    if reset:
        db.reset()
    reports: dict[str, FileReport] = {f: FileReport(f, "unchanged") for f in corpus if f not in changed}
    pending: dict[int, tuple[str, list[str], list[str]]] = {}  # new chunk id -> (embed text, terms, words)
    uni: Counter[str] = Counter()
    bi: Counter[str] = Counter()

    def forget(file: str) -> None:
        u, b = count(db.file_texts(file), sign=-1)
        uni.update(u)
        bi.update(b)
        db.remove_file(file)

    for f in removed:
        forget(f)
        reports[f] = FileReport(f, "removed")
        logger.info("removed from index: %s", f)

    timer = _Timer()
    for f, parsed, error in _progress(_parse_all(corpus, changed, params, index_dir, timer), show_progress,
                                      "Đọc tệp", len(changed)):
        cf = corpus[f]
        forget(f)
        if parsed is None:
            db.put_file(FileRow(f, cf.sha256, cf.size, "failed", error))
            reports[f] = FileReport(f, "failed", error)
            continue
        docs = []
        with timer("store"):
            for ordinal, prepared in enumerate(parsed):
                pd = prepared.document
                ids = _store_document(db, prepared, ordinal, embedder.model_id, pending)
                docs.append((pd.document, len(ids)))
                u, b = count([c.text for c in pd.chunks] + ([pd.document.title] if pd.document.title else []))
                uni.update(u)
                bi.update(b)
        db.put_file(FileRow(f, cf.sha256, cf.size, "indexed", None))
        reports[f] = FileReport(f, "indexed", None, tuple(docs))
        on_phase("read")
    db.add_counts(uni, bi)

    cache = EmbeddingCache(index_dir / CACHE_NAME)
    try:
        with timer("embed"):
            new_ids = sorted(pending)
            vectors, embedded = _vectors(cache, embedder, db, new_ids, {i: pending[i][0] for i in new_ids},
                                         show_progress, on_phase)
        with timer("write"):
            if new_ids:
                seg = segments.write(index_dir, db.next_segment(), new_ids, vectors, embedder.dim,
                                     {"terms": [pending[i][1] for i in new_ids],
                                      "words": [pending[i][2] for i in new_ids]}, generation)
                db.add_segment(seg, new_ids)
            embedded += _merge(index_dir, db, cache, embedder, broken, generation, show_progress)
        on_phase("write")
        manifest = Manifest(schema_version=SCHEMA_VERSION, model=embedder.model_id, dim=embedder.dim,
                            chunking=params.as_dict(), created=time.time(), documents=len(db.documents()),
                            chunks=db.chunk_count(), extra={"pipeline": now["pipeline"]})
        db.publish_generation(manifest)
        on_phase("commit")
        db.commit()
        if reset:
            cache.keep_only({key for _, key in db.embed_keys()})
    finally:
        cache.close()
    on_phase("collect")
    segments.collect_garbage(index_dir, db)
    for name in LEGACY:  # the old layout, now replaced
        path = index_dir / name
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    logger.info("build stages (s): %s", timer.summary())
    ordered = [reports[f] for f in sorted(reports)]
    return _report(settings, embedder, db, started, embedded, ordered)


class _Timer:
    """Seconds spent per stage of a build, for the log and the profile in the README."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str):
        t = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - t

    def summary(self) -> str:
        return ", ".join(f"{k} {v:.2f}" for k, v in self.seconds.items())


@dataclass(frozen=True)
class Prepared:
    """A document read from a file with its passages' texts to embed and keyword terms, ready to store."""

    document: ParsedDocument
    embed_texts: list[str]
    terms: list[list[str]]
    words: list[list[str]]


_SEGMENTER: Segmenter | None = None


def _prepare(pd: ParsedDocument) -> Prepared:
    """Terms of each passage; the context line (document and section) is segmented once per section."""
    global _SEGMENTER
    if _SEGMENTER is None:
        _SEGMENTER = Segmenter()
    embed_texts, terms, words = [], [], []
    context_words: dict[str, list[str]] = {}
    for c in pd.chunks:
        context = context_text(pd.document, c.section)
        if context not in context_words:
            context_words[context] = _SEGMENTER.word_terms(context)
        embed_texts.append(f"{context}\n{c.text}")
        terms.append(keyword_terms(f"{context}\n{c.text}"))
        words.append(context_words[context] + _SEGMENTER.word_terms(c.text))
    return Prepared(pd, embed_texts, terms, words)


def _parse_one(path: Path, file: str, params: ChunkingParams, index_dir: Path | None = None
               ) -> tuple[str, list[Prepared] | None, str | None, str | None, tuple[float, float]]:
    """(file, documents, Vietnamese error, log line, (read s, segment s)): runs in a worker process or here.

    Reading and word segmentation (underthesea, the costliest step per passage)
    both run here, so that with several files every core does both.
    """
    if index_dir is not None:
        ocr_cache.use_directory(index_dir)
    t = time.perf_counter()
    try:
        parsed = parse_file(path, file, params)
    except ReadError as exc:
        return file, None, exc.user_message, f"cannot read {file}: {exc}", (time.perf_counter() - t, 0.0)
    except Exception:  # a bug on one odd file must not stop the whole corpus
        return (file, None, "Lỗi không mong đợi khi đọc tệp; quản trị viên xem nhật ký để biết chi tiết.",
                f"unexpected error reading {file}:\n{traceback.format_exc()}", (time.perf_counter() - t, 0.0))
    read_s = time.perf_counter() - t
    prepared = [_prepare(pd) for pd in parsed]
    return file, prepared, None, None, (read_s, time.perf_counter() - t - read_s)


def _parse_all(corpus: dict[str, CorpusFile], changed: list[str], params: ChunkingParams, index_dir: Path,
               timer: _Timer) -> Iterator[tuple[str, list[Prepared] | None, str | None]]:
    """Read the changed files, on every core when there are several (results in corpus order)."""
    workers = min(os.cpu_count() or 1, len(changed))
    if workers > 1 and len(changed) >= PARALLEL_MIN_FILES:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawn, not fork: the parent holds torch's threads, which a fork would copy mid-state.
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = [pool.submit(_parse_one, corpus[f].path, f, params, index_dir) for f in changed]
            results = (fut.result() for fut in futures)
            yield from _logged(results, timer)
    else:
        yield from _logged((_parse_one(corpus[f].path, f, params) for f in changed), timer)


def _logged(results, timer: _Timer):
    """Log each file's failure; time spent waiting for the readers counts as "read+segment (wall)"."""
    it = iter(results)
    while True:
        with timer("read+segment (wall)"):
            item = next(it, None)
        if item is None:
            return
        file, parsed, error, log, (read_s, segment_s) = item
        timer.seconds["read (cpu)"] = timer.seconds.get("read (cpu)", 0.0) + read_s
        timer.seconds["segment (cpu)"] = timer.seconds.get("segment (cpu)", 0.0) + segment_s
        if log:
            logger.warning("%s", log)
        yield file, parsed, error


def _store_document(db: Database, prepared: Prepared, ordinal: int, model_id: str,
                    pending: dict[int, tuple[str, list[str], list[str]]]) -> list[int]:
    pd = prepared.document
    db.add_document(pd.document, ordinal, pd.text)
    keys = [embed_key(model_id, t) for t in prepared.embed_texts]
    ids = db.add_chunks(pd.chunks, keys, prepared.terms, prepared.words)
    for cid, text, t, w in zip(ids, prepared.embed_texts, prepared.terms, prepared.words):
        pending[cid] = (text, t, w)
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


def _vectors(cache: EmbeddingCache, embedder, db: Database, ids: list[int], texts: dict[int, str] | None,
             show_progress: bool, on_phase: PhaseHook = _no_phase) -> tuple[np.ndarray, int]:
    """Vectors of some passages (rows in ``ids`` order), from the cache or embedded now; and how many were embedded.

    ``texts`` gives the text to embed; None rebuilds it from the stored passage
    and its document (repairing a segment whose cache entries were lost).
    """
    keys = dict(db.conn.execute(
        f"SELECT chunk_id, embed_key FROM chunks WHERE chunk_id IN ({','.join('?' * len(ids))})", ids)) if ids \
        else {}
    wanted = [keys[i] for i in ids]
    cached = cache.get(wanted)
    missing = [(i, k) for i, k in zip(ids, wanted) if k not in cached]
    if missing and texts is None:
        chunks = db.chunks([i for i, _ in missing])
        docs = {d.doc_id: d for d in db.documents()}
        texts = {i: f"{context_text(docs[c.doc_id], c.section)}\n{c.text}" for i, c in chunks.items()}
    embedded = 0
    batches = [missing[i:i + EMBED_BATCH] for i in range(0, len(missing), EMBED_BATCH)]
    for batch in _progress(batches, show_progress, "Nhúng đoạn văn"):
        vectors = embedder.embed_passages([texts[i] for i, _ in batch])
        # Committed batch by batch: a killed build resumes from here.
        cache.put(zip((k for _, k in batch), vectors))
        cached.update({k: v for (_, k), v in zip(batch, vectors)})
        embedded += len(batch)
        on_phase("embed")
    if not ids:
        return np.zeros((0, embedder.dim), dtype=np.float32), embedded
    return np.vstack([cached[k] for k in wanted]).astype(np.float32), embedded


def _merge(index_dir: Path, db: Database, cache: EmbeddingCache, embedder, broken: list[int], generation: int,
           show_progress: bool) -> int:
    """Rewrite damaged segments, and merge small or mostly deleted ones, into one new segment.

    Returns how many passages had to be embedded again (a damaged segment whose
    vectors are no longer in the cache). The big segment of a from-scratch build
    is left alone unless damaged, so a build stays proportional to its change.
    """
    live = db.segments()
    rows = db.live_rows()
    gone = [s.segment for s in live if rows.get(s.segment, 0) == 0]
    alive = [s for s in live if rows.get(s.segment, 0) > 0]
    redo = set(broken) | {s.segment for s in alive if rows[s.segment] < s.rows / 2}
    rest = [s for s in alive if s.segment not in redo]
    if len(rest) > segments.MAX_SEGMENTS:
        biggest = max(rest, key=lambda s: rows[s.segment])
        redo |= {s.segment for s in rest if s is not biggest}
    redo &= {s.segment for s in alive}
    embedded = 0
    if redo:
        ids, terms, words = [], [], []
        for cid, t, w, _ in db.keyword_rows(sorted(redo)):
            ids.append(cid)
            terms.append(t.split())
            words.append(w.split())
        vectors, embedded = _vectors(cache, embedder, db, ids, None, show_progress)
        seg = segments.write(index_dir, db.next_segment(), ids, vectors, embedder.dim,
                             {"terms": terms, "words": words}, generation)
        db.add_segment(seg, ids)
        logger.info("merged %d segments (%d passages) into segment %d", len(redo), len(ids), seg.segment)
    db.drop_segments(sorted(redo | set(gone)), generation)
    return embedded


def _progress(items, enabled: bool, desc: str, total: int | None = None):
    if not enabled or not total and not items:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, total=total, file=sys.stderr, leave=False)


def _report(settings: Settings, embedder, db: Database, started: float, embedded: int,
            files: list[FileReport]) -> BuildReport:
    manifest = db.manifest()
    documents, chunks = (manifest.documents, manifest.chunks) if manifest else (0, 0)
    if manifest is not None:
        files = _with_documents(db, files)
    return BuildReport(index_dir=str(settings.index_dir), model=embedder.model_id, documents=documents,
                       chunks=chunks, embedded=embedded, seconds=round(time.monotonic() - started, 3),
                       files=tuple(files))


def _with_documents(db: Database, files: list[FileReport]) -> list[FileReport]:
    """Unchanged files still list their documents, so a report always shows the whole corpus."""
    docs = db.documents()
    counts = db.chunk_counts()
    failed = {f: r for f, r in db.files().items() if r.status == "failed"}
    by_file: dict[str, list] = {}
    for d in docs:
        by_file.setdefault(d.file, []).append((d, counts.get(d.doc_id, 0)))
    return [f if f.status != "unchanged" else
            FileReport(f.file, f.status, failed[f.file].error if f.file in failed else None,
                       tuple(by_file.get(f.file, ()))) for f in files]
