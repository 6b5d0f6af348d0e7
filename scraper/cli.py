"""The ``scraper`` command: thin click wrappers over the library.

Library errors become ``click.ClickException`` messages that say what to fix.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import click

from . import __version__
from . import config as config_mod
from .errors import ConfigError, ScraperError
from .models import UrlResult

DEFAULT_CONFIG = "config.toml"


def load_config(path: str | None) -> config_mod.Config:
    """The config at ``path``; else ./config.toml if present; else the defaults."""
    try:
        if path:
            return config_mod.load(path)
        if Path(DEFAULT_CONFIG).is_file():
            return config_mod.load(DEFAULT_CONFIG)
        return config_mod.Config()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


def db_path(config: config_mod.Config, db: str | None) -> Path:
    return Path(db) if db else config.db_path


config_option = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), default=None,
    help="Config file (default: ./config.toml if present, else built-in defaults).")
db_option = click.option(
    "--db", type=click.Path(dir_okay=False), default=None,
    help="Archive file (default: [archive] db of the config, archive.db beside it).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="scraper")
def cli() -> None:
    """Archive news articles, and every later edit, into one SQLite file.

    \b
    Quick start:
      scraper fetch https://example.com/article.html   archive one article
      scraper run                                       watch the sources in config.toml
      scraper serve                                     browse the archive in Datasette
    """


def _print_result(result: UrlResult, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        click.echo(f"{result.url}\t{result.describe()}")


@cli.command()
@click.argument("urls", nargs=-1, required=True)
@config_option
@db_option
@click.option("--source", default=None, help="Source name to file the articles under.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per URL.")
def fetch(urls: tuple[str, ...], config_path: str | None, db: str | None, source: str | None,
          as_json: bool) -> None:
    """Fetch article URLs once, extract them and store them in the archive.

    Prints one line per URL: new, changed → vN (fields), unchanged, or
    failed: reason. Exits 0 when every URL was archived or unchanged, else 1.
    """
    from .pipeline import run_fetch

    config = load_config(config_path)
    try:
        results = asyncio.run(run_fetch(config, db_path(config, db), list(urls), source=source,
                                        on_result=lambda r: _print_result(r, as_json)))
    except ScraperError as exc:
        raise click.ClickException(str(exc)) from exc
    sys.exit(0 if all(r.ok for r in results) else 1)


@cli.command("extract")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--url", default=None, help="The page's URL, to resolve relative links and pick site rules.")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print the Article as JSON.")
def extract_command(file: str, url: str | None, config_path: str | None, as_json: bool) -> None:
    """Show what the extractor finds in a saved page, without fetching or storing."""
    from .extract import extract

    config = load_config(config_path)
    data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    try:
        article = extract(data, url, rules=config.sites or None)
    except ScraperError as exc:
        raise click.ClickException(f"{file}: {exc}") from exc
    if as_json:
        click.echo(json.dumps(article.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"title:        {article.title}")
    click.echo(f"published_at: {article.published_at.isoformat() if article.published_at else None}")
    click.echo(f"modified_at:  {article.modified_at.isoformat() if article.modified_at else None}")
    click.echo(f"authors:      {', '.join(article.authors) or '-'}")
    click.echo(f"language:     {article.language}")
    click.echo(f"canonical:    {article.canonical_url}")
    for i, image in enumerate(article.images):
        click.echo(f"image {i}:      {image.url}  caption={image.caption!r} credit={image.credit!r}")
    click.echo("")
    click.echo(article.body)


def main() -> None:
    cli(prog_name="scraper")


if __name__ == "__main__":
    main()
