"""Page-break debris: cut sentences joined, repeated lines and page numbers dropped."""

from __future__ import annotations

from index.read import read_file
from index.records import Block
from index.understand.clean import clean_blocks
from tests.conftest import CORPUS


def test_sentence_cut_by_page_break_is_joined():
    blocks = clean_blocks([
        Block("- Tăng cường các hoạt động nắm tình hình nhân dân, không để xảy ra tình trạng các đoàn khiếu kiện thuộc"),
        Block("thẩm quyền của các địa phương lên cấp trên.", page_break_before=True),
    ])
    assert len(blocks) == 1 and "khiếu kiện thuộc thẩm quyền" in blocks[0].text


def test_word_hyphenated_across_break_is_glued():
    blocks = clean_blocks([Block("theo Nghị định số 04/2015/NĐ-"), Block("CP ngày 09/01/2015 của Chính phủ.",
                                                                        page_break_before=True)])
    assert [b.text for b in blocks] == ["theo Nghị định số 04/2015/NĐ-CP ngày 09/01/2015 của Chính phủ."]


def test_repeated_line_and_page_number_dropped():
    blocks = clean_blocks([
        Block("- Khảo sát, rà soát việc thực hiện dân chủ; về công tác dân vận ở vùng đồng bào dân tộc thiểu số."),
        Block("2", page_break_before=True),
        Block("công tác dân vận ở vùng đồng bào dân tộc thiểu số."),
        Block("- Đánh giá kết quả công tác tuyên truyền."),
    ])
    assert [b.text[:12] for b in blocks] == ["- Khảo sát, ", "- Đánh giá k"]
    assert blocks[1].page_break_before


def test_headings_and_list_items_are_not_joined():
    blocks = clean_blocks([Block("1. Mục đích", bold=True), Block("tiếp tục nâng cao"),
                           Block("Cơ quan chủ trì thực hiện: Ban Dân vận Thị ủy"), Block("- Thời gian: Năm 2022")])
    assert len(blocks) == 4


def test_corpus_debris_removed():
    text = "\n".join(b.text for b in clean_blocks(read_file(CORPUS / "phu-tho-2021-cv113-kh06-dan-van.md")))
    assert "Nghị định số 04/2015/NĐ-CP ngày 09/01/2015" in text
    assert text.count("tác dân vận ở vùng đồng bào dân tộc thiểu số tại một số địa phương") == 1
    assert "bố trí cán bộ lãnh đạo Ban Dân vận cấp ủy tham gia tiếp công dân" in text


def test_a_line_pasted_over_and_over_is_kept_once():
    line = "Ủy ban nhân dân tỉnh giao Sở Nội vụ chủ trì theo dõi, đôn đốc thực hiện kế hoạch này."
    blocks = clean_blocks([Block("KẾ HOẠCH", bold=True), *[Block(line) for _ in range(5000)],
                           Block("III. TỔ CHỨC THỰC HIỆN", bold=True)])
    assert [b.text for b in blocks] == ["KẾ HOẠCH", line, "III. TỔ CHỨC THỰC HIỆN"]


def test_a_line_recurring_under_different_headings_stays():
    texts = ["1. Khảo sát sự hài lòng", "- Thời gian thực hiện: Năm 2021",
             "2. Tập huấn cán bộ", "- Thời gian thực hiện: Năm 2021"]
    assert [b.text for b in clean_blocks([Block(t) for t in texts])] == texts


def test_identical_table_rows_stay():
    rows = [Block("x | x | Năm 2021", kind="row"), Block("x | x | Năm 2021", kind="row")]
    assert len(clean_blocks(rows)) == 2
