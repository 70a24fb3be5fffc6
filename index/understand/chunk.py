"""Cut sections into passages an official can quote.

Passages never cross a section boundary, so each one has a single section
path to cite; inside a section, langchain-text-splitters cuts at line, then
sentence, then clause boundaries. Every passage is an exact slice of the
document text, so its offsets locate it in the whole section. A passage whose
words repeat an earlier one of the same section is dropped.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, replace

from langchain_text_splitters import RecursiveCharacterTextSplitter

from index.records import Box, Chunk, Section

_SEPARATORS = ["\n", ". ", "; ", ": ", ", ", " ", ""]


@dataclass(frozen=True)
class ChunkingParams:
    size: int = 500
    overlap: int = 0
    min_tail: int = 150  # a shorter last piece joins the previous one

    def as_dict(self) -> dict[str, int]:
        return {"size": self.size, "overlap": self.overlap, "min_tail": self.min_tail}


def chunk_sections(doc_id: str, sections: list[Section], params: ChunkingParams = ChunkingParams()) -> list[Chunk]:
    """Passages of one document, in reading order (``chunk_id`` is assigned by the store).

    Whole blocks are packed together up to ``size`` characters, so a list item
    such as "- Cơ quan chủ trì thực hiện: …" is never cut from its label and a
    heading stays with the text under it; only blocks longer than ``size`` are
    cut, at sentence then clause boundaries.
    """
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=params.size,
        chunk_overlap=params.overlap,
        separators=_SEPARATORS,
        keep_separator="end",
        add_start_index=True,
        strip_whitespace=True,
    )
    chunks: list[Chunk] = []
    seen: set[tuple[tuple[str, ...], str]] = set()
    for i, section in enumerate(sections):
        if section.heading and len(section.blocks) == 1 and _has_children(sections, i):
            continue  # a bare heading is already in its children's path
        text = section.text
        pieces: list[tuple[int, int]] = []  # (start, end) within the section text
        starts = _block_starts(section)
        pos = 0
        for block in section.blocks:
            if block.text.strip():
                if len(block.text) <= params.size:
                    pieces.append((pos, pos + len(block.text)))
                else:
                    for d in splitter.create_documents([block.text]):
                        s0 = pos + d.metadata["start_index"]
                        pieces.append((s0, s0 + len(d.page_content)))
            pos += len(block.text) + 1
        for start, end in _pack(pieces, params):
            piece = text[start:end]
            if (section.path, piece) in seen:
                # The same words under the same heading cite the same thing: one passage is enough
                # (repeated text would otherwise crowd every answer's "other sources").
                continue
            seen.add((section.path, piece))
            abs_start = section.start + start
            boxes, ocr = _located(section, starts, start, start + len(piece))
            chunks.append(Chunk(chunk_id=0, doc_id=doc_id, section=section.path, text=piece,
                                start=abs_start, end=abs_start + len(piece), boxes=boxes, ocr=ocr))
    return chunks


def _block_starts(section: Section) -> list[int]:
    """Where each block starts in ``section.text`` (blocks are joined by one newline)."""
    starts, pos = [], 0
    for block in section.blocks:
        starts.append(pos)
        pos += len(block.text) + 1
    return starts


def _located(section: Section, starts: list[int], start: int, end: int) -> tuple[tuple[Box, ...], bool]:
    """The line boxes of ``section.text[start:end]`` (offsets made relative to it) and whether OCR read it.

    Only the blocks the passage overlaps are visited (found by bisection), so a section of
    thousands of blocks costs its passages' length, not passages times blocks.
    """
    boxes: list[Box] = []
    ocr = False
    first = max(0, bisect_right(starts, start) - 1)
    for k in range(first, len(starts)):
        pos, block = starts[k], section.blocks[k]
        if pos >= end:
            break
        if pos + len(block.text) > start:
            ocr = ocr or block.ocr
            for b in block.boxes:
                b_start, b_end = pos + b.start, pos + b.end
                if b_end > start and b_start < end:
                    boxes.append(replace(b, start=max(b_start, start) - start, end=min(b_end, end) - start))
    return tuple(boxes), ocr


def _has_children(sections: list[Section], i: int) -> bool:
    path = sections[i].path
    return i + 1 < len(sections) and sections[i + 1].path[: len(path)] == path and len(sections[i + 1].path) > len(path)


def _pack(pieces: list[tuple[int, int]], params: ChunkingParams) -> list[tuple[int, int]]:
    """Greedily join consecutive pieces up to ``size``; never leave a tiny piece alone."""
    packed: list[tuple[int, int]] = []
    for start, end in pieces:
        if packed:
            p_start, p_end = packed[-1]
            fits = end - p_start <= params.size
            tiny = (p_end - p_start) < params.min_tail and end - p_start <= params.size + params.min_tail
            if fits or tiny:
                packed[-1] = (p_start, end)
                continue
        packed.append((start, end))
    if len(packed) >= 2 and packed[-1][1] - packed[-1][0] < params.min_tail:
        last = packed.pop()
        packed[-1] = (packed[-1][0], last[1])
    return packed
