"""The daemon: APScheduler's AsyncIOScheduler running discovery, dispatch and upkeep.

APScheduler only decides *when* jobs run; what is known and due lives in the
archive's frontier, so a restart resumes where the last run stopped.

Jobs: one discovery job per source (interval or cron, with jitter), a
dispatcher that starts the due fetches, and a maintenance job that
checkpoints the WAL. APScheduler 3.x cancels running asyncio jobs on
shutdown, so shutdown is ours: on SIGINT/SIGTERM the daemon stops taking
work, lets in-flight fetches finish within the grace period, cancels what is
left (each URL's writes are one transaction, so a cancelled fetch leaves
nothing behind) and exits 0. A second daemon on the same archive is refused.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from .config import Config, SourceConfig
from .crawl import Crawler, politeness_for
from .errors import ConfigError, ScraperError, StoreError
from .fetch import Fetcher
from .log import event
from .store import Archive, utcnow
from .workers import Extractor

# seconds between looks at the frontier. Due times, finished fetches and finished
# discoveries wake the dispatcher themselves; the tick catches the rest (a host's
# pause ending, the archive accepting writes again). Each APScheduler run costs a
# few ms of CPU: a 1 s tick was ~2 % of a core while idle.
DISPATCH_EVERY = 5.0
MAINTAIN_EVERY = float(os.environ.get("SCRAPER_MAINTAIN_EVERY", 300))  # seconds between WAL checkpoints
# (the variable is for tests, which cannot wait minutes)
CHECKPOINT_WAIT = 1.0     # longest wait for readers to let go of the WAL; writes wait meanwhile
DEFAULT_EVERY = 900.0     # a source with neither every nor cron is read every 15 minutes


class ArchiveLocked(ScraperError):
    """Another daemon holds this archive."""


class Lock:
    """An exclusive, advisory lock beside the archive; released when the process dies."""

    def __init__(self, db_path: Path) -> None:
        self.path = Path(str(db_path) + ".lock")
        self.handle = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise ArchiveLocked(f"another scraper daemon (pid {holder}) is already running on "
                                f"{self.path.with_suffix('')}; stop it first or use another --db") from None
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
        self.handle = handle

    def release(self) -> None:
        if self.handle:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


def trigger_for(source: SourceConfig):
    """The APScheduler trigger of a source's discovery job."""
    jitter = int(source.jitter) or None
    if source.cron:
        try:
            return CronTrigger.from_crontab(source.cron, timezone=UTC, jitter=jitter)
        except ValueError as exc:
            raise ConfigError(f"bad cron expression {source.cron!r}: {exc}",
                              key=f"sources.{source.name}.cron") from exc
    return IntervalTrigger(seconds=source.every or DEFAULT_EVERY, timezone=UTC, jitter=jitter)


class Daemon:
    def __init__(self, config: Config, db_path: Path, *, grace: float = 30.0,
                 stop_after: float | None = None, now: Callable[[], datetime] = utcnow) -> None:
        self.config = config
        self.db_path = Path(db_path)
        self.grace = grace
        self.stop_after = stop_after
        self.now = now
        self.stopping = asyncio.Event()
        self.tasks: set[asyncio.Task] = set()
        self.running: dict[str, asyncio.Task] = {}  # job id -> its work still in progress
        self.job_errors = 0  # jobs that raised, were missed or overran; shown in every such event
        self.wake: asyncio.TimerHandle | None = None  # the dispatcher's wake-up for the next due URL

    async def run(self) -> int:
        lock = Lock(self.db_path)
        lock.acquire()
        try:
            with Archive(self.db_path) as archive, Extractor(self.config.fetch.extract_processes) as extractor:
                async with Fetcher(self.config.fetch) as fetcher:
                    politeness = politeness_for(self.config, fetcher)
                    self.crawler = Crawler(self.config, archive, fetcher, politeness, now=self.now,
                                           extractor=extractor)
                    self.archive = archive
                    await self._serve()
        finally:
            lock.release()
        return 0

    async def _serve(self) -> None:
        scheduler = self._scheduler()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.stopping.set)
        if self.stop_after is not None:
            loop.call_later(self.stop_after, self.stopping.set)
        scheduler.start()
        event("started", db=str(self.db_path), sources=len(self.config.sources),
              due_next=self.crawler.frontier.next_due())
        await self.stopping.wait()
        event("stopping", in_flight=len(self.tasks), grace=f"{self.grace:g}s")
        self.crawler.accepting = False
        scheduler.pause()
        await self._drain()
        scheduler.shutdown(wait=False)
        self.archive.checkpoint(wait=CHECKPOINT_WAIT)
        event("stopped")

    def _scheduler(self) -> AsyncIOScheduler:
        scheduler = AsyncIOScheduler(timezone=UTC, job_defaults={
            "misfire_grace_time": 300, "coalesce": True, "max_instances": 1})
        start = datetime.now(UTC)
        for source in self.config.sources:
            scheduler.add_job(self._spawn, trigger_for(source),
                              args=[f"discover:{source.name}", self.crawler.discover, source],
                              id=f"discover:{source.name}", name=f"discover {source.name}", next_run_time=start)
        scheduler.add_job(self._dispatch, IntervalTrigger(seconds=DISPATCH_EVERY, timezone=UTC),
                          id="dispatch", name="dispatch due URLs", next_run_time=start)
        scheduler.add_job(self._maintain, IntervalTrigger(seconds=MAINTAIN_EVERY, timezone=UTC),
                          id="maintenance", name="checkpoint the WAL")
        scheduler.add_listener(self._on_job_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)
        return scheduler

    def _track(self, task: asyncio.Task, job: str = "dispatch") -> None:
        self.tasks.add(task)
        task.add_done_callback(lambda done: self._done(done, job))

    def _done(self, task: asyncio.Task, job: str) -> None:
        """A job's work ended: log and count an exception, then look for more due work."""
        self.tasks.discard(task)
        if self.running.get(job) is task:
            del self.running[job]
        if not task.cancelled() and task.exception() is not None:
            self.job_errors += 1
            event("job_failed", level=40, job=job, error=repr(task.exception()), job_errors=self.job_errors)
        if (job == "dispatch" or job.startswith("discover:")) and not self.stopping.is_set():
            asyncio.ensure_future(self._dispatch())  # a freed slot or new URLs need not wait for the tick

    async def _spawn(self, job: str, work, *args) -> None:
        """Run a job's work as a tracked task, so shutdown can wait for it. A job
        whose last run is still going (a slow feed) is skipped, logged and counted."""
        if self.stopping.is_set():
            return
        if job in self.running:
            self.job_errors += 1
            event("job_skipped", level=30, job=job, reason="still running", job_errors=self.job_errors)
            return
        task = asyncio.ensure_future(work(*args))
        self.running[job] = task
        self._track(task, job)

    async def _dispatch(self) -> None:
        if self.stopping.is_set():
            return
        try:
            for task in self.crawler.dispatch():
                self._track(task)
            self._arm()
        except StoreError as exc:
            event("failed", level=40, job="dispatch", error=str(exc))

    def _arm(self) -> None:
        """Wake the dispatcher when the next URL falls due, if that comes before
        the next tick: a URL is fetched at its time, not up to a tick later."""
        upcoming = self.crawler.frontier.next_due_after(self.now())
        if upcoming is None:
            return
        delay = (upcoming - self.now()).total_seconds()
        if delay >= DISPATCH_EVERY:
            return
        if self.wake is not None:
            self.wake.cancel()
        self.wake = asyncio.get_running_loop().call_later(
            max(delay, 0.0), lambda: asyncio.ensure_future(self._dispatch()))

    async def _maintain(self) -> None:
        try:
            pruned = self.crawler.frontier.prune_retired(self.now())
            busy, frames, copied = self.archive.checkpoint(wait=CHECKPOINT_WAIT)
            wal = "emptied" if frames == 0 else "kept: a reader still needs part of it" if busy or copied < frames \
                else "checkpointed"
            event("maintenance", wal=wal, frames=frames or None, copied=copied or None, pruned=pruned)
        except StoreError as exc:
            event("failed", level=40, job="maintenance", error=str(exc))

    def _on_job_event(self, evt: JobExecutionEvent) -> None:
        """APScheduler's own reports: a job raised, missed its time, or overran."""
        self.job_errors += 1
        if evt.code == EVENT_JOB_ERROR:
            event("job_failed", level=40, job=evt.job_id, error=repr(evt.exception), job_errors=self.job_errors)
        else:
            event("job_skipped", level=30, job=evt.job_id, job_errors=self.job_errors,
                  reason="missed" if evt.code == EVENT_JOB_MISSED else "still running")

    async def _drain(self) -> None:
        pending = set(self.tasks)
        if pending:
            done, pending = await asyncio.wait(pending, timeout=self.grace)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
            event("cancelled", tasks=len(pending), reason="grace period over; their writes rolled back")
