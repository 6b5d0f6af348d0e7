"""A misbehaving HTTP server on 127.0.0.x (port 0), written on raw sockets.

Unlike ``tests/sites.py`` (a well-behaved fixture site), this server can do
everything a hostile or broken server does: answer slowly or never, trickle a
body, reset the connection mid-body, lie in Content-Length, break chunked
framing, send 200 KB of headers, serve compression bombs and encodings
nobody asked for, and redirect in chains, loops, or to places it should not.

It counts TCP connections, and requests per path, so tests can prove that a
blocked URL was never connected to and that nobody retries in a storm.

    def test_x(hostile):                # the pytest fixture: a server factory
        server = hostile()              # HostileServer on 127.0.0.1, port 0
        server.route("/slow", delay(5, ok(b"<html>")))
        url = server.url("/slow")
        ...
        assert server.hits["/slow"] == 1

Each handler gets the client socket and the parsed ``Request`` and writes
raw bytes; the connection is closed after it returns unless it says
``keep_alive``.
"""

from __future__ import annotations

import functools
import gzip as gziplib
import socket
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[socket.socket, Request, "HostileServer"], "bool | None"]


class HostileServer:
    """A threaded raw-socket HTTP/1.1 server with programmable misbehaviour."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.routes: dict[str, Handler] = {}
        self.connections = 0
        self.hits: Counter[str] = Counter()
        self.requests: list[Request] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, 0))
        self._sock.listen(128)
        self._sock.settimeout(0.2)
        self._clients: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return self._sock.getsockname()[1]

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return f"{self.origin}/{path.lstrip('/')}"

    def route(self, path: str, handler: Handler) -> HostileServer:
        self.routes[path] = handler
        return self

    def requests_to(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def close(self) -> None:
        self.stopping.set()
        self._thread.join(timeout=5)
        self._sock.close()
        with self._lock:
            for client in self._clients:
                _quiet_close(client)

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                client, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                self.connections += 1
                self._clients.append(client)
            threading.Thread(target=self._connection, args=(client,), daemon=True).start()

    def _connection(self, client: socket.socket) -> None:
        client.settimeout(10)
        try:
            while not self.stopping.is_set():
                request = _read_request(client)
                if request is None:
                    return
                with self._lock:
                    self.hits[request.path] += 1
                    self.requests.append(request)
                handler = self.routes.get(request.path, not_found)
                if not handler(client, request, self):
                    return
        except OSError:
            return
        finally:
            _quiet_close(client)


def _read_request(client: socket.socket) -> Request | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > 256 * KiB:
            return None
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    line, *lines = head.split("\r\n")
    method, target, _version = line.split(" ", 2)
    path, _, query = target.partition("?")
    headers = {}
    for item in lines:
        name, _, value = item.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Request(method, path, query, headers)


def _quiet_close(client: socket.socket) -> None:
    try:
        client.close()
    except OSError:
        pass


def head(status: int = 200, headers: dict[str, str] | None = None, *, length: int | None = None,
         reason: str = "X") -> bytes:
    """The status line and headers of a response, as bytes."""
    lines = [f"HTTP/1.1 {status} {reason}"]
    merged = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
    if length is not None:
        merged["Content-Length"] = str(length)
    lines += [f"{k}: {v}" for k, v in merged.items() if v is not None]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


# --- handlers ---------------------------------------------------------------

def not_found(client, request, server):
    client.sendall(head(404, {"Connection": "close"}, length=9) + b"not found")


def ok(body: bytes = b"<html><body><p>ok</p></body></html>", headers: dict[str, str] | None = None,
       status: int = 200) -> Handler:
    """A well-formed response; the connection stays open for the next request."""
    def handler(client, request, server):
        client.sendall(head(status, headers, length=len(body)) + body)
        return True
    return handler


def status(code: int, headers: dict[str, str] | None = None, body: bytes = b"") -> Handler:
    def handler(client, request, server):
        client.sendall(head(code, {"Connection": "close", **(headers or {})}, length=len(body)) + body)
    return handler


def delay(seconds: float, then: Handler) -> Handler:
    """Wait before answering (or until the server stops)."""
    def handler(client, request, server):
        if server.stopping.wait(seconds):
            return None
        return then(client, request, server)
    return handler


def silent(client, request, server):
    """Read the request, then never send a byte: headers that never come."""
    server.stopping.wait(30)


def trickle(total: int = 100_000, every: float = 0.2) -> Handler:
    """Promise ``total`` bytes, then send one byte every ``every`` seconds."""
    def handler(client, request, server):
        client.sendall(head(200, length=total))
        for _ in range(total):
            if server.stopping.wait(every):
                return
            client.sendall(b"x")
    return handler


def reset_mid_body(total: int = 100_000, sent: int = 4096) -> Handler:
    """Send part of the body, then abort the connection with a TCP RST."""
    def handler(client, request, server):
        client.sendall(head(200, length=total) + b"<p>" + b"x" * sent)
        time.sleep(0.05)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    return handler


def lying_length(claimed: int, body: bytes, keep_alive: bool = False) -> Handler:
    """Claim ``claimed`` bytes in Content-Length but send ``body``."""
    def handler(client, request, server):
        client.sendall(head(200, length=claimed) + body)
        return keep_alive
    return handler


def broken_chunks(client, request, server):
    """A chunked body whose second chunk size is not hexadecimal."""
    client.sendall(head(200, {"Transfer-Encoding": "chunked"})
                   + b"5\r\n<html\r\nzz-not-hex\r\nxxxx\r\n0\r\n\r\n")


def huge_headers(size: int = 200 * KiB) -> Handler:
    def handler(client, request, server):
        filler = "".join(f"X-Filler-{i}: {'a' * 90}\r\n" for i in range(size // 100))
        client.sendall(b"HTTP/1.1 200 OK\r\n" + filler.encode() + b"Content-Length: 2\r\n\r\nok")
    return handler


def huge_length(claimed: int = 2**40) -> Handler:
    """Announce a huge body, send a little, and hold the connection."""
    def handler(client, request, server):
        client.sendall(head(200, length=claimed) + b"<html>" + b"x" * 1000)
        server.stopping.wait(10)
    return handler


def encoded(body: bytes, encoding: str | None, headers: dict[str, str] | None = None, *,
            with_length: bool = True) -> Handler:
    """Serve already-encoded bytes with a Content-Encoding header; without
    ``with_length`` the body is delimited by closing the connection."""
    def handler(client, request, server):
        extra = {"Content-Encoding": encoding, "Connection": "close", **(headers or {})}
        client.sendall(head(200, extra, length=len(body) if with_length else None))
        for start in range(0, len(body), 64 * KiB):  # no copy of the body in this thread
            client.sendall(memoryview(body)[start:start + 64 * KiB])
    return handler


def redirect(location: str, code: int = 302, body: bytes = b"", headers: dict[str, str] | None = None,
             keep_alive: bool = True) -> Handler:
    def handler(client, request, server):
        extra = {"Location": location, **(headers or {})}
        if not keep_alive:
            extra["Connection"] = "close"
        client.sendall(head(code, extra, length=len(body)) + body)
        return keep_alive
    return handler


def redirect_endless_body(location: str) -> Handler:
    """A redirect whose body never ends: reading it would hang or fill memory."""
    def handler(client, request, server):
        client.sendall(head(302, {"Location": location}, length=2**40))
        chunk = b"x" * 65536
        while not server.stopping.is_set():
            try:
                client.sendall(chunk)
            except OSError:
                return
    return handler


def echo(client, request, server):
    """Answer 200 with the request headers in the body."""
    body = "\n".join(f"{k}: {v}" for k, v in request.headers.items()).encode()
    client.sendall(head(200, {"Content-Type": "text/plain"}, length=len(body)) + body)
    return True


# --- bombs --------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _zero_deflate(mib: int) -> tuple[bytes, int, int]:
    """Raw deflate of ``mib`` MiB of zeros, built from one repeated block, with
    the CRC32 and Adler-32 of the expanded data (so the bomb is valid)."""
    block = bytes(MiB)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    unit = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    raw = unit * mib + comp.flush()
    crc, adler = 0, 1
    for _ in range(mib):
        crc = zlib.crc32(block, crc)
        adler = zlib.adler32(block, adler)
    return raw, crc, adler


def gzip_bomb(mib: int = 1024) -> bytes:
    """A valid gzip stream that expands to ``mib`` MiB of zeros."""
    raw, crc, _ = _zero_deflate(mib)
    size = (mib * MiB) & 0xFFFFFFFF
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + raw + struct.pack("<II", crc, size)


def deflate_bomb(mib: int = 1024) -> bytes:
    """A valid zlib-wrapped deflate stream that expands to ``mib`` MiB of zeros."""
    raw, _, adler = _zero_deflate(mib)
    return b"\x78\xda" + raw + struct.pack(">I", adler)


def gzip_bytes(data: bytes) -> bytes:
    return gziplib.compress(data, mtime=0)


def deflate_bytes(data: bytes) -> bytes:
    return zlib.compress(data)


# --- the fixture ----------------------------------------------------------------

@pytest.fixture
def hostile():
    """A factory of hostile servers: ``hostile()`` or ``hostile("127.0.0.2")``."""
    servers: list[HostileServer] = []

    def make(host: str = "127.0.0.1") -> HostileServer:
        server = HostileServer(host)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()
