"""Digital signatures and stamps: the stamp text, the PDF signature dictionary, hidden garbage layers."""

from __future__ import annotations

import pytest

from index.read import read_file
from index.read.scan import signatures, stamps
from index.understand.clean import clean_blocks
from index.understand.metadata import extract

from .conftest import DATA

# Stamps as they appear in the text layers of real signed files (../shared/realdocs/MANIFEST.tsv).
STAMPS = [
    (["Ký bởi: ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG", "Cơ quan: ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG",
      "Thời gian ký: 13/11/2025 15:53:50"],
     "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG", "2025-11-13T15:53:50", False),
    (["Ký bởi: ỦY BAN MẶT TRẬN TỔ QUỐC VIỆT NAM TỈNH LÂM ĐỒNG", "Email: ubmttqvn@lamdong.gov.vn",
      "Cơ quan: ỦY BAN TRUNG ƯƠNG MẶT TRẬN TỔ QUỐC VIỆT NAM", "Ngày ký: 13-11-2025 14:01:26 +07:00"],
     "ỦY BAN MẶT TRẬN TỔ QUỐC VIỆT NAM TỈNH LÂM ĐỒNG", "2025-11-13T14:01:26+07:00", False),
    (["Ký bởi: CỤC THUẾ Địa chỉ: 1A Nguyễn Công Trứ, Hai Bà Trưng, Hà Nội Thời gian ký: 08.04.2026 17:35"],
     "CỤC THUẾ", "2026-04-08T17:35:00", False),
    (["SAO Y Bộ Công an", "Thời gian ký: 2025-10-01T17:08:18+07:00"], "Bộ Công an", "2025-10-01T17:08:18+07:00", True),
    (["SAO Y; CÔNG AN TỈNH LÂM ĐỒNG; 06/01/2026; 16:42:26; +07:00"], "CÔNG AN TỈNH LÂM ĐỒNG",
     "2026-01-06T16:42:26+07:00", True),
]


@pytest.mark.parametrize("lines, signed_by, signed_at, copy", STAMPS)
def test_stamp_text_gives_signer_and_time(lines, signed_by, signed_at, copy):
    signature = signatures.from_stamp(lines)
    assert signature is not None
    assert signature.signed_by == signed_by
    assert signature.signed_at == signed_at
    assert signature.copy is copy


def test_signed_text_pdf_gives_its_signature_and_date():
    """Công điện 58/CĐ-VPCP: born digital, signed by Văn phòng Chính phủ (signature dictionary)."""
    path = DATA / "realdocs" / "cong-dien-58-ky-so.pdf"
    found = signatures.from_pdf(path)
    assert [(page, s.signed_by, s.signed_at) for page, s in found] == [
        (1, "VĂN PHÒNG CHÍNH PHỦ", "2026-01-10T15:43:53+07:00")]  # on the signature page, the last
    blocks = clean_blocks(read_file(path))
    doc = extract(blocks, doc_id="x-0", file=path.name)
    assert (doc.type, doc.number, doc.date, doc.date_source) == ("Công điện", "58/CĐ-VPCP", "2026-01-10", "printed")
    assert doc.signed_by == "VĂN PHÒNG CHÍNH PHỦ"
    assert doc.signed_at == "2026-01-10T15:43:53+07:00"
    assert doc.issuer == "Văn phòng Chính phủ"


# The hidden OCR layer a scanner left in a real scanned Giấy mời, and real text of the same kind.
GARBAGE = ("ceNG HoA x,l ugr cnu Ncnin vtpr xlrvr DQc l$p - Trl do - Hqnh phric so:f60tCNa-usND LdmDing,ngdy7L "
           "thdng 1l ndm2025 A I ou GIAY MOI Uy ban nhdn dAn tinh t6 chric bu,ii lam viec d,5 nghe Sd NQi vu b6o c6o "
           "rllnh gi6 !6t qu6 vi gi6i ph6p n6ng cao c6c chi s5 PAR INDEX, PAPI, SIPAS, PCI, chi s6 c6i c6ch hdnh chinh")
CLEAN = ("Ủy ban nhân dân tỉnh tổ chức buổi làm việc để nghe Sở Nội vụ báo cáo đánh giá kết quả và giải pháp "
         "nâng cao các chỉ số PAR INDEX, PAPI, SIPAS, PCI, chỉ số cải cách hành chính đối với dịch vụ công (DVC) "
         "trực tuyến. Chủ trì: Đồng chí Nguyễn Ngọc Phúc - Phó Chủ tịch UBND tỉnh; thời gian 14 giờ ngày 07/11/2025.")


def test_hidden_garbage_layer_is_told_from_text():
    assert stamps.looks_garbled(GARBAGE)
    assert not stamps.looks_garbled(CLEAN)


@pytest.mark.parametrize("line", [
    "UBND TỈNH LÂM ĐỒNG ĐẾN Số: 17026 Ngày: 23-10-2025",
    "Chuyển: P.NC",
    "CÔNG VĂN ĐẾN Giờ 5 Ngày 5/5",
    "Cơ quan phát hành: Văn phòng Chính phủ",
    "SAO Y",
])
def test_stamps_are_not_the_documents_text(line):
    assert stamps.is_stamp_line(line, signature_page=False)


@pytest.mark.parametrize("line", [
    "- Cơ quan chủ trì thực hiện: Sở Nội vụ.",
    "Số: 06/KH-UBND",
    "Đến năm 2025, 100% xã đạt chuẩn.",
    "Ngày 05/9/2025, Ủy ban nhân dân tỉnh đã họp.",
])
def test_document_lines_are_not_stamps(line):
    assert not stamps.is_stamp_line(line, signature_page=True)
