"""Creation and modification times: the span, root growth, derivatives after their parents."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from functools import cache

_START = 1577836800  # 2020-01-01T00:00:00Z
END = 1793491199  # 2026-10-31T23:59:59Z
TYPED_SINCE = 1727740800  # 2024-10-01: the Hub writes typed base_model tags from here on
_SPAN = END - _START
_GROWTH = 2.0  # exponential growth rate of root creation dates over the span
_AFTER_PARENT = 600  # a derivative is created from ten minutes after its latest parent
_SOONER = 1.2  # to the span's end: u ** this of the time left, so sooner is likelier
_P_TOUCHED_ONCE = 0.45  # last modified within the hour of creation (else any time since)
_LATER_EDITS = 3  # those later times: u ** this of the time left, so early is likelier


def root_created(h: int) -> int:
    """Creation time of a root: exponential growth over 2020-01-01 .. 2026-10-31."""
    u = ((h >> 24) & 0xFFFFFF) / 0x1000000
    return _START + int(_SPAN * math.log1p(u * math.expm1(_GROWTH)) / _GROWTH)


def derived_created(u: float, after: int) -> int:
    """Some time after the latest parent, up to the end of the span (sooner is likelier)."""
    after = max(after, _START) + _AFTER_PARENT
    return END if after >= END else after + int((END - after) * u**_SOONER)


def timestamp(iso: str) -> int:
    return int(datetime.fromisoformat(iso).replace(tzinfo=UTC).timestamp())


@cache
def _clock() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Day, hour:minute and second strings, so formatting a time is three lookups."""
    first = date(2020, 1, 1)
    days = tuple((first + timedelta(days=d)).isoformat() for d in range(_SPAN // 86400 + 1))
    minutes = tuple(f"T{m // 60:02d}:{m % 60:02d}:" for m in range(1440))
    seconds = tuple(f"{s:02d}.000Z" for s in range(60))
    return days, minutes, seconds


def iso_time(ts: int) -> str:
    days, minutes, seconds = _clock()
    day, rest = divmod(ts - _START, 86400)
    minute, second = divmod(rest, 60)
    return days[day] + minutes[minute] + seconds[second]


def last_modified(r, created: int) -> int:
    if r() < _P_TOUCHED_ONCE:
        return min(END, created + int(r() * 3600))
    return created + int((END - created) * r() ** _LATER_EDITS)
