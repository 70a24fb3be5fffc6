"""Agency names: where they start and end in a sentence, and when two spellings are the same agency.

Plans name agencies with capitals, lower-case words inside ("Sở Thông tin
truyền thông", "Mặt trận Tổ quốc và các tổ chức chính trị - xã hội thị xã")
and abbreviations ("UBND", "MTTQ"); officials type them without diacritics.
A name ends where the duty begins, at a verb such as "theo dõi" or "tổ chức".
"""

from __future__ import annotations

import re
from functools import lru_cache

from index.language.normalize import fold

AGENCY_HEAD = re.compile(
    r"^(?:(?:các|Các|những)\s+(?:cơ quan|đơn vị|sở|Sở|ban|phòng|chi|tổ chức|chủ thể|huyện|xã|địa phương|ngành|"
    r"đảng ủy|đảng bộ|bộ phận|tổ công tác|Ban|Phòng|Hội|Đoàn|cấp ủy|chi bộ)|"
    r"(?:Các\s+)?(?:Ủy ban|Uỷ ban|UBND|UB|HĐND|Ban|Sở|Phòng|Mặt trận|MTTQ|Đảng ủy|Đảng uỷ|Thị ủy|Tỉnh ủy|"
    r"Huyện ủy|Thành ủy|Quận ủy|Hội|Đoàn|Công an|Trung tâm|Văn phòng|Báo|Đài|Trường|Bộ|Cục|Chi cục|Thanh tra|"
    r"Viện|Tòa án|Liên đoàn|Bộ Chỉ huy|Ban Chỉ huy|Cổng|Kho bạc|Chi nhánh|Bộ phận|Thường trực|Lãnh đạo|"
    r"Người đứng đầu|Chủ tịch|Giám đốc|Thủ trưởng|Cơ quan|Đơn vị))\b"
)
# A duty verb ends the agency's name: "Giao Sở Nội vụ tỉnh | theo dõi, tham mưu …".
_DUTY_VERBS = (
    "theo doi", "tham muu", "to chuc", "chu tri", "phoi hop", "thuc hien", "xay dung", "trien khai", "huong dan",
    "kiem tra", "bao cao", "tong hop", "don doc", "chi dao", "ra soat", "chuan bi", "bo tri", "tuyen truyen",
    "cung cap", "dam bao", "bao dam", "chiu trach nhiem", "nghien cuu", "de xuat", "la ", "lam ", "giup",
    "tham dinh", "du toan", "phe duyet", "ban hanh", "giam sat", "danh gia", "khao sat", "quan triet",
    "lanh dao", "van dong", "tap trung", "tang cuong", "nang cao", "tiep tuc", "chu dong", "tao dieu kien",
    "phat huy", "dang tai", "cap nhat", "gui ", "trinh", "de nghi", "can cu", "trong viec", "nham",
)
_VERB = re.compile(r"\b(" + "|".join(re.escape(v.strip()) for v in _DUTY_VERBS) + r")\b")
# Abbreviations officials use for agencies, expanded before comparing names.
_EXPAND = {
    "ubnd": "uy ban nhan dan", "ub": "uy ban", "hdnd": "hoi dong nhan dan", "mttq": "mat tran to quoc",
    "mttqvn": "mat tran to quoc viet nam", "tu": "tinh uy", "bdv": "ban dan van", "bcsd": "ban can su dang",
    "ct-xh": "chinh tri xa hoi", "ctxh": "chinh tri xa hoi", "tp": "thanh pho", "tx": "thi xa", "bch": "ban chap hanh",
    "btv": "ban thuong vu", "so tt&tt": "so thong tin va truyen thong", "tt": "thong tin",
}
_FILLER = {"va", "cac", "cua"}


def name_before_duty(text: str) -> tuple[str, str]:
    """Split "Sở Nội vụ tỉnh theo dõi, tham mưu …" into the agency and the duty.

    A verb preceded by "các" is a noun ("các tổ chức chính trị - xã hội"), one
    right after "Bộ phận"/"Ban"/"Tổ"/"Đoàn" is part of the name ("Bộ phận tham
    mưu", "Ban Chỉ đạo"), and nothing inside parentheses ends the name.
    """
    folded = fold(text)
    depth_at = _paren_depths(folded)
    cut = None
    for m in _VERB.finditer(folded):
        before = folded[: m.start()].rstrip()
        if not before or depth_at[m.start()] > 0:
            continue
        if before.endswith(_NOUN_BEFORE) or before in ("cac", "nhung"):
            continue
        cut = m.start()
        break
    for m in _NAME_STOP.finditer(folded):
        if m.start() > 0 and depth_at[m.start()] == 0 and (cut is None or m.start() < cut):
            cut = m.start()
        break
    if cut is None:
        return text.strip(" ,;:-."), ""
    return text[:cut].strip(" ,;:-"), text[cut:].strip()


_NOUN_BEFORE = (" cac", " nhung", "bo phan", " ban", " to", " doan", "co quan", "don vi")
# Where a list of partners ends when no verb follows: "phối hợp với X trong việc …", "… để …".
_NAME_STOP = re.compile(r"\b(trong viec|trong|de|nham|ve viec|khi|theo)\b(?! an\b)")


def _paren_depths(text: str) -> list[int]:
    depths, depth = [], 0
    for ch in text:
        if ch == "(":
            depth += 1
        depths.append(depth)
        if ch == ")":
            depth = max(0, depth - 1)
    depths.append(depth)
    return depths


def split_agencies(text: str) -> list[str]:
    """"Ban Dân vận Thị ủy, Mặt trận Tổ quốc, các tổ chức chính trị - xã hội thị xã" -> three agencies.

    Semicolons always separate; a comma separates only when what follows
    starts like an agency ("các ban, ngành thị xã" stays whole).
    """
    out: list[str] = []
    for part in re.split(r"\s*;\s*", text.strip(" .;:")):
        pieces = [p.strip() for p in part.split(",")]
        current = ""
        for piece in pieces:
            if not piece:
                continue
            if current and AGENCY_HEAD.match(piece) and not piece.startswith(("ngành", "huyện", "xã", "thị")):
                out.append(current)
                current = piece
            else:
                current = f"{current}, {piece}" if current else piece
        if current:
            out.append(current)
    return [a.strip(" .") for a in out if a.strip(" .")]


@lru_cache(maxsize=100_000)
def agency_key(name: str) -> str:
    """Comparable form of an agency name: folded, abbreviations expanded, fillers and asides dropped."""
    words = re.findall(r"[a-z0-9&-]+", fold(re.sub(r"\([^)]*\)", " ", name)))
    out: list[str] = []
    for w in words:
        out.extend(_EXPAND.get(w, w).replace("-", " ").split())
    return " ".join(w for w in out if w not in _FILLER)


def matches(query: str, name: str) -> bool:
    """Whether an official's typed agency ("phong noi vu", "UBND tỉnh") names this agency."""
    q, n = agency_key(query), agency_key(name)
    return bool(q) and f" {q} " in f" {n} "
