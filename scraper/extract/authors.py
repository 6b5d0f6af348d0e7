"""Authors: people, not organisations, from JSON-LD, meta tags, byline
elements and an end-of-body signature.

"By", role lines such as "(Chủ tịch CĐVC tỉnh)" and "Theo Reuters" sources are
not names. A trailing signature taken as the author is removed from the body
by the caller (``signature`` returns how many blocks it used).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from .body import Block
from .precompute import Precomputed, jsonld_text, types_of

_ORG_TYPES = ("organization", "newsmediaorganization", "organisation", "corporation", "newsorganization",
              "website", "brand", "localbusiness", "educationalorganization", "governmentorganization")
_BY = re.compile(r"^\s*(?:(?:posted|written|words|published|submitted|eingestellt|gespeichert|veröffentlicht|"
                 r"geschrieben|verfasst|"
                 r"interview|text|autor|author|fotos?|reporting|story)\s*(?:by|von|:)?|by|von|par|por|di|door|av|af|"
                 r"bởi|tác giả:?)\s*:?\s+", re.I)
# the one-letter conjunctions ("y", "e") only in lower case: "Chris E. Hayner" is one name
_SPLIT = re.compile(r"\s*(?:,|;|&|\||/|\b(?i:and|und|et|và)\b|\s[ye]\s)\s*")
_NOT_NAME = re.compile(r"https?://|www\.|@|\d{3,}|staff|editor|redaktion|newsroom|desk|agency|agencies|"
                       r"reuters|associated press|\bafp\b|\bap\b|\bapa\b|\bdpa\b|\bsid\b|\bkna\b|\bepd\b|"
                       r"contributor|correspondent|reporter|team|admin|guest|anonymous|unknown|"
                       r"\bnews\b|\bmedia\b|\bonline\b|\.com|\.vn|\.de", re.I)
_URLISH = re.compile(r"https?://|www\.|@\w+\.\w|[{}<>=]")
_AUTHOR_LABEL = re.compile(r"author|verfasst|written|autor|auteur|geschrieben", re.I)
_DATEISH = re.compile(r"\d|\b(?:uhr|ago|updated|aktualisiert|published|veröffentlicht|cập nhật)\b", re.I)
_NOT_NAME_STRICT = re.compile(r"\b(?:name|publisher|ceo|journalist\w*|kolumnist\w*|redaktion|redacción|"
                              r"unbenannt|says|sagt|schreibt|said|wrote|antworten|reply|gmbh|e\.?v\.?|eg|kg|ag|"
                              r"inc|ltd|llc|team|verlag|herausgeber|follow|folgen|profil\w*|share|teilen|"
                              r"bearbeiten|edit|abonnieren|anmelden|mehr|more|alle|all|themen|topics|artikel|"
                              r"articles|posts|view|contact|kontakt|about|writer)\b|\*", re.I)
_SOURCE = re.compile(r"^\s*(?:theo|nguồn|source|quelle|via)\b", re.I)
_ROLE = re.compile(r"^\(.{1,80}\)$")
_UPPER_WORD = re.compile(r"^[^\W\d_][\w.'’\-]*$")
_BYLINE_SELECTORS = (
    "[itemprop=author], [rel=author], .byline, .author, [data-role=author], p.author_mail strong, "
    "[class*=byline i], [class*=author i], [class*=autor i], a[href*='/author/'], a[href*='/autor/'], "
    "a[href*='/autoren/'], a[href*='/authors/'], a[href*='/tac-gia/'], a[href*='/journalist']"
)
# lexbor tests every part of a selector list on every element (and lists an
# element once per part it matches), so the byline query is run as a wider
# one with fewer parts: ".byline" and ".author" are inside the [class*=... i]
# parts, and the four author-path links inside a[href*='/aut'].
_BYLINE_WIDE = (
    "[itemprop=author], [rel=author], [data-role=author], [class*=byline i], [class*=author i], "
    "[class*=autor i], p.author_mail strong, a[href*='/aut'], a[href*='/tac-gia/'], a[href*='/journalist']"
)
_AUTHOR_PATHS = ("/author/", "/autor/", "/autoren/", "/authors/")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _byline_nodes(pre: Precomputed) -> list:
    """The elements ``_BYLINE_SELECTORS`` selects, each once (lexbor lists an
    element once per part it matches), in document order."""
    seen: set[int] = set()
    out = []
    for node in pre.tree.css(_BYLINE_WIDE):
        key = node.mem_id
        if key not in seen:
            seen.add(key)
            if node.tag != "a" or not _stray_link(node):
                out.append(node)
    return out


def _stray_link(node: Any) -> bool:
    """A link the wide query took for its '/aut' path alone ("/auto/"),
    which no part of the full selector matches."""
    attrs = node.attributes
    href = attrs.get("href") or ""
    if "/aut" not in href or any(path in href for path in _AUTHOR_PATHS):
        return False
    label = (attrs.get("class") or "").translate(_ASCII_LOWER)
    return not ("byline" in label or "author" in label or "autor" in label
                or "/tac-gia/" in href or "/journalist" in href
                or attrs.get("itemprop") == "author" or attrs.get("data-role") == "author"
                or (attrs.get("rel") or "").translate(_ASCII_LOWER) == "author")  # lexbor: rel ignores case


_HANDLE = re.compile(r"\s+@\w+$")
# what follows a name in one byline element: an agency, a job title, an
# all-capitals outlet after a mixed-case name, a Korean "reporter"
_ROLE_TAIL = re.compile(
    r"(?<=\w)\s+(?i:(?:the\s+)?associated press|reuters|bloomberg|(?:senior|staff|contributing)\s+"
    r"(?:writer|editor|reporter|correspondent)|columnist|기자)$"
    r"|(?<=[a-zà-ÿ])\s+(?:[A-Z]{2,}\b\s*){2,}$")


def _without_tail(name: str) -> str:
    """"Craig Meyer USA TODAY NETWORK" -> "Craig Meyer"; "The Associated
    Press" alone stays."""
    short = _ROLE_TAIL.sub("", name)
    if short == name or _SPLIT.search(short):  # "A, Senior Contributing Writer": the parts are cut one by one
        return name
    return short if " " in short or not short.isascii() else name
_JUNK_NAME = re.compile(
    r"^https?:|://|^#|rights reserved|copyright|©|\[at\]|\(at\)|^[\w-]+(?:\.[\w-]+)+/|"
    r"^[\w-]+\.(?:com|net|org|de|at|ch|fr|it|es|vn|info)$", re.I)


def clean_name(raw: str) -> str:
    if "&" in raw:  # "James O&#039;Neil" in a JSON-LD or meta field: the ";" is no separator
        raw = html.unescape(raw)
    name = " ".join(raw.replace("\xa0", " ").replace("\u200b", "").split())
    name = _HANDLE.sub("", name)  # "Williams Perdomo @wperdomod"
    if "(" in name:
        name = re.sub(r"\s*[(<]\s*(?:https?://|mailto:)[^)>]*[)>]", "", name)  # "Jane Doe (http://jane.example/)"
    name = _BY.sub("", name)
    name = re.sub(r"^(?:Tác giả|Author|Autor|Auteur|Autorin)\s*:?\s*", "", name, flags=re.I)
    name = _without_tail(name)
    return name.strip(" .,:;-–—|()[]")


# the date after the names: "… and Tom Caswell on December 21, 2023", "Anna Chan 12/22/2023"
_DATE_TAIL = re.compile(
    r"[\s,|·•—–-]+(?:(?i:on|am|le|el|updated|aktualisiert|published|veröffentlicht)\s+)?"
    r"(?:(?i:jan|feb|m[aä]r|apr|ma[iy]|jun|jul|aug|sep|o[ck]t|nov|de[cz])[a-zäé]*\.?\s+\d|\d{1,2}[./]\s?\d{1,2}[./]\d{2,4}"
    r"|\d{4}-\d\d-\d\d).*$")


# "Samuel Diekmann (Sponsored Post" out of "… (Sponsored Post), Redner": a remark after the name
_ASIDE = re.compile(r"^(\S+(?:\s+\S+)+?)\s+\([^()./@]*\)?\s*$")  # not "(www.dw.com)": a site stays a site


def split_names(raw: str, strict: bool = True) -> list[str]:
    """Names in a byline. ``strict`` (DOM text) also rejects agency and role
    words; machine-readable author fields are trusted more."""
    raw = clean_name(_DATE_TAIL.sub("", raw))
    if not raw or _SOURCE.match(raw) or _JUNK_NAME.search(raw):
        return []
    names = []
    for part in _SPLIT.split(raw):
        part = clean_name(_ASIDE.sub(r"\1", part))
        if part and looks_like_name(part, strict) and part not in names:
            names.append(part)
    return names


def looks_like_name(text: str, strict: bool = True) -> bool:
    words = text.split()
    if not 1 <= len(words) <= 6 or len(text) > 60:
        return False
    if _URLISH.search(text) or _ROLE.match(text):
        return False
    if len(words) > 1 and words[0][:1].islower() and words[0] not in _PARTICLES:
        return False  # "deinen Hochzeitsbloggern"; a one-word handle may be lower case
    if strict and (_NOT_NAME.search(text) or _DATEISH.search(text) or _NOT_NAME_STRICT.search(text)
                   or not words[0][:1].isupper() or _has_common_word(words)):
        return False
    return any(ch.isalpha() for ch in text)


# lower-case words that belong in names ("Ursula von der Leyen", "Nguyễn thị …" is written capitalised)
_PARTICLES = frozenset(("von", "van", "der", "den", "de", "da", "di", "du", "del", "della", "des", "la", "le",
                        "bin", "al", "ibn", "dos", "das", "do", "ter", "zu", "y", "e", "st.", "mc", "of", "the", "el"))
# one-word texts in byline boxes that are labels, not people
_LABEL_WORDS = frozenset(("by", "von", "par", "por", "uncategorized", "unkategorisiert", "allgemein", "recherche",
                          "kommentar", "kommentare", "comments", "comment", "home", "startseite", "blog", "news"))


def _has_common_word(words: list[str]) -> bool:
    """A text in a byline box with a common lower-case word ("Hinterlasse
    einen Kommentar", "Tricks für zu Hause") or that is a label alone."""
    if len(words) == 1 and words[0].casefold().strip(".:") in _LABEL_WORDS:
        return True
    return any(w[:1].islower() and w.casefold() not in _PARTICLES for w in words[1:])


def _from_jsonld(pre: Precomputed) -> tuple[list[str], list[str]]:
    """(people, organisations) named as the article's JSON-LD author."""
    article = pre.article
    if not article:
        return [], []
    value: Any = article.get("author") or article.get("creator")
    items = value if isinstance(value, list) else [value]
    people: list[str] = []
    orgs: list[str] = []
    for item in items[:20]:
        item = pre.resolve(item)
        if isinstance(item, dict):
            name = jsonld_text(item.get("name"))
            if not name:
                continue
            if any(t in _ORG_TYPES for t in types_of(item)):
                orgs.append(clean_name(name))
                continue
            name = _full_from_bio(name, jsonld_text(item.get("description")) or "")
            people.extend(n for n in split_names(name, strict=False) if n not in people)
        elif isinstance(item, str):
            people.extend(n for n in split_names(item, strict=False) if n not in people)
    return [n for n in people if n.casefold() not in _LD_PLACEHOLDERS], orgs


def _full_from_bio(name: str, bio: str) -> str:
    """"Nils" whose bio begins "Nils Pickert ist freier Autor": the full
    name (Yoast's Person lists the display name and the author's bio)."""
    if " " in name.strip() or not bio.startswith(name.strip() + " "):
        return name
    match = _BIO_NAME.match(bio[len(name.strip()) + 1:])
    return f"{name.strip()} {match.group(1)}" if match else name


_BIO_NAME = re.compile(r"((?:[A-ZÄÖÜ][\w'’-]+\s){0,1}[A-ZÄÖÜ][\w'’-]+)(?=\s*(?:[-–—,(:]|\s[a-zäöü]|$))")


_META_KEYS = ("dc:creator", "dc.creator", "dcterms.creator", "dcterm:creator", "author", "article:author",
              "article:author_name", "og:article:author", "parsely-author", "sailthru.author", "byl",
              "twitter:creator:name", "cxenseparse:author", "citation_author", "article.author", "authors")


_PLACEHOLDERS = frozenset(("publisher", "author", "admin", "administrator", "editor", "user", "unknown", "null",
                           "none", "undefined", "redaktion"))
_LD_PLACEHOLDERS = _PLACEHOLDERS - {"redaktion", "editor"}


def _from_meta(pre: Precomputed, site: list[str]) -> list[str]:
    for label, data in (("twitter:label1", "twitter:data1"), ("twitter:label2", "twitter:data2")):
        if _AUTHOR_LABEL.search(pre.first_meta(label) or ""):
            names = split_names(pre.first_meta(data) or "", strict=False)
            if names:
                return names
    for key in _META_KEYS:
        for value in pre.meta.get(key, ()):
            if value and not value.startswith("http") and value.strip().casefold() not in _PLACEHOLDERS:
                names = split_names(value, strict=False)
                if names and not all(is_site_name(n, site) for n in names):  # "한국일보" before "신현주 기자"
                    return names
    return []


def _from_byline(pre: Precomputed, selector: str | None = None) -> list[str]:
    try:
        nodes = pre.tree.css(selector) if selector else _byline_nodes(pre)
    except Exception:  # noqa: BLE001 - a bad selector in a user rule must not crash extraction
        return []
    names: list[str] = []
    for node in nodes[:40]:
        if node.tag in ("button", "input", "select", "option", "form", "script", "style"):
            continue
        text = node.attributes.get("content") or node.text(separator=" ", strip=True)
        if not text or len(text) > 160 or _SENTENCE.search(text):
            continue
        text = _CREDIT.split(text)[0]
        # after the cheap tests: these walk up the ancestors
        if not selector and (_photo_credit(node) or _off_article(node)):
            continue
        found = split_names(text)
        if not found and "://" not in text and _is_card(node):
            # an hCard or author link: a lowercase handle such as "gizzmo" is a name here
            found = [n for n in split_names(text, strict=False) if n.casefold() not in _PLACEHOLDERS
                     and " " not in n and looks_like_name(_HANDLE_DIGITS.sub("", n[:1].upper() + n[1:]))]
        if not found:  # several names in sibling elements: "<span>A B</span><span>C D</span>"
            for child in node.css("a, span, li, strong, b")[:12]:
                for name in split_names(child.text(separator=" ", strip=True)):
                    if name not in found:
                        found.append(name)
        for name in found:
            if name not in names:
                names.append(name)
        if names and not selector:
            break
    return names


# a sentence ends and another begins: an author's bio, not a byline
_SENTENCE = re.compile(r"[^\W\d_]{2}[a-zäöüßà-ÿ]\.\s+[A-ZÄÖÜ][a-zäöüß]+\s+[a-zäöüß]")
# a photo credit after the author: "Interview: Jens Bergmann Foto: Michael Hudler"
_CREDIT = re.compile(r"\s+(?:fotos?|photos?|bilder?|images?|photography|illustrations?)(?:\s*:|\s+(?:by|von)\b)",
                     re.I)


_PHOTO_LABEL = re.compile(r"credit|bild|foto|photo|figure")
_PHOTO_TEXT = re.compile(r"^\s*(?:fotos?|photos?|bild(?:er)?|images?)\s*:", re.I)


def _photo_credit(node: Any) -> bool:
    """A photographer's credit ("bildautor", "Foto: Jane Doe", a caption's
    author): the person took the picture, not wrote the article."""
    if _PHOTO_TEXT.match(node.text(separator=" ", strip=True)):
        return True
    current = node
    for _ in range(3):
        if current is None:
            return False
        attrs = current.attributes
        if current.tag in ("figure", "figcaption") or _PHOTO_LABEL.search(
                f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower()):
            return True
        current = current.parent
    return False


_HANDLE_DIGITS = re.compile(r"(?<=[^\W\d_])\d{2,4}$")  # "freeman1984": a handle's year is no number


def _is_card(node: Any) -> bool:
    attrs = node.attributes
    classes = f" {attrs.get('class') or ''} ".lower()
    return (" fn " in classes or " vcard " in classes or attrs.get("rel") == "author"
            or attrs.get("itemprop") == "author")


_MENU = re.compile(r"(?:^|[\s_-])(?:nav|menu|dropdown|listing|related)")


def _off_article(node: Any) -> bool:
    """Inside comments, a footer or aside, or a menu (a site's list of its
    authors is no byline). A post's "entry-meta" footer is the byline's
    place in many blog themes."""
    current = node.parent
    for _ in range(10):
        if current is None:
            return False
        attrs = current.attributes
        label = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower()
        if (("comment" in label and "commentary" not in label) or "respond" in label or "reply" in label
                or current.tag in ("aside", "nav") or (current.tag == "footer" and "meta" not in label)
                or (current.tag != "body" and _MENU.search(label))):  # a body class names the theme's menus
            return True
        current = current.parent
    return False


# a legal form names a company or association: "Hanns-Seidel-Stiftung e.V.", "bergportal GmbH"
_LEGAL_FORM = re.compile(r"\b(?:gmbh|e\.\s?v\b|ag|kg|inc|ltd|llc|corp|plc|s\.a|s\.l|sarl|verlag|stiftung)\b\.?$", re.I)


def _is_org(name: str, orgs: list[str], site: list[str]) -> bool:
    key = _fold_key(name)
    if not key or _LEGAL_FORM.search(name):
        return True
    for other in list(orgs) + list(site):
        other_key = _fold_key(other)
        if other_key and (key == other_key or (len(other_key) > 3 and (other_key in key or key in other_key))):
            return True
    return False


_NOT_A_PERSON = re.compile(r"^the\s|\b(?:copied|sponsored|advertisement|chief|officer|head of|director|president|"
                           r"spokes\w+|media for)\b|\.(?:com|net|org)\b", re.I)
_NEVER_A_PERSON = re.compile(r"\b(?:staff|reports?)\b|^(?:january|february|march|april|may|june|july|august|"
                             r"september|october|november|december|monday|tuesday|wednesday|thursday|friday|"
                             r"saturday|sunday|updated|published)$", re.I)


def tidy(names: list[str], site: list[str]) -> list[str]:
    """The final author list without what is plainly not a person: staff and
    desk labels or a lone month name always go ("TMZ Staff", "December"); job
    titles, UI labels and the site's own name go when a person is named beside
    them ("NBA.com", "Head of Reality Labs", "Link Copied")."""
    names = list({n.casefold(): n for n in reversed(names) if not _NEVER_A_PERSON.search(n)}.values())[::-1]
    kept = [n for n in names if not _NOT_A_PERSON.search(n) and not is_site_name(n, site)]
    return kept or names


def _declared(site: list[str], pre: Precomputed) -> list[str]:
    """The site names the page declares (og:site_name, publisher), not the
    ones guessed from the host."""
    host = (pre.url or "").lower()
    return [name for name in site if not (name.islower() and name.isascii() and name in host)]


def is_site_name(name: str, site: list[str]) -> bool:
    """Whether ``name`` is the publishing site itself ("BDZV", "Diakonie Deutschland")."""
    key = _fold_key(name)
    for other in site:
        other_key = _fold_key(other)
        if key and other_key and (key == other_key or (len(other_key) > 3 and other_key in key)):
            return True  # not a name inside the site's: "Matthew Davis" of "Matthew Davis's Blog"
    return False


def _fold_key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _is_handle(name: str) -> bool:
    """One word in Latin script ("admin", "christian.stadtfeld"); a CJK name
    has no spaces either."""
    return " " not in name and all(ord(ch) < 0x250 for ch in name)


@dataclass
class Found:
    """People named as authors, and organisations to fall back on when no
    person is named anywhere on the page."""

    people: list[str]
    organisations: list[str]
    under_headline: bool = False  # read from a "By …" line after the headline, which may be in the body
    owner: list[str] = field(default_factory=list)  # a personal site's owner, after any byline in the body


def find(pre: Precomputed, site: list[str], rule_selector: str | None = None) -> Found:
    if rule_selector:
        names = _from_byline(pre, rule_selector)
        if names:
            return Found(names, [])
    ld_people, ld_orgs = _from_jsonld(pre)
    people = [n for n in ld_people if not _is_org(n, ld_orgs, site)]
    if people and all(_is_handle(n) for n in people):  # "christian.stadtfeld": a byline naming a person wins
        return Found(_full_names(pre, ld_orgs, site) or ld_people, ld_orgs)
    if people:
        return Found(_with_coauthors(pre, site, ld_people), ld_orgs)
    orgs = ld_orgs + [n for n in ld_people if n not in ld_orgs]
    meta = _from_meta(pre, site)
    meta_people = [n for n in meta if not _is_org(n, orgs, site)]
    if meta_people and any(" " in n for n in meta_people):
        return Found(meta_people, orgs)
    if meta_people:  # a lone handle such as "LTO" or "admin": a byline naming a person wins
        return Found(_full_names(pre, orgs, site) or meta_people, orgs)
    # the site's own name in a meta author tag says nothing about who wrote it
    return _from_page(pre, site, orgs + [n for n in meta if n not in orgs and not is_site_name(n, site)])


def _full_names(pre: Precomputed, orgs: list[str], site: list[str]) -> list[str]:
    return [n for n in _from_byline(pre) if " " in n and not _is_org(n, orgs, site)]


def _from_page(pre: Precomputed, site: list[str], orgs: list[str]) -> Found:
    """People named by the page's byline elements, or a "By" line at the
    headline; the blog's owner as a last resort."""
    declared = _declared(site, pre)  # a byline may name the blog's owner, whose handle is also the host name
    byline = [n for n in (_without_site(n, declared) for n in _from_byline(pre)) if not _is_org(n, orgs, declared)]
    if byline:
        return Found(byline, orgs)
    headline = _under_headline(pre) or _post_meta(pre)  # "By The Planetary Press" is the site: a fallback
    people = [n for n in headline if not _is_org(n, orgs, declared)]
    return Found(people, orgs + [n for n in headline if _is_org(n, orgs, declared)], True, _blog_owner(pre, site))


_OWNED = re.compile(r"^(.+?)['’]s\s+(?:blog|weblog|digital home|home ?page|website|journal)$", re.I)
_TITLE_PARTS = re.compile(r"\s+[|–—·:-]\s+")


def _blog_owner(pre: Precomputed, site: list[str]) -> list[str]:
    """The person a personal site is named after ("Daniel Lemire's blog"),
    for a page that names no author."""
    for name in [*site, *_TITLE_PARTS.split(pre.title_tag or "")]:
        owned = _OWNED.match(name.strip())
        if owned and " " in owned.group(1) and looks_like_name(owned.group(1)):
            return [owned.group(1)]
    return []


def _with_coauthors(pre: Precomputed, site: list[str], people: list[str]) -> list[str]:
    """The JSON-LD names, or a meta tag's or "By …" line's longer list that
    holds them all (JSON-LD often lists only the first author)."""
    if len(people) > 1:
        return people
    known = {n.casefold() for n in people}
    meta = {n.casefold(): n for n in _from_meta(pre, site)}
    if meta.keys() == known:  # the meta tag agrees: no need to read the page
        return people
    for more in (list(meta.values()), _by_line_names(pre)):
        if len(more) > len(people) and known <= {n.casefold() for n in more}:
            return more
    return people


def _by_line_names(pre: Precomputed) -> list[str]:
    """The names in the first byline element near the headline that reads
    "By A and B" (the headline's block is searched, not the whole page)."""
    scope = pre.h1s[0] if pre.h1s else None
    for _ in range(4):
        scope = scope.parent if scope is not None and scope.parent is not None else scope
    if scope is None or scope.tag in ("body", "html"):
        return []
    for node in scope.css("[class*=byline i], [class*=author i]")[:10]:
        text = node.text(separator=" ", strip=True)
        if text and len(text) <= 160 and _BYLINE_LINE.match(text) and not _off_article(node):
            return _byline_in_line(text)
    return []


def _without_site(name: str, site: list[str]) -> str:
    """"Kaitlyn McCormick Cherry Hill Courier-Post" -> "Kaitlyn McCormick":
    the outlet's name read with the name out of one byline box."""
    folded = name.casefold()
    for other in site:
        for tail in {" " + other.casefold(), " " + other.casefold().removeprefix("the ")}:
            if len(tail) > 4 and folded.endswith(tail) and " " in name[:-len(tail)].strip():
                return name[:-len(tail)].strip(" ,|-–")
    return name


_LINE_START = re.compile(r"^[\s|·•—–-]+")
_LINE_PARTS = re.compile(r"\s+[|•·]\s+|\s{2,}")
_LABEL_GAP = re.compile(r"\b((?i:by|von|par|por))\s+")


def _short_text(node: Any, limit: int = 120) -> str:
    """The text of ``node`` if it is short; "" for a long one, read no
    further than needed (a sibling of the headline may hold the article)."""
    if node.tag in ("script", "style"):
        return ""
    if node.tag == "-text":
        return (node.text_content or "").strip()
    parts: list[str] = []
    size = 0
    for count, child in enumerate(node.traverse(include_text=True)):
        if count > 80:
            return ""
        if child.tag == "-text":
            text = child.text_content or ""
            size += len(text)
            if size > limit * 3:  # markup whitespace counts here, not in the line
                return ""
            parts.append(text)
        elif child.tag in ("script", "style"):
            return ""
    return " ".join(part.strip() for part in parts).strip()  # as node.text(separator=" ", strip=True)


def _byline_in_line(text: str) -> list[str]:
    """The names of the "By …" part of a short line ("Trending | By Cara
    Stiles | April 13, 2020")."""
    if not text or len(text) > 120:
        return []
    text = _LABEL_GAP.sub(r"\1 ", _LINE_START.sub("", text))  # "By  Cara Stiles"
    parts = _LINE_PARTS.split(text)[:4]
    for part in parts:
        if _BYLINE_LINE.match(part):
            return split_names(_CREDIT.split(part)[0])[:4]
    return _dated_name(_DATED_PARTS.split(text)[:4])


_DATED_PARTS = re.compile(r"\s+[|•·–-]\s+|\s{2,}")
_DATE_PART = re.compile(r"^\d{1,2}[./]\s?\d{1,2}[./]\s?\d{2,4}\b|^\d{4}-\d\d-\d\d\b")


def _dated_name(parts: list[str]) -> list[str]:
    """"Sehernur Karsu | 05.04.2025", "25.10.2022 - Reiner Nagel": a line of
    a date and one person's name of two or three words."""
    if len(parts) < 2 or not any(_DATE_PART.match(p) for p in parts):
        return []
    names = [p for p in parts if 2 <= len(p.split()) <= 3 and looks_like_name(p)
             and all(w[0].isupper() or w in _PARTICLES for w in p.split())]
    return names if len(names) == 1 else []


def _under_headline(pre: Precomputed) -> list[str]:
    """A "By Jane Doe, Staff Writer" line in the first few elements after the
    headline (or after its parents), where no element is marked as a byline."""
    h1s = pre.h1s
    node = h1s[0] if h1s else None
    for level in range(3):
        if node is None:
            return []
        names = _line_after(node.next, 6) or (_dated_before(node.prev) if level == 0 else [])
        if names:
            return names
        node = node.parent
    return []


def _line_after(sibling: Any, count: int) -> list[str]:
    for _ in range(count):
        if sibling is None:
            return []
        names = [] if _MENU.search((sibling.attributes.get("class") or "").lower()) else \
            _byline_in_line(_short_text(sibling))
        if names:
            return names
        sibling = sibling.next
    return []


_POST_META = "[class*=meta i], [class*=submitted i], [class*=info i]"


def _post_meta(pre: Precomputed) -> list[str]:
    """A "Von R. R. am 07.08.2013" or "Submitted by jdoe on …" line in a
    post's meta box (postmetadata, entry-meta, submitted, post-info)."""
    for node in pre.tree.css(_POST_META)[:30]:
        text = _short_text(node)
        if text and _BYLINE_LINE.match(text) and not _off_article(node):
            names = _byline_in_line(text)
            if names:
                return names
    return []


def _dated_before(sibling: Any) -> list[str]:
    """"04.02.2022 | 13:10 Uhr | Uta Helkenberg" just above the headline."""
    for _ in range(4):
        if sibling is None:
            return []
        text = _short_text(sibling)
        if text:
            return _dated_name(_DATED_PARTS.split(text)[:4])
        sibling = sibling.prev
    return []


_BYLINE_LINE = re.compile(r"^\s*(?:by|von|par|por|door|di|av|af|autor(?:in)?\s*:|auteur\s*:|author\s*:|text\s*:|"
                          r"(?:written|posted|published|submitted) by\s*:?|"
                          r"(?:geschrieben|verfasst|eingestellt|gespeichert) von|"
                          r"bởi|tác giả\s*:?)\s+\S",
                          re.I)


_LABELLED = re.compile(r"^\s*(?:text|autor(?:in)?|author|auteur|tác giả)\s*:\s"
                       r"|^\s*(?:written|geschrieben|verfasst) (?:by|von)\b", re.I)


def body_byline(blocks: list[Block]) -> tuple[list[str], int | None]:
    """A "By Jane Doe" / "Von Max Muster" / "Auteur : X" line among the first
    or last blocks of the body: (names, its index)."""
    count = len(blocks)
    for index in [*range(min(3, count)), *range(max(3, count - 8), count)]:
        text = blocks[index].text
        if len(text) > 80 or not _BYLINE_LINE.match(text):
            continue
        if 3 <= index < count - 3 and not _LABELLED.match(text):  # "Text: X" above photo credits and sources
            continue
        text = re.split(r"\s+[|•·]\s+|\s{2,}|\s+[-–]\s+(?=\d)", text)[0]
        text = re.sub(r"\s+(?:edition|édition|redaktion|fotos?|photos?|bild)\s*:.*$", "", text, flags=re.I)
        names = split_names(text)
        if names and len(names) <= 4:
            return names, index
    return [], None


def is_signature(text: str) -> bool:
    """A short line of capitalised words: "Nguyễn Thị Hòa", "HOÀNG ANH", "T.Đ"."""
    text = text.strip().rstrip(".")
    if not text or len(text) > 40 or _SOURCE.match(text) or _ROLE.match(text):
        return False
    words = text.replace("-", " ").split()
    if not 1 <= len(words) <= 5:
        return False
    for word in words:
        if not _UPPER_WORD.match(word) or not word[0].isupper():
            return False
    return not _NOT_NAME.search(text)


def signature(blocks: list[Block], lang: str | None, forced: bool = False) -> tuple[list[str], list[int]]:
    """Names signed at the end of the body, and the indices of the blocks
    they use (the signature and its role line; a trailing "Theo X" source
    line is skipped over and kept)."""
    index = len(blocks) - 1
    while index >= 0 and _SOURCE.match(blocks[index].text) and len(blocks[index].text) < 80:
        index -= 1
    used: list[int] = []
    if index > 0 and _ROLE.match(blocks[index].text.strip()):
        used.append(index)
        index -= 1
    if index < 1:
        return [], []
    block = blocks[index]
    vietnamese = (lang or "").lower().startswith("vi")
    styled = block.right or block.emphasised
    if not (forced or vietnamese or styled or used):
        return [], []
    text = block.text.strip()
    if is_signature(text):
        names = [text.rstrip(".")]
    else:  # "Nguyễn Văn A - Trần B", "HÀ AN (thực hiện)"
        text = re.sub(r"\s*\((?:thực hiện|tổng hợp|ghi|lược dịch|dịch)\)\s*$", "", text, flags=re.I)
        names = [p.strip() for p in re.split(r"\s+[-–]\s+|,\s*", text) if p.strip()]
        if not names or not all(is_signature(p) for p in names):
            return [], []
    if len(names) == 1 and len(names[0].split()) == 1 and not (vietnamese or styled or forced):
        return [], []
    return names, [index] + used
