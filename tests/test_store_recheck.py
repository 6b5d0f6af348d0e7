"""Re-checks that need no parse (the very bytes already archived), aliases that
already point where they should, and the search index's fast fold. Real SQLite files."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from scraper.models import Article
from scraper.store import Archive, fast_fold, searchable
from scraper.text import fold

URL = "https://baohagiang.vn/xa-hoi/cong-doan.html"
ALIAS = "https://baohagiang.vn/xa-hoi/cong-doan.html?utm_source=rss"
ART = Article(title="Công đoàn Viên chức tỉnh", body="BHG - Một.\n\nHai.")
RAW = b"<html>v1</html>"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def fetch_row(url: str) -> dict:
    return {"url": url, "requested_at": "2026-01-01T01:00:00+00:00", "status": 200, "bytes": len(RAW)}


def test_same_bytes_are_unchanged_and_logged(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        archive.save(url=URL, article=ART, raw=RAW, source="bhg", aliases=(ALIAS,), captured_at=T0)
        later = T0 + timedelta(hours=1)
        result = archive.recheck_same_page(URL, RAW, fetch_row(URL), later)
        via_alias = archive.recheck_same_page(ALIAS, RAW, fetch_row(ALIAS), later)
        assert (result.outcome, result.version, result.url) == ("unchanged", 1, URL)
        assert via_alias.article_id == result.article_id
        assert archive.article(URL)["last_checked"] == "2026-01-01T01:00:00+00:00"
        assert archive.count("versions") == 1
        logged = list(archive.db.query("SELECT url, outcome, article_id FROM fetches ORDER BY id"))
        assert logged == [{"url": URL, "outcome": "unchanged", "article_id": result.article_id},
                          {"url": ALIAS, "outcome": "unchanged", "article_id": result.article_id}]


def test_other_bytes_or_unknown_url_must_be_extracted(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        archive.save(url=URL, article=ART, raw=RAW, captured_at=T0)
        assert archive.recheck_same_page(URL, b"<html>v1 with another ad</html>", fetch_row(URL)) is None
        assert archive.recheck_same_page("https://baohagiang.vn/other.html", RAW, fetch_row(URL)) is None
        assert archive.count("fetches") == 0
        assert archive.article(URL)["last_checked"] == "2026-01-01T00:00:00+00:00"


def test_same_bytes_of_an_older_version_are_not_the_current_page(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        archive.save(url=URL, article=ART, raw=RAW, captured_at=T0)
        archive.save(url=URL, article=Article(title="Sửa", body="Ba."), raw=b"<html>v2</html>",
                     captured_at=T0 + timedelta(minutes=5))
        assert archive.recheck_same_page(URL, RAW) is None
        assert archive.recheck_same_page(URL, b"<html>v2</html>").version == 2


def test_an_alias_moves_to_the_article_that_claims_it_last(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        first = archive.save(url=URL, article=ART, raw=RAW, aliases=(ALIAS,), captured_at=T0)
        archive.save(url=URL, article=ART, raw=RAW, aliases=(ALIAS,), captured_at=T0)
        assert archive.count("aliases") == 1
        other = archive.save(url="https://baohagiang.vn/b.html", article=Article(title="B", body="Bê."),
                             raw=b"<html>b</html>", aliases=(ALIAS,), captured_at=T0)
        assert other.article_id != first.article_id
        assert archive.article_id_for(ALIAS) == other.article_id


def test_ascii_text_is_indexed_with_its_casefold():
    assert searchable("Dong Van market") == "Dong Van market\ndong van market"
    assert searchable("dong van") == "dong van"
    assert searchable("Đồng Văn") == "Đồng Văn\ndong van"


def test_fast_fold_is_fold_on_every_code_point():
    chars = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    assert [fast_fold(c) for c in chars] == [fold(c) for c in chars]


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
       | st.text(alphabet="aăâeêioôơuưyđĐAĂÂ \u0300\u0301\u0303\u0309\u0323İß", max_size=60))
def test_fast_fold_is_fold_on_any_text(text):
    assert fast_fold(text) == fold(text)
