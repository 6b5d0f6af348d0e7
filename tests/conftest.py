"""Shared fixtures: fixture paths, a live fixture site, a test config, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile_server import hostile  # noqa: F401  (the misbehaving-server fixture, for every test)
from tests.sites import SiteServer, serve_copy

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = FIXTURES / "pages"
SITE = FIXTURES / "site"
REPO = Path(__file__).parent.parent


@pytest.fixture
def site(tmp_path: Path):
    """A live fixture news site: tests/fixtures/site (feed, sitemaps, sections) at /,
    and the article pages of tests/fixtures/pages under /pages/. Writable: a test
    edits an article with ``site.put(path, html)``."""
    server = serve_copy({"/": SITE, "/pages": PAGES}, tmp_path / "site")
    yield server
    server.stop()


@pytest.fixture
def test_config(tmp_path: Path) -> Path:
    """A config that allows 127.0.0.1 and does not wait between requests."""
    path = tmp_path / "config.toml"
    path.write_text(
        "[fetch]\nallow_private_addresses = true\nhost_delay = \"0s\"\ntimeout = \"10s\"\n",
        encoding="utf-8")
    return path


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 60,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the real ``scraper`` CLI in a subprocess, as a user does."""
    return subprocess.run(
        [sys.executable, "-m", "scraper.cli", *args], cwd=cwd or REPO, capture_output=True,
        text=True, timeout=timeout, env={**os.environ, "PYTHONUTF8": "1", **(env or {})})


@pytest.fixture
def cli():
    return run_cli


__all__ = ["SiteServer", "FIXTURES", "PAGES", "REPO", "run_cli"]
