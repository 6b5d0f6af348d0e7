"""Extraction in worker processes: the same result as in process, and a
worker that dies or hangs costs one page, never the caller."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import pytest

from scraper.errors import ExtractError, NoArticle
from scraper.store import decompress
from scraper.workers import Extractor, decode_and_extract

PAGES = Path(__file__).parent / "fixtures" / "pages"
URL = "https://baohagiang.vn/xa-hoi/201712/dong-van-don-khach.html"


def seed_page() -> bytes:
    return next(iter(sorted(PAGES.glob("*/*.html")))).read_bytes()


def slow_page() -> bytes:
    """Seconds of honest work for the engine: many long paragraphs."""
    para = "<p>" + "Một đoạn văn dài về Đồng Văn và Mèo Vạc, với đủ chữ để chấm điểm. " * 40 + "</p>"
    return ("<html><body><article><h1>Trang chậm</h1>" + para * 4000 + "</article></body></html>").encode()


def test_a_worker_extracts_what_the_main_process_extracts() -> None:
    raw = seed_page()

    async def both():
        with Extractor(1) as workers:
            return await workers.extract(raw, "text/html; charset=utf-8", URL)

    extracted = asyncio.run(both())
    assert extracted.article == decode_and_extract(raw, "text/html; charset=utf-8", URL, None, None)
    assert decompress(extracted.packed) == raw  # compressed for the archive in the worker too


def test_our_errors_come_back_from_the_worker_as_themselves() -> None:
    async def empty():
        with Extractor(1) as workers:
            await workers.extract(b"<html><body></body></html>", "text/html", URL)

    with pytest.raises(NoArticle, match="no title and no body"):
        asyncio.run(empty())


def test_a_worker_killed_mid_page_fails_that_page_and_the_next_page_works() -> None:
    raw = seed_page()

    async def scenario():
        with Extractor(1) as workers:
            await workers.extract(raw, "text/html", URL)  # the pool is up
            [pid] = workers.worker_pids()
            slow = asyncio.ensure_future(workers.extract(slow_page(), "text/html", URL))
            await asyncio.sleep(0.05)  # sent, and far from done (the page takes ~0.3 s)
            os.kill(pid, signal.SIGKILL)
            with pytest.raises(ExtractError, match="worker died"):
                await slow
            after = await workers.extract(raw, "text/html", URL)
            return pid, workers.worker_pids(), after

    pid, pids_after, after = asyncio.run(scenario())
    assert after.article.title
    assert pids_after and pid not in pids_after


def test_a_worker_killed_between_pages_costs_nothing() -> None:
    raw = seed_page()

    async def scenario():
        with Extractor(1) as workers:
            await workers.extract(raw, "text/html", URL)
            os.kill(workers.worker_pids()[0], signal.SIGKILL)
            await asyncio.sleep(0.5)  # the pool notices it is broken
            return await workers.extract(raw, "text/html", URL)

    assert asyncio.run(scenario()).article.title


def test_a_page_past_the_deadline_is_stopped_and_the_worker_replaced() -> None:
    raw = seed_page()

    async def scenario():
        with Extractor(1) as workers:
            await workers.extract(raw, "text/html", URL)  # the worker is up (its start is not timed)
            [pid] = workers.worker_pids()
            workers.deadline = 0.02  # the slow page takes ~0.3 s
            started = time.monotonic()
            with pytest.raises(ExtractError, match="took over 0.02 s"):
                await workers.extract(slow_page(), "text/html", URL)
            waited = time.monotonic() - started
            workers.deadline = 60.0
            after = await workers.extract(raw, "text/html", URL)
            return pid, waited, after

    pid, waited, after = asyncio.run(scenario())
    assert waited < 5.0  # the caller was not held for the whole page
    assert after.article.title
    time.sleep(0.2)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the hung worker is gone, not left running
