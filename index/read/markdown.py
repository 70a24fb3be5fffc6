"""Markdown (.md): one block per source line, markup removed.

The corpus files are conversions of signed PDFs/Word files, so their
Markdown is a by-product: ``#`` levels that do not follow the numbering,
bold wrapped around whole header blocks across hard line breaks, ``<sup>``
footnote numbers, escaped asterisks. Block structure (headings, lists,
tables, rules) is recognised line by line here; emphasis, escapes and inline
HTML go through markdown-it-py, which gets CommonMark's delimiter rules right
where a regex would not (``***3.1. Tổ chức***``, ``**A  \\nB**``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt

from index.read.decoding import decode
from index.read.text import SourceLine, source_lines
from index.records import Block

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_HR = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_BULLET = re.compile(r"^[ \t]*([-+*])[ \t]+(?=\S)")
_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_TABLE_DELIMITER = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_BREAK_TAG = re.compile(r"^<br\s*/?>$", re.IGNORECASE)
_TAG_NAME = re.compile(r"^</?\s*([a-zA-Z][a-zA-Z0-9]*)")


@dataclass(frozen=True)
class _Piece:
    text: str
    bold: bool


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark")


def _inline_lines(source: str) -> list[list[_Piece]]:
    """Inline-parse a paragraph and return its visible text split at line breaks."""
    lines: list[list[_Piece]] = [[]]
    tokens = _parser().parseInline(source)
    children = (tokens[0].children or []) if tokens else []
    strong = 0
    hidden = 0  # inside <sup>…</sup>: footnote numbers, debris once the footnote is gone
    for token in children:
        kind = token.type
        if kind in ("softbreak", "hardbreak"):
            lines.append([])
        elif kind == "strong_open":
            strong += 1
        elif kind == "strong_close":
            strong = max(0, strong - 1)
        elif kind == "html_inline":
            tag = token.content.strip()
            name = _TAG_NAME.match(tag)
            if _BREAK_TAG.match(tag):
                lines.append([])
            elif name and name.group(1).lower() == "sup":
                hidden += -1 if tag.startswith("</") else 1
                hidden = max(0, hidden)
            # Any other tag is dropped, its content kept.
        elif kind in ("text", "text_special", "code_inline") and not hidden:
            if token.content:
                lines[-1].append(_Piece(token.content, strong > 0))
        # image: alt text of a picture is not the document's words; links keep their text.
    return lines


def _visible(pieces: list[_Piece]) -> tuple[str, bool]:
    text = "".join(p.text for p in pieces).strip()
    shown = [p for p in pieces if p.text.strip()]
    return text, bool(shown) and all(p.bold for p in shown)


def _split_cells(line: str) -> list[str]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [cell.strip().replace("\\|", "|") for cell in _UNESCAPED_PIPE.split(body)]


def _row_block(line: SourceLine, page_break: bool) -> Block | None:
    cells = []
    for cell in _split_cells(line.text):
        texts = [_visible(pieces) for pieces in _inline_lines(cell)]
        cells.append((" ".join(t for t, _ in texts if t), all(b for t, b in texts if t)))
    if not any(text for text, _ in cells):
        return None
    text = " | ".join(text for text, _ in cells).strip()
    bold = all(b for t, b in cells if t)
    return Block(text=text, kind="row", bold=bold, page_break_before=page_break)


class _Reader:
    """Walks the source lines once; ``pending_break`` carries a page break past dropped lines."""

    def __init__(self, lines: list[SourceLine]) -> None:
        self.lines = lines
        self.blocks: list[Block] = []
        self.pending_break = False
        # Source line number of the last paragraph line emitted, for setext headings.
        self.last_paragraph_line: int | None = None

    def emit(self, block: Block | None, line: SourceLine) -> None:
        if block is None or not block.text:
            self.pending_break = self.pending_break or line.page_break_before
            return
        if self.pending_break or line.page_break_before:
            block = replace(block, page_break_before=True)
        self.pending_break = False
        self.blocks.append(block)

    def drop(self, line: SourceLine) -> None:
        self.pending_break = self.pending_break or line.page_break_before

    def run(self) -> list[Block]:
        i = 0
        lines = self.lines
        while i < len(lines):
            line = lines[i]
            text = line.text
            fence = _FENCE.match(text)
            if fence:
                i = self.fenced(i, fence.group(1))
                continue
            setext = _SETEXT.match(text)
            if setext and self.last_paragraph_line == line.number - 1 and self.blocks:
                # "Title\n-----" is a heading, not a rule under a paragraph.
                level = 1 if setext.group(1).startswith("=") else 2
                self.blocks[-1] = replace(self.blocks[-1], kind="heading", heading_level=level)
                self.last_paragraph_line = None
                i += 1
                continue
            if _HR.match(text):
                self.drop(line)
                self.last_paragraph_line = None
                i += 1
                continue
            heading = _ATX.match(text)
            if heading:
                self.heading(line, len(heading.group(1)), heading.group(2) or "")
                i += 1
                continue
            if self.is_table_start(i):
                i = self.table(i)
                continue
            i = self.paragraph(i)
        return self.blocks

    def fenced(self, i: int, marker: str) -> int:
        self.drop(self.lines[i])
        i += 1
        while i < len(self.lines) and not self.lines[i].text.strip().startswith(marker):
            line = self.lines[i]
            self.emit(Block(text=line.text.strip()), line)
            i += 1
        if i < len(self.lines):
            self.drop(self.lines[i])
        self.last_paragraph_line = None
        return i + 1

    def heading(self, line: SourceLine, level: int, content: str) -> None:
        for pieces in _inline_lines(content):
            text, bold = _visible(pieces)
            self.emit(Block(text=text, kind="heading", bold=bold, heading_level=level), line)
        self.last_paragraph_line = None

    def is_table_start(self, i: int) -> bool:
        if i + 1 >= len(self.lines) or "|" not in self.lines[i].text:
            return False
        following = self.lines[i + 1]
        # "|---|" needs a pipe: a bare "-----" under a line is a setext heading.
        return following.number == self.lines[i].number + 1 and bool(
            _TABLE_DELIMITER.match(following.text) and "-" in following.text and "|" in following.text
        )

    def table(self, i: int) -> int:
        header = self.lines[i]
        self.emit(_row_block(header, False), header)
        self.drop(self.lines[i + 1])  # the |---|---| delimiter row
        i += 2
        while i < len(self.lines) and self.lines[i].number == self.lines[i - 1].number + 1:
            line = self.lines[i]
            if _TABLE_DELIMITER.match(line.text) and "-" in line.text:
                self.drop(line)
            else:
                self.emit(_row_block(line, False), line)
            i += 1
        self.last_paragraph_line = None
        return i

    def paragraph(self, i: int) -> int:
        """A list item or paragraph line plus the adjacent lines that continue it.

        Emphasis may span those lines (``**ĐẢNG BỘ…  \\nĐẢNG ỦY…**``), so they are
        parsed together and split again at the line breaks.
        """
        first = self.lines[i]
        prefix, content = self.strip_block_markup(first.text)
        group = [content]
        j = i + 1
        while j < len(self.lines):
            nxt = self.lines[j]
            if nxt.number != self.lines[j - 1].number + 1 or self.starts_block(j):
                break
            group.append(self.strip_block_markup(nxt.text)[1])
            j += 1
        for k, pieces in enumerate(_inline_lines("\n".join(group))):
            text, bold = _visible(pieces)
            if k == 0 and prefix and text:
                text = prefix + text
            source = self.lines[min(i + k, j - 1)]
            self.emit(Block(text=text, bold=bold), first if k == 0 else source)
        # Only a plain paragraph can become a setext heading, not a list item.
        self.last_paragraph_line = None if prefix else self.lines[j - 1].number
        return j

    def starts_block(self, j: int) -> bool:
        text = self.lines[j].text
        return bool(
            _BULLET.match(_QUOTE.sub("", text))
            or _ATX.match(text)
            or _HR.match(text)
            or _FENCE.match(text)
            or _SETEXT.match(text)
            or self.is_table_start(j)
        )

    @staticmethod
    def strip_block_markup(text: str) -> tuple[str, str]:
        """Return (list marker to keep, inline content).

        "- " items stay "- " in the text: "- Cơ quan chủ trì thực hiện: …" is how
        plans list assignments. "*"/"+" bullets are Markdown's spelling of the
        same bullet (a literal asterisk would have been escaped), written "- ".
        """
        text = _QUOTE.sub("", text)
        bullet = _BULLET.match(text)
        if bullet:
            marker = "+ " if bullet.group(1) == "+" else "- "
            return marker, text[bullet.end() :]
        return "", text.strip()


def parse(text: str) -> list[Block]:
    return _Reader(source_lines(text)).run()


def read(path: Path) -> list[Block]:
    return parse(decode(path.read_bytes(), path).text)
