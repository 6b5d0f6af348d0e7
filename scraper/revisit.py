"""When to look at a URL again: the revisit ladder and error backoff. Pure functions.

An article is re-checked at fixed ages after its ladder anchor (by default
1h, 6h, 1d, 3d, 7d after it was first seen), then retired. When a re-check
finds an edit and ``restart_on_change`` is set, the anchor moves to that
moment and the ladder starts over: an article that is being edited is likely
to be edited again, and a fixed schedule would miss those follow-ups. A daemon
that was down does one check for all the rungs it missed, not one per rung.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Next:
    rung: int                 # ladder rungs used up so far
    due: datetime | None      # None: retired


def after_check(anchor: datetime, rung: int, ladder: list[float], now: datetime) -> Next:
    """The next rung after a successful check at ``now``: the first one still ahead."""
    for index in range(rung, len(ladder)):
        due = anchor + timedelta(seconds=ladder[index])
        if due > now:
            return Next(index + 1, due)
    return Next(len(ladder), None)


def backoff(failures: int, *, base: float, cap: float, retry_after: float | None = None) -> float:
    """Seconds to wait after the ``failures``-th failure in a row: exponential, capped,
    and never shorter than the server's Retry-After (itself capped)."""
    delay = min(cap, base * 2 ** max(0, failures - 1))
    if retry_after is not None:
        delay = max(delay, min(retry_after, cap))
    return delay
