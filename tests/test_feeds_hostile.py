"""Issue 6 item 9: hostile feeds, sitemaps and URLs, through the parsers and
through the real ``scraper crawl``.

XML bombs and XXE expand nothing and read no file or URL (the local server
counts requests for the DTDs); a gzipped sitemap bomb is cut at the body cap
with memory measured in the crawl's own process; hostile links come out
normalised or not at all.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from scraper.crawl import MAX_SITEMAP_DOCUMENTS
from scraper.discover import parse_feed, parse_sitemap
from scraper.errors import ExtractError
from scraper.urls import MAX_URL_LENGTH
from tests.conftest import REPO
from tests.sites import Route, article_page, feed_of

BASE = "https://baohagiang.vn/"
LOL = b'<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' + b"".join(
    b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(2, 10))
SECRET = Path(__file__)  # a file the payloads try to read: its text must never show up
MARK = "Issue 6 item 9"  # a phrase from this very file


def rss(doctype: bytes, title: bytes, link: str = BASE + "tin/a.html") -> bytes:
    return (b'<?xml version="1.0"?>' + doctype + b'<rss version="2.0"><channel><title>T</title>'
            b"<item><title>" + title + b"</title><link>" + link.encode() + b"</link></item></channel></rss>")


def atom(doctype: bytes, title: bytes) -> bytes:
    return (b'<?xml version="1.0"?>' + doctype + b'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
            b'<entry><title>' + title + b'</title><link href="' + BASE.encode() + b'tin/b.html"/></entry></feed>')


def payloads(dtd_url: str) -> dict[str, bytes]:
    """Hostile feeds; ``dtd_url`` is a URL they try to make the parser fetch."""
    file_url = SECRET.as_uri().encode()
    return {
        "billion laughs (RSS)": rss(b"<!DOCTYPE rss [" + LOL + b"]>", b"&lol9;"),
        "billion laughs (Atom)": atom(b"<!DOCTYPE feed [" + LOL + b"]>", b"&lol9;"),
        "quadratic blowup": rss(b'<!DOCTYPE rss [<!ENTITY a "' + b"x" * 50_000 + b'">]>', b"&a;" * 5_000),
        "XXE file entity": rss(b'<!DOCTYPE rss [<!ENTITY x SYSTEM "' + file_url + b'">]>', b"&x;"),
        "XXE URL entity": rss(b'<!DOCTYPE rss [<!ENTITY x SYSTEM "' + dtd_url.encode() + b'?entity">]>', b"&x;"),
        "external DTD": rss(b'<!DOCTYPE rss SYSTEM "' + dtd_url.encode() + b'?dtd">', b"&x;"),
        "parameter entity": rss(b'<!DOCTYPE rss [<!ENTITY % p SYSTEM "' + dtd_url.encode() + b'?pe"> %p;]>', b"&x;"),
        "XInclude": rss(b"", b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="'
                        + file_url + b'" parse="text"/>'),
    }


def sitemap_payloads(dtd_url: str) -> dict[str, bytes]:
    urlset = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>%s</loc></url></urlset>'
    return {
        "sitemap billion laughs": b'<?xml version="1.0"?><!DOCTYPE urlset [' + LOL + b"]>" + urlset % b"&lol9;",
        "sitemap XXE file": b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "'
                            + SECRET.as_uri().encode() + b'">]>' + urlset % b"&x;",
        "sitemap external DTD": b'<?xml version="1.0"?><!DOCTYPE urlset SYSTEM "' + dtd_url.encode()
                                + b'?sitemap">' + urlset % (BASE + "tin/c.html").encode(),
        "sitemap parameter entity": b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY % p SYSTEM "'
                                    + dtd_url.encode() + b'?spe"> %p;]>' + urlset % b"&x;",
    }


def _harmless(text: str | None) -> bool:
    return not text or ("lollol" not in text and "x" * 1000 not in text and MARK not in text and "PWNED" not in text)


@pytest.mark.parametrize("name", list(payloads("http://127.0.0.1:9/evil.dtd")))
def test_hostile_feed_expands_nothing_and_reads_nothing(name, site):
    site.routes["/evil.dtd"] = Route(body=b'<!ENTITY x "PWNED">', headers={"Content-Type": "application/xml-dtd"})
    found = parse_feed(payloads(site.url("evil.dtd"))[name], BASE + "rss")
    assert all(_harmless(c.title) for c in found), [c.title[:80] for c in found]
    assert site.hits["/evil.dtd"] == 0


@pytest.mark.parametrize("name", list(sitemap_payloads("http://127.0.0.1:9/evil.dtd")))
def test_hostile_sitemap_is_refused_and_reads_nothing(name, site):
    site.routes["/evil.dtd"] = Route(body=b'<!ENTITY x "PWNED">', headers={"Content-Type": "application/xml-dtd"})
    with pytest.raises(ExtractError):
        parse_sitemap(sitemap_payloads(site.url("evil.dtd"))[name], BASE)
    assert site.hits["/evil.dtd"] == 0


HOSTILE_LINKS = {
    # link in the feed -> what must be queued (None: nothing)
    "http://user:secret@{host}/tin/userinfo.html": "http://{host}/tin/userinfo.html",
    "http://{host}/muc/%2e%2e/tin/dotdot.html": "http://{host}/tin/dotdot.html",
    "http://{host}/muc/%2E%2E/%2e%2e/../tin/dotdot2.html": "http://{host}/tin/dotdot2.html",
    "http://{host}/tin/./a/../frag.html?utm_source=rss&b=2&a=1#binh-luan": "http://{host}/tin/frag.html?a=1&b=2",
    "HTTP://{HOST}/tin/upper.html": "http://{host}/tin/upper.html",
    "  http://{host}/tin/space.html\n": "http://{host}/tin/space.html",
    "http://{host}/tin/" + "dai-" * 600 + ".html": None,  # over MAX_URL_LENGTH
    "javascript:alert(document.cookie)": None,
    "data:text/html;base64,PHNjcmlwdD4=": None,
    "file:///etc/passwd": None,
    "ftp://{host}/tin/ftp.html": None,
    "http://{host}:99999/tin/port.html": None,
    "http://[::1/tin/ipv6.html": None,
}


def _crawl(config: Path, db: Path) -> tuple[subprocess.CompletedProcess, int]:
    """``scraper crawl`` in a child whose peak RSS (KiB) a small wrapper reports."""
    wrapper = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
               "sys.stdout.write(r.stdout); sys.stderr.write(r.stderr);"
               "print('MAXRSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr);"
               "sys.exit(r.returncode)")
    proc = subprocess.run([sys.executable, "-c", wrapper, sys.executable, "-m", "scraper.cli", "crawl",
                           "--config", str(config), "--db", str(db)], cwd=REPO, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "PYTHONUTF8": "1"})
    peak = int(proc.stderr.rsplit("MAXRSS", 1)[1].split()[0])
    return proc, peak


def _gzip_bomb(size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b" " * 2**20
    head = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    out = [packer.compress(head)] + [packer.compress(chunk) for _ in range(size // len(chunk))]
    return b"".join(out + [packer.compress(b"</urlset>"), packer.flush()])


def test_hostile_feeds_sitemaps_and_links_through_the_real_crawl(site, test_config, tmp_path):
    host = f"127.0.0.1:{site.port}"
    site.routes["/evil.dtd"] = Route(body=b'<!ENTITY x "PWNED">', headers={"Content-Type": "application/xml-dtd"})
    xml = {"Content-Type": "application/xml"}
    feeds = payloads(site.url("evil.dtd"))
    for i, body in enumerate(feeds.values()):
        site.routes[f"/feed/{i}.xml"] = Route(body=body.replace(BASE.encode(), site.url("").encode()), headers=xml)
    sitemaps = sitemap_payloads(site.url("evil.dtd"))
    for i, body in enumerate(sitemaps.values()):
        site.routes[f"/sitemap/{i}.xml"] = Route(body=body, headers=xml)
    bomb = _gzip_bomb(200 * 2**20)
    site.routes["/sitemap/bomb.xml.gz"] = Route(body=bomb, headers={"Content-Type": "application/x-gzip"})
    site.routes["/sitemap/bomb.xml"] = Route(body=bomb, headers={**xml, "Content-Encoding": "gzip"})
    # an index that points at itself and at thousands of sitemaps (one missing): the crawl reads a bounded number
    for i in range(1, 5000):
        site.routes[f"/sitemap/n{i}.xml"] = Route(body=(
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{site.url(f'sm/{i}.html')}</loc></url></urlset>").encode(), headers=xml)
    index = "".join(f"<sitemap><loc>{site.url(f'sitemap/n{i}.xml')}</loc></sitemap>" for i in range(5000))
    site.routes["/sitemap/index.xml"] = Route(body=(
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{site.url('sitemap/index.xml')}</loc></sitemap>{index}</sitemapindex>").encode(), headers=xml)
    links = [link.format(host=host, HOST=host.upper()) for link in HOSTILE_LINKS]
    site.put("links.xml", feed_of([link.replace("&", "&amp;") for link in links]))
    for link, expected in HOSTILE_LINKS.items():
        if expected:
            site.put(expected.format(host=host).split(host, 1)[1].split("?")[0], article_page(len(link)))
    site.put("tin/a.html", article_page(1))
    site.put("tin/b.html", article_page(2))
    config = tmp_path / "crawl.toml"
    feed_urls = ", ".join(f'"{site.url(f"feed/{i}.xml")}"' for i in range(len(feeds))) + f', "{site.url("links.xml")}"'
    map_urls = ", ".join(f'"{site.url(f"sitemap/{i}.xml")}"' for i in range(len(sitemaps)))
    config.write_text(test_config.read_text() + f"""
[[sources]]
name = "hostile"
feeds = [{feed_urls}]
sitemaps = [{map_urls}, "{site.url('sitemap/bomb.xml.gz')}", "{site.url('sitemap/bomb.xml')}",
            "{site.url('sitemap/index.xml')}"]
""", encoding="utf-8")
    db = tmp_path / "a.db"
    proc, peak_kib = _crawl(config, db)
    assert proc.returncode in (0, 1), proc.stderr
    with sqlite3.connect(db) as conn:
        queued = [r[0] for r in conn.execute("SELECT url FROM frontier")]
        hints = [r[0] for r in conn.execute("SELECT title_hint FROM frontier")]
        stored = [r[0] for r in conn.execute("SELECT title || body FROM articles")]
        [run_error] = conn.execute("SELECT error FROM runs").fetchone()
        from_index = conn.execute("SELECT count(*) FROM frontier WHERE url LIKE '%/sm/%'").fetchone()[0]
    n_maps = sum(site.hits[f"/sitemap/n{i}.xml"] for i in range(5000)) + site.hits["/sitemap/index.xml"]
    print(f"\n{len(feeds)} hostile feeds, {len(sitemaps)} hostile sitemaps, 2 gzip bombs of 200 MiB "
          f"({len(bomb) // 1024} KiB on the wire), a 5001-entry self-referencing index ({n_maps} documents "
          f"read), {len(HOSTILE_LINKS)} hostile links; peak RSS of the crawl {peak_kib // 1024} MiB; "
          f"DTD requests {site.hits['/evil.dtd']}")
    assert site.hits["/evil.dtd"] == 0
    assert all(_harmless(t) for t in hints + stored)
    assert "over 10 MiB" in run_error and run_error.count("over 10 MiB") == 2  # both bombs, cut at the cap
    assert peak_kib < 300 * 1024  # the 200 MiB bombs never sat in memory
    assert n_maps == MAX_SITEMAP_DOCUMENTS  # the missing one was skipped, then the budget stopped it
    assert from_index == MAX_SITEMAP_DOCUMENTS - 2 and "sitemap/n0.xml: HTTP 404" in run_error
    expected = {e.format(host=host) for e in HOSTILE_LINKS.values() if e}
    hostile = [u for u in queued if site.url("") in u and "/tin/" in u and u not in
               {site.url("tin/a.html"), site.url("tin/b.html"), site.url("tin/c.html")}]
    assert set(hostile) == expected
    assert all(len(u) <= MAX_URL_LENGTH and "@" not in u and "%2e" not in u.lower() and "/../" not in u
               and u.startswith("http://") for u in queued)
