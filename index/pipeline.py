"""One file in, its documents out: read → clean → split → metadata → sections → passages.

Kept apart from the build so that a single upload can be checked (can it be
read? what documents does it hold?) before it is allowed into the corpus.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from index.chunk import ChunkingParams, chunk_sections
from index.clean import clean_blocks
from index.documents import split_documents
from index.metadata import extract
from index.normalize import canonical
from index.readers import read_file
from index.records import Chunk, Document, Reference, Section, Task
from index.structure import PREAMBLE, build_sections


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


def parse_file(path: Path, file: str, params: ChunkingParams = ChunkingParams()) -> list[ParsedDocument]:
    """All documents of one file; raises ``ReadError`` when the file cannot be read."""
    from index.references import extract_references
    from index.tasks import extract_tasks

    blocks = clean_blocks(read_file(path))
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


def document_label(doc: Document) -> str:
    """How officials name a document: ``Kế hoạch số 06/KH-UBND-BDVTU ngày 24/3/2021``."""
    parts = [doc.type or "Văn bản"]
    if doc.number:
        parts.append(f"số {doc.number}")
    if doc.date:
        y, m, d = doc.date.split("-")
        parts.append(f"ngày {int(d)}/{int(m)}/{y}")
    return " ".join(parts)


def context_text(doc: Document, section: tuple[str, ...]) -> str:
    """What a passage is about beyond its own words: its document and section.

    Indexed with the passage (never shown as part of it) so that a passage
    about "Phòng Nội vụ" in the Sa Pa plan is found by "Sa Pa" and one under
    "3.3. Tổ chức khảo sát…" by the survey it belongs to.
    """
    parts = [document_label(doc)]
    if doc.issuer:
        parts.append(doc.issuer)
    if doc.locality and doc.locality not in (doc.issuer or ""):
        parts.append(doc.locality)
    if doc.date:
        parts.append(f"năm {doc.date[:4]}")
    if doc.title:
        parts.append(doc.title)
    path = [s for s in section if s != PREAMBLE]
    return canonical(". ".join(parts) + ("\n" + " > ".join(path) if path else ""))
