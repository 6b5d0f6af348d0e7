"""``Archive.batch``: many saves in one transaction, each still atomic by itself,
with the search index written once per article at the end. Real SQLite files."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from datasette.utils import escape_fts

from scraper.errors import StoreError
from scraper.models import Article
from scraper.store import Archive

T0 = datetime(2026, 1, 1, tzinfo=UTC)
URL = "https://baohagiang.vn/du-lich/{}.html"

# (article, title, body): three articles, edited several times, some within one batch
SAVES = [
    (0, "Du lịch Đồng Văn", "Cao nguyên đá Đồng Văn, Hà Giang."),
    (1, "Thời tiết", "Mưa ở Hà Nội."),
    (0, "Du lịch Đồng Văn (cập nhật)", "Cao nguyên đá Đồng Văn, Hà Giang. Hoa tam giác mạch."),
    (2, "Market day", "The Sunday market in Dong Van."),
    (0, "Du lịch Mèo Vạc", "Đèo Mã Pì Lèng."),
    (1, "Thời tiết", "Mưa ở Hà Nội."),  # unchanged
    (2, "Market day", "The Sunday market in Mèo Vạc."),
    (1, "Thời tiết", "Nắng ở Hà Nội."),
    (2, "Fair day", "The Sunday fair in Mèo Vạc."),  # an article from before the batch, edited twice in it
]


def save(archive: Archive, n: int, article: int, title: str, body: str, **extra):
    return archive.save(url=URL.format(article), article=Article(title=title, body=body),
                        raw=f"<p>{title} {body}</p>".encode(), captured_at=T0 + timedelta(minutes=n), **extra)


def index_of(path) -> list[tuple]:
    """Every (term, article, column, offset) the search index holds."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, articles_fts, instance)")
    rows = conn.execute("SELECT term, doc, col, offset FROM temp.vocab ORDER BY 1, 2, 3, 4").fetchall()
    conn.close()
    return rows


def titles(archive: Archive, query: str) -> list[str]:
    return [r[0] for r in archive.db.execute(
        "SELECT title FROM articles WHERE id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?) "
        "ORDER BY id", [escape_fts(query)])]


def test_a_batch_stores_what_single_saves_store(tmp_path):
    with Archive(tmp_path / "one.db") as one, Archive(tmp_path / "batch.db") as batched:
        single = [save(one, n, *s) for n, s in enumerate(SAVES)]
        with batched.batch():
            first = [save(batched, n, *s) for n, s in enumerate(SAVES[:5])]
        with batched.batch():
            rest = [save(batched, n + 5, *s) for n, s in enumerate(SAVES[5:])]
        assert first + rest == single
        for table in ("articles", "versions", "pages"):
            assert list(one.db.query(f"SELECT * FROM {table}")) == list(batched.db.query(f"SELECT * FROM {table}"))
        assert titles(batched, "dong van") == []
        assert titles(batched, "meo vac") == ["Du lịch Mèo Vạc", "Fair day"]
        assert titles(batched, "nang") == ["Thời tiết"] and titles(batched, "mua") == []
        assert titles(batched, "market") == [] and titles(batched, "fair") == ["Fair day"]
    assert index_of(tmp_path / "batch.db") == index_of(tmp_path / "one.db")


def test_other_connections_see_a_batch_only_when_it_commits(tmp_path):
    path = tmp_path / "a.db"
    with Archive(path) as archive:
        with archive.batch():
            save(archive, 0, *SAVES[0])
            save(archive, 1, *SAVES[1])
            reader = sqlite3.connect(path)
            assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
        assert reader.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'dong'").fetchone()[0] == 1
        reader.close()


def test_a_failed_save_leaves_no_trace_and_the_batch_goes_on(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        with archive.batch():
            save(archive, 0, *SAVES[0])
            with pytest.raises(StoreError):  # a fetch row with a column the table lacks: fails after the version
                save(archive, 1, 1, "Thời tiết", "Mưa ở Hà Nội.", fetch={"url": URL.format(1), "no_such": 1})
            with pytest.raises(StoreError):  # an edit of an article saved in this batch, failing likewise
                save(archive, 2, 0, "Hỏng", "Bản sửa hỏng.", fetch={"url": URL.format(0), "no_such": 1})
            save(archive, 3, *SAVES[3])
        assert archive.count("articles") == 2 and archive.count("versions") == 2
        assert archive.article_id_for(URL.format(1)) is None
        assert titles(archive, "mua") == [] and titles(archive, "hong") == []
        assert titles(archive, "dong van") == ["Du lịch Đồng Văn", "Market day"]
        assert archive.write_failures == 2


def test_an_exception_out_of_the_block_rolls_the_whole_batch_back(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        save(archive, 0, *SAVES[0])
        with pytest.raises(RuntimeError), archive.batch():
            save(archive, 1, *SAVES[1])
            save(archive, 2, *SAVES[2])
            raise RuntimeError("crawler stopped")
        assert archive.count("articles") == 1 and archive.count("versions") == 1
        assert titles(archive, "dong van") == ["Du lịch Đồng Văn"] and titles(archive, "hoa") == []
        with archive.batch():  # and the next batch works, indexing from what the index holds
            save(archive, 3, *SAVES[2])
        assert titles(archive, "hoa") == ["Du lịch Đồng Văn (cập nhật)"]


def test_a_batch_inside_a_batch_is_part_of_it(tmp_path):
    path = tmp_path / "a.db"
    with Archive(path) as archive, archive.batch():
        with archive.batch():
            save(archive, 0, *SAVES[0])
        save(archive, 1, *SAVES[2])
        assert sqlite3.connect(path).execute("SELECT count(*) FROM articles").fetchone()[0] == 0
    with Archive(path) as archive:
        assert titles(archive, "hoa") == ["Du lịch Đồng Văn (cập nhật)"]


def test_writes_into_a_batch_sqlite_rolled_back_are_refused(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        with pytest.raises(StoreError), archive.batch():
            save(archive, 0, *SAVES[0])
            archive.db.conn.execute("ROLLBACK")  # what SQLite does itself on e.g. a full disk
            save(archive, 1, *SAVES[1])
        assert archive.count("articles") == 0
        save(archive, 2, *SAVES[1])  # outside a batch, saves work again
        assert titles(archive, "mua") == ["Thời tiết"]
