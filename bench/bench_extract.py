"""Extraction benchmark (issue 7, part 1): how fast is ``scraper.extract.extract``?

Workload: every page of every dataset under ../shared/eval (or the DIRs given),
decoded once, then run page by page through a bare ``LexborHTMLParser(html)``
(our physical floor), our extractor and trafilatura (``extract`` with
metadata, JSON output) in this one process, after a warm-up. Only the call
itself is timed. Figures are ratios against references measured in the same
run, because the machine is shared and noisy. A benchmark prints; it never fails
on timing.

    .venv/bin/python bench/bench_extract.py [DIR...] [--no-trafilatura] [--limit N] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from scraper.evaluation.dataset import default_eval_dir, find_datasets
from scraper.evaluation.report import Speed, speed
from scraper.evaluation.runner import (BARE, OURS, TRAFILATURA, PageRun, bare_parse, ours, run_pages,
                                       trafilatura_candidate, warm_up)

TARGET_VS_TRAFILATURA = 10.0  # ours at least 10× faster
TARGET_VS_BARE = 3.0  # ours at most 3× the bare parse time
SLOWEST = 5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", nargs="*", type=Path, help="datasets or directories of datasets")
    parser.add_argument("--no-trafilatura", action="store_true", help="skip the trafilatura reference")
    parser.add_argument("--limit", type=int, default=None, help="first N pages of each dataset")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    dirs = args.dirs or [default_eval_dir()]
    if not dirs[0]:
        parser.error("no eval data: pass DIR or set SCRAPER_EVAL_DIR")
    datasets = find_datasets(dirs)
    candidates = [bare_parse(), ours()]
    if not args.no_trafilatura:
        try:
            candidates.append(trafilatura_candidate())
        except RuntimeError as exc:
            print(f"trafilatura reference skipped: {exc}", file=sys.stderr)

    warm_up(candidates, list(datasets[0].pages(3)))
    started = time.perf_counter()
    runs: list[PageRun] = []
    for dataset in datasets:
        runs += run_pages(candidates, dataset.pages(args.limit))
        print(f"  {dataset.name}: {len(runs)} pages so far", file=sys.stderr)
    wall = time.perf_counter() - started
    speeds = {c.name: s for c in candidates if (s := speed(runs, c.name))}
    crashes = [r.page.id for r in runs if r.predictions[OURS].crash]

    if args.json:
        print(json.dumps(_as_json(speeds, runs, len(datasets)), indent=1))
    else:
        print(_report(speeds, runs, len(datasets), dirs, wall, crashes))
    return 0


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")


def _report(speeds: dict[str, Speed], runs: list[PageRun], n_sets: int, dirs: list[Path], wall: float,
            crashes: list[str]) -> str:
    mine, bare, traf = speeds[OURS], speeds[BARE], speeds.get(TRAFILATURA)
    lines = [
        "== extraction benchmark",
        f"workload: {mine.pages} pages from {n_sets} datasets ({', '.join(map(str, dirs))}), "
        f"{mine.megabytes:.1f} MB as served; one process; warm-up first; extractors interleaved page by page; "
        f"{wall:.0f} s wall",
        "",
        f"{'figure':<22}{'bare parse':>12}{'ours':>12}{'trafilatura':>13}",
    ]

    def row(label: str, get, digits: int = 1) -> str:
        values = [get(bare), get(mine), get(traf) if traf else None]
        return f"{label:<22}" + "".join(f"{'—' if v is None else format(v, f'.{digits}f'):>{w}}"
                                       for v, w in zip(values, (12, 12, 13)))

    lines += [
        row("pages/s", lambda s: s.pages_per_s),
        row("MB/s", lambda s: s.mb_per_s, 2),
        row("total s", lambda s: s.seconds, 3),
        row("p50 ms/page", lambda s: s.p50_ms, 2),
        row("p95 ms/page", lambda s: s.p95_ms, 2),
        row("max ms/page", lambda s: s.max_ms, 1),
        "",
        f"{'comparison':<24}{'reference':>16}{'ours':>16}{'ratio':>9}   target",
    ]
    vs_bare = _ratio(mine.seconds, bare.seconds)
    lines.append(f"{'time vs bare parse':<24}{bare.seconds:>14.3f} s{mine.seconds:>14.3f} s{vs_bare:>8.2f}×"
                 f"   ≤ {TARGET_VS_BARE:.0f}×  {'met' if vs_bare <= TARGET_VS_BARE else 'MISSED'}")
    if traf:
        speedup = _ratio(traf.seconds, mine.seconds)
        lines.append(f"{'speed vs trafilatura':<24}{traf.pages_per_s:>8.1f} pages/s{mine.pages_per_s:>8.1f} pages/s"
                     f"{speedup:>8.1f}×   ≥ {TARGET_VS_TRAFILATURA:.0f}× {'met' if speedup >= TARGET_VS_TRAFILATURA else 'MISSED'}")
    slow = sorted(runs, key=lambda r: r.seconds[OURS], reverse=True)[:SLOWEST]
    lines += ["", "slowest pages for ours (share of our total time; bare parse of the same page):"]
    for r in slow:
        lines.append(f"  {r.seconds[OURS] * 1000:7.1f} ms  {100 * r.seconds[OURS] / mine.seconds:4.1f}%  "
                     f"bare {r.seconds[BARE] * 1000:6.1f} ms  {r.page.size / 1e3:7.0f} kB  "
                     f"{r.page.dataset}/{r.page.id}")
    over = [r for r in runs if r.seconds[OURS] > 1.0]
    lines.append(f"pages over 1 s: {len(over)}; pages where ours crashed: {len(crashes)}")
    return "\n".join(lines)


def _as_json(speeds: dict[str, Speed], runs: list[PageRun], n_sets: int) -> dict:
    out = {"datasets": n_sets, "pages": len(runs)}
    for name, s in speeds.items():
        out[name] = {"pages_per_s": s.pages_per_s, "mb_per_s": s.mb_per_s, "seconds": s.seconds,
                     "p50_ms": s.p50_ms, "p95_ms": s.p95_ms, "max_ms": s.max_ms, "slowest": s.slowest}
    mine = speeds[OURS]
    out["ours_time_vs_bare"] = _ratio(mine.seconds, speeds[BARE].seconds)
    if TRAFILATURA in speeds:
        out["ours_speedup_vs_trafilatura"] = _ratio(speeds[TRAFILATURA].seconds, mine.seconds)
    return out


if __name__ == "__main__":
    sys.exit(main())
