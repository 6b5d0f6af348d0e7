"""Ingest and revisit benchmarks (issue 7, parts 2 and 3), against a real nginx.

Workload: N article pages (default 10,000) built from ../shared/eval pages,
served by nginx from Debian's packages on 50 loopback hosts, 127.0.0.1 to .50 (see
``nginx_site.py``), ETag and Last-Modified on.

Part 2, ingest. Reference: raw ``httpx.AsyncClient`` GETs of the same URLs
with the same concurrency (``max_in_flight``, 16), body read, nothing else.
Ours: the full pipeline as ``scraper crawl`` runs it (frontier -> Crawler
dispatch -> fetch -> decode -> extract -> dedup -> store -> frontier), with
politeness off (``host_delay = 0``, ``obey_robots = false``). Ours runs in a
child process whose VmRSS is sampled every 0.1 s: peak, and the last 10% of
the run against the middle 10%.

Part 3, revisit. The same archive re-checks all N articles twice: (a) nginx
answers the stored validators with 304; (b) nginx ignores validators and
sends the same bytes again with 200. Reported: time, how many times the
pipeline decoded or extracted a page (a 304 must not), and the archive's
growth per unchanged re-check, from SQLite's dbstat, without the ``fetches``
log (table and indexes), whose row size is shown apart.

    .venv/bin/python bench/bench_ingest.py [EVAL_DIR] [--pages N] [--profile DIR] [--json]

Timing never fails the run; the figures are ratios against references measured
in the same run, because the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import RssSampler, fetches_bytes, table_bytes, top_self_time  # noqa: E402
from nginx_site import NginxSite, set_conditional  # noqa: E402

from scraper.evaluation.dataset import default_eval_dir  # noqa: E402

CONCURRENCY = 16
TARGET_VS_RAW = 0.5
TARGET_RSS_MB = 300.0
TARGET_FLAT = 0.10
TARGET_GROWTH_B = 200.0
CONFIG = """
[archive]
db = "{db}"
[fetch]
allow_private_addresses = true
host_delay = "0s"
obey_robots = false
max_in_flight = {concurrency}
extract_processes = {workers}
"""


# ---- reference: raw httpx --------------------------------------------------

async def raw_gets(urls: list[str], concurrency: int, keepalive: bool = True) -> dict:
    import httpx

    limits = httpx.Limits() if keepalive else httpx.Limits(max_keepalive_connections=0)
    gate = asyncio.Semaphore(concurrency)
    statuses: Counter = Counter()
    size = 0

    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        async def one(url: str) -> None:
            nonlocal size
            async with gate:
                response = await client.get(url)
                size += len(response.content)
                statuses[response.status_code] += 1

        started = time.perf_counter()
        await asyncio.gather(*(one(u) for u in urls))
        seconds = time.perf_counter() - started
    return {"pages": len(urls), "seconds": seconds, "pages_per_s": len(urls) / seconds, "bytes": size,
            "statuses": dict(statuses)}


# ---- ours: the pipeline, in a child process ----------------------------------

class Clock:
    """Wall time shifted forward, so re-checks fall due without waiting hours."""

    def __init__(self) -> None:
        self.shift = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.shift


def count_extractions(extractor_class, counts: Counter) -> None:
    """Count calls of ``Extractor.extract``; each decodes the page once and
    extracts it once (in a worker process, where it cannot be counted)."""
    original = extractor_class.extract

    async def counted(self, *args, **kwargs):
        counts["extract"] += 1
        counts["decode_html"] += 1
        return await original(self, *args, **kwargs)

    extractor_class.extract = counted


async def pipeline_child(urls: list[str], db: Path, concurrency: int, site_root: Path,
                         profile_dir: Path | None, workers: int = 1) -> dict:
    from scraper.workers import Extractor
    from scraper import config as config_mod
    from scraper.crawl import Crawler, politeness_for
    from scraper.fetch import Fetcher
    from scraper.models import Candidate
    from scraper.store import Archive

    logging.getLogger("scraper").setLevel(logging.ERROR)  # failed pages are counted, not printed
    calls: Counter = Counter()
    count_extractions(Extractor, calls)
    config = config_mod.loads(CONFIG.format(db=db, concurrency=concurrency, workers=workers))
    clock = Clock()
    phases = []
    with Archive(db) as archive, Extractor(config.fetch.extract_processes) as extractor:
        async with Fetcher(config.fetch) as fetcher:
            crawler = Crawler(config, archive, fetcher, politeness_for(config, fetcher), now=clock,
                              extractor=extractor)
            crawler.frontier.add("bench", [Candidate(u, "sitemap") for u in urls], clock(), cap=len(urls))
            for name, shift, conditional in (("ingest", 0, True), ("revisit 304", 2, True),
                                             ("revisit 200", 7, False)):
                if not conditional:
                    set_conditional(site_root, False)
                clock.shift = timedelta(hours=shift)
                phases.append(await _phase(name, crawler, archive, db, calls, profile_dir))
                print(f"  {name}: {phases[-1]['pages']} pages in {phases[-1]['seconds']:.1f} s",
                      file=sys.stderr, flush=True)
    return {"phases": phases, "workers": workers}


async def _phase(name: str, crawler, archive, db: Path, calls: Counter, profile_dir: Path | None) -> dict:
    archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = table_bytes(db)
    calls.clear()
    outcomes: Counter = Counter()
    crawler.on_result = lambda r: outcomes.update([r.outcome])
    profiler = None
    if profile_dir:
        from pyinstrument import Profiler
        profiler = Profiler(interval=0.002, async_mode="disabled")
        profiler.start()
    with RssSampler(0.1, tree=True) as rss:  # the extraction workers count too
        started = time.perf_counter()
        results = await crawler.run_due()
        seconds = time.perf_counter() - started
    top = []
    if profiler:
        profiler.stop()
        slug = name.replace(" ", "-")
        (profile_dir / f"{slug}.txt").write_text(profiler.output_text(unicode=True, show_all=False))
        top = top_self_time(profiler.last_session, 12)
    archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    after = table_bytes(db)
    mid, last, ratio = rss.flatness()
    return {"name": name, "pages": len(results), "seconds": seconds, "pages_per_s": len(results) / seconds,
            "outcomes": dict(outcomes), "calls": dict(calls), "rss_peak_mb": rss.peak(),
            "rss_mid_mb": mid, "rss_last_mb": last, "rss_flat": ratio,
            "db_before": sum(before.values()), "db_after": sum(after.values()),
            "fetches_before": fetches_bytes(before), "fetches_after": fetches_bytes(after),
            "tables_growth": {k: after.get(k, 0) - before.get(k, 0) for k in after
                              if after.get(k, 0) != before.get(k, 0)},
            "file_bytes": db.stat().st_size, "top": top}


# ---- report ---------------------------------------------------------------------

def report(site: NginxSite, raw: dict, raw_nokeep: dict, child: dict, wall: float) -> str:
    ingest, r304, r200 = child["phases"]
    best = max(raw["pages_per_s"], raw_nokeep["pages_per_s"])  # the faster raw client is the reference
    ratio = ingest["pages_per_s"] / best
    lines = [
        "== ingest benchmark (part 2)",
        f"workload: {len(site.urls)} pages ({site.bytes_total / 1e6:.0f} MB, from {site.sources} eval pages "
        f"reused round-robin) served by nginx on {len(site.hosts)} loopback hosts "
        f"(127.0.0.1-{len(site.hosts)}); concurrency {CONCURRENCY}; politeness off (host_delay 0, robots off)",
        "reference: raw httpx.AsyncClient GETs (body read), the faster of keep-alive and not; "
        "ours: Crawler.run_due over the frontier (fetch, decode, extract, dedup, store, frontier update) "
        "in a child process with "
        f"{child.get('workers', 1)} extraction worker process(es) ([fetch] extract_processes)",
        f"outcomes: {ingest['outcomes']}",
        "",
        f"{'comparison':<30}{'reference':>16}{'ours':>16}{'ratio':>9}   target",
        f"{'throughput vs best raw':<30}{best:>10.0f} pg/s{ingest['pages_per_s']:>10.1f} pg/s{ratio:>8.2f}×"
        f"   ≥ {TARGET_VS_RAW}×  {_met(ratio >= TARGET_VS_RAW)}",
        f"{'  raw with keep-alive':<30}{raw['pages_per_s']:>10.0f} pg/s{'':>16}"
        f"{ingest['pages_per_s'] / raw['pages_per_s']:>8.2f}×",
        f"{'  raw without keep-alive':<30}{raw_nokeep['pages_per_s']:>10.0f} pg/s{'':>16}"
        f"{ingest['pages_per_s'] / raw_nokeep['pages_per_s']:>8.2f}×   (as our fetcher: a connection per request)",
        f"{'peak RSS':<30}{'':>16}{ingest['rss_peak_mb']:>13.0f} MB{'':>9}   < {TARGET_RSS_MB:.0f} MB  "
        f"{_met(ingest['rss_peak_mb'] < TARGET_RSS_MB)}",
        f"{'RSS last 10% vs middle 10%':<30}{ingest['rss_mid_mb']:>13.0f} MB{ingest['rss_last_mb']:>13.0f} MB"
        f"{ingest['rss_flat']:>8.3f}×   within {TARGET_FLAT:.0%}  {_met(abs(ingest['rss_flat'] - 1) <= TARGET_FLAT)}",
        f"archive after ingest: {ingest['db_after'] / 1e6:.1f} MB in tables ({ingest['file_bytes'] / 1e6:.1f} MB "
        f"file) for {site.bytes_total / 1e6:.0f} MB served",
        "",
        "== revisit benchmark (part 3)",
        f"workload: the {len(site.urls)} archived articles re-checked twice through Crawler.run_due: "
        "(a) nginx answers the stored ETag/Last-Modified with 304; (b) nginx ignores validators and sends the "
        "same bytes with 200",
        "",
        f"{'pass':<14}{'pages':>7}{'seconds':>9}{'pages/s':>9}{'decodes':>9}{'extracts':>9}"
        f"{'B/unchanged':>13}{'fetches B/row':>15}   outcomes",
    ]
    for phase in (r304, r200):
        unchanged = phase["outcomes"].get("not_modified", 0) + phase["outcomes"].get("unchanged", 0)
        fetch_growth = phase["fetches_after"] - phase["fetches_before"]
        growth = (phase["db_after"] - phase["db_before"]) - fetch_growth
        per = growth / unchanged if unchanged else float("nan")
        phase["growth_per_unchanged"] = per
        lines.append(f"{phase['name']:<14}{phase['pages']:>7}{phase['seconds']:>9.1f}{phase['pages_per_s']:>9.1f}"
                     f"{phase['calls'].get('decode_html', 0):>9}{phase['calls'].get('extract', 0):>9}"
                     f"{per:>13.1f}{fetch_growth / max(phase['pages'], 1):>15.1f}   {phase['outcomes']}")
    answered_200 = r304["pages"] - r304["outcomes"].get("not_modified", 0)
    on_304 = max(r304["calls"].get("extract", 0), r304["calls"].get("decode_html", 0)) - answered_200
    worst = max(r304["growth_per_unchanged"], r200["growth_per_unchanged"])
    lines += [
        f"growth per unchanged re-check, fetches log excluded: worst {worst:.1f} B, target < {TARGET_GROWTH_B:.0f} B"
        f"  {_met(worst < TARGET_GROWTH_B)}",
        f"a 304 parses nothing: {r304['calls'].get('extract', 0)} extracts and {r304['calls'].get('decode_html', 0)}"
        f" decodes in the 304 pass, for {answered_200} pages not answered 304 (pages that failed extraction "
        f"before are fetched in full again) -> {on_304} on 304s  {_met(on_304 == 0)}",
        f"tables that grew during the 200 pass: {r200['tables_growth']}",
        f"peak RSS over all three passes: {max(p['rss_peak_mb'] for p in child['phases']):.0f} MB; "
        f"wall {wall:.0f} s (site build, nginx, reference and ours)",
    ]
    if any(phase["top"] for phase in child["phases"]):
        lines += ["", "NOTE: profiled run: pyinstrument slows every pass and keeps its samples in memory, "
                      "so these throughput and RSS figures are not the benchmark's."]
    for phase in child["phases"]:
        if phase["top"]:
            lines += ["", f"profile of {phase['name']} (pyinstrument, wall time of the event-loop thread; "
                          "self time per function):"]
            lines += [f"  {share:6.1%}  {name}" for share, name in phase["top"]]
    return "\n".join(lines)


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", nargs="*", type=Path, help="eval datasets (default ../shared/eval)")
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--profile", type=Path, default=None, help="write pyinstrument profiles of our passes here")
    parser.add_argument("--workers", type=int, default=1,
                        help="[fetch] extract_processes for our pipeline (default 1, as shipped; 0: in process)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        spec = json.loads(args.child.read_text())
        out = asyncio.run(pipeline_child(spec["urls"], Path(spec["db"]), CONCURRENCY, Path(spec["site_root"]),
                                         Path(spec["profile"]) if spec["profile"] else None, spec["workers"]))
        print(json.dumps(out))
        return 0

    dirs = args.dirs or [default_eval_dir()]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="scraper-bench-db-") as tmp, \
            NginxSite.build(dirs, pages=args.pages, hosts=args.hosts) as site:
        print(f"  site: {len(site.urls)} pages, {site.bytes_total / 1e6:.0f} MB, nginx on {len(site.hosts)} hosts",
              file=sys.stderr, flush=True)
        asyncio.run(raw_gets(site.urls[:500], CONCURRENCY))  # warm nginx's caches and the page cache
        raw = asyncio.run(raw_gets(site.urls, CONCURRENCY))
        raw_nokeep = asyncio.run(raw_gets(site.urls, CONCURRENCY, keepalive=False))
        print(f"  raw: {raw['pages_per_s']:.0f} pages/s (no keep-alive {raw_nokeep['pages_per_s']:.0f})",
              file=sys.stderr, flush=True)
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
        spec = Path(tmp) / "spec.json"
        spec.write_text(json.dumps({"urls": site.urls, "db": str(Path(tmp) / "archive.db"),
                                    "site_root": str(site.root), "workers": args.workers,
                                    "profile": str(args.profile.resolve()) if args.profile else None}))
        done = subprocess.run([sys.executable, __file__, "--child", str(spec)], stdout=subprocess.PIPE,
                              check=True)
        child = json.loads(done.stdout)
        wall = time.perf_counter() - started
        if args.json:
            print(json.dumps({"raw": raw, "raw_no_keepalive": raw_nokeep, **child}, indent=1))
        else:
            print(report(site, raw, raw_nokeep, child, wall))
    return 0


if __name__ == "__main__":
    sys.exit(main())
