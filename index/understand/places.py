"""Vietnam's provinces, to recognise a locality written with typos or without marks.

The place line of a scanned plan may read ``Phủ Thọ`` for ``Phú Thọ``; matching
the folded spelling against this list restores the province's real name.
Includes the provinces merged in 2025, since older plans still use them.
"""

from __future__ import annotations

from functools import lru_cache

from index.language.normalize import fold

PROVINCES = (
    "An Giang", "Bà Rịa - Vũng Tàu", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh", "Bến Tre",
    "Bình Dương", "Bình Định", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Cần Thơ",
    "Đà Nẵng", "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang",
    "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương", "Hải Phòng", "Hậu Giang", "Hòa Bình", "Hưng Yên",
    "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu", "Lạng Sơn", "Lào Cai", "Lâm Đồng", "Long An",
    "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam",
    "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình",
    "Thái Nguyên", "Thanh Hóa", "Thành phố Hồ Chí Minh", "Thừa Thiên Huế", "Huế", "Tiền Giang",
    "Trà Vinh", "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
)


@lru_cache(maxsize=1)
def _by_fold() -> dict[str, str]:
    table = {fold(p): p for p in PROVINCES}
    table["tp ho chi minh"] = "Thành phố Hồ Chí Minh"
    table["ho chi minh"] = "Thành phố Hồ Chí Minh"
    return table


def province(name: str) -> str | None:
    """The province's proper name if ``name`` is one, however it was typed."""
    return _by_fold().get(" ".join(fold(name).replace("-", " - ").split()))


def provinces_in(text: str) -> list[str]:
    """Provinces named in ``text`` as ``tỉnh X`` / ``thành phố X``, in order of appearance."""
    import re

    found: list[str] = []
    folded = fold(text)
    for m in re.finditer(r"\b(?:tinh|thanh pho)\s+((?:[a-z]+\s*){1,4})", folded):
        words = m.group(1).split()
        for n in range(min(4, len(words)), 0, -1):
            p = _by_fold().get(" ".join(words[:n]))
            if p:
                found.append(p)
                break
    return found


def provinces_named(text: str) -> list[str]:
    """Provinces named anywhere in ``text`` (with or without ``tỉnh``), longest names first.

    Single-syllable-pair names are matched as whole words of the folded text,
    so "Long An" is not found in "an ninh".
    """
    import re

    folded = " " + " ".join(re.findall(r"[a-z0-9]+", fold(text))) + " "
    found = []
    for key, name in sorted(_by_fold().items(), key=lambda kv: -len(kv[0])):
        k = " ".join(re.findall(r"[a-z0-9]+", key))
        if len(k.split()) >= 2 and f" {k} " in folded and name not in found:
            found.append(name)
            folded = folded.replace(f" {k} ", " ")
    return found
