"""Assignments (who leads, who helps, by when) extracted from plans."""

from __future__ import annotations

from index.records import Chunk, Document, Section, Task


def extract_tasks(document: Document, sections: list[Section], chunks: list[Chunk]) -> list[Task]:
    return []
