"""Archive-at-scale benchmark (issue 7, part 4): ``make bench-scale``.

Workload: an archive grown through the real store API (``Archive.save``, 500
saves per ``Archive.batch()`` transaction, ``--batch``) to 1,000,000 versions:
one article in four is new, the others are edits of a recent article (about
four versions per article, 250,000 articles), captured 30 s apart. Texts are
realistic: the annotated bodies, titles and authors of ../shared/eval
(English and others), plus Vietnamese bodies (VnExpress from the annotations,
Tuổi Trẻ and Báo Hà Giang extracted with our extractor); every third article is
Vietnamese. Each version is edited: a paragraph changed, an update line added,
numbers changed. What is scaled down is the raw HTML: each version stores a
compact HTML page of its own text (about 1.1× the text) instead of a real
~200 KB page, so the 1M-version file fits a small disk; the report shows what
real pages would add.

Reported:
- insert rate of the first 10% of versions against the last 10% (target ≥ 0.8);
- file bytes per version against zlib(raw) + text per version;
- full-text search at 1M: 100 queries (Vietnamese with and without
  diacritics, English), p50/p95 of the canned ``search`` query's SQL (read
  from scraper/web/metadata.yaml) run alone in SQLite, and of the same query
  through Datasette over HTTP (target p95 < 100 ms);
- ``scraper serve`` latency of the history page of an article
  (``/<db>/-/history/<id>``) and of facet pages, p50/p95, and of the facet
  pages again with Datasette's suggested facets on (its default; scraper serve turns them off).

Insert rates are also given per CPU second of the bench process, which other
load on the machine blurs less than wall-clock rates.

    .venv/bin/python bench/bench_scale.py [EVAL_DIR] [--versions N] [--batch N] [--db PATH] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import cpu_seconds, percentile, rss_mb, table_bytes  # noqa: E402

from scraper.evaluation.dataset import default_eval_dir, find_datasets  # noqa: E402
from scraper.models import Article, Image  # noqa: E402
from scraper.store import COMPRESS_LEVEL, Archive  # noqa: E402
from scraper.text import fold  # noqa: E402

TARGET_FLAT = 0.8
BATCH = 500  # versions per transaction, as a crawler flushing its results would
TARGET_P95_MS = 100.0
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
WORD = re.compile(r"\w{4,}")
RECENT = 2000  # edits go to one of the newest RECENT articles
SITES = ["baohagiang.vn", "vnexpress.net", "tuoitre.vn", "thanhnien.vn", "news.example.com", "daily.example.org"]


@dataclass(frozen=True)
class Doc:
    title: str
    paragraphs: list[str]
    authors: list[str]
    vietnamese: bool


def corpus(dirs: list[Path]) -> tuple[list[Doc], list[Doc]]:
    """(other docs, Vietnamese docs) from the eval annotations and a few extracted pages."""
    others, vietnamese = [], []
    for dataset in find_datasets(dirs):
        for entry in dataset.entries:
            data = json.loads((dataset.path / f"{entry['id']}.json").read_text(encoding="utf-8"))
            body = data.get("body") or ""
            if len(body) < 500 or not data.get("title"):
                continue
            doc = Doc(data["title"], [p for p in body.split("\n") if p.strip()], data.get("authors") or [],
                      len(VIETNAMESE.findall(body)) > len(body) / 50)
            (vietnamese if doc.vietnamese else others).append(doc)
    vietnamese += extracted_vietnamese(dirs)
    if not vietnamese:
        raise SystemExit("no Vietnamese text found in the eval data")
    return others, vietnamese


def extracted_vietnamese(dirs: list[Path]) -> list[Doc]:
    """Vietnamese pages without an annotated body, through our extractor."""
    from scraper.extract import extract

    found = []
    pages = [p for d in find_datasets(dirs) if d.name == "vi" for p in d.pages()]
    samples = Path(dirs[0]).resolve().parent / "samples"
    texts = [(p.html, p.url or "https://tuoitre.vn/a.htm") for p in pages]
    texts += [(f.read_text(encoding="utf-8", errors="replace"), "https://baohagiang.vn/a.html")
              for f in sorted(samples.glob("*.htm*"))] if samples.is_dir() else []
    for html, url in texts:
        try:
            article = extract(html, url)
        except Exception:  # noqa: BLE001 - a sample that yields nothing is skipped
            continue
        paragraphs = [p for p in (article.body or "").split("\n") if p.strip()]
        if paragraphs and len(VIETNAMESE.findall(article.body)) > len(article.body) / 50:
            found.append(Doc(article.title or paragraphs[0][:80], paragraphs, list(article.authors), True))
    return found


class Generator:
    """The versions to save, in order: new articles and edits of recent ones."""

    def __init__(self, others: list[Doc], vietnamese: list[Doc], seed: int = 7) -> None:
        self.others, self.vietnamese = others, vietnamese
        self.rng = random.Random(seed)
        self.versions: list[int] = []          # versions so far, per article number
        self.docs: list[tuple[Doc, list[str]] | None] = []  # recent articles' docs and current paragraphs

    def next(self, i: int) -> tuple[int, Article, bytes]:
        count = len(self.versions)
        if i % 4 == 0 or not count:
            k = count
            doc = self._doc(k)
            self.versions.append(1)
            self.docs.append((doc, list(doc.paragraphs)))
            if count >= RECENT:
                self.docs[count - RECENT] = None  # never edited again: keep the generator's memory flat
        else:
            k = count - 1 - self.rng.randrange(min(count, RECENT))
            self.versions[k] += 1
            doc, paragraphs = self.docs[k]
            self.docs[k] = (doc, self._edit(paragraphs, doc.vietnamese, i))
        doc, paragraphs = self.docs[k]
        title = f"{doc.title} ({k})" if self.versions[k] < 3 else f"{doc.title} ({k}, cập nhật)"
        body = "\n\n".join(paragraphs)
        site = SITES[k % len(SITES)]
        images = [Image(f"https://{site}/img/{k}-{n}.jpg", paragraphs[n % len(paragraphs)][:80], None)
                  for n in range(k % 3)]
        published = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=2 * k)
        article = Article(title=title, body=body, authors=list(doc.authors), published_at=published,
                          images=images, language="vi" if doc.vietnamese else "en")
        raw = page_html(title, paragraphs)
        return k, article, raw

    def _doc(self, k: int) -> Doc:
        if k % 3 == 0:
            # Vietnamese: paragraphs of all the Vietnamese texts, drawn afresh per article
            base = self.vietnamese[k % len(self.vietnamese)]
            pool = [p for d in self.vietnamese for p in d.paragraphs]
            n = max(4, min(len(pool), len(base.paragraphs)))
            return Doc(base.title, self.rng.sample(pool, n), base.authors, True)
        return self.others[self.rng.randrange(len(self.others))]

    def _edit(self, paragraphs: list[str], vietnamese: bool, i: int) -> list[str]:
        edited = list(paragraphs)
        n = self.rng.randrange(len(edited))
        edited[n] = re.sub(r"\d+", lambda m: str(int(m.group()) + 1), edited[n]) + (
            " (đã sửa)" if vietnamese else " (corrected)")
        stamp = f"{(i // 60) % 24:02d}:{i % 60:02d}"
        edited.append(f"Cập nhật lúc {stamp}: thông tin mới được bổ sung." if vietnamese
                      else f"Updated at {stamp} with new information.")
        return edited


def page_html(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    return (f"<!doctype html><html><head><meta charset=utf-8><title>{title}</title></head><body>"
            f"<article><h1>{title}</h1>\n{body}</article></body></html>").encode()


def grow(db: Path, total: int, gen: Generator, deadline: float | None = None, batch: int = BATCH) -> dict:
    """Save ``total`` versions, ``batch`` per transaction (``Archive.batch``); per-percent
    timings, taken between batches, and what raw + text would weigh."""
    start_at = datetime(2025, 1, 1, tzinfo=UTC)
    marks, raw_z, text, raw_bytes = [], 0, 0, 0
    step = max(1, total // 100)
    batch = max(1, min(batch, step))  # marks fall between batches
    saved = 0
    cpu: list[float] = []  # this process's CPU seconds at each mark: flatness less blurred by other load
    with Archive(db) as archive:
        started, cpu_started = time.perf_counter(), cpu_seconds()
        while saved < total:
            with archive.batch():
                for i in range(saved, min(saved + batch, total)):
                    k, article, raw = gen.next(i)
                    archive.save(url=f"https://{SITES[k % len(SITES)]}/bai-viet/{k}.html", article=article,
                                 raw=raw, source=SITES[k % len(SITES)],
                                 captured_at=start_at + timedelta(seconds=30 * i),
                                 content_type="text/html; charset=utf-8")
                    if i % 50 == 0:  # sample the raw + text baseline on every 50th version
                        raw_z += len(zlib.compress(raw, COMPRESS_LEVEL)) * 50
                        raw_bytes += len(raw) * 50
                        text += (len(article.body.encode()) + len(article.title.encode())) * 50
            before, saved = saved, min(saved + batch, total)
            if saved // 100_000 > before // 100_000:
                archive.checkpoint()  # what the daemon's maintenance job does every 10 minutes
            if saved // step > before // step:
                marks.append(time.perf_counter() - started)
                cpu.append(cpu_seconds() - cpu_started)
                _progress(saved, step, marks)
                if deadline is not None and marks[-1] > deadline and len(marks) >= 20:
                    print(f"  deadline reached: stopping at {saved:,} versions", file=sys.stderr, flush=True)
                    break
        archive.checkpoint()
        counts = {t: archive.count(t) for t in ("articles", "versions", "images", "pages")}
    return {"marks": marks, "step": step, "total": saved, "asked": total, "seconds": time.perf_counter() - started,
            "raw_z": raw_z, "raw_bytes": raw_bytes, "text": text, "counts": counts, "batch": batch, "cpu": cpu}


def _progress(saved: int, step: int, marks: list[float]) -> None:
    if len(marks) % 10 == 0:
        last = step / (marks[-1] - (marks[-2] if len(marks) > 1 else 0))
        print(f"  {saved:>9,} versions  {marks[-1]:7.0f} s  last 1%: {last:6.0f}/s  RSS {rss_mb():.0f} MB",
              file=sys.stderr, flush=True)


def queries(others: list[Doc], vietnamese: list[Doc], n: int = 100, seed: int = 11) -> list[tuple[str, str]]:
    """(kind, query): Vietnamese words and two-word phrases with diacritics, the
    same folded, and English words; drawn from the texts in the archive."""
    rng = random.Random(seed)
    vi_words = sorted({w for d in vietnamese for p in d.paragraphs for w in WORD.findall(p)
                       if VIETNAMESE.search(w)})
    vi_pairs = sorted({" ".join(pair) for d in vietnamese for p in d.paragraphs
                       for pair in zip(p.split(), p.split()[1:], strict=False) if all(w.isalpha() for w in pair)})
    en_words = sorted({w for d in others[:200] for p in d.paragraphs for w in WORD.findall(p)
                       if w.isascii() and w.isalpha()})
    out = []
    for i in range(n):
        kind = ("vi", "vi folded", "en")[i % 3]
        if kind == "en":
            out.append((kind, rng.choice(en_words)))
        else:
            text = rng.choice(vi_pairs) if i % 2 else rng.choice(vi_words)
            out.append((kind, text if kind == "vi" else fold(text)))
    return out


def canned_search_sql() -> str:
    """The SQL of Datasette's canned ``search`` query, from scraper/web/metadata.yaml."""
    import yaml

    from scraper.web import serve

    metadata = yaml.safe_load((Path(serve.__file__).parent / "metadata.yaml").read_text(encoding="utf-8"))
    return metadata["databases"]["archive"]["queries"]["search"]["sql"]


def search_latency(db: Path, qs: list[tuple[str, str]]) -> dict:
    """The canned search query's SQL alone, run in SQLite with the plugin's
    ``scraper_fts_query`` (folded, each word quoted), top 100; and how many
    articles each query matches in all."""
    import sqlite3

    from scraper.web.plugins.scraper_archive import fts_query

    sql = canned_search_sql()
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.create_function("scraper_fts_query", 1, fts_query, deterministic=True)
    times, hits, matches = [], [], []
    for _kind, q in qs:
        t = time.perf_counter()
        rows = conn.execute(sql, {"q": q}).fetchall()
        times.append((time.perf_counter() - t) * 1000)
        hits.append(len(rows))
        matches.append(conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?",
                                    [fts_query(q)]).fetchone()[0])
    conn.close()
    return {"p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95), "max_ms": max(times),
            "mean_hits": sum(hits) / len(hits), "zero_hits": sum(1 for h in hits if h == 0),
            "matches_p50": percentile(matches, 50), "matches_max": max(matches),
            "sql": " ".join(re.sub(r"--[^\n]*", "", sql).split())}


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@contextmanager
def served(db: Path, *extra: str) -> Iterator[Callable[[list[str]], dict]]:
    """A real ``scraper serve`` of ``db`` (``extra``: more Datasette options), and a
    function timing GETs of a list of paths on it."""
    import httpx

    port = free_port()
    log = tempfile.TemporaryFile()
    server = subprocess.Popen([str(Path(sys.executable).parent / "scraper"), "serve", "--db", str(db),
                               "--port", str(port), *extra], stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(timeout=120) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    client.get(f"{base}/-/versions.json")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        log.seek(0)
                        raise SystemExit(f"scraper serve did not start: {log.read().decode()[-2000:]}") from None
                    time.sleep(0.2)

            def timed(paths: list[str]) -> dict:
                times, statuses = [], set()
                for path in paths:
                    t = time.perf_counter()
                    response = client.get(base + path)
                    times.append((time.perf_counter() - t) * 1000)
                    statuses.add(response.status_code)
                return {"n": len(paths), "p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95),
                        "max_ms": max(times), "statuses": sorted(statuses)}

            yield timed
    finally:
        server.terminate()
        server.wait(30)
        log.close()


def datasette_latency(db: Path, qs: list[tuple[str, str]], article_ids: list[int]) -> dict:
    """Pages of a real ``scraper serve``: history, facet pages, the canned search; and
    the facet pages again with Datasette's suggested facets on (its default; scraper
    serve turns them off)."""
    import httpx

    name = db.stem
    facets = ([f"/{name}/versions?_facet=kind&_facet=changed_fields&article_id__lt={i}" for i in article_ids[:10]]
              + [f"/{name}/articles?_facet=source&_facet=language" for _ in range(10)])
    with served(db) as timed:
        timed([f"/{name}/-/history/{article_ids[0]}"])  # warm-up
        figures = {
            "history": timed([f"/{name}/-/history/{i}" for i in article_ids]),
            "facet": timed(facets),
            "search": timed([f"/{name}/search?" + str(httpx.QueryParams({"q": q})) for _k, q in qs]),
        }
    with served(db, "--setting", "suggest_facets", "on") as timed:
        figures["facet_suggested"] = timed(facets)
    return figures


def report(f: dict) -> str:
    g = f["grow"]
    marks = g["marks"]
    tenth = len(marks) // 10
    first = tenth * g["step"] / marks[tenth - 1]
    last = tenth * g["step"] / (marks[-1] - marks[-1 - tenth])
    sizes = f["tables"]
    per_version = f["file_bytes"] / g["counts"]["versions"]
    baseline = (g["raw_z"] + g["text"]) / g["total"]
    lines = [
        "== archive scale benchmark (part 4)",
        f"workload: {g['total']:,} versions through Archive.save, {g['batch']} per Archive.batch() "
        f"({g['counts']['articles']:,} articles, "
        f"{g['counts']['images']:,} images, one in three articles Vietnamese); raw HTML scaled down to a compact "
        f"page of the text (mean {g['raw_bytes'] / g['total'] / 1e3:.1f} kB; real eval pages average "
        f"~210 kB); {f['disk_before']}",
        *([f"STOPPED BY --deadline at {g['total']:,} of {g['asked']:,} versions: figures are at this size"]
          if g["total"] < g["asked"] else []),
        f"grew in {g['seconds'] / 60:.1f} min ({g['total'] / g['seconds']:.0f} versions/s); whole bench "
        f"{f['wall'] / 60:.1f} min",
        "",
        f"{'figure':<44}{'reference':>14}{'ours':>14}{'ratio':>9}   target",
        f"{'insert rate, last 10% vs first 10%':<44}{first:>10.0f} v/s{last:>10.0f} v/s{last / first:>8.2f}×"
        f"   ≥ {TARGET_FLAT}  {_met(last / first >= TARGET_FLAT)}",
        f"{'file bytes per version vs zlib(raw)+text':<44}{baseline:>12.0f} B{per_version:>12.0f} B"
        f"{per_version / baseline:>8.2f}×   (report)",
        *measured(f),
        f"file: {f['file_bytes'] / 1e9:.2f} GB; largest parts: " + ", ".join(
            f"{k} {v / 1e6:.0f} MB" for k, v in sorted(sizes.items(), key=lambda kv: -kv[1])[:6]),
        "insert rate per 10% of versions (versions/s): " + " ".join(_rates(marks, tenth, g["step"])),
        "the same per CPU second of the bench process (versions/cpu-s): " + " ".join(_rates(g["cpu"], tenth, g["step"]))
        + f"; last/first {_ratio(g['cpu'], tenth):.2f}×",
    ]
    return "\n".join(lines)


def measured(f: dict) -> list[str]:
    """The report's lines on search and Datasette pages."""
    cold, s, d = f["search_cold"], f["search"], f["datasette"]
    return [
        f"{'canned search SQL alone, 1st pass, p50 / p95':<44}{'':>14}{cold['p50_ms']:>6.1f}/"
        f"{cold['p95_ms']:.1f} ms   (right after the growth: index pages not yet in the OS cache)",
        f"{'canned search SQL alone, 2nd pass, p50 / p95':<44}{'':>14}{s['p50_ms']:>6.1f}/{s['p95_ms']:.1f} ms"
        f"{'':>9}   p95 < {TARGET_P95_MS:.0f} ms  {_met(s['p95_ms'] < TARGET_P95_MS)}",
        f"{'Datasette canned search, p50 / p95':<44}{'':>14}{d['search']['p50_ms']:>6.1f}/"
        f"{d['search']['p95_ms']:.1f} ms{'':>9}   p95 < {TARGET_P95_MS:.0f} ms  "
        f"{_met(d['search']['p95_ms'] < TARGET_P95_MS)}",
        f"{'Datasette history page, p50 / p95':<44}{'':>14}{d['history']['p50_ms']:>6.1f}/"
        f"{d['history']['p95_ms']:.1f} ms   ({d['history']['n']} articles, HTTP {d['history']['statuses']})",
        f"{'Datasette facet pages, p50 / p95':<44}{'':>14}{d['facet']['p50_ms']:>6.1f}/"
        f"{d['facet']['p95_ms']:.1f} ms   (versions by kind+changed_fields, articles by source+language;"
        f" HTTP {d['facet']['statuses']})",
        f"{'  the same, suggested facets on':<44}{'':>14}{d['facet_suggested']['p50_ms']:>6.1f}/"
        f"{d['facet_suggested']['p95_ms']:.1f} ms   (Datasette's default; scraper serve turns it off; HTTP "
        f"{d['facet_suggested']['statuses']})",
        f"search hits: mean {s['mean_hits']:.0f} of the top 100, {s['zero_hits']} queries with none; articles "
        f"matching a query: median {s['matches_p50']:,.0f}, most {s['matches_max']:,}; "
        f"queries: {', '.join(q for _, q in f['queries'][:6])} ...",
        f"search SQL measured (metadata.yaml's canned 'search'): {s['sql']}",
    ]


def _rates(marks: list[float], tenth: int, step: int) -> list[str]:
    return [f"{tenth * step / (marks[i + tenth - 1] - (marks[i - 1] if i else 0)):.0f}"
            for i in range(0, len(marks) - tenth + 1, tenth)]


def _ratio(marks: list[float], tenth: int) -> float:
    """Rate of the last ``tenth`` marks over that of the first."""
    return marks[tenth - 1] / (marks[-1] - marks[-1 - tenth])


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", nargs="*", type=Path, help="eval datasets (default ../shared/eval)")
    parser.add_argument("--versions", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None, help="grow the archive here and keep it (default: temp)")
    parser.add_argument("--deadline", type=float, default=None,
                        help="stop growing after this many seconds and measure at the size reached")
    parser.add_argument("--batch", type=int, default=BATCH, help="versions per Archive.batch() transaction")
    parser.add_argument("--remeasure", action="store_true",
                        help="measure search and Datasette pages of the existing --db again, without growing it")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    dirs = args.dirs or [default_eval_dir()]
    wall = time.perf_counter()
    disk = subprocess.run(["df", "-h", "/work"], capture_output=True, text=True).stdout.splitlines()[-1].split()
    disk_before = f"disk before: {disk[3]} free of {disk[1]} on /work"
    print(f"  {disk_before}", file=sys.stderr, flush=True)
    if args.remeasure:
        return remeasure(args.db, dirs, args.json)
    tmp = None
    if args.db is None:
        tmp = Path(tempfile.mkdtemp(prefix="scraper-bench-scale-"))
        db = tmp / "archive.db"
    else:
        db = args.db
        if db.exists():
            raise SystemExit(f"{db} exists; give a new path")
    try:
        others, vietnamese = corpus(dirs)
        gen = Generator(others, vietnamese)
        grown = grow(db, args.versions, gen, args.deadline, args.batch)
        figures = {"grow": grown, **measure(db, others, vietnamese, grown["counts"]["articles"]),
                   "tables": table_bytes(db), "file_bytes": db.stat().st_size, "disk_before": disk_before,
                   "wall": time.perf_counter() - wall}
        print(json.dumps(figures, indent=1) if args.json else report(figures))
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


def measure(db: Path, others: list[Doc], vietnamese: list[Doc], articles: int) -> dict:
    """Search twice (the first pass reads the index from disk), then Datasette's pages."""
    qs = queries(others, vietnamese)
    cold = search_latency(db, qs)
    search = search_latency(db, qs)
    ids = random.Random(3).sample(range(1, articles + 1), 20)
    return {"search_cold": cold, "search": search, "datasette": datasette_latency(db, qs, ids), "queries": qs}


def remeasure(db: Path | None, dirs: list[Path], as_json: bool) -> int:
    if db is None or not db.exists():
        raise SystemExit("--remeasure needs the --db of an earlier run")
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    versions, articles = (conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("versions", "articles"))
    conn.close()
    figures = measure(db, *corpus(dirs), articles)
    print(json.dumps(figures, indent=1) if as_json else "\n".join(
        [f"== archive scale benchmark (part 4), measured again on {db} ({versions:,} versions, {articles:,} articles)",
         *measured(figures)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
