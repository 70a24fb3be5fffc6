from __future__ import annotations

from pathlib import Path

import pytest

from index.read import markdown, read_file
from index.records import Block

CORPUS = Path(__file__).resolve().parents[3] / "corpus"
CORPUS_FILES = sorted(CORPUS.glob("*.md"))


def _texts(blocks: list[Block]) -> list[str]:
    return [b.text for b in blocks]


def _find(blocks: list[Block], text: str) -> Block:
    matches = [b for b in blocks if b.text == text]
    assert matches, f"no block {text!r}"
    return matches[0]


@pytest.fixture(scope="module")
def phu_tho() -> list[Block]:
    return read_file(CORPUS / "phu-tho-2021-cv113-kh06-dan-van.md")


def test_corpus_is_there():
    assert len(CORPUS_FILES) == 5


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.stem)
def test_no_markup_left_in_any_corpus_file(path: Path):
    blocks = read_file(path)
    assert len(blocks) > 40
    for block in blocks:
        assert block.text == block.text.strip()
        assert block.text, block
        for debris in ("**", "__", "\\*", "\\", "<sup>", "</sup>", "<", "#"):
            assert debris not in block.text, (debris, block.text)
        assert block.page is None
    # The files open with blank lines: that is not a page break.
    assert not blocks[0].page_break_before


def test_phu_tho_numbers_come_out_clean(phu_tho):
    assert _find(phu_tho, "Số 113 - CV/ĐUK").bold
    number = _find(phu_tho, "Số: 06/KH-UBND-BDVTU")
    assert not number.bold
    # It opens the second document, after a run of blank lines: a page break.
    assert number.page_break_before


def test_phu_tho_addressee_is_one_block(phu_tho):
    assert "Kính gửi: Các chi, đảng ủy cơ sở" in _texts(phu_tho)


def test_bold_header_across_hard_line_break_gives_two_bold_lines(phu_tho):
    texts = _texts(phu_tho)
    i = texts.index("ĐẢNG BỘ TỈNH PHÚ THỌ")
    assert texts[i + 1] == "ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH"
    assert phu_tho[i].bold and phu_tho[i + 1].bold


def test_sentence_cut_by_a_page_break_is_flagged(phu_tho):
    texts = _texts(phu_tho)
    i = next(n for n, t in enumerate(texts) if t.startswith("CP ngày 09/01/2015"))
    assert phu_tho[i].page_break_before
    assert texts[i - 1].endswith("Nghị định số 04/2015/NĐ-")
    assert not phu_tho[i - 1].page_break_before


def test_headings_keep_level_and_numbering(phu_tho):
    heading = _find(phu_tho, "2. Phối hợp thực hiện Quý II")
    assert (heading.kind, heading.heading_level, heading.bold) == ("heading", 2, True)
    plan = _find(phu_tho, "KẾ HOẠCH")
    assert (plan.kind, plan.heading_level, plan.bold) == ("heading", 2, False)
    # Bold paragraphs are not headings: only "#" says heading.
    assert _find(phu_tho, "Số 113 - CV/ĐUK").kind == "paragraph"


def test_partly_bold_line_is_not_bold(phu_tho):
    block = next(
        b for b in phu_tho if b.text.startswith("3. UBND các huyện, thành, thị và các sở, ban, ngành: Căn cứ")
    )
    assert not block.bold


def test_list_markers_stay_and_escapes_are_resolved(phu_tho):
    texts = _texts(phu_tho)
    assert "- Ban Dân vận TW," in texts
    assert "- Lưu VT, BDVTU, VX4." in texts
    assert "*" in texts  # "\*" in the source is a literal asterisk
    assert "Ky: Trang TTĐ" in texts  # italics removed


def test_rules_are_dropped_and_source_spelling_is_kept(phu_tho):
    texts = _texts(phu_tho)
    assert not any(set(t) <= {"-", "*", "_", " "} and len(t) >= 3 for t in texts)
    assert "Phủ Thọ, ngày 24 tháng 3 năm 2021" in texts  # the source's typo, not corrected


def test_footnote_numbers_disappear():
    blocks = read_file(CORPUS / "thanh-pho-2023-kh-phoi-hop-dan-van-chinh-quyen.md")
    text = next(b.text for b in blocks if b.text.startswith("- Thực hiện tốt Quy chế công tác dân vận"))
    assert "hệ thống chính trị; nâng cao hiệu quả" in text
    assert any(b.text.startswith("Quyết định số 936-QĐ/TU, ngày 04/11/2021") for b in blocks)
    assert any(b.text.startswith("- Nghị quyết 25-NQ/TW của Ban Chấp hành") for b in blocks)


def test_sa_pa_bold_italic_subsection_and_assignment_items():
    blocks = read_file(CORPUS / "sa-pa-2021-2025-kh-tang-cuong-dan-van.md")
    sub = next(b for b in blocks if b.text.startswith("3.1. Tổ chức các lớp bồi dưỡng"))
    assert sub.bold and sub.kind == "paragraph"
    assert "- Cơ quan chủ trì thực hiện: Ban Dân vận Thị ủy." in _texts(blocks)
    title = next(b for b in blocks if b.text.startswith("tăng cường công tác dân vận của các cơ quan"))
    assert (title.kind, title.heading_level, title.bold) == ("heading", 3, True)


def test_quang_ngai_soft_break_inside_bold_signature():
    blocks = read_file(CORPUS / "quang-ngai-2021-kh40-phoi-hop-dan-van.md")
    texts = _texts(blocks)
    i = texts.index("BAN DÂN VẬN TỈNH ỦY")
    assert texts[i + 1] == "TRƯỞNG BAN"
    assert blocks[i].bold and blocks[i + 1].bold
    assert blocks[i + 2].text == "Võ Thanh An" and blocks[i + 2].page_break_before


def test_tables_become_rows():
    blocks = markdown.parse(
        "Bảng phân công:\n\n"
        "| TT | Nội dung | Cơ quan chủ trì |\n"
        "|---:|:---------|-----------------|\n"
        "| 1 | **Tổ chức hội nghị** | Sở Nội vụ |\n"
        "| 2 | Khảo sát A \\| B | |\n"
        "\nSau bảng."
    )
    assert [(b.kind, b.text) for b in blocks] == [
        ("paragraph", "Bảng phân công:"),
        ("row", "TT | Nội dung | Cơ quan chủ trì"),
        ("row", "1 | Tổ chức hội nghị | Sở Nội vụ"),
        ("row", "2 | Khảo sát A | B |"),
        ("paragraph", "Sau bảng."),
    ]


def test_other_markdown_forms():
    blocks = markdown.parse(
        "Tiêu đề kiểu setext\n===\n\n"
        "* Mục một\n+ Mục con\n\n"
        "Dòng có <u>gạch chân</u> và [liên kết](http://x.vn) và `mã`<br>dòng sau\n\n"
        "> Trích dẫn **đậm**\n\n\n"
        "---\n\n"
        "Sau ngắt trang.\n"
        "### Đề mục ###\n"
    )
    assert [(b.text, b.kind, b.heading_level) for b in blocks] == [
        ("Tiêu đề kiểu setext", "heading", 1),
        ("- Mục một", "paragraph", None),
        ("+ Mục con", "paragraph", None),
        ("Dòng có gạch chân và liên kết và mã", "paragraph", None),
        ("dòng sau", "paragraph", None),
        ("Trích dẫn đậm", "paragraph", None),
        ("Sau ngắt trang.", "paragraph", None),
        ("Đề mục", "heading", 3),
    ]
    # The break before the dropped rule moves to the next block.
    assert [b.page_break_before for b in blocks] == [False] * 6 + [True, False]


def test_unicode_form_of_the_source_is_kept(tmp_path: Path):
    import unicodedata

    nfd = unicodedata.normalize("NFD", "**Ủy ban nhân dân tỉnh**")
    path = tmp_path / "nfd.md"
    path.write_text(nfd + "\n", encoding="utf-8")
    (block,) = read_file(path)
    assert block.text == unicodedata.normalize("NFD", "Ủy ban nhân dân tỉnh")
    assert block.bold
