"""Issue 6 item 8: hostile HTML finishes in bounded time or is refused with a
clear error (``ExtractError``), and a hostile page does not stop a crawl.

Each case is built at size n, 4n and 16n and the extraction time printed
(run with ``-s`` to see it); growth should look linear. No timing is asserted:
what is asserted is the promise of ``extract`` (an Article or an ExtractError,
nothing else) and, through the real ``scraper crawl``, that the other pages
of the site are archived.
"""

from __future__ import annotations

import sqlite3
import time

import pytest

from scraper.errors import ExtractError
from scraper.extract import extract
from scraper.models import Article
from tests.sites import Route, article_page, feed_of

HEAD = ('<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Tin nóng</title></head>'
        '<body><h1>Tin nóng hôm nay ở Hà Giang</h1>')
P = "<p>" + "Người dân Đồng Văn đón mùa hoa tam giác mạch trên cao nguyên đá. " * 6 + "</p>"
N = 5000


def _deep(tag: str):
    return lambda n: (HEAD + P + f"<{tag}>" * n + "x" + f"</{tag}>" * n + P).encode()


# name -> a page of "size" n (n tags, n attributes, 50n bytes of attribute...)
CASES = {
    "deep nesting <div>": _deep("div"),
    "deep nesting <a>": _deep("a"),
    "deep nesting, padded tags": lambda n: (HEAD + P + '<div class="padding-padding">' * n + "x" + P).encode(),
    "deep formatting <b><i> (adoption agency)": lambda n: (HEAD + P + "<b><i>" * (n // 2) + "x" + P).encode(),
    "formatting reconstructed per <p>": lambda n: (
        HEAD + "".join(f"<b class=c{i}>" for i in range(n // 4)) + "<p>chữ" * (n // 4) + P).encode(),
    "deep tables": lambda n: (HEAD + P + "<table><tr><td>" * (n // 3) + "x" + P).encode(),
    "unclosed <span><p>": lambda n: (HEAD + P + "<span><p>" * (n // 2) + "x").encode(),
    "giant attribute": lambda n: (HEAD + '<div title="' + "a" * (50 * n) + '">' + P + "</div>").encode(),
    "thousands of attributes on one tag": lambda n: (
        HEAD + "<div " + " ".join(f'a{i}="1"' for i in range(n)) + ">" + P + "</div>").encode(),
    "giant text node": lambda n: (HEAD + "<p>" + "chữ " * (10 * n) + "</p>").encode(),
    "NUL bytes everywhere": lambda n: (HEAD + P + "<p>\x00a\x00</p>" * n + P).encode(),
    "broken UTF-8": lambda n: (HEAD + P).encode() + b"\xff\xfe\xc3" * n + P.encode(),
    "binary junk labelled HTML": lambda n: bytes(range(256)) * (n // 64),
    "unclosed comment": lambda n: (HEAD + P + "<!--" + "<p>x</p>" * n).encode(),
    "unclosed <script>": lambda n: (HEAD + P + "<script>" + "var x = '<p>';" * n).encode(),
    "many tiny elements": lambda n: (HEAD + P + "<i></i>" * n + P).encode(),
    "deep nesting and no text at all": lambda n: b"<div>" * n,
    # no text in the DOM: the extractor reads the scripts for an app's embedded body
    "app shell: thousands of unclosed <script>s": lambda n: (HEAD + "<script>\\u003cp>" * n).encode(),
    "app shell: a run of backslashes in its data": lambda n: (
        HEAD + "<script>" + "\\u003cp>x" * 3 + "\\" * (100 * n) + "</p></script>").encode(),
}


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_html_is_extracted_or_refused_at_n_4n_16n(name):
    timings = []
    for k in (1, 4, 16):
        data = CASES[name](N * k)
        began = time.perf_counter()
        try:
            outcome = extract(data, "https://baohagiang.vn/tin/a.html")
        except ExtractError as exc:  # a clear refusal is a kept promise too
            outcome = exc
        elapsed = time.perf_counter() - began
        assert isinstance(outcome, (Article, ExtractError))
        verdict = "article" if isinstance(outcome, Article) else f"ExtractError: {str(outcome)[:40]}"
        timings.append(f"{k:>2}n {len(data) / 1e6:5.2f} MB {elapsed:6.3f} s")
    print(f"\n{name:42} " + " | ".join(timings) + f" -> {verdict}", end="")


def test_str_input_with_lone_surrogates_does_not_crash():
    try:
        extract(HEAD + P.replace("Đồng", "\ud800Đồng") + "</body></html>", "https://baohagiang.vn/a.html")
    except ExtractError:
        pass


HOSTILE = {name: make(16 * N) for name, make in CASES.items()}


def test_a_crawl_with_hostile_pages_still_archives_the_others(site, test_config, tmp_path, cli):
    good = [f"tin/{i}.html" for i in range(4)]
    for i, path in enumerate(good):
        site.put(path, article_page(i))
    bad = []
    for i, body in enumerate(HOSTILE.values()):
        path = f"/xau/{i}.html"
        site.routes[path] = Route(body=body, headers={"Content-Type": "text/html"})
        bad.append(path)
    # hostile pages first, so the good ones wait behind them
    site.put("hostile.xml", feed_of([site.url(p) for p in bad] + [site.url(p) for p in good]))
    config = tmp_path / "crawl.toml"
    config.write_text(test_config.read_text() + f"""
[[sources]]
name = "hostile"
feeds = ["{site.url('hostile.xml')}"]
""", encoding="utf-8")
    db = tmp_path / "a.db"
    began = time.perf_counter()
    proc = cli("crawl", "--config", str(config), "--db", str(db), timeout=300)
    print(f"\ncrawl of {len(bad)} hostile + {len(good)} good pages: {time.perf_counter() - began:.1f} s; "
          f"exit {proc.returncode}; {proc.stdout.splitlines()[-1]}")
    assert proc.returncode in (0, 1), proc.stderr
    with sqlite3.connect(db) as conn:
        archived = {row[0] for row in conn.execute("SELECT url FROM articles")}
        fetches = conn.execute("SELECT url, outcome, error FROM fetches").fetchall()
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    for path in good:
        assert site.url(path) in archived
    by_url = {url: (outcome, error) for url, outcome, error in fetches}
    for path in bad:  # every hostile page ended: archived, or failed with a reason
        outcome, error = by_url[site.url(path)]
        assert outcome in ("new", "failed"), (path, outcome)
        assert outcome == "new" or error.startswith("no article found"), (path, error)
    failed = sum(1 for p in bad if by_url[site.url(p)][0] == "failed")
    print(f"hostile pages archived: {len(bad) - failed}, refused with a reason: {failed}")
