"""What a reader sees in Datasette: metadata, canned queries, history pages, feeds.

    metadata.yaml               table/column descriptions, sorts, facets, canned queries
    plugins/scraper_archive.py  the Datasette plugin (history route, SQL functions, cells, .atom)
    templates/                  the history page
    static/scraper.css          its styles
    history.py                  versions -> word-level diffs (pure)
    feed.py                     query rows -> Atom XML (pure)
    serve.py                    ``scraper serve``: runs Datasette with all of the above
"""

from pathlib import Path

WEB_DIR = Path(__file__).parent
METADATA = WEB_DIR / "metadata.yaml"
PLUGINS_DIR = WEB_DIR / "plugins"
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
