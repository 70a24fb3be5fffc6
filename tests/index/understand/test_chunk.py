"""Passages: inside one section, whole list items, exact slices of the source."""

from __future__ import annotations

from index.read import read_file
from index.understand.chunk import ChunkingParams, chunk_sections
from index.understand.clean import clean_blocks
from index.understand.documents import split_documents
from index.understand.structure import build_sections
from tests.conftest import CORPUS


def _chunks(name: str, params: ChunkingParams = ChunkingParams()):
    blocks = clean_blocks(read_file(CORPUS / name))
    out = []
    for d in split_documents(blocks):
        text = "\n".join(b.text for b in d)
        out.append((text, chunk_sections("x", build_sections(d), params)))
    return out


def test_chunks_are_exact_slices_and_within_size():
    params = ChunkingParams()
    for path in CORPUS.iterdir():
        for text, chunks in _chunks(path.name):
            assert chunks
            for c in chunks:
                assert text[c.start:c.end] == c.text
                # A block longer than the size is cut at sentence boundaries; packing never exceeds size + tail.
                assert len(c.text) <= params.size + params.min_tail + 60, c.text[:80]


def test_list_item_stays_with_its_label_and_section():
    [(_, chunks)] = _chunks("sa-pa-2021-2025-kh-tang-cuong-dan-van.md")
    lead = [c for c in chunks if "Cơ quan chủ trì thực hiện: Phòng Nội vụ." in c.text]
    assert len(lead) == 1
    assert lead[0].section[-1].startswith("3.3. Tổ chức khảo sát, đánh giá sự hài lòng")


def test_bare_heading_is_not_a_passage():
    [(_, chunks)] = _chunks("sa-pa-2021-2025-kh-tang-cuong-dan-van.md")
    assert all(c.text.strip() not in ("II. MỤC TIÊU", "III. NHIỆM VỤ VÀ GIẢI PHÁP") for c in chunks)
    assert all(len(c.text) >= 60 for c in chunks)
