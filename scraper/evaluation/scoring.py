"""The scoring definitions of ``../shared/eval/README.md``, as pure functions.

Each function scores one page; ``aggregate_*`` helpers turn the per-page
values into the dataset figure. Nothing here knows about files or extractors.

- body: bag-of-words (n=1) and 4-gram shingle tp/fp/fn, normalised per page
  so that tp + fp + fn = 1, exactly as the article-extraction-benchmark's
  ``evaluate.py`` computes them; precision and recall are averaged over pages
  separately and F1 is the harmonic mean of the two means.
- body snippets: trafilatura's tp/fn/fp/tn over ``body_with``/``body_without``.
- title: normalised exact match, and token F1.
- published: day accuracy and minute accuracy.
- authors: set F1 over split, normalised names.
- images: recall of annotated URLs, any variant counting as a hit.
"""

from __future__ import annotations

import html
import re
import string
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timezone
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

# --------------------------------------------------------------------- body

_TOKEN = re.compile(r"\w+")


def tokens(text: str | None) -> list[str]:
    """The benchmark's tokens: ``re.findall(r"\\w+", text)``."""
    return _TOKEN.findall(text or "")


def shingles(text: str | None, n: int) -> Counter[str]:
    """Multiset of n-gram shingles. A text shorter than n tokens is one shingle,
    an empty text none (as in the benchmark's ``_ngrams``)."""
    toks = tokens(text)
    grams = (" ".join(toks[i:i + n]) for i in range(max(1, len(toks) - n + 1)))
    return Counter(g for g in grams if g)


@dataclass(frozen=True)
class Overlap:
    """tp, fp and fn of one page, normalised so that they sum to 1 (or all 0)."""

    tp: float
    fp: float
    fn: float


def body_overlap(truth: str | None, prediction: str | None, n: int = 1) -> Overlap:
    """Token (n=1) or shingle overlap of one page's body."""
    true_counts, pred_counts = shingles(truth, n), shingles(prediction, n)
    tp = fp = fn = 0
    for key in true_counts.keys() | pred_counts.keys():
        t, p = true_counts.get(key, 0), pred_counts.get(key, 0)
        tp += min(t, p)
        fp += max(0, p - t)
        fn += max(0, t - p)
    total = tp + fp + fn
    if total == 0:
        return Overlap(0.0, 0.0, 0.0)
    return Overlap(tp / total, fp / total, fn / total)


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 of a dataset."""

    precision: float
    recall: float
    f1: float


def aggregate_body(overlaps: list[Overlap]) -> PRF:
    """Mean precision over pages with a prediction, mean recall over pages with
    a body, and the harmonic mean of those two means."""
    precisions = [o.tp / (o.tp + o.fp) for o in overlaps if o.tp + o.fp > 0]
    recalls = [o.tp / (o.tp + o.fn) for o in overlaps if o.tp + o.fn > 0]
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    return PRF(p, r, 2 * p * r / (p + r) if p + r else 0.0)


# ----------------------------------------------------------------- snippets

_WS = re.compile(r"\s+")


_INVISIBLE = str.maketrans("", "", "\u00ad\u200b\u2060\ufeff")  # soft hyphen, zero-width space, word joiner, BOM


def squash(text: str | None) -> str:
    """Whitespace collapsed to single spaces and stripped; soft hyphens and
    zero-width characters dropped, as the titles already drop them (a
    hyphenation hint in an annotated snippet is not a different text)."""
    text = text or ""
    if "\u00ad" in text or "\u200b" in text or "\u2060" in text or "\ufeff" in text:
        text = text.translate(_INVISIBLE)
    return _WS.sub(" ", text).strip()


@dataclass(frozen=True)
class SnippetCounts:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0

    def __add__(self, other: SnippetCounts) -> SnippetCounts:
        return SnippetCounts(self.tp + other.tp, self.fn + other.fn, self.fp + other.fp, self.tn + other.tn)

    @property
    def f1(self) -> float:
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else 0.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0


def snippet_counts(body: str | None, must: list[str], must_not: list[str]) -> SnippetCounts:
    """trafilatura's evaluation: each wanted snippet found is a tp, missed a fn;
    each unwanted snippet found is a fp, absent a tn. No body finds nothing."""
    text = squash(body)
    wanted = [squash(s) for s in must if squash(s)]
    unwanted = [squash(s) for s in must_not if squash(s)]
    tp = sum(1 for s in wanted if text and s in text)
    fp = sum(1 for s in unwanted if text and s in text)
    return SnippetCounts(tp=tp, fn=len(wanted) - tp, fp=fp, tn=len(unwanted) - fp)


# -------------------------------------------------------------------- title

_ASCII = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
})


def _is_punct(char: str) -> bool:
    """Unicode punctuation, and ASCII punctuation such as | + $ that Unicode files as symbols."""
    return char in string.punctuation or unicodedata.category(char).startswith("P")


def normalise_text(text: str | None) -> str:
    """NFKC, HTML unescaped, curly quotes and dashes to ASCII, casefolded,
    punctuation to spaces, whitespace collapsed. Invisible format characters
    (soft hyphens, zero-width spaces) are dropped: a title is not another
    title because of a hyphenation hint."""
    if not text:
        return ""
    text = html.unescape(unicodedata.normalize("NFKC", text)).translate(_ASCII).casefold()
    text = "".join(" " if _is_punct(c) else c for c in text if unicodedata.category(c) != "Cf")
    return squash(text)


def title_exact(truth: str, prediction: str | None) -> bool:
    return bool(prediction) and normalise_text(truth) == normalise_text(prediction)


def token_f1(truth: str, prediction: str | None) -> float:
    """Multiset F1 of the normalised titles' whitespace tokens."""
    true_tokens, pred_tokens = Counter(normalise_text(truth).split()), Counter(normalise_text(prediction).split())
    common = sum((true_tokens & pred_tokens).values())
    if not common:
        return 0.0
    p, r = common / sum(pred_tokens.values()), common / sum(true_tokens.values())
    return 2 * p * r / (p + r)


# ---------------------------------------------------------------- published


@dataclass(frozen=True)
class Stamp:
    """A point in time as a page or an annotation gives it: ``value`` is naive
    when no offset is known; ``has_time`` is False for a bare date."""

    value: datetime
    has_time: bool = True

    @property
    def aware(self) -> bool:
        return self.value.tzinfo is not None


_DATE_ONLY = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")


def parse_stamp(text: str | None, has_time: bool | None = None) -> Stamp | None:
    """An ISO 8601 string as a Stamp; None when empty or unreadable.
    ``has_time`` overrides what the string's shape says."""
    if not text or not isinstance(text, str):
        return None
    raw = text.strip()
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        try:
            value = datetime.fromisoformat(raw.replace(" ", "T", 1))
        except ValueError:
            return None
    if has_time is None:
        has_time = not _DATE_ONLY.match(raw)
    return Stamp(value, has_time)


def stamp_of(value: datetime | date | str | None) -> Stamp | None:
    """What an extractor returned, as a Stamp."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return Stamp(value, True)
    if isinstance(value, date):
        return Stamp(datetime(value.year, value.month, value.day), False)
    return parse_stamp(value)


def day_correct(truth: Stamp, prediction: Stamp | None) -> bool:
    """Same calendar day, after converting the prediction to the annotation's
    offset when both have one. A missing answer is wrong."""
    if prediction is None:
        return False
    predicted = prediction.value
    if truth.aware and prediction.aware and prediction.has_time:
        predicted = predicted.astimezone(truth.value.tzinfo)
    return predicted.date() == truth.value.date()


def _minute(value: datetime) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.replace(second=0, microsecond=0)


def minute_correct(truth: Stamp, prediction: Stamp | None) -> bool:
    """The same instant to the minute, in UTC. Counted only where the
    annotation has a time (the caller skips the others). A prediction without
    a time is wrong; where either side lacks an offset, wall-clock minutes are
    compared, since there is no instant to convert."""
    if prediction is None or not prediction.has_time:
        return False
    if truth.aware and prediction.aware:
        return _minute(truth.value) == _minute(prediction.value)
    return truth.value.replace(tzinfo=None, second=0, microsecond=0) == \
        prediction.value.replace(tzinfo=None, second=0, microsecond=0)


# ------------------------------------------------------------------ authors

_AUTHOR_SPLIT = re.compile(r"[,;&|/]|\b(?:and|und|et)\b", re.IGNORECASE)
_LEADING = re.compile(r"^(?:by|von|par|por)\s+")


def split_authors(names: list[str] | str | None) -> set[str]:
    """Names split on , ; & | / and the words and/und/et, a leading
    by/von/par/por dropped, normalised as titles; empties dropped."""
    if names is None:
        return set()
    if isinstance(names, str):
        names = [names]
    result = set()
    for name in names:
        for part in _AUTHOR_SPLIT.split(name or ""):
            norm = _LEADING.sub("", normalise_text(part)).strip()
            if norm and norm not in ("by", "von", "par", "por"):
                result.add(norm)
    return result


def authors_f1(truth: list[str], prediction: list[str] | str | None) -> float:
    """Set F1. An empty annotation means the right answer is no author."""
    true_set, pred_set = split_authors(truth), split_authors(prediction)
    if not true_set:
        return 1.0 if not pred_set else 0.0
    common = len(true_set & pred_set)
    if not common:
        return 0.0
    p, r = common / len(pred_set), common / len(true_set)
    return 2 * p * r / (p + r)


# ------------------------------------------------------------------- images


def normalise_url(url: str, base: str | None = None) -> str:
    """Resolved against ``base``, "www." dropped from the host, path unquoted,
    trailing slash dropped."""
    url = (url or "").strip()
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if parts.port:
        host = f"{host}:{parts.port}"
    path = unquote(parts.path).rstrip("/")
    return urlunsplit((parts.scheme.lower(), host, path, parts.query, ""))


def image_recall(truth: list[str], variants: list[list[str]] | None, predicted: list[str],
                 base: str | None = None) -> float | None:
    """Share of annotated images found; an annotated image is found when any of
    its variants is among the predicted URLs. None when nothing is annotated."""
    if not truth:
        return None
    groups = variants if variants and len(variants) == len(truth) else [[u] for u in truth]
    found = {normalise_url(u, base) for u in predicted if u}
    hits = 0
    for url, group in zip(truth, groups):
        candidates = {normalise_url(u, base) for u in [url, *group] if u}
        hits += bool(candidates & found)
    return hits / len(truth)
