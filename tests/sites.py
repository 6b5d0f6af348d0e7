"""A real HTTP server on 127.0.0.1 (port 0) that serves a fixture site.

It serves files from a directory (a temporary copy, so a test can "edit" an
article by rewriting its file), plus programmable routes for statuses and
headers. It answers conditional GETs with 304 through http.server's
If-Modified-Since support, and counts requests per path.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class SiteServer:
    """Serves ``root`` on http://127.0.0.1:<port>/; ``routes`` override paths."""

    def __init__(self, root: Path, port: int = 0) -> None:
        self.root = Path(root)
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.delay = 0.0  # seconds every answer waits, to keep fetches in flight
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def put(self, path: str, content: bytes | str) -> None:
        """Write (or overwrite) a file of the site: the publisher edits a page.

        Its mtime moves past the old one by more than a second, so the
        Last-Modified a conditional GET compares against really changes."""
        target = self.root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        before = target.stat().st_mtime if target.exists() else 0
        target.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        if before:
            stamp = max(time.time(), before + 2)
            os.utime(target, (stamp, stamp))

    def copy(self, source: Path, path: str) -> None:
        self.put(path, Path(source).read_bytes())

    def start(self) -> SiteServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler(self) -> type:
        server = self

        class Handler(SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(server.root), **kwargs)

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                server.hits[path] += 1
                server.requests.append((self.path, dict(self.headers)))
                if server.delay:
                    time.sleep(server.delay)
                route = server.routes.get(path)
                if route is None:
                    return super().do_GET()
                self.send_response(route.status)
                for name, value in {"Content-Type": "text/html; charset=utf-8", **route.headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

            def guess_type(self, path):
                if str(path).endswith((".html", ".htm")):
                    return "text/html; charset=utf-8"
                return super().guess_type(path)

        return Handler


PLACEHOLDER = b"http://SITE"


def serve_copy(trees: dict[str, Path], target: Path, port: int = 0) -> SiteServer:
    """Serve copies of fixture trees (mount point -> folder) from ``target``.

    Fixture files write their own host as ``http://SITE``; it is replaced by the
    server's real address (its port is only known once bound)."""
    target.mkdir(parents=True, exist_ok=True)
    server = SiteServer(target, port)
    base = server.url("").rstrip("/").encode()
    for mount, source in trees.items():
        for path in sorted(Path(source).rglob("*")) if Path(source).exists() else []:
            if path.is_file():
                relative = Path(mount.strip("/")) / path.relative_to(source)
                server.put(str(relative), path.read_bytes().replace(PLACEHOLDER, base))
    return server.start()


def article_page(number: int, title: str | None = None, body: str | None = None) -> str:
    """A small article page in Báo Hà Giang's layout, for tests that need many."""
    title = title or f"Tin số {number}: Hà Giang phát triển du lịch cộng đồng"
    body = body or (f"BHG - Bản tin số {number} về du lịch cộng đồng ở Đồng Văn, Mèo Vạc và Quản Bạ. "
                    "Người dân địa phương mở thêm nhà nghỉ, dịch vụ ẩm thực và hướng dẫn viên bản địa.")
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>{title} - Báo Hà Giang điện tử</title></head><body>
<ul class="menu"><li><a href="/">Trang chủ</a></li></ul>
<div class="detail"><h2 class="title-detail">{title}</h2>
<div class="date-detail">Thứ Hai, 01/01/2018, 08:{number % 60:02d} (GMT+7)</div>
<div class="content-detail"><p>{body}</p>
<p>Năm nay, tỉnh đặt mục tiêu đón thêm nhiều lượt khách, gắn du lịch với bảo tồn văn hóa các dân tộc.</p>
</div></div></body></html>"""


def feed_of(urls: list[str]) -> str:
    items = "".join(f"<item><title>Tin</title><link>{u}</link></item>" for u in urls)
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'
