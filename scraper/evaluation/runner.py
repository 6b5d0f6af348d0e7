"""Run extractors over evaluation pages, timing the extraction call alone.

Every extractor becomes a ``Candidate``: a name, a timed call on (html, url,
crawl date) and an untimed conversion of its result to a ``Prediction``. The
runner interleaves them page by page (bare lexbor parse, ours, then any
comparison) so that a noisy, shared machine slows them alike, and it warms
each one up before timing.
"""

from __future__ import annotations

import importlib
import inspect
import json
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ..errors import ScraperError
from .dataset import EvalPage
from .scoring import Stamp, parse_stamp, stamp_of

OURS = "scraper"
BARE = "lexbor parse"
TRAFILATURA = "trafilatura"
DEFAULT_EXTRACTOR = "scraper.extract:extract"


@dataclass(frozen=True)
class Prediction:
    """What one extractor found in one page, in the scorer's terms."""

    title: str | None = None
    published: Stamp | None = None
    authors: list[str] | str | None = None
    body: str | None = None
    images: list[str] = field(default_factory=list)
    error: str | None = None  # our own ExtractError: the page yields no article
    crash: str | None = None  # any other exception: a bug


@dataclass(frozen=True)
class Candidate:
    """An extractor: ``call(html, url, crawl date)`` is timed, ``convert`` of
    its result into a Prediction is not."""

    name: str
    call: Callable[[str, str, datetime | None], Any]
    convert: Callable[[Any], Prediction] = lambda _: Prediction()
    scored: bool = True  # False for the bare parse: timed, not scored

    def run(self, html: str, url: str, now: datetime | None) -> Prediction:
        return self.convert(self.call(html, url, now))


@dataclass
class PageRun:
    """One page through every candidate: seconds and predictions by name."""

    page: EvalPage
    seconds: dict[str, float] = field(default_factory=dict)
    predictions: dict[str, Prediction] = field(default_factory=dict)


# ------------------------------------------------------------- candidates


def bare_parse() -> Candidate:
    """A bare ``LexborHTMLParser(html)``: the floor for any selectolax extractor."""
    from selectolax.lexbor import LexborHTMLParser

    def call(html: str, url: str, now: datetime | None) -> LexborHTMLParser:
        return LexborHTMLParser(html)

    return Candidate(BARE, call, scored=False)


def load_callable(spec: str) -> Callable:
    """``package.module:function`` imported."""
    module_name, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module_name), attr or "extract")


def ours(spec: str = DEFAULT_EXTRACTOR, site_rules: bool = False) -> Candidate:
    """Our extractor: ``extract(html, url)`` returning an ``Article``.

    The generic engine alone is measured: where the function takes a
    ``builtin`` keyword, the built-in site rules are turned off unless
    ``site_rules``. A ``now`` keyword, where taken, receives the crawl date."""
    function = load_callable(spec)
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        parameters = {}
    fixed = {"builtin": site_rules} if "builtin" in parameters else {}

    def call(html: str, url: str, now: datetime | None) -> Any:
        extra = {**fixed, "now": now} if "now" in parameters and now else fixed
        return function(html, url, **extra)

    def convert(article: Any) -> Prediction:
        images = [getattr(img, "url", img) for img in (getattr(article, "images", None) or [])]
        return Prediction(
            title=article.title,
            published=stamp_of(article.published_at),
            authors=list(article.authors or []),
            body=article.body,
            images=[u for u in images if isinstance(u, str)],
        )

    return Candidate(OURS, call, convert)


def trafilatura_candidate() -> Candidate:
    """trafilatura's ``extract`` with metadata, as JSON, asked for the time of
    day too (``%Y-%m-%dT%H:%M:%S%z``) and bounded by the end of the crawl day."""
    try:
        import trafilatura
    except ImportError as exc:
        raise RuntimeError("trafilatura is not installed: pip install -e '.[compare]'") from exc

    def call(html: str, url: str, now: datetime | None) -> str | None:
        # The end of the crawl day: a date-only max_date would reject times later that day.
        end_of_day = (now or datetime.now()).replace(hour=23, minute=59, second=59, tzinfo=None)
        params = {"original_date": True, "extensive_search": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z",
                  "max_date": end_of_day.isoformat()}
        return trafilatura.extract(html, url=url or None, with_metadata=True, output_format="json",
                                   date_extraction_params=params)

    def convert(raw: str | None) -> Prediction:
        if not raw:
            return Prediction()
        data = json.loads(raw)
        return Prediction(
            title=data.get("title"),
            published=_trafilatura_date(data.get("date")),
            authors=data.get("author"),
            body=data.get("text"),
            images=[data["image"]] if data.get("image") else [],
        )

    return Candidate(TRAFILATURA, call, convert)


def _trafilatura_date(value: str | None) -> Stamp | None:
    """htmldate writes midnight for a date without a time: read that as a date."""
    stamp = parse_stamp(value)
    if stamp and stamp.value.hour == stamp.value.minute == stamp.value.second == 0:
        return Stamp(stamp.value, has_time=False)
    return stamp


COMPARISONS = {TRAFILATURA: trafilatura_candidate}


# ----------------------------------------------------------------- running


def _call(candidate: Candidate, page: EvalPage) -> tuple[float, Prediction]:
    now = page.truth.crawl_date
    start = time.perf_counter()
    try:
        result = candidate.call(page.html, page.url, now)
        elapsed = time.perf_counter() - start
        prediction = candidate.convert(result)
    except ScraperError as exc:
        elapsed = time.perf_counter() - start
        return elapsed, Prediction(error=f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # a crash is a finding, reported per page, not a stop
        elapsed = time.perf_counter() - start
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return elapsed, Prediction(crash=f"{type(exc).__name__}: {exc} ({where.filename}:{where.lineno})")
    return elapsed, prediction


def warm_up(candidates: list[Candidate], pages: list[EvalPage]) -> None:
    """Run every candidate over a few pages, untimed: imports, caches, JIT-free
    but lazy module state are paid for before the clock starts."""
    for page in pages:
        for candidate in candidates:
            _call(candidate, page)


def run_pages(candidates: list[Candidate], pages: Iterable[EvalPage],
              progress: Callable[[PageRun], None] | None = None) -> list[PageRun]:
    """Every page through every candidate, interleaved page by page. The
    HTML is dropped from each page once run, so a whole eval fits in memory."""
    runs = []
    for page in pages:
        result = PageRun(page)
        for candidate in candidates:
            seconds, prediction = _call(candidate, page)
            result.seconds[candidate.name] = seconds
            result.predictions[candidate.name] = prediction
        result.page = replace(page, html="")
        runs.append(result)
        if progress:
            progress(result)
    return runs
