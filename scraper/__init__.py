"""scraper: archive news articles, and every later edit, into one SQLite file."""

from .config import __version__

__all__ = ["__version__"]
