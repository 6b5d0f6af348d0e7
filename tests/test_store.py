"""The archive keeps one row per article and one per distinct version, in a real SQLite file."""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper.models import Article, Image
from scraper.store import Archive

ICT = timezone(timedelta(hours=7))
URL = "https://baohagiang.vn/xa-hoi/cong-doan.html"
ART = Article(title="Công đoàn Viên chức tỉnh", published_at=datetime(2017, 12, 6, 8, 5, tzinfo=ICT),
              authors=["Nguyễn Thị Hòa"], body="BHG - Một.\n\nHai.",
              images=[Image("https://baohagiang.vn/a.jpg", "Trao Bằng khen", "C.T.V")])
RAW = b"<html>v1</html>"


def clock(start=datetime(2026, 1, 1, tzinfo=UTC)):
    return lambda minutes: start + timedelta(minutes=minutes)


def test_new_then_unchanged_then_changed(tmp_path):
    at = clock()
    with Archive(tmp_path / "a.db") as archive:
        first = archive.save(url=URL, article=ART, raw=RAW, source="bhg", captured_at=at(0))
        again = archive.save(url=URL, article=Article(**{**ART.__dict__, "body": "BHG -  Một.\n\n\nHai. "}),
                             raw=b"<html>v1 with another ad</html>", captured_at=at(5))
        edited = archive.save(url=URL, article=Article(**{**ART.__dict__, "title": "Sửa", "body": "Ba."}),
                              raw=b"<html>v2</html>", captured_at=at(10))
        assert (first.outcome, first.version) == ("new", 1)
        assert (again.outcome, again.version) == ("unchanged", 1)
        assert (edited.outcome, edited.version, edited.changed_fields) == ("changed", 2, ["title", "body"])
        row = archive.article(URL)
        assert row["version"] == 2 and row["title"] == "Sửa"
        assert row["first_seen"] == "2026-01-01T00:00:00+00:00"
        assert row["last_checked"] == row["last_changed"] == "2026-01-01T00:10:00+00:00"
        assert row["published_at"] == "2017-12-06T08:05:00+07:00"
        assert json.loads(row["authors"]) == ["Nguyễn Thị Hòa"]
        versions = archive.versions(row["id"])
        assert [v["version"] for v in versions] == [1, 2]
        assert json.loads(versions[1]["changed_fields"]) == ["title", "body"]
        assert archive.images(versions[0]["id"]) == [
            {"position": 0, "url": "https://baohagiang.vn/a.jpg", "caption": "Trao Bằng khen", "credit": "C.T.V"}]
        assert archive.page_html(versions[0]["page_hash"]) == RAW
        assert archive.count("pages") == 2


def test_unchanged_refetch_updates_last_checked_only(tmp_path):
    at = clock()
    with Archive(tmp_path / "a.db") as archive:
        archive.save(url=URL, article=ART, raw=RAW, captured_at=at(0))
        archive.save(url=URL, article=ART, raw=RAW, captured_at=at(60))
        row = archive.article(URL)
        assert row["last_checked"] == "2026-01-01T01:00:00+00:00"
        assert row["last_changed"] == "2026-01-01T00:00:00+00:00"
        assert archive.count("versions") == 1


def test_aliases_lead_to_the_same_article(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        archive.save(url=URL, article=ART, raw=RAW, aliases=(URL + "?page=amp",))
        assert archive.article_id_for(URL + "?page=amp") == archive.article_id_for(URL)


def test_fetch_rows_are_written_with_the_version(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        fetch = {"url": URL, "requested_at": "2026-01-01T00:00:00+00:00", "status": 200, "elapsed_ms": 12,
                 "bytes": len(RAW)}
        archive.save(url=URL, article=ART, raw=RAW, fetch=fetch)
        archive.record_fetch({**fetch, "status": 404, "outcome": "failed", "error": "HTTP 404"})
        rows = list(archive.db.query("SELECT status, outcome, error, article_id FROM fetches ORDER BY id"))
        assert rows == [{"status": 200, "outcome": "new", "error": None, "article_id": 1},
                        {"status": 404, "outcome": "failed", "error": "HTTP 404", "article_id": None}]


def test_the_file_is_readable_by_plain_sqlite_in_wal_mode(tmp_path):
    path = tmp_path / "a.db"
    with Archive(path) as archive:
        archive.save(url=URL, article=ART, raw=RAW)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    columns = {r[1] for r in conn.execute("PRAGMA table_info(articles)")}
    assert {"id", "url", "source", "title", "published_at", "authors", "body", "version", "first_seen",
            "last_checked", "last_changed"} <= columns


def test_reopening_applies_no_migration_twice(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        applied = archive.count("_sqlite_migrations")
    with Archive(tmp_path / "a.db") as archive:
        assert archive.count("_sqlite_migrations") == applied >= 2


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=_text, body=_text, author=_text)
def test_store_round_trips_any_text(tmp_path, title, body, author):
    from scraper.text import clean, clean_line
    with Archive(tmp_path / "rt.db") as archive:
        url = f"https://x.vn/{abs(hash((title, body, author)))}"
        archive.save(url=url, article=Article(title=title, body=body, authors=[author]), raw=body.encode())
        row = archive.article(url)
        assert (row["title"] or "") == clean_line(title)
        assert row["body"] == clean(body)
        assert row["body"] == unicodedata.normalize("NFC", row["body"])


def _search(archive, query):
    from datasette.utils import escape_fts
    return [r["title"] for r in archive.db.query(
        "SELECT a.title FROM articles a WHERE a.id IN "
        "(SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?) ORDER BY a.id", [escape_fts(query)])]


def test_search_finds_vietnamese_in_any_spelling_and_follows_edits(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        archive.save(url=URL, article=Article(title="Du lịch Đồng Văn", body="Cao nguyên đá Đồng Văn, Hà Giang."),
                     raw=RAW)
        archive.save(url=URL + "2", article=Article(title="Thời tiết", body="Mưa ở Hà Nội."), raw=RAW)
        for query in ("dong van", "Đồng Văn", "ĐỒNG VĂN", unicodedata.normalize("NFD", "Đồng Văn"), "ha giang"):
            assert _search(archive, query) == ["Du lịch Đồng Văn"], query
        archive.save(url=URL, article=Article(title="Du lịch Mèo Vạc", body="Mã Pì Lèng."), raw=b"v2")
        assert _search(archive, "dong van") == []
        assert _search(archive, "meo vac") == ["Du lịch Mèo Vạc"]


def test_table_pages_sort_and_facet_from_indexes(tmp_path):
    """What Datasette runs on every versions/articles page reads indexes, not rows with their bodies."""
    with Archive(tmp_path / "a.db") as archive:
        archive.save(url=URL, article=ART, raw=RAW)

        def plan(sql):
            return " | ".join(r[3] for r in archive.db.execute("EXPLAIN QUERY PLAN " + sql))

        assert "USING INDEX idx_versions_captured_at_article_id" in plan(
            "SELECT * FROM versions WHERE article_id < 5 ORDER BY captured_at DESC LIMIT 51")
        assert "TEMP B-TREE FOR ORDER BY" not in plan("SELECT * FROM versions ORDER BY captured_at DESC LIMIT 51")
        for column in ("kind", "changed_fields"):
            assert "COVERING INDEX" in plan(f"SELECT {column}, count(*) FROM (SELECT * FROM versions "
                                            f"WHERE article_id < 5) GROUP BY {column}"), column
        for column in ("language", "authors"):
            assert "COVERING INDEX" in plan(f"SELECT {column}, count(*) FROM (SELECT * FROM articles) "
                                            f"GROUP BY {column}"), column
