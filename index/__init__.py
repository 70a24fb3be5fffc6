"""The retrieval engine: corpus → index → cited answers. Knows nothing of Telegram.

Rooms, in the order data flows through them::

    read/        one module per file format → Block records (OCR for scans)
    understand/  clean, split documents, metadata, sections, passages, citations of other documents
    tasks/       assignments: who leads, who helps, by when (``python -m index.tasks``)
    language/    Vietnamese: normalisation, folding, word segmentation, diacritics restoration
    store/       SQLite, FAISS, BM25 fields, the embedding model and its cache
    rank/        query parsing, retrieval, fusion, rerank, answer sentences, no-answer

At the top: ``parse`` (one file → its documents), ``build`` (corpus → a new
index version), ``corpus`` (saving uploads), ``engine`` (the public API),
``search`` (the CLI), ``records``, ``settings``, ``errors``.

Public API (front-ends use only these)::

    from index import Engine, Settings
    engine = Engine(Settings.from_env())
    answer = engine.ask("Ai chủ trì khảo sát sự hài lòng của người dân?")

Names are imported lazily so that ``import index.records`` stays cheap for
tools that only need the records.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Engine": "index.engine", "AnswerConfig": "index.engine", "SectionText": "index.engine",
    "has_index": "index.engine", "DocumentCard": "index.engine", "FollowUp": "index.engine",
    "Deadline": "index.records", "Reference": "index.records", "due_date": "index.tasks.deadlines", "TaskHit": "index.engine", "AgencySummary": "index.engine",
    "EngineError": "index.errors", "ReadError": "index.errors", "IndexMissing": "index.errors", "ROOT": "index.settings", "document_label": "index.understand.context",
    "Answer": "index.records", "BuildReport": "index.records", "Chunk": "index.records",
    "Document": "index.records", "FileReport": "index.records", "Hit": "index.records", "Span": "index.records",
    "Task": "index.records", "Settings": "index.settings", "load_dotenv_file": "index.settings",
    "SUPPORTED_EXTENSIONS": "index.read", "SavedFile": "index.corpus", "section_label": "index.understand.structure",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'index' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
