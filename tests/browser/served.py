"""A fixture archive built through the real CLI, served by the real ``scraper serve``.

``build_archive`` starts the fixture site (tests/fixtures/web), runs
``scraper fetch`` on its pages, edits one page and fetches it again (version 2),
and fetches one missing page (a fetch error). ``Served`` runs ``scraper serve
--port 0`` in a subprocess and reads the port it reports. Used by
tests/test_web.py and tests/browser/.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import FIXTURES, REPO, run_cli
from tests.sites import serve_copy

WEB_PAGES = FIXTURES / "web"
SOURCE = "caonguyen"
MAIN = "tin/dong-van-mua-hoa.html"
PAGES = {"dong_van": MAIN, "meo_vac": "tin/meo-vac-cho-tinh.html", "dong_thap": "tin/dong-thap-lua.html",
         "hostile": "tin/canh-bao-lua-dao.html", "brief": "tin/lich-cat-dien.html"}
# The publisher's edit that makes version 2 of the main article.
EDITS = (("nở rộ", "khoe sắc"), ("đón hàng nghìn du khách", "đón hơn mười nghìn du khách"))


@dataclass
class FixtureArchive:
    db: Path
    urls: dict[str, str]  # PAGES key -> URL the article was archived under


def write_config(path: Path) -> Path:
    path.write_text("[fetch]\nallow_private_addresses = true\nhost_delay = \"0s\"\ntimeout = \"10s\"\n",
                    encoding="utf-8")
    return path


def build_archive(tmp: Path) -> FixtureArchive:
    """Archive the fixture pages with ``scraper fetch``, then an edit as version 2."""
    site = serve_copy({"/": WEB_PAGES}, tmp / "site")
    try:
        config, db = write_config(tmp / "config.toml"), tmp / "archive.db"
        urls = {key: site.url(path) for key, path in PAGES.items()}
        common = ("--config", str(config), "--db", str(db), "--source", SOURCE)
        first = run_cli("fetch", *urls.values(), *common)
        assert first.returncode == 0, first.stdout + first.stderr
        html = (WEB_PAGES / MAIN).read_text(encoding="utf-8")
        for old, new in EDITS:
            assert old in html
            html = html.replace(old, new)
        site.put(MAIN, html)
        second = run_cli("fetch", urls["dong_van"], *common)
        assert "changed → v2 (title, body)" in second.stdout, second.stdout + second.stderr
        missing = run_cli("fetch", site.url("tin/khong-co.html"), *common)
        assert missing.returncode == 1, missing.stdout + missing.stderr
        return FixtureArchive(db, urls)
    finally:
        site.stop()


class Served:
    """``scraper serve [--db DB] --port 0 [args]`` in a subprocess, until ``stop``."""

    def __init__(self, db: Path | None, *args: str, log: Path) -> None:
        self.log = log
        self._out = open(log, "wb")
        where = ("--db", str(db)) if db is not None else ()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "scraper.cli", "serve", *where, "--port", "0", *args],
            cwd=REPO, stdout=self._out, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUTF8": "1"})
        self.base = self._wait_for_port()
        self.client = httpx.Client(base_url=self.base, timeout=30)

    def _wait_for_port(self, deadline: float = 60) -> str:
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            text = self.log.read_text(encoding="utf-8", errors="replace")
            found = re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", text)
            if found:
                return found.group(1)
            if self.proc.poll() is not None:
                raise AssertionError(f"scraper serve exited with {self.proc.returncode}:\n{text}")
            time.sleep(0.1)
        self.stop()
        raise AssertionError(f"scraper serve did not start:\n{self.log.read_text(errors='replace')}")

    def get(self, path: str, **params) -> httpx.Response:
        return self.client.get(path, params=params or None)

    def json(self, path: str, **params):
        response = self.get(path, **params)
        assert response.status_code == 200, (path, response.status_code, response.text[:2000])
        assert response.headers["content-type"].startswith("application/json")
        return response.json()

    def stop(self) -> None:
        if getattr(self, "client", None):
            self.client.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._out.close()
