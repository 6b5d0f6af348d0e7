"""Issue 6 items 12 and 14: the real daemon under a full disk and failing jobs.

A full disk is made real: the test lowers RLIMIT_FSIZE of the running
``scraper run`` process (``prlimit``), so SQLite's writes past that size fail
with an I/O error mid-transaction, then raises it again ("space returns").
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

from tests.daemon_proc import DaemonProcess, daemon_config, query, scalar, wait_for
from tests.sites import SiteServer, article_page, feed_of

N_ARTICLES = 30


def busy(site, n: int = N_ARTICLES, delay: float = 0.05) -> list[str]:
    paths = [f"bai/{i}.html" for i in range(n)]
    for i, path in enumerate(paths):
        site.put(path, article_page(i, body=f"Bản tin số {i}. " + "Người dân Đồng Văn đón khách du lịch. " * 40))
    site.put("busy.xml", feed_of([site.url(p) for p in paths]))
    site.delay = delay
    return [site.url(p) for p in paths]


def config(tmp_path: Path, site, extra: str = "", every: str = "1h") -> Path:
    return daemon_config(tmp_path, site, every=every, extra=extra)


def test_full_disk_rolls_back_backs_off_reports_and_resumes(site, tmp_path):
    urls = busy(site)
    db = tmp_path / "a.db"
    daemon = DaemonProcess(config(tmp_path, site), db)
    try:
        wait_for(lambda: scalar(db, "SELECT count(*) FROM articles") >= 3, what="first articles")
        limit = 1  # no file of the daemon may grow past one byte: every write of the archive fails
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
    """Discovery of "busy" runs every second; the disk is made full for a while,
    so its jobs raise (StoreError from the runs table); "slow" has a feed slower
    than its interval, so its runs overrun. Both are logged and counted, and
    once the disk has room the same jobs run on and archive what was published
    meanwhile."""
    urls = busy(site, n=8, delay=0.0)
    slow = SiteServer(tmp_path / "slow").start()
    try:
        slow.put("slow.xml", feed_of([slow.url("tin/1.html")]))
        slow.put("tin/1.html", article_page(99))
        slow.delay = 2.5  # the feed takes longer than the source's interval
        extra = f"""
[[sources]]
name = "slow"
every = "1s"
jitter = "0s"
feeds = ["{slow.url('slow.xml')}"]
"""
        db = tmp_path / "a.db"
        daemon = DaemonProcess(config(tmp_path, site, extra, every="1s"), db)
        try:
            wait_for(lambda: daemon.named("job_skipped") and scalar(db, "SELECT count(*) FROM articles") == 9,
                     timeout=60, what="a skipped run and every article")
            resource.prlimit(daemon.pid, resource.RLIMIT_FSIZE, (1, resource.RLIM_INFINITY))
            wait_for(lambda: len([e for e in daemon.named("job_failed") if e["job"] == "discover:busy"]) >= 3,
                     what="three failed discovery runs")
            late = site.url("bai/late.html")  # published while the disk is full
            site.put("bai/late.html", article_page(42))
            site.put("busy.xml", feed_of(urls + [late]))
            assert daemon.alive(), daemon.other
            resource.prlimit(daemon.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
            wait_for(lambda: scalar(db, "SELECT count(*) FROM articles WHERE url = ?", late) == 1,
                     what="the article published meanwhile")
        finally:
            code = daemon.stop()
    finally:
        slow.stop()
    assert code == 0, daemon.other
    failed = [e for e in daemon.named("job_failed") if e["job"] == "discover:busy"]
    skipped = daemon.named("job_skipped")
    print(f"\njob_failed events: {len(failed)} ({failed[0]['error']}); job_skipped: {len(skipped)} "
          f"({skipped[0]['job']}, {skipped[0]['reason']}); last job_errors count: "
          f"{max(e['job_errors'] for e in failed + skipped)}")
    assert all("StoreError" in e["error"] and "disk I/O error" in e["error"] for e in failed)
    assert {e["job"] for e in skipped} == {"discover:slow"} and skipped[0]["reason"] == "still running"
    counts = sorted(e["job_errors"] for e in daemon.named("job_failed") + skipped)
    assert counts == list(range(1, len(counts) + 1))  # every one counted
    archived = {r[0] for r in query(db, "SELECT url FROM articles")}
    assert set(urls) | {late, slow.url("tin/1.html")} == archived  # the scheduler went on
    assert query(db, "PRAGMA integrity_check") == [("ok",)]


def test_a_bad_css_selector_is_a_config_error_at_start(site, tmp_path, cli):
    extra = f"""
[[sources]]
name = "broken"
listings = [{{url = "{site.url('muc/index.html')}", links = "h3..title a"}}]
"""
    path = config(tmp_path, site, extra)
    proc = cli("run", "--config", str(path), "--db", str(tmp_path / "a.db"), timeout=60)
    assert proc.returncode == 1
    assert "[sources[1].listings] bad CSS selector 'h3..title a'" in proc.stderr
    assert not (tmp_path / "a.db").exists()
