"""The archive: the only database code. One SQLite file, written through sqlite-utils.

Tables (the names are a contract: canned queries and users rely on them):

    articles  one row per article, keyed by canonical URL, holding its current fields
    versions  one row per distinct content of an article (content_hash, changed_fields)
    images    one row per image of a version (version_id, position, url, caption, credit)
    fetches   one row per HTTP attempt: the audit log
    pages     raw HTML of each version, zlib-compressed, keyed by SHA-256 of the bytes
    aliases   other URLs (tracking parameters, non-canonical paths) of an article

Every write runs inside ``db.atomic()``; the file is in WAL mode with
``synchronous=NORMAL``, so a crash loses at most the transaction in flight and
never leaves half a version behind. Timestamps are ISO 8601 UTC.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sqlite3
import sys
import unicodedata
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils import Migrations

from .dedup import changed_fields, content_fields, fields_hash
from .errors import StoreError
from .text import _FOLD
from .models import CHANGED, NEW, UNCHANGED, Article, StoreResult

migrations = Migrations("scraper")


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["articles"].create({
        "id": int, "url": str, "source": str, "title": str, "published_at": str,
        "modified_at": str, "authors": str, "body": str, "language": str, "lead_marker": str,
        "lead_image": str, "version": int, "content_hash": str, "first_seen": str,
        "last_checked": str, "last_changed": str,
    }, pk="id", not_null={"url", "version", "content_hash", "first_seen", "last_checked", "last_changed"})
    db["articles"].create_index(["url"], unique=True)
    db["articles"].create_index(["published_at"])
    db["articles"].create_index(["source", "published_at"])
    db["pages"].create({
        "hash": str, "url": str, "fetched_at": str, "content_type": str, "size": int, "html": bytes,
    }, pk="hash")
    db["versions"].create({
        "id": int, "article_id": int, "version": int, "captured_at": str, "content_hash": str,
        "title": str, "published_at": str, "modified_at": str, "authors": str, "body": str,
        "changed_fields": str, "kind": str, "language": str, "canonical_url": str,
        "lead_marker": str, "page_hash": str,
    }, pk="id", foreign_keys=[("article_id", "articles", "id"), ("page_hash", "pages", "hash")],
        not_null={"article_id", "version", "captured_at", "content_hash"})
    db["versions"].create_index(["article_id", "version"], unique=True)
    db["images"].create({
        "id": int, "version_id": int, "position": int, "url": str, "caption": str, "credit": str,
    }, pk="id", foreign_keys=[("version_id", "versions", "id")])
    db["images"].create_index(["version_id", "position"], unique=True)
    db["fetches"].create({
        "id": int, "url": str, "requested_at": str, "status": int, "elapsed_ms": int, "bytes": int,
        "outcome": str, "error": str, "final_url": str, "article_id": int, "source": str,
    }, pk="id")
    db["fetches"].create_index(["url"])
    db["fetches"].create_index(["requested_at"])
    db["aliases"].create({"url": str, "article_id": int}, pk="url",
                         foreign_keys=[("article_id", "articles", "id")])


@migrations()
def m002_search(db: sqlite_utils.Database) -> None:
    """Full-text search over title and body, in any spelling.

    The index is external-content over ``articles`` (so Datasette finds it for
    ``?_search=``), but what it indexes is each text followed by its folded
    form (no diacritics, đ -> d): "dong van", "Đồng Văn" and "ĐỒNG VĂN" all
    match, since unicode61 with remove_diacritics 2 handles the accented query
    and the folded copy handles đ, which no tokenizer folds.
    """
    db.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, content=\"articles\", "
        "content_rowid=\"id\", tokenize=\"unicode61 remove_diacritics 2\")")
    for row in db.query("SELECT id, title, body FROM articles"):
        _index(db, row["id"], None, row)


@migrations()
def m003_frontier(db: sqlite_utils.Database) -> None:
    """The crawl's memory: every URL known, when it is next due, its validators and
    failures; and one row per discovery run. APScheduler keeps none of this."""
    db["frontier"].create({
        "url": str, "source": str, "via": str, "discovered_at": str, "ladder_from": str,
        "next_due": str, "rung": int, "state": str, "etag": str, "last_modified": str,
        "failures": int, "last_status": int, "last_error": str, "last_checked": str,
        "article_id": int, "title_hint": str, "published_hint": str, "language_hint": str,
    }, pk="url", defaults={"rung": 0, "failures": 0, "state": "pending"})
    db["frontier"].create_index(["state", "next_due"])
    db["frontier"].create_index(["source"])
    db["runs"].create({
        "id": int, "source": str, "started_at": str, "finished_at": str, "found": int, "new": int,
        "errors": int, "error": str,
    }, pk="id")
    db["runs"].create_index(["source", "started_at"])


@migrations()
def m004_browse_indexes(db: sqlite_utils.Database) -> None:
    """Indexes for what Datasette runs on every table page, which at a million
    versions otherwise read every row, bodies included (the columns after
    ``body`` sit behind its overflow pages): the versions table's default sort
    and the time-ordered canned queries (captured_at; article_id so that an
    article filter needs no row), and covering indexes for the default and
    usual facets (versions by kind and changed_fields, per article range;
    articles by language and authors)."""
    db["versions"].create_index(["captured_at", "article_id"])
    db["versions"].create_index(["article_id", "kind", "changed_fields"])
    db["articles"].create_index(["language", "authors"])


_FOLD_PAIRS = tuple((chr(code), to) for code, to in _FOLD.items())


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@functools.cache
def _combining_marks() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Every character ``unicodedata.combining`` calls a combining mark, as two
    classes: those in the BMP (which re tests with a fast bitmap) and the rest."""
    def char_class(codes: list[int]) -> re.Pattern[str]:
        ranges: list[list[int]] = []
        for code in codes:
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
        return re.compile("[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges) + "]+")

    codes = [c for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))]
    return char_class([c for c in codes if c <= 0xFFFF]), char_class([c for c in codes if c > 0xFFFF])


def fast_fold(text: str) -> str:
    """``text.fold``, same output, faster: folding title and body for the search
    index was half the cost of a save. ASCII needs only casefold; other text gets
    C-speed replaces and a regex instead of a per-character walk.
    tests/test_store_recheck.py checks it against ``fold`` on every code point."""
    if text.isascii():
        return text.casefold()
    for char, to in _FOLD_PAIRS:
        if char in text:
            text = text.replace(char, to)
    bmp, astral = _combining_marks()
    stripped = bmp.sub("", unicodedata.normalize("NFD", text))
    if _ASTRAL.search(stripped):
        stripped = astral.sub("", stripped)
    return stripped.casefold()


def searchable(text: str | None) -> str:
    """What the search index holds for one text: itself, then its folded form."""
    text = text or ""
    folded = fast_fold(text)
    return text if folded == text else f"{text}\n{folded}"


def _index(db: sqlite_utils.Database, article_id: int, old: dict[str, Any] | None,
           new: dict[str, Any]) -> None:
    """Replace an article's entry in the search index (old values are needed to delete)."""
    if old is not None:
        db.execute("INSERT INTO articles_fts (articles_fts, rowid, title, body) VALUES ('delete', ?, ?, ?)",
                   [article_id, searchable(old["title"]), searchable(old["body"])])
    db.execute("INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)",
               [article_id, searchable(new["title"]), searchable(new["body"])])


class _SearchIndex:
    """Writes to ``articles_fts``: at once, or in a batch once per article at its end.

    FTS5 writes its pending terms out as a new segment at every commit and at
    every savepoint, so one save per transaction costs a segment write and,
    every few saves, a merge. In a batch the entries wait here instead: an
    article saved several times is indexed once, from what the index held
    before the batch to what it holds after.
    """

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.deferred: dict[int, tuple[dict[str, Any] | None, dict[str, Any]]] | None = None

    @property
    def batching(self) -> bool:
        return self.deferred is not None

    def write(self, article_id: int, old: dict[str, Any] | None, new: dict[str, Any]) -> None:
        _index(self.db, article_id, old, new)

    def defer(self, article_id: int, old: dict[str, Any] | None, new: dict[str, Any]) -> None:
        """Index later; the entry the index holds now is the one before the batch."""
        assert self.deferred is not None
        before = self.deferred[article_id][0] if article_id in self.deferred else old
        self.deferred[article_id] = (before, new)

    def is_deferred(self, article_id: int) -> bool:
        return self.deferred is not None and article_id in self.deferred

    def flush(self) -> None:
        """Write the entries in rowid order: FTS5 writes its pending terms out as a
        segment whenever a rowid comes before the last one written, which in the
        order of the saves (edits of older articles between new ones) is nearly
        every time; in order, only when they fill its buffer."""
        for article_id, (old, new) in sorted((self.deferred or {}).items()):
            _index(self.db, article_id, old, new)


def _connect(path: Path) -> sqlite_utils.Database:
    conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False, isolation_level=None)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA busy_timeout=30000")
    db.execute("PRAGMA foreign_keys=ON")
    return db


# zlib level 4: on the eval pages it takes 1.8 ms a page against 3.1 ms at level 6
# (the costliest single step of ingest) for output 5% larger (20.7% vs 19.7% of raw).
COMPRESS_LEVEL = 4


def compress(html: bytes) -> bytes:
    return zlib.compress(html, COMPRESS_LEVEL)


def decompress(blob: bytes) -> bytes:
    return zlib.decompress(blob)


class Archive:
    """A versioned article archive in one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.write_failures = 0  # writes refused so far (disk full, I/O error): the crawler backs off
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = _connect(self.path)
            migrations.apply(self.db)
            self._search = _SearchIndex(self.db)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open archive {self.path}: {exc}") from exc

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def atomic(self) -> Iterator[sqlite_utils.Database]:
        self._check_batch()
        try:
            with self.db.atomic():
                yield self.db
        except sqlite3.Error as exc:
            self.write_failures += 1
            raise StoreError(f"archive write failed: {exc}") from exc

    @contextmanager
    def batch(self) -> Iterator[Archive]:
        """Many writes in one transaction: ``with archive.batch(): archive.save(...)``.

        Each save in it stays atomic by itself (a savepoint): one that fails
        leaves no trace, and the batch goes on if the caller catches its
        StoreError. The batch commits at the end of the block, search index
        included, once for all its saves instead of once per save; an exception
        out of the block rolls all of it back. Other connections see none of it
        until then. A batch inside a batch is part of the outer one."""
        if self._search.batching:
            yield self
            return
        with self.atomic():
            self._search.deferred = {}
            try:
                yield self
                self._check_batch()
                self._search.flush()
            finally:
                self._search.deferred = None

    def _check_batch(self) -> None:
        """Refuse writes into a batch whose transaction SQLite already rolled back
        (some errors, e.g. a full disk, end the whole transaction): they would be
        committed one by one, without their search entries."""
        if self._search.batching and not self.db.conn.in_transaction:
            self.write_failures += 1
            raise StoreError("archive write failed: the batch was rolled back by an earlier error")

    # ---- reads -------------------------------------------------------------

    def article_id_for(self, url: str) -> int | None:
        """The article a URL (canonical or alias) belongs to."""
        row = self.db.execute(
            "SELECT id FROM articles WHERE url = ? UNION ALL SELECT article_id FROM aliases WHERE url = ? LIMIT 1",
            [url, url]).fetchone()
        return row[0] if row else None

    def article(self, url: str) -> dict[str, Any] | None:
        article_id = self.article_id_for(url)
        if article_id is None:
            return None
        return next(self.db.query("SELECT * FROM articles WHERE id = ?", [article_id]), None)

    def versions(self, article_id: int) -> list[dict[str, Any]]:
        return list(self.db.query(
            "SELECT * FROM versions WHERE article_id = ? ORDER BY version", [article_id]))

    def images(self, version_id: int) -> list[dict[str, Any]]:
        return list(self.db.query(
            "SELECT position, url, caption, credit FROM images WHERE version_id = ? ORDER BY position",
            [version_id]))

    def page_html(self, page_hash: str) -> bytes | None:
        row = self.db.execute("SELECT html FROM pages WHERE hash = ?", [page_hash]).fetchone()
        return decompress(row[0]) if row else None

    def latest_pages(self, source: str | None = None, since: str | None = None) -> Iterator[dict[str, Any]]:
        """Each article's current version with its raw page, for re-extraction."""
        sql = ("SELECT a.id, a.url, a.source, v.page_hash, p.content_type, p.html FROM articles a "
               "JOIN versions v ON v.article_id = a.id AND v.version = a.version "
               "JOIN pages p ON p.hash = v.page_hash WHERE (:source IS NULL OR a.source = :source) "
               "AND (:since IS NULL OR v.captured_at >= :since) ORDER BY a.id")
        for row in self.db.query(sql, {"source": source, "since": since}):
            yield {**row, "html": decompress(row["html"])}

    def checkpoint(self, wait: float = 0.0) -> tuple[int, int, int]:
        """Move the WAL into the main file and empty it, so it does not grow without bound.

        PASSIVE copies what no reader still needs and never waits. Then a
        TRUNCATE waits up to ``wait`` seconds for readers (Datasette's queries
        are short) to let go of old snapshots, copies the rest and empties the
        file; writers wait meanwhile. If a reader holds on longer, the WAL is
        kept and the next call tries again. Without this, readers that overlap
        without a break would keep SQLite from ever restarting the WAL.
        Returns SQLite's (busy, WAL frames, frames checkpointed)."""
        try:
            busy, frames, done = self.db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if frames > 0:
                self.db.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")
                try:
                    busy, frames, done = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                finally:
                    self.db.execute("PRAGMA busy_timeout=30000")
            return busy, frames, done
        except sqlite3.Error as exc:
            raise StoreError(f"checkpoint failed: {exc}") from exc

    def count(self, table: str) -> int:
        return self.db.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]

    # ---- writes ------------------------------------------------------------

    def save(self, *, url: str, article: Article, raw: bytes, source: str | None = None,
             fetch: dict[str, Any] | None = None, aliases: tuple[str, ...] = (),
             captured_at: datetime | None = None, kind: str = "capture",
             content_type: str | None = None, packed: bytes | None = None) -> StoreResult:
        """Store one extracted article under its canonical ``url``, in one transaction
        together with its fetch record. Unchanged content adds no version.
        ``packed`` is ``compress(raw)`` when the caller made it already (an
        extraction worker does, off the event loop)."""
        moment = iso(captured_at or utcnow())
        fields = content_fields(article)
        digest = fields_hash(fields)
        with self.atomic():
            result, old = self._save_version(url, article, fields, digest, raw, source, moment, kind, content_type,
                                             packed)
            if result.outcome != UNCHANGED and not self._search.batching:
                self._search.write(result.article_id, old, fields)
            for alias in aliases:
                if alias != url:
                    self._insert_alias(alias, result.article_id)
            if fetch is not None:
                self._insert_fetch({**fetch, "outcome": result.outcome, "article_id": result.article_id})
        if result.outcome != UNCHANGED and self._search.batching:
            self._search.defer(result.article_id, old, fields)  # only once its savepoint is released
        return result

    def recheck_same_page(self, url: str, raw: bytes, fetch: dict[str, Any] | None = None,
                          moment: datetime | None = None) -> StoreResult | None:
        """A re-check that got back the very bytes ``url``'s current version was
        extracted from: record it as unchanged (``last_checked``, the fetch row) and
        return the result; None when the bytes differ or the URL is unknown, and the
        page must be extracted. Same bytes give the same article, so parsing them
        again would only cost time; new extraction rules reach stored pages through
        ``reparse``, which labels its versions as re-extractions."""
        with self.atomic():
            article_id = self.article_id_for(url)
            row = article_id is not None and self.db.execute(
                "SELECT a.url, a.version, v.page_hash FROM articles a JOIN versions v "
                "ON v.article_id = a.id AND v.version = a.version WHERE a.id = ?", [article_id]).fetchone()
            if not row or row[2] != hashlib.sha256(raw).hexdigest():
                return None
            self.db.execute("UPDATE articles SET last_checked = ? WHERE id = ?", [iso(moment or utcnow()), article_id])
            if fetch is not None:
                self._insert_fetch({**fetch, "outcome": UNCHANGED, "article_id": article_id})
        return StoreResult(UNCHANGED, article_id, row[0], row[1])

    def _insert_alias(self, alias: str, article_id: int) -> None:
        """Point ``alias`` at the article; no write when it already does (re-checks)."""
        self.db.execute(
            "INSERT INTO aliases (url, article_id) VALUES (?, ?) ON CONFLICT(url) DO UPDATE "
            "SET article_id = excluded.article_id WHERE article_id IS NOT excluded.article_id",
            [alias, article_id])

    def _save_version(self, url: str, article: Article, fields: dict[str, Any], digest: str,
                      raw: bytes, source: str | None, moment: str, kind: str,
                      content_type: str | None, packed: bytes | None = None,
                      ) -> tuple[StoreResult, dict[str, Any] | None]:
        """The result, and the title and body the search index holds for the article (None if new)."""
        current = self._current(url)
        if current and current["content_hash"] == digest:
            self.db.execute("UPDATE articles SET last_checked = ? WHERE id = ?", [moment, current["id"]])
            return StoreResult(UNCHANGED, current["id"], current["url"], current["version"]), None
        if current:
            changed = changed_fields(self._fields_of_version(current["id"], current["version"]), fields)
        else:
            changed = []
        version = current["version"] + 1 if current else 1
        article_id, old = self._upsert_article(current, url, article, fields, digest, source, moment, version)
        page_hash = self._insert_page(url, raw, moment, content_type, packed)
        self._insert_version(article_id, version, article, fields, digest, changed, moment, kind, page_hash)
        outcome = CHANGED if current else NEW
        return StoreResult(outcome, article_id, url, version, changed), old

    def _current(self, url: str) -> dict[str, Any] | None:
        article_id = self.article_id_for(url)
        if article_id is None:
            return None
        row = self.db.execute(
            "SELECT id, url, version, content_hash FROM articles WHERE id = ?", [article_id]).fetchone()
        return dict(zip(("id", "url", "version", "content_hash"), row, strict=True))

    def _fields_of_version(self, article_id: int, version: int) -> dict[str, Any]:
        row = next(self.db.query(
            "SELECT id, title, published_at, authors, body FROM versions WHERE article_id = ? AND version = ?",
            [article_id, version]))
        images = [{"url": i["url"], "caption": i["caption"], "credit": i["credit"]}
                  for i in self.images(row["id"])]
        return {"title": row["title"], "published_at": row["published_at"],
                "authors": json.loads(row["authors"] or "[]"), "body": row["body"], "images": images}

    def _upsert_article(self, current: dict[str, Any] | None, url: str, article: Article,
                        fields: dict[str, Any], digest: str, source: str | None, moment: str,
                        version: int) -> tuple[int, dict[str, Any] | None]:
        """The article's id, and its title and body before (None if new, or if a batch
        holds its index entry back: what the index has then is older)."""
        row = {
            "title": fields["title"], "published_at": fields["published_at"],
            "modified_at": article.modified_at.isoformat() if article.modified_at else None,
            "authors": json.dumps(fields["authors"], ensure_ascii=False), "body": fields["body"],
            "language": article.language, "lead_marker": article.lead_marker,
            "lead_image": fields["images"][0]["url"] if fields["images"] else None,
            "version": version, "content_hash": digest, "last_checked": moment, "last_changed": moment,
        }
        if current:
            old = None
            if not self._search.is_deferred(current["id"]):
                title, body = self.db.execute("SELECT title, body FROM articles WHERE id = ?",
                                              [current["id"]]).fetchone()
                old = {"title": title, "body": body}
            assignments = ", ".join(f"[{name}] = ?" for name in row)
            self.db.execute(f"UPDATE articles SET {assignments} WHERE id = ?", [*row.values(), current["id"]])
            return current["id"], old
        row.update({"url": url, "source": source, "first_seen": moment})
        return self._insert_row("articles", row), None

    def _insert_row(self, table: str, row: dict[str, Any]) -> int:
        """INSERT one row, returning its rowid. Plain SQL: sqlite-utils' insert reads
        the table's schema on every call, a cost paid per version and per fetch."""
        columns = ", ".join(f"[{name}]" for name in row)
        cursor = self.db.execute(f"INSERT INTO [{table}] ({columns}) VALUES ({', '.join('?' * len(row))})",
                                 list(row.values()))
        return cursor.lastrowid

    def _insert_page(self, url: str, raw: bytes, moment: str, content_type: str | None,
                     packed: bytes | None = None) -> str:
        page_hash = hashlib.sha256(raw).hexdigest()
        if self.db.execute("SELECT 1 FROM pages WHERE hash = ?", [page_hash]).fetchone():
            return page_hash  # stored already (a re-extraction, a page shared by URLs): no compression
        self.db.execute(
            "INSERT OR IGNORE INTO pages (hash, url, fetched_at, content_type, size, html) VALUES (?,?,?,?,?,?)",
            [page_hash, url, moment, content_type, len(raw), compress(raw) if packed is None else packed])
        return page_hash

    def _insert_version(self, article_id: int, version: int, article: Article, fields: dict[str, Any],
                        digest: str, changed: list[str], moment: str, kind: str, page_hash: str) -> None:
        version_id = self._insert_row("versions", {
            "article_id": article_id, "version": version, "captured_at": moment, "content_hash": digest,
            "title": fields["title"], "published_at": fields["published_at"],
            "modified_at": article.modified_at.isoformat() if article.modified_at else None,
            "authors": json.dumps(fields["authors"], ensure_ascii=False), "body": fields["body"],
            "changed_fields": json.dumps(changed), "kind": kind, "language": article.language,
            "canonical_url": article.canonical_url, "lead_marker": article.lead_marker, "page_hash": page_hash,
        })
        self.db.conn.executemany(
            "INSERT INTO images (version_id, position, url, caption, credit) VALUES (?, ?, ?, ?, ?)",
            [(version_id, i, img["url"], img["caption"], img["credit"]) for i, img in enumerate(fields["images"])])

    def touch(self, url: str, fetch: dict[str, Any], moment: datetime | None = None) -> int | None:
        """A re-check that found nothing new (e.g. a 304): record the fetch, bump last_checked."""
        with self.atomic():
            article_id = self.article_id_for(url)
            if article_id is not None:
                self.db.execute("UPDATE articles SET last_checked = ? WHERE id = ?",
                                [iso(moment or utcnow()), article_id])
            self._insert_fetch({**fetch, "article_id": article_id})
        return article_id

    def record_fetch(self, fetch: dict[str, Any]) -> None:
        """Record an HTTP attempt that stored nothing (a failure)."""
        with self.atomic():
            self._insert_fetch(fetch)

    def _insert_fetch(self, fetch: dict[str, Any]) -> None:
        self._insert_row("fetches", fetch)
