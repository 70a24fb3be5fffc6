"""Remove page-break debris from a file's blocks.

Converted and scanned plans break pages in the middle of sentences, repeat the
last line of a page at the top of the next one and leave page numbers behind.
An official quoting a passage must get the sentence whole, so fragments are
joined back and repeats dropped, without rewriting any word. A block that is
the very same as the one before it (a line pasted over and over) is kept once;
the same line recurring under different headings ("- Thời gian thực hiện: Năm
2021" in every task) is not a repeat and stays.
"""

from __future__ import annotations

import re
from dataclasses import replace

from index.language.normalize import fold
from index.records import Block
from index.understand.structure import marker_of

_PAGE_NUMBER = re.compile(r"^(?:[-–—]\s*)?(?:trang\s+)?\d{1,3}(?:\s*/\s*\d{1,3})?(?:\s*[-–—])?$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?:;…\"”»)\]]$|\./\.$")
_WORD_HYPHEN_END = re.compile(r"\w[-–]$")
_LIST_START = re.compile(r"^[-–—+•*]\s")
_MIN_REPEAT = 15
# Words a Vietnamese sentence cannot end on; a block ending on one continues in the next.
_DANGLING = {"ngày", "số", "của", "và", "tại", "với", "theo", "về", "cho", "các", "những", "từ", "đến", "trong",
             "là", "tháng", "năm", "quyết", "định", "thị", "chỉ"}


def clean_blocks(blocks: list[Block]) -> list[Block]:
    """Drop page numbers, repeated fragments and runs of one block, join sentences cut by a page break."""
    out: list[Block] = []
    pending_break = False
    for block in blocks:
        text = block.text.strip()
        if not text or _PAGE_NUMBER.match(text):
            # A dropped page number still marks where the page broke.
            pending_break = pending_break or block.page_break_before or bool(text)
            continue
        if text != block.text or (pending_break and not block.page_break_before):
            block = replace(block, text=text, page_break_before=block.page_break_before or pending_break)
        pending_break = False
        if out and _is_duplicate(out[-1], block):
            # A line pasted over and over (a 2 MB file of one line once made 3,585 identical
            # passages and took five minutes to index): one copy says all the others say.
            pending_break = block.page_break_before
            continue
        if out and _is_repeat(out[-1], block):
            pending_break = block.page_break_before
            continue
        if out and _continues(out[-1], block):
            out[-1] = _join(out[-1], block)
            continue
        out.append(block)
    return out


def _is_duplicate(prev: Block, block: Block) -> bool:
    """The same block again right after itself; table rows may legitimately repeat (empty cells, "x")."""
    return block.text == prev.text and block.kind == prev.kind and block.kind != "row"


def _is_repeat(prev: Block, block: Block) -> bool:
    """A line repeated across a page break: the new block is the tail of the previous one."""
    if len(block.text) < _MIN_REPEAT or prev.kind == "row" or block.kind == "row":
        return False
    a, b = fold(prev.text), fold(block.text)
    return a.endswith(b) and len(b) < len(a)


def _looks_like_heading(block: Block) -> bool:
    letters = [c for c in block.text if c.isalpha()]
    all_caps = bool(letters) and all(c.isupper() for c in letters)
    return block.kind == "heading" or block.bold or all_caps


def _continues(prev: Block, block: Block) -> bool:
    """True when ``block`` is the rest of a sentence that ``prev`` left unfinished."""
    if prev.kind == "row" or block.kind == "row" or _looks_like_heading(prev) or _looks_like_heading(block):
        return False
    if _SENTENCE_END.search(prev.text) or _LIST_START.match(block.text) or marker_of(block.text):
        return False
    first = block.text[0]
    if first.islower():
        return True
    # "… Chương trình phối hợp số 16-CTr/BDVTU-UBND, ngày" + "16/12/2021 về …": no sentence ends on "ngày".
    last_word = prev.text.rsplit(None, 1)[-1].lower()
    if last_word in _DANGLING and first.isalnum():
        return True
    if _WORD_HYPHEN_END.search(prev.text) and (first.isalnum()):
        return True
    # Across a page break, a long body line that stops mid-sentence is continued
    # by the next block even when that starts with a proper noun or a date.
    return block.page_break_before and len(prev.text) >= 60


def _join(prev: Block, block: Block) -> Block:
    glue = "" if _WORD_HYPHEN_END.search(prev.text) and not block.text[0].islower() else " "
    # The joined block keeps both halves' line boxes (the second shifted to its new offset), so a
    # sentence cut by a page break is still outlined on both pages.
    shift = len(prev.text) + len(glue)
    boxes = prev.boxes + tuple(replace(b, start=b.start + shift, end=b.end + shift) for b in block.boxes)
    return replace(prev, text=prev.text + glue + block.text, boxes=boxes, ocr=prev.ocr or block.ocr)
