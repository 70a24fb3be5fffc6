"""Section tree from the numbering, not from Markdown heading levels."""

from __future__ import annotations

import pytest

from index.read import read_file
from index.records import Block
from index.understand.clean import clean_blocks
from index.understand.documents import split_documents
from index.understand.structure import CLOSING, PREAMBLE, build_sections, marker_of
from tests.conftest import CORPUS


def _sections(name: str, doc: int = 0):
    blocks = clean_blocks(read_file(CORPUS / name))
    return build_sections(split_documents(blocks)[doc])


@pytest.mark.parametrize("text, kind, label", [
    ("I. MỤC ĐÍCH, YÊU CẦU", "roman", "I"), ("IV. Tổ chức thực hiện", "roman", "IV"),
    ("3. Một số hoạt động cụ thể", "arabic", "3"), ("3.4.1. Xây dựng tài liệu", "dotted", "3.4.1"),
    ("3.1 Tổ chức", "dotted", "3.1"), ("a) Nội dung", "letter", "a"), ("(1) 100% các cơ quan", "paren", "1"),
    ("Điều 5. Giải thích từ ngữ", "article", "5"), ("Chương II", "chapter", "II"),
])
def test_markers(text, kind, label):
    m = marker_of(text)
    assert m is not None and (m.kind, m.label) == (kind, label)


@pytest.mark.parametrize("text", ["V/v triển khai", "Mục tiêu chung", "2021 là năm", "- Cơ quan chủ trì", "Số 113"])
def test_not_markers(text):
    assert marker_of(text) is None


def test_sa_pa_paths_follow_numbering_not_heading_levels():
    # "#### I.", "## 2.", "### 1.", "***3.1.***" and "**3.4.1.**" mix heading levels freely.
    paths = {s.path for s in _sections("sa-pa-2021-2025-kh-tang-cuong-dan-van.md")}
    assert ("II. MỤC TIÊU", "2. Mục tiêu cụ thể") in paths
    survey = [p for p in paths if p[-1].startswith("3.3.")]
    assert survey == [("III. NHIỆM VỤ VÀ GIẢI PHÁP", "3. Một số hoạt động cụ thể",
                       "3.3. Tổ chức khảo sát, đánh giá sự hài lòng của người dân đối với các cơ quan hành chính, "
                       "đơn vị sự nghiệp công lập…")]
    deep = [p for p in paths if p[-1].startswith("3.4.1.")]
    assert len(deep) == 1 and deep[0][2].startswith("3.4. Xây dựng tài liệu") and len(deep[0]) == 4
    assert ("IV. TỔ CHỨC THỰC HIỆN", "1. Ban Dân vận Thị ủy") in paths


def test_numbered_paragraph_closes_the_previous_sibling():
    # Phú Thọ KH06: "**3. UBND các huyện…:** Căn cứ …" is a running paragraph, a sibling of "2. Ban Dân vận Tỉnh ủy".
    sections = _sections("phu-tho-2021-cv113-kh06-dan-van.md", doc=1)
    owner = next(s for s in sections if any(b.text.startswith("3. UBND các huyện") for b in s.blocks))
    assert owner.path == ("III. TỔ CHỨC THỰC HIỆN",)


def test_preamble_and_closing_sections():
    sections = _sections("hoa-binh-2021-kh-dan-van-chinh-quyen.md")
    assert sections[0].path == (PREAMBLE,)
    assert sections[-1].path == (CLOSING,)
    assert any("Đình Công Sứ" in b.text for b in sections[-1].blocks)


def test_section_offsets_point_into_document_text():
    blocks = clean_blocks(read_file(CORPUS / "quang-ngai-2021-kh40-phoi-hop-dan-van.md"))
    text = "\n".join(b.text for b in blocks)
    for s in build_sections(blocks):
        assert text[s.start:s.start + len(s.text)] == s.text


def test_law_articles():
    blocks = [Block("LUẬT"), Block("DU LỊCH"), Block("Chương I"), Block("NHỮNG QUY ĐỊNH CHUNG"),
              Block("Điều 1. Phạm vi điều chỉnh"), Block("Luật này quy định về tài nguyên du lịch " * 8),
              Block("Điều 2. Đối tượng áp dụng"), Block("1. Cơ quan, tổ chức, cá nhân Việt Nam " * 5 + "."),
              Block("a) Khách du lịch trong nước " * 3 + ";")]
    paths = [s.path for s in build_sections(blocks)]
    assert ("Chương I", "Điều 2. Đối tượng áp dụng") in paths
    assert all(len(p) <= 2 for p in paths)


# --------------------------------------------------------------------------- real documents (scans, Công văn)


def _cong_van(*body: Block) -> list[Block]:
    return [Block("BỘ CÔNG AN"), Block("Số: 5240/BCA-V01"), Block("V/v tổng kết công tác PCMT năm 2025"),
            Block("Kính gửi: Ủy ban nhân dân các tỉnh, thành phố."),
            Block("Thực hiện Quy chế công tác của Ủy ban Quốc gia phòng, chống AIDS, ma túy, mại dâm, Bộ Công an "
                  "trân trọng đề nghị các Bộ, ngành và địa phương xây dựng báo cáo tổng kết như sau: " * 2),
            *body,
            Block("Nơi nhận:"), Block("- Như trên;"), Block("- Lưu: VT, V01."), Block("KT. BỘ TRƯỞNG"),
            Block("THỨ TRƯỞNG")]


def test_numbered_requests_under_no_heading_are_sections():
    blocks = _cong_van(
        Block("1. Về nội dung: thực hiện theo đề cương gửi kèm, tập trung đánh giá kết quả thực hiện."),
        Block("- Kết quả công tác phòng ngừa;"), Block("- Kết quả đấu tranh với tội phạm."),
        Block("2. Báo cáo tổng kết gửi về Bộ Công an trước ngày 20/12/2025 để tổng hợp, báo cáo Thủ tướng."))
    by_path = {s.path: s for s in build_sections(blocks)}
    assert ("1. Về nội dung",) in by_path  # titled by its lead up to the colon
    assert [b.text for b in by_path[("1. Về nội dung",)].blocks][1:] == ["- Kết quả công tác phòng ngừa;",
                                                                       "- Kết quả đấu tranh với tội phạm."]
    second = [p for p in by_path if p[0].startswith("2. Báo cáo tổng kết gửi về Bộ Công an")]
    assert len(second) == 1 and not by_path[second[0]].heading  # a paragraph, not a bare title


def test_attachment_after_the_signature_is_not_the_signature_block():
    blocks = _cong_van(Block("1. Về nội dung: thực hiện theo đề cương gửi kèm."),
                       Block("2. Về thời hạn: gửi báo cáo trước ngày 20/12/2025.")) + [
        Block("ĐỀ CƯƠNG"), Block("BÁO CÁO TỔNG KẾT CÔNG TÁC PHÒNG, CHỐNG MA TÚY NĂM 2025"),
        Block("I. Tình hình"), Block("1. Tình hình tội phạm và tệ nạn ma túy"),
        Block("II. Kết quả công tác phòng, chống ma túy"), Block("1. Công tác tham mưu, chỉ đạo")]
    paths = [s.path for s in build_sections(blocks)]
    closing = [p for p in paths if p == (CLOSING,)]
    assert len(closing) == 1
    annex = "ĐỀ CƯƠNG BÁO CÁO TỔNG KẾT CÔNG TÁC PHÒNG, CHỐNG MA TÚY NĂM 2025"
    assert (annex, "II. Kết quả công tác phòng, chống ma túy", "1. Công tác tham mưu, chỉ đạo") in paths
    assert paths.index((CLOSING,)) < paths.index((annex,))


def test_ocr_misread_roman_numeral_continues_the_numbering():
    ocr = {"ocr": True}
    blocks = [Block("KẾ HOẠCH", **ocr), Block("Phối hợp kiểm soát tiền chất năm 2026", **ocr),
              Block("I. MỤC ĐÍCH, YÊU CẦU", **ocr), Block("1. Tăng cường phối hợp giữa các lực lượng.", **ocr),
              Block("H. TỔ CHỨC THỰC HIỆN", **ocr), Block("1. Giao Phòng 5 chủ trì, theo dõi, đôn đốc.", **ocr)]
    paths = [s.path for s in build_sections(blocks)]
    assert any(p[0] == "H. TỔ CHỨC THỰC HIỆN" for p in paths)
    assert not any(p[0] == "I. MỤC ĐÍCH, YÊU CẦU" and "Giao Phòng 5" in " ".join(p) for p in paths)
    # Typed text is taken as written: "H." there is no numeral.
    typed = [Block(b.text) for b in blocks]
    assert not any(p[0].startswith("H.") for p in (s.path for s in build_sections(typed)))


def test_part_numbered_in_words():
    assert marker_of("Phần thứ hai") is not None and marker_of("Phần thứ hai").kind == "part"
