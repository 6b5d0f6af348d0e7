"""Issue 6 item 9, spider traps: a listing and a sitemap that yield endless unique
URLs fill their host's budget (``max_queued_per_host``) and stop there, each
run adding at most ``max_new_per_run``; another host of the same site keeps
being archived. Through the real ``scraper crawl``, run after run."""

from __future__ import annotations

import sqlite3

from tests.sites import Route, article_page, feed_of

BUDGET, PER_RUN, RUNS = 300, 200, 4


def test_a_spider_trap_fills_its_host_budget_and_stops(site, test_config, tmp_path, cli):
    trap_host = f"127.0.0.1:{site.port}"
    sitemap = "".join(f"<url><loc>{site.url(f'tag/{i}.html')}</loc></url>" for i in range(5000))
    site.routes["/trap-sitemap.xml"] = Route(body=(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{sitemap}</urlset>").encode(), headers={"Content-Type": "application/xml"})
    good = [site.url(f"tin/{i}.html").replace("127.0.0.1", "localhost") for i in range(RUNS)]
    for i in range(RUNS):
        site.put(f"tin/{i}.html", article_page(i))
    config = tmp_path / "trap.toml"
    config.write_text(test_config.read_text() + f"""
[[sources]]
name = "trap"
max_new_per_run = {PER_RUN}
max_queued_per_host = {BUDGET}
sitemaps = ["{site.url('trap-sitemap.xml')}"]
listings = [{{url = "{site.url('lich.html')}", pattern = "/lich/"}}]
[[sources]]
name = "good"
feeds = ["{site.url('good.xml').replace('127.0.0.1', 'localhost')}"]
""", encoding="utf-8")
    db = tmp_path / "a.db"
    queued = []
    for run in range(RUNS):
        # a calendar that always links 250 days nobody has seen before
        site.put("lich.html", "".join(f'<a href="/lich/{run}-{d}.html">{d}</a>' for d in range(250)))
        site.put("good.xml", feed_of(good[:run + 1]))  # the other host publishes one article a run
        proc = cli("crawl", "--config", str(config), "--db", str(db), timeout=120)
        assert proc.returncode in (0, 1), proc.stderr
        with sqlite3.connect(db) as conn:
            queued.append(conn.execute("SELECT count(*) FROM frontier WHERE url LIKE ? AND state != 'retired'",
                                       [f"http://{trap_host}/%"]).fetchone()[0])
            archived = {r[0] for r in conn.execute("SELECT url FROM articles")}
        assert set(good[:run + 1]) <= archived  # the other host is not held up
    with sqlite3.connect(db) as conn:
        new = [r[0] for r in conn.execute("SELECT new FROM runs WHERE source = 'trap' ORDER BY id")]
        found = [r[0] for r in conn.execute("SELECT found FROM runs WHERE source = 'trap' ORDER BY id")]
    trap_fetches = sum(n for path, n in site.hits.items() if path.startswith(("/lich/", "/tag/")))
    print(f"\nspider trap: found per run {found}, queued per run {new}, trap host queue after each run "
          f"{queued}, trap pages fetched {trap_fetches}; the other host archived {len(good)} of {len(good)}")
    assert new == [PER_RUN, BUDGET - PER_RUN, 0, 0]
    assert queued == [PER_RUN, BUDGET, BUDGET, BUDGET]
    assert trap_fetches == BUDGET
