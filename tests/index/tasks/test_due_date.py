"""A deadline's last day: what /hanchot and the reminders count down to."""

from __future__ import annotations

from datetime import date

import pytest

from index.tasks.deadlines import due_date, normalise


@pytest.mark.parametrize("text, expected", [
    ("Quý II/2024", date(2024, 6, 30)),
    ("trong Quý IV năm 2023", date(2023, 12, 31)),
    ("Tháng 9/2024", date(2024, 9, 30)),
    ("Tháng 2/2024", date(2024, 2, 29)),
    ("trước ngày 20/5/2021", date(2021, 5, 20)),
    ("Năm 2022, 2023", date(2022, 12, 31)),
])
def test_a_period_ends_at_its_last_day(text: str, expected: date) -> None:
    assert due_date(normalise(text)) == expected


@pytest.mark.parametrize("text", ["hằng năm", "Thực hiện thường xuyên", "định kỳ 6 tháng", "hàng quý", "Quý II"])
def test_recurring_or_open_wording_is_no_deadline(text: str) -> None:
    deadline = normalise(text)
    assert deadline is not None and due_date(deadline) is None


def test_no_deadline_no_day() -> None:
    assert due_date(None) is None
