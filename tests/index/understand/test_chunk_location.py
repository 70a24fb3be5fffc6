"""Passages keep the place of their lines on the page(s), through page-break joins and cuts."""

from __future__ import annotations

from index.records import Block, Box, Chunk
from index.store.database import Database
from index.understand.chunk import ChunkingParams, chunk_sections
from index.understand.clean import clean_blocks
from index.understand.structure import build_sections


def _block(text: str, page: int, top: float, ocr: bool = True, **kw) -> Block:
    """One block per line, as a page's OCR gives it."""
    return Block(text, page=page, ocr=ocr, boxes=(Box(page, 70, top, 520, top + 14, 0, len(text)),), **kw)


def test_sentence_cut_by_a_page_break_is_located_on_both_pages():
    blocks = [
        _block("I. TỔ CHỨC THỰC HIỆN", 1, 100),
        _block("1. Sở Nội vụ chủ trì, phối hợp với các sở, ngành rà soát, cập nhật hồ sơ của", 1, 760),
        _block("cán bộ, công chức trên hệ thống, hoàn thành trước ngày 30/6/2025.", 2, 60, page_break_before=True),
    ]
    joined = clean_blocks(blocks)
    assert len(joined) == 2
    [chunk] = [c for c in chunk_sections("d", build_sections(joined)) if "30/6/2025" in c.text]
    assert chunk.pages == (1, 2) and chunk.ocr
    # Each box still points at its own words inside the passage.
    assert [chunk.text[b.start:b.end] for b in chunk.boxes if b.page == 2] == [blocks[2].text]


def test_a_cut_long_block_keeps_only_its_own_lines():
    lines = [f"Câu số {i} của đoạn dài nói về việc rà soát hồ sơ cán bộ, công chức trên địa bàn tỉnh." for i in range(12)]
    text = " ".join(lines)
    boxes, pos = [], 0
    for i, line in enumerate(lines):
        boxes.append(Box(1, 70, 100 + 16 * i, 520, 114 + 16 * i, pos, pos + len(line)))
        pos += len(line) + 1
    block = Block(text, page=1, boxes=tuple(boxes))
    chunks = chunk_sections("d", build_sections([block]), ChunkingParams(size=300, min_tail=50))
    assert len(chunks) >= 3
    for c in chunks:
        assert c.boxes, c.text[:40]
        for b in c.boxes:
            assert 0 <= b.start < b.end <= len(c.text)
        # The last chunk starts low on the page, the first high: no chunk claims all the lines.
    assert max(b.top for b in chunks[0].boxes) < min(b.top for b in chunks[-1].boxes)
    assert not any(c.ocr for c in chunks)


def test_boxes_survive_the_store(tmp_path):
    db = Database(tmp_path / "index.sqlite")
    chunk = Chunk(0, "d-0", ("1. Mục",), "Sở Nội vụ chủ trì.", 0, 18,
                  boxes=(Box(2, 70.04, 400.26, 520.0, 414.0, 0, 18),), ocr=True)
    [cid] = db.add_chunks([chunk], ["k"], [["so"]], [["sở"]])
    plain = Chunk(0, "d-0", ("1. Mục",), "Không có trang.", 19, 34)
    [pid] = db.add_chunks([plain], ["k2"], [["khong"]], [["không"]])
    got = db.chunks([cid, pid])
    assert got[cid].pages == (2,) and got[cid].ocr and got[cid].boxes[0].top == 400.3
    assert got[pid].boxes == () and not got[pid].ocr
