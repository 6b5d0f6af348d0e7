"""Issue 6 item 11: ``kill -9`` a real ``scraper run`` at random moments, 20 times,
on one archive, while the site keeps editing its articles; then let it finish.

After every kill: ``PRAGMA integrity_check`` and the foreign keys are sound, the
search index matches its table, no version is half-written (each has its page
and its image, versions run 1..n without gaps, and the article row points at
its latest version and hash), and every version the daemon logged as stored
(``--log-format json``) is there. After the last restart the frontier resumes
and every URL is archived.
"""

from __future__ import annotations

import os
import random
import threading
import time
from pathlib import Path

from tests.daemon_proc import DaemonProcess, query, scalar, wait_for
from tests.sites import article_page, feed_of

ROUNDS = 20
N_PER_HOST = 20
NEW_PER_ROUND = 4


def page(i: int, edit: int) -> str:
    body = (f"Bản tin số {i}, lần sửa {edit}. " * 5 + '</p><figure class="image"><img src="/img/'
            f'{i}.jpg" alt="Ảnh"><figcaption>Ảnh: Đồng Văn mùa hoa</figcaption></figure><p>'
            + "Người dân Đồng Văn đón khách du lịch về cao nguyên đá. " * 300)
    return article_page(i, body=body)


class Editor(threading.Thread):
    """The publisher: rewrites a random article every few tenths of a second (atomically)."""

    def __init__(self, root: Path, paths: list[str], rng: random.Random) -> None:
        super().__init__(daemon=True)
        self.root, self.paths, self.rng = root, paths, rng
        self.edits = 0
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.wait(0.3):
            self.edits += 1
            i = self.rng.randrange(len(self.paths))
            target = self.root / self.paths[i]
            tmp = target.with_suffix(".tmp")
            tmp.write_text(page(i, self.edits), encoding="utf-8")
            os.replace(tmp, target)


def check_archive(db: Path, reported: set[tuple[str, int]]) -> int:
    """Every invariant a crash must not break; returns how many versions were checked."""
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    assert query(db, "PRAGMA foreign_key_check") == []
    # rank 1 would compare with the table, but the index holds folded copies too
    query(db, "INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 0)")
    bad = query(db, """
        SELECT a.id, a.version, max(v.version), count(v.id) FROM articles a LEFT JOIN versions v ON v.article_id = a.id
        GROUP BY a.id HAVING a.version IS NOT max(v.version) OR count(v.id) != a.version""")
    assert bad == [], f"article rows not pointing at their latest version: {bad}"
    assert query(db, """SELECT a.id FROM articles a JOIN versions v ON v.article_id = a.id AND v.version = a.version
                        WHERE v.content_hash != a.content_hash""") == []
    assert query(db, "SELECT id FROM versions WHERE page_hash IS NULL "
                     "OR page_hash NOT IN (SELECT hash FROM pages)") == [], "a version without its page"
    assert query(db, "SELECT v.id FROM versions v LEFT JOIN images i ON i.version_id = v.id "
                     "GROUP BY v.id HAVING count(i.id) != 1") == [], "a version without its image"
    stored = set(query(db, "SELECT a.url, v.version FROM versions v JOIN articles a ON a.id = v.article_id"))
    missing = reported - stored
    assert not missing, f"reported stored but not in the archive: {sorted(missing)[:5]}"
    return len(reported)


def test_kill_9_at_random_moments_loses_nothing_and_the_frontier_resumes(site, tmp_path):
    seed = int(os.environ.get("KILL9_SEED") or random.randrange(10**6))
    rng = random.Random(seed)
    paths = [f"bai/{i}.html" for i in range(2 * N_PER_HOST + NEW_PER_ROUND * ROUNDS)]
    for i, path in enumerate(paths):
        site.put(path, page(i, 0))
    # two hosts (127.0.0.1 and localhost) so two fetches are stored at once
    urls = [site.url(p) if i % 2 else site.url(p).replace("127.0.0.1", "localhost") for i, p in enumerate(paths)]
    site.delay = 0.05
    config = tmp_path / "daemon.toml"
    config.write_text(f"""
[fetch]
allow_private_addresses = true
host_delay = "0s"
max_in_flight = 4
[revisit]
ladder = ["1s", "2s", "3s"]
backoff = "1s"
[[sources]]
name = "kill"
every = "1h"
jitter = "0s"
feeds = ["{site.url('feed.xml')}"]
""", encoding="utf-8")
    db = tmp_path / "a.db"
    editor = Editor(site.root, paths[:2 * N_PER_HOST], rng)
    editor.start()
    reported: set[tuple[str, int]] = set()
    moments, began = [], time.monotonic()
    try:
        for round_ in range(ROUNDS):
            # the site publishes more articles each round; discovery runs at every start
            site.put("feed.xml", feed_of(urls[:2 * N_PER_HOST + NEW_PER_ROUND * (round_ + 1)]))
            daemon = DaemonProcess(config, db)
            if round_ < ROUNDS - 1:
                wait_for(lambda d=daemon: d.named("started") or not d.alive(), what="start")
                moment = rng.uniform(0.05, 1.5)
                time.sleep(moment)
                moments.append(moment)
            else:  # the last kill comes just after discovery, with new URLs still pending
                wait_for(lambda d=daemon: d.named("discovered") or not d.alive(), what="discovery")
            assert daemon.alive(), daemon.other
            daemon.kill()
            reported |= {(e["url"], e["version"]) for e in daemon.events if e.get("event") in ("new", "changed")}
            checked = check_archive(db, reported)
        pending = scalar(db, "SELECT count(*) FROM frontier WHERE state = 'pending'")
        killed_at = scalar(db, "SELECT count(*) FROM articles")
        editor.halt.set()
        editor.join()
        final = DaemonProcess(config, db)
        try:
            wait_for(lambda: final.named("started") or not final.alive(), what="start")
            try:
                wait_for(lambda: scalar(db, "SELECT count(*) FROM frontier WHERE state = 'pending'") == 0
                         and scalar(db, "SELECT count(*) FROM articles") == len(urls), timeout=90, what="resume")
            except AssertionError as exc:
                stuck = query(db, "SELECT url, state, failures, next_due, last_error FROM frontier "
                                  "WHERE state = 'pending' OR last_error IS NOT NULL")
                failed = query(db, "SELECT url, error FROM fetches WHERE outcome = 'failed' LIMIT 5")
                raise AssertionError(f"seed {seed}: {exc}; pending: {stuck[:5]}; failed fetches: {failed}; "
                                     f"events: {[e for e in final.events if e.get('level') != 'info'][:5]}") from None
        finally:
            assert final.stop() == 0, final.other
        reported |= {(e["url"], e["version"]) for e in final.events if e.get("event") in ("new", "changed")}
    finally:
        editor.halt.set()
    checked = check_archive(db, reported)
    versions = scalar(db, "SELECT count(*) FROM versions")
    failed = query(db, "SELECT error, count(*) FROM fetches WHERE outcome = 'failed' GROUP BY error")
    print(f"\nseed {seed}: {ROUNDS} kill -9 rounds in {time.monotonic() - began:.0f} s, at "
          f"{min(moments):.2f}-{max(moments):.2f} s after start (the last just after discovery); "
          f"{editor.edits} edits by the site; after the kills {killed_at} articles, {pending} URLs pending; "
          f"{checked} reported versions checked; {versions} versions in the end; failed fetches: {failed}")
    assert pending > 0, "the last kill left nothing to resume; the test proves nothing"
    assert {r[0] for r in query(db, "SELECT url FROM articles")} == set(urls)
    assert versions > len(urls)  # revisits caught edits between the kills, so the kills hit real writes
