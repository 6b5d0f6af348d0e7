"""Decode and extract pages off the event loop, in worker processes.

Parsing is pure CPU and holds the GIL, so while the event loop extracts one
page no other fetch makes progress and a second core sits idle. ``Extractor``
hands each page to one of a few worker processes instead (``[fetch]
extract_processes``, default 1); with 0 it extracts in the calling process,
as ``scraper fetch`` and the engine's own tests do.

Each worker is a plain process with a pipe: the page goes in, an Article (or
our error as a class name and message) comes out. A worker that dies (a
crash in the parser, the out-of-memory killer) or runs past ``deadline`` is
killed and costs that page only: the page fails with an ``ExtractError``
naming the cause and the next page gets a fresh worker. (concurrent.futures'
pool was tried first: a worker killed while it sends a large result leaves
its manager thread blocked for ever.)
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from .charset import decode_html
from .config import SiteRule
from .errors import ExtractError, NoArticle, ScraperError
from .extract import extract
from .models import Article
from .store import compress

DEADLINE = 60.0  # seconds; the engine takes well under 1 s on any page we have seen


@dataclass(frozen=True)
class Extracted:
    article: Article
    packed: bytes | None = None  # the raw page as the archive stores it (compressed), when a worker made it


def decode_and_extract(content: bytes, content_type: str | None, url: str,
                       rules: Sequence[SiteRule] | None, offset: str | None) -> Article:
    """The work itself, the same in a worker and in process."""
    return extract(decode_html(content, content_type), url, rules=rules or None, offset=offset)


def _extract_and_pack(content: bytes, content_type: str | None, url: str,
                      rules: Sequence[SiteRule] | None, offset: str | None) -> Extracted:
    """In a worker, compressing the page for the archive is CPU the event loop is spared too."""
    return Extracted(decode_and_extract(content, content_type, url, rules, offset), compress(content))


def _serve(conn: Connection, parent: int) -> None:
    """A worker's life: pages in, results out, until the pipe closes.
    Ctrl-C and SIGTERM are the parent's to handle (it drains, then closes
    the pipe); a watcher exits if the parent is killed, so no orphan stays."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(parent,), name="parent-watch", daemon=True).start()
    while True:
        try:
            args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[str, Any] = ("ok", _extract_and_pack(*args))
        except ScraperError as exc:
            reply = (type(exc).__name__, str(exc))
        conn.send(reply)


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


class _Worker:
    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")  # not fork: the parent has a loop, sockets, SQLite
        self.conn, theirs = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(theirs, os.getpid()), name="scraper-extract", daemon=True)
        self.process.start()
        theirs.close()  # so that our recv() sees EOF when the worker dies

    def call(self, args: tuple) -> tuple[str, Any]:
        """Blocking; run in a thread."""
        self.conn.send(args)
        return self.conn.recv()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(2)
        self.conn.close()

    def stop(self) -> None:
        self.conn.close()  # the worker's recv() ends: it exits
        self.process.join(2)
        if self.process.is_alive():
            self.kill()


class Extractor:
    """``await extractor.extract(...)`` -> Extracted, in a worker process when it has any."""

    def __init__(self, processes: int = 0, deadline: float = DEADLINE) -> None:
        self.processes = max(0, processes)
        self.deadline = deadline
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._free: asyncio.Semaphore | None = None

    async def extract(self, content: bytes, content_type: str | None, url: str,
                      rules: Sequence[SiteRule] | None = None, offset: str | None = None) -> Extracted:
        if self.processes == 0:
            return Extracted(decode_and_extract(content, content_type, url, rules, offset))
        if self._free is None:
            self._free = asyncio.Semaphore(self.processes)
        async with self._free:
            kind, value = await self._run((content, content_type, url, list(rules or ()), offset))
        if kind == "ok":
            return value
        raise (NoArticle if kind == "NoArticle" else ExtractError)(value)

    async def _run(self, args: tuple) -> tuple[str, Any]:
        worker = self._take()
        self._busy.add(worker)
        try:
            result = await asyncio.wait_for(asyncio.to_thread(worker.call, args), self.deadline)
        except TimeoutError:
            self._discard(worker)
            raise ExtractError(f"extraction took over {self.deadline:g} s; the worker was stopped") from None
        except (EOFError, OSError):
            self._discard(worker)
            raise ExtractError("the extraction worker died on this page (crash or out of memory)") from None
        except BaseException:  # cancelled mid-page: the worker's answer would be read by the next page
            self._discard(worker)
            raise
        self._busy.discard(worker)
        self._idle.append(worker)
        return result

    def _take(self) -> _Worker:
        """An idle worker that is still alive (one killed between pages is
        replaced silently: no page was lost), else a new one."""
        while self._idle:
            worker = self._idle.pop()
            if worker.process.is_alive():
                return worker
            worker.kill()
        return _Worker()

    def _discard(self, worker: _Worker) -> None:
        self._busy.discard(worker)
        worker.kill()

    def worker_pids(self) -> list[int]:
        """The live workers' process ids (for status and for tests)."""
        return [w.process.pid for w in (*self._idle, *self._busy) if w.process.pid and w.process.is_alive()]

    def close(self) -> None:
        for worker in self._idle:
            worker.stop()
        for worker in self._busy:
            worker.kill()
        self._idle, self._busy = [], set()

    def __enter__(self) -> Extractor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
