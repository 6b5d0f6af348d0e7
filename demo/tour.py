"""`make demo`: a newcomer's tour with no internet.

Starts the demo news site on 127.0.0.1:8765, runs the daemon against it with
demo.toml (revisits compressed to minutes) for a few minutes while the site's
publisher edits one article, then prints what was archived and how to browse it.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DURATION = os.environ.get("DEMO_DURATION", "150s")


def figures(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        return {"articles": one("SELECT count(*) FROM articles"),
                "versions": one("SELECT count(*) FROM versions"),
                "fetches": one("SELECT count(*) FROM fetches"),
                "304s": one("SELECT count(*) FROM fetches WHERE status = 304"),
                "edits caught": one("SELECT count(*) FROM versions WHERE version > 1")}


def main() -> int:
    db = REPO / "demo.db"
    for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        stale.unlink(missing_ok=True)
    site = subprocess.Popen([sys.executable, "-m", "demo.site", "--port", "8765", "--edit-after", "60"], cwd=REPO)
    try:
        time.sleep(1.0)
        if site.poll() is not None:
            print("the demo site could not start (is port 8765 in use?)", file=sys.stderr)
            return 1
        print(f"running the daemon for {DURATION} against the demo site (Ctrl-C stops it early)...", flush=True)
        run = subprocess.run([sys.executable, "-m", "scraper.cli", "run", "--config", "demo.toml",
                              "--stop-after", DURATION], cwd=REPO)
    finally:
        site.terminate()
        site.wait(timeout=10)
    stats = figures(db)
    print("\ndemo archive:", ", ".join(f"{k} {v}" for k, v in stats.items()))
    print("browse it:  make serve CONFIG=demo.toml    (or: .venv/bin/scraper serve --config demo.toml)")
    print("status:     .venv/bin/scraper status --config demo.toml")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
