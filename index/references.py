"""Documents cited by a document (Chỉ thị số 16/CT-TTg ngày 16/5/2016 …)."""

from __future__ import annotations

from index.records import Chunk, Document, Reference


def extract_references(document: Document, chunks: list[Chunk]) -> list[Reference]:
    return []
