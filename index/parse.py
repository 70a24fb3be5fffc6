"""One file in, its documents out: read → clean → split → metadata → sections → passages.

Kept apart from the build so that a single upload can be checked (can it be
read? what documents does it hold?) before it is allowed into the corpus.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index.read import read_file
from index.records import Chunk, Document, Reference, Section, Task
from index.understand.chunk import ChunkingParams, chunk_sections
from index.understand.clean import clean_blocks
from index.understand.documents import split_documents
from index.understand.metadata import extract
from index.understand.structure import build_sections


@dataclass(frozen=True)
class ParsedDocument:
    document: Document
    text: str  # the blocks joined by newlines; chunk offsets point into it
    sections: tuple[Section, ...]
    chunks: tuple[Chunk, ...]
    tasks: tuple[Task, ...] = ()
    references: tuple[Reference, ...] = ()


def doc_id_for(file: str, ordinal: int) -> str:
    """Short and stable across rebuilds, so buttons sent earlier still find the document."""
    return f"{hashlib.sha1(file.encode()).hexdigest()[:8]}-{ordinal}"


Progress = Callable[[int, int], None]  # (pages read, pages in all), called as a long scan is recognised


def parse_file(path: Path, file: str, params: ChunkingParams = ChunkingParams(),
               progress: Progress | None = None) -> list[ParsedDocument]:
    """All documents of one file; raises ``ReadError`` when the file cannot be read.

    ``progress`` is told how far the reader is (the OCR of a long scan takes
    minutes), so an admin who uploaded it sees the pages go by.
    """
    from index.tasks.extract import extract_tasks
    from index.understand.references import extract_references

    blocks = clean_blocks(read_file(path) if progress is None else read_file(path, progress=progress))
    parsed = []
    for ordinal, doc_blocks in enumerate(split_documents(blocks)):
        doc_id = doc_id_for(file, ordinal)
        document = extract(doc_blocks, doc_id=doc_id, file=file)
        sections = build_sections(doc_blocks)
        chunks = chunk_sections(doc_id, sections, params)
        text = "\n".join(b.text for b in doc_blocks)
        parsed.append(ParsedDocument(
            document=document, text=text, sections=tuple(sections), chunks=tuple(chunks),
            tasks=tuple(extract_tasks(document, sections, chunks)),
            references=tuple(extract_references(document, chunks)),
        ))
    return parsed
