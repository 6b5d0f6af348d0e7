"""`scraper crawl` and `scraper status` through the real CLI, and machine-readable logs."""

from __future__ import annotations

import json


def crawl_config(tmp_path, site):
    path = tmp_path / "c.toml"
    path.write_text(f"""
[fetch]
allow_private_addresses = true
host_delay = "0s"
[[sources]]
name = "bhg"
feeds = ["{site.url('rss.xml')}"]
listings = [{{ url = "{site.url('chuyen-muc/xa-hoi.html')}", links = ".list-news h3 a" }}]
[[sources]]
name = "empty"
sitemaps = ["{site.url('missing-sitemap.xml')}"]
""", encoding="utf-8")
    return path


def test_crawl_then_status(site, tmp_path, cli):
    config, db = crawl_config(tmp_path, site), tmp_path / "a.db"
    proc = cli("crawl", "--config", str(config), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    outcomes = [line.split("\t")[1] for line in proc.stdout.splitlines() if "\t" in line]
    assert sorted(outcomes) == ["new"] * 4 + ["skipped: disallowed by robots.txt"]
    assert "crawled 2 source(s)" in proc.stdout

    status = cli("status", "--config", str(config), "--db", str(db), "--json")
    rows = {r["source"]: r for r in json.loads(status.stdout)}
    assert rows["bhg"]["articles"] == 4 and rows["bhg"]["versions"] == 4
    assert rows["bhg"]["last_run"]["found"] == 5 and rows["bhg"]["next_due"]
    assert rows["empty"]["last_run"]["errors"] == 1 and "HTTP 404" in rows["empty"]["last_run"]["error"]
    text = cli("status", "--config", str(config), "--db", str(db))
    assert "bhg" in text.stdout and "4 articles, 4 versions" in text.stdout


def test_unknown_source_is_a_clear_error(site, tmp_path, cli):
    proc = cli("crawl", "nope", "--config", str(crawl_config(tmp_path, site)), "--db", str(tmp_path / "a.db"))
    assert proc.returncode == 1 and "unknown source nope (known: bhg, empty)" in proc.stderr


def test_daemon_logs_json_lines(site, tmp_path, cli):
    proc = cli("run", "--config", str(crawl_config(tmp_path, site)), "--db", str(tmp_path / "a.db"),
               "--log-format", "json", "--stop-after", "4s", timeout=60)
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stderr.splitlines() if line.startswith("{")]
    names = [e["event"] for e in events]
    assert names[0] == "started" and names[-1] == "stopped"
    assert names.count("new") == 4 and "discovered" in names
    assert all("ts" in e for e in events)


def test_cosmetic_changes_are_not_versions(site, test_config, tmp_path, cli):
    import unicodedata

    from tests.conftest import PAGES
    seed = "pages/baohagiang/2017-12-06_cong-doan-vien-chuc-cai-cach-hanh-chinh.html"
    db = tmp_path / "a.db"
    assert cli("fetch", site.url(seed), "--config", str(test_config), "--db", str(db)).returncode == 0
    html = (PAGES / seed.removeprefix("pages/")).read_text(encoding="utf-8")
    noisy = unicodedata.normalize("NFD", html).replace("Hội nghị tổng kết công tác Công đoàn năm 2017",
                                                       "Một tin liên quan hoàn toàn khác")
    noisy = noisy.replace("banner-tet-2018.gif", "banner-he-2018.gif").replace("</p>", "  </p>\n\n")
    site.put(seed, noisy)
    proc = cli("fetch", site.url(seed), "--config", str(test_config), "--db", str(db))
    assert proc.stdout.split("\t")[1].strip() == "unchanged"
