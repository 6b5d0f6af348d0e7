"""Fast class/id word patterns: alternations compiled as prefix tries.

Python's regex engine tries every alternative of ``a|b|c`` at every position
of the subject, so a pattern of forty words costs several microseconds per
class label, and a page brings hundreds of labels seen for the first time.
Factoring the alternatives by their leading letters (``comment|cookie`` ->
``co(?:mment|okie)``) leaves one branch to try per letter instead. The
patterns are only ever asked *whether* they match, and for that question
the factored form is exact: an alternative that is a prefix of another one
already decides the match alone (``relate|related`` -> ``relate``).

    words = Words(["comment(?!ary)", "cookie", "related"])
    words.search("site-comments")  # -> True, case-insensitively

An alternative is factored on its leading plain characters (letters,
digits, ``_`` and ``-`` not followed by a quantifier); the rest of it is
kept as written. Alternatives must not start with an anchor or lookbehind:
write ``(?<![a-z])date`` as ``d(?<![a-z]d)ate`` (the same test, after the
first letter), and write literals in lower case.

Case-insensitive matching costs the engine about three times the plain
kind, and class labels are ASCII all but always: an ASCII label is lowered
and matched case-sensitively (the same answer); others go through the
``re.IGNORECASE`` pattern.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")
_QUANTIFIERS = frozenset("?*+{")


def _head(alternative: str) -> tuple[str, str] | None:
    if not alternative or alternative[0] not in _PLAIN:
        return None
    if len(alternative) > 1 and alternative[1] in _QUANTIFIERS:
        return None
    return alternative[0], alternative[1:]


def _factor(alternatives: list[str]) -> str:
    if "" in alternatives:
        return ""  # an empty tail: the prefix alone already matches
    groups: dict[str, list[str]] = {}
    rest: list[str] = []
    for alternative in dict.fromkeys(alternatives):
        head = _head(alternative)
        if head is None:
            rest.append(alternative)
        else:
            groups.setdefault(head[0], []).append(head[1])
    parts = []
    for char, tails in groups.items():
        inner = _factor(tails)
        if len(tails) > 1 and inner:
            inner = f"(?:{inner})"
        parts.append(re.escape(char) + inner)
    parts += [f"(?:{alternative})" if "|" in alternative else alternative for alternative in rest]
    return "|".join(parts)


class Words:
    """Alternatives asked only whether any of them matches, ignoring case."""

    __slots__ = ("pattern", "_ascii", "_any")

    def __init__(self, alternatives: Iterable[str]) -> None:
        self.pattern = _factor(list(alternatives))
        if re.sub(r"\\.", "", self.pattern) != re.sub(r"\\.", "", self.pattern).lower():
            raise ValueError(f"write the literals in lower case: {self.pattern}")
        self._ascii = re.compile(self.pattern, re.ASCII)
        self._any = re.compile(self.pattern, re.IGNORECASE)

    def search(self, text: str) -> bool:
        if text.isascii():
            return self._ascii.search(text.lower()) is not None
        return self._any.search(text) is not None
