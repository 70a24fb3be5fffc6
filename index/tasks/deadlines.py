"""Deadlines as plans write them, normalised to a date or a period.

"trước ngày 30/6/2024", "Quý II/2024", "Tháng 9/2024", "Năm 2022, 2023",
"hằng năm", "định kỳ 6 tháng", "thường xuyên": the source wording is kept for
the citation, and a date or period is added so tasks can be sorted by when
they fall due.
"""

from __future__ import annotations

import re
from datetime import date

from index.language.normalize import fold
from index.records import Deadline
from index.understand.dates import IN_WORDS, NUMERIC, iso_date

_ROMAN_Q = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_DATE = re.compile(r"(?:truoc |den |han |trong )?ngay\s+" + NUMERIC)
_QUARTER = re.compile(r"\bquy\s+(iv|iii|ii|i|[1-4])\b\s*(?:/|nam\s+)?\s*(\d{4})?")
_MONTH = re.compile(r"\bthang\s+(\d{1,2})\s*(?:/|nam\s+)\s*(\d{4})")
_YEARS = re.compile(r"\bnam\s+((?:\d{4})(?:\s*(?:,|va|-|–|den)\s*\d{4})*)")
_YEAR = re.compile(r"\b(20\d{2}|19\d{2})\b")
_PERIODIC = [
    (re.compile(r"\b(hang|hang) nam\b|\bmoi nam\b|\bdinh ky (hang )?nam\b|\bhang nam\b"), "yearly"),
    (re.compile(r"\bdinh ky 0?6 thang\b|\b0?6 thang (mot lan|\/lan)\b|\bsau thang mot lan\b"), "every-6-months"),
    (re.compile(r"\bhang quy\b|\bdinh ky (hang )?quy\b"), "quarterly"),
    (re.compile(r"\bhang thang\b|\bdinh ky (hang )?thang\b"), "monthly"),
    (re.compile(r"\bthuong xuyen\b|\blien tuc\b"), "ongoing"),
]

# Words that introduce a deadline inside a sentence.
DEADLINE_CUE = re.compile(
    r"(?:(?:trước|đến|hạn|chậm nhất|trong|hoàn thành trong|hoàn thành trước)\s+ngày\s+\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}"
    r"|(?:trong|vào|trước)\s+(?:quý|Quý)\s+(?:IV|III|II|I|[1-4])(?:\s*/\s*\d{4}|\s+năm\s+\d{4})?"
    r"|(?:trong|vào|trước)\s+tháng\s+\d{1,2}\s*(?:/|năm)\s*\d{4}"
    r"|(?:định kỳ|hằng|hàng)\s+(?:năm|quý|tháng|06 tháng|6 tháng)"
    r"|thường xuyên)",
    re.IGNORECASE,
)


def normalise(text: str) -> Deadline | None:
    """A ``Deadline`` for a deadline phrase, or None when the text names no time.

    When several times are named ("năm 2022 và Quý III/2024") the first one
    written is the one the task falls due by first.
    """
    t = " ".join(text.split()).strip(" .;,")
    if not t:
        return None
    f = fold(t)
    found: list[tuple[int, Deadline]] = []
    for m in list(_DATE.finditer(f)) + list(IN_WORDS.finditer(f)):
        day = iso_date(*m.groups())
        if day:
            found.append((m.start(), Deadline(text=t, date=day)))
    for m in _QUARTER.finditer(f):
        year = m.group(2) or _first_year(f)
        q = _ROMAN_Q[m.group(1)]
        found.append((m.start(), Deadline(text=t, period=f"{year}-Q{q}" if year else f"Q{q}")))
    for m in _MONTH.finditer(f):
        if 1 <= int(m.group(1)) <= 12:
            found.append((m.start(), Deadline(text=t, period=f"{m.group(2)}-{int(m.group(1)):02d}")))
    for m in _YEARS.finditer(f):
        years = _YEAR.findall(m.group(1))
        found.append((m.start(), Deadline(text=t, period="/".join(years) if len(years) > 1 else years[0])))
    if found:
        return min(found, key=lambda x: x[0])[1]
    for pattern, period in _PERIODIC:
        if pattern.search(f):
            return Deadline(text=t, period=period)
    if _YEAR.search(f):
        return Deadline(text=t, period=_YEAR.search(f).group(1))
    return None


def _first_year(f: str) -> str | None:
    m = _YEAR.search(f)
    return m.group(1) if m else None


def sort_key(deadline: Deadline | None) -> tuple[int, str]:
    """Chronological by the last day the deadline allows; recurring ones after, none last.

    "Quý II/2024" falls due on 2024-06-30, "Tháng 9/2024" on 2024-09-30,
    "Năm 2022, 2023" at the end of 2022.
    """
    if deadline is None:
        return (3, "")
    if deadline.date:
        return (0, deadline.date)
    p = deadline.period or ""
    if m := re.match(r"(\d{4})-Q(\d)$", p):
        month = int(m.group(2)) * 3
        return (0, f"{m.group(1)}-{month:02d}-{_last_day(int(m.group(1)), month):02d}")
    if m := re.match(r"(\d{4})-(\d{2})$", p):
        return (0, f"{m.group(1)}-{m.group(2)}-{_last_day(int(m.group(1)), int(m.group(2))):02d}")
    if m := re.match(r"(\d{4})", p):
        return (0, f"{m.group(1)}-12-31")
    if p:
        return (1, p)
    return (2, "")


def due_date(deadline: Deadline | None) -> date | None:
    """The last day a deadline allows, or None when it names no single day to remind of.

    A period ends at its last day ("Quý II/2024" → 30/6/2024, "Tháng 9/2024" →
    30/9/2024, "Năm 2022" → 31/12/2022; "Năm 2022, 2023" → the first year's end,
    when the task first falls due). Recurring or open-ended wording ("hằng năm",
    "định kỳ 6 tháng", "thường xuyên") and a quarter without a year are not
    deadlines: there is no day to count down to.
    """
    if deadline is None:
        return None
    rank, day = sort_key(deadline)
    if rank != 0:
        return None
    try:
        return date.fromisoformat(day)
    except ValueError:
        return None


def _last_day(year: int, month: int) -> int:
    import calendar

    return calendar.monthrange(year, month)[1]


def find_in(sentence: str) -> Deadline | None:
    """The deadline a sentence states, e.g. "…, trước ngày 20/5/2021 đối với báo cáo 6 tháng"."""
    m = DEADLINE_CUE.search(sentence)
    if not m:
        return None
    return normalise(m.group(0))
