"""HTTPS through the guarded transport: the connection goes to the checked
address, while the certificate is still verified against the URL's host name.

Certificates come from a throwaway CA made by trustme; the server is a real
TLS server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme

from scraper.config import FetchConfig
from scraper.errors import BlockedURL, NetworkError
from scraper.fetch import Fetcher, guarded_transport
from scraper.netguard import Resolver

PAGE = b"<html><body><p>qua TLS</p></body></html>"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args) -> None:
        pass


class TLSServer(ThreadingHTTPServer):
    """HTTPS on 127.0.0.1, port 0, counting TCP connections."""

    daemon_threads = True

    def __init__(self, context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.context = context
        self.connections = 0

    def get_request(self):
        sock, address = self.socket.accept()
        self.connections += 1
        return self.context.wrap_socket(sock, server_side=True), address

    def handle_error(self, request, client_address) -> None:
        pass  # a client refusing our certificate is expected here


@pytest.fixture
def ca():
    return trustme.CA()


@pytest.fixture
def tls_server(ca):
    servers = []

    def make(*names: str) -> TLSServer:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(*names).configure_cert(context)
        server = TLSServer(context)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.shutdown()
        server.server_close()


def fetch(url: str, *, trust: trustme.CA | None, permit=("127.0.0.1",)):
    async def go():
        resolver = Resolver(allow_private=False, permit=permit)
        verify: ssl.SSLContext | bool = True
        if trust is not None:
            verify = ssl.create_default_context()
            trust.configure_trust(verify)
        transport = guarded_transport(resolver, verify=verify)
        config = FetchConfig(allow_private_addresses=False, timeout=5.0)
        async with Fetcher(config, transport=transport, resolver=resolver) as fetcher:
            return await fetcher.get(url)
    return asyncio.run(go())


def test_https_connects_to_the_checked_address_and_verifies_the_host_name(ca, tls_server):
    server = tls_server("localhost")
    page = fetch(f"https://localhost:{server.server_address[1]}/tin", trust=ca)
    assert page.status == 200 and page.content == PAGE
    assert server.connections == 1


def test_an_untrusted_certificate_is_a_tls_error(ca, tls_server):
    server = tls_server("localhost")
    with pytest.raises(NetworkError) as caught:
        fetch(f"https://localhost:{server.server_address[1]}/", trust=None)
    assert caught.value.reason.startswith("TLS certificate refused: ")  # OpenSSL words the rest


def test_a_certificate_for_another_name_is_refused_although_the_address_matches(ca, tls_server):
    server = tls_server("other.example")
    with pytest.raises(NetworkError) as caught:
        fetch(f"https://localhost:{server.server_address[1]}/", trust=ca)
    assert caught.value.reason == ("TLS certificate refused: Hostname mismatch, "
                                   "certificate is not valid for 'localhost'")


def test_https_to_a_private_address_is_blocked_before_the_handshake(ca, tls_server):
    server = tls_server("localhost")
    with pytest.raises(BlockedURL) as caught:
        fetch(f"https://localhost:{server.server_address[1]}/", trust=ca, permit=())
    assert caught.value.reason.endswith("which is not a public address")
    assert server.connections == 0
