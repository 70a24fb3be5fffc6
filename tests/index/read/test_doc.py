from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.errors import CorruptFile, ProtectedFile, ToolUnavailable
from index.read import doc, read_file

from .conftest import DATA, make_plan_docx

FIXTURE = DATA / "doc" / "ke-hoach-phu-tho.doc"  # Word 97 file written by LibreOffice
needs_antiword = pytest.mark.skipif(shutil.which("antiword") is None, reason="antiword is not installed")


@needs_antiword
def test_legacy_doc_paragraphs_and_task_table():
    blocks = read_file(FIXTURE)
    assert [(b.kind, b.text) for b in blocks] == [
        ("paragraph", "ỦY BAN NHÂN DÂN TỈNH PHÚ THỌ"),
        ("paragraph", "Số: 06/KH-UBND-BDVTU"),
        ("paragraph", "KẾ HOẠCH"),
        ("paragraph", "Phối hợp thực hiện công tác dân vận năm 2021"),
        (
            "paragraph",
            "Căn cứ Chương trình số 08-CTr/UBND-BDVTU ngày 24/3/2021 về phối hợp thực hiện công tác dân vận "
            "giữa Ủy ban nhân dân tỉnh và Ban Dân vận Tỉnh ủy, xây dựng kế hoạch với những nội dung sau:",
        ),
        ("paragraph", "I. MỤC ĐÍCH, YÊU CẦU"),
        ("paragraph", "1. Tiếp tục nâng cao chất lượng, hiệu quả công tác dân vận chính quyền."),
        ("paragraph", "II. NỘI DUNG PHỐI HỢP"),
        ("row", "TT | Nội dung | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian"),
        (
            "row",
            "1 | Tổ chức hội nghị tập huấn công tác dân vận cho cán bộ, công chức | Sở Nội vụ | "
            "Ban Dân vận Tỉnh ủy | Quý II/2021",
        ),
        (
            "row",
            "2 | Khảo sát sự hài lòng của người dân đối với cơ quan hành chính |  | "
            "UBND các huyện, thành, thị | Quý III/2021",
        ),
        ("row", "3 | Tổng kết kế hoạch phối hợp | Văn phòng UBND tỉnh | Các sở, ban, ngành | Tháng 12/2021"),
        ("paragraph", "Trên đây là Kế hoạch phối hợp công tác dân vận năm 2021./."),
    ]
    assert all(b.page is None and not b.bold for b in blocks)


def test_wrapped_antiword_table_rows_are_rejoined():
    # antiword output at its default width: cells wrap inside fixed columns.
    output = (
        "Kế hoạch\n\n"
        "|TT           |Nội dung     |Cơ quan chủ  |Thời gian    |\n"
        "|             |             |trì          |             |\n"
        "|1            |Tổ chức hội  |Sở Nội vụ    |Quý II/2021  |\n"
        "|             |nghị tập huấn|             |             |\n"
        "|             |công tác dân |             |             |\n"
        "|             |vận          |             |             |\n"
        "|             |Nhiệm vụ gộp |             |Quý III/2021 |\n"
        "\n[pic]\n\fTrang sau\n"
    )
    blocks = doc._blocks(output, from_antiword=True)
    assert [(b.kind, b.text, b.page_break_before) for b in blocks] == [
        ("paragraph", "Kế hoạch", False),
        ("row", "TT | Nội dung | Cơ quan chủ trì | Thời gian", False),
        ("row", "1 | Tổ chức hội nghị tập huấn công tác dân vận | Sở Nội vụ | Quý II/2021", False),
        # A row whose first cell is merged from above is a row, not a wrapped line.
        ("row", "| Nhiệm vụ gộp |  | Quý III/2021", False),
        ("paragraph", "Trang sau", True),
    ]


def test_random_bytes_doc_is_corrupt(tmp_path: Path):
    path = tmp_path / "hong.doc"
    path.write_bytes(b"\x00\x01garbage" * 300)
    with pytest.raises(CorruptFile) as caught:
        read_file(path)
    assert "Word" in caught.value.user_message


@needs_antiword
def test_truncated_doc_is_corrupt(tmp_path: Path):
    path = tmp_path / "cut.doc"
    path.write_bytes(FIXTURE.read_bytes()[:9000])
    with pytest.raises(CorruptFile):
        read_file(path)


def test_rtf_named_doc_says_what_it_is(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(doc, "_soffice", lambda: None)
    path = tmp_path / "cong-van.doc"
    path.write_bytes(rb"{\rtf1\ansi Cong van}")
    with pytest.raises(CorruptFile) as caught:
        read_file(path)
    assert "RTF" in caught.value.user_message


def test_docx_named_doc_is_read_as_docx(tmp_path: Path):
    path = make_plan_docx(tmp_path / "ke-hoach.doc")
    assert read_file(path)[0].text == "KẾ HOẠCH"


def test_no_tool_for_doc(monkeypatch):
    monkeypatch.setattr(doc.shutil, "which", lambda name: None)
    with pytest.raises(ToolUnavailable) as caught:
        read_file(FIXTURE)
    assert "antiword" in caught.value.user_message


@needs_antiword
def test_encrypted_doc_is_protected(tmp_path: Path, monkeypatch):
    # antiword's own message for a password-protected Word 97 file.
    def fake_run(*args, **kwargs):
        import subprocess

        return subprocess.CompletedProcess(args, 1, b"", b"Encrypted documents are not supported\n")

    monkeypatch.setattr(doc.subprocess, "run", fake_run)
    with pytest.raises(ProtectedFile):
        read_file(FIXTURE)


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice is not installed (optional fallback)"
)
def test_libreoffice_fallback(monkeypatch):
    real_which = shutil.which
    monkeypatch.setattr(doc.shutil, "which", lambda name: None if name == "antiword" else real_which(name))
    texts = [b.text for b in read_file(FIXTURE)]
    assert "Số: 06/KH-UBND-BDVTU" in texts
    assert any("Sở Nội vụ" in t for t in texts)
