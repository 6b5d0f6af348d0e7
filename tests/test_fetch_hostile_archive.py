"""Issue 6, item 3's promise at the archive: a hostile answer adds no version.

An article is archived once from a well-behaved answer; then the same URL
misbehaves in every way the fetcher refuses, through the real pipeline and a
real SQLite archive. Each attempt ends as a failed ``fetches`` row with the
fetcher's reason, and the archived version is still the only one, intact.
"""

from __future__ import annotations

import asyncio

import pytest

from scraper import config as config_mod
from scraper.fetch import Fetcher
from scraper.pipeline import Pipeline
from scraper.store import Archive
from tests.hostile_server import (MiB, broken_chunks, encoded, gzip_bomb, huge_headers,  # noqa: F401
                                  huge_length, lying_length, ok, redirect, reset_mid_body, silent, trickle)

ARTICLE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>Xã vùng cao hoàn thành đường bê tông liên thôn</title>
<meta property="article:published_time" content="2026-09-01T08:00:00+07:00"></head>
<body><article><h1>Xã vùng cao hoàn thành đường bê tông liên thôn</h1>
<p>Sau sáu tháng thi công, tuyến đường bê tông dài bốn cây số nối ba thôn của xã đã được đưa vào sử dụng,
giúp người dân đi lại thuận tiện hơn trong mùa mưa.</p>
<p>Công trình do Nhà nước và nhân dân cùng làm, người dân hiến đất và góp ngày công lao động.</p>
<p>Chính quyền xã cho biết sẽ tiếp tục vận động bà con giữ gìn vệ sinh và bảo vệ tuyến đường.</p>
</article></body></html>""".encode()

CASES = {
    "trickling body": (trickle(total=100_000, every=0.05), "timed out after 1s"),
    "headers never come": (silent, "timed out after 1s"),
    "reset mid-body": (reset_mid_body(), "connection reset"),
    "lying Content-Length": (lying_length(50_000, ARTICLE[:200]), "connection closed before the body ended"),
    "broken chunking": (broken_chunks, None),
    "200 KB headers": (huge_headers(), "response headers too large"),
    "gzip bomb": (encoded(gzip_bomb(1024), "gzip", with_length=False),
                  "body over 1 MiB after decompression"),
    "unrequested brotli": (encoded(b"\x1b" * 2000, "br"), "content encoding 'br' was not asked for"),
    "huge Content-Length": (huge_length(2**40), f"Content-Length {2**40} is over the 1 MiB limit"),
    "redirect loop": (redirect("/article"), "more than 10 redirects (a loop)"),
    "redirect to file:": (redirect("file:///etc/passwd"), "blocked: file: is not http or https"),
}


def settings() -> config_mod.Config:
    return config_mod.loads('[fetch]\nallow_private_addresses = true\ntimeout = "1s"\n'
                            'max_bytes = "1MiB"\nhost_delay = "0s"\n')


def counts(archive: Archive) -> tuple[int, int]:
    versions = archive.db.execute("SELECT count(*) FROM versions").fetchone()[0]
    failed = archive.db.execute("SELECT count(*) FROM fetches WHERE outcome = 'failed'").fetchone()[0]
    return versions, failed


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_answer_adds_no_version_and_keeps_the_archived_one(hostile, tmp_path, case):
    handler, reason = CASES[case]
    server = hostile().route("/article", ok(ARTICLE))
    config = settings()

    async def go():
        with Archive(tmp_path / "archive.db") as archive:
            async with Fetcher(config.fetch) as fetcher:
                pipeline = Pipeline(config, archive, fetcher)
                first = await pipeline.process(server.url("/article"))
                before = archive.db.execute("SELECT title, body, content_hash FROM versions").fetchall()
                server.route("/article", handler)
                second = await pipeline.process(server.url("/article"))
                after = archive.db.execute("SELECT title, body, content_hash FROM versions").fetchall()
                errors = [r["error"] for r in archive.db.query(
                    "SELECT error FROM fetches WHERE outcome = 'failed'")]
                return first, second, before, after, counts(archive), errors

    first, second, before, after, (versions, failed), errors = asyncio.run(go())
    assert first.outcome == "new" and first.version == 1
    assert second.outcome == "failed"
    if reason is None:
        assert second.error.startswith("broken HTTP response")
    else:
        assert second.error == reason
    assert (versions, failed) == (1, 1)
    assert errors == [second.error]
    assert after == before
