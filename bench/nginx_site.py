"""A local news site for the benchmarks: eval pages served by a real nginx.

    with NginxSite.build(eval_dirs, pages=10_000, hosts=50) as site:   # bench/nginx_site.py
        site.urls            # http://127.0.0.<k>:<port>/a/<n>.html, page n on host k = 1 + n % hosts
        site.set_conditional(False)   # stop answering 304 (or set_conditional(root, False) elsewhere)

The pages are the raw bytes of ``../shared/eval`` pages (read at bench time,
written to a temporary directory, deleted afterwards; never committed),
reused round-robin. Each copy loses its ``<link rel=canonical>`` and
``og:url`` (so a copy is its own article, as on a real site) and gains a
comment naming its number (so no two copies are byte-identical and the
archive's page store cannot share them). The hosts are 50 loopback addresses
(127.0.0.1 to 127.0.0.50, all of 127/8 is loopback on Linux), not 50 ports of
one address: the crawler counts URLs per host name, without the port, so 50
ports would be one host to it. nginx runs in the foreground as our
child (``daemon off``), one worker, ETag and Last-Modified on, access log with
``$msec`` so a benchmark can see when each request arrived.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from scraper.evaluation.dataset import find_datasets

NGINX = "/usr/sbin/nginx"
ASCII_COMPATIBLE = re.compile(r"utf-?8|ascii|latin|iso-?8859|windows|cp125|gb|big5|shift|euc|koi|tis", re.I)
CANONICAL = re.compile(rb"<link\b[^>]*\brel=[\"']?canonical\b[^>]*>", re.I)
OG_URL = re.compile(rb"<meta\b[^>]*\bproperty=[\"']?og:url\b[^>]*>", re.I)
HEAD = re.compile(rb"<head\b[^>]*>", re.I)


def ensure_nginx() -> str:
    """nginx from Debian's packages, installed now if missing (the bench runs as root)."""
    if Path(NGINX).exists():
        return NGINX
    if os.geteuid() != 0:
        raise SystemExit("nginx is missing and we are not root: apt-get install -y nginx")
    print("installing nginx from Debian's packages ...", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "nginx"], check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return NGINX


def source_pages(eval_dirs: list[Path]) -> list[bytes]:
    """The raw bytes of every eval page in an ASCII-compatible encoding."""
    pages = []
    for dataset in find_datasets(eval_dirs):
        for entry in dataset.entries:
            if not ASCII_COMPATIBLE.search(entry.get("encoding") or "utf-8"):
                continue
            pages.append(gzip.decompress((dataset.path / f"{entry['id']}.html.gz").read_bytes()))
    if not pages:
        raise SystemExit(f"no eval pages under {eval_dirs}")
    return pages


def copy_of(raw: bytes, number: int) -> bytes:
    """Page ``number`` of the site, made from one eval page."""
    body = OG_URL.sub(b"", CANONICAL.sub(b"", raw))
    mark = f"<!-- bench page {number} -->".encode()
    found = HEAD.search(body)
    return body[:found.end()] + mark + body[found.end():] if found else mark + body


def free_hosts(count: int) -> list[str]:
    """``count`` loopback "address:port" pairs, 127.0.0.1 up, one port free on all of them."""
    addresses = [f"127.0.0.{k}" for k in range(1, count + 1)]
    for _ in range(50):
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        try:
            for address in addresses:
                with socket.socket() as s:
                    s.bind((address, port))
        except OSError:
            continue
        return [f"{address}:{port}" for address in addresses]
    raise SystemExit("no port free on all the loopback addresses")


def write_validators(root: Path, on: bool) -> None:
    (root / "validators.conf").write_text("etag on; if_modified_since exact;\n" if on
                                          else "etag off; if_modified_since off;\n")


def set_conditional(root: Path, on: bool) -> None:
    """Reload the nginx serving ``root`` so it answers validators with 304 (on), or
    ignores them and sends 200 with the same bytes (off). Usable from another process."""
    write_validators(root, on)
    os.kill(int((root / "nginx.pid").read_text()), signal.SIGHUP)
    time.sleep(1.0)  # the old worker finishes its requests, a new one takes the config


@dataclass
class NginxSite:
    root: Path
    hosts: list[str]
    urls: list[str]
    bytes_total: int
    sources: int
    process: subprocess.Popen | None = None
    conditional: bool = True
    _cleanup: list[Path] = field(default_factory=list)

    @classmethod
    def build(cls, eval_dirs: list[Path], *, pages: int = 10_000, hosts: int = 50,
              workdir: Path | None = None) -> NginxSite:
        ensure_nginx()
        root = Path(tempfile.mkdtemp(prefix="scraper-bench-site-", dir=workdir))
        root.chmod(0o755)
        docs = root / "html" / "a"
        docs.mkdir(parents=True)
        raws = source_pages(eval_dirs)
        chosen = free_hosts(hosts)
        urls, total = [], 0
        for n in range(pages):
            data = copy_of(raws[n % len(raws)], n)
            (docs / f"{n}.html").write_bytes(data)
            total += len(data)
            urls.append(f"http://{chosen[n % hosts]}/a/{n}.html")
        (root / "html" / "robots.txt").write_text("User-agent: *\nAllow: /\n")
        os.chmod(root / "html", 0o755)
        os.chmod(docs, 0o755)
        site = cls(root, chosen, urls, total, len(raws))
        site._cleanup.append(root)
        return site

    # ---- nginx -------------------------------------------------------------

    def _write_conf(self) -> None:
        servers = "\n".join(f"    server {{ listen {h} backlog=4096; root {self.root}/html; }}"
                            for h in self.hosts)
        write_validators(self.root, self.conditional)
        (self.root / "nginx.conf").write_text(f"""
daemon off;
master_process on;
worker_processes 1;
user root;
pid {self.root}/nginx.pid;
error_log {self.root}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    types {{ text/html html; text/plain txt; }}
    default_type application/octet-stream;
    log_format bench '$msec $request_uri $status';
    access_log {self.root}/access.log bench buffer=256k flush=1s;
    sendfile on;
    keepalive_requests 100000;
    open_file_cache max=20000;
    include {self.root}/validators.conf;
{servers}
}}
""")

    def start(self) -> None:
        self._write_conf()
        self.process = subprocess.Popen([NGINX, "-p", str(self.root), "-c", str(self.root / "nginx.conf"),
                                         "-e", str(self.root / "error.log")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait_listening()

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + 10
        for host in self.hosts:
            address, port = host.rsplit(":", 1)
            while True:
                try:
                    socket.create_connection((address, int(port)), timeout=1).close()
                    break
                except OSError:
                    if self.process and self.process.poll() is not None:
                        raise SystemExit(f"nginx exited: {self.process.stderr.read().decode()}")
                    if time.monotonic() > deadline:
                        raise SystemExit(f"nginx did not listen on {host}")
                    time.sleep(0.05)

    def set_conditional(self, on: bool) -> None:
        """Answer conditional GETs with 304 (on) or ignore validators and send 200 (off)."""
        self.conditional = on
        set_conditional(self.root, on)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def access_log(self) -> list[tuple[float, str, int]]:
        """(arrival time as epoch seconds, URI, status) of every request so far."""
        out = []
        path = self.root / "access.log"
        if path.exists():
            for line in path.read_text().splitlines():
                parts = line.split()
                if len(parts) == 3:
                    out.append((float(parts[0]), parts[1], int(parts[2])))
        return out

    def __enter__(self) -> NginxSite:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        for path in self._cleanup:
            shutil.rmtree(path, ignore_errors=True)
