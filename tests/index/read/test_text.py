from __future__ import annotations

import codecs
import os
import unicodedata
from pathlib import Path

import pytest

from index.errors import CorruptFile, EmptyDocument, EncodingError, ReadError
from index.read import read_file, text
from index.read.vietnamese import (
    is_syllable,
    tcvn3_to_unicode,
    unicode_to_tcvn3,
    unicode_to_vni,
    vni_to_unicode,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "txt"
SAMPLE = (DATA / "mau-unicode.txt").read_text(encoding="utf-8")
EXPECTED = [line.strip() for line in SAMPLE.splitlines() if line.strip()]


def _write(tmp_path: Path, data: bytes, name: str = "van-ban.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


_TONES = "\u0300\u0301\u0303\u0309\u0323"


def _cp1258(text: str) -> bytes:
    """Encode as Windows does for code page 1258: base letter (â, ơ…) + combining tone mark."""
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in _TONES)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES)) + tones)
    return "".join(out).encode("cp1258")


def _nfc(blocks) -> list[str]:
    return [unicodedata.normalize("NFC", b.text) for b in blocks]


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda s: s.encode("utf-8"), id="utf-8"),
        pytest.param(lambda s: codecs.BOM_UTF8 + s.encode("utf-8"), id="utf-8-bom"),
        pytest.param(lambda s: s.encode("utf-16"), id="utf-16-bom"),
        pytest.param(lambda s: codecs.BOM_UTF16_BE + s.encode("utf-16-be"), id="utf-16-be-bom"),
        pytest.param(lambda s: s.encode("utf-16-le"), id="utf-16-le-no-bom"),
        pytest.param(lambda s: _cp1258(s.replace("\n", "\r\n")), id="cp1258"),
        pytest.param(lambda s: (DATA / "mau-tcvn3.txt").read_bytes(), id="tcvn3"),
        pytest.param(lambda s: (DATA / "mau-vni.txt").read_bytes(), id="vni"),
    ],
)
def test_every_encoding_gives_the_same_text(tmp_path: Path, encode):
    blocks = read_file(_write(tmp_path, encode(SAMPLE)))
    assert _nfc(blocks) == EXPECTED
    # The run of blank lines after the motto is a page break.
    assert [b.page_break_before for b in blocks] == [False, False, True, False, False, False]


def test_cp1258_really_uses_combining_marks():
    # Sanity check of the fixture: Windows-1258 stores "ệ" as "ê" + a combining dot.
    assert _cp1258("Việt") == b"Vi\xea\xf2t"  # ê, combining dot below


def test_cp1258_is_composed(tmp_path: Path):
    (block,) = read_file(_write(tmp_path, _cp1258("Ủy ban nhân dân tỉnh Phú Thọ và Sở Nội vụ")))
    assert block.text == unicodedata.normalize("NFC", block.text)
    assert block.text == "Ủy ban nhân dân tỉnh Phú Thọ và Sở Nội vụ"


def test_legacy_samples_as_seen_in_old_files(tmp_path: Path):
    # What a .VnTime / VNI-Times file shows in a Western editor, typed from real documents.
    tcvn3 = "Céng hoµ x· héi chñ nghÜa ViÖt Nam\n§éc lËp - Tù do - H¹nh phóc\n"
    vni = "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam\nÑoäc laäp - Töï do - Haïnh phuùc\n"
    assert _nfc(read_file(_write(tmp_path, tcvn3.encode("cp1252"), "a.txt"))) == [
        "Cộng hoà xã hội chủ nghĩa Việt Nam",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    assert _nfc(read_file(_write(tmp_path, vni.encode("cp1252"), "b.txt"))) == [
        "Cộng hòa xã hội chủ nghĩa Việt Nam",
        "Độc lập - Tự do - Hạnh phúc",
    ]


def test_legacy_text_pasted_into_a_utf8_file_is_converted(tmp_path: Path):
    pasted = "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam\nUÛy ban nhaân daân tænh Quaûng Ngaõi\n"
    blocks = read_file(_write(tmp_path, pasted.encode("utf-8")))
    assert _nfc(blocks) == ["Cộng hòa xã hội chủ nghĩa Việt Nam", "Ủy ban nhân dân tỉnh Quảng Ngãi"]


def test_tcvn3_capitals_font_lines_are_upper_case():
    # ".VnTimeH" shows lower-case codes as capitals: "CéNG HOµ" is "CỘNG HOÀ".
    assert tcvn3_to_unicode("CéNG HOµ X· HéI CHñ NGHÜA VIÖT NAM") == "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"


def test_conversion_tables_round_trip():
    words = "ăắằẳẵặâấầẩẫậđêếềểễệôốồổỗộơớờởỡợưứừửữựáàảãạéèẻẽẹíìỉĩịóòỏõọúùủũụýỳỷỹỵ"
    assert vni_to_unicode(unicode_to_vni(words + words.upper())) == words + words.upper()
    assert tcvn3_to_unicode(unicode_to_tcvn3(words)) == words


@pytest.mark.parametrize(
    "word", ["Ủy", "uỷ", "nghĩa", "Nguyễn", "khuya", "giếng", "quyết", "gìn", "người", "XÃ"]
)
def test_real_syllables(word: str):
    assert is_syllable(word)


@pytest.mark.parametrize("word", ["hoµ", "héi", "ViÖt", "Größe", "bàt", "Vieät", "aäc"])
def test_mojibake_is_not_a_syllable(word: str):
    assert not is_syllable(word)


def test_text_is_kept_as_written(tmp_path: Path):
    nfd = unicodedata.normalize("NFD", "Hòa Bình\tngày 24/3/2021  ")
    (block,) = read_file(_write(tmp_path, nfd.encode("utf-8")))
    assert block.text == nfd.strip()  # no NFC, inner tab kept, ends stripped
    assert block.kind == "paragraph" and not block.bold and block.heading_level is None


def test_markup_is_not_stripped_in_txt(tmp_path: Path):
    (block,) = read_file(_write(tmp_path, b"**Ghi chu:** # 1 <sup>2</sup>"))
    assert block.text == "**Ghi chu:** # 1 <sup>2</sup>"


def test_page_breaks():
    lines = text.source_lines("\n\nĐầu\nmột dòng trống\n\nhai dòng trống\n\n\nsau\fngắt\n\x0c\ncuối")
    assert [(ln.text, ln.page_break_before) for ln in lines] == [
        ("Đầu", False),
        ("một dòng trống", False),
        ("hai dòng trống", False),
        ("sau", True),
        ("ngắt", True),
        ("cuối", True),
    ]


def test_random_bytes_are_refused_with_a_vietnamese_reason(tmp_path: Path):
    with pytest.raises((EncodingError, CorruptFile)) as caught:
        read_file(_write(tmp_path, os.urandom(4000)))
    assert "tệp" in caught.value.user_message.lower()


def test_binary_without_nul_is_not_garbage_text(tmp_path: Path):
    data = bytes(range(0x80, 0x100)) * 20
    with pytest.raises(ReadError):
        read_file(_write(tmp_path, data))


def test_unknown_encoding_says_to_save_as_utf8(tmp_path: Path):
    german = "Größenänderung für Äpfel, übermäßig schön und weiß, Prüfung der Bücher".encode("cp1252")
    with pytest.raises(EncodingError) as caught:
        read_file(_write(tmp_path, german))
    assert "UTF-8" in caught.value.user_message
    assert "bảng mã" in caught.value.user_message


def test_broken_utf16_says_which_encoding(tmp_path: Path):
    data = codecs.BOM_UTF16_LE + "Kế hoạch".encode("utf-16-le") + b"\x00\xd8"  # lone surrogate
    with pytest.raises(EncodingError) as caught:
        read_file(_write(tmp_path, data))
    assert "UTF-16" in caught.value.user_message


def test_mostly_ascii_file_with_a_stray_byte_is_read(tmp_path: Path):
    data = b"Ke hoach phoi hop cong tac dan van nam 2021 \x96 ban du thao\nCo quan chu tri: So Noi vu\n" * 3
    blocks = read_file(_write(tmp_path, data))
    assert blocks[0].text == "Ke hoach phoi hop cong tac dan van nam 2021 – ban du thao"


def test_empty_text_file(tmp_path: Path):
    with pytest.raises(EmptyDocument) as caught:
        read_file(_write(tmp_path, b"\n\n  \n"))
    assert caught.value.user_message == "Tệp không có nội dung văn bản."
