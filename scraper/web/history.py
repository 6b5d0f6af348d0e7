"""An article's history as a reader sees it: versions, what changed, word diffs.

Pure functions over plain rows (dicts as the ``versions`` and ``images`` tables
hold them); the Datasette plugin reads the rows and renders what this builds.
Nothing here produces HTML: the template escapes every string, so scraped
text can never become markup.

    versions rows ──build_history──> [VersionView] ──template/JSON──> reader
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from typing import Any

# The fields of a version, in the order the store lists them in changed_fields.
FIELDS = ("title", "published_at", "authors", "body", "images")
LABELS = {"title": "Title", "published_at": "Published", "authors": "Authors", "body": "Body",
          "images": "Images"}

EQUAL, DELETE, INSERT, SKIP = "equal", "delete", "insert", "skip"
PARAGRAPH = "\n\n"
_TOKEN = re.compile(r"\n\s*\n|\S+")


@dataclass(frozen=True)
class Span:
    """A run of words that are unchanged, deleted or inserted; ``skip`` stands
    for a long unchanged run left out (its text says how many words)."""

    op: str
    text: str


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    spans: list[Span]


@dataclass(frozen=True)
class ImageView:
    url: str | None
    caption: str | None
    credit: str | None
    safe_url: str | None  # the URL when it is http(s), else None: only these become links


@dataclass(frozen=True)
class VersionView:
    version: int
    captured_at: str
    kind: str | None
    title: str | None
    published_at: str | None
    authors: list[str]
    body: str
    images: list[ImageView]
    changed: list[str]
    changes: list[FieldChange] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def safe_url(url: Any) -> str | None:
    """``url`` if it is an absolute http(s) URL without whitespace, else None."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not re.match(r"^https?://[^\s/]", url, re.I) or re.search(r"\s", url):
        return None
    return url


def tokens(text: str | None) -> list[str]:
    """Words, with each paragraph break kept as one token of its own."""
    return [PARAGRAPH if t.isspace() else t for t in _TOKEN.findall(text or "")]


def _join(words: list[str]) -> str:
    return " ".join(words).replace(f" {PARAGRAPH} ", PARAGRAPH).replace(f"{PARAGRAPH} ", PARAGRAPH) \
        .replace(f" {PARAGRAPH}", PARAGRAPH)


def word_diff(old: str | None, new: str | None, context: int | None = 12) -> list[Span]:
    """A word-level diff of two texts. Unchanged runs longer than twice
    ``context`` words keep ``context`` words on each side of a change."""
    a, b = tokens(old), tokens(new)
    opcodes = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    spans: list[Span] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == EQUAL:
            spans.extend(_equal(a[i1:i2], context, first=index == 0, last=index == len(opcodes) - 1))
            continue
        if i2 > i1:
            spans.append(Span(DELETE, _join(a[i1:i2])))
        if j2 > j1:
            spans.append(Span(INSERT, _join(b[j1:j2])))
    return spans


def _equal(words: list[str], context: int | None, *, first: bool, last: bool) -> list[Span]:
    if context is None or len(words) <= 2 * context:
        return [Span(EQUAL, _join(words))]
    head = [] if first else words[:context]
    tail = [] if last else words[-context:]
    hidden = sum(w != PARAGRAPH for w in words[len(head):len(words) - len(tail)])
    spans = [Span(EQUAL, _join(head))] if head else []
    spans.append(Span(SKIP, f"… {hidden} unchanged words …"))
    if tail:
        spans.append(Span(EQUAL, _join(tail)))
    return spans


def json_list(value: Any) -> list[str]:
    """A JSON array column (authors, changed_fields) as a list of strings."""
    if isinstance(value, list):
        return [str(a) for a in value]
    try:
        parsed = json.loads(value or "[]")
    except (TypeError, ValueError):
        return [str(value)]
    return [str(a) for a in parsed] if isinstance(parsed, list) else [str(parsed)]


def image_line(image: ImageView) -> str:
    parts = [image.url or ""]
    if image.caption:
        parts.append(f"— {image.caption}")
    if image.credit:
        parts.append(f"({image.credit})")
    return " ".join(parts)


def _field_text(view: VersionView, name: str) -> str:
    if name == "authors":
        return ", ".join(view.authors)
    if name == "images":
        return PARAGRAPH.join(image_line(i) for i in view.images)
    return getattr(view, name, None) or ""


def version_view(row: dict[str, Any], images: list[dict[str, Any]]) -> VersionView:
    """One ``versions`` row and its ``images`` rows, without any comparison yet."""
    return VersionView(
        version=row["version"], captured_at=row["captured_at"], kind=row.get("kind"),
        title=row.get("title"), published_at=row.get("published_at"),
        authors=json_list(row.get("authors")), body=row.get("body") or "",
        images=[ImageView(i.get("url"), i.get("caption"), i.get("credit"), safe_url(i.get("url")))
                for i in sorted(images, key=lambda i: i.get("position") or 0)],
        changed=json_list(row.get("changed_fields")))


def compare(previous: VersionView, current: VersionView, context: int | None = 12) -> list[FieldChange]:
    """The word diff of each field that differs between two versions."""
    changes = []
    for name in FIELDS:
        old, new = _field_text(previous, name), _field_text(current, name)
        if old != new:
            changes.append(FieldChange(name, LABELS[name], word_diff(old, new, context)))
    return changes


def build_history(rows: list[dict[str, Any]], images: dict[int, list[dict[str, Any]]],
                  context: int | None = 12) -> list[VersionView]:
    """Every version in order, each compared with the one before it.

    ``rows`` are ``versions`` rows of one article; ``images`` maps a version
    row id to its image rows."""
    views: list[VersionView] = []
    for row in sorted(rows, key=lambda r: r["version"]):
        view = version_view(row, images.get(row["id"], []))
        if views:
            view = VersionView(**{**view.__dict__, "changes": compare(views[-1], view, context)})
        views.append(view)
    return views


def summary(changes: list[FieldChange], limit: int = 160) -> str:
    """A one-paragraph plain-text account of the changes, for feeds and lists:
    ``Title: −"old words" +"new words"``."""
    parts = []
    for change in changes:
        edits = [("−" if s.op == DELETE else "+") + f"“{s.text}”" for s in change.spans
                 if s.op in (DELETE, INSERT)]
        text = " ".join(edits).replace(PARAGRAPH, " ¶ ")
        if len(text) > limit:
            text = text[:limit - 1].rstrip() + "…"
        parts.append(f"{change.label}: {text}")
    return "; ".join(parts)
