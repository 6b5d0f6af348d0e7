"""Small measuring tools shared by the benchmarks: RSS sampling, CPU time of a
process, percentiles, SQLite space per table, and pyinstrument profiles
summarised as the functions with the most self time."""

from __future__ import annotations

import os
import sqlite3
import statistics
import threading
import time
from collections import defaultdict
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int | str = "self") -> float:
    """Resident set size of a process (VmRSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def tree_rss_mb(pid: int | str = "self") -> float:
    """RSS of a process and all its descendants (e.g. extraction workers), in MB."""
    pid = str(Path("/proc/self").resolve().name) if pid == "self" else str(pid)
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            total += rss_mb(current)
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        todo.extend(children)
    return total


def cpu_seconds(pid: int | str = "self") -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


class RssSampler:
    """Samples VmRSS of this process (and its descendants, such as the
    extraction workers, with ``tree=True``) every ``every`` seconds in a thread."""

    def __init__(self, every: float = 0.1, pid: int | str = "self", tree: bool = False) -> None:
        self.every, self.pid = every, pid
        self.read = tree_rss_mb if tree else rss_mb
        self.samples: list[tuple[float, float]] = []  # (seconds since start, MB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        start = time.monotonic()
        while not self._stop.is_set():
            self.samples.append((time.monotonic() - start, self.read(self.pid)))
            self._stop.wait(self.every)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def peak(self) -> float:
        return max((mb for _, mb in self.samples), default=0.0)

    def flatness(self) -> tuple[float, float, float]:
        """(mean MB over the middle 10% of the run, over the last 10%, last/middle)."""
        if len(self.samples) < 20:
            return float("nan"), float("nan"), float("nan")
        end = self.samples[-1][0]
        middle = [mb for t, mb in self.samples if 0.45 * end <= t <= 0.55 * end]
        last = [mb for t, mb in self.samples if t >= 0.9 * end]
        mid_mean, last_mean = statistics.fmean(middle), statistics.fmean(last)
        return mid_mean, last_mean, last_mean / mid_mean


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), nearest rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def table_bytes(db_path: Path) -> dict[str, int]:
    """Bytes of pages used by each table and index (SQLite's dbstat), read-only."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return {name: size for name, size in conn.execute(
            "SELECT name, sum(pgsize) FROM dbstat GROUP BY name")}
    finally:
        conn.close()


def fetches_bytes(sizes: dict[str, int]) -> int:
    """The part of ``table_bytes`` that is the fetches log and its indexes."""
    return sum(v for k, v in sizes.items() if k == "fetches" or k.startswith("idx_fetches"))


def top_self_time(session, n: int = 10) -> list[tuple[float, str]]:
    """The ``n`` functions with the most self time in a pyinstrument session:
    (share of the total, "function  file:line")."""
    totals: dict[str, float] = defaultdict(float)

    def walk(frame) -> None:
        name = f"{frame.function}  {frame.file_path_short}:{frame.line_no}"
        if frame.function in ("[self]", "[await]"):
            name = f"{frame.parent.function}  {frame.parent.file_path_short}:{frame.parent.line_no}"
        totals[name] += frame.total_self_time
        for child in frame.children:
            walk(child)

    root = session.root_frame()
    if root is None:
        return []
    walk(root)
    total = sum(totals.values()) or 1.0
    return [(t / total, name) for name, t in sorted(totals.items(), key=lambda kv: -kv[1])[:n]]
