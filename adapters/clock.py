"""Clocks: the system's, and a settable one for tests and the demo's simulated days."""

from __future__ import annotations

import datetime as dt


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.timezone.utc)


class FixedClock:
    """A clock that stays where it is put; ``advance`` moves it."""

    def __init__(self, moment: dt.datetime) -> None:
        self._now = moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)

    def now(self) -> dt.datetime:
        return self._now

    def set(self, moment: dt.datetime) -> None:
        self._now = moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)

    def advance(self, **delta: float) -> None:
        self._now += dt.timedelta(**delta)
