"""Fixture builders: documents are generated in the tests so what they contain is visible here."""

from __future__ import annotations

import ctypes
from pathlib import Path

import pytest

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
DATA = Path(__file__).resolve().parents[2] / "data"


# --- .docx --------------------------------------------------------------------

_NUMBERING = """
<w:abstractNum xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:abstractNumId="90">
  <w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%3)"/></w:lvl>
</w:abstractNum>
"""
_BULLETS = """
<w:abstractNum xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:abstractNumId="91">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="\uf0b7"/></w:lvl>
</w:abstractNum>
"""


def _add_numbering(document) -> tuple[str, str]:
    """Add a "I. / 1. / a)" outline list and a bullet list; return their numIds."""
    from docx.oxml import parse_xml

    numbering = document.part.numbering_part.element
    first_num = numbering.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num")
    for xml in (_NUMBERING, _BULLETS):
        abstract = parse_xml(xml)
        # abstractNum elements must precede every w:num element.
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            numbering.append(abstract)
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    numbering.append(parse_xml(f'<w:num {w} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    numbering.append(parse_xml(f'<w:num {w} w:numId="91"><w:abstractNumId w:val="91"/></w:num>'))
    return "90", "91"


def _number(paragraph, num_id: str, ilvl: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    num_pr = ppr.get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = ilvl
    num_pr.get_or_add_numId().val = int(num_id)


@pytest.fixture
def plan_docx(tmp_path: Path) -> Path:
    return make_plan_docx(tmp_path / "ke-hoach.docx")


def make_plan_docx(path: Path) -> Path:
    """A short plan: bold title, Word-numbered sections, a task table with a merged lead-agency cell."""
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Tiêu đề trang không được đọc"
    document.sections[0].footer.paragraphs[0].text = "Chân trang không được đọc"
    title = document.add_paragraph()
    title.add_run("KẾ HOẠCH").bold = True
    subtitle = document.add_paragraph()
    subtitle.add_run("Phối hợp thực hiện ").bold = True
    subtitle.add_run("công tác dân vận năm 2021").bold = True
    document.add_heading("Căn cứ ban hành", level=2)
    document.add_paragraph(
        "Căn cứ Chương trình số 08-CTr/UBND-BDVTU ngày 24/3/2021, xây dựng kế hoạch như sau:"
    )
    outline, bullets = _add_numbering(document)
    for text, level in [
        ("MỤC ĐÍCH, YÊU CẦU", 0),
        ("Mục đích", 1),
        ("Nâng cao chất lượng công tác dân vận", 2),
        ("Tăng cường sự phối hợp giữa các cấp", 2),
        ("Yêu cầu", 1),
        ("NỘI DUNG PHỐI HỢP", 0),
        ("Phối hợp thực hiện Quý I", 1),
    ]:
        paragraph = document.add_paragraph()
        run = paragraph.add_run(text)
        run.bold = level == 0
        _number(paragraph, outline, level)
    for text in ("Cơ quan chủ trì thực hiện: Ban Dân vận Thị ủy.", "Thời gian thực hiện: Năm 2022."):
        _number(document.add_paragraph(text), bullets, 0)

    table = document.add_table(rows=4, cols=5)
    header = ["TT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian"]
    for cell, text in zip(table.rows[0].cells, header):
        cell.paragraphs[0].add_run(text).bold = True
    rows = [
        [
            "1",
            "Tổ chức hội nghị tập huấn công tác dân vận",
            "Sở Nội vụ",
            "Ban Dân vận Tỉnh ủy",
            "Quý II/2021",
        ],
        ["2", "Khảo sát sự hài lòng của người dân", "", "UBND các huyện", "Quý III/2021"],
        ["3", "Tổng kết kế hoạch phối hợp", "Văn phòng UBND tỉnh", "Các sở, ban, ngành", "Tháng 12/2021"],
    ]
    for r, values in enumerate(rows, start=1):
        for c, text in enumerate(values):
            if text:
                table.cell(r, c).text = text
    # "Sở Nội vụ" leads tasks 1 and 2: one vertically merged cell.
    table.cell(1, 2).merge(table.cell(2, 2))
    # Two paragraphs in one cell are read as one line.
    table.cell(3, 3).add_paragraph("và các địa phương")
    document.add_paragraph("Trên đây là Kế hoạch phối hợp công tác dân vận năm 2021./.")
    document.save(str(path))
    return path


# --- .pdf ---------------------------------------------------------------------


class PdfWriter:
    """Builds PDFs with a real text layer through PDFium's page-object API."""

    def __init__(self) -> None:
        import pypdfium2 as pdfium
        import pypdfium2.raw as raw

        self.raw = raw
        self.pdf = pdfium.PdfDocument.new()
        self._keep: list[object] = []
        self.fonts = {name: self._load(name) for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")}
        self.page = None

    def _load(self, name: str):
        data = (DEJAVU / name).read_bytes()
        buffer = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        self._keep.append(buffer)
        return self.raw.FPDFText_LoadFont(self.pdf.raw, buffer, len(data), self.raw.FPDF_FONT_TRUETYPE, True)

    def new_page(self, width: float = 595, height: float = 842, image=None):
        """Start a page; ``image`` (PIL) is drawn full-page under the text, like a scan."""
        import pypdfium2 as pdfium

        self.finish()
        self.page = self.pdf.new_page(width, height)
        if image is not None:
            bitmap = pdfium.PdfBitmap.from_pil(image)
            self._keep.append(bitmap)
            obj = pdfium.PdfImage.new(self.pdf)
            obj.set_bitmap(bitmap)
            obj.set_matrix(pdfium.PdfMatrix().scale(width, height))
            self.page.insert_obj(obj)
        return self

    def text(self, x: float, y_from_top: float, text: str, size: float = 12, bold: bool = False):
        raw = self.raw
        font = self.fonts["DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"]
        obj = raw.FPDFPageObj_CreateTextObj(self.pdf.raw, font, size)
        encoded = ctypes.create_string_buffer((text + "\0").encode("utf-16-le"))
        raw.FPDFText_SetText(obj, ctypes.cast(encoded, ctypes.POINTER(raw.FPDF_WCHAR)))
        height = self.page.get_height()
        raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, height - y_from_top)
        raw.FPDFPage_InsertObject(self.page.raw, obj)
        return self

    def finish(self) -> None:
        if self.page is not None:
            self.page.gen_content()
            self.page = None

    def save(self, path: Path) -> Path:
        self.finish()
        self.pdf.save(str(path))
        return path


@pytest.fixture
def pdf_writer() -> PdfWriter:
    return PdfWriter()


def render_page(paragraphs: list[tuple[str, bool]], dpi: int = 200, noise: bool = True):
    """A white A4 page with the given (text, bold) paragraphs, justified like a typed plan, as a scan.

    Each paragraph is wrapped to the text width; every line but the last is
    justified, so paragraph ends are visible in the layout as in a real document.
    """
    import random

    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    width, height = int(8.27 * dpi), int(11.69 * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    size = int(13 / 72 * dpi)  # 13 pt, the size of official documents
    fonts = {
        False: ImageFont.truetype(str(DEJAVU / "DejaVuSans.ttf"), size),
        True: ImageFont.truetype(str(DEJAVU / "DejaVuSans-Bold.ttf"), size),
    }
    left, right = int(0.9 * dpi), width - int(0.8 * dpi)
    indent = int(0.4 * dpi)
    y = int(0.9 * dpi)
    for text, bold in paragraphs:
        font = fonts[bold]
        space = draw.textlength(" ", font=font)
        words = text.split()
        lines: list[list[str]] = [[]]
        for word in words:
            start = left + (indent if len(lines) == 1 else 0)
            trial = " ".join(lines[-1] + [word])
            if lines[-1] and start + draw.textlength(trial, font=font) > right:
                lines.append([word])
            else:
                lines[-1].append(word)
        for n, line in enumerate(lines):
            x = left + (indent if n == 0 else 0)
            gap = space
            if n < len(lines) - 1 and len(line) > 1:
                used = sum(draw.textlength(w, font=font) for w in line)
                gap = (right - x - used) / (len(line) - 1)
            for word in line:
                draw.text((x, y), word, font=font, fill=0)
                x += draw.textlength(word, font=font) + gap
            y += int(size * 1.5)
        y += int(size * 0.5)
    if noise:
        # Slight blur and sparse speckle, as a photocopied page scanned at 200 dpi.
        image = image.filter(ImageFilter.GaussianBlur(0.5))
        rng = random.Random(7)
        pixels = image.load()
        for _ in range(width * height // 5000):
            pixels[rng.randrange(width), rng.randrange(height)] = 0
    return image
