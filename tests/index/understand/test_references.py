"""Cited documents: type, number, date, issuer, subject — nested ones too."""

from __future__ import annotations

from index.parse import parse_file
from tests.conftest import CORPUS


def _refs(name: str, doc: int = 0):
    return parse_file(CORPUS / name, name)[doc].references


def test_full_citation():
    ct16 = next(r for r in _refs("phu-tho-2021-cv113-kh06-dan-van.md") if r.number == "16/CT-TTg")
    assert (ct16.type, ct16.date, ct16.issuer) == ("Chỉ thị", "2016-05-16", "Thủ tướng Chính phủ")
    assert ct16.subject.startswith("tăng cường và đổi mới công tác dân vận")


def test_nested_and_joined_citations_are_all_found():
    numbers = {r.number for r in _refs("phu-tho-2021-cv113-kh06-dan-van.md")}
    assert {"04/2015/NĐ-CP", "149/2018/NĐ-CP", "25-NQ/TW", "43-KL/TW"} <= numbers
    nd149 = next(r for r in _refs("phu-tho-2021-cv113-kh06-dan-van.md") if r.number == "149/2018/NĐ-CP")
    assert nd149.date == "2018-11-07" and nd149.issuer == "Chính phủ"


def test_document_does_not_cite_itself_and_laws_by_name():
    refs = _refs("thanh-pho-2023-kh-phoi-hop-dan-van-chinh-quyen.md")
    assert any(r.type == "Luật" and r.subject == "Tiếp công dân" for r in refs)
    kh06 = _refs("phu-tho-2021-cv113-kh06-dan-van.md", doc=1)
    assert all(r.number != "06/KH-UBND-BDVTU" for r in kh06)
