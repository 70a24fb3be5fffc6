"""Document metadata read from the text itself: type, number, date, issuer, title, signer.

File names carry nothing (uploads are named like ``01CT_20250509_154257.pdf``)
and three of the five starting plans have no printed header, so every field is
read from the content and left ``None`` when the text does not say it: the
citation an official pastes into the minutes must never be invented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.language.normalize import canonical, fold
from index.records import Block, Document
from index.understand.dates import AFTER_NGAY, IN_WORDS, iso_date
from index.understand import signing
from index.understand.places import province, provinces_in
from index.understand.structure import closing_start, header_end, is_all_caps, is_role_line

TYPE_WORDS = {
    "KẾ HOẠCH": "Kế hoạch", "CÔNG VĂN": "Công văn", "QUYẾT ĐỊNH": "Quyết định", "CHỈ THỊ": "Chỉ thị",
    "THÔNG BÁO": "Thông báo", "BÁO CÁO": "Báo cáo", "NGHỊ QUYẾT": "Nghị quyết",
    "CHƯƠNG TRÌNH": "Chương trình", "HƯỚNG DẪN": "Hướng dẫn", "TỜ TRÌNH": "Tờ trình",
    "KẾT LUẬN": "Kết luận", "QUY ĐỊNH": "Quy định", "ĐỀ ÁN": "Đề án", "THÔNG TƯ": "Thông tư",
    "NGHỊ ĐỊNH": "Nghị định", "QUY CHẾ": "Quy chế", "CÔNG ĐIỆN": "Công điện", "GIẤY MỜI": "Giấy mời",
    "BỘ LUẬT": "Bộ luật", "LUẬT": "Luật", "HIẾN PHÁP": "Hiến pháp", "PHÁP LỆNH": "Pháp lệnh",
    "BÁO CÁO ĐỀ XUẤT": "Báo cáo đề xuất", "VĂN BẢN HỢP NHẤT": "Văn bản hợp nhất",
}
TYPE_CODES = {
    "KH": "Kế hoạch", "CV": "Công văn", "CT": "Chỉ thị", "QĐ": "Quyết định", "QD": "Quyết định",
    "TB": "Thông báo", "BC": "Báo cáo", "NQ": "Nghị quyết", "CTR": "Chương trình", "HD": "Hướng dẫn",
    "TTR": "Tờ trình", "KL": "Kết luận", "ĐA": "Đề án", "QC": "Quy chế", "TT": "Thông tư",
    "NĐ": "Nghị định", "CĐ": "Công điện", "GM": "Giấy mời", "QY": "Quy định",
    "BCĐX": "Báo cáo đề xuất", "VBHN": "Văn bản hợp nhất",
}

# "…" stands for digits written by hand that OCR could not vouch for (index.read.scan.handwriting).
_NUMBER = re.compile(
    r"\bSố\s*[:.]?\s*((?:\d{1,5}|…)(?:\s*/\s*[\w(][\w\-–/.&()]*[\w)]|[\-–][\w\-–/.&()]*[\w)]"
    r"|\s*[-–]\s*[A-ZĐ][\w\-–/.&()]*[\w)]|\s+[A-ZĐ]{2,}[\w\-–/.&()]*[\w)])?)",
)
_PLACE_DATE = re.compile(r"^\s*([^\d,;:]{2,40}?)\s*,\s*ngay\s+(?:\d|…)|^\s*([^\d,;:]{2,24}?)\s+ngay\s+(?:\d|…)")
# A date line whose day (or month) was written by hand and could not be read: "ngày … tháng 4 năm 2026".
_PARTIAL_DATE = re.compile(r"ngay\s+(\d{1,2}|…)\s+thang\s+(\d{1,2}|…)\s+nam\s+(\d{4}|…)")
_MOTTOS = ("cong hoa xa hoi chu nghia viet nam", "dang cong san viet nam", "doc lap - tu do - hanh phuc",
           "doc lap tu do hanh phuc")
_ORG_WORDS = re.compile(
    r"\b(uy ban|ubnd|hdnd|dang bo|dang uy|ban |so |phong |bo |cuc |tong cuc|van phong|thi uy|tinh uy|"
    r"huyen uy|thanh uy|quan uy|chi bo|hoi dong|mat tran|truong |chinh phu|quoc hoi|toa an|vien kiem sat|"
    r"cong an|bo chi huy|hoi |doan |lien doan)"
)
_INTRO_ORG = re.compile(
    r"(?:^|[.;,”\"]\s+)((?:Ủy ban|Uỷ ban|UBND|Ban|Thị ủy|Tỉnh ủy|Huyện ủy|Thành ủy|Quận ủy|Đảng ủy|Sở|Phòng|Bộ|"
    r"Hội đồng|Mặt trận|Chi bộ|Văn phòng|Thường trực|Chủ tịch)[^.;:]{0,150}?)\s+"
    r"(?:xây dựng|ban hành|thống nhất|triển khai|đề nghị|hướng dẫn|thông báo|chỉ đạo)\b"
)
# Central bodies sit in Hà Nội without being of Hà Nội: their place is not added to their name.
_CENTRAL = re.compile(r"^(bo |cuc |tong cuc|quoc hoi|thu tuong|ban chap hanh trung uong)|chinh phu|trung uong|quoc gia")
_LEVEL_WORD = re.compile(r"\b(tỉnh|thành phố|huyện|thị xã|quận|xã|phường)\b(?!\s+(?:ủy|uỷ|[A-ZĐÀ-Ỹ]))")
_LOCALITY = re.compile(
    r"\b(?:tinh uy|thanh uy|huyen uy|thi uy|quan uy|tinh|thanh pho|huyen|thi xa|quan|tp\.?)\s+"
    r"([a-z]+(?:\s+[a-z]+){0,3})"
)
_LOCAL_STOP = {"va", "ve", "cac", "ban", "giai", "nam", "trong", "tren", "de", "thuc", "phoi", "uy", "nhan", "doan",
               "cua", "tai", "theo", "voi", "cho", "den", "tu", "the", "thang", "dia"}
_VV = re.compile(r"^V/v\s*[:.]?\s*", re.IGNORECASE)
_NAME_WORD = re.compile(r"^[^\W\d_]+$")
_NOT_NAME = re.compile(r"^(du thao|phu luc|thanh vien|danh sach|noi nhan|pho |chu tich|giam doc|truong |"
                       r"danh gia|ket qua|ke hoach|bao cao)")
_SIGNED = re.compile(r"\((?:đã ký|Đã ký|ký|Ký)\)|\[đã ký\]", re.IGNORECASE)


@dataclass(frozen=True)
class _Line:
    text: str  # canonical (NFC, modern tone placement)
    folded: str
    index: int  # block index


def extract(blocks: list[Block], *, doc_id: str, file: str) -> Document:
    """Read a document's metadata from its blocks (header, intro sentence, signature)."""
    canon = [canonical(b.text) for b in blocks]
    body_at = header_end(blocks)
    header = _header_lines(canon[:body_at])
    body_text = "\n".join(canon[body_at:])

    number = _number(header)
    type_, title = _type_and_title(header, number)
    date, place = _date_and_place(header)
    org_lines = _org_lines(header)
    issuer = _restore_case(org_lines[-1].text, "\n".join(canon)) if org_lines else _intro_issuer(canon[body_at:body_at + 4])
    issuer = _with_province_spelled(_without_motto(issuer))
    locality = _locality([l.text for l in org_lines] + ([issuer] if issuer else []), place, issuer, body_text)
    if issuer and locality and fold(locality) not in fold(issuer) and not _CENTRAL.search(fold(issuer)):
        issuer = _with_locality(issuer, locality)
    signer = _signer(blocks, canon, body_at)
    signed = signing.signed(blocks)
    date_source = "printed" if date else None
    if date is None and signed.signed_at:
        date = signing.date_from_signature(signed, _partial_date(header), issuer)
        date_source = "signature" if date else None
    return Document(doc_id=doc_id, file=file, type=type_, number=number, date=date, issuer=issuer,
                    title=title, signer=signer, locality=locality, place=place,
                    signed_by=signed.signed_by, signed_at=signed.signed_at, date_source=date_source)


def _partial_date(header: list[_Line]) -> tuple[str, str, str] | None:
    """(day, month, year) of the place-and-date line, "…" where the hand-written part was unreadable."""
    for line in header:
        m = _PARTIAL_DATE.search(line.folded)
        if m and (_PLACE_DATE.match(line.folded) or line.folded.lstrip("(* ").startswith("ngay")):
            return m.group(1), m.group(2), m.group(3)
    return None


def _with_province_spelled(issuer: str | None) -> str | None:
    """ "Công an tính Lâm đòng" (OCR) is "Công an tỉnh Lâm Đồng": a province's name is known, its level too."""
    if not issuer:
        return issuer
    words = issuer.split()
    levels = {"tinh": "tỉnh", "thanh pho": "thành phố"}
    for i in range(len(words)):
        for level_words in (1, 2):
            level = fold(" ".join(words[i:i + level_words]))
            if level not in levels:
                continue
            for n in (4, 3, 2, 1):
                start = i + level_words
                name = province(" ".join(words[start:start + n])) if start + n <= len(words) else None
                if name:
                    named = [name] if name.startswith("Thành phố") else [levels[level], name]
                    return " ".join(words[:i] + named + words[start + n:])
    return issuer


def _without_motto(issuer: str | None) -> str | None:
    """An issuer never holds the national motto, whatever the layout mixed into its line."""
    if not issuer:
        return issuer
    folded = fold(issuer)
    cut = min((folded.find(m) for m in ("cong hoa xa hoi", "doc lap", "dang cong san") if m in folded), default=-1)
    if cut < 0:
        return issuer
    rest = issuer[:cut].strip(" -–,")
    return rest or None


def _header_lines(canon: list[str]) -> list[_Line]:
    """Header blocks split into table cells, without incoming-mail stamps."""
    lines = []
    for i, text in enumerate(canon):
        for cell in text.split(" | "):
            cell = cell.strip()
            f = fold(cell)
            if not cell or "cong van den" in f or re.match(r"^(den|so den)\b", f):
                continue
            lines.append(_Line(cell, f, i))
    return lines


def _number(header: list[_Line]) -> str | None:
    for k, line in enumerate(header):
        if re.match(r"^\s*Số\s*[:.]?\s*$", _number_label(line.text)) and k + 1 < len(header):
            # "Số:" and "/SNNMT-CCQLĐĐ" apart: the digits, filled in later, are not in the text.
            code = re.match(r"^\s*/\s*([\w\-–.&()]+[\w)])", header[k + 1].text)
            if code:
                return _checked_code("…/" + code.group(1))
        # OCR may misread the label ("số", "Só", "Sô"); then it must open the line, as "Số:" does in a header.
        text = _number_label(line.text)
        m = _NUMBER.search(text)
        if m and re.match(r"^(.*\s)?Số\b", text[: m.start() + 3]):
            number = re.sub(r"\s*([-–/])\s*", r"\1", m.group(1).strip()).replace("–", "-")
            # "Số: …" with nothing printed after it says nothing worth citing.
            return None if number == "…" else _checked_code(number)
    return None


_CODE_CHARS = re.compile(r"^[\dA-Za-zĐđ…\-/().&\s]+$")


def _number_label(text: str) -> str:
    """The line with an OCR-misread "Số" label at its start written "Số"."""
    stripped = text.lstrip()
    # "Sở …" (a department) is not a misread "Số": the label is followed by a colon, a period or the digits.
    if re.match(r"^[Ss][oóòỏõọôốồổỗộ](?:\s*[:.]|\s+[\d…])", stripped) and not stripped.startswith("Số"):
        return "Số" + stripped[2:]
    return text


def _checked_code(number: str) -> str | None:
    """A number whose printed code OCR garbled is no number: "…/TTr-CATŒC04)" is dropped, "QĐĐ" is "QĐ".

    A doubled "Đ" is how tesseract misreads the letter; it is undone only where
    the undoubled code is a known type code (so "CCQLĐĐ", đất đai, stays).
    """
    if not _CODE_CHARS.match(number) or number.count("(") != number.count(")"):
        return None
    head, _, rest = number.partition("/")
    if not rest:
        return number
    parts = re.split(r"([\-/(])", rest, maxsplit=1)
    first = parts[0]
    if "ĐĐ" in first and first.replace("ĐĐ", "Đ").upper() in TYPE_CODES:
        parts[0] = first.replace("ĐĐ", "Đ")
    return f"{head}/{''.join(parts)}"


def type_from_number(number: str | None) -> str | None:
    """The document type coded in its number: ``06/KH-UBND`` is a Kế hoạch, ``113-CV/ĐUK`` a Công văn."""
    if not number:
        return None
    for token in re.split(r"[\s/\-]+", number)[1:]:
        t = TYPE_CODES.get(token.upper())
        if t:
            return t
    return None


def _type_and_title(header: list[_Line], number: str | None) -> tuple[str | None, str | None]:
    type_, title = None, None
    words = sorted(TYPE_WORDS, key=len, reverse=True)
    for k, line in enumerate(header):
        head = next((w for w in words if line.text == w or line.text.startswith(w + " ")), None)
        if head is None and is_all_caps(line.text) and len(line.text) <= 30:
            # OCR slips a mark ("KÉ HOẠCH"): a type title alone on its line is still known by its letters.
            head = next((w for w in words if line.folded == fold(w)), None)
            if head is not None:
                line = _Line(head, line.folded, line.index)
        if head is None:
            continue
        type_ = TYPE_WORDS[head]
        rest = line.text[len(head):].strip(" :-")
        title = rest or _title_after(header[k + 1:])
        break
    vv = next((line for line in header if _VV.match(line.text)), None)
    if vv is not None:
        # A "V/v" summary line is how a Công văn is laid out (Nghị định 30/2020); its number's
        # letters name the office ("2191/CT-CS": Cục Thuế), not a type.
        type_ = type_ or "Công văn"
        title = title or _VV.sub("", vv.text).strip() or None
    coded = type_from_number(number)
    if type_ is None:
        type_ = coded
    elif coded and coded != type_ and coded.startswith(type_ + " "):
        # "BÁO CÁO" / "ĐỀ XUẤT" on two lines, number "03/BCĐX-…": the number names the full type,
        # and the second line was the rest of it, not the summary.
        if title and fold(title).replace("è", "e") in fold(coded):
            title = _VV.sub("", vv.text).strip() if vv is not None else None
        type_ = coded
    return type_, title


def _title_after(lines: list[_Line]) -> str | None:
    """The trích yếu printed under the type title (one or two lines)."""
    parts: list[str] = []
    for line in lines[:3]:
        f = line.folded
        if _NUMBER.search(line.text) or IN_WORDS.search(f) or f.startswith(("kinh gui", "can cu")):
            break
        if set(line.text) <= set("-_=*. "):
            break
        # A summary continued on the next line goes on in lower case ("Về việc tăng cường …" /
        # "công tác …"); a capital after a full line is the body's first sentence.
        if parts and len(" ".join(parts)) >= 25 and line.text[:1].isupper() and not is_all_caps(line.text):
            break
        parts.append(line.text)
        if len(" ".join(parts)) > 60:
            break
    title = " ".join(parts).strip()
    return title or None


def _date_and_place(header: list[_Line]) -> tuple[str | None, str | None]:
    for line in header:
        m = IN_WORDS.search(line.folded) or AFTER_NGAY.search(line.folded)
        if not m:
            continue
        # Only a place-and-date line (or a bare date line) dates the document;
        # "Căn cứ … ngày 24/3/2021" in an early paragraph dates something else.
        pm = _PLACE_DATE.match(line.folded)
        if not pm and not line.folded.lstrip("(* ").startswith("ngay"):
            continue
        iso = _iso(*m.groups())
        if iso is None:
            continue
        group = (1 if pm.group(1) else 2) if pm else 0
        place = line.text[pm.start(group):pm.end(group)].strip(" *_") if pm else None
        return iso, place or None
    # The day written by hand and unreadable ("Lâm Đồng, ngày … tháng 9 năm 2024"): the place is still printed.
    for line in header:
        pm = _PLACE_DATE.match(line.folded)
        if pm and _PARTIAL_DATE.search(line.folded):
            group = 1 if pm.group(1) else 2
            return None, line.text[pm.start(group):pm.end(group)].strip(" *_") or None
    return None, None


def _iso(day: str, month: str, year: str) -> str | None:
    """A document's own date: a real day within the years documents are dated."""
    return iso_date(day, month, year) if 1900 <= int(year) <= 2100 else None


def _org_lines(header: list[_Line]) -> list[_Line]:
    """All-caps organisation lines printed above the number and date.

    The motto sits beside them (right column of a header table) or between
    them, so it is skipped rather than taken as the end of the organisation.
    """
    out = []
    for line in header:
        f = line.folded
        if (_NUMBER.search(_number_label(line.text)) or re.match(r"^\s*Số\s*[:.]", _number_label(line.text))
                or IN_WORDS.search(f) or AFTER_NGAY.search(f)):
            break
        if any(f.startswith(m) for m in _MOTTOS):
            continue
        # "/CT-UBND" cut off its number is a code, not a body.
        org = _ORG_WORDS.search(f + " ")
        # A line whose body word is not at its start, right under a body's line ending in ",", goes on
        # naming it ("BAN CHỈ ĐẠO PHÁT TRIỂN …, ĐỔI MỚI SÁNG TẠO," / "CHUYỂN ĐỔI SỐ VÀ ĐỀ ÁN 06").
        continued = bool(out) and out[-1].index == line.index - 1 and out[-1].text.rstrip().endswith((",", "-", "–"))
        if (is_all_caps(line.text) and org and line.text not in TYPE_WORDS and "/" not in line.text
                and not (continued and org.start() > 0)):
            out.append(line)
        elif (out and out[-1].index == line.index - 1 and is_all_caps(line.text) and "/" not in line.text
              and len(line.text) <= 60 and line.text not in TYPE_WORDS):
            # One body on two lines ("ỦY BAN NHÂN DÂN" / "TỈNH LÂM ĐỒNG", "CỤC CẢNH SÁT ĐIỀU TRA" /
            # "TỘI PHẠM VỀ MA TÚY"): on a scan each line is a block of its own.
            joined = f"{out[-1].text} {line.text}"
            out[-1] = _Line(joined, fold(joined), line.index)
    return out


def _intro_issuer(first_body: list[str]) -> str | None:
    """The body that says it issues the plan: "Thị ủy Sa Pa ban hành Kế hoạch …"."""
    for text in first_body:
        m = _INTRO_ORG.search(text)
        if m:
            return m.group(1).strip()
    return None


def _restore_case(caps: str, text: str) -> str:
    """Write an all-caps header line the way the document's body spells it."""
    target = fold(caps)
    folded = fold(text)
    pos = folded.find(target)
    while pos >= 0:
        candidate = text[pos:pos + len(caps)]
        if not is_all_caps(candidate):
            return candidate
        pos = folded.find(target, pos + 1)
    words = caps.split()
    body_words: dict[str, str] = {}
    # Keyed with the marks: "SỞ" is "Sở", never the "Số" of a number line.
    for w in re.findall(r"\w+", text):
        if not w.isupper():
            body_words.setdefault(w.lower(), w)
    out = []
    for i, w in enumerate(words):
        known = body_words.get(w.lower())
        if known and known[0].isupper():
            out.append(known)
        elif i == 0 or len(w) <= 5 and not re.search(r"[AEIOUYĂÂÊÔƠƯ]", fold(w).upper()):
            out.append(w if i else w[0] + w[1:].lower())
        else:
            out.append(w.lower())
    return " ".join(out)


def _locality(org_texts: list[str], place: str | None, issuer: str | None, body: str) -> str | None:
    for text in org_texts:
        for m in _LOCALITY.finditer(fold(text)):
            words = []
            for w in m.group(1).split():
                if w in _LOCAL_STOP:
                    break
                words.append(w)
            if not words:
                continue
            for n in range(len(words), 0, -1):
                p = province(" ".join(words[:n]))
                if p:
                    return p
            name = _original_words(text, " ".join(words))
            if name:
                return name
    if place and province(place):
        return province(place)
    if issuer and re.search(r"\btinh\b", fold(issuer)):
        found = provinces_in(body)
        if found and len(set(found)) == 1 or found and found.count(found[0]) * 2 > len(found):
            return max(set(found), key=found.count)
    return None


def _original_words(text: str, folded_words: str) -> str | None:
    pos = fold(text).find(folded_words)
    if pos < 0:
        return None
    name = text[pos:pos + len(folded_words)]
    return " ".join(w[:1].upper() + w[1:].lower() for w in name.split())


def _with_locality(issuer: str, locality: str) -> str:
    """``Ủy ban nhân dân tỉnh`` + Hòa Bình -> ``Ủy ban nhân dân tỉnh Hòa Bình``."""
    m = _LEVEL_WORD.search(issuer)
    if m is not None:
        return issuer[: m.end()] + " " + locality + issuer[m.end():]
    # "Sở Nội vụ" of a province is written "Sở Nội vụ tỉnh Quảng Ngãi".
    if province(locality) and not re.search(r"\b(ủy|uỷ)$", issuer):
        return f"{issuer} tỉnh {locality}"
    return issuer


def _signer(blocks: list[Block], canon: list[str], body_at: int) -> str | None:
    """Names printed under the signature roles, in order ("; "-separated when several sign)."""
    start = closing_start(blocks, body_at)
    if start >= len(blocks):
        start = max(body_at, len(blocks) - 12)
    names: list[str] = []
    for text in canon[start:]:
        for cell in text.split(" | "):
            name = _name_in(cell.strip())
            if name and name not in names:
                names.append(name)
    return "; ".join(names) or None


def _name_in(text: str) -> str | None:
    text = _SIGNED.sub("", text).strip(" *_")
    if not text or text.startswith(("-", "+", "•")) or ":" in text or is_role_line(text):
        # A cell may hold the roles and the name together: "KT. CHỦ TỊCH PHÓ CHỦ TỊCH Nguyễn Văn A".
        m = re.search(r"([A-ZĐÀ-Ỹ][^\W\d_]+(?:\s+[^\W\d_]+){1,4})$", text)
        if m and is_role_line(text[: m.start()].strip()) and not is_all_caps(m.group(1)):
            return _name_in(m.group(1))
        return None
    words = text.split()
    if not 2 <= len(words) <= 5 or len(text) > 40 or not all(_NAME_WORD.match(w) for w in words):
        return None
    # Words of a page, not a person: "DỰ THẢO", "PHỤ LỤC", "Sở Tư pháp", "Thành viên Hội", "Phó Chủ tịch".
    if _NOT_NAME.match(fold(text)) or _ORG_WORDS.match(fold(text) + " "):
        return None
    if _ORG_WORDS.search(fold(text) + " ") and not words[0][0].isupper():
        return None
    if sum(1 for w in words if w[0].isupper()) < 2 or not words[0][0].isupper():
        return None
    if is_all_caps(text):
        if _ORG_WORDS.search(fold(text) + " "):
            return None
        return " ".join(w[0] + w[1:].lower() for w in words)
    return text
