"""Publication and modification times: machine-readable values first, then
visible datelines in any common format (Vietnamese day-first included).

Every result is an aware datetime in the publisher's offset: the offset the
page states, else the default offset (site rule, caller, "(GMT+7)" seen on the
page), else the offset of another date on the page, else UTC.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, time, timedelta, timezone, UTC
from email.utils import parsedate_to_datetime

from . import zones
from .precompute import Precomputed, jsonld_text

_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "og:published_time", "published_time",
    "datepublished", "article.published", "article_date_original", "pubdate", "publishdate",
    "publish-date", "publish_date", "publication_date", "sailthru.date", "parsely-pub-date",
    "dc.date.issued", "dcterms.issued", "dc.date.created", "dcterms.created", "dc.date", "dcterms.date",
    "date", "cxenseparse:recs:publishtime", "article:published", "og:updated_time:published", "created",
    "originalpublicationdate", "displaydate", "pub_date", "datecreated", "timestamp",
)
_MODIFIED_META = (
    "article:modified_time", "og:article:modified_time", "og:updated_time", "datemodified",
    "lastmod", "last-modified", "dc.date.modified", "dcterms.modified", "article.updated",
    "modified", "updated_time", "article:modified",
)

_MONTHS = {
    # English, German, French, Spanish, Italian, Portuguese, Dutch (prefixes matched)
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "oct": 10, "nov": 11, "dec": 12, "januar": 1, "februar": 2, "märz": 3, "maerz": 3, "mai": 5,
    "juni": 6, "juli": 7, "okt": 10, "dez": 12, "janv": 1, "févr": 2, "fevr": 2, "mars": 3, "avr": 4,
    "juin": 6, "juil": 7, "août": 8, "aout": 8, "sept": 9, "déc": 12, "ene": 1, "abr": 4, "ago": 8,
    "dic": 12, "gen": 1, "mag": 5, "giu": 6, "lug": 7, "set": 9, "ott": 10, "fev": 2, "mai.": 5,
    "out": 10, "dez.": 12, "mrt": 3, "mei": 5, "okt.": 10, "enero": 1, "febrero": 2, "marzo": 3,
    "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8, "septiembre": 9, "setiembre": 9,
    "octubre": 10, "noviembre": 11, "diciembre": 12, "gennaio": 1, "febbraio": 2, "aprile": 4,
    "maggio": 5, "giugno": 6, "luglio": 7, "settembre": 9, "ottobre": 10, "dicembre": 12,
    "janeiro": 1, "fevereiro": 2, "março": 3, "maio": 5, "junho": 6, "julho": 7, "setembro": 9,
    "outubro": 10, "novembro": 11, "dezembro": 12, "janvier": 1, "février": 2, "avril": 4,
    "juillet": 7, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12, "maart": 3,
    "augustus": 8, "oktober": 10,
    # Russian and Ukrainian (genitive, as datelines write them): stems of 3
    "янв": 1, "фев": 2, "мар": 3, "апр": 4, "мая": 5, "май": 5, "июн": 6, "июл": 7, "авг": 8,
    "сен": 9, "окт": 10, "ноя": 11, "дек": 12, "січ": 1, "лют": 2, "бер": 3, "кві": 4, "тра": 5,
    "чер": 6, "лип": 7, "сер": 8, "вер": 9, "жов": 10, "лис": 11, "гру": 12,
    # Polish (genitive) and Turkish in full: their 3-letter stems are common words elsewhere
    # ("Sie", "Kassel", "Gruppe" would read as months)
    "stycznia": 1, "lutego": 2, "marca": 3, "kwietnia": 4, "maja": 5, "czerwca": 6, "lipca": 7,
    "sierpnia": 8, "września": 9, "października": 10, "listopada": 11, "grudnia": 12, "ocak": 1,
    "şubat": 2, "mart": 3, "nisan": 4, "mayıs": 5, "haziran": 6, "temmuz": 7, "ağustos": 8,
    "eylül": 9, "ekim": 10, "kasım": 11, "aralık": 12,
}
_LETTER = "A-Za-zÀ-ÿĀ-žА-яЁёІіЇїЄєҐґ"
_MONTH_WORD = rf"([{_LETTER}]{{3,12}}\.?)"
_TIME = (r"(?:\s*(?:,|at|um|à|a las|alle|kl\.?|-|–|—|\||/)?\s*"
         r"(\d{1,2})[:hH](\d{2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?)?")
_TZ = r"(?:\s*\(?\s*(?:GMT|UTC)\s*([+-]\s*\d{1,2})(?::?(\d{2}))?\s*\)?)?"
_TIME_FIRST = re.compile(r"(\d{1,2})[:hH](\d{2})\s*(am|pm)?\s*,?\s*(?:ngày\s*)?(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"
                         + _TZ, re.I)
_NUMERIC_DMY = re.compile(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?![\d/-])" + _TIME + _TZ, re.I)
_NUMERIC_YMD = re.compile(r"(?<!\d)(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})(?![\d/])"
                          r"(?:[T\s,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?" + _TZ)
_VI_WORDS = re.compile(r"ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})" + _TIME + _TZ, re.I)
_DAY_MONTH_YEAR = re.compile(r"(?<!\d)(\d{1,2})\.?\s+(?:de\s+)?" + _MONTH_WORD + r",?\s+(?:de\s+)?(\d{4})" + _TIME,
                             re.I)
# Japanese, Chinese and Korean: 2020年7月12日 / 2020년 7월 12일, maybe a time after it
_CJK = re.compile(r"(?<!\d)(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]"
                  r"(?:[^\d]{0,8}?(\d{1,2})[:時시]\s*(\d{2}))?")
_MONTH_DAY_YEAR = re.compile(_MONTH_WORD + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})" + _TIME, re.I)
_DOTTED_SHORT = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{2})(?![\d.])" + _TIME)
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:/|[-_]|\b)")
_ANY_DATE = re.compile(rf"(?<!\d)(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{4}}|\d{{4}}[/.-]\d{{1,2}}[/.-]\d{{1,2}}|"
                       rf"\d{{1,2}}\.?\s+[{_LETTER}]{{3,12}}\.?,?\s+\d{{4}}|"
                       rf"[{_LETTER}]{{3,12}}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|ngày\s*\d|"
                       r"\d{4}\s*[年년]\s*\d{1,2}\s*[月월]|\d{1,2}\.\d{1,2}\.\d{2}(?![\d.]))")
_FAR_DATE = re.compile(rf"(?<![\d/.-])(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{4}}|\d{{4}}-\d\d-\d\d|"
                       rf"\d{{1,2}}\.?\s[{_LETTER}]{{3,12}}\.?,?\s\d{{4}}|\d{{1,2}}\.\d{{1,2}}\.\d{{2}}(?![\d.]))")
_URL_MONTH_NAME = re.compile(r"/((?:19|20)\d{2})/(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*/"
                             r"(0?[1-9]|[12]\d|3[01])/", re.I)  # /2023/dec/21/
_LABEL_WINDOW = 10_000  # characters of page text from the headline searched for a publication label
_URL_MONTH = re.compile(r"/((?:19|20)\d{2})/(0[1-9]|1[0-2])/")  # /2017/09/
_URL_DATE_SHORT = re.compile(r"/((?:19|20)\d{2})/([1-9]|1[0-2])/([1-9]|[12]\d|3[01])/")  # /2017/7/12/
_URL_DMY = re.compile(r"/(0[1-9]|[12]\d|3[01])-(0[1-9]|1[0-2])-((?:19|20)\d{2})(?:/|$|[-_.?])")
_ISO_STAMP = re.compile(r"(?:19|20)\d{2}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d")
_RDF_DATE = re.compile(r"dc:date=\"([^\"]{10,40})\"")
# a publication stamp in a script's JSON (app state, Shopify product data): "published_at":"2019-03-02T06:22:28+01:00"
_SCRIPT_DATE = re.compile(r"[\"'](?:datePublished|published_?[aA]t|publish(?:ed)?_?[dD]ate|firstPublishedAt|pubDate)"
                          r"[\"']\s*:\s*[\"']((?:19|20)\d{2}-[01]\d-[0-3]\d(?:[T ][0-2]\d:[0-5]\d[^\"']{0,15})?)[\"']")
_GMT = re.compile(r"\(?\s*GMT\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?\s*\)?", re.I)
_ISO_FIX = re.compile(r"([+-]\d{2})(\d{2})$")
_UNSET = object()
_PUBLISHED_WORDS = ("publish", "posted", "entry-date", "datepublished", "created", "submitted")
# a dateline that starts with one of these states the update, not the publication
_UPDATED_LABEL = re.compile(r"^\W*(updated|last updated|modified|aktualisiert|stand|zuletzt|"
                            r"mis à jour|actualizado|actualizada|aggiornato|cập nhật)\b", re.IGNORECASE)
# a date inside one of these belongs to a reader's comment or to another article listed beside this one
_ELSEWHERE_TOKEN = re.compile(r"comment|^(?:widget|sidebar|sidebar-.*|respond)$", re.I)
# a word that labels the date after it as the publication ("Erschienen am: 01.11.2023", "Publié le 29 juin 2019")
# (the lookahead on the first letters lets re skip ahead fast: twice the speed of "\b" alone)
_PUBLISHED_LABEL = re.compile(r"\b(?=[pvego])(?:published|posted|veröffentlicht|erschienen|erscheinungsdatum|"
                              r"publié|publiée|publicado|publicada|pubblicato|gepubliceerd|opublikowano)"
                              r"(?:\s+(?:on|am|le|el|il|op))?\s*:?\s*(?=\S*\d)", re.I)
# the same labels in running text, right before the date
_UPDATE_STAMP = re.compile(r"\b(?=[ulamz])(?:last updated|updated|last modified|aktualisiert|letzte änderung|"
                           r"zuletzt (?:aktualisiert|geändert)|mis à jour|aggiornato)(?:\s+(?:on|am|le|il))?\s*:?\s*"
                           r"(?=\S*\d|[^\W\d]{3,12}\.?\s+\d)", re.I)
_DATE_SELECTOR = ("[class*=date], [class*=Date], [class*=time], [class*=publish], [class*=posted], "
                  "[class*=meta], [class*=byline], [id*=date], [data-role=publishdate], [itemprop*=date], "
                  ".submitted")  # Drupal's byline: "Submitted by X on <date>", "Gespeichert von X am <date>"


def parse_offset(text: str | None) -> timezone | None:
    """``"+07:00"`` / ``"+0700"`` / ``"+7"`` -> a fixed timezone."""
    if not text:
        return None
    match = re.fullmatch(r"\s*([+-])\s*(\d{1,2}):?(\d{2})?\s*", text)
    if not match:
        return None
    hours, minutes = int(match.group(2)), int(match.group(3) or 0)
    if hours > 14 or minutes > 59:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if match.group(1) == "-" else delta)


def parse_iso(value: str | None) -> tuple[datetime, bool] | None:
    """An ISO 8601 or RFC 2822 string -> (datetime, has_time); naive if it states no offset."""
    if not value:
        return None
    text = value.strip()
    if not text or len(text) > 60:
        return None
    if text.isdigit() and len(text) in (10, 13):  # epoch seconds / millis
        try:
            seconds = int(text) / (1000 if len(text) == 13 else 1)
            return datetime.fromtimestamp(seconds, UTC), True
        except (OverflowError, OSError, ValueError):
            return None
    if len(text) >= 10 and text[4:5] == "-" and text[:4].isdigit():  # plain ISO 8601, the common case
        try:
            parsed = datetime.fromisoformat(text)
            return parsed, ("T" in text or ":" in text)
        except ValueError:
            pass
    candidate = text.replace("Z", "+00:00").replace("z", "+00:00")
    candidate = re.sub(r"\s*(?:UTC|GMT)$", "+00:00", candidate)
    candidate = re.sub(r"^(\d{4}-\d{2}-\d{2})\s+", r"\1T", candidate)
    candidate = re.sub(r"(\d)\s+([+-]\d{2}:?\d{2})$", r"\1\2", candidate)
    candidate = _ISO_FIX.sub(r"\1:\2", candidate)
    candidate = re.sub(r"(\.\d{6})\d+", r"\1", candidate)
    candidate = re.sub(r"(T\d{1,2}:\d{2}):(\d)(?!\d)", r"\1:0\2", candidate)  # "23:15:0Z": one-digit seconds
    candidate = re.sub(r"T(\d)(?=:)", r"T0\1", candidate)  # "T9:05": one-digit hour
    try:
        parsed = datetime.fromisoformat(candidate)
        return parsed, ("T" in candidate or ":" in candidate)
    except ValueError:
        pass
    try:
        parsed = parsedate_to_datetime(text)
        if parsed is not None:
            return parsed, True
    except (TypeError, ValueError, IndexError):
        pass
    found = parse_visible(text, month_first=False)
    return found


def _hour(hour: int, ampm: str | None) -> int:
    if ampm:
        pm = ampm.lower().startswith("p")
        if pm and hour < 12:
            return hour + 12
        if not pm and hour == 12:
            return 0
    return hour


def _make(year: int, month: int, day: int, hour: str | None, minute: str | None,
          ampm: str | None = None, tz_h: str | None = None, tz_m: str | None = None) -> tuple[datetime, bool] | None:
    try:
        has_time = hour is not None and minute is not None
        value = datetime(year, month, day, _hour(int(hour), ampm) if has_time else 0,
                         int(minute) if has_time else 0)
    except (ValueError, TypeError):
        return None
    if not 1990 <= year <= 2100:
        return None
    if tz_h:
        tz = parse_offset(tz_h.replace(" ", "") + (":" + tz_m if tz_m else ""))
        if tz is not None:
            value = value.replace(tzinfo=tz)
    return value, has_time


def _month(word: str) -> int | None:
    word = word.lower().rstrip(".")
    if word in _MONTHS:
        return _MONTHS[word]
    for length in (4, 3):
        if word[:length] in _MONTHS:
            return _MONTHS[word[:length]]
    return None


def parse_visible(text: str, month_first: bool = False) -> tuple[datetime, bool] | None:
    """The first date (and time) written in ``text``, in any common human format."""
    if not text:
        return None
    text = text[:600]
    found: list[tuple[int, tuple[datetime, bool]]] = []
    m = _TIME_FIRST.search(text)
    if m:
        r = _make(int(m.group(6)), int(m.group(5)), int(m.group(4)), m.group(1), m.group(2), m.group(3),
                  m.group(7), m.group(8))
        if r:
            found.append((m.start(), r))
    m = _VI_WORDS.search(text)
    if m:
        r = _make(int(m.group(3)), int(m.group(2)), int(m.group(1)), m.group(4), m.group(5), m.group(7),
                  m.group(8), m.group(9))
        if r:
            found.append((m.start(), r))
    m = _CJK.search(text)
    if m:
        r = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4), m.group(5))
        if r:
            found.append((m.start(), r))
    m = _NUMERIC_DMY.search(text)
    if m:
        first, second = int(m.group(1)), int(m.group(2))
        slash = "/" in m.group(0)[:6]
        day, month = (second, first) if (month_first and slash and second <= 31 and first <= 12) else (first, second)
        if month > 12 and day <= 12:
            day, month = month, day
        r = _make(int(m.group(3)), month, day, m.group(4), m.group(5), m.group(7), m.group(8), m.group(9))
        if r:
            found.append((m.start(), r))
    m = _NUMERIC_YMD.search(text)
    if m:
        r = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4), m.group(5), None,
                  m.group(7), m.group(8))
        if r:
            found.append((m.start(), r))
    for pattern, order in ((_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy")):
        m = pattern.search(text)
        if not m:
            continue
        if order == "dmy":
            day, month, year = int(m.group(1)), _month(m.group(2)), int(m.group(3))
        else:
            month, day, year = _month(m.group(1)), int(m.group(2)), int(m.group(3))
        if month:
            r = _make(year, month, day, m.group(4), m.group(5), m.group(7))
            if r:
                found.append((m.start(), r))
    if not found:
        return _short_year(text)
    found.sort(key=lambda item: item[0])
    best = found[0][1]
    if not best[1]:  # a later match at the same spot may carry the time
        for _, other in found[1:]:
            if other[1] and other[0].date() == best[0].date():
                return other
    return best


def _short_year(text: str) -> tuple[datetime, bool] | None:
    """A German-style dotted date with a two-digit year ("28.09.19 12:44",
    "28.01.22 / 0 Kommentare"): only when no fuller date is written."""
    m = _DOTTED_SHORT.search(text)
    if not m:
        return None
    return _make(2000 + int(m.group(3)), int(m.group(2)), int(m.group(1)), m.group(4), m.group(5), m.group(7))


class DateFinder:
    """Finds published/modified times for one page."""

    def __init__(self, pre: Precomputed, default_offset: str | None = None, now: datetime | None = None) -> None:
        self.pre = pre
        self.latest = _latest(now)
        self.default_tz = parse_offset(default_offset or pre.offset)
        self.month_first = (pre.html_lang or "").lower() in ("en-us", "en_us") or (
            (pre.html_lang or "").lower() == "en" and (pre.url or "").split("/")[2:3] and
            not (pre.url or "").split("/")[2].endswith((".uk", ".au", ".ie", ".nz", ".in", ".za")))
        self.page_tz: timezone | None = None
        self.zone = zones.guess(pre.url, pre.html_lang)
        self._visible: object = _UNSET
        self._text: str | None = None  # the body's text, read once by scan_text()
        self._masthead: tuple[datetime, bool] | None = None  # today's date atop the page, read with visible()

    def localise(self, found: tuple[datetime, bool] | None) -> datetime | None:
        """Aware, in the publisher's offset: a UTC value is shown in the
        page's own (or the configured) offset when one is known."""
        if found is None:
            return None
        value, has_time = found
        local = self.default_tz or self.page_tz
        if value.tzinfo is None:
            if local is None and self.zone is not None:
                local = zones.fixed(self.zone, value)
            return value.replace(tzinfo=local or UTC)
        if has_time and value.utcoffset() == timedelta(0):
            if local is None and self.zone is not None:
                local = zones.fixed(self.zone, value.astimezone(UTC).replace(tzinfo=None))
            if local is not None and local.utcoffset(None):
                return value.astimezone(local)
        return value

    def plausible(self, found: tuple[datetime, bool] | None) -> bool:
        if found is None:
            return False
        value = found[0] if found[0].tzinfo else found[0].replace(tzinfo=UTC)
        return value <= self.latest

    def machine_candidates(self, keys: tuple[str, ...], ld_key: str) -> list[tuple[datetime, bool]]:
        return [found for found, _ in self._weighed(keys, ld_key)]

    def _weighed(self, keys: tuple[str, ...], ld_key: str) -> list[tuple[tuple[datetime, bool], int]]:
        """Machine-readable dates, most trusted first, each with its weight:
        2 for JSON-LD and the article's own meta key (the first in ``keys``),
        1 for generic ones such as ``dc.date`` or ``dcterms.created``."""
        pre = self.pre
        values: list[tuple[str, int]] = []
        article = pre.article
        ld = jsonld_text(article.get(ld_key)) if article else None
        if ld:
            values.append((ld, 2))
        meta = pre.meta
        for i, key in enumerate(keys):
            if key in meta:  # most keys are absent: no generator for them
                values.extend((value, 2 if i < 2 or key == ld_key.lower() else 1) for value in meta[key])
        if not values or all(weight < 2 for _, weight in values):  # microdata outranks generic keys
            values.extend((value, 2) for value in pre.itemprop(ld_key))
        out = []
        for value, weight in values[:30]:
            parsed = parse_iso(value)
            if parsed and self.plausible(parsed):
                out.append((parsed, weight))
                offset = parsed[0].utcoffset()
                if offset and self.page_tz is None:
                    self.page_tz = parsed[0].tzinfo  # type: ignore[assignment]
        return out

    def published(self, rule_selector: str | None = None) -> datetime | None:
        if rule_selector:
            value = self.from_selector(rule_selector)
            if value:
                return value
        weighed = self._weighed(_PUBLISHED_META, "datePublished")
        candidates = [found for found, _ in weighed]
        if not candidates or not any(c[1] for c in candidates):  # <time> only when metadata lacks a time
            candidates += self._time_elements()
        best = self._agreeing(weighed) or _pick(candidates)
        if best and not best[1]:
            visible = self.visible()
            if visible and visible[0].date() == best[0].date() and visible[1]:
                best = visible
        if best is None or _placeholder(best):
            best = (self.visible() or self._from_url() or self._from_script() or self.scan_text()
                    or self._from_any_meta()
                    or self._from_url(self.pre.first_meta("og:image", "twitter:image"))
                    or self.scan_text(far=True) or best or self._masthead)
        return self._as_displayed(best, self.localise(best))

    def _agreeing(self, weighed: list[tuple[tuple[datetime, bool], int]]) -> tuple[datetime, bool] | None:
        """When the page's metadata disagree on the day (a JSON-LD date left
        from a draft, a meta date that is really the creation or the update):
        the one the visible dateline confirms, else the day with the most
        weight."""
        votes: Counter = Counter()
        for found, weight in weighed:
            votes[found[0].date()] += weight
        if len(votes) < 2:
            return None
        candidates = [found for found, _ in weighed]
        seen = self.visible()
        if seen is not None and seen[0].date() in votes:
            return _pick([c for c in candidates if c[0].date() == seen[0].date()])
        ranked = votes.most_common()
        if ranked[0][1] > ranked[1][1]:
            return _pick([c for c in candidates if c[0].date() == ranked[0][0]])
        return None

    def _as_displayed(self, found: tuple[datetime, bool] | None, local: datetime | None) -> datetime | None:
        """Keep a UTC time in UTC when the page's own dateline shows the UTC
        day, not the day in the offset we assumed: the publisher dates its
        articles in UTC, and the assumed offset would move them a day."""
        if found is None or local is None or not found[1] or found[0].tzinfo is None:
            return local
        value = found[0]
        if value.utcoffset() != timedelta(0) or not local.utcoffset() or local.date() == value.date():
            return local
        if local.time() == time(0):  # local midnight stored in UTC: a date, and the local day is it
            return local
        seen = self.visible()
        if seen is not None and seen[0].date() == value.date():
            return value
        return local

    def modified(self) -> datetime | None:
        candidates = self.machine_candidates(_MODIFIED_META, "dateModified")
        return self.localise(_pick(candidates))

    def from_selector(self, selector: str) -> datetime | None:
        try:
            node = self.pre.tree.css_first(selector)
        except Exception:  # noqa: BLE001 - a bad selector in a user rule must not crash extraction
            return None
        if node is None:
            return None
        attrs = node.attributes
        raw = attrs.get("datetime") or attrs.get("content")
        found = parse_iso(raw) if raw else None
        if found is None:
            found = parse_visible(node.text(separator=" ", strip=True), self.month_first)
        self._learn_gmt(node.text(separator=" ", strip=True))
        return self.localise(found)

    def _time_elements(self) -> list[tuple[datetime, bool]]:
        out = []
        for node in self.pre.tree.css("time[datetime]")[:10]:
            attrs = node.attributes
            hint = " ".join(filter(None, (attrs.get("itemprop"), attrs.get("class"), attrs.get("pubdate"))))
            parsed = parse_iso(attrs.get("datetime"))
            if parsed is None:
                continue
            if "modif" in hint.lower() or "updat" in hint.lower() or _place(node):
                continue
            out.append(parsed)
            if "pubdate" in attrs or "publish" in hint.lower():
                return [parsed]
            break
        return out

    def visible(self) -> tuple[datetime, bool] | None:
        """A dateline written on the page: the first plausible one, unless a
        later one agrees with the date in the URL or is marked as the
        publication date (class "published", "posted", "entry-date").
        Read once per page: several rules ask for it."""
        if self._visible is _UNSET:
            self._visible = self._read_visible()
        return self._visible  # type: ignore[return-value]

    def _read_visible(self) -> tuple[datetime, bool] | None:
        tree = self.pre.tree
        texts: list[tuple[str, bool]] = []
        updates: list[str] = []  # "Updated Jul 24, 2018": neither it nor the date inside it
        masthead: list[str] = []  # today's date atop the page: the last resort
        for node in tree.css(_DATE_SELECTOR):
            text = node.text(separator=" ", strip=True)
            labelled = _PUBLISHED_LABEL.search(text, 0, 150)
            if labelled and 6 <= len(text) <= 200 and _place(node) != ELSEWHERE:
                texts.append((text[labelled.end():], True))  # "Letzte Änderung: … Erschienen am: …"
                continue
            if _UPDATED_LABEL.match(text):
                updates.append(text)
                continue
            if any(text in update for update in updates):
                continue
            if 6 <= len(text) <= 200 and any(ch.isdigit() for ch in text):
                place = _place(node)
                if place == ELSEWHERE:
                    continue
                if place == MASTHEAD:
                    masthead.append(text)
                    continue
                label = f"{node.attributes.get('class') or ''} {node.attributes.get('itemprop') or ''}".lower()
                texts.append((text, any(word in label for word in _PUBLISHED_WORDS)))
                if len(texts) >= 12:
                    break
        found_all = []
        self._masthead = next(filter(None, (parse_visible(text, self.month_first) for text in masthead[:2])), None)
        for text, marked in texts:
            found = parse_visible(text, self.month_first)
            if found and self.plausible(found):
                found_all.append((found, marked, text))
        if not found_all:
            return None
        in_url = self._from_url()
        best = next((f for f in found_all if in_url and f[0][0].date() == in_url[0].date()), None) \
            or next((f for f in found_all if f[1]), None) or found_all[0]
        self._learn_gmt(best[2])
        return best[0]

    def scan_text(self, far: bool = False) -> tuple[datetime, bool] | None:
        """Last resort: the first plausible date written near the headline,
        else in the first 20,000 characters of the page's text; ``far``:
        the first one after those, up to 100,000 (a forum thread whose
        posts follow a long menu)."""
        text = self._page_text()
        if far:  # only shapes that start with a digit: the regex skips ahead fast through 80,000 characters
            for match in _FAR_DATE.finditer(text, 20_000, 100_000):
                found = parse_visible(text[match.start():match.start() + 80], self.month_first)
                if found and self.plausible(found):
                    return found
            return None
        start = 0
        h1 = self.pre.h1s[0] if self.pre.h1s else None
        if h1 is not None:
            heading = h1.text(separator=" ", strip=True)[:60]
            where = text.find(heading) if heading else -1
            start = max(0, where - 300) if where >= 0 else 0
        labelled = self._labelled(text, start) or self._update_stamp(text, start)
        if labelled is not None:
            return labelled
        for offset in (start, 0) if start else (0,):
            found = self._first_date(text, offset, offset + 20_000)
            if found is not None:
                return found
        return None

    def _page_text(self) -> str:
        if self._text is None:
            body = self.pre.tree.body
            self._text = body.text(separator=" ", strip=True)[:200_000] if body is not None else ""
        return self._text

    def _first_date(self, text: str, start: int, end: int) -> tuple[datetime, bool] | None:
        for match in _date_matches(text, start, end):
            found = parse_visible(text[match.start():match.start() + 80], self.month_first)
            if found and self.plausible(found):
                self._learn_gmt(text[match.start():match.start() + 80])
                return found
        return None

    def _labelled(self, text: str, start: int) -> tuple[datetime, bool] | None:
        """A date right after a publication label ("Erschienen am: 01.11.2023")
        near the headline (from ``start``), unless the URL names another month
        (a book's release date in a review)."""
        month = _URL_MONTH.search(self.pre.url or "")
        for label in list(_PUBLISHED_LABEL.finditer(text, start, start + _LABEL_WINDOW))[:5]:
            if _ANY_DATE.match(text, label.end()) is None:
                continue
            found = parse_visible(text[label.end():label.end() + 80], self.month_first)
            if found and month and (found[0].year, found[0].month) != (int(month.group(1)), int(month.group(2))):
                continue
            if found and self.plausible(found):
                return found
        return None

    def _update_stamp(self, text: str, start: int) -> tuple[datetime, bool] | None:
        """A page with no publication date but a labelled update stamp
        ("Aktualisiert: 30.12.2016", "Letzte Änderung: 14.01.2022 um 09:25",
        "Last updated June 13, 2019"): the stamp dates the page better than
        a date written in its text (a cited paper, a picture's caption)."""
        for label in list(_UPDATE_STAMP.finditer(text, start, start + 3 * _LABEL_WINDOW))[:5]:
            if _ANY_DATE.match(text, label.end()) is None:
                continue
            found = parse_visible(text[label.end():label.end() + 80], self.month_first)
            if found and self.plausible(found):
                return found
        return None

    def _learn_gmt(self, text: str | None = None) -> None:
        if self.default_tz is not None or not text:
            return
        match = _GMT.search(text)
        if match:
            self.default_tz = parse_offset(f"{match.group(1)}{match.group(2)}:{match.group(3) or '00'}")

    def _from_url(self, url: str | None = None) -> tuple[datetime, bool] | None:
        """A date in the path: /2017/12/06/, /20171206, …/06-12-2017 or /2017/dec/06/."""
        url = url if url is not None else self.pre.url
        match = _URL_DATE.search(url or "")
        if match:
            return _make(int(match.group(1)), int(match.group(2)), int(match.group(3)), None, None)
        match = _URL_DMY.search(url or "")
        if match:
            return _make(int(match.group(3)), int(match.group(2)), int(match.group(1)), None, None)
        match = _URL_DATE_SHORT.search(url or "")
        if match:
            return _make(int(match.group(1)), int(match.group(2)), int(match.group(3)), None, None)
        match = _URL_MONTH_NAME.search(url or "")
        if match:
            return _make(int(match.group(1)), _MONTHS[match.group(2).lower()], int(match.group(3)), None, None)
        return None

    def _from_script(self) -> tuple[datetime, bool] | None:
        """A publication stamp in JSON inside a script (app state, shop data)."""
        html = self.pre.html
        if "ublish" not in html and "pubDate" not in html:  # every key holds one: a plain scan beats the regex
            return None
        for match in _SCRIPT_DATE.finditer(html, 0, 2_000_000):
            found = parse_iso(match.group(1))
            if found and self.plausible(found):
                return found
        return None

    def _from_any_meta(self) -> tuple[datetime, bool] | None:
        """Any meta tag or RDF attribute holding a full ISO timestamp (custom
        names such as 'five_hundred_pixels:uploaded', trackback dc:date)."""
        for values in self.pre.meta.values():
            for value in values[:2]:
                if len(value) >= 16 and _ISO_STAMP.match(value.strip()):
                    found = parse_iso(value)
                    if found and self.plausible(found):
                        return found
        match = _RDF_DATE.search(self.pre.html, 0, 1_000_000)
        if match:
            found = parse_iso(match.group(1))
            if found and self.plausible(found):
                return found
        return None


_DIGITS = re.compile(r"\d+")


_STOP = frozenset(("body", "html", "article", "main"))
ELSEWHERE, MASTHEAD = 1, 2


def _place(node) -> int:  # noqa: ANN001 - a selectolax node
    """Where a date element sits, in one walk up to the <article>/<main>/<body>:
    ``ELSEWHERE`` in a comment, a sidebar widget or an <aside> (the dates
    there are not the article's); ``MASTHEAD`` in the page's header (a
    <header> or #header without the headline: today's edition); else 0."""
    header = None
    while node is not None:
        tag = node.tag
        if tag in _STOP:
            break
        if tag == "aside":
            return ELSEWHERE
        attrs = node.attributes
        ident = attrs.get("id")
        for value in (attrs.get("class"), ident):
            if value and any(_ELSEWHERE_TOKEN.search(token) for token in value.split()):
                return ELSEWHERE
        if header is None and (tag == "header" or (ident or "").lower() in ("header", "masthead")):
            header = node
        node = node.parent
    return MASTHEAD if header is not None and header.css_first("h1") is None else 0


def _date_matches(text: str, start: int, end: int) -> Iterator[re.Match[str]]:
    """``_ANY_DATE.finditer(text, start, end)``, without trying the pattern
    at every letter: every match holds a digit, and starts at its first
    digit or at most a dot, twelve letters and a run of spaces before it
    ("Jan. 5", "ngày 5"), so only those few positions before each run of
    digits are tried (none inside it: the pattern starts after a non-digit)."""
    pos = start
    while True:
        digit = _DIGITS.search(text, pos, end)
        if digit is None:
            return
        first = digit.start()
        lo = first
        while lo > pos and text[lo - 1].isspace():
            lo -= 1
        for at in range(max(pos, lo - 13), first + 1):
            match = _ANY_DATE.match(text, at, end)
            if match is not None:
                yield match
                pos = match.end()
                break
        else:
            pos = digit.end()


def _placeholder(found: tuple[datetime, bool]) -> bool:
    """January 1st without a time: a CMS's default for an unknown date (a
    recipe "created 01/01/2004"), to be replaced by any other date the page shows."""
    return not found[1] and found[0].month == 1 and found[0].day == 1


def _latest(now: datetime | None) -> datetime:
    """Dates after this are not publication dates (a day of slack for offsets)."""
    base = now or datetime.now(UTC)
    if base.tzinfo is None:
        base = base.replace(tzinfo=UTC)
    return base + timedelta(days=1)


def _pick(candidates: list[tuple[datetime, bool]]) -> tuple[datetime, bool] | None:
    """The first candidate, upgraded to a later one on the same day that has a time/offset."""
    if not candidates:
        return None
    best = candidates[0]
    for other in candidates[1:]:
        if other[0].date() != best[0].date():
            continue
        better_time = other[1] and not best[1]
        better_tz = other[0].tzinfo is not None and best[0].tzinfo is None and other[1] >= best[1]
        if better_time or better_tz:
            best = other
    return best


