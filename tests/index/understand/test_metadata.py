"""Metadata of the six documents of the starting corpus, read from their text."""

from __future__ import annotations

import pytest

from index.read import read_file
from index.records import Block
from index.understand.clean import clean_blocks
from index.understand.documents import split_documents
from index.understand.metadata import extract, type_from_number
from tests.conftest import CORPUS

# file, ordinal -> (type, number, date, issuer, locality, title, signer)
EXPECTED = {
    ("hoa-binh-2021-kh-dan-van-chinh-quyen.md", 0): (
        "Kế hoạch", None, None, "Ủy ban nhân dân tỉnh Hòa Bình", "Hòa Bình",
        "Thực hiện công tác dân vận chính quyền năm 2021", "Đình Công Sứ"),
    ("phu-tho-2021-cv113-kh06-dan-van.md", 0): (
        "Công văn", "113-CV/ĐUK", "2021-04-16", "Đảng ủy Khối các cơ quan tỉnh Phú Thọ", "Phú Thọ",
        "triển khai thực hiện Kế hoạch công tác Dân vận", "Lưu ngọc Trâm"),
    ("phu-tho-2021-cv113-kh06-dan-van.md", 1): (
        "Kế hoạch", "06/KH-UBND-BDVTU", "2021-03-24", "Ủy ban nhân dân tỉnh Phú Thọ và Ban Dân vận Tỉnh ủy",
        "Phú Thọ", "Phối hợp thực hiện công tác dân vận năm 2021", "Nguyễn Thị Thanh Huyền; Hồ Đại Dũng"),
    ("quang-ngai-2021-kh40-phoi-hop-dan-van.md", 0): (
        "Kế hoạch", "40 KH/BDVTU-BCSDUBND", "2021-01-11",
        "Ban Dân vận Tỉnh ủy và Ban Cán sự đảng Ủy ban nhân dân tỉnh Quảng Ngãi", "Quảng Ngãi",
        "phối hợp thực hiện công tác dân vận năm 2021", "Võ Phiên; Võ Thanh An"),
    ("sa-pa-2021-2025-kh-tang-cuong-dan-van.md", 0): (
        "Kế hoạch", None, None, "Thị ủy Sa Pa", "Sa Pa",
        "tăng cường công tác dân vận của các cơ quan Nhà nước, Mặt trận Tổ quốc và các tổ chức chính trị - xã hội "
        "các cấp trên địa bàn thị xã, giai đoạn 2021 - 2025", "Thào A Sinh"),
    ("thanh-pho-2023-kh-phoi-hop-dan-van-chinh-quyen.md", 0): (
        "Kế hoạch", None, None, "Ban Dân vận Thành ủy và Ủy ban nhân dân Thành phố", None,
        "phối hợp thực hiện công tác dân vận chính quyền năm 2023", "Nguyễn Trung Hiếu; Nguyễn Ngọc Thành"),
}


def _documents(name: str):
    blocks = clean_blocks(read_file(CORPUS / name))
    return [extract(d, doc_id=f"t-{i}", file=name) for i, d in enumerate(split_documents(blocks))]


def test_every_corpus_file_yields_the_expected_documents():
    found = {}
    for path in sorted(CORPUS.iterdir()):
        for i, doc in enumerate(_documents(path.name)):
            found[(path.name, i)] = doc
    assert set(found) == set(EXPECTED)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_metadata_table(key):
    doc = _documents(key[0])[key[1]]
    got = (doc.type, doc.number, doc.date, doc.issuer, doc.locality, doc.title, doc.signer)
    assert got == EXPECTED[key]


def test_receipt_stamp_is_not_the_document_number():
    # Kế hoạch 06 carries an incoming-mail stamp "CÔNG VĂN ĐẾN Số 638 Ngày 31/3/21".
    kh06 = _documents("phu-tho-2021-cv113-kh06-dan-van.md")[1]
    assert kh06.number == "06/KH-UBND-BDVTU" and kh06.type == "Kế hoạch"


def test_file_name_is_never_used():
    blocks = clean_blocks(read_file(CORPUS / "sa-pa-2021-2025-kh-tang-cuong-dan-van.md"))
    doc = extract(blocks, doc_id="x", file="01CT_20250509_154257.pdf")
    assert doc.type == "Kế hoạch" and doc.number is None and doc.date is None


def test_header_in_a_table_and_numeric_date():
    blocks = [
        Block("ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", kind="row"),
        Block("SỞ NỘI VỤ | Độc lập - Tự do - Hạnh phúc", kind="row"),
        Block("Số: 125/SNV-XDCQ | Quảng Ngãi, ngày 05/02/2024", kind="row"),
        Block("V/v báo cáo kết quả công tác dân vận chính quyền năm 2023"),
        Block("Kính gửi: Ủy ban nhân dân các huyện, thị xã, thành phố."),
        Block("Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh, Sở Nội vụ đề nghị Ủy ban nhân dân các huyện, thị xã, "
              "thành phố báo cáo kết quả thực hiện công tác dân vận chính quyền năm 2023 về Sở Nội vụ trước ngày "
              "20/02/2024 để tổng hợp, báo cáo Ủy ban nhân dân tỉnh theo quy định./."),
        Block("Nơi nhận:"),
        Block("- Như trên;"),
        Block("KT. GIÁM ĐỐC"),
        Block("PHÓ GIÁM ĐỐC"),
        Block("Nguyễn Văn Bình"),
    ]
    doc = extract(blocks, doc_id="x", file="01CT_20250509_154257.pdf")
    assert doc.number == "125/SNV-XDCQ"
    assert doc.type == "Công văn"
    assert doc.date == "2024-02-05"
    assert doc.issuer == "Sở Nội vụ tỉnh Quảng Ngãi"
    assert doc.locality == "Quảng Ngãi"
    assert doc.title == "báo cáo kết quả công tác dân vận chính quyền năm 2023"
    assert doc.signer == "Nguyễn Văn Bình"


@pytest.mark.parametrize("number, expected", [
    ("06/KH-UBND-BDVTU", "Kế hoạch"), ("113-CV/ĐUK", "Công văn"), ("33/CT-TTg", "Chỉ thị"),
    ("149/2018/NĐ-CP", "Nghị định"), ("28/UBND-NC", None), (None, None),
])
def test_type_from_number(number, expected):
    assert type_from_number(number) == expected


# --- scans: hand-written number and day, digital signature -----------------------------------

from index.records import Signature  # noqa: E402

SIGNED = Signature(signed_by="ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG", organisation="ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG",
                   signed_at="2024-09-11T19:14:21+07:00")


def _scanned_chi_thi(*signatures: Signature, month: str = "9") -> list[Block]:
    """A Chỉ thị as OCR leaves it: the left block, then the right one, hand-written slots read "…"."""
    texts = ["ỦY BAN NHÂN DÂN", "TỈNH LÂM ĐỒNG", "Số: … /CT-UBND", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
             "Độc lập - Tự do - Hạnh phúc", f"Lâm Đồng, ngày … tháng {month} năm 2024", "CHỈ THỊ",
             "Về việc tăng cường công tác dân vận chính quyền",
             "Thực hiện Kế hoạch số 06/KH-UBND ngày 24/3/2021 của Ủy ban nhân dân tỉnh về công tác dân vận, "
             "Ủy ban nhân dân tỉnh yêu cầu các sở, ban, ngành, địa phương thực hiện tốt các nội dung sau đây "
             "để nâng cao hiệu quả công tác dân vận chính quyền trên địa bàn tỉnh trong năm 2024 và những năm tới."]
    return [Block(t, page=1, ocr=True, signatures=tuple(signatures)) for t in texts]


def test_handwritten_number_is_kept_as_printed_and_the_signing_day_dates_it():
    doc = extract(_scanned_chi_thi(SIGNED), doc_id="x-0", file="01CT_20240911.pdf")
    assert (doc.type, doc.number, doc.issuer) == ("Chỉ thị", "…/CT-UBND", "Ủy ban nhân dân tỉnh Lâm Đồng")
    assert doc.number_unreadable
    assert (doc.date, doc.date_source) == ("2024-09-11", "signature")
    assert (doc.signed_by, doc.signed_at) == ("ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG", "2024-09-11T19:14:21+07:00")
    assert doc.title == "Về việc tăng cường công tác dân vận chính quyền"


@pytest.mark.parametrize("signature, month", [
    # A certified copy is signed when the copy is made, days later.
    (Signature(signed_by="ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG", signed_at="2024-09-13T08:00:00", copy=True), "9"),
    # A portal that republished the file is not the issuer.
    (Signature(signed_by="CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ", signed_at="2024-09-12T09:44:21+07:00"), "9"),
    # Signed outside the printed month: the printed day is not that one.
    (SIGNED, "8"),
])
def test_signing_day_does_not_stand_in_for_a_date_it_cannot_be(signature, month):
    doc = extract(_scanned_chi_thi(signature, month=month), doc_id="x-0", file="x.pdf")
    assert doc.date is None and doc.date_source is None
    assert doc.number == "…/CT-UBND"
