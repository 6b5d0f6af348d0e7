"""Turn page runs into dataset scores and speed figures, and print them.

A metric is named ``<field>`` (``body_f1``, ``title_exact``…); its value is
the dataset figure and ``n`` the number of annotated pages it covers. Pages
not annotated for a field are left out of that field; a page the extractor
failed on counts as a wrong answer wherever it is annotated.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from .runner import BARE, OURS, PageRun, Prediction
from .scoring import (
    Overlap,
    SnippetCounts,
    aggregate_body,
    authors_f1,
    body_overlap,
    day_correct,
    image_recall,
    minute_correct,
    snippet_counts,
    title_exact,
    token_f1,
)

# (metric, label) in table order; the indented ones are details, never floors.
METRICS = [
    ("body_f1", "body F1 (bag of words)"),
    ("body_precision", "  precision"),
    ("body_recall", "  recall"),
    ("body_shingle_f1", "body F1 (4-gram shingles)"),
    ("snippet_f1", "body snippet F1"),
    ("snippet_precision", "  precision"),
    ("snippet_recall", "  recall"),
    ("title_exact", "title, normalised exact"),
    ("title_token_f1", "title token F1"),
    ("published_day", "published, day accuracy"),
    ("published_minute", "published, minute accuracy"),
    ("authors_f1", "authors set F1"),
    ("images_recall", "image recall"),
]
LABELS = dict(METRICS)


@dataclass(frozen=True)
class Metric:
    value: float
    n: int


@dataclass
class Scores:
    """One extractor's figures on one dataset, plus the pages that went wrong."""

    metrics: dict[str, Metric] = field(default_factory=dict)
    per_page: dict[str, dict[str, float]] = field(default_factory=dict)  # metric -> page id -> score
    errors: list[tuple[str, str]] = field(default_factory=list)  # (page id, our ExtractError)
    crashes: list[tuple[str, str]] = field(default_factory=list)  # (page id, other exception)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def score(runs: list[PageRun], name: str) -> Scores:
    """The figures of extractor ``name`` over ``runs`` (one dataset)."""
    result = Scores()
    page_scores: dict[str, dict[str, float]] = {}
    words: list[Overlap] = []
    shingled: list[Overlap] = []
    snippets = SnippetCounts()
    n_snippet_pages = 0

    def put(metric: str, page_id: str, value: float) -> None:
        page_scores.setdefault(metric, {})[page_id] = value

    for run in runs:
        page, truth = run.page, run.page.truth
        pred = run.predictions.get(name) or Prediction()
        if pred.error:
            result.errors.append((page.id, pred.error))
        if pred.crash:
            result.crashes.append((page.id, pred.crash))
        if truth.body:
            words.append(body_overlap(truth.body, pred.body, 1))
            shingled.append(body_overlap(truth.body, pred.body, 4))
            tp = words[-1].tp  # normalised, so the page's F1 is 2tp / (2tp + fp + fn) = 2tp / (1 + tp)
            put("body_f1", page.id, 2 * tp / (1 + tp))
        if truth.body_with is not None or truth.body_without is not None:
            counts = snippet_counts(pred.body, truth.body_with or [], truth.body_without or [])
            snippets += counts
            n_snippet_pages += 1
            put("snippet_f1", page.id, counts.f1)
        if truth.title:
            put("title_exact", page.id, float(title_exact(truth.title, pred.title)))
            put("title_token_f1", page.id, token_f1(truth.title, pred.title))
        if truth.published:
            put("published_day", page.id, float(day_correct(truth.published, pred.published)))
            if truth.published.has_time:
                put("published_minute", page.id, float(minute_correct(truth.published, pred.published)))
        if truth.authors is not None:
            put("authors_f1", page.id, authors_f1(truth.authors, pred.authors))
        if truth.images:
            recall = image_recall(truth.images, truth.images_variants, pred.images, page.url)
            if recall is not None:
                put("images_recall", page.id, recall)

    if words:
        prf, shingle_prf = aggregate_body(words), aggregate_body(shingled)
        result.metrics["body_f1"] = Metric(prf.f1, len(words))
        result.metrics["body_precision"] = Metric(prf.precision, len(words))
        result.metrics["body_recall"] = Metric(prf.recall, len(words))
        result.metrics["body_shingle_f1"] = Metric(shingle_prf.f1, len(shingled))
    if n_snippet_pages:
        result.metrics["snippet_f1"] = Metric(snippets.f1, n_snippet_pages)
        result.metrics["snippet_precision"] = Metric(snippets.precision, n_snippet_pages)
        result.metrics["snippet_recall"] = Metric(snippets.recall, n_snippet_pages)
    for metric in ("title_exact", "title_token_f1", "published_day", "published_minute", "authors_f1",
                   "images_recall"):
        values = page_scores.get(metric)
        if values:
            result.metrics[metric] = Metric(_mean(list(values.values())), len(values))
    result.per_page = page_scores
    return result


# -------------------------------------------------------------------- speed


@dataclass(frozen=True)
class Speed:
    """Throughput of one extractor over a set of pages."""

    pages: int
    megabytes: float
    seconds: float
    p50_ms: float
    p95_ms: float
    max_ms: float
    slowest: str

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    @property
    def mb_per_s(self) -> float:
        return self.megabytes / self.seconds if self.seconds else 0.0


def _percentile(sorted_values: list[float], q: float) -> float:
    if len(sorted_values) == 1:
        return sorted_values[0]
    return statistics.quantiles(sorted_values, n=100, method="inclusive")[int(q) - 1]


def speed(runs: list[PageRun], name: str) -> Speed | None:
    timed = [(r.seconds[name], r.page) for r in runs if name in r.seconds]
    if not timed:
        return None
    times = sorted(t for t, _ in timed)
    slowest_time, slowest_page = max(timed, key=lambda item: item[0])
    return Speed(
        pages=len(timed),
        megabytes=sum(p.size for _, p in timed) / 1e6,
        seconds=sum(times),
        p50_ms=_percentile(times, 50) * 1000,
        p95_ms=_percentile(times, 95) * 1000,
        max_ms=slowest_time * 1000,
        slowest=f"{slowest_page.dataset}/{slowest_page.id}",
    )


# ----------------------------------------------------------------- printing


def fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def score_table(dataset: str, pages: int, scores: dict[str, Scores], floors: dict[str, float],
                targets: dict[str, float]) -> str:
    """One dataset's table: a row per field, a column per extractor."""
    names = list(scores)
    header = ["field", "n", *names, "floor", "target"]
    rows = []
    for metric, label in METRICS:
        present = [scores[n].metrics.get(metric) for n in names]
        if not any(present):
            continue
        n = next(m.n for m in present if m)
        rows.append([label, str(n), *(fmt(m.value if m else None) for m in present),
                     fmt(floors.get(metric)), fmt(targets.get(metric))])
    return f"== {dataset} ({pages} pages)\n" + _grid(header, rows)


def speed_table(title: str, speeds: dict[str, Speed]) -> str:
    """Speed of each extractor, with ratios against the bare parse and ours."""
    bare, mine = speeds.get(BARE), speeds.get(OURS)
    header = ["extractor", "pages/s", "MB/s", "p50 ms", "p95 ms", "max ms", "time ÷ bare parse",
              "time ÷ ours", "slowest page"]
    rows = []
    for name, s in speeds.items():
        vs_bare = f"{s.seconds / bare.seconds:.2f}×" if bare and bare.seconds else "—"
        vs_ours = f"{s.seconds / mine.seconds:.2f}×" if mine and mine.seconds else "—"
        rows.append([name, f"{s.pages_per_s:.1f}", f"{s.mb_per_s:.2f}", f"{s.p50_ms:.1f}", f"{s.p95_ms:.1f}",
                     f"{s.max_ms:.0f}", vs_bare, vs_ours, s.slowest])
    first = next(iter(speeds.values()))
    return f"== speed: {title} ({first.pages} pages, {first.megabytes:.1f} MB)\n" + _grid(header, rows)


_LEFT = {"slowest page"}


def _grid(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for i, row in enumerate([header, *rows]):
        cells = [str(c).ljust(w) if j == 0 or header[j] in _LEFT else str(c).rjust(w)
                 for j, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
