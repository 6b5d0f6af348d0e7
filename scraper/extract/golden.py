"""Regenerate the golden extraction files for review in git.

    python -m scraper.extract.golden tests/fixtures/pages

Every ``<site>/<date>_<slug>.html`` under the directory is extracted (with
the page's own ``<link rel=canonical>`` as its URL) and its ``.json`` beside
it is rewritten with ``Article.to_dict()``. Review the diff before committing.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from . import extract

_CANONICAL = re.compile(rb"<link[^>]+rel=[\"']?canonical[\"']?[^>]*href=[\"']([^\"']+)", re.I)


def page_url(html: bytes) -> str | None:
    """The URL a golden page is extracted with: its canonical link."""
    match = _CANONICAL.search(html)
    return match.group(1).decode("utf-8", "replace") if match else None


def expected_path(page: Path) -> Path:
    return page.with_suffix(".json")


def render(page: Path) -> str:
    html = page.read_bytes()
    article = extract(html, page_url(html))
    return json.dumps(article.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def pages(root: Path) -> list[Path]:
    return sorted(root.glob("*/*.html"))


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    root = Path(args[0] if args else "tests/fixtures/pages")
    changed = 0
    for page in pages(root):
        target = expected_path(page)
        text = render(page)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            changed += 1
            print(f"wrote {target}")
    print(f"{changed} of {len(pages(root))} golden files changed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
