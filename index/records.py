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
    # Where the block's lines are on the page(s), and whether OCR read them:
    # the bot shows "trang 2" and can crop the page to let an official check
    # an OCR reading against the scan before citing it.
    boxes: tuple[Box, ...] = ()
    ocr: bool = False
    # Digital signatures found on the block's page (the stamp in the text layer
    # or drawn on the scan, the PDF's signature dictionary): not the document's
    # words, so they travel beside the text, on every block of their page.
    signatures: tuple[Signature, ...] = ()


@dataclass(frozen=True)
class Signature:
    """A digital signature: who signed (a person or an agency) and when.

    ``copy`` marks a certified copy ("SAO Y", "ký số bản sao"): its time is when
    the copy was made, not when the document was issued.
    """

    signed_by: str | None = None
    organisation: str | None = None
    signed_at: str | None = None  # ISO 8601, "2024-09-11T19:14:21+07:00" or "2024-09-11"
    source: str = "stamp"  # "stamp" (text on the page) or "pdf" (the signature dictionary)
    copy: bool = False


@dataclass(frozen=True)
class Box:
    """One line's place on a page: PDF points, origin at the top-left corner, y growing downwards.

    ``start``/``end`` are the line's character range inside the text of the
    block (or passage) that carries it, so a passage cut out of a long block
    keeps only its own lines.
    """

    page: int  # 1-based
    x0: float
    top: float
    x1: float
    bottom: float
    start: int = 0
    end: int = 0


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
    # Digital signature (README "Where this project refines the shared design"):
    # who signed and when, kept apart from the printed signer and date.
    signed_by: str | None = None
    signed_at: str | None = None  # ISO 8601
    # "printed" when ``date`` is the printed one, "signature" when the printed
    # day could not be read and ``date`` is the signing day (shown as "ký số ngày …").
    date_source: str | None = None

    @property
    def number_unreadable(self) -> bool:
        """The digits of the number were written by hand and could not be read: ``…/CT-UBND``."""
        return bool(self.number) and self.number.startswith("…")


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
    # The lines of the passage on its page(s) (offsets relative to ``text``),
    # and whether it was read by OCR; empty for formats without pages.
    boxes: tuple[Box, ...] = ()
    ocr: bool = False

    @property
    def pages(self) -> tuple[int, ...]:
        """The pages the passage lies on, in order (a passage may span a page break)."""
        return tuple(sorted({b.page for b in self.boxes}))


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
    # Refused because the best passage is on the question's topic but does not
    # hold the fact asked (a count, an amount, a phone number…): the front-ends
    # may show it, visibly marked "đoạn liên quan nhất, không trả lời trực tiếp".
    related: bool = False


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
