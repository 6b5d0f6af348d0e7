"""One log line per meaningful event, as text for people or JSON for machines.

    event("changed", url=..., version=2, fields="title,body")
    -> 2026-11-29T08:00:00Z changed url=https://… version=2 fields=title,body
    -> {"ts": "…", "event": "changed", "url": "https://…", "version": 2, "fields": "title,body"}
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

logger = logging.getLogger("scraper")


class _TextFormatter(logging.Formatter):
    converter = time.gmtime

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", {})
        parts = [self.formatTime(record, "%Y-%m-%dT%H:%M:%SZ"), record.getMessage()]
        parts += [f"{k}={_text(v)}" for k, v in fields.items() if v is not None]
        return " ".join(parts)


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {"ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
                "level": record.levelname.lower(), "event": record.getMessage()}
        data.update({k: v for k, v in getattr(record, "fields", {}).items() if v is not None})
        return json.dumps(data, ensure_ascii=False, default=str)


def _text(value: Any) -> str:
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if (" " in text or not text) else text


def setup(fmt: str = "text", level: int = logging.INFO, stream: Any = None) -> None:
    """Send scraper's events to ``stream`` (stderr) in ``fmt`` ("text" or "json")."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(_JsonFormatter() if fmt == "json" else _TextFormatter())
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False


def event(name: str, level: int = logging.INFO, **fields: Any) -> None:
    logger.log(level, name, extra={"fields": fields})
