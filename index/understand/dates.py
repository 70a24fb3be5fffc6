"""Dates as Vietnamese documents write them, on folded text.

"ngày 11 tháng 01 năm 2021", "ngày 11/01/2021" and "11.01.2021" are the same
day; metadata, keyword terms and deadlines all read them with these patterns.
"""

from __future__ import annotations

import re

NUMERIC = r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})"
IN_WORDS = re.compile(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})")
AFTER_NGAY = re.compile(r"ngay\s+" + NUMERIC)
STANDALONE = re.compile(r"(?<![\d/])" + NUMERIC + r"(?![\d/])")


def iso_date(day: str, month: str, year: str) -> str | None:
    """``2021-01-11`` for a plausible day and month, else None."""
    d, m, y = int(day), int(month), int(year)
    if 1 <= d <= 31 and 1 <= m <= 12:
        return f"{y:04d}-{m:02d}-{d:02d}"
    return None
