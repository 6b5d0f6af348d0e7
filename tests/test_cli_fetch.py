"""End to end through the real CLI: fetch, re-fetch, edit, aliases, failures."""

from __future__ import annotations

import json
import socket
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import PAGES
from tests.sites import Route

SEED = "pages/baohagiang/2017-12-06_cong-doan-vien-chuc-cai-cach-hanh-chinh.html"


def lines(proc):
    return [line.split("\t", 1)[1] for line in proc.stdout.splitlines() if "\t" in line]


def query(db: Path, sql: str, *args):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, args).fetchall()


def test_fetch_refetch_edit_and_tracking_url(site, test_config, tmp_path, cli):
    db = tmp_path / "archive.db"
    url = site.url(SEED)
    first = cli("fetch", url, "--config", str(test_config), "--db", str(db))
    assert first.returncode == 0, first.stderr
    assert lines(first) == ["new"]
    [(title, published, authors, body)] = query(db, "SELECT title, published_at, authors, body FROM articles")
    assert title == "Công đoàn Viên chức tỉnh: Nâng cao hiệu quả tuyên truyền cải cách hành chính"
    assert published == "2017-12-06T08:05:00+07:00"
    assert json.loads(authors) == ["Nguyễn Thị Hòa"]
    assert body.startswith("BHG - Để tăng cường") and "Chủ tịch CĐVC" not in body

    again = cli("fetch", url, "--config", str(test_config), "--db", str(db))
    assert (again.returncode, lines(again)) == (0, ["unchanged"])
    assert query(db, "SELECT count(*) FROM versions") == [(1,)]
    assert query(db, "SELECT count(*) FROM fetches") == [(2,)]

    html = (PAGES / SEED.removeprefix("pages/")).read_text(encoding="utf-8")
    site.put(SEED, html.replace("Nâng cao hiệu quả tuyên truyền", "Đẩy mạnh tuyên truyền")
             .replace("2.364/2.727", "2.400/2.727"))
    edited = cli("fetch", url, "--config", str(test_config), "--db", str(db))
    assert (edited.returncode, lines(edited)) == (0, ["changed → v2 (title, body)"])
    assert query(db, "SELECT version, changed_fields FROM versions ORDER BY version") == [
        (1, "[]"), (2, '["title", "body"]')]

    tracked = cli("fetch", url + "?utm_source=zalo&fbclid=IwAR0x#binh-luan", "--json",
                  "--config", str(test_config), "--db", str(db))
    result = json.loads(tracked.stdout.splitlines()[0])
    assert (result["outcome"], result["version"]) == ("unchanged", 2)
    assert query(db, "SELECT count(*) FROM articles") == [(1,)]


def test_same_site_canonical_makes_one_article(site, test_config, tmp_path, cli):
    db = tmp_path / "archive.db"
    html = (PAGES / SEED.removeprefix("pages/")).read_text(encoding="utf-8")
    canonical = site.url("tin/cong-doan-695103.html")
    variant = html.replace('<link rel="canonical" href="https://baohagiang.vn/xa-hoi/201712/'
                           'cong-doan-vien-chuc-tinh-nang-cao-hieu-qua-tuyen-truyen-cai-cach-hanh-chinh-695103/">',
                           f'<link rel="canonical" href="{canonical}">')
    assert variant != html
    site.put("tin/cong-doan-695103.html", variant)
    site.put("amp/cong-doan-695103.html", variant)
    proc = cli("fetch", canonical, site.url("amp/cong-doan-695103.html"),
               "--config", str(test_config), "--db", str(db))
    assert lines(proc) == ["new", "unchanged"], proc.stderr
    assert query(db, "SELECT url FROM articles") == [(canonical,)]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_bad_input_fails_clearly_and_is_recorded(site, test_config, tmp_path, cli):
    db = tmp_path / "archive.db"
    site.routes["/photo.jpg"] = Route(200, b"\xff\xd8\xff\xe0JFIF", {"Content-Type": "image/jpeg"})
    site.routes["/empty.html"] = Route(200, b"<html><head></head><body><nav>Menu</nav></body></html>")
    targets = [site.url("missing.html"), f"http://127.0.0.1:{_closed_port()}/a.html", site.url("photo.jpg"),
               site.url("empty.html"), "ftp://127.0.0.1/a.html", site.url(SEED)]
    proc = cli("fetch", *targets, "--config", str(test_config), "--db", str(db))
    assert proc.returncode == 1
    got = lines(proc)
    assert got[0] == "failed: HTTP 404"
    assert got[1].startswith("failed: ") and "refused" in got[1]
    assert got[2].startswith("failed: ") and "image/jpeg" in got[2]
    assert got[3].startswith("failed: no article")
    assert got[4].startswith("failed: unsupported scheme 'ftp'")
    assert got[5] == "new"  # one bad URL costs nothing else
    rows = query(db, "SELECT url, status, outcome, error IS NOT NULL FROM fetches ORDER BY id")
    assert [r[2] for r in rows] == ["failed"] * 5 + ["new"]
    assert rows[0][1] == 404 and rows[5][3] == 0


def test_private_addresses_are_refused_by_default(site, tmp_path, cli):
    config = tmp_path / "strict.toml"
    config.write_text("[fetch]\nhost_delay = \"0s\"\n", encoding="utf-8")
    proc = cli("fetch", site.url(SEED), "--config", str(config), "--db", str(tmp_path / "a.db"))
    assert proc.returncode == 1
    assert "not a public address" in lines(proc)[0]
    assert sum(site.hits.values()) == 0


def test_a_bad_config_names_file_key_and_expectation(tmp_path, cli):
    config = tmp_path / "bad.toml"
    config.write_text("[fetch]\nallow_private_addresses = \"yes\"\n", encoding="utf-8")
    proc = cli("fetch", "http://127.0.0.1/", "--config", str(config), "--db", str(tmp_path / "a.db"))
    assert proc.returncode == 1
    assert f"{config}:2: [fetch.allow_private_addresses] expected true or false" in proc.stderr
    assert not (tmp_path / "a.db").exists()


def test_extract_command_reads_a_saved_page(cli):
    proc = cli("extract", str(PAGES / SEED.removeprefix("pages/")), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["published_at"] == "2017-12-06T08:05:00+07:00" and data["authors"] == ["Nguyễn Thị Hòa"]


@pytest.mark.parametrize("command", ["fetch", "extract", "run", "crawl", "status"])
def test_every_command_explains_itself(cli, command):
    proc = cli(command, "--help")
    assert proc.returncode == 0 and "Usage:" in proc.stdout


def test_reparse_records_reextraction_as_its_own_kind(site, test_config, tmp_path, cli):
    db = tmp_path / "archive.db"
    assert cli("fetch", site.url(SEED), "--config", str(test_config), "--db", str(db)).returncode == 0
    unchanged = cli("reparse", "--config", str(test_config), "--db", str(db))
    assert unchanged.returncode == 0 and "unchanged 1" in unchanged.stdout
    # a site rule that now reads the role line as the byline: the stored page is re-extracted
    rule = test_config.read_text() + (
        '\n[[sites]]\nname = "local"\ndomains = ["127.0.0.1"]\nauthors = "div.content-detail p:last-child"\n'
        'signature = false\n')
    test_config.write_text(rule, encoding="utf-8")
    changed = cli("reparse", "--config", str(test_config), "--db", str(db))
    assert changed.returncode == 0, changed.stderr
    assert "changed → v2 (authors" in changed.stdout
    assert query(db, "SELECT version, kind FROM versions ORDER BY version") == [(1, "capture"), (2, "reextract")]


def test_fetching_several_urls_of_one_host_keeps_the_host_delay(site, tmp_path, cli):
    import time as clock
    config = tmp_path / "spaced.toml"
    config.write_text("[fetch]\nallow_private_addresses = true\nhost_delay = \"1s\"\n", encoding="utf-8")
    started = clock.monotonic()
    proc = cli("fetch", site.url(SEED), site.url(SEED), site.url(SEED), "--config", str(config),
               "--db", str(tmp_path / "a.db"))
    assert lines(proc) == ["new", "unchanged", "unchanged"]
    assert clock.monotonic() - started >= 2.0  # two gaps of one second between three requests
