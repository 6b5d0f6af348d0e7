"""Issue 6 items 12 and 14: the real daemon under a full disk and failing jobs.

A full disk is made real: the test lowers RLIMIT_FSIZE of the running
``scraper run`` process (``prlimit``), so SQLite's writes past that size fail
with an I/O error mid-transaction, then raises it again ("space returns").
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

from tests.daemon_proc import DaemonProcess, query, scalar, wait_for
from tests.sites import article_page, feed_of

N_ARTICLES = 30


def busy(site, n: int = N_ARTICLES, delay: float = 0.05) -> list[str]:
    paths = [f"bai/{i}.html" for i in range(n)]
    for i, path in enumerate(paths):
        site.put(path, article_page(i, body=f"Bản tin số {i}. " + "Người dân Đồng Văn đón khách du lịch. " * 40))
    site.put("busy.xml", feed_of([site.url(p) for p in paths]))
    site.delay = delay
    return [site.url(p) for p in paths]


def config(tmp_path: Path, site, extra: str = "") -> Path:
    path = tmp_path / "daemon.toml"
    path.write_text(f"""
[fetch]
allow_private_addresses = true
host_delay = "0s"
max_in_flight = 4
[revisit]
ladder = ["1h"]
[[sources]]
name = "busy"
every = "1h"
jitter = "0s"
feeds = ["{site.url('busy.xml')}"]
{extra}""", encoding="utf-8")
    return path


def test_full_disk_rolls_back_backs_off_reports_and_resumes(site, tmp_path):
    urls = busy(site)
    db = tmp_path / "a.db"
    daemon = DaemonProcess(config(tmp_path, site), db)
    try:
        wait_for(lambda: scalar(db, "SELECT count(*) FROM articles") >= 3, what="first articles")
        limit = Path(db).stat().st_size  # the WAL and the file may not grow past what the file is now
        resource.prlimit(daemon.pid, resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
        wait_for(lambda: len(daemon.named("store_failed")) >= 2, what="store_failed events")
        time.sleep(2)  # the disk stays full a while: the daemon must keep backing off, not die
        assert daemon.alive(), daemon.other
        while_full = scalar(db, "SELECT count(*) FROM articles")
        assert query(db, "PRAGMA integrity_check") == [("ok",)]
        resource.prlimit(daemon.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        freed = time.monotonic()
        wait_for(lambda: scalar(db, "SELECT count(*) FROM articles") == N_ARTICLES, what="all articles")
        resumed_in = time.monotonic() - freed
    finally:
        code = daemon.stop()
    assert code == 0, daemon.other
    failed = daemon.named("store_failed")
    pauses = [e["paused"] for e in failed]
    print(f"\nfile size limit {limit} B; store_failed events: {len(failed)}; pauses: {pauses}; "
          f"articles while full: {while_full}; all {N_ARTICLES} archived {resumed_in:.1f} s after space returned")
    assert all("disk I/O error" in e["error"] or "full" in e["error"] for e in failed), failed[0]
    assert [e["errors"] for e in failed] == list(range(1, len(failed) + 1))  # counted
    assert len(set(pauses)) > 1  # the pause grew while the disk stayed full
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    assert scalar(db, "SELECT count(*) FROM versions") == N_ARTICLES
    # the URLs that hit the full disk were not blamed: no failure counted, none retired unfetched
    assert scalar(db, "SELECT count(*) FROM frontier WHERE failures > 0 OR state = 'pending'") == 0
    assert {r[0] for r in query(db, "SELECT url FROM articles")} == set(urls)
    assert not daemon.named("job_failed")


def test_a_job_that_raises_or_overruns_is_logged_counted_and_the_scheduler_goes_on(site, tmp_path):
    from tests.sites import SiteServer

    urls = busy(site, n=8, delay=0.0)
    slow_root = tmp_path / "slow"
    slow = SiteServer(slow_root).start()
    try:
        slow.put("slow.xml", feed_of([slow.url("tin/1.html")]))
        slow.put("tin/1.html", article_page(99))
        slow.delay = 2.5  # the feed takes longer than the source's interval
        site.put("muc/index.html", "<html><body><h3 class=title><a href='/bai/0.html'>A</a></h3></body></html>")
        extra = f"""
[[sources]]
name = "broken"
every = "1s"
jitter = "0s"
listings = [{{url = "{site.url('muc/index.html')}", links = "h3..title a"}}]
[[sources]]
name = "slow"
every = "1s"
jitter = "0s"
feeds = ["{slow.url('slow.xml')}"]
"""
        db = tmp_path / "a.db"
        daemon = DaemonProcess(config(tmp_path, site, extra), db)
        try:
            wait_for(lambda: len([e for e in daemon.named("job_failed") if e["job"] == "discover:broken"]) >= 3
                     and daemon.named("job_skipped") and scalar(db, "SELECT count(*) FROM articles") == 9,
                     timeout=90, what="three failed runs, a skipped run and every article")
            assert daemon.alive(), daemon.other
        finally:
            code = daemon.stop()
    finally:
        slow.stop()
    assert code == 0, daemon.other
    failed = [e for e in daemon.named("job_failed") if e["job"] == "discover:broken"]
    skipped = daemon.named("job_skipped")
    print(f"\njob_failed events: {len(failed)} ({failed[0]['error']}); job_skipped: {len(skipped)} "
          f"({skipped[0]['job']}, {skipped[0]['reason']}); last job_errors count: "
          f"{max(e['job_errors'] for e in failed + skipped)}")
    assert all("Can't parse CSS selector" in e["error"] for e in failed)
    assert {e["job"] for e in skipped} == {"discover:slow"} and skipped[0]["reason"] == "still running"
    counts = [e["job_errors"] for e in sorted(failed + skipped, key=lambda e: e["job_errors"])]
    assert counts == list(range(counts[0], counts[0] + len(counts)))  # every one counted
    archived = {r[0] for r in query(db, "SELECT url FROM articles")}
    assert set(urls) | {slow.url("tin/1.html")} == archived  # the other sources went on
    [(runs, with_error)] = query(db, "SELECT count(*), count(error) FROM runs WHERE source = 'broken'")
    assert runs >= 3 and with_error == runs  # each failed run is closed with its error, for `scraper status`
    assert "unexpected SelectolaxError" in query(db, "SELECT error FROM runs WHERE source = 'broken'")[0][0]
