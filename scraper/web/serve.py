"""``scraper serve``: Datasette over the live archive, with the project's own
metadata, plugin, templates and CSS.

It runs Datasette's own ``serve`` command in this process, on the archive in
its default (mutable, not immutable) mode, so pages show what the daemon wrote
a moment ago. The SQL editor (Datasette's ``execute-sql`` permission) is
closed to anonymous readers unless ``--allow-sql`` is given; signed-in actors
(e.g. ``-- --root``) keep it. Arguments after ``--`` go to ``datasette serve``.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import click
import yaml

from . import METADATA, PLUGINS_DIR, STATIC_DIR, TEMPLATES_DIR

# Datasette settings (name -> value), as `datasette serve --setting` takes them.
SETTINGS = {
    "default_page_size": "50",
    "truncate_cells_html": "240",   # article bodies would otherwise fill the table pages
    "sql_time_limit_ms": "3000",
    "facet_time_limit_ms": "500",
    # Suggested facets try every column on every table page: about 1.5 s of each page
    # at a million versions (bench_scale). The facets in metadata.yaml and any the reader
    # adds (?_facet=column) still work.
    "suggest_facets": "off",
}
# metadata.yaml keys its database as "archive"; serve re-keys it to the served file's name.
METADATA_DATABASE = "archive"


def database_name(path: Path) -> str:
    """The name Datasette gives a database file: its stem."""
    return Path(path).stem


def metadata_for(database: str, allow_sql: bool) -> dict[str, Any]:
    """metadata.yaml with its database keyed as ``database``, and the SQL editor
    open to everyone (``allow_sql``) or only to signed-in actors."""
    data = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    data["databases"] = {database: data["databases"][METADATA_DATABASE]}
    if allow_sql:
        data.pop("allow_sql", None)
    else:
        data["allow_sql"] = {"id": "*"}
    return data


def datasette_args(db: Path, metadata_path: Path, host: str, port: int,
                   extra: tuple[str, ...] = ()) -> list[str]:
    """The ``datasette serve`` arguments for the archive ``db``."""
    args = [str(db), "--metadata", str(metadata_path), "--plugins-dir", str(PLUGINS_DIR),
            "--template-dir", str(TEMPLATES_DIR), "--static", f"scraper-web:{STATIC_DIR}",
            "--host", host, "--port", str(port)]
    for name, value in SETTINGS.items():
        args += ["--setting", name, value]
    return args + list(extra)


@click.command("serve", context_settings={"ignore_unknown_options": True})
@click.option("--db", type=click.Path(dir_okay=False), default=None,
              help="Archive file (default: [archive] db of the config, archive.db beside it).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="Config file (default: ./config.toml if present, else built-in defaults).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 makes the archive public on the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True,
              help="Port to listen on; 0 picks a free one (printed at start).")
@click.option("--allow-sql", is_flag=True,
              help="Open the SQL editor (arbitrary read-only SQL) to anonymous readers.")
@click.argument("extra", nargs=-1, type=click.UNPROCESSED)
def serve_command(db: str | None, config_path: str | None, host: str, port: int, allow_sql: bool,
                  extra: tuple[str, ...]) -> None:
    """Browse the archive in Datasette: search, article histories, canned queries, feeds.

    \b
    Pages worth knowing (for archive.db):
      /archive/articles?_search=dong+van   search in any spelling
      /archive/-/history/<id>              an article's versions and word diffs
      /archive/recent_changes.atom         subscribe to edits
    Arguments after -- go to `datasette serve`, e.g. `scraper serve -- --root`.
    """
    from datasette.cli import serve as datasette_serve

    from scraper.cli import db_path, load_config
    from scraper.errors import StoreError
    from scraper.store import Archive

    config = load_config(config_path)
    path = db_path(config, db)
    try:
        Archive(path).close()  # create it, or bring its schema up to date, before serving
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    allowed = allow_sql or config.serve.allow_sql
    with tempfile.TemporaryDirectory(prefix="scraper-serve-") as tmp:
        metadata_path = Path(tmp) / "metadata.json"
        metadata_path.write_text(json.dumps(metadata_for(database_name(path), allowed), ensure_ascii=False),
                                 encoding="utf-8")
        datasette_serve.main(args=datasette_args(path, metadata_path, host, port, extra),
                             prog_name="scraper serve", standalone_mode=False)


if __name__ == "__main__":
    serve_command()
