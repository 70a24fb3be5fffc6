from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml

from index.errors import CorruptFile, EmptyDocument, ProtectedFile
from index.read import read_file
from index.read.docx_numbering import format_number

from .conftest import DATA, make_plan_docx

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


@pytest.fixture(scope="module")
def plan(tmp_path_factory) -> list:
    return read_file(make_plan_docx(tmp_path_factory.mktemp("docx") / "ke-hoach.docx"))


def _texts(blocks) -> list[str]:
    return [b.text for b in blocks]


def test_paragraphs_in_order_with_numbering_labels(plan):
    assert _texts(plan)[:13] == [
        "KẾ HOẠCH",
        "Phối hợp thực hiện công tác dân vận năm 2021",
        "Căn cứ ban hành",
        "Căn cứ Chương trình số 08-CTr/UBND-BDVTU ngày 24/3/2021, xây dựng kế hoạch như sau:",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "1. Mục đích",
        "a) Nâng cao chất lượng công tác dân vận",
        "b) Tăng cường sự phối hợp giữa các cấp",
        "2. Yêu cầu",
        "II. NỘI DUNG PHỐI HỢP",
        "1. Phối hợp thực hiện Quý I",  # restarted under the new section
        "- Cơ quan chủ trì thực hiện: Ban Dân vận Thị ủy.",  # a Word bullet reads as "-"
        "- Thời gian thực hiện: Năm 2022.",
    ]


def test_bold_and_heading_hints(plan):
    by_text = {b.text: b for b in plan}
    assert by_text["KẾ HOẠCH"].bold
    assert by_text["Phối hợp thực hiện công tác dân vận năm 2021"].bold  # two bold runs
    assert by_text["I. MỤC ĐÍCH, YÊU CẦU"].bold
    assert not by_text["1. Mục đích"].bold
    heading = by_text["Căn cứ ban hành"]
    assert (heading.kind, heading.heading_level) == ("heading", 2)
    assert by_text["KẾ HOẠCH"].kind == "paragraph"  # bold, but Word does not call it a heading
    assert all(b.page is None for b in plan)


def test_task_table_rows_in_order_and_merged_cell_once(plan):
    rows = [b for b in plan if b.kind == "row"]
    assert [r.text for r in rows] == [
        "TT | Nội dung | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian",
        "1 | Tổ chức hội nghị tập huấn công tác dân vận | Sở Nội vụ | Ban Dân vận Tỉnh ủy | Quý II/2021",
        "2 | Khảo sát sự hài lòng của người dân |  | UBND các huyện | Quý III/2021",
        "3 | Tổng kết kế hoạch phối hợp | Văn phòng UBND tỉnh | Các sở, ban, ngành và các địa phương"
        " | Tháng 12/2021",
    ]
    assert rows[0].bold and not rows[1].bold
    assert sum(r.text.count("Sở Nội vụ") for r in rows) == 1
    # Every row keeps its five columns, so the columns still line up with the header.
    assert {len(r.text.split(" | ")) for r in rows} == {5}
    assert _texts(plan)[-1] == "Trên đây là Kế hoạch phối hợp công tác dân vận năm 2021./."


def test_headers_and_footers_are_not_read(plan):
    assert not any("trang" in t.lower() and "không được đọc" in t for t in _texts(plan))


def test_horizontal_merge_is_not_repeated(tmp_path: Path):
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "BẢNG PHÂN CÔNG NHIỆM VỤ"
    for cell, text in zip(table.rows[1].cells, ["1", "Tuyên truyền", "Quý I"]):
        cell.text = text
    path = tmp_path / "gop-ngang.docx"
    document.save(str(path))
    assert [(b.kind, b.text) for b in read_file(path)] == [
        ("row", "BẢNG PHÂN CÔNG NHIỆM VỤ"),
        ("row", "1 | Tuyên truyền | Quý I"),
    ]


def _outline(document) -> None:
    numbering = document.part.numbering_part.element
    numbering.insert(
        0,
        parse_xml(
            f'<w:abstractNum {W} w:abstractNumId="80">'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/>'
            '<w:pStyle w:val="Heading1"/></w:lvl>'
            '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2."/>'
            "<w:isLgl/></w:lvl>"
            "</w:abstractNum>"
        ),
    )
    numbering.append(parse_xml(f'<w:num {W} w:numId="80"><w:abstractNumId w:val="80"/></w:num>'))
    numbering.append(
        parse_xml(
            f'<w:num {W} w:numId="81"><w:abstractNumId w:val="80"/>'
            '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
        )
    )


def test_numbering_from_the_heading_style_and_restarts(tmp_path: Path):
    document = docx.Document()
    _outline(document)
    heading = document.styles["Heading 1"].element
    heading.get_or_add_pPr().append(parse_xml(f'<w:numPr {W}><w:numId w:val="80"/></w:numPr>'))
    document.add_heading("MỤC ĐÍCH", level=1)
    item = document.add_paragraph("Mục đích chung")
    item._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {W}><w:ilvl w:val="1"/><w:numId w:val="80"/></w:numPr>')
    )
    document.add_heading("NỘI DUNG", level=1)
    # A second list instance of the same definition continues the count…
    again = document.add_paragraph("Tiếp tục đánh số")
    again._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {W}><w:ilvl w:val="0"/><w:numId w:val="80"/></w:numPr>')
    )
    # …unless it restarts with a startOverride.
    restart = document.add_paragraph("Danh sách mới")
    restart._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {W}><w:ilvl w:val="0"/><w:numId w:val="81"/></w:numPr>')
    )
    path = tmp_path / "danh-so.docx"
    document.save(str(path))
    blocks = read_file(path)
    assert _texts(blocks) == [
        "I. MỤC ĐÍCH",
        "1.1. Mục đích chung",  # isLgl: "I" shown as "1" inside a legal number
        "II. NỘI DUNG",
        "III. Tiếp tục đánh số",
        "I. Danh sách mới",
    ]
    assert blocks[0].kind == "heading" and blocks[0].heading_level == 1


@pytest.mark.parametrize(
    ("number", "fmt", "label"),
    [
        (4, "upperRoman", "IV"),
        (14, "lowerRoman", "xiv"),
        (2, "lowerLetter", "b"),
        (28, "upperLetter", "BB"),
        (7, "decimalZero", "07"),
        (3, "decimal", "3"),
        (5, "none", ""),
    ],
)
def test_number_formats(number: int, fmt: str, label: str):
    assert format_number(number, fmt) == label


def test_breaks_text_boxes_hidden_and_deleted_text(tmp_path: Path):
    document = docx.Document()
    header = document.add_paragraph()
    header._p.append(
        parse_xml(
            f'<w:r {W} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape><v:textbox><w:txbxContent>'
            "<w:p><w:r><w:t>ỦY BAN NHÂN DÂN TỈNH</w:t></w:r></w:p>"
            "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
        )
    )
    lines = document.add_paragraph()
    lines.add_run("TM. ỦY BAN NHÂN DÂN")
    lines.add_run().add_break()  # a manual line break: one block per line
    lines.add_run("CHỦ TỊCH")
    hidden = document.add_paragraph("Đoạn hiện ")
    hidden.add_run("ẩn").font.hidden = True
    hidden._p.append(
        parse_xml(f'<w:del {W} w:id="1" w:author="a"><w:r><w:delText>đã xóa</w:delText></w:r></w:del>')
    )
    hidden._p.append(parse_xml(f'<w:ins {W} w:id="2" w:author="a"><w:r><w:t>thêm</w:t></w:r></w:ins>'))
    document.add_page_break()
    document.add_paragraph("Trang sau")
    path = tmp_path / "dac-biet.docx"
    document.save(str(path))
    blocks = read_file(path)
    assert _texts(blocks) == [
        "ỦY BAN NHÂN DÂN TỈNH",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "Đoạn hiện thêm",
        "Trang sau",
    ]
    assert [b.page_break_before for b in blocks] == [False, False, False, False, True]


def test_tcvn3_paragraphs_are_converted(tmp_path: Path):
    document = docx.Document()
    run = document.add_paragraph().add_run("Céng hoµ x· héi chñ nghÜa ViÖt Nam")
    run.font.name = ".VnTime"
    document.add_paragraph("Kế hoạch này viết bằng Unicode.")
    document.add_paragraph("Uû ban nh©n d©n tØnh Phó Thä")
    path = tmp_path / "vntime.docx"
    document.save(str(path))
    assert _texts(read_file(path)) == [
        "Cộng hoà xã hội chủ nghĩa Việt Nam",
        "Kế hoạch này viết bằng Unicode.",
        "Uỷ ban nhân dân tỉnh Phú Thọ",
    ]


def test_truncated_docx_is_corrupt(tmp_path: Path, plan_docx: Path):
    broken = tmp_path / "cut.docx"
    broken.write_bytes(plan_docx.read_bytes()[:3000])
    with pytest.raises(CorruptFile) as caught:
        read_file(broken)
    assert "hỏng" in caught.value.user_message


def test_zip_that_is_not_a_word_file(tmp_path: Path):
    import zipfile

    path = tmp_path / "khong-phai.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    with pytest.raises(CorruptFile):
        read_file(path)


def test_password_protected_docx():
    with pytest.raises(ProtectedFile) as caught:
        read_file(DATA / "docx" / "mat-khau.docx")
    assert "mật khẩu" in caught.value.user_message


def test_empty_docx(tmp_path: Path):
    path = tmp_path / "trong.docx"
    docx.Document().save(str(path))
    with pytest.raises(EmptyDocument):
        read_file(path)


@pytest.mark.skipif(shutil.which("antiword") is None, reason="antiword is not installed")
def test_legacy_doc_named_docx_is_read_as_doc(tmp_path: Path):
    path = tmp_path / "cu.docx"
    shutil.copy(DATA / "doc" / "ke-hoach-phu-tho.doc", path)
    assert "Số: 06/KH-UBND-BDVTU" in _texts(read_file(path))
