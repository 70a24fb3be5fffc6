"""Records that travel between the pipeline's modules.

Every stage hands the next one frozen dataclasses, never dicts, so a field
added or renamed is caught where it is used. Unknown metadata is ``None``:
a wrong citation is worse than a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["paragraph", "heading", "row"]


@dataclass(frozen=True)
class Block:
    """One paragraph-sized unit of source text, as a reader found it.

    ``text`` carries the source's own words with markup removed (no ``**``,
    ``#`` or ``<sup>`` tags); the hints below are what the reader could see of
    the layout, which later stages use to tell headings and headers apart.
    """

    text: str
    kind: BlockKind = "paragraph"
    bold: bool = False
    heading_level: int | None = None
    page: int | None = None
    page_break_before: bool = False


@dataclass(frozen=True)
class Document:
    """One official document (a file may hold several)."""

    doc_id: str
    file: str
    type: str | None = None
    number: str | None = None
    date: str | None = None  # ISO 8601, e.g. "2021-03-24"
    issuer: str | None = None
    title: str | None = None
    signer: str | None = None
    locality: str | None = None
    place: str | None = None  # the place written before the date line


@dataclass(frozen=True)
class Section:
    """A numbered part of a document, with the blocks directly under it.

    ``start`` is the offset of the first block in the document's text (its
    blocks joined by newlines); ``heading`` tells whether the first block is
    the section's own heading, which alone is not worth a passage.
    """

    path: tuple[str, ...]
    blocks: tuple[Block, ...]
    start: int = 0
    heading: bool = False

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


@dataclass(frozen=True)
class Chunk:
    """A passage small enough to cite; ``chunk_id`` is also its FAISS id.

    ``start``/``end`` are character offsets into the document's text (its
    blocks joined by newlines), so the whole section can be shown around it.
    """

    chunk_id: int
    doc_id: str
    section: tuple[str, ...]
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    document: Document
    score: float


@dataclass(frozen=True)
class Span:
    """Character range ``[start, end)`` inside a hit's passage text."""

    start: int
    end: int


@dataclass(frozen=True)
class Answer:
    """The reply to one question.

    ``answer_spans[i]`` marks the answering sentence(s) inside
    ``hits[i].chunk.text``. With ``no_answer`` the hits are only suggestions
    and must not be presented as the answer.
    """

    question: str
    hits: tuple[Hit, ...]
    answer_spans: tuple[tuple[Span, ...], ...]
    no_answer: bool


@dataclass(frozen=True)
class Deadline:
    """A deadline as written, with the date or period it means when known."""

    text: str
    date: str | None = None  # ISO date when the deadline is one day
    period: str | None = None  # e.g. "2024-Q2", "2024-09", "yearly", "every-6-months"


@dataclass(frozen=True)
class Task:
    """An assignment found in a plan: who leads, who helps, by when."""

    doc_id: str
    section: tuple[str, ...]
    content: str
    lead: str | None
    partners: tuple[str, ...]
    deadline: Deadline | None
    chunk_id: int | None = None


@dataclass(frozen=True)
class Reference:
    """Another document cited by a document, e.g. ``Chỉ thị số 16/CT-TTg``."""

    doc_id: str
    type: str
    number: str | None
    date: str | None
    issuer: str | None
    subject: str | None
    text: str  # the citation as written
    chunk_id: int | None = None


FileStatus = Literal["indexed", "unchanged", "removed", "failed"]


@dataclass(frozen=True)
class FileReport:
    file: str
    status: FileStatus
    error: str | None = None  # Vietnamese, for the official who added the file
    documents: tuple[tuple[Document, int], ...] = ()  # (document, chunk count)


@dataclass(frozen=True)
class BuildReport:
    index_dir: str
    model: str
    documents: int
    chunks: int
    embedded: int
    seconds: float
    files: tuple[FileReport, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> tuple[FileReport, ...]:
        return tuple(f for f in self.files if f.status == "failed")
