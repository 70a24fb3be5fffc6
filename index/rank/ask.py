"""What kind of fact a question asks for, and about what, read from its wording.

``query.kinds`` says which sentence shapes the rerank should favour (an
agency, a date, a number…). Deciding that a passage *answers* needs more: a
count must come with the thing counted ("bao nhiêu đảng viên" is not answered
by "16 xã, phường"), an amount with money, a phone question with a phone
number, a person question with a person's name. ``read_ask`` turns the folded
question and its kinds into one ``Ask``: the kind of answer, the unit the
answer's number must carry, and the words naming what is asked about.
Everything works on folded text, so a question typed without diacritics reads
the same as one typed with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ASK_KINDS = ("phone", "signer", "recipient", "person", "amount", "duration", "count", "place", "date",
             "document", "agency", "open")

# Phrases that only say *what kind* of fact is wanted; their words are not the subject.
_ASK_PHRASES = re.compile(
    r"\b(bao nhieu|bao lau|bao gio|khi nao|luc nao|ngay nao|thang nao|nam nao|quy nao|so dien thoai|dien thoai|"
    r"duong day nong|dia chi|tru so|o dau|tai dau|dia diem|ty le|phan tram|so luong|ai la|la ai|la gi|ten gi|"
    r"ho ten|hien nay|toi da|toi thieu|khoang|tong cong|tat ca|the nao|nhu the nao|may|ban hanh|thoi han|han chot|"
    r"han cuoi|han nop|han|thoi gian|ky ngay)\b")
_PHONE_ASK = re.compile(r"\b(so dien thoai|dien thoai|so dt|duong day nong|hotline|so fax|email|thu dien tu)\b")
# An office held by a person: "ai là Giám đốc Sở…", "Chủ tịch … là ai", "ai làm tổ trưởng".
_ROLE = (r"(?:pho )?(?:chu tich|giam doc|truong ban|truong phong|bi thu|bo truong|thu truong|thu tuong|chanh "
         r"(?:van phong|thanh tra|an)|to truong|thu ky|cuc truong|vu truong|hieu truong|chu nhiem|tong giam doc|"
         r"truong|chu tri hoi nghi|giam doc|dai dien)")
_PERSON_ASK = re.compile(
    rf"\b(ai la {_ROLE}|{_ROLE}\b.* la ai|ten (la )?gi|ho (va )?ten|ten cua (ong|ba|dong chi)|ai (dang )?(giu chuc|lam "
    rf"{_ROLE}|dung dau)|ai duoc (bo nhiem|bau|bo sung|cu))\b")
# "mấy" folds to "may", as does "máy" of "máy tính", "máy bay"…
_MAY = r"may(?! (?:tinh|bay|moc|in|anh|quay|lanh|chieu|phat|thu|chu|xuc|cay|gat|keo|nong|khoan|bom|giat|loc|dien|nen))"
_QUANTITY_ASK = re.compile(rf"\b(bao nhieu|{_MAY}|ty le|phan tram|so luong)\b")
_AGENCY_ASK = re.compile(r"\b(co quan|don vi|so|ban|phong|bo|cap|to chuc|nganh|ai) nao\b|\bai (chu tri|phoi hop)\b")
# "khi nào" may be answered by a condition ("khi", "nếu", "trường hợp"), "ngày nào" only by a date.
_WHEN_ASK = re.compile(r"\b(khi nao|luc nao|bao gio|truong hop nao)\b")
_MONEY_ASK = re.compile(
    r"\b(tien|ty dong|trieu dong|kinh phi|ngan sach|chi phi|luong|phu cap|le phi|phi|gia|muc phat|"
    r"phat tien|von|hoc phi|thue|boi thuong|tien thuong|muc ho tro|muc chi)\b")
_MONEY_UNITS = ("tien", "dong", "ty", "trieu", "nghin", "ngan", "usd")
_PERCENT_ASK = re.compile(r"\b(phan tram|ty le|lai suat|thue suat)\b")
_WHICH_TIME_ASK = re.compile(r"\b(thang|nam|ngay|quy|gio) may\b")
_DURATION_ASK = re.compile(r"\bbao lau\b|\b(?:bao nhieu|may) (nam|thang|ngay|gio|tuan|phut|quy)\b")
CONDITION = "khi"  # the unit of a "khi nào" date ask: a condition answers it too
_PLACE_ASK = re.compile(r"\b(o dau|tai dau|dia chi|tru so|dia diem|noi nao|cho nao)\b")
# Words after "bao nhiêu" that are not the thing counted.
_NOT_UNIT = {"la", "thi", "duoc", "o", "tai", "trong", "cua", "moi", "mot", "tren", "nam", "khi", "va", "voi",
             "cho", "de", "tu", "den", "da", "se", "con", "nua", "lan"}
_TYPE_WORDS = re.compile(
    r"\b(ke hoach|cong van|chi thi|quyet dinh|nghi dinh|nghi quyet|ket luan|thong tu|thong bao|bao cao|to trinh|"
    r"chuong trinh|de an|cong dien|giay moi|van ban|luat|bo luat|hien phap)\b")


@dataclass(frozen=True)
class Ask:
    """The fact a question wants: its kind, the unit of a counted answer, the words it is about."""

    kind: str  # one of ASK_KINDS
    units: tuple[str, ...] = ()  # folded unit the answer's number must carry: ("dang vien",), ("%",), ("nam",)
    subject: tuple[str, ...] = ()  # folded content syllables naming what is asked about, ask words removed
    pairs: tuple[str, ...] = ()  # adjacent subject syllables of the question: "thanh_lap", "dang_vien"
    names_document: bool = False  # the question names a document ("Kế hoạch 40", "công văn này")


def _unit_after(folded: str) -> tuple[str, ...]:
    """The thing counted: up to two syllables after "bao nhiêu"/"mấy" ("bao nhiêu đảng viên" -> "dang vien")."""
    m = re.search(rf"\b(?:bao nhieu|{_MAY})\s+([a-z0-9 \-]+)", folded)
    if not m:
        return ()
    words: list[str] = []
    for w in re.findall(r"[a-z0-9]+", m.group(1).split(",")[0]):
        if w in _NOT_UNIT or w.isdigit():
            break
        words.append(w)
        if len(words) == 2:
            break
    return (" ".join(words),) if words else ()


def read_ask(folded: str, kinds: tuple[str, ...], numbers: tuple[str, ...] = (),
             content: tuple[str, ...] | None = None) -> Ask:
    """The ``Ask`` of a folded question; ``kinds`` are ``Query.kinds``, ``numbers`` its document numbers.

    Order matters, most specific first: a phone number, then who signed or
    received the document, then a person, an amount of money, a duration, a
    count or share, a place, a date, a document, an agency; anything else is
    an open question ("nhiệm vụ gì", "như thế nào") with no shape to check.
    ``content`` are the question's content syllables (``Query.content_syllables``);
    the subject is those left once the ask phrases are taken out.
    """
    rest = set(re.findall(r"[a-z0-9]+", _ASK_PHRASES.sub(" ", folded)))
    words = content if content is not None else tuple(re.findall(r"[a-z]+", folded))
    subject = tuple(dict.fromkeys(w for w in words if w in rest and not w.isdigit()))
    # Pairs only of syllables adjacent in the question (never across a removed ask phrase).
    kept = [w if w in subject else "" for w in re.findall(r"[a-z0-9]+", _ASK_PHRASES.sub(" | ", folded))]
    pairs = tuple(dict.fromkeys(f"{a}_{b}" for a, b in zip(kept, kept[1:]) if a and b))
    names_document = bool(numbers) or bool(_TYPE_WORDS.search(folded))
    units: tuple[str, ...] = ()
    if _PHONE_ASK.search(folded):
        kind = "phone"
    elif "signer" in kinds:
        kind = "signer"
    elif "recipient" in kinds:
        kind = "recipient"
    elif _PERSON_ASK.search(folded) and not re.search(r"\bai (chu tri|phoi hop|thuc hien|tham muu)\b", folded):
        kind = "person"
    elif _AGENCY_ASK.search(folded) and not _QUANTITY_ASK.search(folded):
        kind = "agency"
    elif "document" in kinds and not _QUANTITY_ASK.search(folded):
        kind = "document"
    elif _WHICH_TIME_ASK.search(folded):
        kind = "date"
    elif _QUANTITY_ASK.search(folded) or _DURATION_ASK.search(folded):
        if _PERCENT_ASK.search(folded):
            kind, units = "count", ("%",)
        elif _DURATION_ASK.search(folded):
            m = _DURATION_ASK.search(folded)
            kind, units = "duration", ((m.group(1),) if m.group(1) else ())
        else:
            units = _unit_after(folded)
            money_unit = bool(units) and units[0].split()[0] in _MONEY_UNITS
            if money_unit or (not units and _MONEY_ASK.search(folded)) or _MONEY_ASK.search(" ".join(units)):
                kind, units = "amount", ()
            else:
                kind = "count"
    elif _PLACE_ASK.search(folded):
        kind = "place"
    elif "date" in kinds:
        kind, units = "date", ((CONDITION,) if _WHEN_ASK.search(folded) else ())
    elif "document" in kinds:
        kind = "document"
    elif "agency" in kinds:
        kind = "agency"
    else:
        kind = "open"
    return Ask(kind=kind, units=units, subject=subject, pairs=pairs, names_document=names_document)

