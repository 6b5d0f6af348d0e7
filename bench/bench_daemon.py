"""Daemon overhead benchmark (issue 7, part 5): a real ``scraper run`` subprocess.

Workload: an archive whose frontier holds 100,000 URLs on a local nginx site
(``nginx_site.py``): 98,000 due in 30 days, and 2,000 due in a trickle of 20
per second that starts once the idle window is over. The daemon has no
sources (no discovery jobs), politeness off (``host_delay = 0``, robots off).

1. Idle: for ``--idle-seconds`` (default 300, the reported figure) nothing is
   due. CPU time (utime + stime from /proc/<pid>/stat) over wall time, and
   VmRSS sampled every second. Reference: 0% CPU, the issue's target.
2. Dispatch latency: for each of the 2,000 trickled URLs, the time from its
   ``next_due`` to nginx logging the request (``$msec``; a local page is
   served in about a millisecond, so this is when the fetch started, within a
   millisecond): p50, p95, max. The dispatcher ticks every
   ``schedule.DISPATCH_EVERY`` seconds and also wakes at the next URL's due time,
   so the reference is the tick alone (up to a tick late). The first trickled page also starts the
   extraction worker process.

    .venv/bin/python bench/bench_daemon.py [EVAL_DIR] [--idle-seconds S] [--json]
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import cpu_seconds, percentile, rss_mb, tree_rss_mb  # noqa: E402
from nginx_site import NginxSite  # noqa: E402

from scraper.config import RevisitConfig  # noqa: E402
from scraper.evaluation.dataset import default_eval_dir  # noqa: E402
from scraper.frontier import Frontier  # noqa: E402
from scraper.models import Candidate  # noqa: E402
from scraper.schedule import DISPATCH_EVERY  # noqa: E402
from scraper.store import Archive  # noqa: E402

FRONTIER = 100_000
TRICKLE = 2_000
PER_SECOND = 20
STARTUP = 15.0  # seconds allowed for the daemon to start before the idle window opens
CONFIG = """
[archive]
db = "{db}"
[fetch]
allow_private_addresses = true
host_delay = "0s"
obey_robots = false
"""


def fill_frontier(db: Path, site: NginxSite, trickle_at: datetime) -> dict[str, datetime]:
    """Queue the frontier; return the trickled URLs' paths with their due times."""
    due_at: dict[str, datetime] = {}
    with Archive(db) as archive:
        frontier = Frontier(archive, RevisitConfig())
        far = trickle_at + timedelta(days=30)
        rest = [f"http://{site.hosts[n % len(site.hosts)]}/later/{n}.html"
                for n in range(FRONTIER - TRICKLE)]
        frontier.add("bench", [Candidate(u, "sitemap") for u in rest], far, cap=len(rest))
        for second in range(TRICKLE // PER_SECOND):
            when = trickle_at + timedelta(seconds=second)
            batch = site.urls[second * PER_SECOND:(second + 1) * PER_SECOND]
            frontier.add("bench", [Candidate(u, "sitemap") for u in batch], when, cap=len(batch))
            for url in batch:
                due_at["/" + url.split("/", 3)[3]] = when
        archive.checkpoint()
    return due_at


def wait_started(process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"scraper run exited: {log.read_text()[-2000:]}")
        if '"started"' in log.read_text():
            return
        time.sleep(0.1)
    raise SystemExit("scraper run did not start")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", nargs="*", type=Path, help="eval datasets (default ../shared/eval)")
    parser.add_argument("--idle-seconds", type=float, default=300.0, help="idle window (default 5 min)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep-log", type=Path, default=None, help="copy the daemon's log here")
    args = parser.parse_args(argv)
    dirs = args.dirs or [default_eval_dir()]
    wall_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="scraper-bench-daemon-") as tmp, \
            NginxSite.build(dirs, pages=TRICKLE, hosts=50) as site:
        db, cfg, log = Path(tmp) / "archive.db", Path(tmp) / "config.toml", Path(tmp) / "daemon.log"
        cfg.write_text(CONFIG.format(db=db))
        filled = time.perf_counter()
        trickle_at = (datetime.now(UTC) + timedelta(seconds=STARTUP + args.idle_seconds + 10)).replace(microsecond=0)
        due_at = fill_frontier(db, site, trickle_at)
        fill_seconds = time.perf_counter() - filled
        trickle_at = min(due_at.values())
        with open(log, "w") as log_handle:
            daemon = subprocess.Popen([str(Path(sys.executable).parent / "scraper"), "run", "--config", str(cfg),
                                       "--log-format", "json", "--grace", "5s"],
                                      stdout=log_handle, stderr=subprocess.STDOUT)
        try:
            wait_started(daemon, log, 60)
            print(f"  daemon started; idle window {args.idle_seconds:.0f} s", file=sys.stderr, flush=True)
            idle = measure_idle(daemon.pid, args.idle_seconds)
            wait = (trickle_at - datetime.now(UTC)).total_seconds()
            if wait < 0:
                print(f"  warning: the trickle began {-wait:.0f} s before the idle window ended", file=sys.stderr)
            time.sleep(max(0.0, wait) + TRICKLE / PER_SECOND + 15)
            busy_rss = tree_rss_mb(daemon.pid)  # the daemon and its extraction worker
        finally:
            daemon.send_signal(signal.SIGTERM)
            try:
                code = daemon.wait(60)
            except subprocess.TimeoutExpired:
                daemon.kill()
                code = daemon.wait()
        time.sleep(1.5)  # nginx flushes its access log every second
        if args.keep_log:
            args.keep_log.write_text(log.read_text())
        latency = dispatch_latency(site.access_log(), due_at)
        figures = {"idle": idle, "latency": latency, "exit_code": code, "rss_after_trickle_mb": busy_rss,
                   "fill_seconds": fill_seconds, "wall_seconds": time.perf_counter() - wall_start,
                   "frontier": FRONTIER, "trickle": TRICKLE}
        print(json.dumps(figures, indent=1) if args.json else report(figures))
    return 0


def measure_idle(pid: int, seconds: float) -> dict:
    time.sleep(5.0)  # the first dispatch and the start-up imports settle
    cpu0, t0 = cpu_seconds(pid), time.monotonic()
    samples = []
    while (elapsed := time.monotonic() - t0) < seconds:
        samples.append(rss_mb(pid))
        time.sleep(min(1.0, max(0.0, seconds - elapsed)))
    cpu1, t1 = cpu_seconds(pid), time.monotonic()
    return {"seconds": t1 - t0, "cpu_seconds": cpu1 - cpu0, "cpu_percent": 100 * (cpu1 - cpu0) / (t1 - t0),
            "rss_start_mb": samples[0], "rss_end_mb": samples[-1], "rss_peak_mb": max(samples)}


def dispatch_latency(log: list[tuple[float, str, int]], due_at: dict[str, datetime]) -> dict:
    seen: dict[str, float] = {}
    for moment, uri, _status in log:
        if uri in due_at and uri not in seen:
            seen[uri] = moment - due_at[uri].timestamp()
    values = list(seen.values())
    return {"fetched": len(values), "expected": len(due_at), "p50_s": percentile(values, 50),
            "p95_s": percentile(values, 95), "max_s": max(values, default=float("nan")),
            "min_s": min(values, default=float("nan"))}


TICK = f"{DISPATCH_EVERY:g} s tick"


def report(f: dict) -> str:
    idle, lat = f["idle"], f["latency"]
    return "\n".join([
        "== daemon overhead benchmark (part 5)",
        f"workload: a real `scraper run` subprocess, no sources, politeness off; frontier of {f['frontier']:,} "
        f"URLs on a local nginx: {f['frontier'] - f['trickle']:,} due in 30 days, {f['trickle']:,} due "
        f"{PER_SECOND}/s after the idle window (frontier filled through Frontier.add in {f['fill_seconds']:.1f} s)",
        "",
        f"{'figure':<36}{'reference':>12}{'ours':>12}   target",
        f"{'idle CPU over ' + format(idle['seconds'], '.0f') + ' s, nothing due':<36}{'0%':>12}"
        f"{idle['cpu_percent']:>11.2f}%   ~0%  ({idle['cpu_seconds']:.2f} CPU-s)",
        f"{'idle RSS start / end / peak':<36}{'':>12}{idle['rss_start_mb']:>6.0f}/{idle['rss_end_mb']:.0f}/"
        f"{idle['rss_peak_mb']:.0f} MB",
        f"{'RSS after the trickle, with worker':<36}{'':>12}{f['rss_after_trickle_mb']:>9.0f} MB",
        f"{'dispatch latency p50':<36}{TICK:>12}{lat['p50_s']:>10.3f} s",
        f"{'dispatch latency p95':<36}{TICK:>12}{lat['p95_s']:>10.3f} s   (issue: report; wakes at the due time)",
        f"{'dispatch latency min / max':<36}{'':>12}{lat['min_s']:>6.3f}/{lat['max_s']:.3f} s",
        f"fetched {lat['fetched']} of {lat['expected']} trickled URLs; daemon exit code {f['exit_code']}; "
        f"wall {f['wall_seconds']:.0f} s",
    ])


if __name__ == "__main__":
    sys.exit(main())
