"""Text normalisation shared by hashing, storage and search. Pure functions.

``clean`` is what we store: NFC, no control characters, single spaces inside a
paragraph, one blank line between paragraphs. ``fold`` is what we index and
search: no diacritics, đ -> d, lower case, so "Dong Van" finds "Đồng Văn".
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[^\S\n]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200d\ufeff]")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean_line(text: str) -> str:
    """One paragraph: NFC, control characters dropped, whitespace collapsed."""
    return _SPACES.sub(" ", _CONTROL.sub("", nfc(text)).replace("\n", " ")).strip()


def clean(text: str | None) -> str:
    """A multi-paragraph text: paragraphs cleaned and joined by one blank line."""
    if not text:
        return ""
    text = _CONTROL.sub("", nfc(text.replace("\r\n", "\n").replace("\r", "\n")))
    paragraphs = (clean_line(p) for p in _split_paragraphs(text))
    return "\n\n".join(p for p in paragraphs if p)


def _split_paragraphs(text: str) -> list[str]:
    """Split at blank lines, in one linear pass (a regex such as
    ``\\s*\\n\\s*\\n`` rescans a long run of spaces from each of its positions)."""
    paragraphs, current = [], []
    for line in text.split("\n"):
        if line.strip():
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return paragraphs


_FOLD = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o"})


def fold(text: str | None) -> str:
    """Search form: NFD, combining marks stripped, đ -> d, case-folded."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold()
