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


def _pick_sources(config: config_mod.Config, names: tuple[str, ...]) -> list[config_mod.SourceConfig]:
    unknown = [n for n in names if config.source(n) is None]
    if unknown:
        known = ", ".join(s.name for s in config.sources) or "none configured"
        raise click.ClickException(f"unknown source {', '.join(unknown)} (known: {known})")
    return [config.source(n) for n in names] if names else list(config.sources)


class _Progress:
    """A live counter on a terminal; one plain line per URL otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.counts: dict[str, int] = {}

    def __call__(self, result: UrlResult) -> None:
        self.counts[result.outcome] = self.counts.get(result.outcome, 0) + 1
        if self.tty:
            summary = "  ".join(f"{k} {v}" for k, v in sorted(self.counts.items()))
            click.echo(f"\r{sum(self.counts.values())} fetched: {summary}   ", nl=False, err=True)
        else:
            click.echo(f"{result.url}\t{result.describe()}")

    def close(self) -> None:
        if self.tty and self.counts:
            click.echo("", err=True)


log_format_option = click.option(
    "--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="Log lines for people (text) or machines (json), on stderr.")


@cli.command()
@click.argument("sources", nargs=-1)
@config_option
@db_option
@log_format_option
def crawl(sources: tuple[str, ...], config_path: str | None, db: str | None, log_format: str) -> None:
    """Discover and fetch the configured sources once, then exit.

    SOURCES are source names from the config (default: all). Shows a progress
    counter on a terminal and one line per URL otherwise. Exits 1 if any
    fetch failed.
    """
    from . import log
    from .crawl import run_crawl

    config = load_config(config_path)
    picked = _pick_sources(config, sources)
    if not picked:
        raise click.ClickException("no [[sources]] in the config: add one, or use `scraper fetch URL`")
    log.setup(log_format, level=30)
    progress = _Progress()
    try:
        results = asyncio.run(run_crawl(config, db_path(config, db), picked, on_result=progress))
    except ScraperError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        progress.close()
    click.echo(f"crawled {len(picked)} source(s): " + ", ".join(
        f"{k} {v}" for k, v in sorted(progress.counts.items())) if progress.counts else
        f"crawled {len(picked)} source(s): nothing due")
    sys.exit(0 if all(r.ok for r in results) else 1)


@cli.command()
@config_option
@db_option
@log_format_option
@click.option("--grace", default="30s", show_default=True,
              help="How long in-flight fetches may finish after SIGINT/SIGTERM.")
@click.option("--stop-after", default=None, help="Stop by itself after this long (e.g. \"3m\"), as on SIGTERM.")
def run(config_path: str | None, db: str | None, log_format: str, grace: str, stop_after: str | None) -> None:
    """Run the archiver as a daemon: discover, fetch and revisit, forever.

    Each source is read on its schedule; each article is re-checked on the
    [revisit] ladder to catch edits. Stop it with Ctrl-C or SIGTERM: in-flight
    fetches finish within --grace and it exits 0. The work survives restarts.
    """
    from . import log
    from .schedule import Daemon

    config = load_config(config_path)
    log.setup(log_format)
    path = db_path(config, db)
    if not config.sources:
        click.echo("warning: no [[sources]] in the config; the daemon will only revisit known URLs", err=True)
    try:
        daemon = Daemon(config, path, grace=config_mod.parse_duration(grace),
                        stop_after=config_mod.parse_duration(stop_after) if stop_after else None)
        code = asyncio.run(daemon.run())
    except (ScraperError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    sys.exit(code)


@cli.command()
@config_option
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def status(config_path: str | None, db: str | None, as_json: bool) -> None:
    """Show per source: the last run, articles and versions, what is due, recent errors."""
    from dataclasses import asdict

    from .frontier import Frontier
    from .store import Archive

    config = load_config(config_path)
    path = db_path(config, db)
    if not path.exists():
        raise click.ClickException(f"no archive at {path} yet: run `scraper crawl` or `scraper fetch URL` first")
    with Archive(path) as archive:
        rows = Frontier(archive, config.revisit).status([s.name for s in config.sources])
    if as_json:
        click.echo(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2))
        return
    for row in rows:
        run = row.last_run
        last = (f"{run['started_at']} found {run['found']} new {run['new']} errors {run['errors']}"
                if run else "never")
        click.echo(f"{row.source}\n  last run:  {last}\n  archive:   {row.articles} articles, "
                   f"{row.versions} versions\n  queued:    {row.queued}, next due {row.next_due or '-'}")
        for err in row.recent_errors:
            click.echo(f"  error:     {err['requested_at']} {err['url']} {err['error']}")


@cli.command()
@config_option
@db_option
@click.option("--source", default=None, help="Only articles of this source.")
@click.option("--since", default=None, help="Only versions captured on or after this day (YYYY-MM-DD).")
def reparse(config_path: str | None, db: str | None, source: str | None, since: str | None) -> None:
    """Re-extract the stored raw HTML with the current extractor and rules.

    Where the result differs, a new version is recorded with kind "reextract"
    (not a publisher's edit). Run it after upgrading scraper or changing
    [[sites]] rules.
    """
    from .pipeline import reparse as reparse_archive
    from .store import Archive

    config = load_config(config_path)
    path = db_path(config, db)
    if not path.exists():
        raise click.ClickException(f"no archive at {path}")
    counts: dict[str, int] = {}
    with Archive(path) as archive:
        for result in reparse_archive(config, archive, source=source, since=since):
            counts[result.outcome] = counts.get(result.outcome, 0) + 1
            if result.outcome != "unchanged":
                click.echo(f"{result.url}\t{result.describe()}")
    click.echo("reparsed: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing stored"))


def _register_subcommands() -> None:
    """Commands that live beside their library code: the Datasette UI and the evaluation."""
    from .evaluation.cli import eval_command
    from .web.serve import serve_command

    cli.add_command(serve_command, "serve")
    cli.add_command(eval_command, "eval")


_register_subcommands()


def main() -> None:
    cli(prog_name="scraper")


if __name__ == "__main__":
    main()
