"""The bot's idea of "now", in the officials' time zone, with a test/ops override.

Deadlines and reminders are counted in Asia/Ho_Chi_Minh days. ``BOT_TODAY``
(``2021-06-01`` or ``2021-06-01T07:29:50``) sets the clock once at start-up
and lets it run on from there, so a test (or an operator replaying an old
plan) sees the deadlines of 2021 as upcoming; a date alone keeps the real
time of day.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class ClockError(ValueError):
    """BOT_TODAY is not a date or a date and time."""


class Clock:
    """Wall-clock time, shifted to ``start`` when given; it advances in real time either way."""

    def __init__(self, start: datetime | None = None) -> None:
        self._shift = timedelta(0)
        if start is not None:
            self._shift = start - datetime.now(TZ)

    @classmethod
    def from_setting(cls, value: str | None) -> Clock:
        if not value:
            return cls()
        value = value.strip()
        try:
            if "T" in value or " " in value:
                start = datetime.fromisoformat(value)
                start = start if start.tzinfo else start.replace(tzinfo=TZ)
            else:
                day = date.fromisoformat(value)
                real = datetime.now(TZ)
                start = real.replace(year=day.year, month=day.month, day=day.day)
        except ValueError:
            raise ClockError(f"BOT_TODAY: {value!r} is neither YYYY-MM-DD nor YYYY-MM-DDTHH:MM[:SS]") from None
        return cls(start)

    def now(self) -> datetime:
        return datetime.now(TZ) + self._shift

    def today(self) -> date:
        return self.now().date()

    def timestamp(self) -> float:
        """Epoch seconds on this clock (what the ledger stores for subscriptions)."""
        return time.time() + self._shift.total_seconds()
