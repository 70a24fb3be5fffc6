from __future__ import annotations

import re
from pathlib import Path

import pytest

from index import errors
from index.errors import CorruptFile, EmptyDocument, ReadError, UnsupportedFormat
from index.read import SUPPORTED_EXTENSIONS, markdown, read_file


def test_supported_extensions():
    assert SUPPORTED_EXTENSIONS == (".md", ".txt", ".docx", ".doc", ".pdf")


def test_unsupported_format():
    with pytest.raises(UnsupportedFormat) as caught:
        read_file(Path("x.xlsx"))
    assert ".docx" in caught.value.user_message
    assert "x.xlsx" in str(caught.value)


def test_suffix_case_does_not_matter(tmp_path: Path):
    path = tmp_path / "KE-HOACH.MD"
    path.write_text("# **Kế hoạch**\n", encoding="utf-8")
    (block,) = read_file(path)
    assert (block.text, block.kind, block.heading_level, block.bold) == ("Kế hoạch", "heading", 1, True)


def test_missing_file(tmp_path: Path):
    with pytest.raises(ReadError) as caught:
        read_file(tmp_path / "khong-co.pdf")
    assert "Không tìm thấy" in caught.value.user_message


def test_markup_only_markdown_is_empty(tmp_path: Path):
    path = tmp_path / "trong.md"
    path.write_text("\n-----\n<sup>1</sup>\n\n#\n", encoding="utf-8")
    with pytest.raises(EmptyDocument):
        read_file(path)


def test_reader_bug_becomes_corrupt_file_with_cause(tmp_path: Path, monkeypatch):
    def broken(path: Path):
        raise ValueError("unexpected structure")

    monkeypatch.setattr(markdown, "read", broken)
    path = tmp_path / "a.md"
    path.write_text("nội dung", encoding="utf-8")
    with pytest.raises(CorruptFile) as caught:
        read_file(path)
    assert isinstance(caught.value.__cause__, ValueError)
    assert "a.md" in str(caught.value) and "unexpected structure" in str(caught.value)


_VIETNAMESE = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]")


@pytest.mark.parametrize(
    "error",
    [
        errors.ReadError,
        errors.UnsupportedFormat,
        errors.EmptyDocument,
        errors.EncodingError,
        errors.ProtectedFile,
        errors.CorruptFile,
        errors.OcrUnavailable,
        errors.ToolUnavailable,
    ],
    ids=lambda e: e.__name__,
)
def test_every_read_error_speaks_vietnamese(error):
    assert _VIETNAMESE.search(error("detail").user_message)
    assert issubclass(error, ReadError)
