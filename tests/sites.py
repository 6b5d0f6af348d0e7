"""A real HTTP server on 127.0.0.1 (port 0) that serves a fixture site.

It serves files from a directory (a temporary copy, so a test can "edit" an
article by rewriting its file), plus programmable routes for statuses and
headers. It answers conditional GETs with 304 through http.server's
If-Modified-Since support, and counts requests per path.
"""

from __future__ import annotations

import threading
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
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def put(self, path: str, content: bytes | str) -> None:
        """Write (or overwrite) a file of the site: the publisher edits a page."""
        target = self.root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)

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
