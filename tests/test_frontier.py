"""The frontier remembers every URL and when it is due, in the archive file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scraper.config import RevisitConfig
from scraper.frontier import Frontier
from scraper.models import Candidate, UrlResult, Validators
from scraper.store import Archive, iso

T0 = datetime(2026, 1, 1, tzinfo=UTC)
URL = "https://baohagiang.vn/a.html"


def frontier(path, **revisit):
    archive = Archive(path)
    return archive, Frontier(archive, RevisitConfig(**revisit))


def test_new_urls_are_due_at_once_and_capped(tmp_path):
    archive, front = frontier(tmp_path / "a.db")
    found = [Candidate(f"https://baohagiang.vn/{i}.html", "feed") for i in range(5)]
    assert front.add("bhg", found, T0, cap=3) == 3
    assert front.add("bhg", found, T0, cap=3) == 2  # the other two; the first three are known
    assert len(front.due(T0)) == 5


def test_a_check_moves_the_url_up_the_ladder_and_keeps_validators(tmp_path):
    archive, front = frontier(tmp_path / "a.db")
    front.add("bhg", [Candidate(URL, "feed")], T0, cap=10)
    [due] = front.due(T0)
    front.record(due, UrlResult(URL, "new", status=200), T0, validators=Validators('"v1"', "Wed, 06 Dec 2017"))
    assert front.due(T0 + timedelta(minutes=59)) == []
    [again] = front.due(T0 + timedelta(hours=1))
    assert again.validators == Validators('"v1"', "Wed, 06 Dec 2017")


def test_an_edit_restarts_the_ladder(tmp_path):
    archive, front = frontier(tmp_path / "a.db")
    front.add("bhg", [Candidate(URL, "feed")], T0, cap=10)
    front.record(front.due(T0)[0], UrlResult(URL, "new", status=200), T0)
    t6 = T0 + timedelta(hours=6)
    t1 = T0 + timedelta(hours=1)
    front.record(front.due(t1)[0], UrlResult(URL, "unchanged", status=200), t1)
    front.record(front.due(t6)[0], UrlResult(URL, "changed", status=200), t6)
    row = archive.db.execute("SELECT ladder_from, rung, next_due FROM frontier").fetchone()
    assert row == (iso(t6), 1, iso(t6 + timedelta(hours=1)))


def test_failures_back_off_and_give_up(tmp_path):
    archive, front = frontier(tmp_path / "a.db", backoff=60, backoff_cap=600, max_failures=3)
    front.add("bhg", [Candidate(URL, "feed")], T0, cap=10)
    now = T0
    waits = []
    for _ in range(3):
        [due] = front.due(now + timedelta(days=1))
        front.record(due, UrlResult(URL, "failed", status=503, error="HTTP 503"), now, retry_after=None)
        next_due = datetime.fromisoformat(archive.db.execute("SELECT next_due FROM frontier").fetchone()[0])
        waits.append((next_due - now).total_seconds())
    assert waits == [60, 120, 240]
    assert archive.db.execute("SELECT state, failures FROM frontier").fetchone() == ("retired", 3)
    assert front.due(T0 + timedelta(days=30)) == []


def test_retry_after_sets_the_next_attempt(tmp_path):
    archive, front = frontier(tmp_path / "a.db", backoff=60, backoff_cap=3600)
    front.add("bhg", [Candidate(URL, "feed")], T0, cap=10)
    front.record(front.due(T0)[0], UrlResult(URL, "failed", status=429, error="HTTP 429"), T0, retry_after=900)
    assert front.due(T0 + timedelta(seconds=899)) == []
    assert len(front.due(T0 + timedelta(seconds=900))) == 1


def test_the_frontier_survives_reopening(tmp_path):
    archive, front = frontier(tmp_path / "a.db")
    front.add("bhg", [Candidate(URL, "feed")], T0, cap=10)
    archive.close()
    archive, front = frontier(tmp_path / "a.db")
    assert [d.url for d in front.due(T0)] == [URL]


def test_retired_archived_urls_are_pruned_and_not_requeued(tmp_path):
    from scraper.models import Article
    archive, front = frontier(tmp_path / "a.db", ladder=[3600])
    front.add("bhg", [Candidate(URL, "feed")], T0, cap=10)
    stored = archive.save(url=URL, article=Article(title="T", body="B"), raw=b"x")
    front.record(front.due(T0)[0], UrlResult(URL, "new", status=200, article_id=stored.article_id), T0)
    later = T0 + timedelta(hours=2)
    front.record(front.due(later)[0], UrlResult(URL, "unchanged", status=200, article_id=stored.article_id), later)
    assert archive.db.execute("SELECT state FROM frontier").fetchone() == ("retired",)
    assert front.prune_retired(later + timedelta(days=1)) == 0
    assert front.prune_retired(later + timedelta(days=31)) == 1
    assert front.add("bhg", [Candidate(URL, "feed")], later + timedelta(days=31), cap=10) == 0
