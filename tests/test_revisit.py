"""The revisit ladder and backoff, with injected time (no sleeping)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scraper.revisit import after_check, backoff

T0 = datetime(2026, 1, 1, tzinfo=UTC)
LADDER = [3600, 21600, 86400, 259200, 604800]


def test_the_ladder_climbs_then_retires():
    rung, now, dues = 0, T0, []
    while True:
        nxt = after_check(T0, rung, LADDER, now)
        if nxt.due is None:
            break
        dues.append(nxt.due - T0)
        rung, now = nxt.rung, nxt.due
    assert dues == [timedelta(seconds=s) for s in LADDER]


def test_missed_rungs_collapse_into_one_check():
    late = T0 + timedelta(days=2)  # the daemon was down for two days
    nxt = after_check(T0, 1, LADDER, late)
    assert nxt.due == T0 + timedelta(days=3) and nxt.rung == 4
    assert after_check(T0, 0, LADDER, T0 + timedelta(days=8)).due is None


def test_backoff_doubles_is_capped_and_honours_retry_after():
    waits = [backoff(n, base=60, cap=3600) for n in range(1, 9)]
    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert backoff(1, base=60, cap=3600, retry_after=600) == 600
    assert backoff(1, base=60, cap=3600, retry_after=10**9) == 3600
