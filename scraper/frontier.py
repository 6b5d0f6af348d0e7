"""The frontier: which URLs are known and when each is due. Store layer (database I/O).

It lives in the archive file, so killing the daemon forgets nothing: on restart
the due URLs are simply due. States: ``pending`` (never fetched), ``active``
(on the revisit ladder), ``retired`` (ladder done or given up).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from .config import RevisitConfig
from .models import CHANGED, FAILED, NEW, NOT_MODIFIED, SKIPPED, Candidate, UrlResult, Validators
from .revisit import after_check, backoff
from .store import Archive, iso


LIVE = ("pending", "active")  # every state but 'retired'


@dataclass(frozen=True)
class SourceStatus:
    """What ``scraper status`` shows for one source."""

    source: str
    last_run: dict | None
    articles: int
    versions: int
    queued: int
    next_due: str | None
    recent_errors: list[dict]


@dataclass(frozen=True)
class Due:
    """One URL the dispatcher should fetch now."""

    url: str
    source: str | None
    validators: Validators
    failures: int
    hint: Candidate | None = None  # what the feed or sitemap said of it


def _hint(row: tuple) -> Candidate | None:
    via, title, published, language = row[5:9]
    if not (title or published or language):
        return None
    return Candidate(row[0], via or "", title, datetime.fromisoformat(published) if published else None, language)


class Frontier:
    def __init__(self, archive: Archive, revisit: RevisitConfig) -> None:
        self.db = archive.db
        self.archive = archive
        self.revisit = revisit

    def add(self, source: str, candidates: list[Candidate], now: datetime, cap: int,
            per_host: int | None = None, over_budget: list[str] | None = None) -> int:
        """Queue candidates not seen before (at most ``cap``); return how many were new.

        With ``per_host``, a host (name and port) that already has that many
        URLs queued (not retired) gets no more: a spider trap fills its own
        budget and stops there. Those refused are appended to ``over_budget``."""
        added = 0
        queued: dict[str, int] = {}
        with self.archive.atomic():
            for candidate in candidates:
                if added >= cap:
                    break
                if self.archive.article_id_for(candidate.url) is not None:
                    continue
                host = urlsplit(candidate.url).netloc
                if per_host is not None:
                    if host not in queued:
                        queued[host] = self._queued_at(host)
                    if queued[host] >= per_host:
                        if over_budget is not None and not self._known(candidate.url):
                            over_budget.append(candidate.url)
                        continue
                cursor = self.db.execute(
                    "INSERT OR IGNORE INTO frontier (url, source, via, discovered_at, ladder_from, next_due, "
                    "title_hint, published_hint, language_hint) VALUES (?,?,?,?,?,?,?,?,?)",
                    [candidate.url, source, candidate.via, iso(now), iso(now), iso(now), candidate.title,
                     candidate.published_at.isoformat() if candidate.published_at else None,
                     candidate.language])
                added += cursor.rowcount
                queued[host] = queued.get(host, 0) + cursor.rowcount
        return added

    def _queued_at(self, netloc: str) -> int:
        """URLs of one host (``name[:port]``) not retired; two range scans of the primary key."""
        ranges = []
        for scheme in ("http", "https"):
            prefix = f"{scheme}://{netloc}/"
            ranges += [prefix, prefix[:-1] + "0"]  # "0" sorts right after "/"
        return self.db.execute(
            "SELECT count(*) FROM frontier WHERE state != 'retired' AND ((url >= ? AND url < ?) "
            "OR (url >= ? AND url < ?))", ranges).fetchone()[0]

    def _known(self, url: str) -> bool:
        return self.db.execute("SELECT 1 FROM frontier WHERE url = ?", [url]).fetchone() is not None

    def due(self, now: datetime, limit: int = 1000) -> list[Due]:
        """The URLs due at ``now``, most overdue first, at most ``limit``.

        One query per live state, each reading the (state, next_due) index in
        order and stopping after ``limit`` rows, then a merge here: no query scans
        the frontier or sorts every due row (the dispatcher asks for a few hundred
        at a time, however large the backlog)."""
        rows: list[tuple] = []
        for state in LIVE:
            rows += self.db.execute(
                "SELECT url, source, etag, last_modified, failures, via, title_hint, published_hint, "
                "language_hint, next_due FROM frontier WHERE state = ? AND next_due <= ? ORDER BY next_due LIMIT ?",
                [state, iso(now), limit]).fetchall()
        rows.sort(key=lambda r: r[9])
        return [Due(r[0], r[1], Validators(r[2], r[3]), r[4], _hint(r)) for r in rows[:limit]]

    def next_due_after(self, now: datetime) -> datetime | None:
        """When the next live URL falls due after ``now`` (the (state, next_due) index, one probe per state)."""
        found = [self.db.execute("SELECT min(next_due) FROM frontier WHERE state = ? AND next_due > ?",
                                 [state, iso(now)]).fetchone()[0] for state in LIVE]
        found = [f for f in found if f]
        return datetime.fromisoformat(min(found)) if found else None

    def next_due(self) -> str | None:
        row = self.db.execute(
            "SELECT min(next_due) FROM frontier WHERE state != 'retired'").fetchone()
        return row[0] if row else None

    def record(self, due: Due, result: UrlResult, now: datetime, validators: Validators | None = None,
               retry_after: float | None = None) -> None:
        """Move a URL along its ladder after a fetch (or back it off after a failure)."""
        with self.archive.atomic():
            if result.outcome == FAILED:
                self._failed(due, result, now, retry_after)
            elif result.outcome == SKIPPED:
                self.db.execute("UPDATE frontier SET state = 'retired', last_error = ?, last_checked = ? "
                                "WHERE url = ?", [result.error, iso(now), due.url])
            else:
                self._checked(due, result, now, validators or Validators())

    def _checked(self, due: Due, result: UrlResult, now: datetime, validators: Validators) -> None:
        row = self.db.execute("SELECT ladder_from, rung, state FROM frontier WHERE url = ?", [due.url]).fetchone()
        anchor, rung = datetime.fromisoformat(row[0]), row[1]
        if row[2] == "pending" or (result.outcome == CHANGED and self.revisit.restart_on_change):
            anchor, rung = now, 0
        nxt = after_check(anchor, rung, self.revisit.ladder, now)
        keep_validators = result.outcome in (NEW, CHANGED, NOT_MODIFIED) or bool(validators.etag)
        self.db.execute(
            "UPDATE frontier SET ladder_from = ?, rung = ?, next_due = ?, state = ?, failures = 0, "
            "last_status = ?, last_error = NULL, last_checked = ?, article_id = coalesce(?, article_id), "
            "etag = CASE WHEN ? THEN coalesce(?, etag) ELSE etag END, "
            "last_modified = CASE WHEN ? THEN coalesce(?, last_modified) ELSE last_modified END WHERE url = ?",
            [iso(anchor), nxt.rung, iso(nxt.due) if nxt.due else iso(now), "active" if nxt.due else "retired",
             result.status, iso(now), result.article_id, keep_validators, validators.etag, keep_validators,
             validators.last_modified, due.url])

    def _failed(self, due: Due, result: UrlResult, now: datetime, retry_after: float | None) -> None:
        failures = due.failures + 1
        wait = backoff(failures, base=self.revisit.backoff, cap=self.revisit.backoff_cap, retry_after=retry_after)
        state = "retired" if failures >= self.revisit.max_failures else None
        self.db.execute(
            "UPDATE frontier SET failures = ?, next_due = ?, last_status = ?, last_error = ?, last_checked = ?, "
            "state = coalesce(?, state) WHERE url = ?",
            [failures, iso(now + timedelta(seconds=wait)), result.status, result.error, iso(now), state, due.url])

    def start_run(self, source: str, now: datetime) -> int:
        with self.archive.atomic():
            return self.db["runs"].insert({"source": source, "started_at": iso(now)}).last_pk

    def finish_run(self, run_id: int, now: datetime, *, found: int, new: int, errors: int,
                   error: str | None = None) -> None:
        with self.archive.atomic():
            self.db["runs"].update(run_id, {"finished_at": iso(now), "found": found, "new": new,
                                            "errors": errors, "error": error})

    def status(self, sources: list[str]) -> list[SourceStatus]:
        """Per source: last discovery run, counts, what is due next, recent errors."""
        names = list(dict.fromkeys(sources + [r[0] for r in self.db.execute(
            "SELECT DISTINCT source FROM frontier WHERE source IS NOT NULL").fetchall()]))
        return [self._status(name) for name in names]

    def _status(self, name: str) -> SourceStatus:
        one = self.db.execute
        last_run = next(self.db.query(
            "SELECT started_at, finished_at, found, new, errors, error FROM runs WHERE source = ? "
            "ORDER BY id DESC LIMIT 1", [name]), None)
        articles, versions = one(
            "SELECT count(*), coalesce(sum(version), 0) FROM articles WHERE source = ?", [name]).fetchone()
        queued, next_due = one(
            "SELECT count(*), min(next_due) FROM frontier WHERE source = ? AND state != 'retired'",
            [name]).fetchone()
        errors = list(self.db.query(
            "SELECT requested_at, url, status, error FROM fetches WHERE source = ? AND outcome = 'failed' "
            "ORDER BY id DESC LIMIT 3", [name]))
        return SourceStatus(name, last_run, articles, versions, queued, next_due, errors)

    def prune_retired(self, now: datetime, keep_days: float = 30.0) -> int:
        """Forget retired URLs whose article is archived, a while after retirement.
        A feed that lists one again finds it archived and does not queue it."""
        cutoff = iso(now - timedelta(days=keep_days))
        with self.archive.atomic():
            cursor = self.db.execute(
                "DELETE FROM frontier WHERE state = 'retired' AND last_checked < ? AND article_id IS NOT NULL",
                [cutoff])
        return cursor.rowcount
