"""Load evaluation datasets: pages with the values a person annotated.

A dataset directory holds ``manifest.json`` (name and ``pages``: id,
encoding, bytes), ``<id>.html.gz`` (the raw page, gzipped) and ``<id>.json``
(the ground truth; null means "not annotated"). A parent directory of such
directories stands for all of them. See ``../shared/eval/README.md``.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .scoring import Stamp, parse_stamp

ENV_DIR = "SCRAPER_EVAL_DIR"


@dataclass(frozen=True)
class Truth:
    """The annotation of one page. None means the field is not annotated."""

    url: str | None = None
    title: str | None = None
    authors: list[str] | None = None
    published: Stamp | None = None
    body: str | None = None
    body_with: list[str] | None = None
    body_without: list[str] | None = None
    images: list[str] | None = None
    images_variants: list[list[str]] | None = None
    crawl_date: datetime | None = None

    @classmethod
    def from_json(cls, data: dict) -> Truth:
        has_time = data.get("published_has_time")
        crawl = parse_stamp(data.get("crawl_date"))
        return cls(
            url=data.get("url"),
            title=data.get("title") or None,
            authors=data.get("authors"),
            published=parse_stamp(data.get("published"), has_time if isinstance(has_time, bool) else None),
            body=data.get("body") or None,
            body_with=data.get("body_with"),
            body_without=data.get("body_without"),
            images=data.get("images"),
            images_variants=data.get("images_variants"),
            crawl_date=crawl.value if crawl else None,
        )


@dataclass(frozen=True)
class EvalPage:
    """One page to extract: the decoded HTML, its size as served, and the truth."""

    dataset: str
    id: str
    url: str
    html: str
    size: int
    truth: Truth


@dataclass(frozen=True)
class Dataset:
    """A dataset directory and its manifest entries."""

    name: str
    path: Path
    entries: list[dict] = field(default_factory=list)

    def pages(self, limit: int | None = None) -> Iterator[EvalPage]:
        """The pages in manifest order, at most ``limit`` of them."""
        entries = self.entries if limit is None else self.entries[:limit]
        for entry in entries:
            yield self.load(entry)

    def load(self, entry: dict) -> EvalPage:
        page_id = str(entry["id"])
        raw = gzip.decompress((self.path / f"{page_id}.html.gz").read_bytes())
        encoding = entry.get("encoding") or "utf-8"
        try:
            text = raw.decode(encoding, errors="replace")
        except LookupError:
            text = raw.decode("utf-8", errors="replace")
        data = json.loads((self.path / f"{page_id}.json").read_text(encoding="utf-8"))
        truth = Truth.from_json(data)
        return EvalPage(self.name, page_id, truth.url or "", text, len(raw), truth)


def open_dataset(path: Path) -> Dataset:
    """The dataset in ``path`` (a directory holding manifest.json)."""
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    name = manifest.get("dataset") or path.name
    return Dataset(str(name), path, list(manifest.get("pages") or []))


def find_datasets(dirs: list[Path]) -> list[Dataset]:
    """Every dataset in ``dirs``: each is a dataset or a parent of datasets."""
    found: list[Dataset] = []
    for directory in dirs:
        if (directory / "manifest.json").is_file():
            found.append(open_dataset(directory))
            continue
        if not directory.is_dir():
            raise FileNotFoundError(f"{directory}: no such directory")
        children = sorted(p for p in directory.iterdir() if (p / "manifest.json").is_file())
        if not children:
            raise FileNotFoundError(f"{directory}: no dataset (no */manifest.json) found here")
        found.extend(open_dataset(child) for child in children)
    return found


def default_eval_dir() -> Path | None:
    """$SCRAPER_EVAL_DIR, else ../shared/eval beside the repository holding this
    package, else ../shared/eval relative to the working directory."""
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[2]
    for candidate in (repo.parent / "shared" / "eval", Path.cwd().parent / "shared" / "eval",
                      Path.cwd() / "shared" / "eval"):
        if candidate.is_dir():
            return candidate
    return None
