"""Measure the extractor on real pages with ground truth (``scraper eval``).

    dataset  load ../shared/eval-style directories: manifest, gzipped pages, truth
    scoring  the README's definitions, per page (pure functions)
    runner   run and time extractors page by page in one process
    report   aggregate into dataset scores and speed, print tables
    floors   the pinned floors that fail the eval when a score drops
    cli      the click command ``eval_command``
"""

from .dataset import Dataset, EvalPage, Truth, find_datasets

__all__ = ["Dataset", "EvalPage", "Truth", "find_datasets"]
