"""Datasette plugin for a scraper archive: history pages, SQL helpers, Atom feeds.

Loaded by ``scraper serve`` through ``--plugins-dir scraper/web/plugins``.

- ``/<db>/-/history/<article id>`` (and ``.json``): every version of an
  article, when it was captured, which fields changed and a word-level diff of
  each against the previous version (built by ``scraper.web.history``).
- SQL functions for the canned queries: ``scraper_fold(text)``,
  ``scraper_fts_query(text)`` (a folded, quoted FTS5 query, so any spelling
  matches) and ``scraper_changes(old/new title, published, authors, body)``
  (a plain-text summary of what changed).
- Cells: article titles link to their history; a ``history`` column of a
  canned query becomes a link; image URLs become thumbnails only when they
  are http(s). Every scraped string is escaped here or by Jinja.
- An ``.atom`` renderer for queries returning atom_id, atom_title, atom_updated.
- An empty search box (``?_search=`` or a lone ``"``) shows every row instead
  of Datasette's "fts5: syntax error" page: such ``_search`` values are dropped.
- A ``day`` facet: the calendar day an ISO timestamp states, in its own UTC
  offset. Datasette's ``date`` facet converts to UTC first, which files an
  article published at 03:00 in Hà Nội (+07:00) under the day before.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.facets import Facet
from datasette.utils import escape_fts, escape_sqlite, path_with_added_args, path_with_removed_args
from datasette.database import QueryInterrupted
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

from scraper.text import fold
from scraper.web import feed, history

HISTORY_ROUTE = r"^/(?P<database>[^/]+)/-/history/(?P<article_id>\d+)(?P<format>\.json)?$"
IMAGE_COLUMNS = {("articles", "lead_image"), ("images", "url")}


def fts_query(text: str | None) -> str:
    """The FTS5 query for what a reader typed: folded, then each word quoted."""
    query = escape_fts(fold(text or "").replace('"', " "))
    return query or '""'


def changes_summary(old_title, new_title, old_published, new_published, old_authors, new_authors,
                    old_body, new_body) -> str:
    """What changed between two versions' text fields, as one plain-text line."""
    rows = [
        {"id": 0, "version": 1, "captured_at": "", "title": old_title, "published_at": old_published,
         "authors": old_authors, "body": old_body},
        {"id": 1, "version": 2, "captured_at": "", "title": new_title, "published_at": new_published,
         "authors": new_authors, "body": new_body},
    ]
    return history.summary(history.build_history(rows, {})[1].changes)


@hookimpl
def prepare_connection(conn):
    conn.create_function("scraper_fold", 1, fold, deterministic=True)
    conn.create_function("scraper_fts_query", 1, fts_query, deterministic=True)
    conn.create_function("scraper_changes", 8, changes_summary, deterministic=True)


def without_empty_search(query_string: bytes) -> bytes:
    """The query string minus ``_search``/``_search_<column>`` values holding no word."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    kept = [(k, v) for k, v in pairs
            if not (k.startswith("_search") and k != "_searchmode" and not re.search(r"\w", v))]
    return query_string if len(kept) == len(pairs) else urlencode(kept).encode("latin-1")


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def drop_empty_search(scope, receive, send):
            if scope.get("type") == "http" and b"_search" in scope.get("query_string", b""):
                scope = {**scope, "query_string": without_empty_search(scope["query_string"])}
            await app(scope, receive, send)
        return drop_empty_search
    return wrap


def history_path(datasette, database: str, article_id, version=None) -> str:
    path = datasette.urls.database(database) + f"/-/history/{int(article_id)}"
    return path + (f"#v{int(version)}" if version is not None else "")


def _thumbnail(url: str) -> Markup:
    return Markup('<a href="{0}"><img class="scraper-thumb" src="{0}" alt="" loading="lazy"></a>'
                  '<br><span class="scraper-url">{0}</span>').format(url)


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if table is None and column == "history" and isinstance(value, int):
        return Markup('<a href="{}">history</a>').format(history_path(datasette, database, value))
    if column == "title" and table in ("articles", "versions") and value is not None:
        keys = row.keys() if hasattr(row, "keys") else []
        if table == "articles" and "id" in keys:
            href = history_path(datasette, database, row["id"])
        elif table == "versions" and "article_id" in keys and "version" in keys:
            article_id = row["article_id"]  # the table view expands foreign keys to {value, label}
            article_id = article_id.get("value") if isinstance(article_id, dict) else article_id
            href = history_path(datasette, database, article_id, row["version"])
        else:
            return None
        return Markup('<a href="{}">{}</a>').format(href, value)
    if (table, column) in IMAGE_COLUMNS and history.safe_url(value):
        return _thumbnail(history.safe_url(value))
    return None


class DayFacet(Facet):
    """Facet by the first ten characters (YYYY-MM-DD) of an ISO timestamp column;
    newest day first; selecting a day filters with ``<column>__startswith``."""

    type = "day"

    async def suggest(self):
        return []

    async def facet_results(self):
        results, timed_out = [], []
        size = self.get_facet_size()
        args = dict(self.get_querystring_pairs())
        for item in self.get_configs():
            config = item["config"]
            column = config.get("column") or config["simple"]
            col = escape_sqlite(column)
            sql = (f"select substr({col}, 1, 10) as value, count(*) as count from ({self.sql}) "
                   f"where {col} glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' "
                   f"group by value order by value desc limit {size + 1}")
            try:
                rows = await self.ds.execute(self.database, sql, self.params, truncate=False,
                                             custom_time_limit=self.ds.setting("facet_time_limit_ms"))
            except QueryInterrupted:
                timed_out.append(column)
                continue
            results.append({
                "name": column, "type": self.type, "hideable": item["source"] != "metadata",
                "toggle_url": path_with_removed_args(self.request, {"_facet_day": column}),
                "truncated": len(rows) > size,
                "results": [self._value(column, row["value"], row["count"], args) for row in rows.rows[:size]],
            })
        return results, timed_out

    def _value(self, column: str, value: str, count: int, args: dict) -> dict:
        key = f"{column}__startswith"
        selected = args.get(key) == value
        path = (path_with_removed_args(self.request, {key: value}) if selected
                else path_with_added_args(self.request, {key: value}))
        return {"value": value, "label": value, "count": count, "selected": selected,
                "toggle_url": self.ds.absolute_url(self.request, path)}


@hookimpl
def register_facet_classes():
    return [DayFacet]


async def _rows(db, sql: str, params: list) -> list[dict]:
    result = await db.execute(sql, params)
    return [dict(r) for r in result.rows]


async def history_view(datasette, request):
    database = request.url_vars["database"]
    article_id = int(request.url_vars["article_id"])
    try:
        db = datasette.get_database(database)
    except KeyError:
        raise NotFound(f"Database not found: {database}")
    await datasette.ensure_permissions(request.actor, [
        ("view-table", (database, "versions")), ("view-database", database), "view-instance"])
    articles = await _rows(db, "SELECT id, url, source, title, published_at, authors, version, first_seen, "
                               "last_checked, last_changed FROM articles WHERE id = ?", [article_id])
    if not articles:
        raise NotFound(f"No article {article_id}")
    article = articles[0]
    versions = await _rows(db, "SELECT * FROM versions WHERE article_id = ? ORDER BY version", [article_id])
    images: dict[int, list[dict]] = {}
    for image in await _rows(db, "SELECT i.* FROM images i JOIN versions v ON v.id = i.version_id "
                                 "WHERE v.article_id = ? ORDER BY i.version_id, i.position", [article_id]):
        images.setdefault(image["version_id"], []).append(image)
    if request.url_vars.get("format") == ".json":
        views = history.build_history(versions, images, context=None)
        return Response.json({"database": database, "article": article,
                              "versions": [v.to_dict() for v in views]})
    views = history.build_history(versions, images)
    return Response.html(await datasette.render_template("scraper_history.html", {
        "database": database, "article": article, "article_url": history.safe_url(article["url"]),
        "authors": history.json_list(article["authors"]),
        "versions": views, "newest_first": list(reversed(views)),
        "json_url": history_path(datasette, database, article_id) + ".json",
        "table_url": datasette.urls.table(database, "articles"),
    }, request=request))


@hookimpl
def register_routes():
    return [(HISTORY_ROUTE, history_view)]


def render_atom(datasette, request, columns, rows, database, query_name, data):
    title = "Recent changes"
    if query_name:
        query = (datasette.metadata("queries", database=database) or {}).get(query_name) or {}
        title = query.get("title", query_name) if isinstance(query, dict) else query_name
    body = feed.atom([dict(zip(columns, r)) for r in rows], title=title, self_url=request.url)
    return Response(body, content_type="application/atom+xml; charset=utf-8")


@hookimpl
def register_output_renderer(datasette):
    return {"extension": "atom", "render": render_atom,
            "can_render": lambda columns: feed.REQUIRED.issubset(columns)}
