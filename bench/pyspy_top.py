"""Summarise a py-spy profile: the functions with the most self time, and our
own functions with the most total time.

    py-spy record --format raw -o out.raw -- .venv/bin/python bench/bench_extract.py --no-trafilatura
    .venv/bin/python bench/pyspy_top.py out.raw [--only scraper/extract]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("raw", type=Path, help="py-spy --format raw output (collapsed stacks)")
    parser.add_argument("--only", default="scraper/", help="path fragment of 'our' frames for totals")
    parser.add_argument("--within", default=None, help="count only samples whose stack has this frame text")
    parser.add_argument("-n", type=int, default=12)
    parser.add_argument("--lines", action="store_true", help="one entry per line, not per function")
    args = parser.parse_args(argv)
    self_time: Counter = Counter()
    total: Counter = Counter()
    samples = 0
    for line in args.raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit() or (args.within and args.within not in stack):
            continue
        frames = [frame if args.lines else _function(frame) for frame in stack.split(";")]
        samples += int(count)
        self_time[frames[-1]] += int(count)
        for frame in set(frames):
            if args.only in frame:
                total[frame] += int(count)
    print(f"{samples} samples" + (f" within {args.within}" if args.within else ""))
    print("self time:")
    for frame, n in self_time.most_common(args.n):
        print(f"  {n / samples:6.1%}  {frame}")
    print(f"total time, frames matching {args.only!r}:")
    for frame, n in total.most_common(args.n):
        print(f"  {n / samples:6.1%}  {frame}")
    return 0


def _function(frame: str) -> str:
    """'build (scraper/extract/precompute.py:146)' -> 'build (scraper/extract/precompute.py)'."""
    head, sep, _line = frame.rpartition(":")
    return f"{head})" if sep and frame.endswith(")") else frame


if __name__ == "__main__":
    sys.exit(main())
