"""Issue 6 item 13: Datasette reads while the daemon writes, with no "database is
locked", and the WAL is checkpointed even with a long reader.

A real ``scraper run`` archives and re-checks a site that keeps editing its
articles; a real ``scraper serve`` answers a reader thread's requests all the
while; the test itself holds one read transaction open for seconds, as a slow
Datasette query or a forgotten ``sqlite3`` shell would. The maintenance job
runs every second here (``SCRAPER_MAINTAIN_EVERY``; ten minutes by default).
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from pathlib import Path

from tests.browser.served import Served
from tests.daemon_proc import DaemonProcess, scalar, wait_for
from tests.sites import feed_of
from tests.test_daemon_kill9 import Editor, page

N = 30
QUERIES = [("/archive/articles.json", {"_search": "Đồng Văn", "_size": "5"}),
           ("/archive/versions.json", {"_sort_desc": "id", "_size": "5"}),
           ("/archive/fetches.json", {"_sort_desc": "id", "_size": "5"}),
           ("/archive/frontier.json", {"state": "active", "_size": "5"}),
           ("/archive/search.json", {"q": "dong van"})]


class Reader(threading.Thread):
    """A Datasette reader, asking one page after another until told to stop."""

    def __init__(self, served: Served) -> None:
        super().__init__(daemon=True)
        self.served, self.halt = served, threading.Event()
        self.answers, self.bad = 0, []

    def run(self) -> None:
        while not self.halt.is_set():
            for path, params in QUERIES:
                response = self.served.get(path, **params)
                self.answers += 1
                if response.status_code != 200 or "locked" in response.text:
                    self.bad.append((path, response.status_code, response.text[:300]))


def wal_size(db: Path) -> int:
    wal = Path(f"{db}-wal")
    return wal.stat().st_size if wal.exists() else 0


def test_datasette_reads_while_the_daemon_writes_and_the_wal_is_checkpointed(site, tmp_path, monkeypatch):
    paths = [f"bai/{i}.html" for i in range(N)]
    for i, path in enumerate(paths):
        site.put(path, page(i, 0))
    site.put("feed.xml", feed_of([site.url(p) for p in paths]))
    config = tmp_path / "daemon.toml"
    ages = ", ".join(f'"{i}s"' for i in range(1, 121))  # re-checked every second for two minutes
    config.write_text(f"""
[fetch]
allow_private_addresses = true
host_delay = "0s"
[revisit]
ladder = [{ages}]
restart_on_change = false
[[sources]]
name = "wal"
every = "1h"
jitter = "0s"
feeds = ["{site.url('feed.xml')}"]
""", encoding="utf-8")
    db = tmp_path / "archive.db"
    editor = Editor(site.root, paths, random.Random(7))
    editor.start()
    monkeypatch.setenv("SCRAPER_MAINTAIN_EVERY", "1")
    daemon = DaemonProcess(config, db)
    served = reader = None
    try:
        wait_for(lambda: scalar(db, "SELECT count(*) FROM articles") >= 5, what="first articles")
        served = Served(db, log=tmp_path / "serve.log")
        reader = Reader(served)
        reader.start()

        for _ in range(3):  # a reader that opened on an empty WAL reads the main file and pins nothing: again
            held = sqlite3.connect(db, isolation_level=None)  # the long reader
            held.execute("BEGIN")
            held.execute("SELECT count(*) FROM versions").fetchone()
            at_open, held_since = wal_size(db), len(daemon.events)
            time.sleep(6)
            with_reader = wal_size(db)
            during = [e for e in daemon.events[held_since:] if e.get("event") == "maintenance"]
            held.execute("COMMIT")
            held.close()
            if any(e["wal"].startswith("kept") for e in during):
                break
        closed_at = len(daemon.events)
        wait_for(lambda: any(e.get("wal") == "emptied" for e in daemon.events[closed_at:]), what="an emptied WAL")
        after = wal_size(db)
        sizes = []  # Datasette keeps reading and the daemon writing: the WAL must not creep up
        for _ in range(16):
            time.sleep(0.5)
            sizes.append(wal_size(db))
        since = [e["wal"] for e in daemon.events[closed_at:] if e.get("event") == "maintenance"]
        written = scalar(db, "SELECT count(*) FROM fetches")
    finally:
        if reader:
            reader.halt.set()
            reader.join(timeout=30)
        editor.halt.set()
        code = daemon.stop()
        if served:
            served.stop()
    log = (tmp_path / "serve.log").read_text(encoding="utf-8", errors="replace")
    print(f"\n{reader.answers} Datasette answers while the daemon made {written} fetches "
          f"({scalar(db, 'SELECT count(*) FROM versions')} versions, {editor.edits} edits by the site); "
          f"WAL {at_open} B when the long reader opened, {with_reader} B after 6 s with it open "
          f"(maintenance said: {sorted({e['wal'] for e in during})}); {after} B after it closed and the "
          f"next maintenance run; then every 0.5 s under reads and writes: {sizes} "
          f"(maintenance: {since.count('emptied')} emptied, {len(since) - since.count('emptied')} kept)")
    assert code == 0, daemon.other
    assert reader.bad == [], reader.bad[:3]
    assert reader.answers > 20
    assert "locked" not in log
    assert not [e for e in daemon.events if "locked" in str(e.get("error", ""))]
    assert not daemon.named("store_failed") and not daemon.named("job_failed")
    assert any(e["wal"].startswith("kept") for e in during)  # the long reader pinned the WAL...
    assert with_reader > 0 and after < with_reader  # ...once it closed, maintenance emptied it...
    assert since.count("emptied") >= 3  # ...and keeps emptying it while Datasette reads on
