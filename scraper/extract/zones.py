"""A publisher's likely time zone, from its country-code domain or language.

Used only to show a UTC timestamp in the publisher's offset, and to place a
time written without any offset; an offset the page states always wins.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from urllib.parse import urlsplit

_BY_TLD = {
    "vn": "Asia/Ho_Chi_Minh", "de": "Europe/Berlin", "at": "Europe/Vienna", "ch": "Europe/Zurich",
    "li": "Europe/Zurich", "fr": "Europe/Paris", "it": "Europe/Rome", "es": "Europe/Madrid",
    "nl": "Europe/Amsterdam", "be": "Europe/Brussels", "lu": "Europe/Luxembourg", "pl": "Europe/Warsaw",
    "cz": "Europe/Prague", "sk": "Europe/Bratislava", "hu": "Europe/Budapest", "dk": "Europe/Copenhagen",
    "se": "Europe/Stockholm", "no": "Europe/Oslo", "fi": "Europe/Helsinki", "pt": "Europe/Lisbon",
    "ie": "Europe/Dublin", "uk": "Europe/London", "gr": "Europe/Athens", "tr": "Europe/Istanbul",
    "ro": "Europe/Bucharest", "bg": "Europe/Sofia", "hr": "Europe/Zagreb", "si": "Europe/Ljubljana",
    "rs": "Europe/Belgrade", "ua": "Europe/Kyiv", "ru": "Europe/Moscow", "ee": "Europe/Tallinn",
    "lv": "Europe/Riga", "lt": "Europe/Vilnius", "jp": "Asia/Tokyo", "kr": "Asia/Seoul",
    "cn": "Asia/Shanghai", "tw": "Asia/Taipei", "hk": "Asia/Hong_Kong", "sg": "Asia/Singapore",
    "in": "Asia/Kolkata", "id": "Asia/Jakarta", "th": "Asia/Bangkok", "my": "Asia/Kuala_Lumpur",
    "ph": "Asia/Manila", "kh": "Asia/Phnom_Penh", "la": "Asia/Vientiane", "au": "Australia/Sydney",
    "nz": "Pacific/Auckland", "za": "Africa/Johannesburg", "ng": "Africa/Lagos", "ke": "Africa/Nairobi",
    "eg": "Africa/Cairo", "il": "Asia/Jerusalem", "br": "America/Sao_Paulo", "ar": "America/Argentina/Buenos_Aires",
    "mx": "America/Mexico_City", "co": "America/Bogota", "pe": "America/Lima", "cl": "America/Santiago",
    "bo": "America/La_Paz", "ve": "America/Caracas", "ec": "America/Guayaquil", "uy": "America/Montevideo",
    "ca": "America/Toronto", "us": "America/New_York",
}
_BY_LANGUAGE = {
    "vi": "Asia/Ho_Chi_Minh", "de": "Europe/Berlin", "fr": "Europe/Paris", "it": "Europe/Rome",
    "nl": "Europe/Amsterdam", "pl": "Europe/Warsaw", "cs": "Europe/Prague", "da": "Europe/Copenhagen",
    "sv": "Europe/Stockholm", "nb": "Europe/Oslo", "no": "Europe/Oslo", "fi": "Europe/Helsinki",
    "el": "Europe/Athens", "tr": "Europe/Istanbul", "ru": "Europe/Moscow", "uk": "Europe/Kyiv",
    "ja": "Asia/Tokyo", "ko": "Asia/Seoul", "zh": "Asia/Shanghai", "th": "Asia/Bangkok", "hi": "Asia/Kolkata",
    "id": "Asia/Jakarta", "en-us": "America/New_York", "en-gb": "Europe/London", "en-in": "Asia/Kolkata",
    "en-au": "Australia/Sydney", "en-ca": "America/Toronto", "pt-br": "America/Sao_Paulo",
    "pt-pt": "Europe/Lisbon", "es-es": "Europe/Madrid",
}
_GENERIC = frozenset(("com", "org", "net", "info", "news", "us", "biz", "io", "co"))


@lru_cache(maxsize=64)
def _zone(name: str) -> tzinfo | None:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:  # noqa: BLE001 - no tz database on this machine: no guess
        return None


def guess(url: str | None, language: str | None) -> tzinfo | None:
    """The likely zone of a publisher, or None when nothing hints at one."""
    try:
        host = (urlsplit(url or "").hostname or "").lower()
    except ValueError:
        host = ""
    tld = host.rsplit(".", 1)[-1] if "." in host else ""
    if tld in _BY_TLD and tld not in _GENERIC:
        return _zone(_BY_TLD[tld])
    lang = (language or "").lower().replace("_", "-")
    if not lang:
        return None
    name = _BY_LANGUAGE.get(lang) or _BY_LANGUAGE.get(lang.split("-")[0])
    if name == "America/New_York" and tld and tld not in _GENERIC:
        return None
    return _zone(name) if name else None


def fixed(zone: tzinfo, when: datetime) -> timezone:
    """The fixed offset a zone has at a given (naive or aware) moment."""
    probe = when.replace(tzinfo=None)
    offset = zone.utcoffset(probe) or timedelta(0)
    return timezone(offset)
