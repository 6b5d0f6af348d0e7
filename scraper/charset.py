"""Decode HTML bytes the way a browser does: BOM, then the HTTP header, then
``<meta charset>``, then detection. Pure functions.

httpx ignores ``<meta charset>``, and many Vietnamese pages declare
windows-1258 only there; that codec yields decomposed text, so the result is
NFC-normalised. A page labelled latin-1 whose bytes are valid UTF-8 is read as
UTF-8, so every variant of one article hashes alike.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from charset_normalizer import from_bytes

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META = re.compile(
    rb"<meta[^>]+?(?:charset\s*=\s*[\"']?\s*([\w.:-]+)|http-equiv\s*=\s*[\"']?content-type[^>]*?"
    rb"charset\s*=\s*([\w.:-]+))", re.I)
_WESTERN = {"iso8859-1", "latin-1", "ascii", "cp1252"}
PRESCAN = 4096


def _codec(label: str | bytes | None) -> str | None:
    """The Python codec for a charset label, with the WHATWG aliases that matter."""
    if not label:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "ignore")
    label = label.strip().lower()
    if label in ("iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii", "iso8859-1"):
        return "cp1252"
    if label in ("x-user-defined", "utf-7"):
        return None
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def header_charset(content_type: str | None) -> str | None:
    match = _HEADER_CHARSET.search(content_type or "")
    return _codec(match.group(1)) if match else None


def meta_charset(data: bytes) -> str | None:
    match = _META.search(data[:PRESCAN])
    return _codec(match.group(1) or match.group(2)) if match else None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(data: bytes, content_type: str | None = None) -> str:
    """The codec a browser would pick for these bytes."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    declared = header_charset(content_type) or meta_charset(data)
    if declared and codecs.lookup(declared).name in _WESTERN and not data.isascii() and _is_utf8(data):
        return "utf-8"
    if declared:
        return declared
    if data.isascii() or _is_utf8(data):
        return "utf-8"
    best = from_bytes(data[:65536]).best()
    return best.encoding if best else "cp1252"


def decode_html(data: bytes, content_type: str | None = None) -> str:
    """Bytes to NFC text, never raising: undecodable bytes become U+FFFD."""
    encoding = detect_encoding(data, content_type)
    text = data.decode(encoding, errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return unicodedata.normalize("NFC", text)
