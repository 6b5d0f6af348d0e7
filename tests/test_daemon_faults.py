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
