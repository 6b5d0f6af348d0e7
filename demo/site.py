"""A local demo news site for `make demo`: feed, sitemaps, a section page and
articles built from tests/fixtures, served on 127.0.0.1. One article is edited
by its "publisher" a minute after start, so the daemon's revisits catch it.

    python -m demo.site --port 8765 --edit-after 60
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

from tests.sites import serve_copy

ROOT = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
EDITED = "tin/dong-van-don-khach-du-lich-dip-cuoi-nam.html"


def edit(site_root: Path) -> None:
    page = site_root / EDITED
    html = page.read_text(encoding="utf-8")
    html = html.replace("Đồng Văn đón khách du lịch dịp cuối năm",
                        "Đồng Văn đón hơn 12.000 lượt khách du lịch dịp cuối năm")
    html = html.replace("tăng 15% so với cùng kỳ", "tăng 18% so với cùng kỳ")
    page.write_text(html, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--edit-after", type=float, default=60.0, help="seconds before the edit")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="scraper-demo-site-"))
    server = serve_copy({"/": ROOT / "site", "/pages": ROOT / "pages"}, root, port=args.port)
    print(f"demo site on {server.url('')} (feed /rss.xml, sitemap /sitemap.xml, section /chuyen-muc/xa-hoi.html)",
          flush=True)
    timer = threading.Timer(args.edit_after, lambda: (edit(root), print(f"demo site: edited /{EDITED}", flush=True)))
    timer.daemon = True
    timer.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
