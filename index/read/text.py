"""Plain text (.txt): one block per non-empty line.

The line splitting here is shared with the Markdown reader because both
come from the same conversions, where a run of blank lines is all that is
left of a page break.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from index.read.decoding import decode
from index.records import Block

_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class SourceLine:
    text: str  # the line as written, without its newline
    number: int  # 1-based, so adjacency (same paragraph) can be checked
    page_break_before: bool


def source_lines(text: str, blank_runs_break: bool = True) -> list[SourceLine]:
    """Non-blank lines, flagging the first line after a page break.

    A page break is two or more blank lines between text (how the converted
    plans show one; ``blank_runs_break=False`` for tools that use blank lines
    as spacing) or a form feed (how Word/antiword text exports show one).
    Blank lines before the first text are not a break.
    """
    out: list[SourceLine] = []
    blank_run = 0
    form_feed = False
    skipped = 0
    for number, raw in enumerate(_NEWLINE.split(text.lstrip("\ufeff")), start=1):
        pieces = raw.split("\f")
        for i, piece in enumerate(pieces):
            if i > 0:
                form_feed = True
            if not piece.strip():
                if i == 0:
                    blank_run += 1
                continue
            if _repeats(out, piece):
                # The same line again: dropped here, before any parsing, because a
                # paragraph of thousands of copies makes Markdown inline parsing
                # quadratic. Later lines move up so adjacency still tells paragraphs.
                skipped += 1
                continue
            brk = bool(out) and ((blank_runs_break and blank_run >= 2) or form_feed)
            out.append(SourceLine(piece, number - skipped, brk))
            blank_run = 0
            form_feed = False
    return out


def _repeats(out: list[SourceLine], line: str) -> bool:
    """The previous kept line said exactly this (table rows excepted: empty cells repeat)."""
    text = line.strip()
    return bool(out) and not text.startswith("|") and out[-1].text.strip() == text


def read(path: Path) -> list[Block]:
    decoded = decode(path.read_bytes(), path)
    return [
        Block(text=line.text.strip(), page_break_before=line.page_break_before)
        for line in source_lines(decoded.text)
    ]
