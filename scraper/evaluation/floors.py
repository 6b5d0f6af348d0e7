"""Pinned score floors: the regression gate of ``scraper eval``.

``floors.toml`` maps dataset -> metric -> floor. The eval fails when a score
is below its floor. ``raise_floors`` moves floors up to the current scores
minus a margin and never lowers one: lowering a floor is a hand edit, made
deliberately and explained in its commit.

``TARGETS`` are the figures issue 3 asks for; they are printed beside the
floors (and written into floors.toml as comments), but never enforced.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_FLOORS = Path(__file__).with_name("floors.toml")
DEFAULT_MARGIN = 0.005

_DAY = 0.97
_MINUTE = 0.93
TARGETS: dict[str, dict[str, float]] = {
    "aeb": {"body_f1": 0.975, "body_shingle_f1": 0.972},
    "fundus_testdata": {"body_f1": 0.975, "title_exact": 0.95, "published_day": _DAY,
                        "published_minute": _MINUTE, "authors_f1": 0.92, "images_recall": 0.90},
    "readability_testpages": {"title_exact": 0.95, "published_day": _DAY, "published_minute": _MINUTE,
                              "authors_f1": 0.85},
    "trafilatura_eval": {"snippet_f1": 0.94, "title_exact": 0.92, "published_day": _DAY, "authors_f1": 0.85},
    "htmldate_eval": {"published_day": _DAY},
    "naeb": {"published_day": _DAY},
    "vi": {"published_day": _DAY, "published_minute": _MINUTE},
}

# Metrics a floor may pin (details such as precision/recall are not gated).
GATED = ("body_f1", "body_shingle_f1", "snippet_f1", "title_exact", "title_token_f1", "published_day",
         "published_minute", "authors_f1", "images_recall")


@dataclass(frozen=True)
class Failure:
    dataset: str
    metric: str
    score: float
    floor: float

    def __str__(self) -> str:
        return f"{self.dataset}.{self.metric} = {self.score:.3f} is below its floor {self.floor:.3f}"


def load(path: Path) -> dict[str, dict[str, float]]:
    """The floors in ``path``; {} when the file does not exist."""
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    floors: dict[str, dict[str, float]] = {}
    for dataset, table in data.items():
        if not isinstance(table, dict):
            raise ValueError(f"{path}: [{dataset}] must be a table of metric = floor")
        for metric, value in table.items():
            if not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ValueError(f"{path}: [{dataset}] {metric} must be a number between 0 and 1")
            floors.setdefault(dataset, {})[metric] = float(value)
    return floors


def check(floors: dict[str, dict[str, float]], scores: dict[str, dict[str, float]]) -> list[Failure]:
    """Every (dataset, metric) whose score is below its floor. Datasets or
    metrics that were not measured in this run are not checked."""
    failures = []
    for dataset, metrics in scores.items():
        for metric, floor in floors.get(dataset, {}).items():
            score = metrics.get(metric)
            if score is not None and score < floor - 1e-9:
                failures.append(Failure(dataset, metric, score, floor))
    return failures


def raise_floors(floors: dict[str, dict[str, float]], scores: dict[str, dict[str, float]],
                 margin: float = DEFAULT_MARGIN) -> dict[str, dict[str, float]]:
    """Floors moved up to score - margin (rounded down to 3 decimals) where
    that is higher; never lowered."""
    result = {dataset: dict(metrics) for dataset, metrics in floors.items()}
    for dataset, metrics in scores.items():
        for metric, score in metrics.items():
            if metric not in GATED:
                continue
            candidate = max(0.0, math.floor((score - margin) * 1000) / 1000)
            current = result.get(dataset, {}).get(metric)
            if current is None or candidate > current:
                result.setdefault(dataset, {})[metric] = candidate
    return result


HEADER = """\
# Score floors of `scraper eval` (dataset -> metric -> floor), the regression gate.
# The eval exits 1 when a score drops below its floor. `scraper eval --write-floors`
# raises floors to the current scores minus a margin and never lowers them; lowering
# one is a deliberate hand edit, explained in its commit message.
# The comment after each floor is the issue-3 target, where one is set.
"""


def dumps(floors: dict[str, dict[str, float]]) -> str:
    """floors.toml text: datasets and metrics in a stable order, targets as comments."""
    order = {metric: i for i, metric in enumerate(GATED)}
    parts = [HEADER]
    for dataset in sorted(floors):
        parts.append(f"\n[{dataset}]\n")
        for metric in sorted(floors[dataset], key=lambda m: (order.get(m, 99), m)):
            target = TARGETS.get(dataset, {}).get(metric)
            comment = f"  # target {target:.3f}" if target is not None else ""
            parts.append(f"{metric} = {floors[dataset][metric]:.3f}{comment}\n")
    return "".join(parts)


def write(path: Path, floors: dict[str, dict[str, float]]) -> None:
    path.write_text(dumps(floors), encoding="utf-8")
