"""A file holding several documents is split where the second one's header starts."""

from __future__ import annotations

from index.read import read_file
from index.understand.clean import clean_blocks
from index.understand.documents import split_documents
from tests.conftest import CORPUS


def test_phu_tho_file_holds_cong_van_113_then_ke_hoach_06():
    docs = split_documents(clean_blocks(read_file(CORPUS / "phu-tho-2021-cv113-kh06-dan-van.md")))
    assert len(docs) == 2
    assert any("113 - CV/ĐUK" in b.text for b in docs[0])
    assert docs[1][0].text.startswith("Số: 06/KH-UBND-BDVTU")
    assert docs[0][-1].text == "Lưu ngọc Trâm"


def test_single_document_files_are_not_split():
    for path in CORPUS.iterdir():
        if "phu-tho" not in path.name:
            assert len(split_documents(clean_blocks(read_file(path)))) == 1, path.name
