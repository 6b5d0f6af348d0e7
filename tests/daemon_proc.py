"""A real ``scraper run`` subprocess whose JSON log lines are collected as they come."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import REPO


class DaemonProcess:
    """``scraper run --log-format json`` on ``db``; ``events`` fills in the background."""

    def __init__(self, config: Path, db: Path, *extra: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "scraper.cli", "run", "--config", str(config), "--db", str(db),
             "--log-format", "json", *extra],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUTF8": "1"})
        self.events: list[dict] = []
        self.other: list[str] = []  # stderr lines that are not JSON events (tracebacks)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _read(self) -> None:
        for line in self.proc.stderr:
            try:
                self.events.append(json.loads(line))
            except ValueError:
                self.other.append(line)

    def named(self, name: str) -> list[dict]:
        return [e for e in list(self.events) if e.get("event") == name]

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._reader.join(timeout=10)

    def stop(self, timeout: float = 60) -> int:
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=timeout)
        self._reader.join(timeout=10)
        return self.proc.returncode


def query(db: Path, sql: str, *args):
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute(sql, args).fetchall()


def scalar(db: Path, sql: str, *args):
    try:
        return query(db, sql, *args)[0][0]
    except sqlite3.OperationalError:  # the daemon has not created the tables yet
        return 0


def wait_for(predicate, timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached in {timeout:g} s")
        time.sleep(0.05)


def daemon_config(tmp_path: Path, site, every: str = "1h", extra: str = "") -> Path:
    """A daemon config for the busy site's feed; ``extra`` is appended TOML."""
    path = tmp_path / "daemon.toml"
    path.write_text(f"""
[fetch]
allow_private_addresses = true
host_delay = "0s"
max_in_flight = 4
[revisit]
ladder = ["1h"]
[[sources]]
name = "busy"
every = "{every}"
jitter = "0s"
feeds = ["{site.url('busy.xml')}"]
{extra}""", encoding="utf-8")
    return path
