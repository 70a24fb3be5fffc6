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


def _sections_of(texts: list[str]):
    from index.records import Block

    return build_sections(clean_blocks([Block(t) for t in texts]))


def test_repeated_text_in_one_section_gives_one_passage_not_thousands():
    line = "Ủy ban nhân dân tỉnh giao Sở Nội vụ chủ trì theo dõi, đôn đốc thực hiện kế hoạch này. "
    # One paragraph of the same sentence (soft line breaks in Markdown join lines into one block).
    chunks = chunk_sections("x", _sections_of(["KẾ HOẠCH", line * 2500]))
    assert 1 <= len(chunks) <= 5, len(chunks)
    assert len({c.text for c in chunks}) == len(chunks)
    assert any("giao Sở Nội vụ chủ trì" in c.text for c in chunks)


def test_the_same_words_under_different_headings_are_separate_passages():
    chunks = chunk_sections("x", _sections_of([
        "II. NHIỆM VỤ", "1. Khảo sát sự hài lòng", "- Thời gian thực hiện: Năm 2021",
        "2. Tập huấn cán bộ", "- Thời gian thực hiện: Năm 2021",
    ]))
    timed = [c for c in chunks if "Thời gian thực hiện: Năm 2021" in c.text]
    assert [c.section[-1] for c in timed] == ["1. Khảo sát sự hài lòng", "2. Tập huấn cán bộ"]
