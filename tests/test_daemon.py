"""The real daemon in a subprocess: SIGTERM, SIGKILL and restart, one daemon per archive."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.daemon_proc import daemon_config
from tests.sites import article_page, feed_of

N_ARTICLES = 30


@pytest.fixture
def busy_site(site):
    """A site with many articles that answer slowly, so a crawl is mid-flight for seconds."""
    paths = [f"bai/{i}.html" for i in range(N_ARTICLES)]
    for i, path in enumerate(paths):
        site.put(path, article_page(i))
    site.put("busy.xml", feed_of([site.url(p) for p in paths]))
    site.delay = 0.15
    return site


def start(config: Path, db: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "scraper.cli", "run", "--config", str(config),
                             "--db", str(db), *extra], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUTF8": "1"})


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute(sql).fetchone()[0]


def wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.1)


def articles(db: Path) -> int:
    try:
        return count(db, "SELECT count(*) FROM articles")
    except sqlite3.OperationalError:
        return 0


def test_sigterm_exits_zero_within_grace_and_leaves_a_sound_archive(busy_site, tmp_path):
    db = tmp_path / "a.db"
    proc = start(daemon_config(tmp_path, busy_site), db, "--grace", "5s")
    wait_for(lambda: articles(db) >= 3)
    began = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert time.monotonic() - began < 5 + 5  # the grace period plus start-up slack
    assert "stopping" in err and "stopped" in err
    assert count(db, "PRAGMA integrity_check") == "ok"
    assert count(db, "SELECT count(*) FROM articles") == count(db, "SELECT count(*) FROM versions")


def test_a_second_daemon_on_the_same_archive_is_refused(busy_site, tmp_path):
    db = tmp_path / "a.db"
    config = daemon_config(tmp_path, busy_site)
    first = start(config, db)
    try:
        wait_for(lambda: Path(f"{db}.lock").exists() and articles(db) >= 1)
        second = start(config, db)
        out, err = second.communicate(timeout=30)
        assert second.returncode == 1
        assert "already running" in err
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=30)
    assert first.returncode == 0


def test_sigkill_mid_crawl_then_restart_resumes_the_frontier(busy_site, tmp_path):
    db = tmp_path / "a.db"
    config = daemon_config(tmp_path, busy_site)
    proc = start(config, db)
    wait_for(lambda: articles(db) >= 5)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    done_before = articles(db)
    assert done_before < N_ARTICLES, "the crawl finished before the kill; the test proves nothing"
    assert count(db, "PRAGMA integrity_check") == "ok"
    assert count(db, "SELECT count(*) FROM frontier") == N_ARTICLES
    feed_hits = busy_site.hits["/busy.xml"]

    restarted = start(config, db)
    wait_for(lambda: articles(db) == N_ARTICLES)
    restarted.send_signal(signal.SIGTERM)
    restarted.communicate(timeout=30)
    assert restarted.returncode == 0
    assert count(db, "SELECT count(*) FROM versions") == N_ARTICLES
    assert count(db, "SELECT count(*) FROM frontier WHERE state = 'pending'") == 0
    # nothing fetched twice into a version, and discovery ran again on start
    assert busy_site.hits["/busy.xml"] == feed_hits + 1
