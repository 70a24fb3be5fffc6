"""E-office systems stamp the number and the day into a signed PDF as signature fields.

The printed page says "Số:      /SNNMT-CCQLĐĐ" and "ngày      tháng 4 năm 2026"; the
number and the day are drawn by the fields' appearances, outside the page's text.
They are typed, not written by hand: the reader must find them where they are drawn.
"""

from __future__ import annotations

from pathlib import Path

from index.parse import parse_file
from index.read import pdf

from .conftest import PdfWriter


def _stamp_field(path: Path, fields: list[tuple[str, tuple[float, float, float, float]]]) -> Path:
    """Add signature widgets whose appearance writes ``text`` in ``rect`` (PDF points, from the bottom)."""
    from pypdf import PdfReader, PdfWriter as Writer
    from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject,
                               NumberObject, TextStringObject)

    writer = Writer(clone_from=PdfReader(str(path)))
    page = writer.pages[0]
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"), NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
    }))
    annots = ArrayObject()
    for i, (text, (x0, y0, x1, y1)) in enumerate(fields):
        appearance = DecodedStreamObject()
        appearance.set_data(f"BT /F1 11 Tf 1 0 0 1 1 4 Tm ({text}) Tj ET".encode("latin-1"))
        appearance.update({
            NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(x1 - x0),
                                              FloatObject(y1 - y0)]),
            NameObject("/Resources"): DictionaryObject({NameObject("/Font"): DictionaryObject(
                {NameObject("/F1"): font})}),
        })
        widget = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/FT"): NameObject("/Sig"), NameObject("/T"): TextStringObject(f"Signature{i + 1}"),
            NameObject("/F"): NumberObject(132),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (x0, y0, x1, y1)]),
            NameObject("/AP"): DictionaryObject({NameObject("/N"): writer._add_object(appearance)}),
        })
        annots.append(writer._add_object(widget))
    page[NameObject("/Annots")] = annots
    with path.open("wb") as out:
        writer.write(out)
    return path


def _office_letter(path: Path) -> Path:
    w = PdfWriter().new_page()
    w.text(95, 57, "UBND TỈNH LÂM ĐỒNG", 12, bold=True).text(285, 57, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12,
                                                               bold=True)
    w.text(69, 72, "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG", 12, bold=True).text(342, 75, "Độc lập - Tự do - Hạnh phúc", 12,
                                                                         bold=True)
    w.text(94, 95, "Số:", 12).text(150, 95, "/SNNMT-CCQLĐĐ", 12)
    w.text(321, 95, "Lâm Đồng, ngày         tháng 4 năm 2026", 12)
    w.text(72, 115, "V/v ý kiến công nhận Ban vận động thành lập Hiệp hội", 12)
    y = 160
    for line in ["Sở Nông nghiệp và Môi trường nhận được Công văn 1676/SNV-TCBC ngày 07/4/2026",
                 "của Sở Nội vụ về việc cho ý kiến đối với đề nghị công nhận Ban vận động thành lập",
                 "Hiệp hội Bất động sản tỉnh Lâm Đồng. Sở Nông nghiệp và Môi trường thống nhất."]:
        w.text(72, y, line, 12)
        y += 16
    w.save(path)
    # The fields sit on the blanks: "Số: 4186 /SNNMT…", "ngày 09 tháng".
    return _stamp_field(path, [("4186", (118, 842 - 99, 146, 842 - 84)), ("09", (414, 842 - 99, 432, 842 - 84))])


def test_number_and_day_stamped_by_fields_are_read_where_drawn(tmp_path: Path):
    path = _office_letter(tmp_path / "4186.pdf")
    texts = [b.text for b in pdf.read(path)]
    assert "Số: 4186 /SNNMT-CCQLĐĐ" in texts
    assert any(t.startswith("Lâm Đồng, ngày 09 tháng 4 năm 2026") for t in texts)


def test_stamped_number_and_day_become_the_documents_metadata(tmp_path: Path):
    path = _office_letter(tmp_path / "4186.pdf")
    document = parse_file(path, path.name)[0].document
    assert document.number == "4186/SNNMT-CCQLĐĐ"
    assert document.date == "2026-04-09"
    assert not document.number_unreadable


def test_a_page_without_fields_reads_as_before(tmp_path: Path):
    w = PdfWriter().new_page()
    w.text(94, 95, "Số:", 12).text(150, 95, "/SNNMT-CCQLĐĐ", 12)
    path = w.save(tmp_path / "plain.pdf")
    # The blank left for the number stays a column gap: nothing is joined or invented.
    assert [b.text for b in pdf.read(path)] == ["Số:", "/SNNMT-CCQLĐĐ"]
